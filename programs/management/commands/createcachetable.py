"""`manage.py createcachetable` (used by `make run`), one run at a time on a database.

Two runs at once each found no cache table and each created it: the second stopped on
"table django_cache already exists". It now takes the lock `migrate` takes
(programs/management/schema_lock.py); a second run waits, then finds the table."""

from django.core.management.commands.createcachetable import Command as CreateCacheTableCommand
from django.db import connections

from programs.management.schema_lock import one_schema_change_at_a_time


class Command(CreateCacheTableCommand):
    def handle(self, *tablenames, **options):
        connection = connections[options["database"]]
        with one_schema_change_at_a_time(connection, self.stdout, "createcachetable"):
            return super().handle(*tablenames, **options)
