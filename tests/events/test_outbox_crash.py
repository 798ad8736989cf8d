"""Nothing lost, nothing doubled when a process dies (the transactional outbox, issue 12 item 3).

Real processes on PostgreSQL and Redis: a Celery worker runs the deadline sweep of a few
hundred due clocks and delivers their webhooks to a local HTTP receiver, and is killed
with SIGKILL at seeded random points — mid-sweep, on a webhook POST before it learns the
answer, mid-delivery — then restarted, with this test acting as beat (it queues the
sweep and the delivery tasks again). At the end every (event, stage, subscriber) has
exactly one delivery row, each received at least once, repeats at the receiver only
under the same delivery id, and every notification exists exactly once.

And a workflow step in a web process killed after its commit, before anything after
the commit ran, loses none of its side effects.
"""

import json
import os
import random
import signal
import time
from collections import Counter

import pytest
import time_machine
from django.core import mail
from django.db.models import Count

from events import services as s
from events.choices import ActionKind, AlertStage, MessageStatus
from events.messaging import Notification, OutboxMessage
from events.models import Action, Alert, Dispatch, Event
from events.tasks import outbox_deliver
from integrations.choices import DeliveryStatus, WebhookEventType
from integrations.models import WebhookDelivery, WebhookSubscription
from integrations.tasks import webhook_sweep
from ningbo_grid.celery import app
from tests.events.conftest import MONDAY_9
from tests.integrations.receiver import Receiver
from tests.processes import child_env, spawn, wait_for
from tests.scenario import make_world

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

CLOCKS = 200  # due clocks, each firing two alerts (a late sweep: warning and overdue)
SEED = 20261206


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def _due_clocks(world, n: int) -> list[int]:
    """`n` events dispatched on Monday 2025-06-09 09:00 (accept warning 10:30, due 11:00):
    long due for the worker, which runs on the real clock. One through the services, the
    others copied from it in bulk (the sweep's input is the rows, not how they came)."""
    ev = s.event_accept(actor=world.dispatcher, event=world.report())
    ev = s.event_dispatch(actor=world.dispatcher, event=ev, lead_unit=world.unit)
    lead = Dispatch.objects.get(event=ev)
    copies = []
    for i in range(n - 1):
        copy = Event.objects.get(pk=ev.pk)
        copy.pk, copy.number, copy.tracking_code = None, f"E20250609{i + 2:06d}", f"TRK{i:09d}"
        copies.append(copy)
    Event.objects.bulk_create(copies)
    dispatches = []
    for copy in copies:
        lead.pk, lead.event_id = None, copy.pk
        dispatches.append(Dispatch(**{f.attname: getattr(lead, f.attname) for f in Dispatch._meta.concrete_fields}))
    Dispatch.objects.bulk_create(dispatches)
    return [ev.pk] + [c.pk for c in copies]


class Worker:
    """A real `celery worker` (solo pool) on the test database; `kill()` is SIGKILL."""

    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.log = tmp_path / "worker.log"
        self.process = None
        self.kills = 0

    def start(self):
        args = ["-m", "celery", "-A", "ningbo_grid", "worker", "--pool=solo", "--loglevel=WARNING"]
        args += ["--without-heartbeat", "--without-gossip", "--without-mingle", "-n", f"crash{self.kills}@%h"]
        # Each start on the test's clock as it is now, running (leases must expire).
        env = child_env(
            tick=True,
            WEBHOOK_PRIVATE_HOSTS="127.0.0.1",  # the receiver is on 127.0.0.1
            WEBHOOK_TIMEOUT=2,
            OUTBOX_LEASE=3,  # a killed worker's claims are taken again 3 s on
            EVENTS_SWEEP_BATCH=25,  # eight sweep transactions: kills land between and inside them
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            VAR_DIR=self.tmp_path,
        )
        self.process = spawn(args, env, self.log)

    def kill(self, count: bool = True):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
            self.kills += count

    def beat(self, every: int = 10):
        """A tick for `wait_for`: queue what beat would, every `every` polls."""

        def tick(i):
            if i % every == 0:
                for task in ("events.tasks.sweep", "integrations.tasks.webhook_sweep", "events.tasks.outbox_deliver"):
                    app.send_task(task)

        return tick


@pytest.mark.django_db(transaction=True)
def test_killing_the_worker_during_the_sweep_and_its_deliveries_loses_and_doubles_nothing(receiver, tmp_path, settings):
    settings.WEBHOOK_PRIVATE_HOSTS = ["127.0.0.1"]
    rng = random.Random(SEED)
    with time_machine.travel(MONDAY_9, tick=False):
        world = make_world()
        event_ids = _due_clocks(world, CLOCKS)
    # Two subscribers of the lead unit to overdue alerts, one of another unit (hears nothing).
    subscribers = [
        WebhookSubscription.objects.create(
            organisation=org,
            url=f"{receiver.url}/{n}",
            secret=f"whsec_{n}",
            event_types=[WebhookEventType.OVERDUE],
            created_by=world.outsider,
        )
        for n, org in enumerate([world.unit, world.unit, world.unit2])
    ]
    WebhookDelivery.objects.all().delete()
    OutboxMessage.objects.all().delete()
    app.control.purge()  # nothing queued by earlier tests reaches this worker

    worker = Worker(tmp_path)
    receiver.on_post = None
    expected = CLOCKS * 2 * 2  # events × stages × the lead unit's subscribers
    started = time.monotonic()
    try:
        # Kill 1: mid-sweep, once a random number of alerts has committed.
        worker.start()
        app.send_task("events.tasks.sweep")
        fired = rng.randint(25, CLOCKS * 2 - 50)
        wait_for(lambda: Alert.objects.count() >= fired, f"{fired} alerts", tick=worker.beat(100))
        worker.kill()
        # Kills 2 and 3: on a random webhook POST, after it arrived, before the answer.
        for _ in range(2):
            posts = len(receiver.requests) + rng.randint(1, 150)
            receiver.on_post = lambda count, posts=posts: count == posts and worker.kill()
            worker.start()
            if posts <= expected:  # every delivery is POSTed at least once: this one comes
                wait_for(lambda posts=posts: len(receiver.requests) >= posts, f"POST {posts}", tick=worker.beat())
                wait_for(lambda: worker.process.poll() is not None, "the kill")
            receiver.on_post = None
        # Kill 4: mid-delivery, once a random number more have succeeded.
        done = WebhookDelivery.objects.filter(status=DeliveryStatus.SUCCEEDED).count() + rng.randint(1, 200)
        worker.start()
        wait_for(
            lambda: WebhookDelivery.objects.filter(status=DeliveryStatus.SUCCEEDED).count() >= min(done, expected),
            "deliveries",
            tick=worker.beat(),
        )
        worker.kill()
        # Restart and let it finish.
        worker.start()
        wait_for(
            lambda: (
                not Event.objects.filter(next_alert_at__isnull=False).exists()
                and WebhookDelivery.objects.count() == expected
                and not WebhookDelivery.objects.exclude(status=DeliveryStatus.SUCCEEDED).exists()
                and not OutboxMessage.objects.exclude(status=MessageStatus.SENT).exists()
            ),
            "every delivery sent",
            polls=1200,
            tick=worker.beat(),
        )
    finally:
        worker.kill(count=False)
    took = time.monotonic() - started

    # Production: exactly once per (event, stage, subscriber); the third subscriber heard nothing.
    made = Counter(
        (d.payload["data"]["id"], d.payload["data"]["stage"], d.subscription_id) for d in WebhookDelivery.objects.all()
    )
    lead_subscribers = {subscribers[0].pk, subscribers[1].pk}
    stages = {AlertStage.ACCEPT_WARNING, AlertStage.ACCEPT_OVERDUE}
    assert set(made) == {(e, st, sub) for e in event_ids for st in stages for sub in lead_subscribers}
    assert set(made.values()) == {1}
    # Delivery: each received at least once; repeats only under the same id and body.
    by_id: dict[str, set] = {}
    for headers, body in receiver.requests:
        envelope = json.loads(body)
        assert envelope["id"] == headers["X-Grid-Delivery"]
        by_id.setdefault(envelope["id"], set()).add(body)
    uuids = {str(u) for u in WebhookDelivery.objects.values_list("uuid", flat=True)}
    assert set(by_id) == uuids
    assert all(len(bodies) == 1 for bodies in by_id.values())
    seen = Counter((json.loads(b)["data"]["id"], json.loads(b)["data"]["stage"]) for _h, b in receiver.requests)
    duplicates = len(receiver.requests) - len(uuids)
    # The alerts, their timeline rows and notifications: exactly once per event and stage.
    assert Alert.objects.count() == CLOCKS * 2
    per_event = Action.objects.filter(kind__in=[ActionKind.WARNING, ActionKind.OVERDUE, ActionKind.AUTO_ESCALATE])
    assert set(per_event.values("event_id", "kind").annotate(n=Count("id")).values_list("n", flat=True)) == {1}
    assert per_event.count() == CLOCKS * 3
    notified = Notification.objects.filter(event_id__in=event_ids, kind__in=[ActionKind.WARNING, ActionKind.OVERDUE])
    # A late sweep notifies the overdue alert only: the handler, the dispatcher, the supervisor.
    assert notified.count() == CLOCKS * 3
    assert set(notified.values("event_id", "kind", "user_id").annotate(n=Count("id")).values_list("n", flat=True)) == {
        1
    }
    assert worker.kills >= 2
    assert len(seen) == CLOCKS * 2
    print(  # the figures for the report (pytest -s)
        f"\ncrash test: {worker.kills} kills, {len(uuids)} deliveries, {len(receiver.requests)} POSTs received, "
        f"{duplicates} repeats (same id), {OutboxMessage.objects.count()} e-mails sent, {took:.1f} s"
    )


_STEP = """
import os, signal, sys
import django
django.setup()
from django.db import transaction
from events import services
from events.models import Event
from personnel.models import Organisation
from django.contrib.auth import get_user_model

dispatcher = get_user_model().objects.get(pk=int(sys.argv[1]))
unit = Organisation.objects.get(pk=int(sys.argv[3]))
with transaction.atomic():
    # The first thing to run after the commit: the process dies there, as at a kill -9
    # between the step's commit and anything that would run after it.
    transaction.on_commit(lambda: os.kill(os.getpid(), signal.SIGKILL))
    services.event_dispatch(actor=dispatcher, event=int(sys.argv[2]), lead_unit=unit)
"""


@pytest.mark.django_db(transaction=True)
def test_a_step_killed_after_its_commit_still_notifies_and_sends_its_webhooks(receiver, tmp_path, settings):
    settings.WEBHOOK_PRIVATE_HOSTS = ["127.0.0.1"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(MONDAY_9, tick=False):
        world = make_world()
        ev = s.event_accept(actor=world.dispatcher, event=world.report())
    WebhookSubscription.objects.create(
        organisation=world.unit,
        url=receiver.url,
        secret="whsec_x",
        event_types=[WebhookEventType.DISPATCHED, WebhookEventType.STATE_CHANGED],
        created_by=world.outsider,
    )
    OutboxMessage.objects.all().delete()
    step = spawn(
        ["-c", _STEP, str(world.dispatcher.pk), str(ev.pk), str(world.unit.pk)],
        child_env(tick=True, WEBHOOK_PRIVATE_HOSTS="127.0.0.1"),
        tmp_path / "step.log",
    )
    assert step.wait(timeout=60) == -signal.SIGKILL, (tmp_path / "step.log").read_text()
    dispatch = Action.objects.get(event=ev, kind=ActionKind.DISPATCH)  # committed
    # Everything the step causes was committed with it, pending...
    deliveries = WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING)
    assert sorted(deliveries.values_list("event_type", flat=True)) == ["event.dispatched", "event.state_changed"]
    assert set(deliveries.values_list("key", flat=True)) == {
        f"action:{dispatch.pk}:{t}:{deliveries[0].subscription_id}" for t in ("event.dispatched", "event.state_changed")
    }
    assert list(Notification.objects.filter(event=ev, kind=ActionKind.DISPATCH).values_list("user_id", flat=True)) == [
        world.handler.pk
    ]
    assert OutboxMessage.objects.filter(user=world.handler, status=MessageStatus.PENDING).count() == 1
    # ...and the delivery tasks (the beat sweep, or the next kick) send it, once.
    mail.outbox = []
    assert webhook_sweep() == 2 and outbox_deliver() == 1
    assert webhook_sweep() == 0 and outbox_deliver() == 0
    assert sorted(json.loads(body)["type"] for _h, body in receiver.requests) == [
        "event.dispatched",
        "event.state_changed",
    ]
    assert [m.to for m in mail.outbox] == [["handler@example.org"]]
