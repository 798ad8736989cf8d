"""Assigned tasks (任务下派, Art. 19): a task sent down to areas, one assignment per grid.

A `Task` is issued by a township, an authority or (with the authority's consent, a
`catalog.TemporaryMatter` it requested) a department, to a set of areas chosen in the
tree (`areas`); it is authorised by a catalogue item version in force or by an approved
temporary matter — exactly one (Art. 19). `due_at` / `warn_at` are aware datetimes
computed on the working-day calendar (`events.workcalendar.add_time`).

Each active grid (level `grid`) within the chosen areas gets one `Assignment`, written by
one INSERT … SELECT (`tasks.services.fan_out`); its status moves through the registry
`tasks.workflow.STEPS`. A grid drawn after the task was issued gets nothing by itself:
the issuer's `extend` step re-runs the same statement, which adds the new grids only.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grids.models import Area
from personnel.scope import covering_q

from .choices import AssignmentStatus, LogKind, Outcome, ResultKind


def issued_q(user, path: str = "") -> Q:
    """A `Q` on `Task` (through `path`) true for the tasks `user` or their organisation issued."""
    from personnel.models import Membership

    prefix = f"{path}__" if path else ""
    orgs = Membership.objects.current().filter(user_id=user.pk).values("organisation_id")
    return Q(**{f"{prefix}issued_by_id": user.pk}) | Q(**{f"{prefix}organisation_id__in": orgs})


class TaskQuerySet(models.QuerySet):
    def restrict(self, user) -> "TaskQuerySet":
        """Tasks `user` may follow: issued by them or their organisation, or sent to an area
        within their `view_area` reach (the grid staff see the tasks of their grids)."""
        if user is None or not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        sent = Assignment.objects.filter(covering_q(user, "view_area")).values("task_id")
        return self.filter(issued_q(user) | Q(pk__in=sent))


class Task(models.Model):
    """A task sent down to the grids (see the module docstring)."""

    title = models.CharField(_("任务名称"), max_length=100)
    instructions = models.TextField(_("工作要求"))
    attachment = models.FileField(_("附件"), upload_to="tasks/%Y/%m/", blank=True)
    item_version = models.ForeignKey(
        "catalog.ServiceItemVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("清单事项"),
    )
    temporary_matter = models.ForeignKey(
        "catalog.TemporaryMatter",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("经同意的临时事项"),
    )
    areas = models.ManyToManyField(Area, related_name="+", verbose_name=_("下派范围"))
    organisation = models.ForeignKey(
        "personnel.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("下派单位")
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("下派人")
    )
    result_kind = models.CharField(_("反馈方式"), max_length=10, choices=ResultKind.choices, default=ResultKind.GRID)
    working_days = models.PositiveSmallIntegerField(_("办理时限（工作日）"))
    warn_at = models.DateTimeField(_("预警时间"))
    due_at = models.DateTimeField(_("截止时间"))
    issued_at = models.DateTimeField(_("下派时间"), auto_now_add=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("下派任务")
        verbose_name_plural = _("下派任务")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(item_version__isnull=False, temporary_matter__isnull=True)
                | Q(item_version__isnull=True, temporary_matter__isnull=False),
                name="task_one_basis",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def basis(self):
        """What authorises the task (Art. 19): the item version or the temporary matter."""
        return self.item_version or self.temporary_matter


class TaskAssignmentQuerySet(models.QuerySet):
    def restrict(self, user) -> "TaskAssignmentQuerySet":
        """Assignments of grids within `user`'s `view_area` reach, or of tasks they issued."""
        if user is None or not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(covering_q(user, "view_area") | issued_q(user, "task"))


class Assignment(models.Model):
    """One grid's share of a task. `due_at`/`warn_at` are the task's (copied at issue so the
    sweep reads one indexed table); `warned_at`/`overdue_at` record the sweep's alerts,
    each set once (the condition `IS NULL` in the sweep's UPDATE)."""

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="assignments")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("网格"))
    township = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("乡镇（街道）"))
    status = models.CharField(
        _("状态"), max_length=12, choices=AssignmentStatus.choices, default=AssignmentStatus.RECEIVED
    )
    version = models.PositiveIntegerField(default=1)
    warn_at = models.DateTimeField()
    due_at = models.DateTimeField()
    warned_at = models.DateTimeField(null=True, blank=True)
    overdue_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    result = models.TextField(_("办理结果"), blank=True)
    photo = models.ImageField(_("照片"), upload_to="tasks/results/%Y/%m/", blank=True)
    return_reason = models.TextField(_("退回理由"), blank=True)
    urged = models.PositiveIntegerField(_("催办次数"), default=0)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    objects = TaskAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("网格任务")
        verbose_name_plural = _("网格任务")
        ordering = ["due_at", "id"]
        constraints = [models.UniqueConstraint(fields=["task", "area"], name="assignment_one_per_grid")]
        indexes = [
            models.Index(fields=["warn_at"], name="assignment_warn", condition=Q(warned_at__isnull=True)),
            models.Index(fields=["due_at"], name="assignment_due", condition=Q(overdue_at__isnull=True)),
            models.Index(fields=["task", "township", "status"], name="assignment_progress"),
        ]

    def __str__(self) -> str:
        return f"{self.task} · {self.area.name}"

    @property
    def late(self) -> bool:
        """Overdue (marked by the sweep) and not done."""
        return self.overdue_at is not None and self.status != AssignmentStatus.DONE


class HouseholdResult(models.Model):
    """A per-household result of an assignment: a ledgers `Visit` and its outcome."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="results")
    visit = models.OneToOneField("ledgers.Visit", on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey("ledgers.Household", on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(_("结果"), max_length=12, choices=Outcome.choices)

    class Meta:
        verbose_name = _("入户结果")
        verbose_name_plural = _("入户结果")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "household"], name="household_result_once"),
        ]

    def __str__(self) -> str:
        return f"{self.household} · {self.get_outcome_display()}"


class Log(models.Model):
    """A row of an assignment's timeline (steps, urges, the sweep's alerts)."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="logs")
    kind = models.CharField(max_length=12, choices=LogKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    note = models.TextField(blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}"
