"""Long addresses: gunicorn refused a request line over 4,094 bytes with its own bare
English 400 page ("Request Line is too large"), before the app saw it. gunicorn.conf.py
raises the limit to 8,190, gunicorn's maximum; below it the app answers with its own
pages: the page asked for, or its Indonesian 400 page when it refuses the query.
"""

from __future__ import annotations

import http.client
import runpy
from pathlib import Path

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


def get(server: Server, path: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode(errors="replace")
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
