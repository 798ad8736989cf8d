"""Citizens kept informed (Art. 10, 17, 19): the tracking page says what was done, and the
citizen gets an SMS through the outbox at acceptance, result and closure."""

import time

import pytest
from django.urls import reverse

from events import public_demand, services
from events.choices import MessageChannel, MessageStatus
from events.messaging import OutboxMessage
from events.models import Event
from events.tasks import outbox_deliver

pytestmark = pytest.mark.django_db

PHONE = "13912345678"
OTHER = "13700001111"  # the first citizen's, in the merge test


class RecordingSms:
    sent: list[tuple[str, str]] = []

    def send(self, phone, text):
        self.sent.append((phone, text))


def _file(client, world) -> Event:
    data = {
        "kind": "complaint",
        "item": world.item.code,
        "name": "王先生",
        "phone": PHONE,
        "description": "小区路灯不亮已经一周。",
        "address": "3号楼",
        "website": "",
        "token": public_demand.make_token(time.time() - 10),
    }
    response = client.post(reverse("public:demand", args=[world.tree.grid.code]), data)
    assert response.status_code == 201 and 'id="sms-notice"' in response.content.decode()
    return Event.objects.get()


def _citizen_sms():
    return list(OutboxMessage.objects.filter(citizen_event__isnull=False).order_by("id"))


def test_the_tracking_page_shows_unit_deadline_result_and_check_without_names(client, world):
    event = _file(client, world)
    url = reverse("public:track-status", args=[event.tracking_code])
    html = client.get(url).content.decode()
    assert "尚未派遣" in html and "尚无办理结果" in html
    services.event_accept(actor=world.dispatcher, event=event.pk)
    services.event_dispatch(actor=world.dispatcher, event=event.pk, lead_unit=world.unit, text="请执法局处理")
    services.event_sign(actor=world.handler, event=event.pk)
    event.refresh_from_db()
    html = client.get(url).content.decode()
    assert world.unit.name in html
    assert event.complete_due_at is not None
    due = event.complete_due_at.astimezone(event.complete_due_at.tzinfo).strftime("%Y-%m-%d")
    assert 'id="track-due"' in html and due in html
    services.event_submit_result(actor=world.handler, event=event.pk, text="已更换灯泡，联系人电话13800001111。")
    services.event_verify(actor=world.worker, event=event.pk, passed=False, text="仍有一盏不亮")
    html = client.get(url).content.decode()
    assert "已更换灯泡" in html and "138****1111" in html and "13800001111" not in html
    assert "核查未通过" in html and "仍有一盏不亮" in html
    services.event_submit_result(actor=world.handler, event=event.pk, text="全部修复。")
    html = client.get(url).content.decode()
    assert "全部修复" in html and "尚未核查" in html  # the new result is not yet checked
    services.event_verify(actor=world.worker, event=event.pk, passed=True, text="现场核实已修复")
    html = client.get(url).content.decode()
    assert "核查通过" in html and "现场核实已修复" in html and 'id="track-due"' not in html
    names = set(event.actions.exclude(actor=None).values_list("actor_name", flat=True))
    assert len(names) == 3  # the dispatcher, the handler and the worker, by name on the timeline
    for secret in (PHONE, "王先生", "请执法局处理", *names):
        assert secret not in html


def test_the_citizen_gets_an_sms_at_acceptance_result_and_closure_through_the_outbox(client, world, settings):
    settings.SMS_BACKEND = "tests.events_web.test_citizens_informed.RecordingSms"
    RecordingSms.sent = []
    event = _file(client, world)
    assert _citizen_sms() == []  # filing shows the code on the page: no message
    services.event_accept(actor=world.dispatcher, event=event.pk)
    services.event_dispatch(actor=world.dispatcher, event=event.pk, lead_unit=world.unit)
    services.event_sign(actor=world.handler, event=event.pk)
    services.event_submit_result(actor=world.handler, event=event.pk, text="已修复。")
    services.event_verify(actor=world.worker, event=event.pk, passed=True)  # closes: the grid closes it
    event.refresh_from_db()
    assert event.status == "closed"
    rows = _citizen_sms()
    assert [r.channel for r in rows] == [MessageChannel.SMS] * 3 and all(r.user_id is None for r in rows)
    assert [r.subject[:6] for r in rows] == ["您的诉求已受", "您的诉求已有", "您的诉求已办"]
    outbox_deliver()
    texts = [text for phone, text in RecordingSms.sent if phone == PHONE]
    assert len(texts) == 3
    track = settings.SITE_URL.rstrip("/") + reverse("public:track-status", args=[event.tracking_code])
    assert all(event.tracking_code in t and track in t for t in texts)
    assert all(r.status == MessageStatus.SENT for r in _citizen_sms())
    outbox_deliver()
    assert len([1 for phone, _ in RecordingSms.sent if phone == PHONE]) == 3  # sent once


def test_a_staff_report_with_a_contact_sends_the_public_nothing(world):
    ev = world.report(contact_phone=PHONE)
    services.event_accept(actor=world.dispatcher, event=ev)
    assert _citizen_sms() == []


def test_a_refused_demand_is_told(client, world):
    event = _file(client, world)
    services.event_reject(actor=world.dispatcher, event=event.pk, reason="not_listed")
    (row,) = _citizen_sms()
    assert row.subject.startswith("您的诉求未予受理") and row.citizen_event_id == event.pk


def test_home_and_public_pages_link_to_tracking(client, world):
    track = reverse("public:track")
    for url in ("/", reverse("public:grid-card", args=[world.tree.grid.code]), reverse("public:track")):
        assert f'href="{track}"' in client.get(url).content.decode(), url
    assert 'id="landing-track"' in client.get("/").content.decode()


def test_a_duplicate_is_told_it_was_merged_and_follows_the_surviving_case(client, world):
    first = services.event_public_demand(
        area=world.tree.grid,
        item=world.item,
        description="路灯坏了",
        contact_name="李女士",
        contact_phone="13700001111",
    )
    services.event_accept(actor=world.dispatcher, event=first.pk)
    duplicate = services.event_public_demand(
        area=world.tree.grid, item=world.item, description="3号楼路灯不亮", contact_name="王先生", contact_phone=PHONE
    )
    services.event_reject(actor=world.dispatcher, event=duplicate.pk, reason="duplicate", original=first.pk)
    told = [r for r in _citizen_sms() if r.citizen_event_id == duplicate.pk]
    assert [r.subject.split("，")[0] for r in told] == ["您反映的问题已有他人反映"]
    assert "已受理待派遣" in told[0].subject and duplicate.tracking_code in told[0].subject
    first.refresh_from_db()
    assert first.tracking_code not in told[0].subject
    assert not [r for r in _citizen_sms() if r.citizen_event_id == first.pk and "合并" in r.subject]

    services.event_dispatch(actor=world.dispatcher, event=first.pk, lead_unit=world.unit)
    services.event_sign(actor=world.handler, event=first.pk)
    services.event_submit_result(actor=world.handler, event=first.pk, text="已更换灯泡。")
    later = [r.subject for r in _citizen_sms() if r.citizen_event_id == duplicate.pk][1:]
    assert [s[:6] for s in later] == ["您的诉求已有"] and duplicate.tracking_code in later[0]

    html = client.get(reverse("public:track-status", args=[duplicate.tracking_code])).content.decode()
    assert 'id="track-merged"' in html and "已反馈待核查" in html
    assert world.unit.name in html and "已更换灯泡" in html
    names = set(first.actions.exclude(actor=None).values_list("actor_name", flat=True))
    for secret in (first.tracking_code, "李女士", OTHER, PHONE, "王先生", *names):
        assert secret not in html
