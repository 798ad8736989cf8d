"""Notifications: in-app inbox rows, e-mail, SMS (Art. 17, 18), through the outbox.

`record(messages, cause=...)` is called INSIDE the transaction of the change that
causes the messages: it writes the `Notification` inbox rows and, for users who have
an e-mail address (or, for urgent messages, a mobile number), one `OutboxMessage` row
per message and channel, keyed by (cause, recipient, channel) — see
`ningbo_grid.outbox`. They commit with the change or not at all. The Celery task
`events.tasks.outbox_deliver` (queued once on commit, and every few seconds by beat)
sends the pending rows with `deliver_due`: e-mail through Django's e-mail framework, SMS
through `settings.SMS_BACKEND` (`events.sms`: default `LogSmsBackend`, which only logs),
retrying with `settings.OUTBOX_BACKOFF`.

Citizens (Art. 10, 17, 19) who filed a public demand or complaint with a phone number get
an SMS when it is accepted (or refused), when the result is fed back and when it is
closed (`citizen_enqueue`, called by every step's save): an outbox row addressed to the
event's contact (`OutboxMessage.citizen_event`), the number read when it is sent.

Recipient helpers return sets of user ids; each costs one query.
"""

import datetime
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import get_connection
from django.core.mail.message import EmailMessage
from django.db import connection
from django.db.models import Q
from django.utils import timezone, translation

from catalog.choices import Grade
from grids.choices import Level
from grids.models import Area
from ningbo_grid.outbox import claim_due, kick_on_commit
from ningbo_grid.phones import MOBILE
from personnel.choices import PlatformRole
from personnel.models import Assignment, Membership

from .choices import ActionKind, MessageChannel, MessageStatus, Source
from .sms import sms_backend

if TYPE_CHECKING:
    from .models import Event

logger = logging.getLogger(__name__)


@dataclass
class Message:
    user_ids: set
    event_id: int | None
    kind: str
    title: str
    body: str = ""
    urgent: bool = False


@dataclass(frozen=True)
class Outgoing:
    """One e-mail (and, if `urgent`, one SMS) to `user_id`; `cause` names what caused it
    (unique with the user and channel: the outbox row's key)."""

    cause: str
    user_id: int
    subject: str
    body: str
    urgent: bool = False


def message(
    event: "Event", kind: str, title: str, user_ids: Iterable[int | None], urgent: bool = False, body: str = ""
) -> Message:
    """The message about `event` to `user_ids`: titled `[<number>] <title>`, the event's title
    as body unless `body` is given, urgent if asked or the event is an emergency (Art. 18)."""
    return Message(
        user_ids={user_id for user_id in user_ids if user_id is not None},
        event_id=event.pk,
        kind=kind,
        title=f"[{event.number}] {title}",
        body=body or event.title,
        urgent=urgent or event.grade == Grade.EMERGENCY,
    )


def inbox(messages: Iterable[Message]) -> int:
    """Write the inbox rows of `messages` (one per message and recipient) in the caller's
    transaction (`events.bulk.insert`); returns the number written."""
    from .bulk import insert
    from .messaging import Notification

    now = timezone.now()
    rows = [
        Notification(user_id=uid, event_id=m.event_id, kind=m.kind, title=m.title[:200], body=m.body, created_at=now)
        for m in messages
        for uid in sorted(m.user_ids)
    ]
    insert(rows)
    return len(rows)


def record(messages: Iterable[Message], *, cause: str) -> int:
    """Write inbox rows and the outbox's e-mail / SMS rows now, in the caller's transaction.

    `cause`: what caused the messages, unique across the platform (e.g. `action:812`,
    the first timeline row of the step); the i-th message's e-mail to user u is keyed
    `<cause>/<i>:email:<u>`. Returns the number of inbox rows.
    """
    messages = [m for m in messages if m.user_ids]
    if not messages:
        return 0
    rows = inbox(messages)
    enqueue(
        Outgoing(f"{cause}/{i}", uid, m.title, m.body or m.title, m.urgent)
        for i, m in enumerate(messages)
        for uid in sorted(m.user_ids)
    )
    return rows


def record_set(users, message: Message, *, cause: str) -> None:
    """`record` for many recipients at once, set-based: `users` is a QuerySet of user ids
    (`values_list(<user id field>, flat=True)`); `message.user_ids` is ignored. Two
    INSERT … SELECT statements in the caller's transaction: the inbox rows (one per
    distinct user) and the outbox rows — an e-mail to active users with an address, an
    SMS for an urgent message to those with a mobile number, keyed
    `<cause>/0:<channel>:<user>` like `record`'s (a key present is skipped). For tens of
    thousands of recipients (an emergency activation, Art. 18), where building the rows in
    Python took seconds."""
    from personnel.models import Staff

    from .messaging import Notification, OutboxMessage

    qn = connection.ops.quote_name
    ids_sql, ids_params = users.query.sql_with_params()
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    # PostgreSQL types the untyped parameters by these casts; SQLite stores what it is given
    # (`make run`'s database), where a cast to timestamptz would turn the text into a number.
    stamp = "CAST(%s AS timestamptz)" if connection.vendor == "postgresql" else "%s"
    user_t, staff_t = qn(get_user_model()._meta.db_table), qn(Staff._meta.db_table)
    # Only quoted table names and fixed SQL are interpolated; values go as parameters.
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {qn(Notification._meta.db_table)} (user_id, event_id, kind, title, body, created_at) "  # noqa: S608
            f"SELECT u.id, CAST(%s AS bigint), CAST(%s AS text), CAST(%s AS text), CAST(%s AS text), {stamp} "
            f"FROM {user_t} u WHERE u.id IN ({ids_sql})",
            [message.event_id, message.kind, message.title[:200], message.body, now, *ids_params],
        )
        cursor.execute(
            f"INSERT INTO {qn(OutboxMessage._meta.db_table)} "  # noqa: S608
            "(key, user_id, channel, subject, body, status, attempt_count, next_attempt_at, last_error, created_at) "
            "SELECT CAST(%s AS text) || ':' || ch.channel || ':' || u.id, u.id, ch.channel, %s, %s, %s, 0, %s, '', %s "
            f"FROM {user_t} u LEFT JOIN {staff_t} s ON s.user_id = u.id "
            "CROSS JOIN (SELECT CAST(%s AS text) AS channel UNION ALL SELECT CAST(%s AS text)) AS ch "
            f"WHERE u.is_active AND u.id IN ({ids_sql}) "
            "AND ((ch.channel = %s AND u.email > '') OR (%s AND ch.channel = %s AND COALESCE(s.mobile, '') > '')) "
            "ON CONFLICT (key) DO NOTHING",
            [
                f"{cause}/0",
                message.title[:200],
                message.body or message.title,
                MessageStatus.PENDING,
                now,
                now,
                MessageChannel.EMAIL,
                MessageChannel.SMS,
                *ids_params,
                MessageChannel.EMAIL,
                message.urgent,
                MessageChannel.SMS,
            ],
        )
    kick_on_commit("events.tasks.outbox_deliver")


def enqueue(items: Iterable[Outgoing]) -> int:
    """Write the outbox rows of `items` in the caller's transaction; returns rows meant.

    An e-mail to users with an address, an SMS for urgent items to users with a mobile
    number (one query for both); a key already present is skipped (produced once). The
    delivery task is queued once, on commit.
    """
    from .messaging import OutboxMessage

    items = list(items)
    if not items:
        return 0
    reach = {
        pk: (bool(email), bool(mobile))
        for pk, email, mobile in get_user_model()
        .objects.filter(pk__in={i.user_id for i in items}, is_active=True)
        .filter(Q(email__gt="") | Q(staff__mobile__gt=""))
        .values_list("pk", "email", "staff__mobile")
    }
    now = timezone.now()
    rows = []
    for item in items:
        has_email, has_mobile = reach.get(item.user_id, (False, False))
        channels = [MessageChannel.EMAIL] if has_email else []
        if item.urgent and has_mobile:
            channels.append(MessageChannel.SMS)
        rows += [
            OutboxMessage(
                key=f"{item.cause}:{channel}:{item.user_id}",
                user_id=item.user_id,
                channel=channel,
                subject=item.subject[:200],
                body=item.body,
                next_attempt_at=now,
            )
            for channel in channels
        ]
    if rows:
        OutboxMessage.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
        kick_on_commit("events.tasks.outbox_deliver")
    return len(rows)


#: The steps a citizen is told about, with the text (always Chinese: an SMS to a mainland
#: number through an approved Chinese template).
CITIZEN_STEPS = {
    ActionKind.ACCEPT: "您的诉求已受理，正在办理。",
    ActionKind.REJECT: "您的诉求未予受理。",
    ActionKind.MERGE: "您反映的问题已有他人反映，已合并办理，当前状态：%(status)s。",
    ActionKind.SUBMIT_RESULT: "您的诉求已有办理结果，正在核查。",
    ActionKind.CLOSE: "您的诉求已办结，欢迎评价。",
}
#: Sources whose contact is a citizen to keep informed.
CITIZEN_SOURCES = {Source.PUBLIC_DEMAND, Source.COMPLAINT}


def citizen_text(event: "Event", kind: str) -> str:
    """The SMS to the citizen about step `kind` of `event`: what happened, the tracking code
    and the tracking page's address (`settings.SITE_URL`); no names, no units, no texts."""
    from django.urls import reverse

    url = settings.SITE_URL.rstrip("/") + reverse("public:track-status", args=[event.tracking_code])
    text = CITIZEN_STEPS[kind]
    if kind == ActionKind.MERGE:
        from .selectors import surviving_case

        with translation.override("zh-hans"):
            text %= {"status": surviving_case(event).get_status_display()}
    return f"{text}查询码 {event.tracking_code}，办理进度：{url}"


#: A mainland mobile number as a citizen may give it: blanks, dashes, brackets and a +86 /
#: 0086 prefix allowed (the public form takes landlines too; Open311's `phone` is free text).
_CITIZEN_MOBILE = re.compile(rf"(?:\+?86|0086)?({MOBILE.pattern})")


def citizen_mobile(event: "Event") -> str | None:
    """The 11-digit mainland mobile number of `event`'s contact, or None when the contact
    phone is empty or not a mobile (a landline cannot take an SMS; no row is written)."""
    match = _CITIZEN_MOBILE.fullmatch(re.sub(r"[\s\-()（）]", "", event.contact_phone or ""))
    return match.group(1) if match else None


def _tells(kind: str, *, merged: bool) -> bool:
    """Whether step `kind` of an event is news to a citizen: the merge only to the citizen
    of the duplicate itself (`merged`), to whom it replaces the rejection."""
    if kind == ActionKind.MERGE:
        return merged
    return not (kind == ActionKind.REJECT and merged)


def citizen_recipients(event: "Event") -> list["Event"]:
    """The demands whose citizens hear about `event`'s steps: `event` itself, and the
    demands merged into it as duplicates (directly), each a public demand or complaint
    (from the public form or Open311) whose contact phone is a mobile (`citizen_mobile`).
    One query for the merged ones."""
    from .models import Event

    merged = Event.objects.filter(merged_into=event, source__in=CITIZEN_SOURCES).exclude(contact_phone="")
    own = [event] if event.source in CITIZEN_SOURCES else []
    return [e for e in own + list(merged.select_related("merged_into")) if citizen_mobile(e)]


def citizen_enqueue(event: "Event", actions: Iterable) -> int:
    """Write the citizen's SMS rows for `actions` of `event` in the caller's transaction.

    Only for a public demand or complaint (the public form's or Open311's) whose contact
    phone is a mobile (`citizen_mobile`), and only for the steps of
    `CITIZEN_STEPS`: to `event`'s own citizen (keyed `citizen:action:<action id>:sms`), and
    to the citizens of the demands merged into it as duplicates (`citizen_recipients`; keyed
    `…:sms:<their event id>`), each told through their own tracking code. A duplicate's own
    rejection is told as its merge (`MERGE`), never as "not accepted". Produced once per
    key. Returns the number of rows meant; the delivery task is queued on commit.
    """
    from .messaging import OutboxMessage

    told = [action for action in actions if action.kind in CITIZEN_STEPS]
    if not told:
        return 0
    now = timezone.now()
    rows = [
        OutboxMessage(
            key=f"citizen:action:{action.pk}:{MessageChannel.SMS}" + ("" if own else f":{recipient.pk}"),
            citizen_event=recipient,
            channel=MessageChannel.SMS,
            subject=citizen_text(recipient, action.kind)[:200],
            next_attempt_at=now,
        )
        for recipient in citizen_recipients(event)
        for own in [recipient.pk == event.pk]
        for action in told
        if _tells(action.kind, merged=own and recipient.merged_into_id is not None)
    ]
    if rows:
        OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True)
        kick_on_commit("events.tasks.outbox_deliver")
    return len(rows)


def _send(row, mail, sms) -> str:
    """Send one outbox row; returns "" or the error text."""
    try:
        if row.citizen_event_id:
            mobile = citizen_mobile(row.citizen_event)
            if mobile is None:
                return "no address"
            sms.send(mobile, row.subject)
            return ""
        staff = getattr(row.user, "staff", None) if hasattr(row.user, "staff") else None
        if row.channel == MessageChannel.EMAIL and row.user.email:
            mail.send_messages([EmailMessage(row.subject, row.body, settings.DEFAULT_FROM_EMAIL, [row.user.email])])
        elif row.channel == MessageChannel.SMS and staff and staff.mobile:
            sms.send(staff.mobile, row.subject)
        else:
            return "no address"
    except Exception as exc:  # a failing gateway: retry later
        logger.warning("outbox message %s failed: %s", row.pk, exc)
        return str(exc)[:500] or type(exc).__name__
    return ""


def deliver_due(*, limit: int = 50) -> int:
    """Claim up to `limit` due outbox messages (see `ningbo_grid.outbox.claim_due`) and send
    them; returns how many were attempted. Sent rows become `sent`; a failure is retried
    after `settings.OUTBOX_BACKOFF[n-1]` seconds, then `failed`. A user without the address
    any more ends `failed` ("no address") at once.
    """
    from .messaging import OutboxMessage

    now = timezone.now()
    lease = now + datetime.timedelta(seconds=settings.OUTBOX_LEASE)
    ids = claim_due(OutboxMessage, now=now, lease=lease, limit=limit)
    if not ids:
        return 0
    mail, sms = get_connection(), sms_backend()
    backoff = settings.OUTBOX_BACKOFF
    for row in OutboxMessage.objects.filter(pk__in=ids).select_related("user", "user__staff", "citizen_event"):
        error = _send(row, mail, sms)
        done = timezone.now()
        row.attempt_count += 1
        row.last_error = error
        if not error:
            row.status, row.sent_at, row.next_attempt_at = MessageStatus.SENT, done, None
        elif error == "no address" or row.attempt_count > len(backoff):
            row.status, row.next_attempt_at = MessageStatus.FAILED, None
        else:
            row.next_attempt_at = done + datetime.timedelta(seconds=backoff[row.attempt_count - 1])
        row.save(update_fields=["status", "attempt_count", "last_error", "sent_at", "next_attempt_at"])
    return len(ids)


# Recipients ---------------------------------------------------------------------------


def _members(role: str, **org_filter) -> set:
    return set(
        Membership.objects.current()
        .filter(role=role, **{f"organisation__{k}": v for k, v in org_filter.items()})
        .values_list("user_id", flat=True)
    )


def handlers_of(unit_ids: Iterable[int | None]) -> set:
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
