"""A number field's limits said as people read numbers: Django's "Ensure this value is
less than or equal to 2147483647" (a population above what the database keeps) reads
"... 2.147.483.647" in Indonesian and "2,147,483,647" in English, like every other
number of the admin's messages. Years stay as written (2035, not 2.035)."""

from __future__ import annotations

from decimal import Decimal

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from programs.formats import number


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
        kind = _GROUPED.get(type(validator))
        if kind is None:
            result.append(validator)
            continue
        replacement = kind(validator.limit_value, message=validator.message)
        replacement.year = year
        result.append(replacement)
    return result


def is_year(field) -> bool:
    name = getattr(field, "name", "") or ""
    return name == "year" or name.endswith("_year")


def group_model_limits() -> None:
    """Every model number field's validators (its own and the database's range, which
    Django adds for integers) say their limits grouped (`grouped`). Only the computed
    list is replaced: the fields' declared validators, which migrations record, stay."""
    number_fields = (models.IntegerField, models.DecimalField, models.FloatField)
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, number_fields) and not field.is_relation:
                field.__dict__["validators"] = grouped(field.validators, year=is_year(field))
