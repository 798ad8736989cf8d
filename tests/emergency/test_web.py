"""The pages (Art. 18): activation through the form once, the check-in page, the board's scope."""

import uuid

import pytest
from django.urls import reverse

from emergency.choices import CheckInStatus, RecordKind
from emergency.models import CheckIn, Record, Response

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_the_authority_activates_once_per_filled_in_form(client, world, leader2):
    client.force_login(world.supervisor)
    assert b"activate-link" in client.get(reverse("emergency:index")).content
    data = {
        "area": world.tree.county.pk,
        "hazard": "typhoon",
        "level": "II",
        "title": "台风防御",
        "instructions": "转移危险区域人员",
        "submission_key": str(uuid.uuid4()),
    }
    first = client.post(reverse("emergency:new"), data)
    again = client.post(reverse("emergency:new"), data)
    assert first.status_code == again.status_code == 302
    assert Response.objects.count() == 1 and CheckIn.objects.count() == 3
    assert first["Location"] == again["Location"]


def test_a_grid_leader_cannot_activate(client, world):
    client.force_login(world.leader)
    page = client.post(reverse("emergency:new"), {"area": world.tree.county.pk, "hazard": "fire", "level": "I"})
    assert page.status_code == 403 and not Response.objects.exists()


def test_the_leader_checks_in_and_reports_on_the_page(client, world, leader2, response):
    checkin = CheckIn.objects.get(response=response, area=world.tree.grid)
    client.force_login(world.leader)
    assert reverse("emergency:checkin", args=[checkin.pk]).encode() in client.get(reverse("emergency:index")).content
    step = reverse("emergency:step", args=["checkin", checkin.pk, "acknowledge"])
    client.post(step, {"acknowledge-version": 1, "acknowledge-text": "已到岗"})
    report = reverse("emergency:step", args=["checkin", checkin.pk, "report"])
    client.post(report, {"report-version": 2, "report-on_duty": 4, "report-to_transfer": 7, "report-hazards": "危房"})
    checkin.refresh_from_db()
    assert checkin.status == CheckInStatus.REPORTED and checkin.to_transfer == 7
    # A stale version changes nothing and says so.
    page = client.post(report, {"report-version": 2, "report-on_duty": 1, "report-to_transfer": 1}, follow=True)
    assert "刷新" in page.content.decode()
    checkin.refresh_from_db()
    assert checkin.on_duty == 4
    # Another grid's worker may not take the step.
    client.force_login(world.worker2)
    client.post(
        step.replace("acknowledge", "report"), {"report-version": 3, "report-on_duty": 0, "report-to_transfer": 0}
    )
    checkin.refresh_from_db()
    assert checkin.version == 3 and checkin.on_duty == 4


def _board(client, response, **query) -> str:
    return client.get(reverse("emergency:board", args=[response.pk]), query).content.decode()


def test_a_township_sees_only_its_grids_on_the_board(client, world, leader2):
    from emergency import services
    from tests.scenario import grid_user

    other_grid_leader = grid_user(world.tree.other_grid, "grid_leader")
    city_response = services.response_activate(
        actor=world.superuser, area=world.tree.county, hazard="typhoon", level="I", title="全区", instructions="x"
    )
    assert not CheckIn.objects.filter(response=city_response, leader=other_grid_leader).exists()
    township = world.tree.township.pk
    client.force_login(world.dispatcher2)  # 江厦街道: no grids
    board = client.get(reverse("emergency:board", args=[city_response.pk]), {"township": township})
    assert board.status_code == 404 or world.tree.grid.name not in board.content.decode()
    client.force_login(world.dispatcher)  # 南门街道: its three grids
    board = _board(client, city_response, township=township)
    assert world.tree.grid.name in board and world.tree.micro_grid.name in board
    assert "已签到 0/3" in board
    client.force_login(world.leader)  # a grid leader sees its own grid and micro-grid only
    board = _board(client, city_response, township=township)
    assert world.tree.grid.name in board and world.tree.grid2.name not in board
    client.force_login(world.other_supervisor)
    assert client.get(reverse("emergency:detail", args=[city_response.pk])).status_code == 404


def test_the_board_opens_on_the_townships_and_lists_a_townships_grids_not_checked_in(client, world, response):
    """The summary names townships, not grids; a township's page lists by default the grids
    not checked in, and the poll asks again for what is on screen (Art. 18)."""
    from emergency import services

    client.force_login(world.supervisor)
    summary = _board(client, response)
    assert "南门街道" in summary and "已签到 0/3" in summary
    assert "data-area" not in summary and world.tree.grid.name not in summary
    detail = client.get(reverse("emergency:detail", args=[response.pk])).content.decode()
    assert "data-area" not in detail and f"?township={world.tree.township.pk}" in detail

    checkin = CheckIn.objects.get(response=response, area=world.tree.grid)
    services.checkin_acknowledge(actor=world.leader, checkin=checkin, version=1)
    township = world.tree.township.pk
    pending = _board(client, response, township=township)
    assert world.tree.grid2.name in pending and f'data-area="{world.tree.grid.code}"' not in pending
    assert "未签到 2" in pending and "已签到 1/3" in pending
    assert (
        f'hx-get="{reverse("emergency:board", args=[response.pk])}?township={township}&amp;show=pending&amp;page=1"'
        in pending
    )
    checked_in = _board(client, response, township=township, show="checked_in")
    assert f'data-area="{world.tree.grid.code}"' in checked_in and world.tree.grid2.name not in checked_in
    everything = _board(client, response, township=township, show="all")
    assert everything.count("data-area=") == 3
    # The page without htmx shows the same township view.
    page = client.get(reverse("emergency:detail", args=[response.pk]), {"township": township}).content.decode()
    assert world.tree.grid2.name in page and f'data-area="{world.tree.grid.code}"' not in page


def test_a_townships_grids_come_a_page_at_a_time(client, world, response, monkeypatch):
    from emergency import selectors

    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    client.force_login(world.supervisor)
    township = world.tree.township.pk
    first = _board(client, response, township=township)
    assert first.count("data-area=") == 2 and "1 / 2" in first and "下一页" in first
    second = _board(client, response, township=township, page=2)
    assert second.count("data-area=") == 1 and "上一页" in second and "下一页" not in second


def test_emergency_events_reported_during_the_response_are_linked(world, leader2, response):
    from catalog.choices import Grade

    event = world.report(grade=Grade.EMERGENCY, title="广告牌倒塌")
    world.report(title="楼道堆物")  # not an emergency: not linked
    links = Record.objects.filter(response=response, kind=RecordKind.EVENT)
    assert list(links.values_list("event_id", flat=True)) == [event.pk]
    from emergency.selectors import board

    assert board(world.supervisor, response).open_events == 1


def test_activating_again_while_active_says_which_response_to_raise_or_lower(client, world, response):
    client.force_login(world.supervisor)
    data = {
        "area": world.tree.township.pk,
        "hazard": "typhoon",
        "level": "I",
        "title": "台风防御（再次提交）",
        "instructions": "转移",
        "submission_key": str(uuid.uuid4()),
    }
    page = client.post(reverse("emergency:new"), data)
    assert page.status_code == 400 and Response.objects.count() == 1
    assert "台风“梅花”防御" in page.content.decode() and "提升或降低" in page.content.decode()
