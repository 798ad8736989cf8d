"""Routing steps at the township or the district (Art. 17): accept, reject (or merge as
a duplicate), escalate, dispatch."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from personnel.models import Organisation

from .. import notify, workflow
from ..choices import (
    ActionKind,
    AlertLevel,
    DispatchRole,
    HandlingLevel,
    RejectReason,
)
from ..models import Dispatch, Event
from ..selectors import staff_office_of
from ..workcalendar import working_hours_between
from ..workflow import Actor
from .core import S, _clock, _iso, _lock, _now, _record, _require_text, _routers, _rule, _save

# Routing -------------------------------------------------------------------------------


def event_accept(*, actor: Actor, event: Event | int, text: str = "", at: datetime.datetime | None = None) -> Event:
    """Accept a reported event (受理) at the township. Who: the township dispatcher.

    The accept delay (reported → accepted, working and natural hours, Art. 29) is
    recorded in the action's data.
    """
    now = _now(at)
    with transaction.atomic():
        ev = _lock("accept", actor, event)
        before = ev.status
        workflow.enter(ev, "accept")
        ev.accepted_at = now
        data = {
            "accept_delay_hours": round((now - ev.reported_at).total_seconds() / 3600, 2),
            "accept_delay_working_hours": str(working_hours_between(ev.reported_at, now)),
        }
        action = _record(ev, ActionKind.ACCEPT, actor, at=now, from_status=before, text=text, data=data)
        return _save(ev, [action])


def event_reject(
    *,
    actor: Actor,
    event: Event | int,
    reason: str,
    text: str = "",
    original: Event | int | None = None,
    at: datetime.datetime | None = None,
) -> Event:
    """Reject an event (不予受理) with `reason` (events.choices.RejectReason).

    `duplicate` needs `original` (an Event or pk, visible to the actor, not this event,
    not itself merged): the event is merged into it (`merged_into`), with a MERGE action
    on both. Who: the dispatcher at the event's level. Notifies the reporter.
    """
    now = _now(at)
    if reason not in RejectReason.values:
        raise ValidationError({"reason": [_("请选择不予受理的原因。")]})
    with transaction.atomic():
        ev = _lock("reject", actor, event)
        actions = []
        target = None
        if reason == RejectReason.DUPLICATE:
            original_pk = original.pk if isinstance(original, Event) else original
            target = (
                Event.objects.restrict(actor).select_for_update(of=("self",)).filter(pk=original_pk).first()
                if original_pk
                else None
            )
            if target is None or target.pk == ev.pk or target.merged_into_id or target.status == S.REJECTED:
                raise ValidationError({"original": [_("请选择要合并到的原事件。")]})
        before = ev.status
        workflow.enter(ev, "reject")
        ev.reject_reason = reason
        ev.accept_warn_at = ev.accept_due_at = ev.complete_warn_at = ev.complete_due_at = None
        if target is not None:
            ev.merged_into = target
        actions.append(
            _record(ev, ActionKind.REJECT, actor, at=now, from_status=before, text=text, data={"reason": reason})
        )
        if target is not None:
            actions.append(
                _record(
                    ev, ActionKind.MERGE, actor, at=now, text=text, data={"into": target.pk, "number": target.number}
                )
            )
            merge = _record(
                target, ActionKind.MERGE, actor, at=now, text=text, data={"merged": ev.pk, "number": ev.number}
            )
            _save(target, [merge])
        msg = notify.message(
            ev, ActionKind.REJECT, _("事件不予受理：%(r)s") % {"r": RejectReason(reason).label}, [ev.reporter_id]
        )
        return _save(ev, actions, [msg] if ev.reporter_id else [])


def event_escalate(*, actor: Actor, event: Event | int, text: str, at: datetime.datetime | None = None) -> Event:
    """Escalate to the district authority (提级), which then dispatches (Art. 17).

    Who: the township dispatcher; `text` (reason) required. Notifies the district supervisors.
    """
    now = _now(at)
    text = _require_text(text)
    with transaction.atomic():
        ev = _lock("escalate", actor, event)
        before = ev.status
        workflow.enter(ev, "escalate")
        ev.level = HandlingLevel.COUNTY
        action = _record(ev, ActionKind.ESCALATE, actor, at=now, from_status=before, text=text)
        msg = notify.message(ev, ActionKind.ESCALATE, _("提级事件待派遣：%(t)s") % {"t": ev.title}, _routers(ev))
        return _save(ev, [action], [msg])


def _check_unit(ev, unit, field):
    unit = unit if isinstance(unit, Organisation) else Organisation.objects.filter(pk=unit).first()
    county = ev.county
    ok = (
        unit is not None
        and unit.is_active
        and unit.is_handling_unit
        and unit.area.tree_id == county.tree_id
        and (
            (county.lft <= unit.area.lft and unit.area.rght <= county.rght)
            or (unit.area.lft < county.lft and county.rght < unit.area.rght)
        )
    )
    if not ok:
        raise ValidationError({field: [_("请选择本辖区内有效的承办单位。")]})
    return unit


def _check_staff_office(ev: Event, lead: Organisation, co: list) -> None:
    """A complaint about a grid worker goes to the township's staff office alone (Art. 10 ¶2,
    27), never to a handling department: ValidationError on "lead_unit" otherwise."""
    if ev.about_staff_id is None:
        return
    office = staff_office_of(ev)
    if office is None or lead.pk != office.pk:
        raise ValidationError({"lead_unit": [_("对网格工作人员的投诉只能派给所在乡镇（街道）办事机构处理。")]})
    if co:
        raise ValidationError({"co_units": [_("对网格工作人员的投诉不设协办单位。")]})


def event_dispatch(
    *,
    actor: Actor,
    event: Event | int,
    lead_unit: Organisation | int,
    co_units: Iterable[Organisation | int] = (),
    text: str = "",
    at: datetime.datetime | None = None,
) -> Event:
    """Dispatch to one lead handling unit, optionally with co-handling units (派遣, 协同处置).

    `lead_unit`/`co_units`: Organisations (or pks) that may handle events (departments,
    township offices, committees) in the event's district or above it. Starts the
    accept (签收) clock from the item version's rule for the event's grade on the working
    calendar (natural hours for emergencies); `cycle` += 1; a re-dispatch supersedes the
    active dispatches. Who: the dispatcher at the event's level (township, or the district
    after escalation). Notifies the units' handlers. A complaint about a grid worker
    (`about_staff`) goes only to the township's staff office (`staff_office_of`), alone.
    """
    now = _now(at)
    with transaction.atomic():
        ev = _lock("dispatch", actor, event)
        lead = _check_unit(ev, lead_unit, "lead_unit")
        co = [_check_unit(ev, u, "co_units") for u in co_units or ()]
        co = [u for i, u in enumerate(co) if u.pk != lead.pk and u.pk not in {c.pk for c in co[:i]}]
        _check_staff_office(ev, lead, co)
        before = ev.status
        Dispatch.objects.filter(event=ev, active=True).update(active=False)
        ev.cycle += 1
        ev.lead_unit = lead  # before the clock: it runs on the lead unit's working pattern
        rule = _rule(ev)
        if rule:
            ev.accept_warn_at, ev.accept_due_at = _clock(
                ev, now, rule.accept_limit, rule.accept_unit, rule.warning_ratio
            )
        else:
            ev.accept_warn_at = ev.accept_due_at = None
        ev.complete_warn_at = ev.complete_due_at = None
        workflow.enter(ev, "dispatch")
        ev.lead_unit, ev.dispatched_at, ev.alert_level = lead, now, AlertLevel.NONE
        ev.suspended_at = None
        for unit, role in [(lead, DispatchRole.LEAD)] + [(u, DispatchRole.CO) for u in co]:
            Dispatch.objects.create(
                event=ev,
                unit=unit,
                role=role,
                cycle=ev.cycle,
                dispatched_by=actor,
                dispatched_at=now,
                accept_due_at=ev.accept_due_at,
            )
        data = {
            "lead_unit": lead.pk,
            "lead_unit_name": lead.name,
            "co_units": [u.pk for u in co],
            "co_unit_names": [u.name for u in co],
            "accept_due_at": _iso(ev.accept_due_at),
            "cycle": ev.cycle,
        }
        action = _record(ev, ActionKind.DISPATCH, actor, at=now, from_status=before, text=text, data=data)
        msg = notify.message(
            ev,
            ActionKind.DISPATCH,
            _("新派遣事件待签收：%(t)s") % {"t": ev.title},
            notify.handlers_of([lead.pk] + [u.pk for u in co]),
        )
        return _save(ev, [action], [msg])
