"""`manage.py seed_demo`: clearly labelled demo data for development and load tests."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import ProtectedError
from django.utils import timezone

from programs import ytd
from programs.demo import seed as demo
from programs.models import MAX_YEAR, MIN_YEAR, is_valid_period

REFUSAL = (
    "{command} menolak berjalan karena DEBUG mati (lingkungan produksi?): data demo hanya "
    "untuk pengembangan. Tambahkan --force bila memang disengaja. / Refusing to run with "
    "DEBUG off: demo data is for development only; pass --force if you really mean it."
)


def refuse_without_debug(command: str, force: bool) -> None:
    if not settings.DEBUG and not force:
        raise CommandError(REFUSAL.format(command=command))


def _parse_until(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    try:
        year, month = (int(part) for part in text.split("-"))
    except ValueError:
        year = month = 0
    if not is_valid_period(year, month):
        raise CommandError(
            "--until harus berformat YYYY-MM, mis. 2026-10. / --until must be YYYY-MM."
        )
    return (year, month)


class Command(BaseCommand):
    help = (
        "Membuat data DEMO: alokasi target per kabupaten/kota, laporan bulanan dan "
        "realisasi sintetis, akun demo (kata sandi 'sumsel-demo'), dan untuk uji beban N "
        "wilayah sintetis (kode 99.xx). Menolak berjalan bila DEBUG mati kecuali --force."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--year",
            nargs="+",
            type=int,
            metavar="Y",
            help=(
                f"Tahun data demo (bawaan: sejak {demo.REFERENCE_YEAR} sampai bulan terakhir "
                "yang sudah lewat)."
            ),
        )
        parser.add_argument(
            "--until",
            metavar="YYYY-MM",
            help="Bulan terakhir data demo (bawaan: bulan terakhir sebelum hari ini).",
        )
        parser.add_argument(
            "--synthetic-regencies",
            type=int,
            default=0,
            metavar="N",
            help="Jumlah wilayah sintetis untuk uji beban (kode 99.01, 99.02, ...).",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Hapus dulu semua data demo (laporan, realisasi, target demo, wilayah sintetis).",
        )
        parser.add_argument("--force", action="store_true", help="Jalankan walaupun DEBUG mati.")
        parser.add_argument(
            "--seed",
            type=int,
            default=demo.DEFAULT_SEED,
            help=f"Benih acak agar hasil dapat diulang (bawaan: {demo.DEFAULT_SEED}).",
        )

    def handle(self, *args, **options):
        refuse_without_debug("seed_demo", options["force"])
        until = _parse_until(options["until"])
        years = options["year"] or demo.demo_years(timezone.localdate(), until)
        if any(not MIN_YEAR <= year <= MAX_YEAR for year in years):
            raise CommandError(
                f"Tahun harus antara {MIN_YEAR} dan {MAX_YEAR}. / "
                f"Year must be {MIN_YEAR}-{MAX_YEAR}."
            )
        synthetic = options["synthetic_regencies"]
        if synthetic < 0 or synthetic > demo.MAX_SYNTHETIC:
            raise CommandError(
                f"--synthetic-regencies harus 0..{demo.MAX_SYNTHETIC}. / "
                f"--synthetic-regencies must be 0..{demo.MAX_SYNTHETIC}."
            )
        try:
            with demo.one_demo_run_at_a_time():  # the year-to-date rows too (bootstrap_demo)
                summary = demo.seed_demo(
                    years=years,
                    synthetic_regencies=synthetic,
                    reset=options["reset"],
                    seed=options["seed"],
                    until=until,
                )
                # Bulk writes bypass the services: build their year-to-date rows now
                # rather than on the first page view (programs/ytd.py).
                ytd.flush()
        except ProtectedError as exc:
            raise CommandError(
                "Data demo tidak dapat dihapus karena masih dirujuk data lain (mis. laporan "
                f"non-demo pada wilayah sintetis). / Demo data is still referenced: {exc}"
            ) from exc
        for line in summary.lines():
            self.stdout.write(line)
