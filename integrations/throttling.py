"""Rate limits shared by every web worker, counted in Django's cache (Redis in production).

Fixed one-window counters: `cache.add` then `cache.incr` are atomic in Redis, so two
workers (or two servers) serving the same client count together; DRF's own
`SimpleRateThrottle` reads and rewrites a list and loses counts under concurrency.
Rates come from `settings.API_THROTTLE_RATES` (`"<n>/<s|min|hour|day>"` or None for no
limit), read on every request: `client` per API key, `user` per signed-in user, `anon`
per client IP on public endpoints, and `auth_failure`: failed API-key attempts per
client IP (counted by `ApiKeyAuthentication`, which runs before DRF's throttles, so key
guessing is limited too). Over the limit the answer is 429 with `Retry-After` (seconds).
"""

import time

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache import cache as default_cache
from django.core.cache.backends.redis import RedisCache
from django.utils.connection import ConnectionProxy
from rest_framework.throttling import BaseThrottle

from .models import ApiClient

PERIODS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600, "d": 86400}


def parse_rate(rate: str | None) -> tuple[int, int] | None:
    """`"100/min"` → (100, 60); None → None."""
    if not rate:
        return None
    count, _sep, period = rate.partition("/")
    return int(count), PERIODS[period.strip().lower()]


class CacheCounterThrottle(BaseThrottle):
    """Base class: subclasses give `scope` and `ident(request)` (None = not mine)."""

    scope = ""
    cache = default_cache

    def ident(self, request) -> str | None:
        raise NotImplementedError

    def allow_request(self, request, view) -> bool:
        parsed = parse_rate(settings.API_THROTTLE_RATES.get(self.scope))
        ident = self.ident(request)
        if parsed is None or ident is None:
            return True
        return self.count(ident, parsed)

    def count(self, ident: str, parsed: tuple[int, int]) -> bool:
        """Count one request of `ident`; False when over `parsed` = (limit, period)."""
        limit, period = parsed
        now = time.time()
        window = int(now // period)
        key = f"throttle:{self.scope}:{ident}:{period}:{window}"
        count = self._incr(key, period + 5)
        self._wait = (window + 1) * period - now
        return count <= limit

    def _incr(self, key: str, ttl: int) -> int:
        """Add 1 to the counter `key` (created at 0, expiring after `ttl` seconds); the new count.

        On Redis one round trip (`SET NX EX` then `INCR`, pipelined: this runs on every API
        request, and two round trips were a tenth of a list page's time, issue #20); through
        Django's cache API elsewhere (`add` then `incr`)."""
        cache = caches[DEFAULT_CACHE_ALIAS] if isinstance(self.cache, ConnectionProxy) else self.cache
        if isinstance(cache, RedisCache):
            key = cache.make_and_validate_key(key)
            client = cache._cache.get_client(key, write=True)  # Django's own Redis client (no public API)
            pipe = client.pipeline(transaction=False)
            pipe.set(key, 0, ex=ttl, nx=True)
            pipe.incr(key)
            return pipe.execute()[1]
        self.cache.add(key, 0, ttl)
        try:
            return self.cache.incr(key)
        except ValueError:  # expired between add and incr
            self.cache.set(key, 1, ttl)
            return 1

    def wait(self) -> float | None:
        return getattr(self, "_wait", None)


class ApiClientThrottle(CacheCounterThrottle):
    scope = "client"

    def ident(self, request):
        return str(request.auth.pk) if isinstance(request.auth, ApiClient) else None


class UserThrottle(CacheCounterThrottle):
    scope = "user"

    def ident(self, request):
        if isinstance(request.auth, ApiClient) or not request.user.is_authenticated:
            return None
        return str(request.user.pk)


class AnonThrottle(CacheCounterThrottle):
    scope = "anon"

    def ident(self, request):
        return None if request.user.is_authenticated else self.get_ident(request)


class AuthFailureThrottle(CacheCounterThrottle):
    """Failed API-key attempts per client IP (see `note_auth_failure`)."""

    scope = "auth_failure"

    def ident(self, request):
        return self.get_ident(request)


def note_auth_failure(request) -> None:
    """Count a failed key attempt; raise 429 (`Throttled`) once the IP is over its rate."""
    from rest_framework.exceptions import Throttled

    throttle = AuthFailureThrottle()
    if not throttle.allow_request(request, None):
        raise Throttled(wait=throttle.wait())


def note_client_request(client: ApiClient) -> None:
    """Count one request by `client` against the `client` rate, for endpoints outside DRF's
    views (Open311 POST); raise 429 (`Throttled`) once it is over, as `ApiClientThrottle`."""
    from rest_framework.exceptions import Throttled

    throttle = ApiClientThrottle()
    parsed = parse_rate(settings.API_THROTTLE_RATES.get(throttle.scope))
    if parsed is not None and not throttle.count(str(client.pk), parsed):
        raise Throttled(wait=throttle.wait())
