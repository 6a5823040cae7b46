"""Helpers shared by the page cache tests (tests/programs/test_pagecache.py) and the
two-server test (tests/test_scale_out.py): the Redis database the tests may use, whether
it is up, and the realization figure of a page."""

from __future__ import annotations

import os
import re
import urllib.parse


def _worker_database(url: str) -> str:
    """The Redis database of this pytest-xdist worker: the configured one plus the
    worker's number (gw0 keeps it, gw1 takes the next), so that one worker's FLUSHDB
    (tests/test_scale_out.py) never empties what another worker's test just stored.
    Outside xdist (no PYTEST_XDIST_WORKER) the configured database is used as is."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        return url
    parts = urllib.parse.urlsplit(url)
    database = int(parts.path.strip("/") or 0) + int(worker[2:])
    return urllib.parse.urlunsplit(parts._replace(path=f"/{database}"))


# TEST_REDIS_URL (database 5 by default), moved to this worker's own database. Read once
# per process: each xdist worker is a process of its own, with its PYTEST_XDIST_WORKER.
REDIS_URL = _worker_database(os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/5"))


def redis_up() -> bool:
    """Whether the Redis at REDIS_URL answers (within a second)."""
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:
        return False


def realization(response) -> str:
    """The text of the page's realization figure (`data-figure="realization"`), as sent:
    the number with its provisional mark, if any."""
    match = re.search(r'data-figure="realization">([^<]*)<', response.content.decode())
    assert match, "no realization figure"
    return match.group(1)
