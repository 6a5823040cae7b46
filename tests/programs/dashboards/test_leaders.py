"""The leaders' view (issue 14): who is behind at a glance, charts that scale and speak
the language, the one-page meeting summary and saved views."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import translation

from programs.dashboards import charts
from programs.models import FundingSource, Indicator, MonthlyReport, Program, SavedView, Target
from regencies.models import Regency
from tests.factories import MonthlyReportFactory, RealizationFactory, TargetFactory
from tests.helpers import (
    attribute,
    cells,
    element_text,
    find,
    find_all,
    flash_messages,
    json_scripts,
    page,
)

# 27 June 2025 (tests/conftest.py): 2024 is over, its December the last closed month.
pytestmark = pytest.mark.usefixtures("frozen_clock")

D = Decimal


# --- Overview: map, behind list, ranking, completeness ----------------------------------


def test_overview_lists_and_colours_the_regencies_behind_per_program(client, gbrss_data):
    html = page(client.get("/?tahun=2024&bulan=12"))
    gbrss = find(find(html, "ul", id="behind-list"), "li", data_behind="gbrss")
    # The year is over: Banyuasin (25 %) and OKU (10 % verified) are both behind in GBRSS.
    names = find_all(gbrss, "a", class_="behind-name")
    assert [attribute(a, "data-regency") for a in names] == ["16.01", "16.07"]
    assert [element_text(a) for a in names] == ["Ogan Komering Ulu", "Banyuasin"]
    # The map: every real regency drawn, the two behind in the bars' behind colour.
    svg = find(html, "svg", id="overview-map")
    assert len(find_all(svg, "path")) == 17
    behind = find_all(svg, "a", data_status="behind")
    assert [attribute(find(a, "path"), "fill") for a in behind] == ["#D55E00"] * 2
    listed = find(find(html, "ol", class_="map-list"), "li", data_regency="16.07")
    assert element_text(find(listed, "a")) == "Banyuasin"
    assert element_text(find(listed, "span", class_="status-behind")) == "Tertinggal"
    assert "GBRSS" in element_text(find(listed, "span", class_="map-detail"))  # behind on what


def test_behind_list_counts_only_the_regencies_that_must_report(client, gbrss_data):
    """GPISS is reported by the four BPS cities only: with Palembang behind (3,1 % against
    its 2,5 % target from 3,35 %), the list read "1 dari 17", as if thirteen exempt
    regencies were on track; it reads "1 dari 4". GBRSS, owed by all, stays "2 dari 17"."""
    inflation = Indicator.objects.get(code="inflasi-yoy")
    palembang = Regency.objects.get(code="16.71")
    TargetFactory(indicator=inflation, regency=palembang, value=D("2.5"), baseline=D("3.35"))
    report = MonthlyReportFactory(
        program=inflation.program,
        regency=palembang,
        year=2024,
        month=2,
        status=MonthlyReport.Status.VERIFIED,
        first_submitted_at=dt.datetime(2024, 3, 5, 9, tzinfo=dt.UTC),
        verified_at=dt.datetime(2024, 3, 20, 9, tzinfo=dt.UTC),
    )
    RealizationFactory(
        report=report,
        indicator=inflation,
        funding_source=FundingSource.objects.get(code="tidak-dirinci"),
        value=D("3.1"),
    )
    html = page(client.get("/?tahun=2024&bulan=12"))
    gpiss = find(find(html, "ul", id="behind-list"), "li", data_behind="gpiss")
    assert element_text(find(gpiss, "span", class_="behind-count")) == "(1 dari 4)"
    assert [attribute(a, "data-regency") for a in find_all(gpiss, "a", class_="behind-name")] == [
        "16.71"
    ]
    gbrss = find(find(html, "ul", id="behind-list"), "li", data_behind="gbrss")
    assert element_text(find(gbrss, "span", class_="behind-count")) == "(2 dari 17)"


def scorecard_rows(response) -> list:
    return find_all(find(find(page(response), "table", id="scorecard"), "tbody"), "tr")


def test_scorecard_ranks_are_distinct_and_documented(client, gbrss_data, pimpinan):
    """Fifteen regencies share everything (no target, no data): their order and ranks are
    by Kemendagri code, every regency has its own rank, and the rule is written."""
    response = client.get("/?tahun=2024&bulan=12")
    rows = scorecard_rows(response)
    assert [cells(row)[0] for row in rows] == [str(n) for n in range(1, 18)]
    codes = [attribute(row, "data-regency") for row in rows]
    # None on track anywhere: the higher mean achievement first (OKU 50 % with
    # provisional figures > Banyuasin 25 % > no figure), then the rest by code.
    assert codes[:2] == ["16.01", "16.07"]
    rest = codes[2:17]
    assert rest == sorted(rest)
    section = find(page(response), "section", aria_labelledby="h-scorecard")
    assert "lalu kode Kemendagri" in element_text(find(section, "p", class_="legend"))
    again = scorecard_rows(client.get("/?tahun=2024&bulan=12"))
    assert [cells(row) for row in again] == [cells(row) for row in rows]


def _verified(program, regency, indicator, value, month=3):
    report = MonthlyReportFactory(
        program=program,
        regency=regency,
        year=2024,
        month=month,
        status=MonthlyReport.Status.VERIFIED,
        first_submitted_at=dt.datetime(2024, month + 1, 5, 9, tzinfo=dt.UTC),
        verified_at=dt.datetime(2024, month + 1, 20, 9, tzinfo=dt.UTC),
    )
    RealizationFactory(
        report=report,
        indicator=indicator,
        funding_source=FundingSource.objects.get(code="tidak-dirinci"),
        value=D(value),
    )


def test_a_negative_achievement_counts_as_nothing_in_the_scorecards_mean(
    client, reference_data, pimpinan
):
    """Muara Enim and Palembang are both behind everywhere (none on track), so the mean
    achievement ranks them. Muara Enim built 40 of 100 houses, Palembang 35 of 100; Muara
    Enim's inflation rose to 3,4 % from a 3,35 % baseline (target 2,5 %): -5,9 %, and
    Palembang has not reported it. The -5,9 % pulled Muara Enim's mean below Palembang's;
    counted as 0 (between 0 and 100 %), Muara Enim is ahead, on the page and in the
    export, and its cell still shows the real -5,9 %."""
    gbrss, gpiss = Program.objects.get(slug="gbrss"), Program.objects.get(slug="gpiss")
    houses = Indicator.objects.get(code="rumah-dibedah")
    inflation = Indicator.objects.get(code="inflasi-yoy")
    muara_enim, palembang = Regency.objects.get(code="16.03"), Regency.objects.get(code="16.71")
    for regency, built in ((muara_enim, "40"), (palembang, "35")):
        TargetFactory(indicator=houses, regency=regency, value=D(100))
        TargetFactory(indicator=inflation, regency=regency, value=D("2.5"), baseline=D("3.35"))
        _verified(gbrss, regency, houses, built)
    _verified(gpiss, muara_enim, inflation, "3.4")

    response = client.get("/?tahun=2024&bulan=12")
    codes = [attribute(row, "data-regency") for row in scorecard_rows(response)]
    assert codes[:2] == ["16.03", "16.71"]
    cell = find(find(page(response), "tr", data_regency="16.03"), "td", data_program="gpiss")
    assert element_text(cell).startswith("-5,9 %")
    section = find(page(response), "section", aria_labelledby="h-scorecard")
    assert "dihitung antara 0 dan 100 %" in element_text(find(section, "p", class_="legend"))

    text = b"".join(client.get("/unduh/rapor.csv?tahun=2024&bulan=12").streaming_content)
    ranks = {
        line.split(";")[1]: line.split(";")[0]
        for line in text.decode("utf-8-sig").splitlines()
        if line[:1].isdigit()
    }
    assert (ranks["16.03"], ranks["16.71"]) == ("1", "2")


def test_completeness_summary_sorts_and_links_to_the_grid(client, gbrss_data, pimpinan):
    MonthlyReportFactory(
        program=gbrss_data, regency=Regency.objects.get(code="16.07"), year=2024, month=12
    )  # December 2024, the last closed month: GBRSS has one report submitted

    def summary(query):
        return find(page(client.get(f"/?tahun=2024&bulan=12&{query}")), id="completeness-summary")

    descending = summary("lengkap=-diajukan")
    rows = find_all(find(descending, "tbody"), "tr")
    assert attribute(rows[0], "data-program") == "gbrss"
    assert element_text(find(rows[0], "td", data_figure="submitted")) == "1 dari 17"
    # The grid on the overview's period, 2024 s.d. Desember, the default one here: the
    # month by its rule (the grid's own default is the running month), no year.
    assert attribute(find(rows[0], "a"), "href") == "/kelengkapan/?bulan=jatuh-tempo&program=gbrss"
    assert find(descending, "th", aria_sort="descending")
    ascending = find_all(find(summary("lengkap=diajukan"), "tbody"), "tr")
    assert attribute(ascending[-1], "data-program") == "gbrss"


def test_the_completeness_order_stays_when_the_filters_change(client, gbrss_data, pimpinan):
    """The overview's completeness summary ordered by "Sudah diajukan" went back to the
    programs' order when the filter form changed the month or the year, or when the
    scorecard was ordered: the form carried the scorecard's order (`urutkan`) and not
    this one (`lengkap`). Both stay, with the form's button and with htmx."""
    for month in (6, 12):
        MonthlyReportFactory(
            program=gbrss_data, regency=Regency.objects.get(code="16.07"), year=2024, month=month
        )  # GBRSS has the most reports submitted in June and in December 2024

    def order(response):
        summary = find(page(response), id="completeness-summary")
        sorted_by = find(summary, "th", aria_sort="descending")
        rows = find_all(find(summary, "tbody"), "tr")
        return element_text(sorted_by), attribute(rows[0], "data-program")

    start = client.get("/?tahun=2024&bulan=12&urutkan=nama&lengkap=-diajukan")
    assert order(start) == ("Sudah diajukan", "gbrss")
    form = find(page(start), "form", class_="filters")
    hidden = {attribute(i, "name"): attribute(i, "value") for i in find_all(form, "input")}
    hidden = {k: v for k, v in hidden.items() if k not in ("terverifikasi", None)}
    # Without JavaScript: the month menu changed to June, then the year alone to 2025.
    june = client.get("/", {**hidden, "tahun": "2024", "bulan": "6"})
    assert june.status_code == 302
    assert "lengkap=-diajukan" in june["Location"] and "urutkan=nama" in june["Location"]
    assert order(client.get(june["Location"])) == ("Sudah diajukan", "gbrss")
    year = client.get("/", {**hidden, "tahun": "2025", "bulan": "12"})
    assert year.status_code == 302
    assert "lengkap=-diajukan" in year["Location"]
    after = client.get(year["Location"])
    assert (
        element_text(
            find(find(page(after), id="completeness-summary"), "th", aria_sort="descending")
        )
        == "Sudah diajukan"
    )
    # The form drawn for the new period carries the order on.
    form = find(page(after), "form", class_="filters")
    assert attribute(find(form, "input", name="lengkap"), "value") == "-diajukan"
    # With htmx: the page answered at once, at an address that keeps the order.
    swapped = client.get(
        "/", {**hidden, "tahun": "2024", "bulan": "6"}, headers={"HX-Request": "true"}
    )
    assert "lengkap=-diajukan" in swapped["HX-Push-Url"]
    assert order(swapped) == ("Sudah diajukan", "gbrss")
    # Ordering the scorecard keeps the summary's order too.
    links = find_all(find(find(page(start), id="scorecard"), "thead"), "a")
    assert links and all("lengkap=-diajukan" in attribute(a, "href") for a in links)


def test_completeness_summary_counts_the_month_the_page_shows(client, gbrss_data, pimpinan):
    """An overview or meeting summary of June 2024 counts June's reports, not December's
    (the last closed month of that year), and says which month it counts."""
    for month in (6, 12):
        MonthlyReportFactory(
            program=gbrss_data, regency=Regency.objects.get(code="16.02"), year=2024, month=month
        )
    MonthlyReportFactory(
        program=gbrss_data, regency=Regency.objects.get(code="16.03"), year=2024, month=12
    )  # December: 16.02 and 16.03 (+ gbrss_data's own); June: 16.02 (+ gbrss_data's own)

    def submitted(query):
        html = page(client.get(f"/?{query}"))
        section = find(html, "section", aria_labelledby="h-completeness")
        row = find(find(section, "tbody"), "tr", data_program="gbrss")
        return element_text(find(row, "td", data_figure="submitted")), element_text(
            find(section, "p", class_="legend")
        )

    june, june_legend = submitted("tahun=2024&bulan=6")
    december, december_legend = submitted("tahun=2024&bulan=12")
    assert int(december.split()[0]) == int(june.split()[0]) + 1
    assert "Laporan bulan Juni 2024 (bulan yang ditampilkan)" in june_legend
    assert "Laporan bulan Desember 2024 (bulan terakhir" in december_legend
    printed = page(client.get("/ringkasan/cetak/?tahun=2024&bulan=6"))
    assert "kelengkapan: laporan Juni" in element_text(find(printed, id="data-date"))


# --- Charts -------------------------------------------------------------------------------


def bar(code, achievement, status="on_track"):
    return charts.BarRow(code, f"R{code}", D(achievement), status, status, f"/wilayah/{code}/")


def test_every_figure_formats_its_axes_in_the_language():
    with translation.override("id"):
        figure_id = charts.cumulative_chart(
            months=["Jan"],
            values=[D(8000)],
            expected=[D(9000)],
            unit="rumah",
            decimals=0,
            realized_label="R",
            expected_label="E",
        )
    with translation.override("en"):
        figure_en = charts.trend_chart(
            months=["Jan"], values=[D("14.3")], unit="%", decimals=1, as_bars=False
        )
    assert figure_id["layout"]["separators"] == ",."  # 8.000 and 14,3
    assert figure_en["layout"]["separators"] == ".,"
    for fig in (figure_id, figure_en):
        for axis in ("xaxis", "yaxis"):
            assert fig["layout"][axis]["tickformat"] == ",~f"
        assert fig["config"]["displayModeBar"] is False  # no tool bar over any label


def test_a_bar_far_above_100_percent_is_clipped_and_labelled_with_its_value():
    chart = charts.achievement_bars(
        [bar("16.01", 40), bar("16.02", 85), bar("16.03", "612.5")], expected=D(80)
    )
    assert chart.scale == 150.0
    assert [b.length for b in chart.bars] == [150.0, 85.0, 40.0]  # best on top
    assert chart.bars[0].text == "612,5 %" and chart.bars[0].clipped
    assert not any(b.clipped for b in chart.bars[1:])
    assert chart.gridlines == [50.0, 100.0]
    # Slightly above 100 %: the scale grows to the next ten, nothing is clipped.
    plain = charts.achievement_bars([bar("16.01", 40), bar("16.02", 112)], expected=None)
    assert plain.scale == 120.0 and not any(b.clipped for b in plain.bars)
    assert charts.achievement_bars([bar("16.01", 40)], expected=D(60)).scale == 100.0


@pytest.mark.parametrize(
    "signed_in, january, february",
    [
        # Verified only (the public): January 10 (Banyuasin) + 5 (OKU) = 15; up to
        # February + 15 (Banyuasin) = 30.
        (False, 15, 30),
        # With provisional figures (a leader): OKU's submitted February 20 too: 15 + 15 +
        # 20 = 50.
        (True, 15, 50),
    ],
    ids=["public", "leader"],
)
def test_program_page_compares_with_the_same_month_last_year(
    client, gbrss_data, request, signed_in, january, february
):
    """February 2025 (no report yet) beside February 2024, from gbrss_data's reports."""
    if signed_in:
        request.getfixturevalue("pimpinan")
    response = client.get("/program/gbrss/?tahun=2025&bulan=2")
    html = page(response)
    assert element_text(find(html, "dd", data_figure="previous-year")) == str(february)
    assert "Februari tahun lalu (2024)" in [element_text(dt) for dt in find_all(html, "dt")]
    trend = json_scripts(response)["chart-trend"]
    last_year = [t for t in trend["data"] if t["name"] == "Tahun lalu (2024)"]
    assert last_year and last_year[0]["y"] == [float(january), float(february)]
    table = find(html, "table", id="trend-table")
    assert cells(find(find(table, "thead"), "tr")) == [
        "Bulan",
        "Realisasi",
        "Lintasan target",
        "Tahun lalu",
    ]
    assert [cells(row)[0::3] for row in find_all(find(table, "tbody"), "tr")] == [
        ["Januari", str(january)],
        ["Februari", str(february)],
    ]


# --- Meeting summary ------------------------------------------------------------------


def test_meeting_summary_has_every_program_its_status_and_the_regencies_behind(
    client,
    gbrss_data,
):
    Target.objects.filter(year=2024).update(is_demo=True)
    html = page(client.get("/ringkasan/cetak/?tahun=2024&bulan=12"))
    assert element_text(find(html, "h1")) == "Ringkasan Rakor Gerakan Serentak 2024 s.d. Desember"
    table = find(html, "table", id="summary-table")
    gbrss = find(table, "tr", data_program="gbrss")
    assert cells(gbrss)[2] == "30 / 8.391 rumah"  # verified only for the public
    assert attribute(find(gbrss, "td", class_="status"), "data-status") == "behind"
    assert element_text(find(gbrss, "td", class_="behind-cell")) == "Ogan Komering Ulu, Banyuasin"
    assert cells(gbrss)[-1] == "0 dari 17"  # December 2024 completeness
    assert find(html, id="demo-label")
    assert element_text(find(html, id="data-date")).startswith("Data s.d. Februari 2024")
    assert len(find_all(find(table, "tbody"), "tr")) == 7


@pytest.mark.parametrize(
    "signed_in, gbrss, gpiss",
    [
        # The public counts verified reports only: Banyuasin's GBRSS; Palembang's GPISS.
        (False, "1 dari 17", "1 dari 4"),
        # A leader counts submitted ones too: + OKU's GBRSS. Drafts never count, and
        # Banyuasin's GPISS does not either: 13 of the 17 regencies are exempt from
        # GPISS (fixtures/reporting_exemptions.json: no inflation figure of their own),
        # Banyuasin among them, so 4 are expected.
        (True, "2 dari 17", "1 dari 4"),
    ],
    ids=["public", "leader"],
)
def test_meeting_summary_counts_the_last_closed_months_reports_by_hand(
    client, reference_data, request, signed_in, gbrss, gpiss
):
    Status = MonthlyReport.Status
    V, S, D = Status.VERIFIED, Status.SUBMITTED, Status.DRAFT
    for slug, code, status in [
        ("gbrss", "16.07", V),
        ("gbrss", "16.01", S),
        ("gbrss", "16.02", D),
        ("gpiss", "16.71", V),
        ("gpiss", "16.07", S),  # exempt
    ]:
        MonthlyReportFactory(
            program=Program.objects.get(slug=slug),
            regency=Regency.objects.get(code=code),
            year=2024,
            month=12,
            status=status,
        )
    if signed_in:
        request.getfixturevalue("pimpinan")
    html = page(client.get("/ringkasan/cetak/?tahun=2024&bulan=12"))
    assert "kelengkapan: laporan Desember" in element_text(find(html, id="data-date"))
    table = find(html, "table", id="summary-table")
    assert cells(find(find(table, "thead"), "tr"))[-1] == "Kelengkapan"
    assert cells(find(table, "tr", data_program="gbrss"))[-1] == gbrss
    assert cells(find(table, "tr", data_program="gpiss"))[-1] == gpiss


@pytest.mark.parametrize(
    "today, as_of, expected, status",
    [
        # 15 December: December has run half; the schedule counts to today.
        (dt.date(2026, 12, 15), "15 Desember", "95,6 %", "Sesuai jadwal"),
        # 10 January: December has ended, so the whole year's target is expected, as on
        # the overview; the heading says so rather than leaving "100 %" unexplained.
        (dt.date(2027, 1, 10), "31 Desember", "100,0 %", "Tertinggal"),
    ],
)
def test_meeting_summary_counts_the_expected_share_to_the_overviews_day(
    client, reference_data, as_of, expected, status
):
    """The summary's 'seharusnya' and status words are the overview's and the program
    page's: counted to the end of the chosen month, or to today within it, and they
    name that day. Banyuasin reported 8 houses a month, January to November, of 100."""
    houses = Indicator.objects.get(code="rumah-dibedah")
    banyuasin = Regency.objects.get(code="16.07")
    for regency in (None, banyuasin):
        Target.objects.create(indicator=houses, regency=regency, year=2026, value=Decimal(100))
    for month in range(1, 12):
        report = MonthlyReportFactory(
            program=houses.program,
            regency=banyuasin,
            year=2026,
            month=month,
            status=MonthlyReport.Status.VERIFIED,
        )
        RealizationFactory(report=report, indicator=houses, value=Decimal(8))
    query = "?tahun=2026&bulan=12"
    overview = find(page(client.get("/" + query)), "dd", data_figure="expected")
    program = find(page(client.get("/program/gbrss/" + query)), "dd", data_figure="expected")
    assert element_text(overview) == element_text(program) == expected
    html = page(client.get("/ringkasan/cetak/" + query))
    table = find(html, "table", id="summary-table")
    headings = cells(find(find(table, "thead"), "tr"))
    assert headings[3] == f"Capaian (seharusnya s.d. {as_of})"
    gbrss = cells(find(table, "tr", data_program="gbrss"))
    assert gbrss[3:5] == [f"88,0 % ({expected})", status]


def test_meeting_summary_without_demo_data_has_no_demo_label(client, gbrss_data):
    html = page(client.get("/ringkasan/cetak/?tahun=2024&bulan=12"))
    assert find_all(html, id="demo-label") == []


# --- Saved views --------------------------------------------------------------------------


def test_a_leader_stars_a_filtered_page_and_finds_it_under_tersimpan(
    client,
    gbrss_data,
    pimpinan,
):
    url = "/program/gbrss/?tahun=2024&bulan=3&indikator=rumah-dibedah&x=<script>"
    html = page(client.get(url))
    # The page (cached, the same for every load) holds the star without a token; the link
    # to Tersimpan is in the never-cached account menu.
    assert find(html, "form", action="/tersimpan/")
    assert find_all(html, "input", name="csrfmiddlewaretoken") == []
    assert find(page(client.get("/akun/menu/?next=/")), "a", id="nav-saved")
    assert "no-cache" in client.get("/tersimpan/")["Cache-Control"]
    response = client.post("/tersimpan/", {"url": url})
    assert response.status_code == 302  # back to the page, filters and all
    assert response["Location"].startswith("/program/gbrss/?tahun=2024&bulan=3&indikator=")
    client.post("/tersimpan/", {"url": url})  # twice: one entry
    saved = SavedView.objects.get(user=pimpinan)
    assert saved.url == "/program/gbrss/?tahun=2024&bulan=3&indikator=rumah-dibedah"
    (entry,) = find_all(find(page(client.get("/tersimpan/")), "ul", id="saved-list"), "li")
    link = find(entry, "a")
    assert element_text(link) == "GBRSS · Rumah tidak layak huni dibedah · 2024 s.d. Maret"
    assert attribute(link, "href") == saved.url
    assert element_text(find(entry, "span", class_="legend")) == "27 Jun 2025"  # frozen today

    # Data changes (a new report, even the indicator's target gone): the link still opens
    # the same program, indicator and period.
    report = MonthlyReportFactory(
        program=gbrss_data, regency=Regency.objects.get(code="16.02"), year=2024, month=3
    )
    RealizationFactory(report=report, indicator=Indicator.objects.get(code="rumah-dibedah"))
    Target.objects.filter(indicator__code="rumah-dibedah", regency__isnull=False).delete()
    reopened = client.get(saved.url)
    assert reopened.status_code == 200
    months = find_all(find(page(reopened), "select", id="filter-bulan"), "option")
    assert [element_text(o) for o in months if "selected" in dict(o.attributes)] == ["Maret"]

    # Not a dashboard: refused with a message, nothing saved; another user's entry untouched.
    refused = client.post("/tersimpan/", {"url": "https://example.com/"}, follow=True)
    assert "Hanya halaman dasbor yang dapat disimpan." in element_text(page(refused))
    assert SavedView.objects.count() == 1
    client.logout()
    assert client.post(f"/tersimpan/{saved.pk}/hapus/").status_code == 302
    assert SavedView.objects.count() == 1
    assert client.get("/tersimpan/")["Location"].startswith("/akun/masuk/")


def test_a_saved_view_is_removed_by_its_owner_only(client, gbrss_data, pimpinan):
    client.post("/tersimpan/", {"url": "/?tahun=2024&bulan=12"})
    saved = SavedView.objects.get()
    assert saved.title == "Ringkasan · terbaru"  # the default period here: it follows the calendar
    client.post(f"/tersimpan/{saved.pk}/hapus/")
    assert not SavedView.objects.exists()


@pytest.fixture
def later_year(gbrss_data):
    """A report of 2025, whose May is due on 27 June 2025 (frozen_clock): 2025 is the
    default year, and 2024 one chosen (a link keeps a year only then)."""
    MonthlyReportFactory(
        program=gbrss_data,
        regency=Regency.objects.get(code="16.01"),
        year=2025,
        month=1,
        status=MonthlyReport.Status.VERIFIED,
    )


@pytest.mark.usefixtures("later_year")
def test_a_saved_view_that_follows_the_calendar_says_so(client, gbrss_data, pimpinan, settings):
    """A view on the default period (no year or month in its link) opens the latest
    figures whenever it is opened, but was titled "GBRSS" like any other: nothing told a
    leader it moves, unlike "GBRSS · 2024", which stays."""
    client.post("/tersimpan/", {"url": "/program/gbrss/?tahun=2025"})  # the default year
    client.post("/tersimpan/", {"url": "/program/gbrss/?tahun=2024"})

    def entries():
        items = find_all(find(page(client.get("/tersimpan/")), "ul", id="saved-list"), "li")
        return {attribute(find(li, "a"), "href"): element_text(find(li, "a")) for li in items}

    assert entries() == {
        "/program/gbrss/": "GBRSS · terbaru",
        "/program/gbrss/?tahun=2024": "GBRSS · 2024",
    }
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert entries()["/program/gbrss/"] == "GBRSS · latest"


@pytest.mark.usefixtures("later_year")
def test_saved_views_are_titled_in_the_language_of_the_list(
    client, gbrss_data, pimpinan, settings, django_assert_max_num_queries
):
    """A title was written once, in the language of the moment the star was pressed: in
    English the list read 'Ringkasan · hanya terverifikasi' and 'Kab. Banyuasin · s.d.
    Maret', and a view starred in English kept English titles on the Indonesian list."""
    for url in (
        "/?tahun=2024&terverifikasi=1",
        "/wilayah/16.07/?bulan=3",
        "/program/gbrss/?tahun=2024&bulan=3&indikator=rumah-dibedah",
        "/kelengkapan/?program=gbrss&tahun=2024",
    ):
        client.post("/tersimpan/", {"url": url})

    def titles():
        entries = find_all(find(page(client.get("/tersimpan/")), "ul", id="saved-list"), "li")
        return sorted(element_text(find(li, "a")) for li in entries)

    indonesian = [
        "GBRSS · Rumah tidak layak huni dibedah · 2024 s.d. Maret",
        "Kab. Banyuasin · tahun terbaru s.d. Maret",
        "Kelengkapan GBRSS · 2024",
        "Ringkasan · 2024 · hanya terverifikasi",
    ]
    assert titles() == indonesian
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert titles() == [
        "Banyuasin Regency · latest year through March",
        "Completeness GBRSS · 2024",
        "GBRSS · Uninhabitable houses renovated · 2024 through March",
        "Overview · 2024 · verified only",
    ]
    client.post("/tersimpan/", {"url": "/program/gbrss/?tahun=2024"})  # starred in English
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    assert titles() == sorted([*indonesian, "GBRSS · 2024"])
    # The names are read once for the whole list, not once per saved view.
    for n in range(1, 13):
        SavedView.objects.create(user=pimpinan, path="/wilayah/16.01/", query=f"bulan={n}")
    with django_assert_max_num_queries(8):
        client.get("/tersimpan/")


@pytest.mark.parametrize(
    "url, saved_url, title",
    [
        # Digits that are digits to Python but not to the page ("²", Arabic-Indic).
        ("/?tahun=2024&bulan=²", "/?tahun=2024", "Ringkasan · 2024"),
        ("/?tahun=²&bulan=3", "/?bulan=3", "Ringkasan · tahun terbaru s.d. Maret"),
        ("/?tahun=٢٠٢٤", "/", "Ringkasan · terbaru"),
        # Long non-ASCII filters: dropped, never stored past their column.
        (
            "/program/gbrss/?tahun=2024&indikator=" + "é" * 60 + "&urutkan=" + "ü" * 60,
            "/program/gbrss/?tahun=2024",
            "GBRSS · 2024",
        ),
        # Values the pages replace by their defaults (programs/filters.py): dropped too.
        # 2025 is the default year (`later_year`): not kept, as the page's links leave it out.
        ("/program/gbrss/?tahun=2025&bulan=13", "/program/gbrss/", "GBRSS · terbaru"),
        ("/?tahun=1999&bulan=0", "/", "Ringkasan · terbaru"),
        # A year the year menu does not offer (before the launch): the default year.
        ("/?tahun=2023&bulan=4", "/?bulan=4", "Ringkasan · tahun terbaru s.d. April"),
        ("/?tahun=2024&bulan=05", "/?tahun=2024&bulan=5", "Ringkasan · 2024 s.d. Mei"),
        ("/?tahun=2024&terverifikasi=0", "/?tahun=2024", "Ringkasan · 2024"),
        (
            "/?tahun=2024&terverifikasi=on",
            "/?tahun=2024&terverifikasi=1",
            "Ringkasan · 2024 · hanya terverifikasi",
        ),
        ("/program/gbrss/?indikator=tidak-ada", "/program/gbrss/", "GBRSS · terbaru"),
        # An order the scorecard does not have, or a page without a scorecard: dropped.
        ("/?tahun=2024&urutkan=junk", "/?tahun=2024", "Ringkasan · 2024"),
        ("/?tahun=2024&urutkan=-gbrss", "/?tahun=2024&urutkan=-gbrss", "Ringkasan · 2024"),
        ("/program/gbrss/?tahun=2024&urutkan=nama", "/program/gbrss/?tahun=2024", "GBRSS · 2024"),
        # The overview's completeness order is kept as its scorecard's is (it was dropped).
        (
            "/?tahun=2024&urutkan=nama&lengkap=-diajukan",
            "/?tahun=2024&urutkan=nama&lengkap=-diajukan",
            "Ringkasan · 2024",
        ),
        ("/?tahun=2024&lengkap=junk", "/?tahun=2024", "Ringkasan · 2024"),
        (
            "/program/gbrss/?tahun=2024&lengkap=program",
            "/program/gbrss/?tahun=2024",
            "GBRSS · 2024",
        ),
        (
            "/kelengkapan/?program=tidak-ada&bulan=5",
            "/kelengkapan/?bulan=5",
            "Kelengkapan · tahun terbaru s.d. Mei",
        ),
    ],
)
@pytest.mark.usefixtures("later_year")
def test_odd_filters_are_dropped_from_a_saved_view(
    client, gbrss_data, pimpinan, url, saved_url, title
):
    response = client.post("/tersimpan/", {"url": url})
    assert response.status_code == 302
    saved = SavedView.objects.get(user=pimpinan)
    assert (saved.url, saved.title) == (saved_url, title)
    assert len(saved.query) <= SavedView._meta.get_field("query").max_length
    assert client.get(saved.url).status_code == 200


@pytest.mark.parametrize(
    "url, saved_url, title",
    [
        (
            "/kelengkapan/?program=gbrss&bulan=5",
            "/kelengkapan/?bulan=5&program=gbrss",
            "Kelengkapan GBRSS · tahun terbaru s.d. Mei",
        ),
        (
            "/kelengkapan/?tahun=2024&bulan=5&program=gbrss",
            "/kelengkapan/?tahun=2024&bulan=5&program=gbrss",
            "Kelengkapan GBRSS · 2024 s.d. Mei",
        ),
    ],
)
def test_a_saved_completeness_view_names_its_program_and_month(
    client, gbrss_data, pimpinan, url, saved_url, title
):
    client.post("/tersimpan/", {"url": url})
    saved = SavedView.objects.get(user=pimpinan)
    assert (saved.url, saved.title) == (saved_url, title)


NO_SUCH_PAGE = "Halaman itu tidak ada: program atau kabupaten/kota pada alamatnya tidak ditemukan."
NOT_A_DASHBOARD = (
    "Halaman itu bukan halaman dasbor. Hanya ringkasan, halaman program, halaman "
    "kabupaten/kota dan kelengkapan yang dapat disimpan."
)


@pytest.mark.parametrize(
    "url, message",
    [
        ("/wilayah/16.99/", NO_SUCH_PAGE),
        ("/program/tidak-ada/?tahun=2024", NO_SUCH_PAGE),
        ("/program/tidakada/", NO_SUCH_PAGE),
        ("/wilayah/" + "x" * 300 + "/", NO_SUCH_PAGE),
        ("/admin/", NOT_A_DASHBOARD),
        ("/laporan/", NOT_A_DASHBOARD),
        ("/tidak/ada/", NOT_A_DASHBOARD),
        (
            "https://evil.example/",
            "Alamat itu bukan halaman situs ini. Hanya halaman dasbor yang dapat disimpan.",
        ),
        (
            "//evil.example/program/gbrss/",
            "Alamat itu bukan halaman situs ini. Hanya halaman dasbor yang dapat disimpan.",
        ),
        (
            "",
            "Tidak ada alamat halaman yang dikirim. Buka halaman dasbor yang ingin disimpan, "
            "lalu tekan ☆ Simpan tampilan ini.",
        ),
    ],
)
def test_a_page_that_cannot_be_saved_is_refused_saying_why(
    client, gbrss_data, pimpinan, url, message
):
    refused = client.post("/tersimpan/", {"url": url})
    assert refused.status_code == 302 and refused["Location"] == "/tersimpan/"
    assert flash_messages(client.get(refused["Location"])) == [message]
    assert not SavedView.objects.exists()


@pytest.mark.parametrize("path", ["/?tahun=2024&bulan=12", "/ringkasan/cetak/?tahun=2024&bulan=12"])
def test_leader_pages_have_a_fixed_number_of_queries(client, gbrss_data, pimpinan, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from programs import ytd
    from tests.helpers import add_synthetic_regencies

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        return len(ctx.captured_queries)

    ytd.flush()
    before = count()
    add_synthetic_regencies(20)
    # Factories write past the services: rebuild the new regencies' year-to-date slices
    # (programs/ytd.py) first, as test_dashboards' query pins do.
    ytd.flush()
    assert count() == before


def test_server_drawn_maps_and_bars_show_a_markup_name_as_text(client, gbrss_data):
    """The SVG map, its list and the achievement bars are drawn on the server: a regency
    name that looks like markup is escaped there (issue 12's label escaping, issue 14)."""
    Regency.objects.filter(code="16.02").update(name='<b onmouseover="x()">OKU</b>')
    for path in ("/?tahun=2024&bulan=12", "/program/gbrss/?tahun=2024&bulan=12"):
        html = page(client.get(path))
        assert find_all(html, "b") == []  # no element made of the name
        listed = find(find(html, "ol", class_="map-list"), "li", data_regency="16.02")
        assert element_text(find(listed, "a")) == '<b onmouseover="x()">OKU</b>'  # its text


def test_every_regency_link_of_the_program_page_keeps_its_period(client, gbrss_data):
    """Tapping a regency's bar, its place in the map's list or its table row opens the
    regency page for the same year and month, not the running one."""
    html = page(client.get("/program/gbrss/?tahun=2024&bulan=6"))
    links = {
        part: [attribute(a, "href") for a in find_all(element, "a")]
        for part, element in (
            ("bars", find(html, "ol", id="achievement-bars")),
            ("map list", find(html, "ol", class_="map-list")),
            ("table", find(html, "table", id="regency-table")),
        )
    }
    for part, hrefs in links.items():
        regency_links = [h for h in hrefs if h.startswith("/wilayah/")]
        # Bars only for regencies with an achievement (two here); the others list all 17.
        assert len(regency_links) == (2 if part == "bars" else 17), part
        assert all(h.endswith("/?tahun=2024&bulan=6") for h in regency_links), part


def _absolute_points(path: str) -> list[list[tuple[int, int]]]:
    """The rings of SVG path data written as M x,y l dx,dy ... z, in whole tenths."""
    rings = []
    for ring in re.findall(r"M([^z]*)z", path):
        start, _l, steps = ring.partition("l")
        x, y = (round(float(v) * 10) for v in start.split(","))
        points = [(x, y)]
        for step in steps.split():
            dx, dy = (round(float(v) * 10) for v in step.split(","))
            x, y = x + dx, y + dy
            points.append((x, y))
        rings.append(points)
    return rings


def test_maps_draw_every_point_of_the_boundaries_in_fewer_bytes(client, gbrss_data):
    """The map's shapes are written as relative steps: every point lands on the
    boundary file's point projected to a tenth of a unit, as the absolute form wrote it,
    and the overview's map is at least a quarter smaller than that form."""
    from programs.dashboards import maps

    svg = find(page(client.get("/?tahun=2024&bulan=12")), "svg", id="overview-map")
    drawn = {
        attribute(a, "data-regency"): attribute(find(a, "path"), "d") for a in find_all(svg, "a")
    }
    rings_of, _height = maps.projected()
    assert set(drawn) == set(rings_of)
    absolute_size = 0
    for code, rings in rings_of.items():
        absolute = [[(f"{x:.1f}", f"{y:.1f}") for x, y in ring] for ring in rings]
        absolute_size += sum(
            len("M" + "L".join(f"{x},{y}" for x, y in ring) + "Z") for ring in absolute
        )
        expected = [[(round(float(x) * 10), round(float(y) * 10)) for x, y in r] for r in absolute]
        # Repeated points (a step of 0,0) are not written.
        assert _absolute_points(drawn[code]) == [
            [p for i, p in enumerate(r) if i == 0 or p != r[i - 1]] for r in expected
        ], code
    assert sum(map(len, drawn.values())) < absolute_size * 0.75


# --- What a screen reader announces ------------------------------------------------------


def accessible_name(root, element) -> str:
    """A table's or a chart's name as a screen reader reads it: its caption, aria-label,
    or the texts of the elements its aria-labelledby names."""
    caption = find_all(element, "caption")
    if caption:
        return element_text(caption[0])
    if attribute(element, "aria-label"):
        return attribute(element, "aria-label")
    return " ".join(
        element_text(find(root, id=ref))
        for ref in (attribute(element, "aria-labelledby") or "").split()
    )


def test_every_table_and_chart_of_the_leaders_pages_has_its_own_name(client, gbrss_data):
    """A screen reader lists a page's tables and figures by their names: all 15 tables of
    a regency page were "table" without a name, and its 7 monthly charts all "Grafik
    bulanan". Each is named by its heading now (the chart by its indicator)."""
    unnamed, alike = {}, {}
    for path in [
        "/?tahun=2024&bulan=12",
        "/program/gbrss/?tahun=2024&bulan=12",
        "/wilayah/16.07/?tahun=2024&bulan=12",
        "/kelengkapan/?tahun=2024",
        "/ringkasan/cetak/?tahun=2024&bulan=12",
    ]:
        html = page(client.get(path))
        names = [
            accessible_name(html, element)
            for element in find_all(html, "table") + find_all(html, "div", role="figure")
        ]
        if not all(names):
            unnamed[path] = names
        if len(set(names)) < len(names):
            alike[path] = [name for name in names if names.count(name) > 1]
    assert not unnamed, unnamed
    assert not alike, alike
    regency = page(client.get("/wilayah/16.07/?tahun=2024&bulan=12"))
    houses = find(regency, "div", data_chart="trend-rumah-dibedah")
    assert accessible_name(regency, houses).startswith("Grafik bulanan Rumah")
