"""Residents' personal data (PIPL; GB/T 35273): masks, reveals, exact-ID search, tag visibility, erasure.

ID numbers and mobiles are encrypted at rest (`ningbo_grid.crypto`) and shown masked
(`personnel.masking`) everywhere. The clear value leaves only through `person_reveal`
(a purpose, `view_personal_data` over the person's grid), and an exact-ID search goes
through the keyed hash (`person_search_id`); both write a row of the platform's one
access log (`personnel.PersonalDataAccess`, with `resident`). Nothing here logs a value.
"""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from integrations.models import ApiClient
from personnel import scope
from personnel.choices import AccessedField, PersonalField
from personnel.masking import MASKERS
from personnel.models import Membership, PersonalDataAccess, Staff
from personnel.roles import VIEW_PERSONAL_DATA

from .choices import PersonStatus, Sensitivity
from .models import CareTag, LedgerGrant, Person, PersonTag
from .services import find_by_document

ANONYMISED_NAME = "（已匿名）"


def _purpose(purpose: str) -> str:
    purpose = (purpose or "").strip()
    if len(purpose) < 2 or len(purpose) > 200:
        raise ValidationError({"purpose": [_("请说明查看事由（2–200字）。")]})
    return purpose


def masked(person: Person, field: str) -> str:
    """The masked form of `field` ("id_number" or "mobile") of a person."""
    return MASKERS[field](getattr(person, field))


def person_reveal(*, actor, person: Person, field: str, purpose: str) -> str:
    """The clear `field` ("id_number" or "mobile") of `person`, logged with `purpose`.

    Needs `view_personal_data` over the person's micro-grid. Raises ValidationError
    (field, purpose), PermissionDenied.
    """
    if field not in PersonalField.values:
        raise ValidationError({"field": [_("只能查看证件号码或手机号码。")]})
    purpose = _purpose(purpose)
    if not scope.has_area_perm(actor, VIEW_PERSONAL_DATA, person.area):
        raise PermissionDenied(_("您无权查看该居民的个人信息明文。"))
    PersonalDataAccess.objects.create(actor=actor, resident=person, field=field, purpose=purpose)
    return getattr(person, field)


def person_search_id(*, actor, id_number: str, purpose: str) -> Person | None:
    """The person with this exact document number within the actor's reach, or None; logged.

    Searches through the keyed hash (no decryption, no scan). A person outside the
    actor's reach is reported as not found (and logged without a subject).
    """
    purpose = _purpose(purpose)
    found = find_by_document(id_number)
    if found is not None and not Person.objects.restrict(actor).filter(pk=found.pk).exists():
        found = None
    PersonalDataAccess.objects.create(actor=actor, resident=found, field=AccessedField.ID_SEARCH, purpose=purpose)
    return found


def person_to_receive(*, actor, id_number: str, purpose: str) -> Person | None:
    """The person with this exact document number anywhere in the city, for the receiving
    grid's transfer (迁入: `services.person_transfer`'s rule, the new grid's staff act), or
    None; logged with the person found. Never shown: the caller transfers them at once
    (`ledgers.views_changes.transfer_in`) or answers "not found". Raises ValidationError (purpose)."""
    purpose = _purpose(purpose)
    found = find_by_document(id_number)
    PersonalDataAccess.objects.create(actor=actor, resident=found, field=AccessedField.ID_SEARCH, purpose=purpose)
    return found


def log_export(*, actor, what: str, count: int) -> None:
    """Record an export of personal data (who, when, what and how many rows)."""
    PersonalDataAccess.objects.create(
        actor=actor, field=AccessedField.EXPORT, purpose=_("导出%(what)s %(n)d 条") % {"what": what, "n": count}
    )


def _organisations(user) -> QuerySet:
    own = Membership.objects.current().filter(user_id=user.pk).values("organisation_id")
    staff = Staff.objects.filter(user_id=user.pk, organisation__isnull=False).values("organisation_id")
    return LedgerGrant.objects.filter(Q(organisation_id__in=own) | Q(organisation_id__in=staff))


def visible_tags(user, client: ApiClient | None = None) -> QuerySet:
    """Care tags `user` may see (for an API client: only those its organisation's grant names).

    Normal tags: everyone in scope; sensitive: users holding `view_personal_data`
    somewhere; restricted (public-safety work): only organisations granted the tag.
    """
    if client is not None:
        return CareTag.objects.filter(ledgergrant__organisation_id=client.organisation_id)
    if user.is_superuser:
        return CareTag.objects.all()
    condition = Q(sensitivity=Sensitivity.NORMAL)
    if scope.granted_nodes(user, VIEW_PERSONAL_DATA).exists():
        condition |= Q(sensitivity=Sensitivity.SENSITIVE)
    condition |= Q(ledgergrant__in=_organisations(user))
    return CareTag.objects.filter(condition).distinct()


def anonymise_due(now: datetime.datetime | None = None, batch: int = 1000) -> int:
    """Erase personal data of persons moved out or dead more than `LEDGERS_RETENTION_DAYS` ago.

    Name, document, mobile, birth date, residence, household and tags go; the row (and
    its statistics: sex, registration, status) stays. Idempotent; returns the count.
    """
    now = now or timezone.now()
    cutoff = timezone.localtime(now).date() - datetime.timedelta(days=settings.LEDGERS_RETENTION_DAYS)
    due = Person.objects.filter(
        status__in=[PersonStatus.MOVED_OUT, PersonStatus.DECEASED], left_on__lte=cutoff, anonymised_at__isnull=True
    )
    done = 0
    while True:
        with transaction.atomic():
            people = list(due.select_for_update(skip_locked=True)[:batch])
            for person in people:
                PersonTag.objects.filter(person=person).delete()
                person.name, person.id_number, person.mobile = ANONYMISED_NAME, "", ""
                person.birth_date, person.residence, person.household = None, None, None
                person.next_visit_due, person.anonymised_at = None, now
                person.save()
        done += len(people)
        if len(people) < batch:
            return done
