"""The maintained year-to-date table: `compute_progress`'s groups, precomputed.

`ProgressYTD` holds, per indicator, regency ("" = province), year, as-of month (1-12) and
view (verified only / provisional), the aggregate `compute_progress` would build from the
realizations — sum of months for increments, the latest month for the other measures,
the regencies' sum for the province (its own entry for levels). `ProgressSourceYTD` is
the same per funding source for the source breakdown. Targets, expected values and
statuses are not stored: they depend on targets and today, and are applied on reading
(`progress_table`) by the very function `compute_progress` uses, so the two cannot drift.

How it stays right, whatever writes:
- Triggers on reports and realizations (and indicators) record each (regency, program,
  year) a write touches in `ProgressDirty`, in the write's own transaction — services,
  admin, import, management commands and raw SQL alike.
- `flush()` rebuilds the dirty slices (one regency's rows from its realizations, then the
  program's province rows from the regency rows) and empties the dirty list. Services
  call it at the end of their transaction, so their writes commit with the table
  rebuilt; every read calls it first, so a write from anywhere else is picked up by the
  next reader (an empty dirty list costs one indexed query).
- `python manage.py rebuild_progress` rebuilds everything.

`compute_progress` stays the reference; tests compare both for every measure, month and
view after random writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from contextvars import ContextVar
from decimal import Decimal
from functools import wraps
from typing import NamedTuple

from django.db import transaction
from django.db.models import Max, Sum

from programs.compiled import CompiledQuery
from programs.models import (
    FundingSource,
    Indicator,
    MonthlyReport,
    Program,
    ProgressDirty,
    ProgressSourceYTD,
    ProgressYTD,
    Realization,
    Target,
)
from programs.progress import (
    MonthStep,
    ProgressTable,
    SeriesPoint,
    as_of_date,
    combined_value,
    loaded_indicators,
    merge_groups,
    progress_table_of,
    series_points,
    sql_add,
    targets_by_place,
)

Measure = Indicator.Measure
SUBMITTED = MonthlyReport.Status.SUBMITTED
VERIFIED = MonthlyReport.Status.VERIFIED
PROVINCE = ""
WHOLE_PROGRAM = "*"

# --- Triggers that mark dirty slices ---------------------------------------------------

_SLICE_OF_REPORT = (
    "INSERT INTO programs_progressdirty (regency_code, program_id, year) "
    "SELECT coalesce(r.regency_id, ''), r.program_id, r.year "
    "FROM programs_monthlyreport r WHERE r.id = {ref}.report_id"
)
_SLICE_OF_ROW = (
    "INSERT INTO programs_progressdirty (regency_code, program_id, year) "
    "VALUES (coalesce({ref}.regency_id, ''), {ref}.program_id, {ref}.year)"
)
_WHOLE_PROGRAM = (
    "INSERT INTO programs_progressdirty (regency_code, program_id, year) "
    "VALUES ('*', {ref}.program_id, 0)"
)
_MARKERS = {
    "programs_realization": _SLICE_OF_REPORT,
    "programs_monthlyreport": _SLICE_OF_ROW,
    "programs_indicator": _WHOLE_PROGRAM,
}


def dirty_trigger_sql(vendor: str) -> list[str]:
    """(Re)create the row-level triggers that record dirty slices."""
    statements = []
    for table, insert in _MARKERS.items():
        name = f"{table}_ytd_dirty"
        if vendor == "postgresql":
            body = []
            for ref, skip in (("OLD", "INSERT"), ("NEW", "DELETE")):
                body.append(
                    f"IF TG_OP <> '{skip}' THEN "
                    f"{insert.format(ref=ref)} ON CONFLICT DO NOTHING; END IF;"
                )
            statements += [
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN {' '.join(body)} RETURN NULL; END $$",
                f'DROP TRIGGER IF EXISTS {name} ON "{table}"',
                f'CREATE TRIGGER {name} AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
                f"FOR EACH ROW EXECUTE FUNCTION {name}()",
            ]
        elif vendor == "sqlite":
            for event, refs in (
                ("INSERT", ["NEW"]),
                ("UPDATE", ["OLD", "NEW"]),
                ("DELETE", ["OLD"]),
            ):
                trigger = f"{name}_{event.lower()}"
                inserts = " ".join(
                    insert.format(ref=ref).replace("INSERT INTO", "INSERT OR IGNORE INTO", 1) + ";"
                    for ref in refs
                )
                statements += [
                    f'DROP TRIGGER IF EXISTS "{trigger}"',
                    f'CREATE TRIGGER "{trigger}" AFTER {event} ON "{table}" BEGIN {inserts} END',
                ]
        else:
            raise NotImplementedError(vendor)
    return statements


def drop_dirty_trigger_sql(vendor: str) -> list[str]:
    statements = []
    for table in _MARKERS:
        name = f"{table}_ytd_dirty"
        if vendor == "postgresql":
            statements += [
                f'DROP TRIGGER IF EXISTS {name} ON "{table}"',
                f"DROP FUNCTION IF EXISTS {name}()",
            ]
        else:
            statements += [
                f'DROP TRIGGER IF EXISTS "{name}_{event}"'
                for event in ("insert", "update", "delete")
            ]
    return statements


# --- Rebuilding ------------------------------------------------------------------------


def _rebuild_slices(*, program_id: int, year: int, codes: set[str] | None, measures: dict) -> None:
    """Rebuild the rows of some regencies of a program and year (all when `codes` is
    None; "" = the province's own entries, read by level indicators only) from their
    counted realizations: one grouped query, whatever the number of regencies."""
    from django.db.models import Q

    level_ids = [pk for pk, m in measures.items() if m == Measure.LEVEL]
    ytd_rows = ProgressYTD.objects.filter(program_id=program_id, year=year)
    source_rows = ProgressSourceYTD.objects.filter(program_id=program_id, year=year)
    realizations = Realization.objects.filter(
        report__program_id=program_id,
        report__year=year,
        report__status__in=(SUBMITTED, VERIFIED),
        indicator_id__in=list(measures),
    ).order_by()
    # compute_progress reads the province's own entries for levels only.
    own_entries = Q(report__regency__isnull=True, indicator_id__in=level_ids)
    if codes is None:
        realizations = realizations.filter(Q(report__regency__isnull=False) | own_entries)
    else:
        regency_codes = [code for code in codes if code != PROVINCE]
        wanted = Q(report__regency_id__in=regency_codes)
        if PROVINCE in codes:
            wanted |= own_entries
        realizations = realizations.filter(wanted)
        ytd_rows = ytd_rows.filter(regency_code__in=codes)
        source_rows = source_rows.filter(regency_code__in=codes)
    ytd_rows.delete()
    source_rows.delete()
    grouped = realizations.values(
        "report__regency_id", "indicator_id", "report__month", "report__status", "funding_source_id"
    ).annotate(total=Sum("value"), num=Sum("numerator"), den=Sum("denominator"))

    # cells[(regency, indicator)][verified_only][month] = (group, {source: total})
    cells: dict[tuple[str, int], dict[bool, dict[int, tuple[dict, dict]]]] = {}
    for row in grouped:
        status = row["report__status"]
        group = {
            "total": row["total"],
            "num": row["num"],
            "den": row["den"],
            "last": row["report__month"],
            "provisional": 1 if status == SUBMITTED else 0,
        }
        code = row["report__regency_id"] or PROVINCE
        views = (False, True) if status == VERIFIED else (False,)
        for verified_only in views:
            months = cells.setdefault((code, row["indicator_id"]), {}).setdefault(verified_only, {})
            month_group, sources = months.get(row["report__month"], (None, {}))
            month_group = merge_groups(month_group, group)
            source = row["funding_source_id"]
            sources[source] = sql_add(sources.get(source), row["total"])
            months[row["report__month"]] = (month_group, sources)

    new_rows, new_source_rows = [], []
    for (regency_code, indicator_id), views in cells.items():
        measure = measures[indicator_id]
        for verified_only, months in views.items():
            running: dict | None = None
            running_sources: dict[int, Decimal | None] = {}
            latest: tuple[dict, dict] | None = None
            for month in range(1, 13):
                if month in months:
                    group, sources = months[month]
                    latest = (group, sources)
                    if measure == Measure.INCREMENT:
                        running = merge_groups(dict(running) if running else None, group)
                        for source, total in sources.items():
                            running_sources[source] = sql_add(running_sources.get(source), total)
                if latest is None:
                    continue
                if measure == Measure.INCREMENT:
                    group, sources = running, running_sources
                else:
                    group, sources = latest
                common = {
                    "program_id": program_id,
                    "indicator_id": indicator_id,
                    "regency_code": regency_code,
                    "year": year,
                    "month": month,
                    "verified_only": verified_only,
                }
                new_rows.append(ProgressYTD(**common, **group))
                if regency_code != PROVINCE and measure in (
                    Measure.INCREMENT,
                    Measure.RUNNING_TOTAL,
                ):
                    new_source_rows += [
                        ProgressSourceYTD(**common, funding_source_id=source, total=total)
                        for source, total in sources.items()
                    ]
    ProgressYTD.objects.bulk_create(new_rows, batch_size=2000)
    ProgressSourceYTD.objects.bulk_create(new_source_rows, batch_size=2000)


def _rebuild_province_sums(*, program_id: int, year: int, measures: dict) -> None:
    """The province rows of the measures that add regencies up: the sum of the table's
    regency rows (levels keep the province's own entry, rebuilt with slice "")."""
    summed = [pk for pk, m in measures.items() if m != Measure.LEVEL]
    ProgressYTD.objects.filter(
        program_id=program_id, year=year, regency_code=PROVINCE, indicator_id__in=summed
    ).delete()
    sums = (
        ProgressYTD.objects.filter(program_id=program_id, year=year, indicator_id__in=summed)
        .exclude(regency_code=PROVINCE)
        .values("indicator_id", "month", "verified_only")
        .annotate(
            sum_total=Sum("total"),
            sum_num=Sum("num"),
            sum_den=Sum("den"),
            max_last=Max("last"),
            max_provisional=Max("provisional"),
        )
        .order_by()
    )
    ProgressYTD.objects.bulk_create(
        [
            ProgressYTD(
                program_id=program_id,
                indicator_id=row["indicator_id"],
                regency_code=PROVINCE,
                year=year,
                month=row["month"],
                verified_only=row["verified_only"],
                total=row["sum_total"],
                num=row["sum_num"],
                den=row["sum_den"],
                last=row["max_last"],
                provisional=row["max_provisional"],
            )
            for row in sums
        ],
        batch_size=1000,
    )


def _measures(program_id: int) -> dict[int, str]:
    return dict(Indicator.objects.filter(program_id=program_id).values_list("pk", "measure"))


def rebuild_program(program_id: int, years: Iterable[int] | None = None) -> None:
    """Rebuild every slice of a program (all years when `years` is None)."""
    measures = _measures(program_id)
    if years is None:
        ProgressYTD.objects.filter(program_id=program_id).delete()
        ProgressSourceYTD.objects.filter(program_id=program_id).delete()
        reports = MonthlyReport.objects.filter(program_id=program_id).order_by()
        years = set(reports.values_list("year", flat=True).distinct())
    for year in sorted(years):
        _rebuild_slices(program_id=program_id, year=year, codes=None, measures=measures)
        _rebuild_province_sums(program_id=program_id, year=year, measures=measures)


def rebuild_all() -> None:
    with transaction.atomic():
        ProgressYTD.objects.all().delete()
        ProgressSourceYTD.objects.all().delete()
        ProgressDirty.objects.all().delete()
        for program_id in Program.objects.order_by("pk").values_list("pk", flat=True):
            rebuild_program(program_id)


def maintained(service):
    """Rebuild the slices a service's writes dirtied before its transaction commits.
    Goes under @transaction.atomic, so the rebuild is part of the same transaction."""

    @wraps(service)
    def wrapper(*args, **kwargs):
        result = service(*args, **kwargs)
        flush(wait=False)  # its own programs are held already (lock_programs)
        return result

    return wrapper


# Set while a read-only view runs (`read_only`): [True] once its first reader flushed, so
# that the others skip theirs; None outside such a view (every reader flushes).
_flushed_for_reading: ContextVar[list[bool] | None] = ContextVar(
    "ytd_flushed_for_reading", default=None
)


def read_only(view):
    """A view that only reads: the table is brought up to date once, by the first reader
    the view calls, not again by the others (a dashboard reads it two to four times). A
    view that never reads it (the completeness grid) never asks whether anything is
    dirty."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        token = _flushed_for_reading.set([False])
        try:
            return view(*args, **kwargs)
        finally:
            _flushed_for_reading.reset(token)

    return wrapper


def _flush_for_reading() -> None:
    flushed = _flushed_for_reading.get()
    if flushed and flushed[0]:
        return  # an earlier reader of this view brought the table up to date
    flush()
    if flushed is not None:
        flushed[0] = True


_ANY_DIRTY = CompiledQuery(lambda: ProgressDirty.objects.order_by().values_list("pk")[:1])


def lock_programs(program_ids, *, wait: bool = True) -> set[int]:
    """Lock programs' rows until the transaction ends, in primary-key order; returns the
    ids locked (without `wait`, a program another transaction holds is skipped).

    Every writer takes its programs first (this, waiting), then its reports, then at the
    end rebuilds the dirty markers of the programs it holds or can take at once (`flush`
    without waiting). A writer never waits for a program while holding another's reports
    or programs out of order, so two verifiers approving reports of two programs in
    opposite orders, or a return beside a bulk verification, wait for each other instead
    of deadlocking. FOR NO KEY UPDATE: rows referring to the program (a new report) can
    still be written meanwhile."""
    ids = sorted(set(program_ids))
    if not ids:
        return set()
    locked = (
        Program.objects.select_for_update(no_key=True, skip_locked=not wait)
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return set(locked)


def flush(*, wait: bool = True) -> int:
    """Rebuild the dirty slices; returns how many there were. Cheap when none are.

    One rebuilder per program at a time: province rows are rewritten from regency rows,
    so the programs are locked before their markers. A reader waits for them (`wait`); a
    writer, which already holds its own programs, rebuilds those and any other it can take
    at once, and leaves the rest (a marker another writer's program has) to that writer
    or the next reader, who rebuilds before reading."""
    if not _ANY_DIRTY.rows():
        return 0
    with transaction.atomic():
        held = lock_programs(ProgressDirty.objects.values_list("program_id", flat=True), wait=wait)
        dirty = list(
            ProgressDirty.objects.select_for_update().filter(program_id__in=held).order_by("pk")
        )
        if not dirty:
            return 0
        whole = {d.program_id for d in dirty if d.regency_code == WHOLE_PROGRAM}
        for program_id in whole:
            rebuild_program(program_id)
        by_program_year: dict[tuple[int, int], set[str]] = {}
        for d in dirty:
            if d.program_id not in whole:
                by_program_year.setdefault((d.program_id, d.year), set()).add(d.regency_code)
        for (program_id, year), codes in sorted(by_program_year.items()):
            measures = _measures(program_id)
            _rebuild_slices(program_id=program_id, year=year, codes=codes, measures=measures)
            _rebuild_province_sums(program_id=program_id, year=year, measures=measures)
        ProgressDirty.objects.filter(pk__in=[d.pk for d in dirty]).delete()
        return len(dirty)


# --- Reading ---------------------------------------------------------------------------


def _ytd_rows(indicators, year, month, codes, verified_only):
    rows = ProgressYTD.objects.filter(
        indicator_id__in=indicators, year=year, month=month, verified_only=verified_only
    ).order_by()
    if codes is not None:
        rows = rows.filter(regency_code__in=[*codes, PROVINCE])
    return rows.values_list(
        "indicator_id", "regency_code", "total", "num", "den", "last", "provisional"
    )


# The year-to-date rows of a progress table (codes None: every regency).
_YTD_ROWS = CompiledQuery(
    _ytd_rows, indicators="ints", year="int", month="int", codes="strs", verified_only="key"
)


def progress_table(
    *,
    indicators: Iterable[Indicator],
    year: int,
    month: int = 12,
    regency_codes: Iterable[str] | None = None,
    verified_only: bool = False,
    today: dt.date | None = None,
) -> ProgressTable:
    """`compute_progress`'s answer read from the maintained table (same arguments, same
    rows): one query for the groups, one for the targets."""
    _flush_for_reading()
    indicators = loaded_indicators(indicators)
    if not indicators:
        return ProgressTable()
    by_id = {indicator.pk: indicator for indicator in indicators}
    codes = None if regency_codes is None else list(regency_codes)
    as_of = as_of_date(year=year, month=month, today=today)

    target_of = targets_by_place(indicator_ids=list(by_id), year=year, codes=codes)
    groups = {
        (indicator_id, code or None): {
            "total": total,
            "num": num,
            "den": den,
            "last": last,
            "provisional": provisional,
        }
        for indicator_id, code, total, num, den, last, provisional in _YTD_ROWS.rows(
            indicators=list(by_id), year=year, month=month, codes=codes, verified_only=verified_only
        )
    }

    return progress_table_of(
        by_id=by_id, codes=codes, groups=groups, target_of=target_of, year=year, as_of=as_of
    )


def latest_month(
    *, indicator: Indicator, year: int, month: int = 12, verified_only: bool = False
) -> int | None:
    """The latest month of `year`, up to `month`, with a counted report of `indicator`
    in the province (any regency, or the province's own for a level), None without any:
    where a finished year's trend line stops (`selectors._line_until`)."""
    _flush_for_reading()
    rows = _YTD_ROWS.rows(
        indicators=[indicator.pk], year=year, month=month, codes=[], verified_only=verified_only
    )
    return next((last for *_values, last, _provisional in rows), None)


_SERIES = CompiledQuery(
    lambda indicator, years, month, place, verified_only: ProgressYTD.objects.filter(
        indicator_id=indicator,
        year__in=years,
        month__lte=month,
        verified_only=verified_only,
        regency_code=place,
    ).values_list("year", "month", "total", "num", "den"),
    indicator="int",
    years="ints",
    month="int",
    place="str",
    verified_only="key",
)


def monthly_series(
    *,
    indicator: Indicator,
    years: Iterable[int],
    month: int = 12,
    regency_code: str | None = None,
    targets: dict[int, Target | None] | None = None,
    verified_only: bool = False,
) -> dict[int, list[SeriesPoint]]:
    """`progress.monthly_series` of several years (this year and the last, say) read
    from the maintained table in one query: each as-of month's row is the year to date
    at the end of that month, with the measure rules already applied. `targets` gives
    the target path per year (none where a year has no target)."""
    _flush_for_reading()
    years = list(years)
    rows = _SERIES.rows(
        indicator=indicator.pk,
        years=years,
        month=month,
        place=regency_code or PROVINCE,
        verified_only=verified_only,
    )
    groups = {(y, m): {"total": total, "num": num, "den": den} for y, m, total, num, den in rows}
    increment = indicator.measure == Measure.INCREMENT
    series = {}
    for year in years:
        steps = []
        before = None  # the year to date at the end of the month before
        for m in range(1, month + 1):
            group = groups.get((year, m))
            # No row: nothing reported yet this year (rows run on from the first month).
            to_date = None if group is None else combined_value(indicator.measure, [group])
            # An increment's month adds what the year to date grew by that month.
            added = to_date - (before or 0) if increment and to_date is not None else None
            steps.append(MonthStep(m, added, to_date))
            before = to_date
        target = (targets or {}).get(year)
        series[year] = series_points(indicator=indicator, year=year, steps=steps, target=target)
    return series


class SourceTotal(NamedTuple):
    name: str
    category: str
    is_partner: bool
    order: int
    total: Decimal | None


def source_totals(
    *, indicator: Indicator, year: int, month: int, verified_only: bool
) -> list[SourceTotal]:
    """Province totals per funding source (regencies added up), with what the page shows
    of each source."""
    _flush_for_reading()
    totals = dict(
        _SOURCE_SUMS.rows(
            indicator=indicator.pk, year=year, month=month, verified_only=verified_only
        )
    )
    sources = _SOURCE_NAMES.rows(ids=list(totals))
    return [SourceTotal(*source, totals[pk]) for pk, *source in sources]


_SOURCE_SUMS = CompiledQuery(
    lambda indicator, year, month, verified_only: (
        ProgressSourceYTD.objects.filter(
            indicator_id=indicator, year=year, month=month, verified_only=verified_only
        )
        .values("funding_source_id")
        .annotate(sum_total=Sum("total"))
        .order_by()
        .values_list("funding_source_id", "sum_total")
    ),
    indicator="int",
    year="int",
    month="int",
    verified_only="key",
)
_SOURCE_NAMES = CompiledQuery(
    lambda ids: FundingSource.objects.filter(pk__in=ids).values_list(
        "pk", "name", "category", "is_partner", "order"
    ),
    ids="ints",
)
