"""The entry form in a real browser: the ratio's percentage and the month's total follow
the typing, a source row can be removed, and on a 360 px phone the rows stack with every
action button on screen."""

import datetime as dt
import re
import time

import pytest
from django.conf import settings
from playwright.sync_api import expect

from programs.reporting import services
from tests.browser.helpers import PASSWORD, enter, is_check, log_in


# New Year's Day 2026: the month to report is December 2025, due on 10 January.
@pytest.mark.parametrize("today", [dt.date(2026, 1, 1)])
def test_live_percentage_total_remove_row_and_phone_layout(page, watch, operator):
    # "Laporan" opens on last month's year: December 2025, due in 9 days, is on it.
    log_in(page, "op-banyuasin", "/laporan/")
    expect(page.locator("h1 small")).to_have_text("2025")
    expect(page.locator("#due-now")).to_contain_text("GBRSS Desember")
    # Its cells, the program's row header first.
    december = page.locator('#my-reports tr[data-program="gbrss"][data-month="12"]').locator(
        "th, td"
    )
    expect(december.nth(3)).to_have_text("10 Januari 2026")
    expect(december.nth(4)).to_have_text("9 hari lagi")

    page.goto("/laporan/16.07/gpstss/2025-12/")
    num = page.locator("#r-prevalensi-stunting-0-num")
    expect(num).to_have_value("")
    num.fill("60")
    page.locator("#r-prevalensi-stunting-0-den").fill("1.250")
    expect(page.locator("[data-ratio-result]").first).to_have_text("4,80 %")

    page.goto("/laporan/16.07/gbrss/2025-12/")
    page.locator("#r-rumah-dibedah-0-value").fill("1.000")
    with page.expect_response(lambda r: "/baris/?" in r.url):
        page.get_by_role("button", name="+ Tambah sumber dana atau mitra").click()
    page.locator("#r-rumah-dibedah-1-value").fill("7")
    total = page.locator('[data-total-for="rows-rumah-dibedah"]')
    expect(total).to_have_text("1.007")
    # A sign never changes how the digits are read; "0.600" (0,6 or 600?) is no number.
    page.locator("#r-rumah-dibedah-1-value").fill("+2.750")
    expect(total).to_have_text("3.750")
    page.locator("#r-rumah-dibedah-1-value").fill("0.600")
    expect(total).to_have_text("–")
    page.locator("#r-rumah-dibedah-1-value").fill("1.23,4")  # thousands dot out of place
    expect(total).to_have_text("–")
    page.locator("#r-rumah-dibedah-1-value").fill("1.234,0")
    expect(total).to_have_text("2.234")
    page.locator("#r-rumah-dibedah-1-value").fill("-7")  # refused on save: no total
    expect(total).to_have_text("–")
    page.locator("#r-rumah-dibedah-1-value").fill("8,600")  # 8,6 houses: refused, no total
    expect(total).to_have_text("–")
    page.locator("#r-rumah-dibedah-1-value").fill("100.000.000.000")  # above the largest
    expect(total).to_have_text("–")
    page.locator("#r-rumah-dibedah-1-value").fill("8,000")  # 8 or 8.000? asked on save
    expect(total).to_have_text("–")
    page.locator("#r-rumah-dibedah-1-value").fill("8,0")  # 8 houses: a whole number
    expect(total).to_have_text("1.008")
    page.locator("#row-rumah-dibedah-1 [data-remove-row]").focus()
    page.keyboard.press("Enter")  # by keyboard: the focus goes to the row left
    expect(page.locator("#rows-rumah-dibedah tr.entry-row")).to_have_count(1)
    expect(total).to_have_text("1.000")
    expect(page.locator("#r-rumah-dibedah-0-value")).to_be_focused()

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


@pytest.mark.parametrize("today", [dt.date(2026, 1, 1)])
def test_a_saved_draft_with_long_indicator_names_fits_a_phone(page, watch, operator):
    """The attachment form's indicator menu is as wide as its longest name ("Balita
    stunting didampingi Bunda/Ayah Asuh Stunting"): it widened the page past a 360 px
    screen, so the whole form shrank and scrolled sideways."""
    from programs.models import Program
    from regencies.models import Regency

    services.report_save(
        user=operator,
        regency=Regency.objects.get(code="16.07"),
        program=Program.objects.get(slug="gpstss"),
        year=2025,
        month=12,
        version=0,
        rows=[],
        submit=False,
    )
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, "op-banyuasin", "/laporan/16.07/gpstss/2025-12/")
    menu = page.locator("#lampiran-indikator")
    expect(menu).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    box = menu.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 360
    assert not watch.errors


@pytest.mark.parametrize("today", [dt.date(2026, 1, 1)])
def test_a_double_click_on_submit_sends_the_report_once(page, watch, operator, monkeypatch):
    """A second click on "Ajukan untuk verifikasi" while the first is on its way: one POST
    leaves, and the page shows the report submitted, not the answer to a second POST
    ("already submitted") over a status still reading Draf."""
    log_in(page, "op-banyuasin", "/laporan/16.07/gbrss/2025-12/")
    entry_url = page.url
    posts = []
    page.on(
        "request",
        lambda r: posts.append(r.url) if r.method == "POST" and r.url == entry_url else None,
    )
    with page.expect_response(lambda r: "/periksa/" in r.url):
        page.locator("#r-rumah-dibedah-0-value").fill("12")
    expect(page.locator("#check-result")).to_contain_text("Isian dapat disimpan dan diajukan")

    # A slow answer (the server takes 1.5 s to save): the operator clicks again meanwhile.
    save = services.report_save

    def slow_save(*args, **kwargs):
        time.sleep(1.5)
        return save(*args, **kwargs)

    monkeypatch.setattr(services, "report_save", slow_save)
    box = page.get_by_role("button", name="Ajukan untuk verifikasi").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.click(x, y)
    page.wait_for_timeout(300)
    page.mouse.click(x, y)  # the page still shows the button: a second click on it

    status = page.locator("dd.report-status")
    expect(status).to_have_attribute("data-status", "submitted")
    expect(page.locator(".messages")).to_contain_text("Laporan diajukan untuk diverifikasi")
    expect(page.locator(".messages")).not_to_contain_text("tidak dapat diubah")
    assert posts == [entry_url]
    assert not watch.errors


@pytest.mark.parametrize("today", [dt.date(2026, 1, 1)])
def test_nothing_typed_is_lost_when_the_session_ends_during_a_live_check(page, watch, operator):
    """The session ends while the operator types: the live check is answered 401 and the
    browser is sent to log in, then back to the form with what was typed restored. What
    was typed after that check left (a note, while its answer was on its way) was lost:
    only the check's own copy of the form was kept. Now the whole form as it stands when
    the answer comes is kept, and the form takes no more typing while the browser leaves."""
    entry = "/laporan/16.07/gbrss/2025-12/"
    log_in(page, "op-banyuasin", entry)
    enter(page, page.locator("#r-rumah-dibedah-0-value"), "12")
    with page.expect_response(is_check):
        page.locator("#r-rumah-dibedah-0-source").select_option("apbn")
    page.context.clear_cookies(name=settings.SESSION_COOKIE_NAME)  # the session ends
    held = []

    def hold(route):
        held.append(route)

    page.route("**/periksa/", hold)  # the check's answer will be on its way...
    note = page.locator("#r-rumah-dibedah-0-note")
    note.fill("Termasuk rumah")  # checked 600 ms after the last key
    deadline = time.monotonic() + 10
    while not held and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert held, "no live check was sent"
    # ...while the operator goes on typing the note: its check would leave 600 ms after
    # the last key, by when the browser has left for the login page.
    note.fill("Termasuk rumah korban banjir")
    held[0].continue_()
    page.unroute("**/periksa/")
    _log_in_again_to_the_form_as_typed(page, entry, "12", "Termasuk rumah korban banjir")
    assert not [e for e in watch.errors if "401" not in e]


@pytest.mark.parametrize("today", [dt.date(2026, 12, 1)])
def test_adding_a_source_row_after_the_session_ended_keeps_the_form_and_logs_in(
    page, watch, operator
):
    """The session ends and the operator clicks "+ Tambah sumber dana": the new row's
    request was answered 401 and nothing visible happened (no row, no word, a form that
    could no longer be saved). Now it does what the live check does: the form takes no
    more typing and says why, everything typed (a note no check has sent yet included) is
    kept, and the browser goes to log in and back to the form as typed."""
    entry = "/laporan/16.07/gbrss/2026-11/"
    log_in(page, "op-banyuasin", entry)
    enter(page, page.locator("#r-rumah-dibedah-0-value"), "8.600")
    with page.expect_response(is_check):
        page.locator("#r-rumah-dibedah-0-source").select_option("apbn")
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    # A note typed but not yet checked (no input event: no check will carry it).
    page.locator("#r-rumah-dibedah-0-note").evaluate("e => { e.value = 'Termasuk rumah' }")
    page.context.clear_cookies(name=settings.SESSION_COOKIE_NAME)  # the session ends
    held = []
    page.route("**/periksa/", lambda route: held.append(route))  # the form, kept
    page.get_by_role("button", name=re.compile("Tambah sumber dana")).first.click()
    deadline = time.monotonic() + 10
    while not held and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert held, "the form was not sent to be kept"
    expect(page.locator("#check-result")).to_contain_text("Sesi Anda berakhir")
    assert page.locator("#r-rumah-dibedah-0-value").evaluate("e => e.readOnly")
    held[0].continue_()
    page.unroute("**/periksa/")
    _log_in_again_to_the_form_as_typed(page, entry, "8.600", "Termasuk rumah")
    assert not [e for e in watch.errors if "401" not in e]


def _log_in_again_to_the_form_as_typed(page, entry: str, value: str, note: str) -> None:
    """After the session ended on the entry form: log in on the page the browser went to,
    and find the form back at `entry` with the first row as typed (APBN, `value`, `note`)."""
    page.wait_for_url(re.compile(r"/akun/masuk/"))
    page.fill("#id_username", "op-banyuasin")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Masuk", exact=True).click()
    page.wait_for_url(re.compile(re.escape(entry) + "$"))
    expect(page.locator(".messages")).to_contain_text("Isian Anda dipulihkan")
    expect(page.locator("#r-rumah-dibedah-0-value")).to_have_value(value)
    expect(page.locator("#r-rumah-dibedah-0-source")).to_have_value("apbn")
    expect(page.locator("#r-rumah-dibedah-0-note")).to_have_value(note)


@pytest.mark.parametrize("today", [dt.date(2026, 1, 1)])
def test_on_a_failing_connection_figures_typed_stay_and_leaving_asks_first(page, watch, operator):
    """An operator on a weak connection. A slow "add a row" clicked twice added two
    rows. Adding a row offline, or a live check answered 502 by a proxy, did nothing
    visible, and saving offline left for the browser's error page: now a notice says so
    in Indonesian and the figures stay. Leaving by a link with figures not saved asked
    nothing and lost them: now the browser asks first. Saving leaves without asking."""
    entry = "/laporan/16.07/gbrss/2025-12/"
    log_in(page, "op-banyuasin", entry)
    value = page.locator("#r-rumah-dibedah-0-value")
    enter(page, value, "12")
    # Slow: a second click on "Tambah sumber dana" while the row is on its way added a
    # second empty row; it is dropped now.
    held = []

    def hold_the_first(route):
        held.append(route)
        if len(held) > 1:
            route.continue_()

    page.route("**/baris/?*", hold_the_first)
    add = page.get_by_role("button", name=re.compile("Tambah sumber dana"))
    add.click()
    expect(add).to_have_class(re.compile("htmx-request"))
    add.click()
    held[0].continue_()
    page.locator("#rows-rumah-dibedah tr.entry-row").nth(1).wait_for()
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    page.unroute("**/baris/?*")
    assert len(held) == 1  # one request for one row
    expect(page.locator("#rows-rumah-dibedah tr.entry-row")).to_have_count(2)

    notice = page.get_by_role("alert")
    page.context.set_offline(True)
    page.get_by_role("button", name=re.compile("Tambah sumber dana")).click()
    expect(notice).to_contain_text("Tidak tersambung ke server")
    expect(value).to_have_value("12")
    page.context.set_offline(False)

    page.route("**/periksa/", lambda route: route.fulfill(status=502, body="Bad Gateway"))
    value.fill("13")
    value.press("Tab")
    expect(notice).to_contain_text("Server sedang bermasalah (kode 502)")
    expect(value).to_have_value("13")
    page.unroute("**/periksa/")
    page.context.set_offline(True)  # "Simpan draf" offline: the form is not sent
    page.get_by_role("button", name="Simpan draf").click()
    expect(notice).to_contain_text("Tidak tersambung ke server, jadi isian belum terkirim")
    assert page.url.endswith(entry)
    expect(value).to_have_value("13")
    page.context.set_offline(False)

    asked = []

    def answer(dialog):
        asked.append(dialog.type)
        dialog.dismiss()  # "stay on this page"

    page.on("dialog", answer)
    page.locator(".site-nav").get_by_role("link", name="Ringkasan").click()
    deadline = time.monotonic() + 10
    while not asked and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert asked == ["beforeunload"]
    assert page.url.endswith(entry)
    expect(value).to_have_value("13")

    page.get_by_role("button", name="Simpan draf").click()
    expect(page.locator(".messages")).to_be_visible()
    expect(value).to_have_value("13")
    assert asked == ["beforeunload"]  # saving asked nothing
    failures = ("INTERNET_DISCONNECTED", "502", "htmx:")
    assert [e for e in watch.errors if not any(f in e for f in failures)] == []
