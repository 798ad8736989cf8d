"""Issuing tasks and taking an assignment's steps (任务下派, Art. 19).

Errors, as in the events services (`events.exceptions`): `ValidationError` with a dict
of field → messages (HTTP 400 / a form error; nothing changed), `PermissionDenied`
(403), `NotFound` (404: outside the actor's reach), `StaleVersion` / `InvalidTransition`
(409). Every side effect — inbox rows, e-mail and SMS (`events.notify.record`), webhooks
to the issuing organisation (`integrations.services.webhook_emit`) — is written in the
transaction of the change (the transactional outbox, `ningbo_grid.outbox`).
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.choices import ListLevel, TimeUnit
from catalog.models import ServiceItem, TemporaryMatter
from events import notify
from events.exceptions import NotFound, PermissionDenied
from events.workcalendar import add_elapsed, add_time, working_seconds_between
from grids.models import Area
from integrations.choices import WebhookEventType
from integrations.services import webhook_emit
from ledgers.models import Household
from ledgers.visits import visit_record
from personnel import roles
from personnel.models import Membership
from personnel.scope import has_area_perm, unit_ids

from . import fanout, progress, workflow
from .choices import LogKind, Outcome, ResultKind
from .models import Assignment, HouseholdResult, Log, Task

#: The longest deadline a task may set, in working days.
MAX_WORKING_DAYS = 60
#: The share of the working time after which an assignment is warned (yellow).
WARNING_RATIO = Decimal("0.75")


def _basis_errors(areas: list[Area], item: ServiceItem | None, matter: TemporaryMatter | None, due_on) -> list[str]:
    """Why the basis does not authorise a task to `areas` (Art. 19); empty when it does."""
    today = timezone.localdate()
    if item is None and matter is None:
        return [_("未纳入清单管理的事项，须经网格化主管单位同意（临时事项）后方可要求网格办理（第十九条）。")]
    if item is not None and matter is not None:
        return [_("请只选择一个依据：清单事项或经同意的临时事项。")]
    if item is not None:
        version = item.current_version
        if version is None or not version.is_in_force(today):
            return [_("该清单事项今天不在施行中。")]
        if item.level == ListLevel.DISTRICT and any(a.ancestor_at("county") != item.district for a in areas):
            return [_("区级清单事项只适用于本区。")]
        return []
    if matter is None:  # unreachable: neither (refused above) or the item (returned)
        return []
    if any(not matter.applies(area, today) for area in areas):
        return [_("临时事项的同意范围或期限不包括所选区域。")]
    if due_on > matter.end:
        return [_("任务截止日期晚于临时事项的同意期限（%(end)s）。") % {"end": matter.end}]
    return []


def issuing_organisation(actor, areas: list[Area], matter: TemporaryMatter | None):
    """The organisation `actor` issues for, or raise.

    A dispatcher or supervisor over every chosen area (`dispatch_event`) issues for their
    organisation covering them; a department's handler only with a temporary matter its
    organisation requested and the authority approved (Art. 19). Raises PermissionDenied
    (no issuing role at all) or ValidationError on `temporary_matter`.
    """
    if areas and all(has_area_perm(actor, roles.DISPATCH, area) for area in areas):
        memberships = Membership.objects.current().filter(user_id=actor.pk).select_related("organisation__area")
        for membership in memberships:
            node = membership.organisation.area
            if all(node.tree_id == a.tree_id and node.lft <= a.lft and a.rght <= node.rght for a in areas):
                return membership.organisation
        if memberships:
            return memberships[0].organisation
    departments = list(unit_ids(actor, "handler"))
    if not departments:
        raise PermissionDenied(_("您不能向所选区域下派任务。"))
    ids = {row["organisation_id"] for row in departments}
    if matter is None or matter.requesting_organisation_id not in ids:
        raise ValidationError(
            {
                "temporary_matter": [
                    _("部门向网格下派任务，须持本单位申请并经网格化主管单位同意的临时事项（第十九条）。")
                ]
            }
        )
    return matter.requesting_organisation


def task_issue(
    *,
    actor,
    title: str,
    instructions: str,
    areas: list[Area],
    working_days: int,
    result_kind: str = ResultKind.GRID,
    item: ServiceItem | None = None,
    temporary_matter: TemporaryMatter | None = None,
    attachment=None,
) -> Task:
    """Issue a task to `areas` (nodes of the tree; every active grid within them gets an
    assignment) due `working_days` working days from now (the end of working time of the
    Nth working day, `events.workcalendar.add_time`), authorised by the catalogue `item`
    in force or the approved `temporary_matter` (exactly one; Art. 19). Notifies the
    grids' leaders and full-time workers through every channel (inbox, e-mail, SMS:
    `fanout.notify_new`, outbox rows in this transaction); a `task.issued` webhook to the issuing
    organisation. Raises ValidationError (title, instructions, areas, working_days,
    result_kind, basis, temporary_matter), PermissionDenied."""
    errors: dict[str, list] = {}
    if not isinstance(title, str) or not title.strip() or len(title) > 100:
        errors["title"] = [_("请填写任务名称（不超过100字）。")]
    if not isinstance(instructions, str) or not instructions.strip() or len(instructions) > 5000:
        errors["instructions"] = [_("请填写工作要求（不超过5000字）。")]
    if type(working_days) is not int or not 1 <= working_days <= MAX_WORKING_DAYS:
        errors["working_days"] = [_("办理时限为1至%(n)s个工作日。") % {"n": MAX_WORKING_DAYS}]
    if result_kind not in ResultKind.values:
        errors["result_kind"] = [_("请选择反馈方式。")]
    areas = list(dict.fromkeys(areas))
    if not areas:
        errors["areas"] = [_("请选择下派范围。")]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    due_at = timezone.localtime(add_time(now, Decimal(working_days), TimeUnit.WORKING_DAY))
    organisation = issuing_organisation(actor, areas, temporary_matter)
    reasons = _basis_errors(areas, item, temporary_matter, due_at.date())
    if reasons:
        raise ValidationError({"basis": reasons})
    warn_at = add_elapsed(now, float(WARNING_RATIO) * working_seconds_between(now, due_at), TimeUnit.WORKING_DAY)
    with transaction.atomic():
        task = Task.objects.create(
            title=title.strip(),
            instructions=instructions.strip(),
            attachment=attachment or "",
            item_version=item.current_version if item else None,
            temporary_matter=temporary_matter,
            organisation=organisation,
            issued_by=actor,
            result_kind=result_kind,
            working_days=working_days,
            warn_at=warn_at,
            due_at=due_at,
        )
        task.areas.set(areas)
        _send(task, now)
        webhook_emit(
            event_type=WebhookEventType.TASK_ISSUED,
            organisation_ids=[organisation.pk],
            payload=task_payload(task),
            cause=f"task:{task.pk}",
        )
    return task


def _send(task: Task, now: datetime.datetime) -> int:
    created = fanout.fan_out(task, now)
    if created:
        fanout.notify_new(task, now, _("新任务：%(title)s") % {"title": task.title}, timezone.localdate(now))
    return created


def task_extend(*, actor, task: Task) -> int:
    """Send `task` to the grids within its areas that have no assignment yet (drawn after
    it was issued; see `tasks.fanout`); returns how many were added. Issuer only."""
    with transaction.atomic():
        task = Task.objects.select_for_update().get(pk=task.pk)
        probe = Assignment(task=task)
        if not workflow.is_issuer(actor, probe):
            raise PermissionDenied(_("只有下派单位可以补发任务。"))
        return _send(task, timezone.now())


def task_payload(task: Task) -> dict:
    """The webhook payload of a task (no personal data)."""
    return {
        "task": task.pk,
        "title": task.title,
        "organisation": task.organisation_id,
        "due_at": task.due_at.isoformat(),
        "item": task.item_version.item.code if task.item_version else None,
        "temporary_matter": task.temporary_matter_id,
    }


def _take(actor, assignment_id: int, step: str, version: int | None, note: str = "", change=None) -> Assignment:
    """Lock assignment `assignment_id`, authorise `step`, apply `change(assignment)`, enter the
    step's target, log it, and write its side effects; all in one transaction."""
    with transaction.atomic():
        try:
            assignment = Assignment.objects.select_for_update().select_related("task", "area").get(pk=assignment_id)
        except Assignment.DoesNotExist:
            raise NotFound() from None
        workflow.authorize(actor, step, assignment, version=version)
        now = timezone.now()
        if change:
            change(assignment, now)
        workflow.enter(assignment, step)
        assignment.version += 1
        assignment.updated_at = now
        assignment.save()
        log = Log.objects.create(assignment=assignment, kind=step, actor=actor, note=note, at=now)
        _announce(assignment, log)
    return assignment


def _announce(assignment: Assignment, log: Log) -> None:
    """Inbox and e-mail to whom the step concerns (and an SMS to the grid's staff when
    urged or reopened), and the `task.assignment_changed` webhook; all outbox rows."""
    task = assignment.task
    if log.kind == LogKind.URGE:
        users = _grid_staff(assignment.area_id)
        title = _("催办：%(title)s") % {"title": task.title}
    elif log.kind in (LogKind.COMPLETE, LogKind.RETURN):
        users = {task.issued_by_id}
        title = _("%(grid)s%(step)s：%(title)s") % {
            "grid": assignment.area.name,
            "step": workflow.STEPS[log.kind].label,
            "title": task.title,
        }
    elif log.kind == LogKind.REOPEN:
        users = _grid_staff(assignment.area_id)
        title = _("任务重新下派：%(title)s") % {"title": task.title}
    else:
        users = set()
    if users:
        # To the grid (urge, reopen) urgent: an SMS besides the inbox and e-mail, as at issue.
        urgent = log.kind in (LogKind.URGE, LogKind.REOPEN)
        message = notify.Message(
            user_ids=users, event_id=None, kind="urge", title=title, body=log.note or task.title, urgent=urgent
        )
        notify.record([message], cause=f"tasklog:{log.pk}")
    webhook_emit(
        event_type=WebhookEventType.TASK_ASSIGNMENT_CHANGED,
        organisation_ids=[task.organisation_id],
        payload={**task_payload(task), **assignment_payload(assignment)},
        cause=f"tasklog:{log.pk}",
    )


def assignment_payload(assignment: Assignment) -> dict:
    return {
        "assignment": assignment.pk,
        "grid": assignment.area.code,
        "status": assignment.status,
        "version": assignment.version,
        "overdue": assignment.overdue_at is not None,
    }


def _grid_staff(area_id: int) -> set[int]:
    from personnel.models import Assignment as Role

    return set(
        Role.objects.current()
        .filter(area_id=area_id, staff__user__isnull=False)
        .values_list("staff__user_id", flat=True)
    )


def assignment_acknowledge(*, actor, assignment: Assignment, version: int | None) -> Assignment:
    """签收: the grid takes the assignment on. Grid staff; received → acknowledged."""

    def change(a: Assignment, now) -> None:
        a.acknowledged_at = now

    return _take(actor, assignment.pk, "acknowledge", version, change=change)


def assignment_start(*, actor, assignment: Assignment, version: int | None) -> Assignment:
    """开始办理: acknowledged → in progress. Grid staff."""
    return _take(actor, assignment.pk, "start", version)


def _text(value, field: str, message: str, *, required: bool) -> str:
    if not isinstance(value, str) or len(value) > 5000 or (required and not value.strip()):
        raise ValidationError({field: [message]})
    return value.strip()


def grid_households(grid: Area):
    """Households (`ledgers.Household`) living in `grid` or its micro-grids."""
    return Household.objects.filter(area__tree_id=grid.tree_id, area__lft__gte=grid.lft, area__rght__lte=grid.rght)


def assignment_complete(
    *, actor, assignment: Assignment, version: int | None, result: str = "", photo=None
) -> Assignment:
    """完成: acknowledged / in progress → done, with the grid's `result` and an optional
    photo. Grid staff. Notifies the issuer; `result` is kept on the assignment's log.

    `result` is required for a per-grid task. A per-household task needs at least one
    household result recorded, and while households of the grid's ledger remain
    unrecorded `result` is required as the reason (ValidationError on `result`), so the
    grid does not count as done without a word on the households left out.
    """
    per_grid = assignment.task.result_kind == ResultKind.GRID
    missing = 0
    if not per_grid:
        if not assignment.results.exists():
            raise ValidationError({"result": [_("请先登记至少一户的走访结果。")]})
        missing = grid_households(assignment.area).exclude(pk__in=assignment.results.values("household_id")).count()
    message = (
        _("尚有%(n)d户未登记，请说明原因（不超过5000字）。") % {"n": missing}
        if missing
        else _("请填写办理结果（不超过5000字）。")
    )
    result = _text(result, "result", message, required=per_grid or bool(missing))

    def change(a: Assignment, now) -> None:
        a.result, a.done_at = result, now
        if photo:
            a.photo = photo

    return _take(actor, assignment.pk, "complete", version, note=result, change=change)


def assignment_return(*, actor, assignment: Assignment, version: int | None, reason: str = "") -> Assignment:
    """退回: the grid sends the assignment back with a `reason` (required). Grid staff."""
    reason = _text(reason, "reason", _("请填写退回理由。"), required=True)

    def change(a: Assignment, now) -> None:
        a.return_reason = reason

    return _take(actor, assignment.pk, "return", version, note=reason, change=change)


def assignment_reopen(*, actor, assignment: Assignment, version: int | None, reason: str = "") -> Assignment:
    """重新下派: the issuer sends a done or returned assignment back to the grid (`reason`)."""
    reason = _text(reason, "reason", _("请填写重新下派的理由。"), required=True)

    def change(a: Assignment, now) -> None:
        a.done_at, a.acknowledged_at = None, None

    return _take(actor, assignment.pk, "reopen", version, note=reason, change=change)


def assignment_urge(*, actor, assignment: Assignment, version: int | None) -> Assignment:
    """催办: the issuer urges an open assignment; its grid's staff are notified (inbox, e-mail)."""

    def change(a: Assignment, now) -> None:
        a.urged += 1

    return _take(actor, assignment.pk, "urge", version, change=change)


def urge_late(*, actor, task: Task) -> int:
    """Urge every late assignment of `task` (`progress.late`: overdue, or not yet
    acknowledged — the grids the progress page lists); returns how many. Issuer only
    (PermissionDenied)."""
    if not workflow.is_issuer(actor, Assignment(task=task)):
        raise PermissionDenied(_("只有下派单位可以催办。"))
    late = progress.late(task).filter(status__in=workflow.STEPS["urge"].sources).select_related(None)
    count = 0
    for assignment in late.only("pk", "version"):
        assignment_urge(actor=actor, assignment=assignment, version=None)
        count += 1
    return count


def assignment_record(
    *,
    actor,
    assignment: Assignment,
    version: int | None,
    household: Household,
    outcome: str,
    note: str = "",
    photo=None,
) -> HouseholdResult:
    """登记入户结果: the result for one `household` of the grid, recorded as a ledgers visit
    (`ledgers.visits.visit_record`) with `outcome` (`choices.Outcome`). Once per household;
    acknowledged → in progress. Grid staff holding `keep_ledgers`. Raises ValidationError
    (household, outcome, note)."""
    if assignment.task.result_kind != ResultKind.HOUSEHOLD:
        raise ValidationError({"household": [_("该任务按网格反馈，不需要逐户登记。")]})
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": [_("请选择走访结果。")]})
    note = _text(note, "note", _("说明不超过5000字。"), required=False)
    area = assignment.area
    home = household.area
    if not (home.tree_id == area.tree_id and area.lft <= home.lft and home.rght <= area.rght):
        raise ValidationError({"household": [_("该户不在本网格。")]})
    if assignment.results.filter(household=household).exists():
        raise ValidationError({"household": [_("该户已登记结果。")]})
    holder: dict = {}

    def change(a: Assignment, now) -> None:
        findings = f"{Outcome(outcome).label}（{a.task.title}）" + (f"：{note}" if note else "")
        visit = visit_record(actor=actor, target=household, visited_at=now, findings=findings, photo=photo)
        holder["result"] = HouseholdResult.objects.create(
            assignment=a, visit=visit, household=household, outcome=outcome
        )

    _take(actor, assignment.pk, "record", version, note=f"{household.pk}:{outcome}", change=change)
    return holder["result"]
