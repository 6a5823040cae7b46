"""Dashboard pages: numbers against hand-computed values, htmx partials, visibility and
query counts that do not grow with the number of regencies."""

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from programs.models import FundingSource, Indicator, MonthlyReport, Program, Target
from regencies.models import Regency, UserScope
from tests.factories import (
    MonthlyReportFactory,
    RealizationFactory,
    RegencyFactory,
    TargetFactory,
    UserScopeFactory,
)

D = Decimal
HTMX = {"HTTP_HX_REQUEST": "true"}


def submitted_at(year, month, day):
    return dt.datetime(year, month, day, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def gbrss_data(reference_data):
    """GBRSS 2024: Banyuasin (16.07) target 100, OKU (16.01) target 50.

    Verified: Banyuasin Jan 10 (APBD Prov) + Feb 15 (Baznas prov); OKU Jan 5 (PTBA).
    Submitted (provisional): OKU Feb 20 (APBN). Draft: Banyuasin Mar 99 (never counted).
    Verified-only province = 30 houses; with provisional = 50.
    """
    program = Program.objects.get(slug="gbrss")
    houses = Indicator.objects.get(code="rumah-dibedah")
    banyuasin = Regency.objects.get(code="16.07")
    oku = Regency.objects.get(code="16.01")
    TargetFactory(indicator=houses, regency=banyuasin, value=D(100))
    TargetFactory(indicator=houses, regency=oku, value=D(50))
    source = FundingSource.objects.get

    def report(regency, month, status, value, code, day=5):
        rep = MonthlyReportFactory(
            program=program,
            regency=regency,
            year=2024,
            month=month,
            status=status,
            first_submitted_at=submitted_at(2024, month + 1, day),
            verified_at=submitted_at(2024, month + 1, 20)
            if status == MonthlyReport.Status.VERIFIED
            else None,
        )
        RealizationFactory(
            report=rep, indicator=houses, funding_source=source(code=code), value=D(value)
        )
        return rep

    V, S = MonthlyReport.Status.VERIFIED, MonthlyReport.Status.SUBMITTED
    report(banyuasin, 1, V, 10, "apbd-prov")
    report(banyuasin, 2, V, 15, "baznas-prov", day=14)  # due 10 March: late
    report(oku, 1, V, 5, "ptba")
    report(oku, 2, S, 20, "apbn")
    report(banyuasin, 3, MonthlyReport.Status.DRAFT, 99, "apbn")
    return program


@pytest.fixture
def pimpinan(client):
    scope = UserScopeFactory(role=UserScope.Role.PIMPINAN)
    client.force_login(scope.user)
    return scope.user


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def figure(response, chart_id):
    match = re.search(
        rf'<script id="{chart_id}" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert match, chart_id
    return json.loads(match.group(1))


def row(response, table_id, regency_code) -> str:
    html = text(response)
    table = html[html.index(f'id="{table_id}"') :]
    start = table.index(f'data-regency="{regency_code}"')
    return table[start : table.index("</tr>", start)]


# --- Overview ---------------------------------------------------------------------------


def test_overview_shows_verified_figures_to_anonymous_visitors(client, gbrss_data):
    response = client.get("/?tahun=2024&bulan=12&terverifikasi=0")
    html = text(response)
    card = html[html.index('data-program="gbrss"') :]
    card = card[: card.index("</article>")]
    assert "8.391 rumah" in card
    assert "30 rumah" in card  # 10 + 15 + 5 verified; OKU's submitted 20 hidden
    assert "*" not in card.split("Realisasi")[1].split("</dd>")[0]
    assert "Menampilkan data terverifikasi saja" in html


def test_overview_shows_provisional_figures_marked_to_officials(client, gbrss_data, pimpinan):
    html = text(client.get("/?tahun=2024&bulan=12"))
    card = html[html.index('data-program="gbrss"') :]
    card = card[: card.index("</article>")]
    assert "50 rumah" in card
    assert 'title="sementara">*</abbr>' in card
    verified = text(client.get("/?tahun=2024&bulan=12&terverifikasi=1"))
    card = verified[verified.index('data-program="gbrss"') :]
    assert "30 rumah" in card[: card.index("</article>")]


def test_overview_says_plainly_when_a_program_has_no_indicator_or_target(client, gbrss_data):
    html = text(client.get("/?tahun=2024"))
    energy = html[html.index('data-program="mandiri-energi"') :]
    assert "Belum ada indikator maupun target" in energy[: energy.index("</article>")]
    market = html[html.index('data-program="gpmss"') :]
    assert "belum ada target" in market[: market.index("</article>")]


def test_overview_milestone_and_campaign_deadline(client, gbrss_data):
    html = text(client.get("/?tahun=2024"))
    assert "Menjelang HUT ke-78 Sumsel: 1.778 rumah paling lambat 15 Mei 2024" in html


def test_scorecard_ranks_and_sorts_by_a_program_column(client, gbrss_data, pimpinan):
    response = client.get("/?tahun=2024&bulan=12&urutkan=gbrss")
    # Banyuasin 25/100 = 25 %, OKU 25/50 = 50 % (5 verified + 20 submitted)
    oku = row(response, "scorecard", "16.01")
    banyuasin = row(response, "scorecard", "16.07")
    assert "50,0 %" in oku and "25,0 %" in banyuasin
    html = text(response)
    assert html.index('data-regency="16.01"') < html.index('data-regency="16.07"')
    assert re.search(r'<td class="num">1</td>', oku)
    assert re.search(r'<td class="num">2</td>', banyuasin)
    ascending = text(client.get("/?tahun=2024&bulan=12&urutkan=-gbrss"))
    scorecard = ascending[ascending.index('id="scorecard"') :]
    assert scorecard.index('data-regency="16.07"') < scorecard.index('data-regency="16.01"')


def test_overview_completeness_of_last_closed_month(client, gbrss_data):
    html = text(client.get("/?tahun=2024"))
    summary = html[html.index('id="completeness-summary"') :]
    gbrss = summary[summary.index("GBRSS") :]
    gbrss = gbrss[: gbrss.index("</tr>")]
    # December 2024 is the last closed month; nobody reported it in this data.
    assert "0 dari 17" in gbrss
    assert "Desember 2024" in html


def test_overview_as_htmx_partial_and_history_restore(client, gbrss_data):
    partial = client.get("/?tahun=2024", **HTMX)
    assert partial.status_code == 200
    assert "<html" not in partial.content.decode()
    assert 'id="page-body"' in partial.content.decode()
    assert "HX-Request" in partial["Vary"]
    restore = client.get("/?tahun=2024", HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HTMX)
    assert "<html" in restore.content.decode()
    full = client.get("/?tahun=2024")
    assert "<html" in full.content.decode() and "HX-Request" in full["Vary"]


def test_bad_filter_values_fall_back_to_defaults(client, gbrss_data):
    response = client.get("/?tahun=zzz&bulan=13&indikator=%3Cscript%3E")
    assert response.status_code == 200
    assert "Capaian Gerakan Serentak 2024" in text(response)
    assert "<script>" not in response.content.decode().split("</head>")[1].split("<script")[0]


def test_private_dashboard_requires_login(client, gbrss_data, settings):
    settings.PUBLIC_DASHBOARD = False
    response = client.get("/program/gbrss/")
    assert response.status_code == 302
    assert response["Location"].startswith("/akun/masuk/")


# --- Program page -----------------------------------------------------------------------


def test_program_page_figures_table_and_charts(client, gbrss_data, pimpinan):
    response = client.get("/program/gbrss/?tahun=2024&bulan=12")
    html = text(response)
    assert 'data-figure="target">8.391<' in html
    assert 'data-figure="realization">50*<' in html
    assert 'data-figure="unallocated">8.241<' in html  # 8391 - (100 + 50)
    banyuasin = row(response, "regency-table", "16.07")
    assert ">100<" in banyuasin and ">25<" in banyuasin and "25,0 %" in banyuasin
    assert "Maret: Draf" in banyuasin
    oku = row(response, "regency-table", "16.01")
    assert "45*" not in oku and "25*" in oku and "Februari: Diajukan" in oku

    bars = figure(response, "chart-bars")
    trace = bars["data"][0]
    assert trace["y"][-1] == "Ogan Komering Ulu"  # best on top (last in a horizontal bar)
    assert trace["x"][-1] == 50.0
    assert trace["customdata"][-1] == "/wilayah/16.01/"
    assert bars["layout"]["shapes"][0]["x0"] == 100.0  # the year is over: expected 100 %
    assert bars["layout"]["separators"] == ",."
    assert "50,0 %" in trace["hovertext"][-1]

    geo = figure(response, "chart-map")
    assert sorted(geo["data"][0]["locations"]) == ["16.01", "16.07"]
    assert len(geo["data"][1]["locations"]) == 15  # no data: grey, and says so
    assert "Belum ada target" in geo["data"][1]["hovertext"][0]

    trend = figure(response, "chart-trend")
    assert trend["data"][0]["y"][:3] == [15.0, 50.0, 50.0]  # cumulative, drafts excluded
    assert trend["data"][1]["y"][-1] == 8391.0


def test_program_page_breakdown_by_source_and_planned_split(client, gbrss_data, pimpinan):
    response = client.get("/program/gbrss/?tahun=2024&bulan=12")
    html = text(response)
    sources = html[html.index('id="sources-table"') :]
    sources = sources[: sources.index("</table>")]
    for label, value in [
        ("APBN", "20"),
        ("Baznas Provinsi Sumsel", "15"),
        ("APBD Provinsi Sumatera Selatan", "10"),
        ("PT Bukit Asam (PTBA)", "5"),
    ]:
        assert re.search(rf"{re.escape(label)}.*?<td class=\"num\">{value}</td>", sources)
    splits = html[html.index('id="splits-table"') :]
    splits = splits[: splits.index("</table>")]
    assert re.search(
        r"APBD \(provinsi dan kab/kota\)</th><td class=\"num\">3.666</td>"
        r"<td class=\"num\">10</td>",
        splits,
    )
    assert re.search(
        r"CSR perusahaan</th><td class=\"num\">75</td><td class=\"num\">0</td>", splits
    )
    # PTBA is a BUMN partner: outside the planned groups it shows as the rest
    assert "Lainnya / tidak dirinci" in splits


def test_program_page_verified_only(client, gbrss_data, pimpinan):
    html = text(client.get("/program/gbrss/?tahun=2024&bulan=12&terverifikasi=1"))
    assert 'data-figure="realization">30<' in html


def test_program_page_month_filter(client, gbrss_data, pimpinan):
    html = text(client.get("/program/gbrss/?tahun=2024&bulan=1"))
    assert 'data-figure="realization">15<' in html


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
    html = text(client.get("/program/gpstss/?tahun=2024&indikator=prevalensi-stunting"))
    # 31 / 210 = 14,76 %, not the 12,50 % an average of percentages would give
    assert 'data-figure="realization">14,76<' in html
    assert "tidak dirinci menurut sumber dana" in html


def test_program_page_partial_unknown_and_empty(client, gbrss_data):
    partial = client.get("/program/gbrss/?tahun=2024", **HTMX)
    assert "<html" not in partial.content.decode() and "HX-Request" in partial["Vary"]
    assert client.get("/program/tidak-ada/").status_code == 404
    energy = text(client.get("/program/mandiri-energi/"))
    assert "Belum ada indikator maupun target" in energy


# --- Regency and completeness pages -----------------------------------------------------


def test_regency_page_compares_with_province(client, gbrss_data, pimpinan):
    response = client.get("/wilayah/16.07/?tahun=2024&bulan=12")
    html = text(response)
    assert "Kab. Banyuasin" in html
    block = html[html.index('data-indicator="rumah-dibedah"') :]
    block = block[: block.index("</article>")]
    regency_row = block[block.index('data-row="regency"') :]
    assert '<td class="num">100</td><td class="num">25</td><td class="num">25,0 %' in (regency_row)
    province_row = block[block.index('data-row="province"') :]
    assert "8.391" in province_row and "50*" in province_row
    trend = figure(response, "trend-rumah-dibedah")
    assert trend["data"][0]["y"][:3] == [10.0, 15.0, None]
    matrix = html[html.index('id="status-matrix"') :]
    gbrss = matrix[matrix.index("GBRSS") :]
    gbrss = gbrss[: gbrss.index("</tr>")]
    assert gbrss.count("state-verified") == 2 and "state-missing" in gbrss
    assert client.get("/wilayah/99.99/").status_code == 404
    partial = client.get("/wilayah/16.07/", **HTMX)
    assert "<html" not in partial.content.decode()


def test_completeness_grid_states_and_rates(client, gbrss_data):
    response = client.get("/kelengkapan/?tahun=2024&program=gbrss")
    grid = row(response, "completeness-grid", "16.07")
    states = re.findall(r'data-state="(\w+)"', grid)
    assert states[:3] == ["verified", "verified", "missing"]  # March is a draft: missing
    assert states.count("missing") == 10
    # 2 of 12 due months submitted; January on time, February late (14 March)
    assert "16,7 %" in grid and "8,3 %" in grid
    oku = re.findall(r'data-state="(\w+)"', row(response, "completeness-grid", "16.01"))
    assert oku[:2] == ["verified", "on_time"]
    html = text(response)
    assert 'data-figure="due">204<' in html  # 17 regencies x 12 months
    partial = client.get("/kelengkapan/?tahun=2024", **HTMX)
    assert "<html" not in partial.content.decode() and "HX-Request" in partial["Vary"]


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


def add_synthetic_regencies(count: int) -> None:
    houses = Indicator.objects.get(code="rumah-dibedah")
    stunting = Indicator.objects.get(code="prevalensi-stunting")
    source = FundingSource.objects.get(code="tidak-dirinci")
    for n in range(1, count + 1):
        regency = RegencyFactory(code=f"99.{n:02d}", bps_code=f"99{n:02d}")
        Target.objects.create(indicator=houses, regency=regency, year=2024, value=D(10))
        for month in (1, 2):
            rep = MonthlyReportFactory(program=houses.program, regency=regency, month=month)
            RealizationFactory(report=rep, indicator=houses, funding_source=source)
            rep = MonthlyReportFactory(program=stunting.program, regency=regency, month=month)
            RealizationFactory(
                report=rep,
                indicator=stunting,
                funding_source=source,
                value=None,
                numerator=D(1),
                denominator=D(4),
            )


@pytest.mark.parametrize("url", PAGES)
def test_query_count_does_not_grow_with_regencies(client, gbrss_data, pimpinan, url):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    at_sumsel_scale = count()
    add_synthetic_regencies(99)
    assert count() == at_sumsel_scale
