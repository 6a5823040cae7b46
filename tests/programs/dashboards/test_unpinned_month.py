"""Links and saved views of a page on its default month do not pin that month.

On 1 December 2026 the pages open on October (November's reports are due on 10
December). Every link such a page draws (tabs, sort links, regency and program links)
carried bulan=10, so a view saved after one click stayed on October after 10 December,
while the saved-views page promises links that "always open the latest figures". A month
the user chose stays in every link; downloads keep the month they were drawn for."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine

from programs.models import SavedView
from tests.helpers import attribute, element_text, find, find_all, page

# on_pace (tests/programs/dashboards/test_default_period.py): GBRSS 2026 in Banyuasin.
from tests.programs.dashboards.test_default_period import on_pace  # noqa: F401

pytestmark = pytest.mark.usefixtures("on_pace")

WIB = ZoneInfo("Asia/Jakarta")
DECEMBER_1 = dt.datetime(2026, 12, 1, 10, tzinfo=WIB)
DECEMBER_11 = dt.datetime(2026, 12, 11, 10, tzinfo=WIB)
HTMX = {"HX-Request": "true"}


def heading(response) -> str:
    assert response.status_code == 200
    return element_text(find(page(response), "h1"))


def months_of(links) -> set:
    """The `bulan` of each dashboard link (None: no month in it)."""
    found = set()
    for href in links:
        query = parse_qs(urlsplit(href).query)
        found.add(query["bulan"][0] if "bulan" in query else None)
    return found


DASHBOARDS = ("/?", "/program/", "/wilayah/", "/kelengkapan/", "/unduh/", "/ringkasan/")


def page_links(response) -> dict[str, list[str]]:
    """Links of a page's body to dashboards, in two kinds: downloads (and the print
    summary), the others (a link of the page on its default period has no query)."""
    html = find(page(response), "div", id="page-body")
    links = {"navigation": [], "downloads": []}
    for a in find_all(html, "a"):
        href = attribute(a, "href") or ""
        if not (href == "/" or href.startswith("?") or href.startswith(DASHBOARDS)):
            continue
        # The printable meeting summary is a document of the period shown, as a file.
        names = dict(a.attributes)
        document = "download" in names or names.get("id") == "summary-link"
        kind = "downloads" if document else "navigation"
        links[kind].append(href)
    return links


def years_of(links) -> set:
    """The `tahun` of each dashboard link (None: no year in it)."""
    return {parse_qs(urlsplit(href).query).get("tahun", [None])[0] for href in links}


def saved_link(client) -> str:
    html = page(client.get("/tersimpan/"))
    (entry,) = find_all(find(html, "ul", id="saved-list"), "li")
    return attribute(find(entry, "a"), "href")


@pytest.mark.parametrize("path", ["/", "/program/gpstss/", "/wilayah/16.07/"])
def test_links_of_a_page_on_its_default_month_leave_the_month_out(client, pimpinan, path):
    with time_machine.travel(DECEMBER_1, tick=False):
        response = client.get(path)
        assert "Oktober" in heading(response)
        links = page_links(response)
    grid = [href for href in links["navigation"] if href.startswith("/kelengkapan/")]
    others = [href for href in links["navigation"] if href not in grid]
    assert others and months_of(others) == {None}
    # The completeness grid, whose own default is the running month, is told to follow
    # the latest month due (tests/programs/dashboards/test_cross_page_period.py).
    assert months_of(grid) <= {"jatuh-tempo"}
    # Nor the default year (tests/programs/dashboards/test_unpinned_year.py).
    assert years_of(links["navigation"]) == {None}
    # A download is the file of the period shown, whenever the link is followed.
    assert links["downloads"] and months_of(links["downloads"]) == {"10"}
    assert years_of(links["downloads"]) == {"2026"}


@pytest.mark.parametrize("path", ["/", "/program/gpstss/", "/wilayah/16.07/"])
def test_a_month_the_user_chose_stays_in_every_link(client, pimpinan, path):
    with time_machine.travel(DECEMBER_1, tick=False):
        links = page_links(client.get(path, {"tahun": 2026, "bulan": 6}))
    assert months_of(links["navigation"]) == months_of(links["downloads"]) == {"6"}
    # The month chosen is June of that year: the year stays with it.
    assert years_of(links["navigation"]) == {"2026"}


def test_a_view_saved_after_clicking_a_tab_opens_the_newer_month_later(client, pimpinan):
    """The program page's indicator tab is clicked (htmx), then the page is saved: on
    11 December, November's reports being due, the saved link opens November."""
    with time_machine.travel(DECEMBER_1, tick=False):
        html = page(client.get("/program/gpstss/"))
        tabs = find_all(find(html, "nav", class_="tabs"), "a")
        second = attribute(tabs[1], "hx-get")
        assert "bulan" not in second
        clicked = client.get(f"/program/gpstss/{second}", headers=HTMX)
        assert "Oktober" in heading(clicked)
        address = attribute(find(page(clicked), "input", name="url"), "value")
        client.post("/tersimpan/", {"url": address})
        link = saved_link(client)
        assert "bulan" not in link and "indikator=balita-didampingi" in link
        assert "Oktober" in heading(client.get(link))
    with time_machine.travel(DECEMBER_11, tick=False):
        client.force_login(pimpinan)  # the session of 1 December has expired
        shown = heading(client.get(saved_link(client)))
    assert "November" in shown and "Oktober" not in shown


def test_an_overview_sort_link_saved_opens_the_newer_month_later(client, pimpinan):
    with time_machine.travel(DECEMBER_1, tick=False):
        html = page(client.get("/"))
        sort = attribute(find(find(html, "table", id="scorecard"), "a"), "hx-get")
        assert "urutkan=" in sort and "bulan" not in sort
        sorted_page = client.get(f"/{sort}", headers=HTMX)
        client.post("/tersimpan/", {"url": f"/{sort}"})
        assert "Oktober" in heading(sorted_page)
    with time_machine.travel(DECEMBER_11, tick=False):
        client.force_login(pimpinan)
        assert "November" in heading(client.get(saved_link(client)))


def test_an_address_with_the_default_month_is_saved_without_it(client, pimpinan):
    """A link shared before (or typed) with bulan=10 on 1 December is the page's own
    month: saved, it opens the latest month due. June, chosen, stays June."""
    with time_machine.travel(DECEMBER_1, tick=False):
        client.post("/tersimpan/", {"url": "/program/gbrss/?tahun=2026&bulan=10"})
        client.post("/tersimpan/", {"url": "/wilayah/16.07/?tahun=2026&bulan=6"})
    saved = {view.path: view.url for view in SavedView.objects.all()}
    assert saved == {
        "/program/gbrss/": "/program/gbrss/",
        "/wilayah/16.07/": "/wilayah/16.07/?tahun=2026&bulan=6",
    }
    with time_machine.travel(DECEMBER_11, tick=False):
        assert "November" in heading(client.get(saved["/program/gbrss/"]))
        assert "Juni" in heading(client.get(saved["/wilayah/16.07/"]))


def test_the_filter_form_leaves_out_a_month_left_at_the_pages_own(client, pimpinan):
    """Ticking 'verified only' on '2026 s.d. Oktober' sends the month menu too: the
    address it opens (and pushes to the address bar) leaves the month out."""
    with time_machine.travel(DECEMBER_1, tick=False):
        drawn = attribute(
            find(page(client.get("/program/gbrss/")), "input", name="semula"), "value"
        )
        sent = {"tahun": 2026, "bulan": 10, "semula": drawn, "terverifikasi": "1"}
        response = client.get("/program/gbrss/", sent)
        assert response["Location"] == "/program/gbrss/?terverifikasi=1"
        swapped = client.get("/program/gbrss/", sent, headers=HTMX)
        assert swapped["HX-Push-Url"] == "/program/gbrss/?terverifikasi=1"
        # A month changed in the menu is the user's, and stays.
        chosen = client.get("/program/gbrss/", {**sent, "bulan": 9})
        assert chosen["Location"] == "/program/gbrss/?tahun=2026&bulan=9&terverifikasi=1"
