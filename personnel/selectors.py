"""Reads of the personnel app that depend on who asks (scoped through `restrict`)."""

import datetime

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from grids.choices import Level
from grids.models import Area

from . import scope
from .choices import GridRole
from .models import Assignment, Staff, Training, TrainingSession
from .roles import MANAGE_STAFF

#: The nodes a staff office serves: the city, a district, a township (Art. 5, 8).
OFFICE_LEVELS = (Level.CITY, Level.COUNTY, Level.TOWNSHIP)


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
    rows = list(
        Assignment.objects.filter(area__in=Area.objects.within(area))
        .select_related("staff", "area")
        .order_by("area__code", "role", "-start")
    )
    current = current_of(rows, today)
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


# --- the staff office (Art. 8, 16, 21) ---------------------------------------------------


def office_nodes(user) -> QuerySet:
    """The city, district and township nodes within the user's `manage_staff` reach, by code."""
    return scope.restrict_areas_ranged(user, MANAGE_STAFF).filter(level__in=OFFICE_LEVELS).order_by("code")


def office_node(user, code: str) -> Area:
    """The office node with `code` if within the user's `manage_staff` reach, else Http404."""
    node = office_nodes(user).filter(code=code).first()
    if node is None:
        raise Http404
    return node


def managed_staff(user) -> QuerySet:
    """Staff records the user may manage (`manage_staff`), loaded as `staff_list` loads them."""
    return staff_list(user, MANAGE_STAFF)


def office_staff(user, node: Area) -> QuerySet:
    """Staff the user manages who serve (or served) in `node`'s subtree or belong to an
    organisation there: the office's roster."""
    return staff_in_area(managed_staff(user), node, within=True)


def staff_history(staff: Staff) -> list[Assignment]:
    """Every assignment of `staff`, current and past, newest first (Art. 8): the career."""
    return list(staff.assignments.select_related("area").order_by("-start", "-id"))


def current_of(assignments: list[Assignment], on: datetime.date | None = None) -> list[Assignment]:
    """Those of `assignments` in force on local date `on` (default today)."""
    on = on or timezone.localdate()
    return [a for a in assignments if a.start <= on and (a.end is None or a.end >= on)]


def staff_trainings(staff: Staff) -> list[Training]:
    """The person's training record (Art. 21): sessions attended, newest first."""
    return list(staff.trainings.select_related("session", "session__area").order_by("-session__date", "-id"))


def sessions_for(node: Area) -> QuerySet:
    """Training sessions that concern `node`'s staff: held by its office, an office above
    it (city, district) or an office below it; newest first."""
    above = Q(area__tree_id=node.tree_id, area__lft__lte=node.lft, area__rght__gte=node.rght)
    below = Q(area__tree_id=node.tree_id, area__lft__gte=node.lft, area__rght__lte=node.rght)
    return TrainingSession.objects.filter(above | below).select_related("area").order_by("-date", "-id")


def session_visible(user, pk: int) -> TrainingSession:
    """A session the user may open: held within their `manage_staff` reach or by an office
    above it (a township sees the city's and its district's sessions). Http404 otherwise."""
    session = TrainingSession.objects.select_related("area").filter(pk=pk).first()
    if session is None:
        raise Http404
    if scope.reaches_nothing(user):
        raise Http404
    area = session.area
    if not user.is_superuser and not (
        scope.has_area_perm(user, MANAGE_STAFF, area)
        or scope.granted_nodes(user, MANAGE_STAFF)
        .filter(tree_id=area.tree_id, lft__gte=area.lft, rght__lte=area.rght)
        .exists()
    ):
        raise Http404
    return session


def untrained_staff(user, node: Area, year: int | None = None) -> QuerySet:
    """Staff serving now in `node`'s subtree (a current grid role) whom the user manages and
    who attended no training session in `year` (Art. 21; a calendar year on Beijing
    time, default the current one)."""
    year = year or timezone.localdate().year
    # Uncorrelated `IN` sets, not EXISTS per staff row: SQLite ran those for each of the
    # district's 15,000 staff (44 s for one township of the demo; 0.05 s so).
    serving = Assignment.objects.current().filter(
        area__tree_id=node.tree_id, area__lft__gte=node.lft, area__rght__lte=node.rght
    )
    trained = Training.objects.filter(session__date__year=year)
    return managed_staff(user).filter(pk__in=serving.values("staff_id")).exclude(pk__in=trained.values("staff_id"))
