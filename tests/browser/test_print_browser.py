"""Printing for a meeting: overview, program and regency pages as clean A4 pages."""

import re

import pytest

from tests.browser.conftest import draw_charts

A4_TEXT_WIDTH = 688  # (210 mm - 2 x 14 mm margins) at 96 CSS px per inch


@pytest.mark.parametrize(
    "path,charts",
    [
        ("/?tahun=2024&bulan=12", 0),
        ("/program/gbrss/?tahun=2024&bulan=12", 3),
        ("/wilayah/16.07/?tahun=2024&bulan=12", 1),
        ("/kelengkapan/?tahun=2024&bulan=12", 0),
    ],
)
def test_pages_print_as_clean_a4(page, watch, gbrss_data, path, charts):
    page.goto(path)
    if charts:
        draw_charts(page, charts)
    page.emulate_media(media="print")
    page.set_viewport_size({"width": A4_TEXT_WIDTH, "height": 1000})
    page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    page.wait_for_timeout(300)
    for selector in (
        ".filters",
        ".site-nav",
        ".tabs",
        ".downloads",
        ".modebar-container",
        ".scroll-cue",
    ):
        assert all(not el.is_visible() for el in page.locator(selector).all()), selector
    too_wide = page.evaluate(
        """(limit) => [...document.querySelectorAll('main *')]
            .filter(el => !el.closest('.table-wrap'))
            // Plotly's inner layers overhang by design; its drawing surface must fit.
            .filter(el => !el.closest('.js-plotly-plot') || el.matches('svg.main-svg'))
            .filter(el => el.getBoundingClientRect().right > limit + 1)
            .map(el => el.tagName + '.' + (el.getAttribute('class') || ''))
            .slice(0, 5)""",
        A4_TEXT_WIDTH,
    )
    assert too_wide == []
    pdf = page.pdf(
        format="A4", margin={"top": "14mm", "bottom": "14mm", "left": "14mm", "right": "14mm"}
    )
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 1 <= pages <= (2 if path.startswith("/program/") else 6), pages
    assert watch.errors == []


def test_meeting_summary_figures_fit_their_printed_columns(page, watch, gbrss_data):
    """On A4 every figure of the meeting summary stays inside its column: the figures'
    columns kept the screen's no-wrap, so "64,6 % (83,3 %)" ran under the status, the
    realization under the achievement, and the completeness column was cut at the
    page's edge ("11 dari 1")."""
    page.goto("/ringkasan/cetak/?tahun=2024&bulan=12")
    page.emulate_media(media="print")
    page.set_viewport_size({"width": A4_TEXT_WIDTH, "height": 1000})
    overflowing = page.evaluate(
        """() => [...document.querySelectorAll('#summary-table th, #summary-table td')]
            .filter(cell => cell.scrollWidth > cell.clientWidth + 1)
            .map(cell => cell.innerText.replace(/\\s+/g, ' '))"""
    )
    assert overflowing == []
    right = page.evaluate(
        "() => document.querySelector('#summary-table').getBoundingClientRect().right"
    )
    assert right <= A4_TEXT_WIDTH + 1
    # A figure wraps whole: a number is never parted from its unit or its star.
    gbrss = page.locator("#summary-table tr[data-program='gbrss'] td.num")
    for cell in gbrss.all():
        for figure in cell.locator(".figure").all():
            box = figure.bounding_box()
            assert box["height"] < 20, figure.inner_text()  # one line of 8pt type
    assert watch.errors == []


# The words of a cell's text that the browser laid out on more than one line.
SPLIT_WORDS = """(cell) => {
  const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
  const split = [];
  for (let text = walker.nextNode(); text; text = walker.nextNode()) {
    for (const word of text.data.matchAll(/[^\\s-]+/g)) {
      const range = document.createRange();
      range.setStart(text, word.index);
      range.setEnd(text, word.index + word[0].length);
      const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
      if (lines.size > 1) split.push(word[0]);
    }
  }
  return split;
}"""


def test_a_program_named_in_full_breaks_between_words_on_the_meeting_summary(
    page, watch, reference_data
):
    """Mandiri Energi has no acronym, so the meeting summary names it in full in its
    narrow program column; on paper it broke inside words ("Sumater / a Selatan"). It
    breaks between words only, on paper and on screen, and stays inside its column."""
    page.goto("/ringkasan/cetak/?tahun=2024&bulan=12")
    name = page.locator("#summary-table tr[data-program='mandiri-energi'] th")
    full_name = "Gerakan Sumatera Selatan Mandiri Energi Serentak se-Sumsel"
    assert " ".join(name.inner_text().split()) == full_name  # no acronym, no short name
    for media, width in (("print", A4_TEXT_WIDTH), ("screen", 360), ("screen", 1280)):
        page.emulate_media(media=media)
        page.set_viewport_size({"width": width, "height": 1000})
        assert name.evaluate(SPLIT_WORDS) == [], (media, width)
        assert name.evaluate("c => c.scrollWidth <= c.clientWidth"), (media, width)
    assert watch.errors == []
