"""Indonesian-first labels for periods and numbers, following the active language.

The one number formatter of the app: pages (`number`), CSV (`plain_number`) and the JSON
API (`round_half_up`) all round here, half up (81,25 -> 81,3), the convention of
Indonesian official statistics, never to even as Python's round() does.
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats
from django.utils.dates import MONTHS
from django.utils.translation import get_language

# Translated labels per language, looked up once: a page asks for hundreds of month and
# status names, and each gettext() goes through the active-language lookup again.
# Catalogs do not change while the process runs.
_MONTH_LABELS: dict[str | None, tuple[str, ...]] = {}
_CHOICE_LABELS: dict[tuple[str | None, type, object], str] = {}


def month_label(month: int) -> str:
    language = get_language()
    labels = _MONTH_LABELS.get(language)
    if labels is None:
        labels = _MONTH_LABELS[language] = ("", *(str(MONTHS[m]) for m in range(1, 13)))
    return labels[month]


def choice_label(member) -> str:
    """The label of a choices member (TextChoices/IntegerChoices) in the active language."""
    # Members hash by name, not by their translated label; text choices of two enums with
    # the same value compare equal, hence the class in the key.
    key = (get_language(), type(member), member)
    label = _CHOICE_LABELS.get(key)
    if label is None:
        label = _CHOICE_LABELS[key] = str(member.label)
    return label


def month_year_label(year: int, month: int) -> str:
    """'Maret 2024' in Indonesian, 'March 2024' in English."""
    return f"{month_label(month)} {year}"


def day_month_label(value: dt.date) -> str:
    """'25 Maret' (the year is said elsewhere on the page)."""
    return f"{value.day} {month_label(value.month)}"


def date_label(value: dt.date | None) -> str:
    """'25 Maret 2024'."""
    if value is None:
        return ""
    return f"{day_month_label(value)} {value.year}"


_QUANTUM = {places: Decimal(1).scaleb(-places) for places in range(7)}


def round_half_up(value: Decimal | float | int, decimals: int) -> Decimal:
    """`value` rounded to `decimals` places, exact ties away from zero."""
    if not isinstance(value, Decimal):
        value = Decimal(str(value) if isinstance(value, float) else value)
    quantum = _QUANTUM.get(decimals) or Decimal(1).scaleb(-decimals)
    return value.quantize(quantum, rounding=ROUND_HALF_UP)


# (decimal separator, thousands separator) per language, read from Django's locale
# formats once: pages format hundreds of numbers, and number_format() looks the three
# settings up again for every one of them.
_SEPARATORS: dict[str | None, tuple[str, str]] = {}


def _separators() -> tuple[str, str]:
    language = get_language()
    separators = _SEPARATORS.get(language)
    if separators is None:
        separators = (
            formats.get_format("DECIMAL_SEPARATOR", language, use_l10n=True),
            formats.get_format("THOUSAND_SEPARATOR", language, use_l10n=True),
        )
        if formats.get_format("NUMBER_GROUPING", language, use_l10n=True) != 3:
            raise ValueError(f"Digits grouped other than by three in {language!r}")
        _SEPARATORS[language] = separators
    return separators


def number(value: Decimal | float | int | None, decimals: int = 0) -> str:
    """A number for a page, with the active locale's separators: 8.391 or 14,33 in
    Indonesian (what Django's number_format with forced grouping gives, faster)."""
    if value is None:
        return "–"
    decimal_mark, group_mark = _separators()
    rounded = round_half_up(value, decimals)
    if not rounded:
        rounded = rounded.copy_abs()  # -0,04 to no decimals is 0, not -0
    text = f"{rounded:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", decimal_mark).replace("\0", group_mark)


def _english() -> bool:
    return (get_language() or "id").startswith("en")


def percent(value: Decimal | float | int | None, decimals: int = 1) -> str:
    """A percentage for a page, the one place its sign is written: '65,2 %' in
    Indonesian (a space before the sign, the Indonesian convention), '65.2%' in English
    (none); '–' for None."""
    if value is None:
        return "–"
    return with_unit(number(value, decimals), "%")


def with_unit(text: str, unit: str) -> str:
    """A formatted number followed by its unit: '8.391 rumah'; a percent unit as
    `percent` writes it ('14,3 %', '14.3%' in English)."""
    if unit == "%" and _english():
        return f"{text}%"
    return f"{text} {unit}" if unit else text


def decimal_mark() -> str:
    """The active language's decimal mark: "," in Indonesian, "." in English."""
    return _separators()[0]


def plain_number(
    value: Decimal | float | int | None,
    decimals: int | None = None,
    *,
    mark: str | None = None,
) -> str:
    """A number for CSV: the decimal mark of the language (`mark`, by default the active
    one's: 14,33 for Excel in the Indonesian locale, 14.33 in English), never grouped, so
    8391 reads the same in both. `decimals` None: as stored (at most 4 places, trailing
    zeros dropped)."""
    if value is None:
        return ""
    text = f"{round_half_up(value, 4 if decimals is None else decimals):f}"
    if decimals is None and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", mark or decimal_mark())
