"""Playwright driving Debian's Chromium against pytest-django's live server, both on a
frozen clock."""

import datetime as dt
import os
import shutil
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from programs.models import FundingSource, Indicator, MonthlyReport, Program, Target
from regencies.models import Regency, UserScope
from tests.conftest import FIXTURES
from tests.factories import (
    MonthlyReportFactory,
    RealizationFactory,
    UserFactory,
    UserScopeFactory,
)
from tests.helpers import previous_month

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# The day browser tests stand on unless a test picks its own (see `today` in
# tests/conftest.py): February 2026's report was due on 10 March, so it is late by six
# days and still open (it locks after 9 April); January's locked after 12 March.
BROWSER_TODAY = dt.date(2026, 3, 16)

# The people and numbers of `reporting_data`.
OPERATOR, VERIFIER = "operator-1607", "verifikator-uji"  # factories' password: rahasia-uji-123
HOUSES = "rumah-dibedah"
TARGET = 3000
EARLIER = 1000  # verified in January, when the reported month is later in the year


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not shutil.which(CHROMIUM):
        pytest.fail(f"Debian's Chromium is required for browser tests ({CHROMIUM}).")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True, "args": ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, live_server):
    return {
        **browser_context_args,
        "locale": "id-ID",
        "timezone_id": "Asia/Jakarta",  # the users' zone (WIB), the app's TIME_ZONE
        "viewport": {"width": 1280, "height": 900},
        "base_url": live_server.url,
    }


@pytest.fixture
def today():
    """Browser tests stand on BROWSER_TODAY, not on tests/conftest.py's TODAY."""
    return BROWSER_TODAY


@pytest.fixture
def reference_data(transactional_db):
    """Live-server tests need committed data: override the `db`-based fixture."""
    call_command("loaddata", *FIXTURES, verbosity=0)


def freeze_browser(context):
    """The browser's clock (Date, timers) starts where the server's frozen clock stands
    now and ticks from there, like the server's."""
    context.clock.install(time=timezone.now())


@pytest.fixture(autouse=True)
def clock(frozen_clock, page):
    """Every browser test runs on `today`: the server's clock (time-machine, before any
    test data is made or any request served) and the page's. A context opened during a
    test gets the same with `freeze_browser`."""
    freeze_browser(page.context)
    return frozen_clock


@pytest.fixture
def reporting_data(reference_data):
    """GBRSS for Banyuasin (16.07): a target of 3.000 houses for the year, 1.000 verified in
    January (unless the month to report is January), an operator and a verifier."""
    year, month = previous_month()
    program = Program.objects.get(slug="gbrss")
    houses = Indicator.objects.get(program=program, code=HOUSES)
    banyuasin = Regency.objects.get(code="16.07")
    Target.objects.update_or_create(
        indicator=houses, regency=banyuasin, year=year, defaults={"value": Decimal(TARGET)}
    )
    earlier = 0
    if month > 1:
        report = MonthlyReportFactory(
            program=program,
            regency=banyuasin,
            year=year,
            month=1,
            status=MonthlyReport.Status.VERIFIED,
            first_submitted_at=dt.datetime(year, 2, 5, 9, tzinfo=dt.UTC),
            submitted_at=dt.datetime(year, 2, 5, 9, tzinfo=dt.UTC),
            verified_at=dt.datetime(year, 2, 7, 9, tzinfo=dt.UTC),
        )
        RealizationFactory(
            report=report,
            indicator=houses,
            funding_source=FundingSource.objects.get(code="apbd-prov"),
            value=Decimal(EARLIER),
        )
        earlier = EARLIER
    UserScopeFactory(
        role=UserScope.Role.OPERATOR, regency=banyuasin, user=UserFactory(username=OPERATOR)
    )
    UserScopeFactory(role=UserScope.Role.VERIFIKATOR, user=UserFactory(username=VERIFIER))
    return {"year": year, "month": month, "earlier": earlier}


@pytest.fixture
def a11y_data(gbrss_data):
    """gbrss_data's 2024 reports, plus an operator of Banyuasin (16.07) whose previous
    calendar month is open for entry, and a verifier with a submitted report waiting."""
    year, month = previous_month()
    houses = Indicator.objects.get(program=gbrss_data, code=HOUSES)
    banyuasin = Regency.objects.get(code="16.07")
    oku = Regency.objects.get(code="16.01")
    Target.objects.update_or_create(
        indicator=houses, regency=banyuasin, year=year, defaults={"value": Decimal(3000)}
    )
    # A second waiting report, this year's: the queue shows more than one item.
    waiting = MonthlyReportFactory(
        program=gbrss_data,
        regency=oku,
        year=year,
        month=month,
        status=MonthlyReport.Status.SUBMITTED,
        first_submitted_at=timezone.now() - dt.timedelta(days=1),
        submitted_at=timezone.now() - dt.timedelta(days=1),
        verified_at=None,
    )
    RealizationFactory(
        report=waiting,
        indicator=houses,
        funding_source=FundingSource.objects.get(code="apbd-prov"),
        value=Decimal(12),
    )
    operator = UserScopeFactory(
        role=UserScope.Role.OPERATOR, regency=banyuasin, user=UserFactory(username="operator-1607")
    ).user
    verifier = UserScopeFactory(
        role=UserScope.Role.VERIFIKATOR, user=UserFactory(username="verifikator-uji")
    ).user
    return {
        "operator": operator,
        "verifier": verifier,
        "entry": f"/laporan/16.07/gbrss/{year:04d}-{month:02d}/",
        "submitted": f"/laporan/16.01/gbrss/{year:04d}-{month:02d}/",
    }


@pytest.fixture
def other_page(page, browser_context_args, live_server):
    """A page in a fresh browser context (another user) on the same frozen clock, watched
    like `page`."""
    contexts = []

    def make():
        context = page.context.browser.new_context(**browser_context_args)
        contexts.append(context)
        freeze_browser(context)
        new = context.new_page()
        new.set_default_timeout(10_000)
        return new, PageWatch(new, live_server.url)

    yield make
    for context in contexts:
        context.close()


class PageWatch:
    """Console errors and requests that left the live server during a test."""

    def __init__(self, page, origin):
        self.errors: list[str] = []
        self.outside: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on(
            "request",
            lambda r: None if r.url.startswith(origin) else self.outside.append(r.url),
        )


@pytest.fixture
def watch(page, live_server):
    page.set_default_timeout(10_000)
    return PageWatch(page, live_server.url)


def draw_charts(page, count: int | None = None):
    """Scroll every chart into view (charts.js draws a chart only once it is near the
    viewport, one per task) and wait until `count` (default: all) are drawn or failed."""
    page.wait_for_load_state("load")
    for chart in page.locator("[data-chart]").all():
        chart.scroll_into_view_if_needed()
    page.wait_for_function(
        """(n) => {
          const all = document.querySelectorAll('[data-chart]');
          const done = [...all].filter(c => c.hasAttribute('data-drawn')
            || c.hasAttribute('data-error')).length;
          return n === null ? done === all.length : done >= n;
        }""",
        arg=count,
    )
    page.evaluate("() => window.scrollTo(0, 0)")
