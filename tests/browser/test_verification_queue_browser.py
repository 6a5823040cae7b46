"""The verification queue in Chromium, with and without JavaScript: the ticks, both verify
buttons and every report's return box are one form, which only a browser shows is sent as
meant; a refused reason comes back on the queue, in its box, with the filters the
verifier had chosen, and the ticks survive a return and a refused verification."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from programs.models import MonthlyReport
from programs.reporting import services
from regencies.models import UserScope
from tests.browser.conftest import PageWatch
from tests.browser.helpers import log_in
from tests.factories import MonthlyReportFactory, UserFactory
from tests.helpers import previous_month

Status = MonthlyReport.Status
REASON = "Rincian APBD Provinsi tidak sesuai berita acara: periksa lagi."


def submitted_beside(report):
    """Another regency's (16.02) report of the same program and month, waiting in the queue."""
    return MonthlyReportFactory(
        program=report.program,
        regency_id="16.02",
        year=report.year,
        month=report.month,
        status=Status.SUBMITTED,
        first_submitted_at=timezone.now(),
        submitted_at=timezone.now(),
        verified_at=None,
    )


def test_a_report_is_returned_from_the_queue_and_a_refused_reason_stays_in_its_box(
    page, watch, a11y_data
):
    year, month = previous_month()
    oku = MonthlyReport.objects.get(regency="16.01", program__slug="gbrss", year=year, month=month)
    queue = "/verifikasi/?program=gbrss"
    log_in(page, "verifikator-uji", queue)
    item = page.locator(f'article.queue-item[data-report="{oku.pk}"]')
    box = item.locator("details.queue-return")
    reason = box.get_by_label("Alasan dikembalikan (wajib)")
    send = box.get_by_role("button", name="Kembalikan ke operator")
    expect(reason).to_be_hidden()  # closed until asked for

    # Spaces pass the browser's "required": the server refuses them, and the queue comes
    # back (not the report page) with the box open, the text kept, the reason beside it.
    box.locator("summary").click()
    reason.fill("   ")
    with page.expect_response(lambda r: r.request.method == "POST") as sent:
        send.click()
    assert sent.value.status == 422
    assert sent.value.url.endswith(
        f"/laporan/16.01/gbrss/{oku.year}-{oku.month:02d}/status/?program=gbrss"
    )
    expect(page.locator("h1")).to_contain_text("Antrean verifikasi")
    expect(page.locator("#filter-program")).to_have_value("gbrss")
    expect(box).to_have_attribute("open", "")
    expect(box.locator(".errorlist")).to_have_text("Alasan wajib diisi.")
    # Written in the site's error red, as the form checks' messages are, not body text.
    expect(box.locator(".errorlist")).to_have_css("color", "rgb(163, 0, 27)")
    expect(reason).to_have_value("   ")
    expect(reason).to_have_attribute("aria-invalid", "true")
    oku.refresh_from_db()
    assert oku.status == Status.SUBMITTED

    # An empty box is not sent at all (the browser asks for it first).
    reason.fill("")
    send.click()
    assert reason.evaluate("box => box.validity.valueMissing")
    assert page.url.endswith("/status/?program=gbrss")

    # With a reason: returned, back on the same filtered queue, without that report.
    reason.fill(REASON)
    send.click()
    page.wait_for_url(re.compile(re.escape(queue) + "$"))
    expect(page.locator(".messages")).to_contain_text("Laporan dikembalikan ke operator.")
    expect(page.locator(f'article[data-report="{oku.pk}"]')).to_have_count(0)
    oku.refresh_from_db()
    assert (oku.status, oku.return_reason) == (Status.RETURNED, REASON)
    # Chromium logs the refused post's status; nothing else went wrong or left the site.
    assert [e for e in watch.errors if "status of 422" not in e] == []
    assert watch.outside == []


@pytest.fixture(params=[True, False], ids=["javascript", "no-javascript"])
def queue_page(request, page, watch, browser_context_args, live_server):
    """The verifier's browser: as it is, and with JavaScript turned off (the ticks and the
    return boxes are one form, sent by the browser alone)."""
    if request.param:
        yield page, watch
        return
    context = page.context.browser.new_context(**browser_context_args, java_script_enabled=False)
    try:
        plain = context.new_page()
        plain.set_default_timeout(10_000)
        yield plain, PageWatch(plain, live_server.url)
    finally:
        context.close()


def test_reports_ticked_for_verification_stay_ticked_when_another_is_returned(
    queue_page, a11y_data
):
    """A verifier ticks reports to verify, then returns another from its box: the queue
    reloaded with every tick gone (without JavaScript, still after the fix that sent them
    from static/js/queue.js). The ticks now come back, with or without JavaScript: after a
    refused reason, after the return, and after "Verifikasi yang dicentang" is refused
    (another verifier returned one of them meanwhile); then it verifies those left."""
    page, watch = queue_page
    year, month = previous_month()
    oku = MonthlyReport.objects.get(regency="16.01", program__slug="gbrss", year=year, month=month)
    submitted_beside(oku)  # a third waiting report
    queue = "/verifikasi/?program=gbrss"
    log_in(page, "verifikator-uji", queue)
    others = [
        item.get_attribute("data-report")
        for item in page.locator("article.queue-item").all()
        if item.get_attribute("data-report") != str(oku.pk)
    ][:2]
    assert len(others) == 2
    ticks = [page.locator(f'article[data-report="{pk}"] input[name="laporan"]') for pk in others]
    for tick in ticks:
        tick.check()
    box = page.locator(f'article.queue-item[data-report="{oku.pk}"] details.queue-return')
    reason = box.get_by_label("Alasan dikembalikan (wajib)")
    send = box.get_by_role("button", name="Kembalikan ke operator")
    untouched = page.locator('input[name="laporan"]:not(:checked)')
    unticked = untouched.count()

    # A refused reason: the queue comes back with the box open and the ticks kept.
    box.locator("summary").click()
    reason.fill("   ")
    with page.expect_response(lambda r: r.request.method == "POST") as sent:
        send.click()
    assert sent.value.status == 422
    expect(box.locator(".errorlist")).to_have_text("Alasan wajib diisi.")
    for tick in ticks:
        expect(tick).to_be_checked()
    expect(untouched).to_have_count(unticked)

    # Returned: the queue comes back without that report, the other ticks kept.
    reason.fill(REASON)
    send.click()
    page.wait_for_url(re.compile(re.escape(queue) + "&centang="))
    expect(page.locator(".messages")).to_contain_text("Laporan dikembalikan ke operator.")
    expect(page.locator(f'article[data-report="{oku.pk}"]')).to_have_count(0)
    for tick in ticks:
        expect(tick).to_be_checked()
    expect(untouched).to_have_count(unticked - 1)  # OKU's box was one of them

    # Another verifier returns one of the ticked reports: the verification is refused
    # (all or none), and the queue comes back with the one still waiting ticked.
    colleague = UserFactory(username="verifikator-lain")
    UserScope.objects.create(user=colleague, role=UserScope.Role.VERIFIKATOR)
    gone = MonthlyReport.objects.get(pk=others[1])
    services.report_return(user=colleague, report=gone, reason="Foto kurang.", version=1)
    page.get_by_role("button", name="Verifikasi yang dicentang").click()
    expect(page.locator(".messages")).to_contain_text(
        f"Laporan {gone} sudah berubah sejak antrean dimuat (kini Dikembalikan, oleh "
        "verifikator-lain)."
    )
    expect(page.locator(f'article[data-report="{others[1]}"]')).to_have_count(0)
    expect(ticks[0]).to_be_checked()

    page.get_by_role("button", name="Verifikasi yang dicentang").click()
    expect(page.locator(".messages")).to_contain_text("1 laporan diverifikasi.")
    assert MonthlyReport.objects.get(pk=others[0]).status == Status.VERIFIED
    oku.refresh_from_db()
    assert oku.status == Status.RETURNED
    assert [e for e in watch.errors if "status of 422" not in e] == []
    assert watch.outside == []


def test_reports_ticked_stay_ticked_when_verifying_all_matching_is_refused(queue_page, a11y_data):
    """ "Verifikasi semua ... yang cocok dengan filter ini" was a form of its own: refused
    (the queue changed since the page counted it), the queue came back with every tick
    gone. It is now part of the queue's one form, so the ticks come back with or without
    JavaScript. Enter on a tick box then verifies the ticked reports (the form's default
    button), not every report matching the filter."""
    page, watch = queue_page
    year, month = previous_month()
    oku = MonthlyReport.objects.get(regency="16.01", program__slug="gbrss", year=year, month=month)
    queue = "/verifikasi/?program=gbrss"
    log_in(page, "verifikator-uji", queue)
    shown = page.locator("article.queue-item")
    count = shown.count()
    assert count >= 2
    tick = page.locator(f'article[data-report="{oku.pk}"] input[name="laporan"]')
    tick.check()
    # Meanwhile an operator submits another GBRSS report: the count shown is stale.
    submitted_beside(oku)

    verified = MonthlyReport.objects.filter(status=Status.VERIFIED).count()
    page.locator("#verify-all").click()

    page.wait_for_url(re.compile(re.escape(queue) + "&centang="))
    expect(page.locator(".messages")).to_contain_text(
        "Antrean sudah berubah sejak halaman dimuat; tidak ada yang diverifikasi."
    )
    expect(shown).to_have_count(count + 1)
    expect(tick).to_be_checked()
    expect(page.locator('input[name="laporan"]:checked')).to_have_count(1)
    assert MonthlyReport.objects.filter(status=Status.VERIFIED).count() == verified

    tick.press("Enter")
    expect(page.locator(".messages")).to_contain_text("1 laporan diverifikasi.")
    expect(page.locator(f'article[data-report="{oku.pk}"]')).to_have_count(0)
    expect(shown).to_have_count(count)
    oku.refresh_from_db()
    assert oku.status == Status.VERIFIED
    assert MonthlyReport.objects.filter(status=Status.VERIFIED).count() == verified + 1
    assert watch.errors == []
    assert watch.outside == []
