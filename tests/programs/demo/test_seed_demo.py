"""The demo data commands: seed_demo and bootstrap_demo."""

import datetime as dt
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


def test_province_targets_copied_for_other_years(reference_data, debug):
    seed(year=[2023])
    copies = Target.objects.filter(year=2023, regency=None)
    assert copies.count() == Target.objects.filter(year=YEAR, regency=None).count()
    assert all(t.is_demo and t.source_note.startswith("DEMO:") for t in copies)
    gbrss = copies.get(indicator__code="rumah-dibedah")
    assert gbrss.value == 8391 and gbrss.due_date == dt.date(2023, 12, 31)
    assert MonthlyReport.objects.filter(year=2023, month=1, program__slug="gbrss").exists()


# --- reports and realizations ---------------------------------------------------------


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
