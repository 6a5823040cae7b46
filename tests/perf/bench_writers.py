"""Deadline-day writers (`make bench`): every regency's operator submits the same month of
one program at the same moment, and the program lock they share is timed.

Every write to a program's reports takes that program's row lock first
(`programs.ytd.lock_programs`, so that the year-to-date table's province rows are rebuilt
by one writer at a time). Writers of one program therefore queue behind each other; this
measures how long. Each round resets every regency's GBRSS report of last month to draft,
then submits them through the entry form (django.test.Client, in threads: each thread has
its own database connection, as each gunicorn worker has), `in flight` at a time:

- 1: one after another, the time of a submit alone;
- the production stack's gunicorn workers (`gunicorn.conf.py`: 2 x CPUs + 1): what a
  deadline rush meets in production, where a request waits for a free worker first;
- every writer at once (more workers, or threads): the worst case of the lock.

Prints per round the submit time (p50/p95/max, ms) and, inside it, the time spent waiting
for the program lock. Exit 1 when a submit did not end submitted.

Own database like bench.py (`<name>_writers_bench` on PostgreSQL, else a temporary SQLite
file, where writers wait on SQLite's single writer lock instead):

    .venv/bin/python tests/perf/bench_writers.py --skip-large
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sumsel \
        .venv/bin/python tests/perf/bench_writers.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(BASE_DIR))

from tests.perf.bench import LARGE_SYNTHETIC, percentile  # noqa: E402

PROGRAM = "gbrss"
# Every month since the demo's start stays open for editing (the longest lock the settings
# accept): the rush writes the latest month every regency has reported.
EXTRA_ENV = {"REPORT_LOCK_DAYS": "366"}
MAX_IN_FLIGHT = 50  # "every writer at once", up to as many as wrk's largest load


@dataclass(frozen=True)
class Writer:
    report_id: int
    username: str
    url: str
    payload: dict[str, str]


@dataclass(frozen=True)
class Round:
    scale: str
    writers: int
    in_flight: int
    submit_ms: list[float]
    lock_wait_ms: list[float]
    submitted: int

    def row(self) -> str:
        def trio(samples: list[float]) -> str:
            return (
                f"{statistics.median(samples):>7.1f} | {percentile(samples, 0.95):>7.1f} | "
                f"{max(samples):>7.1f}"
            )

        return (
            f"{self.scale:<14} | {self.writers:>7} | {self.in_flight:>9} | "
            f"{trio(self.submit_ms)} | {trio(self.lock_wait_ms)} | "
            f"{self.submitted:>4}/{self.writers:<4}"
        )


HEADER = (
    f"{'scale, month':<14} | {'writers':>7} | {'in flight':>9} | "
    f"{'submit':>7} | {'p95':>7} | {'max':>7} | {'lock':>7} | {'p95':>7} | {'max':>7} | "
    f"{'submitted':>9}"
)


class LockClock:
    """Times every waiting `ytd.lock_programs` call, per thread, while installed."""

    def __init__(self):
        self.local = threading.local()

    def __enter__(self) -> LockClock:
        from programs import ytd

        self.original = ytd.lock_programs
        original = self.original
        local = self.local

        def timed(program_ids, *, wait: bool = True):
            started = time.perf_counter()
            try:
                return original(program_ids, wait=wait)
            finally:
                if wait:
                    local.waited = getattr(local, "waited", 0.0) + time.perf_counter() - started

        ytd.lock_programs = timed
        return self

    def __exit__(self, *exc) -> None:
        from programs import ytd

        ytd.lock_programs = self.original

    def take(self) -> float:
        """This thread's lock wait since the last take, in ms."""
        waited = getattr(self.local, "waited", 0.0)
        self.local.waited = 0.0
        return waited * 1000


def operators(regency_codes: Sequence[str]) -> dict[str, str]:
    """An operator account per regency (the demo's `operator-<code>` where it exists);
    returns regency code -> username."""
    from django.contrib.auth import get_user_model

    from regencies.models import UserScope

    users = get_user_model()
    names = {}
    for code in regency_codes:
        username = f"operator-{code.replace('.', '')}"
        user, created = users.objects.get_or_create(username=username)
        if created or not UserScope.objects.filter(user=user).exists():
            UserScope.objects.create(user=user, role=UserScope.Role.OPERATOR, regency_id=code)
        names[code] = username
    return names


def reset_to_drafts(regency_codes: Sequence[str], *, year: int, month: int) -> list[Writer]:
    """The regencies' GBRSS reports of the month back to draft, and each operator's
    submit of its report as the entry form posts it (the stored figures, unchanged)."""
    from django.db import transaction

    from programs import ytd
    from programs.models import MonthlyReport, Program, Realization

    program = Program.objects.get(slug=PROGRAM)
    names = operators(regency_codes)
    with transaction.atomic():
        reports = MonthlyReport.objects.filter(
            program=program, year=year, month=month, regency_id__in=regency_codes
        )
        reports.update(status=MonthlyReport.Status.DRAFT, submitted_at=None, verified_at=None)
        ytd.rebuild_program(program.pk)
    rows: dict[int, list[Realization]] = {}
    for realization in (
        Realization.objects.filter(report__in=reports)
        .select_related("indicator", "funding_source")
        .order_by("pk")
    ):
        rows.setdefault(realization.report_id, []).append(realization)
    writers = []
    for report in reports.order_by("regency_id"):
        payload = {"versi": str(report.version), "aksi": "ajukan"}
        counts: dict[str, int] = {}
        for r in rows.get(report.pk, []):
            code = r.indicator.code
            n = counts[code] = counts.get(code, -1) + 1
            payload[f"r-{code}-{n}-source"] = r.funding_source.code
            if r.numerator is not None:
                payload[f"r-{code}-{n}-numerator"] = f"{r.numerator.normalize():f}"
                payload[f"r-{code}-{n}-denominator"] = f"{r.denominator.normalize():f}"
            else:
                payload[f"r-{code}-{n}-value"] = f"{r.value.normalize():f}"
            # A figure far from the regency's usual needs a note before a submit (the
            # demo has a few): every row carries one, as an operator would add.
            payload[f"r-{code}-{n}-note"] = r.note or "Sesuai laporan lapangan."
        writers.append(
            Writer(
                report.pk,
                names[report.regency_id],
                report.get_absolute_url(),
                payload=payload,
            )
        )
    return writers


def rush(writers: Sequence[Writer], *, in_flight: int, scale: str = "") -> Round:
    """Every writer's submit, `in_flight` at a time, released together."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from programs.models import MonthlyReport

    named = get_user_model().objects.filter(username__in=[w.username for w in writers])
    users = {u.username: u for u in named}
    clients = []
    for writer in writers:
        client = Client()
        client.force_login(users[writer.username])
        clients.append(client)
    gate = threading.Event()
    results: list[tuple[float, float, int]] = [(0.0, 0.0, 0)] * len(writers)
    refusals: list[str] = []

    with LockClock() as clock:

        def submit(index: int) -> None:
            gate.wait()
            clock.take()
            try:
                started = time.perf_counter()
                response = clients[index].post(writers[index].url, writers[index].payload)
                elapsed = (time.perf_counter() - started) * 1000
                results[index] = (elapsed, clock.take(), response.status_code)
                if response.status_code != 302 and len(refusals) < 3:
                    refusals.append(
                        f"{writers[index].url} {response.status_code}: " + _said(response)
                    )
            finally:
                connection.close()  # this thread's own connection

        with ThreadPoolExecutor(max_workers=in_flight) as pool:
            futures = [pool.submit(submit, i) for i in range(len(writers))]
            gate.set()
            for future in futures:
                future.result()
    submitted = MonthlyReport.objects.filter(
        pk__in=[w.report_id for w in writers], status=MonthlyReport.Status.SUBMITTED
    ).count()
    for refusal in refusals:
        print(f"not submitted: {refusal}", file=sys.stderr)
    return Round(
        scale=scale,
        writers=len(writers),
        in_flight=in_flight,
        submit_ms=[r[0] for r in results],
        lock_wait_ms=[r[1] for r in results],
        submitted=submitted,
    )


def _said(response) -> str:
    """The page's error messages, in short."""
    import re

    text = response.content.decode(errors="replace")
    found = re.findall(r'class="[^"]*(?:error|errorlist|alert)[^"]*"[^>]*>(.*?)</', text, re.S)
    return " | ".join(re.sub(r"\s+", " ", f).strip() for f in found if f.strip())[:300]


def format_table(rounds: Sequence[Round]) -> str:
    lines = [
        "Deadline-day writers: every regency's GBRSS report of one month (scale column) "
        "submitted through the entry form at the same moment (in-process threads, each with "
        "its own database connection; ms)",
        HEADER,
        "-" * len(HEADER),
        *(r.row() for r in rounds),
        "submit = the POST's time (the form checked, saved, the year-to-date slice rebuilt, "
        "committed); lock = the part of it spent waiting for the program's lock (the other "
        "writers' turns). in flight 1 = one after another; "
        "the gunicorn workers' count = at most that many requests served at once in "
        "production; every writer at once = the worst case.",
    ]
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skip-large", action="store_true", help="Sumsel scale only")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database")
    return parser.parse_args(argv)


def complete_month(year: int, month: int) -> tuple[int, int]:
    """The latest month up to (year, month) in which every regency has its GBRSS report
    (the demo leaves some late), so that every regency's operator writes in the rush."""
    from django.db.models import Count

    from programs.models import MonthlyReport
    from regencies.models import Regency

    regencies = Regency.objects.count()
    full = (
        MonthlyReport.objects.filter(program__slug=PROGRAM)
        .values("year", "month")
        .annotate(n=Count("pk"))
        .filter(n=regencies)
        .order_by("-year", "-month")
    )
    for row in full:
        if (row["year"], row["month"]) <= (year, month):
            return row["year"], row["month"]
    return year, month


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.update(EXTRA_ENV)
    from tests.perf.load import configured_workers, own_database, seed, setup_django

    database = own_database(os.environ.get("DATABASE_URL"), "writers", keep=args.keep_db)
    try:
        database.create()
        setup_django(database)
        from django.core.management import call_command
        from django.utils import timezone

        from regencies.models import Regency

        call_command("migrate", verbosity=0, interactive=False)
        workers = configured_workers(dict(os.environ))
        today = timezone.localdate()
        last = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
        seed(until=f"{last[0]}-{last[1]:02d}")
        rounds = []
        scales = [("Sumsel", 0)] + ([] if args.skip_large else [("500", LARGE_SYNTHETIC)])
        for scale, synthetic in scales:
            if synthetic:
                seed(
                    year=[last[0]], until=f"{last[0]}-{last[1]:02d}", synthetic_regencies=synthetic
                )
            year, month = complete_month(*last)
            codes = list(Regency.objects.order_by("code").values_list("code", flat=True))
            for in_flight in sorted({1, workers, min(len(codes), MAX_IN_FLIGHT)}):
                writers = reset_to_drafts(codes, year=year, month=month)
                rounds.append(
                    rush(writers, in_flight=in_flight, scale=f"{scale} {year}-{month:02d}")
                )
        print(format_table(rounds))
        return 0 if all(r.submitted == r.writers for r in rounds) else 1
    finally:
        database.drop()


if __name__ == "__main__":
    sys.exit(main())
