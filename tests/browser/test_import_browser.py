"""The import page in a real browser: the upload is sent with htmx, and a file the server
refuses (answered 400 with the page and its message) must show that message, not leave
the operator looking at an unchanged form."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import HOUSES, OPERATOR
from tests.browser.helpers import log_in

HEADER = "program,indikator,wilayah,bulan,sumber_dana,nilai,pembilang,penyebut,catatan\n"


def upload(page, name, text):
    page.set_input_files(
        "#id_berkas", {"name": name, "mimeType": "text/csv", "buffer": text.encode()}
    )
    page.get_by_role("button", name="Periksa berkas").click()


def test_a_refused_file_says_why_on_the_page_and_a_good_one_reaches_the_preview(
    page, reporting_data
):
    year, month = reporting_data["year"], reporting_data["month"]
    log_in(page, OPERATOR, "/impor/")

    # Not a spreadsheet of the template's columns: refused (400), the reason on the page.
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        upload(page, "laporan.csv", "nama,angka\nBanyuasin,12\n")
    assert answer.value.status == 400
    expect(page.locator(".messages")).to_be_visible()
    expect(page.locator(".messages")).to_contain_text("kolom")
    expect(page.locator("#id_berkas")).to_be_visible()  # the form is there to try again

    # The template's columns and a valid row: the preview, where nothing is applied yet.
    row = f"gbrss,{HOUSES},16.07,{year}-{month:02d},apbn,12,,,\n"
    upload(page, "laporan.csv", HEADER + row)
    expect(page.get_by_role("button", name=re.compile("Terapkan"))).to_be_visible()
    expect(page.locator(".messages")).to_have_count(0)
