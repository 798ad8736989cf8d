"""Every change to the area tree (Art. 7, 9 网格动态调整).

One function per adjustment, keyword-only arguments, the acting user passed as
`actor` (None for the system: imports, seeding). Each runs in one transaction holding
the tree lock (`grids.locking.tree_lock`), validates first and raises
`django.core.exceptions.ValidationError` with Chinese messages keyed by field (nothing
changes then), changes the tree, and writes one `AreaChange` row per node touched with
before/after snapshots and the codes of the other nodes involved.

Nodes are never deleted: a retired grid keeps its code (never reused), its staff
assignments and its events, and points at its `successor`. Codes never change: a
micro-grid cannot move to another grid, so when its grid is split or merged it is
re-created under the new grid (new code) and the old one retired with that successor.

`effective_date` is the local date (Asia/Shanghai) the adjustment takes effect;
default today. Adjustments apply when saved, so a date after today is refused
(`grids.rules.effective_date_checked`, key `effective_date`); an earlier date records
an adjustment decided before. The households a created, redrawn, split or merged grid
ends with are checked against the city authority's rule for its type and level
(`grids.rules.households_checked`, Art. 7): outside it the adjustment is refused unless
`exception_reason` gives the reason, which the history rows then record.

Each adjustment is authorised by `personnel.scope.authorize`: a user actor needs
`adjust_area` on every node it changes (the parent, for a new node), else
`PermissionDenied`; the system (None) may do anything.
"""

import datetime
from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from personnel.roles import ADJUST
from personnel.scope import authorize

from .adjusting import (
    change,
    copy_history,
    micro_grid_copies,
    reserve_codes,
    retirement,
    snapshot,
    write_retirements,
)
from .boundaries import block_placement_problems, placement_problems
from .choices import GRID_LEVELS, ChangeKind, GridType, Level, Status, VillageKind
from .geometry import union_boundary, validate_boundary
from .locking import tree_lock
from .models import Area
from .rules import effective_date_checked, households_checked, households_value

#: The level a new child of each level gets (only grids are drawn by hand).
CHILD_LEVEL = {Level.VILLAGE: Level.GRID, Level.GRID: Level.MICRO_GRID}

#: What `authorize` says to a user without `adjust_area` on the node (the 403 page's wording).
NOT_ADJUSTER = gettext_lazy("您没有执行此操作的权限。")


def _validate_name(name: str, parent: Area, exclude: Sequence[int] = ()) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写名称。")})
    if len(name) > 100:
        raise ValidationError({"name": _("名称不能超过 100 个字。")})
    clash = Area.objects.filter(parent=parent, name=name, status=Status.ACTIVE).exclude(pk__in=exclude)
    if clash.exists():
        raise ValidationError({"name": _("同一上级下已有同名的在用网格。")})
    return name


def _fresh(area: Area) -> Area:
    """Re-read `area` inside the lock: MPTT numbers read before it may be stale."""
    return Area.objects.select_related("parent", "successor").get(pk=area.pk)


def _require_active_grid(area: Area, field: str = "area") -> None:
    if area.level not in GRID_LEVELS:
        raise ValidationError({field: _("只能调整网格或微网格，行政区划由区划导入维护。")})
    if area.status != Status.ACTIVE:
        raise ValidationError({field: _("%(code)s 已撤销，不能再调整。") % {"code": area.code}})


def _record(
    area: Area, kind: str, actor: User | None, effective_date, before=None, after=None, related=(), note=""
) -> None:
    change(area, kind, actor, effective_date, before, after, related, note).save()


def area_create(
    *,
    actor: User | None,
    parent: Area,
    name: str,
    grid_type: str = "",
    households: int | None = None,
    scale: str = "",
    area_description: str = "",
    boundary=None,
    supervision_phone: str = "",
    effective_date: datetime.date | None = None,
    note: str = "",
    related: Sequence[str] = (),
    exception_reason: str = "",
) -> Area:
    """Draw a grid under a village/community, or a micro-grid under a grid (Art. 6, 7, 9).

    The code is the parent's code + the next 3-digit number. `grid_type` of a grid
    defaults to the village's kind (urban community / rural); a micro-grid takes its
    grid's type. `supervision_phone` defaults to the parent's. `boundary` is GeoJSON
    (see `validate_boundary`). `households` outside the city's rule for the type needs
    `exception_reason` (module docstring). Raises ValidationError (keys: parent, name,
    grid_type, households, boundary, effective_date). Returns the saved node.
    """
    authorize(actor, ADJUST, parent, message=NOT_ADJUSTER)
    effective_date = effective_date_checked(effective_date)
    with tree_lock():
        parent = _fresh(parent)
        area = _new_node(
            parent,
            code=None,
            name=name,
            grid_type=grid_type,
            households=households,
            scale=scale,
            area_description=area_description,
            boundary=boundary,
            supervision_phone=supervision_phone,
            effective_date=effective_date,
        )
        exception = households_checked(
            within=parent,
            grid_type=area.grid_type,
            level=area.level,
            counts=[(area.name, area.households)],
            reason=exception_reason,
            field="households",
        )
        if problems := placement_problems(area, area.boundary):
            raise ValidationError({"boundary": problems})
        area.save()
        note = "；".join(text for text in (note, exception) if text)
        _record(area, ChangeKind.CREATE, actor, effective_date, after=snapshot(area), related=related, note=note)
    return area


def _new_node(
    parent: Area, *, code: str | None, effective_date: datetime.date, exclude: Sequence[int] = (), **fields: Any
) -> Area:
    """`area_create`'s node, validated but unsaved and not yet placed (its boundary unchecked
    against its family). `fields` are `area_create`'s (name, grid_type, households, scale,
    area_description, boundary, supervision_phone). `code` None: the next free code under
    `parent` (one query); `exclude`: active siblings whose names may be taken (a split
    grid's). Raises ValidationError as `area_create` does.
    """
    grid_type, households, boundary = fields.get("grid_type", ""), fields.get("households"), fields.get("boundary")
    level = CHILD_LEVEL.get(parent.level)
    if level is None:
        raise ValidationError({"parent": _("只能在村（社区）下新建网格，或在网格下新建微网格。")})
    if parent.status != Status.ACTIVE:
        raise ValidationError({"parent": _("上级 %(code)s 已撤销。") % {"code": parent.code}})
    errors, name = {}, ""
    try:
        name = _validate_name(fields.get("name", ""), parent, exclude=exclude)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if level == Level.MICRO_GRID:
        if grid_type and grid_type != parent.grid_type:
            errors["grid_type"] = [_("微网格的类型与所属网格相同。")]
        grid_type = parent.grid_type
    else:
        grid_type = grid_type or (GridType.URBAN if parent.village_kind == VillageKind.URBAN else GridType.RURAL)
        if grid_type not in GridType.values:
            errors["grid_type"] = [_("网格类型无效。")]
    try:
        households = households_value(households)
    except ValidationError as exc:
        errors["households"] = exc.messages
    try:
        boundary = validate_boundary(boundary)
    except ValidationError as exc:
        errors["boundary"] = exc.messages
    if errors:
        raise ValidationError(errors)
    return Area(
        parent=parent,
        level=level,
        code=code or reserve_codes(parent, 1)[0],
        name=name,
        grid_type=grid_type,
        households=households,
        scale=fields.get("scale", ""),
        area_description=fields.get("area_description", ""),
        boundary=boundary,
        supervision_phone=fields.get("supervision_phone") or parent.supervision_phone,
        effective_from=effective_date,
    )


def area_rename(*, actor: User | None, area: Area, name: str, effective_date: datetime.date | None = None) -> Area:
    """Rename a grid or micro-grid; the code stays. Raises ValidationError (area, name)."""
    authorize(actor, ADJUST, area, message=NOT_ADJUSTER)
    effective_date = effective_date_checked(effective_date)
    with tree_lock():
        area = _fresh(area)
        _require_active_grid(area)
        name = _validate_name(name, area.parent, exclude=[area.pk])
        if name == area.name:
            raise ValidationError({"name": _("新名称与原名称相同。")})
        before = snapshot(area, ["name"])
        area.name = name
        area.save(update_fields=["name", "updated_at"])
        _record(area, ChangeKind.RENAME, actor, effective_date, before=before, after=snapshot(area, ["name"]))
    return area


_UNSET = object()


def area_redraw(
    *,
    actor: User | None,
    area: Area,
    area_description=_UNSET,
    boundary=_UNSET,
    households=_UNSET,
    scale=_UNSET,
    effective_date: datetime.date | None = None,
    exception_reason: str = "",
) -> Area:
    """Change a grid's extent: area description (区域范围), GeoJSON boundary, households, scale.

    Only the arguments given change. Changed households outside the city's rule need
    `exception_reason` (module docstring). Raises ValidationError (area, households,
    boundary, effective_date, or `__all__` when nothing changes).
    """
    authorize(actor, ADJUST, area, message=NOT_ADJUSTER)
    effective_date = effective_date_checked(effective_date)
    with tree_lock():
        area = _fresh(area)
        _require_active_grid(area)
        changes: dict[str, Any] = {}
        errors = {}
        if area_description is not _UNSET:
            changes["area_description"] = (area_description or "").strip()
        if scale is not _UNSET:
            changes["scale"] = (scale or "").strip()
        if households is not _UNSET:
            try:
                changes["households"] = households_value(households)
            except ValidationError as exc:
                errors["households"] = exc.messages
        if boundary is not _UNSET:
            try:
                changes["boundary"] = validate_boundary(boundary)
                if problems := placement_problems(area, changes["boundary"]):
                    errors["boundary"] = problems
            except ValidationError as exc:
                errors["boundary"] = exc.messages
        if errors:
            raise ValidationError(errors)
        changes = {field: value for field, value in changes.items() if getattr(area, field) != value}
        if not changes:
            raise ValidationError(_("没有需要调整的内容。"))
        exception = ""
        if "households" in changes:
            exception = households_checked(
                within=area,
                grid_type=area.grid_type,
                level=area.level,
                counts=[(area.name, changes["households"])],
                reason=exception_reason,
                field="households",
            )
        before = snapshot(area, list(changes))
        for field, value in changes.items():
            setattr(area, field, value)
        area.save(update_fields=[*changes, "updated_at"])
        after = snapshot(area, list(changes))
        _record(area, ChangeKind.REDRAW, actor, effective_date, before=before, after=after, note=exception)
    return area


def area_split(
    *,
    actor: User | None,
    area: Area,
    parts: list[dict],
    micro_grid_parts: dict[str, int] | None = None,
    effective_date: datetime.date | None = None,
    exception_reason: str = "",
) -> list[Area]:
    """Split one grid (or micro-grid) into two or more new ones under the same parent.

    `parts` is a list of dicts with `name` (required), `households`,
    `area_description`, `boundary`, `scale`. The old node is retired with the first
    part as successor and all new codes recorded. Its active micro-grids are
    re-created under the part given by `micro_grid_parts` (old micro-grid code → index
    into `parts`; default the first part). A part's households outside the city's rule
    for the grid's type need `exception_reason` (module docstring; one rule read).
    Raises ValidationError (area, parts, name, effective_date …). Returns the new nodes
    in `parts` order.

    The parts and the micro-grids' copies are written as one block (`grids.adjusting`):
    a fixed number of statements whatever the number of micro-grids.
    """
    authorize(actor, ADJUST, area, message=NOT_ADJUSTER)
    effective_date = effective_date_checked(effective_date)
    micro_grid_parts = micro_grid_parts or {}
    with tree_lock():
        area = _fresh(area)
        _require_active_grid(area)
        if len(parts) < 2:
            raise ValidationError({"parts": _("拆分至少要有两个新网格。")})
        names = [(part.get("name") or "").strip() for part in parts]
        if len(set(names)) != len(names):
            raise ValidationError({"parts": _("新网格的名称不能重复。")})
        if any(not 0 <= index < len(parts) for index in micro_grid_parts.values()):
            raise ValidationError({"parts": _("微网格归属的新网格序号无效。")})
        parent = area.parent
        new_areas = [
            _new_node(
                parent,
                code=code,
                name=part.get("name", ""),
                grid_type=area.grid_type,
                households=part.get("households"),
                scale=part.get("scale", ""),
                area_description=part.get("area_description", ""),
                boundary=part.get("boundary"),
                supervision_phone=area.supervision_phone,
                effective_date=effective_date,
                exclude=[area.pk],  # a part may keep the old name
            )
            for code, part in zip(reserve_codes(parent, len(parts)), parts, strict=True)
        ]
        exception = households_checked(
            within=area,
            grid_type=area.grid_type,
            level=area.level,
            counts=[(part.name, part.households) for part in new_areas],
            reason=exception_reason,
            field="parts",
        )
        micros = list(Area.objects.filter(parent=area, status=Status.ACTIVE).order_by("code"))
        targets = [new_areas[micro_grid_parts.get(micro.code, 0)] for micro in micros]
        copies = micro_grid_copies(micros, targets, effective_date=effective_date)
        if problems := block_placement_problems(parent, [*new_areas, *copies], [*new_areas, *copies]):
            raise ValidationError({"boundary": problems})
        Area.objects.append_block(
            parent, [(part, [copy for copy in copies if copy.parent is part]) for part in new_areas]
        )
        history = [
            change(
                part,
                ChangeKind.CREATE,
                actor,
                effective_date,
                after=snapshot(part),
                related=[area.code],
                note="；".join(text for text in (f"由 {area.code} 拆分", exception) if text),
            )
            for part in new_areas
        ]
        history += copy_history(micros, copies, actor=actor, effective_date=effective_date)
        moved = [f"{micro.code}→{copy.code}" for micro, copy in zip(micros, copies, strict=True)]
        split = retirement(
            area,
            successor=new_areas[0],
            actor=actor,
            effective_date=effective_date,
            kind=ChangeKind.SPLIT,
            related=[a.code for a in new_areas],
        )
        split.after |= {"parts": [a.code for a in new_areas], "micro_grids": moved}
        write_retirements([*micros, area], [*history, split])
    return new_areas


def area_merge(
    *,
    actor: User | None,
    areas: list[Area],
    into: Area | None = None,
    name: str = "",
    area_description: str | None = None,
    effective_date: datetime.date | None = None,
    exception_reason: str = "",
) -> Area:
    """Merge two or more sibling grids (or micro-grids) into one (Art. 9).

    With `into` (one of `areas`) that node survives; otherwise a new node named `name`
    is created under the common parent. The survivor's households become the sum.
    The others are retired with the survivor as successor, their active micro-grids
    re-created under it. When every merged node has a boundary, the survivor's is their
    union (the old ones stay in the history). A sum outside the city's rule for the
    type needs `exception_reason` (module docstring). Raises ValidationError (areas,
    into, name, households, effective_date). Returns the survivor.

    The micro-grids' copies (and a new survivor) are written as one block
    (`grids.adjusting`): a fixed number of statements whatever the number moved.
    """
    for node in areas:
        authorize(actor, ADJUST, node, message=NOT_ADJUSTER)
    effective_date = effective_date_checked(effective_date)
    with tree_lock():
        areas = [_fresh(a) for a in {a.pk: a for a in areas}.values()]
        if len(areas) < 2:
            raise ValidationError({"areas": _("合并至少需要两个网格。")})
        for a in areas:
            _require_active_grid(a, field="areas")
        if len({(a.parent_id, a.level) for a in areas}) != 1:
            raise ValidationError({"areas": _("只能合并同一上级下的同级网格。")})
        if into is not None and into.pk not in {a.pk for a in areas}:
            raise ValidationError({"into": _("保留的网格必须是被合并的网格之一。")})
        if into is None and not (name or "").strip():
            raise ValidationError({"name": _("请填写合并后新网格的名称。")})
        counts = [a.households for a in areas if a.households is not None]
        total = sum(counts) if counts else None
        codes = [a.code for a in areas]
        parent = areas[0].parent
        kept = next((a for a in areas if into is not None and a.pk == into.pk), None)
        exception = households_checked(
            within=parent,
            grid_type=(kept or areas[0]).grid_type,
            level=areas[0].level,
            counts=[(kept.name if kept else name.strip(), total)],
            reason=exception_reason,
            field="households",
        )
        history = []
        if into is None:
            survivor = _new_node(
                parent,
                code=None,
                name=name,
                grid_type=areas[0].grid_type,
                households=total,
                area_description=area_description
                if area_description is not None
                else "；".join(a.area_description for a in areas if a.area_description),
                supervision_phone=areas[0].supervision_phone,
                effective_date=effective_date,
            )
            note = f"由 {'、'.join(codes)} 合并"
            history.append(
                change(
                    survivor,
                    ChangeKind.CREATE,
                    actor,
                    effective_date,
                    after=snapshot(survivor),
                    related=codes,
                    note=note,
                )
            )
        else:
            survivor = next(a for a in areas if a.pk == into.pk)
        before = snapshot(survivor, ["households", "area_description", "boundary"])
        others = [a for a in areas if a.pk != survivor.pk]
        boundary = union_boundary([a.boundary for a in areas])
        survivor.households = total
        survivor.boundary = boundary if boundary is not None else survivor.boundary
        if into is not None and area_description is not None:
            survivor.area_description = area_description
        if survivor.pk:  # before the micro-grids move in, so they are checked against it
            Area.objects.filter(pk=survivor.pk).update(
                households=survivor.households,
                area_description=survivor.area_description,
                boundary=survivor.boundary,
                updated_at=timezone.now(),
            )
        order = {a.pk: n for n, a in enumerate(others)}
        micros = sorted(
            Area.objects.filter(parent__in=others, status=Status.ACTIVE),
            key=lambda micro: (order[micro.parent_id], micro.code),
        )
        copies = micro_grid_copies(micros, [survivor] * len(micros), effective_date=effective_date)
        family, new = (survivor, copies) if survivor.pk else (parent, [survivor, *copies])
        if problems := block_placement_problems(family, new, copies):
            raise ValidationError({"boundary": problems})
        if survivor.pk:
            Area.objects.append_block(survivor, [(copy, []) for copy in copies])
        else:
            Area.objects.append_block(parent, [(survivor, copies)])
        history += copy_history(micros, copies, actor=actor, effective_date=effective_date)
        for a in others:
            moved = [f"{m.code}→{c.code}" for m, c in zip(micros, copies, strict=True) if m.parent_id == a.pk]
            history.append(
                retirement(
                    a,
                    successor=survivor,
                    actor=actor,
                    effective_date=effective_date,
                    kind=ChangeKind.MERGE,
                    related=[survivor.code],
                    note=f"并入 {survivor.code}" + (f"；微网格 {'，'.join(moved)}" if moved else ""),
                )
            )
        after = snapshot(survivor, ["households", "area_description", "boundary"])
        related = [c for c in codes if c != survivor.code]
        history.append(change(survivor, ChangeKind.MERGE, actor, effective_date, before, after, related, exception))
        write_retirements([*micros, *others], history)
    return survivor


def area_retire(
    *,
    actor: User | None,
    area: Area,
    successor: Area | None = None,
    note: str = "",
    effective_date: datetime.date | None = None,
) -> Area:
    """Retire a grid or micro-grid (撤销); its active micro-grids are retired with it.

    `successor` (optional, an active grid-level node outside the retired subtree) takes
    over its work. Staff assignments and events keep pointing at the retired node.
    Raises ValidationError (area, successor). Returns the retired node.
    """
    authorize(actor, ADJUST, area, message=NOT_ADJUSTER)
    effective_date = effective_date_checked(effective_date)
    with tree_lock():
        area = _fresh(area)
        _require_active_grid(area)
        if successor is not None:
            successor = _fresh(successor)
            if successor.level not in GRID_LEVELS or successor.status != Status.ACTIVE:
                raise ValidationError({"successor": _("承接的网格必须是在用的网格或微网格。")})
            if area.lft <= successor.lft and successor.rght <= area.rght:
                raise ValidationError({"successor": _("承接的网格不能是被撤销的网格本身或其下级。")})
        children = list(Area.objects.filter(parent=area, status=Status.ACTIVE).order_by("code"))
        history = [
            retirement(
                node,
                successor=successor,
                actor=actor,
                effective_date=effective_date,
                kind=ChangeKind.RETIRE,
                related=[area.code] if node is not area else [c.code for c in children],
                note=f"随所属网格 {area.code} 撤销" if node is not area else note,
            )
            for node in [*children, area]
        ]
        write_retirements([*children, area], history)
    return area
