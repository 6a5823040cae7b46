"""Reads for the reporting workflow: an operator's months, the entry form's rows, a
report's timeline and the verifier's queue."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from programs import permissions, progress
from programs.compiled import CompiledQuery
from programs.filters import begun_period
from programs.formats import month_year_label
from programs.models import (
    MIN_YEAR,
    Attachment,
    FundingSource,
    Indicator,
    LockException,
    MonthlyReport,
    Program,
    Realization,
    Target,
    is_valid_period,
)
from programs.obligations import Obligations
from programs.reporting import deadlines
from programs.reporting.notifications import reader_text
from programs.reporting.rules import (
    CARRIED_OVER_THE_YEAR,
    EntryRow,
    IndicatorContext,
    RowMessage,
    row_key,
    row_warnings,
)
from programs.reporting.services import (
    ADDED_WHILE_SUBMITTED,
    HISTORY_REASONS,
    EntryContext,
    queue_fingerprint,
)
from programs.text import whole_number
from regencies.models import code_from_compact

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
    required: bool = True  # False: this regency does not have to report ("tidak wajib")
    open_until: dt.date | None = None  # a lock exception opens the month until this day

    @property
    def status(self) -> str | None:
        return self.report.status if self.report else None

    @property
    def period(self) -> tuple[int, int]:
        return (self.year, self.month)

    @property
    def status_label(self) -> str:
        if self.report:
            label = self.report.get_status_display()
            # A draft kept from before an exemption began: shown, never owed.
            return label if self.required else f"{label} · {_('tidak wajib')}"
        return _("Belum diisi") if self.required else _("Tidak wajib")

    @property
    def action(self) -> str:
        """What the row's link does. A month the regency need not report has nothing
        to fill in (the form has no inputs, and a draft kept from before the exemption
        began cannot be saved or submitted): "Lihat", not "Isi laporan" or "Lanjutkan"
        beside "Tidak wajib"."""
        if self.editable and self.required:
            if self.status == Status.RETURNED:
                return _("Perbaiki")
            return _("Lanjutkan") if self.report else _("Isi laporan")
        return _("Lihat")

    @property
    def editable_until(self) -> dt.date:
        """The last day the operator can still change the month: its lock date, or the
        day a lock exception runs to when that is later."""
        lock = deadlines.lock_date(self.year, self.month)
        return max(lock, self.open_until) if self.open_until else lock

    @property
    def lock_date(self) -> dt.date:
        return deadlines.lock_date(self.year, self.month)

    @property
    def owed(self) -> bool:
        """Still to be submitted: never submitted, a draft, or returned, of a month the
        regency must report. A month it need not report owes nothing, whatever draft
        exists (an exemption added after a draft was saved): never to do, late or
        "locked before submitted"; the draft is kept and can be viewed."""
        if not self.required:
            return False
        return self.status in (None, Status.DRAFT, Status.RETURNED)

    @property
    def needs_action(self) -> bool:
        return self.editable and self.owed

    @property
    def locked_owed(self) -> bool:
        """Locked before it was submitted: the operator can only ask for it to be opened."""
        return self.locked and self.owed

    @property
    def lock_advice(self) -> str:
        """Whom to ask to open the month again (deadlines.who_opens)."""
        return deadlines.who_opens(self.status)


GRID_SYMBOLS = {
    Status.VERIFIED: "✓",
    Status.SUBMITTED: "●",
    Status.RETURNED: "↩",
    Status.DRAFT: "✎",
}


@dataclass(frozen=True)
class GridCell:
    item: OperatorMonth

    @property
    def symbol(self) -> str:
        item = self.item
        if item.report is not None:
            return GRID_SYMBOLS[item.status]
        if not item.required:
            return "–"
        return "✗" if item.locked else "○"

    @property
    def label(self) -> str:
        item = self.item
        text = str(item.status_label)
        if item.locked and item.required:  # nothing owed, nothing locked away
            text += " · " + str(_("terkunci"))
        return text


def operator_grid(items: list[OperatorMonth]) -> tuple[list[int], list[tuple[object, list]]]:
    """The months x programs grid of `operator_months` (programs in their order)."""
    months = sorted({item.month for item in items})
    by_program: dict[int, dict[int, OperatorMonth]] = defaultdict(dict)
    programs = {}
    for item in items:
        by_program[item.program.pk][item.month] = item
        programs[item.program.pk] = item.program
    rows = []
    for pk, program in sorted(programs.items(), key=lambda kv: (kv[1].order, kv[1].slug)):
        cells = [GridCell(by_program[pk][m]) if m in by_program[pk] else None for m in months]
        rows.append((program, cells))
    return months, rows


def operator_months(*, user, year: int, today: dt.date | None = None) -> list[OperatorMonth]:
    """Months x programs of an operator's scope: returned reports first, then the months
    still to do (most urgent first), then the rest. Three queries."""
    today = today or timezone.localdate()
    scope = permissions.scope_of(user)
    if scope is None or scope.regency_id is None:
        return []
    programs = list(Program.objects.worked_on_by(user))
    last_month = 12 if year < today.year else today.month if year == today.year else 0
    reports = {
        (r.program_id, r.month): r
        for r in MonthlyReport.objects.filter(
            regency_id=scope.regency_id, program__in=programs, year=year
        )
    }
    locks = permissions.LockedMonths(regency_codes=[scope.regency_id], year=year, today=today)
    # Until when a lock exception opens a month (both sides see it).
    open_until = {
        (e.program_id, e.month): e.until
        for e in LockException.objects.running(today).filter(regency_id=scope.regency_id, year=year)
    }
    obligations = Obligations.load(programs=programs, regency_codes=[scope.regency_id])
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
                    required=obligations.required(
                        scope.regency_id, program.pk, year, month, reported=report is not None
                    ),
                    open_until=open_until.get((program.pk, month)),
                )
            )

    def order(item: OperatorMonth):
        returned = item.owed and item.status == Status.RETURNED
        return (not returned, not item.needs_action, item.due_date, item.program.order)

    return sorted(items, key=order)


@dataclass(frozen=True)
class OperatorToDo:
    returned: list[OperatorMonth]  # sent back by a verifier, to fix
    upcoming: list[OperatorMonth]  # due within a week
    due_now: list[OperatorMonth]  # ended months still to do, most urgent first
    locked: list[OperatorMonth] = field(default_factory=list)  # locked before submitted
    # The running month: it can be filled in (and submitted) from its first day, yet is
    # due only on the 10th of the next, so it is listed apart from what is due now.
    running: list[OperatorMonth] = field(default_factory=list)


def operator_to_do(
    *, user, year: int, items: list[OperatorMonth], today: dt.date | None = None
) -> OperatorToDo:
    """The to-do lists of an operator's page of `year` (`items`: its `operator_months`).
    On the running year's page they also hold last year's months that can still be
    filled in or fixed (December until its lock on 9 February, or a month opened for
    correction), which the year menu would otherwise hide, and those that locked this
    year before they were submitted (December after 9 February). On last year's page
    (where the list opens in January) they also hold this year's months that can be
    filled in: a month can be filled in from its first day, so the running month is
    listed on 11 January as it is on 1 December, in `running` rather than among the
    months due now (1 December: November, due on the 10th, is what is due now; December
    is due on 10 January). A returned report of the running month stays among the
    returned.

    A month that locks before it is submitted stays on the lists with the one step
    that opens it again: a returned one among the returned (a verifier opens it for
    correction), any other in `locked` (an admin's lock exception)."""
    today = today or timezone.localdate()
    to_do = items
    if year == today.year and year > MIN_YEAR:
        earlier = operator_months(user=user, year=year - 1, today=today)
        to_do = [
            i for i in earlier if i.needs_action or (i.locked_owed and i.lock_date.year == year)
        ] + items
    elif year == today.year - 1:
        later = operator_months(user=user, year=today.year, today=today)
        to_do = items + [i for i in later if i.needs_action]

    def by_due(item: OperatorMonth):
        return (item.due_date, item.program.order)

    def is_running(item: OperatorMonth) -> bool:
        return (item.year, item.month) == (today.year, today.month)

    to_fill = [i for i in to_do if i.needs_action and i.status != Status.RETURNED]
    return OperatorToDo(
        returned=[i for i in to_do if i.owed and i.status == Status.RETURNED],
        upcoming=[i for i in to_do if i.needs_action and 0 <= i.days_left <= 7],
        due_now=sorted((i for i in to_fill if not is_running(i)), key=by_due),
        running=sorted((i for i in to_fill if is_running(i)), key=by_due),
        locked=sorted(
            (i for i in to_do if i.locked_owed and i.status != Status.RETURNED), key=by_due
        ),
    )


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
        if indicator.pk in context.exempt:
            continue  # not required this month: no input (the form says "tidak wajib")
        found = stored.get(indicator.pk) or [None]
        for index, r in enumerate(found):
            row = EntryRow(
                key=row_key(indicator, index),
                indicator=indicator,
                source_code=r.funding_source.code if r else FundingSource.UNSPECIFIED,
            )
            if r is not None:
                row.value, row.numerator, row.denominator, row.note = (
                    r.value,
                    r.numerator,
                    r.denominator,
                    r.note,
                )
            elif indicator.measure == Indicator.Measure.RATIO and report is None:
                # A new month starts from last month's denominator (the operator may change
                # it); the numerator stays empty.
                row.denominator = context.by_indicator[indicator.pk].last_denominator
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
    statuses: list[tuple[dt.datetime, str]] = []  # (since, status), oldest first
    for record in reversed(report.history.select_related("history_user").all()):
        statuses.append((record.history_date, record.status))
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
                    reader_text(record.history_change_reason or "", HISTORY_REASONS),
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
        name = indicator.display_name if indicator else "?"
        entries.append(
            TimelineEntry(
                record.history_date,
                str(record.history_user or _("sistem")),
                f"{name} ({record.funding_source_id and record.funding_source}): "
                + _change(old, new, decimals),
                reader_text(record.history_change_reason or "", HISTORY_REASONS),
            )
        )
        last[record.id] = new
    for record in Attachment.history.filter(report_id=report.pk).select_related("history_user"):
        if record.history_type == "~":
            what = record.history_change_reason or _("Lampiran diubah")
        elif record.history_type == "+" and _status_at(statuses, record.history_date) == (
            Status.SUBMITTED
        ):
            # Added to a submitted report (services.attachment_add): said so, for the
            # verifier reading what came after the report was submitted. Told by the
            # report's status then, not by the stored wording (reworded since, or
            # written in another language, it lost the marker).
            what = _(ADDED_WHILE_SUBMITTED) % {"name": record.original_name}
        else:
            what = (
                _("Lampiran ditambahkan: %(name)s")
                if record.history_type == "+"
                else _("Lampiran dihapus: %(name)s")
            ) % {"name": record.original_name}
        entries.append(
            TimelineEntry(
                record.history_date, str(record.history_user or _("sistem")), what, record.caption
            )
        )
    return sorted(entries, key=lambda e: e.when, reverse=True)


def _status_at(statuses: list[tuple[dt.datetime, str]], when: dt.datetime) -> str | None:
    """The report's status at `when`, from its history's (since, status) pairs."""
    at = bisect_right(statuses, when, key=lambda pair: pair[0])
    return statuses[at - 1][1] if at else None


# How much of a note the timeline quotes (a note holds up to 2.000 characters).
TIMELINE_NOTE_CHARS = 80


def _change(old, new, decimals: int) -> str:
    """What one save changed in a realization: its value ('10 → 12') and its note,
    which resolves a warning before submitting. A note alone used to read '8.600 →
    8.600', as if nothing had changed."""
    before, after = _show(old, decimals), _show(new, decimals)
    old_note, new_note = (old.note if old else ""), (new.note if new else "")
    parts = []
    if before != after or old_note == new_note:
        parts.append(f"{before} → {after}")
    if new is not None and new_note != old_note:
        if new_note:
            quoted = Truncator(new_note).chars(TIMELINE_NOTE_CHARS)
            parts.append(_("catatan “%(note)s”") % {"note": quoted})
        else:
            parts.append(str(_("catatan dihapus")))
    return " · ".join(parts)


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
    attachments: int = 0  # evidence tied to this indicator

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
    notes: list[tuple[Indicator, str]] = field(default_factory=list)  # the operator's notes
    attachments: int = 0  # all evidence on the report


QUEUE_PAGE_SIZE = 25
QUEUE_STATUSES = (Status.SUBMITTED, Status.RETURNED, Status.VERIFIED)


@dataclass(frozen=True)
class QueueFilters:
    """The verifier's filters (`program`, `wilayah`, `bulan` as YYYY-MM, `status`)."""

    program: str | None = None
    regency: str | None = None
    period: tuple[int, int] | None = None
    status: str = Status.SUBMITTED

    @classmethod
    def from_query(cls, get) -> QueueFilters:
        period = None
        text = (get.get("bulan") or "").strip()
        parts = [whole_number(part) for part in text.split("-")]
        if len(parts) == 2 and None not in parts and is_valid_period(*parts):
            # A month that has not begun has no report: the queue shows the latest
            # begun month instead, as the dashboards do (never an empty "2026-12").
            period = begun_period(*parts)
        status = get.get("status") or Status.SUBMITTED
        # As people write them in a link they share: "GBRSS" (the acronym, in capitals) is
        # the slug "gbrss", and "1607" (the code as in "operator-1607") is "16.07". Read
        # as typed they matched nothing: "0 laporan" under "Semua program/wilayah".
        program = (get.get("program") or "").strip()[:40].lower()
        regency = code_from_compact((get.get("wilayah") or "").strip()[:10])
        return cls(
            program=program or None,
            regency=regency or None,
            period=period,
            status=status if status in QUEUE_STATUSES else Status.SUBMITTED,
        )

    def params(self, **changes) -> dict[str, str]:
        values = {
            "program": self.program,
            "wilayah": self.regency,
            "bulan": f"{self.period[0]}-{self.period[1]:02d}" if self.period else None,
            "status": self.status if self.status != Status.SUBMITTED else None,
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v}

    def query(self, **changes) -> str:
        from urllib.parse import urlencode

        params = self.params(**changes)
        return "?" + urlencode(params) if params else "?"


@dataclass
class Facet:
    value: str
    label: str
    count: int


@dataclass
class QueuePage:
    filters: QueueFilters
    items: list[QueueItem]
    total: int
    page: object  # django.core.paginator.Page
    programs: list[Facet]
    regencies: list[Facet]
    months: list[Facet]
    statuses: list[Facet]
    fingerprint: str = ""  # of every submitted report matching (services.queue_fingerprint)


def queue_reports(
    *, user, filters: QueueFilters, skip: str | None = None, switched_off: bool = False
):
    """Reports of the verifier's scope matching the filters (`skip` one of them, for the
    counts shown beside that filter's choices). A program an admin switched off is gone
    from the queue as from every reporting page (its reports' pages answer 404);
    `switched_off` keeps its reports, for "verify all" to name one it is refused for
    (`services.report_verify_matching`)."""
    reports = permissions.reports_visible_to(user).filter(regency__isnull=False)
    if not switched_off:
        reports = reports.filter(program__active=True)
    if skip != "status":
        reports = reports.filter(status=filters.status)
    if filters.program and skip != "program":
        reports = reports.filter(program__slug=filters.program)
    if filters.regency and skip != "regency":
        reports = reports.filter(regency_id=filters.regency)
    if filters.period and skip != "period":
        reports = reports.filter(year=filters.period[0], month=filters.period[1])
    return reports


def verification_page(*, user, filters: QueueFilters, page: int | str = 1) -> QueuePage:
    """One page (at most QUEUE_PAGE_SIZE) of the verifier's filtered queue, oldest first,
    with the count of every filter choice. A fixed number of queries whatever the size."""
    from django.core.paginator import Paginator
    from django.db.models import Count

    from regencies.models import Regency

    reports = (
        queue_reports(user=user, filters=filters)
        # Who returned or verified it: the returned and verified tabs say so (joined).
        .select_related("regency", "program", "submitted_by", "returned_by", "verified_by")
        .order_by("submitted_at", "year", "month", "pk")
    )
    paginator = Paginator(reports, QUEUE_PAGE_SIZE)
    fingerprint = ""
    if filters.status == Status.SUBMITTED:
        # What "verify all" will act on, across every page: read before the page itself,
        # so the count shown and the fingerprint the form carries are of one read (the
        # paginator's own count query is not needed then).
        matching = list(reports.order_by().values_list("pk", "version"))
        paginator.count = len(matching)
        fingerprint = queue_fingerprint(matching)
    current = paginator.get_page(page)

    def counts(skip, *fields):
        return (
            queue_reports(user=user, filters=filters, skip=skip)
            .values(*fields)
            .annotate(n=Count("pk"))
            .order_by()
        )

    programs = {p.pk: p for p in permissions.programs_for(user)}
    by_program = {row["program_id"]: row["n"] for row in counts("program", "program_id")}
    names = dict(Regency.objects.values_list("code", "name"))
    by_regency = {row["regency_id"]: row["n"] for row in counts("regency", "regency_id")}
    by_period = {(r["year"], r["month"]): r["n"] for r in counts("period", "year", "month")}
    by_status = {row["status"]: row["n"] for row in counts("status", "status")}
    # A chosen month or regency with no report stays chosen in its menu (with 0): the menu
    # read "Semua bulan" over a page filtered to that month.
    if filters.period is not None:
        by_period.setdefault(filters.period, 0)
    if filters.regency and filters.regency in names:
        by_regency.setdefault(filters.regency, 0)
    return QueuePage(
        filters=filters,
        items=queue_items(list(current.object_list)),
        total=paginator.count,
        page=current,
        fingerprint=fingerprint,
        programs=[Facet(p.slug, p.label, by_program.get(pk, 0)) for pk, p in programs.items()],
        regencies=[
            Facet(code, names.get(code, code), n)
            for code, n in sorted(by_regency.items(), key=lambda kv: names.get(kv[0], ""))
        ],
        months=[
            Facet(f"{y}-{m:02d}", month_year_label(y, m), n)
            for (y, m), n in sorted(by_period.items(), reverse=True)
        ],
        statuses=[Facet(s, Status(s).label, by_status.get(s, 0)) for s in QUEUE_STATUSES],
    )


def verification_queue(*, user) -> list[QueueItem]:
    """Every submitted report of the verifier's programs, oldest first (see
    `verification_page` for the filtered, paged queue)."""
    reports = list(
        MonthlyReport.objects.visible_to(user)
        .filter(status=Status.SUBMITTED, regency__isnull=False)
        .select_related("regency", "program", "submitted_by")
        .order_by("submitted_at", "pk")
    )
    return queue_items(reports)


@dataclass
class CountedHistory:
    """The counted (submitted and verified) monthly values of some regencies' indicators
    in some years and the December before each, with their targets: what a month's
    plausibility warnings compare it with (`context`), for many reports at once (the
    verifier's queue, the spreadsheet import). Two queries whatever their number."""

    # (regency, indicator id, year) -> {month: value_sums() of that month}
    monthly: dict[tuple[str, int, int], dict[int, dict]]
    targets: dict[tuple[str, int, int], Target]

    @classmethod
    def load(cls, *, indicators, regency_ids, years) -> CountedHistory:
        years = set(years)
        monthly: dict[tuple[str, int, int], dict[int, dict]] = defaultdict(dict)
        for row in (
            Realization.objects.filter(
                # The years, and each December before (a January's "last month").
                Q(report__year__in=years)
                | Q(report__year__in={y - 1 for y in years}, report__month=12),
                indicator__in=indicators,
                report__regency_id__in=regency_ids,
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
                indicator__in=indicators, regency_id__in=regency_ids, year__in=years
            )
        }
        return cls(monthly=monthly, targets=targets)

    def value(self, indicator: Indicator, regency_id: str, year: int, month: int):
        """The counted value of one month (None: nothing counted)."""
        row = self.monthly.get((regency_id, indicator.pk, year), {}).get(month)
        return None if row is None else progress.group_value(indicator.measure, row)

    def context(
        self, indicator: Indicator, regency_id: str, year: int, month: int
    ) -> IndicatorContext:
        """What the warnings on `month` compare against: the earlier months of its year
        (and the December before), and the regency's target of the year."""
        ctx = IndicatorContext(
            indicator=indicator, target=self.targets.get((regency_id, indicator.pk, year))
        )
        months = self.monthly.get((regency_id, indicator.pk, year), {})
        ctx.set_history(
            [self.value(indicator, regency_id, year, m) for m in sorted(months) if m < month],
            december=self.value(indicator, regency_id, year - 1, 12),
        )
        return ctx


def _own_value(indicator: Indicator, stored: list[Realization]) -> Decimal | None:
    """One report's value of `indicator` from its stored rows, as the measure reads a
    month (`progress.group_value`); None without rows."""
    if not stored:
        return None

    def total(values):
        given = [v for v in values if v is not None]
        return sum(given, Decimal(0)) if given else None

    sums = {
        "total": total(r.value for r in stored),
        "num": total(r.numerator for r in stored),
        "den": total(r.denominator for r in stored),
    }
    return progress.group_value(indicator.measure, sums)


def queue_items(reports: list[MonthlyReport]) -> list[QueueItem]:
    """Each report with each indicator's value, the change from the previous month and
    the checks written for the verifier and how much evidence is attached. Five queries
    whatever the number of reports."""
    if not reports:
        return []
    program_ids = {r.program_id for r in reports}
    indicators = list(
        Indicator.objects.filter(program_id__in=program_ids).select_related("program")
    )
    by_program = defaultdict(list)
    for indicator in indicators:
        by_program[indicator.program_id].append(indicator)
    history = CountedHistory.load(
        indicators=indicators,
        regency_ids={r.regency_id for r in reports},
        years={r.year for r in reports},
    )
    rows_of = defaultdict(list)
    for r in Realization.objects.filter(report__in=reports).select_related("funding_source"):
        rows_of[(r.report_id, r.indicator_id)].append(r)
    evidence = defaultdict(int)  # (report, indicator or None) -> attachments
    for row in (
        Attachment.objects.filter(report__in=reports)
        .values("report_id", "indicator_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        evidence[(row["report_id"], row["indicator_id"])] += row["n"]
        evidence[(row["report_id"], "all")] += row["n"]

    items = []
    for report in reports:
        item = QueueItem(report=report, attachments=evidence[(report.pk, "all")])
        for indicator in by_program[report.program_id]:
            place = (indicator, report.regency_id)
            ctx = history.context(*place, report.year, report.month)
            stored = rows_of.get((report.pk, indicator.pk), [])
            # The report's own figures, whatever its status: a returned report is not
            # counted (history), yet its queue shows what the operator sent.
            current = _own_value(indicator, stored)
            if report.month > 1:
                previous = history.value(*place, report.year, report.month - 1)
            elif indicator.measure in CARRIED_OVER_THE_YEAR:
                previous = history.value(*place, report.year - 1, 12)  # as in its checks
            else:
                previous = None  # sums and running totals start again with the year
            item.values.append(
                QueueValue(
                    indicator=indicator,
                    value=current,
                    previous=previous,
                    unit=indicator.unit_label,
                    attachments=evidence[(report.pk, indicator.pk)],
                )
            )
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
                item.warnings.extend(row_warnings(entry_rows, ctx, audience="verifier"))
                item.notes.extend((indicator, r.note) for r in stored if r.note)
        items.append(item)
    return items


# --- Evidence and conversation on the report page ----------------------------------------


def _attach_closed(user, report: MonthlyReport) -> str:
    """Why the report's own operator can no longer attach evidence, said on its page:
    "verified", "locked" (a returned report locked again: "locked-returned"), or ""."""
    if report.regency_id is None or not permissions.is_operator_for(
        user, regency_code=report.regency_id, program_id=report.program_id
    ):
        return ""
    if report.status == Status.VERIFIED:
        return "verified"
    if permissions.is_locked(
        regency_code=report.regency_id,
        program_id=report.program_id,
        year=report.year,
        month=report.month,
    ):
        return "locked-returned" if report.status == Status.RETURNED else "locked"
    return ""


def report_evidence(*, user, report: MonthlyReport | None, editable: bool) -> dict:
    """Attachments (per indicator and general), the comment thread, and the GPS points of
    the photos drawn on the regency's outline. Two queries whatever their number."""
    if report is None:
        return {"attachments": [], "attachments_by_indicator": {}, "comments": []}
    attachments = list(
        report.attachments.select_related("indicator", "uploaded_by").order_by("uploaded_at", "pk")
    )
    by_indicator = defaultdict(list)
    for attachment in attachments:
        by_indicator[attachment.indicator_id].append(attachment)
    comments = list(report.comments.select_related("author"))
    from programs.reporting import geo, notifications

    points = [a for a in attachments if a.has_location]
    # Evidence is added while the report is editable and while it waits for verification
    # (permissions.can_add_evidence); it is removed only while editable.
    waiting = report.status == Status.SUBMITTED
    can_attach = editable or (
        waiting
        and permissions.can_add_evidence(
            user,
            regency_code=report.regency_id,
            program_id=report.program_id,
            year=report.year,
            month=report.month,
            status=report.status,
        )
    )
    return {
        "attachments": attachments,
        "attachments_by_indicator": dict(by_indicator),
        "general_attachments": by_indicator.get(None, []),
        "comments": comments,
        "can_attach": can_attach,
        "can_remove_attachments": editable,
        "attach_while_waiting": can_attach and not editable,
        "attach_closed": "" if can_attach else _attach_closed(user, report),
        "can_comment": notifications.can_comment(user, report),
        "can_mark_public": report.status == Status.VERIFIED
        and permissions.is_verifier_for(user, program_id=report.program_id),
        "photo_map": geo.points_map(report.regency_id, points) if points else None,
    }


@dataclass(frozen=True)
class GalleryPhoto:
    """What the gallery shows of a public photo."""

    pk: int
    caption: str
    original_name: str
    program_label: str
    regency_name: str
    period_label: str


GALLERY_SIZE = 8  # photos in a page's gallery


def _photos(program, regency):
    photos = Attachment.objects.filter(
        is_public=True, kind=Attachment.Kind.PHOTO, report__status=Status.VERIFIED
    )
    if program is not None:
        photos = photos.filter(report__program_id=program)
    if regency is not None:
        photos = photos.filter(report__regency_id=regency)
    return photos.order_by("-report__year", "-report__month", "-pk").values_list(
        "pk",
        "caption",
        "original_name",
        "report__program__acronym",
        "report__program__name",
        "report__regency__name",
        "report__year",
        "report__month",
    )[:GALLERY_SIZE]


_PUBLIC_PHOTOS = CompiledQuery(_photos, program="int", regency="str")


def public_photos(
    *, program_id: int | None = None, regency_code: str | None = None
) -> list[GalleryPhoto]:
    """Photos a verifier marked public, of verified reports: the gallery of verified
    results on program and regency pages. One query, read as plain values (model
    instances with deferred fields cost several times the query itself)."""
    rows = _PUBLIC_PHOTOS.rows(program=program_id, regency=regency_code)
    return [
        GalleryPhoto(
            pk=pk,
            caption=caption,
            original_name=original_name,
            program_label=Program.label_of(acronym, name),
            regency_name=regency_name or "",
            period_label=month_year_label(year, month),
        )
        for pk, caption, original_name, acronym, name, regency_name, year, month in rows
    ]
