"""Handling steps (Art. 17, 18, 29): sign, return, extension and suspension requests
and their decision, resume, submit the result, verify, close."""

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import cast

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from catalog.choices import TimeUnit
from personnel.models import Organisation

from .. import notify, workflow
from ..choices import (
    ActionKind,
    AlertLevel,
    DispatchRole,
    HandlingLevel,
    RequestKind,
    RequestState,
)
from ..exceptions import InvalidTransition
from ..models import Dispatch, Event, HandlingRequest
from ..workcalendar import add_elapsed, add_time, elapsed, working_hours_between
from ..workflow import Actor
from .core import (
    S,
    _attach,
    _iso,
    _level_at,
    _lock,
    _now,
    _pattern,
    _record,
    _require_text,
    _routers,
    _rule,
    _save,
    _start_complete_clock,
    _unit,
)

# Handling ------------------------------------------------------------------------------


def _active_lead(ev) -> Dispatch:
    dispatch = Dispatch.objects.filter(event=ev, active=True, role=DispatchRole.LEAD).first()
    if dispatch is None:  # pragma: no cover - the status guarantees one
        raise InvalidTransition()
    return dispatch


def event_sign(*, actor: Actor, event: Event | int, text: str = "", at: datetime.datetime | None = None) -> Event:
    """Sign for a dispatched event (签收): starts the complete (办结) clock.

    Who: a handler of the lead unit. The signing delay against the accept deadline is
    recorded (Art. 29).
    """
    now = _now(at)
    with transaction.atomic():
        ev = _lock("sign", actor, event)
        dispatch = _active_lead(ev)
        dispatch.signed_by, dispatch.signed_at = actor, now
        before = ev.status
        workflow.enter(ev, "sign")
        ev.signed_at = now
        _start_complete_clock(ev, now)
        dispatch.complete_due_at = ev.complete_due_at
        dispatch.save(update_fields=["signed_by", "signed_at", "complete_due_at"])
        data = {
            "sign_delay_working_hours": str(working_hours_between(cast(datetime.datetime, ev.dispatched_at), now)),
            "late": bool(ev.accept_due_at and now > ev.accept_due_at),
            "complete_due_at": _iso(ev.complete_due_at),
        }
        action = _record(ev, ActionKind.SIGN, actor, at=now, from_status=before, text=text, data=data, org=ev.lead_unit)
        return _save(ev, [action])


def event_return(*, actor: Actor, event: Event | int, reason: str, at: datetime.datetime | None = None) -> Event:
    """Return a misrouted event (退回) with `reason`; it goes back to the dispatching level
    (accepted at the township, or escalated at the district) for re-dispatch.

    Who: a handler of the lead unit. `return_count` += 1; clocks stop.
    """
    now = _now(at)
    reason = _require_text(reason, "reason", _("请填写退回理由。"))
    with transaction.atomic():
        ev = _lock("return", actor, event)
        unit = cast(Organisation, ev.lead_unit)  # dispatched or handling: there is one
        dispatch = _active_lead(ev)
        dispatch.returned_at, dispatch.return_reason, dispatch.active = now, reason, False
        dispatch.save(update_fields=["returned_at", "return_reason", "active"])
        Dispatch.objects.filter(event=ev, active=True).update(active=False)
        before = ev.status
        workflow.enter(ev, "return", S.ESCALATED if ev.level == HandlingLevel.COUNTY else S.ACCEPTED)
        ev.lead_unit = None
        ev.return_count += 1
        ev.accept_warn_at = ev.accept_due_at = ev.complete_warn_at = ev.complete_due_at = None
        ev.alert_level = AlertLevel.NONE
        action = _record(
            ev, ActionKind.RETURN, actor, at=now, from_status=before, text=reason, data={"unit": unit.pk}, org=unit
        )
        msg = notify.message(ev, ActionKind.RETURN, _("事件被退回，请重新派遣：%(t)s") % {"t": ev.title}, _routers(ev))
        return _save(ev, [action], [msg])


def event_request(
    *,
    actor: Actor,
    event: Event | int,
    kind: str,
    reason: str,
    extra_amount: Decimal | str | None = None,
    extra_unit: str = "",
    at: datetime.datetime | None = None,
) -> Event:
    """Request an extension (延期, `extra_amount` of `extra_unit`, catalog.choices.TimeUnit)
    or a suspension (挂起) of the complete clock. Deadlines move only on approval.

    Who: a handler of the lead unit while handling. One pending request at a time.
    """
    now = _now(at)
    errors = {}
    if kind not in RequestKind.values:
        errors["kind"] = [_("请选择申请类型。")]
    if not (reason or "").strip():
        errors["reason"] = [_("请填写申请理由。")]
    if kind == RequestKind.EXTENSION:
        try:
            amount = Decimal(str(extra_amount))
            if amount <= 0 or amount > 9999:
                raise ValueError
        except Exception:
            errors["extra_amount"] = [_("请填写延长的时长（大于零）。")]
        if extra_unit not in TimeUnit.values:
            errors["extra_unit"] = [_("请选择时长单位。")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        ev = _lock("request", actor, event)
        if HandlingRequest.objects.filter(event=ev, state=RequestState.PENDING).exists():
            raise ValidationError({"kind": [_("已有待审批的申请。")]})
        req = HandlingRequest.objects.create(
            event=ev,
            dispatch=_active_lead(ev),
            kind=kind,
            reason=reason.strip(),
            extra_amount=Decimal(str(extra_amount)) if kind == RequestKind.EXTENSION else None,
            extra_unit=extra_unit if kind == RequestKind.EXTENSION else "",
            requested_by=actor,
            requested_at=now,
        )
        action_kind = ActionKind.REQUEST_EXTENSION if kind == RequestKind.EXTENSION else ActionKind.REQUEST_SUSPENSION
        data = {"request": req.pk, "extra_amount": str(req.extra_amount or ""), "extra_unit": req.extra_unit}
        action = _record(ev, action_kind, actor, at=now, text=req.reason, data=data, org=ev.lead_unit)
        msg = notify.message(
            ev, action_kind, _("%(k)s申请待审批：%(t)s") % {"k": req.get_kind_display(), "t": ev.title}, _routers(ev)
        )
        return _save(ev, [action], [msg])


def event_request_decide(
    *, actor: Actor, event: Event | int, approve: bool, reason: str = "", at: datetime.datetime | None = None
) -> Event:
    """Approve or refuse the event's pending request (with `reason`; required to refuse).

    Extension approved: the complete deadline (and its warning time) move by the
    requested amount; a fresh alert cycle starts. Suspension approved: status suspended,
    the clock stops (`suspended_at`). Who: the dispatcher at the event's level.
    """
    now = _now(at)
    if not approve and not (reason or "").strip():
        raise ValidationError({"reason": [_("不同意时请填写理由。")]})
    with transaction.atomic():
        ev = _lock("request_decide", actor, event)
        req = HandlingRequest.objects.select_for_update().filter(event=ev, state=RequestState.PENDING).first()
        if req is None:
            raise InvalidTransition(_("没有待审批的申请。"))
        req.state = RequestState.APPROVED if approve else RequestState.REFUSED
        req.decided_by, req.decided_at, req.decision_reason = actor, now, (reason or "").strip()
        req.save()
        before = ev.status
        data = {"request": req.pk, "kind": req.kind}
        if approve and req.kind == RequestKind.EXTENSION:
            unit = _unit(ev, req.extra_unit)
            old_due = ev.complete_due_at
            extra = cast(Decimal, req.extra_amount)  # an extension always names its amount
            if old_due:
                ev.complete_due_at = add_time(old_due, extra, unit, pattern=_pattern(ev))
                warn_from = ev.complete_warn_at or old_due
                ev.complete_warn_at = add_time(warn_from, extra, unit, pattern=_pattern(ev))
            ev.extension_count += 1
            ev.cycle += 1
            ev.alert_level = _level_at(now, ev.complete_warn_at, ev.complete_due_at)
            Dispatch.objects.filter(pk=req.dispatch_id).update(complete_due_at=ev.complete_due_at)
            data.update(old_due_at=_iso(old_due), new_due_at=_iso(ev.complete_due_at))
        elif approve:
            workflow.enter(ev, "request_decide", S.SUSPENDED)
            ev.suspended_at = now
            ev.suspension_count += 1
        kind = ActionKind.APPROVE_REQUEST if approve else ActionKind.REFUSE_REQUEST
        action = _record(ev, kind, actor, at=now, from_status=before, text=req.decision_reason, data=data)
        title = _("%(k)s申请已%(d)s：%(t)s") % {
            "k": req.get_kind_display(),
            "d": _("同意") if approve else _("不同意"),
            "t": ev.title,
        }
        msg = notify.message(ev, kind, title, notify.handlers_of([ev.lead_unit_id]))
        return _save(ev, [action], [msg])


def event_resume(*, actor: Actor, event: Event | int, text: str = "", at: datetime.datetime | None = None) -> Event:
    """Resume a suspended event (恢复办理): the clock restarts with the time that remained
    at suspension (in the clock's unit: working time, or natural hours).

    Who: the dispatcher at the event's level.
    """
    now = _now(at)
    with transaction.atomic():
        ev = _lock("resume", actor, event)
        rule = _rule(ev)
        unit = _unit(ev, rule.complete_unit if rule else TimeUnit.WORKING_HOUR)
        stopped = cast(datetime.datetime, ev.suspended_at)  # suspended: the clock stopped then
        old_due = ev.complete_due_at
        if old_due:
            pattern = _pattern(ev)
            remaining = elapsed(stopped, old_due, unit, pattern=pattern)
            ev.complete_due_at = add_elapsed(now, remaining, unit, pattern=pattern)
            if ev.complete_warn_at and ev.complete_warn_at > stopped:
                warn_left = elapsed(stopped, ev.complete_warn_at, unit, pattern=pattern)
                ev.complete_warn_at = add_elapsed(now, warn_left, unit, pattern=pattern)
        before = ev.status
        workflow.enter(ev, "resume")
        ev.suspended_at = None
        Dispatch.objects.filter(event=ev, active=True, role=DispatchRole.LEAD).update(
            complete_due_at=ev.complete_due_at
        )
        data = {"suspended_at": _iso(stopped), "old_due_at": _iso(old_due), "new_due_at": _iso(ev.complete_due_at)}
        action = _record(ev, ActionKind.RESUME, actor, at=now, from_status=before, text=text, data=data)
        msg = notify.message(
            ev, ActionKind.RESUME, _("事件恢复办理：%(t)s") % {"t": ev.title}, notify.handlers_of([ev.lead_unit_id])
        )
        return _save(ev, [action], [msg])


def event_submit_result(
    *,
    actor: Actor,
    event: Event | int,
    text: str,
    attachments: Iterable[UploadedFile] = (),
    at: datetime.datetime | None = None,
) -> Event:
    """Submit the handling result (办结反馈) with `text` and photos; the clock stops.

    Who: a handler of the lead unit. Notifies the reporting grid's staff for verification.
    """
    now = _now(at)
    text = _require_text(text, "text", _("请填写办理结果。"))
    with transaction.atomic():
        ev = _lock("submit_result", actor, event)
        before = ev.status
        workflow.enter(ev, "submit_result")
        ev.result_at = now
        Dispatch.objects.filter(event=ev, active=True).update(completed_at=now)
        data = {"late": bool(ev.complete_due_at and now > ev.complete_due_at)}
        action = _record(
            ev, ActionKind.SUBMIT_RESULT, actor, at=now, from_status=before, text=text, data=data, org=ev.lead_unit
        )
        _attach(actor, ev, action, attachments)
        msg = notify.message(
            ev, ActionKind.SUBMIT_RESULT, _("事件已反馈，请核查：%(t)s") % {"t": ev.title}, notify.grid_staff(ev.area)
        )
        return _save(ev, [action], [msg])


def event_verify(
    *,
    actor: Actor,
    event: Event | int,
    passed: bool,
    text: str = "",
    attachments: Iterable[UploadedFile] = (),
    at: datetime.datetime | None = None,
) -> Event:
    """Verify the result on site (核查) by the reporting grid's staff (`verify_event`).

    Pass: verified, or closed at once when the rule's close level is the grid. Fail
    (`text` required): back to the lead unit as rework (返工): `rework_count` += 1, a
    fresh complete clock and alert cycle.
    """
    now = _now(at)
    if not passed:
        text = _require_text(text, "text", _("请填写核查不通过的原因。"))
    with transaction.atomic():
        ev = _lock("verify", actor, event)
        before = ev.status
        actions, messages = [], []
        if passed:
            closes = workflow.close_level(ev) == "grid"
            workflow.enter(ev, "verify", S.CLOSED if closes else S.VERIFIED)
            if closes:
                ev.closed_at = now
            actions.append(_record(ev, ActionKind.VERIFY_PASS, actor, at=now, from_status=before, text=text))
            if closes:
                actions.append(_record(ev, ActionKind.CLOSE, actor, at=now, from_status=before, data={"by": "verify"}))
            else:
                level = workflow.close_level(ev)
                who = (
                    notify.supervisors_of([ev.county_id])
                    if level == "county"
                    else notify.dispatchers_of([ev.township_id])
                )
                messages.append(
                    notify.message(ev, ActionKind.VERIFY_PASS, _("事件核查通过，待结案：%(t)s") % {"t": ev.title}, who)
                )
        else:
            workflow.enter(ev, "verify", S.HANDLING)
            ev.rework_count += 1
            ev.cycle += 1
            ev.result_at = None
            _start_complete_clock(ev, now)
            Dispatch.objects.filter(event=ev, active=True).update(completed_at=None)
            Dispatch.objects.filter(event=ev, active=True, role=DispatchRole.LEAD).update(
                complete_due_at=ev.complete_due_at
            )
            actions.append(
                _record(
                    ev,
                    ActionKind.VERIFY_FAIL,
                    actor,
                    at=now,
                    from_status=before,
                    text=text,
                    data={"rework_count": ev.rework_count, "complete_due_at": _iso(ev.complete_due_at)},
                )
            )
            messages.append(
                notify.message(
                    ev,
                    ActionKind.VERIFY_FAIL,
                    _("核查不通过，请返工：%(t)s") % {"t": ev.title},
                    notify.handlers_of([ev.lead_unit_id]),
                )
            )
        _attach(actor, ev, actions[0], attachments)
        if ev.status == S.CLOSED and ev.reporter_id:
            messages.append(
                notify.message(ev, ActionKind.CLOSE, _("事件已结案：%(t)s") % {"t": ev.title}, [ev.reporter_id])
            )
        return _save(ev, actions, messages)


def event_close(*, actor: Actor, event: Event | int, text: str = "", at: datetime.datetime | None = None) -> Event:
    """Close a verified event (结案). Who: per the rule's close level — the township
    dispatcher (township) or the district supervisor (county)."""
    now = _now(at)
    with transaction.atomic():
        ev = _lock("close", actor, event)
        before = ev.status
        workflow.enter(ev, "close")
        ev.closed_at = now
        action = _record(ev, ActionKind.CLOSE, actor, at=now, from_status=before, text=text)
        msgs = (
            [notify.message(ev, ActionKind.CLOSE, _("事件已结案：%(t)s") % {"t": ev.title}, [ev.reporter_id])]
            if ev.reporter_id
            else []
        )
        return _save(ev, [action], msgs)
