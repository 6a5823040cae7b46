"""`manage.py bootstrap_demo` (used by `make run`): reference and demo data on an empty
database; does nothing on a database that already has them."""

from django.core.management.base import BaseCommand

from programs.demo import seed as demo
from programs.management.commands.seed_demo import refuse_without_debug


class Command(BaseCommand):
    help = (
        "Memuat data referensi (fixtures) bila belum ada kabupaten/kota, dan data DEMO "
        "(seed_demo bawaan) bila belum ada laporan bulanan. Aman dijalankan berulang. "
        "Menolak berjalan bila DEBUG mati kecuali --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Jalankan walaupun DEBUG mati.")

    def handle(self, *args, **options):
        refuse_without_debug("bootstrap_demo", options["force"])
        for line in demo.bootstrap_demo():
            self.stdout.write(line)
