"""What every write to the ledgers shares (一标三实, Art. 12(2)): the keeper check, the
version lock and the micro-grid an address hangs on; used by `ledgers.places` (addresses and
housing) and `ledgers.services` (persons, households, units)."""

import unicodedata

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from events.exceptions import StaleVersion
from events.flow import version_message
from grids.choices import Level, Status
from grids.models import Area
from personnel import scope
from personnel.roles import KEEP_LEDGERS

from .models import (
    Address,
    Person,
)


def normalise_text(value: str) -> str:
    """NFKC (full-width digits and letters to half-width), blanks removed: '１２３ 号' → '123号'."""
    return "".join(unicodedata.normalize("NFKC", value or "").split())


def township_of(area: Area) -> Area:
    """The township (乡镇/街道) above a micro-grid (one query)."""
    return area.get_ancestors().get(level=Level.TOWNSHIP)


def require_keeper(actor, area: Area, perm: str = KEEP_LEDGERS) -> None:
    """PermissionDenied unless `actor` holds `perm` (default `keep_ledgers`) on `area` (Art. 12(2))."""
    if not scope.has_area_perm(actor, perm, area):
        raise PermissionDenied(_("您无权维护该网格的台账。"))


def lock_version(obj: Address | Person, version: int | None) -> None:
    """Lock `obj`'s row and reload it (inside a transaction); StaleVersion if `version`
    (the version the actor read; None: not checked) is no longer the row's."""
    obj.refresh_from_db(from_queryset=type(obj).objects.select_for_update(of=("self",)))
    if version is not None and version != obj.version:
        raise StaleVersion(version_message(obj, stale=True))


def micro_grid_of(area, field: str = "area") -> Area:
    """`area` if it is an active micro-grid, else ValidationError on `field`."""
    if not isinstance(area, Area) or area.level != Level.MICRO_GRID or area.status != Status.ACTIVE:
        raise ValidationError({field: [_("标准地址须挂在在用的微网格上。")]})
    return area
