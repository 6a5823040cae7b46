"""Dashboard pages: numbers against hand-computed values, htmx partials, visibility and
query counts that do not grow with the number of regencies."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from programs import ytd
from programs.models import FundingSource, Indicator, MonthlyReport, Program, Target
from regencies.models import Regency
from tests.conftest import submitted_at
from tests.factories import (
    MonthlyReportFactory,
    RealizationFactory,
    RegencyFactory,
    TargetFactory,
)
from tests.helpers import (
    add_synthetic_regencies,
    attribute,
    cells,
    element_text,
    executed_sql,
    figure_text,
    find,
    find_all,
    is_whole_page,
    json_scripts,
    page,
    table_row,
)

# 27 June 2025 (tests/conftest.py): 2024 is over, its December the last closed month.
pytestmark = pytest.mark.usefixtures("frozen_clock")

D = Decimal
HTMX = {"HTTP_HX_REQUEST": "true"}


def card(response, program_slug):
    """An overview card, as parsed HTML."""
    return find(page(response), "article", data_program=program_slug)


def states(row) -> list[str]:
    """The data-state of each month cell of a completeness row."""
    found = (dict(td.attributes).get("data-state") for td in find_all(row, "td"))
    return [state for state in found if state]


def regency_order(response, table_id) -> list[str]:
    """The regency codes of a table's rows, top to bottom."""
    rows = find_all(find(page(response), id=table_id), "tr")
    return [
        dict(r.attributes)["data-regency"] for r in rows if dict(r.attributes).get("data-regency")
    ]


def table_body(response, table_id) -> list[list[str]]:
    """The cell texts of each row in a table's body."""
    return [cells(r) for r in find_all(find(find(page(response), id=table_id), "tbody"), "tr")]


# --- Overview ---------------------------------------------------------------------------


def test_overview_shows_verified_figures_to_anonymous_visitors(client, gbrss_data):
    response = client.get("/?tahun=2024&bulan=12&terverifikasi=0")
    gbrss = card(response, "gbrss")
    assert "8.391 rumah" in element_text(gbrss)
    assert "30 rumah" in element_text(gbrss)  # 10 + 15 + 5 verified; OKU's submitted 20 hidden
    assert "*" not in element_text(find(gbrss, "dd", data_figure="realization"))
    note = find(page(response), "span", class_="filter-note")
    assert element_text(note) == "Menampilkan data terverifikasi saja."


def test_overview_shows_provisional_figures_marked_to_officials(client, gbrss_data, pimpinan):
    gbrss = card(client.get("/?tahun=2024&bulan=12"), "gbrss")
    assert "50 rumah" in element_text(gbrss)
    assert element_text(find(gbrss, "abbr", title="sementara")) == "*"
    verified = card(client.get("/?tahun=2024&bulan=12&terverifikasi=1"), "gbrss")
    assert "30 rumah" in element_text(verified)


def test_overview_says_plainly_when_a_program_has_no_indicator_or_target(client, gbrss_data):
    response = client.get("/?tahun=2024")
    energy = card(response, "mandiri-energi")
    assert "Belum ada indikator maupun target" in element_text(energy)
    assert "belum ada target" in element_text(card(response, "gpmss"))


def test_overview_milestone_and_campaign_deadline(client, gbrss_data):
    gbrss = element_text(card(client.get("/?tahun=2024"), "gbrss"))
    assert "Menjelang HUT ke-78 Sumsel: 1.778 rumah paling lambat 15 Mei 2024" in gbrss


@pytest.mark.parametrize(
    "today, text",
    [
        (dt.date(2024, 5, 15), "1.778 rumah paling lambat 15 Mei 2024 (hari ini)"),
        (dt.date(2024, 5, 14), "1.778 rumah paling lambat 15 Mei 2024 (1 hari lagi)"),
        (dt.date(2024, 12, 31), "Batas waktu 31 Desember 2024: hari ini"),
    ],
)
def test_a_deadline_on_its_own_day_reads_today(client, gbrss_data, text):
    gbrss = element_text(card(client.get("/?tahun=2024"), "gbrss"))
    assert text in gbrss and not re.search(r"(?<![0-9.])0 hari lagi", gbrss)


def test_a_later_year_with_targets_set_is_shown_as_this_year(client, reference_data):
    """27 June 2025, 2026's targets already set: ?tahun=2026&bulan=12 used to show "2026
    s.d. Desember" counting 2026's schedule to a day of 2025; a year that has not begun is
    this year up to today, as ?tahun=2025&bulan=6 is (the day needs no year)."""
    houses = Indicator.objects.get(code="rumah-dibedah")
    TargetFactory(indicator=houses, year=2026, value=D(1000))
    later = element_text(page(client.get("/program/gbrss/?tahun=2026&bulan=12")))
    this_year = element_text(page(client.get("/program/gbrss/?tahun=2025&bulan=6")))
    assert "2025, s.d. Juni" in later and "2026, s.d." not in later
    assert "Seharusnya s.d. 27 Juni " in later and "27 Juni 2025" not in later
    assert later == this_year


def test_scorecard_ranks_and_sorts_by_a_program_column(client, gbrss_data, pimpinan):
    response = client.get("/?tahun=2024&bulan=12&urutkan=gbrss")
    # Banyuasin 25/100 = 25 %, OKU 25/50 = 50 % (5 verified + 20 submitted)
    oku = table_row(response, "scorecard", "16.01")
    banyuasin = table_row(response, "scorecard", "16.07")
    assert "50,0 %" in element_text(oku) and "25,0 %" in element_text(banyuasin)
    assert regency_order(response, "scorecard")[:2] == ["16.01", "16.07"]
    assert "1" in cells(oku) and "2" in cells(banyuasin)  # their ranks
    ascending = client.get("/?tahun=2024&bulan=12&urutkan=-gbrss")
    order = regency_order(ascending, "scorecard")
    assert order.index("16.07") < order.index("16.01")


def test_overview_completeness_of_last_closed_month(client, gbrss_data):
    response = client.get("/?tahun=2024&bulan=12")
    summary = find(page(response), "table", id="completeness-summary")
    gbrss = next(r for r in find_all(summary, "tr") if cells(r)[0] == "GBRSS")
    # December 2024 is the last closed month; nobody reported it in this data.
    assert cells(gbrss)[1] == "0 dari 17"
    section = find(page(response), "section", aria_labelledby="h-completeness")
    assert element_text(find(section, "p", class_="legend")).startswith(
        "Laporan bulan Desember 2024 (bulan terakhir yang sudah lewat batas waktu)."
    )


def test_overview_as_htmx_partial_and_history_restore(client, gbrss_data):
    partial = client.get("/?tahun=2024", **HTMX)
    assert partial.status_code == 200
    assert not is_whole_page(partial)
    assert page(partial).name == "div" and ("id", "page-body") in page(partial).attributes
    assert "HX-Request" in partial["Vary"]
    restore = client.get("/?tahun=2024", HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HTMX)
    assert is_whole_page(restore)
    full = client.get("/?tahun=2024")
    assert is_whole_page(full) and "HX-Request" in full["Vary"]


def test_bad_filter_values_fall_back_to_defaults(client, gbrss_data):
    response = client.get("/?tahun=zzz&bulan=13&indikator=%3Cscript%3E")
    assert response.status_code == 200
    assert element_text(find(page(response), "h1")).startswith("Capaian Gerakan Serentak 2024")
    scripts = [dict(e.attributes) for e in find_all(find(page(response), "body"), "script")]
    # nothing injected: every script in the body is a file or a JSON data block
    assert all("src" in a or a.get("type") == "application/json" for a in scripts)


@pytest.mark.parametrize("url", ["/", "/?tahun=zzz", "/kelengkapan/", "/program/gbrss/"])
def test_a_page_without_a_year_reads_the_years_once(client, gbrss_data, url):
    """The default year and the year menu come from one read of the years with data."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200 and response["X-Page-Cache"] == "miss"
    assert len([sql for sql in executed_sql(queries) if "RECURSIVE years" in sql]) == 1
    assert ">2024</option>" in response.content.decode()  # the menu, and the year shown


def test_private_dashboard_requires_login(client, gbrss_data, settings):
    settings.PUBLIC_DASHBOARD = False
    response = client.get("/program/gbrss/")
    assert response.status_code == 302
    assert response["Location"].startswith("/akun/masuk/")


def test_a_private_dashboards_filter_after_the_session_ended_sends_the_browser_to_log_in(
    client, gbrss_data, settings
):
    """A filter chosen once the session had ended (htmx) was redirected to the login page,
    which htmx put in place of the table; its form posted the password to the dashboard's
    address and the visitor landed on an empty login page. The browser is sent to log
    in, then back to the filtered page."""
    settings.PUBLIC_DASHBOARD = False
    response = client.get("/program/gbrss/?tahun=2024", HTTP_HX_REQUEST="true")
    assert response.status_code == 401
    assert not response.content  # nothing put into the page
    assert response["HX-Redirect"] == "/akun/masuk/?next=/program/gbrss/%3Ftahun%3D2024"


# --- Program page -----------------------------------------------------------------------


def test_allocations_stored_above_the_province_target_are_said_so_never_negative(
    client, gbrss_data
):
    """Stored before the admin refused it (or written by the load-test seed): Muara
    Enim's 8.242 houses on top of 100 + 50 allocate 8.392, one above 8.391. The page said
    "Target belum dialokasikan -1"; it says by how much the allocations exceed the
    province target, and so does the table export."""
    houses = Indicator.objects.get(code="rumah-dibedah")
    TargetFactory(indicator=houses, regency=Regency.objects.get(code="16.03"), value=D(8242))

    response = client.get("/program/gbrss/?tahun=2024&bulan=12")

    assert figure_text(response, "over-allocated") == "Alokasi melebihi target provinsi sebanyak 1"
    assert not find_all(page(response), data_figure="unallocated")
    export = client.get("/unduh/program/gbrss.csv?tahun=2024&bulan=12")
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "Alokasi melebihi target provinsi sebanyak;1" in text
    assert "belum dialokasikan" not in text


def test_bars_caption_says_why_there_are_no_bars_instead_of_how_they_are_sorted(client, gbrss_data):
    """GPMSS has no target: its program page read 'Diurutkan dari capaian tertinggi'
    under an empty bar list."""
    MonthlyReportFactory(
        program=Program.objects.get(slug="gpmss"),
        regency=Regency.objects.get(code="16.07"),
        year=2024,
        month=1,
        status=MonthlyReport.Status.VERIFIED,
    )
    html = page(client.get("/program/gpmss/?tahun=2024"))
    caption = element_text(find(html, "p", id="bars-note"))
    assert "Diurutkan" not in caption
    assert caption.startswith("Indikator ini belum punya target, jadi tidak ada capaian")
    assert find_all(html, "ol", id="achievement-bars") == []
    assert find_all(html, "p", class_="hbars-note") == []
    # A program with bars keeps its sorting caption.
    html = page(client.get("/program/gbrss/?tahun=2024"))
    assert element_text(find(html, "p", id="bars-note")).startswith("Diurutkan dari capaian")
    # A province target not yet divided among the regencies says so.
    Target.objects.filter(indicator__code="rumah-dibedah", regency__isnull=False).delete()
    html = page(client.get("/program/gbrss/?tahun=2024"))
    caption = element_text(find(html, "p", id="bars-note"))
    assert caption.startswith("Target provinsi belum dibagi ke kabupaten/kota")


def test_program_page_figures_table_and_charts(client, gbrss_data, pimpinan):
    response = client.get("/program/gbrss/?tahun=2024&bulan=12")
    assert figure_text(response, "target") == "8.391"
    assert figure_text(response, "realization") == "50*"
    assert figure_text(response, "unallocated") == "8.241"  # 8391 - (100 + 50)
    banyuasin = table_row(response, "regency-table", "16.07")
    assert {"100", "25", "25,0 %"} <= set(cells(banyuasin))
    assert "Maret: Draf" in element_text(banyuasin)
    oku = cells(table_row(response, "regency-table", "16.01"))
    assert "45*" not in oku and "25*" in oku and "Februari: Diajukan" in " ".join(oku)

    # The bars (HTML and SVG, no script): best on top, each a link, the expected mark.
    html = page(response)
    bars = find_all(find(html, "ol", id="achievement-bars"), "li")
    assert [attribute(li, "data-regency") for li in bars] == ["16.01", "16.07"]
    oku = bars[0]
    # 2024 s.d. Desember is the default period here (no later data): not in the link.
    assert attribute(find(oku, "a"), "href") == "/wilayah/16.01/"
    assert element_text(find(oku, "span", class_="hbar-value")).startswith("50,0 %")
    fill = find(oku, "rect", class_="hbar-fill")
    assert attribute(fill, "width") == "50" and "fill-behind" in attribute(fill, "class")
    assert attribute(find(oku, "rect", class_="hbar-expected"), "x") == "100"  # year over
    note = element_text(find(html, "p", class_="hbars-note"))
    assert note == "Garis gelap: seharusnya 100,0 % s.d. 31 Desember."

    # The map (server-drawn SVG): status colours; names and statuses listed beside it.
    areas = find_all(find(html, id="program-map"), "a", tabindex="-1")
    assert len(areas) == 17
    assert all(attribute(a, "href").startswith("/wilayah/16.") for a in areas)
    status = {attribute(a, "data-regency"): attribute(a, "data-status") for a in areas}
    assert status["16.07"] == status["16.01"] == "behind"
    assert list(status.values()).count("no_target") == 15
    behind = [a for a in areas if attribute(a, "data-status") == "behind"]
    assert {attribute(find(a, "path"), "fill") for a in behind} == {"#D55E00"}  # the bars'
    listed = find(find(html, "ol", class_="map-list"), "li", data_regency="16.07")
    assert element_text(find(listed, "a")) == "Banyuasin"
    assert element_text(find(listed, "span", class_="status-behind")) == "Tertinggal"

    trend = json_scripts(response)["chart-trend"]
    # Cumulative, drafts excluded; 2024 is over and nothing was counted after February
    # (March is a draft): the line stops there instead of running flat to December.
    assert trend["data"][0]["y"] == [15.0, 50.0] + [None] * 10
    assert trend["data"][1]["y"][-1] == 8391.0


def test_program_page_breakdown_by_source_and_planned_split(client, gbrss_data, pimpinan):
    response = client.get("/program/gbrss/?tahun=2024&bulan=12")
    sources = {
        label.removesuffix(" mitra"): value
        for label, value in table_body(response, "sources-table")
    }
    assert sources["APBN"] == "20"
    assert sources["Baznas Provinsi Sumsel"] == "15"
    assert sources["APBD Provinsi Sumatera Selatan"] == "10"
    assert sources["PT Bukit Asam (PTBA)"] == "5"
    splits = table_body(response, "splits-table")
    assert ["APBD (provinsi dan kab/kota)", "3.666", "10"] in splits
    assert ["CSR perusahaan", "75", "0"] in splits
    # PTBA is a BUMN partner: outside the planned groups it shows as the rest
    assert "Lainnya / tidak dirinci" in [label for label, *_numbers in splits]


def test_program_table_shows_each_regencys_latest_report_and_its_timeliness(
    client, gbrss_data, pimpinan
):
    """ "Laporan terakhir", "Ketepatan waktu" and the months due without a report, worked
    by hand from gbrss_data (a month's report is due on the 10th of the next month; the
    fixture submits on the 5th, Banyuasin's February on 14 March; on 27 June 2025 every
    month of 2024 is due, from the launch in February, January too where reported).
    Officials see the latest report in any state, visitors the latest verified one."""
    url = "/program/gbrss/?tahun=2024&bulan=12"
    officials = client.get(url)
    # Banyuasin: the March draft (first submitted 5 April, before 10 April); January and
    # February submitted, the draft March and April to December not: 10 of 12 months.
    assert cells(table_row(officials, "regency-table", "16.07"))[5:] == [
        "Maret: Draf",
        "tepat waktu",
        "10",
    ]
    # OKU: February submitted on 5 March; March to December missing.
    assert cells(table_row(officials, "regency-table", "16.01"))[5:] == [
        "Februari: Diajukan",
        "tepat waktu",
        "10",
    ]
    # OKI: no report at all; February (the launch) to December due.
    assert cells(table_row(officials, "regency-table", "16.02"))[5:] == ["belum ada", "–", "11"]
    visitors = Client().get(url)
    assert cells(table_row(visitors, "regency-table", "16.07"))[5:] == [
        "Februari: Terverifikasi",
        "terlambat",  # 14 March, after 10 March
        "10",
    ]
    # OKU's submitted February is not verified: visitors count it missing.
    assert cells(table_row(visitors, "regency-table", "16.01"))[5:] == [
        "Januari: Terverifikasi",
        "tepat waktu",
        "11",
    ]
    # Up to January only: Banyuasin's January (5 February).
    january = client.get("/program/gbrss/?tahun=2024&bulan=1")
    assert cells(table_row(january, "regency-table", "16.07"))[5:] == [
        "Januari: Terverifikasi",
        "tepat waktu",
        "0",
    ]
    # Before the launch nothing was due from a regency that did not report.
    assert cells(table_row(january, "regency-table", "16.02"))[5:] == ["belum ada", "–", "–"]


GAPS = "/program/gbrss/?tahun=2025&bulan=10"


def gap_columns(response, code: str) -> list[str]:
    """A regency's "Laporan terakhir", "Ketepatan waktu" and months-missing cells."""
    return cells(table_row(response, "regency-table", code))[5:]


@pytest.mark.parametrize("today", [dt.date(2025, 11, 30)])
def test_program_table_counts_the_months_a_regency_stopped_reporting(
    client, reporting_gaps, pimpinan
):
    """Banyuasin reported March on time and nothing since: on 30 November (October due on
    10 November) April to October are seven months missing, beside its on-time March."""
    response = client.get(GAPS)
    assert gap_columns(response, "16.07") == ["Maret: Terverifikasi", "tepat waktu", "7"]
    missing = find(table_row(response, "regency-table", "16.07"), "td", data_missing="7")
    assert "overdue" in attribute(missing, "class")
    # OKU: January to June submitted; the returned July, the draft August, September and
    # October are not.
    assert gap_columns(response, "16.01") == ["Agustus: Draf", "–", "4"]
    # OKI: May and June exempt, so July to October only.
    assert gap_columns(response, "16.02") == ["April: Terverifikasi", "tepat waktu", "4"]
    # Lahat, exempt the whole year: nothing was due.
    assert gap_columns(response, "16.04") == ["belum ada", "–", "–"]
    assert cells(table_row(response, "regency-table", "16.04"))[4] == "Tidak wajib"
    # Muara Enim: nothing at all, ten months.
    assert gap_columns(response, "16.03") == ["belum ada", "–", "10"]
    headers = [element_text(th) for th in find_all(find(page(response), id="regency-table"), "th")]
    assert "Bulan belum diajukan" in headers
    note = element_text(find(page(response), "p", id="missing-note"))
    assert note.startswith("Bulan belum diajukan: bulan yang sudah jatuh tempo s.d. Oktober")
    assert note.endswith("Laporan suatu bulan jatuh tempo pada tanggal 10 bulan berikutnya.")
    # The chosen month bounds the count: up to June, Banyuasin misses April to June and
    # OKI nothing (its May and June exempt).
    june = client.get("/program/gbrss/?tahun=2025&bulan=6")
    assert gap_columns(june, "16.07") == ["Maret: Terverifikasi", "tepat waktu", "3"]
    assert gap_columns(june, "16.02") == ["April: Terverifikasi", "tepat waktu", "0"]


@pytest.mark.parametrize("today", [dt.date(2025, 11, 5)])
def test_a_month_not_yet_due_is_not_missing(client, reporting_gaps, pimpinan):
    """On 5 November October's reports are not due until the 10th: Banyuasin misses April
    to September, Muara Enim January to September."""
    response = client.get(GAPS)
    assert gap_columns(response, "16.07") == ["Maret: Terverifikasi", "tepat waktu", "6"]
    assert gap_columns(response, "16.03") == ["belum ada", "–", "9"]


@pytest.mark.parametrize("today", [dt.date(2025, 11, 30)])
def test_visitors_count_months_without_a_verified_report(client, reporting_gaps, pimpinan):
    """Visitors see verified data only, as on the completeness page: OKU's submitted April
    to June are missing for them (seven months), not for officials (four)."""
    assert gap_columns(client.get(GAPS), "16.01") == ["Agustus: Draf", "–", "4"]
    visitors = Client().get(GAPS)
    assert gap_columns(visitors, "16.01") == ["Maret: Terverifikasi", "tepat waktu", "7"]
    assert gap_columns(visitors, "16.07") == ["Maret: Terverifikasi", "tepat waktu", "7"]
    headers = [element_text(th) for th in find_all(find(page(visitors), id="regency-table"), "th")]
    assert "Bulan belum terverifikasi" in headers and "Bulan belum diajukan" not in headers
    note = element_text(find(page(visitors), "p", id="missing-note"))
    assert note.startswith("Bulan belum terverifikasi: bulan yang sudah jatuh tempo s.d. Oktober")
    # The same figure as the completeness page's rate for the same months.
    grid = table_row(
        Client().get("/kelengkapan/?tahun=2025&bulan=10&program=gbrss"),
        "completeness-grid",
        "16.01",
    )
    assert cells(grid)[-2] == "30,0 %"  # 3 of 10 verified: 7 missing


def test_raw_realization_download_is_offered_to_officials_only(client, gbrss_data, pimpinan):
    url = "/program/gbrss/?tahun=2024&bulan=12"
    raw = "/unduh/realisasi.csv?tahun=2024&bulan=12&program=gbrss"
    assert find_all(page(Client().get(url)), "a", href=raw) == []  # anonymous
    assert len(find_all(page(client.get(url)), "a", href=raw)) == 1  # pimpinan


def test_program_page_verified_only(client, gbrss_data, pimpinan):
    response = client.get("/program/gbrss/?tahun=2024&bulan=12&terverifikasi=1")
    assert figure_text(response, "realization") == "30"  # 10 + 15 + 5 verified


def test_program_page_month_filter(client, gbrss_data, pimpinan):
    response = client.get("/program/gbrss/?tahun=2024&bulan=1")
    assert figure_text(response, "realization") == "15"  # January: 10 + 5


def test_program_page_ratio_indicator_tab(client, reference_data, pimpinan):
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
    response = client.get("/program/gpstss/?tahun=2024&indikator=prevalensi-stunting")
    # 31 / 210 = 14,76 %, not the 12,50 % an average of percentages would give
    assert figure_text(response, "realization") == "14,76"
    assert "tidak dirinci menurut sumber dana" in element_text(page(response))


@pytest.fixture
def deflation(reference_data):
    """GPISS February 2024, verified: Palembang (16.71) and the province report a
    year-on-year deflation of -0,09 % (BPS, nationally, February 2025). Palembang's
    target 2,5 % has no baseline; the province's (fixtures) has 3,35 %."""
    program = Program.objects.get(slug="gpiss")
    inflation = Indicator.objects.get(program=program, code="inflasi-yoy")
    palembang = Regency.objects.get(code="16.71")
    TargetFactory(indicator=inflation, regency=palembang, value=D("2.5"))
    for regency in (palembang, None):
        rep = MonthlyReportFactory(
            program=program,
            regency=regency,
            year=2024,
            month=2,
            status=MonthlyReport.Status.VERIFIED,
            first_submitted_at=submitted_at(2024, 3, 5),
            verified_at=submitted_at(2024, 3, 20),
        )
        RealizationFactory(
            report=rep,
            indicator=inflation,
            funding_source=FundingSource.objects.get(code="tidak-dirinci"),
            value=D("-0.09"),
        )


def test_a_deflation_shows_as_a_negative_level_on_track(client, deflation):
    """-0,09 in id-ID (never --0,09 nor (0,09)); below a `down` target is on track: 100 %
    without a baseline, (3,35 + 0,09) / (3,35 - 2,5) = 404,7 % with one."""
    response = client.get("/program/gpiss/?tahun=2024&bulan=12")
    assert response.status_code == 200
    assert figure_text(response, "realization") == "-0,09"
    palembang = cells(table_row(response, "regency-table", "16.71"))
    assert {"2,50", "-0,09", "100,0 %", "Sesuai jadwal"} <= set(palembang), palembang
    html = page(response)
    area = find(find(html, id="program-map"), "a", data_regency="16.71")
    assert attribute(area, "data-status") == "on_track"
    bar = find(find(html, "ol", id="achievement-bars"), "li", data_regency="16.71")
    assert element_text(find(bar, "span", class_="hbar-value")).startswith("100,0 %")
    trend = json_scripts(response)["chart-trend"]
    assert trend["data"][0]["y"][:2] == [None, -0.09]
    assert trend["data"][0]["hovertext"][1] == "Feb: -0,09 %"
    text = element_text(html)
    assert "--0,09" not in text and "(0,09)" not in text

    overview = card(client.get("/?tahun=2024&bulan=12"), "gpiss")
    assert "-0,09 %" in element_text(overview)
    assert "404,7 %" in element_text(overview)

    regency = client.get("/wilayah/16.71/?tahun=2024&bulan=12")
    block = find(page(regency), "article", data_indicator="inflasi-yoy")
    assert "-0,09" in cells(find(block, "tr", data_row="regency"))
    assert json_scripts(regency)["trend-inflasi-yoy"]["data"][0]["y"][:2] == [None, -0.09]


def test_a_down_target_without_baseline_is_reached_at_100_percent_never_thousands(
    client, deflation
):
    """Palembang's inflation target 2,5 % has no baseline; in March it reports 0,01 %.
    Target / realization read 25.000,0 % on the table, bars, scorecard, export and API:
    below a `down` target without a baseline the target is reached, 100 %, everywhere,
    and where it should be stays at the target (it rose from 0 to 2,5 over the year)."""
    rep = MonthlyReportFactory(
        program=Program.objects.get(slug="gpiss"),
        regency=Regency.objects.get(code="16.71"),
        year=2024,
        month=3,
        status=MonthlyReport.Status.VERIFIED,
        first_submitted_at=submitted_at(2024, 4, 5),
        verified_at=submitted_at(2024, 4, 20),
    )
    RealizationFactory(
        report=rep,
        indicator=Indicator.objects.get(code="inflasi-yoy"),
        funding_source=FundingSource.objects.get(code="tidak-dirinci"),
        value=D("0.01"),
    )
    response = client.get("/program/gpiss/?tahun=2024&bulan=12")
    palembang = cells(table_row(response, "regency-table", "16.71"))
    assert {"2,50", "0,01", "100,0 %", "Sesuai jadwal"} <= set(palembang), palembang
    bar = find(find(page(response), "ol", id="achievement-bars"), "li", data_regency="16.71")
    assert element_text(find(bar, "span", class_="hbar-value")).startswith("100,0 %")
    assert "25.000" not in element_text(page(response))

    regency = client.get("/wilayah/16.71/?tahun=2024&bulan=12")
    block = find(page(regency), "article", data_indicator="inflasi-yoy")
    assert "100,0 %" in cells(find(block, "tr", data_row="regency"))

    overview = client.get("/?tahun=2024&bulan=12")
    scorecard = find(table_row(overview, "scorecard", "16.71"), "td", data_program="gpiss")
    assert element_text(scorecard).startswith("100,0 %")

    export = client.get("/unduh/program/gpiss.csv?tahun=2024&bulan=12")
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    row = next(line for line in text.splitlines() if line.startswith("16.71;"))
    assert ";100;" in row or ";100,00;" in row, row

    api = client.get("/api/v1/progress/?tahun=2024&bulan=12&program=gpiss&wilayah=16.71")
    (result,) = api.json()["results"]
    assert result["achievement"] == 100 and result["status"] == "on_track"
    assert result["expected_value"] == 2.5


def test_a_zero_target_is_reached_never_no_data_beside_its_figure(client, gbrss_data):
    """OKU's GBRSS allocation set to 0 houses, with 5 verified: the row read "Belum ada
    data" next to its 5 houses (no achievement from a division by zero); a zero target
    is reached by any figure."""
    Target.objects.filter(indicator__code="rumah-dibedah", regency_id="16.01").update(value=D(0))
    response = client.get("/program/gbrss/?tahun=2024&bulan=12")
    oku = cells(table_row(response, "regency-table", "16.01"))
    assert {"0", "5", "100,0 %", "Sesuai jadwal"} <= set(oku), oku
    assert "Belum ada data" not in oku


def test_program_page_partial_unknown_and_empty(client, gbrss_data):
    partial = client.get("/program/gbrss/?tahun=2024", **HTMX)
    assert not is_whole_page(partial) and "HX-Request" in partial["Vary"]
    assert client.get("/program/tidak-ada/").status_code == 404
    energy = element_text(page(client.get("/program/mandiri-energi/")))
    assert "Belum ada indikator maupun target" in energy


# --- Regency and completeness pages -----------------------------------------------------


def test_regency_page_compares_with_province(client, gbrss_data, pimpinan):
    response = client.get("/wilayah/16.07/?tahun=2024&bulan=12")
    assert element_text(find(page(response), "h1")).startswith("Kab. Banyuasin")
    block = find(page(response), "article", data_indicator="rumah-dibedah")
    assert cells(find(block, "tr", data_row="regency"))[1:4] == ["100", "25", "25,0 %"]
    province = cells(find(block, "tr", data_row="province"))
    assert "8.391" in province and "50*" in province
    trend = json_scripts(response)["trend-rumah-dibedah"]
    assert trend["data"][0]["y"][:3] == [10.0, 15.0, None]
    matrix = find(page(response), "table", id="status-matrix")
    gbrss = next(r for r in find_all(matrix, "tr") if cells(r) and cells(r)[0] == "GBRSS")
    assert len(find_all(gbrss, "td", data_state="verified")) == 2
    assert find_all(gbrss, "td", data_state="missing")
    assert client.get("/wilayah/99.99/").status_code == 404
    assert not is_whole_page(client.get("/wilayah/16.07/", **HTMX))


def test_an_unknown_scorecard_order_is_the_default_ranking_never_its_reverse(
    client, gbrss_data, pimpinan
):
    """`?urutkan=-junk` (a link cut short, a typo) listed the ranking upside down, last
    regency first, and the export said "(urutan terbalik)"; it is the default ranking."""
    default = regency_order(client.get("/?tahun=2024&bulan=12"), "scorecard")
    for junk in ("-junk", "-", "junk"):
        response = client.get(f"/?tahun=2024&bulan=12&urutkan={junk}")
        assert regency_order(response, "scorecard") == default, junk
    export = client.get("/unduh/rapor.csv?tahun=2024&bulan=12&urutkan=-junk")
    assert "terbalik" not in b"".join(export.streaming_content).decode("utf-8-sig")


def test_non_ascii_digits_are_no_year_on_pages_as_in_the_api_and_saved_views(
    client, gbrss_data, pimpinan
):
    """`?tahun=٢٠٢٤&bulan=٣` (Arabic-Indic digits) opened 2024 s.d. Maret on pages and
    exports, while the API refused it and a saved view dropped it (opening the default
    year): the pages read ASCII digits only, and show their defaults as for any odd value."""
    heading = element_text(find(page(client.get("/")), "h1"))
    for odd in ("tahun=٢٠٢٤&bulan=٣", "tahun=２０２４&bulan=３"):
        response = client.get(f"/?{odd}")
        assert element_text(find(page(response), "h1")) == heading, odd
    default_csv = b"".join(client.get("/unduh/rapor.csv").streaming_content)
    odd_csv = b"".join(client.get("/unduh/rapor.csv?tahun=٢٠٢٤&bulan=٣").streaming_content)
    year = [line for line in default_csv.decode("utf-8-sig").splitlines() if "Tahun;" in line]
    assert year and year[0] in odd_csv.decode("utf-8-sig").splitlines()
    assert client.get("/api/v1/progress/?tahun=٢٠٢٤").status_code == 400


def test_regency_page_and_export_say_tidak_wajib_where_the_regency_is_exempt(client, gbrss_data):
    """Banyuasin does not report GPISS (inflation: the four BPS cities only). Given a
    target all the same, its page and export read "Belum ada data" where the program page,
    the scorecard and the API say "Tidak wajib"; now they all say "Tidak wajib"."""
    inflation = Indicator.objects.get(code="inflasi-yoy")
    TargetFactory(indicator=inflation, regency=Regency.objects.get(code="16.07"), value=D("2.5"))
    period = "?tahun=2024&bulan=12"
    response = client.get(f"/wilayah/16.07/{period}")
    block = find(page(response), "article", data_indicator="inflasi-yoy")
    status = find(block, "p", class_="status")
    assert element_text(status) == "Tidak wajib"
    assert attribute(status, "data-status") == "not_required"
    houses = find(page(response), "article", data_indicator="rumah-dibedah")
    assert element_text(find(houses, "p", class_="status")) == "Tertinggal"

    export = client.get(f"/unduh/wilayah/16.07.csv{period}")
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    row = next(line for line in text.splitlines() if ";inflasi-yoy;" in line).split(";")
    assert row[9] == "Tidak wajib", row
    program = cells(table_row(client.get(f"/program/gpiss/{period}"), "regency-table", "16.07"))
    assert "Tidak wajib" in program
    api = client.get(f"/api/v1/progress/{period}&program=gpiss&wilayah=16.07").json()
    assert api["results"][0]["status_label"] == "Tidak wajib"


def test_regency_page_names_a_program_without_acronym_once(client, reference_data):
    """Mandiri Energi has no acronym: its heading is its name, not the name twice."""
    response = client.get("/wilayah/16.07/?tahun=2024&bulan=12")
    heading = element_text(find(page(response), "h2", id="h-mandiri-energi"))
    name = Program.objects.get(slug="mandiri-energi").name
    assert heading.count(name) == 1, heading
    gbrss = element_text(find(page(response), "h2", id="h-gbrss"))
    assert gbrss.startswith("GBRSS") and Program.objects.get(slug="gbrss").name in gbrss


def test_program_map_tells_exempt_regencies_from_missing_data(client, deflation):
    """GPISS: thirteen regencies do not report inflation. The map painted them in the
    "Belum ada data" grey, and its legend had no "Tidak wajib"; now they have their own
    colour, named in the legend."""
    html = page(client.get("/program/gpiss/?tahun=2024&bulan=12"))
    area = find(find(html, "svg", id="program-map"), "a", data_regency="16.07")
    assert attribute(area, "data-status") == "not_required"
    fill = attribute(find(area, "path"), "fill")
    assert fill not in ("#BDBDBD", "#8C8C8C", "#009E73", "#D55E00")
    legend = find(html, "p", class_="map-legend")
    assert "Tidak wajib" in element_text(legend)
    gbrss = page(client.get("/program/gbrss/?tahun=2024&bulan=12"))
    assert "Tidak wajib" not in element_text(find(gbrss, "p", class_="map-legend"))


def test_completeness_grid_states_and_rates(client, gbrss_data, pimpinan):
    # Officials see the workflow states; anonymous visitors only verified or not (issue 10).
    public = Client().get("/kelengkapan/?tahun=2024&program=gbrss")
    public_states = set(states(table_row(public, "completeness-grid", "16.07")))
    assert public_states <= {"verified", "not_verified", "not_due"}
    response = client.get("/kelengkapan/?tahun=2024&program=gbrss")
    grid = table_row(response, "completeness-grid", "16.07")
    banyuasin = states(grid)
    assert banyuasin[:3] == ["verified", "verified", "missing"]  # March is a draft: missing
    assert banyuasin.count("missing") == 10
    # 2 of 12 due months submitted; January on time, February late (14 March)
    assert "16,7 %" in cells(grid) and "8,3 %" in cells(grid)
    oku = states(table_row(response, "completeness-grid", "16.01"))
    assert oku[:2] == ["verified", "on_time"]
    # 17 regencies x 12 months, but January only where reported: GBRSS was launched on
    # 21 February 2024, and only Banyuasin and OKU reported January anyway.
    assert figure_text(response, "due") == "189"  # 17 x 12 - 15
    partial = client.get("/kelengkapan/?tahun=2024", **HTMX)
    assert not is_whole_page(partial) and "HX-Request" in partial["Vary"]


def test_completeness_counts_a_month_only_once_it_is_due(client, reference_data, pimpinan):
    """27 June 2025: May is due (10 June), June is not (10 July). A June report sent early,
    or sent and returned before its due date, shows in the grid but counts nowhere: every
    regency is judged on January to May (the export reads the same grid)."""
    program = Program.objects.get(slug="gbrss")
    V, S, R = (
        MonthlyReport.Status.VERIFIED,
        MonthlyReport.Status.SUBMITTED,
        MonthlyReport.Status.RETURNED,
    )
    for code, month, status, day in [
        ("16.07", 5, V, 5),  # Banyuasin: May on time
        ("16.07", 6, S, 25),  # ... and June early
        ("16.01", 5, V, 5),  # OKU: May on time
        ("16.01", 6, R, 20),  # ... June sent early, returned on the 21st
        ("16.02", 5, V, 5),  # OKI: May only
    ]:
        MonthlyReportFactory(
            program=program,
            regency=Regency.objects.get(code=code),
            year=2025,
            month=month,
            status=status,
            first_submitted_at=submitted_at(2025, 6, day),
            return_reason="Foto kurang" if status == R else "",
        )

    response = client.get("/kelengkapan/?tahun=2025&bulan=6&program=gbrss")

    rows = {
        code: table_row(response, "completeness-grid", code) for code in ("16.07", "16.01", "16.02")
    }
    assert [states(rows[code])[4:] for code in rows] == [
        ["verified", "on_time"],
        ["verified", "returned"],
        ["verified", "not_due"],
    ]
    # Each: 5 months due (January to May), May submitted: 20 %, on time 20 %.
    assert {code: cells(row)[-2:] for code, row in rows.items()} == dict.fromkeys(
        rows, ["20,0 %", "20,0 %"]
    )
    assert figure_text(response, "due") == "85"  # 17 x 5
    assert figure_text(response, "submitted") == "3 (3,5 %)"
    csv = client.get("/unduh/kelengkapan.csv?tahun=2025&bulan=6&program=gbrss")
    text = b"".join(csv.streaming_content).decode("utf-8-sig")
    exported = {line.split(";")[0]: line.split(";")[-5:] for line in text.splitlines()}
    assert {code: exported[code] for code in rows} == dict.fromkeys(
        rows, ["5", "1", "1", "20,00", "20,00"]
    )


def test_completeness_rows_link_each_regency_and_escape_its_name(client, gbrss_data, pimpinan):
    """The grid's rows are built in Python (templatetags/dasbor.py): names are escaped,
    each links to its regency page with the page's filters."""
    RegencyFactory(code="99.01", name='Uji <b>"A" & B</b>')
    response = client.get("/kelengkapan/?tahun=2024&bulan=3&program=gbrss")
    row = table_row(response, "completeness-grid", "99.01")
    link = find(row, "a")
    assert element_text(link) == 'Uji <b>"A" & B</b>'
    assert attribute(link, "href") == "/wilayah/99.01/?tahun=2024&bulan=3&program=gbrss"
    assert states(row) == ["not_required", "missing", "missing"]  # before the launch
    assert cells(row)[-2:] == ["0,0 %", "0,0 %"]
    banyuasin = find(table_row(response, "completeness-grid", "16.07"), "th")
    assert element_text(banyuasin) == "Banyuasin"


@pytest.mark.parametrize(
    ("language", "names"),
    [("id", {3: "Maret", 5: "Mei", 1: "Januari"}), ("en", {3: "March", 5: "May", 1: "January"})],
)
def test_month_menu_and_month_columns_follow_the_language_and_the_chosen_month(
    client, gbrss_data, pimpinan, language, names
):
    """The month menu and the grid's month columns are built once per language
    (templatetags/dasbor.py): each language gets its own names, each page its month."""
    client.cookies["bahasa"] = language
    for month in (3, 5):
        response = client.get(f"/kelengkapan/?tahun=2024&bulan={month}&program=gbrss")
        menu = find_all(find(page(response), "select", id="filter-bulan"), "option")
        assert [attribute(o, "value") for o in menu] == [str(m) for m in range(1, 13)]
        assert element_text(menu[0]) == names[1]
        assert [element_text(o) for o in menu if "selected" in dict(o.attributes)] == [names[month]]
        grid = find(page(response), "table", id="completeness-grid")
        headers = find_all(find(grid, "thead"), "th")[1:-2]
        assert len(headers) == month
        assert [attribute(headers[-1], "abbr"), element_text(headers[-1])] == [
            names[month],
            names[month][:3],
        ]
        assert attribute(headers[0], "class") == "num"


def test_completeness_page_is_sent_as_plain_ascii_and_reads_the_same(client, gbrss_data, pimpinan):
    """The grid's symbols, dashes and any non-ASCII name go out as character references
    (dasbor._ascii: a 1 MB page held as two-byte text was slow to join and encode). A
    browser, and the parser here, read them back as the characters."""
    import datetime as dt

    from programs.models import ReportingExemption

    RegencyFactory(code="99.01", name="Uji Ñamá – ✓")
    ReportingExemption.objects.create(
        regency_id="99.01",
        program=Program.objects.get(slug="gbrss"),
        start=dt.date(2024, 1, 1),
        reason="Uji: tidak wajib",
    )
    response = client.get("/kelengkapan/?tahun=2024&program=gbrss")
    assert response.content.isascii()
    row = table_row(response, "completeness-grid", "99.01")
    assert element_text(find(row, "a")) == "Uji Ñamá – ✓"
    assert cells(row)[-2:] == ["–", "–"]  # nothing due: no rate
    assert set(states(row)) == {"not_required"}
    banyuasin = table_row(response, "completeness-grid", "16.07")
    assert cells(banyuasin)[1] == "Terverifikasi"  # its shape is drawn by app.css
    legend = find(page(response), "ul", class_="state-legend")
    # Each state's name beside its mark (the shape is drawn by app.css, as in the grid).
    assert [
        (attribute(find(item, "span"), "data-state"), element_text(item))
        for item in find_all(legend, "li")
    ] == [
        ("verified", "Terverifikasi"),
        ("on_time", "Diajukan tepat waktu"),
        ("late", "Diajukan terlambat"),
        ("returned", "Dikembalikan"),
        ("missing", "Belum masuk"),
        ("not_due", "Belum jatuh tempo"),
        ("not_required", "Tidak wajib"),
    ]


def test_completeness_up_to_the_chosen_month(client, gbrss_data, pimpinan):
    """'Sampai bulan' limits the grid and its rates (the export: test_exports)."""
    response = client.get("/kelengkapan/?tahun=2024&bulan=2&program=gbrss")
    assert element_text(find(page(response), "h1")).endswith("2024, s.d. Februari")
    grid = table_row(response, "completeness-grid", "16.07")
    assert states(grid) == ["verified", "verified"]  # March onwards not shown
    # Banyuasin: both due months submitted, January on time and February late.
    assert cells(grid)[-2:] == ["100,0 %", "50,0 %"]
    # 17 regencies x 2 months, January (before the launch) only where reported: 2.
    assert figure_text(response, "due") == "19"
    assert figure_text(response, "submitted") == "4 (21,1 %)"  # Banyuasin 2, OKU 2
    # On time (by 10 February / 10 March): both Januaries and OKU's February (5 March);
    # Banyuasin's February came on 14 March.
    assert figure_text(response, "on-time") == "3 (15,8 %)"
    # Without a month, a past year shows all twelve, not up to its latest data (February).
    whole_year = client.get("/kelengkapan/?tahun=2024&program=gbrss")
    assert len(states(table_row(whole_year, "completeness-grid", "16.07"))) == 12


# --- Query counts -----------------------------------------------------------------------

PAGES = [
    "/?tahun=2024&bulan=12",
    "/?tahun=2024&bulan=12&urutkan=gbrss",
    "/program/gbrss/?tahun=2024&bulan=12",
    "/program/gpstss/?tahun=2024&bulan=12&indikator=prevalensi-stunting",
    "/program/gpiss/?tahun=2024&bulan=12",
    "/wilayah/16.07/?tahun=2024&bulan=12",
    "/kelengkapan/?tahun=2024&program=gbrss",
]


@pytest.mark.parametrize("url", PAGES)
def test_query_count_does_not_grow_with_regencies(client, gbrss_data, pimpinan, url):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    ytd.flush()
    at_sumsel_scale = count()
    add_synthetic_regencies(99)
    # Factories write past the services: the first read rebuilds the 99 regencies' slices
    # of the year-to-date table (programs/ytd.py); the page itself stays fixed.
    ytd.flush()
    assert count() == at_sumsel_scale


def test_a_program_and_its_indicators_are_read_in_one_query(
    reference_data, django_assert_num_queries
):
    from programs.dashboards.selectors import program_with_indicators

    with django_assert_num_queries(1):
        gbrss = program_with_indicators("gbrss")
        codes = [i.code for i in gbrss.indicator_list]
        assert all(i.program is gbrss for i in gbrss.indicator_list)
    assert codes == list(
        Indicator.objects.filter(program=gbrss)
        .order_by("order", "code")
        .values_list("code", flat=True)
    )
    empty = Program.objects.create(slug="baru", name="Program baru", active=True)
    assert program_with_indicators("baru") == empty
    assert program_with_indicators("baru").indicator_list == []
    Program.objects.filter(slug="gbrss").update(active=False)
    assert program_with_indicators("gbrss") is None
    assert program_with_indicators("tidak-ada") is None


def test_regency_page_lists_each_months_figure_and_the_scorecard_its_on_track_count(
    client, gbrss_data
):
    """Figures worked out by hand from the fixture. Banyuasin's GBRSS reports: January 10
    houses, February 15 (both verified), March a draft (never counted). On December's
    scorecard a visitor sees verified figures only: OKU at 5 of 50 and Banyuasin at 25 of
    100 are both behind on GBRSS, the one program with data, so neither is on track on any
    program they must report (the same count for both)."""
    response = client.get("/wilayah/16.07/?tahun=2024&bulan=3")
    card = find(page(response), "article", data_indicator="rumah-dibedah")
    monthly = find(find(card, "details", class_="trend-table"), "tbody")
    assert [cells(row) for row in find_all(monthly, "tr")] == [
        ["Januari", "10"],
        ["Februari", "15"],
        ["Maret", "–"],
    ]
    overview = client.get("/?tahun=2024&bulan=12")
    oku, banyuasin = (table_row(overview, "scorecard", code) for code in ("16.01", "16.07"))
    assert cells(oku)[-1] == cells(banyuasin)[-1]
    on_track, obliged = cells(oku)[-1].split("/")
    assert on_track == "0" and int(obliged) >= 1


def test_download_links_name_the_program_the_page_shows(client, gbrss_data, pimpinan):
    """Download links were the page's address plus "&program=" pasted in the template:
    a program the address named but the page did not show went into them. The grid of
    ?program=tidak-ada shows the first program, and its files named "tidak-ada"; the
    GBRSS page opened with ?program=gpsss offered GPSSS's raw data as its own."""
    from programs.dashboards.selectors import programs_with_indicators

    def downloads(response):
        return [
            attribute(a, "href")
            for a in find_all(find(page(response), "p", class_="downloads"), "a")
        ]

    first = programs_with_indicators()[0].slug
    grid = client.get("/kelengkapan/?tahun=2024&bulan=3&program=tidak-ada")
    assert downloads(grid) == [
        f"/unduh/kelengkapan.{kind}?tahun=2024&bulan=3&program={first}" for kind in ("csv", "xlsx")
    ]
    program = client.get("/program/gbrss/?tahun=2024&bulan=3&program=gpsss")
    raw = [href for href in downloads(program) if href.startswith("/unduh/realisasi")]
    assert raw == [
        f"/unduh/realisasi.{kind}?tahun=2024&bulan=3&program=gbrss" for kind in ("csv", "xlsx")
    ]
