"""Django's Redis cache, its client object made once per connection pool (issue #20).

Django's `RedisCacheClient.get_client` builds a new `redis.Redis` for every cache call,
and each builds its table of ~170 reply handlers: on a list request (the session read,
the rate-limit counter) that was more Python time than the Redis round trips. A
`redis.Redis` is stateless between commands (connections come from its pool), so one per
pool serves every call of the thread that owns the cache (Django's `caches` are per
thread). Behaviour is otherwise Django's: `settings.CACHES` names `RedisCache` below.
"""

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    """`get_client` returns the same `redis.Redis` for the same connection pool."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    """Django's RedisCache with `RedisCacheClient` above (use as `CACHES[…]["BACKEND"]`)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
