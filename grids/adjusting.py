"""The set-based steps that the adjustment services share (Art. 9 网格动态调整).

A split or merge re-creates micro-grids under another grid (codes never change, so a
micro-grid cannot move) and retires the originals. Node by node that was a tree insert,
a history row, a savepoint and a `TreeVersion` bump per micro-grid; here each step is
one statement for the whole adjustment:

- `reserve_codes`: the next codes under a parent, one query;
- `micro_grid_copies`: the copies, built in memory (names made free, codes assigned);
- `AreaManager.append_block` (in `grids.models`) saves new nodes with one shift;
- `retirement` retires a node in memory and returns its history row; `write_retirements`
  saves the retired nodes with one UPDATE and every history row with one INSERT, and
  tells the apps above (the ledgers) which micro-grids were succeeded by which
  (`grids.signals.micro_grids_succeeded`), once.

Everything here runs inside the caller's `grids.locking.tree_lock()`.
"""

import datetime
from collections.abc import Sequence

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import ChangeKind, Level, Status
from .models import Area, AreaChange
from .signals import micro_grids_succeeded

#: Fields recorded in `AreaChange.before` / `after`.
SNAPSHOT_FIELDS = (
    "name",
    "grid_type",
    "households",
    "scale",
    "area_description",
    "boundary",
    "supervision_phone",
    "status",
)

#: The fields a retirement writes.
RETIRED_FIELDS = ["status", "effective_to", "successor", "updated_at"]


def snapshot(area: Area, fields=SNAPSHOT_FIELDS) -> dict:
    """The JSON-ready values of `fields` of `area` (dates as ISO strings), with its successor's code."""
    data = {field: getattr(area, field) for field in fields}
    data["successor"] = area.successor.code if area.successor_id else None
    for key, value in data.items():
        if isinstance(value, datetime.date):
            data[key] = value.isoformat()
    return data


def change(
    area: Area, kind: str, actor: User | None, effective_date, before=None, after=None, related=(), note=""
) -> AreaChange:
    """The unsaved history row of one adjustment of `area` (saved or about to be)."""
    return AreaChange(
        area=area,
        kind=kind,
        actor=actor,
        effective_date=effective_date,
        before=before or {},
        after=after or {},
        related=list(related),
        note=note,
    )


def reserve_codes(parent: Area, count: int) -> list[str]:
    """The next `count` free codes under `parent`: its code + 3 digits, above the highest ever used.

    Retired children keep their codes (nodes are never deleted), so a code is never
    reused. Call inside `tree_lock()`. Raises ValidationError (parent) past 999 children.
    """
    highest = Area.objects.filter(parent=parent).aggregate(code=Max("code"))["code"]
    return numbered(parent, int(highest[-3:]) if highest else 0, count)


def numbered(parent: Area, last: int, count: int) -> list[str]:
    """`count` codes under `parent` after its number `last`; ValidationError (parent) past 999."""
    if last + count > 999:
        raise ValidationError({"parent": _("%(code)s 下的编码已用完（最多 999 个）。") % {"code": parent.code}})
    return [f"{parent.code}{number:03d}" for number in range(last + 1, last + count + 1)]


def free_name(name: str, taken: set[str]) -> str:
    """`name`, or `name（2）`… if `taken` (active siblings' names) has it; the result joins `taken`."""
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}（{n}）"
    if len(candidate) > 100:
        raise ValidationError({"name": _("名称不能超过 100 个字。")})
    taken.add(candidate)
    return candidate


def micro_grid_copies(micros: list[Area], targets: list[Area], *, effective_date) -> list[Area]:
    """Unsaved copies of micro-grids `micros`, each under the grid at the same place in `targets`.

    A target already saved gets codes after its highest (one query each, with one query
    for its active children's names); a new target's copies are numbered from 001. A
    copy keeps the original's name (made free beside its new siblings), households,
    scale, description, boundary and supervision phone, and takes its grid's type.
    """
    codes: dict[int, list[str]] = {}
    names: dict[int, set[str]] = {}
    for target in {id(target): target for target in targets}.values():
        count = sum(1 for other in targets if other is target)
        if target.pk:
            codes[id(target)] = reserve_codes(target, count)
            active = Area.objects.filter(parent=target, status=Status.ACTIVE)
            names[id(target)] = set(active.values_list("name", flat=True))
        else:
            codes[id(target)] = numbered(target, 0, count)
            names[id(target)] = set()
    copies = []
    for micro, target in zip(micros, targets, strict=True):
        copies.append(
            Area(
                parent=target,
                level=Level.MICRO_GRID,
                code=codes[id(target)].pop(0),
                name=free_name(micro.name, names[id(target)]),
                grid_type=target.grid_type,
                households=micro.households,
                scale=micro.scale,
                area_description=micro.area_description,
                boundary=micro.boundary,
                supervision_phone=micro.supervision_phone or target.supervision_phone,
                effective_from=effective_date,
            )
        )
    return copies


def copy_history(micros: list[Area], copies: list[Area], *, actor: User | None, effective_date) -> list[AreaChange]:
    """Retire each of `micros` with its (saved) copy as successor, in memory; the history
    rows in order: each copy's creation, then its original's retirement."""
    history = []
    for micro, copy in zip(micros, copies, strict=True):
        history.append(
            change(
                copy,
                ChangeKind.CREATE,
                actor,
                effective_date,
                after=snapshot(copy),
                related=[micro.code],
                note=f"由 {micro.code} 转入",
            )
        )
        history.append(
            retirement(
                micro,
                successor=copy,
                actor=actor,
                effective_date=effective_date,
                kind=ChangeKind.RETIRE,
                related=[copy.code],
                note=f"随所属网格调整转入 {copy.code}",
            )
        )
    return history


def retirement(
    area: Area,
    *,
    successor: Area | None,
    actor: User | None,
    effective_date,
    kind: str,
    related: Sequence[str] = (),
    note: str = "",
) -> AreaChange:
    """Retire `area` (fresh, active) in memory with `successor`; its unsaved history row."""
    before = snapshot(area, ["status"])
    area.status = Status.RETIRED
    area.effective_to = effective_date
    area.successor = successor
    area.updated_at = timezone.now()
    return change(
        area, kind, actor, effective_date, before=before, after=snapshot(area, ["status"]), related=related, note=note
    )


def write_retirements(retired: list[Area], history: list[AreaChange]) -> None:
    """Save the nodes retired by `retirement` (one UPDATE) and `history` (one INSERT), then
    send `micro_grids_succeeded` for the micro-grids whose successor is a micro-grid."""
    if retired:
        Area.objects.bulk_update(retired, RETIRED_FIELDS)
    AreaChange.objects.bulk_create(history)
    moves = [
        (area, area.successor)
        for area in retired
        if area.level == Level.MICRO_GRID and area.successor is not None and area.successor.level == Level.MICRO_GRID
    ]
    if moves:
        micro_grids_succeeded.send(sender=Area, moves=moves)
