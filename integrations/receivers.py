"""Turn the events app's signals into webhooks (a thin layer over `webhook_emit`).

What the receivers read from the objects sent with `events.signals` (documented here so
the events app can provide it, and so tests can send stand-ins):

- `event.pk`; optional `event.webhook_payload()` → dict (the public fields of the
  event); without it the payload is `{"id", "code", "status", "updated_at"}` read with
  `getattr` (missing attributes become null).
- `event.webhook_organisation_ids()` → iterable of organisation ids concerned (the
  handling units the event is dispatched to); without it, the `unit_id` values of
  `event.dispatches` (rows with a `unit` FK to `personnel.Organisation`), if present.
- `action.kind` (the timeline row's kind; "dispatch" also emits `event.dispatched`) and
  `action.unit_id` (the unit a dispatch went to). Missing attributes are tolerated.

Receivers never raise (a webhook problem must not break a workflow step): errors are
logged.
"""

import logging

from django.dispatch import receiver

from events.signals import event_changed, event_overdue

from .choices import WebhookEventType
from .services import webhook_emit

log = logging.getLogger(__name__)


def _iso(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def event_payload(event) -> dict:
    """The `data` of an event webhook (see the module docstring)."""
    if hasattr(event, "webhook_payload"):
        return event.webhook_payload()
    return {
        "id": event.pk,
        "code": getattr(event, "code", None),
        "status": getattr(event, "status", None),
        "updated_at": _iso(getattr(event, "updated_at", None)),
    }


def event_organisation_ids(event) -> set[int]:
    """Organisations concerned by `event` (see the module docstring)."""
    if hasattr(event, "webhook_organisation_ids"):
        return set(event.webhook_organisation_ids())
    dispatches = getattr(event, "dispatches", None)
    if dispatches is None:
        return set()
    return set(dispatches.values_list("unit_id", flat=True))


@receiver(event_changed, dispatch_uid="integrations.event_changed")
def on_event_changed(sender, event, action=None, **kwargs) -> None:
    try:
        payload = event_payload(event)
        kind = getattr(action, "kind", None)
        payload = {**payload, "action": kind}
        webhook_emit(
            event_type=WebhookEventType.STATE_CHANGED, organisation_ids=event_organisation_ids(event), payload=payload
        )
        unit_id = getattr(action, "unit_id", None)
        if kind == "dispatch" and unit_id:
            webhook_emit(event_type=WebhookEventType.DISPATCHED, organisation_ids=[unit_id], payload=payload)
    except Exception:
        log.exception("webhooks for event %s failed", getattr(event, "pk", None))


@receiver(event_overdue, dispatch_uid="integrations.event_overdue")
def on_event_overdue(sender, event, stage=None, **kwargs) -> None:
    try:
        payload = {**event_payload(event), "stage": stage}
        webhook_emit(
            event_type=WebhookEventType.OVERDUE, organisation_ids=event_organisation_ids(event), payload=payload
        )
    except Exception:
        log.exception("overdue webhook for event %s failed", getattr(event, "pk", None))
