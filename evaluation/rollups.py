"""Daily rollups of the event record for the dashboards (Art. 11).

`rollup_refresh(date_from, date_to)` rebuilds the `DailyRollup` rows of those local
dates from a handful of grouped queries (one per kind of count, grouped by day, grid,
item, grade and category), so its cost follows the number of groups, not of events.
The beat task refreshes today and yesterday every 10 minutes; `manage.py
rollup_rebuild` rebuilds history after corrections.
"""

from __future__ import annotations

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
from .models import DailyRollup, RollupRun

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
    DailyRollup.objects.filter(date__gte=date_from, date__lte=date_to).delete()
    DailyRollup.objects.bulk_create(
        (
            DailyRollup(date=day, area_id=area_id, item_id=item_id, grade=grade, category=category, **counts)
            for (day, area_id, item_id, grade, category), counts in merged.items()
        ),
        batch_size=2000,
    )
    return RollupRun.objects.create(
        date_from=date_from, date_to=date_to, started_at=started, finished_at=timezone.now(), rows=len(merged)
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
