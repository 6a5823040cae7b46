"""Helpers shared by the browser tests: logging in through the login page and typing
into the entry form."""

from __future__ import annotations

import re

from tests.browser.conftest import HOUSES

PASSWORD = "rahasia-uji-123"  # every factory-made user's (tests/factories.py)


def log_in(page, username, next_path, password=PASSWORD):
    """Log `username` in through the login page and wait until it lands on `next_path`."""
    page.goto(f"/akun/masuk/?next={next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.get_by_role("button", name="Masuk", exact=True).click()
    page.wait_for_url(re.compile(re.escape(next_path) + "$"))


def value_input(page, index, field="value"):
    """The entry form's `field` of the `index`-th row of houses renovated."""
    return page.locator(f"#r-{HOUSES}-{index}-{field}")


def is_check(response):
    """Whether `response` answers the entry form's inline check (a POST to .../periksa/)."""
    return response.request.method == "POST" and response.url.endswith("/periksa/")


def enter(page, field, text):
    """Type into a field and leave it, then wait for the one inline check this causes (the
    form posts to .../periksa/ on `change`), so no check is still running on the next step."""
    with page.expect_response(is_check) as checked:
        field.fill(text)
        field.press("Tab")
    assert checked.value.status == 200
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
