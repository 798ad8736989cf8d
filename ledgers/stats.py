"""Statistics of the ledgers for one area node (Art. 12(2), 22): residents, households,
dwellings, units, care targets and visit coverage. `counted` counts the rows of a set of
micro-grids, one query per ledger grouped by micro-grid on the rows' own indexed
location columns; `summed` adds such figures up (live counts of a grid, or the stored
rollups of `ledgers.rollups` for a township and above): the one way figures are added."""

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.utils import timezone

from grids.choices import Level
from grids.models import Area

from .choices import PersonStatus, Registration, Sex
from .models import Address, Dwelling, Household, Person, Unit, Visit

#: Age bands in whole years (lower bound inclusive), as the statistics office counts them.
AGE_BANDS = ((0, 17, "0–17"), (18, 59, "18–59"), (60, 200, "60+"))


def within(area: Area) -> Q:
    """A `Q` for located ledger rows (own `area`, `township`) lying in `area`'s subtree."""
    if area.level == Level.TOWNSHIP:
        return Q(township_id=area.pk)
    if area.level == Level.MICRO_GRID:
        return Q(area_id=area.pk)
    return Q(area__tree_id=area.tree_id, area__lft__gte=area.lft, area__rght__lte=area.rght)


def _years_before(on: datetime.date, years: int) -> datetime.date:
    """The same day `years` years before `on` (29 February → 28 February)."""
    try:
        return on.replace(year=on.year - years)
    except ValueError:
        return on.replace(year=on.year - years, day=28)


def _per_area(qs, area_field: str, *fields: str, **counts) -> list[dict]:
    """`qs` grouped by micro-grid (`area_field`, returned as "micro") and `fields`, with `counts`."""
    counts = counts or {"n": Count("id")}
    return list(qs.values(*fields, micro=F(area_field)).annotate(**counts).order_by())


def counted(where: Q, on: datetime.date) -> dict[int, dict]:
    """The figures of the ledger rows matching `where` per micro-grid id, on local date `on`.

    `where` is on the location columns every located ledger has (`area`, `township`), e.g.
    `within(area)`; dwellings are counted by their addresses. Each micro-grid's figures have
    the keys of `area_statistics` except `visit_coverage` (sparse: a zero count may be
    absent); one grouped query per ledger. `summed` adds them up.
    """
    figures: dict[int, dict] = defaultdict(dict)
    # One scan of the residents for every person figure (conditional counts).
    counts = {f"reg_{v}": Count("id", filter=Q(registration=v)) for v in Registration.values}
    counts |= {f"sex_{v}": Count("id", filter=Q(sex=v)) for v in Sex.values}
    for i, (low, high, _label) in enumerate(AGE_BANDS):
        band = Q(birth_date__gt=_years_before(on, high + 1), birth_date__lte=_years_before(on, low))
        counts[f"age_{i}"] = Count("id", filter=band)
    counts["targets"] = Count("id", filter=Q(next_visit_due__isnull=False))
    counts["overdue"] = Count("id", filter=Q(next_visit_due__lt=on))
    for row in _per_area(Person.objects.filter(where, status=PersonStatus.PRESENT), "area_id", **counts):
        figures[row["micro"]].update(
            residents_by_registration={v: row[f"reg_{v}"] for v in Registration.values if row[f"reg_{v}"]},
            residents_by_sex={v: row[f"sex_{v}"] for v in Sex.values if row[f"sex_{v}"]},
            residents_by_age={band[2]: row[f"age_{i}"] for i, band in enumerate(AGE_BANDS)},
            care_targets=row["targets"],
            care_targets_overdue=row["overdue"],
        )
    for row in _per_area(Household.objects.filter(where), "area_id"):
        figures[row["micro"]]["households"] = row["n"]
    # From the addresses, each looking its dwelling up by the unique index: a join would scan
    # all the city's dwellings for a township (a hash join, ~2 s at full size).
    use = Subquery(Dwelling.objects.filter(address=OuterRef("pk")).values("use"))
    for row in _per_area(Address.objects.filter(where).annotate(dwelling_use=use), "area_id", "dwelling_use"):
        if row["dwelling_use"] is not None:  # an address without a dwelling (a road, a door)
            figures[row["micro"]].setdefault("dwellings_by_use", {})[row["dwelling_use"]] = row["n"]
    for row in _per_area(Unit.objects.filter(where), "area_id", "kind", "safety_class"):
        for key, value in (("units_by_kind", row["kind"]), ("units_by_safety_class", row["safety_class"])):
            bucket = figures[row["micro"]].setdefault(key, {})
            bucket[value] = bucket.get(value, 0) + row["n"]
    since = timezone.now() - datetime.timedelta(days=30)
    for row in _per_area(Visit.objects.filter(where, visited_at__gte=since), "area_id"):
        figures[row["micro"]]["visits_30_days"] = row["n"]
    return dict(figures)


def summed(parts: Iterable[dict]) -> dict:
    """The figures of several areas (from `counted`, or stored rollups) added up, with
    `visit_coverage` (share of care targets not overdue, 0–1, None without targets); every
    key of `area_statistics` is present, each age band too. Numbers and grouped counts are
    added; other values (`visit_coverage`, `as_of`) are left out of the sum."""
    total: dict = {
        "residents_by_registration": {},
        "residents_by_sex": {},
        "residents_by_age": {band[2]: 0 for band in AGE_BANDS},
        "households": 0,
        "dwellings_by_use": {},
        "units_by_kind": {},
        "units_by_safety_class": {},
        "care_targets": 0,
        "care_targets_overdue": 0,
        "visits_30_days": 0,
    }
    for figures in parts:
        for key, value in figures.items():
            if isinstance(value, dict):
                bucket = total.setdefault(key, {})
                for k, n in value.items():
                    bucket[k] = bucket.get(k, 0) + n
            elif isinstance(value, int) and not isinstance(value, bool):
                total[key] = total.get(key, 0) + value
    targets, overdue = total["care_targets"], total["care_targets_overdue"]
    total["visit_coverage"] = round((targets - overdue) / targets, 4) if targets else None
    return total


def area_statistics(area: Area, on: datetime.date | None = None) -> dict:
    """The figures for `area` on local date `on` (default today), counted live, as plain dicts.

    Keys: residents_by_registration, residents_by_sex, residents_by_age (band label →
    count), households, dwellings_by_use, units_by_kind, units_by_safety_class,
    care_targets, care_targets_overdue, visits_30_days (the 30 days up to now),
    visit_coverage (share of care targets not overdue, 0–1, None without targets).
    Cheap for a grid or micro-grid; larger areas read `ledgers.rollups.statistics_for`.
    """
    on = on or timezone.localdate()
    return summed(counted(within(area), on).values())


#: The grouped figures whose keys are stored choice values, and the field that names them.
_CHOICE_FIGURES = {
    "residents_by_registration": (Person, "registration"),
    "residents_by_sex": (Person, "sex"),
    "dwellings_by_use": (Dwelling, "use"),
    "units_by_kind": (Unit, "kind"),
    "units_by_safety_class": (Unit, "safety_class"),
}


def labelled(figures: dict) -> dict:
    """`figures` (from `area_statistics` or a rollup) with each grouped figure's keys — the
    stored choice values, e.g. `registered` — replaced by their labels in the page's
    language (户籍人口 / Registered residents); an unknown or blank value is kept as it is."""
    out = dict(figures)
    for key, (model, field) in _CHOICE_FIGURES.items():
        labels = dict(model._meta.get_field(field).flatchoices)
        out[key] = {str(labels.get(value, value or "—")): n for value, n in (figures.get(key) or {}).items()}
    return out
