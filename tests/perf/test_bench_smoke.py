"""Smoke test of the benchmark (`make bench`, tests/perf/bench.py) so its code cannot rot:
the timing function on a tiny data set, not the budgets (those are for `make bench`)."""

import datetime as dt
from decimal import Decimal

import pytest

from programs.models import FundingSource, Indicator, MonthlyReport, Program, Realization
from regencies.models import Regency, UserScope
from tests.factories import MonthlyReportFactory, RealizationFactory, UserScopeFactory
from tests.perf import bench


@pytest.fixture
def few_reports(reference_data):
    """Reference fixtures plus a verified and a provisional GBRSS report."""
    program = Program.objects.get(slug="gbrss")
    houses = Indicator.objects.get(code="rumah-dibedah")
    source = FundingSource.objects.get(code="apbd-prov")
    for month, status in [(1, MonthlyReport.Status.VERIFIED), (2, MonthlyReport.Status.SUBMITTED)]:
        report = MonthlyReportFactory(
            program=program,
            regency=Regency.objects.get(code="16.07"),
            year=bench.YEAR,
            month=month,
            status=status,
            first_submitted_at=dt.datetime(bench.YEAR, month + 1, 5, tzinfo=dt.UTC),
        )
        RealizationFactory(report=report, indicator=houses, funding_source=source, value=Decimal(7))


def test_time_pages_gives_a_row_per_page_with_positive_times(few_reports):
    pimpinan = UserScopeFactory(role=UserScope.Role.PIMPINAN).user

    timings = bench.time_pages(pimpinan=pimpinan, iterations=2, warmup=0)

    assert [t.page for t in timings] == bench.PAGES
    for timing in timings:
        assert timing.status == 200, timing.page
        assert 0 < timing.median_ms <= timing.p95_ms, timing.page
        assert timing.queries >= 1, timing.page
    table = bench.format_table(timings, timings)
    assert len(table.splitlines()) == len(bench.PAGES) + 3
    assert "budget OK?" in table


def test_percentile_is_nearest_rank():
    samples = [float(n) for n in range(1, 31)]
    assert bench.percentile(samples, 0.95) == 29.0
    assert bench.percentile([3.0, 1.0], 0.95) == 3.0


def test_over_budget_is_marked():
    page = bench.PAGES[0]
    fast = bench.Timing(page, median_ms=10.0, p95_ms=20.0, queries=5, status=200)
    slow = bench.Timing(page, median_ms=250.0, p95_ms=350.0, queries=5, status=200)
    assert "OVER BUDGET" not in bench.format_table([fast], [fast]).splitlines()[2]
    assert "OVER BUDGET" in bench.format_table([fast], [slow]).splitlines()[2]


def test_bench_database_never_uses_the_developers_database():
    postgres = bench.BenchDatabase("postgres://postgres@127.0.0.1:5432/sumsel")
    assert postgres.url == "postgres://postgres@127.0.0.1:5432/sumsel_bench"
    named = bench.BenchDatabase("postgres://postgres@127.0.0.1:5432/sumsel_bench")
    assert named.url.endswith("/sumsel_bench")
    sqlite = bench.BenchDatabase(None)
    try:
        assert sqlite.url.startswith("sqlite:///") and sqlite.url.endswith("bench.sqlite3")
        assert "db.sqlite3" not in sqlite.url
    finally:
        sqlite.drop()


def test_cache_measure_times_every_page_cold_hit_and_after_a_write(few_reports):
    from tests.perf import bench_cache

    timings = bench_cache.measure(iterations=2)

    assert [t.label for t in timings] == [label for label, _url in bench_cache.PAGES]
    for timing in timings:
        assert timing.cold_ms > 0 and timing.raw_sql_ms > 0 and timing.hit_ms > 0
        assert timing.after_write_ms > 0 and timing.cold_after_write_ms > 0
        assert timing.floor_ratio > 1  # a miss does a hit's work besides the SQL
        assert timing.html_gzip_bytes < timing.html_bytes
    table = bench_cache.format_tables({"tiny": timings})
    header = [column.strip() for column in table.splitlines()[1].split("|")]
    assert header[6:9] == ["extra", "hit", "floor"]
    for timing, line in zip(timings, table.splitlines()[3:], strict=False):
        cells = [cell.strip() for cell in line.split("|")]
        assert cells[1] == timing.label
        assert float(cells[6]) == round(timing.cold_ms - timing.raw_sql_ms, 1)
    assert header[-3:] == ["after write", "cold+w", "<= cold+w?"]


def test_a_page_after_a_write_does_what_a_cold_page_does(few_reports):
    """What the cold+w column rests on: the first view after a write runs the same queries
    as a view with the cache emptied (the year-to-date rebuild happened in the write)."""
    from django.core.cache import caches
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from programs.models import Realization
    from tests.perf import bench_cache

    victim = Realization.objects.values_list("pk", flat=True).first()
    client = Client()
    for _label, url in bench_cache.PAGES:
        caches["default"].clear()
        reset_queries()  # each request empties the log: a capture must start from empty
        with CaptureQueriesContext(connection) as cold:
            assert client.get(url)["X-Page-Cache"] == "miss"
        assert client.get(url)["X-Page-Cache"] == "hit"
        bench_cache._write(victim)
        reset_queries()
        with CaptureQueriesContext(connection) as after:
            assert client.get(url)["X-Page-Cache"] == "miss"
        assert _page_queries(after) == _page_queries(cold), url


def _page_queries(captured) -> list[str]:
    """The page's own queries: the database cache's (keyed by the data version) and the
    savepoints around its writes left out."""
    return [
        q["sql"] for q in captured if "django_cache" not in q["sql"] and "SAVEPOINT" not in q["sql"]
    ]


@pytest.mark.parametrize("script", ["bench", "bench_import", "bench_writers", "load"])
def test_every_benchmark_environment_is_one_the_settings_accept(script):
    """`make bench` runs each script with its own settings: a value out of the settings'
    range (bench_import kept 100.000 lock days after the range check came) stops the
    script before it measures anything."""
    import importlib

    from tests.helpers import run_python

    module = importlib.import_module(f"tests.perf.{script}")
    env = {
        **bench.ENV_DEFAULTS,
        **getattr(module, "ENV_DEFAULTS", {}),
        **getattr(module, "EXTRA_ENV", {}),
    }
    env["DATABASE_URL"] = "sqlite:///:memory:"
    result = run_python("import django; django.setup()", **env)
    assert result.returncode == 0, result.stderr[-500:]


@pytest.fixture
def two_drafts(transactional_db):
    """Two regencies' GBRSS drafts of last month, as the writers' benchmark finds them
    (committed: its writers are threads with connections of their own)."""
    from django.core.management import call_command

    from tests.conftest import FIXTURES
    from tests.helpers import previous_month

    call_command("loaddata", *FIXTURES, verbosity=0)
    year, month = previous_month()
    program = Program.objects.get(slug="gbrss")
    houses = Indicator.objects.get(code="rumah-dibedah")
    for code, value in (("16.07", 7), ("16.01", 4)):
        report = MonthlyReportFactory(
            program=program,
            regency=Regency.objects.get(code=code),
            year=year,
            month=month,
            status=MonthlyReport.Status.VERIFIED,
        )
        for source in ("apbn", "apbd-prov"):
            RealizationFactory(
                report=report,
                indicator=houses,
                funding_source=FundingSource.objects.get(code=source),
                value=Decimal(value),
            )
    return year, month


def test_writers_rush_submits_every_report_and_times_the_program_lock(two_drafts):
    from django.db import connection

    from tests.perf import bench_writers

    year, month = two_drafts
    writers = bench_writers.reset_to_drafts(["16.01", "16.07"], year=year, month=month)
    assert set(MonthlyReport.objects.values_list("status", flat=True)) == {"draft"}
    # Threads write at once on PostgreSQL; SQLite's test database takes one at a time.
    in_flight = 2 if connection.vendor == "postgresql" else 1

    result = bench_writers.rush(writers, in_flight=in_flight, scale="tiny")

    assert result.submitted == result.writers == 2
    assert set(MonthlyReport.objects.values_list("status", flat=True)) == {"submitted"}
    # The operators' own figures went in unchanged, two sources each.
    values = sorted(
        Realization.objects.values_list("report__regency_id", "funding_source__code", "value")
    )
    assert [(c, s, int(v)) for c, s, v in values] == [
        ("16.01", "apbd-prov", 4),
        ("16.01", "apbn", 4),
        ("16.07", "apbd-prov", 7),
        ("16.07", "apbn", 7),
    ]
    assert all(ms > 0 for ms in result.submit_ms)
    assert all(
        0 <= wait <= ms for wait, ms in zip(result.lock_wait_ms, result.submit_ms, strict=True)
    )
    table = bench_writers.format_table([result])
    assert table.splitlines()[3].split("|")[-1].strip() == "2/2"
