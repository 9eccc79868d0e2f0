"""Django's Redis cache, keeping one Redis client per connection pool instead of building a new one
for every cache call. Building a client sets up some 200 response callbacks; a signed-in page makes
several cache calls (session, throttles), so this was a measurable share of a request
(benchmarks/README.md). Clients are thread-safe and share their pool's connections, so nothing else
changes. Django's client leaves `get_client` open for such a subclass."""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ReusedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class PortailRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
