"""Without a period in the address, dashboards open on the latest month whose reports are
due, not on the running month: on 29 November the November reports are not in yet (they
are due on 10 December), and a schedule counted up to today would put every regency
behind."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from programs.models import FundingSource, Indicator, MonthlyReport, Program
from regencies.models import Regency
from tests.factories import MonthlyReportFactory, RealizationFactory, TargetFactory
from tests.helpers import element_text, find, find_all, page, table_row

WIB = ZoneInfo("Asia/Jakarta")


def houses_report(code, year, month, status, houses=None):
    """A GBRSS report of regency `code`; with `houses`, its APBD Prov realization."""
    report = MonthlyReportFactory(
        program=Program.objects.get(slug="gbrss"),
        regency=Regency.objects.get(code=code),
        year=year,
        month=month,
        status=status,
    )
    if houses is not None:
        RealizationFactory(
            report=report,
            indicator=Indicator.objects.get(code="rumah-dibedah"),
            funding_source=FundingSource.objects.get(code="apbd-prov"),
            value=houses,
        )
    return report


@pytest.fixture
def on_pace(reference_data):
    """Banyuasin (16.07), GBRSS 2026: target 1,200 houses, 95 verified each month from
    January to October (950, 79,2 %). Pro-rated over the year, the schedule asks 83,3 %
    by the end of October (on track within 10 points) and 91,2 % by 29 November (behind)."""
    houses = Indicator.objects.get(code="rumah-dibedah")
    banyuasin = Regency.objects.get(code="16.07")
    TargetFactory(indicator=houses, regency=banyuasin, year=2026, value=Decimal(1200))
    for month in range(1, 11):
        houses_report("16.07", 2026, month, MonthlyReport.Status.VERIFIED, houses=95)


def heading_and_status(client, url):
    response = client.get(url)
    assert response.status_code == 200
    heading = element_text(find(page(response), "h1"))
    return heading, element_text(table_row(response, "regency-table", "16.07"))


@pytest.mark.parametrize(
    "moment, month",
    [
        (dt.datetime(2026, 11, 29, 10, tzinfo=WIB), "Oktober"),
        (dt.datetime(2026, 12, 10, 23, 30, tzinfo=WIB), "Oktober"),  # due day: not yet
        (dt.datetime(2026, 12, 11, 0, 30, tzinfo=WIB), "November"),
    ],
    ids=["29-november", "10-december-late", "11-december"],
)
def test_pages_open_on_the_latest_month_due(client, on_pace, moment, month):
    with time_machine.travel(moment, tick=False):
        heading, row = heading_and_status(client, "/program/gbrss/")
        assert "2026" in heading and f"s.d. {month}" in heading
        overview = element_text(find(page(client.get("/")), "h1"))
        assert f"2026 s.d. {month}" in overview


def expected_label(client, url):
    """The program page's "Seharusnya s.d. ..." key figure: its label and value."""
    figures = find(page(client.get(url)), "dl", class_="key-figures")
    figure = find(figures, "dd", **{"data-figure": "expected"})
    labels = [d for d in find_all(figures, "div") if figure in d.children]
    return element_text(labels[0])


def test_the_default_judges_regencies_on_the_months_reported(client, on_pace):
    with time_machine.travel(dt.datetime(2026, 11, 29, 10, tzinfo=WIB), tick=False):
        _heading, row = heading_and_status(client, "/program/gbrss/")
        assert "79,2 %" in row and "Sesuai jadwal" in row
        assert expected_label(client, "/program/gbrss/").startswith("Seharusnya s.d. 31 Oktober")
        # The running month, chosen on purpose, still counts the schedule up to today.
        url = "/program/gbrss/?tahun=2026&bulan=11"
        _heading, row = heading_and_status(client, url)
        assert "79,2 %" in row and "Tertinggal" in row
        assert expected_label(client, url).startswith("Seharusnya s.d. 29 November")


@pytest.mark.parametrize(
    "moment, month, status",
    [
        # November's reports were due on 10 December: Banyuasin's is missing.
        (dt.datetime(2027, 1, 5, 10, tzinfo=WIB), "November", "Tertinggal"),
        # December's are due on 10 January: the whole year from the 11th.
        (dt.datetime(2027, 1, 11, 10, tzinfo=WIB), "Desember", "Tertinggal"),
    ],
    ids=["5-january", "11-january"],
)
def test_last_year_opens_on_its_latest_month_due(client, on_pace, moment, month, status):
    """In January, before the new year has reports, the pages show last year up to its
    latest month whose reports are due, whether or not every regency sent it (missing
    months count as missing), and not further when a regency sent December early."""
    december = houses_report("16.01", 2026, 12, MonthlyReport.Status.SUBMITTED)
    assert december.month == 12
    with time_machine.travel(moment, tick=False):
        heading, row = heading_and_status(client, "/program/gbrss/")
        assert "2026" in heading and f"s.d. {month}" in heading
        assert status in row


@pytest.mark.parametrize(
    "moment, year, month",
    [
        (dt.datetime(2027, 1, 5, 10, tzinfo=WIB), 2026, "November"),
        # January's reports are due on 10 February: the new year opens on the 11th.
        (dt.datetime(2027, 2, 10, 23, 30, tzinfo=WIB), 2026, "Desember"),
        (dt.datetime(2027, 2, 11, 0, 30, tzinfo=WIB), 2027, "Januari"),
    ],
    ids=["5-january", "10-february-late", "11-february"],
)
def test_an_early_report_of_the_new_year_does_not_open_it(client, on_pace, moment, year, month):
    """A regency sends January 2027 on 5 January and it is verified, next to 2027 targets
    copied in December: every page and the API still open on 2026 until a month of 2027
    is due, instead of a year where every other regency reads "belum ada data"."""
    houses = Indicator.objects.get(code="rumah-dibedah")
    TargetFactory(indicator=houses, regency=Regency.objects.get(code="16.07"), year=2027, value=9)
    houses_report("16.07", 2027, 1, MonthlyReport.Status.VERIFIED, houses=5)
    with time_machine.travel(moment, tick=False):
        for url in ["/", "/program/gbrss/", "/ringkasan/cetak/"]:
            heading = element_text(find(page(client.get(url)), "h1")).replace(",", "")
            assert f"{year} s.d. {month}" in heading, url
        kelengkapan = element_text(find(page(client.get("/kelengkapan/")), "h1"))
        assert f"{year}, s.d." in kelengkapan
        assert client.get("/api/v1/progress/").json()["filters"]["tahun"] == year


def test_visitors_open_on_a_year_they_can_see(client, on_pace):
    """On 11 February 2027 January's reports are due and Banyuasin's is submitted, not yet
    verified: a leader's pages open on 2027, a visitor's (who sees verified reports only)
    stay on 2026 rather than a year with nothing shown, and so does the API's default."""
    from tests.factories import UserScopeFactory

    houses_report("16.07", 2027, 1, MonthlyReport.Status.SUBMITTED, houses=80)
    with time_machine.travel(dt.datetime(2027, 2, 11, 10, tzinfo=WIB), tick=False):
        visitor = element_text(find(page(client.get("/")), "h1"))
        assert "2026 s.d. Desember" in visitor
        years = find_all(find(page(client.get("/")), "select", id="filter-tahun"), "option")
        assert "2027" not in [element_text(o) for o in years]
        api = client.get("/api/v1/progress/?program=gbrss").json()
        assert api["filters"]["tahun"] == 2026
        client.force_login(UserScopeFactory(role="pimpinan").user)
        leader = element_text(find(page(client.get("/")), "h1"))
        assert "2027 s.d. Januari" in leader
