"""`manage.py bootstrap_demo` (used by `make run`): reference and demo data on an empty
database; on a demo database, what happened since the demo was made (the months closed
since, the demo's own reports moved on); nothing on a database with reports of its own
only."""

from django.core.management.base import BaseCommand

from programs import ytd
from programs.demo import seed as demo
from programs.management.commands.seed_demo import refuse_without_debug


class Command(BaseCommand):
    help = (
        "Memuat data referensi (fixtures) bila belum ada kabupaten/kota, dan data DEMO "
        "(seed_demo bawaan) bila belum ada laporan bulanan; pada basis data demo, "
        "melengkapi bulan yang sudah lewat sejak data demo dibuat dan melanjutkan laporan "
        "demo sesuai kalender; laporan yang pernah disentuh pengguna tidak diubah. Aman "
        "dijalankan berulang. Menolak berjalan bila DEBUG mati kecuali --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Jalankan walaupun DEBUG mati.")

    def handle(self, *args, **options):
        refuse_without_debug("bootstrap_demo", options["force"])
        # One run at a time, the year-to-date rows included: on SQLite a second run
        # waiting for the first took the write lock as soon as the demo committed, and
        # the first's rebuild below then failed with "database is locked".
        with demo.one_demo_run_at_a_time():
            lines = demo.bootstrap_demo()
            # Bulk writes bypass the services: build their year-to-date rows now rather
            # than on the first page view (programs/ytd.py), as seed_demo does.
            ytd.flush()
        for line in lines:
            self.stdout.write(line)
