"""Who may do what: the only place that decides. Views and services call these.

Roles (regencies.UserScope): operator (one regency, optionally some programs),
verifikator (programs), pimpinan (reads everything), admin (superusers count as admin).
Anonymous visitors read verified dashboards when PUBLIC_DASHBOARD is on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet, Value
from django.utils import timezone

from programs.models import Attachment, ImportBatch, LockException, MonthlyReport, Program
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
    """Provisional (submitted, not yet verified) figures on dashboards, their exports and
    the API's progress, marked as such: pimpinan, verifikator and admin. Operators see
    verified figures there, their own regency's included: a dashboard mixes regencies, and
    a total of their own unverified month with everyone else's verified ones would be
    neither. Their own scope's submitted rows stay visible as rows: see
    `sees_provisional_rows`."""
    return role_of(user) in (Role.PIMPINAN, Role.VERIFIKATOR, Role.ADMIN)


def sees_provisional_rows(user) -> bool:
    """Raw rows of submitted reports in the user's own reporting scope (raw export, API
    realizations): every official."""
    return role_of(user) is not None


def can_read_dashboards(user) -> bool:
    """Dashboards and the read-only API: logged-in users always, anyone else while
    PUBLIC_DASHBOARD is on (verified figures only)."""
    return user.is_authenticated or settings.PUBLIC_DASHBOARD


def sees_realization_notes(user) -> bool:
    """The free-text note of a raw realization row is for officials."""
    return role_of(user) is not None


def api_realization_reports(user) -> QuerySet[MonthlyReport]:
    """Counted reports whose raw realization rows `user` reads through the API.

    Officials follow `reports_visible_to` (operators: their regency and programs;
    verifiers: their programs; pimpinan and admins: all). Anyone else (an anonymous
    visitor, an account without a role) reads what the public dashboard counts: verified
    reports of every regency, only while PUBLIC_DASHBOARD is on. Submitted reports count
    for those who see provisional rows (`sees_provisional_rows`).
    """
    if role_of(user) is not None:
        reports = reports_visible_to(user)
    elif settings.PUBLIC_DASHBOARD:
        reports = MonthlyReport.objects.all()
    else:
        reports = MonthlyReport.objects.none()
    if sees_provisional_rows(user):
        return reports.filter(status__in=MonthlyReport.COUNTED_STATUSES)
    return reports.filter(status=MonthlyReport.Status.VERIFIED)


def can_export(user) -> bool:
    """Officials export every table with provisional figures, and the raw realizations."""
    return role_of(user) is not None


def can_export_tables(user) -> bool:
    """Dashboard tables: officials, and anyone while the dashboards are public (who then
    get verified figures only, as on the page)."""
    return can_export(user) or settings.PUBLIC_DASHBOARD


def can_see_raw_realizations(user) -> bool:
    """The raw realization rows (`/unduh/realisasi`) are for officials only."""
    return can_export(user)


def sees_every_report(user) -> bool:
    """Admins and leaders read every regency and program; others only their scope."""
    return role_of(user) in (Role.ADMIN, Role.PIMPINAN)


def is_admin(user) -> bool:
    return role_of(user) == Role.ADMIN


def is_operator(user) -> bool:
    """Operators have a months-to-report page (`/laporan/`)."""
    return role_of(user) == Role.OPERATOR


def can_use_verification_queue(user) -> bool:
    return role_of(user) in (Role.VERIFIKATOR, Role.ADMIN)


def can_import(user, *, kind: str = ImportBatch.Kind.REALIZATIONS) -> bool:
    """Realizations: operators (their regency and programs) and admins; targets: admins."""
    if kind == ImportBatch.Kind.TARGETS:
        return is_admin(user)
    return role_of(user) in (Role.OPERATOR, Role.ADMIN)


def can_import_for(user, *, regency_code: str, program_id: int) -> bool:
    """A realization row may be imported by an admin, or by the operator of its place."""
    return is_admin(user) or is_operator_for(user, regency_code=regency_code, program_id=program_id)


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


def can_view_attachment(user, attachment) -> bool:
    """Whoever may see the report; anyone (while the dashboard is public) for a photo a
    verifier marked public on a verified report."""
    report = attachment.report
    if can_view_report(user, regency_code=report.regency_id, program_id=report.program_id):
        return True
    return is_public_attachment(attachment) and (settings.PUBLIC_DASHBOARD or user.is_authenticated)


def is_public_attachment(attachment) -> bool:
    """An attachment a verifier marked public, on a verified report (the public gallery)."""
    return attachment.is_public and attachment.report.status == Status.VERIFIED


def api_attachments(user) -> QuerySet[Attachment]:
    """`can_view_attachment` as one query: the attachments whose file `user` may download,
    each annotated `in_scope` (the caller may see the report itself, hence its photos'
    GPS position, as on the report page) rather than only a public photo."""
    role = role_of(user)
    attachments = Attachment.objects.all()
    if role in (Role.ADMIN, Role.PIMPINAN):
        return attachments.annotate(in_scope=Value(True))
    public = Q(is_public=True, report__status=Status.VERIFIED)
    public_ok = settings.PUBLIC_DASHBOARD or user.is_authenticated
    if role is None:
        visible = attachments.filter(public) if public_ok else attachments.none()
        return visible.annotate(in_scope=Value(False))
    scoped = Q(report__in=reports_visible_to(user).values("pk"))
    visible = attachments.filter((scoped | public) if public_ok else scoped)
    return visible.annotate(in_scope=ExpressionWrapper(scoped, output_field=BooleanField()))


def past_lock_date(year: int, month: int, today: dt.date) -> bool:
    return today > deadlines.lock_date(year, month)


def is_locked(
    *, regency_code: str, program_id: int, year: int, month: int, today: dt.date | None = None
) -> bool:
    """Past the lock date and without a running admin exception."""
    today = today or timezone.localdate()
    if not past_lock_date(year, month, today):
        return False
    return not (
        LockException.objects.running(today)
        .filter(regency_id=regency_code, program_id=program_id, year=year, month=month)
        .exists()
    )


class LockedMonths:
    """The lock rule of `is_locked` for many months at once, with one query for the
    running exceptions of `regency_codes` (optionally of one year)."""

    def __init__(
        self, *, regency_codes: Iterable[str], year: int | None = None, today: dt.date
    ) -> None:
        self.today = today
        exceptions = LockException.objects.running(today).filter(regency_id__in=regency_codes)
        if year is not None:
            exceptions = exceptions.filter(year=year)
        self.exceptions = set(exceptions.values_list("regency_id", "program_id", "year", "month"))

    def is_locked(self, *, regency_code: str, program_id: int, year: int, month: int) -> bool:
        return past_lock_date(year, month, self.today) and (
            (regency_code, program_id, year, month) not in self.exceptions
        )


def running_exception(
    *, regency_code: str, program_id: int, year: int, month: int, today: dt.date | None = None
) -> LockException | None:
    """The lock exception that opens this month now (the one running longest), if any."""
    today = today or timezone.localdate()
    return (
        LockException.objects.filter(
            regency_id=regency_code,
            program_id=program_id,
            year=year,
            month=month,
            until__gte=today,
        )
        .select_related("granted_by")
        .order_by("-until")
        .first()
    )


def is_future(year: int, month: int, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return (year, month) > (today.year, today.month)


# The statuses in which an operator edits a report (None: no report yet, created by the
# edit), and those in which they may still add evidence (also while it waits).
EDITABLE_STATUSES = (None, Status.DRAFT, Status.RETURNED)
EVIDENCE_STATUSES = (*EDITABLE_STATUSES, Status.SUBMITTED)


def _operator_may_change(
    user,
    statuses: tuple,
    *,
    regency_code: str | None,
    program_id: int,
    year: int,
    month: int,
    status: str | None,
    today: dt.date | None = None,
) -> bool:
    """The regency's operator, the report in one of `statuses`, a month that has begun and
    is not locked (or is under an exception). `slot` of the two rules below: regency_code,
    program_id, year, month, status (None: no report yet) and today."""
    return (
        is_operator_for(user, regency_code=regency_code, program_id=program_id)
        and status in statuses
        and not is_future(year, month, today)
        and not is_locked(
            regency_code=regency_code,
            program_id=program_id,
            year=year,
            month=month,
            today=today,
        )
    )


def can_edit_report(user, **slot) -> bool:
    """Operators edit their own draft or returned reports (or create one), before the lock
    date or under an exception; never a future month, never a submitted or verified one."""
    return _operator_may_change(user, EDITABLE_STATUSES, **slot)


def can_add_evidence(user, **slot) -> bool:
    """Operators attach evidence (a photo, a PDF) while they may edit the report, and also
    while it waits for verification: a photo the verifier asks for is added to the
    submitted report, without returning it. Never once verified, never in a locked (or
    future) month. Removing one stays `can_edit_report`'s: what was submitted with the
    report, or added since, stays while the verifier reads it."""
    return _operator_may_change(user, EVIDENCE_STATUSES, **slot)


def can_verify(user, report: MonthlyReport) -> bool:
    return report.status == Status.SUBMITTED and is_verifier_for(user, program_id=report.program_id)


can_return = can_verify


def can_reopen(user, report: MonthlyReport) -> bool:
    return report.status == Status.VERIFIED and is_verifier_for(user, program_id=report.program_id)


def can_open_for_correction(user, report: MonthlyReport, today: dt.date | None = None) -> bool:
    """A returned report whose month is locked again (its correction window ran out) can be
    opened for correction once more by a verifier of its program."""
    return (
        report.status == Status.RETURNED
        and report.regency_id is not None
        and is_verifier_for(user, program_id=report.program_id)
        and is_locked(
            regency_code=report.regency_id,
            program_id=report.program_id,
            year=report.year,
            month=report.month,
            today=today,
        )
    )


def available_actions(
    user,
    *,
    regency_code: str,
    program_id: int,
    year: int,
    month: int,
    report: MonthlyReport | None,
    today: dt.date | None = None,
) -> set[str]:
    """Every action this user can take on one report slot (used to prove there is no dead
    end: for every status and lock state, someone has an action)."""
    status = report.status if report else None
    actions = set()
    if can_edit_report(
        user,
        regency_code=regency_code,
        program_id=program_id,
        year=year,
        month=month,
        status=status,
        today=today,
    ):
        actions |= {"edit", "submit"}
    if report is not None:
        if can_verify(user, report):
            actions |= {"verify", "return"}
        if can_reopen(user, report):
            actions.add("reopen")
        if can_open_for_correction(user, report, today):
            actions.add("open_for_correction")
    if role_of(user) == Role.ADMIN and is_locked(
        regency_code=regency_code, program_id=program_id, year=year, month=month, today=today
    ):
        actions.add("grant_lock_exception")  # in the admin, with a reason
    return actions


def programs_for(user) -> QuerySet[Program]:
    """Programs a user works on (reporting or verifying)."""
    programs = Program.objects.filter(active=True, indicators__isnull=False).distinct()
    ids = _program_ids(scope_of(user))
    return programs if ids is None else programs.filter(pk__in=ids)


def reports_visible_to(user, reports: QuerySet[MonthlyReport] | None = None):
    """The reports (of `reports`, default all) a user may read in raw form; prefer
    `MonthlyReport.objects.visible_to(user)`."""
    role = role_of(user)
    if reports is None:
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
