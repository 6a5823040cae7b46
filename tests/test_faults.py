"""Database outage: pages answer a clear 503 page in Indonesian, /healthz says
the database is down, and the app answers normally again once the database is back.

The outage is simulated by making every query fail the way psycopg2 does when the server
is stopped (OperationalError). tests/perf/faults.py stops the real PostgreSQL cluster
during a load run.
"""

import pytest
from django.db import IntegrityError, OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import Client, RequestFactory

from sumsel_gerakan.middleware import database_unavailable_response
from tests.factories import UserScopeFactory

REFUSED = (
    'connection to server at "127.0.0.1", port 5432 failed: Connection refused\n'
    "\tIs the server running on that host and accepting TCP/IP connections?"
)
PERIOD = "tahun=2024&bulan=12"
PAGES = [
    f"/?{PERIOD}",
    f"/program/gbrss/?{PERIOD}",
    f"/wilayah/16.07/?{PERIOD}",
    f"/kelengkapan/?{PERIOD}&program=gbrss",
]


@pytest.fixture
def database_down(monkeypatch):
    """Every query fails as with the PostgreSQL server stopped; undo() brings it back."""
    original = CursorWrapper.execute
    calls = []

    def refused(self, sql, params=None):
        calls.append(sql)
        raise OperationalError(REFUSED)

    monkeypatch.setattr(CursorWrapper, "execute", refused)

    class Outage:
        attempts = calls

        @staticmethod
        def undo():
            monkeypatch.setattr(CursorWrapper, "execute", original)

    return Outage


def assert_clear_503(response):
    assert response.status_code == 503
    assert response["Retry-After"].isdigit()
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    html = response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert '<html lang="id">' in html
    assert "Layanan sementara tidak tersedia" in html
    assert "Basis data sedang tidak dapat dihubungi, coba lagi beberapa saat lagi." in html
    # No stack trace, no server detail.
    for leak in ["Traceback", "OperationalError", "5432", "127.0.0.1", "Connection refused"]:
        assert leak not in html, leak


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_dashboard_pages_answer_503_in_indonesian_while_the_database_is_down(
    client, reference_data, database_down, url
):
    response = client.get(url)
    assert_clear_503(response)
    assert database_down.attempts, "the page never reached the database"


@pytest.mark.django_db
def test_logged_in_user_gets_the_503_page_too(reference_data):
    """The session and user lookups fail first: still the 503 page, no 500."""
    client = Client()
    client.force_login(UserScopeFactory().user)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(CursorWrapper, "execute", lambda *a, **k: _raise(OperationalError(REFUSED)))
        response = client.get(f"/program/gbrss/?{PERIOD}")
        assert_clear_503(response)
        assert "sessionid" not in response.cookies  # neither saved nor deleted
        assert_clear_503(client.get(f"/program/gbrss/?{PERIOD}", headers={"HX-Request": "true"}))
    response = client.get(f"/program/gbrss/?{PERIOD}")
    assert response.status_code == 200
    # still logged in: the header's account part (loaded by htmx) names the user
    assert "Keluar (" in client.get("/akun/menu/", headers={"HX-Request": "true"}).text


@pytest.mark.django_db
def test_api_answers_503_as_json(client, reference_data, database_down):
    response = client.get("/api/v1/programs/")
    assert response.status_code == 503
    assert response["Retry-After"].isdigit()
    assert response.json() == {
        "detail": "Basis data sedang tidak dapat dihubungi, coba lagi beberapa saat lagi."
    }


@pytest.mark.django_db
def test_healthz_says_the_database_is_down(client, database_down):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response["Retry-After"].isdigit()
    body = response.json()
    assert body["status"] == "error" and body["database"] == "down"
    assert body["detail"] == "Basis data sedang tidak dapat dihubungi."
    assert "5432" not in response.content.decode()


@pytest.mark.django_db
def test_app_recovers_when_the_database_comes_back(client, reference_data, database_down):
    assert client.get("/healthz").status_code == 503
    assert client.get(f"/?{PERIOD}").status_code == 503
    database_down.undo()
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok", "cache": "ok"}
    response = client.get(f"/?{PERIOD}")
    assert response.status_code == 200
    assert "Layanan sementara tidak tersedia" not in response.content.decode()


@pytest.mark.django_db
def test_the_503_page_makes_no_query(django_assert_num_queries):
    request = RequestFactory().get("/program/gbrss/?tahun=2024")
    with django_assert_num_queries(0):
        response = database_unavailable_response(request, OperationalError(REFUSED))
    assert_clear_503(response)
    assert 'href="/program/gbrss/?tahun=2024"' in response.content.decode()


@pytest.mark.django_db
def test_other_database_errors_stay_server_errors(reference_data, monkeypatch):
    """An integrity or programming error is a bug, not an outage: no 503 to hide it."""
    monkeypatch.setattr(
        CursorWrapper, "execute", lambda *a, **k: _raise(IntegrityError("duplicate key"))
    )
    client = Client(raise_request_exception=False)
    response = client.get(f"/?{PERIOD}")
    assert response.status_code == 500
    assert "Layanan sementara tidak tersedia" not in response.content.decode()


def _raise(error):
    raise error
