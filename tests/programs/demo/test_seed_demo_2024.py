"""The demo `seed_demo --year 2024` makes, seen from early January 2025: accounts,
targets, reports and their figures. Every test here reads the same demo, seeded once for
the module (tests/shared_db.py); the commands' other behaviour is in test_seed_demo.py."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db.models import Sum

from programs.models import Indicator, MonthlyReport, Program, Realization, Target
from regencies.models import Regency, UserScope
from tests.conftest import load_reference_data
from tests.programs.demo.test_seed_demo import seed
from tests.shared_db import once_per_module

User = get_user_model()
YEAR = 2024
COUNTED = MonthlyReport.COUNTED_STATUSES
INFLATION_CITIES = {"16.71", "16.73", "16.03", "16.02"}


def _seed_2024() -> str:
    """Seen from early January 2025, 2024's last months are still open: every status
    occurs (from 2026 on, the closed 2024 history is all verified)."""
    load_reference_data()
    with time_machine.travel(dt.datetime(2025, 1, 5, 9, 0, tzinfo=dt.UTC), tick=False):
        return seed()


seeded_once = once_per_module(_seed_2024)


@pytest.fixture
def seeded(seeded_once, db, settings):
    settings.DEBUG = True
    return seeded_once


def test_demo_accounts_and_scopes(seeded):
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert admin.scope.role == UserScope.Role.ADMIN
    pimpinan = User.objects.get(username="pimpinan")
    assert pimpinan.scope.role == UserScope.Role.PIMPINAN
    verifikator = User.objects.get(username="verifikator")
    assert verifikator.scope.role == UserScope.Role.VERIFIKATOR
    assert verifikator.scope.programs.count() == 0  # empty = all programs
    for user in (admin, pimpinan, verifikator):
        assert user.check_password("sumsel-demo")

    operator = User.objects.get(username="operator-1607")
    assert operator.check_password("sumsel-demo")
    assert not operator.is_staff
    assert operator.scope.role == UserScope.Role.OPERATOR
    assert operator.scope.regency_id == "16.07"
    assert operator.first_name == "Operator Banyuasin (demo)"
    operators = UserScope.objects.filter(role=UserScope.Role.OPERATOR)
    assert sorted(operators.values_list("regency_id", flat=True)) == sorted(
        Regency.objects.real().values_list("code", flat=True)
    )
    assert all(
        scope.user.username == f"operator-{scope.regency_id.replace('.', '')}"
        for scope in operators.select_related("user")
    )


def test_allocations_sum_to_province_targets(seeded):
    province = Target.objects.filter(year=YEAR, regency=None).select_related("indicator")
    checked = set()
    for target in province:
        if target.indicator.measure not in ("increment", "running_total"):
            continue
        allocations = Target.objects.filter(
            year=YEAR, indicator=target.indicator, regency__isnull=False
        )
        assert allocations.count() == 17
        assert all(a.is_demo and a.source_note.startswith("DEMO:") for a in allocations)
        assert all(a.value == a.value.to_integral_value() for a in allocations)
        allocated = allocations.aggregate(s=Sum("value"))["s"]
        if target.indicator.code == "unit-sanitasi":
            assert 0 < target.value - allocated < target.value * Decimal("0.05")
        else:
            assert allocated == target.value
        checked.add(target.indicator.code)
    assert checked == {"rumah-dibedah", "unit-sanitasi", "balita-didampingi"}
    gbrss = Target.objects.filter(year=YEAR, indicator__code="rumah-dibedah", regency__isnull=False)
    assert gbrss.aggregate(s=Sum("value"))["s"] == 8391
    # The largest RTLH count (Musi Banyuasin) gets the largest GBRSS allocation.
    assert gbrss.order_by("-value").first().regency_id == "16.06"


def test_rate_targets_and_indicators_without_target(seeded):
    stunting = Target.objects.get(year=YEAR, indicator__code="prevalensi-stunting", regency="16.07")
    assert stunting.baseline == Decimal("20.4")  # SKI 2023, Banyuasin
    assert stunting.value == Decimal("15.30")
    assert stunting.is_demo
    inflation = Target.objects.filter(
        year=YEAR, indicator__code="inflasi-yoy", regency__isnull=False
    )
    assert set(inflation.values_list("regency_id", flat=True)) == INFLATION_CITIES
    assert {(t.value, t.baseline) for t in inflation} == {(Decimal("2.5"), Decimal("3.35"))}
    desa = Target.objects.filter(year=YEAR, indicator__code="desa-gsmp", regency__isnull=False)
    assert desa.count() == 17 and {t.value for t in desa} == {Decimal(90)}
    assert not Target.objects.filter(indicator__code="pasar-murah").exists()
    assert not Target.objects.filter(indicator__code="rumah-tangga-penerima").exists()


def test_gbrss_year_end_achievement_varies_within_bounds(seeded):
    targets = dict(
        Target.objects.filter(
            year=YEAR, indicator__code="rumah-dibedah", regency__isnull=False
        ).values_list("regency_id", "value")
    )
    totals = dict(
        Realization.objects.filter(
            indicator__code="rumah-dibedah", report__year=YEAR, report__status__in=COUNTED
        )
        .values_list("report__regency_id")
        .annotate(total=Sum("value"))
    )
    assert set(totals) == set(targets)
    achievements = [totals[code] / targets[code] for code in targets]
    assert all(Decimal("0.35") <= a <= Decimal("1.15") for a in achievements)
    assert len(set(achievements)) > 5


def test_gbrss_uses_several_funding_sources(seeded):
    by_source = dict(
        Realization.objects.filter(indicator__code="rumah-dibedah")
        .values_list("funding_source__code")
        .annotate(total=Sum("value"))
    )
    assert {"apbd-prov", "apbd-kabkota", "apbn", "dana-desa", "csr"} <= set(by_source)
    assert any(code in by_source for code in ("ptba", "pertamina", "pusri", "semen-baturaja"))
    assert by_source["apbd-prov"] + by_source["apbd-kabkota"] > by_source["apbn"]
    # Cities have no desa, hence no Dana Desa.
    assert not Realization.objects.filter(
        funding_source__code="dana-desa", report__regency__kind=Regency.Kind.KOTA
    ).exists()
    # Not every source every month: a month has fewer rows than the regency's sources.
    rows = Realization.objects.filter(indicator__code="rumah-dibedah", report__regency="16.03")
    per_month = defaultdict(set)
    for month, source in rows.values_list("report__month", "funding_source_id"):
        per_month[month].add(source)
    used = set().union(*per_month.values())
    assert any(len(sources) < len(used) for sources in per_month.values())


def test_running_totals_never_decrease(seeded):
    series = defaultdict(list)
    rows = (
        Realization.objects.filter(indicator__code="balita-didampingi")
        .order_by("report__regency_id", "report__month")
        .values_list("report__regency_id", "report__month", "value")
    )
    for code, _month, value in rows:
        series[code].append(value)
    assert len(series) == 17
    for values in series.values():
        assert values == sorted(values)
        assert values[-1] > values[0]


def test_ratio_rows_are_whole_numerators_within_denominators(seeded):
    rows = Realization.objects.filter(indicator__measure=Indicator.Measure.RATIO)
    assert rows.count() > 100
    for value, numerator, denominator in rows.values_list("value", "numerator", "denominator"):
        assert value is None
        assert 0 <= numerator <= denominator and denominator > 0
        assert numerator == int(numerator) and denominator == int(denominator)
    # Stunting prevalence falls from the SKI 2023 baseline over the year.
    stunting = Realization.objects.filter(
        indicator__code="prevalensi-stunting", report__regency="16.02"
    ).order_by("report__month")
    first, last = stunting.first(), stunting.last()
    assert last.numerator / last.denominator < first.numerator / first.denominator


def test_status_mix_with_missing_months(seeded):
    reports = MonthlyReport.objects.filter(year=YEAR, regency__isnull=False)
    statuses = set(reports.values_list("status", flat=True))
    assert statuses == {"draft", "submitted", "verified", "returned"}
    assert reports.filter(status="verified").count() > reports.count() * 0.6
    assert not reports.filter(status="verified", verified_at=None).exists()
    assert not reports.filter(status="returned", return_reason="").exists()
    assert not reports.filter(status__in=COUNTED, first_submitted_at=None).exists()
    assert not reports.filter(status="draft", submitted_at__isnull=False).exists()
    assert all(r.is_demo for r in reports)
    # Some reports arrived after the due day (the 10th of the next month).
    late = [
        r
        for r in reports.filter(first_submitted_at__isnull=False, month__lt=12)
        if r.first_submitted_at.date() > dt.date(YEAR, r.month + 1, 10)
    ]
    assert late
    # Some (regency, program, month) slots have no report at all.
    launch = {p.slug: p.launch_date for p in Program.objects.all()}
    expected = 0
    for slug in reports.order_by().values_list("program__slug", flat=True).distinct():
        start = launch[slug].month if launch[slug] else 1
        regencies = 4 if slug == "gpiss" else 17
        expected += regencies * (12 - start + 1)
    assert 0 < expected - reports.count() < expected * 0.2
    # No report before a program's launch month (GBRSS launched 21 February 2024).
    assert not reports.filter(program__slug="gbrss", month=1).exists()
    assert reports.filter(program__slug="gsmp", month=1).exists()
    assert not reports.filter(program__slug="mandiri-energi").exists()


def test_return_reasons_fit_the_program(seeded):
    """A verifier asks about a denominator only on a program that reports a ratio: never
    on a house renovation report."""
    ratio_programs = set(
        Indicator.objects.filter(measure=Indicator.Measure.RATIO).values_list(
            "program__slug", flat=True
        )
    )
    returned = list(
        MonthlyReport.objects.exclude(return_reason="").values_list(
            "program__slug", "return_reason"
        )
    )
    assert {slug for slug, _reason in returned} - ratio_programs  # others are returned too
    for slug, reason in returned:
        assert slug in ratio_programs or "Penyebut" not in reason, (slug, reason)


def test_province_level_inflation_reports(seeded):
    province = MonthlyReport.objects.filter(year=YEAR, regency=None)
    assert province.exists()
    assert set(province.values_list("program__slug", flat=True)) == {"gpiss"}
    january = Realization.objects.get(
        indicator__code="inflasi-yoy", report__regency=None, report__month=1
    )
    assert january.value == Decimal("3.35")
    regency_reports = MonthlyReport.objects.filter(program__slug="gpiss", regency__isnull=False)
    assert set(regency_reports.values_list("regency_id", flat=True)) == INFLATION_CITIES
