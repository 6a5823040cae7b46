"""Reporting deadlines: due dates, lock dates and timeliness (settings-driven)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import lru_cache

from django.conf import settings
from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

# A locked month that was never submitted: who can open it again, in one place (the
# to-do list, the entry form, the save and the spreadsheet import say the same). A
# verifier opens a returned report for correction (services.report_open_for_correction);
# any other month is opened only by an admin's lock exception (programs.admin).
LOCKED = gettext_noop("Bulan ini sudah dikunci.")
ASK_VERIFIER = gettext_noop("Minta verifikator provinsi membukanya untuk perbaikan.")
ASK_ADMIN = gettext_noop("Minta admin membukanya dengan pengecualian kunci.")


def due_date(year: int, month: int) -> dt.date:
    """A month's report is due on REPORT_DUE_DAY of the next month."""
    if month == 12:
        return dt.date(year + 1, 1, settings.REPORT_DUE_DAY)
    return dt.date(year, month + 1, settings.REPORT_DUE_DAY)


def lock_date(year: int, month: int) -> dt.date:
    """After this day operators can no longer edit the month (without an exception)."""
    return due_date(year, month) + dt.timedelta(days=settings.REPORT_LOCK_DAYS)


def who_opens(status: str | None) -> str:
    """The one step that opens a locked month of a report in `status` (None: no report)
    again, in the active language."""
    from programs.models import MonthlyReport

    return _(ASK_VERIFIER if status == MonthlyReport.Status.RETURNED else ASK_ADMIN)


def locked_refusal(status: str | None) -> str:
    """Why a change to a locked month is refused, and whom to ask."""
    return f"{_(LOCKED)} {who_opens(status)}"


def submitted_on_time(
    year: int, month: int, submitted_at: dt.datetime | None, zone: dt.tzinfo | None = None
) -> bool | None:
    """On time = first submitted by the end of the due day (local time); None: never
    submitted. Grids asking for thousands of cells use `on_time_checker` (same rule)."""
    return on_time_checker(year, zone)(month, submitted_at)


def on_time_checker(
    year: int, zone: dt.tzinfo | None = None
) -> Callable[[int, dt.datetime | None], bool | None]:
    """`submitted_on_time` for many reports of one year: `check(month, submitted_at)`.
    The due days and the first instant after each (in `zone`, the current time zone by
    default) are computed once, so each report is one comparison, not a conversion of
    its submission to a local date."""
    zone = zone or timezone.get_current_timezone()
    due_days, cutoffs = _year_deadlines(year, zone, settings.REPORT_DUE_DAY)

    def check(month: int, submitted_at: dt.datetime | None) -> bool | None:
        if submitted_at is None:
            return None
        if submitted_at.utcoffset() is None:  # naive: a local date already
            return submitted_at.date() <= due_days[month]
        return submitted_at < cutoffs[month]

    return check


def on_time_key(year: int) -> tuple:
    """All `on_time_expression(year)` depends on: the year, the active time zone and the
    due day. A query compiled with the expression is kept per key (CompiledQuery "key")."""
    return (year, timezone.get_current_timezone(), settings.REPORT_DUE_DAY)


def on_time_expression(year: int, field: str = "first_submitted_at", *, key=None) -> RawSQL:
    """`submitted_on_time` as an SQL expression over a report's `month` and `field`:
    True, False, or NULL when never submitted. The cut-off instants are the checker's
    (one rule); reading a boolean instead of a timestamp spares a grid of thousands of
    reports the parsing of each submission time. Written as SQL once per `on_time_key`:
    the same CASE of twelve ORM `When`s took 1.5 ms to compile on every grid. `key`: one
    taken earlier (by a compiled query), else this year's."""
    sql, params = _on_time_sql(*(key or on_time_key(year)), field, connection.vendor)
    # Only quoted names and %s placeholders: every value is a parameter.
    return RawSQL(sql, params, output_field=BooleanField(null=True))  # noqa: S611


@lru_cache(maxsize=64)
def _on_time_sql(
    year: int, zone: dt.tzinfo, due_day: int, field: str, vendor: str
) -> tuple[str, tuple]:
    """The CASE of `on_time_expression`, its cut-offs adapted as the ORM adapts a
    datetime (SQLite stores UTC text). Keyed by the vendor: the parameters differ."""
    from programs.models import MonthlyReport

    _due_days, cutoffs = _year_deadlines(year, zone, due_day)
    table = connection.ops.quote_name(MonthlyReport._meta.db_table)
    column = f"{table}.{connection.ops.quote_name(MonthlyReport._meta.get_field(field).column)}"
    month = f"{table}.{connection.ops.quote_name('month')}"
    whens = " ".join(f"WHEN {month} = {m} THEN {column} < %s" for m in range(1, 13))
    sql = f"CASE WHEN {column} IS NULL THEN NULL {whens} ELSE NULL END"
    return sql, tuple(connection.ops.adapt_datetimefield_value(c) for c in cutoffs[1:])


@lru_cache(maxsize=64)
def _year_deadlines(
    year: int, zone: dt.tzinfo, due_day: int
) -> tuple[tuple[dt.date | None, ...], tuple[dt.datetime | None, ...]]:
    """Per month (index 1..12): the due date, and the first instant after it in `zone`.
    Keyed by the due day too: a changed setting never reads a stale deadline."""
    due_days = (None, *(due_date(year, m) for m in range(1, 13)))
    cutoffs = (
        None,
        *(
            timezone.make_aware(dt.datetime.combine(d + dt.timedelta(days=1), dt.time()), zone)
            for d in due_days[1:]
        ),
    )
    return due_days, cutoffs


def last_closed_month(year: int, today: dt.date | None = None) -> int | None:
    """The latest month of `year` whose due date has passed, or None."""
    today = today or timezone.localdate()
    closed = [m for m in range(1, 13) if due_date(year, m) < today]
    return closed[-1] if closed else None


def figures_until(year: int, latest_reported: int | None, today: dt.date | None = None) -> int:
    """The last month of `year` a monthly line or column shows a year-to-date figure for:
    the latest month whose reports are due, or a later one with a counted report
    (`latest_reported`). The year to date of a later month is only the earlier months'
    carried on: on 1 December, "s.d. Desember" drew the line flat through November and
    December, which read in a meeting as two months without progress. 0: none."""
    return max(last_closed_month(year, today) or 0, latest_reported or 0)
