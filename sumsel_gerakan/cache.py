"""Django's own Redis cache backend, with one Redis client per connection pool, behind a
per-process circuit breaker.

Django's `RedisCacheClient.get_client()` builds a new `redis.Redis` object for every
cache operation; building one registers some 300 response callbacks, and took longer
than the network round trip to a Redis on the same machine (page cache: one GET on a
hit, a GET and a SET on a miss). A `redis.Redis` holds no connection of its own (it
takes one from its pool for each command) and is safe to share between threads, so one
per pool is reused. Everything else (pools, serialization, options) is Django's.

The breaker: a Redis that hangs (accepts connections, never answers) made every cached
page wait for the socket timeout (2 s) and log a traceback, request after request. After
one failed operation (a timeout, a refused connection, an error answer) this process
skips the server for CACHE_RETRY_SECONDS (30): every operation raises `CacheUnavailable`
at once, without touching the network, and its callers do without the cache (the page
cache serves pages uncached, the password change refuses with its message). The first
operation after the window tries the server again: an answer closes the breaker, a
failure opens it for another window. One warning line is logged per opening, and an
info line when the server answers again. Each process (gunicorn worker) keeps its own
breaker, shared by its threads; nothing is stored anywhere else.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
import time
import urllib.parse

import redis
from django.conf import settings
from django.core.cache.backends import redis as django_redis
from django.utils.functional import cached_property

logger = logging.getLogger(__name__)

# The breaker's clock (seconds, never going back); tests replace it.
monotonic = time.monotonic

# What a cache server failing looks like: redis-py's errors (ConnectionError, TimeoutError,
# ResponseError such as OOM or READONLY) and the socket's own.
FAILURES = (redis.exceptions.RedisError, OSError)

# RedisCacheClient's operations (each a round trip); anything else passes unguarded.
OPERATIONS = frozenset(
    {
        "add",
        "get",
        "set",
        "touch",
        "delete",
        "get_many",
        "has_key",
        "incr",
        "set_many",
        "delete_many",
        "clear",
    }
)


class CacheUnavailable(redis.exceptions.ConnectionError):  # noqa: N818 - reads as a state
    """The cache server failed just now, or is being skipped after a failure."""


class Breaker:
    """Per-process circuit breaker of one cache server (see the module's docstring)."""

    def __init__(self, name: str):
        self.name = name
        self._lock = threading.Lock()
        self._open_until: float | None = None  # closed when None

    @property
    def is_open(self) -> bool:
        until = self._open_until
        return until is not None and monotonic() < until

    def call(self, operation, *args, **kwargs):
        until = self._open_until
        if until is not None and monotonic() < until:
            raise CacheUnavailable(
                f"cache {self.name} skipped after a failure, "
                f"tried again in {until - monotonic():.0f} s"
            )
        try:
            result = operation(*args, **kwargs)
        except FAILURES as error:
            self._failed(error)
            raise CacheUnavailable(f"cache {self.name} unavailable: {describe(error)}") from error
        if until is not None:
            self._answered()
        return result

    def _failed(self, error: BaseException) -> None:
        seconds = settings.CACHE_RETRY_SECONDS
        with self._lock:
            opening = not self.is_open  # closed, or a retry after the window that failed
            self._open_until = monotonic() + seconds
        if opening and not getattr(_unannounced, "active", False):
            logger.warning(
                "Cache %s unavailable (%s): pages are served without it for %s s, then it "
                "is tried again",
                self.name,
                describe(error),
                seconds,
            )

    def _answered(self) -> None:
        with self._lock:
            if self._open_until is None or self.is_open:
                return  # closed already, or an operation begun before a newer failure
            self._open_until = None
        logger.info("Cache %s answers again", self.name)

    def reset(self) -> None:
        with self._lock:
            self._open_until = None


def describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def server_name(servers: list[str]) -> str:
    """The first (write) server as scheme://host:port/db, without user or password."""
    parts = urllib.parse.urlsplit(servers[0])
    host = parts.hostname or parts.path  # unix:///path/to/socket
    port = f":{parts.port}" if parts.port else ""
    path = parts.path if parts.hostname else ""
    return f"{parts.scheme}://{host}{port}{path}"


_breakers: dict[tuple[str, ...], Breaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(servers: list[str]) -> Breaker:
    """The process's breaker of these servers. Django builds a cache backend per thread;
    they share one breaker, so a hung server is waited for once per process, not once
    per thread."""
    key = tuple(servers)
    with _breakers_lock:
        if key not in _breakers:
            _breakers[key] = Breaker(server_name(servers))
        return _breakers[key]


def reset_breakers() -> None:
    """Close every breaker (tests)."""
    with _breakers_lock:
        for breaker in _breakers.values():
            breaker.reset()


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


class GuardedClient:
    """A RedisCacheClient whose operations go through the breaker."""

    def __init__(self, client, breaker: Breaker):
        self._client = client
        self._breaker = breaker

    def __getattr__(self, name):
        value = getattr(self._client, name)
        if name in OPERATIONS:
            return functools.partial(self._breaker.call, value)
        return value


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

    @cached_property
    def breaker(self) -> Breaker:
        return breaker_for(self._servers)

    @cached_property
    def _cache(self):
        return GuardedClient(self._class(self._servers, **self._options), self.breaker)


def reachable(alias: str = "default") -> bool:
    """Whether the cache `alias` answers a read now. A Redis skipped by its breaker is
    not asked again (False at once); any other failure is False too."""
    return failure(alias) is None


def failure(alias: str = "default") -> str | None:
    """Why the cache `alias` does not answer a read now (None: it answers): the
    server's own error ("ConnectionError: Error 111 connecting to ...")."""
    from django.core.cache import caches

    try:
        caches[alias].get("reachable")
    except Exception as error:  # noqa: BLE001 - any backend failing is "not reachable"
        cause = error.__cause__ if isinstance(error, CacheUnavailable) else None
        return describe(cause or error)
    return None


def location(alias: str = "default") -> str:
    """The cache `alias` as an operator knows it: the Redis address without password,
    else its backend's class name."""
    from django.core.cache import caches

    backend = caches[alias]
    if isinstance(backend, RedisCache):
        return backend.breaker.name
    return type(backend).__name__


_unannounced = threading.local()


@contextlib.contextmanager
def unannounced():
    """A breaker opened inside (in this thread) logs no warning: the caller writes its
    own line about the failure (the start-up check, sumsel_gerakan/warmup.py)."""
    _unannounced.active = True
    try:
        yield
    finally:
        _unannounced.active = False
