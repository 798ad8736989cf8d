"""Reads of the personnel app that depend on who asks (scoped through `restrict`)."""

import datetime

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from grids.models import Area

from . import scope
from .choices import GridRole
from .models import Assignment, Staff


def staff_list(user, action: str = "view") -> QuerySet:
    """Staff in the user's reach, with organisation and current assignments loaded.

    Costs a fixed number of queries per page (one for the page, one for the prefetched
    current assignments with their areas), whatever the page size.
    """
    current = Assignment.objects.current().select_related("area").order_by("area__code", "role")
    return (
        Staff.objects.restrict(user, action)
        .select_related("organisation", "organisation__area")
        .prefetch_related(Prefetch("assignments", queryset=current, to_attr="current_assignments"))
        .order_by("work_id")
    )


def lapsed_insurance(user, on: datetime.date | None = None) -> QuerySet:
    """Current micro-grid leaders in the user's reach whose accident insurance has lapsed (Art. 23).

    Lapsed: no `insurance_until`, or it is before `on` (local date, default today).
    """
    on = on or timezone.localdate()
    return (
        staff_list(user)
        .holding(GridRole.MICRO_GRID_LEADER, on)
        .filter(Q(insurance_until__isnull=True) | Q(insurance_until__lt=on))
        .order_by("insurance_until", "work_id")
    )


def scoped_area(user, code: str) -> Area:
    """The area with `code` if it is within the user's `view_area` reach, else Http404."""
    area = scope.restrict_areas(user, "view_area").filter(code=code).first()
    if area is None:
        raise Http404
    return area


def grid_staff(area: Area) -> tuple[list[Assignment], list[Assignment]]:
    """Who serves `area` now and who served it before (Art. 8, 10): (current, past) assignments.

    Includes the assignments on its micro-grids. Both lists ordered by role, then start.
    """
    today = timezone.localdate()
    rows = (
        Assignment.objects.filter(area__in=Area.objects.within(area))
        .select_related("staff", "area")
        .order_by("area__code", "role", "-start")
    )
    current = [a for a in rows if a.start <= today and (a.end is None or a.end >= today)]
    past = [a for a in rows if a.end is not None and a.end < today]
    return current, past


def staff_in_area(queryset: QuerySet, area: Area, *, within: bool) -> QuerySet:
    """Filter staff to those assigned (ever) on `area` — or anywhere in its subtree if `within` —
    or belonging to an organisation anchored there."""
    if within:
        on_area = Q(area__tree_id=area.tree_id, area__lft__gte=area.lft, area__rght__lte=area.rght)
        org = Q(
            organisation__area__tree_id=area.tree_id,
            organisation__area__lft__gte=area.lft,
            organisation__area__rght__lte=area.rght,
        )
    else:
        on_area = Q(area=area)
        org = Q(organisation__area=area)
    assigned = Assignment.objects.filter(on_area, staff_id=OuterRef("pk"))
    return queryset.filter(Q(Exists(assigned)) | org)
