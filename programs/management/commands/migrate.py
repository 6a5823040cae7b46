"""`manage.py migrate`, one run at a time on a database (PostgreSQL and SQLite files).

Two runs at once (a second `docker compose up` while the migrate service still runs, an
operator's `migrate` by hand during a deployment, two release jobs, two `make run`s on a
fresh SQLite database) each planned the same migrations and each applied them: the second
stopped half-way on "column already exists" or a duplicate row in django_migrations, and
its post_migrate replaced the triggers under the first. The run now holds a lock
(programs/management/schema_lock.py) from before it reads what is applied until it is
done; a second run waits, then finds nothing left to apply."""

from django.core.management.commands.migrate import Command as MigrateCommand
from django.db import connections

from programs.management.schema_lock import one_schema_change_at_a_time


class Command(MigrateCommand):
    def handle(self, *args, **options):
        connection = connections[options["database"]]
        with one_schema_change_at_a_time(connection, self.stdout, "migrate"):
            return super().handle(*args, **options)
