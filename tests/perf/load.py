"""Load test of the dashboard pages through gunicorn, measured with wrk (`make bench`).

bench.py times the server in-process; this runs the production stack on the loopback
interface: gunicorn with gunicorn.conf.py (sync workers, 2 x CPUs + 1), DEBUG off, the
hashed and compressed static files of `collectstatic` (a temporary STATIC_ROOT), plain
HTTP (DJANGO_SECURE_SSL_REDIRECT=0). Like bench.py it builds its own database, never the
developer's: `<name>_load_bench` on PostgreSQL when DATABASE_URL points there, otherwise a
temporary SQLite file. It seeds the Sumsel scale (17 regencies, 2024), runs

    wrk -t2 -c{1,10,50} -d{duration}s --latency --timeout 10s URL

against each main page (anonymous visitor, tahun=2024&bulan=12) and /healthz, then the
same at 500 regencies x 5 years (seed_demo --synthetic-regencies 483 --year 2020 ...
2024), and prints one table: requests/s, p50/p95/p99 latency (exact, from a wrk Lua
`done()` callback), socket errors and non-2xx answers, and each page's throughput as a
fraction of /healthz (same scale, same connections: what the page costs beyond the
request/response machinery).

    .venv/bin/python tests/perf/load.py --quick                  # 3 s per run
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sumsel make bench
    make bench LOAD_ARGS="--skip-large"

wrk is Debian's (`apt-get install -y wrk`); without it this script says so and exits 0.
Everything stays on 127.0.0.1, and every run stops by itself after its duration. wrk
shares the 2 cores with gunicorn, so absolute numbers are a floor; compare them run to
run. Exit status 1 when a page answered non-2xx under load, else 0 (over budget or not:
the budget verdict is printed under the table).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(BASE_DIR))

from tests.perf.bench import (  # noqa: E402 - needs BASE_DIR on sys.path
    BUDGET_LARGE_MS,
    BUDGET_SUMSEL_MS,
    ENV_DEFAULTS,
    LARGE_SYNTHETIC,
    LARGE_YEARS,
    PERIOD,
    YEAR,
    BenchDatabase,
)

HEALTHZ = ("/healthz", "/healthz")
PAGES = [
    ("overview", f"/?{PERIOD}"),
    ("program gbrss", f"/program/gbrss/?{PERIOD}"),
    ("wilayah 16.07", f"/wilayah/16.07/?{PERIOD}"),
    ("kelengkapan gbrss", f"/kelengkapan/?{PERIOD}&program=gbrss"),
]
CONNECTIONS = (1, 10, 50)
# gunicorn.conf.py's access_log_format: ... "GET /path HTTP/1.1" 200 1234 56ms "agent"
ACCESS_LINE = re.compile(r'"GET (?P<path>\S+) HTTP/[\d.]+" (?P<status>\d{3}) \S+ (?P<ms>\d+)ms')
WRK_TIMEOUT_S = 10

# wrk's own summary gives 50/75/90/99 only: this prints exact percentiles as one JSON line.
WRK_REPORT_LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'LOADJSON {"requests": %.0f, "duration_us": %.0f, "connect": %.0f, "read": %.0f, '
    .. '"write": %.0f, "status": %.0f, "timeout": %.0f, "p50_us": %.0f, "p95_us": %.0f, '
    .. '"p99_us": %.0f, "max_us": %.0f}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


# --- Database ---------------------------------------------------------------------------


def own_database(source_url: str | None, purpose: str, keep: bool = False) -> BenchDatabase:
    """bench.py's throwaway database under a name of its own (`<name>_<purpose>_bench`),
    so that this never drops the database of a bench.py running at the same time."""
    if source_url and source_url.startswith(("postgres://", "postgresql://", "pgsql://")):
        base, _sep, query = source_url.partition("?")
        root, _slash, name = base.rpartition("/")
        name = (name or "sumsel").removesuffix("_bench")
        source_url = f"{root}/{name}_{purpose}_bench" + (f"?{query}" if query else "")
    return BenchDatabase(source_url, keep=keep)


def setup_django(database: BenchDatabase) -> None:
    """Point this process at the throwaway database and set Django up (for migrate/seed)."""
    for key, value in ENV_DEFAULTS.items():
        os.environ.setdefault(key, value)
    os.environ["DATABASE_URL"] = database.url
    os.chdir(BASE_DIR)
    import django

    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)  # the page cache when Redis is absent


def page_cache_url() -> str:
    """The shared page cache of the servers: Redis (database 5 of the local server, as in
    production) when it answers, otherwise the database cache (the embedded default)."""
    url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
    try:
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=1)
        client.ping()
        client.flushdb()
        return url
    except Exception:
        return "db"


def seed(**options) -> float:
    """seed_demo --force with `options`, then fresh planner statistics; returns seconds."""
    import io

    from django.core.management import call_command
    from django.db import connection, connections

    started = time.monotonic()
    call_command("seed_demo", force=True, stdout=io.StringIO(), **options)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    connections.close_all()  # the server's workers open their own
    return time.monotonic() - started


def volume() -> str:
    from programs.models import MonthlyReport, Realization
    from regencies.models import Regency

    return (
        f"{Regency.objects.count()} regencies, {MonthlyReport.objects.count():,} reports, "
        f"{Realization.objects.count():,} realizations"
    )


# --- Production server -----------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_env(database_url: str, static_root: Path, **extra: str) -> dict[str, str]:
    """The environment of a production deployment, on plain HTTP and the loopback."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_PLAIN_STATIC", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_DEBUG"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="sumsel_gerakan.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY") or "load-test-only-not-secret",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_COOKIES="0",
        DJANGO_STATIC_ROOT=str(static_root),
        DJANGO_LOG_LEVEL=os.environ.get("DJANGO_LOG_LEVEL", "WARNING"),
        DATABASE_URL=database_url,
        PUBLIC_DASHBOARD="1",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def collectstatic(env: dict[str, str]) -> float:
    started = time.monotonic()
    subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity=0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
    )
    return time.monotonic() - started


def _children(pid: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may contain spaces, so split after the last ')'.
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == pid:
            children.append(int(entry.name))
    return sorted(children)


def configured_workers(env: dict[str, str]) -> int:
    """The worker count gunicorn.conf.py gives in `env` (2 x usable CPUs + 1, capped)."""
    import runpy

    saved = {k: os.environ.get(k) for k in ("GUNICORN_WORKERS", "GUNICORN_MAX_WORKERS")}
    try:
        for key in saved:
            if env.get(key):
                os.environ[key] = env[key]
            else:
                os.environ.pop(key, None)
        return int(runpy.run_path(str(BASE_DIR / "gunicorn.conf.py"))["workers"])
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class Server:
    """gunicorn -c gunicorn.conf.py on 127.0.0.1:<free port>; logs to `log_path`."""

    def __init__(self, env: dict[str, str], log_path: Path, workers: int | None = None):
        self.port = free_port()
        self.env = {**env, "GUNICORN_BIND": f"127.0.0.1:{self.port}"}
        if workers:
            self.env["GUNICORN_WORKERS"] = str(workers)
        self.workers = workers or configured_workers(self.env)
        self.log_path = log_path
        self.process: subprocess.Popen | None = None
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self, ready_timeout: float = 60) -> Server:
        log = open(self.log_path, "ab")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                "gunicorn.conf.py",
                "sumsel_gerakan.wsgi:application",
            ],
            cwd=BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as one
        )
        log.close()
        deadline = time.monotonic() + ready_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                raise RuntimeError(f"gunicorn exited ({code}):\n{self.log_tail()}")
            # The first answer comes from the first worker: wait for all of them.
            if self.get("/healthz", timeout=2)[0] == 200 and (
                len(self.worker_pids()) >= self.workers
            ):
                return self
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn not ready after {ready_timeout:.0f} s:\n{self.log_tail()}")

    def get(self, path: str, timeout: float = 10) -> tuple[int, bytes]:
        """(status, body) of a GET; status 0 when no HTTP answer came."""
        try:
            with urllib.request.urlopen(self.url + path, timeout=timeout) as response:  # noqa: S310
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()
        except (OSError, TimeoutError):
            return 0, b""

    @property
    def pid(self) -> int:
        return self.process.pid

    def worker_pids(self) -> list[int]:
        return _children(self.pid) if self.process else []

    def log_size(self) -> int:
        try:
            return self.log_path.stat().st_size
        except OSError:
            return 0

    def log_since(self, offset: int) -> list[str]:
        with open(self.log_path, "rb") as handle:
            handle.seek(offset)
            return handle.read().decode(errors="replace").splitlines()

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if not self.process or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # graceful: the master stops its workers
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # the group this script started
            self.process.wait(timeout=10)

    def __enter__(self) -> Server:
        try:
            return self.start()
        except BaseException:
            self.stop()  # never leave a half-started server behind
            raise

    def __exit__(self, *exc) -> None:
        self.stop()


# --- wrk --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    scale: str
    label: str
    path: str
    connections: int
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    socket_errors: int
    non_2xx: int
    server_p50_ms: float | None = None  # gunicorn's own request time (access log %(M)s)
    server_p95_ms: float | None = None
    worker_boots: int = 0  # workers (re)started during the run (max_requests recycling)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wrk(url: str, *, connections: int, seconds: float, script: Path) -> dict:
    command = [
        "wrk",
        f"-t{min(2, connections)}",  # wrk needs at least one connection per thread
        f"-c{connections}",
        f"-d{seconds:g}s",
        f"--timeout={WRK_TIMEOUT_S}s",
        "--latency",
        # as browsers do: pages cached compressed are sent as they are stored
        "--header=Accept-Encoding: gzip, deflate, br",
        f"--script={script}",
        url,
    ]
    result = subprocess.run(  # noqa: S603
        command, capture_output=True, text=True, timeout=seconds + WRK_TIMEOUT_S + 30, check=False
    )
    for line in result.stdout.splitlines():
        if line.startswith("LOADJSON "):
            return json.loads(line.removeprefix("LOADJSON "))
    raise RuntimeError(f"wrk gave no result ({' '.join(command)}):\n{result.stdout}{result.stderr}")


def server_times(lines: list[str], path: str) -> tuple[list[float], int]:
    """Request durations (ms) of GET `path` in gunicorn's access log lines, and how many
    workers booted meanwhile."""
    times, boots = [], 0
    for line in lines:
        if "Booting worker" in line:
            boots += 1
            continue
        match = ACCESS_LINE.search(line)
        if match and match["path"] == path:
            times.append(float(match["ms"]))
    return times, boots


def _nearest_rank(samples: list[float], fraction: float) -> float | None:
    if not samples:
        return None
    ordered = sorted(samples)
    return ordered[max(1, math.ceil(fraction * len(ordered))) - 1]


DRAIN_PATH = "/healthz?idle"  # not counted with the /healthz runs


def _state(pid: int) -> str:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return "?"
    return stat[stat.rindex(")") + 2]


def drain(server: Server, limit: float = 300.0) -> float:
    """Wait until the server is idle again; returns the seconds waited.

    wrk stops at its deadline, but gunicorn still answers every request it had queued:
    after 50 connections on a slow page that is seconds of work, which would be counted
    against the next run. Idle = every worker asleep (state S) and /healthz answered in
    under 50 ms, three times in a row."""
    started = time.monotonic()
    deadline = started + limit
    quiet = 0
    while quiet < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
        asleep = all(_state(pid) == "S" for pid in server.worker_pids())
        before = time.monotonic()
        status, _body = server.get(DRAIN_PATH, timeout=limit)
        fast = status == 200 and time.monotonic() - before < 0.05
        quiet = quiet + 1 if asleep and fast else 0
    return time.monotonic() - started


def warm_up(server: Server, rounds: int = 2) -> None:
    """Every page a few times on every worker (imports, templates, database connection),
    as many requests at a time as there are workers, then wait until idle."""
    import threading

    for _label, path in [*PAGES, HEALTHZ]:
        for _ in range(rounds):
            pool = [
                threading.Thread(target=server.get, args=(path,), kwargs={"timeout": 120})
                for _ in range(server.workers)
            ]
            for thread in pool:
                thread.start()
            for thread in pool:
                thread.join()
    drain(server)


def measure(
    server: Server,
    *,
    scale: str,
    seconds: float,
    connections: Sequence[int],
    script: Path,
) -> list[Run]:
    runs = []
    warm_up(server)
    for label, path in [HEALTHZ, *PAGES]:
        for conns in connections:
            offset = server.log_size()
            data = wrk(server.url + path, connections=conns, seconds=seconds, script=script)
            drain(server)  # also lets the last access-log lines reach the file
            times, boots = server_times(server.log_since(offset), path)
            run = Run(
                scale=scale,
                label=label,
                path=path,
                connections=conns,
                requests=int(data["requests"]),
                seconds=data["duration_us"] / 1e6,
                p50_ms=data["p50_us"] / 1000,
                p95_ms=data["p95_us"] / 1000,
                p99_ms=data["p99_us"] / 1000,
                socket_errors=int(data["connect"] + data["read"] + data["write"] + data["timeout"]),
                non_2xx=int(data["status"]),
                server_p50_ms=_nearest_rank(times, 0.50),
                server_p95_ms=_nearest_rank(times, 0.95),
                worker_boots=boots,
            )
            runs.append(run)
            print(
                f"  {scale:<7} {label:<18} c={conns:<3} {run.requests:6} answers "
                f"{run.rps:8.1f} req/s  p95 {run.p95_ms:7.1f} ms",
                flush=True,
            )
    return runs


# --- Report -----------------------------------------------------------------------------


def load_average() -> str:
    one, five, _fifteen = os.getloadavg()
    busy = " (other work on the machine: timings are inflated)" if one > os.cpu_count() else ""
    return f"load average {one:.2f} / {five:.2f} on {os.cpu_count()} CPUs{busy}"


def format_table(runs: list[Run]) -> str:
    healthz = {(r.scale, r.connections): r.rps for r in runs if r.path == HEALTHZ[1]}
    header = (
        f"{'scale':<7} | {'page':<18} | {'conns':>5} | {'answers':>7} | {'req/s':>8} | "
        f"{'p50 ms':>7} | {'p95 ms':>7} | {'p99 ms':>7} | {'errors (sock/non-2xx)':>21} | "
        "ratio to /healthz"
    )
    lines = [header, "-" * len(header)]
    for r in runs:
        base = healthz.get((r.scale, r.connections))
        ratio = f"{r.rps / base:.3f}" if base else "-"

        def ms(value: float, r: Run = r) -> str:
            return f"{value:>7.1f}" if r.requests else f"{'-':>7}"

        lines.append(
            f"{r.scale:<7} | {r.label:<18} | {r.connections:>5} | {r.requests:>7} | "
            f"{r.rps:>8.1f} | {ms(r.p50_ms)} | {ms(r.p95_ms)} | {ms(r.p99_ms)} | "
            f"{f'{r.socket_errors}/{r.non_2xx}':>21} | {ratio}"
        )
    return "\n".join(lines)


def budget_lines(runs: list[Run]) -> list[str]:
    """DESIGN.md budgets are server render time: compared with p95 at one connection (no
    queueing; loopback adds well under a millisecond). With more connections than workers
    the latency includes the wait for a free worker, so those rows are throughput only."""
    budgets = {"Sumsel": BUDGET_SUMSEL_MS, "500x5": BUDGET_LARGE_MS}
    lines = []
    for r in runs:
        if r.path == HEALTHZ[1] or r.connections != 1 or r.scale not in budgets:
            continue
        budget = budgets[r.scale]
        p95 = r.p95_ms if r.requests else r.server_p95_ms
        verdict = "no answer" if p95 is None else "ok" if p95 < budget else "OVER BUDGET"
        server = (
            f"server p50 {r.server_p50_ms:.0f} / p95 {r.server_p95_ms:.0f} ms"
            if r.server_p95_ms is not None
            else "server time not logged"
        )
        boots = f", {r.worker_boots} worker(s) booted during the run" if r.worker_boots else ""
        lines.append(
            f"  {r.scale:<7} {r.label:<18} p95 {p95 or 0:7.1f} ms (budget < {budget:.0f} ms): "
            f"{verdict:<11} [{server}{boots}]"
        )
    return lines


# --- Entry point ----------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, help="seconds per wrk run (default 10)")
    parser.add_argument("--quick", action="store_true", help="3 s per wrk run")
    parser.add_argument("--skip-large", action="store_true", help="Sumsel scale only")
    parser.add_argument(
        "--connections",
        default=",".join(map(str, CONNECTIONS)),
        help="comma-separated wrk connection counts (default 1,10,50)",
    )
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: its config)")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database")
    args = parser.parse_args(argv)
    args.duration = args.duration or (3.0 if args.quick else 10.0)
    args.connections = [int(c) for c in str(args.connections).split(",") if c.strip()]
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if not shutil.which("wrk"):
        print("load.py: wrk is not installed; skipping the load test.")
        print("  Install it with `apt-get install -y wrk` (Debian/Ubuntu) and run again.")
        return 0
    database = own_database(os.environ.get("DATABASE_URL"), "load", keep=args.keep_db)
    workdir = Path(tempfile.mkdtemp(prefix="sumsel-load-"))
    script = workdir / "report.lua"
    script.write_text(WRK_REPORT_LUA)
    log_path = workdir / "gunicorn.log"
    runs: list[Run] = []
    database.create()
    try:
        setup_django(database)
        from django.db import connection

        started = time.monotonic()
        migrate()
        print(
            f"Load test database: {database.label} (migrated in {time.monotonic() - started:.1f} s)"
        )
        cache_url = page_cache_url()
        env = production_env(database.url, workdir / "static", CACHE_URL=cache_url)
        print(f"Page cache: {cache_url}")
        print(f"collectstatic (hashed, compressed) in {collectstatic(env):.1f} s")
        scales = [("Sumsel", {"year": [YEAR]})]
        if not args.skip_large:
            scales.append(("500x5", {"year": LARGE_YEARS, "synthetic_regencies": LARGE_SYNTHETIC}))
        for scale, options in scales:
            seconds = seed(**options)
            print(f"{scale} seeded in {seconds:.1f} s: {volume()}; {load_average()}")
            with Server(env, log_path, workers=args.workers) as server:
                print(
                    f"gunicorn {server.url}: master {server.pid}, "
                    f"{len(server.worker_pids())} sync workers; wrk {args.duration:g} s per run",
                    flush=True,
                )
                runs += measure(
                    server,
                    scale=scale,
                    seconds=args.duration,
                    connections=args.connections,
                    script=script,
                )
        print()
        print(
            f"Load test ({connection.vendor}, gunicorn + wrk on 127.0.0.1, {os.cpu_count()} "
            f"CPUs shared by both; anonymous visitor, {PERIOD})"
        )
        print(format_table(runs))
        print(
            "Latency in ms. answers = responses within the run (wrk stops at its deadline; "
            "the server is drained before the next run). errors = socket errors "
            f"(connect/read/write/timeout > {WRK_TIMEOUT_S} s) / non-2xx answers. "
            "ratio = page req/s / /healthz req/s at the same scale and connections."
        )
        print("Budget (DESIGN.md: server render; checked at 1 connection, no queueing):")
        print("\n".join(budget_lines(runs)))
        boots = sum(r.worker_boots for r in runs)
        print(
            f"Server p50/p95 = gunicorn's request time in its access log (ms, whole numbers). "
            f"{boots} worker boot(s) during the measured runs (max_requests recycling: a "
            f"fresh worker's first requests are slower). At the end: {load_average()}."
        )
    finally:
        database.drop()
        shutil.rmtree(workdir, ignore_errors=True)
    failed = [r for r in runs if r.non_2xx]
    for run in failed:
        print(f"ERROR: {run.label} {run.path} answered {run.non_2xx} non-2xx under load")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
