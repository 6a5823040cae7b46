"""Server-time benchmark of the dashboard pages (`make bench`; budgets in DESIGN.md).

Builds its own database, never the developer's: with DATABASE_URL pointing at PostgreSQL
a dedicated `<name>_bench` database (created and dropped here; a name that already ends
in `_bench` is used as is), otherwise a temporary SQLite file. It migrates, seeds the demo
data (Sumsel scale: 17 regencies, 2024), times every page in-process with
django.test.Client (request in, response out, template rendering included), then adds
483 synthetic regencies and the years 2020-2023 (500 regencies x 5 years of monthly
data) and times the same URLs again.

    make bench                                      # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sumsel make bench   # sumsel_bench
    make bench BENCH_ARGS="--quick --skip-large"    # CI smoke

Always exits 0 when every page answered 200, over budget or not: a page over its budget
is marked OVER BUDGET in the table (the verdict is on p95). A page that does not answer
200 exits 1.
"""

from __future__ import annotations

import argparse
import io
import math
import os
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]

BUDGET_SUMSEL_MS = 100.0
BUDGET_LARGE_MS = 300.0
YEAR = 2024
PERIOD = f"tahun={YEAR}&bulan=12"
LARGE_SYNTHETIC = 483  # + 17 real kabupaten/kota = 500 regencies
LARGE_YEARS = [2020, 2021, 2022, 2023, 2024]

# What `make bench` sets (TEST_ENV), for a direct `python tests/perf/bench.py`.
ENV_DEFAULTS = {
    "DJANGO_SETTINGS_MODULE": "sumsel_gerakan.settings",
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "bench-only-not-secret",
    "DJANGO_ALLOWED_HOSTS": "localhost,127.0.0.1,testserver",
    "DJANGO_SECURE_SSL_REDIRECT": "0",
    "DJANGO_SECURE_COOKIES": "0",
    "DJANGO_PLAIN_STATIC": "1",
    "PUBLIC_DASHBOARD": "1",
    "DJANGO_LOG_LEVEL": "WARNING",
}


@dataclass(frozen=True)
class Page:
    label: str
    url: str
    as_pimpinan: bool  # logged in (sees provisional data) or anonymous (verified only)
    htmx: bool = False


def _dashboard_pages() -> list[tuple[str, str]]:
    return [
        ("overview", f"/?{PERIOD}"),
        ("overview urutkan=gbrss", f"/?{PERIOD}&urutkan=gbrss"),
        ("program gbrss", f"/program/gbrss/?{PERIOD}"),
        ("program gpstss prevalensi", f"/program/gpstss/?{PERIOD}&indikator=prevalensi-stunting"),
        ("program gpstss balita", f"/program/gpstss/?{PERIOD}&indikator=balita-didampingi"),
        ("program gpiss", f"/program/gpiss/?{PERIOD}"),
        ("program gsmp", f"/program/gsmp/?{PERIOD}"),
        ("wilayah 16.07", f"/wilayah/16.07/?{PERIOD}"),
        ("kelengkapan gbrss", f"/kelengkapan/?{PERIOD}&program=gbrss"),
    ]


PAGES: list[Page] = [
    *(Page(f"{label} [pimpinan]", url, True) for label, url in _dashboard_pages()),
    *(Page(f"{label} [anonim]", url, False) for label, url in _dashboard_pages()),
    Page("program gbrss htmx [pimpinan]", f"/program/gbrss/?{PERIOD}", True, htmx=True),
    Page("program gbrss htmx [anonim]", f"/program/gbrss/?{PERIOD}", False, htmx=True),
    Page("healthz", "/healthz", False),
]


@dataclass(frozen=True)
class Timing:
    page: Page
    median_ms: float
    p95_ms: float
    queries: int
    status: int


def percentile(samples: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (p95 of 30 samples is the 29th smallest)."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def time_pages(
    pages: Iterable[Page] = PAGES,
    *,
    pimpinan,
    iterations: int = 30,
    warmup: int = 3,
) -> list[Timing]:
    """Time each page `iterations` times after `warmup` untimed requests, then count its
    queries on one more request. `pimpinan` is the user the logged-in pages use."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    anonymous = Client()
    logged_in = Client()
    logged_in.force_login(pimpinan)
    results = []
    for page in pages:
        client = logged_in if page.as_pimpinan else anonymous
        headers = {"HX-Request": "true"} if page.htmx else {}

        def get(client=client, page=page, headers=headers):
            return client.get(page.url, headers=headers)

        for _ in range(warmup):
            get()
        samples = []
        for _ in range(iterations):
            started = time.perf_counter()
            get()
            samples.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as queries:
            status = get().status_code
        results.append(
            Timing(
                page=page,
                median_ms=statistics.median(samples),
                p95_ms=percentile(samples, 0.95),
                queries=len(queries),
                status=status,
            )
        )
    return results


# --- Database -------------------------------------------------------------------------


class BenchDatabase:
    """A throwaway database: `<name>_bench` on PostgreSQL, else a temporary SQLite file."""

    def __init__(self, source_url: str | None, keep: bool = False):
        self.keep = keep
        self.tempdir = None
        self.pg = None
        if source_url and source_url.startswith(("postgres://", "postgresql://", "pgsql://")):
            import dj_database_url

            config = dj_database_url.parse(source_url)
            name = config["NAME"] or "sumsel"
            self.name = name if name.endswith("_bench") else f"{name}_bench"
            self.pg = {
                "host": config.get("HOST") or "127.0.0.1",
                "port": config.get("PORT") or 5432,
                "user": config.get("USER") or "postgres",
                "password": config.get("PASSWORD") or None,
            }
            base, _sep, query = source_url.partition("?")
            root = base.rsplit("/", 1)[0]
            self.url = f"{root}/{self.name}" + (f"?{query}" if query else "")
            self.label = f"PostgreSQL database {self.name} on {self.pg['host']}"
        else:
            self.tempdir = tempfile.mkdtemp(prefix="sumsel-bench-")
            path = Path(self.tempdir) / "bench.sqlite3"
            self.name = str(path)
            self.url = f"sqlite:///{path}"
            self.label = f"SQLite file {path}"

    def _admin(self, sql: str) -> None:
        import psycopg2
        from psycopg2 import sql as pgsql

        conn = psycopg2.connect(dbname="postgres", **self.pg)
        try:
            conn.autocommit = True
            with conn.cursor() as cursor:
                cursor.execute(pgsql.SQL(sql).format(pgsql.Identifier(self.name)))
        finally:
            conn.close()

    def create(self) -> None:
        if self.pg:
            self._admin("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            self._admin("CREATE DATABASE {}")

    def drop(self) -> None:
        if self.keep:
            print(f"Database kept (--keep-db): {self.label}")
            return
        if self.pg:
            import psycopg2
            from django.db import connections

            connections.close_all()
            try:
                self._admin("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            except psycopg2.Error as exc:
                print(f"WARNING: could not drop {self.name}: {exc}".strip(), file=sys.stderr)
        if self.tempdir:
            shutil.rmtree(self.tempdir, ignore_errors=True)


def _seed(**options) -> float:
    from django.core.management import call_command

    started = time.monotonic()
    call_command("seed_demo", force=True, stdout=io.StringIO(), **options)
    return time.monotonic() - started


def _volume() -> str:
    from programs.models import MonthlyReport, Realization
    from regencies.models import Regency

    return (
        f"{Regency.objects.count()} regencies, {MonthlyReport.objects.count():,} reports, "
        f"{Realization.objects.count():,} realizations"
    )


def _analyze() -> None:
    """Planner statistics (and on PostgreSQL the visibility map) after a bulk load, as
    autovacuum would leave them on a running server."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


# --- Report ---------------------------------------------------------------------------


def _verdict(timing: Timing | None, budget: float) -> str | None:
    if timing is None:
        return None
    if timing.status != 200:
        return f"HTTP {timing.status}"
    return "ok" if timing.p95_ms < budget else "OVER BUDGET"


def format_table(small: list[Timing], large: list[Timing] | None) -> str:
    large_by_label = {t.page.label: t for t in large or []}
    width = max(len(p.page.label) for p in small)
    header = (
        f"{'page':<{width}} | {'Sumsel median':>13} | {'p95':>7} | {'500x5 median':>12} | "
        f"{'p95':>7} | {'queries':>7} | budget OK?"
    )
    lines = [header, "-" * len(header)]
    for s in small:
        big = large_by_label.get(s.page.label)
        queries = str(s.queries)
        if big is not None and big.queries != s.queries:
            queries = f"{s.queries}->{big.queries}"
        verdicts = [_verdict(s, BUDGET_SUMSEL_MS), _verdict(big, BUDGET_LARGE_MS)]
        bad = [v for v in verdicts if v not in (None, "ok")]
        verdict = "ok" if not bad else " / ".join(dict.fromkeys(bad))
        big_median = f"{big.median_ms:.1f}" if big else "-"
        big_p95 = f"{big.p95_ms:.1f}" if big else "-"
        lines.append(
            f"{s.page.label:<{width}} | {s.median_ms:>13.1f} | {s.p95_ms:>7.1f} | "
            f"{big_median:>12} | {big_p95:>7} | {queries:>7} | {verdict}"
        )
    lines.append(
        f"Times in ms (server time, in-process; warm: repeated requests are page cache hits, "
        f"see the cold table below). Budget on p95: < {BUDGET_SUMSEL_MS:.0f} ms at "
        f"Sumsel scale, < {BUDGET_LARGE_MS:.0f} ms at 500 regencies x 5 years."
    )
    return "\n".join(lines)


# --- Entry point ----------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, help="timed requests per page (default 30)")
    parser.add_argument("--warmup", type=int, help="untimed requests per page first (default 3)")
    parser.add_argument("--quick", action="store_true", help="5 iterations, 1 warm-up (CI)")
    parser.add_argument("--skip-large", action="store_true", help="Sumsel scale only")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database")
    args = parser.parse_args(argv)
    args.iterations = args.iterations or (5 if args.quick else 30)
    args.warmup = args.warmup if args.warmup is not None else (1 if args.quick else 3)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    for key, value in ENV_DEFAULTS.items():
        os.environ.setdefault(key, value)
    database = BenchDatabase(os.environ.get("DATABASE_URL"), keep=args.keep_db)
    os.environ["DATABASE_URL"] = database.url
    sys.path.insert(0, str(BASE_DIR))
    os.chdir(BASE_DIR)

    # The page cache as in production: Redis (database 5 of the local server) when it
    # answers, else the database cache (load.py does the same).
    from tests.perf.load import page_cache_url

    os.environ["CACHE_URL"] = page_cache_url()
    print(f"Page cache: {os.environ['CACHE_URL']}")
    # No collectstatic for a benchmark: WhiteNoise serves nothing here.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    if settings.DEBUG:
        print("WARNING: DEBUG is on; timings include query logging (use `make bench`).")
    print(f"Benchmark database: {database.label}")
    print(f"{args.iterations} timed requests per page after {args.warmup} warm-up request(s)")
    database.create()
    small = large = None
    cache_runs: dict = {}
    from tests.perf import bench_cache

    try:
        started = time.monotonic()
        call_command("migrate", verbosity=0, interactive=False)
        call_command("createcachetable", verbosity=0)
        print(f"migrate: {time.monotonic() - started:.1f} s")
        seconds = _seed(year=[YEAR])
        _analyze()
        print(f"Sumsel scale seeded in {seconds:.1f} s: {_volume()}")
        pimpinan = get_user_model().objects.get(username="pimpinan")

        small = time_pages(pimpinan=pimpinan, iterations=args.iterations, warmup=args.warmup)
        print(f"Sumsel scale timed: {len(small)} pages")
        cache_runs["Sumsel"] = bench_cache.measure(iterations=args.iterations // 2 or 1)
        if not args.skip_large:
            seconds = _seed(year=LARGE_YEARS, synthetic_regencies=LARGE_SYNTHETIC)
            _analyze()
            print(f"500 x 5 seeded in {seconds:.1f} s: {_volume()}")
            large = time_pages(pimpinan=pimpinan, iterations=args.iterations, warmup=args.warmup)
            cache_runs["500x5"] = bench_cache.measure(iterations=args.iterations // 2 or 1)
    finally:
        if small:  # also when the large run failed: what was measured is still shown
            print()
            load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
            print(
                f"Dashboard server time ({connection.vendor}, {os.cpu_count()} CPUs, load "
                f"average {load}: timings taken while other work runs are inflated)"
            )
            print(format_table(small, large))
        if cache_runs:
            print()
            print(bench_cache.format_tables(cache_runs))
        database.drop()
    failed = [t for t in [*small, *(large or [])] if t.status != 200]
    for timing in failed:
        print(f"ERROR: {timing.page.label} {timing.page.url} answered {timing.status}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
