"""Webhooks: signed deliveries to a real local HTTP server, retries with backoff, replay."""

import json
from datetime import timedelta
from types import SimpleNamespace

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from events.signals import event_changed, event_overdue
from integrations import services, signing, tasks
from integrations.choices import DeliveryStatus, WebhookEventType
from integrations.models import WebhookDelivery
from tests.integrations.factories import make_subscription
from tests.integrations.receiver import Receiver


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def eager(settings, django_capture_on_commit_callbacks):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from ningbo_grid.celery import app

    app.conf.task_always_eager = True
    yield django_capture_on_commit_callbacks
    app.conf.task_always_eager = False


def emit(scenario, event_type=WebhookEventType.STATE_CHANGED, payload=None):
    return services.webhook_emit(
        event_type=event_type, organisation_ids=[scenario.unit.pk], payload=payload or {"id": 7, "status": "accepted"}
    )


def test_delivery_is_signed_and_verifiable(scenario, receiver, eager):
    subscription = make_subscription(scenario, url=receiver.url)
    with eager(execute=True):
        (delivery,) = emit(scenario)
    headers, body = receiver.requests[0]
    assert signing.verify(subscription.secret, headers["X-Grid-Signature"], body)
    assert not signing.verify("whsec_wrong", headers["X-Grid-Signature"], body)
    assert not signing.verify(subscription.secret, headers["X-Grid-Signature"], body + b" ")
    envelope = json.loads(body)
    assert envelope["type"] == "event.state_changed"
    assert envelope["id"] == str(delivery.uuid) == headers["X-Grid-Delivery"]
    assert envelope["data"] == {"id": 7, "status": "accepted"}
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert delivery.last_response_code == 200


def test_documented_verification_snippet_accepts_our_signature(scenario):
    """The snippet in integrations.signing's docstring works as printed."""
    namespace: dict = {}
    snippet = signing.__doc__.split("::", 1)[1].split('\n"""')[0]
    exec(__import__("textwrap").dedent(snippet), namespace)  # noqa: S102 (our own docstring)
    body = b'{"a":1}'
    assert namespace["verify"]("s3cret", signing.sign("s3cret", body), body)


def test_old_signatures_are_rejected(scenario):
    header = signing.sign("s", b"x", timestamp=1_000_000)
    assert not signing.verify("s", header, b"x")


def test_receiver_error_schedules_retries_with_backoff_then_fails(scenario, receiver, eager, settings):
    receiver.status = 500
    make_subscription(scenario, url=receiver.url)
    start = timezone.now()
    with eager(execute=True):
        (delivery,) = emit(scenario)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempt_count == 1
    assert delivery.last_response_code == 500
    assert timedelta(seconds=59) < delivery.next_attempt_at - start < timedelta(seconds=75)
    # Not due yet: the sweep sends nothing.
    assert tasks.webhook_sweep() == 0
    gaps = []
    with time_machine.travel(start, tick=False) as clock:
        for _ in settings.WEBHOOK_BACKOFF:
            clock.move_to(delivery.next_attempt_at + timedelta(seconds=1))
            with eager(execute=True):
                assert tasks.webhook_sweep() == 1
            before = delivery.next_attempt_at
            delivery.refresh_from_db()
            if delivery.next_attempt_at:
                gaps.append(round((delivery.next_attempt_at - before).total_seconds()))
    assert gaps == [301, 1801, 7201, 43201]
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempt_count == len(settings.WEBHOOK_BACKOFF) + 1
    assert len(receiver.requests) == len(settings.WEBHOOK_BACKOFF) + 1


def test_unreachable_receiver_is_logged_as_an_error(scenario, eager):
    make_subscription(scenario, url="http://127.0.0.1:9/closed")
    with eager(execute=True):
        (delivery,) = emit(scenario)
    delivery.refresh_from_db()
    assert delivery.last_response_code is None
    assert delivery.last_error
    assert delivery.status == DeliveryStatus.PENDING


def test_replay_resends_the_same_delivery(scenario, receiver, eager):
    receiver.status = 500
    make_subscription(scenario, url=receiver.url)
    with eager(execute=True):
        (delivery,) = emit(scenario)
    receiver.status = 200
    api = APIClient()
    api.force_login(scenario.supervisor)
    with eager(execute=True):
        response = api.post(f"/api/v1/integrations/deliveries/{delivery.pk}/replay/")
    assert response.status_code == 202
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert delivery.replay_count == 1
    assert len(receiver.requests) == 2
    assert receiver.requests[0][1] == receiver.requests[1][1]  # same body


def test_replay_button_on_the_page(scenario, receiver, eager, client):
    make_subscription(scenario, url=receiver.url)
    with eager(execute=True):
        (delivery,) = emit(scenario)
    client.force_login(scenario.supervisor)
    assert "重发" in client.get("/integrations/webhooks/").content.decode()
    with eager(execute=True):
        assert client.post(f"/integrations/deliveries/{delivery.pk}/replay/").status_code == 302
    assert len(receiver.requests) == 2
    client.force_login(scenario.other_supervisor)
    assert client.post(f"/integrations/deliveries/{delivery.pk}/replay/").status_code == 404


def test_only_subscribed_active_event_types_get_deliveries(scenario):
    make_subscription(scenario, event_types=[WebhookEventType.OVERDUE])
    inactive = make_subscription(scenario)
    inactive.is_active = False
    inactive.save()
    make_subscription(scenario, scenario.other_unit)
    assert emit(scenario, WebhookEventType.STATE_CHANGED) == []
    assert len(emit(scenario, WebhookEventType.OVERDUE)) == 1


def test_private_targets_refused_unless_allowed(scenario, settings):
    settings.WEBHOOK_PRIVATE_HOSTS = []
    for url in ("http://127.0.0.1/h", "http://10.1.2.3/h", "http://[::1]/h", "ftp://example.org/h"):
        with pytest.raises(ValidationError):
            make_subscription(scenario, url=url)


def test_private_target_is_refused_at_delivery_time_too(scenario, receiver, eager, settings):
    make_subscription(scenario, url=receiver.url)
    settings.WEBHOOK_PRIVATE_HOSTS = []
    with eager(execute=True):
        (delivery,) = emit(scenario)
    delivery.refresh_from_db()
    assert receiver.requests == []
    assert "内网" in delivery.last_error


def test_subscription_secret_is_shown_once_via_api(scenario):
    api = APIClient()
    api.force_login(scenario.supervisor)
    response = api.post(
        "/api/v1/integrations/webhooks/",
        {"organisation": scenario.unit.pk, "url": "http://127.0.0.1:9/grid", "event_types": ["event.overdue"]},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["secret"].startswith("whsec_")
    detail = api.get(f"/api/v1/integrations/webhooks/{response.json()['id']}/").json()
    assert "secret" not in detail
    rotated = api.post(f"/api/v1/integrations/webhooks/{detail['id']}/rotate-secret/").json()["secret"]
    assert rotated != response.json()["secret"]


def test_event_signals_emit_webhooks_for_the_units_concerned(scenario):
    make_subscription(scenario)
    event = SimpleNamespace(
        pk=5, number="E1", status="dispatched", version=3, updated_at=timezone.now(), lead_unit_id=scenario.unit.pk
    )
    action = SimpleNamespace(kind="dispatch", data={"units": [scenario.unit.pk]})
    batch = {"concerned": {5: {scenario.unit.pk}}}  # as a sender that read them in bulk
    event_changed.send(sender=None, event=event, action=action, batch=batch)
    event_overdue.send(sender=None, event=event, stage="accept_overdue", batch=batch)
    for callback in batch["on_end"]:
        callback()
    kinds = sorted(WebhookDelivery.objects.values_list("event_type", flat=True))
    assert kinds == ["event.dispatched", "event.overdue", "event.state_changed"]
    overdue = WebhookDelivery.objects.get(event_type="event.overdue")
    assert overdue.payload["data"]["stage"] == "accept_overdue"
    assert overdue.payload["data"]["number"] == "E1"
    assert overdue.payload["data"]["version"] == 3


def test_a_receiver_error_rolls_the_step_back_instead_of_losing_its_webhooks(scenario):
    """Receivers run inside the sender's transaction (the outbox): a side effect that cannot
    be recorded fails the change rather than being lost after it."""
    with pytest.raises(AttributeError):
        event_changed.send(sender=None, event=object(), action=None)
    assert not WebhookDelivery.objects.exists()


def test_a_batch_of_sends_reads_the_subscriptions_once(scenario):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_subscription(scenario)
    event = SimpleNamespace(
        pk=5, number="E1", status="handling", version=3, updated_at=timezone.now(), lead_unit_id=scenario.unit.pk
    )
    batch = {"concerned": {5: {scenario.unit.pk}}}
    with CaptureQueriesContext(connection) as ctx:
        for cycle in range(5):
            event.cycle = cycle  # five alerts (a cause makes one delivery per subscription)
            event_changed.send(sender=None, event=event, action=SimpleNamespace(kind="warning", data={}), batch=batch)
            event_overdue.send(sender=None, event=event, stage="complete_warning", batch=batch)
        assert not WebhookDelivery.objects.exists()  # collected in the batch...
        for callback in batch["on_end"]:
            callback()  # ...and written at its end, in one statement
    reads = [q for q in ctx.captured_queries if q["sql"].startswith("SELECT")]
    assert len(reads) == 2  # the subscriptions, and the check above
    assert len([q for q in ctx.captured_queries if q["sql"].startswith("INSERT")]) == 1
    assert WebhookDelivery.objects.filter(event_type="event.state_changed").count() == 5
    assert WebhookDelivery.objects.filter(event_type="event.overdue").count() == 5
