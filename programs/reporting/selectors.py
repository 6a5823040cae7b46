"""Reads for the reporting workflow: an operator's months, the entry form's rows, a
report's timeline and the verifier's queue."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programs import permissions, progress
from programs.models import Indicator, MonthlyReport, Realization, Target
from programs.reporting import deadlines
from programs.reporting.rules import (
    EntryRow,
    IndicatorContext,
    RowMessage,
    row_key,
    row_warnings,
)
from programs.reporting.services import EntryContext

Status = MonthlyReport.Status


@dataclass(frozen=True)
class OperatorMonth:
    program: object
    year: int
    month: int
    report: MonthlyReport | None
    due_date: dt.date
    days_left: int  # negative when late
    editable: bool
    locked: bool

    @property
    def status(self) -> str | None:
        return self.report.status if self.report else None

    @property
    def period(self) -> tuple[int, int]:
        return (self.year, self.month)

    @property
    def status_label(self) -> str:
        return self.report.get_status_display() if self.report else _("Belum diisi")

    @property
    def action(self) -> str:
        if self.editable:
            if self.status == Status.RETURNED:
                return _("Perbaiki")
            return _("Lanjutkan") if self.report else _("Isi laporan")
        return _("Lihat")

    @property
    def needs_action(self) -> bool:
        return self.editable and self.status in (None, Status.DRAFT, Status.RETURNED)


def operator_months(*, user, year: int, today: dt.date | None = None) -> list[OperatorMonth]:
    """Months x programs of an operator's scope: returned reports first, then the months
    still to do (most urgent first), then the rest. Three queries."""
    today = today or timezone.localdate()
    scope = permissions.scope_of(user)
    if scope is None or scope.regency_id is None:
        return []
    programs = list(permissions.programs_for(user))
    last_month = 12 if year < today.year else today.month if year == today.year else 0
    reports = {
        (r.program_id, r.month): r
        for r in MonthlyReport.objects.filter(
            regency_id=scope.regency_id, program__in=programs, year=year
        )
    }
    locks = permissions.LockedMonths(regency_codes=[scope.regency_id], year=year, today=today)
    items = []
    for program in programs:
        for month in range(1, last_month + 1):
            report = reports.get((program.pk, month))
            due = deadlines.due_date(year, month)
            locked = locks.is_locked(
                regency_code=scope.regency_id, program_id=program.pk, year=year, month=month
            )
            status = report.status if report else None
            items.append(
                OperatorMonth(
                    program=program,
                    year=year,
                    month=month,
                    report=report,
                    due_date=due,
                    days_left=(due - today).days,
                    editable=not locked and status in (None, Status.DRAFT, Status.RETURNED),
                    locked=locked,
                )
            )

    def order(item: OperatorMonth):
        returned = item.status == Status.RETURNED
        return (not returned, not item.needs_action, item.due_date, item.program.order)

    return sorted(items, key=order)


def rows_from_report(report: MonthlyReport | None, context: EntryContext) -> list[EntryRow]:
    """The stored values as form rows; one empty 'Tidak dirinci' row per indicator
    without values, so every indicator has an input."""
    rows: list[EntryRow] = []
    stored = defaultdict(list)
    if report is not None:
        for r in report.realizations.select_related("funding_source").order_by(
            "funding_source__order"
        ):
            stored[r.indicator_id].append(r)
    for indicator in context.indicators:
        found = stored.get(indicator.pk) or [None]
        for index, r in enumerate(found):
            row = EntryRow(
                key=row_key(indicator, index),
                indicator=indicator,
                source_code=r.funding_source.code if r else "tidak-dirinci",
            )
            if r is not None:
                row.value, row.numerator, row.denominator, row.note = (
                    r.value,
                    r.numerator,
                    r.denominator,
                    r.note,
                )
            rows.append(row)
    return rows


@dataclass(frozen=True)
class TimelineEntry:
    when: dt.datetime
    who: str
    what: str
    reason: str


def report_timeline(report: MonthlyReport) -> list[TimelineEntry]:
    """Every change of the report's status and values: who, when, old -> new, why."""
    entries = []
    previous_status = None
    for record in reversed(report.history.select_related("history_user").all()):
        if record.status != previous_status:
            what = _("Status: %(old)s → %(new)s") % {
                "old": Status(previous_status).label if previous_status else "–",
                "new": Status(record.status).label,
            }
            entries.append(
                TimelineEntry(
                    record.history_date,
                    str(record.history_user or _("sistem")),
                    what,
                    record.history_change_reason or "",
                )
            )
        previous_status = record.status
    history = (
        Realization.history.filter(report_id=report.pk)
        .select_related("history_user", "funding_source")
        .order_by("history_date", "history_id")
    )
    labels = {i.pk: i for i in Indicator.objects.filter(program_id=report.program_id)}
    last: dict[int, object] = {}
    for record in history:
        indicator = labels.get(record.indicator_id)
        decimals = indicator.decimals if indicator else 0

        old = last.get(record.id)
        new = None if record.history_type == "-" else record
        name = indicator.name if indicator else "?"
        entries.append(
            TimelineEntry(
                record.history_date,
                str(record.history_user or _("sistem")),
                f"{name} ({record.funding_source_id and record.funding_source.name}): "
                f"{_show(old, decimals)} → {_show(new, decimals)}",
                record.history_change_reason or "",
            )
        )
        last[record.id] = new
    return sorted(entries, key=lambda e: e.when, reverse=True)


def _show(record, decimals: int) -> str:
    from programs.formats import number

    if record is None:
        return "–"
    if record.numerator is not None:
        return f"{number(record.numerator, 0)}/{number(record.denominator, 0)}"
    return number(record.value, decimals)


@dataclass
class QueueValue:
    indicator: Indicator
    value: Decimal | None
    previous: Decimal | None
    unit: str

    @property
    def change(self) -> Decimal | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


@dataclass
class QueueItem:
    report: MonthlyReport
    values: list[QueueValue] = field(default_factory=list)
    warnings: list[RowMessage] = field(default_factory=list)


def verification_queue(*, user) -> list[QueueItem]:
    """Submitted reports of the verifier's programs, oldest first, with each indicator's
    value, the change from the previous month and the warnings an operator saw.
    Five queries whatever the queue's length."""
    reports = list(
        MonthlyReport.objects.visible_to(user)
        .filter(status=Status.SUBMITTED, regency__isnull=False)
        .select_related("regency", "program", "submitted_by")
        .order_by("submitted_at", "pk")
    )
    if not reports:
        return []
    program_ids = {r.program_id for r in reports}
    indicators = list(
        Indicator.objects.filter(program_id__in=program_ids).select_related("program")
    )
    by_program = defaultdict(list)
    for indicator in indicators:
        by_program[indicator.program_id].append(indicator)
    regencies = {r.regency_id for r in reports}
    years = {r.year for r in reports}
    monthly = defaultdict(dict)  # (regency, indicator, year) -> {month: (total, num, den)}
    for row in (
        Realization.objects.filter(
            indicator__in=indicators,
            report__regency_id__in=regencies,
            report__year__in=years,
            report__status__in=(*MonthlyReport.COUNTED_STATUSES,),
        )
        .values("report__regency_id", "indicator_id", "report__year", "report__month")
        .annotate(**progress.value_sums())
        .order_by()
    ):
        key = (row["report__regency_id"], row["indicator_id"], row["report__year"])
        monthly[key][row["report__month"]] = row
    targets = {
        (t.regency_id, t.indicator_id, t.year): t
        for t in Target.objects.filter(
            indicator__in=indicators, regency_id__in=regencies, year__in=years
        )
    }
    rows_of = defaultdict(list)
    for r in Realization.objects.filter(report__in=reports).select_related("funding_source"):
        rows_of[(r.report_id, r.indicator_id)].append(r)

    def value(indicator, row):
        return None if row is None else progress.group_value(indicator.measure, row)

    items = []
    for report in reports:
        item = QueueItem(report=report)
        for indicator in by_program[report.program_id]:
            months = monthly.get((report.regency_id, indicator.pk, report.year), {})
            earlier = [m for m in sorted(months) if m < report.month]
            ctx = IndicatorContext(
                indicator=indicator,
                target=targets.get((report.regency_id, indicator.pk, report.year)),
            )
            ctx.set_history([value(indicator, months[m]) for m in earlier])
            current = value(indicator, months.get(report.month))
            item.values.append(
                QueueValue(
                    indicator=indicator,
                    value=current,
                    previous=value(indicator, months.get(report.month - 1)),
                    unit=indicator.unit,
                )
            )
            stored = rows_of.get((report.pk, indicator.pk), [])
            entry_rows = [
                EntryRow(
                    key=row_key(indicator, i),
                    indicator=indicator,
                    source_code=r.funding_source.code,
                    value=r.value,
                    numerator=r.numerator,
                    denominator=r.denominator,
                    note=r.note,
                )
                for i, r in enumerate(stored)
            ]
            if entry_rows:
                item.warnings.extend(row_warnings(entry_rows, ctx))
        items.append(item)
    return items
