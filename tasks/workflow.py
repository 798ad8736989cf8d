"""An assignment's steps as ONE table, in the shape of `events.workflow.STEPS` (Art. 19).

`STEPS[name]` is an `events.workflow.Step` row: the statuses (`choices.AssignmentStatus`)
it starts from, the status it ends in (`None`: unchanged), who may take it (`WHO`), its
service, its browser form (`tasks.forms`), its API input (`tasks.api.serializers`), its
API path under `/api/v1/tasks/assignments/<id>/` and API key scope. Generated from the
table: the step buttons and forms of the assignment page (`tasks.views.step`), the API
actions (`tasks.api.views`) and the step tests (`tests/tasks/test_workflow.py`).

Every service takes the version the actor read, calls `authorize` under the row lock and
ends in `enter`. The issuing step (`task_issue`) creates a task, not an assignment: it is
authorised by `tasks.services.may_issue` (Art. 19), not by this table.
"""

from collections.abc import Callable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from events.exceptions import InvalidTransition, NotFound, PermissionDenied, StaleVersion
from events.workflow import SYSTEM, Actor, Step
from personnel import roles
from personnel.models import Membership
from personnel.scope import has_area_perm

from .choices import OPEN_STATUSES, AssignmentStatus
from .models import Assignment

S = AssignmentStatus


def is_grid_staff(actor: Actor, assignment: Assignment) -> bool:
    """Staff of the assignment's grid (`report_event` on it: leader, full-time, part-time)."""
    return has_area_perm(actor, roles.REPORT, assignment.area)


def is_issuer(actor: Actor, assignment: Assignment) -> bool:
    """Who issued the task, or a current member of the issuing organisation."""
    if not actor or actor == SYSTEM or not actor.is_authenticated:
        return False
    task = assignment.task
    return actor.pk == task.issued_by_id or (
        Membership.objects.current().filter(user_id=actor.pk, organisation_id=task.organisation_id).exists()
    )


def is_system(actor: Actor, assignment: Assignment) -> bool:
    """The platform itself (the deadline sweep), never a person."""
    return actor == SYSTEM


WHO: dict[str, Callable[[Actor, Assignment], bool]] = {
    "grid_staff": is_grid_staff,
    "issuer": is_issuer,
    "system": is_system,
}

_OPEN = frozenset(OPEN_STATUSES)
_SVC = "tasks.services."

STEPS: dict[str, Step] = {
    "acknowledge": Step(
        gettext_lazy("签收"),
        frozenset({S.RECEIVED}),
        S.ACKNOWLEDGED,
        "grid_staff",
        _SVC + "assignment_acknowledge",
        form="StepForm",
        serializer="TaskStepSerializer",
        url="acknowledge",
        scope="report",
    ),
    "start": Step(
        gettext_lazy("开始办理"),
        frozenset({S.ACKNOWLEDGED}),
        S.IN_PROGRESS,
        "grid_staff",
        _SVC + "assignment_start",
        form="StepForm",
        serializer="TaskStepSerializer",
        url="start",
        scope="report",
    ),
    "record": Step(
        gettext_lazy("登记入户结果"),
        frozenset({S.ACKNOWLEDGED, S.IN_PROGRESS}),
        S.IN_PROGRESS,
        "grid_staff",
        _SVC + "assignment_record",
        form="RecordForm",
        serializer="TaskRecordSerializer",
        url="record",
        scope="report",
        description="per-household tasks only: the result is a ledgers visit to a household of the grid",
        aside=True,
    ),
    "complete": Step(
        gettext_lazy("完成"),
        frozenset({S.ACKNOWLEDGED, S.IN_PROGRESS}),
        S.DONE,
        "grid_staff",
        _SVC + "assignment_complete",
        form="CompleteForm",
        serializer="TaskCompleteSerializer",
        url="complete",
        scope="report",
    ),
    "return": Step(
        gettext_lazy("退回"),
        _OPEN,
        S.RETURNED,
        "grid_staff",
        _SVC + "assignment_return",
        form="ReturnForm",
        serializer="TaskReturnSerializer",
        url="return",
        scope="report",
        description="with a reason (e.g. the matter is not the grid's under Art. 19)",
        aside=True,
    ),
    "reopen": Step(
        gettext_lazy("重新下派"),
        frozenset({S.DONE, S.RETURNED}),
        S.RECEIVED,
        "issuer",
        _SVC + "assignment_reopen",
        form="ReturnForm",
        serializer="TaskReturnSerializer",
        url="reopen",
        description="with a reason; the grid acknowledges again",
        aside=True,
    ),
    "urge": Step(
        gettext_lazy("催办"),
        _OPEN,
        None,
        "issuer",
        _SVC + "assignment_urge",
        form="StepForm",
        serializer="TaskStepSerializer",
        url="urge",
        aside=True,
    ),
    "overdue": Step(
        gettext_lazy("超期"),
        _OPEN,
        None,
        "system",
        "tasks.sweep.sweep_due",
        clocks="taken by the deadline sweep: a warning at warn_at, overdue at due_at, each once",
    ),
}


def authorize(actor: Actor, step: str, assignment: Assignment, *, version: int | None = None) -> None:
    """The one check before `step` changes `assignment` (in `events.workflow.authorize`'s order):
    the role (`WHO`) — `NotFound` if the actor may not see the assignment, else
    `PermissionDenied`; the version read — `StaleVersion`; the status — `InvalidTransition`."""
    row = STEPS[step]
    if not WHO[row.who](actor, assignment):
        if actor != SYSTEM and not Assignment.objects.restrict(actor).filter(pk=assignment.pk).exists():
            raise NotFound()
        if version is not None and version != assignment.version:
            raise StaleVersion()
        raise PermissionDenied(_("您不能对此任务执行“%(step)s”。") % {"step": row.label})
    if version is not None and version != assignment.version:
        raise StaleVersion()
    if assignment.status not in row.sources:
        raise InvalidTransition(
            _("任务当前状态为“%(status)s”，不能%(step)s。")
            % {"status": assignment.get_status_display(), "step": row.label}
        )


def enter(assignment: Assignment, step: str) -> None:
    """Put `assignment` in the status `step` ends in (unchanged for a `None` target)."""
    row = STEPS[step]
    ends = row.ends(assignment.status)
    if len(ends) != 1:
        raise AssertionError(f"{step} has no single target")
    assignment.status = next(iter(ends))


def available_steps(actor: Actor, assignment: Assignment) -> list[str]:
    """Names of the steps `actor` may take on `assignment` now (for buttons; services re-check)."""
    return [
        name
        for name, step in STEPS.items()
        if step.who != "system" and assignment.status in step.sources and WHO[step.who](actor, assignment)
    ]
