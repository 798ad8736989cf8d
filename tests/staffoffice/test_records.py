"""Training by level (Art. 21), work stations and commendations on the card (Art. 24, 25),
and a person's own record under "我的" (issue #18 items 2-4)."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from personnel import records, selectors
from personnel.models import Staff, TrainingSession

pytestmark = pytest.mark.django_db


def _worker(world):
    return Staff.objects.get(user=world.worker)


def _session(client, world, attendees, **over):
    data = {
        "title": "网格员业务培训",
        "date": "2025-06-05",
        "hours": "4",
        "attendees": attendees,
        "submission_key": "8d0e7f6a-2222-4c1a-9f6e-000000000001",
    }
    data.update(over)
    return client.post(reverse("staffoffice:trainings", args=[world.tree.township.code]), data)


def test_a_township_session_with_attendees_fills_each_record_and_the_untrained_list(client, world):
    worker, leader = _worker(world), Staff.objects.get(user=world.leader)
    client.force_login(world.dispatcher)
    untrained = reverse("staffoffice:untrained", args=[world.tree.township.code])
    assert worker.work_id in client.get(untrained).content.decode()
    response = _session(client, world, f"{worker.work_id}\n{worker.work_id.lower()}")
    assert response.status_code == 302
    session = TrainingSession.objects.get()
    assert (session.tier, session.area) == ("township", world.tree.township)
    assert list(session.attendances.values_list("staff_id", flat=True)) == [worker.pk]
    record = client.get(reverse("staffoffice:record", args=[worker.pk])).content.decode()
    assert "2025-06-05 · 网格员业务培训 · 乡镇（街道）级" in record
    listed = client.get(untrained).content.decode()
    assert worker.work_id not in listed and leader.work_id in listed


def test_the_training_year_is_beijings(world):
    worker = _worker(world)
    # Held on the last day of 2025 (Beijing); at 2025-12-31 17:00 UTC it is already 2026 in Beijing.
    with time_machine.travel(datetime.datetime(2025, 12, 31, 12, 0, tzinfo=datetime.UTC), tick=False):
        records.training_session_create(
            actor=world.dispatcher,
            area=world.tree.township,
            title="年终培训",
            date=datetime.date(2025, 12, 31),
            hours=2,
            attendees=[worker],
        )
    with time_machine.travel(datetime.datetime(2025, 12, 31, 17, 0, tzinfo=datetime.UTC), tick=False):
        assert worker in selectors.untrained_staff(world.dispatcher, world.tree.township)  # 2026: none yet
        assert worker not in selectors.untrained_staff(world.dispatcher, world.tree.township, 2025)
    assert zoneinfo.ZoneInfo("Asia/Shanghai")  # the suite's zone, as settings.TIME_ZONE


def test_another_townships_staff_cannot_be_put_on_a_session_or_see_it(client, world):
    other = Staff.objects.get(user=world.worker2)  # grid2 is in this township; make one elsewhere
    elsewhere = Staff.objects.get(user=world.other_worker)
    client.force_login(world.dispatcher)
    response = _session(client, world, elsewhere.work_id)
    assert response.status_code == 400 and "不在您管理的人员中" in response.content.decode()
    assert not TrainingSession.objects.exists()
    assert _session(client, world, other.work_id).status_code == 302
    session = TrainingSession.objects.get()
    client.force_login(world.dispatcher2)
    assert client.get(reverse("staffoffice:session", args=[session.pk])).status_code == 404
    assert client.get(reverse("staffoffice:trainings", args=[world.tree.township.code])).status_code == 404


def test_a_city_session_is_recorded_by_the_city_and_each_township_adds_its_own_people(client, world):
    from tests.personnel.factories import org
    from tests.scenario import member

    city_supervisor = member(org(world.tree.city, "authority", "宁波市网格化主管单位"), "supervisor")
    session = records.training_session_create(
        actor=city_supervisor, area=world.tree.city, title="全市网格长轮训", date=datetime.date(2025, 6, 1), hours=8
    )
    assert session.tier == "city"
    with pytest.raises(Exception, match="无权"):
        records.training_session_create(
            actor=world.dispatcher, area=world.tree.city, title="x", date=datetime.date(2025, 6, 1), hours=1
        )
    client.force_login(world.dispatcher)
    url = reverse("staffoffice:session", args=[session.pk])
    data = {"attendees": _worker(world).work_id, "submission_key": "8d0e7f6a-2222-4c1a-9f6e-000000000002"}
    assert client.post(url, data).status_code == 302
    assert session.attendances.count() == 1


def test_a_work_station_and_public_commendations_show_on_the_grid_card(client, world):
    worker = _worker(world)
    client.force_login(world.dispatcher)
    station = reverse("staffoffice:station", args=[world.tree.grid.code])
    data = {
        "name": "尹江岸网格工作室",
        "address": "尹江路1号",
        "opening_hours": "周一至周五 9:00-17:00",
        "phone": "0574-87003333",
    }
    assert client.post(station, data).status_code == 302
    commend = reverse("staffoffice:commend", args=[worker.pk])
    base = {"awarded_by": "海曙区委政法委", "date": "2025-05-01"}
    assert (
        client.post(
            commend,
            {
                **base,
                "title": "优秀网格员",
                "is_public": "on",
                "submission_key": "8d0e7f6a-2222-4c1a-9f6e-000000000003",
            },
        ).status_code
        == 302
    )
    assert (
        client.post(
            commend, {**base, "title": "内部通报表扬", "submission_key": "8d0e7f6a-2222-4c1a-9f6e-000000000004"}
        ).status_code
        == 302
    )
    client.logout()
    card = client.get(reverse("public:grid-card", args=[world.tree.grid.code])).content.decode()
    assert "尹江路1号" in card and "周一至周五 9:00-17:00" in card and "0574-87003333" in card
    assert "2025 优秀网格员" in card and "内部通报表扬" not in card
    # The other township cannot edit this grid's station.
    client.force_login(world.dispatcher2)
    assert client.get(station).status_code == 404
    assert client.post(commend, {**base, "title": "x"}).status_code == 404


def test_my_record_shows_own_roles_trainings_and_commendations_masked(client, world):
    worker = _worker(world)
    records.training_session_create(
        actor=None,
        area=world.tree.county,
        title="岗前培训",
        date=datetime.date(2025, 3, 1),
        hours=16,
        attendees=[worker],
    )
    records.commendation_add(
        actor=None, staff=worker, title="优秀网格员", awarded_by="南门街道", date=datetime.date(2025, 5, 1)
    )
    client.force_login(world.worker)
    html = client.get(reverse("personnel:me")).content.decode()
    assert 'name="viewport"' in html and 'href="/personnel/me/"' in html
    assert "专职网格员" in html and "岗前培训" in html and "优秀网格员" in html
    assert "138****0001" in html and "13800000001" not in html
    client.force_login(world.handler)
    assert "您没有网格服务管理人员档案" in client.get(reverse("personnel:me")).content.decode()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_record_gives_its_dates_in_one_format(client, world, language):
    """The current role's start beside the history's dates: both ISO (one read "since
    Aug. 25, 2024" beside "2024-08-25 — present" in English)."""
    worker = _worker(world)
    start = worker.assignments.get().start
    client.cookies["django_language"] = language
    client.force_login(world.worker)
    own = client.get(reverse("personnel:me")).content.decode()
    client.force_login(world.dispatcher)
    office = client.get(reverse("staffoffice:record", args=[worker.pk])).content.decode()
    for html in (own, office):
        assert html.count(start.isoformat()) == 2  # current role and history
        assert start.strftime("%b") not in html and f"{start.year}年" not in html
