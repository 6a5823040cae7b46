"""The demo data commands: seed_demo and bootstrap_demo."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum

from programs.demo import seed as demo
from programs.models import (
    Comment,
    Indicator,
    MonthlyReport,
    Notification,
    Program,
    Realization,
    Target,
)
from regencies.models import Regency, UserScope
from tests.factories import MonthlyReportFactory, RealizationFactory
from tests.helpers import login

User = get_user_model()
YEAR = 2024
COUNTED = MonthlyReport.COUNTED_STATUSES
INFLATION_CITIES = {"16.71", "16.73", "16.03", "16.02"}


def seed(**options):
    out = StringIO()
    options.setdefault("year", [YEAR])
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def counts():
    return {
        "regencies": Regency.objects.count(),
        "targets": Target.objects.count(),
        "reports": MonthlyReport.objects.count(),
        "realizations": Realization.objects.count(),
        "users": User.objects.count(),
        "scopes": UserScope.objects.count(),
    }


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


@pytest.fixture
def seeded(reference_data, debug):
    # Seen from early January 2025, 2024's last months are still open: every status
    # occurs (from 2026 on, the closed 2024 history is all verified).
    with time_machine.travel(dt.datetime(2025, 1, 5, 9, 0, tzinfo=dt.UTC), tick=False):
        return seed()


def indicator(code):
    return Indicator.objects.get(code=code)


# --- refusal --------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["seed_demo", "bootstrap_demo"])
def test_refuses_without_debug_and_writes_nothing(db, settings, command):
    settings.DEBUG = False
    before = counts()
    with pytest.raises(CommandError, match="DEBUG"):
        call_command(command, stdout=StringIO())
    assert counts() == before
    assert before["regencies"] == 0


def test_refuses_without_debug_on_loaded_database(reference_data, settings):
    settings.DEBUG = False
    before = counts()
    with pytest.raises(CommandError, match="--force"):
        seed(synthetic_regencies=2)
    assert counts() == before


def test_force_runs_without_debug(reference_data, settings):
    settings.DEBUG = False
    output = seed(force=True)
    assert "DEMO" in output
    assert MonthlyReport.objects.filter(is_demo=True).exists()


def test_loads_reference_fixtures_when_missing(db, debug):
    seed()
    assert Regency.objects.real().count() == 17
    assert Program.objects.filter(slug="gbrss").exists()
    gbrss = Target.objects.get(indicator__code="rumah-dibedah", regency=None, year=YEAR)
    assert gbrss.value == 8391


# --- accounts -------------------------------------------------------------------------


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


def test_a_real_user_named_like_a_demo_account_is_left_alone(reference_data, debug):
    """seed_demo gave a real user called "verifikator" (not its demo account) the demo
    verifier's scope over every program, and signed demo verifications with their
    name. Now it leaves them alone and says so."""
    real = User.objects.create_user("verifikator", password="real-secret-1", first_name="Siti")
    with time_machine.travel(dt.datetime(2025, 1, 5, 9, 0, tzinfo=dt.UTC), tick=False):
        out = seed()
    real.refresh_from_db()
    assert not UserScope.objects.filter(user=real).exists()
    assert real.check_password("real-secret-1") and real.first_name == "Siti"
    assert "Dilewati: akun “verifikator” sudah ada dan bukan akun demo" in out
    assert not MonthlyReport.objects.filter(verified_by=real).exists()
    assert MonthlyReport.objects.filter(status=MonthlyReport.Status.VERIFIED).exists()
    assert UserScope.objects.get(user__username="pimpinan").role == UserScope.Role.PIMPINAN


# --- targets --------------------------------------------------------------------------


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


def test_province_targets_copied_for_other_years(reference_data, debug):
    seed(year=[2023])
    copies = Target.objects.filter(year=2023, regency=None)
    assert copies.count() == Target.objects.filter(year=YEAR, regency=None).count()
    assert all(t.is_demo and t.source_note.startswith("DEMO:") for t in copies)
    gbrss = copies.get(indicator__code="rumah-dibedah")
    assert gbrss.value == 8391 and gbrss.due_date == dt.date(2023, 12, 31)
    assert MonthlyReport.objects.filter(year=2023, month=1, program__slug="gbrss").exists()


# --- reports and realizations ---------------------------------------------------------


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


def test_running_year_stops_at_last_completed_month(reference_data, debug):
    demo.seed_demo(years=[YEAR], today=dt.date(YEAR, 6, 15))
    reports = MonthlyReport.objects.filter(year=YEAR)
    assert max(reports.values_list("month", flat=True)) == 5
    cutoff = dt.datetime(YEAR, 6, 16, tzinfo=dt.UTC)
    for field in ("submitted_at", "verified_at", "returned_at"):
        assert not reports.filter(**{f"{field}__gt": cutoff}).exists()


# --- synthetic regencies, idempotence, reset, bootstrap -------------------------------


def test_synthetic_regencies(reference_data, debug):
    seed(synthetic_regencies=3)
    synthetic = Regency.objects.filter(is_synthetic=True)
    assert list(synthetic.values_list("code", flat=True)) == ["99.01", "99.02", "99.03"]
    first = synthetic.get(code="99.01")
    assert first.name == "Wilayah Sintetis 001" and first.bps_code == "9901"
    assert first.population and first.area_km2
    for code in ("99.01", "99.02", "99.03"):
        assert MonthlyReport.objects.filter(regency=code, year=YEAR).count() > 30
        assert Target.objects.filter(regency=code, indicator__code="rumah-dibedah").exists()
    assert not UserScope.objects.filter(regency__is_synthetic=True).exists()
    # The real allocation is unchanged by synthetic regencies.
    real = Target.objects.filter(
        year=YEAR, indicator__code="rumah-dibedah", regency__is_synthetic=False
    )
    assert real.aggregate(s=Sum("value"))["s"] == 8391


def test_synthetic_codes_beyond_99():
    assert demo.synthetic_code(1) == "99.01"
    assert demo.synthetic_code(99) == "99.99"
    assert demo.synthetic_code(100) == "98.01"
    assert demo.synthetic_code(483) == "95.87"


def test_largest_remainder_sums_exactly():
    parts = demo.largest_remainder(8391, [1985, 8005, 7385, 2816, 1])
    assert sum(parts) == 8391
    assert demo.largest_remainder(10, [1, 1, 1]) == [4, 3, 3]
    assert demo.largest_remainder(0, [2, 3]) == [0, 0]


def test_running_twice_does_not_duplicate(reference_data, debug):
    seed(synthetic_regencies=2)
    first = counts()
    output = seed(synthetic_regencies=2)
    assert counts() == first
    assert "Dilewati" in output


def test_more_synthetic_regencies_later_only_adds_them(reference_data, debug):
    seed(synthetic_regencies=1)
    real_reports = MonthlyReport.objects.filter(regency__is_synthetic=False).count()
    seed(synthetic_regencies=2)
    assert MonthlyReport.objects.filter(regency__is_synthetic=False).count() == real_reports
    assert MonthlyReport.objects.filter(regency="99.02").exists()


def test_reset_removes_synthetic_regencies_and_reseeds(reference_data, debug):
    seed(synthetic_regencies=3)
    realizations = Realization.objects.exclude(report__regency__is_synthetic=True).count()
    seed(reset=True)
    assert not Regency.objects.filter(is_synthetic=True).exists()
    assert Regency.objects.count() == 17
    assert Realization.objects.count() == realizations  # same seed, same real data
    assert Target.objects.filter(is_demo=False).count() == 6  # the sourced 2024 targets


def test_bootstrap_demo_is_idempotent(db, debug):
    out = StringIO()
    call_command("bootstrap_demo", stdout=out)
    assert Regency.objects.count() == 17
    assert MonthlyReport.objects.filter(is_demo=True).exists()
    assert "DEMO" in out.getvalue()
    before = counts()
    out = StringIO()
    call_command("bootstrap_demo", stdout=out)
    assert counts() == before
    assert "sudah ada" in out.getvalue()


def test_the_demo_seed_never_uses_a_retired_funding_source(reference_data, debug):
    """seed_demo wrote new realizations with sources an admin had retired, which the
    entry form, the import and the admin refuse on a new row: only active ones now."""
    from programs.models import FundingSource

    FundingSource.objects.exclude(code=FundingSource.UNSPECIFIED).update(active=False)
    seed(until="2024-06")
    assert Realization.objects.exists()
    retired = Realization.objects.filter(funding_source__active=False)
    assert not retired.exists(), sorted(set(retired.values_list("funding_source__code", flat=True)))


@pytest.mark.django_db(transaction=True)
def test_reset_keeps_real_reports_and_removes_demo_ones_a_user_was_notified_of(
    reference_data, debug
):
    """`seed_demo --reset` after a verifier commented on a demo report (its operator got a
    notification of it) stopped on an IntegrityError at commit: the reports went by a raw
    delete that did not see the notifications pointing at them. Real reports, with their
    figures and history, are never touched."""
    seed(until="2024-06")
    demo_report = (
        MonthlyReport.objects.filter(is_demo=True, regency="16.07", year=2024, month=6)
        .select_related("program")
        .first()
    )
    verifier = login(User.objects.get(username="verifikator"))
    response = verifier.post(
        f"/laporan/16.07/{demo_report.program.slug}/2024-06/komentar/",
        {"teks": "Mohon lampirkan berita acara serah terima."},
    )
    assert response.status_code == 302
    assert Notification.objects.filter(report=demo_report).exists()
    own = MonthlyReportFactory(
        regency_id="16.07", program=demo_report.program, year=2024, month=12, is_demo=False
    )
    RealizationFactory(
        report=own, indicator=demo_report.program.indicators.first(), value=Decimal(12)
    )
    kept = (
        list(Realization.objects.filter(report=own).values_list("value", flat=True)),
        own.history.count(),
        Realization.history.filter(report_id=own.pk).count(),
    )
    output = seed(until="2024-06", reset=True)
    assert "Laporan bulanan dibuat" in output
    assert not Notification.objects.filter(report=demo_report).exists()
    own.refresh_from_db()
    assert not own.is_demo and kept == (
        list(Realization.objects.filter(report=own).values_list("value", flat=True)),
        own.history.count(),
        Realization.history.filter(report_id=own.pk).count(),
    )
    assert MonthlyReport.objects.filter(is_demo=True, regency="16.07", month=6).exists()


def test_reset_removes_the_demo_history_and_a_new_seed_writes_it_once(reference_data, settings):
    settings.DEBUG = True
    call_command("seed_demo", "--year", "2024", stdout=StringIO())
    counts = (
        MonthlyReport.history.count(),
        Realization.history.count(),
        Comment.objects.count(),
    )
    assert all(counts)
    call_command("seed_demo", "--year", "2024", "--reset", stdout=StringIO())
    assert (
        MonthlyReport.history.count(),
        Realization.history.count(),
        Comment.objects.count(),
    ) == counts
