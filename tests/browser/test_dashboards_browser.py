"""Dashboards in a real browser: the period they open on, charts drawn, htmx filters,
history, map clicks."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from programs.models import FundingSource, Indicator, MonthlyReport
from tests.browser.conftest import draw_charts
from tests.factories import RealizationFactory
from tests.reporting_helpers import report as gbrss_report


def wait_for_charts(page, count):
    draw_charts(page, count)


def chart_points(page, chart_id, trace=0):
    return page.evaluate(
        "([id, t]) => document.querySelector(`[data-chart='${id}']`).data[t].x.length",
        [chart_id, trace],
    )


@pytest.mark.parametrize(
    "today, year, month, heading",
    [
        # 2026 has a counted report: the running year, up to the latest month due
        # (February's reports were due on 10 March; March's are not in yet).
        (dt.date(2026, 3, 16), "2026", "2", "Capaian Gerakan Serentak 2026 s.d. Februari"),
        # New Year's Day: 2027 has no report yet, so last year up to its latest month
        # due (December's reports are due on 10 January).
        (dt.date(2027, 1, 1), "2026", "11", "Capaian Gerakan Serentak 2026 s.d. November"),
    ],
    ids=["latest-month-due", "new-years-day"],
)
def test_dashboards_open_on_the_latest_month_due(page, watch, reference_data, year, month, heading):
    """Without a period in the address, the overview and a program page open on the
    frozen day's year and its latest month whose reports are due; on 1 January, last
    year's."""
    gbrss_report(MonthlyReport.Status.VERIFIED, period=(2026, 1), value=7)
    for path in ("/", "/program/gbrss/"):
        page.goto(path)
        expect(page.locator("#filter-tahun")).to_have_value(year)
        expect(page.locator("#filter-bulan")).to_have_value(month)
    page.goto("/")
    expect(page.locator("h1")).to_have_text(heading)
    assert watch.errors == []


def test_program_page_draws_every_chart_and_the_map_offline(page, watch, gbrss_data):
    loaded = []
    page.on("request", lambda r: "plotly-custom" in r.url and loaded.append(r.url))
    page.set_viewport_size({"width": 1280, "height": 500})
    page.goto("/program/gbrss/?tahun=2024&bulan=12")
    page.wait_for_load_state("load")
    # Lazy: the bars and the map are drawn on the server; plotly.js is fetched only when
    # a chart below the fold scrolls into view, and then once.
    assert page.locator("#achievement-bars li").count() == 2
    page.wait_for_timeout(300)
    assert loaded == []
    assert page.locator("[data-chart][data-drawn]").count() == 0
    wait_for_charts(page, 3)
    assert len(loaded) == 1
    # The map is SVG drawn on the server: every regency, coloured by status.
    assert page.locator("#program-map path").count() >= 17
    assert (
        page.locator(
            "#program-map a[data-status=on_track], #program-map a[data-status=behind]"
        ).count()
        == 2
    )
    assert page.locator("[data-chart]").count() == 3
    assert watch.outside == []
    assert watch.errors == []


def test_filter_change_swaps_redraws_and_back_restores_live_charts(page, watch, gbrss_data):
    page.goto("/program/gbrss/?tahun=2024&bulan=12")
    wait_for_charts(page, 3)
    assert chart_points(page, "chart-trend") == 12
    page.evaluate("() => { window.__notReloaded = true; }")

    page.select_option("#filter-bulan", "3")
    page.wait_for_url(re.compile(r"bulan=3"))
    page.wait_for_function("() => document.querySelectorAll('#trend-table tbody tr').length === 3")
    wait_for_charts(page, 3)
    assert chart_points(page, "chart-trend") == 3
    assert page.evaluate("() => window.__notReloaded === true")  # swapped, not reloaded

    page.go_back()
    page.wait_for_url(re.compile(r"bulan=12"))
    page.wait_for_function("() => document.querySelectorAll('#trend-table tbody tr').length === 12")
    wait_for_charts(page, 3)
    assert chart_points(page, "chart-trend") == 12
    assert page.evaluate(
        "() => [...document.querySelectorAll('[data-chart]')].every(el => !!el._fullLayout)"
    )
    assert page.locator("#filter-bulan").input_value() == "12"
    assert watch.errors == []


def _with_a_2026_report():
    """gbrss_data's 2024 plus a verified January 2026: the year menu offers 2024 and 2026
    (16 March 2026: 2026 opens up to February, the latest month due)."""
    gbrss_report(MonthlyReport.Status.VERIFIED, period=(2026, 1), value=7)


def program_heading(page) -> str:
    return page.locator("h1").inner_text()


def test_choosing_another_year_shows_that_whole_year(page, watch, gbrss_data):
    """On "2026 s.d. Februari", choosing 2024 in the year menu showed 2024 s.d. Februari:
    the month menu was sent along unchanged. A year chosen alone now opens that year on
    its default month (December for a past year), and the address says only the year; a
    month chosen afterwards is kept, and so is the year, and then a year changed keeps
    that chosen month (March 2024 against March 2026)."""
    _with_a_2026_report()
    page.goto("/program/gbrss/?tahun=2026&bulan=2")
    expect(page.locator("#filter-bulan")).to_have_value("2")
    page.evaluate("() => { window.__notReloaded = true; }")

    page.select_option("#filter-tahun", "2024")
    page.wait_for_url(re.compile(r"/program/gbrss/\?tahun=2024$"))
    expect(page.locator("h1")).to_contain_text("2024, s.d. Desember")
    expect(page.locator("#filter-bulan")).to_have_value("12")
    page.wait_for_function("() => document.querySelectorAll('#trend-table tbody tr').length === 12")
    assert page.evaluate("() => window.__notReloaded === true")  # swapped by htmx

    page.select_option("#filter-bulan", "3")
    page.wait_for_url(re.compile(r"/program/gbrss/\?tahun=2024&bulan=3$"))
    expect(page.locator("h1")).to_contain_text("2024, s.d. Maret")
    expect(page.locator("#filter-tahun")).to_have_value("2024")

    page.select_option("#filter-tahun", "2026")
    page.wait_for_url(re.compile(r"/program/gbrss/\?tahun=2026&bulan=3$"))
    expect(page.locator("h1")).to_contain_text("2026, s.d. Maret")
    # The page as the address bar now says: the same when loaded directly.
    page.reload()
    expect(page.locator("h1")).to_contain_text("2026, s.d. Maret")
    assert watch.errors == []


def test_choosing_another_year_without_javascript_shows_that_whole_year(
    page, browser_context_args, gbrss_data
):
    """Without JavaScript the menus are sent with the Terapkan button: a year changed
    alone opens that whole year, a month changed with it is kept."""
    _with_a_2026_report()
    context = page.context.browser.new_context(**browser_context_args, java_script_enabled=False)
    try:
        plain = context.new_page()
        plain.set_default_timeout(10_000)
        plain.goto("/?tahun=2026&bulan=2")
        plain.select_option("#filter-tahun", "2024")
        plain.get_by_role("button", name="Terapkan").click()
        plain.wait_for_url(re.compile(r"/\?tahun=2024$"))
        expect(plain.locator("h1")).to_have_text("Capaian Gerakan Serentak 2024 s.d. Desember")

        plain.select_option("#filter-tahun", "2026")
        plain.select_option("#filter-bulan", "1")
        plain.get_by_role("button", name="Terapkan").click()
        plain.wait_for_url(re.compile(r"/\?tahun=2026&bulan=1$"))
        expect(plain.locator("h1")).to_have_text("Capaian Gerakan Serentak 2026 s.d. Januari")
    finally:
        context.close()


def test_clicking_a_map_region_opens_that_regency(page, watch, gbrss_data):
    page.goto("/program/gbrss/?tahun=2024&bulan=12")
    wait_for_charts(page, 3)
    point = page.evaluate(
        """() => {
        const path = document.querySelector('#program-map a[data-regency="16.07"] path');
        const box = path.getBoundingClientRect();
        for (let dx = 0.3; dx < 0.8; dx += 0.05) {
          for (let dy = 0.3; dy < 0.8; dy += 0.05) {
            const x = box.left + box.width * dx, y = box.top + box.height * dy;
            if (document.elementFromPoint(x, y) === path) return {x, y};
          }
        }
        return null;
      }"""
    )
    assert point is not None
    page.mouse.click(point["x"], point["y"])
    page.wait_for_url(re.compile(r"/wilayah/16\.07/"))
    assert page.locator("h1").inner_text().startswith(("Kab.", "Kota"))
    assert watch.errors == []


def test_clicking_a_bar_opens_that_regency(page, watch, gbrss_data):
    page.goto("/program/gbrss/?tahun=2024&bulan=12")
    wait_for_charts(page, 3)
    page.locator("#achievement-bars").get_by_role("link", name="Banyuasin").click()
    page.wait_for_url(re.compile(r"/wilayah/16\.07/"))


def test_overview_sorting_and_regency_page_charts(page, watch, gbrss_data):
    page.goto("/?tahun=2024&bulan=12")
    page.locator("#scorecard thead").get_by_role("link", name="GBRSS", exact=True).click()
    page.wait_for_url(re.compile(r"urutkan=gbrss"))
    first = page.locator("#scorecard tbody tr").first.get_attribute("data-regency")
    assert first == "16.07"  # verified only for anonymous: Banyuasin 25 % > OKU 10 %
    page.goto("/wilayah/16.07/?tahun=2024&bulan=12")
    wait_for_charts(page, 1)
    assert watch.errors == []


def test_a_partner_named_like_a_link_is_text_on_the_public_chart(page, watch, gbrss_data):
    """Plotly reads labels as HTML: a funding source named `<a href=...>` must be drawn as
    its literal name, never as a clickable link (issue 12, item 6)."""
    from programs.models import FundingSource

    hostile = '<a href="https://contoh.invalid/x">Mitra</a>'
    FundingSource.objects.filter(code="ptba").update(name=hostile)
    page.goto("/program/gbrss/?tahun=2024&bulan=12")
    wait_for_charts(page, 3)  # trend, sources, splits (bars and map are server-drawn SVG)
    assert page.locator("[data-chart] a[href*='contoh.invalid']").count() == 0
    # Each label as drawn, its lines (a long name wraps) joined by a space.
    drawn = page.evaluate(
        """() => [...document.querySelectorAll('[data-chart] svg text')].map(t => {
            const lines = [...t.querySelectorAll('tspan.line')];
            return lines.length ? lines.map(l => l.textContent).join(' ') : t.textContent;
        })"""
    )
    assert '<a href="https://contoh.invalid/x">Mitra</a>' in drawn
    assert watch.errors == []


def test_long_funding_source_names_fit_the_chart_on_a_phone(page, watch, gbrss_data):
    """On a 360 px phone the funding sources chart shows each name whole inside the chart:
    'CSR perusahaan swasta (Forum CSR)' ran off its left edge ('SR perusahaan ...') and
    the bars shrank to a sliver beside the names."""
    banyuasin_january = MonthlyReport.objects.get(regency_id="16.07", year=2024, month=1)
    RealizationFactory(
        report=banyuasin_january,
        indicator=Indicator.objects.get(code="rumah-dibedah"),
        funding_source=FundingSource.objects.get(code="csr"),
        value=Decimal(3),
    )
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/program/gbrss/?tahun=2024&bulan=12")
    wait_for_charts(page, 3)
    chart = page.locator("[data-chart='chart-sources']")
    outside = chart.evaluate(
        """(chart) => {
            const edge = chart.getBoundingClientRect();
            return [...chart.querySelectorAll('.ytick text')].filter(t => {
                const box = t.getBoundingClientRect();
                return box.left < edge.left - 1 || box.right > edge.right + 1;
            }).map(t => t.textContent);
        }"""
    )
    assert outside == []
    names = chart.evaluate("(chart) => [...chart.querySelectorAll('.ytick text')].length")
    assert names == 4  # APBD Provinsi, Baznas Provinsi, PTBA, CSR
    # The bars keep at least half of the chart's width.
    plot = chart.evaluate("(chart) => chart._fullLayout.xaxis._length / chart.clientWidth")
    assert plot >= 0.4, plot
    assert watch.errors == []


def test_language_switch_and_login_keep_the_filters_chosen_by_htmx(page, watch, gbrss_data):
    """The account menu is loaded with the page's first address; the filters changed by
    htmx afterwards push a new one. Switching language, and logging in, return to the page
    as it is now, filters included."""
    from tests.factories import UserFactory

    UserFactory(username="pimpinan-uji")
    page.goto("/program/gbrss/?tahun=2024&bulan=12")
    page.select_option("#filter-bulan", "3")
    page.wait_for_url(re.compile(r"bulan=3"))
    page.wait_for_function("() => document.querySelectorAll('#trend-table tbody tr').length === 3")

    page.locator(".account-menu").get_by_role("button", name="English").click()
    page.wait_for_url(re.compile(r"/program/gbrss/\?tahun=2024&bulan=3$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.locator("#filter-bulan").input_value() == "3"

    page.select_option("#filter-bulan", "5")
    page.wait_for_url(re.compile(r"bulan=5"))
    page.locator(".account-menu").get_by_role("link", name="Log in").click()
    page.wait_for_url(re.compile(r"/akun/masuk/"))
    page.fill("#id_username", "pimpinan-uji")
    page.fill("#id_password", "rahasia-uji-123")
    page.locator("form").get_by_role("button", name="Log in", exact=True).click()
    page.wait_for_url(re.compile(r"/program/gbrss/\?tahun=2024&bulan=5$"))
    assert page.locator("#filter-bulan").input_value() == "5"
    assert watch.errors == []


# Each reporting state's shape beside its colour, so a state never rests on colour alone
# (written once, in app.css; here as the user should see them).
STATE_SHAPES = {
    "verified": "✓",
    "on_time": "●",
    "late": "◐",
    "returned": "↩",
    "missing": "✗",
    "not_due": "·",
    "not_required": "–",
    "not_verified": "○",
}


def test_completeness_cells_draw_their_shape_and_read_as_their_state(page, watch, gbrss_data):
    """A grid cell carries its state and its state's name (visually hidden); the colour
    and the shape come from app.css. In Chromium itself: each state's shape is drawn, a
    screen reader is given the name alone (the shape has empty alternative text), and the
    legend beside the grid shows the same shapes and colours."""
    page.goto("/kelengkapan/?tahun=2024&program=gbrss")
    cells = page.evaluate(
        """() => [...document.querySelectorAll(
                '#completeness-grid tr[data-regency="16.07"] td[data-state]')]
            .map(td => ({state: td.dataset.state,
                         shape: getComputedStyle(td, '::before').content,
                         background: getComputedStyle(td).backgroundColor}))"""
    )
    assert {c["state"] for c in cells} == {"verified", "not_verified"}
    for cell in cells:  # the shape, with empty alternative text
        assert cell["shape"] == f'"{STATE_SHAPES[cell["state"]]}" / ""', cell
    verified = next(c for c in cells if c["state"] == "verified")
    assert verified["background"] == "rgb(227, 244, 238)"
    legend = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('.state-legend [data-state]')]
            .map(s => [s.dataset.state, [getComputedStyle(s, '::before').content,
                                          getComputedStyle(s).backgroundColor]]))"""
    )
    assert {state: shape for state, (shape, _) in legend.items()} == {
        state: f'"{STATE_SHAPES[state]}" / ""'
        for state in ("verified", "not_verified", "not_due", "not_required")
    }
    assert legend["verified"][1] == verified["background"]

    cdp = page.context.new_cdp_session(page)
    cdp.send("Accessibility.enable")
    node = cdp.send(
        "DOM.describeNode",
        {
            "objectId": cdp.send(
                "Runtime.evaluate",
                {
                    "expression": "document.querySelector("
                    "'#completeness-grid tr[data-regency=\"16.07\"] td[data-state=verified]')"
                },
            )["result"]["objectId"]
        },
    )["node"]
    tree = cdp.send("Accessibility.getPartialAXTree", {"backendNodeId": node["backendNodeId"]})
    cell = next(n for n in tree["nodes"] if n.get("backendDOMNodeId") == node["backendNodeId"])
    assert cell["name"]["value"] == "Terverifikasi"
    assert watch.errors == []


def test_filters_work_on_a_page_opened_with_a_very_long_address(page, watch, gbrss_data):
    """htmx repeated the page's whole address in an HX-Current-URL header: opened from a
    shared link with an 8 KB tracking parameter, each filter change sent a header line
    over the 8 KB a proxy takes (nginx's default) and was refused. The app never reads
    that header: it is left out when long (static/js/csrf.js), kept otherwise."""
    sent = []
    page.on("request", lambda request: sent.append(request.all_headers()))
    page.goto("/program/gbrss/?tahun=2024&bulan=12&ref=" + "a" * 7900)
    page.select_option("#filter-bulan", "3")
    page.wait_for_url(re.compile(r"/program/gbrss/\?tahun=2024&bulan=3$"))
    expect(page.locator("h1")).to_contain_text("2024, s.d. Maret")
    htmx = [headers for headers in sent if headers.get("hx-request") == "true"]
    assert htmx and all("hx-current-url" not in headers for headers in htmx)
    # From a page with an ordinary address the header is sent as htmx sends it.
    sent.clear()
    page.select_option("#filter-bulan", "6")
    page.wait_for_url(re.compile(r"/program/gbrss/\?tahun=2024&bulan=6$"))
    htmx = [headers for headers in sent if headers.get("hx-request") == "true"]
    assert htmx and all(h["hx-current-url"].endswith("bulan=3") for h in htmx)
    assert watch.errors == []


def test_logging_in_from_a_page_with_a_very_long_address(page, watch, gbrss_data):
    """The header's "Masuk" link returns to the page as it is now (csrf.js): from a page
    opened with a very long address, that login address passed the server's request line
    limit (8190 bytes, gunicorn's bare 400 page). It returns to the page without its
    query instead."""
    junk = "&".join(f"f{n}=" + "x" * 60 for n in range(120))  # & and = grow when encoded
    page.goto(f"/program/gbrss/?tahun=2024&bulan=12&{junk}")
    page.click(".account-menu a[data-login]")
    page.wait_for_url(re.compile(r"/akun/masuk/"))
    address = page.url.split("://", 1)[1].split("/", 1)[1]
    assert len(f"GET /{address} HTTP/1.1") <= 8190
    assert page.url.endswith("/akun/masuk/?next=%2Fprogram%2Fgbrss%2F")
    # An ordinary address is kept whole.
    page.goto("/program/gbrss/?tahun=2024&bulan=3")
    page.click(".account-menu a[data-login]")
    page.wait_for_url(re.compile(r"/akun/masuk/"))
    assert page.url.endswith("next=%2Fprogram%2Fgbrss%2F%3Ftahun%3D2024%26bulan%3D3")
    assert watch.errors == []


def test_the_last_choice_made_while_a_page_loads_is_the_one_shown(page, watch, gbrss_data):
    """On a phone in a meeting a swap takes a second or more: a month, then a year chosen
    before the first answer came showed the first choice only (htmx queued the second on
    the form the first answer replaced, and dropped it), with both menus reset to it. The
    latest choice now replaces the request in flight, on every dashboard page (one
    request at a time for the page's body: menus, sort links and tabs alike)."""
    _with_a_2026_report()
    cdp = page.context.new_cdp_session(page)
    for path in ("/program/gbrss/", "/"):
        page.goto(f"{path}?tahun=2026&bulan=2")
        expect(page.locator("#filter-bulan")).to_have_value("2")
        cdp.send("Network.enable")
        cdp.send(
            "Network.emulateNetworkConditions",
            {"offline": False, "latency": 800, "downloadThroughput": -1, "uploadThroughput": -1},
        )
        page.select_option("#filter-bulan", "1")
        page.wait_for_timeout(200)  # the first answer is still on its way
        page.select_option("#filter-tahun", "2024")
        page.wait_for_url(re.compile(r"\?tahun=2024&bulan=1$"))
        expect(page.locator("h1")).to_contain_text("2024")
        expect(page.locator("h1")).to_contain_text("s.d. Januari")
        page.wait_for_load_state("networkidle")
        expect(page.locator("#filter-tahun")).to_have_value("2024")
        expect(page.locator("#filter-bulan")).to_have_value("1")
        expect(page.locator(".htmx-request")).to_have_count(0)  # "Memuat…" is gone
        cdp.send(
            "Network.emulateNetworkConditions",
            {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
        )
    # The overview: a month chosen, then a column sorted before the answer came. The
    # sort link is of the page on screen (January): the month chosen first is dropped,
    # as a second choice of the menus would drop it, and no answer swaps in after it.
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 800, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    page.select_option("#filter-bulan", "3")
    page.wait_for_timeout(200)
    page.locator("#scorecard thead").get_by_role("link", name="Kabupaten/kota").click()
    page.wait_for_url(re.compile(r"\?tahun=2024&bulan=1&urutkan=nama$"))
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(1000)  # an answer still on its way would have arrived
    assert re.search(r"\?tahun=2024&bulan=1&urutkan=nama$", page.url)
    expect(page.locator("h1")).to_contain_text("s.d. Januari")
    expect(page.locator("#filter-bulan")).to_have_value("1")
    # htmx logs each request it replaced (aborted) as an error event: nothing else.
    replaced = ("htmx:afterRequest,", "htmx:sendAbort,")
    assert [e for e in watch.errors if not e.startswith(replaced)] == []


def focused(page) -> str:
    """The text of the element that has the keyboard focus ("BODY" when none has)."""
    return page.evaluate(
        "() => document.activeElement === document.body ? 'BODY'"
        " : document.activeElement.textContent.trim()"
    )


def test_keyboard_focus_stays_on_the_sort_link_or_tab_it_used(page, watch, gbrss_data):
    """A keyboard user sorting the scorecard or choosing a program tab with Enter: htmx
    replaced the block holding the link, and the focus fell back to the top of the page
    (Tab started again from the skip link). It stays on the same link in the new block."""
    page.goto("/?tahun=2024&bulan=12")
    page.locator("#scorecard thead a", has_text="Kabupaten/kota").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"urutkan=nama"))
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    assert focused(page) == "Kabupaten/kota"

    page.goto("/kelengkapan/?tahun=2024")
    tab = page.locator("nav.tabs a:not([aria-current])").first
    name = tab.inner_text()
    tab.focus()
    page.keyboard.press("Enter")
    expect(page.locator("nav.tabs a[aria-current=page]")).to_have_text(name)
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    assert focused(page) == name
    page.keyboard.press("Tab")  # and goes on from there
    assert focused(page) != "BODY"
    assert watch.errors == []


def test_a_filter_that_cannot_reach_the_server_says_so(page, watch, gbrss_data):
    """A leader on a weak connection chooses another month: the request failed without a
    word, the menu showed March over December's figures. Now a notice says, in
    Indonesian, that the page was not updated; a server error (a proxy's 502) too."""
    page.goto("/program/gbrss/?tahun=2024&bulan=12")
    heading = program_heading(page)
    notice = page.get_by_role("alert")
    expect(notice).to_be_hidden()
    page.context.set_offline(True)
    page.select_option("#filter-bulan", "3")
    expect(notice).to_contain_text("Tidak tersambung ke server, jadi halaman belum diperbarui")
    assert program_heading(page) == heading
    page.context.set_offline(False)

    page.route("**/program/gbrss/?*", lambda route: route.fulfill(status=502, body="Bad Gateway"))
    page.select_option("#filter-bulan", "6")
    expect(notice).to_contain_text("Server sedang bermasalah (kode 502)")
    assert program_heading(page) == heading
    page.unroute("**/program/gbrss/?*")

    page.select_option("#filter-bulan", "3")  # the connection is back: the notice goes
    expect(page.locator("h1")).to_contain_text("Maret")
    expect(notice).to_be_hidden()
    # Only the failures themselves in the console (htmx logs its error events there).
    failures = ("INTERNET_DISCONNECTED", "502", "htmx:")
    assert [e for e in watch.errors if not any(f in e for f in failures)] == []
