"""Playwright driving Debian's Chromium against pytest-django's live server."""

import os
import shutil

import pytest

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
        "viewport": {"width": 1280, "height": 900},
        "base_url": live_server.url,
    }


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
