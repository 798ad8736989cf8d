"""Writes to the ledgers (一标三实, Art. 12(2)): addresses, housing, persons, households, units.

Every function takes the acting user as `actor` and checks `keep_ledgers` on the
micro-grid concerned (`personnel.scope.has_area_perm`); it raises PermissionDenied
otherwise, and ValidationError ({field: [messages]}) for bad input, changing nothing.
A change of a person or an address names the `version` the actor read (None: not
checked, for the platform's own callers): the row is locked and StaleVersion
(`events.exceptions`, HTTP 409 `stale_version`) raised if it moved on since; every
change bumps it. Times are aware (UTC stored); dates local (Asia/Shanghai). Visits are in
`ledgers.visits`; reveals, ID search, export and anonymisation in `ledgers.privacy`.
"""

import datetime
import decimal
import unicodedata

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from events.exceptions import StaleVersion
from events.flow import version_message
from grids import locate
from grids.choices import Level, Status
from grids.models import Area
from ningbo_grid.crypto import lookup_hashes
from personnel import scope
from personnel.roles import KEEP_LEDGERS
from personnel.validators import normalise_id_number, validate_id_number, validate_mobile

from .choices import ALLOWED_PARENTS, AddressChangeKind, AddressKind, DocType, PersonStatus, Registration, Relation
from .models import (
    Address,
    AddressChange,
    AddressCounter,
    CareTag,
    Dwelling,
    Household,
    Person,
    PersonMove,
    PersonTag,
    Unit,
)
from .validators import id_facts, normalise_uscc, validate_uscc


def normalise_text(value: str) -> str:
    """NFKC (full-width digits and letters to half-width), blanks removed: '１２３ 号' → '123号'."""
    return "".join(unicodedata.normalize("NFKC", value or "").split())


def township_of(area: Area) -> Area:
    """The township (乡镇/街道) above a micro-grid (one query)."""
    return area.get_ancestors().get(level=Level.TOWNSHIP)


def _require(actor, area: Area, perm: str = KEEP_LEDGERS) -> None:
    if not scope.has_area_perm(actor, perm, area):
        raise PermissionDenied(_("您无权维护该网格的台账。"))


def _lock(obj: Address | Person, version: int | None) -> None:
    """Lock `obj`'s row and reload it (inside a transaction); StaleVersion if `version`
    (the version the actor read; None: not checked) is no longer the row's."""
    obj.refresh_from_db(from_queryset=type(obj).objects.select_for_update(of=("self",)))
    if version is not None and version != obj.version:
        raise StaleVersion(version_message(obj, stale=True))


def _micro_grid(area, field: str = "area") -> Area:
    if not isinstance(area, Area) or area.level != Level.MICRO_GRID or area.status != Status.ACTIVE:
        raise ValidationError({field: [_("标准地址须挂在在用的微网格上。")]})
    return area


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
    area = _micro_grid(area)
    _require(actor, area)
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
    _require(actor, address.area)
    name = normalise_text(name)
    if not name or len(name) > 60:
        raise ValidationError({"name": [_("请填写地址名称（不超过60字）。")]})
    with transaction.atomic():
        _lock(address, version)
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
    _require(actor, address.area)
    _require(actor, into.area)
    if address.pk == into.pk or not into.is_active:
        raise ValidationError({"into": [_("请选择另一个有效地址。")]})
    if into.kind != address.kind:
        raise ValidationError({"into": [_("只能合并到同一类型的地址。")]})
    with transaction.atomic():
        _lock(address, version)
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
    _require(actor, dwelling.address.area)
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


# --- persons ------------------------------------------------------------------------------


def find_by_document(id_number: str) -> Person | None:
    """The person holding this document number city-wide, or None (unscoped: for duplicate
    checks; a user's search goes through `ledgers.privacy.person_search_id`, which is logged)."""
    value = normalise_id_number(id_number)
    return Person.objects.filter(id_number_hash__in=lookup_hashes(value)).first() if value else None


def clean_person(data: dict) -> dict:
    errors: dict[str, list] = {}
    name = (data.get("name") or "").strip()
    if not name or len(name) > 50:
        errors["name"] = [_("请填写姓名（不超过50字）。")]
    doc_type = data.get("doc_type") or DocType.RESIDENT_ID
    if doc_type not in DocType.values:
        errors["doc_type"] = [_("证件类型无效。")]
    id_number = normalise_id_number(data.get("id_number") or "")
    if doc_type == DocType.RESIDENT_ID:
        try:
            validate_id_number(id_number)
        except ValidationError as exc:
            errors["id_number"] = exc.messages
    elif not id_number or len(id_number) > 30:
        errors["id_number"] = [_("请填写证件号码（不超过30位）。")]
    mobile = (data.get("mobile") or "").strip()
    if mobile:
        try:
            validate_mobile(mobile)
        except ValidationError as exc:
            errors["mobile"] = exc.messages
    if data.get("registration") not in Registration.values:
        errors["registration"] = [_("请选择户籍类别。")]
    if data.get("relation", "") not in ("", *Relation.values):
        errors["relation"] = [_("与户主关系无效。")]
    if errors:
        raise ValidationError(errors)
    clean = {**data, "name": name, "doc_type": doc_type, "id_number": id_number, "mobile": mobile}
    if doc_type == DocType.RESIDENT_ID:
        clean["sex"], clean["birth_date"] = id_facts(id_number)
    return clean


def _residence(residence: Address | None, household: Household | None, area: Area | None) -> tuple:
    if household is not None and residence is None:
        residence = household.address
    if residence is not None:
        if not residence.is_active:
            raise ValidationError({"residence": [_("居住地址已注销。")]})
        area = residence.area
    if area is None:
        raise ValidationError({"residence": [_("请选择居住地址。")]})
    return residence, _micro_grid(area, "residence")


def person_register(
    *,
    actor,
    name: str,
    id_number: str,
    registration: str,
    doc_type: str = DocType.RESIDENT_ID,
    mobile: str = "",
    residence: Address | None = None,
    household: Household | None = None,
    relation: str = "",
    area: Area | None = None,
    tags=(),
) -> Person:
    """Register an actual resident (Art. 12(2)); one record per document city-wide.

    `id_number`: a resident ID (GB 11643 check digit; sex and birth date are taken from
    it) or another document's number; `registration` a `Registration`; `residence` a
    room address (else `household`'s address, else micro-grid `area`); `tags` care tags.
    A document already registered anywhere is refused (ValidationError on id_number,
    naming no one: a person moving in is transferred with `person_transfer`).
    """
    data = clean_person(
        {
            "name": name,
            "doc_type": doc_type,
            "id_number": id_number,
            "mobile": mobile,
            "registration": registration,
            "relation": relation,
        }
    )
    residence, area = _residence(residence, household, area)
    _require(actor, area)
    with transaction.atomic():
        if find_by_document(data["id_number"]) is not None:
            raise ValidationError({"id_number": [_("该证件号码已登记，同一人只能有一条记录；迁入请办理迁移。")]})
        person = Person.objects.create(
            **data, residence=residence, household=household, area=area, township=township_of(area)
        )
        if household is not None and relation == Relation.HEAD:
            Household.objects.filter(pk=household.pk).update(head=person)
        if tags:
            person_set_tags(actor=actor, person=person, tags=tags)
    return person


def person_set_tags(
    *, actor, person: Person, tags, on: datetime.date | None = None, version: int | None = None
) -> Person:
    """Set a person's care tags (CareTag objects or codes), new ones since local date `on`
    (default today); `next_visit_due` follows (`refresh_due`); the version is bumped.
    Callers acting for a user keep the tags that user may not see (`ledgers.changes`)."""
    _require(actor, person.area)
    wanted = {t.pk: t for t in CareTag.objects.filter(pk__in=[t.pk for t in tags if isinstance(t, CareTag)])}
    wanted |= {t.pk: t for t in CareTag.objects.filter(code__in=[t for t in tags if isinstance(t, str)])}
    on = on or timezone.localdate()
    with transaction.atomic():
        _lock(person, version)
        person.version += 1
        Person.objects.filter(pk=person.pk).update(version=person.version)
        PersonTag.objects.filter(person=person).exclude(tag_id__in=wanted).delete()
        have = set(PersonTag.objects.filter(person=person).values_list("tag_id", flat=True))
        PersonTag.objects.bulk_create(PersonTag(person=person, tag_id=pk, since=on) for pk in wanted if pk not in have)
        refresh_due(person)
    return person


def refresh_due(person: Person) -> None:
    """Recompute `next_visit_due`: last visit (or registration) + the shortest tag frequency."""
    days = [t.visit_every_days for t in person.tags.filter(is_active=True) if t.visit_every_days]
    if not days or person.status != PersonStatus.PRESENT:
        due = None
    else:
        since = timezone.localtime(person.last_visited_at or person.created_at).date()
        due = since + datetime.timedelta(days=min(days))
    Person.objects.filter(pk=person.pk).update(next_visit_due=due)
    person.next_visit_due = due


def person_transfer(
    *,
    actor,
    person: Person,
    residence: Address,
    household: Household | None = None,
    relation: str = "",
    reason: str = "",
    version: int | None = None,
) -> Person:
    """Move a person to another address, in this grid or another (迁入, Art. 12(2)); kept as history.

    The receiving grid's staff act (`keep_ledgers` on the new address's micro-grid);
    they find the person by exact ID (`ledgers.privacy.person_to_receive`, logged). A moved-out
    person moving back is present again. `household` (if any) must be at `residence`.
    Returns the person (version bumped). Raises ValidationError (residence, household,
    relation, person), PermissionDenied, StaleVersion.
    """
    _require(actor, residence.area)
    if not residence.is_active:
        raise ValidationError({"residence": [_("居住地址已注销。")]})
    if household is not None and household.address_id != residence.pk:
        raise ValidationError({"household": [_("家庭须在新的居住地址。")]})
    if relation not in ("", *Relation.values):
        raise ValidationError({"relation": [_("与户主关系无效。")]})
    with transaction.atomic():
        _lock(person, version)
        if person.status == PersonStatus.DECEASED or person.anonymised_at:
            raise ValidationError({"person": [_("该人员已注销，不能迁移。")]})
        if person.residence_id == residence.pk and person.status == PersonStatus.PRESENT:
            raise ValidationError({"residence": [_("该人员已住在此地址。")]})
        PersonMove.objects.create(
            person=person,
            from_area=person.area,
            to_area=residence.area,
            from_residence=person.residence,
            to_residence=residence,
            actor=actor,
            at=timezone.now(),
            reason=reason[:200],
        )
        if person.household_id and person.household_id != getattr(household, "pk", None):
            Household.objects.filter(pk=person.household_id, head=person).update(head=None)
        person.residence, person.household, person.relation = residence, household, relation
        person.area, person.township = residence.area, residence.township
        person.status, person.left_on = PersonStatus.PRESENT, None
        person.version += 1
        person.save()
        if household is not None and relation == Relation.HEAD:
            Household.objects.filter(pk=household.pk).update(head=person)
        refresh_due(person)
    return person


def person_leave(
    *, actor, person: Person, status: str, on: datetime.date, reason: str = "", version: int | None = None
) -> Person:
    """Record that a person moved out of the city or died on local date `on` (not after
    today), with `reason`; kept as history (a `PersonMove` to nowhere). Their data are
    anonymised after `settings.LEDGERS_RETENTION_DAYS` (`ledgers.privacy`). Raises
    ValidationError (status, on, person: already gone), PermissionDenied, StaleVersion."""
    _require(actor, person.area)
    if status not in (PersonStatus.MOVED_OUT, PersonStatus.DECEASED):
        raise ValidationError({"status": [_("请选择迁出本市或死亡。")]})
    if on > timezone.localdate():
        raise ValidationError({"on": [_("日期不能晚于今天。")]})
    with transaction.atomic():
        _lock(person, version)
        if person.status != PersonStatus.PRESENT:
            raise ValidationError({"person": [_("该人员已迁出或死亡。")]})
        PersonMove.objects.create(
            person=person, from_area=person.area, to_area=None, actor=actor, at=timezone.now(), reason=reason[:200]
        )
        person.status, person.left_on, person.version = status, on, person.version + 1
        person.save(update_fields=["status", "left_on", "version", "updated_at"])
        refresh_due(person)
    return person


# --- households and units -----------------------------------------------------------------


#: The address kinds a household lives at: a room (户室) or a village house (村民房屋号).
HOUSEHOLD_KINDS = (AddressKind.ROOM, AddressKind.HOUSE)


def household_create(*, actor, address: Address) -> Household:
    """A household (户, Art. 12(2)) at `address`, an active room or village house
    (`HOUSEHOLD_KINDS`); members join with `person_register`/`person_transfer`. Callers
    make it once per request (a page's one-time key, the API's `Idempotency-Key`).
    Raises PermissionDenied (no `keep_ledgers` there), ValidationError (`address`)."""
    _require(actor, address.area)
    if not address.is_active:
        raise ValidationError({"address": [ValidationError(_("地址已注销。"), code="inactive")]})
    if address.kind not in HOUSEHOLD_KINDS:
        raise ValidationError({"address": [ValidationError(_("家庭须登记在户室或村民房屋号上。"), code="kind")]})
    return Household.objects.create(address=address, area=address.area, township=address.township)


def unit_register(
    *,
    actor,
    name: str,
    kind: str,
    address: Address,
    uscc: str = "",
    legal_representative: str = "",
    contact_phone: str = "",
    staff_count: int | None = None,
    safety_class: str = "general",
) -> Unit:
    """Register an actual unit (实有单位) at `address`; `uscc` checked (GB 32100) and unique."""
    _require(actor, address.area)
    uscc = normalise_uscc(uscc)
    unit = Unit(
        name=(name or "").strip(),
        kind=kind,
        address=address,
        area=address.area,
        township=address.township,
        uscc=uscc,
        legal_representative=(legal_representative or "").strip(),
        contact_phone=(contact_phone or "").strip(),
        staff_count=staff_count,
        safety_class=safety_class,
    )
    errors: dict[str, list] = {}
    if uscc:
        try:
            validate_uscc(uscc)
        except ValidationError as exc:
            errors["uscc"] = exc.messages
        else:
            if Unit.objects.filter(uscc=uscc).exists():
                errors["uscc"] = [_("该统一社会信用代码已登记。")]
    try:
        unit.full_clean(exclude=["area", "township", "address", "uscc", "contact_phone_hash"])
    except ValidationError as exc:
        errors |= exc.message_dict
    if errors:
        raise ValidationError(errors)
    unit.save()
    return unit
