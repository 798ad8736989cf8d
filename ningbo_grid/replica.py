"""Heavy reads from a PostgreSQL streaming replica, when one is configured (issue #20, part 4).

`DATABASE_REPLICA_URL` adds the database alias `replica` and installs `ReplicaRouter`;
without it nothing here takes effect (SQLite or one PostgreSQL, as before). Only views
that opt in with `@reads_from_replica` read from the replica, and only for GET/HEAD:
dashboards, statistics, exports, the Open311 lists and the public pages. Everything else,
every write, every Celery task and every read outside such a view uses the primary.

Inside an opted-in request a read goes to the replica unless one of these holds, and then
to the primary:

- the client wrote within the last `REPLICA_PIN_SECONDS` (read your writes): any POST,
  PUT, PATCH or DELETE answer sets the cookie `PIN_COOKIE` for that long, and requests
  carrying it read from the primary. A cookie, not the session, so that the check costs
  no query and holds across web nodes; a client that forges it only reads from the
  primary. API clients without a cookie jar read their own writes after the replica's lag
  (bounded below), which is milliseconds when the replica keeps up;
- this request has already written (a write is routed, e.g. an audit row of a reveal);
- the primary connection is inside a transaction (`atomic`): reads there must see its writes;
- the model belongs to `PRIMARY_ONLY_APPS` (sessions, accounts, roles and scopes, second
  factors, lock-outs, audit, API clients' keys, idempotency keys): who may see what is always read fresh;
- the replica is unhealthy: not reachable, not in recovery (e.g. promoted), not streaming
  from the primary, or its replay lag above `REPLICA_MAX_LAG_SECONDS`. The check is one
  query on the replica (`health()`), remembered per process for `REPLICA_CHECK_SECONDS`.

If the replica fails in the middle of an opted-in request (it went down after the last
check), the view is run again on the primary and the replica is marked down until the next
check: a GET has no side effect to repeat, and the user gets the page, not a 500.

`REPLICA_PIN_SECONDS` = `REPLICA_MAX_LAG_SECONDS` + `REPLICA_CHECK_SECONDS`: the lag may
grow for one check interval unseen, so a writer stays on the primary until the replica is
guaranteed (to that bound) to hold the write.
"""

import contextlib
import contextvars
import dataclasses
import functools
import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse

log = logging.getLogger(__name__)

#: The database alias of the read replica (settings.DATABASES), present only when configured.
REPLICA = "replica"

#: Cookie marking a client that wrote recently (value "1"; lives REPLICA_PIN_SECONDS).
PIN_COOKIE = "ng_primary"

#: Apps whose rows decide identity and access: always read from the primary.
PRIMARY_ONLY_APPS = frozenset(
    {
        "admin",
        "auth",
        "contenttypes",
        "sessions",
        "guardian",
        "personnel",
        "security",
        "idempotency",
        "integrations",
        "axes",
        "otp_totp",
        "otp_static",
        "django_otp",
    }
)

#: One query on the replica: in recovery?, streaming from the primary?, replay lag (s).
#: Lag is 0 when everything received has been replayed (an idle primary sends nothing new,
#: so the age of the last replayed transaction is no lag then).
HEALTH_SQL = """
SELECT pg_is_in_recovery(),
       COALESCE((SELECT status = 'streaming' FROM pg_stat_wal_receiver), false),
       CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
            ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END
"""

SAFE_METHODS = ("GET", "HEAD")


def configured() -> bool:
    """True when settings.DATABASES has the `replica` alias (`DATABASE_REPLICA_URL` set)."""
    return REPLICA in settings.DATABASES


def pin_seconds() -> int:
    """How long (seconds) a client that wrote keeps reading from the primary."""
    return settings.REPLICA_MAX_LAG_SECONDS + settings.REPLICA_CHECK_SECONDS


@dataclasses.dataclass
class Health:
    """The replica's last checked state, per process. `until`: time.monotonic() seconds."""

    usable: bool = False
    until: float = 0.0
    lag: float | None = None
    reason: str = "not checked"


_health = Health()


def health(refresh: bool = False) -> Health:
    """The replica's state, checked with one query (`HEALTH_SQL`) at most once per
    `REPLICA_CHECK_SECONDS` per process unless `refresh`. Never raises: a database error
    (refused, timed out after the alias's connect_timeout) is `usable=False`."""
    global _health
    now = time.monotonic()
    if not refresh and now < _health.until:
        return _health
    until = now + settings.REPLICA_CHECK_SECONDS
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(HEALTH_SQL)
            in_recovery, streaming, lag = cursor.fetchone()
    except DatabaseError as error:
        _close_replica()
        _health = Health(False, until, None, f"unreachable: {error.__class__.__name__}")
    else:
        lag = float(lag)
        if not in_recovery:
            reason, usable = "not in recovery (not a standby)", False
        elif not streaming:
            reason, usable = "not streaming from the primary", False
        elif lag > settings.REPLICA_MAX_LAG_SECONDS:
            reason, usable = f"lag {lag:.1f} s above {settings.REPLICA_MAX_LAG_SECONDS} s", False
        else:
            reason, usable = "ok", True
        _health = Health(usable, until, lag, reason)
    if not _health.usable:
        log.warning("read replica not used: %s", _health.reason)
    return _health


def mark_down(reason: str) -> None:
    """Stop using the replica in this process until the next check (REPLICA_CHECK_SECONDS)."""
    global _health
    _health = Health(False, time.monotonic() + settings.REPLICA_CHECK_SECONDS, None, reason)
    log.warning("read replica not used: %s", reason)


def forget_health() -> None:
    """Drop the remembered state: the next routed read checks the replica again (tests)."""
    global _health
    _health = Health()


def _close_replica() -> None:
    with contextlib.suppress(DatabaseError):
        connections[REPLICA].close()


@dataclasses.dataclass
class _Route:
    """The routing state of one opted-in request."""

    decided: bool = False
    replica: bool = False
    wrote: bool = False
    used: bool = False  # a read was sent to the replica


_route: contextvars.ContextVar[_Route | None] = contextvars.ContextVar("replica_route", default=None)


class ReplicaRouter:
    """Django database router: reads of an opted-in request to `replica` (see the module
    docstring for when not), all writes and all other reads to the primary; relations
    between the two allowed (same rows); no migrations on the replica (read-only)."""

    def db_for_read(self, model, **hints) -> str:
        route = _route.get()
        if route is None or route.wrote or model._meta.app_label in PRIMARY_ONLY_APPS:
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        if not route.decided:
            route.decided, route.replica = True, health().usable
        route.used = route.used or route.replica
        return REPLICA if route.replica else DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints) -> str:
        route = _route.get()
        if route is not None:
            route.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        both = {obj1._state.db, obj2._state.db}
        return True if both <= {DEFAULT_DB_ALIAS, REPLICA} else None

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool | None:
        return False if db == REPLICA else None


def reads_from_replica(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Opt a view in to replica reads (GET/HEAD only; a no-op without a replica).

    The response is rendered inside (a TemplateResponse's or DRF Response's queries run on
    the same route). A streaming response's rows are read after the view returns: on the
    primary. On OperationalError/InterfaceError after a read went to the replica, the
    replica is marked down and the view runs again on the primary. For a class-based view:
    `method_decorator(reads_from_replica, name="dispatch")`.
    """

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not configured() or request.method not in SAFE_METHODS or request.COOKIES.get(PIN_COOKIE):
            return view(request, *args, **kwargs)
        route = _Route()
        token = _route.set(route)
        try:
            response = view(request, *args, **kwargs)
            render = getattr(response, "render", None)
            if callable(render) and not getattr(response, "is_rendered", True):
                render()
            return response
        except (OperationalError, InterfaceError) as error:
            if not route.used:
                raise
            _close_replica()
            mark_down(f"failed during a request: {error.__class__.__name__}")
        finally:
            _route.reset(token)
        return view(request, *args, **kwargs)

    return wrapped


class ReadYourWritesMiddleware:
    """After a POST, PUT, PATCH or DELETE, set `PIN_COOKIE` for `pin_seconds()` so the
    client's next requests read from the primary (only when a replica is configured)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method not in SAFE_METHODS and request.method != "OPTIONS" and configured():
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=pin_seconds(),
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
