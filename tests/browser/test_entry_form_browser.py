"""The entry form in a real browser: the ratio's percentage and the month's total follow
the typing, a source row can be removed, and on a 360 px phone the rows stack with every
action button on screen."""

import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from regencies.models import UserScope
from tests.conftest import FIXTURES
from tests.factories import UserFactory, UserScopeFactory

PASSWORD = "rahasia-uji-123"


@pytest.fixture
def operator(transactional_db):
    call_command("loaddata", *FIXTURES, verbosity=0)
    UserScopeFactory(
        role=UserScope.Role.OPERATOR, regency_id="16.07", user=UserFactory(username="op-uji")
    )


def period():
    today = timezone.localdate()
    year, month = (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)
    return f"{year:04d}-{month:02d}"


def log_in(page, next_path):
    page.goto(f"/akun/masuk/?next={next_path}")
    page.fill("#id_username", "op-uji")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Masuk", exact=True).click()
    page.wait_for_url(re.compile(re.escape(next_path) + "$"))


def test_live_percentage_total_remove_row_and_phone_layout(page, watch, operator):
    log_in(page, f"/laporan/16.07/gpstss/{period()}/")
    num = page.locator("#r-prevalensi-stunting-0-num")
    expect(num).to_have_value("")
    num.fill("60")
    page.locator("#r-prevalensi-stunting-0-den").fill("1.250")
    expect(page.locator("[data-ratio-result]").first).to_have_text("4,80 %")

    page.goto(f"/laporan/16.07/gbrss/{period()}/")
    page.locator("#r-rumah-dibedah-0-value").fill("1.000")
    with page.expect_response(lambda r: "/baris/?" in r.url):
        page.get_by_role("button", name="+ Tambah sumber dana atau mitra").click()
    page.locator("#r-rumah-dibedah-1-value").fill("7")
    total = page.locator('[data-total-for="rows-rumah-dibedah"]')
    expect(total).to_have_text("1.007")
    page.locator("#row-rumah-dibedah-1 [data-remove-row]").click()
    expect(page.locator("#rows-rumah-dibedah tr.entry-row")).to_have_count(1)
    expect(total).to_have_text("1.000")

    page.set_viewport_size({"width": 360, "height": 740})
    page.reload()
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    for name in ("Simpan draf", "Ajukan untuk verifikasi"):
        box = page.get_by_role("button", name=name).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 360, name
    value = page.locator("#r-rumah-dibedah-0-value").bounding_box()
    source = page.locator("#r-rumah-dibedah-0-source").bounding_box()
    assert value["y"] > source["y"]  # stacked, not side by side
    assert not watch.errors
