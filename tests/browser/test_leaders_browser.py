"""The leaders' view in a real browser (issue 14): the question "who is behind in GBRSS?"
answered on the overview, the scorecard on a 360 px phone, and printing for a meeting."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from programs.models import MonthlyReport
from tests.browser.conftest import OPERATOR, VERIFIER, draw_charts
from tests.browser.helpers import log_in
from tests.reporting_helpers import report as gbrss_report

BEHIND_TEXT = "rgb(179, 71, 0)"  # --behind, the words' colour
BEHIND_FILL = "rgb(213, 94, 0)"  # #D55E00, the bars' and the map's colour
PHONE = {"width": 360, "height": 740}


def test_overview_answers_which_regencies_are_behind_in_gbrss(page, watch, gbrss_data):
    page.goto("/?tahun=2024&bulan=12")
    gbrss = page.locator("#behind-list li[data-behind='gbrss']")
    names = gbrss.locator("[data-regency]")
    assert names.all_inner_texts() == ["Ogan Komering Ulu", "Banyuasin"]
    for name in names.all():
        assert name.evaluate("el => getComputedStyle(el).color") == BEHIND_TEXT
    # On the map the same two regencies are filled with the behind colour, the others not.
    fills = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('#overview-map a')]
             .map(a => [a.dataset.regency, getComputedStyle(a.querySelector('path')).fill]))"""
    )
    assert {code for code, fill in fills.items() if fill == BEHIND_FILL} == {"16.01", "16.07"}
    assert len(fills) == 17
    page.locator(".map-list").get_by_role("link", name="Banyuasin", exact=True).click()
    page.wait_for_url(re.compile(r"/wilayah/16\.07/"))
    assert watch.errors == []


def test_scorecard_on_a_360px_phone_every_value_reachable(page, watch, gbrss_data):
    page.set_viewport_size(PHONE)
    page.goto("/?tahun=2024&bulan=12")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.locator(".scroll-cue").is_visible()
    cells = page.locator("#scorecard tbody td")
    columns = page.locator("#scorecard thead th").count()  # the name is a th in the body
    assert cells.count() == 17 * (columns - 1)
    unreachable = page.evaluate(
        """(width) => {
          const missed = [];
          for (const cell of document.querySelectorAll('#scorecard tbody td')) {
            cell.scrollIntoView({block: 'center', inline: 'center'});
            const box = cell.getBoundingClientRect();
            const x = Math.min(box.left + box.width / 2, width - 2), y = box.top + box.height / 2;
            const hit = document.elementFromPoint(x, y);
            // Visible on screen and not hidden under the sticky regency column.
            if (box.right > width + 1 || box.left < 0 || !hit || !cell.contains(hit)) {
              missed.push(cell.parentElement.dataset.regency + ' ' + cell.cellIndex);
            }
          }
          return missed;
        }""",
        PHONE["width"],
    )
    assert unreachable == []
    # The regency's name stays in view while the programs scroll sideways.
    wrap = page.locator("#scorecard").locator("xpath=..")
    wrap.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    name = page.locator("#scorecard tbody th").first.bounding_box()
    assert abs(name["x"] - wrap.bounding_box()["x"]) < 2
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    assert watch.errors == []


def test_program_table_on_a_360px_phone_keeps_the_name_beside_the_achievement(
    page, watch, gbrss_data
):
    """On a phone the program page's table showed the name, target and realization; the
    achievement, status and reports were off to the right with nothing saying so, and
    scrolling to them lost the regency's name."""
    page.set_viewport_size(PHONE)
    page.goto("/program/gbrss/?tahun=2024&bulan=12")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    cue = page.locator("#h-table ~ .wide-table .scroll-cue")
    assert cue.is_visible()
    assert "capaian" in cue.inner_text()
    wrap = page.locator("#regency-table").locator("xpath=..")
    wrap.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    row = page.locator("#regency-table tbody tr[data-regency='16.07']")
    for name in (row.locator("th"), page.locator("#regency-table thead th").first):
        assert abs(name.bounding_box()["x"] - wrap.bounding_box()["x"]) < 2
    # The achievement cell, scrolled into view, is not covered by the name.
    achievement = row.locator("td").nth(2)
    achievement.scroll_into_view_if_needed()
    box = achievement.bounding_box()
    hit = page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).closest('td')?.innerText",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
    )
    assert hit == achievement.inner_text()
    assert watch.errors == []


# Every table wider than a phone, by page: on the regency page each indicator's
# comparison with the province and the reporting status by month, the completeness grid,
# the program page's monthly trend and regency table, the scorecard and the meeting
# summary.
WIDE_TABLES = [
    ("/wilayah/16.07/?tahun=2024&bulan=12", "table.comparison"),
    ("/wilayah/16.07/?tahun=2024&bulan=12", "#status-matrix"),
    ("/kelengkapan/?tahun=2024&bulan=12", "#completeness-grid"),
    ("/program/gbrss/?tahun=2024&bulan=12", "#trend-table"),
    ("/program/gbrss/?tahun=2024&bulan=12", "#regency-table"),
    ("/?tahun=2024&bulan=12", "#scorecard"),
    ("/ringkasan/cetak/?tahun=2024&bulan=12", "#summary-table"),
]

# Per row of a table: (its name's cell, its last cell, the header above the name), each
# on screen and the one found at its middle, after scrolling the row into view (and not
# its table: scrollIntoView would scroll the table back to the name).
ROWS_IN_VIEW = """(table) => {
  const wrap = table.parentElement, box = wrap.getBoundingClientRect();
  const shown = (cell) => {
    const r = cell.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return r.left >= box.left - 1 && r.right <= box.right + 1 && r.left >= 0
      && r.right <= window.innerWidth && !!hit && cell.contains(hit);
  };
  return [...table.tBodies[0].rows].map((row) => {
    window.scrollBy(0, row.getBoundingClientRect().top - window.innerHeight / 2);
    const name = row.querySelector('th[scope=row]') || row.cells[0];
    const last = row.cells[row.cells.length - 1];
    const head = table.tHead.rows[0].cells[name.cellIndex];
    const top = head.getBoundingClientRect().top;
    const headShown = top < 0 || top > window.innerHeight || shown(head);  // off screen: later
    return [name.innerText.trim(), shown(name), shown(last), headShown];
  });
}"""


def assert_fits_or_scrolls_beside_its_names(page, table, label):
    """`table` fits its box, or a hint right above it says it scrolls sideways and, scrolled
    to its last column, every row's name (and the header above the names) is still in view
    beside that column."""
    wrap = table.locator("xpath=..")
    if wrap.evaluate("w => w.scrollWidth <= w.clientWidth"):
        return
    hints = table.locator("xpath=preceding::*[contains(concat(' ', @class, ' '), ' scroll-cue ')]")
    assert hints.count(), f"{label}: wider than the screen, and no hint that it scrolls"
    hint = hints.last
    assert hint.is_visible(), f"{label}: the hint that it scrolls is hidden"
    # Both boxes read in one layout (charts drawn meanwhile move the page between reads).
    gap = table.evaluate(
        "(t, h) => t.getBoundingClientRect().top - h.getBoundingClientRect().bottom",
        hint.element_handle(),
    )
    assert 0 <= gap < 40, f"{label}: the hint is not right above the table ({gap} px)"
    assert "Geser tabel ke samping" in hint.inner_text()
    wrap.evaluate("w => { w.scrollLeft = w.scrollWidth; }")
    rows = table.evaluate(ROWS_IN_VIEW)
    hidden = [(name, n, last, head) for name, n, last, head in rows if not (n and last and head)]
    assert rows and hidden == [], f"{label}: scrolled to its last column: {hidden}"


def assert_every_table_fits_or_scrolls(page, selector, path):
    """Each table `selector` finds on the page (at least one) fits or scrolls beside its
    names (`assert_fits_or_scrolls_beside_its_names`)."""
    tables = page.locator(selector)
    assert tables.count()
    for index, table in enumerate(tables.all()):
        table.scroll_into_view_if_needed()
        assert_fits_or_scrolls_beside_its_names(page, table, f"{path} {selector} #{index}")


@pytest.mark.parametrize("path,selector", WIDE_TABLES)
def test_every_wide_table_on_a_360px_phone_scrolls_with_a_hint_and_the_name_in_view(
    page, watch, gbrss_data, path, selector
):
    """At 360 px the regency page's comparisons (358 px in 306) cut "Seharusnya", the
    completeness grid showed January to April, the program's trend cut "Lintasan
    target", each with nothing saying the table scrolls, and scrolling lost the names:
    each wide table says it scrolls sideways and keeps its names beside the last column."""
    page.set_viewport_size(PHONE)
    page.goto(path)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    assert_every_table_fits_or_scrolls(page, selector, path)
    assert watch.errors == []


@pytest.mark.parametrize(
    "user,path,selector",
    [
        (OPERATOR, "/laporan/", "#report-grid"),
        (OPERATOR, "/laporan/", "#my-reports"),
        (VERIFIER, "/verifikasi/", ".queue-item table"),
    ],
)
def test_an_operators_and_a_verifiers_tables_on_a_360px_phone_scroll_with_a_hint(
    page, watch, reporting_data, user, path, selector
):
    """The operator's month grid (565 px) and list (611 px) and the queue's figures
    (409-460 px in 306) were cut on a phone with nothing saying they scroll: the same
    hint and names in view as the dashboards' tables."""
    submitted_gbrss_report(reporting_data)
    log_in(page, user, path)
    page.set_viewport_size(PHONE)
    page.goto(path)
    assert_every_table_fits_or_scrolls(page, selector, path)
    assert watch.errors == []


def submitted_gbrss_report(reporting_data):
    """Banyuasin's GBRSS report of the month to report, submitted (for the queue)."""
    year, month = reporting_data["year"], reporting_data["month"]
    gbrss_report(MonthlyReport.Status.SUBMITTED, period=(year, month), value=120)


def test_the_scroll_hint_shows_only_while_its_table_is_cut(page, watch, gbrss_data):
    """The hint follows the table, not the screen: the regency page's comparisons fit a
    414 px phone (no hint) and not a 360 px one (a hint), its months grid fits neither."""
    page.goto("/wilayah/16.07/?tahun=2024&bulan=12")
    comparison = page.locator("table.comparison").first
    comparison_hint = comparison.locator("xpath=../preceding-sibling::p[1]")
    months_hint = page.locator("#status-matrix").locator("xpath=../preceding-sibling::p[1]")
    for width, shown in ((414, False), (360, True)):
        page.set_viewport_size({**PHONE, "width": width})
        comparison.scroll_into_view_if_needed()
        assert comparison_hint.is_visible() is shown, width
        assert months_hint.is_visible(), width
    assert watch.errors == []


def pdf_pages(page) -> int:
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def test_meeting_summary_prints_on_one_a4_page_and_a_program_on_two(page, watch, reference_data):
    call_command("seed_demo", "--force", "--year", "2024", stdout=StringIO())
    page.goto("/ringkasan/cetak/?tahun=2024&bulan=12")
    assert page.locator("#demo-label").is_visible()
    assert page.locator("#summary-table tbody tr").count() == 7
    assert page.locator("#summary-table .behind-cell").first.inner_text() != ""
    assert pdf_pages(page) == 1

    page.emulate_media(media="screen")
    page.goto("/program/gbrss/?tahun=2024&bulan=12")
    draw_charts(page)
    page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    assert pdf_pages(page) <= 2
    assert watch.errors == []


def test_a_leader_stars_a_cached_page_and_opens_it_from_the_account_menu(page, watch, gbrss_data):
    """The star sits in a cached page body without a CSRF token (csrf.js adds it from the
    cookie on submit); "Tersimpan" is in the never-cached account menu (issue 13's page
    cache, issue 14's saved views)."""
    from regencies.models import UserScope
    from tests.factories import UserScopeFactory

    scope = UserScopeFactory(role=UserScope.Role.PIMPINAN, user__username="pimpinan-uji")
    target = "/program/gbrss/?tahun=2024&bulan=3"
    page.goto(f"/akun/masuk/?next={target.replace('&', '%26').replace('?', '%3F')}")
    page.fill("#id_username", scope.user.username)
    page.fill("#id_password", "rahasia-uji-123")
    page.get_by_role("button", name="Masuk", exact=True).click()
    page.wait_for_url(re.compile(r"/program/gbrss/\?tahun=2024&bulan=3$"))
    page.locator("#save-view").click()
    page.wait_for_url(re.compile(r"/program/gbrss/\?tahun=2024&bulan=3$"))
    assert "Tampilan disimpan di Tersimpan." in page.locator("body").inner_text()
    page.locator("#nav-saved").click()  # from the account menu fragment
    page.wait_for_url(re.compile(r"/tersimpan/$"))
    page.locator(".saved-list a").first.click()
    page.wait_for_url(re.compile(r"/program/gbrss/\?tahun=2024&bulan=3"))
    assert watch.errors == []
