"""The supervision hotline of a node (监督电话, Art. 10): validated, changed by whoever runs the area.

Art. 10 has the township publish each grid's supervision hotline on its card and keep it
current. A grid's card shows its own number, else the nearest one up the tree
(`grids.public.grid_card`), so a township, district or the city sets one number for all
the grids below that have none of their own.

Who may change a node's number: a holder of `manage_staff` over it (`personnel.roles`):
a township office's dispatchers for their township and its villages, grids and
micro-grids; a district's (or the city's) supervisors for their whole district (city).
The hotline is where the public complains about the grid staff those offices run.
"""

import re

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ningbo_grid.phones import MOBILE
from personnel.roles import MANAGE_STAFF
from personnel.scope import authorize

from .choices import ChangeKind, Status
from .locking import tree_lock
from .models import Area, AreaChange

#: A landline with its area code: 010 and 02x are three digits (with the 0), the others
#: four; the local number is 7 or 8 digits and does not start with 0 or 1.
_LANDLINE = re.compile(r"(0(?:10|2\d|[3-9]\d{2}))-?([2-9]\d{6,7})")
#: Separators people type inside a number, dropped before checking.
_SEPARATORS = re.compile(r"[\s()（）]")

#: What `authorize` says to a user without `manage_staff` over the node.
NOT_IN_CHARGE = _("您无权设置该区域的监督电话。")
INVALID_HOTLINE = _("监督电话应为11位手机号，或带区号的固定电话（如 0574-87150000）。")


def normalise_hotline(value: str) -> str:
    """A hotline as stored and shown: a mobile's 11 digits, or a landline as `0574-87150000`;
    "" for an empty value. Raises ValidationError (code `invalid_phone`) for anything else,
    including a landline without its area code and service numbers such as 12345."""
    if not isinstance(value, str):
        raise ValidationError(INVALID_HOTLINE, code="invalid_phone")
    value = _SEPARATORS.sub("", value)
    if not value:
        return ""
    if MOBILE.fullmatch(value):
        return value
    landline = _LANDLINE.fullmatch(value)
    if landline is None:
        raise ValidationError(INVALID_HOTLINE, code="invalid_phone")
    return f"{landline[1]}-{landline[2]}"


def area_set_hotline(*, actor: User | None, area: Area, supervision_phone: str) -> Area:
    """Set (or with "" clear) the supervision hotline of `area`, any level (Art. 10).

    `supervision_phone` is checked and normalised by `normalise_hotline`; a cleared
    node's card falls back to the nearest number above it. A change writes one
    `AreaChange` (kind `hotline`, before/after `supervision_phone`, effective today)
    and moves `TreeVersion`, like every tree write; the same number again changes and
    records nothing. Raises PermissionDenied without `manage_staff` over `area`,
    ValidationError (`supervision_phone`; `area` for a retired node). Returns the node
    as saved.
    """
    authorize(actor, MANAGE_STAFF, area, message=NOT_IN_CHARGE)
    try:
        number = normalise_hotline(supervision_phone)
    except ValidationError as exc:
        raise ValidationError({"supervision_phone": exc.error_list}) from None
    with tree_lock():
        area = Area.objects.select_related("parent", "successor").get(pk=area.pk)
        if area.status != Status.ACTIVE:
            raise ValidationError({"area": _("%(code)s 已撤销，不能再设置监督电话。") % {"code": area.code}})
        if number == area.supervision_phone:
            return area
        before = {"supervision_phone": area.supervision_phone}
        area.supervision_phone = number
        area.updated_at = timezone.now()
        # A plain UPDATE: django-mptt's save() would re-check the tree for a field outside it.
        Area.objects.filter(pk=area.pk).update(supervision_phone=number, updated_at=area.updated_at)
        AreaChange.objects.create(
            area=area,
            kind=ChangeKind.HOTLINE,
            actor=actor,
            effective_date=timezone.localdate(),
            before=before,
            after={"supervision_phone": number},
        )
    return area
