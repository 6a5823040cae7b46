"""Security headers and cookies.

`manage.py check --deploy` is tested in tests/test_project.py; the browser side of the
Content-Security-Policy (no violation on any page) in tests/browser/test_csp_browser.py.
"""

import json
import re
from pathlib import Path

import pytest

from tests.helpers import run_python

ROOT = Path(__file__).resolve().parent.parent
PLOTLY_EMPTY_STYLE = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
HISTORY_PAGINATOR_STYLE = "'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='"
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "sumsel_gerakan.settings",
    "DJANGO_SECRET_KEY": "a-long-random-production-secret-" + "x" * 40,
    "DJANGO_ALLOWED_HOSTS": "dasbor.sumselprov.go.id",
}


def directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    parts = [part.split() for part in policy.split(";") if part.strip()]
    return {part[0]: part[1:] for part in parts}


@pytest.mark.django_db
def test_pages_send_a_strict_content_security_policy(client, gbrss_data):
    response = client.get("/program/gbrss/?tahun=2024&bulan=12")
    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert directives(response) == {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-hashes'", PLOTLY_EMPTY_STYLE],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }


@pytest.mark.django_db
def test_htmx_partials_and_errors_carry_the_policy_too(client, gbrss_data):
    partial = client.get("/program/gbrss/?tahun=2024&bulan=3", HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    assert "script-src 'self'" in partial.headers["Content-Security-Policy"]
    missing = client.get("/program/tidak-ada/")
    assert missing.status_code == 404
    assert "script-src 'self'" in missing.headers["Content-Security-Policy"]


@pytest.mark.django_db
def test_admin_policy_adds_one_exact_hash_and_nothing_inline(client):
    response = client.get("/admin/login/")
    found = directives(response)
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert found["script-src"] == ["'self'"]
    assert found["style-src-attr"] == [
        "'unsafe-hashes'",
        PLOTLY_EMPTY_STYLE,
        HISTORY_PAGINATOR_STYLE,
    ]
    dashboard = client.get("/akun/masuk/")
    assert HISTORY_PAGINATOR_STYLE not in dashboard.headers["Content-Security-Policy"]


@pytest.mark.django_db
def test_other_security_headers(client, reference_data):
    response = client.get("/?tahun=2024", secure=True)
    assert response.status_code == 200
    headers = response.headers
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    permissions = headers["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in permissions
    # DEBUG is off in the test environment, so HSTS is on for HTTPS requests.
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "includeSubDomains" in headers["Strict-Transport-Security"]


@pytest.mark.django_db
def test_csrf_cookie_is_same_site_and_readable_by_the_page_script(client):
    # Cached pages carry no token: static/js/csrf.js reads it from this cookie.
    response = client.get("/akun/masuk/")
    cookie = response.cookies["csrftoken"]
    assert not cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def test_production_cookies_are_secure_and_http_only():
    result = run_python(
        "import json, django; django.setup(); from django.conf import settings as s;"
        "print(json.dumps([s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY,"
        " s.CSRF_COOKIE_SECURE, s.CSRF_COOKIE_HTTPONLY, s.SECURE_SSL_REDIRECT,"
        " s.SESSION_ENGINE]))",
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        True,
        True,
        True,
        False,  # static/js/csrf.js reads the token (cached pages carry none)
        True,
        "django.contrib.sessions.backends.db",  # stateless app servers: sessions in the DB
    ]


def test_only_the_csrf_script_reads_cookies():
    """One script reads the csrftoken cookie (for htmx requests); nothing else touches
    document.cookie, and no template renders the token into a header attribute."""
    sources = [*ROOT.glob("static/js/**/*.js"), *ROOT.glob("templates/**/*.html")]
    assert sources
    for path in sources:
        if path.name == "csrf.js":
            continue
        text = path.read_text(encoding="utf-8")
        assert "document.cookie" not in text, path
        assert "X-CSRFToken" not in text, path


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"\sstyle=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "inline event handler"),
    (re.compile(r"\shx-on[:-]", re.I), "hx-on (needs eval)"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_templates_have_no_inline_script_or_style():
    """Our templates keep everything in static files; json_script data blocks are the only
    <script> without src, and they are emitted by the filter, not written in templates."""
    templates = list(ROOT.glob("templates/**/*.html"))
    assert templates
    problems = [
        f"{path.relative_to(ROOT)}: {what}"
        for path in templates
        for pattern, what in INLINE
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert problems == []


@pytest.mark.django_db
def test_rendered_dashboard_has_only_data_blocks_inline(client, gbrss_data):
    html = client.get("/program/gbrss/?tahun=2024&bulan=12").content.decode()
    inline = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert inline  # the figures
    assert all('type="application/json"' in tag for tag in inline), inline
    assert "<style" not in html and " style=" not in html
