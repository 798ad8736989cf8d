"""What every step service shares (Art. 17, 18): lock and re-read the event, check
the step (`events.workflow.authorize`), record the `Action`, save with its side effects
in the same transaction (`_save`), and compute the clocks (working calendar or natural
hours for emergencies). See `events.services` for the contract of a step."""

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.choices import Grade, TimeUnit
from personnel.models import Membership, Organisation

from .. import notify, workflow
from ..choices import (
    AlertLevel,
    EventStatus,
    HandlingLevel,
)
from ..exceptions import NotFound
from ..models import Action, Event
from ..signals import event_changed
from ..workcalendar import add_time

S = EventStatus


# Internals --------------------------------------------------------------------------


def _now(at):
    return at or timezone.now()


def _iso(value):
    return value.isoformat() if value else None


def _actor_name(actor: Any) -> str:
    """The user's name as the timeline shows it: their staff name, full name or username."""
    staff = getattr(actor, "staff", None) if hasattr(actor, "staff") else None
    return (staff.name if staff else "") or actor.get_full_name() or actor.get_username()


def _actor_org(actor, prefer=None):
    """The organisation the actor acts for: `prefer` if they belong to it, else their first one."""
    if not actor or not actor.is_authenticated:
        return None
    if prefer is not None:
        return prefer
    membership = Membership.objects.current().filter(user=actor).select_related("organisation").first()
    if membership:
        return membership.organisation
    staff = getattr(actor, "staff", None) if hasattr(actor, "staff") else None
    return staff.organisation if staff else None


def as_read(event: Event, version: int) -> Event:
    """`event` as its caller read it: `version` (the `version` field of the event, sent
    back by the browser's step forms and in the body of every API step) is the one the
    step acts on; `_lock` refuses with `StaleVersion` if the event has moved on since."""
    event.version = version
    return event


def _lock(step: str, actor, event) -> Event:
    """Lock and re-read the event (`event`: an `Event` as its caller read it, or its pk), then
    `workflow.authorize` the step on it: role, the version read, status. Raises NotFound,
    PermissionDenied, StaleVersion, InvalidTransition."""
    expected = event.version if isinstance(event, Event) else None
    pk = event.pk if isinstance(event, Event) else event
    try:
        locked = (
            Event.objects.select_for_update(of=("self",))
            .select_related("item_version", "area", "township", "county")
            .get(pk=pk)
        )
    except (Event.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    workflow.authorize(actor, step, locked, version=expected)
    return locked


def action_row(
    event: Event,
    kind: str,
    actor: workflow.Actor,
    *,
    at: datetime.datetime,
    from_status: str | None = None,
    text: str = "",
    data: dict | None = None,
    org: Organisation | None = None,
) -> Action:
    """The timeline row (unsaved) of `kind` by `actor` on `event`, as it is now: a user
    (named, with the organisation they act for: `org` or their first), the public (`None`:
    公众) or the platform (`workflow.SYSTEM`: 系统). `from_status` defaults to the status."""
    real = actor if actor is not None and actor != workflow.SYSTEM and actor.is_authenticated else None
    anonymous = _("系统") if actor == workflow.SYSTEM else _("公众")
    name = _actor_name(real) if real is not None else anonymous
    return Action(
        event=event,
        kind=kind,
        actor=real,
        actor_name=name,
        actor_organisation=_actor_org(real, org) if real is not None else None,
        at=at,
        from_status=from_status if from_status is not None else event.status,
        to_status=event.status,
        text=text,
        data=data or {},
    )


def _record(event: Event, kind: str, actor: workflow.Actor, **fields: Any) -> Action:
    """Write the timeline row `action_row(event, kind, actor, **fields)` and return it."""
    action = action_row(event, kind, actor, **fields)
    action.save(force_insert=True)
    return action


def compute_next_alert(event: Event) -> datetime.datetime | None:
    """The earliest pending alert of the clock running in the event's status, or None.

    DISPATCHED runs the accept clock, HANDLING the complete clock; other statuses (and a
    suspension) run none. `alert_level` says what already fired on the running clock.
    """
    if event.status == S.DISPATCHED:
        warn, due = event.accept_warn_at, event.accept_due_at
    elif event.status == S.HANDLING:
        warn, due = event.complete_warn_at, event.complete_due_at
    else:
        return None
    if event.alert_level == AlertLevel.RED:
        return None
    if event.alert_level == AlertLevel.YELLOW:
        return due
    return warn or due


def _level_at(now, warn, due) -> str:
    if due and now >= due:
        return AlertLevel.RED
    if warn and now >= warn:
        return AlertLevel.YELLOW
    return AlertLevel.NONE


def _save(event, actions, messages=()) -> Event:
    """Bump the version, recompute the alert time, save; then, in the same transaction,
    write the notifications (inbox and outbox, `events.notify.record`; the citizen's SMS,
    `events.notify.citizen_enqueue`) and send
    `event_changed` for each action (its receivers write their webhook deliveries), so the
    step and every side effect it causes commit together (the transactional outbox)."""
    event.version += 1
    event.next_alert_at = compute_next_alert(event)
    event.save()
    notify.record(messages, cause=f"action:{actions[0].pk}")
    notify.citizen_enqueue(event, actions)
    for action in sorted(actions, key=lambda a: a.pk):
        event_changed.send(sender=Event, event=event, action=action)
    return event


def _rule(event):
    return event.item_version.rule_for(event.grade)


def _unit(event, unit: str) -> str:
    """Emergencies count natural hours (Art. 18); otherwise the rule's unit."""
    return TimeUnit.NATURAL_HOUR if event.grade == Grade.EMERGENCY else unit


def _pattern(event) -> str | None:
    """The lead unit's working pattern (personnel.choices.WorkingPattern): its clocks follow it."""
    return event.lead_unit.working_pattern if event.lead_unit_id else None


def _clock(event, start, limit, unit, ratio):
    """(warn_at, due_at) for a limit from `start`, or (None, None) when there is no limit.

    Counted on the lead unit's working pattern (the calendar unless the unit keeps its own).
    """
    if limit is None:
        return None, None
    unit, pattern = _unit(event, unit), _pattern(event)
    due = add_time(start, Decimal(limit), unit, pattern=pattern)
    warn = add_time(start, Decimal(limit) * Decimal(ratio), unit, pattern=pattern)
    return warn, due


def _start_complete_clock(event, now):
    rule = _rule(event)
    if rule:
        event.complete_warn_at, event.complete_due_at = _clock(
            event, now, rule.complete_limit, rule.complete_unit, rule.warning_ratio
        )
    else:
        event.complete_warn_at = event.complete_due_at = None
    event.alert_level = AlertLevel.NONE


def _routers(event) -> set:
    if event.level == HandlingLevel.COUNTY:
        return notify.supervisors_of([event.county_id])
    return notify.dispatchers_of([event.township_id])


def _attach(actor, event, action, files):
    from ..attachments import attachment_add

    return [attachment_add(actor=actor, event=event, file=f, action=action) for f in files or ()]


def _require_text(text, field="text", message=None):
    if not (text or "").strip():
        raise ValidationError({field: [message or _("请填写说明。")]})
    return text.strip()
