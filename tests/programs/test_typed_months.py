"""A month typed on its own is read by one rule wherever it is typed
(`admin_numbers.typed_month`): the admin's exemption months, the realization import's
month column (CSV and XLSX) and its template's ?bulan=. "11.2026" was taken by the admin
and refused by the import; every form is now taken, or refused, by all of them."""

import pytest
from django.core.exceptions import ValidationError

from programs.admin_numbers import LocalizedMonthField, typed_month
from programs.spreadsheets.imports import _period

NOVEMBER_2026 = [
    "2026-11",
    "2026/11",
    "2026.11",
    "11-2026",
    "11/2026",
    "11.2026",
    "11 . 2026",
    "November 2026",
    "november 2026",
    "Nov 2026",
    "Nov. 2026",
    "Nov-2026",
    "Nov/2026",
    "Nopember 2026",
    "Nop 2026",
]

# Refused by every entry point (what the admin reads as a whole date, "01/11/2026", is
# a date box's business, not a typed month's).
NO_MONTH = ["Nov-26", "11/26", "November", "2026", "202611", "Mai 2026", "2026-13", "13.2026"]


@pytest.mark.parametrize("typed", NOVEMBER_2026)
def test_every_entry_point_reads_a_typed_month_alike(typed):
    assert typed_month(typed) == (2026, 11)
    assert _period(typed) == (2026, 11)
    assert LocalizedMonthField().clean(typed).isoformat() == "2026-11-01"


@pytest.mark.parametrize("typed", NO_MONTH)
def test_every_entry_point_refuses_what_is_no_month(typed):
    with pytest.raises(ValueError):
        _period(typed)
    with pytest.raises(ValidationError):
        LocalizedMonthField().clean(typed)


def test_a_number_cell_is_read_as_it_was_typed():
    """Excel took "10.2026" for the number 10,202: read as typed, October 2026."""
    assert _period(10.2026) == (2026, 10)
    assert _period(11.2026) == (2026, 11)
    with pytest.raises(ValueError):
        _period(3.5)  # the year 5000
