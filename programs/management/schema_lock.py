"""One schema change (`migrate`, `createcachetable`) at a time on a database, across
processes.

Two `make run`s started together on a fresh SQLite database each planned the same
migrations, and the later one to apply one stopped on "table ... already exists"; two
`createcachetable`s each found no cache table and the later one stopped the same way.
Now the second run waits for the first, then finds nothing left to do."""

import fcntl  # POSIX only: Windows is not a target (development runs on Linux and macOS)
from contextlib import contextmanager

from django.utils.translation import gettext as _

# PostgreSQL advisory lock key (send_reminders has 0x5E4D_0001, the demo 0x5E4D_0002).
MIGRATE_LOCK = 0x5E4D_0003


@contextmanager
def one_schema_change_at_a_time(connection, stdout, command: str):
    """Held for the whole command. PostgreSQL: a session advisory lock (each migration
    commits on its own, and the lock outlives them). SQLite: an OS lock on a file beside
    the database (`db.sqlite3.lock`; its write lock is taken and released per
    migration, too short to keep a second run from planning the same ones); the file
    stays, empty, as removing it could let a third run lock another file of that name.
    The OS releases the lock when the process ends, however it ends. An in-memory
    database belongs to its process and needs no lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATE_LOCK])
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATE_LOCK])
        return
    if connection.vendor != "sqlite" or connection.is_in_memory_db():
        yield
        return
    with open(f"{connection.settings_dict['NAME']}.lock", "a") as lock_file:
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            stdout.write(_("Menunggu %(command)s lain selesai…") % {"command": command})
            fcntl.flock(lock_file, fcntl.LOCK_EX)
        yield  # closing the file releases the lock
