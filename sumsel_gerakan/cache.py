"""Django's own Redis cache backend, with one Redis client per connection pool.

Django's `RedisCacheClient.get_client()` builds a new `redis.Redis` object for every
cache operation; building one registers some 300 response callbacks, and took longer
than the network round trip to a Redis on the same machine (page cache: one GET on a
hit, a GET and a SET on a miss). A `redis.Redis` holds no connection of its own (it
takes one from its pool for each command) and is safe to share between threads, so one
per pool is reused. Everything else (pools, serialization, options) is Django's.
"""

from __future__ import annotations

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}  # id of a pool (kept in self._pools) -> client

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
