"""The security audit trail: `record` appends a row to the hash chain, `verify_chain` checks it.

Each row's `hash` is SHA-256 over its canonical content and the previous row's hash, so a
changed, inserted or removed row shows as a break (GB/T 22239-2019 8.1.4.3 c: audit records
protected against deletion, change or overwriting). Appends are serialised: a PostgreSQL
advisory lock held to the end of the writing transaction (SQLite writes one at a time anyway).
"""

import contextvars
import datetime
import hashlib
import ipaddress
import json
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection, transaction

from .models import SecurityEvent

#: The `prev_hash` of the very first row.
GENESIS = "0" * 64
#: pg_advisory_xact_lock key serialising appends ("audit" in ASCII).
_LOCK_KEY = 0x6175646974
#: The request being served, set by `SessionSecurityMiddleware`, so rows written from model
#: signals (role changes in the admin, reveals) know who acted and from where.
current_request: contextvars.ContextVar = contextvars.ContextVar("security_current_request", default=None)


def _content(row: SecurityEvent) -> str:
    """The row's hashed content as canonical JSON (sorted keys, UTC time in microseconds)."""
    at = row.at.astimezone(datetime.UTC).isoformat(timespec="microseconds")
    return json.dumps(
        [at, row.kind, row.actor_id, row.actor_username, row.address, row.target, row.detail, row.prev_hash],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )


def row_hash(row: SecurityEvent) -> str:
    """SHA-256 (hex) of the row's content including `prev_hash`."""
    return hashlib.sha256(_content(row).encode()).hexdigest()


def client_address(request) -> str | None:
    """The client's address as the rate limits count it (`NUM_PROXIES`), or None without a request."""
    if request is None:
        return None
    from events.public_demand import client_ip

    address = client_ip(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:  # no REMOTE_ADDR (a request made up in a test or a command)
        return None


def record(kind: str, *, actor=None, request=None, username: str = "", target: str = "", **detail) -> SecurityEvent:
    """Append one row to the audit trail and return it.

    `kind` is a `security.choices.EventKind`; `actor` the user acting (or None: the system,
    or an anonymous visitor; `username` then names an existing account a failed sign-in was
    for); `request` gives the source address; `target` names the record acted on as
    "type:id" (never a personal value); `detail` holds JSON-safe codes and counts only.
    Without `request`, the request being served (if any) is used.
    Runs in the caller's transaction (rolled back with it) and takes the chain's lock.
    """
    request = request if request is not None else current_request.get()
    if actor is None and request is not None and getattr(request, "user", None) is not None:
        actor = request.user if request.user.is_authenticated else None
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        last = SecurityEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        row = SecurityEvent(
            kind=kind,
            actor_id=actor.pk if actor is not None else None,
            actor_username=actor.get_username() if actor is not None else username,
            address=client_address(request),
            target=target,
            detail=detail,
            prev_hash=last or GENESIS,
        )
        row.hash = row_hash(row)
        row.save()
    return row


@dataclass(frozen=True)
class Break:
    """A place where the chain does not hold: the row's id and what is wrong."""

    id: int
    problem: str


def verify_chain(batch: int = 5000) -> Iterator[Break]:
    """Walk the trail in id order and yield every break: a row whose hash does not match its
    content (changed), or whose `prev_hash` is not the previous row's hash (a row removed
    or inserted). The first row's `prev_hash` is the anchor: GENESIS, or after a retention
    purge the hash of the last purged row (recorded by the purge's own `audit_purged` row).
    Reads in batches of `batch` rows."""
    previous: str | None = None
    last_id = 0
    while True:
        rows = list(SecurityEvent.objects.filter(id__gt=last_id).order_by("id")[:batch])
        if not rows:
            return
        for row in rows:
            if row_hash(row) != row.hash:
                yield Break(row.id, "content changed")
            if previous is not None and row.prev_hash != previous:
                yield Break(row.id, "previous row missing or changed")
            previous, last_id = row.hash, row.id
