"""Notifications: in-app inbox rows, e-mail, SMS (Art. 17, 18).

`queue(...)` registers a notification to be delivered after the current transaction
commits (`transaction.on_commit`), never inside the locked transaction. Delivery creates
`Notification` rows in bulk, e-mails users who have an address (Django's e-mail
framework) and, for urgent messages, texts staff with a mobile number through
`settings.SMS_BACKEND` (default `LogSmsBackend`, which only logs).

Recipient helpers return sets of user ids; each costs one query.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import get_connection
from django.core.mail.message import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from grids.choices import Level
from grids.models import Area
from personnel.choices import PlatformRole
from personnel.models import Assignment, Membership

logger = logging.getLogger(__name__)


class LogSmsBackend:
    """Default SMS backend: writes each message to the log instead of sending it.

    The number is logged masked (`138****5678`): logs are not a place for personal data.
    """

    def send(self, phone: str, text: str) -> None:
        from personnel.masking import mask_mobile

        logger.info("SMS to %s: %s", mask_mobile(phone), text)


def sms_backend():
    return import_string(getattr(settings, "SMS_BACKEND", "events.notify.LogSmsBackend"))()


@dataclass
class Message:
    user_ids: set
    event_id: int | None
    kind: str
    title: str
    body: str = ""
    urgent: bool = False


def deliver(messages: Iterable[Message], *, digest: bool = False) -> int:
    """Create inbox rows in bulk and send e-mail / SMS; returns the number of inbox rows.

    With `digest` (the sweep), each user gets one e-mail (and at most one SMS) listing
    all their messages instead of one per message.
    """
    from .models import Notification

    messages = [m for m in messages if m.user_ids]
    if not messages:
        return 0
    rows = [
        Notification(user_id=uid, event_id=m.event_id, kind=m.kind, title=m.title[:200], body=m.body)
        for m in messages
        for uid in sorted(m.user_ids)
    ]
    Notification.objects.bulk_create(rows, batch_size=2000)
    all_ids = {uid for m in messages for uid in m.user_ids}
    users = {
        u["pk"]: u
        for u in get_user_model()
        .objects.filter(pk__in=all_ids, is_active=True)
        .filter(Q(email__gt="") | Q(staff__mobile__gt=""))
        .values("pk", "email", "staff__mobile")
    }
    per_user: dict[int, list[Message]] = {}
    for m in messages:
        for uid in m.user_ids:
            if uid in users:
                per_user.setdefault(uid, []).append(m)
    mails, texts = [], []
    for uid, mine in per_user.items():
        u = users[uid]
        batches = [mine] if digest else [[m] for m in mine]
        for batch in batches:
            if len(batch) == 1:
                subject, body = batch[0].title, batch[0].body or batch[0].title
            else:
                subject = _("您有 %(n)d 条事件提醒") % {"n": len(batch)}
                body = "\n".join(m.title for m in batch[:200])
            if u["email"]:
                mails.append(EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [u["email"]]))
            if u["staff__mobile"] and any(m.urgent for m in batch):
                texts.append((u["staff__mobile"], subject))
    sms = sms_backend()
    for phone, text in texts:
        try:
            sms.send(phone, text)
        except Exception:  # a failing SMS gateway must not break the step
            logger.exception("SMS to %s failed", phone[-4:])
    if mails:
        try:
            get_connection(fail_silently=True).send_messages(mails)
        except Exception:
            logger.exception("sending %d e-mails failed", len(mails))
    return len(rows)


def queue(messages: Iterable[Message], *, digest: bool = False) -> None:
    """Deliver `messages` after the current transaction commits."""
    messages = list(messages)
    if messages:
        transaction.on_commit(lambda: deliver(messages, digest=digest))


# Recipients ---------------------------------------------------------------------------


def _members(role: str, **org_filter) -> set:
    return set(
        Membership.objects.current()
        .filter(role=role, **{f"organisation__{k}": v for k, v in org_filter.items()})
        .values_list("user_id", flat=True)
    )


def handlers_of(unit_ids: Iterable[int]) -> set:
    """Users holding the handler role for any of the organisations."""
    return _members(PlatformRole.HANDLER, id__in=list(unit_ids))


def dispatchers_of(township_ids: Iterable[int]) -> set:
    """Dispatchers of organisations whose jurisdiction is one of the townships."""
    return _members(PlatformRole.DISPATCHER, area_id__in=list(township_ids))


def supervisors_of(area_ids: Iterable[int]) -> set:
    """Supervisors of authorities whose jurisdiction is one of the areas (district or city)."""
    return _members(PlatformRole.SUPERVISOR, area_id__in=list(area_ids))


def grid_staff(area: Area) -> set:
    """Everyone currently assigned to the grid of `area` or any of its micro-grids (Art. 18)."""
    grid = area.parent if area.level == Level.MICRO_GRID and area.parent_id else area
    return set(
        Assignment.objects.current()
        .filter(
            area__tree_id=grid.tree_id,
            area__lft__gte=grid.lft,
            area__rght__lte=grid.rght,
            staff__user__isnull=False,
        )
        .values_list("staff__user_id", flat=True)
    )


def members_by(role: str, org_field: str, ids: Iterable[int]) -> dict[int, set]:
    """{organisation.<org_field> value: user ids} of current members with `role`, one query.

    E.g. `members_by("handler", "id", unit_ids)`, `members_by("dispatcher", "area_id", townships)`.
    """
    out: dict[int, set] = {}
    rows = (
        Membership.objects.current()
        .filter(role=role, **{f"organisation__{org_field}__in": list(set(ids))})
        .values_list(f"organisation__{org_field}", "user_id")
    )
    for key, user_id in rows:
        out.setdefault(key, set()).add(user_id)
    return out
