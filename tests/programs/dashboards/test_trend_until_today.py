"""The program page's monthly line on "s.d. Desember" on 1 December: the year to date
stops at the last month with figures, the target path goes on to the year-end target.

It carried October's figure flat through November and December (their reports are not
due yet), next to the target's 8.391 in December: in a meeting that read as two months
without progress."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from programs.models import Indicator, MonthlyReport
from tests.factories import TargetFactory
from tests.helpers import cells, find, find_all, json_scripts, page
from tests.programs.dashboards.test_default_period import (
    houses_report,
    on_pace,  # noqa: F401
)
from tests.programs.spreadsheets.test_exports import monthly, read_xlsx, sheet_rows

pytestmark = pytest.mark.usefixtures("on_pace", "pimpinan")

WIB = ZoneInfo("Asia/Jakarta")
DECEMBER_1 = dt.datetime(2026, 12, 1, 10, tzinfo=WIB)
DECEMBER_11 = dt.datetime(2026, 12, 11, 10, tzinfo=WIB)
PERIOD = {"tahun": 2026, "bulan": 12}


@pytest.fixture(autouse=True)
def province_target(reference_data):
    houses = Indicator.objects.get(code="rumah-dibedah")
    TargetFactory(indicator=houses, regency=None, year=2026, value=Decimal(8391))


def trend(client) -> tuple[list, list]:
    """(realization line, target path) of the program page's trend chart."""
    figure = json_scripts(client.get("/program/gbrss/", PERIOD))["chart-trend"]
    realized, target = figure["data"][0], figure["data"][1]
    assert realized["name"] == "Realisasi kumulatif" and target["name"] == "Lintasan target"
    return realized["y"], target["y"]


def trend_table(client) -> list[list[str]]:
    body = find(find(page(client.get("/program/gbrss/", PERIOD)), id="trend-table"), "tbody")
    return [cells(row) for row in find_all(body, "tr")]


def test_the_line_stops_at_the_last_month_due_while_the_target_goes_on(client):
    with time_machine.travel(DECEMBER_1, tick=False):
        line, target = trend(client)
        table = trend_table(client)
    assert line == [95.0 * m for m in range(1, 11)] + [None, None]
    assert target[-1] == 8391 and all(v is not None for v in target)
    # The table beside the chart says the same: no figure yet for November and December.
    assert table[9][:2] == ["Oktober", "950"] and table[10][:2] == ["November", "–"]
    assert table[11][:3] == ["Desember", "–", "8.391"]


def test_a_month_reported_early_is_drawn(client):
    """November reported on 1 December (due on the 10th): the line reaches November,
    where the year to date is; December, running, has none."""
    with time_machine.travel(DECEMBER_1, tick=False):
        houses_report("16.01", 2026, 11, MonthlyReport.Status.SUBMITTED, houses=30)
        line, _target = trend(client)
    assert line[9:] == [950.0, 980.0, None]


def test_once_novembers_reports_are_due_the_line_reaches_november(client, pimpinan):
    with time_machine.travel(DECEMBER_11, tick=False):
        client.force_login(pimpinan)
        line, _target = trend(client)
    # Nothing was reported for November: its year to date is October's, and it is a
    # figure now (the month is closed); December is still running.
    assert line[9:] == [950.0, 950.0, None]


def test_the_performance_workbook_leaves_the_months_without_figures_empty(client):
    with time_machine.travel(DECEMBER_1, tick=False):
        houses_report("16.01", 2026, 11, MonthlyReport.Status.SUBMITTED, houses=30)
        response = client.get("/unduh/program/gbrss/kinerja.xlsx", PERIOD)
    rows = sheet_rows(read_xlsx(response)["rumah-dibedah"])
    # Banyuasin reported up to October, OKU November (early): each row's year to date
    # stops at its last month with figures; the province at November.
    assert monthly(rows["16.07"], 12)[9:] == [(95, 950), (None, None), (None, None)]
    assert monthly(rows["16.01"], 12)[9:] == [(None, None), (30, 30), (None, None)]
    province = monthly(rows["Provinsi Sumatera Selatan"], 12)
    assert province[9:] == [(95, 950), (30, 980), (None, None)]


def test_the_regency_pages_trend_has_no_figure_after_the_last_report(client):
    """The regency page draws each month's own reports (no carried year to date):
    nothing after October there either."""
    with time_machine.travel(DECEMBER_1, tick=False):
        figures = json_scripts(client.get("/wilayah/16.07/", PERIOD))
    (houses,) = [f for key, f in figures.items() if key == "trend-rumah-dibedah"]
    assert houses["data"][0]["y"] == [95.0] * 10 + [None, None]


# --- A finished year: its own line, and last year's beside this year's -----------------


def report(code, program, indicator, year, month, value):
    """A verified report of regency `code` with `value` for `indicator`."""
    from programs.models import FundingSource, Program
    from regencies.models import Regency
    from tests.factories import MonthlyReportFactory, RealizationFactory

    filed = MonthlyReportFactory(
        program=Program.objects.get(slug=program),
        regency=Regency.objects.get(code=code),
        year=year,
        month=month,
        status=MonthlyReport.Status.VERIFIED,
    )
    RealizationFactory(
        report=filed,
        indicator=Indicator.objects.get(code=indicator),
        funding_source=FundingSource.objects.get(code="apbd-prov"),
        value=value,
    )


def lines(client, path, period) -> dict[str, list]:
    if path.startswith("/program/gpstss/"):
        period = {**period, "indikator": "balita-didampingi"}
    figure = json_scripts(client.get(path, period))["chart-trend"]
    return {trace["name"]: trace["y"] for trace in figure["data"]}


# GBRSS's houses (increment) and GPSTSS's children accompanied (running total), each
# reported in 2025 from January to June only (the program stopped reporting).
# Reported each month: 10, 20, ... 60; the year to date adds them up for an increment
# and is the latest for a running total.
STOPPED = [
    ("/program/gbrss/", "gbrss", "rumah-dibedah", [10.0, 30.0, 60.0, 100.0, 150.0, 210.0]),
    ("/program/gpstss/", "gpstss", "balita-didampingi", [10.0, 20.0, 30.0, 40.0, 50.0, 60.0]),
]


@pytest.mark.parametrize("path, program, indicator, to_date", STOPPED, ids=["increment", "total"])
def test_a_finished_year_stopped_early_is_not_drawn_flat_to_december(
    client, path, program, indicator, to_date
):
    """'?tahun=2025' of a program whose 2025 reports stop in June drew June's year to
    date on through December, as if six more months had been reported without progress."""
    for month in range(1, 7):
        report("16.07", program, indicator, 2025, month, 10 * month)
    with time_machine.travel(DECEMBER_1, tick=False):
        drawn = lines(client, path, {"tahun": 2025})
    (realized,) = [y for name, y in drawn.items() if name.startswith("Realisasi")]
    assert realized[:6] == to_date
    assert realized[6:] == [None] * 6


def test_a_finished_year_reported_to_december_is_drawn_through_december(client):
    for month in range(1, 13):
        report("16.07", "gbrss", "rumah-dibedah", 2025, month, 10)
    with time_machine.travel(DECEMBER_1, tick=False):
        drawn = lines(client, "/program/gbrss/", {"tahun": 2025})
    assert drawn["Realisasi kumulatif"] == [10.0 * m for m in range(1, 13)]


@pytest.mark.parametrize("path, program, indicator, to_date", STOPPED, ids=["increment", "total"])
def test_last_years_line_stops_where_its_reports_stopped(client, path, program, indicator, to_date):
    """This year's page (2026 s.d. Oktober) beside 2025: its line stops in June, while
    the key figure 'Oktober tahun lalu' is 2025's year to date at the end of October."""
    for month in range(1, 7):
        report("16.07", program, indicator, 2025, month, 10 * month)
    with time_machine.travel(DECEMBER_1, tick=False):
        drawn = lines(client, path, {})
        previous = drawn["Tahun lalu (2025)"]
        html = page(client.get(path, {"indikator": indicator}))
    assert previous[:6] == to_date
    assert previous[6:] == [None] * 4  # July to October: nothing reported
    figure = find(find(html, "dl", class_="key-figures"), "dd", **{"data-figure": "previous-year"})
    assert figure.children[0].strip() == f"{to_date[-1]:.0f}"
