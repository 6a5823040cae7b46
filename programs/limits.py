"""A number field's limits said as people read numbers: Django's "Ensure this value is
less than or equal to 2147483647" (a population above what the database keeps) reads
"... 2.147.483.647" in Indonesian and "2,147,483,647" in English, like every other
number of the admin's messages. Years stay as written (2035, not 2.035).

The range is the one every database the project runs on keeps (`column_range`): SQLite
keeps 64-bit integers in any integer column, so a population of 3.000.000.000 was saved
by `make run` and would not load into PostgreSQL; it is refused on both."""

from __future__ import annotations

from decimal import Decimal

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.validators import DecimalValidator, MaxValueValidator, MinValueValidator
from django.db import connection, models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils.translation import gettext_lazy as _

from programs.formats import number

# A decimal past what its column keeps (a regency's area of 10.000.000 km²): Django's
# "no more than 10 digits in total" made the admin count digits.
DECIMAL_TOO_LARGE = _("Angka terlalu besar: paling besar %(limit)s.")


def shown_limit(value, *, year: bool = False) -> str:
    """A limit or a typed value in the active language: 2.147.483.647, 0,5; a year as is."""
    if year or not isinstance(value, int | Decimal | float) or isinstance(value, bool):
        return str(value)
    places = (
        0
        if isinstance(value, int)
        else max(0, -Decimal(str(value)).normalize().as_tuple().exponent)
    )
    return number(value, min(places, 4))


class _GroupedLimit:
    """`MinValueValidator`/`MaxValueValidator` whose message params are grouped numbers."""

    year = False

    def __call__(self, value):
        cleaned = self.clean(value)
        limit = self.limit_value() if callable(self.limit_value) else self.limit_value
        if self.compare(cleaned, limit):
            params = {
                "limit_value": shown_limit(limit, year=self.year),
                "show_value": shown_limit(cleaned, year=self.year),
                "value": value,
            }
            raise ValidationError(self.message, code=self.code, params=params)


class GroupedMaxValueValidator(_GroupedLimit, MaxValueValidator):
    pass


class GroupedMinValueValidator(_GroupedLimit, MinValueValidator):
    pass


_GROUPED = {
    MaxValueValidator: GroupedMaxValueValidator,
    MinValueValidator: GroupedMinValueValidator,
}


def grouped(validators, *, year: bool = False) -> list:
    """`validators` with Django's own min/max validators (exactly those: a subclass has a
    message of its own) replaced by ones saying their limits grouped."""
    result = []
    for validator in validators:
        if type(validator) is DecimalValidator:
            result.append(GroupedDecimalValidator(validator.max_digits, validator.decimal_places))
            continue
        kind = _GROUPED.get(type(validator))
        if kind is None:
            result.append(validator)
            continue
        replacement = kind(validator.limit_value, message=validator.message)
        replacement.year = year
        result.append(replacement)
    return result


class GroupedDecimalValidator(DecimalValidator):
    """`DecimalValidator` saying a value too large for its column by its largest value
    ("paling besar 9.999.999,999"), not by a count of digits."""

    def __call__(self, value):
        limit = decimal_limit(self.max_digits, self.decimal_places)
        whole_digits = (self.max_digits or 0) - (self.decimal_places or 0)
        if limit is not None and value.is_finite() and abs(value) >= 10**whole_digits:
            raise ValidationError(
                DECIMAL_TOO_LARGE, code="max_value", params={"limit": shown_limit(limit)}
            )
        super().__call__(value)


def is_year(field) -> bool:
    name = getattr(field, "name", "") or ""
    return name == "year" or name.endswith("_year")


def column_range(field) -> tuple[int | None, int | None]:
    """The values an integer column keeps on every database: the narrower of Django's
    portable range of its type (PostgreSQL's: 2.147.483.647 for an IntegerField) and
    the connection's (SQLite's is 64 bits for every integer type)."""
    internal_type = field.get_internal_type()
    low, high = BaseDatabaseOperations.integer_field_ranges.get(internal_type, (None, None))
    here_low, here_high = connection.ops.integer_field_range(internal_type)
    lows = [value for value in (low, here_low) if value is not None]
    highs = [value for value in (high, here_high) if value is not None]
    return (max(lows) if lows else None, min(highs) if highs else None)


def _limit(validator):
    value = validator.limit_value
    return value() if callable(value) else value


def integer_validators(field) -> list:
    """`field`'s validators as Django computes them (`IntegerField.validators`), with
    `column_range` instead of the connection's range."""
    result = [*field.default_validators, *field._validators]
    low, high = column_range(field)
    if low is not None and not any(
        isinstance(v, MinValueValidator) and _limit(v) >= low for v in result
    ):
        result.append(MinValueValidator(low))
    if high is not None and not any(
        isinstance(v, MaxValueValidator) and _limit(v) <= high for v in result
    ):
        result.append(MaxValueValidator(high))
    return result


def decimal_limit(max_digits: int | None, decimal_places: int | None) -> Decimal | None:
    """The largest value a DecimalField(max_digits, decimal_places) keeps: 9999999.999
    for (10, 3)."""
    if max_digits is None or decimal_places is None:
        return None
    return Decimal(10) ** (max_digits - decimal_places) - Decimal(1).scaleb(-decimal_places)


def group_model_limits() -> None:
    """Every model number field's validators (its own and the database's range, which
    Django adds for integers: `column_range`'s on every database) say their limits
    grouped (`grouped`). Only the computed list is replaced: the fields' declared
    validators, which migrations record, stay."""
    number_fields = (models.IntegerField, models.DecimalField, models.FloatField)
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, number_fields) and not field.is_relation:
                validators = (
                    integer_validators(field)
                    if isinstance(field, models.IntegerField)
                    else field.validators
                )
                field.__dict__["validators"] = grouped(validators, year=is_year(field))
