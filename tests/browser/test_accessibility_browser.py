"""Accessibility and mobile layout in a real browser.

- axe-core (tests/browser/vendor/axe.min.js, pinned and copied by tools/axe/, MPL-2.0) runs
  on every kind of page, public and signed-in, in Indonesian and once in English: no
  violation of impact "serious" or "critical" (WCAG 2.0/2.1 A and AA, and best practice).
- At 360 x 740 CSS px no page scrolls sideways (wide tables scroll inside .table-wrap),
  charts fit the width and stay tall enough to read, and the bar chart's regency names
  are drawn inside the chart without overlapping.
- How fast the first chart is drawn is measured by `make bench`
  (tests/browser/bench_first_chart.py), never asserted here: a busy machine is not a bug.

axe is injected with `page.evaluate`, which runs through the DevTools protocol and is not
subject to the page's Content-Security-Policy: the app's strict policy (script-src 'self',
no 'unsafe-eval') stays in force during these tests, no `bypass_csp` is needed.
"""

import re
from pathlib import Path

from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from tests.browser.conftest import draw_charts

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING = {"serious", "critical"}
# CSS selectors axe skips, each with its reason. None so far: Plotly's generated DOM passes
# as it is (its modebar buttons are focusable, which is why the chart container is a
# role="figure" and not a role="img", whose children would be presentational). Add a
# selector here only for a violation inside Plotly's DOM that its config cannot fix.
AXE_EXCLUDE: list[list[str]] = []

MOBILE = {"width": 360, "height": 740}
PROGRAM = "/program/gbrss/?tahun=2024&bulan=12"
HOUSES = "rumah-dibedah"
TOO_MANY = "5000"  # above the year's target: the entry form's inline check warns


# --- Helpers ------------------------------------------------------------------------------


def sign_in(page, user, live_server):
    """Give the page's browser context a session of `user` (the login form has its own test)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def wait_for_all_charts(page):
    draw_charts(page)
    assert page.locator("[data-chart][data-error]").count() == 0


def visit(page, path):
    response = page.goto(path)
    assert response.status == 200, path
    page.wait_for_load_state("load")
    wait_for_all_charts(page)


def raise_warning_in_entry_form(page):
    """Type more houses than the target allows: the inline check shows its warnings."""
    field = page.locator(f"#r-{HOUSES}-0-value")
    with page.expect_response(lambda r: r.url.endswith("/periksa/")) as checked:
        field.fill(TOO_MANY)
        field.press("Tab")
    assert checked.value.status == 200
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    assert "Melebihi sisa target" in page.locator(f"#msg-{HOUSES}").inner_text()


def run_axe(page) -> list[dict]:
    """Every violation axe finds on the current page, with impact, help and targets."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SOURCE + "\n;undefined")
    return page.evaluate(
        """async ([tags, exclude]) => {
          const context = exclude.length ? {include: [document], exclude} : document;
          const result = await axe.run(context, {
            runOnly: {type: "tag", values: tags},
            resultTypes: ["violations"],
          });
          return result.violations.map(v => ({
            id: v.id,
            impact: v.impact,
            help: v.help,
            targets: v.nodes.map(n => n.target.join(" ")),
            summary: v.nodes.slice(0, 3).map(n => n.failureSummary),
          }));
        }""",
        [AXE_TAGS, AXE_EXCLUDE],
    )


def describe(page_name, violations) -> str:
    lines = []
    for v in violations:
        targets = ", ".join(v["targets"][:6]) + (" …" if len(v["targets"]) > 6 else "")
        lines.append(f"  [{page_name}] {v['id']} ({v['impact']}): {v['help']}\n      at {targets}")
        for summary in v["summary"][:1]:
            lines.append("      " + summary.replace("\n", "\n      "))
    return "\n".join(lines)


def check_axe(page, name, found: dict):
    violations = run_axe(page)
    found[name] = violations
    print(describe(name, violations) or f"  [{name}] no violations")


def assert_no_blocking(found: dict):
    blocking = {
        name: [v for v in violations if v["impact"] in BLOCKING]
        for name, violations in found.items()
    }
    blocking = {name: v for name, v in blocking.items() if v}
    assert not blocking, "axe: serious or critical violations\n" + "\n".join(
        describe(name, v) for name, v in blocking.items()
    )


# --- axe ----------------------------------------------------------------------------------


def test_public_pages_have_no_serious_accessibility_violations(page, watch, a11y_data):
    found = {}
    for name, path in [
        ("overview", "/?tahun=2024&bulan=12"),
        ("program", PROGRAM),
        ("regency", "/wilayah/16.07/?tahun=2024&bulan=12"),
        ("completeness", "/kelengkapan/?tahun=2024"),
        ("login", "/akun/masuk/"),
    ]:
        visit(page, path)
        check_axe(page, name, found)

    # English, chosen with the header's language button on the program page.
    visit(page, PROGRAM)
    page.get_by_role("button", name="English").click()
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    page.wait_for_load_state("load")
    wait_for_all_charts(page)
    assert page.get_by_role("button", name="Bahasa Indonesia").is_visible()
    check_axe(page, "program (English)", found)

    assert_no_blocking(found)
    assert watch.errors == []
    assert watch.outside == []


def test_operator_pages_have_no_serious_accessibility_violations(
    page, watch, live_server, a11y_data
):
    sign_in(page, a11y_data["operator"], live_server)
    found = {}
    visit(page, a11y_data["entry"])
    check_axe(page, "entry (empty)", found)
    # A figure refused by the live check: the field says it is invalid and why (its
    # message box is its description), not only once when the message arrives.
    value = page.locator(f"#r-{HOUSES}-0-value")
    with page.expect_response(lambda r: r.url.endswith("/periksa/")):
        value.fill("abc")
        value.press("Tab")
    expect(value).to_have_attribute("aria-invalid", "true")
    description = value.evaluate(
        "el => el.getAttribute('aria-describedby').split(' ')"
        ".map(id => document.getElementById(id).textContent).join(' ')"
    )
    assert "Bukan angka yang sah" in description
    raise_warning_in_entry_form(page)  # a number again: a warning, no longer invalid
    expect(value).not_to_have_attribute("aria-invalid", "true")
    with page.expect_response(lambda r: "/baris/?" in r.url):
        page.get_by_role("button", name=re.compile("Tambah sumber dana")).click()
    page.locator(f"#rows-{HOUSES} tr.entry-row").nth(1).wait_for()
    check_axe(page, "entry (warning, two rows)", found)
    for name, path in [
        ("my reports", "/laporan/"),
        ("import", "/impor/"),
        ("overview (official)", "/?tahun=2024&bulan=12"),
        ("password change", "/akun/sandi/"),
    ]:
        visit(page, path)
        check_axe(page, name, found)
    assert_no_blocking(found)
    assert watch.errors == []
    assert watch.outside == []


def test_verifier_pages_have_no_serious_accessibility_violations(
    page, watch, live_server, a11y_data
):
    sign_in(page, a11y_data["verifier"], live_server)
    found = {}
    visit(page, "/verifikasi/")
    assert page.locator(".queue-item").count() >= 2
    check_axe(page, "verification queue", found)
    visit(page, a11y_data["submitted"])
    assert page.locator("#alasan-kembali").is_visible()
    check_axe(page, "entry (verifier)", found)
    assert_no_blocking(found)
    assert watch.errors == []
    assert watch.outside == []


# --- Mobile -------------------------------------------------------------------------------


def layout_problems(page) -> dict:
    """What would make the page awkward on a 360 px phone, as data for one assertion."""
    return page.evaluate(
        """(maxWidth) => {
          const root = document.documentElement;
          const charts = [...document.querySelectorAll('[data-chart]')].map(el => {
            const box = el.getBoundingClientRect();
            return {id: el.getAttribute('data-chart'), left: Math.round(box.left),
                    right: Math.round(box.right), width: Math.round(box.width),
                    height: Math.round(box.height),
                    plotWidth: el._fullLayout ? el._fullLayout.width : null};
          });
          // Elements sticking out to the right of the viewport, outside any scrolling box.
          const wide = [];
          for (const el of document.body.querySelectorAll('*')) {
            const box = el.getBoundingClientRect();
            if (box.right <= maxWidth + 1 || box.width === 0) continue;
            let scroller = el.parentElement, inside = false;
            while (scroller && scroller !== document.body) {
              const overflow = getComputedStyle(scroller).overflowX;
              if (overflow === 'auto' || overflow === 'scroll' || overflow === 'hidden') {
                inside = true; break;
              }
              scroller = scroller.parentElement;
            }
            if (!inside) wide.push(el.tagName.toLowerCase() +
              (el.id ? '#' + el.id : '') + (el.className && el.className.baseVal === undefined
                ? '.' + String(el.className).trim().split(/\\s+/).join('.') : '') +
              ' right=' + Math.round(box.right));
          }
          return {scrollWidth: root.scrollWidth, charts, wide: wide.slice(0, 10)};
        }""",
        MOBILE["width"],
    )


CHART_TEXT_PROBLEMS = """() => {
  const problems = [];
  const name = (t) => JSON.stringify(t.textContent.slice(0, 30));
  const overlap = (a, b) => a.left < b.right - 1 && b.left < a.right - 1
    && a.top < b.bottom - 1 && b.top < a.bottom - 1;
  const turned = (t) => {
    const m = /rotate\\(\\s*(-?[\\d.]+)/.exec(t.getAttribute('transform') || '');
    return !!m && Number(m[1]) !== 0;
  };
  for (const chart of document.querySelectorAll('[data-chart][data-drawn]')) {
    const id = chart.getAttribute('data-chart');
    const box = chart.getBoundingClientRect();
    const texts = [...chart.querySelectorAll(
      '.xtick text, .ytick text, .legendtext, .annotation-text, .bartext, '
      + '.g-xtitle text, .g-ytitle text, .colorbar text')]
      .filter(t => t.getBoundingClientRect().width > 0);
    for (const t of texts) {
      const r = t.getBoundingClientRect();
      if (r.left < box.left - 1 || r.right > box.right + 1
          || r.top < box.top - 1 || r.bottom > box.bottom + 1) {
        problems.push(`${id}: ${name(t)} drawn outside the chart (cut off)`);
      }
    }
    for (const t of chart.querySelectorAll('.bartext')) {
      if (turned(t)) problems.push(`${id}: bar label ${name(t)} turned sideways`);
    }
    for (const title of chart.querySelectorAll('.g-xtitle text, .g-ytitle text')) {
      for (const t of chart.querySelectorAll('.xtick text, .ytick text')) {
        if (overlap(title.getBoundingClientRect(), t.getBoundingClientRect())) {
          problems.push(`${id}: the axis title ${name(title)} covers ${name(t)}`);
        }
      }
    }
    const legend = chart.querySelector('.legend .bg');
    if (legend) {
      const area = legend.getBoundingClientRect();
      for (const t of chart.querySelectorAll('.xtick text, .ytick text, .g-xtitle text')) {
        if (overlap(area, t.getBoundingClientRect())) {
          problems.push(`${id}: the legend covers ${name(t)}`);
        }
      }
    }
    for (const axis of ['.xtick text', '.ytick text']) {
      const flat = [...chart.querySelectorAll(axis)].filter(t => !turned(t))
        .map(t => [t, t.getBoundingClientRect()]).filter(([, r]) => r.width > 0);
      for (let i = 1; i < flat.length; i++) {
        if (overlap(flat[i - 1][1], flat[i][1])) {
          problems.push(`${id}: ${name(flat[i - 1][0])} overlaps ${name(flat[i][0])}`);
        }
      }
    }
  }
  return problems;
}"""


def bar_labels(page) -> list[dict]:
    """The achievement bars' regency names (HTML beside an SVG track) and their boxes."""
    return page.evaluate(
        """() => [...document.querySelectorAll('#achievement-bars .hbar-name')].map(t => {
            const r = t.getBoundingClientRect();
            return {text: t.textContent, left: r.left, right: r.right, top: r.top,
                    bottom: r.bottom, fontSize: parseFloat(getComputedStyle(t).fontSize),
                    visible: r.width > 0 && getComputedStyle(t).visibility !== 'hidden'};
          })"""
    )


def test_pages_fit_a_360px_phone_and_charts_stay_readable(page, watch, live_server, a11y_data):
    page.set_viewport_size(MOBILE)
    public = [
        "/?tahun=2024&bulan=12",
        PROGRAM,
        "/wilayah/16.07/?tahun=2024&bulan=12",
        "/kelengkapan/?tahun=2024",
        "/ringkasan/cetak/?tahun=2024&bulan=12",  # linked from the overview for meetings
        "/akun/masuk/",
    ]
    problems = {}
    chart_count = 0

    def check(path, name=None):
        nonlocal chart_count
        name = name or path
        visit(page, path)
        layout = layout_problems(page)
        if layout["scrollWidth"] > MOBILE["width"] or layout["wide"]:
            problems[name] = {"scrollWidth": layout["scrollWidth"], "wide": layout["wide"]}
        for problem in page.evaluate(CHART_TEXT_PROBLEMS):
            problems.setdefault(f"{name} chart text", []).append(problem)
        for chart in layout["charts"]:
            chart_count += 1
            if not (
                chart["left"] >= 0
                and chart["right"] <= MOBILE["width"]
                and chart["width"] <= MOBILE["width"]
                and (chart["plotWidth"] or 0) <= MOBILE["width"]
                and chart["height"] >= 180
            ):
                problems[f"{name} {chart['id']}"] = chart

    for path in public:
        check(path)

    # The program page's bars: every regency name readable (real text size) inside the
    # screen, in order and without overlapping its neighbour.
    visit(page, PROGRAM)
    labels = bar_labels(page)
    assert len(labels) == 2, labels  # Banyuasin and OKU have an achievement in 2024
    for label in labels:
        assert label["visible"] and label["fontSize"] >= 13, label
        assert label["left"] >= 0 and label["right"] <= MOBILE["width"], label
    ordered = sorted(labels, key=lambda lab: lab["top"])
    for upper, lower in zip(ordered, ordered[1:], strict=False):
        assert upper["bottom"] <= lower["top"] + 1, (upper, lower)

    # English words are longer: the chart pages once more in English.
    language = {"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}
    page.context.add_cookies([language])
    check(PROGRAM, "program (English)")
    check("/wilayah/16.07/?tahun=2024&bulan=12", "regency (English)")
    page.context.clear_cookies()

    sign_in(page, a11y_data["operator"], live_server)
    check(a11y_data["entry"])
    raise_warning_in_entry_form(page)
    after = layout_problems(page)
    if after["scrollWidth"] > MOBILE["width"] or after["wide"]:
        problems["entry with warnings"] = after
    check("/laporan/")
    check("/impor/")
    check("/akun/sandi/")

    page.context.clear_cookies()
    sign_in(page, a11y_data["verifier"], live_server)
    check("/verifikasi/")
    check(a11y_data["submitted"])

    assert chart_count >= 4  # the program page's 3 and the regency page's trend
    assert not problems, "not fit for a 360 px phone:\n" + "\n".join(
        f"  {where}: {what}" for where, what in problems.items()
    )
    assert watch.errors == []


def test_the_notification_bell_is_a_44px_tap_target_on_a_phone(page, watch, live_server, a11y_data):
    """The header's bell was its glyph alone, about 16 px wide: too small a tap target
    on a phone (WCAG 2.5.5 asks 44 x 44 CSS px). It stays inside a 360 px header without
    covering its neighbours, and the page does not scroll sideways."""
    page.set_viewport_size(MOBILE)
    sign_in(page, a11y_data["operator"], live_server)
    for path in ["/?tahun=2024&bulan=12", a11y_data["entry"]]:
        visit(page, path)
        bell = page.locator("#notification-bell")
        bell.wait_for()
        page.wait_for_function("() => !document.querySelector('.htmx-request')")
        box = bell.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44, (path, box)
        assert box["x"] >= 0 and box["x"] + box["width"] <= MOBILE["width"], (path, box)
        overlaps = page.evaluate(
            """() => {
              const bell = document.querySelector('#notification-bell').getBoundingClientRect();
              return [...document.querySelectorAll('.site-header a, .site-header button')]
                .filter(e => !e.closest('#notification-bell'))
                .map(e => [e.textContent.trim(), e.getBoundingClientRect()])
                .filter(([, r]) => r.width && r.left < bell.right - 1 && r.right > bell.left + 1
                                   && r.top < bell.bottom - 1 && r.bottom > bell.top + 1)
                .map(([text]) => text);
            }"""
        )
        assert overlaps == [], (path, overlaps)
        assert layout_problems(page)["scrollWidth"] <= MOBILE["width"], path
    bell.click()
    page.wait_for_url("**/notifikasi/")
    assert watch.errors == []


SMALL_TAP_TARGETS = """() => [...document.querySelectorAll(
    'a[href], button, select, input:not([type=hidden]), textarea, summary')]
  .filter(el => {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || (box.width >= 44 && box.height >= 44)) return false;
    // Exempt (WCAG 2.5.5): links in running text, links in the cells of a table (the
    // table scrolls and every name there is also a link on its regency's page), the
    // charts' and the map's own marks (the figures are in a table beside them), and the
    // skip link (for the keyboard only).
    if (el.tagName === 'A' && getComputedStyle(el).display === 'inline') return false;
    return !el.closest('td:not(.report-grid td), th, svg, .js-plotly-plot, .hbar-name, .skip-link');
  })
  .map(el => `${el.tagName} "${(el.textContent || el.name || '').trim().slice(0, 30)}" `
    + `${Math.round(el.getBoundingClientRect().width)}x`
    + `${Math.round(el.getBoundingClientRect().height)}`)"""


def test_controls_are_44px_tap_targets_on_a_phone(page, watch, live_server, a11y_data):
    """On a phone the header's links were 23 px tall, the filters 40 px, "Angka per bulan"
    21 px, the entry form's "Hapus baris" 20 px, the month marks of "Laporan saya" 26 x 20
    px: too small for a thumb (WCAG 2.5.5 asks 44 x 44 CSS px), and the header's links
    sat 4 px apart."""
    page.set_viewport_size(MOBILE)
    small = {}
    for path in [
        "/?tahun=2024&bulan=12",
        "/wilayah/16.07/?tahun=2024&bulan=12",
        "/kelengkapan/?tahun=2024",
        PROGRAM,
        "/akun/masuk/",
    ]:
        page.goto(path)
        small[path] = page.evaluate(SMALL_TAP_TARGETS)
    sign_in(page, a11y_data["operator"], live_server)
    page.goto("/laporan/")
    assert page.locator("#report-grid a").count() > 0
    small["/laporan/"] = page.evaluate(SMALL_TAP_TARGETS)
    assert layout_problems(page)["scrollWidth"] <= MOBILE["width"]  # the grid scrolls, not the page
    page.goto(a11y_data["entry"])
    with page.expect_response(lambda r: "/baris/?" in r.url):
        page.get_by_role("button", name=re.compile("Tambah sumber dana")).click()
    page.locator(f"#rows-{HOUSES} tr.entry-row").nth(1).wait_for()  # "Hapus baris" shows
    small["entry"] = page.evaluate(SMALL_TAP_TARGETS)
    small = {path: targets for path, targets in small.items() if targets}
    assert not small, "tap targets under 44 x 44 px on a 360 px phone:\n" + "\n".join(
        f"  {path}: {targets}" for path, targets in small.items()
    )
    assert watch.errors == []
