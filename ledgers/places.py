"""Writes to the standard addresses and the actual housing on them (标准地址、实有房屋, Art. 12(2)).

Same contract as `ledgers.services`: the acting user as `actor`, `keep_ledgers` checked on
the micro-grid concerned (PermissionDenied), ValidationError ({field: [messages]}) for bad
input with nothing changed, and a change names the `version` the actor read (StaleVersion,
HTTP 409 `stale_version`, when the row moved on). Dates local (Asia/Shanghai).
"""

import decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from events.exceptions import StaleVersion
from events.flow import version_message
from grids import locate
from grids.choices import Level
from grids.models import Area

from .choices import ALLOWED_PARENTS, AddressChangeKind, AddressKind
from .keeping import lock_version, micro_grid_of, normalise_text, require_keeper, township_of
from .models import (
    Address,
    AddressChange,
    AddressCounter,
    Dwelling,
    Household,
    Person,
    Unit,
)

# --- addresses ----------------------------------------------------------------------------


def _next_code(area: Area) -> str:
    """The next address code under micro-grid `area`: its code + a 6-digit sequence, never reused."""
    counter, _created = AddressCounter.objects.select_for_update().get_or_create(prefix=area.code)
    counter.last += 1
    if counter.last > 999_999:
        raise ValidationError({"area": [_("该微网格的地址编码已用尽。")]})
    counter.save(update_fields=["last"])
    return f"{area.code}{counter.last:06d}"


def address_create(
    *,
    actor,
    kind: str,
    name: str,
    area: Area | None = None,
    parent: Address | None = None,
    latitude=None,
    longitude=None,
) -> Address:
    """Create a standard address segment (Art. 12(2)) below `parent`, or on micro-grid `area`.

    `kind` an `AddressKind` allowed below the parent's kind (`ALLOWED_PARENTS`); `name`
    the segment ('中山东路', '12号', '3幢', '2单元', '301室'), normalised; unique among
    its active siblings. A room gets its `Dwelling`. Returns the address with its new code.
    Raises ValidationError (kind, name, parent, area), PermissionDenied.
    """
    name = normalise_text(name)
    if parent is not None:
        area = parent.area
    area = micro_grid_of(area)
    require_keeper(actor, area)
    errors: dict[str, list] = {}
    if kind not in AddressKind.values:
        errors["kind"] = [_("地址类型无效。")]
    elif (parent.kind if parent else None) not in ALLOWED_PARENTS[kind]:
        errors["parent"] = [_("该类型的地址不能挂在此上级地址下。")]
    if not name or len(name) > 60:
        errors["name"] = [_("请填写地址名称（不超过60字）。")]
    if parent is not None and not parent.is_active:
        errors["parent"] = [_("上级地址已注销。")]
    errors |= position_errors(area, latitude, longitude)
    if errors:
        raise ValidationError(errors)
    siblings = Address.objects.filter(parent=parent, is_active=True, name=name)
    if parent is None:
        siblings = siblings.filter(area=area)
    if siblings.exists():
        raise ValidationError({"name": [_("同一上级下已有同名地址。")]})
    with transaction.atomic():
        address = Address.objects.create(
            code=_next_code(area),
            parent=parent,
            kind=kind,
            name=name,
            full_text=(parent.full_text if parent else "") + name,
            area=area,
            township=parent.township if parent else township_of(area),
            latitude=latitude,
            longitude=longitude,
        )
        if kind == AddressKind.ROOM:
            Dwelling.objects.create(address=address)
        _log(address, AddressChangeKind.CREATE, actor, after=address.full_text)
    return address


def _drawn(area: Area) -> Area | None:
    """The micro-grid if its boundary is drawn, else its grid if that one is, else None."""
    if area.boundary:
        return area
    parent = area.parent
    return parent if parent is not None and parent.level == Level.GRID and parent.boundary else None


def position_errors(area: Area, latitude, longitude) -> dict[str, list]:
    """Errors (by field) of an address position in micro-grid `area`; empty when it is fine.

    `latitude`/`longitude` are WGS 84 decimal degrees (numbers, both or neither). Where the
    micro-grid, or else its grid, has a drawn boundary, the point must lie in it
    (`grids.locate.chain_at`: the drawn areas holding the point); where neither is drawn,
    any position in range is accepted (Art. 6: an address lies in exactly one micro-grid).
    """
    if latitude is None and longitude is None:
        return {}
    if latitude is None or longitude is None:
        return {"latitude": [_("经纬度须同时填写或同时留空。")]}
    numbers = all(
        isinstance(v, int | float | decimal.Decimal) and not isinstance(v, bool) for v in (latitude, longitude)
    )
    if not numbers or not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return {"latitude": [_("经纬度无效。")]}
    drawn = _drawn(area)
    if drawn is None:
        return {}
    chain = locate.chain_at(lat=float(latitude), lon=float(longitude))
    if drawn.pk not in {found.pk for found in chain}:
        return {"latitude": [_("该位置不在%(grid)s的范围内，请核对位置或所选网格。") % {"grid": drawn.name}]}
    return {}


def _log(address: Address, kind: str, actor, before: str = "", after: str = "", note: str = "") -> AddressChange:
    return AddressChange.objects.create(
        address=address, kind=kind, actor=actor, before=before, after=after, note=note, at=timezone.now()
    )


def _descendants(address: Address) -> list[Address]:
    found, level = [], [address]
    while level:
        level = list(Address.objects.filter(parent__in=level))
        found += level
    return found


def address_rename(*, actor, address: Address, name: str, version: int | None = None) -> Address:
    """Rename one segment (Art. 12(2)): `name` normalised, 1–60 characters, unique among its
    active siblings; the full text of it and of everything below it follows (their
    versions bumped); recorded (`AddressChange` rename). Raises ValidationError (name:
    empty, too long, taken, or the address retired), PermissionDenied, StaleVersion."""
    require_keeper(actor, address.area)
    name = normalise_text(name)
    if not name or len(name) > 60:
        raise ValidationError({"name": [_("请填写地址名称（不超过60字）。")]})
    with transaction.atomic():
        lock_version(address, version)
        if not address.is_active:
            raise ValidationError({"name": [_("地址已注销。")]})
        siblings = Address.objects.filter(parent_id=address.parent_id, is_active=True, name=name)
        if address.parent_id is None:
            siblings = siblings.filter(area_id=address.area_id)
        if siblings.exclude(pk=address.pk).exists():
            raise ValidationError({"name": [_("同一上级下已有同名地址。")]})
        if name == address.name:
            return address
        before = address.full_text
        prefix = address.parent.full_text if address.parent_id else ""
        address.name, address.full_text, address.version = name, prefix + name, address.version + 1
        address.save(update_fields=["name", "full_text", "version", "updated_at"])
        for below in _descendants(address):
            below.full_text, below.version = address.full_text + below.full_text[len(before) :], below.version + 1
            below.save(update_fields=["full_text", "version", "updated_at"])
        _log(address, AddressChangeKind.RENAME, actor, before=before, after=address.full_text)
    return address


def _merge_dwelling(address: Address, into: Address) -> None:
    """Move `address`'s dwelling to `into`; if `into` has one, fill its empty facts from it and
    add its tenants (the merged duplicate's dwelling then goes: everything is on `into`'s)."""
    old = Dwelling.objects.filter(address=address).first()
    if old is None:
        return
    kept = Dwelling.objects.filter(address=into).first()
    if kept is None:
        Dwelling.objects.filter(pk=old.pk).update(address=into, version=F("version") + 1)
        return
    for name in ("owner", "floor_area", "rental_registered_on", "rental_ends_on"):
        if getattr(kept, name) is None:
            setattr(kept, name, getattr(old, name))
    kept.version += 1
    kept.save()
    kept.tenants.add(*old.tenants.all())
    old.delete()


def address_merge(*, actor, address: Address, into: Address, version: int | None = None) -> Address:
    """Merge duplicate address `address` into `into`, an active address of the same kind
    (Art. 12(2)); the actor keeps the ledgers of both micro-grids. Its residents (their
    versions bumped), households, units and dwelling (`_merge_dwelling`) move there; it is
    retired with `into` as successor; recorded on both (`AddressChange` merge). Refused
    when it still has active addresses below it. Returns `into`. Raises ValidationError
    (into, address), PermissionDenied, StaleVersion (`version`: of `address`)."""
    require_keeper(actor, address.area)
    require_keeper(actor, into.area)
    if address.pk == into.pk or not into.is_active:
        raise ValidationError({"into": [_("请选择另一个有效地址。")]})
    if into.kind != address.kind:
        raise ValidationError({"into": [_("只能合并到同一类型的地址。")]})
    with transaction.atomic():
        lock_version(address, version)
        if not address.is_active:
            raise ValidationError({"address": [_("地址已注销。")]})
        if address.children.filter(is_active=True).exists():
            raise ValidationError({"address": [_("请先处理其下级地址。")]})
        located = {"area": into.area, "township": into.township}
        Person.objects.filter(residence=address).update(residence=into, version=F("version") + 1, **located)
        Household.objects.filter(address=address).update(address=into, **located)
        Unit.objects.filter(address=address).update(address=into, **located)
        _merge_dwelling(address, into)
        address.is_active, address.successor, address.version = False, into, address.version + 1
        address.save(update_fields=["is_active", "successor", "version", "updated_at"])
        _log(address, AddressChangeKind.MERGE, actor, before=address.full_text, after=into.full_text)
        _log(into, AddressChangeKind.MERGE, actor, before=address.full_text, after=into.full_text, note=address.code)
    return into


def addresses_follow_grids(moves: list[tuple[Area, Area]]) -> int:
    """Move everything located in each old micro-grid to its successor (a grid adjustment, Art. 9).

    `moves` is a list of (old micro-grid, successor micro-grid), as
    `grids.signals.micro_grids_succeeded` sends them once per adjustment (`ledgers.receivers`).
    Addresses keep their codes; each move is recorded (one `AddressChange` per address).
    Residents, households and units move too; visits stay where they were made (history).
    Set-based: one UPDATE per table and one INSERT of the records, whatever the number of
    micro-grids, plus one query per village the successors lie in (their township); runs in
    the adjustment's transaction. Returns the number of addresses moved.
    """
    olds = {old.pk: old for old, _new in moves}
    news = {old.pk: new for old, new in moves}
    townships: dict[int, Area] = {}
    for new in news.values():
        if new.parent_id not in townships:
            townships[new.parent_id] = township_of(new)
    area = Case(*[When(area_id=pk, then=Value(new.pk)) for pk, new in news.items()])
    township = Case(*[When(area_id=pk, then=Value(townships[new.parent_id].pk)) for pk, new in news.items()])
    moved = list(Address.objects.filter(area_id__in=news).values_list("pk", "full_text", "area_id"))
    for model in (Address, Person, Household, Unit):
        model.objects.filter(area_id__in=news).update(area=area, township=township)
    now = timezone.now()
    AddressChange.objects.bulk_create(
        AddressChange(
            address_id=pk,
            kind=AddressChangeKind.MOVE,
            before=olds[old].code,
            after=news[old].code,
            at=now,
            note=text[:200],
        )
        for pk, text, old in moved
    )
    return len(moved)


#: What `dwelling_update` may change.
DWELLING_FIELDS = ("use", "floor_area", "owner", "tenants", "rental_registered_on", "rental_ends_on")


def _dwelling_errors(actor, dwelling: Dwelling, tenants) -> dict[str, list]:
    """Field errors of a dwelling about to be saved (`dwelling_update`), with codes."""
    errors: dict[str, list] = {}
    if dwelling.floor_area is not None and dwelling.floor_area <= 0:
        errors["floor_area"] = [ValidationError(_("建筑面积须大于0平方米。"), code="min_value")]
    start, end = dwelling.rental_registered_on, dwelling.rental_ends_on
    if start and end and end < start:
        errors["rental_ends_on"] = [ValidationError(_("租赁到期日期不能早于租赁登记日期。"), code="before_start")]
    in_reach = Person.objects.restrict(actor)
    if dwelling.owner_id is not None and not in_reach.filter(pk=dwelling.owner_id).exists():
        errors["owner"] = [ValidationError(_("产权人不存在或不在您的辖区内。"), code="out_of_scope")]
    wanted = {p.pk for p in tenants or ()}
    if wanted and in_reach.filter(pk__in=wanted).count() != len(wanted):
        errors["tenants"] = [ValidationError(_("承租人不存在或不在您的辖区内。"), code="out_of_scope")]
    return errors


def dwelling_update(*, actor, dwelling: Dwelling, version: int | None, **fields) -> Dwelling:
    """Edit actual housing (实有房屋, Art. 12(2)): the edit names the `version` it read.

    `fields` (any of `DWELLING_FIELDS`): `use` a `DwellingUse`; `floor_area` a Decimal
    (m², > 0) or None; `owner` a Person or None; `tenants` an iterable of Persons (the
    whole new set); `rental_registered_on`/`rental_ends_on` local dates or None, the end
    not before the registration. Owner and tenants must be persons within the actor's
    reach (`Person.objects.restrict`). `version`: the dwelling's `version` as the caller
    read it (None: not checked, for imports). Under the row lock; bumps `version`.
    Raises PermissionDenied (no `keep_ledgers` on the address's micro-grid),
    ValidationError ({field: [messages]} with codes; unknown fields under `fields`),
    `events.exceptions.StaleVersion` (someone saved since `version`). Nothing is saved on error.
    """
    require_keeper(actor, dwelling.address.area)
    unknown = set(fields) - set(DWELLING_FIELDS)
    if unknown:
        raise ValidationError({"fields": [_("未知字段：%s") % ", ".join(sorted(unknown))]})
    tenants = fields.pop("tenants", None)
    with transaction.atomic():
        locked = Dwelling.objects.select_for_update().select_related("address").get(pk=dwelling.pk)
        if version is not None and version != locked.version:
            raise StaleVersion(f"{locked.address.full_text}：{version_message(locked, stale=True)}")
        for name, value in fields.items():
            setattr(locked, name, value)
        errors = _dwelling_errors(actor, locked, tenants)
        try:
            locked.full_clean(exclude=["address", "owner", *errors])
        except ValidationError as exc:
            errors |= exc.error_dict
        if errors:
            raise ValidationError(errors)
        locked.version += 1
        locked.save()
        if tenants is not None:
            locked.tenants.set(tenants)
    return locked
