"""Delete import batches (uploaded rows kept for preview and apply) older than
IMPORT_BATCH_MAX_AGE_DAYS. Run daily from cron on one machine:

    python manage.py prune_imports
"""

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from programs.management.arguments import day_count
from programs.models import ImportBatch


class Command(BaseCommand):
    help = "Delete import batches older than IMPORT_BATCH_MAX_AGE_DAYS (default 7 days)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--hari",
            type=int,
            default=None,
            help="Age in days (default: settings.IMPORT_BATCH_MAX_AGE_DAYS).",
        )

    def handle(self, *args, hari=None, **options):
        days = settings.IMPORT_BATCH_MAX_AGE_DAYS if hari is None else day_count("--hari", hari)
        cutoff = timezone.now() - dt.timedelta(days=days)
        deleted, _detail = ImportBatch.objects.filter(created_at__lt=cutoff).delete()
        self.stdout.write(f"{deleted} import batch(es) older than {days} day(s) deleted.")
