"""Parsing of the monthly entry form. Forms only parse input: rules live in services."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from programs.models import Indicator

NOT_A_NUMBER = gettext_noop("Bukan angka yang sah: tulis misalnya 1.250 atau 14,33.")
MAX_ROWS_PER_INDICATOR = 30


def parse_number(text: str, language: str = "id") -> Decimal | None:
    """A number as a person types it in `language`.

    Indonesian: '8.391' -> 8391, '14,33' -> 14.33; a dot followed by groups of exactly
    three digits is a thousands separator, otherwise a lone dot is a decimal point.
    English mirrors it: '8,391' -> 8391, '14.33' -> 14.33. Raises ValueError."""
    text = (text or "").strip().replace(" ", "").replace("\u00a0", "")
    if not text:
        return None
    thousands, decimal = (",", ".") if language.startswith("en") else (".", ",")
    if decimal in text:
        text = text.replace(thousands, "").replace(decimal, ".")
    elif re.match(rf"^\d{{1,3}}(\{thousands}\d{{3}})+$", text):
        text = text.replace(thousands, "")
    elif thousands == ",":
        text = text.replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(NOT_A_NUMBER) from exc
    if not value.is_finite() or abs(value) >= Decimal("1e12"):
        raise ValueError(NOT_A_NUMBER)
    return value


@dataclass
class EntryRow:
    """One input row: an indicator's value from one funding source (or a ratio)."""

    key: str
    indicator: Indicator
    source_code: str
    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    note: str = ""
    raw: dict[str, str] = field(default_factory=dict)
    parse_errors: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not any(v.strip() for k, v in self.raw.items() if k != "source")


def row_key(indicator: Indicator, index: int) -> str:
    return f"{indicator.code}-{index}"


def parse_entry(data, indicators: list[Indicator]) -> list[EntryRow]:
    """Rows from POST data named r-<indicator code>-<n>-<field>; empty rows are dropped.

    Fields: source, value, num, den, note. Unparseable numbers are kept with a message
    so the form can show what was typed and why it was refused."""
    rows: list[EntryRow] = []
    language = get_language() or "id"
    for indicator in indicators:
        for index in range(MAX_ROWS_PER_INDICATOR):
            prefix = f"r-{indicator.code}-{index}-"
            names = [n for n in ("source", "value", "num", "den", "note") if prefix + n in data]
            if not names:
                continue
            raw = {n: str(data.get(prefix + n, ""))[:2000] for n in names}
            row = EntryRow(
                key=row_key(indicator, index),
                indicator=indicator,
                source_code=raw.get("source", "").strip() or "tidak-dirinci",
                note=raw.get("note", "").strip(),
                raw=raw,
            )
            for name, attribute in (
                ("value", "value"),
                ("num", "numerator"),
                ("den", "denominator"),
            ):
                try:
                    setattr(row, attribute, parse_number(raw.get(name, ""), language))
                except ValueError:
                    row.parse_errors.append(_(NOT_A_NUMBER))
            if not row.is_empty:
                rows.append(row)
    return rows
