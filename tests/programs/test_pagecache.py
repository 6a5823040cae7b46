"""The whole-page cache (programs/pagecache.py): every way data changes shows at once,
roles and users never share bodies, conditional requests and compression.

Each test runs on the database cache (the embedded default) and on Redis
(TEST_REDIS_URL, database 5 by default, plus the pytest-xdist worker's number: REDIS_URL
in tests/pagecache_helpers.py; `.ci/run` starts Redis when it is down), against
whichever database the suite runs on (SQLite or PostgreSQL).
"""

import datetime as dt
import gzip
import json
import re
import uuid
from decimal import Decimal

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test import Client

from programs import dataversion
from programs.models import MonthlyReport, Target
from programs.reporting import services
from regencies.models import UserScope
from tests.admin_helpers import change_data, gbrss_province_target
from tests.factories import UserScopeFactory
from tests.pagecache_helpers import REDIS_URL, realization, redis_up

PROGRAM = "/program/gbrss/?tahun=2024&bulan=12"
OVERVIEW = "/?tahun=2024&bulan=12"
EXPORT = "/unduh/program/gbrss.csv?tahun=2024&bulan=12"


@pytest.fixture(params=["database", "redis"])
def backend(request, settings, db):
    if request.param == "redis":
        if not redis_up():
            pytest.skip(f"Redis not reachable at {REDIS_URL}")
        # A prefix of its own per test instead of FLUSHDB: another suite sharing this Redis
        # database (a second checkout, CI beside a developer) never empties our entries.
        settings.CACHES = {
            "default": {
                "BACKEND": "sumsel_gerakan.cache.RedisCache",  # as production (settings.py)
                "LOCATION": REDIS_URL,
                "KEY_PREFIX": f"sumsel-test-{uuid.uuid4().hex}",
                "TIMEOUT": 300,
            }
        }
        settings.PAGE_CACHE_SECONDS = 300  # left-over entries expire on their own
    else:
        caches["default"].clear()
    yield request.param
    if request.param != "redis":
        caches["default"].clear()


def target(response) -> str:
    match = re.search(r'data-figure="target">([^<]*)<', response.content.decode())
    assert match, "no target figure"
    return match.group(1)


def fresh(client, url, **headers):
    """The same request rendered without the cache (the reference)."""
    from django.conf import settings

    settings.PAGE_CACHE = False
    try:
        return client.get(url, headers=headers)
    finally:
        settings.PAGE_CACHE = True


def warm(client, url, **headers):
    """Request twice: the second answer must come from the cache."""
    client.get(url, headers=headers)
    response = client.get(url, headers=headers)
    assert response["X-Page-Cache"] == "hit"
    return response


def assert_same_as_fresh(client, url):
    cached = client.get(url)
    assert cached["X-Page-Cache"] in {"hit", "miss"}
    assert cached.content == fresh(client, url).content


def submitted_oku_february():
    return MonthlyReport.objects.get(regency_id="16.01", month=2)


def verifier():
    return UserScopeFactory(role=UserScope.Role.VERIFIKATOR).user


# --- Invalidation: every way a figure can change ---------------------------------------


def test_service_verification_shows_at_once(client, backend, gbrss_data):
    assert realization(warm(client, PROGRAM)) == "30"  # anonymous: verified only
    report = submitted_oku_february()
    services.report_verify(user=verifier(), report=report, version=report.version)
    response = client.get(PROGRAM)
    assert response["X-Page-Cache"] == "miss"
    assert realization(response) == "50"
    assert_same_as_fresh(client, PROGRAM)


def test_verification_through_the_page_shows_at_once(backend, gbrss_data):
    anonymous = Client()
    assert realization(warm(anonymous, PROGRAM)) == "30"
    official = Client()
    official.force_login(verifier())
    report = submitted_oku_february()
    url = "/laporan/16.01/gbrss/2024-02/status/"
    response = official.post(url, {"aksi": "verifikasi", "versi": report.version})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == MonthlyReport.Status.VERIFIED
    assert realization(anonymous.get(PROGRAM)) == "50"
    assert "50" in b"".join(anonymous.get(EXPORT).streaming_content).decode()


def test_return_of_a_verified_report_hides_it_at_once(client, backend, gbrss_data):
    assert realization(warm(client, PROGRAM)) == "30"
    report = MonthlyReport.objects.get(regency_id="16.07", month=2)  # verified, 15 houses
    services.report_reopen(user=verifier(), report=report, reason="Salah ketik", version=None)
    assert realization(client.get(PROGRAM)) == "15"


def test_admin_edit_of_a_target_shows_at_once(admin_client, backend, gbrss_data):
    anonymous = Client()
    assert target(warm(anonymous, PROGRAM)) == "8.391"
    province = gbrss_province_target()
    url = f"/admin/programs/target/{province.pk}/change/"
    data = change_data(province, value="8279", change_reason="Rakor Maret")
    assert admin_client.post(url, data).status_code == 302
    assert target(anonymous.get(PROGRAM)) == "8.279"
    assert_same_as_fresh(anonymous, PROGRAM)


def test_target_import_shows_at_once(admin_client, backend, gbrss_data):
    from tests.spreadsheets_helpers import TARGET_HEADER, states, upload, xlsx

    anonymous = Client()
    assert target(warm(anonymous, PROGRAM)) == "8.391"
    file = xlsx(
        [["gbrss", "rumah-dibedah", "", 2024, 9000, None, None, "Rakor", "Tambahan BUMD"]],
        header=TARGET_HEADER,
    )
    preview = upload(admin_client, file, kind="targets")
    assert states(preview) == ["changed"], preview.content.decode()[:2000]
    from programs.models import ImportBatch

    batch = ImportBatch.objects.get()
    assert admin_client.post(f"/impor/{batch.token}/terapkan/").status_code == 302
    assert target(anonymous.get(PROGRAM)) == "9.000"


def test_management_command_write_shows_at_once(client, backend, gbrss_data, tmp_path):
    assert target(warm(client, PROGRAM)) == "8.391"
    province = gbrss_province_target()
    dumped = tmp_path / "target.json"
    call_command("dumpdata", "programs.target", f"--pks={province.pk}", output=str(dumped))
    rows = json.loads(dumped.read_text())
    rows[0]["fields"]["value"] = "7000.0000"
    dumped.write_text(json.dumps(rows))
    call_command("loaddata", str(dumped), verbosity=0)
    assert target(client.get(PROGRAM)) == "7.000"


def test_raw_sql_write_shows_at_once(client, backend, gbrss_data):
    assert realization(warm(client, PROGRAM)) == "30"
    overview = warm(client, OVERVIEW)
    assert "30 rumah" in overview.content.decode()
    report = MonthlyReport.objects.get(regency_id="16.07", month=1)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE programs_realization SET value = value + 7 WHERE report_id = %s", [report.pk]
        )
    assert realization(client.get(PROGRAM)) == "37"
    assert "37 rumah" in client.get(OVERVIEW).content.decode()
    assert_same_as_fresh(client, OVERVIEW)


def test_a_new_day_is_a_new_page(client, backend, gbrss_data, monkeypatch):
    warm(client, PROGRAM)
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    monkeypatch.setattr("programs.pagecache.timezone.localdate", lambda *args: tomorrow)
    assert client.get(PROGRAM)["X-Page-Cache"] == "miss"


@pytest.mark.parametrize("table", dataversion.VERSIONED_TABLES)
def test_every_versioned_table_bumps_the_version_in_its_transaction(table, gbrss_data):
    if connection.vendor == "sqlite" and table == "programs_attachment":
        # SQLite triggers are per row and gbrss_data has no attachment; PostgreSQL (CI)
        # checks it, and test_evidence checks a public photo leaving a cached page.
        pytest.skip("no attachment row to update on SQLite")
    before = dataversion.current()
    pk = connection.introspection.get_primary_key_column(connection.cursor(), table)
    with connection.cursor() as cursor:
        cursor.execute(f'UPDATE "{table}" SET "{pk}" = "{pk}"')  # noqa: S608
    assert dataversion.current() != before


# --- Who gets which body ----------------------------------------------------------------


def test_leaders_and_anonymous_never_share_bodies(backend, gbrss_data):
    anonymous = Client()
    leader = Client()
    leader.force_login(UserScopeFactory(role=UserScope.Role.PIMPINAN).user)
    for _round in range(2):
        assert realization(anonymous.get(PROGRAM)) == "30"
        assert realization(leader.get(PROGRAM)) == "50*"  # provisional included, marked
    assert anonymous.get(PROGRAM)["X-Page-Cache"] == "hit"
    assert leader.get(PROGRAM)["X-Page-Cache"] == "hit"


def test_a_user_never_gets_another_users_body(backend, gbrss_data):
    first, second = Client(), Client()
    first_user = UserScopeFactory(role=UserScope.Role.PIMPINAN).user
    first.force_login(first_user)
    second.force_login(UserScopeFactory(role=UserScope.Role.PIMPINAN).user)
    warm(first, PROGRAM)
    assert second.get(PROGRAM)["X-Page-Cache"] == "miss"


def test_cached_bodies_hold_nothing_user_specific(backend, gbrss_data):
    leader = Client()
    user = UserScopeFactory(role=UserScope.Role.PIMPINAN).user
    leader.force_login(user)
    html = warm(leader, PROGRAM).content.decode()
    assert user.get_username() not in html
    assert "csrfmiddlewaretoken" not in html and "X-CSRFToken" not in html
    assert 'hx-get="/akun/menu/' in html  # the account part comes separately
    menu = leader.get("/akun/menu/?next=/program/gbrss/", headers={"HX-Request": "true"})
    assert f"Keluar ({user.get_username()})" in menu.content.decode()
    assert "no-cache" in menu["Cache-Control"] and "<html" not in menu.content.decode()


def test_partial_full_page_and_language_are_separate(client, backend, gbrss_data):
    warm(client, PROGRAM)
    partial = client.get(PROGRAM, headers={"HX-Request": "true"})
    assert partial["X-Page-Cache"] == "miss" and "<html" not in partial.content.decode()
    assert "<html" in client.get(PROGRAM).content.decode()
    client.cookies["bahasa"] = "en"
    english = client.get(PROGRAM)
    assert english["X-Page-Cache"] == "miss" and '<html lang="en">' in english.content.decode()


@pytest.mark.parametrize(
    "path", ["/", "/program/gbrss/", "/kelengkapan/", "/unduh/program/gbrss.csv"]
)
def test_a_repeated_parameter_cannot_store_a_page_under_another_address(
    client, backend, gbrss_data, path
):
    """?tahun=2024&tahun=2025 is read as 2025 (the last value). Were it stored under the
    key of ?tahun=2024, every visitor asking for 2024 would get 2025 from the cache."""
    repeated = client.get(f"{path}?tahun=2024&tahun=2025&bulan=3&bulan=12")
    assert repeated["X-Page-Cache"] == "miss"
    same = client.get(f"{path}?tahun=2025&bulan=12")
    assert same["X-Page-Cache"] == "hit"  # the page the repeated one showed
    plain = client.get(f"{path}?tahun=2024&bulan=3")
    assert plain["X-Page-Cache"] == "miss"
    body = plain.content if not plain.streaming else b"".join(plain.streaming_content)
    text = body.decode("utf-8-sig")
    assert "2024" in text and "2025" not in text


def test_one_time_messages_are_never_cached(backend, gbrss_data):
    official = Client()
    official.force_login(verifier())
    report = submitted_oku_february()
    official.post(
        "/laporan/16.01/gbrss/2024-02/status/", {"aksi": "verifikasi", "versi": report.version}
    )
    # The message is shown on the next page, whatever it is, and only once.
    first = official.get(PROGRAM)
    assert "Laporan diverifikasi." in first.content.decode()
    assert "X-Page-Cache" not in first
    assert "Laporan diverifikasi." not in official.get(PROGRAM).content.decode()


# --- Conditional requests and compression ----------------------------------------------


def test_conditional_request_gets_304_until_the_data_changes(client, backend, gbrss_data):
    etag = client.get(PROGRAM)["ETag"]
    assert etag.startswith('W/"')
    not_modified = client.get(PROGRAM, headers={"If-None-Match": etag})
    assert not_modified.status_code == 304 and not_modified.content == b""
    Target.objects.filter(regency__isnull=True).update(value=Decimal(9999))
    changed = client.get(PROGRAM, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_bodies_are_sent_compressed_to_clients_that_accept_it(client, backend, gbrss_data):
    plain = client.get(PROGRAM)
    packed = client.get(PROGRAM, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content) == plain.content
    # A third at most: the server-drawn map's path data (issue 14) packs less than markup.
    assert len(packed.content) < len(plain.content) / 3
    assert "Accept-Encoding" in packed["Vary"] and "Cookie" in packed["Vary"]


@pytest.mark.parametrize("first", ["gzip", "identity"])
def test_a_miss_and_a_hit_send_the_same_page_either_way(client, backend, gbrss_data, first):
    """A miss answers with the page as rendered (no gzip asked) or as stored (gzip); a hit
    decompresses the stored page for a client without gzip. Every answer is the same page,
    whichever kind of client comes first."""
    reference = fresh(client, PROGRAM).content
    kinds = {"gzip": {"Accept-Encoding": "gzip"}, "identity": {}}
    second = "identity" if first == "gzip" else "gzip"
    answers = []
    for kind, state in ((first, "miss"), (first, "hit"), (second, "hit")):
        response = client.get(PROGRAM, headers=kinds[kind])
        assert response["X-Page-Cache"] == state
        packed = response.get("Content-Encoding") == "gzip"
        assert packed == (kind == "gzip")
        answers.append(gzip.decompress(response.content) if packed else response.content)
    assert answers == [reference] * 3


def test_uncached_pages_are_compressed_too(client, gbrss_data):
    response = client.get("/akun/masuk/", headers={"Accept-Encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    assert b"<html" in gzip.decompress(response.content)


def test_exports_are_cached_and_stay_downloads(client, backend, gbrss_data):
    first = client.get(EXPORT)
    body = b"".join(first.streaming_content)
    second = client.get(EXPORT)
    assert second["X-Page-Cache"] == "hit"
    assert second["Content-Disposition"] == first["Content-Disposition"]
    assert b"".join(second.streaming_content) == body
    # Raw realizations are scoped per user: never cached.
    leader = Client()
    leader.force_login(UserScopeFactory(role=UserScope.Role.PIMPINAN).user)
    assert "X-Page-Cache" not in leader.get("/unduh/realisasi.csv?tahun=2024")


def test_pages_are_served_fresh_while_the_cache_server_is_down(client, settings, gbrss_data):
    settings.CACHES = {
        "default": {
            "BACKEND": "sumsel_gerakan.cache.RedisCache",  # as production (settings.py)
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens on the discard port
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    response = client.get(PROGRAM)
    assert response.status_code == 200 and realization(response) == "30"


@pytest.mark.parametrize(
    "url",
    [
        "/healthz",
        "/?tahun=2024&bulan=12",
        "/program/gbrss/?tahun=2024&bulan=12",
        "/kelengkapan/",
        "/unduh/rapor.csv?tahun=2024&bulan=12",
    ],
)
def test_head_answers_like_get_without_a_body(client, gbrss_data, url):
    """Uptime monitors and link checkers ask with HEAD: the public pages, exports and
    /healthz answer it as GET does (status, type, ETag from the same page-cache entry),
    without a body; other methods are still refused."""
    got = client.get(url)
    head = client.head(url)
    assert head.status_code == got.status_code == 200
    assert head["Content-Type"] == got["Content-Type"]
    assert (b"".join(head.streaming_content) if head.streaming else head.content) == b""
    if "ETag" in got:
        assert head["ETag"] == got["ETag"] and head["X-Page-Cache"] == "hit"
    assert client.post(url).status_code == 405


def test_a_restored_database_never_gets_pages_of_the_timeline_it_undid(client, backend, gbrss_data):
    """pg_restore brings back the data version row of its dump: after the restore and
    `migrate` (README "Cadangan dan pemulihan"), the first change took the version to a
    number already cached with figures the restore had undone, and the program page
    showed the province target of before the restore as current."""
    assert target(warm(client, PROGRAM)) == "8.391"
    with connection.cursor() as cursor:
        cursor.execute("SELECT epoch, version FROM programs_dataversion WHERE id = 1")
        dumped = cursor.fetchone()  # the backup, taken now
    province = gbrss_province_target()
    Target.objects.filter(pk=province.pk).update(value=Decimal(7000))
    assert target(warm(client, PROGRAM)) == "7.000"
    # The restore: the rows as they were dumped, the version row included.
    Target.objects.filter(pk=province.pk).update(value=province.value)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE programs_dataversion SET epoch = %s, version = %s WHERE id = 1", dumped
        )
    call_command("migrate", verbosity=0)
    # The first change after it (here a figure saved as it was).
    MonthlyReport.objects.filter(regency_id="16.07", month=1).update(version=7)
    assert target(client.get(PROGRAM)) == "8.391"
    assert_same_as_fresh(client, PROGRAM)
