"""The outbox's parts: rows written with the step, claims with a lease, retries, one kick."""

import datetime

import pytest
from django.core import mail
from django.db import transaction

from events import services as s
from events.choices import ActionKind, MessageChannel, MessageStatus
from events.messaging import Notification, OutboxMessage
from events.tasks import outbox_deliver
from ningbo_grid import outbox

pytestmark = pytest.mark.django_db


def test_a_step_writes_its_notifications_and_e_mails_with_itself_and_a_rolled_back_one_none(world):
    with pytest.raises(RuntimeError), transaction.atomic():
        ev = s.event_accept(actor=world.dispatcher, event=world.report())
        s.event_dispatch(actor=world.dispatcher, event=ev, lead_unit=world.unit)
        assert OutboxMessage.objects.filter(user=world.handler, channel=MessageChannel.EMAIL).count() == 1
        raise RuntimeError("the transaction fails after the step")
    assert not Notification.objects.exists() and not OutboxMessage.objects.exists()
    ev = s.event_accept(actor=world.dispatcher, event=world.report())
    ev = s.event_dispatch(actor=world.dispatcher, event=ev, lead_unit=world.unit)
    (message,) = OutboxMessage.objects.filter(user=world.handler)
    dispatch = ev.actions.get(kind=ActionKind.DISPATCH)
    assert message.key == f"action:{dispatch.pk}/0:email:{world.handler.pk}"
    assert Notification.objects.filter(user=world.handler, event=ev).count() == 1
    assert outbox_deliver() == 2  # the dispatcher's report notice and the handler's
    assert sorted(m.to[0] for m in mail.outbox) == ["dispatcher@example.org", "handler@example.org"]
    assert outbox_deliver() == 0  # sent once


def test_an_urgent_message_also_goes_by_sms_to_staff_with_a_mobile(world):
    from catalog.choices import Grade

    world.report(grade=Grade.EMERGENCY, actor=world.leader)
    channels = set(OutboxMessage.objects.filter(user=world.worker).values_list("channel", flat=True))
    assert channels == {MessageChannel.EMAIL, MessageChannel.SMS}


class FailingSms:
    def send(self, phone, text):
        raise OSError("gateway down")


def test_a_failing_gateway_is_retried_with_backoff_then_given_up(world, clock, settings):
    from catalog.choices import Grade

    settings.SMS_BACKEND = "tests.events.test_outbox.FailingSms"
    world.report(grade=Grade.EMERGENCY, actor=world.leader)
    sms = OutboxMessage.objects.get(user=world.worker, channel=MessageChannel.SMS)
    start = sms.next_attempt_at
    outbox_deliver()
    sms.refresh_from_db()
    assert (sms.status, sms.attempt_count, sms.last_error) == (MessageStatus.PENDING, 1, "gateway down")
    assert (sms.next_attempt_at - start).total_seconds() == settings.OUTBOX_BACKOFF[0]
    gaps = []
    for _ in settings.OUTBOX_BACKOFF:
        before = sms.next_attempt_at
        clock.move_to(before)
        outbox_deliver()
        sms.refresh_from_db()
        if sms.next_attempt_at:
            gaps.append(round((sms.next_attempt_at - before).total_seconds()))
    assert gaps == settings.OUTBOX_BACKOFF[1:]
    assert (sms.status, sms.attempt_count) == (MessageStatus.FAILED, len(settings.OUTBOX_BACKOFF) + 1)


def test_a_claim_is_a_lease_another_worker_takes_only_once_it_has_run_out(world, clock):
    world.report()
    (row,) = OutboxMessage.objects.all()
    now = row.next_attempt_at
    lease = now + datetime.timedelta(seconds=120)
    assert outbox.claim_due(OutboxMessage, now=now, lease=lease, limit=10) == [row.pk]
    # The first worker died without a word: nobody takes the row while the lease runs...
    assert outbox.claim_due(OutboxMessage, now=lease - datetime.timedelta(seconds=1), lease=lease, limit=10) == []
    # ...then the next one does.
    later = lease + datetime.timedelta(seconds=120)
    assert outbox.claim_due(OutboxMessage, now=lease, lease=later, limit=10) == [row.pk]


def test_a_transaction_queues_the_delivery_task_once_however_many_rows_it_writes(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        for _ in range(3):
            world.report()
    kicks = [getattr(c, "outbox_task", None) for c in callbacks]
    assert kicks.count("events.tasks.outbox_deliver") == 1
