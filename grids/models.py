"""The area tree: (province →) city → county → township → village/community → grid → micro-grid.

One django-mptt tree holds the statistical divisions and the grids drawn inside them
(Art. 2, 6, 7, 9): Ningbo's city at the root, or a whole province above its cities.
Divisions keep their 12-digit NBS code; a grid's code is its village's code plus 3
digits, a micro-grid's its grid's code plus 3 digits. A node is never deleted: a
retired grid stays in the tree (status `retired`) so its code is never reused and the
staff and events that point at it keep working.

Writes go through `grids.services` only; they hold the tree lock (see `grids.locking`).
"""

import uuid

from django.conf import settings
from django.db import connections, models
from django.utils.translation import gettext_lazy as _
from mptt.managers import TreeManager
from mptt.models import MPTTModel, TreeForeignKey
from mptt.querysets import TreeQuerySet

from .choices import BAND_LEVEL, ChangeKind, GridType, Level, Status, VillageKind


class AreaQuerySet(TreeQuerySet):
    def active(self) -> "AreaQuerySet":
        return self.filter(status=Status.ACTIVE)

    def grids(self) -> "AreaQuerySet":
        return self.filter(level=Level.GRID)

    def within(self, node: "Area", include_self: bool = True) -> "AreaQuerySet":
        """Nodes in `node`'s subtree: one range condition on the MPTT columns.

        `lft` is bounded on both sides (redundant in a valid tree, where a descendant's
        `lft` lies within its ancestor's range) so the planner sees one narrow index range.
        """
        if include_self:
            return self.filter(tree_id=node.tree_id, lft__gte=node.lft, lft__lte=node.rght, rght__lte=node.rght)
        return self.filter(tree_id=node.tree_id, lft__gt=node.lft, lft__lt=node.rght, rght__lt=node.rght)


class AreaManager(TreeManager):
    """django-mptt's manager, with the shift of an insert confined to one township.

    django-mptt makes room for a new node by shifting `lft`/`rght` of every later row
    of the tree: half of a province's 560,000 rows. When the tree is numbered with gaps
    after each township (`grids.choices.BAND_LEVEL`, `grids.treebuild.number_tree`), the
    room is taken from the gap after the township that holds the insert point instead:
    only that township's later rows move, and the county, city and province above keep
    their numbers. Without a township there,
    or with its gap used up, django-mptt's own shift runs (correct, just slower).
    """

    def _manage_space(self, size: int, target: int, tree_id: int) -> None:
        band = None if self.tree_model._mptt_is_tracking else self._band(size, target, tree_id)
        if band is None:
            super()._manage_space(size, target, tree_id)
            return
        start, limit = band
        table = connections[self.db].ops.quote_name(self.model._meta.db_table)
        # Columns and table come from the model; values go as parameters. The rows that move
        # lie in the township (`lft` from the township's to the gap's end): one range of the area index.
        sql = (
            f"UPDATE {table} SET lft = CASE WHEN lft > %s THEN lft + %s ELSE lft END,"  # noqa: S608
            " rght = CASE WHEN rght > %s THEN rght + %s ELSE rght END"
            " WHERE tree_id = %s AND lft >= %s AND lft < %s AND rght < %s AND (lft > %s OR rght > %s)"
        )
        with connections[self.db].cursor() as cursor:
            cursor.execute(sql, [target, size, target, size, tree_id, start, limit, limit, target, target])

    def append_block(self, parent: "Area", nodes: "list[tuple[Area, list[Area]]]") -> None:
        """Save new nodes as the last children of `parent`, each with its own new children.

        `nodes` is a list of (unsaved node, its unsaved children); the children's parent is
        set here. Their codes must sort after the codes of `parent`'s existing children
        (`order_insertion_by`), as codes one above the highest ever used do. Room for the
        whole block is made with one shift (`_manage_space`, inside the township's gap), the
        `lft`/`rght` numbers of the block are computed in order, and each level is written
        with one INSERT: a split's parts and their micro-grids cost three statements, not a
        tree insert per node. `parent`'s own `rght` is updated in place (its ancestors' are
        not). Call inside `grids.locking.tree_lock()`.
        """
        place = self.filter(pk=parent.pk).values("tree_id", "rght", "depth").get()
        tree_id, position, depth = place["tree_id"], place["rght"], place["depth"]
        size = 2 * sum(1 + len(children) for _, children in nodes)
        self._manage_space(size, position - 1, tree_id)
        parent.rght = position + size  # the instance in hand stays true to the table
        for node, children in nodes:
            node.parent, node.tree_id, node.depth, node.lft = parent, tree_id, depth + 1, position
            for child in children:
                child.tree_id, child.depth, child.lft, child.rght = tree_id, depth + 2, position + 1, position + 2
                position += 2
            node.rght = position + 1
            position += 2
        self.bulk_create([node for node, _ in nodes])
        for node, children in nodes:
            for child in children:
                child.parent = node
        if grandchildren := [child for _, children in nodes for child in children]:
            self.bulk_create(grandchildren)

    def _band(self, size: int, target: int, tree_id: int) -> tuple[int, int] | None:
        """(`lft` of the township around `target`, first number after its gap), if the gap fits `size`."""
        band = (
            self.order_by()
            .filter(tree_id=tree_id, level=BAND_LEVEL, lft__lte=target, rght__gte=target)
            .values("lft", "rght", "parent_id")
            .first()
        )
        if band is None or band["parent_id"] is None:
            return None
        after = self.filter(parent_id=band["parent_id"], lft__gt=band["rght"]).order_by("lft").values("lft")[:1]
        parent_rght = self.filter(pk=band["parent_id"]).values_list("rght", flat=True).first()
        limit = min(x for x in (after.values_list("lft", flat=True).first(), parent_rght) if x is not None)
        return (band["lft"], limit) if band["rght"] + size < limit else None


class Area(MPTTModel):
    """A node of the one tree: a division (city … village) or a grid / micro-grid.

    `code` is the unified code of Art. 9 (12 digits for divisions, 15 for grids, 18 for
    micro-grids); it is unique across all time. `households` is the household count a
    grid was drawn by (Art. 6), `scale` the free-text scale of a dedicated grid.
    `boundary` is an optional GeoJSON Polygon or MultiPolygon (WGS 84 lon/lat).
    `effective_from`/`effective_to` are local dates (Asia/Shanghai) of the adjustment
    that created or retired the node.
    """

    code = models.CharField(_("统一编码"), max_length=18, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=12, choices=Level.choices, db_index=True)
    parent = TreeForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("上级")
    )
    village_kind = models.CharField(_("村/社区"), max_length=8, choices=VillageKind.choices, blank=True)
    grid_type = models.CharField(_("网格类型"), max_length=12, choices=GridType.choices, blank=True)
    households = models.PositiveIntegerField(_("户数"), null=True, blank=True)
    scale = models.CharField(_("规模"), max_length=200, blank=True)
    area_description = models.TextField(_("区域范围"), blank=True)
    boundary = models.JSONField(_("边界（GeoJSON）"), null=True, blank=True)
    supervision_phone = models.CharField(_("监督电话"), max_length=30, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    effective_from = models.DateField(_("生效日期"), null=True, blank=True)
    effective_to = models.DateField(_("撤销日期"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="predecessors",
        verbose_name=_("并入/继承网格"),
        help_text=_("撤销或合并后，承接其工作的网格。"),
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = AreaManager.from_queryset(AreaQuerySet)()

    class MPTTMeta:
        order_insertion_by = ["code"]
        # `level` is the domain's level (city … micro_grid); MPTT's depth goes elsewhere.
        level_attr = "depth"

    class Meta:
        verbose_name = _("区域/网格")
        verbose_name_plural = _("区域/网格")
        # Object permissions granted on a node cover its whole subtree (personnel.scope).
        permissions = [
            ("report_event", _("上报网格事件")),
            ("self_handle_event", _("就地处置网格事件")),
            ("verify_event", _("核查网格事件")),
            ("dispatch_event", _("受理、派遣网格事件")),
            ("supervise_area", _("督办、考评")),
            ("adjust_area", _("调整网格")),
            ("manage_catalog", _("管理事项清单")),
            ("cosign_catalog", _("会签事项清单（机构编制）")),
            ("view_personal_data", _("查看个人信息明文")),
            ("keep_ledgers", _("采集、维护基础信息台账")),
            ("export_personal_data", _("导出含个人信息的台账")),
            ("manage_staff", _("管理网格服务管理人员")),
        ]
        indexes = [models.Index(fields=["tree_id", "lft", "rght"], name="area_range_idx")]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def is_grid(self) -> bool:
        return self.level in (Level.GRID, Level.MICRO_GRID)

    @property
    def is_active(self) -> bool:
        return self.status == Status.ACTIVE

    def ancestor_at(self, level: str) -> "Area | None":
        """The ancestor (or self) at `level`, or None if this node sits above it."""
        if self.level == level:
            return self
        return self.get_ancestors().filter(level=level).first()


class AreaChange(models.Model):
    """One adjustment of the tree (Art. 9 动态调整): who, when, what, before and after.

    `before` and `after` are JSON snapshots of the fields that changed (name, boundary,
    households …). `related` lists the codes of the other nodes involved (the pieces of
    a split, the grids merged). Rows are only ever added.
    """

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="changes", verbose_name=_("区域"))
    kind = models.CharField(_("调整类型"), max_length=10, choices=ChangeKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("操作人")
    )
    at = models.DateTimeField(_("记录时间"), auto_now_add=True, db_index=True)
    effective_date = models.DateField(_("生效日期"), null=True, blank=True)
    before = models.JSONField(_("调整前"), default=dict, blank=True)
    after = models.JSONField(_("调整后"), default=dict, blank=True)
    related = models.JSONField(_("相关编码"), default=list, blank=True)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("调整记录")
        verbose_name_plural = _("调整记录")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.area.code}"


class HouseholdRule(models.Model):
    """The city authority's household range for one grid type at one level (Art. 7 具体办法).

    One row per (city, grid type, grid/micro-grid); `min_households` / `max_households`
    are inclusive bounds, either empty for "no bound". The rule applies to every grid of
    that type and level in the city's subtree when an adjustment sets its households
    (`grids.rules.households_problem`). Changed only through `grids.rules.rule_set`,
    which bumps `version` and writes an `AreaChange` (kind `rule`) on the city node.
    """

    city = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="household_rules", verbose_name=_("市"), db_index=False
    )
    grid_type = models.CharField(_("网格类型"), max_length=10, choices=GridType.choices)
    level = models.CharField(
        _("层级"), max_length=12, choices=[(Level.GRID, _("网格")), (Level.MICRO_GRID, _("微网格"))]
    )
    min_households = models.PositiveIntegerField(_("最少户数"), null=True, blank=True)
    max_households = models.PositiveIntegerField(_("最多户数"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("网格户数规则")
        verbose_name_plural = _("网格户数规则")
        constraints = [
            models.UniqueConstraint(fields=["city", "grid_type", "level"], name="grids_household_rule_unique"),
            models.CheckConstraint(
                condition=models.Q(min_households__isnull=True)
                | models.Q(max_households__isnull=True)
                | models.Q(min_households__lte=models.F("max_households")),
                name="grids_household_rule_min_le_max",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.city.code} {self.grid_type} {self.level}"


class TreeVersion(models.Model):
    """A counter that every write to the area tree increments (in `grids.locking.tree_lock`).

    It commits (or rolls back) with the write, so a process that caches something built
    from the tree — the locate index (`grids.locate`) — compares the version it built
    from with this one and rebuilds when they differ. `stamp` is new at every write
    too: a number reached again after a rollback (as in tests) never matches an old
    cache. One row, id 1.
    """

    number = models.BigIntegerField(default=0)
    stamp = models.UUIDField(default=uuid.uuid4)

    class Meta:
        verbose_name = _("区域树版本")
        verbose_name_plural = _("区域树版本")

    def __str__(self) -> str:
        return str(self.number)

    @classmethod
    def current(cls, using: str = "default") -> tuple[int, uuid.UUID | None]:
        """(number, stamp) now; (0, None) before the first write."""
        return cls.objects.using(using).filter(pk=1).values_list("number", "stamp").first() or (0, None)

    @classmethod
    def bump(cls, using: str = "default") -> None:
        """Increment the number and renew the stamp inside the caller's transaction."""
        rows = cls.objects.using(using).filter(pk=1)
        if not rows.update(number=models.F("number") + 1, stamp=uuid.uuid4()):
            cls.objects.using(using).get_or_create(pk=1, defaults={"number": 1})
