"""The grid service item list (网格化服务管理事项清单, Art. 12–14, 19, 30).

An `ServiceItem` is the stable identity of a listed matter (its `CC-NNN` code and the
list it belongs to). Its content lives in `ServiceItemVersion` rows: a published
version is never edited; a change is a new version that goes through the same entry
review (proposed → reviewed → co-signed → published on its effective date). Each event
keeps the version it was reported under. `HandlingRule` rows give, per grade, the time
limits that events of the version run against.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from grids.models import Area
from personnel.choices import Department

from .choices import (
    EVER_PUBLISHED,
    LIVE_EXIT,
    Category,
    CloseLevel,
    ExitState,
    Grade,
    ItemKind,
    ListLevel,
    Step,
    TimeUnit,
    VersionState,
)


class ServiceItemQuerySet(models.QuerySet):
    def for_area(self, area: Area) -> "ServiceItemQuerySet":
        """Items that apply in `area`: the city list plus the list of its district (Art. 13)."""
        district = area.ancestor_at("county")
        return self.filter(Q(level=ListLevel.CITY) | Q(level=ListLevel.DISTRICT, district=district))

    def restrict(self, user) -> "ServiceItemQuerySet":
        """Items whose whole record (pending versions, exits) `user` may see in the admin pages.

        City items are visible to every signed-in user; a district item to those who hold
        `manage_catalog` or `cosign_catalog` over its district, and to whoever proposed one
        of its versions. Anonymous users see nothing here (the public list is a selector).
        """
        from personnel.scope import covering_q

        if user is None or not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(
            Q(level=ListLevel.CITY)
            | covering_q(user, "manage_catalog", "district")
            | covering_q(user, "cosign_catalog", "district")
            | Q(versions__proposed_by=user)
        ).distinct()


class ServiceItem(models.Model):
    """A listed matter's identity: code, list level and, for district items, the district."""

    code = models.CharField(_("事项编码"), max_length=12, unique=True)
    level = models.CharField(_("清单层级"), max_length=10, choices=ListLevel.choices, default=ListLevel.CITY)
    district = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="district_items", verbose_name=_("区县")
    )
    current_version = models.ForeignKey(
        "ServiceItemVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("现行版本"),
        help_text=_("今天生效的已发布版本；未发布或已退出时为空。"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ServiceItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("清单事项")
        verbose_name_plural = _("清单事项")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level=ListLevel.CITY, district__isnull=True)
                | Q(level=ListLevel.DISTRICT, district__isnull=False),
                name="item_district_matches_level",
            )
        ]

    def __str__(self) -> str:
        name = self.current_version.name if self.current_version_id else ""
        return f"{self.code} {name}".strip()

    @property
    def latest_version(self) -> "ServiceItemVersion | None":
        """The highest-numbered version, whatever its state."""
        return self.versions.order_by("-number").first()

    def level_node(self) -> Area:
        """The node whose authority keeps this item's list: the district, or the city (Art. 13)."""
        if self.level == ListLevel.DISTRICT:
            return self.district
        from grids.choices import Level

        return Area.objects.filter(level=Level.CITY).order_by("code").first()


class ServiceItemVersionQuerySet(models.QuerySet):
    def in_force(self, on) -> "ServiceItemVersionQuerySet":
        """Versions in force on local date `on`, decided by dates alone (no task needs to run).

        A version is in force from its `effective_from` to its `effective_to` (both
        inclusive) once it has been published; publishing a successor or approving the
        item's exit sets `effective_to`, so superseded and retired versions stay queryable.
        """
        return self.filter(
            Q(state__in=EVER_PUBLISHED),
            Q(effective_from__lte=on),
            Q(effective_to__isnull=True) | Q(effective_to__gte=on),
        )


class ServiceItemVersion(models.Model):
    """One version of an item's content, with its entry state (Art. 13, 14).

    `attributes` is a list of report fields, each
    `{"code": str, "label": str, "type": AttributeType, "required": bool,
    "choices": [{"key": str, "label": str}]}` (choices only for single/multiple).
    `effective_from`/`effective_to` are local dates; a published version is in force
    from `effective_from` until the day before the next version's, or its item's exit.
    """

    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="versions", verbose_name=_("事项"))
    number = models.PositiveIntegerField(_("版本号"))
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    category = models.PositiveSmallIntegerField(_("类别"), choices=Category.choices)
    kind = models.CharField(_("事项类型"), max_length=8, choices=ItemKind.choices, default=ItemKind.EVENT)
    description = models.TextField(_("事项说明"), blank=True)
    guidance = models.TextField(_("工作指引"), blank=True)
    department = models.CharField(_("责任部门"), max_length=24, choices=Department.choices)
    supporting_units = models.CharField(_("配合单位"), max_length=200, blank=True)
    self_handle = models.BooleanField(_("可就地处置"), default=False)
    attributes = models.JSONField(_("上报字段"), default=list, blank=True)
    state = models.CharField(
        _("状态"), max_length=12, choices=VersionState.choices, default=VersionState.DRAFT, db_index=True
    )
    effective_from = models.DateField(_("生效日期"), null=True, blank=True)
    effective_to = models.DateField(_("失效日期"), null=True, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    proposing_organisation = models.ForeignKey(
        "personnel.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ServiceItemVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("事项版本")
        verbose_name_plural = _("事项版本")
        ordering = ["item__code", "number"]
        constraints = [models.UniqueConstraint(fields=["item", "number"], name="item_version_unique_number")]

    def __str__(self) -> str:
        return f"{self.item.code} v{self.number} {self.name}"

    @property
    def display_name(self) -> str:
        """The name in the page's language: `name_en` on an English page when the version
        has one, else the (Chinese) `name` — the data as entered, never machine-translated."""
        if self.name_en and (translation.get_language() or "").startswith("en"):
            return self.name_en
        return self.name

    def is_in_force(self, on=None) -> bool:
        on = on or timezone.localdate()
        return (
            self.state in EVER_PUBLISHED
            and self.effective_from is not None
            and self.effective_from <= on
            and (self.effective_to is None or on <= self.effective_to)
        )

    def rule_for(self, grade: str) -> "HandlingRule | None":
        return next((r for r in self.rules.all() if r.grade == grade), None)


class HandlingRule(models.Model):
    """Time limits for events of one version at one grade (Art. 17 限时办结).

    `accept_limit` is counted from dispatch, `complete_limit` from acceptance (signing),
    each in its own `TimeUnit`. `warning_ratio` is the share of the limit after which the
    yellow warning fires (0.75 = at 75 % of the time). A limit of `None` means the item
    has no deadline at that stage (duty items).
    """

    version = models.ForeignKey(ServiceItemVersion, on_delete=models.CASCADE, related_name="rules")
    grade = models.CharField(_("等级"), max_length=10, choices=Grade.choices)
    accept_limit = models.DecimalField(_("受理时限"), max_digits=6, decimal_places=2, null=True, blank=True)
    accept_unit = models.CharField(_("受理时限单位"), max_length=14, choices=TimeUnit.choices)
    complete_limit = models.DecimalField(_("办结时限"), max_digits=6, decimal_places=2, null=True, blank=True)
    complete_unit = models.CharField(_("办结时限单位"), max_length=14, choices=TimeUnit.choices)
    warning_ratio = models.DecimalField(_("预警点"), max_digits=3, decimal_places=2, default=0.75)
    close_level = models.CharField(_("结案层级"), max_length=10, choices=CloseLevel.choices, default=CloseLevel.GRID)

    class Meta:
        verbose_name = _("办理规则")
        verbose_name_plural = _("办理规则")
        ordering = ["version", "grade"]
        constraints = [models.UniqueConstraint(fields=["version", "grade"], name="rule_unique_grade")]

    def __str__(self) -> str:
        return f"{self.version} {self.get_grade_display()}"


class ItemExit(models.Model):
    """A request to take an item off the list (退出, Art. 13): proposed → cosigned → approved → retired.

    Like entry, an exit is co-signed by the staffing office at the item's level
    (`cosign_catalog`) before the authority approves it.

        `effective_date` (local date) is set on approval; from that day the item is out of
        force and takes no new events, while open events run to their end. The state turns
        `retired` on that date (by the daily refresh; the in-force rule is by date anyway).
    """

    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="exits", verbose_name=_("事项"))
    state = models.CharField(_("状态"), max_length=10, choices=ExitState.choices, default=ExitState.PROPOSED)
    reasons = models.TextField(_("退出理由"))
    effective_date = models.DateField(_("退出日期"), null=True, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("事项退出")
        verbose_name_plural = _("事项退出")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(state__in=LIVE_EXIT),
                name="item_one_live_exit",
            )
        ]

    def __str__(self) -> str:
        return f"{self.item.code} {self.get_state_display()}"


class LifecycleStep(models.Model):
    """One step of an item's entry or exit, append-only: who, for which organisation, when, opinion.

    The one audit log of the catalogue (Art. 13): `version` is set for entry steps
    (proposed, reviewed, co-signed, published, rejected), `item_exit` for exit steps.
    `effective_date` records the date a publication or an exit takes effect.
    """

    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="steps", verbose_name=_("事项"))
    version = models.ForeignKey(
        ServiceItemVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="steps"
    )
    item_exit = models.ForeignKey(ItemExit, on_delete=models.PROTECT, null=True, blank=True, related_name="steps")
    step = models.CharField(_("环节"), max_length=16, choices=Step.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    organisation = models.ForeignKey(
        "personnel.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    opinion = models.TextField(_("意见"), blank=True)
    effective_date = models.DateField(_("生效日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("清单流转记录")
        verbose_name_plural = _("清单流转记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.item.code} {self.get_step_display()} {self.at:%Y-%m-%d}"


class TemporaryMatter(models.Model):
    """An authority's recorded consent to a temporary unlisted matter (Art. 19).

    Grid staff may be asked to handle it only inside `area`'s subtree and between
    `start` and `end` (local dates, inclusive). Recorded by
    `catalog.services.matters.temporary_matter_approve`; never edited afterwards.
    """

    title = models.CharField(_("事项名称"), max_length=100)
    description = models.TextField(_("事项说明"), blank=True)
    requesting_organisation = models.ForeignKey(
        "personnel.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("申请单位"),
    )
    approving_organisation = models.ForeignKey(
        "personnel.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("同意单位"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("同意人")
    )
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("适用范围"))
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    approved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("临时事项")
        verbose_name_plural = _("临时事项")
        ordering = ["-start", "title"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="temporary_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.start}—{self.end}）"

    def applies(self, area: Area, on) -> bool:
        """Whether the consent covers `area` (within its subtree) on local date `on`."""
        return (
            self.start <= on <= self.end
            and self.area.tree_id == area.tree_id
            and self.area.lft <= area.lft
            and area.rght <= self.area.rght
        )
