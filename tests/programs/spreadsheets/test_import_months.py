"""The import's month column: the unambiguous ways a month is written in Indonesia (and
in English), in a CSV and in an XLSX, text or an Excel date cell, read by one rule;
what could be read two ways is refused with the forms that are taken."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from programs.models import ImportBatch, MonthlyReport, Realization
from tests.helpers import attribute, find, flash_messages, import_preview_rows, login, page
from tests.spreadsheets_helpers import HEADER, XLSX, csv_file, row, upload, xlsx

# 27 June 2025 (the frozen clock): May 2025 is last month, open for entry.
pytestmark = pytest.mark.usefixtures("frozen_clock")

FORMS = (
    "2024-03 (TTTT-BB), 03-2024, 03/2024, 03.2024, Maret 2024 atau Mar 2024 (nama bulan dalam "
    "bahasa Indonesia atau Inggris), atau isi dengan sel tanggal Excel."
)


def as_csv(period) -> SimpleUploadedFile:
    """One GBRSS row of Banyuasin, as Excel in the Indonesian locale saves a CSV."""
    cells = ["" if c is None else str(c) for c in row("9", period=period)]
    return csv_file(";".join(HEADER) + "\r\n" + ";".join(cells) + "\r\n")


def as_xlsx_date(value, number_format) -> SimpleUploadedFile:
    """One row whose month is a date cell shown with `number_format` (17 = mmm-yy is the
    format Excel gives a typed "Mei 2025")."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Data"
    sheet.append(HEADER)
    sheet.append(row("9", period=value))
    sheet["D2"].number_format = number_format
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("isi.xlsx", buffer.getvalue(), content_type=XLSX)


def preview_of(response) -> tuple[str, str, str]:
    (only,) = import_preview_rows(response)
    return only["state"], only["Periode"], only["Keterangan"]


def applied_month(client) -> tuple[int, int]:
    batch = ImportBatch.objects.get()
    assert client.post(f"/impor/{batch.token}/terapkan/").status_code == 302
    report = MonthlyReport.objects.get()
    assert Realization.objects.get().value == Decimal(9)
    return report.year, report.month


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@pytest.mark.parametrize(
    "written",
    [
        "2025-05",
        "2025/05",
        "05-2025",
        "5-2025",
        "05/2025",
        "Mei 2025",
        "Mei-2025",
        "May 2025",
        "mei 2025",
        "MEI 2025",
        # As Indonesians also write it, and as the admin's month boxes take it.
        "05.2025",
        "5.2025",
        "2025.05",
    ],
)
def test_a_month_written_in_any_unambiguous_form_is_imported_to_that_month(operator, kind, written):
    client = login(operator)
    response = upload(
        client, as_csv(written) if kind == "csv" else xlsx([row("9", period=written)])
    )
    assert preview_of(response) == ("new", "2025-05", "")
    assert applied_month(client) == (2025, 5)


@pytest.mark.parametrize(
    "written", ["November 2024", "Nov 2024", "Nopember 2024", "Nop 2024", "11-2024", "11/2024"]
)
def test_november_in_indonesian_english_and_the_old_spelling(operator, written):
    """November 2024 is locked on the frozen clock: the row is read as November 2024 and
    refused as locked, not as an unknown month."""
    response = upload(login(operator), as_csv(written))
    state, period, reason = preview_of(response)
    assert (state, period) == ("error", "2024-11")
    assert reason == "Bulan ini sudah dikunci. Minta admin membukanya dengan pengecualian kunci."


@pytest.mark.parametrize(
    ("value", "number_format"),
    [
        (dt.date(2025, 5, 1), "mmm-yy"),  # Excel's own for a typed "Mei 2025"
        (dt.datetime(2025, 5, 1), "[$-421]mmmm yyyy;@"),  # Indonesian long month
        (dt.datetime(2025, 5, 20, 14, 30), "dd/mm/yyyy hh:mm"),  # any day of the month
    ],
    ids=["mmm-yy", "id-long", "a-day-and-time"],
)
def test_an_excel_date_cell_is_its_month(operator, value, number_format):
    client = login(operator)
    response = upload(client, as_xlsx_date(value, number_format))
    assert preview_of(response) == ("new", "2025-05", "")
    assert applied_month(client) == (2025, 5)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@pytest.mark.parametrize(
    "written",
    [
        "Nov-24",  # 24 November, or November 2024?
        "05/25",  # May 2025, or 5 of something?
        "01/05/2025",  # 1 May, or 5 January written month first?
        "Mei",  # which year?
        "2025",
        "202505",
        "Mai 2025",  # German, not Indonesian nor English
        "2025-13",
        "13-2025",
        "2025-05-32",
        "Mei 2025 dan Juni 2025",
        # Other scripts' digits: digits 0-9 only, as every number the site reads.
        "٢٠٢٥-٠٥",
        "Mei ٢٠٢٥",
        "２０２５/０５",
    ],
)
def test_an_ambiguous_or_invalid_month_is_refused_listing_the_forms(operator, kind, written):
    client = login(operator)
    response = upload(
        client, as_csv(written) if kind == "csv" else xlsx([row("9", period=written)])
    )
    state, _period, reason = preview_of(response)
    assert state == "error"
    assert reason == f"Bulan “{written}” tidak dikenali. Tulis tahun dan bulannya dalam " + (
        f"salah satu bentuk ini: {FORMS}"
    )
    client.post(f"/impor/{ImportBatch.objects.get().token}/terapkan/")
    assert not Realization.objects.exists()


def test_an_empty_month_and_a_year_out_of_range_say_what_is_wrong(operator):
    without_month = row("9")
    without_month[HEADER.index("bulan")] = None
    client = login(operator)
    response = upload(client, xlsx([without_month, row("9", period="1999-12")]))
    reasons = [r["Keterangan"] for r in import_preview_rows(response)]
    assert reasons == [
        f"Bulan belum diisi. Tulis tahun dan bulannya dalam salah satu bentuk ini: {FORMS}",
        "Tahun 1999 di luar rentang yang dapat dilaporkan (2000–2100): periksa tahunnya.",
    ]


def test_a_month_excel_took_for_a_number_is_read_as_typed(operator):
    """Typed 05.2025 in an English-locale Excel, the cell holds the number 5,2025 (and
    10.2020 the number 10,202): read as the month typed, not refused as "5.2025"."""
    client = login(operator)
    response = upload(client, xlsx([row("9", period=5.2025)]))
    assert preview_of(response) == ("new", "2025-05", "")
    assert applied_month(client) == (2025, 5)


def test_the_template_takes_its_months_by_the_same_rule(operator):
    """The template's ?bulan= reads months as the upload does, and refuses the same way."""
    client = login(operator)
    response = client.get("/impor/templat.xlsx?bulan=Mei 2025")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('templat-realisasi-2025-05.xlsx"')
    dotted = client.get("/impor/templat.xlsx?bulan=05.2025")
    assert dotted["Content-Disposition"].endswith('templat-realisasi-2025-05.xlsx"')
    refused = client.get("/impor/templat.xlsx?bulan=05/25")
    assert refused.status_code == 400
    assert flash_messages(refused) == [
        f"Bulan “05/25” tidak dikenali. Tulis tahun dan bulannya dalam salah satu bentuk ini: "
        f"{FORMS}"
    ]


@pytest.mark.parametrize("written", ["٢٠٢٥-٠٤", "２０２５-０４"])
def test_a_month_asked_in_other_digits_is_no_month(operator, written):
    """The import page's ?bulan= in Arabic-Indic or full-width digits is a month not
    asked for (the template offered is last month's), and the template refuses it."""
    client = login(operator)
    asked = find(page(client.get("/impor/?bulan=2025-04")), "input", name="bulan")
    assert attribute(asked, "value") == "2025-04"
    other = find(page(client.get(f"/impor/?bulan={written}")), "input", name="bulan")
    assert attribute(other, "value") == "2025-05"
    refused = client.get(f"/impor/templat.xlsx?bulan={written}")
    assert refused.status_code == 400
    assert flash_messages(refused) == [
        f"Bulan “{written}” tidak dikenali. Tulis tahun dan bulannya dalam salah satu bentuk "
        f"ini: {FORMS}"
    ]
