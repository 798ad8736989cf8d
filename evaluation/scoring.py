"""Scoring rules and peers of a scheme (Art. 22): pure reads, used by `evaluation.services`."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import OuterRef, Q, Subquery

from grids.choices import Level
from grids.models import Area
from personnel.choices import OrgKind
from personnel.models import Assignment, Organisation

from . import indicators as ind
from .choices import AdjustmentKind, SubjectKind

#: scheme subject kind → indicator subject kind
INDICATOR_KIND: dict[str, str] = {
    SubjectKind.TOWNSHIP: ind.AREA,
    SubjectKind.UNIT: ind.UNIT,
    SubjectKind.STAFF: ind.STAFF,
}

CENT = Decimal("0.01")


def q2(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def linear_points(value, *, weight: Decimal, floor: float, target: float, missing_ratio: Decimal) -> Decimal:
    """Points for `value`: 0 at `floor`, `weight` at `target`, linear between, clamped outside.

    Works both ways (for lower-is-better indicators `floor` > `target`). A missing value
    (None: nothing to measure) scores `weight × missing_ratio` (a subject with no value for
    any indicator is not ranked at all, see `has_data`). Rounded to 0.01.
    """
    if value is None:
        return q2(weight * missing_ratio)
    if floor == target:
        return q2(weight if value == target else 0)
    ratio = (float(value) - floor) / (target - floor)
    ratio = min(1.0, max(0.0, ratio))
    return q2(weight * Decimal(str(ratio)))


def peers(scheme, span: ind.Span) -> list[tuple[ind.Subject, str, Area]]:
    """The subjects a scheme scores in `span`, each with its peer group label and scope node.

    Townships: the active townships in the authority's area, ranked within their district.
    Units: active departments whose jurisdiction lies in the authority's area, ranked
    with the units at the same level (district-level, township-level …).
    Staff: users holding a grid leader, full-time worker or instructor assignment in the
    span on a grid in the authority's area, ranked within their township.
    """
    root = scheme.authority.area
    if scheme.subject_kind == SubjectKind.TOWNSHIP:
        towns = Area.objects.within(root).filter(level=Level.TOWNSHIP, status="active").select_related("parent")
        return [(ind.Subject.area(t), t.parent.name if t.parent else "", t) for t in towns.order_by("code")]
    if scheme.subject_kind == SubjectKind.UNIT:
        units = Organisation.objects.filter(
            Q(area__tree_id=root.tree_id, area__lft__gte=root.lft, area__rght__lte=root.rght),
            kind=OrgKind.DEPARTMENT,
            is_active=True,
        ).select_related("area")
        return [(ind.Subject.unit(o), o.area.get_level_display(), o.area) for o in units.order_by("area__code", "name")]
    rows = (
        Assignment.objects.filter(
            role__in=ind.EVALUATED_ROLES,
            staff__user__isnull=False,
            start__lte=span.end,
            area__tree_id=root.tree_id,
            area__lft__gte=root.lft,
            area__rght__lte=root.rght,
        )
        .filter(Q(end__isnull=True) | Q(end__gte=span.start))
        .select_related("staff__user__staff", "area")
        .order_by("area__code", "staff__work_id")
    )
    seen: dict[int, tuple] = {}
    grid_ids = {a.area_id for a in rows}
    township_of = _townships_of(grid_ids)
    for a in rows:
        user = a.staff.user
        if user.pk not in seen:
            seen[user.pk] = (ind.Subject.staff(user), township_of.get(a.area_id, ""), a.area)
    return list(seen.values())


def _townships_of(area_ids) -> dict[int, str]:
    """`{area id: name of its township}` for grid nodes, in one query."""
    towns = Area.objects.filter(
        level=Level.TOWNSHIP, tree_id=OuterRef("tree_id"), lft__lte=OuterRef("lft"), rght__gte=OuterRef("rght")
    )
    rows = Area.objects.filter(pk__in=area_ids).annotate(town=Subquery(towns.values("name")[:1]))
    return {pk: name or "" for pk, name in rows.values_list("pk", "town")}


def penalties(scheme, *, late_reports: int, concealed: int) -> Decimal:
    """Penalty points: late reports × `late_report_penalty` + concealed reports × `concealed_penalty`."""
    return q2(late_reports * scheme.late_report_penalty + concealed * scheme.concealed_penalty)


def bonus(scheme, adjustments) -> Decimal:
    """Bonus points: the sum of bonus adjustments, at most `bonus_max`."""
    total = sum((a.points for a in adjustments if a.kind == AdjustmentKind.BONUS), Decimal(0))
    return q2(min(total, scheme.bonus_max))


def has_data(values: dict) -> bool:
    """Whether a subject has a measured value for at least one of the scheme's indicators.

    A subject with none (every value None, e.g. a unit that had nothing dispatched) is
    "no data" (无数据): it is listed but not ranked, since `weight × missing_ratio` for
    every indicator would otherwise put it above subjects that actually worked.
    """
    return any(v is not None for v in values.values())


def rank(totals: list[tuple[str, Decimal]]) -> dict[str, int]:
    """Competition ranking ("1224") of `(key, total)` pairs: higher total ranks first.

    Pass only the subjects with data (`has_data`): the others are left unranked.
    """
    ordered = sorted(totals, key=lambda kv: kv[1], reverse=True)
    result: dict[str, int] = {}
    previous = None
    for position, (key, total) in enumerate(ordered, start=1):
        if total != previous:
            current = position
            previous = total
        result[key] = current
    return result
