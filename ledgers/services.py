"""Writes to the ledgers (一标三实, Art. 12(2)): persons, households, units (addresses and
housing: `ledgers.places`; shared checks: `ledgers.keeping`).

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

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import Area
from ningbo_grid.crypto import lookup_hashes
from personnel.validators import normalise_id_number, validate_id_number, validate_mobile

from .choices import AddressKind, DocType, PersonStatus, Registration, Relation
from .keeping import lock_version, micro_grid_of, require_keeper, township_of
from .models import (
    Address,
    CareTag,
    Household,
    Person,
    PersonMove,
    PersonTag,
    Unit,
)
from .validators import id_facts, normalise_uscc, validate_uscc

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
    return residence, micro_grid_of(area, "residence")


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
    require_keeper(actor, area)
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
    require_keeper(actor, person.area)
    wanted = {t.pk: t for t in CareTag.objects.filter(pk__in=[t.pk for t in tags if isinstance(t, CareTag)])}
    wanted |= {t.pk: t for t in CareTag.objects.filter(code__in=[t for t in tags if isinstance(t, str)])}
    on = on or timezone.localdate()
    with transaction.atomic():
        lock_version(person, version)
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
    require_keeper(actor, residence.area)
    if not residence.is_active:
        raise ValidationError({"residence": [_("居住地址已注销。")]})
    if residence.kind not in HOUSEHOLD_KINDS:
        raise ValidationError({"residence": [_("居住地址须为户室或村民房屋号。")]})
    if household is not None and household.address_id != residence.pk:
        raise ValidationError({"household": [_("家庭须在新的居住地址。")]})
    if relation not in ("", *Relation.values):
        raise ValidationError({"relation": [_("与户主关系无效。")]})
    with transaction.atomic():
        lock_version(person, version)
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
    """Record that a person moved out of the city or died on local date `on`, with
    `reason`; kept as history (a `PersonMove` to nowhere). Their data are anonymised
    `settings.LEDGERS_RETENTION_DAYS` days after `on` (`ledgers.privacy`), and a departure
    cannot be undone, so `on` lies between the birth date (when known) and today and within
    the retention period (an older date, a typo such as 1900 or 2020, would erase the
    record at the next nightly run). Raises ValidationError (status, on, person: already
    gone), PermissionDenied, StaleVersion."""
    require_keeper(actor, person.area)
    if status not in (PersonStatus.MOVED_OUT, PersonStatus.DECEASED):
        raise ValidationError({"status": [_("请选择迁出本市或死亡。")]})
    today = timezone.localdate()
    earliest = today - datetime.timedelta(days=settings.LEDGERS_RETENTION_DAYS)
    if on > today:
        raise ValidationError({"on": [_("日期不能晚于今天。")]})
    if person.birth_date and on < person.birth_date:
        raise ValidationError({"on": [_("日期不能早于出生日期。")]})
    if on < earliest:
        message = _("日期不能早于 %(date)s：超过保留期限的记录会被立即匿名化，请核对日期。")
        raise ValidationError({"on": [message % {"date": earliest.isoformat()}]})
    with transaction.atomic():
        lock_version(person, version)
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
    require_keeper(actor, address.area)
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
    require_keeper(actor, address.area)
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
