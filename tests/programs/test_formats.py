"""Numbers on pages: Indonesian separators, half-up rounding, same as Django's formatter."""

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.utils import formats as django_formats
from django.utils import translation

from programs import formats


@pytest.mark.parametrize(
    ("language", "value", "decimals", "text"),
    [
        ("id", 8391, 0, "8.391"),
        ("id", Decimal("14.3333"), 2, "14,33"),
        ("id", Decimal("81.25"), 1, "81,3"),  # half up, not to even
        ("id", 2.675, 2, "2,68"),  # the float's shortest repr, not its binary value
        ("id", Decimal("1234567.891"), 2, "1.234.567,89"),
        ("id", Decimal("-8600.5"), 0, "-8.601"),
        ("id", Decimal("-0.04"), 1, "0,0"),  # no minus sign on a zero
        ("id", Decimal("-0.0900"), 2, "-0,09"),  # a deflation, as stored
        ("en", Decimal("-0.0900"), 2, "-0.09"),
        ("id", None, 0, "–"),
        ("en", Decimal("1234567.891"), 2, "1,234,567.89"),
        ("en", 8391, 0, "8,391"),
    ],
)
def test_numbers_follow_the_language(language, value, decimals, text):
    with translation.override(language):
        assert formats.number(value, decimals) == text


def test_same_text_as_djangos_number_format_with_grouping():
    rng = random.Random(20261129)
    values = [Decimal(rng.randint(-(10**12), 10**12)) / 10 ** rng.randint(0, 6) for _ in range(500)]
    values += [rng.uniform(-1e7, 1e7) for _ in range(200)] + [0, -0.0, Decimal("-0"), 10**15]
    for language in ("id", "en"):
        with translation.override(language):
            for value in values:
                for decimals in (0, 1, 2, 4):
                    rounded = formats.round_half_up(value, decimals)
                    expected = django_formats.number_format(
                        rounded, decimal_pos=decimals, use_l10n=True, force_grouping=True
                    )
                    assert formats.number(value, decimals) == expected, (value, decimals)


def test_month_and_status_labels_follow_the_language():
    """Labels are looked up once per language, never served in the language that asked
    first; two choices with the same value keep their own labels."""
    from programs.models import MonthlyReport, Notification

    report, notification = MonthlyReport.Status.VERIFIED, Notification.Kind.VERIFIED
    assert report == notification  # same value "verified", two enums, two labels
    for _ in range(2):
        with translation.override("id"):
            assert formats.month_label(3) == "Maret"
            assert formats.date_label(dt.date(2024, 3, 25)) == "25 Maret 2024"
            assert formats.choice_label(report) == "Terverifikasi"
            assert formats.choice_label(notification) == "Laporan diverifikasi"
        with translation.override("en"):
            assert formats.month_label(3) == "March"
            assert formats.month_year_label(2024, 3) == "March 2024"
            assert formats.choice_label(report) == "Verified"
            assert formats.choice_label(notification) == str(notification.label)
            assert formats.choice_label(notification) != "Verified"
