"""Reporting deadlines: due dates, lock dates and timeliness (settings-driven)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from django.conf import settings
from django.utils import timezone


def due_date(year: int, month: int) -> dt.date:
    """A month's report is due on REPORT_DUE_DAY of the next month."""
    if month == 12:
        return dt.date(year + 1, 1, settings.REPORT_DUE_DAY)
    return dt.date(year, month + 1, settings.REPORT_DUE_DAY)


def lock_date(year: int, month: int) -> dt.date:
    """After this day operators can no longer edit the month (without an exception)."""
    return due_date(year, month) + dt.timedelta(days=settings.REPORT_LOCK_DAYS)


def submitted_on_time(
    year: int, month: int, submitted_at: dt.datetime | None, zone: dt.tzinfo | None = None
) -> bool | None:
    """On time = first submitted by the end of the due day (local time). A grid asking
    for hundreds of cells passes the current time zone (`zone`), looked up once."""
    if submitted_at is None:
        return None
    if timezone.is_naive(submitted_at):
        return submitted_at.date() <= due_date(year, month)
    # Grids ask this for hundreds of cells: compare instants rather than converting each
    # submission to a local date.
    zone = zone or timezone.get_current_timezone()
    return submitted_at < _end_of_due_day(due_date(year, month), zone)


@lru_cache(maxsize=512)
def _end_of_due_day(due: dt.date, zone: dt.tzinfo) -> dt.datetime:
    """The first instant after the due day, in `zone`."""
    return timezone.make_aware(dt.datetime.combine(due + dt.timedelta(days=1), dt.time()), zone)


def last_closed_month(year: int, today: dt.date | None = None) -> int | None:
    """The latest month of `year` whose due date has passed, or None."""
    today = today or timezone.localdate()
    closed = [m for m in range(1, 13) if due_date(year, m) < today]
    return closed[-1] if closed else None
