"""Progress of indicators against targets, and the aggregation rules everything applies.

Progress figures on dashboards, exports and the API come from `compute_progress`; month
by month figures from `month_walk` (trend, performance workbook), and a form's hints from
`history_of`. How a realization aggregates is fixed by its indicator's measure:

- increment: year to date = sum of the months; province = sum of the regencies.
- running_total: each regency's latest reported month (never a sum of months);
  province = sum of the regencies' latest values.
- ratio: each regency's latest month, as numerator / denominator; province =
  sum(numerators) / sum(denominators) over the regencies' latest months (never an
  average of percentages).
- level: each regency's latest month; never summed: the province value is the
  province's own entry (a report without regency).

The work is done in the database with grouped aggregates: the number of queries is fixed
(at most four), whatever the number of regencies, months or funding sources. Each
aggregate query reads every regency's rows once; the province figures that are sums of
regencies are added up from those per-regency groups in Python rather than read again.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.db.models import (
    Case,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programs import formats
from programs.compiled import CompiledModelQuery
from programs.models import Indicator, MonthlyReport, Realization, Target

HUNDRED = Decimal(100)
# A regency is on track while its achievement is at most this many points below expected.
ON_TRACK_TOLERANCE = Decimal(10)

Measure = Indicator.Measure


class ProgressStatus(models.TextChoices):
    """Where an indicator stands against its target (not a report's workflow status)."""

    ON_TRACK = "on_track", _("Sesuai jadwal")
    BEHIND = "behind", _("Tertinggal")
    NO_TARGET = "no_target", _("Belum ada target")
    NO_DATA = "no_data", _("Belum ada data")


NOT_REQUIRED = "not_required"  # shown instead of a ProgressStatus (`shown_status`)
# What pages, exports and the API call it: capitalised as the statuses it stands beside
# ("Tertinggal", "Sesuai jadwal") and the operators' "Tidak wajib".
NOT_REQUIRED_LABEL = _("Tidak wajib")


@dataclass(frozen=True)
class Progress:
    """Progress of one indicator for one regency, or for the province (regency_code None)."""

    indicator_id: int
    regency_code: str | None
    measure: str
    direction: str
    target: Decimal | None
    baseline: Decimal | None
    due_date: dt.date | None
    realization: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    latest_month: int | None
    provisional: bool
    achievement: Decimal | None
    expected: Decimal | None
    expected_value: Decimal | None
    status: str

    @property
    def status_label(self) -> str:
        return formats.choice_label(ProgressStatus(self.status))

    def shown_status(self, *, required: bool | None = True) -> tuple[str, str]:
        """(status, label) as the pages, exports and the API show them: a regency exempt
        from the indicator that month (`required` False) is "tidak wajib", never ranked
        behind or on track."""
        if required is False:
            return NOT_REQUIRED, str(NOT_REQUIRED_LABEL)
        return self.status, str(self.status_label)

    @property
    def remaining(self) -> Decimal | None:
        """What is left to reach an `up` target (never negative)."""
        if self.target is None or self.direction != Indicator.Direction.UP:
            return None
        return max(self.target - (self.realization or Decimal(0)), Decimal(0))


class ProgressTable(dict):
    """Progress keyed by (indicator id, regency code or None for the province).
    `targets`: the Target rows read for it, same keys (pages reuse them, no second read)."""

    targets: dict[tuple[int, str | None], Target]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.targets = {}

    def province(self, indicator_id: int) -> Progress:
        return self[(indicator_id, None)]

    def regency(self, indicator_id: int, regency_code: str) -> Progress:
        return self[(indicator_id, regency_code)]


def achievement_pct(
    *,
    direction: str,
    current: Decimal | None,
    target: Decimal | None,
    baseline: Decimal | None,
) -> Decimal | None:
    """Achievement in percent: current / target, or for `down` indicators
    (baseline - current) / (baseline - target). A `down` level may be below zero (a
    deflation, -0,09 %): with a baseline that is simply further along (above 100 %).

    A `down` indicator without a baseline has no distance to measure progress along: the
    target is reached (100 %) at or below it, and above it the achievement says how
    close it is (target / current, below 100 %). Never more than 100 %: target / current
    grew without bound as current neared zero (an inflation of 0,01 % against 2,5 % read
    25.000 %), and at or below zero it was a division by zero or a negative percentage.
    An `up` target of zero (a regency given no allocation) is reached by any figure:
    100 %, never a division by zero, nor "Belum ada data" beside the figure it has.
    Every page, export and the API read achievements from here."""
    if current is None or target is None:
        return None
    if direction == Indicator.Direction.DOWN:
        if baseline is not None and baseline != target:
            return (baseline - current) / (baseline - target) * HUNDRED
        if current <= target:
            return HUNDRED
        return target / current * HUNDRED
    if target == 0:
        return HUNDRED
    return current / target * HUNDRED


def expected_fraction(
    *, year: int, due_date: dt.date, as_of: dt.date, start: dt.date | None = None
) -> Decimal:
    """Share of the way from the start of the year (or a later launch) to the due date
    that has passed on `as_of`, counting whole days, between 0 and 1."""
    begin = dt.date(year, 1, 1)
    if start is not None and start.year == year and start > begin:
        begin = start
    if as_of < begin:
        return Decimal(0)
    if as_of >= due_date or due_date <= begin:
        return Decimal(1)
    elapsed = (as_of - begin).days + 1
    span = (due_date - begin).days + 1
    return Decimal(elapsed) / Decimal(span)


def target_path(
    *, direction: str, target: Decimal, baseline: Decimal | None, fraction: Decimal
) -> Decimal:
    """Where the value should be once `fraction` of the way to the due date has passed:
    from zero up to an `up` target, from the baseline down to a `down` target. A `down`
    target without a baseline has no path to it: the value should be at or below the
    target all along (never a line rising from zero to the target)."""
    if direction == Indicator.Direction.DOWN:
        return target if baseline is None else baseline - (baseline - target) * fraction
    return target * fraction


def status_for(
    *,
    target: Decimal | None,
    achievement: Decimal | None,
    expected: Decimal | None,
    has_data: bool,
) -> str:
    if target is None:
        return ProgressStatus.NO_TARGET
    if not has_data or achievement is None:
        return ProgressStatus.NO_DATA
    if expected is not None and achievement < expected - ON_TRACK_TOLERANCE:
        return ProgressStatus.BEHIND
    return ProgressStatus.ON_TRACK


def as_of_date(*, year: int, month: int, today: dt.date | None = None) -> dt.date:
    """The day the figures are 'as of': the end of the chosen month, never after today."""
    today = today or timezone.localdate()
    end = dt.date(year, month, calendar.monthrange(year, month)[1])
    return min(end, today)


def counted_statuses(verified_only: bool) -> tuple[str, ...]:
    if verified_only:
        return (MonthlyReport.Status.VERIFIED,)
    return tuple(MonthlyReport.COUNTED_STATUSES)


def ratio_pct(numerator: Decimal | None, denominator: Decimal | None) -> Decimal | None:
    """A ratio's value: numerator / denominator in percent (None without a denominator)."""
    if numerator is None or not denominator:
        return None
    return numerator / denominator * HUNDRED


def value_sums() -> dict:
    """The grouped sums every measure is computed from: `total` (values), `num`, `den`."""
    return {"total": Sum("value"), "num": Sum("numerator"), "den": Sum("denominator")}


def group_value(measure: str, group: dict) -> Decimal | None:
    """One group of `value_sums()` (a regency's month, say) as the measure's value."""
    if measure == Measure.RATIO:
        return ratio_pct(group["num"], group["den"])
    return group["total"]


def combined_value(measure: str, groups: Iterable[dict]) -> Decimal | None:
    """Several groups of `value_sums()` together (regencies of a month, or each regency's
    latest month): a ratio is sum(numerators) / sum(denominators), never an average of
    percentages; other measures add up. None without groups."""
    groups = list(groups)
    if not groups:
        return None
    if measure == Measure.RATIO:
        num = sum((g["num"] or Decimal(0) for g in groups), Decimal(0))
        den = sum((g["den"] or Decimal(0) for g in groups), Decimal(0))
        return ratio_pct(num, den)
    return sum((g["total"] or Decimal(0) for g in groups), Decimal(0))


@dataclass(frozen=True)
class MonthStep:
    month: int
    value: Decimal | None  # what the month's own entries say together (None: no entry)
    to_date: Decimal | None  # year to date at the end of the month (None before any entry)


def month_walk(
    measure: str, months: Iterable[int], groups_of: Callable[[int], dict]
) -> list[MonthStep]:
    """Month by month, the month's value and the year to date. `groups_of(m)` gives the
    month's `value_sums()` groups keyed by regency code (None: the province's own entry).

    increment: to date = the cumulative sum; running_total and level: the latest entry
    of each regency, added up; ratio: sum of the latest numerators / sum of the latest
    denominators. Before the first entry, to date is None."""
    steps = []
    latest: dict[str | None, dict] = {}
    cumulative = Decimal(0)
    seen = False
    for m in months:
        this_month = groups_of(m)
        latest.update(this_month)
        seen = seen or bool(this_month)
        value = combined_value(measure, this_month.values())
        if not seen:
            to_date = None
        elif measure == Measure.INCREMENT:
            cumulative += value or Decimal(0)
            to_date = cumulative
        else:
            to_date = combined_value(measure, latest.values())
        steps.append(MonthStep(m, value, to_date))
    return steps


@dataclass(frozen=True)
class History:
    """What the months before the one being entered say, for an entry form's hints and
    warnings: increments add up (year to date, monthly average); other measures keep
    their latest value."""

    ytd: Decimal = Decimal(0)
    monthly_average: Decimal | None = None
    last_value: Decimal | None = None


def history_of(measure: str, values: Iterable[Decimal | None]) -> History:
    """`History` of the earlier months' values, in month order (None: nothing entered)."""
    values = [v for v in values if v is not None]
    if not values:
        return History()
    if measure == Measure.INCREMENT:
        ytd = sum(values, Decimal(0))
        return History(ytd=ytd, monthly_average=ytd / len(values))
    return History(last_value=values[-1])


_PROVISIONAL = Max(
    Case(
        When(report__status=MonthlyReport.Status.SUBMITTED, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
)


def _aggregates():
    return {
        **value_sums(),
        "last": Max("report__month"),
        "provisional": _PROVISIONAL,
    }


def counted_realizations(*, indicator_ids, year: int, month: int, statuses) -> QuerySet:
    return Realization.objects.filter(
        indicator_id__in=indicator_ids,
        report__year=year,
        report__month__lte=month,
        report__status__in=statuses,
    ).order_by()


def latest_month_groups(base: QuerySet) -> QuerySet:
    """`_aggregates()` of each (indicator, regency)'s latest reported month, one row per
    pair: the rows are grouped by month, and a window keeps each pair's latest month.
    The same numbers as aggregating `latest_month_rows(base, regency_null=False)`, in one
    pass over the rows instead of a subquery per row."""
    pair = [F("indicator_id"), F("report__regency_id")]
    return (
        base.filter(report__regency__isnull=False)
        .values("indicator_id", "report__regency_id", "report__month")
        .annotate(**_aggregates())
        .alias(latest=Window(Max("report__month"), partition_by=pair))
        .filter(report__month=F("latest"))
    )


def sql_add(a, b):
    """SUM semantics: NULLs are skipped; all NULL stays NULL."""
    return b if a is None else a if b is None else a + b


def sql_greatest(a, b):
    """MAX semantics: NULLs are skipped; all NULL stays NULL."""
    return b if a is None else a if b is None else max(a, b)


def merge_groups(into: dict | None, row: dict) -> dict:
    """Combine two `_aggregates()` groups as if their rows had been aggregated together."""
    if into is None:
        return {key: row[key] for key in ("total", "num", "den", "last", "provisional")}
    for key in ("total", "num", "den"):
        into[key] = sql_add(into[key], row[key])
    for key in ("last", "provisional"):
        into[key] = sql_greatest(into[key], row[key])
    return into


def latest_month_rows(base: QuerySet, *, regency_null: bool) -> QuerySet:
    """Rows of each (indicator, regency)'s latest reported month only."""
    latest = base.filter(indicator_id=OuterRef("indicator_id"))
    if regency_null:
        latest = latest.filter(report__regency__isnull=True)
        rows = base.filter(report__regency__isnull=True)
    else:
        latest = latest.filter(report__regency_id=OuterRef("report__regency_id"))
        rows = base.filter(report__regency__isnull=False)
    latest = latest.order_by("-report__month").values("report__month")[:1]
    return rows.filter(report__month=Subquery(latest))


def compute_progress(
    *,
    indicators: Iterable[Indicator],
    year: int,
    month: int = 12,
    regency_codes: Iterable[str] | None = None,
    verified_only: bool = False,
    today: dt.date | None = None,
) -> ProgressTable:
    """Progress of `indicators` in `year` up to `month`, per regency and for the province.

    `indicators` must have their program loaded (select_related) when given as a list.
    Regency rows are computed for `regency_codes` (all regencies when None) and for every
    regency that has a target or data; the province row always covers all regencies.
    """
    indicators = loaded_indicators(indicators)
    if not indicators:
        return ProgressTable()
    by_id = {indicator.pk: indicator for indicator in indicators}
    codes = None if regency_codes is None else list(regency_codes)
    statuses = counted_statuses(verified_only)
    as_of = as_of_date(year=year, month=month, today=today)
    target_of = targets_by_place(indicator_ids=list(by_id), year=year, codes=codes)

    increment_ids = [i.pk for i in indicators if i.measure == Measure.INCREMENT]
    latest_ids = [i.pk for i in indicators if i.measure != Measure.INCREMENT]
    summed_ids = [i.pk for i in indicators if i.measure != Measure.LEVEL]
    level_ids = [i.pk for i in indicators if i.measure == Measure.LEVEL]

    groups: dict[tuple[int, str | None], dict] = {}
    wanted = None if codes is None else set(codes)
    summed = set(summed_ids)

    def collect_regencies(rows: Iterable[dict]) -> None:
        """Keep the wanted regencies' groups; add every regency's group to the province
        sum (increments, running totals and ratios: the province is the regencies' sum)."""
        for row in rows:
            indicator_id, code = row["indicator_id"], row["report__regency_id"]
            if wanted is None or code in wanted:
                groups[(indicator_id, code)] = row
            if indicator_id in summed:
                key = (indicator_id, None)
                groups[key] = merge_groups(groups.get(key), row)

    if increment_ids:
        base = counted_realizations(
            indicator_ids=increment_ids, year=year, month=month, statuses=statuses
        )
        base = base.filter(report__regency__isnull=False)
        collect_regencies(
            base.values("indicator_id", "report__regency_id").annotate(**_aggregates())
        )
    if latest_ids:
        base = counted_realizations(
            indicator_ids=latest_ids, year=year, month=month, statuses=statuses
        )
        # Running totals and ratios: each regency's latest month (levels too, per regency).
        collect_regencies(latest_month_groups(base))
    if level_ids:
        base = counted_realizations(
            indicator_ids=level_ids, year=year, month=month, statuses=statuses
        )
        rows = latest_month_rows(base, regency_null=True)
        for row in rows.values("indicator_id").annotate(**_aggregates()):
            groups[(row["indicator_id"], None)] = row

    return progress_table_of(
        by_id=by_id, codes=codes, groups=groups, target_of=target_of, year=year, as_of=as_of
    )


def loaded_indicators(indicators: Iterable[Indicator]) -> list[Indicator]:
    """`indicators` as a list, with their programs loaded when given as a queryset."""
    if isinstance(indicators, QuerySet):
        indicators = indicators.select_related("program")
    return list(indicators)


def _targets(indicators, year, codes):
    places = Q() if codes is None else Q(regency_id__in=codes) | Q(regency__isnull=True)
    return Target.objects.filter(places, indicator_id__in=indicators, year=year).order_by()


_TARGETS = CompiledModelQuery(Target, _targets, indicators="ints", year="int", codes="strs")


def targets_by_place(
    *, indicator_ids: list[int], year: int, codes: list[str] | None
) -> dict[tuple[int, str | None], Target]:
    """The targets of `year` keyed like a ProgressTable: the province's, and those of the
    regencies in `codes` (every regency when None). One query."""
    targets = _TARGETS.instances(indicators=list(indicator_ids), year=year, codes=codes)
    return {(t.indicator_id, t.regency_id): t for t in targets}


def progress_table_of(
    *,
    by_id: dict[int, Indicator],
    codes: list[str] | None,
    groups: dict[tuple[int, str | None], dict],
    target_of: dict[tuple[int, str | None], Target],
    year: int,
    as_of: dt.date,
) -> ProgressTable:
    """The table from aggregated groups and targets, both keyed (indicator id, regency code
    or None): a row for every group and target, for every regency in `codes`, and the
    province's row of every indicator."""
    keys = set(groups) | set(target_of)
    if codes is not None:
        keys |= {(pk, code) for pk in by_id for code in codes}
    keys |= {(pk, None) for pk in by_id}
    table = ProgressTable()
    table.targets = target_of
    for indicator_id, regency_code in keys:
        table[(indicator_id, regency_code)] = _progress_row(
            indicator=by_id[indicator_id],
            regency_code=regency_code,
            row=groups.get((indicator_id, regency_code)),
            target=target_of.get((indicator_id, regency_code)),
            year=year,
            as_of=as_of,
        )
    return table


def _progress_row(
    *,
    indicator: Indicator,
    regency_code,
    row: dict | None,
    target: Target | None,
    year: int,
    as_of: dt.date,
) -> Progress:
    realization = numerator = denominator = None
    latest_month = None
    provisional = False
    if row is not None:
        latest_month = row["last"]
        provisional = bool(row["provisional"])
        if indicator.measure == Measure.RATIO:
            numerator, denominator = row["num"], row["den"]
            realization = ratio_pct(numerator, denominator)
        else:
            realization = row["total"]

    target_value = target.value if target else None
    baseline = target.baseline if target else None
    due_date = target.effective_due_date if target else None
    achievement = achievement_pct(
        direction=indicator.direction, current=realization, target=target_value, baseline=baseline
    )
    expected = expected_value = None
    if target is not None:
        fraction = expected_fraction(
            year=year, due_date=due_date, as_of=as_of, start=indicator.program.launch_date
        )
        expected = fraction * HUNDRED
        expected_value = target_path(
            direction=indicator.direction, target=target_value, baseline=baseline, fraction=fraction
        )
    return Progress(
        indicator_id=indicator.pk,
        regency_code=regency_code,
        measure=indicator.measure,
        direction=indicator.direction,
        target=target_value,
        baseline=baseline,
        due_date=due_date,
        realization=realization,
        numerator=numerator,
        denominator=denominator,
        latest_month=latest_month,
        provisional=provisional,
        achievement=achievement,
        expected=expected,
        expected_value=expected_value,
        status=status_for(
            target=target_value,
            achievement=achievement,
            expected=expected,
            has_data=row is not None,
        ),
    )


@dataclass(frozen=True)
class SeriesPoint:
    month: int
    value: Decimal | None  # year-to-date value as of the end of the month
    month_value: Decimal | None  # what was added that month (increment measures only)
    expected_value: Decimal | None  # the target path at the end of the month


def monthly_series(
    *,
    indicator: Indicator,
    year: int,
    month: int = 12,
    regency_code: str | None = None,
    target: Target | None = None,
    verified_only: bool = False,
) -> list[SeriesPoint]:
    """Year-to-date value at the end of each month 1..`month`, for a regency or (None)
    the province, following the indicator's measure; one grouped query.

    Running totals, ratios and levels carry each regency's latest month forward, so the
    province value in June adds up every regency's latest figure as of June.

    The reference, read from the realizations: pages read the same series from the
    maintained table (`ytd.monthly_series`), and a test holds the two equal.
    """
    rows = counted_realizations(
        indicator_ids=[indicator.pk],
        year=year,
        month=month,
        statuses=counted_statuses(verified_only),
    )
    if indicator.measure == Measure.LEVEL and regency_code is None:
        rows = rows.filter(report__regency__isnull=True)
    elif regency_code is not None:
        rows = rows.filter(report__regency_id=regency_code)
    else:
        rows = rows.filter(report__regency__isnull=False)
    # Increments only add months up: the database adds up the regencies too (12 rows
    # instead of one per regency and month). The others carry each regency forward.
    per_regency = indicator.measure != Measure.INCREMENT
    fields = ["report__regency_id", "report__month"] if per_regency else ["report__month"]
    grouped = rows.values(*fields).annotate(**value_sums())
    cells: dict[int, dict] = {}
    for row in grouped:
        regency_code = row["report__regency_id"] if per_regency else None
        cells.setdefault(row["report__month"], {})[regency_code] = row

    steps = month_walk(indicator.measure, range(1, month + 1), lambda m: cells.get(m, {}))
    return series_points(indicator=indicator, year=year, steps=steps, target=target)


def series_points(
    *, indicator: Indicator, year: int, steps: Iterable[MonthStep], target: Target | None
) -> list[SeriesPoint]:
    """The series' points from its month steps, with the target path at each month's end
    (`monthly_series` and its reader of the maintained table, `ytd.monthly_series`)."""
    points: list[SeriesPoint] = []
    increment = indicator.measure == Measure.INCREMENT
    for step in steps:
        m, value = step.month, step.to_date
        month_value = (step.value or Decimal(0)) if increment and value is not None else None
        expected_value = None
        if target is not None:
            fraction = expected_fraction(
                year=year,
                due_date=target.effective_due_date,
                as_of=as_of_date(year=year, month=m, today=dt.date.max),
                start=indicator.program.launch_date,
            )
            expected_value = target_path(
                direction=indicator.direction,
                target=target.value,
                baseline=target.baseline,
                fraction=fraction,
            )
        points.append(SeriesPoint(m, value, month_value, expected_value))
    return points
