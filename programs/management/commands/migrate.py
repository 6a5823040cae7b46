"""`manage.py migrate`, one run at a time on PostgreSQL.

Two runs at once (a second `docker compose up` while the migrate service still runs, an
operator's `migrate` by hand during a deployment, two release jobs) each planned the same
migrations and each applied them: the second stopped half-way on "column already exists"
or a duplicate row in django_migrations, and its post_migrate replaced the triggers under
the first. The run now holds an advisory lock from before it reads what is applied until
it is done; a second run waits, then finds nothing left to apply."""

from django.core.management.commands.migrate import Command as MigrateCommand
from django.db import connections

# PostgreSQL advisory lock key (send_reminders has 0x5E4D_0001, the demo 0x5E4D_0002).
MIGRATE_LOCK = 0x5E4D_0003


class Command(MigrateCommand):
    def handle(self, *args, **options):
        connection = connections[options["database"]]
        if connection.vendor != "postgresql":
            return super().handle(*args, **options)
        # A session lock: each migration commits on its own, and the lock outlives them.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATE_LOCK])
        try:
            return super().handle(*args, **options)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATE_LOCK])
