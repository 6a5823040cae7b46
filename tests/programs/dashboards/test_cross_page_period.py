"""A link from one dashboard page to another opens the period the first one shows.

The overview opens on the latest month due (on 1 December 2026: October), the
completeness grid on the running month (December): "Lihat rincian kelengkapan", and each
program of the overview's completeness summary, opened the grid up to December, not the
overview's October; the grid's regency links opened the regency page on its own month.
A link from a page on its default month names the rule instead of the month
(bulan=jatuh-tempo), so that it still follows the calendar when saved; a month the user
chose is in it."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from programs.models import SavedView
from tests.helpers import attribute, find, find_all, page
from tests.programs.dashboards.test_default_period import on_pace  # noqa: F401
from tests.programs.dashboards.test_unpinned_month import heading, saved_link

pytestmark = pytest.mark.usefixtures("on_pace")

WIB = ZoneInfo("Asia/Jakarta")
NOVEMBER_15 = dt.datetime(2026, 11, 15, 10, tzinfo=WIB)
DECEMBER_1 = dt.datetime(2026, 12, 1, 10, tzinfo=WIB)
DECEMBER_11 = dt.datetime(2026, 12, 11, 10, tzinfo=WIB)


def completeness_links(response) -> list[str]:
    """'Lihat rincian kelengkapan' and the summary's program links."""
    html = page(response)
    summary = find(html, id="completeness-summary")
    programs = [attribute(a, "href") for a in find_all(find(summary, "tbody"), "a")]
    return [attribute(find(html, "a", id="completeness-link"), "href"), *programs]


def test_the_overviews_completeness_links_open_its_month(client, pimpinan):
    with time_machine.travel(DECEMBER_1, tick=False):
        overview = client.get("/")
        assert "Oktober" in heading(overview)
        links = completeness_links(overview)
        assert len(links) > 1
        for link in links:
            assert "2026, s.d. Oktober" in heading(client.get(link)), link
        # Saved from there (its address), the grid follows the latest month due.
        client.post("/tersimpan/", {"url": links[0]})
        assert "bulan=jatuh-tempo" in saved_link(client)
        assert "tahun" not in saved_link(client)
    with time_machine.travel(DECEMBER_11, tick=False):
        client.force_login(pimpinan)
        assert "2026, s.d. November" in heading(client.get(saved_link(client)))
    assert SavedView.objects.count() == 1


def test_a_month_chosen_on_the_overview_is_the_grids(client, pimpinan):
    with time_machine.travel(DECEMBER_1, tick=False):
        overview = client.get("/", {"tahun": 2026, "bulan": 6})
        for link in completeness_links(overview):
            assert "tahun=2026&bulan=6" in link
            assert "2026, s.d. Juni" in heading(client.get(link))


def test_the_grids_tabs_and_form_keep_the_overviews_month(client, pimpinan):
    """On the grid reached from the overview, another program's tab and the filter form
    (ticking 'verified only') stay on October."""
    with time_machine.travel(DECEMBER_1, tick=False):
        grid = client.get(completeness_links(client.get("/"))[0])
        html = page(grid)
        tab = attribute(find_all(find(html, "nav", class_="tabs"), "a")[1], "href")
        assert "2026, s.d. Oktober" in heading(client.get(f"/kelengkapan/{tab}"))
        drawn = attribute(find(html, "input", name="semula"), "value")
        sent = {"tahun": 2026, "bulan": 10, "semula": drawn, "terverifikasi": "1"}
        address = client.get("/kelengkapan/", sent)["Location"]
        assert address == "/kelengkapan/?bulan=jatuh-tempo&terverifikasi=1"
        assert "2026, s.d. Oktober" in heading(client.get(address))


def test_the_grids_regency_links_open_the_grids_month(client, pimpinan):
    """On 15 November the grid shows January to November (the running month); its
    regency links opened the regency page up to October (the latest month due)."""
    with time_machine.travel(NOVEMBER_15, tick=False):
        grid = client.get("/kelengkapan/")
        assert "2026, s.d. November" in heading(grid)
        row = find(find(page(grid), "table", id="completeness-grid"), "tr", data_regency="16.07")
        link = attribute(find(row, "a"), "href")
        assert "2026, s.d. November" in heading(client.get(link))
        assert "tahun" not in link
