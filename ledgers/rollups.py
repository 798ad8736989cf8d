"""Rollups of the ledger statistics per grid and per township (Art. 11, 12(2)).

Counting a township's residents live scans ~60,000 rows (~200 ms at Ningbo's size), a
district's or the city's millions, so `rollup_refresh` stores each grid's figures
(`stats.counted` over its micro-grids) in a `LedgerRollup` row and each township's as the
sum of its grids' rows. `statistics_for` then answers a township and above by summing
township rows (one for a township, ~150 for the city), a village by summing its grids'
rows (~10), and counts a grid or a micro-grid live (cheap, fresh).

A refresh recounts only the grids that need it: those with a `RollupMark` (a trigger
writes one in the same transaction as any change of their ledger rows, including the
moves of a grid adjustment), those without a row, and those counted on an earlier local
day (age bands and overdue visits depend on the date): the first run after midnight
recounts the whole city. Each township is refreshed in its own transaction (its grids,
then its own row, then the marks read are deleted), so a refresh is idempotent and can
be stopped at any point: what was not done is still marked. Figures carry `as_of`, the
oldest count they sum.
"""

import datetime
from bisect import bisect_right
from collections import defaultdict

from django.db import connection, transaction
from django.db.models import Min, Q
from django.utils import timezone

from grids.choices import Level
from grids.models import Area

from .models import LedgerRollup, RollupMark
from .stats import area_statistics, counted, summed

#: The level of the rollup rows each level's figures sum; other levels are counted live.
SUMMED_LEVEL = {
    Level.PROVINCE: Level.TOWNSHIP,
    Level.CITY: Level.TOWNSHIP,
    Level.COUNTY: Level.TOWNSHIP,
    Level.TOWNSHIP: Level.TOWNSHIP,
    Level.VILLAGE: Level.GRID,
}


def _stale_grids(on: datetime.date, full: bool) -> set[int]:
    """Ids of the grids to recount: all (`full`, or without marks on SQLite), else the marked,
    the never counted and those counted before `on`."""
    grids = Area.objects.filter(level=Level.GRID)
    if full or connection.vendor != "postgresql":
        return set(grids.values_list("pk", flat=True))
    marked = Area.objects.filter(pk__in=RollupMark.objects.values("area_id")).values_list("parent_id", flat=True)
    current = LedgerRollup.objects.filter(on=on).values("area_id")
    return set(grids.exclude(pk__in=current).values_list("pk", flat=True)) | set(
        grids.filter(pk__in=marked).values_list("pk", flat=True)
    )


def _by_township(grid_ids: set[int]) -> dict[Area, list[int]]:
    """`grid_ids` grouped by the township whose nested-set range holds them."""
    townships = sorted(
        Area.objects.filter(level=Level.TOWNSHIP).only("pk", "tree_id", "lft", "rght", "level"),
        key=lambda t: (t.tree_id, t.lft),
    )
    starts = [(t.tree_id, t.lft) for t in townships]
    grouped: dict[Area, list[int]] = defaultdict(list)
    for pk, tree_id, lft in Area.objects.filter(pk__in=grid_ids).values_list("pk", "tree_id", "lft").iterator():
        i = bisect_right(starts, (tree_id, lft)) - 1
        if i >= 0 and townships[i].tree_id == tree_id and lft < townships[i].rght:
            grouped[townships[i]].append(pk)
    return grouped


def _rows(area: Area, level: str):
    """The rollup rows of `level` lying in `area`'s subtree (`area` itself included)."""
    return LedgerRollup.objects.filter(
        area__level=level, area__tree_id=area.tree_id, area__lft__gte=area.lft, area__rght__lte=area.rght
    )


def _refresh_township(township: Area, grid_ids: list[int], on: datetime.date) -> None:
    """Recount `grid_ids` (all in `township`) and the township's own row, in one transaction."""
    with transaction.atomic():
        micro = dict(Area.objects.filter(parent_id__in=grid_ids).values_list("pk", "parent_id"))
        marks = list(RollupMark.objects.filter(area_id__in=[*micro, *grid_ids]).values_list("pk", flat=True))
        now = timezone.now()
        per_grid: dict[int, list[dict]] = {pk: [] for pk in grid_ids}
        for micro_id, figures in counted(Q(area_id__in=list(micro)), on).items():
            per_grid[micro[micro_id]].append(figures)
        _store(
            [LedgerRollup(area_id=pk, on=on, computed_at=now, figures=summed(parts)) for pk, parts in per_grid.items()]
        )
        grids = _rows(township, Level.GRID)
        at = grids.aggregate(at=Min("computed_at"))["at"]
        _store(
            [
                LedgerRollup(
                    area=township, on=on, computed_at=at, figures=summed(grids.values_list("figures", flat=True))
                )
            ]
        )
        RollupMark.objects.filter(pk__in=marks).delete()


def _store(rows: list[LedgerRollup]) -> None:
    """Insert or replace `rows` (one per area) in one statement."""
    LedgerRollup.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["area"], update_fields=["on", "computed_at", "figures"]
    )


def rollup_refresh(on: datetime.date | None = None, full: bool = False) -> int:
    """Recount the grids that need it (or every grid if `full`) for local date `on` (default
    today), and their townships' rows; returns the number of grids recounted.

    Idempotent; one transaction per township (stop it anywhere: the rest stays marked).
    Cost: one grouped query per ledger per township touched.
    """
    on = on or timezone.localdate()
    count = 0
    for township, grid_ids in _by_township(_stale_grids(on, full)).items():
        _refresh_township(township, grid_ids, on)
        count += len(grid_ids)
    return count


def rolled_up(area: Area) -> dict | None:
    """`area`'s figures summed from the rollups (the keys of `stats.area_statistics`, plus
    `as_of`: the oldest count summed, aware), or None if `area` is counted live or no
    rollup row exists yet."""
    level = SUMMED_LEVEL.get(area.level)
    if level is None:
        return None
    rows = list(_rows(area, level).values_list("figures", "computed_at"))
    if not rows:
        return None
    return {**summed(figures for figures, _at in rows), "as_of": min(at for _figures, at in rows)}


def statistics_for(area: Area) -> dict:
    """`area`'s ledger figures: from the rollups for a village, township or above, counted
    live for a grid or micro-grid or before the first refresh (`as_of` None when live).
    Same keys as `stats.area_statistics`."""
    return rolled_up(area) or {**area_statistics(area), "as_of": None}
