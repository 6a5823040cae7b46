"""Reminders: which operators still owe which reports, due within some days or overdue,
or returned to them for correction.

Read by the `send_reminders` command, which notifies in the app (the bell) and enqueues
e-mail (programs.reporting.notifications); regencies not obliged to report a program are
left out (programs.obligations)."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from programs.models import LockException, MonthlyReport, Program
from programs.obligations import Obligations
from programs.reporting import deadlines
from regencies.models import UserScope


def _recent_months(today: dt.date, count: int) -> list[tuple[int, int]]:
    """The `count` months before today's month, most recent first."""
    months, year, month = [], today.year, today.month
    for _i in range(count):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        months.append((year, month))
    return months


class Reminder(NamedTuple):
    """One report an operator still owes."""

    program: Program
    year: int
    month: int
    due: dt.date  # the month's due date
    until: dt.date  # the last day it can be changed: its lock date, or a lock exception's
    returned: bool  # sent back by a verifier: to be fixed, not submitted for the first time
    reopened: bool  # past its lock date, open through a lock exception
    late: bool = False  # past its due date

    @property
    def deadline(self) -> dt.date:
        """The date the reminder is about: when to fix or finish it by, once the due
        date no longer is (a returned report, a month opened again, a late one: on
        7 January November's 10 December is gone, its lock after 9 January is not),
        else the due date."""
        return self.until if self.returned or self.reopened or self.late else self.due


def reminders_due(*, days: int, today: dt.date | None = None) -> list[tuple[object, list]]:
    """[(operator, [Reminder])]: reports not yet submitted (or returned) that are due within
    `days` days or overdue, of months operators can still edit: before the lock date, or
    through a running lock exception (a returned report opened for correction, a month an
    admin opened) until the day it runs to. Operators without an e-mail address are
    included: they are reminded in the app (the bell). Soonest deadline first."""
    today = today or timezone.localdate()
    months = {
        (year, month)
        for year, month in _recent_months(today, 3)
        if deadlines.due_date(year, month) <= today + dt.timedelta(days=days)
        and today <= deadlines.lock_date(year, month)
    }
    # Months opened through a lock exception, whatever their age: (regency, program,
    # year, month) -> the last day it is open.
    opened: dict[tuple, dt.date] = {}
    for regency, program, year, month, until in (
        LockException.objects.running(today)
        .values_list("regency_id", "program_id", "year", "month", "until")
        .order_by("until")
    ):
        opened[(regency, program, year, month)] = until  # the one running longest
    if not months and not opened:
        return []
    periods = Q()
    for year, month in months:
        periods |= Q(year=year, month=month)
    for regency, program, year, month in opened:
        periods |= Q(regency_id=regency, program_id=program, year=year, month=month)
    statuses = dict(
        ((r, p, y, m), status)
        for r, p, y, m, status in MonthlyReport.objects.filter(periods).values_list(
            "regency_id", "program_id", "year", "month", "status"
        )
    )
    programs = list(Program.objects.filter(active=True, indicators__isnull=False).distinct())
    operators = (
        get_user_model()
        .objects.filter(is_active=True, scope__role=UserScope.Role.OPERATOR)
        .select_related("scope")
        .prefetch_related("scope__programs")
    )
    obligations = Obligations.load(programs=programs)
    result = []
    for user in operators:
        regency = user.scope.regency_id
        scoped = set(user.scope.programs.all())
        slots = {(year, month, program) for year, month in months for program in programs}
        slots |= {
            (year, month, program)
            for (r, p, year, month) in opened
            for program in programs
            if r == regency and p == program.pk
        }
        pending = []
        for year, month, program in slots:
            key = (regency, program.pk, year, month)
            status = statuses.get(key)
            if status in MonthlyReport.COUNTED_STATUSES or (scoped and program not in scoped):
                continue
            if not obligations.required(regency, program.pk, year, month):
                continue
            lock = deadlines.lock_date(year, month)
            until = max(lock, opened[key]) if key in opened else lock
            pending.append(
                Reminder(
                    program=program,
                    year=year,
                    month=month,
                    due=deadlines.due_date(year, month),
                    until=until,
                    returned=status == MonthlyReport.Status.RETURNED,
                    reopened=today > lock,
                    late=today > deadlines.due_date(year, month),
                )
            )
        if pending:
            pending.sort(key=lambda r: (r.deadline, r.year, r.month, r.program.order))
            result.append((user, pending))
    return result
