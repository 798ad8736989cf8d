"""The emergency response and its check-ins as ONE table (Art. 18), in the shape of
`events.workflow.STEPS` (its `Step` rows, reused): every step, the states it may start
from, where it leads, who may take it, its service, its browser form, its API input
and URL, and its API key scope.

`STEPS[name].sources` are `ResponseStatus` values for the response's steps and
`CheckInStatus` values for the check-in's (`SUBJECT[name]` says which); `None` in the
set means the step creates the response. Generated from the table: the step views
(`emergency.views.step`), the API actions (`emergency.api.views`) and the permission
tests (`tests/emergency/test_workflow.py`).

`authorize(actor, step, obj, version=...)` is the one check every service makes under
the row lock (NotFound, StaleVersion, PermissionDenied, InvalidTransition, the events
app's exceptions); services end in `enter(obj, step)`.
"""

from collections.abc import Callable
from typing import Any, Final

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from events.exceptions import InvalidTransition, NotFound, PermissionDenied, StaleVersion
from events.workflow import SYSTEM, Actor, Step
from personnel import roles
from personnel.choices import GridRole
from personnel.scope import has_area_perm

from .choices import CheckInStatus, ResponseStatus

R, C = ResponseStatus, CheckInStatus
_SVC = "emergency.services."


def is_commander(actor: Actor, obj: Any) -> bool:
    """Supervisors of the authority over the response's area (`supervise_area`)."""
    return has_area_perm(actor, roles.SUPERVISE, obj.area)


def is_leader(actor: Actor, checkin: Any) -> bool:
    """The grid's (micro-grid's) leader named at activation, or its current leader now."""
    from personnel.models import Assignment

    if not actor or actor == SYSTEM or not actor.is_authenticated:
        return False
    if checkin.leader_id == actor.pk:
        return True
    return (
        Assignment.objects.current()
        .filter(staff__user=actor, area_id=checkin.area_id, role__in=(GridRole.GRID_LEADER, GridRole.MICRO_GRID_LEADER))
        .exists()
    )


def is_system(actor: Actor, obj: Any) -> bool:
    """The platform itself (the check-in sweep), never a person."""
    return actor == SYSTEM


WHO: dict[str, Callable[[Actor, Any], bool]] = {"commander": is_commander, "leader": is_leader, "system": is_system}

STEPS: dict[str, Step] = {
    "activate": Step(
        gettext_lazy("启动响应"),
        frozenset({None}),
        R.ACTIVE,
        "commander",
        _SVC + "response_activate",
        form="ActivateForm",
        serializer="ActivateSerializer",
        description="POST /api/v1/emergency/responses/; every grid and micro-grid of the area gets a check-in",
    ),
    "raise": Step(
        gettext_lazy("提升等级"),
        frozenset({R.ACTIVE}),
        None,
        "commander",
        _SVC + "response_relevel",
        "LevelForm",
        "LevelSerializer",
        "raise",
        clocks="pending check-ins are due within the new level's window if that is sooner",
    ),
    "lower": Step(
        gettext_lazy("降低等级"),
        frozenset({R.ACTIVE}),
        None,
        "commander",
        _SVC + "response_relevel",
        "LevelForm",
        "LevelSerializer",
        "lower",
    ),
    "end": Step(
        gettext_lazy("结束响应"),
        frozenset({R.ACTIVE}),
        R.ENDED,
        "commander",
        _SVC + "response_end",
        "TextForm",
        "EmergencyNoteSerializer",
        "end",
        clocks="stops every check-in clock",
    ),
    "acknowledge": Step(
        gettext_lazy("签到"),
        frozenset({C.PENDING}),
        C.ACKNOWLEDGED,
        "leader",
        _SVC + "checkin_acknowledge",
        "TextForm",
        "EmergencyNoteSerializer",
        "acknowledge",
        scope="report",
        clocks="stops the check-in clock",
    ),
    "report": Step(
        gettext_lazy("报告状态"),
        frozenset({C.ACKNOWLEDGED, C.REPORTED}),
        C.REPORTED,
        "leader",
        _SVC + "checkin_report",
        "StatusForm",
        "StatusSerializer",
        "report",
        scope="report",
        description="staff on duty, people needing transfer, hazards; may be reported again",
    ),
    "escalate": Step(
        gettext_lazy("未签到上报"),
        frozenset({C.PENDING}),
        None,
        "system",
        "emergency.sweep.escalate_due",
        clocks="township at the deadline, district one window later, each exactly once",
    ),
}

#: What each step acts on: the response or one check-in.
SUBJECT: Final = {
    name: "response" if (None in row.sources or row.sources <= set(R.values)) else "checkin"
    for name, row in STEPS.items()
}


def authorize(actor: Actor, step: str, obj: Any, *, version: int | None = None, may_see: bool = True) -> None:
    """The one check before `step` changes `obj` (a Response, or a CheckIn for check-in
    steps; for `activate` the unsaved response). `may_see`: whether the actor may see
    `obj` (the caller read it through the scoped queryset): failing `WHO`, `NotFound` if
    not, else `PermissionDenied`. Then the version (`StaleVersion`), then the status
    (`InvalidTransition`). Also refuses a check-in step once its response has ended."""
    row = STEPS[step]
    if not WHO[row.who](actor, obj):
        if not may_see:
            raise NotFound(_("应急响应或签到不存在，或不在您的辖区内。"))
        raise PermissionDenied(_("您不能执行“%(step)s”。") % {"step": row.label})
    if version is not None and version != obj.version:
        raise StaleVersion(_("已被他人更新，请刷新后重试。"))
    status = None if row.creates else obj.status
    if status not in row.sources:
        raise InvalidTransition(
            _("当前状态为“%(status)s”，不能%(step)s。") % {"status": obj.get_status_display(), "step": row.label}
        )
    if SUBJECT[step] == "checkin" and obj.response.status != R.ACTIVE:
        raise InvalidTransition(_("应急响应已结束。"))


def enter(obj: Any, step: str) -> None:
    """Put `obj` in the status `step` ends in (its row's target; unchanged when None)."""
    row = STEPS[step]
    if isinstance(row.target, str):
        obj.status = row.target


def available_steps(actor: Actor, obj: Any, subject: str) -> list[str]:
    """Names of the non-creating steps on `subject` ("response"/"checkin") `actor` may take now."""
    active = obj.status == R.ACTIVE if subject == "response" else obj.response.status == R.ACTIVE
    return [
        name
        for name, row in STEPS.items()
        if SUBJECT[name] == subject
        and not row.creates
        and row.who != "system"
        and active
        and obj.status in row.sources
        and WHO[row.who](actor, obj)
    ]
