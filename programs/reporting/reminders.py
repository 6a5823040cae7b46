"""Reminders: which operators still owe which reports, due within some days or overdue.

Read by the `send_reminders` command, which notifies in the app (the bell) and enqueues
e-mail (programs.reporting.notifications); regencies not obliged to report a program are
left out (programs.obligations)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from programs.models import MonthlyReport, Program
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


def reminders_due(*, days: int, today: dt.date | None = None):
    """[(operator, [(program, year, month, due date)])]: reports not yet submitted that are
    due within `days` days or overdue, for months operators can still edit. Operators
    without an e-mail address are included: they are reminded in the app (the bell)."""
    today = today or timezone.localdate()
    months = [
        (year, month, deadlines.due_date(year, month))
        for year, month in _recent_months(today, 3)
        if deadlines.due_date(year, month) <= today + dt.timedelta(days=days)
        and today <= deadlines.lock_date(year, month)
    ]
    if not months:
        return []
    periods = Q()
    for year, month, _due in months:
        periods |= Q(year=year, month=month)
    submitted = set(
        MonthlyReport.objects.filter(
            periods, status__in=MonthlyReport.COUNTED_STATUSES
        ).values_list("regency_id", "program_id", "year", "month")
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
        scoped = set(user.scope.programs.all())
        pending = [
            (program, year, month, due)
            for year, month, due in months
            for program in programs
            if (not scoped or program in scoped)
            and obligations.required(user.scope.regency_id, program.pk, year, month)
            and (user.scope.regency_id, program.pk, year, month) not in submitted
        ]
        if pending:
            result.append((user, pending))
    return result
