"""Dashboard statistics of an area subtree (Art. 11), read from the daily rollups.

Every function takes an `Area` (the subtree root) and local dates `start`…`end`
(inclusive) and costs one query whatever the number of events: rollup rows are
selected by the MPTT range of their grid (per-district rows for district and city
dashboards, per-grid-and-day rows for the grid ranking: see `evaluation.rollups`).
`key_figures_direct` computes the same key figures straight from the event record (to
check the rollups, and in tests).
"""

from __future__ import annotations

import datetime

from django.db.models import Count, F, FloatField, Q, Sum
from django.db.models.functions import Cast, NullIf, TruncWeek
from django.utils import timezone

from catalog.choices import Category, Grade
from events.choices import OPEN_STATUSES, EventStatus
from events.models import Event, Satisfaction
from grids.choices import ABOVE_TOWNSHIP, Level
from grids.models import Area

from .indicators import Span, _hours_over, pct
from .models import CountyRollup, DailyRollup, GridRollup, GridWindowRollup, RollupRun
from .rollups import COUNTS, LATE_REPORT_HOURS, WINDOW_DAYS


def _rows(area: Area, start: datetime.date, end: datetime.date, model=None):
    """Rollup rows of the subtree and dates: per district for a district or the city (the same
    sums, ~800 rows a day for the whole city), per grid below (`model` forces one)."""
    if model is None:
        model = CountyRollup if area.level in ABOVE_TOWNSHIP else DailyRollup
    rows = model.objects.filter(date__gte=start, date__lte=end)
    if area.level in ABOVE_TOWNSHIP:
        return rows.filter(
            area__tree_id=area.tree_id,
            area__lft__gte=area.lft,
            area__lft__lte=area.rght,
            area__rght__lte=area.rght,
        )
    # Below a district: the subtree's nodes by id (~120 in a township: micro-grids never hold
    # rollup rows, they roll into their grid), read once per area, so PostgreSQL reads each
    # node's days by the (area, date) index instead of joining the tree to a whole month of
    # the city's rows.
    return rows.filter(area_id__in=_rollup_area_ids(area))


def _rollup_area_ids(area: Area) -> list[int]:
    """Ids of the nodes of `area`'s subtree that may hold rollup rows (kept on the instance)."""
    if not hasattr(area, "_rollup_area_ids"):
        nodes = Area.objects.within(area).exclude(level=Level.MICRO_GRID)
        area._rollup_area_ids = list(nodes.values_list("pk", flat=True))
    return area._rollup_area_ids


def _sums() -> dict:
    return {name: Sum(name) for name in COUNTS}


def _figures(sums: dict) -> dict:
    """Counts plus derived rates: closure (closed ÷ reported − rejected), on time (on time ÷ due) …"""
    f = {name: sums.get(name) or 0 for name in COUNTS}
    f["closure_rate"] = pct(f["closed"], f["reported"] - f["rejected"])
    f["on_time_rate"] = pct(f["on_time"], f["due"])
    f["self_handled_rate"] = pct(f["self_handled"], f["reported"])
    f["satisfaction_avg"] = (
        round(f["satisfaction_sum"] / f["satisfaction_count"], 2) if f["satisfaction_count"] else None
    )
    return f


def key_figures(area: Area, start: datetime.date, end: datetime.date) -> dict:
    """Key figures of the subtree over the dates, from the rollups (one query).

    `{"reported", "rejected", "self_handled", "late_reported", "closed", "due",
    "on_time", "overdue", "satisfaction_sum", "satisfaction_count", "closure_rate" (%),
    "on_time_rate" (%), "self_handled_rate" (%), "satisfaction_avg" (1–5)}`.
    """
    return _figures(_rows(area, start, end).aggregate(**_sums()))


def key_figures_direct(area: Area, start: datetime.date, end: datetime.date, *, now=None) -> dict:
    """The same key figures straight from the event record (no rollups); `now` as for the rollup refresh."""
    now = now or timezone.now()
    span = Span(start, end)
    events = Event.objects.filter(area__tree_id=area.tree_id, area__lft__gte=area.lft, area__rght__lte=area.rght)
    rejected = Q(status=EventStatus.REJECTED)
    a = events.filter(span.q("reported_at")).aggregate(
        reported=Count("id"),
        rejected=Count("id", filter=rejected),
        self_handled=Count("id", filter=Q(self_handled=True)),
        late_reported=Count("id", filter=Q(_hours_over(F("reported_at"), F("discovered_at"), LATE_REPORT_HOURS))),
    )
    a["closed"] = events.filter(span.q("closed_at"), status=EventStatus.CLOSED).count()
    a.update(
        events.filter(span.q("complete_due_at"), complete_due_at__lt=now)
        .exclude(rejected)
        .aggregate(
            due=Count("id"),
            on_time=Count("id", filter=Q(result_at__lte=F("complete_due_at"))),
            overdue=Count("id", filter=Q(result_at__isnull=True) | Q(result_at__gt=F("complete_due_at"))),
        )
    )
    a.update(
        Satisfaction.objects.filter(
            span.q("at"),
            event__area__tree_id=area.tree_id,
            event__area__lft__gte=area.lft,
            event__area__rght__lte=area.rght,
        ).aggregate(satisfaction_sum=Sum("score"), satisfaction_count=Count("id"))
    )
    return _figures(a)


def trend_daily(area: Area, start: datetime.date, end: datetime.date) -> list[dict]:
    """`[{"date", "reported", "closed", "overdue"}]` for every day (zeros filled in)."""
    rows = {
        r["date"]: r
        for r in _rows(area, start, end)
        .values("date")
        .annotate(reported=Sum("reported"), closed=Sum("closed"), overdue=Sum("overdue"))
        .order_by()
    }
    days, day = [], start
    while day <= end:
        r = rows.get(day, {})
        days.append(
            {
                "date": day,
                "reported": r.get("reported", 0),
                "closed": r.get("closed", 0),
                "overdue": r.get("overdue", 0),
            }
        )
        day += datetime.timedelta(days=1)
    return days


def trend_weekly(area: Area, start: datetime.date, end: datetime.date) -> list[dict]:
    """`[{"week" (Monday), "reported", "closed", "overdue"}]`, weeks with data only."""
    return list(
        _rows(area, start, end)
        .annotate(week=TruncWeek("date"))
        .values("week")
        .annotate(reported=Sum("reported"), closed=Sum("closed"), overdue=Sum("overdue"))
        .order_by("week")
    )


def breakdown(area: Area, start: datetime.date, end: datetime.date, by: str, limit: int | None = None) -> list[dict]:
    """Reported/closed/overdue by "category", "grade" or "item": `[{"key", "label", "reported", …}]`."""
    field = {"category": "category", "grade": "grade", "item": "item__code"}[by]
    values = [field] + (["item__current_version__name"] if by == "item" else [])
    rows = (
        _rows(area, start, end)
        .values(*values)
        .annotate(reported=Sum("reported"), closed=Sum("closed"), overdue=Sum("overdue"))
        .order_by("-reported", field)
    )
    if limit:
        rows = rows[:limit]
    labels = {"category": dict(Category.choices), "grade": dict(Grade.choices)}.get(by, {})
    result = []
    for r in rows:
        key = r[field]
        label = r.get("item__current_version__name") if by == "item" else labels.get(key, key)
        result.append({"key": key, "label": f"{key} {label or ''}".strip() if by == "item" else str(label), **r})
    return result


def grid_ranking(area: Area, start: datetime.date, end: datetime.date, limit: int = 20) -> list[dict]:
    """Grids of the subtree ranked by on-time rate, then closure, then volume (top `limit`).

    `[{"area__code", "area__name", "reported", "closed", "due", "on_time", "overdue", "on_time_rate", "closure_rate"}]`.
    """
    sums = ("reported", "rejected", "closed", "due", "on_time", "overdue")
    days = (end - start).days + 1
    if days in WINDOW_DAYS and GridWindowRollup.objects.filter(end=end, days=days).exists():
        # The same sums, kept per grid (with its code, name and place) for the standard
        # windows up to today: one table, no grouping, no join.
        rows = GridWindowRollup.objects.filter(
            end=end, days=days, tree_id=area.tree_id, lft__gte=area.lft, lft__lte=area.rght
        )
        code, name = "code", "name"
    else:
        code, name = "area__code", "area__name"
        rows = _rows(area, start, end, GridRollup).values(code, name).annotate(**{n: Sum(n) for n in sums})
    rows = (
        rows.annotate(
            rate=Cast(F("on_time"), FloatField()) / NullIf(Cast(F("due"), FloatField()), 0.0),
            closure=Cast(F("closed"), FloatField()) / NullIf(Cast(F("reported") - F("rejected"), FloatField()), 0.0),
        )
        .filter(reported__gt=0)
        .order_by(F("rate").desc(nulls_last=True), F("closure").desc(nulls_last=True), "-reported", code)
        .values_list(code, name, *sums)[:limit]
    )
    rows = [dict(zip(("area__code", "area__name", *sums), row, strict=True)) for row in rows]
    result = []
    for r in rows:
        r["on_time_rate"] = pct(r["on_time"], r["due"])
        r["closure_rate"] = pct(r["closed"], r["reported"] - r["rejected"])
        result.append(r)
    return result


def overdue_list(user, area: Area, limit: int = 20):
    """Open events of the subtree past their completion deadline, most overdue first (the user's reach)."""
    return (
        Event.objects.restrict(user)
        .filter(status__in=OPEN_STATUSES, complete_due_at__lt=timezone.now())
        .within(area)
        .select_related("area", "lead_unit")
        .order_by("complete_due_at")[:limit]
    )


def freshness() -> RollupRun | None:
    """The latest rollup refresh (its `finished_at` is how fresh the dashboard figures are)."""
    return RollupRun.objects.order_by("-finished_at").first()


def snapshot(area: Area, start: datetime.date, end: datetime.date) -> dict:
    """Everything the dashboard and the statistics API show, except the overdue list."""
    run = freshness()
    return {
        "area": area,
        "start": start,
        "end": end,
        "figures": key_figures(area, start, end),
        "daily": trend_daily(area, start, end),
        "weekly": trend_weekly(area, start, end),
        "by_category": breakdown(area, start, end, "category"),
        "by_grade": breakdown(area, start, end, "grade"),
        "by_item": breakdown(area, start, end, "item", limit=10),
        "grids": grid_ranking(area, start, end),
        "refreshed_at": run.finished_at if run else None,
    }
