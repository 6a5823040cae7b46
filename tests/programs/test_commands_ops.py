"""Management commands run by cron and by hand: two at once, and odd arguments."""

import datetime as dt
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

from programs.models import ImportBatch, MonthlyReport, Notification


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
