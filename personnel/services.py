"""Every state change of organisations, staff, assignments and memberships (Art. 8, 15, 16).

Each service takes keyword-only arguments and the acting user (`actor`; `None` for the
system: demo seeding, Celery tasks), runs in one transaction, validates first and
raises `django.core.exceptions.ValidationError` (field → Chinese messages) or
`PermissionDenied`, and changes nothing when it raises.

Services that change assignments or memberships end by calling `grants_sync` for the
user concerned, so a new or ended role takes effect on the user's next request.
Dates are local calendar dates (Asia/Shanghai), both ends inclusive.
"""

import datetime
from collections.abc import Iterable

from django.contrib.auth.models import Permission, User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.choices import Level
from grids.models import Area
from ningbo_grid.crypto import lookup_hashes

from . import scope
from .choices import GridRole, OrgKind, PersonalField, PlatformRole
from .models import (
    AreaGrant,
    Assignment,
    Membership,
    Organisation,
    PersonalDataAccess,
    Staff,
    WorkIdCounter,
)
from .roles import CHANGE, MANAGE_STAFF, ROLE_PERMISSIONS, VIEW_PERSONAL_DATA
from .validators import normalise_id_number, validate_id_number, validate_mobile

#: Staff fields `staff_create` / `staff_update` accept.
STAFF_FIELDS = (
    "name",
    "mobile",
    "id_number",
    "work_phone",
    "source",
    "organisation",
    "duties",
    "insurance_until",
    "is_active",
    "user",
)


# --- organisations -----------------------------------------------------------------


@transaction.atomic
def organisation_create(
    *, actor: User | None, name: str, kind: str, area: Area, department: str = "", phone: str = ""
) -> Organisation:
    """Create an organisation anchored to `area`, its jurisdiction (Art. 4, 5).

    Authorities get department `grid_authority`. Raises ValidationError for a duplicate
    name in the same area or an unknown kind; PermissionDenied if `actor` lacks
    `change_area` over `area`.
    """
    scope.authorize(actor, CHANGE, area)
    if kind == OrgKind.AUTHORITY and not department:
        department = "grid_authority"
    org = Organisation(name=name.strip(), kind=kind, area=area, department=department, phone=phone)
    org.full_clean()
    org.save()
    return org


# --- staff --------------------------------------------------------------------------


def work_ids_issue(*, district_code: str, year: int, count: int = 1) -> list[str]:
    """Reserve `count` new work ID numbers (Art. 16): `NB` + 6-digit district code + year + 5 digits.

    E.g. `NB330203202600001`. The per-prefix counter is locked and only grows, so a
    number is never issued twice. Must run inside a transaction (the services' one).
    """
    prefix = f"NB{district_code[:6]}{year:04d}"
    counter, _created = WorkIdCounter.objects.select_for_update().get_or_create(prefix=prefix)
    first = counter.last + 1
    counter.last += count
    counter.save(update_fields=["last"])
    return [f"{prefix}{n:05d}" for n in range(first, first + count)]


def _district_code_for(staff_fields: dict, area: Area | None) -> str:
    """The 6-digit district code the work ID carries: the area's, else the organisation's, else the city's."""
    organisation = staff_fields.get("organisation")
    anchor = area or (organisation.area if organisation else None)
    return anchor.code[:6] if anchor else "330200"


def _clean_personal(fields: dict) -> dict:
    """Validate and normalise mobile and ID number; raise ValidationError keyed by field."""
    errors: dict[str, list] = {}
    if fields.get("mobile"):
        fields["mobile"] = fields["mobile"].strip()
        try:
            validate_mobile(fields["mobile"])
        except ValidationError as exc:
            errors["mobile"] = exc.messages
    if fields.get("id_number"):
        fields["id_number"] = normalise_id_number(fields["id_number"])
        try:
            validate_id_number(fields["id_number"])
        except ValidationError as exc:
            errors["id_number"] = exc.messages
    if errors:
        raise ValidationError(errors)
    return fields


def _check_unique_id_number(id_number: str, exclude: int | None = None) -> None:
    """Refuse an ID number another staff record already holds (ValidationError on "id_number")."""
    if not id_number:
        return
    others = Staff.objects.filter(id_number_hash__in=lookup_hashes(id_number)).exclude(pk=exclude)
    if others.exists():
        raise ValidationError({"id_number": [_("该身份证号码已登记在其他人员档案中，请勿重复添加。")]})


@transaction.atomic
def staff_create(*, actor: User | None, name: str, area: Area | None = None, **fields) -> Staff:
    """Create a staff record and issue its unique work ID (Art. 8, 16).

    `area` (optional) is where the person will serve; it sets the district digits of the
    work ID and, for a human actor, must be within the actor's `manage_staff` reach (the
    township's staff office or an authority above it; or the organisation's area must
    be). Other keyword fields: see `STAFF_FIELDS`. An ID number already on another
    record is refused (matched through its keyed hash; the other record is not named, it
    may be out of the actor's reach). Raises ValidationError (Chinese messages per
    field) or PermissionDenied.
    """
    unknown = set(fields) - set(STAFF_FIELDS)
    if unknown:
        raise TypeError(f"unknown staff fields: {sorted(unknown)}")
    anchor = area or (fields["organisation"].area if fields.get("organisation") else None)
    if actor is not None:
        if anchor is None:
            raise PermissionDenied(_("新建人员须指定所在网格或所属单位。"))
        scope.authorize(actor, MANAGE_STAFF, anchor)
    fields = _clean_personal({**fields, "name": name.strip()})
    _check_unique_id_number(fields.get("id_number", ""))
    (work_id,) = work_ids_issue(district_code=_district_code_for(fields, area), year=timezone.localdate().year)
    staff = Staff(work_id=work_id, **fields)
    staff.full_clean()
    staff.save()
    return staff


@transaction.atomic
def staff_update(*, actor: User | None, staff: Staff, **fields) -> Staff:
    """Change fields of a staff record (not the work ID). Same validation as `staff_create`.

    A human actor needs `manage_staff` over the staff record (`Staff.objects.restrict`).
    Raises ValidationError or PermissionDenied; changes nothing then.
    """
    unknown = set(fields) - set(STAFF_FIELDS)
    if unknown:
        raise TypeError(f"unknown staff fields: {sorted(unknown)}")
    if actor is not None and not Staff.objects.restrict(actor, MANAGE_STAFF).filter(pk=staff.pk).exists():
        raise PermissionDenied(_("您无权修改该人员信息。"))
    fields = _clean_personal(fields)
    _check_unique_id_number(fields.get("id_number", ""), exclude=staff.pk)
    for key, value in fields.items():
        setattr(staff, key, value)
    staff.full_clean()
    staff.save()
    return staff


@transaction.atomic
def staff_unmask(*, actor: User, staff: Staff, field: str, purpose: str) -> str:
    """Return the clear value of `field` ("mobile" or "id_number") and log the access (Art. 16; PIPL).

    Allowed only if `actor` holds `view_personal_data` over one of the staff member's
    assignment areas (current or past) or their organisation's area. Writes one
    `PersonalDataAccess` row (who, whose, which field, when, purpose; never the value).
    Raises ValidationError for an unknown field or an empty purpose, PermissionDenied
    otherwise.
    """
    errors = {}
    if field not in PersonalField.values:
        errors["field"] = [_("只能查看手机号码或身份证号码。")]
    purpose = (purpose or "").strip()
    if len(purpose) < 2:
        errors["purpose"] = [_("请说明查看事由。")]
    elif len(purpose) > 200:
        errors["purpose"] = [_("查看事由不超过200字。")]
    if errors:
        raise ValidationError(errors)
    if not Staff.objects.restrict(actor, VIEW_PERSONAL_DATA).filter(pk=staff.pk).exists():
        raise PermissionDenied(_("您无权查看该人员的个人信息明文。"))
    PersonalDataAccess.objects.create(actor=actor, staff=staff, field=field, purpose=purpose)
    return getattr(staff, field)


# --- assignments ----------------------------------------------------------------------


def _period_overlapping(start: datetime.date, end: datetime.date | None) -> Q:
    """Check `end` is not before `start` (ValidationError) and return a `Q` for rows whose
    inclusive [start, end] period overlaps it (an empty `end` is open-ended)."""
    if end is not None and end < start:
        raise ValidationError({"end": [_("结束日期不能早于开始日期。")]})
    overlapping = Q(end__isnull=True) | Q(end__gte=start)
    if end is not None:
        overlapping &= Q(start__lte=end)
    return overlapping


def validate_assignment(
    *, staff: Staff, area: Area, role: str, start, end=None, replace: bool = False
) -> list[Assignment]:
    """Check the rules of Art. 8 for a new assignment; return the grid-leader rows to end.

    Used by `assignment_start` and by forms that want the errors before saving.
    Raises ValidationError keyed by field (`role`, `area`, `staff`, `start`, `end`).
    """
    if role not in GridRole.values:
        raise ValidationError({"role": [_("未知的网格角色。")]})
    overlapping = _period_overlapping(start, end)
    if not area.is_active:
        raise ValidationError({"area": [_("该网格已撤销，不能任职。")]})
    if role == GridRole.MICRO_GRID_LEADER:
        if area.level != Level.MICRO_GRID:
            raise ValidationError({"area": [_("微网格长只能在微网格任职。")]})
        parttime = Assignment.objects.current(start).filter(
            staff=staff, area_id=area.parent_id, role=GridRole.PARTTIME_WORKER
        )
        if not parttime.exists():
            raise ValidationError({"staff": [_("微网格长须是上级网格在任的兼职网格员。")]})
    elif area.level not in (Level.GRID, Level.MICRO_GRID):
        raise ValidationError({"area": [_("网格角色只能在网格或微网格任职。")]})
    if Assignment.objects.filter(overlapping, staff=staff, area=area, role=role).exists():
        raise ValidationError({"role": [_("该人员在此期间已担任该网格的同一角色。")]})
    to_end: list[Assignment] = []
    if role == GridRole.GRID_LEADER:
        others = list(Assignment.objects.select_for_update().filter(overlapping, area=area, role=role))
        if others and not replace:
            names = "、".join(a.staff.name for a in others)
            raise ValidationError(
                {"staff": [_("该网格已有网格长（%(names)s），请先免去原网格长或选择替换。") % {"names": names}]}
            )
        for other in others:
            if other.start >= start:
                raise ValidationError({"start": [_("新网格长的开始日期须晚于原网格长的开始日期。")]})
        to_end = others
    return to_end


@transaction.atomic
def assignment_start(
    *,
    actor: User | None,
    staff: Staff,
    area: Area,
    role: str,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    replace: bool = False,
) -> Assignment:
    """Give `staff` grid `role` on `area` from `start` (default today) to `end` (open if None).

    Rules (Art. 8): grid roles only on grid / micro-grid nodes; a micro-grid leader only
    on a micro-grid and only if a current part-time worker of its parent grid; a grid has
    one grid leader at a time — if another is in office, this is an error unless
    `replace=True`, which ends the old one on the day before `start`. Raises
    ValidationError or PermissionDenied (the actor needs `manage_staff` over `area`).
    Re-syncs the grants of the users concerned, so the role counts from the next request.
    """
    scope.authorize(actor, MANAGE_STAFF, area)
    start = start or timezone.localdate()
    to_end = validate_assignment(staff=staff, area=area, role=role, start=start, end=end, replace=replace)
    affected = {staff.user_id}
    for old in to_end:
        old.end = start - datetime.timedelta(days=1)
        old.save(update_fields=["end"])
        affected.add(old.staff.user_id)
    assignment = Assignment.objects.create(staff=staff, area=area, role=role, start=start, end=end)
    _sync_users(affected)
    return assignment


@transaction.atomic
def assignment_end(*, actor: User | None, assignment: Assignment, end: datetime.date | None = None) -> Assignment:
    """End an assignment: `end` is the last day served (inclusive).

    Default: yesterday, so the role's permissions go at once (the next request), or the
    start date for an assignment that began today. Ending a part-time worker also ends
    their micro-grid-leader assignments under that grid on the same day (one dated to
    begin later is deleted: it never came into force), each saved like a single end
    (audited, the holder's sessions ended). Raises ValidationError if
    `end` is before the start or the assignment has already ended; PermissionDenied
    (the actor needs `manage_staff` over the assignment's grid).
    """
    scope.authorize(actor, MANAGE_STAFF, assignment.area)
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    today = timezone.localdate()
    end = end or max(assignment.start, today - datetime.timedelta(days=1))
    if assignment.end is not None and assignment.end < today:
        raise ValidationError({"end": [_("该任职已结束。")]})
    if end < assignment.start:
        raise ValidationError({"end": [_("结束日期不能早于开始日期。")]})
    assignment.end = end
    assignment.save(update_fields=["end"])
    if assignment.role == GridRole.PARTTIME_WORKER:
        # Row by row, not a queryset update: each end is saved as a single end is, so the
        # security receivers audit it and end the holder's sessions (the next request).
        leaderships = Assignment.objects.select_for_update().filter(
            Q(end__isnull=True) | Q(end__gt=end),
            staff_id=assignment.staff_id,
            area__parent_id=assignment.area_id,
            role=GridRole.MICRO_GRID_LEADER,
        )
        for leadership in leaderships:
            if leadership.start > end:
                leadership.delete()  # dated to begin after its basis ends: never in force
            else:
                leadership.end = end
                leadership.save(update_fields=["end"])
    _sync_users({assignment.staff.user_id})
    return assignment


# --- memberships ----------------------------------------------------------------------


@transaction.atomic
def membership_start(
    *,
    actor: User | None,
    user,
    organisation: Organisation,
    role: str,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> Membership:
    """Give `user` platform `role` for `organisation` (dispatcher, handler, supervisor …).

    The role's permissions (personnel.roles) are granted on the organisation's area.
    Raises ValidationError (unknown role, bad dates, duplicate) or PermissionDenied.
    """
    scope.authorize(actor, CHANGE, organisation.area)
    start = start or timezone.localdate()
    if role not in PlatformRole.values:
        raise ValidationError({"role": [_("未知的平台角色。")]})
    overlapping = _period_overlapping(start, end)
    if Membership.objects.filter(overlapping, user=user, organisation=organisation, role=role).exists():
        raise ValidationError({"role": [_("该用户在此期间已担任该单位的同一角色。")]})
    membership = Membership.objects.create(user=user, organisation=organisation, role=role, start=start, end=end)
    grants_sync(user=user)
    return membership


@transaction.atomic
def membership_end(*, actor: User | None, membership: Membership, end: datetime.date | None = None) -> Membership:
    """End a platform role; `end` as for `assignment_end` (default yesterday: revoked at once)."""
    scope.authorize(actor, CHANGE, membership.organisation.area)
    today = timezone.localdate()
    end = end or max(membership.start, today - datetime.timedelta(days=1))
    if end < membership.start:
        raise ValidationError({"end": [_("结束日期不能早于开始日期。")]})
    membership.end = end
    membership.save(update_fields=["end"])
    grants_sync(user=membership.user)
    return membership


# --- grants ---------------------------------------------------------------------------


def _area_permissions() -> dict[str, Permission]:
    ct = ContentType.objects.get_for_model(Area)
    return {p.codename: p for p in Permission.objects.filter(content_type=ct)}


def desired_grants(user, on: datetime.date | None = None) -> set[tuple[int, str]]:
    """The (area id, permission codename) pairs `user` should hold on date `on` (default today).

    From current assignments (role permissions on the grid node) and current
    memberships (on the organisation's area), per `personnel.roles.ROLE_PERMISSIONS`.
    """
    wanted: set[tuple[int, str]] = set()
    for area_id, role in Assignment.objects.current(on).filter(staff__user=user).values_list("area_id", "role"):
        wanted.update((area_id, perm) for perm in ROLE_PERMISSIONS.get(role, ()))
    memberships = Membership.objects.current(on).filter(user=user).values_list("organisation__area_id", "role")
    for area_id, role in memberships:
        wanted.update((area_id, perm) for perm in ROLE_PERMISSIONS.get(role, ()))
    return wanted


@transaction.atomic
def grants_sync(*, user) -> tuple[int, int]:
    """Recompute `user`'s AreaGrant rows from their current roles; idempotent.

    Removes grants no current role justifies and adds the missing ones, in bulk.
    Returns (added, removed). A user with no roles ends with no grants.
    """
    wanted = desired_grants(user)
    perms = _area_permissions()
    existing = {
        (area_id, codename): pk
        for pk, area_id, codename in AreaGrant.objects.filter(user=user).values_list(
            "pk", "content_object_id", "permission__codename"
        )
    }
    stale = [pk for key, pk in existing.items() if key not in wanted]
    if stale:
        AreaGrant.objects.filter(pk__in=stale).delete()
    missing = [
        AreaGrant(user=user, content_object_id=area_id, permission=perms[codename])
        for area_id, codename in sorted(wanted - existing.keys())
    ]
    AreaGrant.objects.bulk_create(missing)
    return len(missing), len(stale)


def _sync_users(user_ids: Iterable[int | None]) -> None:
    from django.contrib.auth import get_user_model

    for user in get_user_model().objects.filter(pk__in=[pk for pk in user_ids if pk]):
        grants_sync(user=user)


def grants_sync_due(*, on: datetime.date | None = None) -> int:
    """Re-sync every user whose assignment or membership starts on `on` or ended the day before.

    `on` defaults to today (local). Run daily just after midnight (personnel.tasks), so
    a role dated in advance starts, and one that ended yesterday stops, without anyone
    touching it. Returns the number of users synced.
    """
    on = on or timezone.localdate()
    yesterday = on - datetime.timedelta(days=1)
    changing = Q(start=on) | Q(end=yesterday)
    user_ids = set(
        Assignment.objects.filter(changing, staff__user__isnull=False).values_list("staff__user_id", flat=True)
    )
    user_ids |= set(Membership.objects.filter(changing).values_list("user_id", flat=True))
    _sync_users(user_ids)
    return len(user_ids)
