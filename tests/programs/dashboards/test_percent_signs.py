"""Percentages in each language's own way: "65,2 %" in Indonesian (a space before the
sign), "65.2%" in English (none), written by `formats.percent` for every page, chart
hover and message; exports keep numeric cells and the API raw numbers."""

from decimal import Decimal

import pytest
from django.utils import translation

from programs import formats
from programs.dashboards import charts
from tests.helpers import element_text, find, login, table_row


@pytest.mark.parametrize(
    ("language", "text", "unit_text"),
    [("id", "65,2 %", "14,33 %"), ("en", "65.2%", "14.33%")],
)
def test_percent_follows_the_language(language, text, unit_text):
    with translation.override(language):
        assert formats.percent(Decimal("65.2")) == text
        assert formats.with_unit(formats.number(Decimal("14.33"), 2), "%") == unit_text
        # Other units keep their space, and a missing figure is a dash.
        assert formats.with_unit("8.391", "rumah") == "8.391 rumah"
        assert formats.percent(None) == "–"


def scorecard_cell(response) -> str:
    row = table_row(response, "scorecard", "16.07")
    return element_text(find(row, "td", data_program="gbrss"))


def test_english_pages_write_percentages_without_a_space(gbrss_data):
    """Banyuasin's verified 25 of 100 houses in 2024: "25.0%" on English pages, where
    "25.0 %" (the Indonesian spacing) was shown; Indonesian keeps "25,0 %"."""
    client = login()
    assert scorecard_cell(client.get("/", {"tahun": 2024})).startswith("25,0 %")
    client.cookies["bahasa"] = "en"
    response = client.get("/", {"tahun": 2024})
    assert scorecard_cell(response).startswith("25.0%")
    assert "25.0 %" not in response.content.decode()


def test_chart_hover_labels_of_a_percent_indicator_follow_the_rule():
    def hover(language):
        with translation.override(language):
            figure = charts.trend_chart(
                months=["Jan"], values=[Decimal("14.33")], unit="%", decimals=2, as_bars=False
            )
        return figure["data"][0]["hovertext"]

    assert hover("id") == ["Jan: 14,33 %"]
    assert hover("en") == ["Jan: 14.33%"]
