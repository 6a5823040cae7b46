"""Test-only settings and shared fixtures.

Environment for the settings module comes from the Makefile (`make test`); what must
differ from production for tests is set here.
"""

import datetime as dt
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from programs.models import FundingSource, Indicator, MonthlyReport, Program
from regencies.models import Regency, UserScope
from sumsel_gerakan.cache import reset_breakers
from tests.factories import (
    MonthlyReportFactory,
    RealizationFactory,
    TargetFactory,
    UserScopeFactory,
)
from tests.helpers import make_user

# The day the frozen clock stands on: last month (May) is open for editing, April and
# earlier are past their lock date (due 10th of the next month + 30 days), July is future.
TODAY = dt.date(2025, 6, 27)


def pytest_collection_modifyitems(items):
    from tests.shared_db import check_every_test_uses_it

    check_every_test_uses_it(items)


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request leaves the language it chose
    active in its thread (LocaleMiddleware activates, nothing deactivates), so a test
    after an English request would otherwise format numbers the English way."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _cache_breakers_closed():
    """A cache server's breaker (sumsel_gerakan/cache.py) is per process: one test's
    failing Redis must not leave the next test's pages uncached."""
    yield
    reset_breakers()


def testing_settings(folder) -> dict:
    """What must differ from production in every test, attachments kept under `folder`."""
    return {
        "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        # Emails run at once instead of through the database queue's worker.
        "TASKS": {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
        # Attachments go to a throwaway folder, never the developer's media/.
        "STORAGES": {
            **settings.STORAGES,
            "default": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(folder)},
            },
        },
    }


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path_factory):
    for name, value in testing_settings(tmp_path_factory.mktemp("lampiran")).items():
        setattr(settings, name, value)


FIXTURES = [
    "fixtures/regencies.json",
    "fixtures/programs.json",
    "fixtures/funding_sources.json",
    "fixtures/targets_2024.json",
    "fixtures/reporting_exemptions.json",
]


# The rows `loaddata` wrote the first time in this process (each xdist worker is one),
# per model in the order the fixtures load them.
_REFERENCE_ROWS: list[tuple] = []


def _fixture_models() -> list:
    labels = []
    for name in FIXTURES:
        with open(settings.BASE_DIR / name, encoding="utf-8") as f:
            for entry in json.load(f):
                if entry["model"] not in labels:
                    labels.append(entry["model"])
    return [apps.get_model(label) for label in labels]


def load_reference_data() -> None:
    """The shipped fixtures, as `loaddata` writes them. `loaddata` saves its ~75 rows one
    by one, natural keys looked up row by row: a third of a second, in each of the ~1,900
    tests that use them. It runs the first time in each process; after that the rows it
    wrote are inserted again, one statement per table, raw as `loaddata` writes them (no
    `save()`, no signals, timestamps as stored; the database's triggers fire as they do
    for `loaddata`), and the tables' sequences are moved past them as `loaddata` does.
    Where a table already holds a row of them, `loaddata` runs instead."""
    if _REFERENCE_ROWS:
        try:
            with transaction.atomic():
                for model, rows in _REFERENCE_ROWS:
                    fields = model._meta.local_concrete_fields
                    model._base_manager._insert(rows, fields=fields, raw=True)
                with connection.cursor() as cursor:
                    models = [model for model, _rows in _REFERENCE_ROWS]
                    for sql in connection.ops.sequence_reset_sql(no_style(), models):
                        cursor.execute(sql)
            return
        except IntegrityError:
            pass
    models = _fixture_models()
    empty = not any(model._base_manager.exists() for model in models)
    call_command("loaddata", *FIXTURES, verbosity=0)
    if empty and not _REFERENCE_ROWS:
        _REFERENCE_ROWS.extend((m, list(m._base_manager.order_by("pk"))) for m in models)


@pytest.fixture
def reference_data(db):
    """The shipped reference fixtures (17 regencies, 7 programs, sources, 2024 targets)."""
    load_reference_data()


@pytest.fixture
def today():
    """The day `frozen_clock` stands on. A module (or conftest) that needs another day
    overrides this fixture; one test picks its own with
    `@pytest.mark.parametrize("today", [dt.date(...)])`."""
    return TODAY


@pytest.fixture
def frozen_clock(today):
    """Start the clock at 10:00 (Asia/Jakarta) on `today` for tests whose dates matter.

    The clock keeps ticking from there: the day is fixed, yet two saves never share a
    timestamp, so histories and threads keep the order in which things happened. It is
    the whole process's clock, so pytest-django's live server (a thread of this process)
    reads it too."""
    moment = dt.datetime.combine(today, dt.time(10), tzinfo=ZoneInfo("Asia/Jakarta"))
    with time_machine.travel(moment, tick=True) as traveller:
        yield traveller


def submitted_at(year, month, day):
    return dt.datetime(year, month, day, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def gbrss_data(reference_data):
    """GBRSS 2024: Banyuasin (16.07) target 100, OKU (16.01) target 50.

    Verified: Banyuasin Jan 10 (APBD Prov) + Feb 15 (Baznas prov); OKU Jan 5 (PTBA).
    Submitted (provisional): OKU Feb 20 (APBN). Draft: Banyuasin Mar 99 (never counted).
    Verified-only province = 30 houses; with provisional = 50.
    """
    program = Program.objects.get(slug="gbrss")
    houses = Indicator.objects.get(code="rumah-dibedah")
    banyuasin = Regency.objects.get(code="16.07")
    oku = Regency.objects.get(code="16.01")
    TargetFactory(indicator=houses, regency=banyuasin, value=Decimal(100))
    TargetFactory(indicator=houses, regency=oku, value=Decimal(50))
    source = FundingSource.objects.get

    def report(regency, month, status, value, code, day=5):
        rep = MonthlyReportFactory(
            program=program,
            regency=regency,
            year=2024,
            month=month,
            status=status,
            first_submitted_at=submitted_at(2024, month + 1, day),
            verified_at=submitted_at(2024, month + 1, 20)
            if status == MonthlyReport.Status.VERIFIED
            else None,
        )
        RealizationFactory(
            report=rep, indicator=houses, funding_source=source(code=code), value=Decimal(value)
        )
        return rep

    V, S = MonthlyReport.Status.VERIFIED, MonthlyReport.Status.SUBMITTED
    report(banyuasin, 1, V, 10, "apbd-prov")
    report(banyuasin, 2, V, 15, "baznas-prov", day=14)  # due 10 March: late
    report(oku, 1, V, 5, "ptba")
    report(oku, 2, S, 20, "apbn")
    report(banyuasin, 3, MonthlyReport.Status.DRAFT, 99, "apbn")
    return program


@pytest.fixture
def reporting_gaps(reference_data):
    """GBRSS 2025 (launched in 2024: every month is due), each report first submitted on
    the 5th of the next month (on time, due on the 10th):

    - Banyuasin (16.07): January to March verified, then nothing.
    - OKU (16.01): January to March verified, April to June submitted, July returned,
      August a draft never submitted, then nothing.
    - OKI (16.02): January to April verified, exempt ("tidak wajib") May and June, then
      nothing.
    - Lahat (16.04): exempt the whole year. Every other regency: nothing at all.
    """
    from programs.models import ReportingExemption

    program = Program.objects.get(slug="gbrss")
    S = MonthlyReport.Status

    def report(code, month, status):
        sent = status != S.DRAFT
        MonthlyReportFactory(
            program=program,
            regency=Regency.objects.get(code=code),
            year=2025,
            month=month,
            status=status,
            first_submitted_at=submitted_at(2025, month + 1, 5) if sent else None,
            verified_at=submitted_at(2025, month + 1, 20) if status == S.VERIFIED else None,
            return_reason="Periksa lagi" if status == S.RETURNED else "",
        )

    for month in (1, 2, 3):
        report("16.07", month, S.VERIFIED)
        report("16.01", month, S.VERIFIED)
    for month in (4, 5, 6):
        report("16.01", month, S.SUBMITTED)
    report("16.01", 7, S.RETURNED)
    report("16.01", 8, S.DRAFT)
    for month in (1, 2, 3, 4):
        report("16.02", month, S.VERIFIED)
    exempt = ReportingExemption.objects.create
    exempt(
        regency_id="16.02",
        program=program,
        start=dt.date(2025, 5, 1),
        end=dt.date(2025, 6, 1),
        reason="Uji: tidak wajib Mei dan Juni",
    )
    exempt(regency_id="16.04", program=program, start=dt.date(2025, 1, 1), reason="Uji")
    return program


@pytest.fixture
def people(reference_data):
    """One user per role and scope, shared by the reporting, evidence, error-page and
    logging tests."""
    R = UserScope.Role
    return {
        "operator": make_user("op-banyuasin", R.OPERATOR, "16.07"),
        "operator_other_regency": make_user("op-oku", R.OPERATOR, "16.01"),
        "operator_other_program": make_user(
            "op-banyuasin-sanitasi", R.OPERATOR, "16.07", ["gpsss"]
        ),
        "verifier": make_user("ver-gbrss", R.VERIFIKATOR, programs=["gbrss"]),
        "verifier_other_program": make_user("ver-gpsss", R.VERIFIKATOR, programs=["gpsss"]),
        "pimpinan": make_user("pimpinan", R.PIMPINAN),
        "admin": make_user("admin", superuser=True),
    }


@pytest.fixture
def operator(reference_data):
    """Banyuasin's (16.07) operator `op-banyuasin`, for every program."""
    return make_user("op-banyuasin", UserScope.Role.OPERATOR, "16.07")


@pytest.fixture
def pimpinan(client):
    scope = UserScopeFactory(role=UserScope.Role.PIMPINAN)
    client.force_login(scope.user)
    return scope.user
