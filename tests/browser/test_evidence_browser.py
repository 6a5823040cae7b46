"""Evidence and conversation in a real browser: an operator attaches a phone photo (EXIF
orientation and GPS), the verifier opens it and returns the report with a reason, the
operator answers in the thread and resubmits, the verifier verifies; each side's bell
counts the notifications."""

import datetime as dt
import io
import re
import time

import pytest
import time_machine
from playwright.sync_api import expect

from tests.browser.conftest import HOUSES, OPERATOR, VERIFIER
from tests.browser.helpers import enter, log_in, value_input
from tests.evidence_helpers import phone_photo


def bell(page):
    return page.locator("#notification-bell")


# Monday 16 March 2026: the operator reports February (due on the 10th, still open) with a
# photo taken in February.
@pytest.mark.parametrize("today", [dt.date(2026, 3, 16)])
def test_photo_evidence_return_answer_resubmit_verify_with_bells(
    page, watch, other_page, reporting_data, live_server
):
    year, month = reporting_data["year"], reporting_data["month"]
    entry_path = f"/laporan/16.07/gbrss/{year:04d}-{month:02d}/"
    verifier, verifier_watch = other_page()
    status = page.locator("dd.report-status")

    # Operator: a value saved as draft, then a phone photo attached to the indicator.
    log_in(page, OPERATOR, entry_path)
    expect(bell(page)).to_have_attribute("data-unread", "0")
    enter(page, value_input(page, 0), "120")
    page.get_by_role("button", name="Simpan draf").click()
    expect(status).to_have_text("Draf")
    page.set_input_files(
        "#berkas",
        {
            "name": "IMG_20260227_140500.jpg",
            "mimeType": "image/jpeg",
            "buffer": phone_photo(taken="2026:02:27 14:05:00"),
        },
    )
    page.select_option("#lampiran-indikator", HOUSES)
    page.fill("#keterangan", "Rumah sesudah dibedah")
    page.get_by_role("button", name="Lampirkan").click()
    expect(page.locator(".messages")).to_contain_text("Lampiran tersimpan")
    thumb = page.locator(f'.evidence-strip[data-indicator="{HOUSES}"] img')
    expect(thumb).to_have_count(1)
    page.wait_for_function(
        "() => { const i = document.querySelector('.evidence-strip img');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    # Upright: the 40x20 sideways sensor image became a 20x40 portrait thumbnail.
    assert thumb.evaluate("i => i.naturalHeight > i.naturalWidth")
    page.get_by_role("button", name="Ajukan untuk verifikasi").click()
    expect(status).to_have_text("Diajukan")

    # Verifier: the bell counts the submission; the report shows the photo and its point.
    log_in(verifier, VERIFIER, entry_path)
    expect(bell(verifier)).to_have_attribute("data-unread", "1")
    expect(verifier.locator("#lampiran")).to_contain_text("Rumah sesudah dibedah")
    expect(verifier.locator("#lampiran")).to_contain_text("diambil 27 Feb 2026 14:05")
    expect(verifier.locator("#lampiran .gps")).to_contain_text("GPS -2,83333, 104,75000")
    expect(verifier.locator("#photo-map circle.map-point")).to_have_count(1)
    full = verifier.locator("#lampiran .attachment-meta a").first.get_attribute("href")
    response = verifier.request.get(live_server.url + full)
    assert response.status == 200 and response.headers["content-type"] == "image/jpeg"
    from PIL import Image

    assert Image.open(io.BytesIO(response.body())).size == (20, 40)
    verifier.fill("#alasan-kembali", "Foto belum menunjukkan rumah sebelum dibedah.")
    verifier.get_by_role("button", name="Kembalikan ke operator").click()
    expect(verifier.locator("dd.report-status")).to_have_text("Dikembalikan")
    verifier.locator("#notification-bell").click()
    verifier.wait_for_url(re.compile(r"/notifikasi/$"))
    expect(verifier.locator("#notifications")).to_contain_text("Laporan diajukan")
    expect(bell(verifier)).to_have_attribute("data-unread", "0")

    # Operator: one unread (returned); the reason is the first entry of the thread.
    page.goto(entry_path)
    expect(bell(page)).to_have_attribute("data-unread", "1")
    returned = page.locator("#percakapan .comment").first
    expect(returned).to_contain_text("Foto belum menunjukkan rumah")
    expect(returned).to_contain_text("16 Mar 2026")  # today, on the frozen clock
    page.fill("#teks", "Foto sebelum dibedah sudah saya tambahkan.")
    page.get_by_role("button", name="Kirim komentar").click()
    expect(page.locator("#percakapan .comment")).to_have_count(2)
    page.set_input_files(
        "#berkas",
        {
            "name": "sebelum.jpg",
            "mimeType": "image/jpeg",
            "buffer": phone_photo(taken="2026:02:02 08:15:00"),
        },
    )
    page.select_option("#lampiran-indikator", HOUSES)
    page.get_by_role("button", name="Lampirkan").click()
    expect(page.locator(f'.evidence-strip[data-indicator="{HOUSES}"] img')).to_have_count(2)
    page.get_by_role("button", name="Ajukan untuk verifikasi").click()
    expect(status).to_have_text("Diajukan")

    # Verifier: the answer and the resubmission; verifies.
    verifier.goto(entry_path)
    expect(bell(verifier)).to_have_attribute("data-unread", "2")
    expect(verifier.locator("#percakapan")).to_contain_text("sudah saya tambahkan")
    verifier.get_by_role("button", name="Verifikasi", exact=True).click()
    expect(verifier.locator("dd.report-status")).to_have_text("Terverifikasi")

    # Operator: returned + verified unread.
    page.goto(entry_path)
    expect(bell(page)).to_have_attribute("data-unread", "2")
    assert watch.errors == [] and verifier_watch.errors == []
    assert watch.outside == [] and verifier_watch.outside == []


def november_draft_of_120(page):
    """On 1 December 2026 (November due on the 10th): the operator logs in and saves a
    draft of November with 120 houses."""
    log_in(page, OPERATOR, "/laporan/16.07/gbrss/2026-11/")
    enter(page, value_input(page, 0), "120")
    page.get_by_role("button", name="Simpan draf").click()
    expect(page.locator("dd.report-status")).to_have_text("Draf")


def attach_roof_photo(page):
    page.set_input_files(
        "#berkas",
        {"name": "atap.jpg", "mimeType": "image/jpeg", "buffer": phone_photo()},
    )
    page.get_by_role("button", name="Lampirkan").click()


@pytest.mark.parametrize("today", [dt.date(2026, 12, 1)])
def test_numbers_typed_and_not_saved_survive_attaching_a_photo(page, watch, reporting_data):
    """1 December 2026, November due on the 10th: the operator saves a draft, types a new
    figure and a note (8.600 houses, not saved yet) and attaches a photo on a slow
    connection. Attaching reloads the page, and the typed figures were gone: the page
    showed the stored draft. They now come back, marked unsaved, and saving keeps them."""
    november_draft_of_120(page)
    page.route("**/*", lambda route: (time.sleep(0.3), route.continue_()))
    enter(page, value_input(page, 0), "8.600")
    value_input(page, 0, "note").fill("Termasuk rumah korban banjir")
    attach_roof_photo(page)
    expect(page.locator(".messages")).to_contain_text("Lampiran tersimpan")
    expect(page.locator(".messages")).to_contain_text("belum tersimpan")
    expect(value_input(page, 0)).to_have_value("8.600")
    expect(value_input(page, 0, "note")).to_have_value("Termasuk rumah korban banjir")
    page.get_by_role("button", name="Simpan draf").click()
    expect(page.locator(".messages")).to_contain_text("Draf tersimpan")
    expect(value_input(page, 0)).to_have_value("8.600")
    assert not watch.errors


@pytest.mark.parametrize("today", [dt.date(2026, 12, 1)])
def test_a_comment_typed_and_not_sent_survives_attaching_a_photo(page, watch, reporting_data):
    """The operator types a figure and, in the conversation box, a note for the verifier,
    then attaches the photo the note is about. Attaching reloads the page: the figure came
    back (unsaved), the comment was gone. It now comes back in the box, said to be not
    sent yet, and sending it puts it in the thread."""
    november_draft_of_120(page)
    enter(page, value_input(page, 0), "8.600")
    page.fill("#teks", "Foto atap rumah Pak Darto menyusul di lampiran ini.")
    attach_roof_photo(page)
    expect(page.locator(".messages")).to_contain_text("Lampiran tersimpan")
    expect(page.locator(".messages")).to_contain_text("Komentar yang Anda ketik")
    expect(page.locator("#teks")).to_have_value(
        "Foto atap rumah Pak Darto menyusul di lampiran ini."
    )
    expect(value_input(page, 0)).to_have_value("8.600")
    expect(page.locator("#percakapan .comment")).to_have_count(0)
    page.get_by_role("button", name="Kirim komentar").click()
    expect(page.locator("#percakapan .comment")).to_have_count(1)
    expect(page.locator("#percakapan .comment")).to_contain_text("Pak Darto")
    assert not watch.errors


@pytest.mark.parametrize("today", [dt.date(2026, 3, 16)])
def test_after_logout_a_photo_is_not_shown_again_from_the_browser_cache(
    page, watch, reporting_data, clock
):
    """A private photo stayed an hour in the browser's cache, logout or not: on a shared
    office PC it could still be read from there after its user had logged out. It is
    still kept a few minutes while its user is logged in (a report's thumbnails are not
    fetched again on every page), and logging out empties the cache."""
    from django.contrib.auth import get_user_model

    from programs.models import MonthlyReport, Program
    from programs.reporting import services
    from regencies.models import Regency

    year, month = reporting_data["year"], reporting_data["month"]
    program, banyuasin = Program.objects.get(slug="gbrss"), Regency.objects.get(code="16.07")
    report = MonthlyReport.objects.create(
        program=program,
        regency=banyuasin,
        year=year,
        month=month,  # a draft
    )
    photo = services.attachment_add(
        user=get_user_model().objects.get(username=OPERATOR),
        report=report,
        regency=banyuasin,
        program=program,
        year=year,
        month=month,
        data=phone_photo(),
        filename="rumah.jpg",
    )
    # The server's clock back on the real time: the browser ages a response by its Date
    # header against its own clock, and one dated March would be stale at once.
    clock.move_to(time_machine.escape_hatch.time.time(), tick=True)
    entry_path = f"/laporan/16.07/gbrss/{year:04d}-{month:02d}/"
    address = f"/lampiran/{photo.pk}/"
    log_in(page, OPERATOR, entry_path)
    assert page.goto(address).status == 200
    page.goto(entry_path)
    # The file gone from the server, the browser still shows the photo: from its cache.
    photo.file.storage.delete(photo.file.name)
    assert page.goto(address).status == 200
    page.goto(entry_path)
    cookies = page.context.cookies()
    page.get_by_role("button", name=f"Keluar ({OPERATOR})").click()
    page.wait_for_load_state()
    expect(page.get_by_role("button", name=f"Keluar ({OPERATOR})")).to_have_count(0)
    # The photo stayed in the cache, for anyone reading its files: asked with the very
    # cookies it was cached with (`Vary: Cookie`; the session itself is gone on the
    # server), the browser served it from there. Now the cache no longer holds it.
    page.context.clear_cookies()
    page.context.add_cookies(cookies)
    assert page.goto(address).status == 404
    # And the next person on this PC, typing the address from the history: nothing.
    page.context.clear_cookies()
    assert page.goto(address).status == 404
