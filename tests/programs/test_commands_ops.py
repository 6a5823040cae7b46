"""Management commands run by cron and by hand: two at once, and odd arguments."""

import datetime as dt
import fcntl
import os
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.db.migrations.loader import MigrationLoader

from programs.models import ImportBatch, MonthlyReport, Notification
from tests.helpers import ROOT


def _waiting_on_a_lock() -> bool:
    with connections["default"].cursor() as cursor:
        # pg_locks, not pg_stat_activity: that one is read once per transaction.
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE NOT granted AND database = "
            "(SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        return cursor.fetchone()[0] > 0


class SecondRun:
    """A second run of a command, in a thread of its own, started from within the first
    (`meet`, at the moment the two should overlap): the first goes on once the second is
    done or waits on a lock. Its failure, if any, is kept in `failures`."""

    def __init__(self, run):
        self.failures = []
        self._run = run
        self._thread = threading.Thread(target=self._main)

    def _main(self):
        try:
            self._run()
        except Exception as error:  # noqa: BLE001 - reported by the test
            self.failures.append(error)
        finally:
            connections.close_all()

    def meet(self):
        if self._thread.ident is None:
            self._thread.start()
            while self._thread.is_alive() and not _waiting_on_a_lock():
                time.sleep(0.01)

    def join(self):
        self._thread.join(timeout=300)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_reminder_runs_at_once_remind_each_operator_once(people, monkeypatch):
    """A cron retry starting while the first run is still at work (or a second machine's
    cron): each operator gets one bell notification and one e-mail, not two."""
    from programs.management.commands import send_reminders

    second = SecondRun(lambda: call_command("send_reminders", "--hari", "400", stdout=StringIO()))
    real = send_reminders.reminders_due

    def first_run_meets_the_second(**kwargs):
        found = real(**kwargs)
        # The second run starts while the first has found who to remind and not yet
        # written it.
        second.meet()
        return found

    monkeypatch.setattr(send_reminders, "reminders_due", first_run_meets_the_second)
    call_command("send_reminders", "--hari", "400", stdout=StringIO())
    second.join()
    assert not second.failures
    bells = list(
        Notification.objects.filter(kind=Notification.Kind.DEADLINE).values_list(
            "user__username", flat=True
        )
    )
    assert "op-banyuasin" in bells
    assert sorted(bells) == sorted(set(bells))
    recipients = [message.to[0] for message in mail.outbox]
    assert "op-banyuasin@sumselprov.go.id" in recipients
    assert sorted(recipients) == sorted(set(recipients))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_bootstrap_demo_runs_at_once_make_one_demo(settings, monkeypatch):
    """Two `make run`s, or two containers starting together on one empty database: each
    found no reports and seeded, and one stopped on an IntegrityError. The second now
    waits for the first and finds its demo."""
    from programs.demo import seed as demo

    settings.DEBUG = True
    outputs = {}

    def run(name):
        out = StringIO()
        call_command("bootstrap_demo", stdout=out)
        outputs[name] = out.getvalue()

    second = SecondRun(lambda: run("second"))
    real = demo.seed_demo

    def first_run_meets_the_second(**kwargs):
        # The second run starts once the first has found no reports and is about to seed.
        second.meet()
        return real(**kwargs)

    monkeypatch.setattr(demo, "seed_demo", first_run_meets_the_second)
    with time_machine.travel(dt.datetime(2026, 12, 1, 9, tzinfo=ZoneInfo("Asia/Jakarta"))):
        run("first")
        second.join()
    assert not second.failures
    assert "Data demo dibuat" in outputs["first"]
    assert "Data demo sudah ada sampai Oktober 2026; tidak ada yang baru." in outputs["second"]
    assert MonthlyReport.objects.filter(is_demo=True, year=2026, month=10).exists()


@pytest.mark.parametrize("command", ["prune_imports", "send_reminders"])
@pytest.mark.parametrize("days", ["-1", "99999999999"])
def test_a_day_count_out_of_range_is_refused_and_nothing_deleted_or_sent(people, command, days):
    """--hari -1 made prune_imports delete the batch an operator was previewing that
    minute; a huge count stopped either command with an OverflowError's traceback."""
    ImportBatch.objects.create(
        token=uuid.uuid4(),
        kind=ImportBatch.Kind.REALIZATIONS,
        user=people["operator"],
        filename="realisasi.xlsx",
        rows=[],
    )
    with pytest.raises(CommandError, match="--hari harus 0..3660 hari"):
        call_command(command, "--hari", days, stdout=StringIO())
    assert ImportBatch.objects.count() == 1
    assert not Notification.objects.exists() and not mail.outbox


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_migrate_runs_at_once_apply_each_migration_once(monkeypatch):
    """A second `migrate` (another `docker compose up`, an operator's by hand) while the
    first is at work: both planned the same migration, and the later one to apply it
    stopped on "column already exists". The second now waits, then has nothing to do."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate([("programs", "0021_notification_evidence_added")])
    outputs = {}

    def run(name):
        out = StringIO()
        call_command("migrate", "programs", verbosity=1, stdout=out)
        outputs[name] = out.getvalue()

    second = SecondRun(lambda: run("second"))
    real = MigrationExecutor.apply_migration

    def first_run_meets_the_second(self, state, migration, **kwargs):
        # The second run starts once the first has planned its migration.
        second.meet()
        return real(self, state, migration, **kwargs)

    monkeypatch.setattr(MigrationExecutor, "apply_migration", first_run_meets_the_second)
    try:
        run("first")
    finally:
        monkeypatch.undo()
        second.join()
        MigrationExecutor(connection).migrate(leaves)
    assert not second.failures
    assert "Applying programs.0022_indicator_name_en... OK" in outputs["first"]
    assert "No migrations to apply." in outputs["second"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_createcachetable_runs_at_once_create_the_table_once(monkeypatch):
    """Two `make run`s or deployments on one database: both found no cache table, and
    the later one to create it stopped on "relation django_cache already exists". It
    takes the lock `migrate` takes; the second waits, then finds the table."""
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE django_cache")
    outputs = {"first": StringIO(), "second": StringIO()}
    second = SecondRun(lambda: call_command("createcachetable", stdout=outputs["second"]))
    introspection = type(connection.introspection)
    real = introspection.table_names

    def first_run_meets_the_second(self, *args, **kwargs):
        # The second run starts once the first has found no cache table.
        names = real(self, *args, **kwargs)
        second.meet()
        return names

    monkeypatch.setattr(introspection, "table_names", first_run_meets_the_second)
    try:
        call_command("createcachetable", stdout=outputs["first"])
    finally:
        monkeypatch.undo()
        second.join()
        call_command("createcachetable", stdout=StringIO())
    assert not second.failures
    assert "Cache table 'django_cache' already exists." in outputs["second"].getvalue()


# A `manage.py` command in a fresh process on its own SQLite file, as `make run` runs it,
# started at the moment the test gives (`go`) once both processes have Django set up, the
# command loaded and the database open: the two then look at the database within a
# fraction of a millisecond of each other (createcachetable's check and its CREATE TABLE
# are that close), not a second or so apart as two processes started together would.
AT_ONCE = """
import sys, time
from pathlib import Path
import django
django.setup()
from django.core.management import ManagementUtility
from django.db import connection
ready, go, argv = Path(sys.argv[1]), Path(sys.argv[2]), ["manage.py", *sys.argv[3:]]
ManagementUtility(argv).fetch_command(argv[1])
connection.ensure_connection()
ready.touch()
while not go.exists() or not go.read_text():
    time.sleep(0.01)
start = float(go.read_text())
time.sleep(max(0.0, start - time.time() - 0.01))
while time.time() < start:
    pass
ManagementUtility(argv).execute()
"""


def waiting_for_lock(path) -> int:
    """How many processes wait for an OS lock on `path` (Linux: /proc/locks lists each
    blocked request with "->", by the file's inode)."""
    inode = f":{os.stat(path).st_ino} "
    with open("/proc/locks") as locks:
        return sum(1 for line in locks if "->" in line and inode in line)


def run_twice_at_once(tmp_path, *command, held=False) -> list[subprocess.CompletedProcess]:
    """`held`: the test holds the database's lock file while the two start, and lets go
    once both wait for it (or after 30 s, when they do not: the old code took no lock), so
    both meet the lock whatever the machine's load."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="sumsel_gerakan.settings",
        DJANGO_DEBUG="1",  # as `make run`
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        CACHE_URL="",  # the database cache, whose table createcachetable makes
        REDIS_URL="",
    )
    go, runs = tmp_path / "go", []
    try:
        for n in (1, 2):
            with open(tmp_path / f"out-{n}", "w") as out, open(tmp_path / f"err-{n}", "w") as err:
                runs.append(
                    subprocess.Popen(  # noqa: S603 - this interpreter, the project's code
                        [sys.executable, "-c", AT_ONCE, tmp_path / f"ready-{n}", go, *command],
                        cwd=ROOT,
                        env=env,
                        stdout=out,
                        stderr=err,
                    )
                )
        deadline = time.monotonic() + 120
        while not all((tmp_path / f"ready-{n}").exists() for n in (1, 2)):
            if any(run.poll() is not None for run in runs) or time.monotonic() > deadline:
                break  # reported below
            time.sleep(0.01)
        lock_file = open(tmp_path / "db.sqlite3.lock", "a")  # noqa: SIM115 - let go below
        if held:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
        go.write_text(str(time.time() + 0.2))
        deadline = time.monotonic() + 30
        while held and waiting_for_lock(lock_file.name) < 2 and time.monotonic() < deadline:
            if any(run.poll() is not None for run in runs):
                break
            time.sleep(0.05)
        lock_file.close()
        for run in runs:
            run.wait(timeout=300)
    finally:
        for run in runs:
            if run.poll() is None:
                run.kill()
    return [
        subprocess.CompletedProcess(
            run.args,
            run.returncode,
            (tmp_path / f"out-{n}").read_text(),
            (tmp_path / f"err-{n}").read_text(),
        )
        for n, run in zip((1, 2), runs, strict=True)
    ]


def test_two_migrate_runs_at_once_on_a_fresh_sqlite_file_migrate_it_once(tmp_path):
    """Two `make run`s started together on a fresh SQLite database each applied the same
    migrations, and the later one to create a table crashed on "table ... already
    exists". The second now waits for the first, says so, and has nothing to apply."""
    runs = run_twice_at_once(tmp_path, "migrate", "--noinput", held=True)
    for run in runs:
        assert run.returncode == 0, run.stderr
        assert "Menunggu migrate lain selesai…" in run.stdout  # both met the held lock
    outputs = sorted((run.stdout for run in runs), key=lambda out: "No migrations" in out)
    assert "Applying programs.0001_initial... OK" in outputs[0]
    assert "No migrations to apply." in outputs[1]
    with sqlite3.connect(tmp_path / "db.sqlite3") as database:
        applied = database.execute("SELECT app, name FROM django_migrations").fetchall()
    assert sorted(applied) == sorted(MigrationLoader(None).disk_migrations)


def test_two_createcachetable_runs_at_once_make_one_cache_table(tmp_path):
    """Both runs found no cache table, and the second to create it crashed on "table
    django_cache already exists"; the second now waits and finds it. Three pairs: the
    two checks must fall within the same millisecond for the old race to show."""
    for pair in range(3):
        (tmp_path / str(pair)).mkdir()
        runs = run_twice_at_once(tmp_path / str(pair), "createcachetable")
        for run in runs:
            assert run.returncode == 0, run.stderr
        assert "Cache table 'django_cache' already exists." in runs[0].stdout + runs[1].stdout
        with sqlite3.connect(tmp_path / str(pair) / "db.sqlite3") as database:
            assert database.execute("SELECT count(*) FROM django_cache").fetchone() == (0,)
