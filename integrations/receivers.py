"""Turn the events app's signals into webhooks (a thin layer over `webhook_emit`).

What the receivers read from the objects sent with `events.signals` (documented here so
the events app can provide it, and so tests can send stand-ins):

- `event.pk`; optional `event.webhook_payload()` → dict (the public fields of the
  event); without it the payload is `{"id", "number", "status", "version",
  "updated_at"}` read with `getattr` (missing attributes become null).
- the organisations concerned: for state changes `events.selectors.concerned_organisations`
  (the units of the current cycle's dispatches, the township office and the district's
  grid authority; it reads `event.pk`, `cycle`, `township_id`, `county_id`), unless the
  sender already read it for a batch of events into `batch["concerned"]`
  ({event id: organisation ids}); for overdue alerts the lead unit (`event.lead_unit_id`).
- `action.kind` (events.choices.ActionKind; "dispatch" also emits `event.dispatched`
  to the units just dispatched: `action.data["units"]` (a list of organisation ids) if
  the dispatch service records it, else the event's active dispatches).
  Missing attributes are tolerated.

- `batch` (optional keyword of the sends, see `events.signals`): a dict shared by the
  sends of one sweep batch; the active subscriptions are read into it once, and the
  deliveries are collected there and written in one statement by the callable the
  receivers put in `batch["on_end"]`, which the sender calls after its last send.

The signals are sent inside the transaction of the change (a workflow step, a sweep
batch), so the receivers write their deliveries there (the transactional outbox, see
`ningbo_grid.outbox`), each keyed by its cause — `action:<action.pk>` for a state change,
`alert:<event.pk>:<stage>:<event.cycle>` for an alert — so the change and its webhooks
commit together, once. A receiver's error therefore propagates and rolls the change back:
a step whose side effects cannot be recorded does not happen, rather than happening
without them.
"""

from django.dispatch import receiver

from events.selectors import concerned_organisations
from events.signals import event_changed, event_overdue

from .choices import WebhookEventType
from .services import webhook_emit, webhook_write


def _iso(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def event_payload(event) -> dict:
    """The `data` of an event webhook (see the module docstring)."""
    if hasattr(event, "webhook_payload"):
        return event.webhook_payload()
    return {
        "id": event.pk,
        "number": getattr(event, "number", None),
        "status": getattr(event, "status", None),
        "version": getattr(event, "version", None),
        "updated_at": _iso(getattr(event, "updated_at", None)),
    }


def event_organisation_ids(event, batch: dict | None = None) -> set[int]:
    """Organisations concerned by a state change of `event`: the one selector
    `events.selectors.concerned_organisations`, read for the whole batch by its sender when
    `batch["concerned"]` holds the event (see the module docstring)."""
    concerned = (batch or {}).get("concerned") or {}
    if event.pk not in concerned:
        concerned = concerned_organisations([event])
    return set(concerned[event.pk])


def overdue_organisation_ids(event) -> set[int]:
    """Who hears of an overdue alert: the lead unit (see the module docstring)."""
    lead = getattr(event, "lead_unit_id", None)
    return {lead} if lead else set()


def dispatched_unit_ids(event, action) -> set[int]:
    """Units a dispatch step sent `event` to (see the module docstring)."""
    units = (getattr(action, "data", None) or {}).get("units")
    if units:
        return {int(u) for u in units}
    unit_id = getattr(action, "unit_id", None)
    if unit_id:
        return {unit_id}
    return set(event.dispatches.filter(active=True).values_list("unit_id", flat=True))


def _subscriptions(batch):
    """The active subscriptions, read once per batch of sends (None: let webhook_emit read)."""
    if batch is None:
        return None
    if "webhook_subscriptions" not in batch:
        from .models import WebhookSubscription

        batch["webhook_subscriptions"] = list(WebhookSubscription.objects.filter(is_active=True))
    return batch["webhook_subscriptions"]


def _deferred(batch):
    """The list collecting this batch's deliveries (None without a batch: write at once)."""
    if batch is None:
        return None
    if "webhook_deliveries" not in batch:
        collected = batch["webhook_deliveries"] = []
        batch.setdefault("on_end", []).append(lambda: webhook_write(collected))
    return batch["webhook_deliveries"]


@receiver(event_changed, dispatch_uid="integrations.event_changed")
def on_event_changed(sender, event, action=None, batch=None, **kwargs) -> None:
    payload = event_payload(event)
    kind = getattr(action, "kind", None)
    payload = {**payload, "action": kind}
    pk = getattr(action, "pk", None)
    cause = f"action:{pk}" if pk else None
    webhook_emit(
        event_type=WebhookEventType.STATE_CHANGED,
        organisation_ids=event_organisation_ids(event, batch),
        payload=payload,
        subscriptions=_subscriptions(batch),
        cause=cause,
        defer=_deferred(batch),
    )
    if kind == "dispatch":
        webhook_emit(
            event_type=WebhookEventType.DISPATCHED,
            organisation_ids=dispatched_unit_ids(event, action),
            payload=payload,
            subscriptions=_subscriptions(batch),
            cause=cause,
            defer=_deferred(batch),
        )


@receiver(event_overdue, dispatch_uid="integrations.event_overdue")
def on_event_overdue(sender, event, stage=None, batch=None, **kwargs) -> None:
    payload = {**event_payload(event), "stage": stage}
    webhook_emit(
        event_type=WebhookEventType.OVERDUE,
        organisation_ids=overdue_organisation_ids(event),
        payload=payload,
        subscriptions=_subscriptions(batch),
        cause=f"alert:{event.pk}:{stage}:{getattr(event, 'cycle', None)}",
        defer=_deferred(batch),
    )
