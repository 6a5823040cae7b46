"""Writes: every change of a report goes through here, in a transaction, with its history.

Errors are module constants (Indonesian, shown to users as they are) so tests can assert
on them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from programs import permissions, progress
from programs.models import (
    FundingSource,
    Indicator,
    MonthlyReport,
    Program,
    Realization,
    Target,
)
from programs.reporting.rules import EntryRow, IndicatorContext, RowMessage, validate_rows
from regencies.models import Regency, UserScope

Status = MonthlyReport.Status
Measure = Indicator.Measure

NOT_ALLOWED = gettext_noop("Anda tidak berwenang mengubah laporan ini.")
LOCKED = gettext_noop(
    "Laporan bulan ini sudah dikunci. Minta pengecualian kepada admin bila perlu mengubahnya."
)
FUTURE_MONTH = gettext_noop("Bulan yang belum berjalan tidak dapat dilaporkan.")
NOT_EDITABLE = gettext_noop(
    "Laporan yang sudah diajukan atau terverifikasi tidak dapat diubah operator."
)
CONFLICT = gettext_noop(
    "Laporan ini sudah diubah orang lain (%(who)s, %(when)s) sejak Anda membukanya. "
    "Tidak ada yang ditimpa: periksa perubahan di bawah, lalu simpan lagi."
)
HAS_ERRORS = gettext_noop("Ada isian yang belum benar: lihat pesan di setiap baris.")
NEEDS_NOTES = gettext_noop("Beberapa angka perlu catatan sebelum laporan dapat diajukan.")
EMPTY_SUBMIT = gettext_noop(
    "Laporan kosong tidak dapat diajukan: isi paling sedikit satu indikator."
)
REASON_REQUIRED = gettext_noop("Alasan wajib diisi.")
WRONG_STATUS = gettext_noop("Status laporan sudah berubah; muat ulang halaman.")


class ServiceError(Exception):
    def __init__(self, message: str, messages: list[RowMessage] | None = None):
        super().__init__(message)
        self.message = message
        self.messages = messages or []


class ConflictError(ServiceError):
    def __init__(self, message: str, report: MonthlyReport, current: dict[str, str]):
        super().__init__(message)
        self.report = report
        self.current = current


# --- Context for entering a month ------------------------------------------------------


@dataclass
class EntryContext:
    regency: Regency
    program: Program
    year: int
    month: int
    indicators: list[Indicator]
    sources: list[FundingSource]
    by_indicator: dict[int, IndicatorContext]


def entry_context(*, regency: Regency, program: Program, year: int, month: int) -> EntryContext:
    """What the entry form shows beside each input: earlier months and the target.
    Four queries whatever the number of months or sources."""
    indicators = list(program.indicators.select_related("program").order_by("order", "code"))
    sources = list(FundingSource.objects.filter(active=True))
    targets = {
        t.indicator_id: t
        for t in Target.objects.filter(indicator__in=indicators, regency=regency, year=year)
    }
    rows = (
        Realization.objects.filter(
            indicator__in=indicators,
            report__regency=regency,
            report__year=year,
            report__month__lt=month,
            report__status__in=MonthlyReport.COUNTED_STATUSES,
        )
        .values("indicator_id", "report__month")
        .annotate(**progress.value_sums())
        .order_by("report__month")
    )
    monthly: dict[int, dict[int, dict]] = defaultdict(dict)
    for row in rows:
        monthly[row["indicator_id"]][row["report__month"]] = row
    contexts = {}
    for indicator in indicators:
        data = monthly.get(indicator.pk, {})
        ctx = IndicatorContext(indicator=indicator, target=targets.get(indicator.pk))
        for m in range(max(1, month - 3), month):
            row = data.get(m)
            ctx.previous.append((m, progress.group_value(indicator.measure, row) if row else None))
        ctx.set_history([progress.group_value(indicator.measure, data[m]) for m in sorted(data)])
        contexts[indicator.pk] = ctx
    return EntryContext(regency, program, year, month, indicators, sources, contexts)


# --- Saving and the workflow -------------------------------------------------------------


def stored_values(report: MonthlyReport | None) -> dict[str, str]:
    """A report's stored values as text, keyed 'indicator/source' ('12', or '3/40' for a
    ratio): what an editor saw when opening the form, to show what changed since."""
    if report is None:
        return {}
    values = {}
    for r in report.realizations.select_related("indicator", "funding_source"):
        key = f"{r.indicator.code}/{r.funding_source.code}"
        if r.numerator is not None:
            values[key] = f"{r.numerator.normalize():f}/{r.denominator.normalize():f}"
        else:
            values[key] = f"{r.value.normalize():f}"
    return values


def _email(subject: str, body: str, recipients) -> None:
    recipients = sorted({r for r in recipients if r})
    if recipients:
        transaction.on_commit(
            lambda: send_mail(subject, body, None, recipients, fail_silently=True)
        )


def _operators_of(report: MonthlyReport) -> list[str]:
    scopes = UserScope.objects.filter(
        role=UserScope.Role.OPERATOR, regency_id=report.regency_id, user__is_active=True
    ).filter(Q(programs=report.program) | Q(programs__isnull=True))
    return list(scopes.values_list("user__email", flat=True).distinct())


def _verifiers_of(report: MonthlyReport) -> list[str]:
    scopes = UserScope.objects.filter(role=UserScope.Role.VERIFIKATOR, user__is_active=True).filter(
        Q(programs=report.program) | Q(programs__isnull=True)
    )
    return list(scopes.values_list("user__email", flat=True).distinct())


def _report_url(report: MonthlyReport) -> str:
    return settings.SITE_URL + report.get_absolute_url()


@transaction.atomic
def report_save(
    *,
    user,
    regency: Regency,
    program: Program,
    year: int,
    month: int,
    version: int | None,
    rows: list[EntryRow],
    submit: bool,
    today: dt.date | None = None,
) -> MonthlyReport:
    """Save an operator's entries as a draft, or submit them. All or nothing."""
    now = timezone.now()
    today = today or timezone.localdate()
    report = (
        MonthlyReport.objects.select_for_update()
        .filter(regency=regency, program=program, year=year, month=month)
        .first()
    )
    if permissions.is_future(year, month, today):
        raise ServiceError(_(FUTURE_MONTH))
    if not permissions.is_operator_for(user, regency_code=regency.code, program_id=program.pk):
        raise PermissionDenied(_(NOT_ALLOWED))
    if report is not None and report.status not in (Status.DRAFT, Status.RETURNED):
        raise ServiceError(_(NOT_EDITABLE))
    if permissions.is_locked(
        regency_code=regency.code, program_id=program.pk, year=year, month=month, today=today
    ):
        raise ServiceError(_(LOCKED))
    if (report.version if report else 0) != version:
        if report is None:  # the form was opened on a report that has since gone
            raise ServiceError(_(WRONG_STATUS))
        last = report.history.first()
        who = getattr(last, "history_user", None) or "?"
        when = timezone.localtime(report.updated_at).strftime("%d-%m-%Y %H:%M")
        raise ConflictError(_(CONFLICT) % {"who": who, "when": when}, report, stored_values(report))

    context = entry_context(regency=regency, program=program, year=year, month=month)
    messages = validate_rows(rows=rows, context=context)
    if any(m.level == "error" for m in messages):
        raise ServiceError(_(HAS_ERRORS), messages)
    if submit and not rows:
        raise ServiceError(_(EMPTY_SUBMIT), messages)
    if submit and any(m.level == "warning" and not m.resolved for m in messages):
        raise ServiceError(_(NEEDS_NOTES), messages)

    reason = _("Diajukan") if submit else _("Disimpan sebagai draf")
    if report is None:
        report = MonthlyReport(
            regency=regency,
            program=program,
            year=year,
            month=month,
            created_by=user,
            version=0,
        )
    report.version += 1
    if submit:
        report.status = Status.SUBMITTED
        report.submitted_at, report.submitted_by = now, user
        report.first_submitted_at = report.first_submitted_at or now
    report._change_reason = reason
    report.full_clean()
    report.save()
    _write_realizations(report=report, rows=rows, reason=reason)
    if submit:
        _email(
            _("Laporan diajukan: %(report)s") % {"report": report},
            _("%(user)s mengajukan laporan %(report)s untuk diverifikasi: %(url)s")
            % {"user": user, "report": report, "url": _report_url(report)},
            _verifiers_of(report),
        )
    return report


def _write_realizations(*, report: MonthlyReport, rows: list[EntryRow], reason: str) -> None:
    sources = {s.code: s for s in FundingSource.objects.all()}
    existing = {(r.indicator_id, r.funding_source_id): r for r in report.realizations.all()}
    keep = set()
    for row in rows:
        source = sources[row.source_code]
        key = (row.indicator.pk, source.pk)
        keep.add(key)
        realization = existing.get(key) or Realization(
            report=report, indicator=row.indicator, funding_source=source
        )
        fields = {
            "value": None if row.indicator.measure == Measure.RATIO else row.value,
            "numerator": row.numerator if row.indicator.measure == Measure.RATIO else None,
            "denominator": row.denominator if row.indicator.measure == Measure.RATIO else None,
            "note": row.note,
        }
        changed = realization.pk is None or any(
            getattr(realization, name) != value for name, value in fields.items()
        )
        if not changed:
            continue
        for name, value in fields.items():
            setattr(realization, name, value)
        realization._change_reason = reason
        realization.full_clean(exclude=["report"])
        realization.save()
    for key, realization in existing.items():
        if key not in keep:
            realization._change_reason = reason
            realization.delete()


def _locked_report(report: MonthlyReport, version: int | None) -> MonthlyReport:
    report = MonthlyReport.objects.select_for_update().select_related("program").get(pk=report.pk)
    if version is not None and version != report.version:
        raise ServiceError(_(WRONG_STATUS))
    return report


@transaction.atomic
def report_verify(*, user, report: MonthlyReport, version: int | None = None) -> MonthlyReport:
    report = _locked_report(report, version)
    if not permissions.is_verifier_for(user, program_id=report.program_id):
        raise PermissionDenied(_(NOT_ALLOWED))
    if report.status != Status.SUBMITTED:
        raise ServiceError(_(WRONG_STATUS))
    report.status = Status.VERIFIED
    report.verified_at, report.verified_by = timezone.now(), user
    report.version += 1
    report._change_reason = _("Diverifikasi")
    report.save()
    return report


@transaction.atomic
def report_verify_many(*, user, selections: list[tuple[int, int]]) -> list[MonthlyReport]:
    """Verify several reports at once (id, version): all or none."""
    reports = {r.pk: r for r in MonthlyReport.objects.filter(pk__in=[pk for pk, _v in selections])}
    if len(reports) != len({pk for pk, _v in selections}):
        raise ServiceError(_(WRONG_STATUS))
    return [
        report_verify(user=user, report=reports[pk], version=version) for pk, version in selections
    ]


@transaction.atomic
def report_return(
    *, user, report: MonthlyReport, reason: str, version: int | None = None
) -> MonthlyReport:
    """Send a submitted report back to the operator, with a reason they will read."""
    return _send_back(
        user=user,
        report=report,
        reason=reason,
        version=version,
        expected=Status.SUBMITTED,
        label=_("Dikembalikan"),
    )


@transaction.atomic
def report_reopen(
    *, user, report: MonthlyReport, reason: str, version: int | None = None
) -> MonthlyReport:
    """Open a verified report again for correction (it goes back to the operator)."""
    return _send_back(
        user=user,
        report=report,
        reason=reason,
        version=version,
        expected=Status.VERIFIED,
        label=_("Dibuka kembali"),
    )


def _send_back(
    *, user, report: MonthlyReport, reason: str, version: int | None, expected: str, label: str
) -> MonthlyReport:
    """Return a report in status `expected` to its operator, with a required reason."""
    reason = (reason or "").strip()
    report = _locked_report(report, version)
    if not permissions.is_verifier_for(user, program_id=report.program_id):
        raise PermissionDenied(_(NOT_ALLOWED))
    if not reason:
        raise ServiceError(_(REASON_REQUIRED))
    if report.status != expected:
        raise ServiceError(_(WRONG_STATUS))
    report.status = Status.RETURNED
    report.returned_at, report.returned_by = timezone.now(), user
    report.return_reason = reason
    report.verified_at = report.verified_by = None
    report.version += 1
    report._change_reason = f"{label}: {reason}"
    report.save()
    _email(
        _("Laporan dikembalikan: %(report)s") % {"report": report},
        _("%(user)s mengembalikan laporan %(report)s.\nAlasan: %(reason)s\n%(url)s")
        % {"user": user, "report": report, "reason": reason, "url": _report_url(report)},
        _operators_of(report),
    )
    return report


def _recent_months(today: dt.date, count: int) -> list[tuple[int, int]]:
    """The `count` months before today's month, most recent first."""
    months, year, month = [], today.year, today.month
    for _i in range(count):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        months.append((year, month))
    return months


def reminders_due(*, days: int, today: dt.date | None = None):
    """[(operator, [(program, year, month, due date)])]: reports not yet submitted that are
    due within `days` days or overdue, for months operators can still edit."""
    from programs.reporting import deadlines

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
        .exclude(email="")
        .select_related("scope")
        .prefetch_related("scope__programs")
    )
    result = []
    for user in operators:
        scoped = set(user.scope.programs.all())
        pending = [
            (program, year, month, due)
            for year, month, due in months
            for program in programs
            if (not scoped or program in scoped)
            and (user.scope.regency_id, program.pk, year, month) not in submitted
        ]
        if pending:
            result.append((user, pending))
    return result
