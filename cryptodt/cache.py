"""Django's Redis cache backend, minus a per-call cost.

Django's RedisCacheClient builds a new ``redis.Redis`` object for every cache call;
with redis-py 8 that object's constructor alone costs ~200 µs (it builds the response
callback table), several times the round trip to a local Redis (bench/http/cache_cost.py).
The clients are thread-safe and share their connection pool, so one per pool is kept.

``incr`` (every rate-limited request makes one) is also one round trip instead of two:
Django checks EXISTS, then INCRBY; the same check runs inside Redis as a script, so it
stays atomic and a missing key still raises ValueError without being created.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient

_INCR_EXISTING = """
if redis.call('EXISTS', KEYS[1]) == 1 then
    return redis.call('INCRBY', KEYS[1], ARGV[1])
end
return false
"""


class ReusedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}
        self._incr_scripts: dict[int, object] = {}

    def incr(self, key, delta):
        client = self.get_client(key, write=True)
        script = self._incr_scripts.get(id(client))
        if script is None:
            script = self._incr_scripts.setdefault(id(client), client.register_script(_INCR_EXISTING))
        value = script(keys=[key], args=[delta])
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return value

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients.setdefault(index, self._client(connection_pool=self._get_connection_pool(index)))
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
