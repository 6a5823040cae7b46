"""The leaders' view (issue 14): who is behind at a glance, charts that scale and speak
the language, the one-page meeting summary and saved views."""

import re
from decimal import Decimal

import pytest
from django.utils import translation

from programs.dashboards import charts
from programs.models import Indicator, MonthlyReport, Program, SavedView, Target
from regencies.models import Regency
from tests.factories import MonthlyReportFactory, RealizationFactory
from tests.helpers import cells, element_text, find, find_all, page
from tests.helpers import flat_html as text
from tests.programs.dashboards.test_dashboards import figure

D = Decimal


# --- Overview: map, behind list, ranking, completeness ----------------------------------


def test_overview_lists_and_colours_the_regencies_behind_per_program(client, gbrss_data):
    html = text(client.get("/?tahun=2024&bulan=12"))
    behind = html[html.index('id="behind-list"') :]
    gbrss = behind[behind.index('data-behind="gbrss"') :]
    gbrss = gbrss[: gbrss.index("</li>")]
    # The year is over: Banyuasin (25 %) and OKU (10 % verified) are both behind in GBRSS.
    assert re.findall(r'class="behind-name" data-regency="([\d.]+)"', gbrss) == [
        "16.01",
        "16.07",
    ]
    assert "Banyuasin" in gbrss and "Ogan Komering Ulu" in gbrss
    # The map: every real regency drawn, the two behind in the bars' behind colour.
    start = html.index('id="overview-map"')
    svg = html[start : html.index("</svg>", start)]
    assert len(re.findall(r"<path ", svg)) == 17
    assert len(re.findall(r'data-status="behind"><path d="[^"]+" fill="#D55E00"', svg)) == 2
    listed = html[html.index('class="map-list"') :]
    assert re.search(
        r"Banyuasin</a> <span class=\"status status-behind\">Tertinggal</span>", listed
    )
    banyuasin = listed[listed.index('<li data-regency="16.07"') :]
    assert "GBRSS" in banyuasin[: banyuasin.index("</li>")]  # behind on what


def test_scorecard_ranks_are_distinct_and_documented(client, gbrss_data, pimpinan):
    """Fifteen regencies share everything (no target, no data): their order and ranks are
    by Kemendagri code, every regency has its own rank, and the rule is written."""
    response = client.get("/?tahun=2024&bulan=12")
    html = text(response)
    ranks = [
        int(r) for r in re.findall(r'<tr data-regency="[\d.]+"> <td class="num">(\d+)</td>', html)
    ]
    assert ranks == list(range(1, 18))
    codes = re.findall(r'<tr data-regency="([\d.]+)">', html[html.index('id="scorecard"') :])
    # None on track anywhere: the higher mean achievement first (OKU 50 % with
    # provisional figures > Banyuasin 25 % > no figure), then the rest by code.
    assert codes[:2] == ["16.01", "16.07"]
    rest = codes[2:17]
    assert rest == sorted(rest)
    assert "lalu kode Kemendagri" in html
    assert text(client.get("/?tahun=2024&bulan=12")).count('<td class="num">') == html.count(
        '<td class="num">'
    )


def test_completeness_summary_sorts_and_links_to_the_grid(client, gbrss_data, pimpinan):
    MonthlyReportFactory(
        program=gbrss_data, regency=Regency.objects.get(code="16.07"), year=2024, month=12
    )  # December 2024, the last closed month: GBRSS has one report submitted
    html = text(client.get("/?tahun=2024&bulan=12&lengkap=-diajukan"))
    summary = html[html.index('id="completeness-summary"') :]
    summary = summary[: summary.index("</table>")]
    order = re.findall(r'<tr data-program="([\w-]+)">', summary)
    assert order[0] == "gbrss"
    assert "1 dari 17" in summary
    assert 'href="/kelengkapan/?tahun=2024&amp;program=gbrss"' in summary
    assert 'aria-sort="descending"' in summary
    ascending = text(client.get("/?tahun=2024&bulan=12&lengkap=diajukan"))
    summary = ascending[ascending.index('id="completeness-summary"') :]
    assert re.findall(r'<tr data-program="([\w-]+)">', summary)[-1] == "gbrss"


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
    trend = figure(response, "chart-trend")
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
    html = text(client.get("/ringkasan/cetak/?tahun=2024&bulan=12"))
    assert "Ringkasan Rakor Gerakan Serentak 2024" in html
    gbrss = html[html.index('<tr data-program="gbrss">') :]
    gbrss = gbrss[: gbrss.index("</tr>")]
    assert "30 / 8.391 rumah" in gbrss  # verified only for the public
    assert 'data-status="behind"' in gbrss
    assert "Ogan Komering Ulu, Banyuasin" in gbrss
    assert "0 dari 17" in gbrss  # December 2024 completeness
    assert 'id="demo-label"' in html
    assert "Data s.d. Februari 2024" in html
    assert html.count("<tr data-program=") == 7


@pytest.mark.usefixtures("frozen_clock")  # 27 June 2025: December 2024 is the last closed month
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


def test_meeting_summary_without_demo_data_has_no_demo_label(client, gbrss_data):
    html = text(client.get("/ringkasan/cetak/?tahun=2024&bulan=12"))
    assert 'id="demo-label"' not in html


# --- Saved views --------------------------------------------------------------------------


def test_a_leader_stars_a_filtered_page_and_finds_it_under_tersimpan(
    client,
    gbrss_data,
    pimpinan,
):
    page = "/program/gbrss/?tahun=2024&bulan=3&indikator=rumah-dibedah&x=<script>"
    html = text(client.get(page))
    # The page (cached, the same for every load) holds the star without a token; the link
    # to Tersimpan is in the never-cached account menu.
    assert 'action="/tersimpan/"' in html and "csrfmiddlewaretoken" not in html
    assert 'id="nav-saved"' in text(client.get("/akun/menu/?next=/"))
    assert "no-cache" in client.get("/tersimpan/")["Cache-Control"]
    response = client.post("/tersimpan/", {"url": page})
    assert response.status_code == 302  # back to the page, filters and all
    assert response["Location"].startswith("/program/gbrss/?tahun=2024&bulan=3&indikator=")
    client.post("/tersimpan/", {"url": page})  # twice: one entry
    saved = SavedView.objects.get(user=pimpinan)
    assert saved.url == "/program/gbrss/?tahun=2024&bulan=3&indikator=rumah-dibedah"
    listing = text(client.get("/tersimpan/"))
    assert "GBRSS · Jumlah rumah dibedah · 2024 s.d. Maret" in listing or re.search(
        r"GBRSS · [^<]+ · 2024 s\.d\. Maret", listing
    )
    assert f'href="{saved.url.replace("&", "&amp;")}"' in listing

    # Data changes (a new report, even the indicator's target gone): the link still opens
    # the same program, indicator and period.
    report = MonthlyReportFactory(
        program=gbrss_data, regency=Regency.objects.get(code="16.02"), year=2024, month=3
    )
    RealizationFactory(report=report, indicator=Indicator.objects.get(code="rumah-dibedah"))
    Target.objects.filter(indicator__code="rumah-dibedah", regency__isnull=False).delete()
    reopened = client.get(saved.url)
    assert reopened.status_code == 200
    assert "selected>Maret</option>" in text(reopened)

    # Not a dashboard: refused with a message, nothing saved; another user's entry untouched.
    refused = client.post("/tersimpan/", {"url": "https://example.com/"}, follow=True)
    assert "Hanya halaman dasbor yang dapat disimpan." in text(refused)
    assert SavedView.objects.count() == 1
    client.logout()
    assert client.post(f"/tersimpan/{saved.pk}/hapus/").status_code == 302
    assert SavedView.objects.count() == 1
    assert client.get("/tersimpan/")["Location"].startswith("/akun/masuk/")


def test_a_saved_view_is_removed_by_its_owner_only(client, gbrss_data, pimpinan):
    client.post("/tersimpan/", {"url": "/?tahun=2024&bulan=12"})
    saved = SavedView.objects.get()
    assert saved.title == "Ringkasan · 2024 s.d. Desember"
    client.post(f"/tersimpan/{saved.pk}/hapus/")
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
        html = text(client.get(path))
        assert "<b onmouseover" not in html
        assert "&lt;b onmouseover=&quot;x()&quot;&gt;OKU&lt;/b&gt;" in html
