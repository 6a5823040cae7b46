"""Long addresses: gunicorn refused a request line over 4,094 bytes with its own bare
English 400 page ("Request Line is too large"), before the app saw it. gunicorn.conf.py
raises the limit to 8,190, gunicorn's maximum; below it the app answers with its own
pages: the page asked for, or its Indonesian 400 page when it refuses the query.
The addresses the app sends from such a page (a login address with `next`) and the
headers htmx sends from it (HX-Current-URL) stay within gunicorn's limits too.
"""

from __future__ import annotations

import http.client
import runpy
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from django.db import connection

from tests.perf.load import Server, production_env

ROOT = Path(__file__).resolve().parent.parent
PERIOD = "tahun=2024&bulan=12"
# A shared link with a long tracking parameter, as messaging apps and mail filters add.
LONG_JUNK = f"/?{PERIOD}&ref=" + "a" * 8000
# More fields than DATA_UPLOAD_MAX_NUMBER_FIELDS (1000): the app refuses the query.
MANY_FIELDS = "/?" + "&".join(f"f{n}=1" for n in range(1100))


def test_gunicorn_takes_request_lines_up_to_its_maximum():
    assert runpy.run_path(str(ROOT / "gunicorn.conf.py"))["limit_request_line"] == 8190


@pytest.mark.parametrize(
    ("url", "status"),
    [
        (LONG_JUNK, 200),
        (f"/program/gbrss/?{PERIOD}&indikator=" + "x" * 8000, 200),
        ("/?tahun=" + "1" * 8000, 200),  # an unreadable year: the default one
        ("/unduh/rapor.csv?" + PERIOD + "&ref=" + "a" * 8000, 200),
        (MANY_FIELDS, 400),
    ],
    ids=["junk", "unknown-indicator", "huge-year", "export", "too-many-fields"],
)
def test_the_app_answers_an_8_kb_query_string_with_its_own_pages(client, gbrss_data, url, status):
    response = client.get(url)
    assert response.status_code == status
    if response["Content-Type"].startswith("text/html"):
        html = response.content.decode()
        assert '<html lang="id">' in html
        if status == 400:
            assert "Permintaan tidak dapat diproses" in html


def test_the_api_refuses_an_8_kb_parameter_in_indonesian(client, reference_data):
    response = client.get("/api/v1/progress/?tahun=" + "1" * 8000)
    assert response.status_code == 400
    assert response.json()["parameter"] == "tahun"
    assert response.json()["detail"].startswith("Parameter 'tahun' harus bilangan bulat")


@pytest.fixture
def gunicorn(transactional_db, reference_data, tmp_path):
    """gunicorn -c gunicorn.conf.py (one worker) on the test database."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        database_url = f"sqlite:///{db['NAME']}"
    else:
        database_url = (
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        )
    env = production_env(database_url, tmp_path / "static", DJANGO_PLAIN_STATIC="1")
    with Server(env, tmp_path / "gunicorn.log", workers=1) as server:
        yield server


def get(server: Server, path: str, headers: dict | None = None) -> tuple[int, str]:
    return fetch(server, path, headers)[:2]


def fetch(server: Server, path: str, headers: dict | None = None) -> tuple[int, str, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        body = response.read().decode(errors="replace")
        return response.status, body, dict(response.getheaders())
    finally:
        connection.close()


def test_gunicorn_hands_an_8_kb_request_line_to_the_app(gunicorn):
    status, html = get(gunicorn, LONG_JUNK)  # a request line of 8,040 bytes
    assert status == 200 and '<html lang="id">' in html
    status, html = get(gunicorn, MANY_FIELDS)
    assert status == 400 and "Permintaan tidak dapat diproses" in html
    # Beyond gunicorn's maximum, its own page still answers (nginx stops these first).
    status, html = get(gunicorn, "/?ref=" + "a" * 8200)
    assert status == 400 and "Request Line is too large" in html


# A login address holds the page asked for in `next`, encoded once more ("&" and "="
# become %26 and %3D): from a page address near the limit it grew past it.
LONG_QUERY = "&".join(f"f{n}=" + "x" * 60 for n in range(120))
LONG_REPORTS = f"/laporan/?{LONG_QUERY}"


def request_line(url: str) -> int:
    """Length of the request line a browser sends to open `url` (GET <target> HTTP/1.1)."""
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    return len(f"GET {target} HTTP/1.1")


def test_a_login_address_from_a_long_address_fits_the_servers_request_line(db, client):
    assert request_line(LONG_REPORTS) < 8190
    response = client.get(LONG_REPORTS)
    assert response.status_code == 302
    assert request_line(response["Location"]) <= 8190
    # The page without its query: after logging in the visitor lands on it.
    assert response["Location"] == "/akun/masuk/?next=/laporan/"
    assert client.get(response["Location"]).status_code == 200


def test_a_login_address_keeps_a_query_that_fits(db, client):
    url = "/laporan/?program=gbrss&tahun=2024"
    response = client.get(url)
    assert response["Location"] == "/akun/masuk/?next=" + quote(url, safe="/")


def test_a_login_address_drops_a_next_page_whose_path_alone_is_too_long():
    from accounts.redirects import within_request_line

    long_path = "/laporan/" + "a" * 8170 + "/"
    url = within_request_line("/akun/masuk/?next=" + quote(long_path + "?x=1", safe="/"))
    assert url == "/akun/masuk/"


def test_an_htmx_login_redirect_from_a_long_page_fits_too(db, client, settings):
    settings.PUBLIC_DASHBOARD = False
    response = client.get(f"/?{LONG_QUERY}", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert request_line(response["HX-Redirect"]) <= 8190
    assert response["HX-Redirect"] == "/akun/masuk/?next=/"


def test_the_admins_login_address_from_a_long_address_fits_too(db, client):
    response = client.get("/admin/programs/?" + "q=" + "%22" * 2700)
    assert response.status_code == 302
    assert request_line(response["Location"]) <= 8190
    assert response["Location"] == "/admin/login/?next=/admin/programs/"
    assert client.get(response["Location"]).status_code == 200


def test_the_request_line_limit_is_gunicorns(settings):
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["limit_request_line"] == settings.REQUEST_LINE_LIMIT


def test_through_gunicorn_the_login_address_from_a_long_address_opens(gunicorn):
    status, _html, headers = fetch(gunicorn, LONG_REPORTS)
    assert status == 302
    status, html = get(gunicorn, headers["Location"])
    assert status == 200 and '<html lang="id">' in html


def test_gunicorn_takes_htmx_requests_from_a_page_with_an_address_at_the_limit(gunicorn):
    """htmx sends the page's whole address (scheme and host too) in HX-Current-URL."""
    page = "/?" + PERIOD + "&ref=" + "a" * (8190 - len("GET /?" + PERIOD + "&ref= HTTP/1.1"))
    assert request_line(page) == 8190
    status, html = get(gunicorn, page)
    assert status == 200
    headers = {
        "HX-Request": "true",
        "HX-Current-URL": f"https://dasbor.sumselprov.go.id{page}",
    }
    status, html = get(gunicorn, f"/?{PERIOD}", headers)
    assert status == 200 and "Request Header" not in html
    assert "realisasi" in html.lower()


def test_gunicorn_takes_header_lines_longer_than_its_request_line():
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    host = "h" * 253
    header = f"HX-Current-URL: https://{host}/" + "a" * (8190 - len("GET / HTTP/1.1"))
    assert len(header) + 2 <= config["limit_request_field_size"]


def test_the_menus_login_link_on_a_long_address_fits_the_request_line(db, client):
    """The header's "Masuk" link carries the page in `next` as the redirects do."""
    from tests.helpers import find_all, page

    def login_link(response) -> str:
        links = [a for a in find_all(page(response), "a") if "data-login" in dict(a.attributes)]
        assert len(links) == 1
        return dict(links[0].attributes)["href"]

    response = client.get(f"/akun/lupa-sandi/?{LONG_QUERY}")
    assert response.status_code == 200
    href = login_link(response)
    assert request_line(href) <= 8190
    assert href == "/akun/masuk/?next=/akun/lupa-sandi/"
    short = client.get("/akun/lupa-sandi/?ref=surat")
    assert login_link(short) == "/akun/masuk/?next=/akun/lupa-sandi/%3Fref%3Dsurat"
