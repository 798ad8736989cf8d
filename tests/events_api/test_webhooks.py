"""Event steps produce signed webhook deliveries to the organisations concerned."""

import json

from events.services import event_accept, event_dispatch
from integrations import signing
from integrations.choices import WebhookEventType
from integrations.models import WebhookDelivery
from integrations.services import webhook_subscription_create
from tests.factories import UserFactory


def _subscribe(org, url, types=(WebhookEventType.DISPATCHED,)):
    root = UserFactory(is_superuser=True, is_staff=True)
    return webhook_subscription_create(actor=root, organisation=org, url=url, event_types=list(types))


def test_dispatch_sends_a_signed_delivery_to_the_unit(world, receiver, eager):
    subscription = _subscribe(world.unit, receiver.url)
    ev = event_accept(actor=world.dispatcher, event=world.report())
    with eager(execute=True):
        event_dispatch(actor=world.dispatcher, event=ev, lead_unit=world.unit)
    # Only the dispatched type is subscribed: one delivery, to the unit.
    assert len(receiver.requests) == 1
    headers, body = receiver.requests[0]
    assert signing.verify(subscription.secret, headers["X-Grid-Signature"], body)
    envelope = json.loads(body)
    assert envelope["type"] == "event.dispatched"
    assert envelope["data"]["number"] == ev.number
    assert envelope["data"]["status"] == "dispatched"


def test_state_changes_reach_the_township_office_and_district_authority(world, eager):
    types = [WebhookEventType.STATE_CHANGED]
    office = _subscribe(world.township_office, "http://127.0.0.1:9/a", types)
    authority = _subscribe(world.authority, "http://127.0.0.1:9/b", types)
    unrelated = _subscribe(world.other_unit, "http://127.0.0.1:9/c", types)
    with eager(execute=True):  # the signal is sent after commit
        event_accept(actor=world.dispatcher, event=world.report())
    subs = set(WebhookDelivery.objects.values_list("subscription_id", flat=True))
    assert subs == {office.pk, authority.pk}
    assert unrelated.pk not in subs
