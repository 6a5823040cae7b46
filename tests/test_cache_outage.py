"""The shared cache (Redis) misbehaving: hung (it accepts connections and never answers)
or refusing connections. Pages keep answering with the right figures, uncached; after a
failure each process skips Redis for CACHE_RETRY_SECONDS (the circuit breaker of
sumsel_gerakan/cache.py), logging one warning line per opening, then tries it again and
is back to cached pages once it answers. The password change still refuses with its
message, without waiting for the hung server again; the login lockout does not use the
cache at all; /healthz reports the cache without failing on it.

Most tests stand a counting client in for Django's RedisCacheClient: while the server is
"down" every operation raises redis-py's own TimeoutError (what a hung server gives after
the socket timeout) or ConnectionError (refused), so nothing sleeps; the breaker's clock
is a number the test moves. One test talks to a real listener that accepts connections
and never answers, with a socket timeout of 0.2 s.
"""

from __future__ import annotations

import logging
import socket
import uuid

import pytest
import redis
from django.test import Client

from regencies.models import UserScope
from sumsel_gerakan import cache as cache_module
from sumsel_gerakan.cache import RedisCache
from tests.helpers import error_messages, find, login, make_user, page
from tests.pagecache_helpers import realization

PROGRAM = "/program/gbrss/?tahun=2024&bulan=12"
EXPORT = "/unduh/program/gbrss.csv?tahun=2024&bulan=12"
HUNG = redis.exceptions.TimeoutError("Timeout reading from socket")
REFUSED = redis.exceptions.ConnectionError(
    "Error 111 connecting to 10.0.0.5:6379. Connection refused."
)
PASSWORD = "rahasia-uji-123"  # tests.factories.UserFactory
UNAVAILABLE = (
    "Ubah sandi sementara tidak dapat diproses (penghitung percobaan tidak dapat "
    "dihubungi). Coba lagi beberapa saat lagi. Kata sandi tidak diubah."
)


class FakeServer:
    """The Redis behind FlakyRedisCache: a dict. `calls` lists every operation that
    reached it; while `failure` is set, each of them raises it (only those named in
    `failing`, when given)."""

    def __init__(self):
        self.data: dict = {}
        self.calls: list[str] = []
        self.failure: Exception | None = None
        self.failing: set[str] | None = None

    def reach(self, operation: str) -> None:
        self.calls.append(operation)
        if self.failure is not None and (self.failing is None or operation in self.failing):
            raise self.failure


SERVER = FakeServer()


class FakeClient:
    """Stands in for Django's RedisCacheClient (same operations, same arguments)."""

    def __init__(self, servers, **options):
        pass

    def get(self, key, default):
        SERVER.reach("get")
        return SERVER.data.get(key, default)

    def set(self, key, value, timeout):
        SERVER.reach("set")
        SERVER.data[key] = value

    def add(self, key, value, timeout):
        SERVER.reach("add")
        return SERVER.data.setdefault(key, value) is value

    def delete(self, key):
        SERVER.reach("delete")
        return SERVER.data.pop(key, None) is not None


class FlakyRedisCache(RedisCache):
    """The production backend (sumsel_gerakan.cache.RedisCache) on the fake server."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = FakeClient


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    """The breaker's clock, moved by the test (no sleeping)."""
    clock = Clock()
    monkeypatch.setattr(cache_module, "monotonic", clock, raising=False)
    return clock


@pytest.fixture
def server(settings, clock):
    """The default cache is the production Redis backend on a fake server; a host name
    of its own per test, so that no breaker state is shared with another test."""
    global SERVER  # noqa: PLW0603 - FakeClient reads it
    SERVER = FakeServer()
    settings.CACHES = {
        "default": {
            "BACKEND": "tests.test_cache_outage.FlakyRedisCache",
            "LOCATION": f"redis://cache-{uuid.uuid4().hex[:8]}.internal:6379/0",
        }
    }
    settings.CACHE_RETRY_SECONDS = 30
    return SERVER


def warnings_logged(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.levelno >= logging.WARNING]


def fresh(client, url, settings):
    settings.PAGE_CACHE = False
    try:
        response = client.get(url)
    finally:
        settings.PAGE_CACHE = True
    return b"".join(response.streaming_content) if response.streaming else response.content


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("failure", [HUNG, REFUSED], ids=["hung", "refusing"])
def test_pages_stay_right_while_the_cache_fails_and_it_is_skipped_for_a_while(
    client, gbrss_data, server, clock, settings, caplog, failure
):
    """Before: every cached page asked the hung Redis again (2 s each) and logged a
    traceback. Now the first failure opens the breaker: pages and exports are served
    uncached and right, Redis is not asked again for 30 s, one warning line is logged;
    after the window it is tried again, and once it answers pages are cached again."""
    page_body, export_body = fresh(client, PROGRAM, settings), fresh(client, EXPORT, settings)
    server.failure = failure

    first = client.get(PROGRAM)
    assert first.status_code == 200 and realization(first) == "30"
    assert first.content == page_body
    assert server.calls == ["get"]  # the one operation that failed
    [opening] = warnings_logged(caplog)
    assert opening.name == "sumsel_gerakan.cache" and opening.exc_info is None
    assert type(failure).__name__ in opening.getMessage()

    for _ in range(5):  # within the window: not asked at all, still the right pages
        clock.advance(5)
        page, export = client.get(PROGRAM), client.get(EXPORT)
        assert page.status_code == export.status_code == 200
        assert page.content == page_body and body(export) == export_body
        assert "X-Page-Cache" not in page
    assert server.calls == ["get"]
    assert len(warnings_logged(caplog)) == 1

    clock.advance(6)  # 31 s after the failure, still down: tried once, opened again
    assert realization(client.get(PROGRAM)) == "30"
    assert server.calls == ["get", "get"]
    assert len(warnings_logged(caplog)) == 2
    assert client.get(PROGRAM).status_code == 200 and server.calls == ["get", "get"]

    server.failure = None  # Redis answers again: back to cached pages after the window
    clock.advance(31)
    miss = client.get(PROGRAM)
    assert miss["X-Page-Cache"] == "miss" and miss.content == page_body
    hit = client.get(PROGRAM)
    assert hit["X-Page-Cache"] == "hit" and hit.content == page_body
    assert server.calls == ["get", "get", "get", "set", "get"]
    assert len(warnings_logged(caplog)) == 2


def test_a_failed_store_opens_the_breaker_too(client, gbrss_data, server, clock, caplog):
    """Redis answered the read and hung on the write (stopped in between)."""
    server.failure, server.failing = HUNG, {"set"}
    for _ in range(3):
        response = client.get(PROGRAM)
        assert response.status_code == 200 and realization(response) == "30"
    assert server.calls == ["get", "set"]
    assert len(warnings_logged(caplog)) == 1


@pytest.fixture
def operator(reference_data):
    return make_user("operator-1607", role=UserScope.Role.OPERATOR, regency="16.07")


def change(client, old=PASSWORD):
    new = "Sandi-baru-Sumsel-2026"
    return client.post(
        "/akun/sandi/", {"old_password": old, "new_password1": new, "new_password2": new}
    )


def logs_in(password: str) -> bool:
    response = Client().post("/akun/masuk/", {"username": "operator-1607", "password": password})
    return response.status_code == 302


def test_a_hung_cache_refuses_the_password_change_without_waiting_for_it_again(
    operator, server, clock
):
    """The change still refuses with its message while the failure count cannot be
    reached, but only the first attempt waits for the hung server (2 s in production):
    the next ones within the window are refused at once."""
    client = login(operator)
    server.failure = HUNG
    for old in (PASSWORD, "salah-sandi", PASSWORD):
        response = change(client, old=old)
        assert response.status_code == 200
        form = find(find(page(response), "main", id="konten"), "form")
        assert error_messages(form) == [UNAVAILABLE]
        clock.advance(1)
    assert server.calls == ["get"]
    assert logs_in(PASSWORD)

    server.failure = None  # answered again after the window: the change goes through
    clock.advance(30)
    assert change(client).status_code == 302


def test_the_login_lockout_does_not_depend_on_the_cache(reference_data, server):
    """django-axes counts failures in the database (AXES_HANDLER): with Redis hung,
    logins work and are still throttled, without a single cache operation."""
    make_user("operator-1607", role=UserScope.Role.OPERATOR, regency="16.07")
    server.failure = HUNG

    def wrong_password():
        return Client().post("/akun/masuk/", {"username": "operator-1607", "password": "x"})

    for _ in range(4):
        assert wrong_password().status_code == 200
    assert logs_in(PASSWORD)
    assert wrong_password().status_code == 429  # the fifth failure
    assert server.calls == []


def test_healthz_reports_the_cache_without_failing_on_it(client, db, server, clock):
    """A load balancer must not take every server out because the shared Redis is down:
    pages work without it. /healthz stays 200 and says "cache": "down" for monitoring;
    while the breaker is open it does not ask Redis again."""
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok", "cache": "ok"}
    server.failure = HUNG
    for _ in range(3):
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "database": "ok", "cache": "down"}
    assert server.calls == ["get", "get"]
    server.failure = None
    clock.advance(31)
    assert client.get("/healthz").json()["cache"] == "ok"


def test_the_start_up_names_an_unreachable_cache(db, server, caplog, settings):
    """gunicorn's master checks the cache once before forking: a wrong REDIS_URL or a
    Redis down shows in the start-up log, and the start goes on (pages work uncached)."""
    import runpy
    from pathlib import Path

    class Log:
        def info(self, *args):
            pass

    config = runpy.run_path(str(Path(__file__).resolve().parent.parent / "gunicorn.conf.py"))
    server.failure = REFUSED
    config["when_ready"](type("Server", (), {"log": Log()})())
    messages = [record.getMessage() for record in warnings_logged(caplog)]
    # One line, naming the cache and why (the breaker's warning said the same again).
    assert len(messages) == 1
    assert "not reachable at start-up" in messages[0]
    assert settings.CACHES["default"]["LOCATION"] in messages[0]
    assert "Connection refused" in messages[0]
    # Forked workers skip the server for the breaker's window, as after any failure.
    server.calls.clear()
    assert not cache_module.reachable()
    assert server.calls == []


@pytest.fixture
def hung_redis(settings, clock):
    """A real TCP listener that completes every connection and never answers (a Redis
    stopped with SIGSTOP looks the same), with a socket timeout of 0.2 s. Connections are
    left in the listener's queue: `connections()` accepts and counts them."""
    listener = socket.create_server(("127.0.0.1", 0), backlog=32)
    port = listener.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "sumsel_gerakan.cache.RedisCache",  # as production (settings.py)
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_timeout": 0.2, "socket_connect_timeout": 0.2},
        }
    }
    accepted = []

    def connections() -> int:
        listener.setblocking(False)
        while True:
            try:
                accepted.append(listener.accept()[0])
            except BlockingIOError:
                return len(accepted)

    yield connections
    for connection in accepted:
        connection.close()
    listener.close()


def test_a_really_hung_redis_is_waited_for_once_per_window(client, gbrss_data, hung_redis, clock):
    """Against a real socket: the first page waits for the timeout and is served
    uncached; the next ones do not even connect until the window has passed."""
    for _ in range(3):
        response = client.get(PROGRAM)
        assert response.status_code == 200 and realization(response) == "30"
    assert hung_redis() == 1
    clock.advance(31)
    assert client.get(PROGRAM).status_code == 200
    assert hung_redis() == 2
