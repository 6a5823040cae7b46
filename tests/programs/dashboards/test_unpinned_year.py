"""Links and saved views of a page on its default year do not pin that year.

The default month was left out of links already (test_unpinned_month.py), but every link
wrote the default year (tahun=2026): a view saved in 2026 kept opening 2026 after the
default moved to 2027, on 10 February 2027 when January 2027's reports are due. A year
the user chose stays, and a month the user chose keeps its year; downloads keep both."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from programs.models import Indicator, MonthlyReport, SavedView
from tests.factories import TargetFactory
from tests.helpers import attribute, find, page
from tests.programs.dashboards.test_default_period import (
    houses_report,
    on_pace,  # noqa: F401
)
from tests.programs.dashboards.test_unpinned_month import (
    heading,
    months_of,
    page_links,
    saved_link,
    years_of,
)

pytestmark = pytest.mark.usefixtures("on_pace")

WIB = ZoneInfo("Asia/Jakarta")
DECEMBER_1 = dt.datetime(2026, 12, 1, 10, tzinfo=WIB)
JANUARY_15 = dt.datetime(2027, 1, 15, 10, tzinfo=WIB)  # 2026 s.d. Desember is the default
FEBRUARY_11 = dt.datetime(2027, 2, 11, 10, tzinfo=WIB)  # January 2027's reports are due
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def years(reference_data):
    """2025 has a target (the year menu offers it); January 2027 is reported."""
    houses = Indicator.objects.get(code="rumah-dibedah")
    TargetFactory(indicator=houses, regency=None, year=2025, value=Decimal(1000))
    houses_report("16.07", 2026, 11, MonthlyReport.Status.VERIFIED, houses=95)
    houses_report("16.07", 2026, 12, MonthlyReport.Status.VERIFIED, houses=95)
    houses_report("16.07", 2027, 1, MonthlyReport.Status.VERIFIED, houses=80)


def save(client, address: str) -> None:
    client.post("/tersimpan/", {"url": address})


def later(client, user, link: str) -> str:
    """The heading `link` opens on 11 February 2027."""
    with time_machine.travel(FEBRUARY_11, tick=False):
        client.force_login(user)  # the session of the day it was saved has expired
        return heading(client.get(link))


@pytest.mark.parametrize("moment", [DECEMBER_1, JANUARY_15], ids=["1-december", "15-january"])
@pytest.mark.parametrize("path", ["/", "/program/gbrss/", "/wilayah/16.07/"])
def test_a_page_on_the_default_period_links_without_year_or_month(client, pimpinan, path, moment):
    """On 15 January 2027 the default is 2026 s.d. Desember: December was kept in links
    as a month that can move no further, but without the year it must move on."""
    with time_machine.travel(moment, tick=False):
        response = client.get(path)
        month = "Oktober" if moment == DECEMBER_1 else "Desember"
        assert f"2026, s.d. {month}" in heading(response) or f"2026 s.d. {month}" in heading(
            response
        )
        links = page_links(response)
    navigation = [h for h in links["navigation"] if not h.startswith("/kelengkapan/")]
    assert navigation and years_of(navigation) == {None} and months_of(navigation) == {None}
    # A download is the file of the period shown.
    assert years_of(links["downloads"]) == {"2026"}


def test_a_view_saved_on_the_default_period_opens_the_next_year_once_due(client, pimpinan):
    with time_machine.travel(DECEMBER_1, tick=False):
        html = page(client.get("/program/gbrss/"))
        address = attribute(find(html, "input", name="url"), "value")
        save(client, address)
        assert "2026" in heading(client.get(saved_link(client)))
    with time_machine.travel(JANUARY_15, tick=False):
        client.force_login(pimpinan)
        # A regency page reached from the overview on 2026 s.d. Desember, then saved.
        links = page_links(client.get("/"))["navigation"]
        regency = next(link for link in links if link.startswith("/wilayah/16.07/"))
        assert "Desember" in heading(client.get(regency))
        save(client, regency)
    links = {view.path: view.url for view in SavedView.objects.all()}
    assert links == {"/program/gbrss/": "/program/gbrss/", "/wilayah/16.07/": "/wilayah/16.07/"}
    for link in links.values():
        shown = later(client, pimpinan, link)
        assert "2027" in shown and "Januari" in shown


def test_a_year_the_user_chose_stays(client, pimpinan):
    with time_machine.travel(DECEMBER_1, tick=False):
        response = client.get("/program/gbrss/", {"tahun": 2025})
        assert "2025" in heading(response)
        links = page_links(response)
        save(client, "/program/gbrss/?tahun=2025")
        # A month chosen in the default year keeps its year: June 2026 is a period.
        save(client, "/wilayah/16.07/?tahun=2026&bulan=6")
    assert years_of(links["navigation"]) == {"2025"}
    assert months_of(links["navigation"]) == {"12"}
    saved = {view.path: view.url for view in SavedView.objects.all()}
    assert saved == {
        "/program/gbrss/": "/program/gbrss/?tahun=2025",
        "/wilayah/16.07/": "/wilayah/16.07/?tahun=2026&bulan=6",
    }
    assert "2025" in later(client, pimpinan, saved["/program/gbrss/"])
    june = later(client, pimpinan, saved["/wilayah/16.07/"])
    assert "2026" in june and "Juni" in june


def test_an_address_with_the_default_year_is_saved_without_it(client, pimpinan):
    """A link shared before (tahun=2026 on the default period) follows the calendar
    once saved, as the page's own links now do."""
    with time_machine.travel(JANUARY_15, tick=False):
        client.force_login(pimpinan)
        save(client, "/wilayah/16.07/?tahun=2026")
        save(client, "/program/gbrss/?tahun=2026&bulan=12&terverifikasi=1")
    saved = sorted(view.url for view in SavedView.objects.all())
    assert saved == ["/program/gbrss/?terverifikasi=1", "/wilayah/16.07/"]


def test_the_filter_form_leaves_out_the_default_year(client, pimpinan):
    """The form sends both menus; on 15 January 2027 (2026 s.d. Desember) ticking
    'verified only' opened ?tahun=2026&bulan=12&terverifikasi=1, pinned for ever."""
    with time_machine.travel(JANUARY_15, tick=False):
        drawn = attribute(find(page(client.get("/")), "input", name="semula"), "value")
        sent = {"tahun": 2026, "bulan": 12, "semula": drawn, "terverifikasi": "1"}
        assert client.get("/", sent)["Location"] == "/?terverifikasi=1"
        assert client.get("/", sent, headers=HTMX)["HX-Push-Url"] == "/?terverifikasi=1"
        # Another year, or a month, is the user's.
        assert client.get("/", {**sent, "tahun": 2025})["Location"] == (
            "/?tahun=2025&terverifikasi=1"
        )
        assert client.get("/", {**sent, "bulan": 6})["Location"] == (
            "/?tahun=2026&bulan=6&terverifikasi=1"
        )
        # A page on a year chosen keeps it (and its December).
        drawn = attribute(
            find(page(client.get("/", {"tahun": 2025})), "input", name="semula"), "value"
        )
        kept = client.get("/", {**sent, "tahun": 2025, "semula": drawn})
        assert kept["Location"] == "/?tahun=2025&bulan=12&terverifikasi=1"
