"""Dashboards in a real browser: charts drawn, htmx filters, history, map clicks."""

import re

import pytest
from django.core.management import call_command

from tests.conftest import FIXTURES


@pytest.fixture
def reference_data(transactional_db):
    """Live-server tests need committed data: override the `db`-based fixture."""
    call_command("loaddata", *FIXTURES, verbosity=0)


def wait_for_charts(page, count):
    page.wait_for_function(
        "(n) => document.querySelectorAll('[data-chart][data-drawn]').length >= n", arg=count
    )


def chart_points(page, chart_id, trace=0):
    return page.evaluate(
        "([id, t]) => document.querySelector(`[data-chart='${id}']`).data[t].x.length",
        [chart_id, trace],
    )


def test_program_page_draws_every_chart_and_the_map_offline(page, watch, gbrss_data):
    page.goto("/program/gbrss/?tahun=2024&bulan=12")
    wait_for_charts(page, 5)
    page.wait_for_function("() => document.querySelectorAll('.choroplethlocation').length > 0")
    assert page.locator(".choroplethlocation").count() == 17
    assert page.locator("[data-chart]").count() == 5
    assert watch.outside == []
    assert watch.errors == []


def test_filter_change_swaps_redraws_and_back_restores_live_charts(page, watch, gbrss_data):
    page.goto("/program/gbrss/?tahun=2024&bulan=12")
    wait_for_charts(page, 5)
    assert chart_points(page, "chart-trend") == 12
    page.evaluate("() => { window.__notReloaded = true; }")

    page.select_option("#filter-bulan", "3")
    page.wait_for_url(re.compile(r"bulan=3"))
    page.wait_for_function("() => document.querySelectorAll('#trend-table tbody tr').length === 3")
    wait_for_charts(page, 5)
    assert chart_points(page, "chart-trend") == 3
    assert page.evaluate("() => window.__notReloaded === true")  # swapped, not reloaded

    page.go_back()
    page.wait_for_url(re.compile(r"bulan=12"))
    page.wait_for_function("() => document.querySelectorAll('#trend-table tbody tr').length === 12")
    wait_for_charts(page, 5)
    assert chart_points(page, "chart-trend") == 12
    assert page.evaluate(
        "() => [...document.querySelectorAll('[data-chart]')].every(el => !!el._fullLayout)"
    )
    assert page.locator("#filter-bulan").input_value() == "12"
    assert watch.errors == []


def test_clicking_a_map_region_opens_that_regency(page, watch, gbrss_data):
    page.goto("/program/gbrss/?tahun=2024&bulan=12")
    wait_for_charts(page, 5)
    point = page.evaluate(
        """() => {
        for (const path of document.querySelectorAll('.choroplethlocation')) {
          const box = path.getBoundingClientRect();
          const x = box.left + box.width / 2, y = box.top + box.height / 2;
          const local = new DOMPoint(x, y).matrixTransform(path.getScreenCTM().inverse());
          if (box.width > 20 && path.isPointInFill(local)) return {x, y};
        }
        return null;
      }"""
    )
    assert point is not None
    page.mouse.click(point["x"], point["y"])
    page.wait_for_url(re.compile(r"/wilayah/16\.\d\d/"))
    assert page.locator("h1").inner_text().startswith(("Kab.", "Kota"))
    assert watch.errors == []


def test_clicking_a_bar_opens_that_regency(page, watch, gbrss_data):
    page.goto("/program/gbrss/?tahun=2024&bulan=12")
    wait_for_charts(page, 5)
    box = page.locator("[data-chart='chart-bars'] .point path").last.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url(re.compile(r"/wilayah/16\.07/"))  # the top bar: Banyuasin, 25 %


def test_overview_sorting_and_regency_page_charts(page, watch, gbrss_data):
    page.goto("/?tahun=2024&bulan=12")
    page.get_by_role("link", name="GBRSS", exact=True).last.click()
    page.wait_for_url(re.compile(r"urutkan=gbrss"))
    first = page.locator("#scorecard tbody tr").first.get_attribute("data-regency")
    assert first == "16.07"  # verified only for anonymous: Banyuasin 25 % > OKU 10 %
    page.goto("/wilayah/16.07/?tahun=2024&bulan=12")
    wait_for_charts(page, 1)
    assert watch.errors == []


def test_a_partner_named_like_a_link_is_text_on_the_public_chart(page, watch, gbrss_data):  # noqa: F811
    """Plotly reads labels as HTML: a funding source named `<a href=...>` must be drawn as
    its literal name, never as a clickable link (issue 12, item 6)."""
    from programs.models import FundingSource

    hostile = '<a href="https://contoh.invalid/x">Mitra</a>'
    FundingSource.objects.filter(code="ptba").update(name=hostile)
    page.goto("/program/gbrss/?tahun=2024&bulan=12")
    wait_for_charts(page, 5)
    charts = page.locator("[data-chart]")
    assert page.locator("[data-chart] a[href*='contoh.invalid']").count() == 0
    drawn = " ".join(charts.all_text_contents())
    assert '<a href="https://contoh.invalid/x">Mitra</a>' in drawn
    assert watch.errors == []
