"""One mechanism for one-time keys of creating requests.

Two sources feed it: the API's `Idempotency-Key` request header (any POST under
`/api/` and `/open311/`, by `idempotency.middleware`) and the browser forms' hidden
one-time submission key (the event report pages, `events.views`). Both call `run_once`
with the caller, the key and a fingerprint of the request:

- the first request with a key runs in ONE transaction that first inserts the record
  `(caller, key)` and, when the answer is a success (`keep(response)`), stores the answer
  in it before commit; so the answer is on record exactly when the change is. A failed
  answer (4xx/5xx, or a form shown again) rolls the record back with everything else:
  the same key may be sent again.
- a repeat of the same request (same fingerprint) gets the stored answer replayed (same
  status, body and `ETag`/`Location`; header `Idempotent-Replayed: true`) and changes
  nothing: a client whose answer was lost (a worker killed after commit) retries safely.
- the same key with another request raises `KeyReused` (HTTP 422).
- a concurrent twin blocks on the unique index until the first commits, then replays
  its answer (or, if the first failed, runs itself). SQLite serialises writers the same way.

Records expire `IDEMPOTENCY_TTL_HOURS` (default 24) after they were made; a repeat after
that is a new request. `purge_expired` (beat task `idempotency.purge_expired`, hourly)
deletes them. Callers: `client:<ApiClient id>` (API key), `user:<user id>` (session).
"""

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.utils import timezone

from .models import IdempotencyRecord

#: Headers of the first answer that a replay repeats.
KEPT_HEADERS = ("ETag", "Location", "Cache-Control")
#: A one-time key: 1–255 printable ASCII characters (a UUID is typical).
MAX_KEY_LENGTH = 255


class KeyReused(Exception):
    """The key was already used by this caller for another request (HTTP 422)."""


def ttl() -> timedelta:
    """How long a record is kept and replayed (setting `IDEMPOTENCY_TTL_HOURS`, default 24)."""
    return timedelta(hours=getattr(settings, "IDEMPOTENCY_TTL_HOURS", 24))


def valid_key(key) -> bool:
    """Whether `key` is 1–255 printable ASCII characters."""
    return isinstance(key, str) and 0 < len(key) <= MAX_KEY_LENGTH and key.isascii() and key.isprintable()


def _file_digest(upload) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return f"{upload.name}:{upload.size}:{digest.hexdigest()}"


def fingerprint(request, *, ignore=()) -> str:
    """SHA-256 hex of what `request` asks: method, path, sorted query and body.

    Form and multipart bodies count by their fields (`ignore` left out, e.g. the CSRF
    token, which rotates) and files by name, size and content, not by the multipart
    boundary; JSON bodies by their parsed value (key order does not matter); others
    byte for byte.
    """
    query = sorted((k, v) for k in request.GET for v in request.GET.getlist(k))
    head = [request.method, request.path, query]
    if request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        fields = {k: request.POST.getlist(k) for k in sorted(request.POST) if k not in ignore}
        files = {k: [_file_digest(f) for f in request.FILES.getlist(k)] for k in sorted(request.FILES)}
        body: object = [fields, files]
    else:
        raw = request.body
        try:
            body = json.loads(raw)
        except ValueError:
            body = hashlib.sha256(raw).hexdigest()
    text = json.dumps([head, body], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _reserve(caller: str, key: str, print_: str, now) -> IdempotencyRecord:
    """The record of (caller, key): a new one (status None) or the committed first one."""
    for _attempt in range(2):
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(
                    caller=caller, key=key, fingerprint=print_, created_at=now, expires_at=now + ttl()
                )
        except IntegrityError:
            existing = IdempotencyRecord.objects.select_for_update().filter(caller=caller, key=key).first()
            if existing is None:
                continue  # purged meanwhile
            if existing.expires_at > now:
                return existing
            existing.delete()  # expired, not purged yet: the key is free again
    raise KeyReused()  # pragma: no cover  (purged and taken again between two statements)


def replay(record: IdempotencyRecord) -> HttpResponse:
    """The stored answer of `record`, marked `Idempotent-Replayed: true`."""
    status = record.status_code
    if status is None:
        raise ValueError("only a completed record has an answer to replay")
    response: HttpResponse
    if 300 <= status < 400 and "Location" in record.headers:
        response = HttpResponseRedirect(record.headers["Location"], content=bytes(record.content))
        response.status_code = status
    else:
        response = HttpResponse(bytes(record.content), status=status, content_type=record.content_type)
    for name, value in record.headers.items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


def run_once(
    *, caller: str, key: str, fingerprint: str, run: Callable[[], HttpResponse], keep: Callable[[HttpResponse], bool]
) -> HttpResponse:
    """Answer a request made with a one-time key (see the module docstring).

    `run()` makes the answer (it may raise: nothing is recorded); `keep(response)` says
    whether it is a success to record and replay. Raises `KeyReused` when the key was
    used by `caller` for a request with another fingerprint, ValueError when `key` is
    not 1-255 printable ASCII characters.
    """
    if not valid_key(key):
        raise ValueError("a one-time key is 1-255 printable ASCII characters")
    now = timezone.now()
    with transaction.atomic():
        record = _reserve(caller, key, fingerprint, now)
        if record.status_code is not None:
            if record.fingerprint != fingerprint:
                raise KeyReused()
            return replay(record)
        response = run()
        if getattr(response, "streaming", False) or not keep(response):
            transaction.set_rollback(True)
            return response
        record.status_code = response.status_code
        record.content_type = response.get("Content-Type", "")
        record.headers = {name: response[name] for name in KEPT_HEADERS if name in response}
        record.content = response.content
        record.save(update_fields=["status_code", "content_type", "headers", "content"])
        return response


def purge_expired(*, now=None) -> int:
    """Delete the records whose `expires_at` has passed (aware `now`, default now); returns how many."""
    deleted, _by_model = IdempotencyRecord.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
