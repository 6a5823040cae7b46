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


# --- A year chosen alone in the filter form ---------------------------------------------

NOVEMBER_29 = dt.datetime(2026, 11, 29, 10, tzinfo=WIB)
FORM_PAGES = ["/", "/program/gbrss/", "/wilayah/16.07/", "/kelengkapan/"]


def heading(response) -> str:
    assert response.status_code == 200
    return element_text(find(page(response), "h1"))


@pytest.mark.parametrize("path", FORM_PAGES)
def test_a_year_chosen_alone_in_the_form_opens_that_whole_year(client, on_pace, path):
    """The form on "2026 s.d. Oktober" sends its month menu with the year: choosing 2024
    showed 2024 s.d. Oktober. The form says which period it was drawn for (`semula`): a
    year changed alone drops the month, and the page opens the way its address says, on
    the default month of that year (December for a past year). A month chosen, with the
    year or alone, is kept. Without JavaScript the browser is sent to that address."""
    from programs.filters import FORM_PERIOD

    with time_machine.travel(NOVEMBER_29, tick=False):
        drawn = dict(find(page(client.get(path)), "input", name=FORM_PERIOD).attributes)
        # The grid opens on the running month, the others on the latest month due.
        month = 11 if path == "/kelengkapan/" else 10
        assert drawn["value"] == f"2026-{month}:bawaan"  # the default year, too
        year_alone = client.get(path, {"tahun": 2024, "bulan": month, FORM_PERIOD: drawn["value"]})
        with_month = client.get(path, {"tahun": 2024, "bulan": 5, FORM_PERIOD: drawn["value"]})
        month_alone = client.get(path, {"tahun": 2026, "bulan": 5, FORM_PERIOD: drawn["value"]})
        assert year_alone.status_code == with_month.status_code == 302
        assert year_alone["Location"] == f"{path}?tahun=2024"
        assert with_month["Location"] == f"{path}?tahun=2024&bulan=5"
        assert month_alone["Location"] == f"{path}?tahun=2026&bulan=5"
        text = heading(client.get(year_alone["Location"]))
        assert "2024" in text and "Desember" in text and "Oktober" not in text
        assert "November" not in text


@pytest.mark.parametrize("path", FORM_PAGES)
def test_a_month_the_user_chose_stays_when_the_year_changes(client, on_pace, path):
    """Comparing June 2026 with June 2024: the month was chosen (it is in the address),
    so changing the year keeps it; only a month the page chose by itself is dropped."""
    from programs.filters import FORM_PERIOD

    with time_machine.travel(NOVEMBER_29, tick=False):
        june = client.get(path, {"tahun": 2026, "bulan": 6})
        drawn = dict(find(page(june), "input", name=FORM_PERIOD).attributes)["value"]
        assert drawn == "2026-6:dipilih"
        year_alone = client.get(path, {"tahun": 2024, "bulan": 6, FORM_PERIOD: drawn})
        assert year_alone.status_code == 302
        assert year_alone["Location"] == f"{path}?tahun=2024&bulan=6"
        text = heading(client.get(year_alone["Location"]))
        assert "2024" in text and "Juni" in text


@pytest.mark.parametrize("path", FORM_PAGES[:3])  # the pages with a save button
def test_a_year_chosen_alone_by_htmx_swaps_in_that_whole_year(client, on_pace, pimpinan, path):
    """htmx sends the form as it is: the answer is the page of the address the form
    stands for, which htmx pushes to the address bar (HX-Push-Url), and the page's own
    links (the save button) are that address's."""
    with time_machine.travel(NOVEMBER_29, tick=False):
        response = client.get(
            path,
            {"tahun": 2024, "bulan": 10, "semula": "2026-10"},
            headers={"HX-Request": "true"},
        )
        assert response["HX-Push-Url"] == f"{path}?tahun=2024"
        text = heading(response)
        assert "2024" in text and "Desember" in text and "Oktober" not in text
        saved = find(page(response), "input", name="url")
        assert dict(saved.attributes)["value"] == f"{path}?tahun=2024"
        same = client.get(path, {"tahun": 2024}, headers={"HX-Request": "true"})
        assert heading(same) == text


def test_a_saved_form_address_is_saved_as_the_page_shows_it(client, on_pace, pimpinan):
    """A form's address starred as it was sent keeps the year chosen alone without the
    month, as the page shows it."""
    from programs.models import SavedView

    with time_machine.travel(NOVEMBER_29, tick=False):
        client.post("/tersimpan/", {"url": "/program/gbrss/?tahun=2024&bulan=10&semula=2026-10"})
    (saved,) = SavedView.objects.all()
    assert saved.url == "/program/gbrss/?tahun=2024"
    assert saved.title == "GBRSS · 2024"
