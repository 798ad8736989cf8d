"""The event pages: scoping, each step through its form, conflicts, filters, attachments."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from events import services
from events.choices import EventStatus
from events.messaging import Notification
from events.models import Event

pytestmark = pytest.mark.django_db


def _png(name="photo.png"):
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def _step(client, event, name, **data):
    payload = {f"{name}-version": event.version, **{f"{name}-{k}": v for k, v in data.items()}}
    return client.post(reverse("events:step", args=[event.number, name]), payload)


def _report_fields(world, **changes) -> dict:
    """A filled-in report form for the worker's grid (changes override fields)."""
    return {
        "area": world.tree.grid.pk,
        "item": world.item.pk,
        "grade": "general",
        "title": "井盖缺失",
        "description": "路口井盖缺失，有坠落风险。",
        "discovered_at": "2025-06-09T08:30",
        **changes,
    }


def _submission_key(html: str) -> str:
    return re.search(r'name="submission_key" value="([0-9a-f-]{36})"', html).group(1)


def test_report_form_creates_an_event_with_photos(client, world):
    client.force_login(world.worker)
    page = client.get(reverse("events:report"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'capture="environment"' in html and 'accept="image/*"' in html and "multiple" in html
    response = client.post(reverse("events:report"), _report_fields(world, photos=[_png("a.png"), _png("b.png")]))
    event = Event.objects.get()
    assert response.status_code == 302 and response.url == reverse("events:detail", args=[event.number])
    assert event.attachments.count() == 2
    assert event.reporter == world.worker


def test_a_double_submitted_report_form_files_one_event(client, world):
    client.force_login(world.worker)
    key = _submission_key(client.get(reverse("events:report")).content.decode())
    form = _report_fields(world, submission_key=key)
    first = client.post(reverse("events:report"), form)
    second = client.post(reverse("events:report"), form)  # a double tap on a slow phone
    event = Event.objects.get()
    assert first.url == second.url == reverse("events:detail", args=[event.number])
    assert event.actions.count() == 1
    # A fresh form has a fresh key and files a new event.
    fresh = client.get(reverse("events:report")).content.decode()
    assert key not in fresh
    client.post(reverse("events:report"), {**form, "submission_key": _submission_key(fresh)})
    assert Event.objects.count() == 2


def test_report_form_keeps_input_and_shows_errors_next_to_fields(client, world):
    client.force_login(world.worker)
    response = client.post(
        reverse("events:report"),
        {
            "area": world.tree.grid.pk,
            "item": world.item.pk,
            "grade": "general",
            "title": "井盖缺失",
            "description": "",
            "discovered_at": "2030-01-01T08:00",
            "latitude": "29.87",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "id_description_error" in html
    assert "发现时间不能晚于上报时间" in html or "id_discovered_at_error" in html
    assert 'value="井盖缺失"' in html
    assert "经纬度须同时填写" in html
    assert not Event.objects.exists()


def test_report_form_shows_the_items_report_fields_and_similar_events(client, world):
    version = world.item.current_version
    version.attributes = [{"code": "depth", "label": "积水深度", "type": "number", "required": True}]
    version.save()
    existing = world.report(attributes={"depth": 30})
    client.force_login(world.worker)
    response = client.post(
        reverse("events:report"), {"refresh": "1", "area": world.tree.grid.pk, "item": world.item.pk}
    )
    html = response.content.decode()
    assert 'name="attr_depth"' in html and "积水深度" in html
    assert existing.number in html
    assert Event.objects.count() == 1


def test_report_page_is_404_for_users_without_a_grid(client, world):
    client.force_login(world.handler)
    assert client.get(reverse("events:report")).status_code == 404


def test_detail_is_scoped(client, world):
    event = world.report()
    client.force_login(world.other_worker)
    assert client.get(reverse("events:detail", args=[event.number])).status_code == 404
    client.force_login(world.dispatcher)
    response = client.get(reverse("events:detail", args=[event.number]))
    assert response.status_code == 200
    assert "step-accept" in response.content.decode()


@pytest.mark.parametrize(
    ("step", "data"),
    [("accept", {}), ("escalate", {"text": "x"}), ("reject", {"reason": "invalid"}), ("urge", {"text": "快"})],
)
def test_routing_steps_are_refused_to_grid_staff(client, world, step, data):
    event = world.report()
    client.force_login(world.worker)
    assert _step(client, event, step, **data).status_code == 403
    event.refresh_from_db()
    assert event.status == EventStatus.REPORTED


def test_step_out_of_scope_is_404(client, world):
    event = world.report()
    client.force_login(world.dispatcher2)
    assert _step(client, event, "accept").status_code == 404


def test_second_accept_on_a_stale_page_shows_a_conflict_message(client, world):
    event = world.report()
    seen = event.version
    services.event_accept(actor=world.dispatcher, event=event)
    client.force_login(world.dispatcher)
    response = client.post(reverse("events:step", args=[event.number, "accept"]), {"accept-version": seen})
    assert response.status_code == 409
    assert "刷新后重试" in response.content.decode()


def test_whole_loop_through_the_step_forms(client, world):
    event = world.report()
    client.force_login(world.dispatcher)
    assert _step(client, event, "accept").status_code == 302
    event.refresh_from_db()
    response = _step(client, event, "dispatch", lead_unit=world.unit.pk, co_units=[world.unit2.pk])
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == EventStatus.DISPATCHED and event.lead_unit == world.unit
    client.force_login(world.handler)
    assert _step(client, event, "sign").status_code == 302
    event.refresh_from_db()
    response = client.post(
        reverse("events:step", args=[event.number, "submit_result"]),
        {"submit_result-version": event.version, "submit_result-text": "已清理", "submit_result-attachments": _png()},
    )
    assert response.status_code == 302
    event.refresh_from_db()
    client.force_login(world.worker)
    assert _step(client, event, "verify", passed="pass").status_code == 302
    event.refresh_from_db()
    assert event.status == EventStatus.CLOSED
    assert event.actions.filter(kind="submit_result").get().attachments.count() == 1


def _opened_steps(html: str) -> list[str]:
    return re.findall(r'id="step-([a-z_]+)-body" class="accordion-collapse collapse show"', html)


def test_the_page_opens_the_step_that_moves_the_event_on_not_a_refusal(client, world):
    event = world.report()
    client.force_login(world.dispatcher)
    assert _opened_steps(client.get(reverse("events:detail", args=[event.number])).content.decode()) == ["accept"]
    services.event_accept(actor=world.dispatcher, event=event)
    html = client.get(reverse("events:detail", args=[event.number])).content.decode()
    assert html.index('id="step-reject"') < html.index('id="step-dispatch"')  # listed first, but closed
    assert _opened_steps(html) == ["dispatch"]
    event.refresh_from_db()
    services.event_dispatch(actor=world.dispatcher, event=event, lead_unit=world.unit)
    client.force_login(world.handler)
    assert _opened_steps(client.get(reverse("events:detail", args=[event.number])).content.decode()) == ["sign"]
    event.refresh_from_db()
    services.event_sign(actor=world.handler, event=event)
    html = client.get(reverse("events:detail", args=[event.number])).content.decode()
    assert _opened_steps(html) == ["submit_result"]  # not 退回
    # A refused form stays the open one, whichever it is.
    event.refresh_from_db()
    response = client.post(
        reverse("events:step", args=[event.number, "return"]), {"return-version": event.version, "return-text": ""}
    )
    assert response.status_code == 400 and _opened_steps(response.content.decode()) == ["return"]


def test_step_validation_errors_are_shown_next_to_the_field(client, world):
    event = world.report()
    client.force_login(world.dispatcher)
    response = _step(client, event, "escalate", text="")
    assert response.status_code == 400
    assert "id_escalate-text_error" in response.content.decode()


def test_dispatch_refuses_a_unit_of_another_district(client, world):
    event = world.report()
    services.event_accept(actor=world.dispatcher, event=event)
    event.refresh_from_db()
    client.force_login(world.dispatcher)
    response = _step(client, event, "dispatch", lead_unit=world.other_unit.pk)
    assert response.status_code == 400
    event.refresh_from_db()
    assert event.status == EventStatus.ACCEPTED


def test_dispatch_with_an_impossible_co_unit_id_is_a_form_error(client, world):
    event = world.report()
    services.event_accept(actor=world.dispatcher, event=event)
    event.refresh_from_db()
    client.force_login(world.dispatcher)
    response = _step(client, event, "dispatch", lead_unit=world.unit.pk, co_units="99999999999999999999")
    assert response.status_code == 400  # was a 500 (OverflowError on SQLite)
    event.refresh_from_db()
    assert event.status == EventStatus.ACCEPTED


def test_attachments_are_served_only_within_scope(client, world):
    event = world.report(attachments=[_png()])
    attachment = event.attachments.get()
    url = reverse("events:attachment", args=[event.number, attachment.pk])
    client.force_login(world.worker)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    client.force_login(world.other_worker)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_list_filters(client, world):
    first = world.report(title="第一件")
    world.report(title="第二件", grade="serious")
    services.event_accept(actor=world.dispatcher, event=first)
    client.force_login(world.dispatcher)
    html = client.get(reverse("events:list"), {"status": "accepted"}).content.decode()
    assert "第一件" in html and "第二件" not in html
    html = client.get(reverse("events:list"), {"grade": "serious"}).content.decode()
    assert "第二件" in html and "第一件" not in html
    html = client.get(reverse("events:list"), {"within": world.tree.other_grid.code}).content.decode()
    assert "第一件" not in html
    response = client.get(reverse("events:list"), {"within": "999999999999"})
    assert response.status_code == 200 and "暂无事件" in response.content.decode()


def test_queue_bulk_accepts_selected_events(client, world):
    a, b, c = world.report(title="甲"), world.report(title="乙"), world.report(title="丙")
    client.force_login(world.dispatcher)
    response = client.post(reverse("events:queue"), {"events": [a.pk, b.pk]})
    assert response.status_code == 302
    statuses = dict(Event.objects.values_list("pk", "status"))
    assert statuses[a.pk] == statuses[b.pk] == EventStatus.ACCEPTED
    assert statuses[c.pk] == EventStatus.REPORTED


def test_lists_without_filters_show_every_event_in_reach(client, world):
    """A list opened from the menu (no query string) is not empty."""
    event = world.report(title="无筛选可见")
    client.force_login(world.dispatcher)
    for name in ("events:queue", "events:list", "events:overview"):
        assert event.number in client.get(reverse(name)).content.decode(), name


def test_queue_of_another_township_cannot_bulk_accept(client, world):
    event = world.report()
    client.force_login(world.dispatcher2)
    client.post(reverse("events:queue"), {"events": [event.pk]})
    event.refresh_from_db()
    assert event.status == EventStatus.REPORTED


def test_tasks_list_dispatched_and_verification_work(client, world):
    event = world.report(title="待签收事件")
    services.event_accept(actor=world.dispatcher, event=event)
    services.event_dispatch(actor=world.dispatcher, event=event.pk, lead_unit=world.unit)
    client.force_login(world.handler)
    assert "待签收事件" in client.get(reverse("events:tasks")).content.decode()
    client.force_login(world.handler2)
    assert "待签收事件" not in client.get(reverse("events:tasks")).content.decode()


def test_tasks_page_says_when_more_tasks_wait_than_it_lists(client, world, monkeypatch):
    from events import views

    monkeypatch.setattr(views, "TASKS_SHOWN", 1)
    for title in ("第一件", "第二件"):
        event = world.report(title=title)
        services.event_accept(actor=world.dispatcher, event=event)
        services.event_dispatch(actor=world.dispatcher, event=event.pk, lead_unit=world.unit)
    client.force_login(world.handler)
    html = client.get(reverse("events:tasks")).content.decode()
    assert 'id="handling-more"' in html and "只列出最紧急的 1 件" in html
    assert ("第一件" in html) != ("第二件" in html)
    monkeypatch.setattr(views, "TASKS_SHOWN", 2)
    assert 'id="handling-more"' not in client.get(reverse("events:tasks")).content.decode()


def test_home_shows_task_and_notification_panels(client, world):
    world.report(title="首页待办")
    client.force_login(world.dispatcher)
    html = client.get("/").content.decode()
    assert "panel-event-tasks" in html and "首页待办" in html
    assert "panel-event-notifications" in html


def test_notifications_mark_read(client, world):
    event = world.report()
    Notification.objects.create(user=world.dispatcher, event=event, kind="report", title="新事件待受理")
    Notification.objects.create(user=world.worker, event=event, kind="report", title="别人的通知")
    client.force_login(world.dispatcher)
    html = client.get(reverse("events:notifications")).content.decode()
    assert "新事件待受理" in html and "别人的通知" not in html
    client.post(reverse("events:notifications"))
    assert not Notification.objects.filter(user=world.dispatcher, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=world.worker, read_at__isnull=True).exists()


def test_patrol_start_and_end(client, world):
    client.force_login(world.worker)
    response = client.post(
        reverse("events:patrols"), {"action": "start", "start-area": world.tree.grid.pk, "start-notes": ""}
    )
    assert response.status_code == 302
    patrol = world.worker.patrols.get()
    response = client.post(
        reverse("events:patrols"),
        {"action": "end", "patrol": patrol.pk, "end-households_visited": "4", "end-notes": "正常"},
    )
    assert response.status_code == 302
    patrol.refresh_from_db()
    assert patrol.ended_at and patrol.households_visited == 4


@pytest.mark.parametrize("value", ["abc", "", "1.5", "99999999999999999999"])
def test_ending_a_patrol_that_is_not_a_number_is_refused_not_a_server_error(client, world, value):
    client.force_login(world.worker)
    client.post(reverse("events:patrols"), {"action": "start", "start-area": world.tree.grid.pk})
    response = client.post(reverse("events:patrols"), {"action": "end", "patrol": value, "end-households_visited": "1"})
    assert response.status_code == 400
    assert "巡查记录不存在。" in response.content.decode()
    assert world.worker.patrols.get().ended_at is None


def test_overview_counts_overdue(client, world):
    event = world.report()
    Event.objects.filter(pk=event.pk).update(alert_level="red")
    client.force_login(world.supervisor)
    html = client.get(reverse("events:overview")).content.decode()
    assert 'data-count="red">1<' in html


@pytest.mark.parametrize(("language", "separator"), [("zh-hans", "、"), ("en", ", ")])
def test_detail_shows_report_fields_by_their_labels_not_their_codes(client, world, language, separator):
    from tests.catalog.test_attributes import ATTRS

    version = world.item.current_version
    version.attributes = ATTRS
    version.save()
    event = world.report(attributes={"parties": 1, "dispute_type": "family", "needs": ["mediation", "legal"]})
    client.force_login(world.worker)
    client.cookies["django_language"] = language
    html = client.get(reverse("events:detail", args=[event.number])).content.decode()
    fields = re.search(r'<ul[^>]*id="report-fields">(.*?)</ul>', html, re.S).group(1)
    assert re.findall(r"<li>(.*?)</li>", fields) == [
        "当事人数：1",
        "纠纷类型：婚姻家庭",
        f"诉求：调解{separator}法律援助",
    ]
    assert "dispute_type" not in html and "family" not in html
