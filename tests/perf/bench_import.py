"""Import benchmark (`make bench`): checking and applying ~2,000 realization rows
(17 regencies x 12 months x every indicator) must take under 5 s on this machine.

Uses its own database like bench.py: a `<name>_benchimport` PostgreSQL database when
DATABASE_URL points at PostgreSQL, otherwise a temporary SQLite file.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
BUDGET_S = 5.0
ENV_DEFAULTS = {
    "DJANGO_SETTINGS_MODULE": "sumsel_gerakan.settings",
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "bench-only-not-secret",
    "DJANGO_ALLOWED_HOSTS": "localhost,127.0.0.1,testserver",
    "DJANGO_SECURE_SSL_REDIRECT": "0",
    "DJANGO_PLAIN_STATIC": "1",
    "DJANGO_LOG_LEVEL": "WARNING",
    # The benchmark imports the twelve months before this one: keep them all open for
    # editing (the longest lock the settings accept; the oldest month's lock then falls
    # about a month from now).
    "REPORT_LOCK_DAYS": "366",
}


def _database_url() -> tuple[str, callable]:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg2

        base, _slash, name = url.rpartition("/")
        name = f"{name.split('?')[0]}_benchimport"
        admin = psycopg2.connect(f"{base}/postgres")
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')

        def drop():
            from django.db import connections

            connections.close_all()
            with admin.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.close()

        return f"{base}/{name}", drop
    folder = tempfile.mkdtemp(prefix="bench-import-")
    return f"sqlite:///{folder}/bench.sqlite3", lambda: None


def main() -> int:
    for key, value in ENV_DEFAULTS.items():
        os.environ.setdefault(key, value)
    url, drop = _database_url()
    os.environ["DATABASE_URL"] = url
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    import openpyxl
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.utils import timezone

    from programs.models import ImportBatch, Indicator, Realization
    from programs.spreadsheets import imports

    try:
        call_command("migrate", verbosity=0)
        call_command(
            "loaddata",
            *(
                str(BASE_DIR / "fixtures" / f)
                for f in (
                    "regencies.json",
                    "programs.json",
                    "funding_sources.json",
                    "targets_2024.json",
                )
            ),
            verbosity=0,
        )
        admin = get_user_model().objects.create_superuser("bench-admin", "", "x-bench-x")
        today = timezone.localdate()
        # The twelve months before this one, oldest first.
        periods = [
            ((today.year * 12 + today.month - 1 - back) // 12, (today.month - 1 - back) % 12 + 1)
            for back in range(12, 0, -1)
        ]
        indicators = list(Indicator.objects.select_related("program"))
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.title = "Data"
        sheet.append(imports.REALIZATION_COLUMNS)
        regencies = [f"16.{n:02d}" for n in range(1, 14)] + ["16.71", "16.72", "16.73", "16.74"]
        for regency in regencies:
            for year, month in periods:
                for indicator in indicators:
                    if indicator.measure == Indicator.Measure.RATIO:
                        row = [None, 40 + month, 400]
                    else:
                        row = [month * 3, None, None]
                    sheet.append(
                        [
                            indicator.program.slug,
                            indicator.code,
                            regency,
                            f"{year}-{month:02d}",
                            "tidak-dirinci",
                            *row,
                            "",
                        ]
                    )
                    if indicator.code == "rumah-dibedah":  # a second funding source
                        sheet.append(
                            [
                                indicator.program.slug,
                                indicator.code,
                                regency,
                                f"{year}-{month:02d}",
                                "apbn",
                                2,
                                None,
                                None,
                                "APBN",
                            ]
                        )
        buffer = io.BytesIO()
        workbook.save(buffer)
        upload = SimpleUploadedFile("bench.xlsx", buffer.getvalue())

        start = time.perf_counter()
        rows = imports.read_table(upload, kind=ImportBatch.Kind.REALIZATIONS)
        preview = imports.RealizationImport(user=admin).preview(rows)
        batch = imports.create_batch(
            user=admin,
            kind=ImportBatch.Kind.REALIZATIONS,
            filename="bench.xlsx",
            rows=rows,
            preview=preview,
        )
        checked = time.perf_counter() - start
        start = time.perf_counter()
        done = imports.apply_realizations(batch=batch, user=admin)
        applied = time.perf_counter() - start
        assert batch.summary["error"] == 0, batch.summary
        assert Realization.objects.count() == done["created"] == len(rows)
        total = checked + applied
        engine = "PostgreSQL" if url.startswith("postgres") else "SQLite"
        print(f"\nImport benchmark ({engine}): {len(rows)} rows, {done['reports']} reports")
        print(f"{'step':<28}{'seconds':>10}")
        print(f"{'read + check (preview)':<28}{checked:>10.2f}")
        print(f"{'apply (one transaction)':<28}{applied:>10.2f}")
        verdict = "OK" if total < BUDGET_S else "OVER BUDGET"
        print(f"{'total':<28}{total:>10.2f}  budget {BUDGET_S:.0f} s: {verdict}")
        return 0
    finally:
        drop()


if __name__ == "__main__":
    sys.exit(main())
