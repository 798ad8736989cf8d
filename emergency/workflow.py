"""The emergency response and its check-ins as ONE table (Art. 18), in the shape of
`events.workflow.STEPS` (its `Step` rows, reused): every step, the states it may start
from, where it leads, who may take it, its service, its browser form, its API input
and URL, and its API key scope.

`STEPS[name].sources` are `ResponseStatus` values for the response's steps and
`CheckInStatus` values for the check-in's (`SUBJECT[name]` says which); `None` in the
set means the step creates the response. Generated from the table: the step views
(`emergency.views.step`), the API actions (`emergency.api.views`) and the permission
tests (`tests/emergency/test_workflow.py`).

`WORKFLOW` (an `events.flow.Workflow`) checks the table; its methods are also this
module's names. `authorize(actor, step, obj, version=...)` is the one check every
service makes under the row lock (PermissionDenied, StaleVersion, InvalidTransition —
the events app's exceptions; a check-in's steps refused once its response has ended,
`WHEN`); services end in `enter(obj, step)`; pages ask
`available_steps(actor, obj, subject)` for the buttons on a response or a check-in.
"""

from collections.abc import Callable
from typing import Any, Final

from django.utils.translation import gettext_lazy

from events.flow import SYSTEM, Actor, Messages, Step, When, Workflow
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

#: Conditions other than the status: a check-in's steps only while its response is active.
WHEN: dict[str, When] = {
    "response_active": When(lambda checkin: checkin.response.status == R.ACTIVE, gettext_lazy("应急响应已结束。")),
}

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
        when="response_active",
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
        when="response_active",
        description="staff on duty, people needing transfer, hazards; may be reported again",
    ),
    "escalate": Step(
        gettext_lazy("未签到上报"),
        frozenset({C.PENDING}),
        None,
        "system",
        "emergency.sweep.escalate_due",
        when="response_active",
        clocks="township at the deadline, district one window later, each exactly once",
    ),
}

#: What each step acts on: the response or one check-in.
SUBJECT: Final = {
    name: "response" if (None in row.sources or row.sources <= set(R.values)) else "checkin"
    for name, row in STEPS.items()
}


#: The emergency checks (`events.flow.Workflow`) with the emergency wording. Callers read
#: the response or check-in through their scoped querysets (`emergency.selectors`), so
#: there is no visibility check here: failing the role is PermissionDenied.
WORKFLOW: Final = Workflow(
    steps=STEPS,
    who=WHO,
    when=WHEN,
    subjects=SUBJECT,
    messages=Messages(
        denied=gettext_lazy("您不能执行“%(step)s”。"),
        invalid=gettext_lazy("当前状态为“%(status)s”，不能%(step)s。"),
    ),
)
authorize = WORKFLOW.authorize
enter = WORKFLOW.enter
available_steps = WORKFLOW.available_steps
