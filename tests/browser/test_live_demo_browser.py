"""Issue 10's "done when", in a real browser, right after a fresh `seed_demo`:
operator-1607 fixes a report returned in a locked month and submits this month's report;
the verifier verifies them from a filtered queue."""

import datetime as dt
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from programs.models import LockException, MonthlyReport
from tests.browser.conftest import freeze_browser
from tests.browser.helpers import log_in

Status = MonthlyReport.Status
DEMO_PASSWORD = "sumsel-demo"  # every seed_demo account's


@pytest.fixture
def today():
    """Sunday 29 November 2026: October was due on 10 November and is still open, the
    months up to September are locked, November is the running month."""
    return dt.date(2026, 11, 29)


@pytest.fixture
def live_demo(reference_data, frozen_clock):
    """The demo as `seed_demo` makes it on `today` (the server's and the browser's clock)."""
    call_command("seed_demo", "--force", "--until", "2026-10", verbosity=0)


def note_every_row_and_submit(page, note):
    for field in page.locator('[name$="-note"]').all():
        field.fill(note)
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith(page.url[-9:])
    ) as sent:
        page.get_by_role("button", name="Ajukan untuk verifikasi").click()
    assert sent.value.status == 302
    expect(page.locator("dd.report-status")).to_have_attribute("data-status", "submitted")


def test_operator_fixes_a_locked_month_and_submits_this_month_verifier_verifies(
    page, watch, live_demo, browser_context_args
):
    locked = MonthlyReport.objects.get(regency="16.07", status=Status.RETURNED, month__lt=10)
    until = LockException.objects.get(
        regency="16.07", program=locked.program, year=2026, month=locked.month
    ).until
    entry_path = f"/laporan/16.07/{locked.program.slug}/2026-{locked.month:02d}/"

    # Operator: the returned report of the locked month is listed with its deadline.
    log_in(page, "operator-1607", "/laporan/", DEMO_PASSWORD)
    alert = page.locator("section.alert-returned")
    expect(alert).to_contain_text("dibuka untuk perbaikan sampai")
    row = page.locator(
        f'#my-reports tr[data-program="{locked.program.slug}"][data-month="{locked.month}"]'
    )
    expect(row).to_contain_text("dibuka sampai")
    row.get_by_role("link", name="Perbaiki").click()
    page.wait_for_url(re.compile(re.escape(entry_path) + "$"))
    expect(page.locator("#open-until")).to_contain_text("dibuka untuk perbaikan sampai")
    note_every_row_and_submit(page, "Sudah dicocokkan dengan data OPD teknis.")

    # This month (November 2026) is due: fill in GBRSS and submit.
    page.goto("/laporan/")
    november = page.locator('#my-reports tr[data-program="gbrss"][data-month="11"]')
    november.get_by_role("link", name="Isi laporan").click()
    page.wait_for_url(re.compile(r"/laporan/16\.07/gbrss/2026-11/$"))
    page.locator("#r-rumah-dibedah-0-value").fill("3")
    note_every_row_and_submit(page, "Tiga rumah selesai minggu ini.")

    # Verifier: filter the queue to Banyuasin and the locked month, verify from there.
    context = page.context.browser.new_context(**browser_context_args)
    freeze_browser(context)
    verifier = context.new_page()
    verifier.set_default_timeout(10_000)
    log_in(verifier, "verifikator", "/verifikasi/", DEMO_PASSWORD)
    verifier.select_option("#filter-wilayah", "16.07")
    verifier.select_option("#filter-bulan", f"2026-{locked.month:02d}")
    verifier.get_by_role("button", name="Terapkan").click()
    verifier.wait_for_url(re.compile(r"wilayah=16\.07"))
    items = verifier.locator(".queue-item")
    expect(items).to_have_count(1)
    expect(items).to_contain_text("Banyuasin")
    expect(items.locator(".operator-notes")).to_contain_text("Sudah dicocokkan")
    items.locator('input[name="laporan"]').check()
    verifier.get_by_role("button", name="Verifikasi yang dicentang").click()
    expect(verifier.locator(".messages")).to_contain_text("1 laporan diverifikasi")
    locked.refresh_from_db()
    assert locked.status == Status.VERIFIED

    # This month's report: filtered by month, verified with "verify all matching".
    verifier.goto("/verifikasi/?wilayah=16.07&bulan=2026-11")
    expect(verifier.locator(".queue-item")).to_have_count(1)
    verifier.locator("#verify-all").click()
    expect(verifier.locator(".messages")).to_contain_text("1 laporan diverifikasi")
    assert (
        MonthlyReport.objects.get(
            regency="16.07", program__slug="gbrss", year=2026, month=11
        ).status
        == Status.VERIFIED
    )
    assert until >= dt.date(2026, 11, 29)
    context.close()
    assert not watch.errors
