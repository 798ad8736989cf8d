"""The closed loop as ONE table: each step, the states it may start from, where it leads,
and who may take it (Art. 17, 18, 19).

`STEPS[name]` is a `Step`. `Step.sources` are the statuses from which it is allowed
(`None` in the set = the step creates the event); `Step.target` is the resulting status
(`None` = unchanged, or decided by the service, e.g. verify pass closes at once when the
rule's close level is the grid). `Step.who` names a check in `WHO`, a function
`(actor, event) -> bool` on the event as it is now. `Step.when` (optional) names a check
in `WHEN`, `(event) -> bool`, on something other than the status that the step needs
(e.g. only an internal event can be published); the service raises InvalidTransition
when it does not hold, and `available_steps` leaves the step out.

Only `events.services` assigns `Event.status`, always through `check()` here. Pages and
the API may call `available_steps(actor, event)` to decide which buttons to show.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from catalog.choices import CloseLevel
from personnel import roles
from personnel.scope import has_area_perm, unit_ids

from .choices import OPEN_STATUSES, EventStatus, HandlingLevel

S = EventStatus


@dataclass(frozen=True)
class Step:
    label: str
    sources: frozenset
    target: str | None
    who: str
    description: str = ""
    when: str = ""


def _routing_node(event):
    """The node whose `dispatch_event` holders route the event now: township or district."""
    return event.county if event.level == HandlingLevel.COUNTY else event.township


def is_router(actor, event) -> bool:
    """Dispatcher of the event's township (level township) or district (after escalation)."""
    return has_area_perm(actor, roles.DISPATCH, _routing_node(event))


def is_handler(actor, event) -> bool:
    """Handler of the event's current lead unit (personnel.scope.unit_ids)."""
    if not event.lead_unit_id or not actor or not actor.is_authenticated:
        return False
    return unit_ids(actor, "handler").filter(organisation_id=event.lead_unit_id).exists()


def is_reporter_staff(actor, event) -> bool:
    return has_area_perm(actor, roles.REPORT, event.area)


def is_self_handler(actor, event) -> bool:
    return has_area_perm(actor, roles.SELF_HANDLE, event.area) and event.item_version.self_handle


def is_verifier(actor, event) -> bool:
    """Staff of the reporting grid holding `verify_event` (grid leader, full-time worker)."""
    return has_area_perm(actor, roles.VERIFY, event.area)


def close_level(event) -> str:
    rule = event.item_version.rule_for(event.grade)
    return rule.close_level if rule else CloseLevel.GRID


def is_closer(actor, event) -> bool:
    """Per the rule's close level: grid → verifier; township → dispatcher; county → supervisor."""
    level = close_level(event)
    if level == CloseLevel.COUNTY:
        return has_area_perm(actor, roles.SUPERVISE, event.county)
    if level == CloseLevel.TOWNSHIP:
        return has_area_perm(actor, roles.DISPATCH, event.township)
    return is_verifier(actor, event)


def is_overseer(actor, event) -> bool:
    """Supervisors or dispatchers over the event's grid (urge, comment; any time)."""
    return has_area_perm(actor, roles.SUPERVISE, event.area) or has_area_perm(actor, roles.DISPATCH, event.area)


def is_corrector(actor, event) -> bool:
    return bool(actor and actor.pk and actor.pk == event.reporter_id) or (
        is_reporter_staff(actor, event) or is_router(actor, event)
    )


def is_rater(actor, event) -> bool:
    """The reporter (logged in); the public rate through the tracking code (checked by the service)."""
    return bool(actor and actor.is_authenticated and actor.pk == event.reporter_id)


WHO = {
    "grid_reporter": is_reporter_staff,
    "grid_self_handler": is_self_handler,
    "router": is_router,
    "handler": is_handler,
    "verifier": is_verifier,
    "closer": is_closer,
    "overseer": is_overseer,
    "corrector": is_corrector,
    "rater": is_rater,
}

#: Conditions other than the status (`Step.when`).
WHEN = {
    "internal": lambda event: not event.public,
    "public": lambda event: event.public,
}

_ANY = frozenset(OPEN_STATUSES) | {S.CLOSED, S.REJECTED}

STEPS: dict[str, Step] = {
    "report": Step(_("上报"), frozenset({None}), S.REPORTED, "grid_reporter", "report_event on the grid"),
    "self_handle": Step(
        _("就地处置"), frozenset({None}), S.CLOSED, "grid_self_handler", "self_handle_event and item.self_handle"
    ),
    "accept": Step(_("受理"), frozenset({S.REPORTED}), S.ACCEPTED, "router"),
    "reject": Step(_("不予受理"), frozenset({S.REPORTED, S.ESCALATED, S.ACCEPTED}), S.REJECTED, "router"),
    "escalate": Step(_("提级"), frozenset({S.REPORTED, S.ACCEPTED}), S.ESCALATED, "router"),
    "dispatch": Step(_("派遣"), frozenset({S.ACCEPTED, S.ESCALATED, S.DISPATCHED}), S.DISPATCHED, "router"),
    "sign": Step(_("签收"), frozenset({S.DISPATCHED}), S.HANDLING, "handler"),
    "return": Step(_("退回"), frozenset({S.DISPATCHED, S.HANDLING}), None, "handler", "→ accepted or escalated"),
    "request": Step(_("申请延期/挂起"), frozenset({S.HANDLING}), S.HANDLING, "handler"),
    "request_decide": Step(_("审批申请"), frozenset({S.HANDLING}), None, "router", "suspension → suspended"),
    "resume": Step(_("恢复办理"), frozenset({S.SUSPENDED}), S.HANDLING, "router"),
    "submit_result": Step(_("办结反馈"), frozenset({S.HANDLING}), S.RESULT_SUBMITTED, "handler"),
    "verify": Step(
        _("核查"), frozenset({S.RESULT_SUBMITTED}), None, "verifier", "pass → verified/closed; fail → handling"
    ),
    "close": Step(_("结案"), frozenset({S.VERIFIED}), S.CLOSED, "closer"),
    "rate": Step(_("满意度评价"), frozenset({S.CLOSED}), None, "rater", "or the public via the tracking code"),
    "urge": Step(_("催办"), frozenset(OPEN_STATUSES), None, "overseer"),
    "comment": Step(_("批注"), _ANY, None, "overseer"),
    "correct": Step(_("更正"), _ANY, None, "corrector"),
    "publish": Step(_("公开"), _ANY, None, "overseer", "Open311 publishes it", when="internal"),
    "unpublish": Step(_("取消公开"), _ANY, None, "overseer", "Open311 stops publishing it", when="public"),
}


def allowed_from(step: str, status: str | None) -> bool:
    """Whether `step` may start from `status` (None = creating the event)."""
    return status in STEPS[step].sources


def may(step: str, actor, event) -> bool:
    """Whether `actor` holds the role `step` needs on `event` (ignores the status)."""
    return WHO[STEPS[step].who](actor, event)


def available_steps(actor, event) -> list[str]:
    """Names of the steps `actor` may take on `event` now (for buttons; services re-check)."""
    return [
        name
        for name, step in STEPS.items()
        if None not in step.sources
        and event.status in step.sources
        and (not step.when or WHEN[step.when](event))
        and WHO[step.who](actor, event)
    ]


# Who may see the citizen's contact (Art. 10, 19; PIPL) -----------------------------------
# Not steps: reading personal data changes nothing. Both assume the actor may see the event.


def is_active_handler(actor, event) -> bool:
    """Handler of a unit the event is dispatched to now (lead or co-handling, active)."""
    from .models import Dispatch

    if not actor or not actor.is_authenticated:
        return False
    units = unit_ids(actor, "handler")
    return Dispatch.objects.filter(event_id=event.pk, active=True, unit_id__in=units).exists()


def may_reveal_contact(actor, event) -> bool:
    """Whether `actor` acts on `event` and so may call the citizen back: dispatchers and
    supervisors over its grid (`is_overseer`), or handlers of a unit it is dispatched to
    now (`is_active_handler`). Says nothing about whether the event has a contact."""
    return is_overseer(actor, event) or is_active_handler(actor, event)


def may_see_masked_contact(actor, event) -> bool:
    """Whether `actor` may see the contact masked: those who may reveal it, the reporter,
    the grid's staff (`report_event` on its grid) and handlers of units it was ever
    dispatched to (returned or superseded dispatches)."""
    from .models import Dispatch

    if not actor or not actor.is_authenticated:
        return False
    if actor.pk == event.reporter_id or may_reveal_contact(actor, event) or is_reporter_staff(actor, event):
        return True
    return Dispatch.objects.filter(event_id=event.pk, unit_id__in=unit_ids(actor, "handler")).exists()
