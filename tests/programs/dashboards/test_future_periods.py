"""A period that has not begun in Jakarta (a later year, a later month of this year) is
never shown as if it were reportable: every page, htmx partial, export and the API's
progress show the latest period that has begun instead, and the menus never offer one."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine

from regencies.models import UserScope
from tests.helpers import attribute, element_text, find, find_all, login, make_user, page

WIB = ZoneInfo("Asia/Jakarta")
LEAP_DAY = dt.datetime(2028, 2, 29, 10, tzinfo=WIB)

HEADINGS = ["/", "/program/gbrss/", "/wilayah/16.07/", "/kelengkapan/", "/ringkasan/cetak/"]
EXPORTS = [
    "/unduh/rapor.csv",
    "/unduh/rapor.xlsx",
    "/unduh/program/gbrss.csv",
    "/unduh/wilayah/16.07.xlsx",
    "/unduh/kelengkapan.csv",
]


@pytest.fixture
def leader(gbrss_data):
    return login(make_user("pimpinan", UserScope.Role.PIMPINAN))


def heading(response) -> str:
    assert response.status_code == 200
    return element_text(find(page(response), "h1"))


def menu(response, name) -> tuple[list[str], list[str]]:
    """A filter menu's option values, and the chosen one(s)."""
    options = find_all(find(page(response), "select", id=f"filter-{name}"), "option")
    values = [attribute(o, "value") for o in options]
    return values, [attribute(o, "value") for o in options if "selected" in dict(o.attributes)]


@pytest.mark.parametrize("path", HEADINGS)
def test_december_of_the_running_year_is_shown_as_the_running_month(leader, path):
    """On 29 February 2028 '?tahun=2028&bulan=12' used to read '2028 s.d. Desember'."""
    with time_machine.travel(LEAP_DAY, tick=False):
        text = heading(leader.get(path, {"tahun": 2028, "bulan": 12}))
    assert "2028" in text and "Februari" in text and "Desember" not in text


@pytest.mark.parametrize("path", HEADINGS[:4])
def test_htmx_partials_show_the_running_month_too(leader, path):
    """The filter menus swap the page body in: the same period as the whole page."""
    with time_machine.travel(LEAP_DAY, tick=False):
        partial = leader.get(path, {"tahun": 2029, "bulan": 12}, headers={"HX-Request": "true"})
    text = heading(partial)
    assert "2028" in text and "Februari" in text and "Desember" not in text


@pytest.mark.parametrize("path", HEADINGS)
def test_a_later_year_is_shown_as_this_year(leader, path):
    with time_machine.travel(LEAP_DAY, tick=False):
        text = heading(leader.get(path, {"tahun": 2029}))
    assert "2028" in text and "2029" not in text


@pytest.mark.parametrize("path", HEADINGS)
def test_an_early_month_of_a_later_year_is_shown_as_the_running_month(leader, path):
    """January 2029 asked on 29 February 2028 read "2028 s.d. Januari": a month that
    has passed, not the latest period that has begun."""
    with time_machine.travel(LEAP_DAY, tick=False):
        text = heading(leader.get(path, {"tahun": 2029, "bulan": 1}))
    assert "2028" in text and "Februari" in text and "Januari" not in text


@pytest.mark.parametrize("path", EXPORTS)
def test_exports_of_a_period_not_begun_are_named_and_filled_for_the_latest_begun(leader, path):
    with time_machine.travel(LEAP_DAY, tick=False):
        december = leader.get(path, {"tahun": 2028, "bulan": 12})
        later_year = leader.get(path, {"tahun": 2029, "bulan": 12})
        early_month_of_a_later_year = leader.get(path, {"tahun": 2029, "bulan": 1})
        february = leader.get(path, {"tahun": 2028, "bulan": 2})
    assert december.status_code == later_year.status_code == 200
    name = february["Content-Disposition"]
    assert "2028-02" in name
    assert december["Content-Disposition"] == later_year["Content-Disposition"] == name
    assert early_month_of_a_later_year["Content-Disposition"] == name


def test_menus_offer_no_period_that_has_not_begun(leader):
    with time_machine.travel(LEAP_DAY, tick=False):
        this_year = leader.get("/", {"tahun": 2029, "bulan": 12})
        last_year = leader.get("/", {"tahun": 2027, "bulan": 12})
    years, chosen = menu(this_year, "tahun")
    assert years[-1] == "2028" and chosen == ["2028"]
    months, chosen = menu(this_year, "bulan")
    assert months == ["1", "2"] and chosen == ["2"]
    months, chosen = menu(last_year, "bulan")
    assert months == [str(m) for m in range(1, 13)] and chosen == ["12"]


def test_the_new_year_begins_at_midnight_in_jakarta(leader):
    """31 December 2026, 18:00 UTC, is 1 January 2027 in Jakarta: 2027 has begun."""
    with time_machine.travel(dt.datetime(2026, 12, 31, 18, tzinfo=dt.UTC), tick=False):
        text = heading(leader.get("/", {"tahun": 2027, "bulan": 12}))
    assert "2027 s.d. Januari" in text


def test_api_progress_answers_a_period_not_begun_for_the_latest_begun(leader):
    with time_machine.travel(LEAP_DAY, tick=False):
        later = json.loads(leader.get("/api/v1/progress/", {"tahun": 2029}).content)
        december = json.loads(leader.get("/api/v1/progress/", {"tahun": 2028, "bulan": 12}).content)
        february = json.loads(leader.get("/api/v1/progress/", {"tahun": 2028, "bulan": 2}).content)
        january_later = json.loads(
            leader.get("/api/v1/progress/", {"tahun": 2029, "bulan": 1}).content
        )
    assert later["filters"]["tahun"] == 2028
    assert january_later["filters"]["tahun"] == 2028 and january_later["filters"]["bulan"] == 2
    assert december["filters"]["tahun"] == 2028 and december["filters"]["bulan"] == 2
    assert december["results"] == february["results"]


def test_a_saved_view_of_a_period_not_begun_is_saved_and_titled_as_the_page_shows(gbrss_data):
    """'?tahun=2029&bulan=12' was saved as typed and titled '2029 s.d. Desember' while
    the page it opened showed 2028 s.d. Februari."""
    with time_machine.travel(LEAP_DAY, tick=False):
        leader = login(make_user("pimpinan", UserScope.Role.PIMPINAN))
        leader.post("/tersimpan/", {"url": "/program/gbrss/?tahun=2029&bulan=12"})
        (entry,) = saved_entries(leader)
        link = find(entry, "a")
        assert attribute(link, "href") == "/program/gbrss/?tahun=2028&bulan=2"
        assert element_text(link) == "GBRSS · 2028 s.d. Februari"
        assert heading(leader.get(attribute(link, "href"))).endswith("2028, s.d. Februari")
        # The same page typed with this year's December is the same saved view.
        leader.post("/tersimpan/", {"url": "/program/gbrss/?tahun=2028&bulan=12"})
        assert len(saved_entries(leader)) == 1
        # Without a year the month is the latest year's, whichever it is when opened;
        # December of the default year (2024 here) is the default period: not kept.
        leader.post("/tersimpan/", {"url": "/?bulan=12"})
        leader.post("/tersimpan/", {"url": "/?bulan=6"})
        titles = [element_text(find(li, "a")) for li in saved_entries(leader)]
    assert "Ringkasan · terbaru" in titles and "Ringkasan · tahun terbaru s.d. Juni" in titles


def saved_entries(client):
    return find_all(find(page(client.get("/tersimpan/")), "ul", id="saved-list"), "li")


def test_a_saved_view_kept_with_a_period_not_begun_is_titled_as_the_page_shows_it(gbrss_data):
    """Saved views kept before periods were clamped (or written by hand) still hold a
    period not begun, and the list showed their old title: "GBRSS · 2029 s.d. Desember"
    opened 2028 s.d. Februari. A month saved without a year ("s.d. Desember") opens the
    page's year, 2028 once it has reports, up to February. An earlier year the menu does
    not offer (2023, before the launch) opens the default year. Each is now titled with
    the period its link opens; the link itself is left as saved."""
    from programs.models import MonthlyReport, SavedView
    from tests.reporting_helpers import report as gbrss_report

    with time_machine.travel(LEAP_DAY, tick=False):
        gbrss_report(MonthlyReport.Status.VERIFIED, period=(2028, 1), value=7)
        user = make_user("pimpinan", UserScope.Role.PIMPINAN)
        leader = login(user)
        for path, query, title in [
            ("/program/gbrss/", "tahun=2029&bulan=12", "GBRSS · 2029 s.d. Desember"),
            ("/wilayah/16.07/", "tahun=2028&bulan=12", "Banyuasin · 2028 s.d. Desember"),
            ("/", "bulan=12", "Ringkasan · s.d. Desember"),
            ("/program/gbrss/", "tahun=2023", "GBRSS · 2023"),
            ("/program/gbrss/", "tahun=2024&bulan=3", "GBRSS · 2024 s.d. Maret"),
        ]:
            SavedView.objects.create(user=user, path=path, query=query, title=title)
        shown = {
            attribute(find(li, "a"), "href"): element_text(find(li, "a"))
            for li in saved_entries(leader)
        }
        assert shown == {
            "/program/gbrss/?tahun=2029&bulan=12": "GBRSS · 2028 s.d. Februari",
            "/wilayah/16.07/?tahun=2028&bulan=12": "Kab. Banyuasin · 2028 s.d. Februari",
            "/?bulan=12": "Ringkasan · tahun terbaru s.d. Februari",
            "/program/gbrss/?tahun=2023": "GBRSS · terbaru",
            "/program/gbrss/?tahun=2024&bulan=3": "GBRSS · 2024 s.d. Maret",
        }
        # What each link opens.
        assert heading(leader.get("/program/gbrss/?tahun=2029&bulan=12")).endswith(
            "2028, s.d. Februari"
        )
        assert heading(leader.get("/wilayah/16.07/?tahun=2028&bulan=12")).endswith(
            "2028, s.d. Februari"
        )
        assert heading(leader.get("/?bulan=12")).endswith("2028 s.d. Februari")
        assert heading(leader.get("/program/gbrss/?tahun=2023")).endswith("2028, s.d. Januari")
