"""Scorecards (绩效考评, Art. 22) and the dashboard rollups (Art. 11).

A `Scheme` is an authority's scoring rule for one kind of subject (townships, handling
units, grid staff): weighted indicators (`SchemeIndicator`, see `evaluation.indicators`)
plus bonus and penalty rules. A `Period` of a scheme holds one `Score` per subject;
while the period is open its scores are recomputed freely, once frozen they change only
through an explicit, logged recomputation (`RecomputeLog`), which keeps the previous
values. `DailyRollup` holds per-day, per-grid counts of the event record so dashboards
never scan the events table.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.choices import Category, Grade
from catalog.models import ServiceItem
from grids.models import Area
from personnel.models import Organisation

from .choices import AdjustmentKind, PeriodKind, PeriodState, SubjectKind


class Scheme(models.Model):
    """An authority's evaluation scheme for one kind of subject (Art. 22).

    `late_report_hours`: a report whose discovered→reported gap exceeds this many
    natural hours is a late report (迟报); each costs `late_report_penalty` points.
    Each concealed report found later (an `Adjustment` of kind `concealed`) costs
    `concealed_penalty` points. Bonus adjustments add up to `bonus_max` points.
    `accept_hours` and `verify_hours` (natural hours) are the limits the
    "accepted on time" and "verified on time" indicators measure against.
    A scheme used by a frozen period is not changed in place: a change makes a new
    version (`replaces` → the old one, which is deactivated; see
    `services.scheme_revise`). Active names are unique per authority.
    """

    authority = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="schemes", verbose_name=_("主管单位")
    )
    name = models.CharField(_("方案名称"), max_length=100)
    subject_kind = models.CharField(_("考评对象"), max_length=10, choices=SubjectKind.choices)
    period_kind = models.CharField(_("考评周期"), max_length=10, choices=PeriodKind.choices, default=PeriodKind.MONTH)
    late_report_hours = models.DecimalField(_("迟报阈值（小时）"), max_digits=6, decimal_places=1, default=Decimal(24))
    accept_hours = models.DecimalField(_("受理时限（小时）"), max_digits=6, decimal_places=1, default=Decimal(4))
    verify_hours = models.DecimalField(_("核查时限（小时）"), max_digits=6, decimal_places=1, default=Decimal(24))
    bonus_max = models.DecimalField(_("加分上限"), max_digits=6, decimal_places=2, default=Decimal(10))
    late_report_penalty = models.DecimalField(_("每件迟报扣分"), max_digits=6, decimal_places=2, default=Decimal(1))
    concealed_penalty = models.DecimalField(_("每件瞒报扣分"), max_digits=6, decimal_places=2, default=Decimal(2))
    is_active = models.BooleanField(_("启用"), default=True)
    replaces = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revisions",
        verbose_name=_("修订自"),
        help_text=_("已用于冻结考评期的方案不再原地修改：修改时生成新版本，原方案停用。"),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("考评方案")
        verbose_name_plural = _("考评方案")
        ordering = ["authority__name", "subject_kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "name"],
                condition=Q(is_active=True),
                name="scheme_unique_active_name",
                violation_error_message=_("已有同名的启用方案。"),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def options(self) -> dict:
        """The thresholds indicators read, as floats in natural hours."""
        return {
            "late_report_hours": float(self.late_report_hours),
            "accept_hours": float(self.accept_hours),
            "verify_hours": float(self.verify_hours),
        }


class SchemeIndicator(models.Model):
    """One weighted indicator of a scheme, scored linearly (Art. 22).

    The indicator's value scores 0 points at `floor` and the full `weight` at `target`,
    linearly in between and clamped outside. For a lower-is-better indicator, `floor`
    is larger than `target`. A subject without a value (nothing to measure) gets
    `weight` × `missing_ratio` points. `group` is the heading it is reported under
    (e.g. 运行成效, 履职情况, 人员绩效).
    """

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("指标"), max_length=40)
    group = models.CharField(_("分组"), max_length=40, blank=True)
    weight = models.DecimalField(_("分值"), max_digits=6, decimal_places=2)
    floor = models.FloatField(_("零分值"))
    target = models.FloatField(_("满分值"))
    missing_ratio = models.DecimalField(_("无数据得分比例"), max_digits=3, decimal_places=2, default=Decimal("0.5"))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("考评指标")
        verbose_name_plural = _("考评指标")
        ordering = ["scheme", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["scheme", "code"], name="scheme_indicator_once")]

    def __str__(self) -> str:
        return f"{self.scheme} {self.code}"


class Period(models.Model):
    """One evaluation period of a scheme: local dates `start` to `end`, both inclusive."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="periods")
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    state = models.CharField(_("状态"), max_length=10, choices=PeriodState.choices, default=PeriodState.OPEN)
    computed_at = models.DateTimeField(_("计算时间"), null=True, blank=True)
    frozen_at = models.DateTimeField(_("冻结时间"), null=True, blank=True)
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("考评期")
        verbose_name_plural = _("考评期")
        ordering = ["scheme", "-start"]
        constraints = [models.UniqueConstraint(fields=["scheme", "start"], name="period_once")]

    def __str__(self) -> str:
        return f"{self.scheme} {self.start:%Y-%m-%d}～{self.end:%Y-%m-%d}"

    @property
    def is_frozen(self) -> bool:
        return self.state == PeriodState.FROZEN


class Score(models.Model):
    """One subject's score in a period (Art. 22).

    Exactly one of `area` (township), `organisation` (unit), `user` (staff) names the
    subject. `scope_area` is the node whose viewers may see this score (the township,
    the unit's jurisdiction, the staff member's grid). `peer_group` names the peers the
    subject is ranked among (`rank` 1 = best). `values` maps indicator code → measured
    value (or null), `points` maps code → points; `total` = Σ points + bonus − penalty.
    A subject with no measured value for any indicator (无数据) has `rank` None: it is
    listed after the ranked subjects of its group (by label) and not numbered.
    """

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="scores")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    label = models.CharField(_("考评对象"), max_length=150)
    scope_area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    peer_group = models.CharField(_("排名范围"), max_length=150)
    values = models.JSONField(_("指标值"), default=dict)
    points = models.JSONField(_("指标得分"), default=dict)
    bonus = models.DecimalField(_("加分"), max_digits=8, decimal_places=2, default=Decimal(0))
    penalty = models.DecimalField(_("扣分"), max_digits=8, decimal_places=2, default=Decimal(0))
    total = models.DecimalField(_("总分"), max_digits=8, decimal_places=2)
    rank = models.PositiveIntegerField(
        _("排名"), null=True, blank=True, help_text=_("为空：各项指标均无数据（无数据），列出但不参与排名。")
    )

    class Meta:
        verbose_name = _("考评得分")
        verbose_name_plural = _("考评得分")
        ordering = ["period", "peer_group", models.F("rank").asc(nulls_last=True), "label"]
        constraints = [
            models.CheckConstraint(
                condition=Q(area__isnull=False, organisation__isnull=True, user__isnull=True)
                | Q(area__isnull=True, organisation__isnull=False, user__isnull=True)
                | Q(area__isnull=True, organisation__isnull=True, user__isnull=False),
                name="score_one_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.label} {self.total}"


class Adjustment(models.Model):
    """A manual bonus or a concealed report found later, for one subject in a period.

    `points` matters for bonuses only (the penalty of a concealed report is the
    scheme's `concealed_penalty`). `subject_key` is "area:<id>", "org:<id>" or "user:<id>".
    """

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="adjustments")
    subject_key = models.CharField(max_length=30)
    kind = models.CharField(_("类型"), max_length=10, choices=AdjustmentKind.choices)
    points = models.DecimalField(_("分值"), max_digits=6, decimal_places=2, default=Decimal(0))
    reason = models.TextField(_("理由"))
    event_number = models.CharField(_("事件编号"), max_length=20, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("加减分")
        verbose_name_plural = _("加减分")
        ordering = ["period", "created_at"]

    def __str__(self) -> str:
        return f"{self.period} {self.subject_key} {self.get_kind_display()}"


class RecomputeLog(models.Model):
    """An explicit recomputation of a period's scores: who, when, why, and what was there before.

    `previous` is the list of the scores as they were: `[{"label", "subject",
    "values", "points", "bonus", "penalty", "total", "rank"}]` (`rank` null: 未排名).
    """

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="recomputations")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    reason = models.TextField(_("理由"))
    was_frozen = models.BooleanField(default=False)
    previous = models.JSONField(default=list)

    class Meta:
        verbose_name = _("重新计算记录")
        verbose_name_plural = _("重新计算记录")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.period} {self.at:%Y-%m-%d %H:%M}"


class _RollupCounts(models.Model):
    """The counts of `DailyRollup`, shared by its coarser copies (same meaning and dating)."""

    reported = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    self_handled = models.PositiveIntegerField(default=0)
    late_reported = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    due = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    overdue = models.PositiveIntegerField(default=0)
    satisfaction_sum = models.PositiveIntegerField(default=0)
    satisfaction_count = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class _ItemDayRollup(_RollupCounts):
    """Counts of one local day, area, item and grade (the key of `DailyRollup` and `CountyRollup`)."""

    date = models.DateField(_("日期"))
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    category = models.PositiveSmallIntegerField(_("类别"), choices=Category.choices)
    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="+")
    grade = models.CharField(_("等级"), max_length=10, choices=Grade.choices)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.date} {self.area_id} {self.item_id} {self.grade}"


class DailyRollup(_ItemDayRollup):
    """Counts of the event record for one local day, grid, item and grade (Art. 11 dashboards).

    `area` is the grid (micro-grid events roll up into their grid). Each count is dated
    by its own moment (local date, Asia/Shanghai): `reported`, `rejected`,
    `self_handled`, `late_reported` by the report time; `closed` by the closing time;
    `due`, `on_time`, `overdue` by the completion deadline (an event is on time if its
    result was fed back by the deadline, overdue if later or still missing once the
    deadline passed); `satisfaction_sum`/`satisfaction_count` by the rating time.
    Rebuilt by `evaluation.rollups.rollup_refresh`.
    """

    class Meta:
        verbose_name = _("每日汇总")
        verbose_name_plural = _("每日汇总")
        constraints = [
            models.UniqueConstraint(fields=["date", "area", "item", "grade", "category"], name="rollup_once"),
        ]
        indexes = [models.Index(fields=["area", "date"], name="rollup_area_date")]


class CountyRollup(_ItemDayRollup):
    """`DailyRollup` summed per district (county) for one local day, item and grade.

    `area` is the district above the grid (the grid itself where no district is above
    it). What the district and city dashboards read: about 800 rows a day for the
    whole city instead of one per grid, item and grade. Rebuilt with `DailyRollup` by
    `evaluation.rollups.rollup_refresh`.
    """

    class Meta:
        verbose_name = _("区县每日汇总")
        verbose_name_plural = _("区县每日汇总")
        constraints = [
            models.UniqueConstraint(fields=["date", "area", "item", "grade", "category"], name="county_rollup_once"),
        ]
        indexes = [models.Index(fields=["date", "area"], name="county_rollup_date_area")]


class GridRollup(_RollupCounts):
    """`DailyRollup` summed per grid and local day (all items and grades): the grid ranking.

    Rebuilt with `DailyRollup` by `evaluation.rollups.rollup_refresh`.
    """

    date = models.DateField(_("日期"))
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("网格每日汇总")
        verbose_name_plural = _("网格每日汇总")
        constraints = [models.UniqueConstraint(fields=["date", "area"], name="grid_rollup_once")]

    def __str__(self) -> str:
        return f"{self.date} {self.area_id}"


class GridWindowRollup(models.Model):
    """`GridRollup` summed over the standard dashboard windows ending on `end` (the grid ranking).

    One row per grid for each of `evaluation.rollups.WINDOW_DAYS` (the last `days` local
    days up to `end`, inclusive), rebuilt after every refresh, with the grid's code, name
    and place in the tree: the city's grid ranking reads ~15,000 rows of this one table
    instead of a month of per-grid days joined to the tree. Other windows read `GridRollup`.
    """

    end = models.DateField()
    days = models.PositiveSmallIntegerField()
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    # The grid's own columns, copied at refresh: the ranking reads this table alone.
    code = models.CharField(max_length=18)
    name = models.CharField(max_length=100)
    tree_id = models.PositiveIntegerField()
    lft = models.PositiveIntegerField()
    reported = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    due = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    overdue = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("网格窗口汇总")
        verbose_name_plural = _("网格窗口汇总")
        constraints = [models.UniqueConstraint(fields=["end", "days", "area"], name="grid_window_once")]
        indexes = [models.Index(fields=["end", "days", "tree_id", "lft"], name="grid_window_range")]

    def __str__(self) -> str:
        return f"{self.end} {self.days}d {self.area_id}"


class RollupRun(models.Model):
    """One refresh of the rollups: which local dates, when it finished (shown as freshness)."""

    date_from = models.DateField()
    date_to = models.DateField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(db_index=True)
    rows = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("汇总刷新")
        verbose_name_plural = _("汇总刷新")
        ordering = ["-finished_at"]

    def __str__(self) -> str:
        return f"{self.date_from}～{self.date_to} @ {self.finished_at:%Y-%m-%d %H:%M}"
