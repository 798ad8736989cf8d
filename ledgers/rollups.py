"""Township rollups of the ledger statistics, for district and city figures (Art. 11, 12(2)).

Counting a district's or the city's residents live means scanning millions of rows, so
`rollup_refresh` stores each township's figures (`stats.area_statistics`, one indexed
pass over the township's rows) in a `LedgerRollup` row, and `statistics_for` answers a
district or the city by summing its townships' rows (~150 rows for Ningbo). A township
and everything below it is still counted live (fresh, and cheap on its own columns).
The beat task refreshes every township hourly; figures then carry `as_of`, the oldest
refresh they sum. Before the first refresh a district is counted live.
"""

import datetime

from django.db.models import Min
from django.utils import timezone

from grids.choices import ABOVE_TOWNSHIP, Level
from grids.models import Area

from .models import LedgerRollup
from .stats import area_statistics

#: Levels answered from the rollups (above the townships).
ROLLED_UP_LEVELS = ABOVE_TOWNSHIP


def rollup_refresh(on: datetime.date | None = None) -> int:
    """Recompute every township's figures for local date `on` (default today); returns the count.

    Idempotent (one row per township, replaced). Cost: one `area_statistics` per township.
    """
    on = on or timezone.localdate()
    townships = Area.objects.filter(level=Level.TOWNSHIP).only("pk", "level")
    count = 0
    for township in townships.iterator():
        figures = area_statistics(township, on)
        LedgerRollup.objects.update_or_create(
            township=township, defaults={"on": on, "computed_at": timezone.now(), "figures": figures}
        )
        count += 1
    return count


def _add(total: dict, figures: dict) -> None:
    for key, value in figures.items():
        if isinstance(value, dict):
            bucket = total.setdefault(key, {})
            for k, n in value.items():
                bucket[k] = bucket.get(k, 0) + n
        elif isinstance(value, int) and not isinstance(value, bool):
            total[key] = total.get(key, 0) + value


def rolled_up(area: Area) -> dict | None:
    """The figures of `area`'s subtree summed from its townships' rollups (the keys of
    `area_statistics`, plus `as_of`: the oldest refresh, aware), or None if none exists."""
    rows = LedgerRollup.objects.filter(
        township__tree_id=area.tree_id, township__lft__gte=area.lft, township__rght__lte=area.rght
    )
    total: dict = {}
    for figures in rows.values_list("figures", flat=True):
        _add(total, figures)
    if not total:
        return None
    targets, overdue = total.get("care_targets", 0), total.get("care_targets_overdue", 0)
    total["visit_coverage"] = round((targets - overdue) / targets, 4) if targets else None
    total["as_of"] = rows.aggregate(at=Min("computed_at"))["at"]
    return total


def statistics_for(area: Area) -> dict:
    """`area`'s ledger figures: from the rollups for a district or the city, live below
    (`as_of` None when live). Same keys as `stats.area_statistics`."""
    if area.level in ROLLED_UP_LEVELS:
        figures = rolled_up(area)
        if figures is not None:
            return figures
    return {**area_statistics(area), "as_of": None}
