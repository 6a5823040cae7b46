"""Reads that only exports need: raw realization rows and the monthly performance matrix.

The dashboard tables are exported from the dashboard selectors themselves (so a file
always equals its page); these two add what no page shows row by row. Both run a fixed
number of queries whatever the number of regencies, months or rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from programs.models import Indicator, MonthlyReport, Program, Realization
from programs.obligations import Obligations
from programs.progress import (
    Progress,
    counted_statuses,
    month_walk,
    value_sums,
)
from programs.reporting.deadlines import figures_until
from programs.ytd import progress_table
from regencies.models import Regency

Measure = Indicator.Measure

# Rows fetched per round trip when streaming raw realizations.
CHUNK_SIZE = 2000

REALIZATION_FIELDS = (
    "report_id",
    "indicator_id",
    "report__regency_id",
    "report__regency__name",
    "report__program__slug",
    "report__program__acronym",
    "report__program__name",
    "report__program__name_en",
    "indicator__code",
    "indicator__name",
    "indicator__name_en",
    "indicator__unit",
    "report__year",
    "report__month",
    "funding_source__code",
    "funding_source__name",
    "funding_source__category",
    "value",
    "numerator",
    "denominator",
    "report__status",
    "note",
)


def realization_rows(
    *,
    user,
    year: int,
    month: int,
    verified_only: bool,
    program_slug: str | None = None,
    indicator_code: str | None = None,
) -> Iterator[dict]:
    """Realizations of counted reports (submitted and verified; verified only when asked)
    in `year` up to `month` that `user` may see, as dicts, streamed from one query.

    Drafts and returned reports are not exported: the file adds up to what the
    dashboards count. Scope follows `MonthlyReport.objects.visible_to`: an operator gets
    their regency, a verifier their programs, pimpinan and admin everything.
    """
    reports = MonthlyReport.objects.visible_to(user).filter(
        year=year, month__lte=month, status__in=counted_statuses(verified_only)
    )
    if program_slug:
        reports = reports.filter(program__slug=program_slug)
    rows = Realization.objects.filter(report__in=reports.values("pk"))
    if indicator_code:
        rows = rows.filter(indicator__code=indicator_code)
    rows = rows.order_by(
        "report__year",
        "report__month",
        "report__program__order",
        "report__regency_id",
        "indicator__order",
        "indicator__code",
        "funding_source__order",
        "funding_source__name",
    ).values(*REALIZATION_FIELDS)
    return _with_attachments(rows.iterator(chunk_size=CHUNK_SIZE), reports)


def _with_attachments(rows: Iterator[dict], reports) -> Iterator[dict]:
    """Each row gets its attachments' metadata ("name (#id)"): those tied to its
    indicator, then the report's general ones. One query, run when reading starts."""
    from collections import defaultdict

    from programs.models import Attachment

    files: dict[tuple, list[str]] = defaultdict(list)
    for a in (
        Attachment.objects.filter(report__in=reports.values("pk"))
        .order_by("pk")
        .values("pk", "report_id", "indicator_id", "original_name")
    ):
        files[(a["report_id"], a["indicator_id"])].append(f"{a['original_name']} (#{a['pk']})")
    for row in rows:
        row["attachments"] = files.get((row["report_id"], row["indicator_id"]), []) + files.get(
            (row["report_id"], None), []
        )
        yield row


# --- Indicator performance tracking -----------------------------------------------------


@dataclass(frozen=True)
class MonthFigure:
    month: int
    value: Decimal | None  # what that month's reports say (a ratio as a percentage)
    to_date: Decimal | None  # year to date at the end of the month, by the measure


@dataclass(frozen=True)
class PerformanceRow:
    regency: Regency | None  # None: the province
    progress: Progress  # as of the chosen month: target, achievement, status
    months: list[MonthFigure]
    required: bool = True  # False: exempt from the indicator that month ("tidak wajib")

    @property
    def status_label(self) -> str:
        """As the program page and its table export say it: "Tidak wajib" if exempt."""
        return self.progress.shown_status(required=self.required)[1]


@dataclass(frozen=True)
class PerformanceSheet:
    indicator: Indicator
    rows: list[PerformanceRow]  # regencies in code order, then the province


@dataclass(frozen=True)
class PerformanceBook:
    program: Program
    months: list[int]
    sheets: list[PerformanceSheet]


def _figures(measure: str, months: list[int], cells_of, until: int = 12) -> list[MonthFigure]:
    """Monthly values and year to date for one row (the rules: `progress.month_walk`).
    `cells_of(m)` gives the month's grouped entries as a dict {regency code: row}. After
    month `until` (`deadlines.figures_until`) the year to date is left empty, as the
    program page's line stops: it would only repeat the months before."""
    return [
        MonthFigure(s.month, s.value, s.to_date if s.month <= until else None)
        for s in month_walk(measure, months, cells_of)
    ]


def performance_book(
    *,
    program: Program,
    year: int,
    month: int,
    verified_only: bool,
    today: dt.date | None = None,
) -> PerformanceBook:
    """Per indicator of `program`: regencies (and the province) x months 1..`month` with
    each month's value and the year to date, plus target and achievement as of `month`
    (from `compute_progress`, so they equal the dashboards). `program` must come from
    `program_with_indicators`. Fixed number of queries."""
    indicators = list(program.indicator_list)
    months = list(range(1, month + 1))
    regencies = list(Regency.objects.all())
    if not indicators:
        return PerformanceBook(program=program, months=months, sheets=[])
    table = progress_table(
        indicators=indicators,
        year=year,
        month=month,
        regency_codes=[r.code for r in regencies],
        verified_only=verified_only,
        today=today,
    )
    grouped = (
        Realization.objects.filter(
            indicator__in=indicators,
            report__year=year,
            report__month__lte=month,
            report__status__in=counted_statuses(verified_only),
        )
        .values("indicator_id", "report__regency_id", "report__month")
        .annotate(**value_sums())
        .order_by()
    )
    # cells[(indicator id, month)] = {regency code or None: grouped row}
    cells: dict[tuple[int, int], dict[str | None, dict]] = {}
    for row in grouped:
        key = (row["indicator_id"], row["report__month"])
        cells.setdefault(key, {})[row["report__regency_id"]] = row

    obligations = Obligations.load(programs=[program])
    sheets = []
    for indicator in indicators:
        measure = indicator.measure

        def regency_cells(m, code, pk=indicator.pk):
            row = cells.get((pk, m), {}).get(code)
            return {code: row} if row else {}

        def province_cells(m, pk=indicator.pk, level=measure == Measure.LEVEL):
            month_cells = cells.get((pk, m), {})
            if level:  # a level is the province's own entry, never a sum
                return {None: month_cells[None]} if None in month_cells else {}
            return {code: row for code, row in month_cells.items() if code is not None}

        def until(progress):
            return figures_until(year, progress.latest_month, today)

        rows = []
        for regency in regencies:
            progress = table.regency(indicator.pk, regency.code)
            rows.append(
                PerformanceRow(
                    regency=regency,
                    progress=progress,
                    months=_figures(
                        measure,
                        months,
                        lambda m, c=regency.code: regency_cells(m, c),
                        until(progress),
                    ),
                    required=obligations.indicator_required(regency.code, indicator, year, month),
                )
            )
        province = table.province(indicator.pk)
        rows.append(
            PerformanceRow(
                regency=None,
                progress=province,
                months=_figures(measure, months, province_cells, until(province)),
            )
        )
        sheets.append(PerformanceSheet(indicator=indicator, rows=rows))
    return PerformanceBook(program=program, months=months, sheets=sheets)
