"""An assignment's steps as ONE table, in the shape of `events.workflow.STEPS` (Art. 19).

`STEPS[name]` is an `events.workflow.Step` row: the statuses (`choices.AssignmentStatus`)
it starts from, the status it ends in (`None`: unchanged), who may take it (`WHO`), its
service, its browser form (`tasks.forms`), its API input (`tasks.api.serializers`), its
API path under `/api/v1/tasks/assignments/<id>/` and API key scope. Generated from the
table: the step buttons and forms of the assignment page (`tasks.views.step`), the API
actions (`tasks.api.views`) and the step tests (`tests/tasks/test_workflow.py`).

`WORKFLOW` (an `events.flow.Workflow`) checks the table; its methods are also this
module's names. Every service takes the version the actor read, calls
`authorize(actor, step, assignment, version=...)` under the row lock (NotFound,
PermissionDenied, StaleVersion, InvalidTransition) and ends in `enter(assignment, step)`;
the assignment page asks `available_steps(actor, assignment)` for its buttons.

The issuing step (`task_issue`) creates a task, not an assignment: it is authorised by
`tasks.services.may_issue` (Art. 19), not by this table.
"""

from collections.abc import Callable
from typing import Final

from django.utils.translation import gettext_lazy

from events.flow import SYSTEM, Actor, Messages, Step, Workflow
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


def may_see(actor: Actor, assignment: Assignment) -> bool:
    """Whether the actor may see the assignment (`Assignment.objects.restrict`); the platform always."""
    return actor == SYSTEM or Assignment.objects.restrict(actor).filter(pk=assignment.pk).exists()


#: The assignment's checks (`events.flow.Workflow`, in the closed loop's order) with its wording.
WORKFLOW: Final = Workflow(
    steps=STEPS,
    who=WHO,
    may_see=may_see,
    messages=Messages(
        denied=gettext_lazy("您不能对此任务执行“%(step)s”。"),
        invalid=gettext_lazy("任务当前状态为“%(status)s”，不能%(step)s。"),
    ),
)
authorize = WORKFLOW.authorize
enter = WORKFLOW.enter
available_steps = WORKFLOW.available_steps
