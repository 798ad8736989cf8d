"""On-the-spot handling (就地处置) and correction (更正) pages: what a grid worker sees."""

import pytest
from django.urls import reverse

from events import services
from events.choices import ActionKind, EventStatus
from events.models import Event
from tests.scenario import make_item

from .test_pages import _png, _step

pytestmark = pytest.mark.django_db

SELF_HANDLE = reverse("events:self-handle")


def _self_handle_data(world, **overrides):
    return {
        "area": world.tree.grid.pk,
        "item": world.item.pk,
        "grade": "general",
        "title": "占道堆物",
        "description": "商铺门前堆放纸箱占用人行道。",
        "discovered_at": "2025-06-09T08:30",
        "result_text": "已劝导店主当场清理，人行道恢复通行。",
        **overrides,
    }


def test_report_page_links_to_on_the_spot_handling_only_for_those_who_may(client, world):
    client.force_login(world.worker)
    assert 'id="switch-link" href="/events/self-handle/"' in client.get(reverse("events:report")).content.decode()
    client.force_login(world.micro_leader)  # reports, but may not handle on the spot
    assert 'id="switch-link" href="/events/self-handle/"' not in client.get(reverse("events:report")).content.decode()
    assert client.get(SELF_HANDLE).status_code == 404


def test_on_the_spot_handling_closes_the_event_at_once_with_the_result_on_the_timeline(client, world):
    client.force_login(world.worker)
    page = client.get(SELF_HANDLE).content.decode()
    assert 'name="result_text"' in page and 'capture="environment"' in page
    response = client.post(SELF_HANDLE, {**_self_handle_data(world), "photos": [_png()]})
    event = Event.objects.get()
    assert response.status_code == 302 and response.url == reverse("events:detail", args=[event.number])
    detail = client.get(response.url).content.decode()
    assert "已结案" in detail and "已就地处置" in detail
    assert "已劝导店主当场清理" in detail
    assert event.status == EventStatus.CLOSED and event.self_handled
    assert event.actions.get(kind=ActionKind.SELF_HANDLE).attachments.count() == 1


def test_an_item_that_does_not_allow_it_is_refused_next_to_the_item_and_input_is_kept(client, world):
    strict = make_item("04-009", self_handle=False)
    client.force_login(world.worker)
    page = client.get(SELF_HANDLE).content.decode()
    assert "04-001" in page and "04-009" not in page  # only items that allow it are offered
    response = client.post(SELF_HANDLE, _self_handle_data(world, item=strict.pk))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_item_error"' in html and "该事项不允许就地处置" in html
    assert "商铺门前堆放纸箱占用人行道。" in html and "已劝导店主当场清理" in html
    assert not Event.objects.exists()


def test_result_is_required(client, world):
    client.force_login(world.worker)
    html = client.post(SELF_HANDLE, _self_handle_data(world, result_text="")).content.decode()
    assert 'id="id_result_text_error"' in html and "该字段是必填项。" in html
    assert not Event.objects.exists()


def test_a_grid_outside_the_workers_jurisdiction_is_refused(client, world):
    client.force_login(world.worker)
    html = client.post(SELF_HANDLE, _self_handle_data(world, area=world.tree.other_grid.pk)).content.decode()
    assert 'id="id_area_error"' in html
    assert not Event.objects.exists()


def test_outsider_and_handler_get_404(client, world):
    for user in (world.outsider, world.handler, world.dispatcher):
        client.force_login(user)
        assert client.get(SELF_HANDLE).status_code == 404
        assert client.post(SELF_HANDLE, _self_handle_data(world)).status_code == 404
    assert not Event.objects.exists()


def _new_address(client, event):
    """The reporter corrects the address from 3 to 5, saying why."""
    fields = {"title": event.title, "description": event.description, "address": "尹江路 5 号"}
    return _step(client, event, "correct", text="门牌号写错了", **fields)


def test_reporter_corrects_details_and_the_timeline_keeps_old_and_new(client, world):
    event = world.report(address="尹江路 3 号")
    client.force_login(world.worker)
    detail = client.get(reverse("events:detail", args=[event.number])).content.decode()
    assert 'id="step-correct"' in detail and 'value="尹江路 3 号"' in detail
    response = _new_address(client, event)
    assert response.status_code == 302
    html = client.get(response.url).content.decode()
    assert "已更正" in html
    assert "尹江路 5 号" in html and "门牌号写错了" in html
    event.refresh_from_db()
    assert event.address == "尹江路 5 号"
    action = event.actions.get(kind=ActionKind.CORRECTION)
    assert action.data["changes"] == {"address": {"old": "尹江路 3 号", "new": "尹江路 5 号"}}


def test_a_stale_correction_is_refused_and_keeps_what_was_typed(client, world):
    event = world.report(address="尹江路 3 号")
    client.force_login(world.worker)
    stale_version = event.version
    services.event_accept(actor=world.dispatcher, event=event)  # someone moves the event on meanwhile
    event.version = stale_version
    response = _new_address(client, event)
    assert response.status_code == 409
    html = response.content.decode()
    assert 'value="尹江路 5 号"' in html and "门牌号写错了" in html
    event.refresh_from_db()
    assert event.address == "尹江路 3 号" and not event.actions.filter(kind=ActionKind.CORRECTION).exists()
    # Sent again from the page as shown (the current version), it goes through.
    assert _new_address(client, event).status_code == 302


def test_correction_needs_a_reason_and_a_change_and_keeps_what_was_typed(client, world):
    event = world.report()
    client.force_login(world.worker)
    response = _step(client, event, "correct", title="新标题", description=event.description, address="", text="")
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_correct-text_error"' in html and 'value="新标题"' in html
    response = _step(
        client, event, "correct", title=event.title, description=event.description, address="", text="原因"
    )
    assert response.status_code == 400
    assert "没有改动" in response.content.decode()
    assert not event.actions.filter(kind=ActionKind.CORRECTION).exists()


def test_correction_is_not_offered_to_handlers_and_is_404_out_of_scope(client, world):
    event = world.report()
    client.force_login(world.other_worker)
    response = _step(client, event, "correct", title="x", description="y", address="", text="z")
    assert response.status_code == 404
    client.force_login(world.dispatcher)  # the township's dispatcher may correct
    assert 'id="step-correct"' in client.get(reverse("events:detail", args=[event.number])).content.decode()
    event.refresh_from_db()
    assert event.title == "楼道堆放杂物"


def test_changing_the_item_refreshes_only_the_item_block_not_what_was_typed(client, world):
    """The e2e desktop journey lost its typed title: the refresh swapped the whole form."""
    client.force_login(world.worker)
    html = client.get(reverse("events:report")).content.decode()
    block_start = html.index('<div id="report-choice"')
    assert 'hx-target="#report-choice"' in html and 'hx-select="#report-choice"' in html
    assert html.index('id="id_item"') > block_start
    refreshed = client.post(
        reverse("events:report"),
        {"refresh": "1", "area": world.tree.grid.pk, "item": world.item.pk},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert f'data-item="{world.item.pk}"' in refreshed
    # Title, description and photos lie outside the swapped block.
    block = refreshed[refreshed.index('<div id="report-choice"') : refreshed.index('id="id_grade"')]
    assert 'name="title"' not in block and 'name="photos"' not in block and 'name="item"' in block
