"""Parsing of the monthly entry form. Forms only parse input: the rules of a number are
in `rules`, the checks against the database in `services`."""

from __future__ import annotations

from django.utils.translation import get_language

from programs.models import FundingSource, Indicator
from programs.reporting.rules import EntryRow, parse_number, refusal, row_key

MAX_ROWS_PER_INDICATOR = 30


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
            # Bounded, but above the note limit: a too-long note is refused, never cut silently.
            raw = {n: str(data.get(prefix + n, ""))[:10_000] for n in names}
            row = EntryRow(
                key=row_key(indicator, index),
                indicator=indicator,
                source_code=raw.get("source", "").strip() or FundingSource.UNSPECIFIED,
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
                except ValueError as exc:
                    row.parse_errors.append(refusal(exc))
            if not row.is_empty:
                rows.append(row)
    return rows
