"""Numbers in the Django admin mean what the admin meant.

Decimals are typed and shown in the active language (Indonesian: 8.600 is eight thousand
six hundred, 14,33 is fourteen point three three; English mirrors it), never as
8391.0000; count units take whole numbers only; history shows formatted values under
translated column names. Dates may be typed with the month's name in Indonesian or
English ("25 Maret 2024", "25 Mar 24", "25 March 2024") besides the locale's formats, always
day first (03/25/2027 is refused, saying why).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from decimal import Decimal

from django import forms
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import formats, timezone
from django.utils.functional import lazy
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper

from programs.formats import date_label, month_label, month_year_label, number
from programs.limits import DECIMAL_TOO_LARGE, decimal_limit, grouped, shown_limit
from programs.reporting.rules import (
    AMBIGUOUS_NUMBER,
    AMBIGUOUS_THOUSANDS,
    DIGITS_ONLY,
    MAX_ABS_VALUE,
    MAX_DECIMALS,
    NUMBER_TOO_LARGE,
    decimals,
    parse_number,
    refusal,
)
from programs.text import other_digits

NOT_A_NUMBER = _(
    "Bukan angka. Tulis seperti 8.600 (delapan ribu enam ratus) atau 14,33 (empat belas "
    "koma tiga tiga)."
)
WHOLE_NUMBER = _("Satuan ini dihitung utuh: isi bilangan bulat tanpa desimal.")
NOT_A_WHOLE_NUMBER = _(
    "Isi bilangan bulat tanpa desimal. Ribuan dipisah titik dan koma menandai desimal: "
    "tulis 888.324 (delapan ratus delapan puluh delapan ribu tiga ratus dua puluh empat), "
    "bukan 888,324."
)


def decimals_needed(value: Decimal) -> int:
    """14.3300 -> 2, 8391.0000 -> 0 (at most MAX_DECIMALS, the database's precision)."""
    return min(MAX_DECIMALS, decimals(value))


def show_number(value) -> str:
    """A stored number as people read it in the active language: 8.391, 14,33."""
    if value is None or value == "":
        return "–"
    value = Decimal(value)
    return number(value, decimals_needed(value))


def typed_number(value) -> Decimal:
    """A number typed in the active language (`parse_number`: 8.600 and 14,33 in
    Indonesian, 8,600 and 14.33 in English), or the admin's message for what is not one."""
    try:
        return parse_number(str(value), get_language() or "id")
    except ValueError as exc:
        if NUMBER_TOO_LARGE in exc.args:
            raise ValidationError(gettext(NUMBER_TOO_LARGE), code="max_value") from exc
        if AMBIGUOUS_NUMBER in exc.args or AMBIGUOUS_THOUSANDS in exc.args:
            # '0.600': 0,6 or 600? '8,000': 8 or 8.000?
            raise ValidationError(refusal(exc), code="ambiguous") from exc
        if DIGITS_ONLY in exc.args:
            # 'Rp 8.600,-': the digits to write, as the entry form and the import say.
            raise ValidationError(refusal(exc), code="invalid") from exc
        raise ValidationError(NOT_A_NUMBER, code="invalid") from exc


def column_too_large(field, error: ValidationError) -> ValidationError:
    """`error` of a number past what anything is read as (NUMBER_TOO_LARGE, "paling
    besar 99.999.999.999"), said by the field's own, smaller limit when it has one (a
    population: 2.147.483.647; an area: 9.999.999,999)."""
    if error.code != "max_value":
        return error
    places = getattr(field, "decimal_places", None)
    limit = decimal_limit(getattr(field, "max_digits", None), places)
    if limit is not None and limit < MAX_ABS_VALUE:
        return ValidationError(
            DECIMAL_TOO_LARGE, code="max_value", params={"limit": shown_limit(limit)}
        )
    highs = [
        v
        for v in field.validators
        if isinstance(v, MaxValueValidator) and not callable(v.limit_value)
    ]
    lowest = min(highs, key=lambda v: v.limit_value, default=None)
    if lowest is not None and lowest.limit_value < MAX_ABS_VALUE:
        try:
            lowest(lowest.limit_value + 1)
        except ValidationError as said:
            return said
    return error


class LocalizedDecimalField(forms.DecimalField):
    """A decimal typed as text in the active language (not a browser number input, which
    reads "8.600" as 8.6 in some locales)."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "size": 14})

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = grouped(self.validators)  # "paling sedikit 1.000", not "1000"

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        try:
            return typed_number(value)
        except ValidationError as error:
            raise column_too_large(self, error) from None

    def prepare_value(self, value):
        if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
            return show_number(value)
        return value

    def widget_attrs(self, widget):
        return {}  # no "step"/"min" of a number input on a text input


class LocalizedIntegerField(forms.IntegerField):
    """A whole number typed like the decimals (1.234.567 in Indonesian, 1,234,567 in
    English). Shown without grouping, so that years stay 2024 rather than 2.024."""

    widget = forms.TextInput(attrs={"inputmode": "numeric", "size": 10})

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = grouped(self.validators)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        try:
            number = typed_number(value)
        except ValidationError as error:
            raise column_too_large(self, error) from None
        if number is None:  # spaces only: nothing typed
            return None
        if number % 1:  # '888,324': a decimal comma where a thousands dot was meant?
            raise ValidationError(NOT_A_WHOLE_NUMBER, code="invalid")
        return int(number)


class GroupedIntegerField(LocalizedIntegerField):
    """A count shown as it is read, grouped in the active language (a population of
    955.000, or 955,000 in English), not as "955000"; typed either way."""

    def prepare_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return number(value, 0)
        return value


# Month names and their usual abbreviations, Indonesian and English (Python's strptime
# knows only the English ones, so "25 Maret 2024" was refused).
_MONTHS = (
    ("januari", "jan", "january"),
    ("februari", "feb", "pebruari", "peb", "february"),
    ("maret", "mar", "mrt", "march"),
    ("april", "apr"),
    ("mei", "may"),
    ("juni", "jun", "june"),
    ("juli", "jul", "july"),
    ("agustus", "agu", "agt", "ags", "aug", "august"),
    ("september", "sep", "sept"),
    ("oktober", "okt", "oct", "october"),
    ("november", "nov", "nopember", "nop"),
    ("desember", "des", "dec", "december"),
)
MONTH_NAMES = {name: number for number, names in enumerate(_MONTHS, start=1) for name in names}
# Digits are 0-9 in every date and month typed, [0-9] rather than \d (which reads
# "٢٠٢٦" as 2026): the rule of every number a page reads (`programs.text.other_digits`).
_DAY_MONTH_NAME_YEAR = re.compile(
    r"\s*([0-9]{1,2})[\s.-]*([^\W\d_]+)\.?[\s.,-]*([0-9]{4}|[0-9]{2})\s*"
)
# A date written year first, as ISO does but with slashes or dots (2026/03/25, 2026.03.25,
# as Indonesians also write it): the year first, the month is always next.
_YEAR_FIRST = re.compile(r"\s*([0-9]{4})\s*([/.-])\s*([0-9]{1,2})\s*\2\s*([0-9]{1,2})\s*")
# Three numbers whose second cannot be a month: 03/25/2027, typed month first.
_MONTH_FIRST = re.compile(r"\s*([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4}|[0-9]{2})\s*")

DATE_NOT_RECOGNISED = _(
    "Tanggal tidak dikenali: tulis hari dulu, misalnya 25-03-2027, 25/03/2027, 25 Maret 2027 "
    "atau 2027-03-25."
)
DATE_DOES_NOT_EXIST = _(
    "Tanggal %(day)s tidak ada pada %(month)s: bulan itu hanya sampai tanggal %(last)s."
)
DATE_MONTH_FIRST = _(
    "Tanggal ditulis bulan dulu? Tulis hari dulu, lalu bulan: %(day_first)s (atau %(named)s)."
)


def listed(items: list[str]) -> str:
    """'a, b atau c' ('a, b or c' in English)."""
    if len(items) < 2:
        return "".join(items)
    return gettext("%(first)s atau %(last)s") % {"first": ", ".join(items[:-1]), "last": items[-1]}


def date_forms(day: dt.date = dt.date(2027, 3, 25)) -> list[str]:
    """The forms `LocalizedDateField` takes, written for `day`: what a date box's help
    text lists (tests/programs/test_admin_typed.py reads each back)."""
    name = month_label(day.month)
    return [
        f"{day:%d-%m-%Y}",
        f"{day:%d/%m/%Y}",
        f"{day:%d.%m.%Y}",
        f"{day.day} {name} {day.year}",
        f"{day.day} {name[:3]} {day:%y}",
        f"{day:%Y-%m-%d}",
        f"{day:%Y/%m/%d}",
    ]


DATE_FORMS_HELP = _("Tulis hari dulu atau tahun dulu: %(forms)s.")


def date_forms_help() -> str:
    return DATE_FORMS_HELP % {"forms": listed(date_forms())}


def with_forms_help(help_text, forms_help: str) -> str:
    """A box's own help text followed by the forms it takes."""
    return f"{help_text} {forms_help}" if help_text else forms_help


def _forms_help(help_text, forms_help) -> str:
    return with_forms_help(str(help_text) if help_text else "", forms_help())


# A field's help text and the forms its box takes, written when the page is (in its
# language, its month names).
lazy_forms_help = lazy(_forms_help, str)


def _full_year(year: str) -> int:
    """'27' -> 2027, '99' -> 1999 (as strptime reads %y), '2027' -> 2027."""
    if len(year) == 2:
        return dt.datetime.strptime(year, "%y").year
    return int(year)


class LocalizedDateField(forms.DateField):
    """A date typed day first, in the locale's formats (25-03-2027, 25/03/27, 2027-03-25)
    or with its month named, the year in 4 or 2 digits: "25 Maret 2027", "25 Mar 27",
    "25 March 2027"; or year first, as ISO writes it with dashes, slashes or dots
    (2027-03-25, 2027/03/25, 2027.03.25). A date typed month first (03/25/2027) is refused
    with the reason."""

    default_error_messages = {"invalid": DATE_NOT_RECOGNISED}

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Lazily, in the language of the page that shows it.
        self.help_text = lazy_forms_help(self.help_text, self.forms_help)

    def forms_help(self) -> str:
        return date_forms_help()

    def to_python(self, value):
        if other_digits(value):  # Django's formats (strptime) read "25-03-٢٠٢٧" too
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if isinstance(value, str) and (found := _YEAR_FIRST.fullmatch(value)):
            return self._date(int(found[1]), int(found[3]), int(found[4]))
        if isinstance(value, str):
            found = _DAY_MONTH_NAME_YEAR.fullmatch(value)
            if found and found[2].casefold() in MONTH_NAMES:
                month = MONTH_NAMES[found[2].casefold()]
                return self._date(_full_year(found[3]), month, int(found[1]))
        try:
            return super().to_python(value)
        except ValidationError:
            refused = month_first_refusal(value)
            if refused is not None:
                raise ValidationError(refused, code="month_first") from None
            found = _MONTH_FIRST.fullmatch(value) if isinstance(value, str) else None
            if found is not None:  # 31/04/2026: day first, a day the month lacks
                day, month, year = int(found[1]), int(found[2]), _full_year(found[3])
                refused = missing_day_refusal(day, month, year)
                if refused is not None:
                    raise ValidationError(refused, code="no_such_day") from None
            raise

    def _date(self, year: int, month: int, day: int) -> dt.date:
        """The date; refused saying how many days the month has when the day is past
        them (2027/04/31, 31 Februari 2027), else as not recognised."""
        try:
            return dt.date(year, month, day)
        except ValueError:
            refused = missing_day_refusal(day, month, year)
            if refused is None:
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
            raise ValidationError(refused, code="no_such_day") from None


def missing_day_refusal(day: int, month: int, year: int) -> str | None:
    """What to say of a day its month lacks ("31 April 2026", "29/02/2027": April has 30
    days), where "Tanggal tidak dikenali" sent the admin looking for a wrong format;
    None when the day, month or year is not the reason."""
    if not (1 <= month <= 12 and dt.MINYEAR <= year <= dt.MAXYEAR):
        return None
    last = calendar.monthrange(year, month)[1]
    if not last < day <= 31:
        return None
    return DATE_DOES_NOT_EXIST % {
        "day": day,
        "month": month_year_label(year, month),
        "last": last,
    }


def month_first_refusal(value) -> str | None:
    """What to say of a date typed month first ('03/25/2027': the 25th month does not
    exist), naming the date meant written day first; None for any other text."""
    found = _MONTH_FIRST.fullmatch(value) if isinstance(value, str) else None
    if found is None or int(found[2]) <= 12:
        return None
    try:
        meant = dt.date(_full_year(found[3]), int(found[1]), int(found[2]))
    except ValueError:
        return None
    return DATE_MONTH_FIRST % {"day_first": meant.strftime("%d/%m/%Y"), "named": date_label(meant)}


# A month on its own, the one rule of every box and file a month is typed in (the admin's
# month boxes, the realization import and its template): "Maret 2027", "Mar. 2027",
# "Mar-2027", "Nopember 2026", "03/2027", "3-2027", "03.2027" (as Indonesians also write
# it), "2027-03", "2027/03". The year in four digits ("Maret 27" could be a day without
# its year, "03/27" March of which year?).
_MONTH_NAME_YEAR = re.compile(r"\s*([^\W\d_]+)\.?[\s,./-]*([0-9]{4})\s*")
_MONTH_YEAR = re.compile(r"\s*([0-9]{1,2})\s*[/.-]\s*([0-9]{4})\s*")
_YEAR_MONTH = re.compile(r"\s*([0-9]{4})\s*[/.-]\s*([0-9]{1,2})\s*")

# The examples a refusal gives are forms `typed_month` takes (tests/programs/
# test_typed_months.py reads them back), 03.2027 among them.
MONTH_NOT_RECOGNISED = _(
    "Bulan tidak dikenali: tulis misalnya Maret 2027, 03/2027, 03.2027 atau 2027-03 (tanggal "
    "lengkap juga diterima)."
)


def month_forms(year: int = 2027, month: int = 3) -> list[str]:
    """The forms `typed_month` takes, written for one month: what a month box's help text
    lists (tests/programs/test_typed_months.py reads each back)."""
    name = month_label(month)
    return [
        f"{name} {year}",
        f"{name[:3]} {year}",
        f"{month:02d}/{year}",
        f"{month:02d}.{year}",
        f"{month:02d}-{year}",
        f"{year}-{month:02d}",
        f"{year}/{month:02d}",
    ]


MONTH_FORMS_HELP = _("Tulis bulannya: %(forms)s (tanggal lengkap juga diterima).")


def month_forms_help() -> str:
    return MONTH_FORMS_HELP % {"forms": listed(month_forms())}


def typed_month(text: str) -> tuple[int, int] | None:
    """(year, month) of a month typed on its own, None for any other text; ValueError
    for a month that does not exist (13/2027, "Marett 2027", year 0000: no date holds
    it). Month names in Indonesian or English (`MONTH_NAMES`), any letter case."""
    year = month = None
    if found := _MONTH_NAME_YEAR.fullmatch(text):
        if found[1].casefold() not in MONTH_NAMES:
            raise ValueError(text)
        year, month = found[2], MONTH_NAMES[found[1].casefold()]
    elif found := _MONTH_YEAR.fullmatch(text):
        year, month = found[2], found[1]
    elif found := _YEAR_MONTH.fullmatch(text):
        year, month = found[1], found[2]
    if year is None:
        return None
    if not 1 <= int(month) <= 12 or not dt.MINYEAR <= int(year) <= dt.MAXYEAR:
        raise ValueError(text)
    return int(year), int(month)


class LocalizedMonthField(LocalizedDateField):
    """A month, for a date field that holds one as its first day (a reporting exemption's
    first and last month): typed "Maret 2027", "March 2027", "03/2027" or "2027-03", or
    as any date `LocalizedDateField` reads (its month counts); shown as "Maret 2027" in
    a plain text box (the admin's calendar picks days)."""

    widget = forms.TextInput(attrs={"size": 16})
    default_error_messages = {"invalid": MONTH_NOT_RECOGNISED}

    def forms_help(self) -> str:
        return month_forms_help()

    def to_python(self, value):
        if isinstance(value, str):
            try:
                found = typed_month(value)
            except ValueError:
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
            if found is not None:
                return dt.date(*found, 1)
        day = super().to_python(value)
        return day.replace(day=1) if day else day

    def prepare_value(self, value):
        if isinstance(value, dt.date):
            return month_year_label(value.year, value.month)
        return value


MONTH_NUMBER_NOT_RECOGNISED = _(
    "Bulan tidak dikenali: tulis namanya (April) atau angkanya (4), boleh dengan tahun yang "
    "diisi di kolom tahun (April 2027, 04.2027, 04/2027 atau 2027-04)."
)
MONTH_OF_OTHER_YEAR = _(
    "%(typed)s bukan bulan tahun %(year)s yang diisi di kolom tahun: samakan tahunnya, atau "
    "tulis bulannya saja (%(month)s atau %(number)s)."
)


class MonthOfYear(int):
    """A month number typed with its year ("11.2026", "November 2026"): the form checks
    `year` against its year box (`MonthNamed`)."""

    def __new__(cls, month: int, year: int, typed: str = ""):
        value = super().__new__(cls, month)
        value.year, value.typed = year, typed
        return value


def month_of_other_year(month, year) -> str | None:
    """What to say of a month box's month typed with another year than the year box's
    (None when it agrees, or was typed without one)."""
    typed_year = getattr(month, "year", None)
    if typed_year is None or year is None or typed_year == year:
        return None
    return MONTH_OF_OTHER_YEAR % {
        "typed": month.typed.strip(),
        "year": year,
        "month": month_label(int(month)),
        "number": int(month),
    }


def month_number_forms(year: int = 2027, month: int = 4) -> list[str]:
    """The forms `LocalizedMonthNumberField` takes, written for one month of `year` (the
    year box's): what its help text lists."""
    name = month_label(month)
    return [name, name[:3], str(month), f"{month:02d}.{year}", f"{name} {year}"]


MONTH_NUMBER_FORMS_HELP = _(
    "Tulis nama atau angka bulannya: %(forms)s (tahunnya sama dengan kolom tahun)."
)


class LocalizedMonthNumberField(LocalizedIntegerField):
    """A month of the year kept as its number (1-12) beside a year field: typed as its
    name ("April", "Apr", in Indonesian or English) or its number, shown by its name; or
    as a month with its year, as every month box and the import take it (`typed_month`:
    "11.2026", "November 2026"), when that year is the year box's."""

    widget = forms.TextInput(attrs={"size": 12})

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.help_text = lazy_forms_help(self.help_text, self.forms_help)

    def forms_help(self) -> str:
        return MONTH_NUMBER_FORMS_HELP % {"forms": listed(month_number_forms())}

    def to_python(self, value):
        if isinstance(value, str) and value.strip().rstrip(".").casefold() in MONTH_NAMES:
            return MONTH_NAMES[value.strip().rstrip(".").casefold()]
        if isinstance(value, str):
            try:
                found = typed_month(value)
            except ValueError:
                raise ValidationError(MONTH_NUMBER_NOT_RECOGNISED, code="invalid") from None
            if found is not None:
                return MonthOfYear(found[1], found[0], value)
        try:
            return super().to_python(value)
        except ValidationError:
            raise ValidationError(MONTH_NUMBER_NOT_RECOGNISED, code="invalid") from None

    def prepare_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 12:
            return month_label(value)
        return value


class LocalizedTimeField(forms.TimeField):
    """A time in digits 0-9 (`other_digits`): Django's formats (strptime) read "0٨.30" as
    8.30."""

    def to_python(self, value):
        if other_digits(value):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class LocalizedSplitDateTimeField(forms.SplitDateTimeField):
    """The admin's date and time boxes, the date read as `LocalizedDateField` reads it,
    the time as `LocalizedTimeField`."""

    def __init__(self, *, input_date_formats=None, input_time_formats=None, **kwargs):
        super().__init__(
            input_date_formats=input_date_formats, input_time_formats=input_time_formats, **kwargs
        )
        self.fields = (
            self._replaced(self.fields[0], LocalizedDateField, input_date_formats),
            self._replaced(self.fields[1], LocalizedTimeField, input_time_formats),
        )

    def _replaced(self, stock, field_class, input_formats):
        field = field_class(input_formats=input_formats, localize=stock.localize)
        field.required, field.disabled = stock.required, stock.disabled
        field.error_messages.setdefault("incomplete", self.error_messages["incomplete"])
        return field


# Every admin date and date-and-time field (the admin's widgets stay).
DATE_OVERRIDES = {
    models.DateField: {"form_class": LocalizedDateField},
    models.DateTimeField: {"form_class": LocalizedSplitDateTimeField},
}

DATE_OUTSIDE_YEARS = _("Tanggal harus antara tahun %(low)s dan %(high)s.")


def date_within_years(value) -> None:
    """A date (or date and time) in the years the site keeps (`MIN_YEAR`..`MAX_YEAR`):
    a date of year 1 or 9999 (01-01-0001 typed in a user's "date joined") was saved, and
    showed and counted as nonsense (year 9999 overflows a day added to it)."""
    from programs.models import MAX_YEAR, MIN_YEAR

    if value is not None and not MIN_YEAR <= value.year <= MAX_YEAR:
        params = {"low": MIN_YEAR, "high": MAX_YEAR}
        raise ValidationError(DATE_OUTSIDE_YEARS, code="date_outside_years", params=params)


# The admin's date boxes of a model without a rule of its own for its dates (a user's
# date joined and last login): limited to the years the site keeps.
YEAR_LIMITED_DATE_OVERRIDES = {
    field: {**kwargs, "validators": [date_within_years]} for field, kwargs in DATE_OVERRIDES.items()
}

# Every admin number field: the model field class -> its localized form field. Integers
# name their widget too, or the admin's default number input (which a browser empties
# when it holds 1.234.567) would replace the text input.
_INTEGER = {"form_class": LocalizedIntegerField, "widget": LocalizedIntegerField.widget}
NUMBER_OVERRIDES = {
    models.DecimalField: {"form_class": LocalizedDecimalField},
    models.IntegerField: _INTEGER,  # and its subclasses
    models.BigIntegerField: _INTEGER,  # the admin has its own default widget for these
    **DATE_OVERRIDES,
    # Not a number, but typed in the same forms: a link without a scheme is https://
    # (Django 6's default; Django 5 still assumes http:// and warns).
    models.URLField: {"assume_scheme": "https"},
}


DELETED_OBJECT = _("%(type)s yang sudah dihapus (id %(pk)s)")


def history_value(model, field_name: str, value):
    """A stored value of `model`'s field as its history shows it: "–" for nothing (not
    "None"), "Ya"/"Tidak", a choice's label ("Terverifikasi", not "verified"), numbers
    and dates as the pages write them ("8.391", "25 Maret 2027", "1 Desember 2026,
    10.16" in the site's time zone, not "2026-11-30 21:48:16.400241+00:00"), and an
    emptied link as "–" (not "Deleted pengguna (pk=None)")."""
    if isinstance(value, DeletedObject):
        if value.pk is None:
            return "–"
        return DELETED_OBJECT % {"type": value.model._meta.verbose_name, "pk": value.pk}
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return gettext("Ya") if value else gettext("Tidak")
    try:
        field = model._meta.get_field(field_name)
    except FieldDoesNotExist:
        field = None
    if field is not None and field.choices and not field.is_relation:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, Decimal):
        return show_number(value)
    if isinstance(value, dt.datetime):
        return formats.localize(timezone.localtime(value) if timezone.is_aware(value) else value)
    if isinstance(value, dt.date):
        return date_label(value)  # "1 Januari 2027", not "2027-01-01"
    return value


class NumberHistoryContextHelper(HistoricalRecordContextHelper):
    def prepare_delta_change_value(self, change, value):
        if isinstance(value, list):  # many-to-many
            return super().prepare_delta_change_value(change, value)
        return history_value(self.model, change.field, value)


class LocalizedNumbersAdminMixin:
    """For every ModelAdmin and inline with numbers: localized input (and display of
    decimals), and
    history columns under their translated names with formatted numbers."""

    formfield_overrides = NUMBER_OVERRIDES

    def get_historical_record_context_helper(self, request, historical_record):
        return NumberHistoryContextHelper(self.model, historical_record)

    def history_view(self, request, object_id, extra_context=None):
        labels = {}
        for name in getattr(self, "history_list_display", []):
            attribute = getattr(self, name, None)
            if callable(attribute) and hasattr(attribute, "short_description"):
                labels[name] = attribute.short_description
                continue
            try:
                labels[name] = self.model._meta.get_field(name).verbose_name
            except FieldDoesNotExist:
                labels[name] = name
        extra_context = {**(extra_context or {}), "history_list_labels": labels}
        return super().history_view(request, object_id, extra_context=extra_context)


def whole_number_error(indicator, value) -> ValidationError | None:
    """Counts (houses, toddlers) are whole numbers."""
    counts = (
        indicator is not None
        and indicator.decimals == 0
        and indicator.measure
        in (
            indicator.Measure.INCREMENT,
            indicator.Measure.RUNNING_TOTAL,
        )
    )
    if counts and value is not None and value % 1:
        return ValidationError(WHOLE_NUMBER, code="whole")
    return None


def shown_number(field_name: str, label):
    """An admin column (list or history) showing a stored number as people read it."""

    def show(self, obj):
        return show_number(getattr(obj, field_name))

    show.short_description = label
    show.admin_order_field = field_name
    return show


def large_change(old: Decimal | None, new: Decimal | None) -> bool:
    """More than half up or down, or a different order of magnitude (8.391 -> 83.910)."""
    if old is None or new is None or old == new:
        return False
    if old == 0 or new == 0:
        return True
    if abs(new - old) > abs(old) / 2:
        return True
    return int(abs(old).log10()) != int(abs(new).log10())
