"""Who may do what: the only place that decides. Views and services call these.

Roles (regencies.UserScope): operator (one regency, optionally some programs),
verifikator (programs), pimpinan (reads everything), admin (superusers count as admin).
Anonymous visitors read verified dashboards when PUBLIC_DASHBOARD is on.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from programs.models import LockException, MonthlyReport, Program
from programs.reporting import deadlines
from regencies.models import UserScope

Role = UserScope.Role
Status = MonthlyReport.Status


def scope_of(user) -> UserScope | None:
    if not user.is_authenticated:
        return None
    try:
        return user.scope
    except UserScope.DoesNotExist:
        return None


def role_of(user) -> str | None:
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.ADMIN
    scope = scope_of(user)
    return scope.role if scope else None


def _program_ids(scope: UserScope | None) -> set[int] | None:
    """The programs a scope is limited to; None = all programs."""
    if scope is None:
        return None
    if not hasattr(scope, "_program_ids"):
        scope._program_ids = set(scope.programs.values_list("pk", flat=True)) or None
    return scope._program_ids


def _covers_program(scope: UserScope, program_id: int) -> bool:
    ids = _program_ids(scope)
    return ids is None or program_id in ids


def sees_provisional(user) -> bool:
    """Officials (any role) see submitted, not yet verified figures, marked provisional."""
    return role_of(user) is not None


def can_export(user) -> bool:
    return role_of(user) is not None


def is_operator_for(user, *, regency_code: str | None, program_id: int) -> bool:
    scope = scope_of(user)
    return (
        scope is not None
        and not user.is_superuser
        and scope.role == Role.OPERATOR
        and regency_code is not None
        and scope.regency_id == regency_code
        and _covers_program(scope, program_id)
    )


def is_verifier_for(user, *, program_id: int) -> bool:
    role = role_of(user)
    if role == Role.ADMIN:
        return True
    scope = scope_of(user)
    return role == Role.VERIFIKATOR and _covers_program(scope, program_id)


def can_view_report(user, *, regency_code: str | None, program_id: int) -> bool:
    role = role_of(user)
    if role in (Role.ADMIN, Role.PIMPINAN):
        return True
    if role == Role.VERIFIKATOR:
        return is_verifier_for(user, program_id=program_id)
    if role == Role.OPERATOR:
        return is_operator_for(user, regency_code=regency_code, program_id=program_id)
    return False


def is_locked(
    *, regency_code: str, program_id: int, year: int, month: int, today: dt.date | None = None
) -> bool:
    """Past the lock date and without a running admin exception."""
    today = today or timezone.localdate()
    if today <= deadlines.lock_date(year, month):
        return False
    return not LockException.objects.filter(
        regency_id=regency_code,
        program_id=program_id,
        year=year,
        month=month,
        until__gte=today,
    ).exists()


def is_future(year: int, month: int, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return (year, month) > (today.year, today.month)


def can_edit_report(
    user,
    *,
    regency_code: str | None,
    program_id: int,
    year: int,
    month: int,
    status: str | None,
    today: dt.date | None = None,
) -> bool:
    """Operators edit their own draft or returned reports (or create one), before the lock
    date or under an exception; never a future month, never a submitted or verified one."""
    return (
        is_operator_for(user, regency_code=regency_code, program_id=program_id)
        and status in (None, Status.DRAFT, Status.RETURNED)
        and not is_future(year, month, today)
        and not is_locked(
            regency_code=regency_code,
            program_id=program_id,
            year=year,
            month=month,
            today=today,
        )
    )


def can_verify(user, report: MonthlyReport) -> bool:
    return report.status == Status.SUBMITTED and is_verifier_for(user, program_id=report.program_id)


can_return = can_verify


def can_reopen(user, report: MonthlyReport) -> bool:
    return report.status == Status.VERIFIED and is_verifier_for(user, program_id=report.program_id)


def programs_for(user) -> QuerySet[Program]:
    """Programs a user works on (reporting or verifying)."""
    programs = Program.objects.filter(active=True, indicators__isnull=False).distinct()
    ids = _program_ids(scope_of(user))
    return programs if ids is None else programs.filter(pk__in=ids)


def reports_visible_to(user) -> QuerySet[MonthlyReport]:
    role = role_of(user)
    reports = MonthlyReport.objects.all()
    if role in (Role.ADMIN, Role.PIMPINAN):
        return reports
    scope = scope_of(user)
    ids = _program_ids(scope)
    program_filter = Q() if ids is None else Q(program_id__in=ids)
    if role == Role.VERIFIKATOR:
        return reports.filter(program_filter)
    if role == Role.OPERATOR:
        return reports.filter(program_filter, regency_id=scope.regency_id)
    return reports.none()
