"""The Content-Security-Policy in a real browser: every page runs under it with no violation.

The policy has no 'unsafe-inline' and no 'unsafe-eval'. A listener installed before any
page script records every `securitypolicyviolation` event in `window.__csp`; Chromium also
reports blocked content as console errors, which `watch` collects.
"""

import re

import pytest

from programs.models import Target
from tests.browser.conftest import draw_charts
from tests.factories import UserFactory

COLLECT_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push({
    directive: e.violatedDirective,
    blocked: e.blockedURI,
    sample: e.sample,
    source: e.sourceFile + ":" + e.lineNumber,
  });
});
"""
ADMIN_PASSWORD = "rahasia-uji-123"


@pytest.fixture
def csp_page(page, watch):
    page.add_init_script(COLLECT_VIOLATIONS)
    return page


def violations(page) -> list[dict]:
    return page.evaluate("() => window.__csp || []")


def assert_strict_policy(response):
    policy = response.headers.get("content-security-policy", "")
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


def visit(page, url):
    response = page.goto(url)
    assert response.status == 200, url
    assert_strict_policy(response)
    return response


def wait_for_all_charts(page):
    assert page.locator("[data-chart]").count() > 0
    draw_charts(page)
    assert page.locator("[data-chart][data-error]").count() == 0


def test_dashboards_run_under_the_policy_without_violations(csp_page, watch, gbrss_data):
    page = csp_page
    visit(page, "/?tahun=2024&bulan=12")
    assert violations(page) == []

    visit(page, "/program/gbrss/?tahun=2024&bulan=12")
    wait_for_all_charts(page)
    assert page.locator("#program-map path").count() >= 17  # the map: server-drawn SVG
    # Plotly put no <style> in the page: its rules come from the linked plotly.css.
    assert page.locator("head style, body style").count() == 0
    assert violations(page) == []

    # An htmx filter change: swap, redraw, no reload (the listener would have been reset).
    page.evaluate("() => { window.__notReloaded = true; }")
    page.select_option("#filter-bulan", "3")
    page.wait_for_url(re.compile(r"bulan=3"))
    page.wait_for_function("() => document.querySelectorAll('#trend-table tbody tr').length === 3")
    wait_for_all_charts(page)
    assert page.evaluate("() => window.__notReloaded === true")
    assert violations(page) == []

    visit(page, "/wilayah/16.07/?tahun=2024&bulan=12")
    wait_for_all_charts(page)
    assert violations(page) == []

    visit(page, "/kelengkapan/?tahun=2024")
    assert violations(page) == []

    visit(page, "/akun/masuk/")
    assert violations(page) == []

    assert watch.errors == []
    assert watch.outside == []


def test_django_admin_and_staff_pages_run_under_the_policy(csp_page, watch, gbrss_data):
    page = csp_page
    failed = []  # admin pages link no favicon: the browser's own /favicon.ico 404 is no error
    page.on(
        "response",
        lambda r: r.status >= 400 and not r.url.endswith("/favicon.ico") and failed.append(r.url),
    )
    UserFactory(username="admin-uji", is_staff=True, is_superuser=True)
    target = Target.objects.filter(regency__code="16.07").first()

    visit(page, "/admin/login/?next=/admin/")
    page.fill("#id_username", "admin-uji")
    page.fill("#id_password", ADMIN_PASSWORD)
    page.locator("input[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/$"))
    assert violations(page) == []

    for url in (
        "/admin/",
        "/admin/programs/target/",
        f"/admin/programs/target/{target.pk}/change/",
        f"/admin/programs/target/{target.pk}/history/",
        "/admin/programs/monthlyreport/",
        "/admin/programs/program/add/",
        "/admin/auth/user/add/",
        "/verifikasi/",  # the app's own pages for signed-in staff
        "/impor/",
    ):
        visit(page, url)
        page.wait_for_load_state("load")
        assert violations(page) == [], url

    # A changelist search (the admin's filter and action scripts on a result page).
    visit(page, "/admin/programs/target/?q=rumah")
    page.wait_for_load_state("load")
    assert violations(page) == []
    assert failed == []
    assert [e for e in watch.errors if not e.startswith("Failed to load resource")] == []
