"""Reads for pages: every number a page shows comes from here (or from progress).

Each selector does its work in a fixed number of queries, whatever the number of
regencies or months, and returns finished rows (dataclasses) for templates and charts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import NamedTuple

from django.db import models
from django.db.models import Max, Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programs import formats, prepared, ytd
from programs.compiled import CompiledModelQuery, CompiledQuery
from programs.models import (
    SPLIT_GROUP_OF_CATEGORY,
    FundingSource,
    Indicator,
    MonthlyReport,
    Program,
    Realization,
    Target,
    TargetMilestone,
    TargetSplit,
)
from programs.obligations import Obligations
from programs.progress import (
    Progress,
    ProgressStatus,
    ProgressTable,
    SeriesPoint,
    counted_statuses,
    group_value,
    value_sums,
)
from programs.reporting import deadlines
from programs.vocabulary import data_word, in_reader_language
from programs.ytd import progress_table, source_totals
from regencies.models import Regency

COUNTED = MonthlyReport.COUNTED_STATUSES


# --- Defaults -------------------------------------------------------------------------


# (years with counted reports, years with targets): `year_sets()`
YearSets = tuple[set[int], set[int]]


def default_year(
    *, today: dt.date | None = None, sets: YearSets | None = None, verified_only: bool = False
) -> int:
    """The running year once one of its months is due (January's reports, on 10
    February) and it has counted reports; before that the latest earlier year that has
    targets or reports, so that a report sent early in January, or next year's targets
    copied in December, do not open every page on a year with nothing due; the current
    year when nothing exists at all. `verified_only`: years with verified reports only
    (visitors without a role, who see nothing else). One query, none when `sets`
    (`year_sets()`) were read already."""
    today = today or timezone.localdate()
    report_years, target_years = sets or year_sets(verified_only=verified_only)
    if today.year in report_years and deadlines.last_closed_month(today.year, today):
        return today.year
    years = [y for y in report_years | target_years if y < today.year]
    return max(years) if years else today.year


def available_years(
    *, today: dt.date | None = None, sets: YearSets | None = None, verified_only: bool = False
) -> list[int]:
    """Years with targets or counted (`verified_only`: verified) reports, up to this
    year. One query, none when `sets` (`year_sets()`) were read already."""
    today = today or timezone.localdate()
    report_years, target_years = sets or year_sets(verified_only=verified_only)
    return sorted(y for y in report_years | target_years if y <= today.year)


def year_sets(*, verified_only: bool = False) -> YearSets:
    """(years with counted reports, years with targets), in one query; `verified_only`:
    years with verified reports (what visitors without a role are shown). Both are found
    one index probe per year (a loose index scan on the reports' (year, month) index and
    on the targets' year index) instead of a DISTINCT over every row."""
    from django.db import connection

    sql = (
        "WITH RECURSIVE years(y) AS ("
        " SELECT MIN(year) FROM programs_monthlyreport WHERE status IN (%s, %s)"
        " UNION ALL"
        " SELECT (SELECT MIN(year) FROM programs_monthlyreport"
        "         WHERE year > years.y AND status IN (%s, %s))"
        " FROM years WHERE years.y IS NOT NULL"
        "), target_years(y) AS ("
        " SELECT MIN(year) FROM programs_target"
        " UNION ALL"
        " SELECT (SELECT MIN(year) FROM programs_target WHERE year > target_years.y)"
        " FROM target_years WHERE target_years.y IS NOT NULL"
        ") SELECT y, 1 FROM years WHERE y IS NOT NULL"
        " UNION ALL SELECT y, 0 FROM target_years WHERE y IS NOT NULL"
    )
    report_years: set[int] = set()
    target_years: set[int] = set()
    with connection.cursor() as cursor:
        statuses = [MonthlyReport.Status.VERIFIED] * 2 if verified_only else [*COUNTED]
        prepared.execute(connection, cursor, sql, [*statuses, *statuses])
        for year, from_reports in cursor.fetchall():
            (report_years if from_reports else target_years).add(year)
    return report_years, target_years


def targets_missing(year: int, *, sets: YearSets | None = None) -> bool:
    """Whether `year` has no target at all, province or regency (a new year before the
    admin sets its targets): no achievement or status can be worked out, and pages say
    why (`_targets_missing.html`) instead of showing "Belum ada target" everywhere
    unexplained. One query, none when `sets` (`year_sets()`) were read already."""
    if sets is not None:
        return year not in sets[1]
    return not Target.objects.filter(year=year).exists()


def default_month(*, year: int, today: dt.date | None = None) -> int:
    """The latest month of `year` whose reports are due: on 29 November, October
    (November's are due on 10 December); for last year in early January, November until
    December's are due on 10 January; December for any earlier year. Not the running
    month, nor a month some regency reported early: its reports are not all in yet, so
    the others would read behind a schedule counted past what they had to report. A year
    with nothing due yet: January of the running year, a later year's latest month with
    data (or December)."""
    today = today or timezone.localdate()
    closed = deadlines.last_closed_month(year, today)
    if closed is not None:
        return closed
    if year <= today.year:
        return 1
    latest = MonthlyReport.objects.filter(year=year, status__in=COUNTED).aggregate(m=Max("month"))[
        "m"
    ]
    return latest or 12


def running_month(*, year: int, today: dt.date | None = None) -> int:
    """The running month for the current year, December for any other: the default of
    the completeness grid, where months after the latest data are what it must show."""
    today = today or timezone.localdate()
    return today.month if year == today.year else 12


# --- Overview -------------------------------------------------------------------------


@dataclass(frozen=True)
class Milestone:
    label: str
    label_en: str
    due_date: dt.date
    value: Decimal
    days_left: int

    @property
    def display_label(self) -> str:
        return in_reader_language(self.label, self.label_en)


@dataclass(frozen=True)
class ProgramCard:
    program: Program
    indicator: Indicator | None
    progress: Progress | None
    milestones: list[Milestone]
    days_left: int | None  # to the target's due date, while it is ahead


_ACTIVE_PROGRAMS = CompiledModelQuery(Program, lambda: Program.objects.filter(active=True))
_HEADLINE_INDICATORS = CompiledModelQuery(
    Indicator, lambda: Indicator.objects.filter(is_headline=True, program__active=True)
)


def _programs_with_headline() -> list[Program]:
    """Active programs, each with `headline_indicators` (in the indicators' order)."""
    programs = _ACTIVE_PROGRAMS.instances()
    headline: dict[int, list[Indicator]] = {program.pk: [] for program in programs}
    for indicator in _HEADLINE_INDICATORS.instances():
        headline[indicator.program_id].append(indicator)
    for program in programs:
        program.headline_indicators = headline[program.pk]
        for indicator in program.headline_indicators:
            indicator.program = program
    return programs


def _headline(program: Program) -> Indicator | None:
    return program.headline_indicators[0] if program.headline_indicators else None


def program_cards(
    *, year: int, month: int = 12, verified_only: bool, today: dt.date | None = None
) -> list[ProgramCard]:
    """One card per active program: its headline indicator's province progress."""
    today = today or timezone.localdate()
    programs = _programs_with_headline()
    table = progress_table(
        indicators=[i for i in map(_headline, programs) if i],
        year=year,
        month=month,
        regency_codes=[],
        verified_only=verified_only,
        today=today,
    )
    return _program_cards(programs, table, year=year, today=today)


_MILESTONES = CompiledModelQuery(
    TargetMilestone,
    lambda targets: TargetMilestone.objects.filter(target_id__in=targets).order_by(
        "due_date", "pk"
    ),
    targets="ints",
)


def _program_cards(
    programs: list[Program], table: ProgressTable, *, year: int, today: dt.date
) -> list[ProgramCard]:
    indicators = [i for i in map(_headline, programs) if i]
    # The province targets are the ones the table read: only their milestones are new.
    target_indicator = {
        target.pk: indicator_id
        for (indicator_id, code), target in table.targets.items()
        if code is None and indicator_id in {i.pk for i in indicators}
    }
    milestones_of: dict[int, list[Milestone]] = {}
    for m in _MILESTONES.instances(targets=list(target_indicator)):
        milestones_of.setdefault(target_indicator[m.target_id], []).append(
            Milestone(m.label, m.label_en, m.due_date, m.value, (m.due_date - today).days)
        )
    cards = []
    for program in programs:
        indicator = _headline(program)
        progress = table.province(indicator.pk) if indicator else None
        days_left = None
        if progress and progress.due_date and progress.due_date >= today:
            days_left = (progress.due_date - today).days
        cards.append(
            ProgramCard(
                program=program,
                indicator=indicator,
                progress=progress,
                milestones=milestones_of.get(indicator.pk, []) if indicator else [],
                days_left=days_left,
            )
        )
    return cards


@dataclass(frozen=True)
class ScoreCell:
    program: Program
    indicator: Indicator | None
    progress: Progress | None
    required: bool = True  # False: the regency does not have to report ("tidak wajib")


@dataclass
class ScoreRow:
    regency: Regency
    cells: list[ScoreCell]
    on_track: int
    rank: int = 0

    @property
    def obliged(self) -> int:
        """Cells the regency must report (the denominator of `on_track`)."""
        return sum(1 for c in self.cells if c.required)

    @property
    def behind_programs(self) -> list[Program]:
        return [
            c.program
            for c in self.cells
            if c.progress and c.progress.status == ProgressStatus.BEHIND
        ]

    @property
    def overall_status(self) -> str:
        """One status for the regency across programs' headline indicators: `behind` when
        more are behind than on track, `on_track` when at least as many are on track (and
        one is); `no_data` when targets exist but nothing was reported; `no_target` when
        no program has a target for it; `not_required` ("tidak wajib") when it has to
        report none of them."""
        if self.cells and not any(c.required for c in self.cells):
            return ReportState.NOT_REQUIRED
        statuses = [
            c.progress.status if c.progress else ProgressStatus.NO_TARGET
            for c in self.cells
            if c.required  # "tidak wajib" cells count neither way
        ]
        behind, on_track = (
            statuses.count(ProgressStatus.BEHIND),
            statuses.count(ProgressStatus.ON_TRACK),
        )
        if behind or on_track:
            return ProgressStatus.BEHIND if behind > on_track else ProgressStatus.ON_TRACK
        return (
            ProgressStatus.NO_DATA
            if ProgressStatus.NO_DATA in statuses
            else ProgressStatus.NO_TARGET
        )

    @property
    def overall_status_label(self) -> str:
        status = self.overall_status
        if status == ReportState.NOT_REQUIRED:
            return formats.choice_label(ReportState.NOT_REQUIRED)
        return formats.choice_label(ProgressStatus(status))

    @property
    def mean_achievement(self) -> Decimal:
        """Mean of the headline achievements, each counted between 0 and 100 % and a
        missing one as 0: a tie-break that one runaway program cannot dominate, either
        way. An inflation above its baseline (Muara Enim -5,9 %) is as behind as nothing
        achieved, and no more: it pulled the mean below what the other programs earned.
        The cells still show the real figure. Only the programs the regency must report
        count ("tidak wajib" ones are left out)."""
        capped = [
            min(max(c.progress.achievement, Decimal(0)), HUNDRED)
            if c.progress and c.progress.achievement is not None
            else Decimal(0)
            for c in self.cells
            if c.required
        ]
        if not capped:
            return Decimal(0)
        return sum(capped, Decimal(0)) / len(capped)


@dataclass(frozen=True)
class Scorecard:
    programs: list[Program]
    rows: list[ScoreRow]
    sort: str

    def behind_by_program(self) -> list[BehindLine]:
        """Per program, the real regencies behind on its headline indicator (code order),
        and how many real regencies must report it: GPISS is behind in "4 dari 4" (the
        four BPS cities), never "4 dari 17" as if the thirteen exempt were on track. When
        no regency could be judged at all, why: a year whose targets are not set yet
        (January 2027 before the admin copies them) read "tidak ada yang tertinggal" for
        every program, as if all were on track."""
        rows = sorted(
            (r for r in self.rows if not r.regency.is_synthetic), key=lambda r: r.regency.code
        )
        lines = []
        for i, program in enumerate(self.programs):
            owed = [r.cells[i] for r in rows if r.cells[i].required]
            statuses = {c.progress.status if c.progress else None for c in owed}
            unjudged = None
            if owed and not statuses & {ProgressStatus.BEHIND, ProgressStatus.ON_TRACK}:
                unjudged = (
                    ProgressStatus.NO_TARGET
                    if statuses <= {ProgressStatus.NO_TARGET, None}
                    else ProgressStatus.NO_DATA
                )
            lines.append(
                BehindLine(
                    program=program,
                    regencies=[
                        r.regency
                        for r in rows
                        if r.cells[i].progress
                        and r.cells[i].progress.status == ProgressStatus.BEHIND
                    ],
                    obliged=len(owed),
                    unjudged=unjudged,
                )
            )
        return lines


@dataclass(frozen=True)
class BehindLine:
    """One program of the overview's "Siapa yang tertinggal"."""

    program: Program
    regencies: list[Regency]  # behind on the headline indicator
    obliged: int  # real regencies that must report it
    # No regency could be judged (`ProgressStatus.NO_TARGET` or `NO_DATA`): the line says
    # so instead of "tidak ada yang tertinggal". None when some were.
    unjudged: str | None = None

    @property
    def unjudged_label(self) -> str:
        return ProgressStatus(self.unjudged).label if self.unjudged else ""


HUNDRED = Decimal(100)

# The scorecard's ranking, stated once (shown under the table as RANKING_NOTE):
# 1. more headline indicators on track first; 2. higher mean achievement (each counted
# between 0 and 100 %, missing as 0) first; 3. fewer behind first; 4. Kemendagri code.
# Every regency gets its own rank (1..n), the same on every load whatever the data order.
RANKING_NOTE = _(
    "Peringkat: jumlah program sesuai jadwal; bila sama, rata-rata capaian (tiap program "
    "dihitung antara 0 dan 100 %); lalu yang lebih sedikit tertinggal; lalu kode Kemendagri."
)
PROGRAM_RANKING_NOTE = _("Peringkat: capaian program ini; bila sama, kode Kemendagri.")


def _rank(rows: list[ScoreRow], key) -> None:
    """Positions 1..n in the order of `key` (ascending): ties are broken inside `key`,
    ending with the Kemendagri code, so no two regencies share a rank."""
    for position, row in enumerate(sorted(rows, key=key), start=1):
        row.rank = position


def scorecard(
    *,
    year: int,
    month: int,
    verified_only: bool,
    sort: str | None = None,
    today: dt.date | None = None,
) -> Scorecard:
    """Regencies x programs: the headline indicator's achievement per regency, ranked."""
    programs, regencies, table = _headline_progress(
        year=year, month=month, verified_only=verified_only, today=today
    )
    return _ranked(programs, regencies, table, year=year, month=month, sort=sort)


_REGENCIES = CompiledModelQuery(Regency, lambda: Regency.objects.all())


def _headline_progress(
    *, year: int, month: int, verified_only: bool, today: dt.date | None
) -> tuple[list[Program], list[Regency], ProgressTable]:
    """Active programs with a headline indicator, every regency, and the headline
    indicators' progress for all of them."""
    programs = _programs_with_headline()
    regencies = _REGENCIES.instances()
    table = progress_table(
        indicators=[i for i in map(_headline, programs) if i],
        year=year,
        month=month,
        regency_codes=[r.code for r in regencies],
        verified_only=verified_only,
        today=today,
    )
    return programs, regencies, table


def _ranked(
    programs: list[Program],
    regencies: list[Regency],
    table: ProgressTable,
    *,
    year: int,
    month: int,
    sort: str | None,
    obligations: Obligations | None = None,
) -> Scorecard:
    """The scorecard of `table`; a regency not required to report a program that month
    is marked so (the reporting obligations, read here unless given)."""
    if obligations is None:
        obligations = Obligations.load(programs=programs)

    def required(regency_code: str, program_id: int) -> bool:
        return obligations.required(regency_code, program_id, year, month)

    return _scorecard(programs, regencies, table, sort=sort, required=required)


@dataclass(frozen=True)
class OverviewPage:
    cards: list[ProgramCard]
    board: Scorecard
    closed_month: int | None  # the month `completeness` counts (None: none closed yet)
    completeness: list[CompletenessSummary]
    # True: `closed_month` is the page's month (chosen or by default), before the last
    # closed one.
    completeness_of_chosen_month: bool = False


def overview_page(
    *,
    year: int,
    month: int,
    verified_only: bool,
    sort: str | None = None,
    today: dt.date | None = None,
) -> OverviewPage:
    """The overview's cards, scorecard and completeness summary: programs, regencies,
    exemptions and headline progress read once for all three (`program_cards` and
    `scorecard` give the same figures for half the database work: the province rows
    come with the regencies' anyway)."""
    today = today or timezone.localdate()
    programs, regencies, table = _headline_progress(
        year=year, month=month, verified_only=verified_only, today=today
    )
    obligations = Obligations.load(programs=programs)
    board = _ranked(
        programs, regencies, table, year=year, month=month, sort=sort, obligations=obligations
    )
    closed_month, completeness = completeness_summary(
        year=year,
        up_to=month,
        today=today,
        programs=programs,
        regency_codes=sorted(r.code for r in regencies if not r.is_synthetic),
        obligations=obligations,
    )
    return OverviewPage(
        cards=_program_cards(programs, table, year=year, today=today),
        board=board,
        closed_month=closed_month,
        completeness=completeness,
        completeness_of_chosen_month=closed_month == month
        and closed_month != deadlines.last_closed_month(year, today),
    )


def _scorecard(
    programs: list[Program],
    regencies: list[Regency],
    table: ProgressTable,
    *,
    sort: str | None,
    required=None,
) -> Scorecard:
    programs = [p for p in programs if _headline(p)]
    rows = []
    for regency in regencies:
        cells = []
        for p in programs:
            obliged = required is None or required(regency.code, p.pk)
            progress = table.get((_headline(p).pk, regency.code)) if obliged else None
            cells.append(ScoreCell(p, _headline(p), progress, obliged))
        on_track = sum(
            1 for c in cells if c.progress and c.progress.status == ProgressStatus.ON_TRACK
        )
        rows.append(ScoreRow(regency=regency, cells=cells, on_track=on_track))

    slugs = [p.slug for p in programs]
    key = (sort or "sesuai").lstrip("-")
    reverse = (sort or "").startswith("-")
    if key not in {"nama", "sesuai", *slugs}:
        # An unknown order is the default one, not its reverse ("-x" turned the ranking
        # upside down, last regency first).
        key, reverse = "sesuai", False
    if key in slugs:
        index = slugs.index(key)

        def order(row):
            progress = row.cells[index].progress
            achievement = progress.achievement if progress else None
            return (achievement is None, -(achievement or 0), row.regency.code)
    else:

        def order(row):
            behind = sum(
                1 for c in row.cells if c.progress and c.progress.status == ProgressStatus.BEHIND
            )
            return (-row.on_track, -row.mean_achievement, behind, row.regency.code)

    _rank(rows, order)
    if key == "nama":
        rows.sort(key=lambda r: r.regency.name, reverse=reverse)
    else:
        rows.sort(key=lambda r: r.rank, reverse=reverse)
    return Scorecard(programs=programs, rows=rows, sort=("-" if reverse else "") + key)


@dataclass(frozen=True)
class CompletenessSummary:
    program: Program
    expected: int
    submitted: int
    verified: int


# The reports counted in a month's completeness summary: real regencies only.
_COUNTED_REPORTS = CompiledQuery(
    lambda year, month: (
        MonthlyReport.objects.filter(
            year=year, month=month, regency__is_synthetic=False, status__in=COUNTED
        )
        .values_list("program_id", "regency_id", "status")
        .order_by()
    ),
    year="int",
    month="int",
)


def completeness_summary(
    *,
    year: int,
    up_to: int = 12,
    today: dt.date | None = None,
    programs: list[Program] | None = None,
    regency_codes: list[str] | None = None,
    obligations: Obligations | None = None,
) -> tuple[int | None, list[CompletenessSummary]]:
    """For the last closed month of `year` up to `up_to` (the month a page shows figures
    to, so June's summary never counts December): per program, how many regencies
    reported. The overview passes the programs, real regencies and exemptions it
    already read."""
    month = deadlines.last_closed_month(year, today)
    if month is not None:
        month = min(month, up_to)
    if programs is None:
        programs = _programs_with_headline()
    programs = [p for p in programs if _headline(p)]
    if month is None:
        return None, []
    if regency_codes is None:
        regency_codes = list(Regency.objects.real().values_list("code", flat=True))
    if obligations is None:
        obligations = Obligations.load(programs=programs)
    # One row per real regency and program: at most 17 x programs rows.
    reports = _COUNTED_REPORTS.rows(year=year, month=month)
    reported = {(program_id, code) for program_id, code, _status in reports}
    obliged = {
        p.pk: {
            c
            for c in regency_codes
            if obligations.required(c, p.pk, year, month, reported=(p.pk, c) in reported)
        }
        for p in programs
    }
    counts = {p.pk: {"submitted": 0, "verified": 0} for p in programs}
    for program_id, regency_code, status in reports:
        if program_id in counts and regency_code in obliged[program_id]:
            counts[program_id]["submitted"] += 1
            if status == MonthlyReport.Status.VERIFIED:
                counts[program_id]["verified"] += 1
    summary = [
        CompletenessSummary(
            program=p,
            expected=len(obliged[p.pk]),
            submitted=counts.get(p.pk, {}).get("submitted", 0),
            verified=counts.get(p.pk, {}).get("verified", 0),
        )
        for p in programs
    ]
    return month, summary


@dataclass(frozen=True)
class SummaryLine:
    """One program on the one-page meeting summary."""

    card: ProgramCard
    behind: list[Regency]
    completeness: CompletenessSummary | None


def has_demo_data(*, year: int) -> bool:
    """Whether any target or report of `year` is demo data (the printout says so)."""
    return (
        MonthlyReport.objects.filter(year=year, is_demo=True).exists()
        or Target.objects.filter(year=year, is_demo=True).exists()
    )


def meeting_summary(
    *, year: int, month: int, verified_only: bool, today: dt.date | None = None
) -> tuple[list[SummaryLine], int | None]:
    """Every program's headline figure, status, regencies behind and completeness of the
    last closed month, from the overview's one progress computation."""
    page = overview_page(year=year, month=month, verified_only=verified_only, today=today)
    completeness_of = {c.program.pk: c for c in page.completeness}
    behind_of: dict[int, list[Regency]] = {}
    for row in sorted(page.board.rows, key=lambda r: r.regency.code):
        if row.regency.is_synthetic:
            continue
        for program in row.behind_programs:
            behind_of.setdefault(program.pk, []).append(row.regency)
    lines = [
        SummaryLine(card, behind_of.get(card.program.pk, []), completeness_of.get(card.program.pk))
        for card in page.cards
    ]
    return lines, page.closed_month


# --- Program page ---------------------------------------------------------------------


@dataclass(frozen=True)
class RegencyProgressRow:
    regency: RegencyName
    progress: Progress
    report_month: int | None
    report_status: str | None
    report_on_time: bool | None
    required: bool = True  # False: exempt from this indicator this month ("tidak wajib")
    # Months of the program up to the page's month whose report is due (its due date
    # passed, the regency obliged) yet not submitted (not verified, for visitors without
    # a role): the completeness grid's due minus submitted. None: no month was due.
    missing: int | None = None

    @property
    def report_status_label(self) -> str:
        return MonthlyReport.Status(self.report_status).label if self.report_status else ""

    @property
    def shown_status(self) -> tuple[str, str]:
        """(status, label) for bars, map and table: an exempt regency is "tidak wajib",
        never ranked behind or on track (as on the overview's scorecard)."""
        return self.progress.shown_status(required=self.required)


# The program table's months due without a report (RegencyProgressRow.missing), named
# and explained once for the page and its export, in the completeness page's words:
# officials count submitted reports, visitors without a role verified ones.
MISSING_HEADER = _("Bulan belum diajukan")
MISSING_HEADER_PUBLIC = _("Bulan belum terverifikasi")
MISSING_NOTE = _(
    "Bulan belum diajukan: bulan yang sudah jatuh tempo s.d. %(month)s tetapi belum ada "
    "laporan yang diajukan (draf dan laporan yang dikembalikan dihitung belum diajukan); "
    "bulan yang tidak wajib tidak dihitung."
)
MISSING_NOTE_PUBLIC = _(
    "Bulan belum terverifikasi: bulan yang sudah jatuh tempo s.d. %(month)s tetapi belum "
    "ada laporan yang terverifikasi; bulan yang tidak wajib tidak dihitung."
)


@dataclass(frozen=True)
class SourceRow:
    label: str
    category: str
    is_partner: bool
    value: Decimal


@dataclass(frozen=True)
class SplitRow:
    label: str
    planned: Decimal
    realized: Decimal


@dataclass
class ProgramPage:
    program: Program
    indicators: list[Indicator]
    indicator: Indicator | None
    province: Progress | None = None
    rows: list[RegencyProgressRow] = field(default_factory=list)
    allocated: Decimal | None = None
    unallocated: Decimal | None = None  # never negative: see over_allocated
    # Allocations stored above the province target (the admin refuses new ones): by how much.
    over_allocated: Decimal | None = None
    series: list[SeriesPoint] = field(default_factory=list)
    # The same months of the previous year: its year to date at each month (the key
    # figure), and its line, which stops at its last month with figures.
    previous_series: list[SeriesPoint] = field(default_factory=list)
    previous_line: list[SeriesPoint] = field(default_factory=list)
    sources: list[SourceRow] = field(default_factory=list)
    splits: list[SplitRow] = field(default_factory=list)
    month: int = 12  # the month the figures and `missing` count up to
    public: bool = False  # rows' `missing` count verified reports only (no role)

    @property
    def missing_header(self) -> str:
        return str(MISSING_HEADER_PUBLIC if self.public else MISSING_HEADER)

    @property
    def missing_note(self) -> str:
        note = MISSING_NOTE_PUBLIC if self.public else MISSING_NOTE
        return note % {"month": formats.month_label(self.month)}

    @property
    def previous_value(self) -> Decimal | None:
        """The province's year-to-date value at the same month of the previous year."""
        return self.previous_series[-1].value if self.previous_series else None

    @property
    def trend_rows(self) -> list[tuple[SeriesPoint, Decimal | None]]:
        previous = {p.month: p.value for p in self.previous_line}
        return [(point, previous.get(point.month)) for point in self.series]


_REPORTABLE_PROGRAMS = CompiledModelQuery(
    Program, lambda: Program.objects.filter(active=True, indicators__isnull=False).distinct()
)


def programs_with_indicators() -> list[Program]:
    """Active programs that have at least one indicator (what can be reported on)."""
    return _REPORTABLE_PROGRAMS.instances()


_INDICATOR_FIELDS = [field.attname for field in Indicator._meta.concrete_fields]
_PROGRAM_FIELDS = [field.attname for field in Program._meta.concrete_fields]
# An active program's indicators with the program's own columns joined on.
_INDICATORS_OF = CompiledQuery(
    lambda slug: Indicator.objects.filter(program__slug=slug, program__active=True).values_list(
        *_INDICATOR_FIELDS, *(f"program__{name}" for name in _PROGRAM_FIELDS)
    ),
    slug="str",
)


def program_with_indicators(slug: str) -> Program | None:
    """An active program with `indicator_list`, in one query: its indicators with the
    program joined (the program alone when it has no indicator)."""
    rows = _INDICATORS_OF.rows(slug=slug)
    if rows:
        alias, split = Indicator.objects.db, len(_INDICATOR_FIELDS)
        program = Program.from_db(alias, _PROGRAM_FIELDS, rows[0][split:])
        indicators = []
        for row in rows:
            indicator = Indicator.from_db(alias, _INDICATOR_FIELDS, row[:split])
            indicator.program = program  # one instance, as select_related and a prefetch give
            indicators.append(indicator)
    else:
        indicators = []
        program = Program.objects.filter(slug=slug, active=True).first()
        if program is None:
            return None
    program.indicator_list = indicators
    return program


def pick_indicator(program: Program, code: str | None) -> Indicator | None:
    indicators = program.indicator_list
    chosen = [i for i in indicators if i.code == code]
    headline = [i for i in indicators if i.is_headline]
    return (chosen or headline or indicators or [None])[0]


_REGENCY_NAMES = CompiledQuery(lambda: Regency.objects.values_list("code", "name", "is_synthetic"))


def program_page_for(*, slug: str, filters) -> ProgramPage | None:
    """The program page for a slug and the page's filters (None: no such program); the
    page and its table export read the same figures through here."""
    program = program_with_indicators(slug)
    if program is None:
        return None
    return program_page(
        program=program,
        indicator_code=filters.indicator,
        year=filters.year,
        month=filters.month,
        verified_only=filters.verified_only,
        public=filters.forced_verified,
    )


def program_page(
    *,
    program: Program,
    indicator_code: str | None,
    year: int,
    month: int,
    verified_only: bool,
    today: dt.date | None = None,
    public: bool = False,
) -> ProgramPage:
    """The program page's figures for one indicator. Each regency's row has its latest
    report up to `month` (the latest verified one when only verified data is shown:
    anonymous visitors never see internal states) and how many months due by then were
    not submitted, counted as the completeness grid counts them (`public`: not verified).
    The reports come from the grid's one query (`reporting_states`), which also reads the
    exemptions; the regencies are plain rows, not model instances."""
    today = today or timezone.localdate()
    indicator = pick_indicator(program, indicator_code)
    page = ProgramPage(
        program=program,
        indicators=program.indicator_list,
        indicator=indicator,
        month=month,
        public=public,
    )
    if indicator is None:
        return page
    regencies = [RegencyName(*row) for row in _REGENCY_NAMES.rows()]
    table = progress_table(
        indicators=[indicator],
        year=year,
        month=month,
        regency_codes=[r.code for r in regencies],
        verified_only=verified_only,
        today=today,
    )
    page.province = table.province(indicator.pk)
    states = reporting_states(
        regency_codes=None, programs=[program], year=year, today=today, public=public
    )
    obligations = states.obligations
    shown = (MonthlyReport.Status.VERIFIED,) if verified_only else None
    months = list(range(1, month + 1))
    rows = []
    for regency in regencies:
        report_month, status, on_time = states.latest(
            regency.code, program.pk, month, statuses=shown
        )
        due, submitted, _on_time = tally(states.row(regency.code, program.pk, months))
        rows.append(
            RegencyProgressRow(
                regency=regency,
                progress=table.regency(indicator.pk, regency.code),
                report_month=report_month,
                report_status=status,
                report_on_time=on_time,
                required=obligations.indicator_required(regency.code, indicator, year, month),
                missing=due - submitted if due else None,
            )
        )
    # Exempt regencies last: their figures are listed, not ranked.
    page.rows = sorted(
        rows,
        key=lambda row: (
            not row.required,
            row.progress.achievement is None,
            -(row.progress.achievement or 0),
        ),
    )
    # The table read every regency's target and the province's: no second read.
    province_target = table.targets.get((indicator.pk, None))
    if province_target and indicator.measure in (
        Indicator.Measure.INCREMENT,
        Indicator.Measure.RUNNING_TOTAL,
    ):
        page.allocated = sum(
            (t.value for (_pk, code), t in table.targets.items() if code is not None),
            Decimal(0),
        )
        remainder = province_target.value - page.allocated
        if remainder < 0:
            page.over_allocated = -remainder
        else:
            page.unallocated = remainder
    # This year against its target path, and the same months of the year before.
    series = ytd.monthly_series(
        indicator=indicator,
        years=[year, year - 1],
        month=month,
        targets={year: province_target},
        verified_only=verified_only,
    )
    # The actual lines stop at the last month with figures; the target path goes on.
    until = _line_until(year, page.province.latest_month if page.province else None, today)
    page.series = _figures_until(series[year], until)
    page.previous_series = series[year - 1]
    previous_latest = ytd.latest_month(
        indicator=indicator, year=year - 1, month=month, verified_only=verified_only
    )
    page.previous_line = _figures_until(
        series[year - 1], _line_until(year - 1, previous_latest, today)
    )
    page.sources = source_breakdown(
        indicator=indicator, year=year, month=month, verified_only=verified_only
    )
    if province_target:
        page.splits = planned_vs_realized(target=province_target, sources=page.sources)
    return page


def _line_until(year: int, latest_reported: int | None, today: dt.date | None) -> int:
    """The last month a province trend line of `year` is drawn to: this year's to its
    last month with figures (`deadlines.figures_until`); a finished year's to its last
    month with a counted report, so that a program whose reporting for that year stopped
    in June is not drawn flat through December as if every month had been reported
    without progress (its own page, and last year's line beside this year's)."""
    if year < (today or timezone.localdate()).year:
        return latest_reported or 0
    return deadlines.figures_until(year, latest_reported, today)


def _figures_until(series: list[SeriesPoint], until: int) -> list[SeriesPoint]:
    """`series` without a figure after month `until` (`deadlines.figures_until`)."""
    return [
        point if point.month <= until else replace(point, value=None, month_value=None)
        for point in series
    ]


def source_breakdown(
    *, indicator: Indicator, year: int, month: int, verified_only: bool
) -> list[SourceRow]:
    """Realization per funding source and named partner (counts only: a ratio or a level
    has no funding split). Running totals use each regency's latest month."""
    if indicator.measure not in (Indicator.Measure.INCREMENT, Indicator.Measure.RUNNING_TOTAL):
        return []

    totals = source_totals(indicator=indicator, year=year, month=month, verified_only=verified_only)
    ordered = sorted(totals, key=lambda source: (-(source.total or 0), source.order, source.name))
    return [
        SourceRow(
            label=data_word(source.name),
            category=source.category,
            is_partner=source.is_partner,
            value=source.total or Decimal(0),
        )
        for source in ordered
    ]


_SPLITS = CompiledQuery(
    lambda target: (
        TargetSplit.objects.filter(target_id=target).order_by("pk").values_list("group", "value")
    ),
    target="int",
)


def planned_vs_realized(*, target: Target, sources: list[SourceRow]) -> list[SplitRow]:
    """The target's planned split per funding group beside what was realized in it."""
    splits = _SPLITS.rows(target=target.pk)
    if not splits:
        return []
    realized: dict[str, Decimal] = {}
    for source in sources:
        group = SPLIT_GROUP_OF_CATEGORY[FundingSource.Category(source.category)]
        realized[group] = realized.get(group, Decimal(0)) + source.value
    rows = [
        SplitRow(
            label=TargetSplit.Group(group).label, planned=value, realized=realized.pop(group, 0)
        )
        for group, value in splits
    ]
    rest = sum(realized.values(), Decimal(0))
    if rest:
        rows.append(SplitRow(label=_("Lainnya / tidak dirinci"), planned=Decimal(0), realized=rest))
    return rows


# --- Regency page ---------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorComparison:
    indicator: Indicator
    regency: Progress
    province: Progress
    trend: list[tuple[int, Decimal | None]]
    required: bool = True  # False: the regency is exempt from it that month ("tidak wajib")

    @property
    def shown_status(self) -> tuple[str, str]:
        """The regency's (status, label) as its page and export show it: "tidak wajib"
        where it is exempt, as on the program page, the scorecard and the API."""
        return self.regency.shown_status(required=self.required)


@dataclass(frozen=True)
class ProgramBlock:
    program: Program
    indicators: list[IndicatorComparison]


@dataclass(frozen=True)
class StatusCell:
    month: int
    state: str
    label: str
    on_time: bool | None = None  # first submitted by the due date (None: never submitted)
    # Whether the month counts in completeness and timeliness rates: required, and its
    # due date passed. A report sent (or returned) before then shows, counting nowhere,
    # so that every regency is judged on the same months on a given day.
    counted: bool = False


@dataclass(frozen=True)
class RegencyPage:
    regency: Regency
    blocks: list[ProgramBlock]
    matrix: list[tuple[Program, list[StatusCell]]]
    months: list[int]


def regency_page_for(*, code: str, filters) -> RegencyPage | None:
    """The regency page for a Kemendagri code and the page's filters (None: no such
    regency); the page and its table export read the same figures through here."""
    regency = Regency.objects.filter(code=code).first()
    if regency is None:
        return None
    return regency_page(
        regency=regency,
        year=filters.year,
        month=filters.month,
        verified_only=filters.verified_only,
        public=filters.forced_verified,
    )


def regency_page(
    *,
    regency: Regency,
    year: int,
    month: int,
    verified_only: bool,
    today: dt.date | None = None,
    public: bool = False,
) -> RegencyPage:
    today = today or timezone.localdate()
    programs = list(
        Program.objects.filter(active=True).prefetch_related(
            Prefetch(
                "indicators",
                queryset=Indicator.objects.select_related("program"),
                to_attr="indicator_list",
            )
        )
    )
    indicators = [i for p in programs for i in p.indicator_list]
    table = progress_table(
        indicators=indicators,
        year=year,
        month=month,
        regency_codes=[regency.code],
        verified_only=verified_only,
        today=today,
    )
    trends = regency_trends(
        regency=regency,
        indicators=indicators,
        year=year,
        month=month,
        verified_only=verified_only,
    )
    statuses = reporting_states(
        regency_codes=[regency.code],
        programs=programs,
        year=year,
        today=today,
        public=public,
    )
    obligations = statuses.obligations
    blocks = [
        ProgramBlock(
            program=p,
            indicators=[
                IndicatorComparison(
                    indicator=i,
                    regency=table.regency(i.pk, regency.code),
                    province=table.province(i.pk),
                    trend=trends.get(i.pk, []),
                    required=obligations.indicator_required(regency.code, i, year, month),
                )
                for i in p.indicator_list
            ],
        )
        for p in programs
    ]
    months = list(range(1, 13))
    matrix = [
        (p, [statuses[(regency.code, p.pk, m)] for m in months])
        for p in programs
        if p.indicator_list
    ]
    return RegencyPage(regency=regency, blocks=blocks, matrix=matrix, months=months)


def regency_trends(
    *,
    regency: Regency,
    indicators: list[Indicator],
    year: int,
    month: int,
    verified_only: bool,
) -> dict[int, list[tuple[int, Decimal | None]]]:
    """Each indicator's monthly value for one regency (a ratio as a percentage), one query."""

    rows = (
        Realization.objects.filter(
            indicator__in=indicators,
            report__regency=regency,
            report__year=year,
            report__month__lte=month,
            report__status__in=counted_statuses(verified_only),
        )
        .values("indicator_id", "report__month")
        .annotate(**value_sums())
        .order_by()
    )
    by_key = {(r["indicator_id"], r["report__month"]): r for r in rows}
    trends = {}
    for indicator in indicators:
        points = []
        for m in range(1, month + 1):
            row = by_key.get((indicator.pk, m))
            points.append((m, None if row is None else group_value(indicator.measure, row)))
        trends[indicator.pk] = points
    return trends


# --- Completeness ---------------------------------------------------------------------


class ReportState(models.TextChoices):
    """A month's cell on the completeness grid (derived from the report's status and
    dates; not stored)."""

    VERIFIED = "verified", _("Terverifikasi")
    ON_TIME = "on_time", _("Diajukan tepat waktu")
    LATE = "late", _("Diajukan terlambat")
    RETURNED = "returned", _("Dikembalikan")
    MISSING = "missing", _("Belum masuk")
    NOT_DUE = "not_due", _("Belum jatuh tempo")
    NOT_REQUIRED = "not_required", _("Tidak wajib")
    # What anonymous visitors see instead of internal workflow states (draft, submitted,
    # returned): only whether a month is verified.
    NOT_VERIFIED = "not_verified", _("Belum terverifikasi")


def report_state(
    *,
    year: int,
    month: int,
    status: str | None,
    on_time: bool | None,
    today: dt.date,
    public: bool = False,
) -> str:
    """A month's reporting state from its report's status and whether the report was
    first submitted on time (`deadlines.submitted_on_time`; None: never submitted)."""
    if status == MonthlyReport.Status.VERIFIED:
        return ReportState.VERIFIED
    if public:
        due = deadlines.due_date(year, month) < today
        return ReportState.NOT_VERIFIED if due else ReportState.NOT_DUE
    if status == MonthlyReport.Status.RETURNED:
        return ReportState.RETURNED
    if status == MonthlyReport.Status.SUBMITTED:
        return ReportState.ON_TIME if on_time is not False else ReportState.LATE
    if deadlines.due_date(year, month) >= today:
        return ReportState.NOT_DUE
    return ReportState.MISSING


def reporting_states(
    *,
    regency_codes: list[str] | None,
    programs: list[Program],
    year: int,
    today: dt.date,
    public: bool = False,
) -> ReportingStates:
    """State of every (regency, program, month) in `year`: one query for the reports.
    `public`: for visitors without a role, verified or not, never the internal states."""
    rows = _REPORT_STATES.rows(
        programs=[program.pk for program in programs],
        codes=regency_codes,
        cutoffs=deadlines.on_time_key(year),
    )
    # Each report as the cell kind it gives where only the launch decides what is due
    # (reported: required), per (regency, program) and month, so that a grid row looks
    # its cells up by month. The few kinds are shared: 6,000 reports (500 regencies) make
    # a few dozen tuples, not 6,000 the garbage collector keeps walking.
    found: dict[tuple[str, int], dict[int, tuple]] = {}
    kinds: dict[tuple, tuple] = {}
    for r, p, m, s, on_time in rows:
        months = found.get((r, p))
        if months is None:
            months = found[(r, p)] = {}
        kind = kinds.get((m, s, on_time))
        if kind is None:
            kind = kinds[(m, s, on_time)] = (m, s, on_time, True)
        months[m] = kind
    obligations = Obligations.load(programs=programs, regency_codes=regency_codes)
    return ReportingStates(found, obligations, year=year, today=today, public=public)


def _report_states(programs, codes, cutoffs):
    year = cutoffs[0]  # deadlines.on_time_key
    reports = MonthlyReport.objects.filter(year=year, program__in=programs, regency__isnull=False)
    if codes is not None:
        reports = reports.filter(regency_id__in=codes)
    return (
        reports.annotate(on_time=deadlines.on_time_expression(year, key=cutoffs))
        .values_list("regency_id", "program_id", "month", "status", "on_time")
        .order_by()
    )


# Every report of a year as (regency, program, month, status, on time?). Compiled once per
# `deadlines.on_time_key` (`cutoffs`): its CASE compares with that year's cut-offs.
# Building and compiling it with the ORM took longer than PostgreSQL took to answer it.
_REPORT_STATES = CompiledQuery(_report_states, programs="ints", codes="strs", cutoffs="key")


class ReportingStates:
    """`states[(regency code, program id, month)]` -> StatusCell, and `row()` for a
    grid's row at once. Built by `reporting_states`.

    Cells are immutable and follow from (month, status, on time?, required?): a grid of
    500 regencies (6,000 cells) goes through the state rules, and translates the label,
    once per combination."""

    def __init__(self, found, obligations: Obligations, *, year, today, public):
        # found: (regency, program) -> month -> (month, status, on time?, True)
        self._found, self._obligations = found, obligations
        self._year, self._today, self._public = year, today, public
        self._cells: dict[tuple[int, str | None, bool | None, bool], StatusCell] = {}
        self._absent: dict[int, dict[int, tuple]] = {}  # first month due -> month -> kind

    @property
    def obligations(self) -> Obligations:
        """The exemptions and launch dates the states were judged by (no second read)."""
        return self._obligations

    def latest(
        self,
        regency_code: str,
        program_id: int,
        up_to: int,
        *,
        statuses: tuple[str, ...] | None = None,
    ) -> tuple[int | None, str | None, bool | None]:
        """(month, status, first submitted on time?) of the regency's latest report of
        the program up to month `up_to`, in any status (drafts too) or in `statuses`
        only; (None, None, None) when there is none."""
        found = self._found.get((regency_code, program_id))
        if found:
            for month in range(up_to, 0, -1):
                kind = found.get(month)
                if kind is not None and (statuses is None or kind[1] in statuses):
                    return kind[0], kind[1], kind[2]
        return None, None, None

    def __getitem__(self, key: tuple[str, int, int]) -> StatusCell:
        regency_code, program_id, month = key
        reported = self._found.get((regency_code, program_id), {}).get(month)
        _month, status, on_time, _reported = reported or (month, None, None, False)
        required = self._obligations.required(
            regency_code, program_id, self._year, month, reported=status is not None
        )
        kind = (month, status, on_time, required)
        return self._cells.get(kind) or self._make_cell(kind)

    def row(self, regency_code: str, program_id: int, months: list[int]) -> list[StatusCell]:
        """The cells of one regency and program for `months`. A regency without
        exemption rows for the program (the usual case) skips the per-cell check: a month
        is due from the launch on, or when reported anyway. At 500 regencies this loop
        runs 6,000 times a page."""
        if self._obligations.has_exemptions(regency_code, program_id):
            return [self[(regency_code, program_id, m)] for m in months]
        first_due = self._obligations.first_month_due(program_id, self._year)
        absent = self._absent.get(first_due)
        if absent is None:  # a month without a report: due from the launch on
            absent = self._absent[first_due] = {
                m: (m, None, None, m >= first_due) for m in range(1, 13)
            }
        found = self._found.get((regency_code, program_id))
        if found is None:  # nothing reported this year
            found = absent
        cells, make = self._cells.get, self._make_cell
        out = []
        for month in months:
            kind = found.get(month) or absent[month]
            out.append(cells(kind) or make(kind))
        return out

    def _make_cell(self, kind: tuple[int, str | None, bool | None, bool]) -> StatusCell:
        month, status, on_time, required = kind
        state = ReportState.NOT_REQUIRED
        if required:
            state = report_state(
                year=self._year,
                month=month,
                status=status,
                on_time=on_time,
                today=self._today,
                public=self._public,
            )
        shown_on_time = None if self._public and state != ReportState.VERIFIED else on_time
        label = formats.choice_label(ReportState(state))
        counted = required and deadlines.due_date(self._year, month) < self._today
        cell = self._cells[kind] = StatusCell(month, state, label, shown_on_time, counted)
        return cell


class _Rates:
    """Completeness and on-time rates in percent of the reports already due."""

    due: int
    submitted: int
    on_time: int

    @property
    def rate(self) -> Decimal | None:
        return share(self.submitted, self.due)

    @property
    def on_time_rate(self) -> Decimal | None:
        return share(self.on_time, self.due)


def share(count: int, due: int) -> Decimal | None:
    """`count` in percent of `due` (None when nothing is due)."""
    return Decimal(count) / due * 100 if due else None


class RegencyName(NamedTuple):
    """All a big table shows of a regency (500 model instances cost more than their rows)."""

    code: str
    name: str
    is_synthetic: bool = False


@dataclass(frozen=True)
class CompletenessRow(_Rates):
    regency: RegencyName
    cells: list[StatusCell]
    due: int
    submitted: int
    on_time: int


@dataclass(frozen=True)
class CompletenessGrid(_Rates):
    program: Program
    months: list[int]
    rows: list[CompletenessRow]
    due: int
    submitted: int
    on_time: int
    public: bool = False  # counts verified reports only (for visitors without a role)


SUBMITTED_STATES = {ReportState.VERIFIED, ReportState.ON_TIME, ReportState.LATE}


def tally(cells: list[StatusCell]) -> tuple[int, int, int]:
    """(due, submitted, on time) over a row's cells: the months that count (required,
    due date passed; `StatusCell.counted`), those with a submitted report (a verified
    one for visitors without a role: the only submitted state they are shown), and
    those first submitted by their due date. A returned or draft report is not
    submitted. The completeness grid's rates and the program page's missing months both
    count through here."""
    due = submitted = on_time = 0
    submitted_states = SUBMITTED_STATES
    for cell in cells:
        if not cell.counted:
            continue
        due += 1
        if cell.state in submitted_states:
            submitted += 1
            on_time += bool(cell.on_time)
    return due, submitted, on_time


@dataclass(frozen=True)
class CompletenessPage:
    programs: list[Program]  # the tabs
    chosen: Program | None  # None: no program has an indicator yet
    grid: CompletenessGrid | None


def completeness_page_for(*, filters) -> CompletenessPage:
    """The completeness page for the page's filters (?program=<slug>, the first program
    by default); the page and its export read the same grid through here."""
    programs = programs_with_indicators()
    chosen = next((p for p in programs if p.slug == filters.program), None)
    chosen = chosen or (programs[0] if programs else None)
    grid = None
    if chosen is not None:
        grid = completeness_grid(
            program=chosen,
            year=filters.year,
            month=filters.month,
            public=filters.forced_verified,
        )
    return CompletenessPage(programs=programs, chosen=chosen, grid=grid)


def completeness_grid(
    *,
    program: Program,
    year: int,
    month: int = 12,
    today: dt.date | None = None,
    public: bool = False,
) -> CompletenessGrid:
    """Regency x month reporting states for one program, January to `month`, with rates
    per regency and overall over those months. A month counts as due once its due date
    has passed. `public`: verified or not only (the rate is then the share of due months
    already verified)."""
    today = today or timezone.localdate()
    # All the grid shows of a regency; 500 rows as model instances cost more than the
    # cells beside them.
    regencies = [RegencyName(*row) for row in _REGENCY_NAMES.rows()]
    states = reporting_states(
        regency_codes=None, programs=[program], year=year, today=today, public=public
    )
    months = list(range(1, month + 1))
    rows = []
    program_id = program.pk
    for regency in regencies:
        cells = states.row(regency.code, program_id, months)
        rows.append(CompletenessRow(regency, cells, *tally(cells)))
    return CompletenessGrid(
        program=program,
        months=months,
        rows=rows,
        due=sum(r.due for r in rows),
        submitted=sum(r.submitted for r in rows),
        on_time=sum(r.on_time for r in rows),
        public=public,
    )
