"""Django's Redis cache backend, minus a per-call cost.

Django's RedisCacheClient builds a new ``redis.Redis`` object for every cache call;
with redis-py 8 that object's constructor alone costs ~200 µs (it builds the response
callback table), several times the round trip to a local Redis (bench/http/cache_cost.py).
The clients are thread-safe and share their connection pool, so one per pool is kept.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class ReusedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

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
