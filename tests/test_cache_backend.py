"""The production cache backend (sumsel_gerakan/cache.py): Django's Redis cache with its
Redis client built once per connection pool, not once per operation; still correct when
request threads share it. Against the machine's Redis (REDIS_URL in
tests/pagecache_helpers.py), skipped when none answers."""

import threading
import uuid

import pytest
from django.core.cache.backends import redis as django_redis

from sumsel_gerakan.cache import RedisCache
from sumsel_gerakan.settings import cache_from_url
from tests.pagecache_helpers import REDIS_URL, redis_up

pytestmark = pytest.mark.skipif(not redis_up(), reason=f"Redis not reachable at {REDIS_URL}")


@pytest.fixture
def cache():
    config = cache_from_url(REDIS_URL)
    assert config["BACKEND"] == "sumsel_gerakan.cache.RedisCache"
    backend = RedisCache(
        REDIS_URL, {**config, "KEY_PREFIX": f"sumsel-test-{uuid.uuid4().hex}", "TIMEOUT": 60}
    )
    yield backend
    # Not clear(): that empties the whole Redis database. The keys expire on their own.
    backend.close()


def test_every_operation_goes_through_one_client(cache, monkeypatch):
    built = []
    original = django_redis.RedisCacheClient.get_client

    def counting(self, *args, **kwargs):  # Django's own: a new client per call
        built.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(django_redis.RedisCacheClient, "get_client", counting)
    client = cache._cache.get_client()
    assert cache._cache.get_client(write=True) is client
    cache.set("page", {"body": b"x" * 10}, 30)
    assert cache.get("page") == {"body": b"x" * 10}
    assert cache.get_many(["page", "none"]) == {"page": {"body": b"x" * 10}}
    cache.delete("page")
    assert cache.get("page") is None
    assert built == []  # Django's per-call construction never ran
    assert cache._cache.get_client() is client


def test_request_threads_share_the_client_and_each_reads_its_own_value(cache):
    errors = []

    def worker(number):
        try:
            for round_ in range(40):
                cache.set(f"key-{number}", (number, round_), 30)
                if cache.get(f"key-{number}") != (number, round_):
                    errors.append((number, round_))
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert cache.get_many([f"key-{n}" for n in range(8)]) == {f"key-{n}": (n, 39) for n in range(8)}
