"""Monthly reporting in a real browser, end to end.

An operator fills in and submits a report with a warning and a note; the verifier
returns it; the operator fixes and resubmits; the verifier verifies; the program
dashboard's numbers change accordingly (anonymous visitors see verified data only).
"""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from programs.models import MonthlyReport
from tests.browser.conftest import EARLIER, HOUSES, OPERATOR, TARGET, VERIFIER, draw_charts
from tests.browser.helpers import enter, is_check, log_in, value_input

TOO_MANY, FIXED, APBN = 5000, 1200, 34
REASON = "5.000 rumah dalam sebulan tidak masuk akal: periksa lagi angka Tidak dirinci."


def angka(value: int) -> str:
    """Indonesian thousands grouping, written out independently of the app: 1234 -> 1.234."""
    return f"{value:,}".replace(",", ".")


def wait_for_charts(page):
    assert page.locator("[data-chart]").count() > 0
    draw_charts(page)  # charts are drawn as they scroll into view
    assert page.locator("[data-chart][data-error]").count() == 0


def dashboard_figures(page, year, month):
    """(province realization, Banyuasin's realization) as an anonymous visitor sees them."""
    page.goto(f"/program/gbrss/?tahun={year}&bulan={month}")
    wait_for_charts(page)
    province = page.locator('[data-figure="realization"]').inner_text().strip()
    banyuasin = (
        page.locator('#regency-table tr[data-regency="16.07"] td.num').nth(1).inner_text().strip()
    )
    return province, banyuasin


# Monday 16 March 2026: February was due on the 10th (six days late, open until 9 April),
# January locked after 12 March.
@pytest.mark.parametrize("today", [dt.date(2026, 3, 16)])
def test_report_submitted_returned_fixed_verified_and_counted(
    page, watch, other_page, reporting_data, live_server
):
    year, month, earlier = (reporting_data[k] for k in ("year", "month", "earlier"))
    assert (year, month, earlier) == (2026, 2, EARLIER)
    entry_path = f"/laporan/16.07/gbrss/{year:04d}-{month:02d}/"
    entry_url = live_server.url + entry_path
    posts = []  # (path, status, X-CSRFToken header, csrfmiddlewaretoken in the body)
    page.on(
        "response",
        lambda r: (
            r.request.method == "POST"
            and posts.append(
                (
                    r.url.removeprefix(live_server.url),
                    r.status,
                    r.request.headers.get("x-csrftoken"),
                    "csrfmiddlewaretoken=" in (r.request.post_data or ""),
                )
            )
        ),
    )
    verifier, verifier_watch = other_page()
    anonymous, anonymous_watch = other_page()
    status = page.locator("dd.report-status")
    messages = page.locator(f"#msg-{HOUSES}")
    check = page.locator("#check-result")
    submit = page.get_by_role("button", name="Ajukan untuk verifikasi")

    # Operator: February is overdue, first under "Perlu dikerjakan sekarang" and in
    # "Laporan" with "Isi laporan"; January of a program not reported is locked.
    log_in(page, OPERATOR, "/laporan/")
    expect(page.locator("#due-now")).to_contain_text(
        "GBRSS Februari: Belum diisi · batas 10 Maret 2026 (terlambat 6 hari)"
    )
    row = page.locator(f'#my-reports tr[data-program="gbrss"][data-month="{month}"]')
    expect(row.locator("th, td")).to_have_text(
        ["GBRSS", "Februari", "Belum diisi", "10 Maret 2026", "terlambat 6 hari", "Isi laporan"]
    )
    expect(
        page.locator('#my-reports tr[data-program="gpstss"][data-month="1"] td').nth(1)
    ).to_have_text("Belum diisi · terkunci")
    expect(row.get_by_role("link")).to_have_text("Isi laporan")
    row.get_by_role("link", name="Isi laporan").click()
    page.wait_for_url(entry_url)
    expect(status).to_have_text("Belum diisi")
    page.evaluate("() => { window.__notReloaded = true; }")

    # Too many houses: the inline check (htmx POST to .../periksa/) warns beside the row.
    enter(page, value_input(page, 0), angka(TOO_MANY))
    expect(messages).to_contain_text("Melebihi sisa target")
    expect(messages).to_contain_text(f"({angka(TARGET - earlier)})")
    expect(messages).to_contain_text("perlu catatan sebelum diajukan")
    expect(check).to_contain_text("beri catatan")

    # A second source row from the server (htmx GET .../baris/), APBN with a value.
    with page.expect_response(lambda r: "/baris/?" in r.url) as added:
        page.get_by_role("button", name="+ Tambah sumber dana atau mitra").click()
    assert added.value.status == 200
    with page.expect_response(is_check):
        value_input(page, 1, "source").select_option("apbn")
    enter(page, value_input(page, 1), str(APBN))
    expect(page.locator(f"#rows-{HOUSES} tr.entry-row")).to_have_count(2)
    expect(messages).to_contain_text("Melebihi sisa target")
    assert page.evaluate("() => window.__notReloaded === true")  # all of it without a load

    # Submitting without a note is refused (422) and keeps what was typed.
    with page.expect_response(lambda r: r.url == entry_url and r.request.method == "POST") as sent:
        submit.click()
    assert sent.value.status == 422
    expect(page.locator(".messages")).to_contain_text("Beberapa angka perlu catatan")
    expect(messages).to_contain_text("Melebihi sisa target")
    expect(status).to_have_text("Belum diisi")
    expect(value_input(page, 1, "source")).to_have_value("apbn")
    expect(value_input(page, 1)).to_have_value(str(APBN))

    # With a note the warning is resolved, and the report goes to the verifier.
    enter(page, value_input(page, 0, "note"), "Termasuk rumah korban banjir Sungai Musi.")
    expect(messages).to_contain_text("catatan sudah diisi")
    expect(check).to_contain_text("Isian dapat disimpan dan diajukan")
    with page.expect_response(lambda r: r.url == entry_url and r.request.method == "POST") as sent:
        submit.click()
    assert sent.value.status == 302
    expect(status).to_have_attribute("data-status", "submitted")
    expect(status).to_have_text("Diajukan")
    expect(page.locator(".messages")).to_contain_text("Laporan diajukan untuk diverifikasi")

    # Submitted, not verified: the public dashboard does not count it yet.
    assert dashboard_figures(anonymous, year, month) == (angka(EARLIER), angka(EARLIER))
    assert angka(earlier + TOO_MANY + APBN) not in anonymous.locator("#page-body").inner_text()

    # Verifier: the queue lists it; open it and return it with a reason.
    log_in(verifier, VERIFIER, "/verifikasi/")
    item = verifier.locator(".queue-item")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Banyuasin")
    expect(item.locator(".queue-warnings")).to_contain_text("Melebihi sisa target")
    item.get_by_role("link", name=re.compile("Buka laporan")).click()
    verifier.wait_for_url(entry_url)
    verifier.fill("#alasan-kembali", REASON)
    verifier.get_by_role("button", name="Kembalikan ke operator").click()
    expect(verifier.locator("dd.report-status")).to_have_attribute("data-status", "returned")
    expect(verifier.locator("dd.report-status")).to_have_text("Dikembalikan")

    # Operator: the returned report comes first, with the reason; fix it and resubmit.
    page.goto(f"/laporan/?tahun={year}")
    expect(page.locator("section.alert-returned")).to_contain_text(REASON)
    first = page.locator("#my-reports tbody tr").first
    expect(first).to_have_attribute("data-program", "gbrss")
    expect(first).to_have_attribute("data-month", str(month))
    expect(first).to_have_class(re.compile("row-returned"))
    first.get_by_role("link", name="Perbaiki").click()
    page.wait_for_url(entry_url)
    expect(page.locator(".alert-returned")).to_contain_text(REASON)
    expect(status).to_have_text("Dikembalikan")
    expect(value_input(page, 0, "source")).to_have_value("tidak-dirinci")
    expect(value_input(page, 0)).to_have_value(angka(TOO_MANY))
    expect(value_input(page, 1, "source")).to_have_value("apbn")
    expect(messages).to_contain_text("Melebihi sisa target")  # still there until fixed
    enter(page, value_input(page, 0), angka(FIXED))
    expect(check).to_contain_text("Isian dapat disimpan dan diajukan")
    expect(messages).to_have_text("")
    enter(page, value_input(page, 0, "note"), f"Dikoreksi: {angka(FIXED)} rumah.")
    expect(check).to_contain_text("Isian dapat disimpan dan diajukan")
    with page.expect_response(lambda r: r.url == entry_url and r.request.method == "POST") as sent:
        submit.click()
    assert sent.value.status == 302
    expect(status).to_have_attribute("data-status", "submitted")

    # Verifier: tick it in the queue and verify.
    verifier.goto("/verifikasi/")
    expect(item).to_have_count(1)
    item.get_by_role("checkbox").check()
    verifier.get_by_role("button", name="Verifikasi yang dicentang").click()
    expect(verifier.locator(".messages")).to_contain_text("1 laporan diverifikasi")
    expect(verifier.locator(".empty-note")).to_contain_text("Tidak ada laporan yang menunggu")

    # The public dashboard now counts the fixed values, in Indonesian notation.
    total = angka(earlier + FIXED + APBN)
    assert dashboard_figures(anonymous, year, month) == (total, total)

    report = MonthlyReport.objects.get(regency_id="16.07", program__slug="gbrss", month=month)
    assert report.status == MonthlyReport.Status.VERIFIED
    assert {
        r.funding_source.code: r.value for r in report.realizations.select_related("funding_source")
    } == {"tidak-dirinci": FIXED, "apbn": APBN}

    # Every POST of the operator carried the CSRF token; the htmx checks in the header.
    assert posts, "no POST seen"
    assert all(post_status != 403 for _path, post_status, _h, _b in posts), posts
    checks = [p for p in posts if p[0].endswith("/periksa/")]
    assert checks and all(p[1] == 200 and p[2] for p in checks), checks
    assert all(p[3] for p in posts if p[0] == entry_path), posts
    # No console errors but Chromium's note of the refused submission; nothing external.
    refused = [e for e in watch.errors if "status of 422" in e]
    assert len(refused) == 1, watch.errors
    errors = {
        "operator": [e for e in watch.errors if e not in refused],
        "verifier": verifier_watch.errors,
        "anonymous": anonymous_watch.errors,
    }
    assert errors == {"operator": [], "verifier": [], "anonymous": []}
    assert watch.outside + verifier_watch.outside + anonymous_watch.outside == []
