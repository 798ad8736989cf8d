"""Services of the staff records kept by the township's staff office (Art. 21, 24, 25).

Training sessions by level with their attendees (Art. 21 分级培训), commendations on a
staff record (Art. 25), a grid's work station (Art. 24). As in `personnel.services`:
keyword-only arguments, `actor` (None for the system), one transaction, a
`ValidationError` (field → Chinese messages) or `PermissionDenied` and nothing changed.
Every change needs `manage_staff` (`personnel.roles.MANAGE_STAFF`: the township's
dispatchers, the authorities above) over what it touches. Dates are local (Beijing)
calendar dates.
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.choices import GRID_LEVELS, Level
from grids.models import Area

from . import scope
from .choices import TrainingTier
from .models import Commendation, Staff, Training, TrainingSession, WorkStation
from .roles import MANAGE_STAFF

#: The level of the organiser's node for each training tier (Art. 21).
TIER_LEVELS = {
    Level.CITY: TrainingTier.CITY,
    Level.COUNTY: TrainingTier.DISTRICT,
    Level.TOWNSHIP: TrainingTier.TOWNSHIP,
}
MAX_HOURS = Decimal("200")


def _managed(actor, staff: Iterable[Staff]) -> list[Staff]:
    """`staff` as a list, after checking each is within the actor's `manage_staff` reach
    (ValidationError on "attendees"/"staff" naming nobody out of reach otherwise)."""
    staff = list(staff)
    if actor is None or not staff:
        return staff
    allowed = set(
        Staff.objects.restrict(actor, MANAGE_STAFF).filter(pk__in=[s.pk for s in staff]).values_list("pk", flat=True)
    )
    if len(allowed) != len({s.pk for s in staff}):
        raise PermissionDenied(_("只能登记本辖区的网格服务管理人员。"))
    return staff


@transaction.atomic
def training_session_create(
    *,
    actor,
    area: Area,
    title: str,
    date: datetime.date,
    hours: Decimal,
    attendees: Iterable[Staff] = (),
) -> TrainingSession:
    """Record a training session held by the office of `area` (Art. 21), with its attendees.

    `area` is the city, a district or a township; its level sets the tier (city,
    district, township). `date`: the local date it was held (not in the future);
    `hours`: clock hours, more than 0 and at most 200. Needs `manage_staff` on `area`
    and over every attendee. Raises ValidationError ("title", "date", "hours", "area")
    or PermissionDenied.
    """
    scope.authorize(actor, MANAGE_STAFF, area)
    errors: dict[str, list] = {}
    tier = TIER_LEVELS.get(area.level)
    if tier is None:
        errors["area"] = [_("培训只能由市、区（县、市）或乡镇（街道）组织。")]
    title = (title or "").strip()
    if not title:
        errors["title"] = [_("请填写培训名称。")]
    if date > timezone.localdate():
        errors["date"] = [_("培训日期不能晚于今天（请在培训结束后登记）。")]
    if not (Decimal(0) < hours <= MAX_HOURS):
        errors["hours"] = [_("学时应大于0且不超过200小时。")]
    if errors:
        raise ValidationError(errors)
    session = TrainingSession.objects.create(area=area, tier=tier, title=title, date=date, hours=hours)
    training_attendees_add(actor=actor, session=session, staff=attendees)
    return session


@transaction.atomic
def training_attendees_add(*, actor, session: TrainingSession, staff: Iterable[Staff]) -> int:
    """Add attendees to a session (those already on it are skipped); returns how many were added.

    The actor needs `manage_staff` over each person (a township records its own staff on
    a city or district session too). Raises PermissionDenied otherwise.
    """
    people = _managed(actor, staff)
    on_it = set(session.attendances.values_list("staff_id", flat=True))
    new = [Training(session=session, staff=s) for s in {s.pk: s for s in people}.values() if s.pk not in on_it]
    Training.objects.bulk_create(new)
    return len(new)


@transaction.atomic
def training_attendee_remove(*, actor, training: Training) -> None:
    """Take a person off a session (recorded by mistake). Needs `manage_staff` over the person."""
    _managed(actor, [training.staff])
    training.delete()


@transaction.atomic
def commendation_add(
    *,
    actor,
    staff: Staff,
    title: str,
    awarded_by: str,
    date: datetime.date,
    note: str = "",
    is_public: bool = False,
) -> Commendation:
    """Record a commendation (褒奖, Art. 25) on a staff record; `is_public` also shows it on
    the public card of the grids the person serves. `date`: local, not in the future.
    Needs `manage_staff` over the person. Raises ValidationError or PermissionDenied."""
    _managed(actor, [staff])
    errors: dict[str, list] = {}
    if not (title or "").strip():
        errors["title"] = [_("请填写荣誉名称。")]
    if not (awarded_by or "").strip():
        errors["awarded_by"] = [_("请填写授予单位。")]
    if date > timezone.localdate():
        errors["date"] = [_("授予日期不能晚于今天。")]
    if errors:
        raise ValidationError(errors)
    return Commendation.objects.create(
        staff=staff,
        title=title.strip(),
        awarded_by=awarded_by.strip(),
        date=date,
        note=(note or "").strip(),
        is_public=is_public,
    )


@transaction.atomic
def work_station_save(
    *, actor, area: Area, name: str, address: str = "", opening_hours: str = "", phone: str = ""
) -> WorkStation:
    """Create or update the work station (工作站（室）, Art. 24) of a grid or micro-grid.

    One station per node through this service (the first one is updated). Shown on the
    public card. Needs `manage_staff` over `area`. Raises ValidationError ("area",
    "name") or PermissionDenied.
    """
    scope.authorize(actor, MANAGE_STAFF, area)
    if area.level not in GRID_LEVELS:
        raise ValidationError({"area": [_("工作站只能设在网格或微网格。")]})
    if not (name or "").strip():
        raise ValidationError({"name": [_("请填写工作站名称。")]})
    station = WorkStation.objects.filter(area=area).order_by("id").first() or WorkStation(area=area)
    station.name, station.address = name.strip(), (address or "").strip()
    station.opening_hours, station.phone = (opening_hours or "").strip(), (phone or "").strip()
    station.full_clean()
    station.save()
    return station
