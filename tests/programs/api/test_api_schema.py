"""The generated OpenAPI description, and every operation fuzzed against it by schemathesis.

Schemathesis loads /api/v1/openapi.json from the app (Django's WSGI application, in
process, on the test database), then sends valid and invalid requests to each operation,
as an anonymous caller and as a logged-in leader (pimpinan): no answer may be a 5xx,
every answer must match the schema (status, content type, body), valid data must be
accepted and invalid data refused.
"""

import re

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, given, settings
from schemathesis.generation import GenerationMode

from regencies.models import UserScope
from tests.factories import UserScopeFactory

QUERY = {
    "/api/v1/": set(),
    "/api/v1/programs/": {"page", "page_size"},
    "/api/v1/programs/{slug}/": set(),
    "/api/v1/regencies/": {"page", "page_size"},
    "/api/v1/targets/": {"tahun", "program", "indikator", "wilayah", "page", "page_size"},
    "/api/v1/progress/": {
        "tahun",
        "bulan",
        "program",
        "indikator",
        "wilayah",
        "terverifikasi",
        "page",
        "page_size",
    },
    "/api/v1/realizations/": {
        "tahun",
        "bulan",
        "program",
        "indikator",
        "wilayah",
        "status",
        "page",
        "page_size",
    },
    "/api/v1/attachments/": {
        "tahun",
        "bulan",
        "program",
        "indikator",
        "wilayah",
        "page",
        "page_size",
    },
}


def test_openapi_is_generated_from_the_operations(client, reference_data):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    spec = response.json()
    assert spec["openapi"] == "3.1.0" and spec["info"]["title"]
    assert set(spec["paths"]) == set(QUERY)  # openapi.json itself is not an operation
    for path, names in QUERY.items():
        operation = spec["paths"][path]["get"]
        query = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
        assert query == names, path
        if path != "/api/v1/":
            # anonymous callers read public data: the session cookie is optional
            assert operation["security"] == [{}, {"SessionOrPublic": []}]
            assert {"200", "400", "401", "404"} <= set(operation["responses"])
    progress = spec["components"]["schemas"]["ProgressOut"]["properties"]
    assert progress["realization"]["type"] == ["number", "null"]
    assert progress["status"]["enum"] == [
        "on_track",
        "behind",
        "no_target",
        "no_data",
        "not_required",
    ]
    assert progress["required"]["anyOf"] == [{"type": "boolean"}, {"type": "null"}]
    scheme = spec["components"]["securitySchemes"]["SessionOrPublic"]
    assert scheme == {"type": "apiKey", "in": "cookie", "name": "sessionid"}
    # A NUL byte is answered 400 before any view (middleware): the schema rules it out,
    # or a schema-valid request (?program=%00) would be refused.
    targets = {p["name"]: p for p in spec["paths"]["/api/v1/targets/"]["get"]["parameters"]}
    for name in ("program", "indikator"):
        (text,) = [s for s in targets[name]["schema"]["anyOf"] if s["type"] == "string"]
        assert re.fullmatch(text["pattern"], "rumah-dibedah")
        assert not re.search(text["pattern"], "\x00") and not re.search(text["pattern"], "a\x00b")
    refused = client.get("/api/v1/targets/?program=%00&indikator=where")
    assert refused.status_code == 400 and "NUL" in refused.json()["detail"]


@pytest.fixture
def wsgi_app():
    """Django's WSGI application, in process, inside the test's transaction: like the
    test client, it must not close the database connection around each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(gbrss_attachments, wsgi_app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)


@pytest.fixture
def leader_cookies(db) -> dict:
    client = Client()
    client.force_login(UserScopeFactory(role=UserScope.Role.PIMPINAN).user)
    return {name: morsel.value for name, morsel in client.cookies.items()}


PLAIN = {"Accept-Encoding": "identity"}

# An operation without parameters has no invalid request to make.
RUNS = [
    (path, mode)
    for path in QUERY
    for mode in GenerationMode
    if mode == GenerationMode.POSITIVE or path != "/api/v1/"
]


@pytest.mark.parametrize("path, mode", RUNS)
def test_every_operation_conforms_to_its_schema(api_schema, leader_cookies, path, mode):
    """Valid (positive) and invalid (negative) requests, each sent anonymously and as
    a leader. Invalid ones must be refused with a documented 4xx."""
    operation = api_schema[path]["GET"]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=10,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        # anonymous: verified data only (PUBLIC_DASHBOARD on). The in-process WSGI client
        # does not decompress: ask for plain answers (compression is tested elsewhere).
        case.call_and_validate(headers=PLAIN)
        response = case.call_and_validate(headers=PLAIN, cookies=leader_cookies)
        if response.status_code == 200:  # a leader's answer is never cached publicly
            headers = {name.lower(): str(value) for name, value in response.headers.items()}
            assert "private" in headers["cache-control"]

    check()
