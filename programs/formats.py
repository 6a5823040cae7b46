"""Indonesian-first labels for periods and numbers, following the active language.

The one number formatter of the app: pages (`number`), CSV (`plain_number`) and the JSON
API (`round_half_up`) all round here, half up (81,25 -> 81,3), the convention of
Indonesian official statistics, never to even as Python's round() does.
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats
from django.utils.dates import MONTHS


def month_label(month: int) -> str:
    return str(MONTHS[month])


def month_year_label(year: int, month: int) -> str:
    """'Maret 2024' in Indonesian, 'March 2024' in English."""
    return f"{MONTHS[month]} {year}"


def date_label(value: dt.date | None) -> str:
    """'25 Maret 2024'."""
    if value is None:
        return ""
    return f"{value.day} {MONTHS[value.month]} {value.year}"


def round_half_up(value: Decimal | float | int, decimals: int) -> Decimal:
    """`value` rounded to `decimals` places, exact ties away from zero."""
    return Decimal(str(value) if isinstance(value, float) else value).quantize(
        Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP
    )


def number(value: Decimal | float | int | None, decimals: int = 0) -> str:
    """A number for a page, with the active locale's separators: 8.391 or 14,33 in
    Indonesian."""
    if value is None:
        return "–"
    return formats.number_format(
        round_half_up(value, decimals), decimal_pos=decimals, use_l10n=True, force_grouping=True
    )


def plain_number(value: Decimal | float | int | None, decimals: int | None = None) -> str:
    """A number for CSV (Excel in the Indonesian locale): decimal comma, no grouping.
    `decimals` None: as stored (at most 4 places, trailing zeros dropped)."""
    if value is None:
        return ""
    text = f"{round_half_up(value, 4 if decimals is None else decimals):f}"
    if decimals is None and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")
