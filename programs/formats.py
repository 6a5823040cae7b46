"""Indonesian-first labels for periods and numbers, following the active language."""

import datetime as dt
from decimal import Decimal

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


def number(value: Decimal | float | int | None, decimals: int = 0) -> str:
    """A number with the active locale's separators: 8.391 or 14,33 in Indonesian."""
    if value is None:
        return "–"
    return formats.number_format(
        round(Decimal(value), decimals), decimal_pos=decimals, use_l10n=True, force_grouping=True
    )
