"""Daily rollups of the event record for the dashboards (Art. 11).

`rollup_refresh(date_from, date_to)` rebuilds the `DailyRollup` rows of those local
dates from a handful of grouped queries (one per kind of count, grouped by day, grid,
item, grade and category), so its cost follows the number of groups, not of events.
The beat task refreshes today and yesterday every 10 minutes; `manage.py
rollup_rebuild` rebuilds history after corrections. The same refresh sums the grid rows into
`CountyRollup` (per district: what district and city dashboards read) and `GridRollup`
(per grid and day: the grid ranking), so an upper-level dashboard reads ~800 rows a
day, not one per grid, item and grade; and the grids' sums over the standard windows up
to today into `GridWindowRollup` (the city's ranking of ~15,000 grids).
"""

from __future__ import annotations

import bisect
import datetime
from collections import defaultdict

from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from events.choices import EventStatus
from events.models import Event, Satisfaction
from grids.choices import Level
from grids.models import Area

from .indicators import Span, _hours_over
from .models import CountyRollup, DailyRollup, GridRollup, GridWindowRollup, RollupRun

#: A report more than this many natural hours after discovery counts as late on dashboards.
LATE_REPORT_HOURS = 24.0

COUNTS = (
    "reported",
    "rejected",
    "self_handled",
    "late_reported",
    "closed",
    "due",
    "on_time",
    "overdue",
    "satisfaction_sum",
    "satisfaction_count",
)


def _grouped(qs, moment: str, prefix: str = "", **aggs):
    keys = {k: f"{prefix}{k}" for k in ("area_id", "item_id", "grade", "category")}
    return (
        qs.annotate(day=TruncDate(moment))
        .values("day", *keys.values())
        .annotate(**aggs)
        .order_by()
        .values_list("day", *keys.values(), *aggs)
    )


@transaction.atomic
def rollup_refresh(
    date_from: datetime.date, date_to: datetime.date, *, now: datetime.datetime | None = None
) -> RollupRun:
    """Rebuild the rollups of local dates `date_from`…`date_to` (inclusive); returns the run row.

    `now` (aware, default now) decides which deadlines have passed (due/overdue counts).
    """
    started = timezone.now()
    now = now or started
    span = Span(date_from, date_to)
    invalid = Q(status=EventStatus.REJECTED)
    late = _hours_over(F("reported_at"), F("discovered_at"), LATE_REPORT_HOURS)
    sums: dict[tuple, dict] = defaultdict(lambda: dict.fromkeys(COUNTS, 0))

    def add(rows, names):
        for day, area_id, item_id, grade, category, *counts in rows:
            bucket = sums[(day, area_id, item_id, grade, category)]
            for name, value in zip(names, counts, strict=True):
                bucket[name] += value or 0

    add(
        _grouped(
            Event.objects.filter(span.q("reported_at")),
            "reported_at",
            reported=Count("id"),
            rejected=Count("id", filter=invalid),
            self_handled=Count("id", filter=Q(self_handled=True)),
            late_reported=Count("id", filter=Q(late)),
        ),
        ("reported", "rejected", "self_handled", "late_reported"),
    )
    add(
        _grouped(Event.objects.filter(span.q("closed_at"), status=EventStatus.CLOSED), "closed_at", closed=Count("id")),
        ("closed",),
    )
    add(
        _grouped(
            Event.objects.filter(span.q("complete_due_at"), complete_due_at__lt=now).exclude(invalid),
            "complete_due_at",
            due=Count("id"),
            on_time=Count("id", filter=Q(result_at__lte=F("complete_due_at"))),
            overdue=Count("id", filter=Q(result_at__isnull=True) | Q(result_at__gt=F("complete_due_at"))),
        ),
        ("due", "on_time", "overdue"),
    )
    add(
        _grouped(
            Satisfaction.objects.filter(span.q("at")),
            "at",
            prefix="event__",
            satisfaction_sum=Sum("score"),
            satisfaction_count=Count("id"),
        ),
        ("satisfaction_sum", "satisfaction_count"),
    )
    # Micro-grid events roll up into their grid.
    area_ids = {key[1] for key in sums}
    grid_of = dict(Area.objects.filter(pk__in=area_ids, level=Level.MICRO_GRID).values_list("pk", "parent_id"))
    merged: dict[tuple, dict] = defaultdict(lambda: dict.fromkeys(COUNTS, 0))
    for (day, area_id, item_id, grade, category), counts in sums.items():
        bucket = merged[(day, grid_of.get(area_id, area_id), item_id, grade, category)]
        for name in COUNTS:
            bucket[name] += counts[name]
    _replace_days(
        DailyRollup,
        date_from,
        date_to,
        (
            DailyRollup(date=day, area_id=area_id, item_id=item_id, grade=grade, category=category, **counts)
            for (day, area_id, item_id, grade, category), counts in merged.items()
        ),
    )
    _refresh_coarse(date_from, date_to, merged)
    _refresh_windows(timezone.localdate(now))
    return RollupRun.objects.create(
        date_from=date_from, date_to=date_to, started_at=started, finished_at=timezone.now(), rows=len(merged)
    )


def _county_of(area_ids) -> dict[int, int]:
    """Map each area id → its district (county) ancestor's id, or itself without one (two queries)."""
    counties = sorted(Area.objects.filter(level=Level.COUNTY).values_list("tree_id", "lft", "rght", "pk"))
    starts = [(tree_id, lft) for tree_id, lft, _rght, _pk in counties]
    found = {}
    for pk, tree_id, lft in Area.objects.filter(pk__in=list(area_ids)).values_list("pk", "tree_id", "lft"):
        at = bisect.bisect_right(starts, (tree_id, lft)) - 1  # the last county starting at or before
        if at >= 0 and counties[at][0] == tree_id and counties[at][1] <= lft <= counties[at][2]:
            found[pk] = counties[at][3]
        else:
            found[pk] = pk
    return found


def _refresh_coarse(date_from: datetime.date, date_to: datetime.date, merged: dict) -> None:
    """Rebuild `CountyRollup` and `GridRollup` of the dates from the grid rows just computed."""
    county_of = _county_of({key[1] for key in merged})
    counties: dict[tuple, dict] = defaultdict(lambda: dict.fromkeys(COUNTS, 0))
    grids: dict[tuple, dict] = defaultdict(lambda: dict.fromkeys(COUNTS, 0))
    for (day, area_id, item_id, grade, category), counts in merged.items():
        county = counties[(day, county_of[area_id], item_id, grade, category)]
        grid = grids[(day, area_id)]
        for name in COUNTS:
            county[name] += counts[name]
            grid[name] += counts[name]
    _replace_days(
        CountyRollup,
        date_from,
        date_to,
        (
            CountyRollup(date=day, area_id=area_id, item_id=item_id, grade=grade, category=category, **counts)
            for (day, area_id, item_id, grade, category), counts in counties.items()
        ),
    )
    _replace_days(
        GridRollup,
        date_from,
        date_to,
        (GridRollup(date=day, area_id=area_id, **counts) for (day, area_id), counts in grids.items()),
    )


def _replace_days(model, date_from: datetime.date, date_to: datetime.date, rows) -> None:
    """Replace `model`'s rows dated `date_from`…`date_to` (inclusive) with `rows` (unsaved instances)."""
    model.objects.filter(date__gte=date_from, date__lte=date_to).delete()
    model.objects.bulk_create(rows, batch_size=2000)


#: Windows (days up to today) whose grid sums are kept in `GridWindowRollup`: the dashboard's
#: and the statistics API's default (30) and the shortest (7).
WINDOW_DAYS = (7, 30)
WINDOW_COUNTS = ("reported", "rejected", "closed", "due", "on_time", "overdue")


def _refresh_windows(end: datetime.date) -> None:
    """Rebuild `GridWindowRollup` for the windows ending on local date `end` (from `GridRollup`)."""
    GridWindowRollup.objects.all().delete()
    for days in WINDOW_DAYS:
        rows = (
            GridRollup.objects.filter(date__gte=end - datetime.timedelta(days=days - 1), date__lte=end)
            .values("area_id", "area__code", "area__name", "area__tree_id", "area__lft")
            .annotate(**{f"s_{name}": Sum(name) for name in WINDOW_COUNTS})
            .order_by()
        )
        GridWindowRollup.objects.bulk_create(
            (
                GridWindowRollup(
                    end=end,
                    days=days,
                    area_id=r["area_id"],
                    code=r["area__code"],
                    name=r["area__name"],
                    tree_id=r["area__tree_id"],
                    lft=r["area__lft"],
                    **{name: r[f"s_{name}"] for name in WINDOW_COUNTS},
                )
                for r in rows.iterator(chunk_size=5000)
            ),
            batch_size=2000,
        )


def rollup_refresh_recent() -> RollupRun:
    """Refresh today and yesterday (local dates): what the beat task runs every 10 minutes."""
    today = timezone.localdate()
    return rollup_refresh(today - datetime.timedelta(days=1), today)


def rollup_rebuild(date_from: datetime.date | None = None, date_to: datetime.date | None = None) -> RollupRun:
    """Rebuild history: from the first report (or `date_from`) to today (or `date_to`)."""
    first = Event.objects.order_by("reported_at").values_list("reported_at", flat=True).first()
    today = timezone.localdate()
    start = date_from or (timezone.localtime(first).date() if first else today)
    return rollup_refresh(start, date_to or today)


__all__ = ["LATE_REPORT_HOURS", "rollup_rebuild", "rollup_refresh", "rollup_refresh_recent"]
