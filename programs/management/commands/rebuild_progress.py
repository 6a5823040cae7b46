"""Rebuild the maintained year-to-date table from the realizations (programs/ytd.py).

Normally never needed: triggers mark every write's slice and the next read rebuilds it.
Run it after restoring a backup made without the table, or to check nothing drifted.
"""

import time

from django.core.management.base import BaseCommand

from programs import ytd
from programs.models import ProgressYTD


class Command(BaseCommand):
    help = "Bangun ulang tabel capaian tahun berjalan (year-to-date) dari data realisasi."

    def handle(self, *args, **options):
        started = time.perf_counter()
        ytd.rebuild_all()
        self.stdout.write(
            f"{ProgressYTD.objects.count()} rows in {time.perf_counter() - started:.1f} s"
        )
