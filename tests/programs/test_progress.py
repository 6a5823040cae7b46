"""The progress module against numbers computed by hand, one measure at a time."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from programs.models import FundingSource, Indicator, MonthlyReport
from programs.progress import (
    ProgressStatus,
    achievement_pct,
    compute_progress,
    expected_fraction,
    status_for,
)
from tests.factories import (
    FundingSourceFactory,
    IndicatorFactory,
    MonthlyReportFactory,
    ProgramFactory,
    RealizationFactory,
    RegencyFactory,
    TargetFactory,
)

D = Decimal
AFTER_2024 = dt.date(2025, 1, 15)
V, S, DRAFT, RET = (
    MonthlyReport.Status.VERIFIED,
    MonthlyReport.Status.SUBMITTED,
    MonthlyReport.Status.DRAFT,
    MonthlyReport.Status.RETURNED,
)


@pytest.fixture
def setup(db):
    program = ProgramFactory(slug="uji", launch_date=None)
    a = RegencyFactory(code="16.01", bps_code="1601", name="A", is_synthetic=False)
    b = RegencyFactory(code="16.02", bps_code="1602", name="B", is_synthetic=False)
    apbd = FundingSourceFactory(code="apbd", category=FundingSource.Category.APBD_PROV, name="APBD")
    apbn = FundingSourceFactory(code="apbn", category=FundingSource.Category.APBN, name="APBN")
    return program, a, b, apbd, apbn


def report(program, regency, month, status=V, year=2024):
    extra = {"verified_at": None} if status != V else {}
    if status == RET:
        extra["return_reason"] = "Angka tidak sesuai"
    return MonthlyReportFactory(
        program=program, regency=regency, year=year, month=month, status=status, **extra
    )


def add(rep, indicator, source, value=None, num=None, den=None):
    return RealizationFactory(
        report=rep,
        indicator=indicator,
        funding_source=source,
        value=None if value is None else D(value),
        numerator=None if num is None else D(num),
        denominator=None if den is None else D(den),
    )


def test_increment_sums_months_sources_and_regencies_and_ignores_drafts(setup):
    program, a, b, apbd, apbn = setup
    ind = IndicatorFactory(program=program, measure=Indicator.Measure.INCREMENT)
    TargetFactory(indicator=ind, regency=None, value=D(100))
    TargetFactory(indicator=ind, regency=a, value=D(50))
    TargetFactory(indicator=ind, regency=b, value=D(50))
    jan_a = report(program, a, 1)
    add(jan_a, ind, apbd, 10)
    add(jan_a, ind, apbn, 5)
    add(report(program, a, 2), ind, apbd, 20)
    add(report(program, b, 1), ind, apbd, 7)
    add(report(program, b, 3, status=DRAFT), ind, apbd, 100)
    add(report(program, a, 3, status=RET), ind, apbd, 100)

    table = compute_progress(indicators=[ind], year=2024, today=AFTER_2024)

    assert table.regency(ind.pk, "16.01").realization == D(35)
    assert table.regency(ind.pk, "16.02").realization == D(7)
    assert table.province(ind.pk).realization == D(42)
    assert table.province(ind.pk).achievement == D(42)
    assert table.regency(ind.pk, "16.01").achievement == D(70)
    assert table.province(ind.pk).latest_month == 2

    until_jan = compute_progress(indicators=[ind], year=2024, month=1, today=AFTER_2024)
    assert until_jan.province(ind.pk).realization == D(22)
    assert until_jan.regency(ind.pk, "16.01").realization == D(15)


def test_running_total_takes_latest_month_never_the_sum_of_months(setup):
    program, a, b, apbd, apbn = setup
    ind = IndicatorFactory(program=program, measure=Indicator.Measure.RUNNING_TOTAL)
    TargetFactory(indicator=ind, regency=None, value=D(104))
    add(report(program, a, 1), ind, apbd, 10)
    add(report(program, a, 2), ind, apbd, 25)
    mar = report(program, a, 3)
    add(mar, ind, apbd, 30)
    add(mar, ind, apbn, 10)  # sources within one month add up: 40 to date
    add(report(program, b, 1), ind, apbd, 5)
    add(report(program, b, 2), ind, apbd, 12)

    table = compute_progress(indicators=[ind], year=2024, today=AFTER_2024)

    assert table.regency(ind.pk, "16.01").realization == D(40)  # not 10 + 25 + 40 = 75
    assert table.regency(ind.pk, "16.02").realization == D(12)  # not 17
    assert table.province(ind.pk).realization == D(52)  # 40 + 12, not 92
    assert table.province(ind.pk).achievement == D(50)
    assert table.province(ind.pk).latest_month == 3

    until_feb = compute_progress(indicators=[ind], year=2024, month=2, today=AFTER_2024)
    assert until_feb.province(ind.pk).realization == D(37)


def test_ratio_is_sum_of_numerators_over_sum_of_denominators_not_mean_of_percentages(setup):
    program, a, b, apbd, apbn = setup
    ind = IndicatorFactory(
        program=program, measure=Indicator.Measure.RATIO, direction=Indicator.Direction.DOWN
    )
    TargetFactory(indicator=ind, regency=None, value=D("14.33"), baseline=D("20.3"))
    add(report(program, a, 1), ind, apbd, num=10, den=100)
    add(report(program, a, 2), ind, apbd, num=30, den=200)  # latest for A: 15 %
    add(report(program, b, 2), ind, apbd, num=1, den=10)  # B: 10 %

    table = compute_progress(indicators=[ind], year=2024, today=AFTER_2024)

    assert table.regency(ind.pk, "16.01").realization == D(15)
    assert table.regency(ind.pk, "16.02").realization == D(10)
    province = table.province(ind.pk)
    assert (province.numerator, province.denominator) == (D(31), D(210))
    assert round(province.realization, 4) == D("14.7619")  # 31 / 210
    assert round(province.realization, 4) != D("12.5000")  # mean of 15 % and 10 %
    # Down indicator: (20.3 - 14.7619) / (20.3 - 14.33) = 92.77 %
    assert round(province.achievement, 2) == D("92.77")


def test_level_is_never_summed_province_is_its_own_entry(setup):
    program, a, b, apbd, apbn = setup
    ind = IndicatorFactory(
        program=program, measure=Indicator.Measure.LEVEL, direction=Indicator.Direction.DOWN
    )
    TargetFactory(indicator=ind, regency=None, value=D("2.5"), baseline=D("3.35"))
    add(report(program, a, 1), ind, apbd, "3.0")
    add(report(program, a, 2), ind, apbd, "2.8")
    add(report(program, b, 2), ind, apbd, "3.4")
    add(report(program, None, 1), ind, apbd, "3.35")
    add(report(program, None, 2), ind, apbd, "3.1")

    table = compute_progress(indicators=[ind], year=2024, today=AFTER_2024)

    assert table.regency(ind.pk, "16.01").realization == D("2.8")
    assert table.province(ind.pk).realization == D("3.1")  # not 2.8 + 3.4, not their mean
    # (3.35 - 3.1) / (3.35 - 2.5) = 29.41 %
    assert round(table.province(ind.pk).achievement, 2) == D("29.41")


def test_verified_only_hides_submitted_figures_and_provisional_flags_them(setup):
    program, a, b, apbd, apbn = setup
    ind = IndicatorFactory(program=program, measure=Indicator.Measure.INCREMENT)
    add(report(program, a, 1), ind, apbd, 10)
    add(report(program, a, 2, status=S), ind, apbd, 4)

    everything = compute_progress(indicators=[ind], year=2024, today=AFTER_2024)
    verified = compute_progress(indicators=[ind], year=2024, verified_only=True, today=AFTER_2024)

    assert everything.province(ind.pk).realization == D(14)
    assert everything.province(ind.pk).provisional is True
    assert verified.province(ind.pk).realization == D(10)
    assert verified.province(ind.pk).provisional is False


def test_no_target_and_no_data_statuses(setup):
    program, a, b, apbd, apbn = setup
    with_target = IndicatorFactory(program=program)
    without_target = IndicatorFactory(program=program)
    TargetFactory(indicator=with_target, regency=None, value=D(10))
    add(report(program, a, 1), without_target, apbd, 3)

    table = compute_progress(indicators=[with_target, without_target], year=2024, today=AFTER_2024)

    assert table.province(with_target.pk).status == ProgressStatus.NO_DATA
    assert table.province(without_target.pk).status == ProgressStatus.NO_TARGET
    assert table.province(without_target.pk).realization == D(3)


def test_expected_to_date_is_prorated_from_launch_to_due_date(setup):
    program, a, b, apbd, apbn = setup
    program.launch_date = dt.date(2024, 2, 21)
    program.save()
    ind = IndicatorFactory(program=program)
    TargetFactory(indicator=ind, regency=None, value=D(315))
    add(report(program, a, 3), ind, apbd, 30)

    table = compute_progress(indicators=[ind], year=2024, month=3, today=AFTER_2024)

    province = table.province(ind.pk)
    # 21 Feb .. 31 Mar = 40 days of 21 Feb .. 31 Dec = 315 days
    assert province.expected == D(40) / D(315) * 100
    assert province.expected_value == D(40)
    # 30 / 315 = 9.52 % achieved, expected 12.70 %: within 10 points -> on track
    assert province.status == ProgressStatus.ON_TRACK


def test_expected_fraction_counts_days_and_stops_at_the_due_date():
    assert expected_fraction(
        year=2024, due_date=dt.date(2024, 12, 31), as_of=dt.date(2024, 3, 31)
    ) == D(91) / D(366)
    assert (
        expected_fraction(year=2024, due_date=dt.date(2024, 5, 15), as_of=dt.date(2024, 6, 30)) == 1
    )
    assert (
        expected_fraction(year=2024, due_date=dt.date(2024, 12, 31), as_of=dt.date(2023, 12, 1))
        == 0
    )


def test_running_year_expected_stops_at_today(setup):
    program, a, b, apbd, apbn = setup
    ind = IndicatorFactory(program=program)
    TargetFactory(indicator=ind, regency=None, value=D(366))
    table = compute_progress(indicators=[ind], year=2024, month=12, today=dt.date(2024, 1, 10))
    assert table.province(ind.pk).expected_value == D(10)


def test_status_on_track_within_ten_points_of_expected_otherwise_behind():
    common = {"target": D(100), "has_data": True}
    assert status_for(achievement=D(45), expected=D(50), **common) == ProgressStatus.ON_TRACK
    assert status_for(achievement=D(40), expected=D(50), **common) == ProgressStatus.ON_TRACK
    assert status_for(achievement=D("39.9"), expected=D(50), **common) == ProgressStatus.BEHIND


def test_achievement_for_down_indicator_uses_baseline():
    pct = achievement_pct(direction="down", current=D(15), target=D("14.33"), baseline=D("20.3"))
    assert round(pct, 2) == D("88.78")  # 5.3 / 5.97
    # A zero target (no allocation) is reached by any figure: 100 %, not "no data".
    assert achievement_pct(direction="up", current=D(50), target=D(0), baseline=None) == 100


def test_a_deflation_is_beyond_a_down_target_never_a_division_by_it():
    """A `down` level below zero (inflation of -0,09 %: a deflation) is further along
    than its target, never a negative percentage or a division by the value."""
    with_baseline = achievement_pct(
        direction="down", current=D("-0.09"), target=D("2.5"), baseline=D("3.35")
    )
    assert round(with_baseline, 2) == D("404.71")  # (3.35 + 0.09) / (3.35 - 2.5)
    # Without a baseline target / current was -2.777,8 %: the target is reached.
    assert (
        achievement_pct(direction="down", current=D("-0.09"), target=D("2.5"), baseline=None) == 100
    )
    assert achievement_pct(direction="down", current=D("-0.09"), target=D(0), baseline=None) == 100


def test_a_negative_level_is_on_track_against_a_down_target(setup):
    program, a, b, apbd, apbn = setup
    ind = IndicatorFactory(
        program=program,
        measure=Indicator.Measure.LEVEL,
        direction=Indicator.Direction.DOWN,
        allows_negative=True,
        decimals=2,
    )
    TargetFactory(indicator=ind, regency=None, value=D("2.5"), baseline=D("3.35"))
    TargetFactory(indicator=ind, regency=a, value=D("2.5"))  # no baseline
    add(report(program, a, 1), ind, apbd, "0.76")
    add(report(program, a, 2), ind, apbd, "-0.09")
    add(report(program, None, 2), ind, apbd, "-0.31")

    table = compute_progress(indicators=[ind], year=2024, today=AFTER_2024)

    province, regency = table.province(ind.pk), table.regency(ind.pk, "16.01")
    assert province.realization == D("-0.31") and regency.realization == D("-0.09")
    assert round(province.achievement, 2) == D("430.59")  # (3.35 + 0.31) / 0.85
    assert regency.achievement == 100
    assert province.status == regency.status == ProgressStatus.ON_TRACK


def test_query_count_does_not_grow_with_regencies(setup):
    program, a, b, apbd, apbn = setup
    indicators = [
        IndicatorFactory(program=program, measure=measure) for measure in Indicator.Measure.values
    ]

    def populate(first, count):
        for n in range(first, first + count):
            regency = RegencyFactory(code=f"99.{n:02d}", bps_code=f"99{n:02d}")
            for month in (1, 2):
                rep = report(program, regency, month)
                for ind in indicators:
                    if ind.measure == Indicator.Measure.RATIO:
                        add(rep, ind, apbd, num=1, den=4)
                    else:
                        add(rep, ind, apbd, 2)

    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            compute_progress(indicators=indicators, year=2024, today=AFTER_2024)
        return len(ctx.captured_queries)

    populate(1, 3)
    small = count_queries()
    populate(10, 20)
    assert count_queries() == small
    assert small <= 7
