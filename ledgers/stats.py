"""Statistics of the ledgers for one area node (Art. 12(2), 22): residents, households,
dwellings, units, care targets and visit coverage. Counted live with one grouped query
per figure on the rows' own indexed columns (`township_id` for a township, the MPTT
range of the micro-grid otherwise)."""

import datetime

from django.db.models import Count, Q
from django.utils import timezone

from grids.choices import Level
from grids.models import Area

from .choices import PersonStatus, Registration, Sex
from .models import Dwelling, Household, Person, Unit, Visit

#: Age bands in whole years (lower bound inclusive), as the statistics office counts them.
AGE_BANDS = ((0, 17, "0–17"), (18, 59, "18–59"), (60, 200, "60+"))


def within(area: Area, path: str = "") -> Q:
    """A `Q` for ledger rows (through `path`, e.g. "address__") lying in `area`'s subtree."""
    if area.level == Level.TOWNSHIP:
        return Q(**{f"{path}township_id": area.pk})
    if area.level == Level.MICRO_GRID:
        return Q(**{f"{path}area_id": area.pk})
    return Q(
        **{
            f"{path}area__tree_id": area.tree_id,
            f"{path}area__lft__gte": area.lft,
            f"{path}area__rght__lte": area.rght,
        }
    )


def _years_before(on: datetime.date, years: int) -> datetime.date:
    """The same day `years` years before `on` (29 February → 28 February)."""
    try:
        return on.replace(year=on.year - years)
    except ValueError:
        return on.replace(year=on.year - years, day=28)


def _grouped(qs, field: str) -> dict:
    return {row[field]: row["n"] for row in qs.values(field).annotate(n=Count("id")).order_by(field)}


def area_statistics(area: Area, on: datetime.date | None = None) -> dict:
    """The figures for `area` on local date `on` (default today), as plain dicts of counts.

    Keys: residents_by_registration, residents_by_sex, residents_by_age (band label →
    count), households, dwellings_by_use, units_by_kind, units_by_safety_class,
    care_targets, care_targets_overdue, visits_30_days, visit_coverage (share of care
    targets not overdue, 0–1, None without targets).
    """
    on = on or timezone.localdate()
    persons = Person.objects.filter(within(area), status=PersonStatus.PRESENT)
    # One scan of the area's residents for every person figure (conditional counts).
    counts = {f"reg_{v}": Count("id", filter=Q(registration=v)) for v in Registration.values}
    counts |= {f"sex_{v}": Count("id", filter=Q(sex=v)) for v in Sex.values}
    for i, (low, high, _label) in enumerate(AGE_BANDS):
        band = Q(birth_date__gt=_years_before(on, high + 1), birth_date__lte=_years_before(on, low))
        counts[f"age_{i}"] = Count("id", filter=band)
    counts["targets"] = Count("id", filter=Q(next_visit_due__isnull=False))
    counts["overdue"] = Count("id", filter=Q(next_visit_due__lt=on))
    figures = persons.aggregate(**counts)
    n_targets, overdue = figures["targets"], figures["overdue"]
    units = Unit.objects.filter(within(area))
    since = timezone.now() - datetime.timedelta(days=30)
    return {
        "residents_by_registration": {v: figures[f"reg_{v}"] for v in Registration.values if figures[f"reg_{v}"]},
        "residents_by_sex": {v: figures[f"sex_{v}"] for v in Sex.values if figures[f"sex_{v}"]},
        "residents_by_age": {band[2]: figures[f"age_{i}"] for i, band in enumerate(AGE_BANDS)},
        "households": Household.objects.filter(within(area)).count(),
        "dwellings_by_use": _grouped(Dwelling.objects.filter(within(area, "address__")), "use"),
        "units_by_kind": _grouped(units, "kind"),
        "units_by_safety_class": _grouped(units, "safety_class"),
        "care_targets": n_targets,
        "care_targets_overdue": overdue,
        "visits_30_days": Visit.objects.filter(within(area), visited_at__gte=since).count(),
        "visit_coverage": round((n_targets - overdue) / n_targets, 4) if n_targets else None,
    }


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
