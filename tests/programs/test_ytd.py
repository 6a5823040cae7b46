"""The maintained year-to-date table (programs/ytd.py) equals `compute_progress`, the
reference, for every measure, every month and both views, after random writes through
every path: services (same transaction), plain ORM saves and deletes, bulk updates and
raw SQL (picked up by the next read), and the full rebuild command."""

import random
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from programs import ytd
from programs.dashboards import selectors as dashboards
from programs.models import (
    FundingSource,
    Indicator,
    MonthlyReport,
    ProgressDirty,
    ProgressYTD,
    Realization,
    Target,
)
from programs.progress import compute_progress, monthly_series
from programs.reporting import services
from regencies.models import UserScope
from tests.factories import (
    FundingSourceFactory,
    IndicatorFactory,
    MonthlyReportFactory,
    ProgramFactory,
    RegencyFactory,
    TargetFactory,
    UserScopeFactory,
)
from tests.helpers import executed_sql, figure_text

pytestmark = pytest.mark.django_db
Status = MonthlyReport.Status
Measure = Indicator.Measure
YEAR = 2024


def build_world(rng: random.Random):
    program = ProgramFactory(slug="acak")
    indicators = [
        IndicatorFactory(program=program, measure=measure, code=f"ind-{measure}")
        for measure in (Measure.INCREMENT, Measure.RUNNING_TOTAL, Measure.RATIO, Measure.LEVEL)
    ]
    regencies = [RegencyFactory() for _ in range(4)]
    sources = [
        FundingSourceFactory(),
        FundingSourceFactory(
            code="apbn-uji", category=FundingSource.Category.APBN, name="APBN uji"
        ),
    ]
    for indicator in indicators:
        TargetFactory(indicator=indicator, value=Decimal(rng.randint(50, 500)))
        TargetFactory(indicator=indicator, regency=regencies[0], value=Decimal(80))
    return program, indicators, regencies, sources


def random_value(rng, indicator):
    if indicator.measure == Measure.RATIO:
        den = Decimal(rng.randint(1, 50))
        return {"value": None, "numerator": Decimal(rng.randint(0, int(den))), "denominator": den}
    return {"value": Decimal(rng.randint(0, 900)) / Decimal(rng.choice([1, 4]))}


def random_write(rng, program, indicators, regencies, sources):
    """One write through the ORM (not the services): created, changed or deleted."""
    regency = rng.choice([*regencies, None])  # None: the province's own report
    month = rng.randint(1, 12)
    status = rng.choice([Status.DRAFT, Status.SUBMITTED, Status.VERIFIED, Status.RETURNED])
    report = MonthlyReport.objects.filter(
        program=program, regency=regency, year=YEAR, month=month
    ).first()
    action = rng.random()
    if report is not None and action < 0.15:
        report.delete()
        return
    if report is None:
        report = MonthlyReportFactory(
            program=program,
            regency=regency,
            year=YEAR,
            month=month,
            status=status,
            return_reason="Periksa lagi" if status == Status.RETURNED else "",
        )
    elif action < 0.4:
        report.status = status
        report.return_reason = "Periksa lagi" if status == Status.RETURNED else ""
        report.save()
        return
    indicator = rng.choice(indicators)
    Realization.objects.update_or_create(
        report=report,
        indicator=indicator,
        funding_source=rng.choice(sources),
        defaults=random_value(rng, indicator),
    )


def assert_table_equals_reference(indicators, regencies):
    codes = [r.code for r in regencies]
    for verified_only in (False, True):
        for month in range(1, 13):
            for regency_codes in (None, codes[:2]) if month in (6, 12) else (None,):
                expected = compute_progress(
                    indicators=indicators,
                    year=YEAR,
                    month=month,
                    regency_codes=regency_codes,
                    verified_only=verified_only,
                )
                actual = ytd.progress_table(
                    indicators=indicators,
                    year=YEAR,
                    month=month,
                    regency_codes=regency_codes,
                    verified_only=verified_only,
                )
                assert actual == expected, (month, verified_only, regency_codes)
            assert {(s.label, s.value) for s in sources_now(indicators, month, verified_only)} == (
                {(s.label, s.value) for s in reference_sources(indicators, month, verified_only)}
            )
        assert_series_equal_reference(indicators, [None, *codes], verified_only)


def assert_series_equal_reference(indicators, places, verified_only):
    """The monthly series the program page reads from the table (this year with its target
    path, and the year before, which has no data here) equal `monthly_series` read from
    the realizations, for the province and each regency, as of every month."""
    for indicator in indicators:
        target = Target.objects.get(indicator=indicator, regency=None, year=YEAR)
        for place in places:
            for month in (1, 7, 12):
                table = ytd.monthly_series(
                    indicator=indicator,
                    years=[YEAR, YEAR - 1],
                    month=month,
                    regency_code=place,
                    targets={YEAR: target},
                    verified_only=verified_only,
                )
                for year, year_target in ((YEAR, target), (YEAR - 1, None)):
                    reference = monthly_series(
                        indicator=indicator,
                        year=year,
                        month=month,
                        regency_code=place,
                        target=year_target,
                        verified_only=verified_only,
                    )
                    assert table[year] == reference, (indicator.measure, place, month, year)


def sources_now(indicators, month, verified_only):
    rows = []
    for indicator in indicators:
        rows += dashboards.source_breakdown(
            indicator=indicator, year=YEAR, month=month, verified_only=verified_only
        )
    return rows


def reference_sources(indicators, month, verified_only):
    """Per funding source straight from the realizations (increments: months summed;
    running totals: each regency's latest month)."""
    rows = []
    statuses = (Status.VERIFIED,) if verified_only else (Status.SUBMITTED, Status.VERIFIED)
    for indicator in indicators:
        if indicator.measure not in (Measure.INCREMENT, Measure.RUNNING_TOTAL):
            continue
        counted = Realization.objects.filter(
            indicator=indicator,
            report__year=YEAR,
            report__month__lte=month,
            report__status__in=statuses,
            report__regency__isnull=False,
        ).select_related("report", "funding_source")
        latest: dict[str, int] = {}
        for r in counted:
            latest[r.report.regency_id] = max(latest.get(r.report.regency_id, 0), r.report.month)
        totals: dict[str, Decimal] = {}
        for r in counted:
            if indicator.measure == Measure.RUNNING_TOTAL and (
                r.report.month != latest[r.report.regency_id]
            ):
                continue
            totals[r.funding_source.name] = totals.get(r.funding_source.name, Decimal(0)) + (
                r.value or 0
            )
        rows += [dashboards.SourceRow(name, "", False, total) for name, total in totals.items()]
    return rows


def test_table_equals_compute_progress_after_random_writes():
    rng = random.Random(20241129)
    program, indicators, regencies, sources = build_world(rng)
    indicators = list(Indicator.objects.filter(program=program).select_related("program"))
    for _round in range(3):
        for _write in range(30):
            random_write(rng, program, indicators, regencies, sources)
        assert ProgressDirty.objects.exists()  # the triggers noticed; the next read rebuilds
        assert_table_equals_reference(indicators, regencies)
        assert not ProgressDirty.objects.exists()


def test_bulk_updates_raw_sql_and_measure_changes_are_picked_up():
    rng = random.Random(7)
    program, indicators, regencies, sources = build_world(rng)
    for _write in range(40):
        random_write(rng, program, indicators, regencies, sources)
    indicators = list(Indicator.objects.filter(program=program).select_related("program"))
    assert_table_equals_reference(indicators, regencies)
    MonthlyReport.objects.filter(program=program, status=Status.SUBMITTED).update(
        status=Status.VERIFIED
    )
    assert_table_equals_reference(indicators, regencies)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE programs_realization SET value = value * 2 WHERE value > 100")
    assert_table_equals_reference(indicators, regencies)
    Indicator.objects.filter(pk=indicators[0].pk).update(measure=Measure.RUNNING_TOTAL)
    indicators = list(Indicator.objects.filter(program=program).select_related("program"))
    assert_table_equals_reference(indicators, regencies)


def test_services_rebuild_in_their_own_transaction():
    rng = random.Random(3)
    program, indicators, regencies, sources = build_world(rng)
    report = MonthlyReportFactory(
        program=program, regency=regencies[0], month=3, status=Status.SUBMITTED
    )
    Realization.objects.create(
        report=report, indicator=indicators[0], funding_source=sources[0], value=Decimal(12)
    )
    ytd.flush()
    verifier = UserScopeFactory(role=UserScope.Role.VERIFIKATOR).user
    services.report_verify(user=verifier, report=report, version=report.version)
    assert not ProgressDirty.objects.exists()  # rebuilt before the service committed
    row = ProgressYTD.objects.get(
        indicator_id=indicators[0].pk,
        regency_code=regencies[0].code,
        year=YEAR,
        month=12,
        verified_only=True,
    )
    assert row.total == Decimal(12)


def test_rebuild_command_rebuilds_everything():
    rng = random.Random(11)
    program, indicators, regencies, sources = build_world(rng)
    for _write in range(30):
        random_write(rng, program, indicators, regencies, sources)
    ytd.flush()
    ProgressYTD.objects.all().delete()  # lost, e.g. a restore without the derived table
    call_command("rebuild_progress", verbosity=0)
    indicators = list(Indicator.objects.filter(program=program).select_related("program"))
    assert_table_equals_reference(indicators, regencies)


def test_admin_writes_rebuild_in_their_own_transaction(admin_client):
    rng = random.Random(5)
    program, indicators, regencies, sources = build_world(rng)
    report = MonthlyReportFactory(program=program, regency=regencies[1], month=2)
    kept = Realization.objects.create(
        report=report, indicator=indicators[0], funding_source=sources[0], value=Decimal(4)
    )
    removed = Realization.objects.create(
        report=report, indicator=indicators[0], funding_source=sources[1], value=Decimal(6)
    )
    ytd.flush()
    # A realization is deleted on its report's page (the realization admin only shows).
    rows = {}
    for i, realization in enumerate((kept, removed)):
        rows |= {
            f"realizations-{i}-id": realization.pk,
            f"realizations-{i}-report": report.pk,
            f"realizations-{i}-indicator": realization.indicator_id,
            f"realizations-{i}-funding_source": realization.funding_source_id,
            f"realizations-{i}-value": str(realization.value),
        }
    response = admin_client.post(
        f"/admin/programs/monthlyreport/{report.pk}/change/",
        {
            "is_demo": "",
            "seen_version": report.version,
            "realizations-TOTAL_FORMS": "2",
            "realizations-INITIAL_FORMS": "2",
            **rows,
            "realizations-1-DELETE": "on",
            "change_reason": "uji",  # a verified report's figures change with a reason
            "_save": "Simpan",
        },
    )
    assert response.status_code == 302
    assert not Realization.objects.filter(pk=removed.pk).exists()
    assert not ProgressDirty.objects.exists()  # rebuilt inside the admin's transaction
    row = ProgressYTD.objects.get(
        indicator_id=kept.indicator_id,
        regency_code=regencies[1].code,
        year=YEAR,
        month=12,
        verified_only=True,
    )
    assert row.total == Decimal(4)


def test_a_dashboard_miss_brings_the_table_up_to_date_once(client, gbrss_data):
    """A raw SQL write leaves its slice dirty; the next program page (a cache miss) shows
    the new figure, and the view checks for dirty slices once, not once per reader."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE programs_realization SET value = value + 5 WHERE report_id IN "
            "(SELECT id FROM programs_monthlyreport WHERE regency_id = '16.07' AND month = 1)"
        )
    assert ProgressDirty.objects.exists()
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/program/gbrss/?tahun=2024&bulan=12")
    assert response["X-Page-Cache"] == "miss"
    # Verified for visitors: Banyuasin 10 + 15, OKU 5; January's 10 became 15.
    assert figure_text(response, "realization") == "35"
    checks = [sql for sql in executed_sql(queries) if "programs_progressdirty" in sql]
    # One "anything dirty?" check (an EXISTS, `ytd.flush`), then the rebuild's own reads.
    existence_checks = [q for q in checks if q.startswith("SELECT") and q.endswith("LIMIT 1")]
    assert len(existence_checks) == 1, checks
    assert not ProgressDirty.objects.exists()


def test_a_page_that_never_reads_the_table_leaves_it_to_the_next_reader(client, gbrss_data):
    """The completeness grid reads reports, not year-to-date figures: its miss does not
    ask whether anything is dirty (one query less); the program page after it still
    brings the table up to date before it reads."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE programs_realization SET value = value + 5 WHERE report_id IN "
            "(SELECT id FROM programs_monthlyreport WHERE regency_id = '16.07' AND month = 1)"
        )
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/kelengkapan/?tahun=2024&program=gbrss")
    assert response["X-Page-Cache"] == "miss"
    executed = executed_sql(queries)
    assert [sql for sql in executed if "programs_monthlyreport" in sql]  # the grid's read
    assert not [sql for sql in executed if "programs_progressdirty" in sql]
    assert ProgressDirty.objects.exists()
    program = client.get("/program/gbrss/?tahun=2024&bulan=12")
    assert figure_text(program, "realization") == "35"
    assert not ProgressDirty.objects.exists()
