"""The first day of a month (1 December): what "Seharusnya" (expected by now) counts
to, said the same way on every page and export of the same period."""

import datetime as dt

import pytest
from django.utils import translation

from tests.helpers import element_text, find, find_all, login, page

# gbrss_data's targets and reports are 2024's; 1 December 2024 is the running month's
# first day: "s.d. Desember" counts "Seharusnya" to today, November's end is past.
pytestmark = [
    pytest.mark.usefixtures("frozen_clock"),
    pytest.mark.parametrize("today", [dt.date(2024, 12, 1)]),
]


def expected_headers(response) -> list[str]:
    """The regency page's "Seharusnya" column header of each indicator."""
    assert response.status_code == 200
    return [
        element_text(find_all(find(table, "thead"), "th")[-1])
        for table in find_all(page(response), "table", class_="comparison")
    ]


@pytest.mark.parametrize(
    "query, day",
    [({"tahun": 2024, "bulan": 12}, "1 Desember"), ({"tahun": 2024}, "31 Oktober")],
    ids=["running-month", "default-month"],
)
def test_the_regency_page_says_up_to_which_day_expected_is_counted(gbrss_data, query, day):
    """On 1 December, "s.d. Desember" expects 91,8 % (to today): the regency page's
    column read "Seharusnya" alone, so under a heading "2024, s.d. Desember" the share
    looked short of December's end (100 %), while the program page, the summary and the
    regency's own export say "Seharusnya s.d. 1 Desember". Now the column says it too."""
    client = login()
    headers = expected_headers(client.get("/wilayah/16.07/", query))
    assert headers and all(h == f"Seharusnya s.d. {day}" for h in headers)
    # The program page and the regency's export count to the same day.
    program = page(client.get("/program/gbrss/", query))
    assert f"Seharusnya s.d. {day}" in element_text(find(program, "dl"))
    export = client.get("/unduh/wilayah/16.07.csv", query)
    assert f"Seharusnya s.d. {day} 2024 (%)" in b"".join(export.streaming_content).decode()


def test_the_regency_page_says_it_in_english_too(gbrss_data):
    client = login()
    client.cookies["bahasa"] = "en"
    try:
        headers = expected_headers(client.get("/wilayah/16.07/", {"tahun": 2024, "bulan": 12}))
    finally:
        translation.activate("id")
    assert headers and all(h == "Expected by 1 December" for h in headers)
