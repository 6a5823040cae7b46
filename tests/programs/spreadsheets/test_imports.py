"""Spreadsheet import: template round trip, preview of every row, all-or-nothing apply,
and bad files that change nothing and say why."""

import datetime as dt
import io
import struct
import zipfile
import zlib
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from programs.models import (
    FundingSource,
    ImportBatch,
    Indicator,
    MonthlyReport,
    Program,
    Realization,
    Target,
)
from regencies.models import Regency, UserScope
from tests.factories import MonthlyReportFactory, RealizationFactory, UserFactory
from tests.helpers import (
    attribute,
    element_text,
    find,
    find_all,
    flash_messages,
    import_preview_rows,
    login,
    make_user,
    page,
    previous_month,
)
from tests.spreadsheets_helpers import (
    HEADER,
    TARGET_HEADER,
    XLSX,
    csv_file,
    error_reasons,
    period_text,
    row,
    states,
    target_csv,
    upload,
    xlsx,
)

D = Decimal
WIB = ZoneInfo("Asia/Jakarta")
Status = MonthlyReport.Status

# Locked and future months depend on the day: every test here runs on the frozen clock.
pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture
def admin_user(reference_data):
    return UserFactory(username="admin-impor", is_superuser=True, is_staff=True)


def next_month_text():
    from django.utils import timezone

    today = timezone.localdate()
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return f"{year}-{month:02d}"


def draft_report(
    value=5, status=Status.DRAFT, regency="16.07", program="gbrss", indicator="rumah-dibedah"
):
    year, month = previous_month()
    report = MonthlyReportFactory(
        program=Program.objects.get(slug=program),
        regency=Regency.objects.get(code=regency),
        year=year,
        month=month,
        status=status,
        verified_at="2024-01-01T00:00Z" if status == Status.VERIFIED else None,
    )
    RealizationFactory(
        report=report,
        indicator=Indicator.objects.get(code=indicator),
        funding_source=FundingSource.objects.get(code="apbn"),
        value=D(value),
    )
    return report


def apply_buttons(response) -> list:
    """The preview's "apply" buttons (none while a row is in error or nothing changes)."""
    buttons = find_all(page(response), "button")
    return [
        b
        for b in buttons
        if element_text(b) == "Terapkan impor" or attribute(b, "id") == "apply-import"
    ]


def realization_values():
    return sorted(Realization.objects.values_list("report_id", "value"))


# --- Round trip and apply ---------------------------------------------------------------


def test_the_published_columns_stay_as_documented():
    """Operators keep templates downloaded earlier and files they filled: a renamed
    column would refuse them all. The import's columns stay these."""
    assert HEADER == [
        "program", "indikator", "wilayah", "bulan", "sumber_dana",
        "nilai", "pembilang", "penyebut", "catatan",
    ]  # fmt: skip
    assert TARGET_HEADER == [
        "program", "indikator", "wilayah", "tahun", "nilai",
        "baseline", "batas_waktu", "catatan_sumber", "alasan",
    ]  # fmt: skip


def test_template_round_trip_changes_nothing(operator):
    draft_report(value=5)
    client = login(operator)
    response = client.get(f"/impor/templat.xlsx?bulan={period_text()}")
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(content))["Data"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADER
    filled = [r for r in rows[1:] if r[1] == "rumah-dibedah"]
    assert filled == [
        ("gbrss", "rumah-dibedah", "16.07", period_text(), "apbn", 5, None, None, None)
    ]
    assert {r[2] for r in rows[1:]} == {"16.07"}  # only the operator's regency
    before = realization_values()
    preview = upload(client, SimpleUploadedFile("templat.xlsx", content, content_type=XLSX))
    assert preview.status_code == 200
    assert states(preview) == ["unchanged"]
    assert not apply_buttons(preview)
    assert realization_values() == before


def test_a_template_sent_back_with_one_program_filled_keeps_the_submitted_ones(operator):
    """The month's template lists GBRSS, already submitted (read-only), beside GPSSS, still
    a draft. The operator fills GPSSS only and uploads the whole file: GBRSS's rows are
    as stored, so they stay ('tetap') instead of refusing the file; GPSSS is applied. A
    changed number in the submitted report is still refused."""
    submitted = draft_report(value=5, status=Status.SUBMITTED)
    draft_report(value=2, program="gpsss", indicator="unit-sanitasi")
    client = login(operator)
    content = b"".join(client.get(f"/impor/templat.xlsx?bulan={period_text()}").streaming_content)
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheet = workbook["Data"]
    for cells in sheet.iter_rows(min_row=2):
        if cells[1].value == "unit-sanitasi" and cells[4].value == "apbn":
            cells[5].value = 7
    edited = io.BytesIO()
    workbook.save(edited)

    preview = upload(client, SimpleUploadedFile("t.xlsx", edited.getvalue(), content_type=XLSX))

    assert sorted(states(preview)) == ["changed", "unchanged"]
    assert apply_buttons(preview)
    for cells in sheet.iter_rows(min_row=2):
        if cells[1].value == "rumah-dibedah" and cells[4].value == "apbn":
            cells[5].value = 6
    changed = io.BytesIO()
    workbook.save(changed)
    ImportBatch.objects.all().delete()
    refused = upload(client, SimpleUploadedFile("t.xlsx", changed.getvalue(), content_type=XLSX))
    assert sorted(states(refused)) == ["changed", "error"]
    assert submitted.realizations.get().value == D(5)


def test_template_offers_only_what_can_be_reported(operator):
    """No rows for a program the regency is exempt from (Banyuasin has no inflation
    figure of its own: GPISS), and no month that has not begun."""
    client = login(operator)
    this_month = timezone.localdate().strftime("%Y-%m")
    later = (timezone.localdate().replace(day=28) + dt.timedelta(days=5)).strftime("%Y-%m")

    def sheet_rows(query):
        response = client.get(f"/impor/templat.xlsx?{query}")
        content = b"".join(response.streaming_content)
        rows = list(openpyxl.load_workbook(io.BytesIO(content))["Data"].iter_rows(values_only=True))
        return response, rows[1:]

    response, rows = sheet_rows(f"bulan={period_text()}")
    programs = {r[0] for r in rows}
    assert "gbrss" in programs and "gpiss" not in programs
    response, rows = sheet_rows(f"bulan={this_month}")  # the running month may be reported
    assert {r[3] for r in rows} == {this_month}
    refused = client.get(f"/impor/templat.xlsx?bulan={later}")  # not another month's file
    assert refused.status_code == 400
    assert flash_messages(refused) == ["Bulan yang belum berjalan tidak dapat dilaporkan."]


@pytest.mark.parametrize("today", [dt.date(2027, 1, 10)])
def test_a_template_of_a_month_that_cannot_be_reported_is_refused_with_the_reason(operator):
    """10 January 2027: a template of May 2027, of 'abc' or of a month before the first
    program's launch (29 January 2024) is refused on the import page, in the words the
    upload uses, instead of quietly serving another month; past months still download."""
    client = login(operator)
    for query, reason in [
        ("bulan=2027-05", "Bulan yang belum berjalan tidak dapat dilaporkan."),
        (
            "bulan=abc",
            "Bulan “abc” tidak dikenali. Tulis tahun dan bulannya dalam salah satu bentuk ini: "
            "2024-03 (TTTT-BB), 03-2024, 03/2024, 03.2024, Maret 2024 atau Mar 2024 (nama bulan "
            "dalam bahasa Indonesia atau Inggris), atau isi dengan sel tanggal Excel.",
        ),
        ("bulan=2026-12&bulan=2027-02", "Bulan yang belum berjalan tidak dapat dilaporkan."),
        (
            "bulan=2023-12",
            "Belum ada program yang berjalan pada Desember 2023: program pertama "
            "diluncurkan 29 Januari 2024.",
        ),
    ]:
        response = client.get(f"/impor/templat.xlsx?{query}")
        assert response.status_code == 400, query
        assert flash_messages(response) == [reason]
        # Back on the import page, its month field offers last month.
        assert attribute(find(page(response), "input", name="bulan"), "value") == "2026-12"
    for query, name in [
        ("bulan=2024-01", "templat-realisasi-2024-01.xlsx"),
        ("bulan=2027-01", "templat-realisasi-2027-01.xlsx"),
        ("", "templat-realisasi-2026-12.xlsx"),
    ]:
        response = client.get(f"/impor/templat.xlsx?{query}")
        assert response.status_code == 200
        assert response["Content-Disposition"].endswith(f'{name}"')


def test_changed_and_new_values_apply_as_drafts_with_history(operator):
    report = draft_report(value=5)
    client = login(operator)
    file = xlsx(
        [
            row("8"),
            row("3", source="dana-desa"),
            row("2", program="gpsss", indicator="unit-sanitasi"),
        ]
    )
    preview = upload(client, file)
    assert sorted(states(preview)) == ["changed", "new", "new"]
    changed = next(r for r in import_preview_rows(preview) if r["state"] == "changed")
    assert (changed["Lama"], changed["Baru"]) == ("5", "8")
    assert len(apply_buttons(preview)) == 1
    batch = ImportBatch.objects.get()
    applied = client.post(f"/impor/{batch.token}/terapkan/")
    assert applied.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.DRAFT and report.version == 2
    values = dict(report.realizations.values_list("funding_source__code", "value"))
    assert values == {"apbn": D(8), "dana-desa": D(3)}
    created = MonthlyReport.objects.exclude(pk=report.pk).get()
    assert created.status == Status.DRAFT and created.realizations.get().value == D(2)
    reasons = set(Realization.history.values_list("history_change_reason", flat=True))
    assert reasons >= {"impor"}
    assert set(created.history.values_list("history_change_reason", flat=True)) == {"impor"}
    again = client.post(f"/impor/{batch.token}/terapkan/", follow=True)
    assert any("sudah diterapkan" in message for message in flash_messages(again))


def test_the_applied_message_writes_its_counts_the_indonesian_way(operator, monkeypatch):
    """A province-wide file of a year holds thousands of values: the message after
    applying said "1234 nilai baru", where every other count of the app reads 1.234."""
    from programs.spreadsheets import imports

    client = login(operator)
    upload(client, xlsx([row("8")]))
    batch = ImportBatch.objects.get()
    monkeypatch.setattr(
        imports,
        "apply_realizations",
        lambda **kwargs: {"created": 1234, "updated": 1050, "reports": 17},
    )
    applied = client.post(f"/impor/{batch.token}/terapkan/", follow=True)
    assert flash_messages(applied) == [
        "Impor diterapkan: 1.234 nilai baru dan 1.050 nilai diubah pada 17 laporan. "
        "Laporan tetap berstatus draf: periksa lalu ajukan."
    ]


def test_a_regency_code_as_excel_keeps_or_people_write_it_is_that_regency(admin_user):
    """Ogan Ilir's 16.10 typed in a cell is the number 16.1 to Excel, and a CSV Excel
    saves writes "16.1": both were "Kode wilayah tidak dikenal: 16.1". So was "1607",
    the code as in "operator-1607". Each is read as its regency; others stay unknown."""
    client = login(admin_user)
    file = xlsx(
        [
            row("3", regency=16.1),
            row("4", regency="16.1", source="dana-desa"),
            row("5", regency=1607),
            row("6", regency="1610", source="csr"),
            row("7", regency="16.1.0"),
        ]
    )
    shown = [(r["Wilayah"], r["state"]) for r in import_preview_rows(upload(client, file))]
    assert sorted(shown) == [
        ("16.07", "new"),
        ("16.1.0", "error"),
        ("16.10", "new"),
        ("16.10", "new"),
        ("16.10", "new"),
    ]


def test_codes_written_in_capitals_are_the_codes_they_name(operator):
    """The program written "GBRSS", as every page writes it, with "APBN" and "Rumah-Dibedah", was
    "Program tidak dikenal: GBRSS": codes are read whatever their case, and applied."""
    client = login(operator)
    file = xlsx([row("8", program="GBRSS", indicator="Rumah-Dibedah", source="APBN")])
    [only] = import_preview_rows(upload(client, file))
    assert (only["state"], only["Program"], only["Indikator"], only["Sumber dana"]) == (
        "new",
        "gbrss",
        "rumah-dibedah",
        "apbn",
    )
    assert client.post(f"/impor/{ImportBatch.objects.get().token}/terapkan/").status_code == 302
    stored = Realization.objects.get()
    assert (stored.funding_source.code, stored.value) == ("apbn", D(8))
    unknown = upload(client, xlsx([row("8", program="GBRS")]))
    assert error_reasons(unknown) == ["Program tidak dikenal: GBRS."]


def test_a_row_changing_only_its_note_says_so_in_the_preview(operator):
    """The preview listed a row as 'diubah' with '5' under both Lama and Baru, and
    nothing to say what changed: its note. It now says so."""
    draft_report(value=5)
    preview = upload(login(operator), xlsx([row("5", note="Data dari Dinas Perkim")]))
    [changed] = import_preview_rows(preview)
    assert (changed["state"], changed["Lama"], changed["Baru"]) == ("changed", "5", "5")
    assert changed["Keterangan"] == "Hanya catatannya yang berubah: “Data dari Dinas Perkim”."


def test_a_file_without_the_notes_column_keeps_the_stored_notes(operator):
    """A file made by hand with only the figure columns said nothing of notes, yet every
    stored note was removed ("catatan dihapus") and applying it erased them. Without a
    catatan column the notes stay; an empty cell in the column still removes one."""
    report = draft_report(value=5)
    report.realizations.update(note="Data dari Dinas Perkim")
    client = login(operator)
    no_notes = HEADER[: HEADER.index("catatan")]
    same = upload(client, xlsx([row("5")[: len(no_notes)]], header=no_notes))
    assert states(same) == ["unchanged"]
    changed = upload(client, xlsx([row("8")[: len(no_notes)]], header=no_notes))
    [line] = import_preview_rows(changed)
    assert (line["state"], line["Lama"], line["Baru"], line["Keterangan"]) == (
        "changed",
        "5",
        "8",
        "",
    )
    batch = ImportBatch.objects.latest("created_at")
    assert client.post(f"/impor/{batch.token}/terapkan/").status_code == 302
    stored = report.realizations.get()
    assert (stored.value, stored.note) == (D(8), "Data dari Dinas Perkim")
    # With the column, an empty cell is what the operator wrote: the note goes.
    emptied = upload(client, xlsx([row("8", note="")]))
    [line] = import_preview_rows(emptied)
    assert line["Keterangan"] == "Hanya catatannya yang berubah: catatan dihapus."


def test_apply_sent_again_is_answered_as_done_where_the_first_went(operator):
    """Back and resend (or a double click) on "Terapkan impor" went back to the upload
    page with a red 'Impor ini sudah diterapkan.', as if something had failed; the resend
    now lands where the applied import did (the reports list), said as done, and writes
    nothing twice."""
    client = login(operator)
    upload(client, xlsx([row("8")]))
    batch = ImportBatch.objects.get()
    first = client.post(f"/impor/{batch.token}/terapkan/", follow=True)
    again = client.post(f"/impor/{batch.token}/terapkan/", follow=True)
    assert again.redirect_chain == first.redirect_chain == [("/laporan/", 302)]
    html = page(again)
    assert [element_text(li) for li in find_all(html, "li", class_="message-success")] == [
        "Impor ini sudah diterapkan."
    ]
    assert not find_all(html, "li", class_="message-error")
    assert Realization.objects.get().value == Decimal(8)
    assert Realization.history.count() == 1


@pytest.mark.parametrize(
    "bad_cells,reason",
    [
        ({"program": "tidak-ada"}, "Program tidak dikenal"),
        ({"indicator": "tidak-ada"}, "Indikator tidak dikenal"),
        ({"regency": "16.99"}, "Kode wilayah tidak dikenal"),
        ({"source": "bank-antah"}, "Sumber dana tidak dikenal"),
        ({"regency": "16.01"}, "Di luar wilayah/program"),
        # Locked without a report: the same step to ask for as the form names.
        (
            {"period": lambda: period_text(4)},
            "Bulan ini sudah dikunci. Minta admin membukanya dengan pengecualian kunci.",
        ),
        ({"period": next_month_text}, "belum berjalan"),
        ({"value": "dua belas"}, "Bukan angka yang sah"),
        ({"value": "-4"}, "tidak boleh negatif"),
        ({"value": "-8.600"}, "tidak boleh negatif"),  # not -8,6 and "bilangan bulat"
        ({"value": "\u22124"}, "tidak boleh negatif"),  # Excel's minus sign, as text
        ({"value": -4}, "tidak boleh negatif"),  # a negative number cell
        ({"value": "0.600"}, "Format angka tidak jelas: tulis 0,6 (desimal dengan koma) atau 600."),
        ({"value": "2,5"}, "bilangan bulat"),
        ({"value": "100.000.000.000"}, "Angka terlalu besar"),
        ({"period": "Maret"}, "TTTT-BB"),
        # Refused whole, as the entry form does: a note is never cut short.
        (
            {"note": "Rumah selesai. " * 140},
            "Catatan terlalu panjang: paling banyak 2.000 karakter.",
        ),
    ],
)
def test_each_bad_row_is_an_error_with_its_reason_and_nothing_applies(operator, bad_cells, reason):
    # Periods are computed when the test runs, on the frozen clock (not at collection).
    bad_row = row(**{k: v() if callable(v) else v for k, v in bad_cells.items()})
    draft_report(value=5)
    client = login(operator)
    before = realization_values()
    preview = upload(client, xlsx([row("9"), bad_row]))
    assert preview.status_code == 200
    assert "error" in states(preview)
    assert any(reason in explanation for explanation in error_reasons(preview))
    assert not apply_buttons(preview)
    batch = ImportBatch.objects.get()
    client.post(f"/impor/{batch.token}/terapkan/")  # a crafted apply changes nothing either
    assert realization_values() == before


def test_verified_submitted_and_duplicate_rows(operator):
    draft_report(status=Status.VERIFIED)
    draft_report(status=Status.SUBMITTED, program="gpsss", indicator="unit-sanitasi")
    client = login(operator)
    preview = upload(
        client,
        xlsx(
            [
                row("1"),
                row("1", program="gpsss", indicator="unit-sanitasi"),
                row("1", program="gsmp", indicator="rumah-tangga-penerima", source="csr"),
                row("2", program="gsmp", indicator="rumah-tangga-penerima", source="csr"),
            ]
        ),
    )
    reasons = error_reasons(preview)
    for expected in ("sudah diverifikasi", "sudah diajukan"):
        assert any(expected in reason for reason in reasons), (expected, reasons)
    assert any("Baris ganda" in reason and "di baris 4" in reason for reason in reasons), reasons


def retired_partner_draft(value=5):
    """Last month's draft with `value` houses from Pertamina, a CSR partner an admin has
    retired since."""
    report = draft_report(value=value)
    report.realizations.update(funding_source=FundingSource.objects.get(code="pertamina"))
    FundingSource.objects.filter(code="pertamina").update(active=False)
    return report


RETIRED_PERTAMINA = "Sumber dana Pertamina sudah tidak aktif: pilih sumber lain."


def test_a_retired_source_is_refused_on_a_new_row_and_kept_on_its_own(operator):
    report = retired_partner_draft(value=5)
    client = login(operator)
    before = realization_values()

    preview = upload(
        client,
        xlsx(
            [
                row("8", source="pertamina"),  # its own row: the value may change
                row("3", program="gpsss", indicator="unit-sanitasi", source="pertamina"),
            ]
        ),
    )

    assert sorted(states(preview)) == ["changed", "error"]
    assert error_reasons(preview) == [RETIRED_PERTAMINA]
    assert not apply_buttons(preview)
    client.post(f"/impor/{ImportBatch.objects.get().token}/terapkan/")  # crafted
    assert realization_values() == before
    # Restated as stored, the row is left as it is; changed alone, it applies.
    assert states(upload(client, xlsx([row("5", source="pertamina")]))) == ["unchanged"]
    preview = upload(client, xlsx([row("8", source="pertamina")]))
    assert states(preview) == ["changed"]
    batch = ImportBatch.objects.latest("created_at")
    assert client.post(f"/impor/{batch.token}/terapkan/").status_code == 302
    assert list(report.realizations.values_list("funding_source__code", "value")) == [
        ("pertamina", D(8))
    ]


def test_a_source_retired_between_preview_and_apply_applies_nothing(operator):
    client = login(operator)
    preview = upload(client, xlsx([row("3", source="pertamina")]))
    assert states(preview) == ["new"]
    FundingSource.objects.filter(code="pertamina").update(active=False)

    applied = client.post(f"/impor/{ImportBatch.objects.get().token}/terapkan/", follow=True)

    assert any("Data berubah sejak pratinjau" in m for m in flash_messages(applied))
    assert not MonthlyReport.objects.exists() and not Realization.objects.exists()


def test_a_month_locked_between_preview_and_apply_says_so(operator, frozen_clock):
    """Previewed at 23:59 on the lock day, applied after midnight: nothing applies, and
    the message says which row and why instead of only "Data berubah sejak pratinjau"."""
    from programs.reporting import deadlines

    year, month = previous_month(2)
    lock = deadlines.lock_date(year, month)
    frozen_clock.move_to(dt.datetime.combine(lock, dt.time(23, 59), tzinfo=WIB))
    client = login(operator)
    preview = upload(client, xlsx([row("3", period=f"{year}-{month:02d}")]))
    assert states(preview) == ["new"]
    frozen_clock.move_to(
        dt.datetime.combine(lock, dt.time(23, 59), tzinfo=WIB) + dt.timedelta(minutes=2)
    )

    applied = client.post(f"/impor/{ImportBatch.objects.get().token}/terapkan/", follow=True)

    assert (
        "Data berubah sejak pratinjau: periksa ulang berkasnya. Tidak ada yang diubah. "
        "Baris 2: Bulan ini sudah dikunci. Minta admin membukanya dengan pengecualian kunci."
    ) in flash_messages(applied)
    assert not MonthlyReport.objects.exists()


def test_the_writer_itself_refuses_a_retired_source_on_a_new_row(operator):
    """The last guard, for a source retired after the checks ran: the one writer of the
    entry form and the import refuses it, and writes nothing."""
    from programs.reporting.rules import EntryRow
    from programs.reporting.services import ImportedReport, ServiceError, realizations_import

    FundingSource.objects.filter(code="pertamina").update(active=False)
    indicator = Indicator.objects.get(code="rumah-dibedah")
    year, month = previous_month()
    item = ImportedReport(
        regency=Regency.objects.get(code="16.07"),
        program=indicator.program,
        year=year,
        month=month,
        version=0,
        rows=[EntryRow(key="2", indicator=indicator, source_code="pertamina", value=D(3))],
    )

    with pytest.raises(ServiceError, match=RETIRED_PERTAMINA):
        realizations_import(user=operator, reports=[item], reason="impor")

    assert not MonthlyReport.objects.exists() and not Realization.objects.exists()


def test_other_users_cannot_apply_someone_elses_preview(operator, reference_data):
    client = login(operator)
    upload(client, xlsx([row("9")]))
    batch = ImportBatch.objects.get()
    intruder = UserFactory(username="op-lain")
    UserScope.objects.create(user=intruder, role=UserScope.Role.OPERATOR, regency_id="16.07")
    assert login(intruder).post(f"/impor/{batch.token}/terapkan/").status_code == 403
    assert not Realization.objects.exists()


def test_only_operators_and_admins_may_import(reference_data):
    viewer = UserFactory(username="pimpinan")
    UserScope.objects.create(user=viewer, role=UserScope.Role.PIMPINAN)
    assert login(viewer).get("/impor/").status_code == 403
    assert login(viewer).post("/impor/", {"berkas": xlsx([row()])}).status_code == 403
    assert Client().get("/impor/").status_code == 302


# --- Bad files ------------------------------------------------------------------------------


def zip_bomb():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (80 * 1024 * 1024))
    return SimpleUploadedFile("bom.xlsx", buffer.getvalue(), content_type=XLSX)


@pytest.mark.parametrize(
    "make_file,message",
    [
        (lambda: SimpleUploadedFile("catatan.txt", b"halo"), "Jenis berkas tidak didukung"),
        (lambda: SimpleUploadedFile("palsu.xlsx", b"program,indikator\n"), "bukan lembar kerja"),
        (
            lambda: csv_file("program;indikator;wilayah;periode;sumber_dana;nilai\n"),
            "Kolom wajib tidak ada",
        ),
        (lambda: csv_file(";".join(HEADER) + "\n"), "tidak berisi baris data"),
        (lambda: csv_file("\n".join("x,y,z" for _i in range(5000))), "judul kolom"),
        (
            # Bytes no Windows code page 1252 has either: neither UTF-8 nor ANSI.
            lambda: SimpleUploadedFile("latin.csv", b"program;indikator\n\x81\x8d\x90"),
            "UTF-8",
        ),
        (zip_bomb, "terlalu besar setelah dibuka"),
    ],
)
def test_bad_files_change_nothing_and_say_why(operator, make_file, message):
    response = upload(login(operator), make_file())
    assert response.status_code == 400
    assert any(message in shown for shown in flash_messages(response))
    assert not ImportBatch.objects.exists() and not MonthlyReport.objects.exists()


def understated_part(file, part: str, padding: int):
    """`file` (an .xlsx) with `part` followed by `padding` spaces once inflated, while the
    archive declares the part's own size and checksum: zipfile stops at the declared size,
    so the part still reads as it was."""
    source = zipfile.ZipFile(io.BytesIO(file.read()))
    original = source.read(part)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == part:
                data += b" " * padding
            archive.writestr(info.filename, data)
    packed = bytearray(buffer.getvalue())
    info = zipfile.ZipFile(io.BytesIO(bytes(packed))).getinfo(part)
    declared = struct.pack("<II", zlib.crc32(original), len(original))  # CRC, then size
    local = info.header_offset
    packed[local + 14 : local + 18] = declared[:4]
    packed[local + 22 : local + 26] = declared[4:]
    central = packed.index(b"PK\x01\x02")
    while struct.unpack("<I", packed[central + 42 : central + 46])[0] != local:
        central = packed.index(b"PK\x01\x02", central + 4)
    packed[central + 16 : central + 20] = declared[:4]
    packed[central + 24 : central + 28] = declared[4:]
    return SimpleUploadedFile("isi.xlsx", bytes(packed), content_type=XLSX)


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/worksheets/sheet1.xml"])
def test_a_part_inflating_beyond_its_declared_size_is_refused(operator, settings, part):
    """A 300 KB workbook whose part declared its real 1 KB but inflated to 300 MB of
    spaces passed as a workbook of the rows shown, after its worker had held 600 MB for
    seconds (5 MB uploads: 10 GB). It is refused as too large once opened."""
    settings.IMPORT_MAX_UNPACKED_BYTES = 2 * 1024 * 1024
    file = understated_part(xlsx([row("8.600")]), part, padding=3 * 1024 * 1024)
    assert len(file) < 100_000
    response = upload(login(operator), file)
    assert response.status_code == 400
    assert any("terlalu besar setelah dibuka" in shown for shown in flash_messages(response))
    assert not ImportBatch.objects.exists() and not Realization.objects.exists()


def flagged_part(file, part: str, *, encrypted: bool = False, method: int | None = None):
    """`file` (an .xlsx) with `part` marked encrypted, or as packed with `method`, in both
    of its zip headers."""
    packed = bytearray(file.read())
    local = zipfile.ZipFile(io.BytesIO(bytes(packed))).getinfo(part).header_offset
    central = packed.index(b"PK\x01\x02")
    while struct.unpack("<I", packed[central + 42 : central + 46])[0] != local:
        central = packed.index(b"PK\x01\x02", central + 4)
    for flags, compression in ((local + 6, local + 8), (central + 8, central + 10)):
        if encrypted:
            packed[flags] |= 1
        if method is not None:
            packed[compression : compression + 2] = struct.pack("<H", method)
    return SimpleUploadedFile("isi.xlsx", bytes(packed), content_type=XLSX)


@pytest.mark.parametrize("flags", [{"encrypted": True}, {"method": 9}])  # 9: Deflate64
@pytest.mark.parametrize("part", ["xl/styles.xml", "xl/worksheets/sheet1.xml"])
def test_a_part_zipfile_cannot_open_is_not_a_workbook_not_a_500(operator, part, flags):
    """A sheet encrypted inside the zip, or packed with a method Python does not read,
    answered 500."""
    response = upload(login(operator), flagged_part(xlsx([row("8.600")]), part, **flags))
    assert response.status_code == 400
    assert any("bukan lembar kerja" in shown for shown in flash_messages(response))
    assert not ImportBatch.objects.exists()


def test_a_csv_excel_saved_in_windows_1252_is_read_with_its_notes(operator):
    """Excel's "CSV (dipisahkan koma)" on Windows writes code page 1252 with ';': a note
    with an en dash or "é" (Excel's autocorrect puts both) was refused as "not UTF-8",
    leaving the operator to find another save option. It reads as written."""
    cells = row("8.600", note="Bedah rumah – Desa Sukamaju, Café ‘Mawar’")
    text = ";".join(HEADER) + "\r\n" + ";".join("" if c is None else c for c in cells)
    file = SimpleUploadedFile("excel.csv", (text + "\r\n").encode("cp1252"))
    client = login(operator)
    preview = upload(client, file)
    assert preview.status_code == 200
    [only] = import_preview_rows(preview)
    assert (only["state"], only["Baru"]) == ("new", "8.600")
    assert client.post(f"/impor/{ImportBatch.objects.get().token}/terapkan/").status_code == 302
    stored = Realization.objects.get()
    assert stored.value == D(8600)
    assert stored.note == "Bedah rumah – Desa Sukamaju, Café ‘Mawar’"


def test_too_large_and_too_many_rows(operator, settings):
    client = login(operator)
    settings.IMPORT_MAX_BYTES = 1000
    line = ";".join(str(cell or "") for cell in row())
    big = csv_file(";".join(HEADER) + "\n" + "\n".join(line for _i in range(40)))
    response = upload(client, big)
    assert response.status_code == 400
    assert any("Berkas terlalu besar" in message for message in flash_messages(response))
    settings.IMPORT_MAX_BYTES = 5 * 1024 * 1024
    settings.IMPORT_MAX_ROWS = 10
    response = upload(client, xlsx([row(str(i)) for i in range(30)]))
    assert response.status_code == 400
    assert any("Terlalu banyak baris" in message for message in flash_messages(response))


def test_a_signed_value_is_read_like_its_digits(operator):
    """'+1.250' used to be read as 1,25 and refused as a fraction of a count."""
    client = login(operator)
    preview = upload(client, xlsx([row("+1.250")]))
    assert states(preview) == ["new"]
    client.post(f"/impor/{ImportBatch.objects.get().token}/terapkan/")
    assert Realization.objects.get().value == D(1250)


@pytest.mark.parametrize(
    "cell",
    [-0.09, "-0,09", "\u22120,09"],
    ids=["number-cell", "text-minus", "text-minus-sign"],
)
def test_a_deflation_imports_where_the_indicator_allows_it(reference_data, cell):
    """Year-on-year inflation may be negative (a deflation of -0,09 %), as an Excel
    number or as text with a "-" or the minus sign Excel and Word write."""
    client = login(make_user("op-palembang", UserScope.Role.OPERATOR, "16.71"))
    deflation = row(
        cell,
        regency="16.71",
        source="tidak-dirinci",
        program="gpiss",
        indicator="inflasi-yoy",
    )
    preview = upload(client, xlsx([deflation]))
    assert states(preview) == ["new"], error_reasons(preview)
    assert import_preview_rows(preview)[0]["Baru"] == "-0,09"
    client.post(f"/impor/{ImportBatch.objects.get().token}/terapkan/")
    assert Realization.objects.get().value == D("-0.09")


def test_too_many_rows_says_the_real_count_or_the_real_limit(operator, settings):
    """A 50.000-row file used to be 'Terlalu banyak baris (> 20050)': neither its length
    nor the limit. Read to a little past the limit, a file says the limit; one that was
    read whole says its count."""
    settings.IMPORT_MAX_ROWS = 1000
    client = login(operator)
    line = ";".join(str(cell or "") for cell in row())
    for file in (
        csv_file(";".join(HEADER) + "\n" + "\n".join(line for _i in range(2500))),
        xlsx([row("1")] * 2500),
    ):
        response = upload(client, file)
        assert response.status_code == 400
        assert flash_messages(response) == [
            "Terlalu banyak baris: berkas ini lebih dari 1.000 baris, batas per berkas."
        ]
    response = upload(client, xlsx([row("1")] * 1020))
    assert flash_messages(response) == ["Terlalu banyak baris (1.020); batasnya 1.000 per berkas."]
    assert not ImportBatch.objects.exists()


def test_a_csv_with_a_nul_byte_is_not_called_the_wrong_file_type(operator):
    text = ";".join(HEADER) + "\n" + ";".join(str(c or "") for c in row()) + "\x00\n"
    response = upload(login(operator), csv_file(text))
    assert response.status_code == 400
    assert flash_messages(response) == [
        "Berkas CSV ini berisi karakter yang tidak sah, jadi bukan berkas teks CSV: simpan "
        "ulang sebagai CSV UTF-8, atau unggah berkas .xlsx."
    ]


def test_a_workbook_named_csv_is_called_not_text_not_a_wrong_encoding(operator):
    """A binary file named .csv (here an .xlsx renamed) holds bytes that are neither
    UTF-8 nor Windows-1252: "save it as UTF-8" sent the operator to the wrong fix."""
    workbook = xlsx([row("1")]).read()
    assert any(bytes([b]) in workbook for b in (0x81, 0x8D, 0x8F, 0x90, 0x9D))  # not cp1252
    response = upload(
        login(operator), SimpleUploadedFile("isi.csv", workbook, content_type="text/csv")
    )
    assert response.status_code == 400
    assert flash_messages(response) == [
        "Berkas CSV ini berisi karakter yang tidak sah, jadi bukan berkas teks CSV: simpan "
        "ulang sebagai CSV UTF-8, atau unggah berkas .xlsx."
    ]
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize("name", ["laporan.xls", "laporan.xlsx", "laporan.csv"])
def test_an_old_excel_file_is_told_how_to_become_an_xlsx(operator, name):
    """An Excel 97-2003 workbook (an OLE2 file), saved as .xls or renamed: the operator is
    told to save it as .xlsx, not that it is no workbook or has the wrong type."""
    old_excel = SimpleUploadedFile(name, bytes.fromhex("d0cf11e0a1b11ae1") + bytes(2048))
    response = upload(login(operator), old_excel)
    assert response.status_code == 400
    assert flash_messages(response) == [
        "Berkas ini berformat Excel lama (.xls, Excel 97-2003): buka di Excel, pilih Simpan "
        "Sebagai > Buku Kerja Excel (.xlsx), lalu unggah berkas .xlsx itu."
    ]
    assert not ImportBatch.objects.exists()


def as_excel_saves(file: SimpleUploadedFile, *replacements: tuple[bytes, bytes]):
    """`file` with its sheets' XML edited as Excel would have written it (openpyxl writes
    formulas without the value they calculate to)."""
    source = zipfile.ZipFile(io.BytesIO(file.read()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith("xl/worksheets/"):
                for old, new in replacements:
                    data = data.replace(old, new)
            target.writestr(info, data)
    return SimpleUploadedFile("isi.xlsx", out.getvalue(), content_type=XLSX)


def test_a_formula_without_a_stored_value_is_named_not_skipped(operator):
    """A file written by a program other than Excel keeps formulas without the value they
    calculate to: the cell reads empty and its row would vanish as 'left empty'. The
    upload is refused, naming the cell; saved by Excel (with the value), it is read."""
    client = login(operator)
    response = upload(client, xlsx([row("=2+3")]))
    assert response.status_code == 400
    assert flash_messages(response) == [
        "Sel F2 berisi rumus tanpa nilai tersimpan (berkas dibuat program lain, bukan "
        "Excel): buka berkas di Excel lalu simpan ulang, atau ketik angkanya."
    ]
    assert not ImportBatch.objects.exists()
    preview = upload(client, as_excel_saves(xlsx([row("=2+3")]), (b"<v />", b"<v>5</v>")))
    assert states(preview) == ["new"]
    assert import_preview_rows(preview)[0]["Baru"] == "5"


def test_a_formula_whose_stored_result_is_empty_text_is_an_empty_cell(operator):
    """=IF(A2="";"";...) filled down a template: Excel stores an empty text result
    (t="str"), which is an empty cell, not a formula without a value."""
    file = as_excel_saves(
        xlsx([row("12", note='=IF(1=1,"","x")')]),
        (b'<c r="I2"><f>', b'<c r="I2" t="str"><f>'),
        (b"</f><v /></c>", b"</f><v></v></c>"),
    )
    preview = upload(login(operator), file)
    assert states(preview) == ["new"]


def test_csv_with_indonesian_numbers_and_semicolons(operator):
    text = ";".join(HEADER) + "\n" + ";".join(row()[:5]) + ";1.250;;;catatan\n"
    preview = upload(login(operator), csv_file(text))
    assert states(preview) == ["new"]
    assert import_preview_rows(preview)[0]["Baru"] == "1.250"  # as the site writes numbers


def test_a_targets_due_date_written_year_first_with_slashes(admin_user):
    """2025/03/25 and 2025.03.25 (year first, as ISO but with slashes or dots) were "Tanggal
    tidak dikenali": read as the admin reads them."""
    file = xlsx(
        [
            ["gbrss", "rumah-dibedah", "16.07", 2024, 120, None, "2025/03/25", "Rakor", ""],
            ["gbrss", "rumah-dibedah", "16.01", 2024, 80, None, "2025.03.25", "Rakor", ""],
            ["gbrss", "rumah-dibedah", "16.02", 2024, 80, None, "2025/02/31", "Rakor", ""],
        ],
        header=TARGET_HEADER,
    )
    preview = upload(login(admin_user), file, kind="targets")
    assert sorted(states(preview)) == ["error", "new", "new"]
    assert error_reasons(preview) == [
        "Tanggal 31 tidak ada pada Februari 2025: bulan itu hanya sampai tanggal 28."
    ]


def test_a_targets_due_date_on_a_day_its_month_lacks_says_so(admin_user):
    """2025/02/31 or 31-02-2025 answered "Tanggal tidak dikenali: tulis hari dulu", and
    the admin looked for a wrong format: the admin's date box says the day does not
    exist in that month, and so does the import, in the page's language."""
    rows = [
        ["gbrss", "rumah-dibedah", "16.07", 2024, 120, None, "31-02-2025", "Rakor", ""],
        ["gbrss", "rumah-dibedah", "16.01", 2024, 80, None, "2025/04/31", "Rakor", ""],
        ["gbrss", "rumah-dibedah", "16.02", 2024, 80, None, "besok", "Rakor", ""],
    ]
    client = login(admin_user)
    assert sorted(error_reasons(upload(client, xlsx(rows, header=TARGET_HEADER), "targets"))) == [
        "Tanggal 31 tidak ada pada April 2025: bulan itu hanya sampai tanggal 30.",
        "Tanggal 31 tidak ada pada Februari 2025: bulan itu hanya sampai tanggal 28.",
        "Tanggal tidak dikenali: tulis hari dulu, misalnya 25-03-2027, 25/03/2027, 25 Maret "
        "2027 atau 2027-03-25.",
    ]
    client.cookies["bahasa"] = "en"
    english = upload(client, xlsx(rows, header=TARGET_HEADER), "targets")
    reasons = [row["Remarks"] for row in import_preview_rows(english) if row["state"] == "error"]
    assert sorted(reasons) == [
        "Date not recognised: type the day first, for example 25-03-2027, 25/03/2027, 25 "
        "March 2027 or 2027-03-25.",
        "There is no day 31 in April 2025: that month has only 30 days.",
        "There is no day 31 in February 2025: that month has only 28 days.",
    ]


def test_csv_separator_is_the_header_lines_even_with_more_commas_in_a_note(operator):
    """Excel in the Indonesian locale writes ';'. A note naming 20 villages has more
    commas than the file has semicolons: the header line still tells the separator."""
    villages = ", ".join(f"Desa {i}" for i in range(20))
    text = ";".join(HEADER) + "\n" + ";".join(row()[:5]) + f";1.250;;;{villages}\n"
    preview = upload(login(operator), csv_file(text))
    assert states(preview) == ["new"]
    assert import_preview_rows(preview)[0]["Baru"] == "1.250"


def test_a_level_indicator_takes_one_value_a_month_as_the_form_does(admin_user):
    """Palembang's inflation is one figure a month: the entry form has one row for it.
    Two lines of the file for it, or a line with another funding source than the stored
    figure, would leave a report the form refuses to save: row errors, nothing applied.
    The stored figure's own source changes it."""
    inflation = dict(program="gpiss", indicator="inflasi-yoy", regency="16.71")
    file = [row("2,1", source="tidak-dirinci", **inflation), row("2,3", **inflation)]
    client = login(admin_user)
    preview = upload(client, xlsx(file))
    assert sorted(states(preview)) == ["error", "new"]
    assert error_reasons(preview) == [
        "Indikator Inflasi tahunan (y-on-y) hanya diisi satu nilai per bulan: baris 2 sudah "
        "mengisinya."
    ]
    draft_report(value=D("2.5"), regency="16.71", program="gpiss", indicator="inflasi-yoy")
    ImportBatch.objects.all().delete()
    other = upload(client, xlsx([row("2,1", source="tidak-dirinci", **inflation)]))
    assert error_reasons(other) == [
        "Indikator Inflasi tahunan (y-on-y) hanya diisi satu nilai per bulan dan sudah terisi "
        "dengan sumber dana APBN: pakai sumber dana itu di berkas, atau ubah sumbernya di "
        "formulir laporan."
    ]
    ImportBatch.objects.all().delete()
    same = upload(client, xlsx([row("2,1", **inflation)]))
    assert states(same) == ["changed"]


# --- Targets ----------------------------------------------------------------------------------


def test_an_import_in_english_writes_its_history_reason_in_indonesian(admin_user, operator):
    """The reason 'impor' in the shared history of realizations and targets used to be
    'import' when the one importing read the site in English."""
    year, _month = previous_month()
    client = login(operator)
    client.cookies["bahasa"] = "en"
    upload(client, xlsx([row("8")]))
    client.post(f"/impor/{ImportBatch.objects.get().token}/terapkan/")
    report = MonthlyReport.objects.get()
    assert set(report.history.values_list("history_change_reason", flat=True)) == {"impor"}
    assert set(Realization.history.values_list("history_change_reason", flat=True)) == {"impor"}
    admin = login(admin_user)
    admin.cookies["bahasa"] = "en"
    target_row = ["gbrss", "rumah-dibedah", "16.07", year, 120, None, None, "Rakor", ""]
    upload(admin, xlsx([target_row], header=TARGET_HEADER), kind="targets")
    admin.post(f"/impor/{ImportBatch.objects.get(kind='targets').token}/terapkan/")
    target = Target.objects.get(regency_id="16.07", year=year)
    assert target.history.get().history_change_reason == "impor"


def test_target_import_is_for_admins_and_needs_a_reason_once_realized(admin_user, operator):
    year, _month = previous_month()
    draft_report(value=5)
    submitted = MonthlyReport.objects.get()
    submitted.status = Status.SUBMITTED
    submitted.save()
    Target.objects.create(
        indicator=Indicator.objects.get(code="rumah-dibedah"),
        regency_id="16.07",
        year=year,
        value=D(100),
    )
    file = lambda reason: xlsx(  # noqa: E731
        [
            ["gbrss", "rumah-dibedah", "16.07", year, 120, None, None, "Rakor", reason],
            ["gbrss", "rumah-dibedah", "16.01", year, 80, None, None, "Rakor", ""],
        ],
        header=TARGET_HEADER,
    )
    assert upload(login(operator), file(""), kind="targets").status_code == 403
    client = login(admin_user)
    refused = upload(client, file(""), kind="targets")
    assert any("isi kolom alasan" in reason for reason in error_reasons(refused))
    assert sorted(states(refused)) == ["error", "new"]
    ImportBatch.objects.all().delete()
    accepted = upload(client, file("Tambahan dana BUMD"), kind="targets")
    assert sorted(states(accepted)) == ["changed", "new"]
    batch = ImportBatch.objects.get()
    assert client.post(f"/impor/{batch.token}/terapkan/").status_code == 302
    target = Target.objects.get(regency_id="16.07", year=year)
    assert target.value == D(120)
    assert target.history.first().history_change_reason == "Tambahan dana BUMD"
    assert Target.objects.get(regency_id="16.01", year=year).value == D(80)


def test_formula_like_notes_leave_neutralised_and_come_back_unchanged(operator):
    report = draft_report(value=5)
    report.realizations.update(note='=HYPERLINK("http://x")')
    client = login(operator)
    content = b"".join(client.get(f"/impor/templat.xlsx?bulan={period_text()}").streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(content))["Data"]
    notes = [r[8] for r in sheet.iter_rows(min_row=2, values_only=True) if r[5] == 5]
    assert notes == ['\'=HYPERLINK("http://x")']
    preview = upload(client, SimpleUploadedFile("t.xlsx", content, content_type=XLSX))
    assert states(preview) == ["unchanged"]


def test_the_template_of_a_note_with_a_control_character_downloads_with_it_neutralised(
    operator,
):
    """A note may hold a control character (only NUL is refused); the template answered
    500 (openpyxl refuses the character), and dropping it must not uncover a formula. An
    indicator's name edited in the admin is neutralised in the Kode sheet too."""
    report = draft_report(value=5)
    report.realizations.update(note='\x01=HYPERLINK("http://x")')
    Indicator.objects.filter(code="rumah-dibedah").update(name="=1+1 rumah")
    client = login(operator)
    response = client.get(f"/impor/templat.xlsx?bulan={period_text()}")
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    notes = [r[8] for r in workbook["Data"].iter_rows(min_row=2) if r[5].value == 5]
    assert [(c.data_type, c.value) for c in notes] == [("s", '\'=HYPERLINK("http://x")')]
    names = [r[2] for r in workbook["Kode"].iter_rows() if r[2].value and "rumah" in r[2].value]
    assert [(c.data_type, c.value) for c in names] == [("s", "'=1+1 rumah")]


def test_a_target_due_outside_its_year_or_the_next_is_a_row_error(admin_user):
    file = xlsx(
        [
            ["gbrss", "rumah-dibedah", "16.07", 2024, 120, None, "2024-11-30", "Rakor", ""],
            ["gbrss", "rumah-dibedah", "16.01", 2024, 80, None, "0001-01-01", "Rakor", ""],
            ["gbrss", "rumah-dibedah", "16.02", 2024, 80, None, "2026-01-01", "Rakor", ""],
        ],
        header=TARGET_HEADER,
    )
    preview = upload(login(admin_user), file, kind="targets")
    assert sorted(states(preview)) == ["error", "error", "new"]
    assert (
        error_reasons(preview)
        == ["Batas waktu harus jatuh pada tahun target (2024) atau tahun berikutnya."] * 2
    )


def test_a_targets_due_date_typed_as_the_admin_takes_it(admin_user):
    """The admin takes 25/03/2025 and "25 Maret 2025": so does the import. A date that is
    none, and a negative baseline, are row errors naming what is wrong."""
    file = xlsx(
        [
            ["gbrss", "rumah-dibedah", "16.07", 2024, 120, None, "25/03/2025", "Rakor", ""],
            ["gbrss", "rumah-dibedah", "16.01", 2024, 80, None, "25 Maret 2025", "Rakor", ""],
            ["gbrss", "rumah-dibedah", "16.02", 2024, 80, None, "2025-03-25 00:00:00", "", ""],
            ["gbrss", "rumah-dibedah", "16.03", 2024, 80, None, "31 Februari 2025", "", ""],
            ["gbrss", "rumah-dibedah", "16.04", 2024, 80, -5, "", "Rakor", ""],
        ],
        header=TARGET_HEADER,
    )
    client = login(admin_user)
    preview = upload(client, file, kind="targets")
    assert sorted(states(preview)) == ["error", "error", "new", "new", "new"]
    assert sorted(error_reasons(preview)) == [
        "Baseline harus angka 0 atau lebih.",
        # The admin's words for a day its month lacks, the same rule.
        "Tanggal 31 tidak ada pada Februari 2025: bulan itu hanya sampai tanggal 28.",
    ]


def test_a_targets_due_date_typed_month_first_is_a_row_error(admin_user):
    """03/25/2025 was taken as 25 March (Django's `id` locale reads month first too), so
    03/04/2025 meant 4 March in one row and 3 April in another: refused, saying why."""
    file = xlsx(
        [
            ["gbrss", "rumah-dibedah", "16.07", 2024, 120, None, "03/25/2025", "Rakor", ""],
            ["gbrss", "rumah-dibedah", "16.01", 2024, 80, None, "25 Maret 25", "Rakor", ""],
        ],
        header=TARGET_HEADER,
    )
    preview = upload(login(admin_user), file, kind="targets")
    assert sorted(states(preview)) == ["error", "new"]
    assert error_reasons(preview) == [
        "Tanggal ditulis bulan dulu? Tulis hari dulu, lalu bulan: 25/03/2025 (atau 25 Maret 2025)."
    ]


def test_target_dates_read_the_same_in_english(admin_user):
    """Numbers in a file are read the Indonesian way whatever the page's language: so are
    its dates. 05/03/2025 is 5 March 2025, not 3 May."""
    file = xlsx(
        [["gbrss", "rumah-dibedah", "16.07", 2024, 120, None, "05/03/2025", "Rakor", ""]],
        header=TARGET_HEADER,
    )
    client = login(admin_user)
    client.cookies["bahasa"] = "en"
    preview = upload(client, file, kind="targets")
    assert states(preview) == ["new"]
    client.post(f"/impor/{ImportBatch.objects.get().token}/terapkan/")
    target = Target.objects.get(indicator__code="rumah-dibedah", regency_id="16.07", year=2024)
    assert target.due_date == dt.date(2025, 3, 5)


def test_a_fractional_target_of_a_count_is_a_row_error(admin_user):
    """The admin target form refuses 1.234,5 houses; the import applied it. Same rule,
    same message, as a row error: nothing applies."""
    file = target_csv(
        'gbrss;rumah-dibedah;16.05;2026;"1.234,5";;;;uji',
        "gbrss;rumah-dibedah;16.06;2026;1.234;;;;uji",
    )
    client = login(admin_user)
    preview = upload(client, file, kind="targets")
    assert states(preview) == ["error", "new"]
    assert error_reasons(preview) == ["Satuan ini dihitung utuh: isi bilangan bulat tanpa desimal."]
    assert not apply_buttons(preview)
    client.post(f"/impor/{ImportBatch.objects.get().token}/terapkan/")
    assert not Target.objects.filter(year=2026).exists()


def growth_indicator():
    """A level that may be negative and rises to its target: economic growth, whose
    year may start from a contraction (-2,5 %)."""
    return Indicator.objects.create(
        program=Program.objects.get(slug="gpiss"),
        code="pertumbuhan",
        name="Pertumbuhan ekonomi",
        unit="%",
        measure=Indicator.Measure.LEVEL,
        direction=Indicator.Direction.UP,
        decimals=2,
        allows_negative=True,
    )


def test_a_negative_baseline_imports_only_where_the_indicator_may_be_negative(admin_user):
    growth_indicator()
    client = login(admin_user)
    refused = upload(client, target_csv("gbrss;rumah-dibedah;16.06;2026;100;-1;;;uji"), "targets")
    assert error_reasons(refused) == ["Baseline harus angka 0 atau lebih."]
    ImportBatch.objects.all().delete()
    preview = upload(client, target_csv("gpiss;pertumbuhan;16.71;2026;5,2;-2,5;;;uji"), "targets")
    assert states(preview) == ["new"]
    assert client.post(f"/impor/{ImportBatch.objects.get().token}/terapkan/").status_code == 302
    target = Target.objects.get(indicator__code="pertumbuhan")
    assert (target.value, target.baseline) == (Decimal("5.2"), Decimal("-2.5"))


def test_a_baseline_that_is_no_number_is_refused_in_words_that_fit_the_indicator(admin_user):
    """'Baseline harus angka 0 atau lebih.' was said of economic growth too, whose baseline
    may be -2,5: it says a number, negative allowed; a count's still says 0 or more."""
    growth_indicator()
    file = target_csv(
        "gpiss;pertumbuhan;16.71;2026;5,2;minus dua;;;uji",
        "gbrss;rumah-dibedah;16.06;2026;100;banyak;;;uji",
    )
    preview = upload(login(admin_user), file, "targets")
    assert states(preview) == ["error", "error"]
    assert error_reasons(preview) == [
        "Baseline harus angka (untuk indikator ini boleh negatif).",
        "Baseline harus angka 0 atau lebih.",
    ]
    assert not Target.objects.filter(year=2026).exists()


def test_a_target_imported_below_its_plan_is_a_row_error(admin_user):
    """The province's 8.391 houses are planned per funding source (6.724 in all) with
    1.778 by May: a file lowering the target to 6.000 would leave the plan above it, as
    the admin's list refuses. 7.000 still holds the plan."""
    lines = ["gbrss;rumah-dibedah;;2024;6.000;;;;uji", "gbrss;rumah-dibedah;16.06;2024;100;;;;uji"]
    client = login(admin_user)
    preview = upload(client, target_csv(*lines), kind="targets")
    assert states(preview) == ["error", "new"]
    assert error_reasons(preview) == [
        "Rencana target ini tidak lagi cocok dengan nilai baru: Jumlah rencana per sumber "
        "dana (6.724) melebihi target (6.000)."
    ]
    assert not apply_buttons(preview)
    ImportBatch.objects.all().delete()
    lines[0] = lines[0].replace(";6.000;", ";7.000;")
    accepted = upload(client, target_csv(*lines), kind="targets")
    assert states(accepted) == ["changed", "new"]


def test_a_large_target_change_in_a_file_needs_the_previews_confirmation(admin_user):
    """8.391 houses typed as 83.910: the admin's target form asks to confirm such a
    change; the import says so beside the row and applies only with the preview's box
    ticked. Nothing changes without it."""
    client = login(admin_user)
    preview = upload(client, target_csv("gbrss;rumah-dibedah;;2024;83.910;;;;uji"), kind="targets")
    assert states(preview) == ["changed"]
    assert import_preview_rows(preview)[0]["Keterangan"] == (
        "Perubahan besar: dari 8.391 menjadi 83.910. Periksa pemisah ribuan dan desimal."
    )
    box = find(page(preview), "input", name="konfirmasi_besar")
    assert "required" in dict(box.attributes)
    apply = f"/impor/{ImportBatch.objects.get().token}/terapkan/"
    refused = client.post(apply, follow=True)
    assert (
        "Ada perubahan besar pada target: centang 'Ya, perubahan besar ini benar' di pratinjau "
        "sebelum menerapkan. Tidak ada yang diubah." in flash_messages(refused)
    )
    province = Target.objects.get(indicator__code="rumah-dibedah", regency=None, year=2024)
    assert province.value == D(8391)
    assert client.post(apply, {"konfirmasi_besar": "on"}).status_code == 302
    province.refresh_from_db()
    assert province.value == D(83910)


def test_target_preview_writes_numbers_as_the_site_does(admin_user):
    """8600 and 14.33 were shown as Python writes them; the preview writes 8.600 and
    14,33 (and the stored 8.391 before it), as every page does."""
    file = xlsx(
        [
            ["gbrss", "rumah-dibedah", "", 2024, "8.600", None, None, "Rakor", "Revisi"],
            ["gpstss", "prevalensi-stunting", "16.07", 2024, "14,33", "20,3", None, "", ""],
        ],
        header=TARGET_HEADER,
    )
    preview = upload(login(admin_user), file, kind="targets")
    shown = [(r["state"], r["Lama"], r["Baru"]) for r in import_preview_rows(preview)]
    assert shown == [("changed", "8.391", "8.600"), ("new", "", "14,33")]


def test_realization_preview_writes_numbers_as_the_site_does(operator):
    draft_report(value=1250)
    file = xlsx([row("1.300"), row("1.250", source="dana-desa")])
    shown = [(r["Lama"], r["Baru"]) for r in import_preview_rows(upload(login(operator), file))]
    assert shown == [("1.250", "1.300"), ("", "1.250")]


def test_target_rows_keep_their_baseline_and_a_rates_ceiling(admin_user):
    """The admin's rules on a target's value: a stunting target of 25 % from a baseline
    of 20,4 % (down: it must fall), a village share of 60 % from 75 % (up: it must rise),
    a rate of 120 %: row errors, nothing applies."""
    text = "\n".join(
        [
            ";".join(TARGET_HEADER),
            "gpstss;prevalensi-stunting;16.07;2024;25;20,4;;;",
            "gsmp;desa-gsmp;16.07;2024;60;75;;;",
            "gsmp;desa-gsmp;16.01;2024;120;;;;",
            "gpstss;prevalensi-stunting;16.01;2024;14;20,4;;;",
        ]
    )
    client = login(admin_user)
    preview = upload(client, csv_file(text), kind="targets")
    assert states(preview) == ["error", "error", "error", "new"]
    assert error_reasons(preview) == [
        "Indikator ini makin rendah makin baik: target (25) harus lebih rendah dari nilai "
        "dasar (20,4). Capaian diukur sebagai penurunan dari nilai dasar menuju target, jadi "
        "target setinggi nilai dasar atau lebih membuat capaian tak bermakna.",
        "Indikator ini makin tinggi makin baik: target (60) harus lebih tinggi dari nilai "
        "dasar (75). Target setinggi nilai dasar atau lebih rendah berarti tidak ada kemajuan "
        "yang ditargetkan.",
        "Target rasio tidak dapat melebihi 100 (120): rasio dihitung sebagai "
        "pembilang/penyebut x 100, dan pembilang tidak pernah lebih besar dari penyebut.",
    ]
    assert not apply_buttons(preview)


def test_target_rows_keep_the_allocations_within_the_province_target(admin_user):
    """The province's 8.391 houses: Banyuasin 5.000 and OKU 3.392 would allocate 8.392.
    Both rows say so; with the province target raised in the same file all three apply.
    A later file lowering the province target below them is refused on its row."""
    client = login(admin_user)
    header = ";".join(TARGET_HEADER)
    allocations = [
        "gbrss;rumah-dibedah;16.07;2024;5.000;;;;",
        "gbrss;rumah-dibedah;16.01;2024;3.392;;;;",
    ]
    too_high = (
        "Jumlah alokasi kabupaten/kota tahun 2024 akan menjadi 8.392, melebihi target "
        "provinsi (8.391) sebanyak 1. Naikkan dulu target provinsi, atau kurangi alokasi."
    )

    refused = upload(client, csv_file("\n".join([header, *allocations])), kind="targets")

    assert states(refused) == ["error", "error"]
    assert error_reasons(refused) == [too_high, too_high]
    assert not apply_buttons(refused)
    ImportBatch.objects.all().delete()
    raised = "gbrss;rumah-dibedah;;2024;8.400;;;;RKPD perubahan"
    accepted = upload(client, csv_file("\n".join([header, *allocations, raised])), kind="targets")
    assert sorted(states(accepted)) == ["changed", "new", "new"]
    client.post(f"/impor/{ImportBatch.objects.get().token}/terapkan/")
    assert (
        Target.objects.get(indicator__code="rumah-dibedah", regency=None, year=2024).value == 8400
    )

    lowered = "gbrss;rumah-dibedah;;2024;8.000;;;;"
    preview = upload(client, csv_file("\n".join([header, lowered])), kind="targets")
    assert states(preview) == ["error"]
    assert error_reasons(preview) == [
        "Target provinsi (8.000) lebih kecil dari jumlah alokasi kabupaten/kota tahun 2024 "
        "(8.392). Isi target provinsi paling sedikit 8.392, atau kurangi dulu alokasi "
        "kabupaten/kota."
    ]


def test_an_upload_after_the_session_ended_sends_the_browser_to_log_in(operator):
    """The upload is sent with htmx: after the session ended it was redirected to the
    login page, which htmx put inside the import page; that login form posted the
    password to /impor/ and the operator landed on an empty login page, having typed it
    for nothing. The browser is now sent to log in, then back to the import page."""
    client = Client()  # no session
    upload_file = SimpleUploadedFile("laporan.csv", b"program;indikator\n", content_type="text/csv")

    response = client.post(
        "/impor/", {"jenis": "realizations", "berkas": upload_file}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 401
    assert not response.content  # nothing put into the page
    assert response["HX-Redirect"] == "/akun/masuk/?next=/impor/"
    assert not ImportBatch.objects.exists()
    page_request = client.get("/impor/")  # a page is still redirected, as before
    assert page_request.status_code == 302
    assert page_request["Location"] == "/akun/masuk/?next=/impor/"


def test_a_target_for_a_year_before_the_launch_is_a_row_error(admin_user):
    """The admin refuses a GBRSS target for 2004 (launched 2024): so does the import,
    at preview, rather than failing when applied."""
    file = xlsx(
        [["gbrss", "rumah-dibedah", "16.07", 2004, 120, None, "", "Rakor", ""]],
        header=TARGET_HEADER,
    )
    preview = upload(login(admin_user), file, kind="targets")
    assert error_reasons(preview) == [
        "Program GBRSS diluncurkan 21 Februari 2024: target paling awal untuk tahun 2023. "
        "Periksa tahunnya."
    ]
