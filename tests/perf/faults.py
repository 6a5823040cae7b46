"""Database outage drill: stop PostgreSQL during a load run, start it again,
and show that pages answer a clear 503 meanwhile and that the app recovers by itself.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sumsel .venv/bin/python tests/perf/faults.py

Needs DATABASE_URL pointing at the local PostgreSQL cluster (Debian's pg_ctlcluster; the
newest version under /etc/postgresql, cluster `main`) and the right to stop and start it
(root or postgres); otherwise it says so and exits 0. Like load.py it builds its own
database (`<name>_faults_bench`), seeds the Sumsel scale, collects the static files and
starts gunicorn with gunicorn.conf.py and production settings on 127.0.0.1 (worker
recycling off, so that unchanged worker PIDs prove that nothing restarted). Then, for
--duration seconds (default 20), --threads threads (default 4) request the overview and
/healthz in turn with urllib; after --stop-after seconds (5) the cluster is stopped
(`pg_ctlcluster --skip-systemctl-redirect <version> main stop`, fast mode: connections are
cut) and --outage seconds later (5) started again. The cluster is started again whatever
happens (try/finally): other tests use it. Every other client of the cluster loses its
connection for the length of the outage.

Reports requests and failures per phase, the status codes seen during the outage (503
expected, never 500, no request hanging past the timeout), the 503 page's content, the
time from the cluster's start to the first 200 again, and whether gunicorn's master and
workers are the same processes as before. Exit status 1 when any of that is wrong.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(BASE_DIR))

from tests.perf.bench import PERIOD, YEAR  # noqa: E402
from tests.perf.load import (  # noqa: E402
    Server,
    collectstatic,
    migrate,
    own_database,
    production_env,
    seed,
    setup_django,
    volume,
)

PATHS = [f"/?{PERIOD}", "/healthz"]
REQUEST_TIMEOUT_S = 10.0
PAGE_503_TEXT = "Layanan sementara tidak tersedia"


@dataclass(frozen=True)
class Sample:
    started: float  # seconds since the load began
    elapsed: float
    path: str
    status: int  # 0: no HTTP answer
    error: str  # "", "timeout" or the connection error
    body_ok: bool  # a 503 says what it should (page text / {"database": "down"})


# --- PostgreSQL cluster ---------------------------------------------------------------


def local_cluster(url: str) -> tuple[str, str, str] | None:
    """(version, name, port) of the local Debian cluster serving `url`'s port, or None."""
    import dj_database_url

    config = dj_database_url.parse(url)
    if (config.get("HOST") or "127.0.0.1") not in {"127.0.0.1", "localhost", "::1"}:
        return None
    if not shutil.which("pg_ctlcluster") or not Path("/etc/postgresql").is_dir():
        return None
    port = str(config.get("PORT") or 5432)
    versions = sorted(
        (p.name for p in Path("/etc/postgresql").iterdir() if p.name[0].isdigit()),
        key=lambda v: [int(x) for x in v.split(".") if x.isdigit()],
    )
    for version in reversed(versions):
        conf = Path("/etc/postgresql") / version / "main" / "postgresql.conf"
        try:
            text = conf.read_text()
        except OSError:
            continue
        lines = [line.split("#")[0].strip() for line in text.splitlines()]
        ports = [line.split("=", 1)[1].strip() for line in lines if line.startswith("port")]
        if (ports[-1] if ports else "5432") == port:
            return version, "main", port
    return None


def pg_ctlcluster(action: str, version: str, name: str) -> float:
    started = time.monotonic()
    subprocess.run(  # noqa: S603
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, action],  # noqa: S607
        check=True,
        capture_output=True,
        timeout=120,
    )
    return time.monotonic() - started


def wait_ready(port: str, origin: float, limit: float = 60) -> float | None:
    """Seconds since `origin` at which the server first accepts connections."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        ready = subprocess.run(  # noqa: S603
            ["pg_isready", "-q", "-h", "127.0.0.1", "-p", port],  # noqa: S607
            check=False,
            timeout=10,
        )
        if ready.returncode == 0:
            return time.monotonic() - origin
        time.sleep(0.05)
    return None


def cluster_running(version: str, name: str) -> bool:
    result = subprocess.run(  # noqa: S603
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, "status"],  # noqa: S607
        capture_output=True,
        timeout=30,
        check=False,
    )
    return result.returncode == 0


def other_clients(database_name: str) -> int:
    """Connections of other programs to the cluster (they are cut by the drill)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' "
            "AND pid <> pg_backend_pid() AND datname IS DISTINCT FROM %s",
            [database_name],
        )
        return cursor.fetchone()[0]


# --- Load -----------------------------------------------------------------------------


def fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=REQUEST_TIMEOUT_S) as response:  # noqa: S310
            return response.status, "", response.read()
    except urllib.error.HTTPError as error:
        return error.code, "", error.read()
    except TimeoutError:
        return 0, "timeout", b""
    except urllib.error.URLError as error:
        reason = error.reason
        return 0, "timeout" if isinstance(reason, TimeoutError) else str(reason), b""
    except OSError as error:
        return 0, type(error).__name__, b""


def body_says_down(path: str, body: bytes) -> bool:
    if path == "/healthz":
        try:
            return json.loads(body).get("database") == "down"
        except ValueError:
            return False
    return PAGE_503_TEXT in body.decode(errors="replace")


def load(base_url: str, *, threads: int, seconds: float, origin: float) -> list[Sample]:
    samples: list[Sample] = []
    lock = threading.Lock()
    deadline = origin + seconds

    def worker(offset: int) -> None:
        turn = offset
        while time.monotonic() < deadline:
            path = PATHS[turn % len(PATHS)]
            turn += 1
            started = time.monotonic()
            status, error, body = fetch(base_url + path)
            sample = Sample(
                started=started - origin,
                elapsed=time.monotonic() - started,
                path=path,
                status=status,
                error=error,
                body_ok=status != 503 or body_says_down(path, body),
            )
            with lock:
                samples.append(sample)

    pool = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=seconds + REQUEST_TIMEOUT_S + 30)
    return sorted(samples, key=lambda s: s.started)


# --- Entry point ----------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=20.0, help="load seconds (20)")
    parser.add_argument("--stop-after", type=float, default=5.0, help="stop at (5 s)")
    parser.add_argument("--outage", type=float, default=5.0, help="start after (5 s)")
    parser.add_argument("--threads", type=int, default=4, help="client threads (4)")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: its config)")
    args = parser.parse_args(argv)
    if args.stop_after + args.outage >= args.duration:
        parser.error("--stop-after + --outage must leave time to recover within --duration")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        print("faults.py: needs DATABASE_URL pointing at the local PostgreSQL cluster, e.g.")
        print(
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/sumsel "
            ".venv/bin/python tests/perf/faults.py"
        )
        return 0
    cluster = local_cluster(url)
    if cluster is None:
        print(
            "faults.py: DATABASE_URL is not served by a local Debian cluster "
            "(pg_ctlcluster, /etc/postgresql/<version>/main): nothing to stop. Skipped."
        )
        return 0
    version, name, port = cluster

    database = own_database(url, "faults")
    workdir = Path(tempfile.mkdtemp(prefix="sumsel-faults-"))
    problems: list[str] = []
    try:
        database.create()
        setup_django(database)
        migrate()
        seconds = seed(year=[YEAR])
        print(f"Database {database.label}, seeded in {seconds:.1f} s: {volume()}")
        env = production_env(
            database.url, workdir / "static", GUNICORN_MAX_REQUESTS="0", GUNICORN_TIMEOUT="30"
        )
        collectstatic(env)
        print(
            f"Cluster {version}/{name}; {other_clients(database.name)} other client "
            "connection(s) to it now (cut during the outage)"
        )
        from django.db import connections

        connections.close_all()

        with Server(env, workdir / "gunicorn.log", workers=args.workers) as server:
            master, workers_before = server.pid, server.worker_pids()
            boots_before = server.log_tail(10_000).count("Booting worker")
            print(f"gunicorn {server.url}: master {master}, workers {workers_before}")
            for path in PATHS:  # warm up every worker
                for _ in range(3 * len(workers_before)):
                    server.get(path)

            events: dict[str, float] = {}
            origin = time.monotonic()
            result: list[list[Sample]] = []
            runner = threading.Thread(
                target=lambda: result.append(
                    load(server.url, threads=args.threads, seconds=args.duration, origin=origin)
                )
            )
            runner.start()
            try:
                time.sleep(max(0.0, origin + args.stop_after - time.monotonic()))
                events["stop"] = time.monotonic() - origin
                pg_ctlcluster("stop", version, name)
                events["stopped"] = time.monotonic() - origin
                time.sleep(max(0.0, origin + args.stop_after + args.outage - time.monotonic()))
                events["start"] = time.monotonic() - origin
                watcher = threading.Thread(
                    target=lambda: events.update(ready=wait_ready(port, origin)), daemon=True
                )
                watcher.start()
                pg_ctlcluster("start", version, name)
                events["started"] = time.monotonic() - origin
                watcher.join(timeout=60)
            finally:
                if not cluster_running(version, name):
                    pg_ctlcluster("start", version, name)
                runner.join(timeout=args.duration + REQUEST_TIMEOUT_S + 60)
            samples = result[0] if result else []

            alive = server.process.poll() is None
            workers_after = server.worker_pids()
            log = server.log_tail(100_000)
            boots = log.count("Booting worker") - boots_before
            worker_timeouts = log.count("WORKER TIMEOUT")
            final = {path: server.get(path)[0] for path in PATHS}
        problems += report(
            samples,
            events,
            args=args,
            master=master,
            alive=alive,
            workers=(workers_before, workers_after),
            boots=boots,
            worker_timeouts=worker_timeouts,
            final=final,
        )
    finally:
        if not cluster_running(version, name):
            print(f"Starting the cluster {version}/{name} again")
            pg_ctlcluster("start", version, name)
        for _ in range(30):  # the drop below needs the server accepting connections
            ready = subprocess.run(  # noqa: S603
                ["pg_isready", "-q", "-h", "127.0.0.1", "-p", port],  # noqa: S607
                check=False,
            )
            if ready.returncode == 0:
                break
            time.sleep(1)
        database.drop()
        shutil.rmtree(workdir, ignore_errors=True)
    for problem in problems:
        print(f"PROBLEM: {problem}")
    print(
        "Result: "
        + ("FAILED" if problems else "OK: 503 during the outage, recovered without a restart")
    )
    return 1 if problems else 0


def report(
    samples: list[Sample],
    events: dict[str, float],
    *,
    args,
    master: int,
    alive: bool,
    workers: tuple[list[int], list[int]],
    boots: int,
    worker_timeouts: int,
    final: dict[str, int],
) -> list[str]:
    problems = []
    print()
    print(
        f"Load: {args.threads} threads for {args.duration:g} s on {', '.join(PATHS)}; "
        f"timeout {REQUEST_TIMEOUT_S:g} s per request"
    )
    ready = events.get("ready")
    print(
        f"Cluster: stop issued at {events['stop']:.2f} s, stopped at {events['stopped']:.2f} s; "
        f"start issued at {events['start']:.2f} s, accepting connections at "
        + (f"{ready:.2f} s" if ready is not None else "?")
        + f" (pg_ctlcluster start returned at {events['started']:.2f} s)"
    )
    first_ok = {}
    for path in PATHS:
        after = [s for s in samples if s.path == path and s.started >= events["start"]]
        ok = next((s for s in after if s.status == 200), None)
        first_ok[path] = ok.started + ok.elapsed if ok else None
    recovered = None if None in first_ok.values() else max(first_ok.values())

    def phase_of(sample: Sample) -> str:
        if sample.started + sample.elapsed < events["stop"]:
            return "before"
        if sample.started < events["stopped"]:
            return "stopping"
        if sample.started < events["start"]:
            return "down"
        if recovered is None or sample.started <= recovered:
            return "starting"
        return "after"

    header = f"{'phase':<8} | {'path':<26} | {'requests':>8} | {'200':>5} | failed (status: n)"
    print(header)
    print("-" * len(header))
    for phase in ("before", "stopping", "down", "starting", "after"):
        for path in PATHS:
            chosen = [s for s in samples if phase_of(s) == phase and s.path == path]
            codes = Counter(s.status if s.status else s.error for s in chosen if s.status != 200)
            failed = ", ".join(f"{code}: {n}" for code, n in sorted(codes.items(), key=str))
            ok = sum(1 for s in chosen if s.status == 200)
            print(f"{phase:<8} | {path:<26} | {len(chosen):>8} | {ok:>5} | {failed or '-'}")
    print(
        "Phases: before (answered before the stop was issued); then by request start: "
        "stopping (fast shutdown under way), down, starting (until the first 200 on every "
        "path), after."
    )
    failed = [s for s in samples if s.status != 200]
    statuses = Counter(s.status if s.status else s.error for s in failed)
    slowest = max((s.elapsed for s in samples), default=0.0)
    outage_slowest = max(
        (s.elapsed for s in samples if phase_of(s) in ("stopping", "down", "starting")),
        default=0.0,
    )
    print(
        f"Total {len(samples)} requests, {len(failed)} failed: "
        f"{dict(statuses) if statuses else 'none'}; slowest answer {slowest * 1000:.0f} ms "
        f"({outage_slowest * 1000:.0f} ms during the outage)"
    )
    for path in PATHS:
        if first_ok[path] is None:
            print(f"Recovery {path}: no 200 after the cluster started")
            continue
        since_ready = (
            f" ({first_ok[path] - ready:+.2f} s from pg_isready's first success, polled)"
            if ready is not None
            else ""
        )
        print(
            f"Recovery {path}: first 200 at {first_ok[path]:.2f} s = "
            f"{first_ok[path] - events['start']:.2f} s after the cluster start was issued"
            f"{since_ready}"
        )
    before, after = workers
    print(
        f"gunicorn: master {master} {'still running' if alive else 'GONE'}; workers "
        f"{'unchanged ' + str(after) if before == after else f'{before} -> {after}'}; "
        f"{boots} worker boot(s), {worker_timeouts} worker timeout(s) during the drill"
    )
    bad_bodies = [s for s in samples if s.status == 503 and not s.body_ok]
    page_503 = sum(1 for s in samples if s.status == 503 and s.path != "/healthz")
    health_503 = sum(1 for s in samples if s.status == 503 and s.path == "/healthz")
    print(
        f"503 answers: {page_503} page(s) with '{PAGE_503_TEXT}', {health_503} /healthz with "
        f'"database": "down"; {len(bad_bodies)} without the expected content'
    )
    print(f"After the drill: {', '.join(f'{p} -> {c}' for p, c in final.items())}")

    if not samples:
        problems.append("no request was made")
    if any(s.status == 200 for s in samples if phase_of(s) == "down"):
        problems.append("a page answered 200 while the database was stopped")
    if any(s.status not in (200, 503) for s in samples):
        problems.append(f"answers other than 200/503: {dict(statuses)}")
    if any(s.elapsed >= REQUEST_TIMEOUT_S for s in samples):
        problems.append(f"a request hung for {REQUEST_TIMEOUT_S:g} s or more")
    if not any(s.status == 503 for s in samples):
        problems.append("no 503 during the outage")
    if bad_bodies:
        problems.append(f"{len(bad_bodies)} 503 answer(s) without the expected content")
    if recovered is None:
        problems.append("the app did not answer 200 again after the cluster started")
    if any(s.status != 200 for s in samples if recovered is not None and s.started > recovered):
        problems.append("failures after the recovery")
    if not alive or before != after or boots or worker_timeouts:
        problems.append("gunicorn restarted a worker or stopped")
    if any(code != 200 for code in final.values()):
        problems.append(f"not healthy at the end: {final}")
    return problems


if __name__ == "__main__":
    sys.exit(main())
