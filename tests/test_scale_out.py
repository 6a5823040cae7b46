"""Two app servers behind a load balancer share PostgreSQL and Redis: a report verified
through one shows at once on the other's dashboards (DESIGN.md, "Scaling out").

Runs on PostgreSQL with Redis (CI: `.ci/run` provides both); skipped on SQLite.
"""

import os
import secrets
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.db import connection
from django.test import Client

from programs.models import MonthlyReport
from regencies.models import UserScope
from tests.factories import UserScopeFactory
from tests.pagecache_helpers import REDIS_URL, realization, redis_up
from tests.perf.load import Server, production_env

PROGRAM = "/program/gbrss/?tahun=2024&bulan=12"

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="two app servers share a PostgreSQL database (SQLite: one machine only)",
)


class Answer:
    def __init__(self, status, headers, body):
        self.status_code, self.headers, self.content = status, headers, body

    def __getitem__(self, name):
        return self.headers.get(name)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def call(server, path, *, cookies=None, data=None, headers=None) -> Answer:
    request = urllib.request.Request(server.url + path, headers=dict(headers or {}))  # noqa: S310
    if cookies:
        request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()))
    if data is not None:
        request.data = urllib.parse.urlencode(data).encode()
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return Answer(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.headers, error.read())


@pytest.fixture
def two_servers(transactional_db, tmp_path):
    if not redis_up():
        pytest.skip(f"Redis not reachable at {REDIS_URL}")
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    env = production_env(
        database_url,
        tmp_path / "static",
        DJANGO_PLAIN_STATIC="1",
        CACHE_URL=REDIS_URL,
        DJANGO_LOG_LEVEL="WARNING",
    )
    with (
        Server(env, tmp_path / "a.log", workers=1) as first,
        Server(env, tmp_path / "b.log", workers=1) as second,
    ):
        yield first, second
    redis.Redis.from_url(REDIS_URL).flushdb()


def test_a_verification_through_one_server_shows_at_once_on_the_other(
    two_servers,
    gbrss_data,
):
    first, second = two_servers
    assert first.port != second.port
    assert realization(call(first, PROGRAM)) == "30"  # anonymous: verified figures only
    shared = call(second, PROGRAM)
    assert realization(shared) == "30"
    assert shared["X-Page-Cache"] == "hit"  # stored by the first server, in Redis

    # A verifier logged in (session in the shared database) verifies through the first.
    official = Client()
    official.force_login(UserScopeFactory(role=UserScope.Role.VERIFIKATOR).user)
    csrf = secrets.token_hex(16)  # 32 characters: Django's unmasked secret format
    report = MonthlyReport.objects.get(regency_id="16.01", month=2)
    answer = call(
        first,
        "/laporan/16.01/gbrss/2024-02/status/",
        cookies={"sessionid": official.cookies["sessionid"].value, "csrftoken": csrf},
        headers={"X-CSRFToken": csrf},
        data={"aksi": "verifikasi", "versi": report.version},
    )
    assert answer.status_code == 302, answer.content[:500]
    report.refresh_from_db()
    assert report.status == MonthlyReport.Status.VERIFIED

    after = call(second, PROGRAM)
    assert after["X-Page-Cache"] == "miss"
    assert realization(after) == "50"
