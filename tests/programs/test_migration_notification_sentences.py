"""Migration 0025: notifications keep the sentence's source and build it when read.
Reversed, the rows written since get their Indonesian sentence back into `text`, as the
rows stored before hold it: nothing a user read is lost."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from programs.models import MonthlyReport, Notification, Program
from regencies.models import Regency
from tests.factories import MonthlyReportFactory, UserFactory

BEFORE = [("programs", "0024_program_lead_agency_en")]


@pytest.mark.django_db(transaction=True)
def test_reversed_the_sentences_go_back_into_the_text():
    call_command("loaddata", "fixtures/regencies.json", "fixtures/programs.json", verbosity=0)
    report = MonthlyReportFactory(
        program=Program.objects.get(slug="gbrss"),
        regency=Regency.objects.get(code="16.07"),
        year=2024,
        month=3,
        status=MonthlyReport.Status.RETURNED,
        return_reason="Foto belum ada",
    )
    user = UserFactory()
    stored = "Laporan diverifikasi: GBRSS — Banyuasin — Februari 2024"
    Notification.objects.bulk_create(
        [
            Notification(user=user, kind="verified", report=report, text=stored),
            Notification(
                user=user,
                kind="returned",
                report=report,
                message="Laporan dikembalikan: %(report)s — %(reason)s",
                text="Foto belum ada",
            ),
            Notification(
                user=user,
                kind="deadline",
                message="%(n)s laporan perlu diajukan atau diperbaiki "
                "(tenggat paling awal %(due)s).",
                params={"n": 2, "due": "2026-12-10"},
            ),
        ]
    )

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM programs_notification ORDER BY id")
        texts = [row[0] for row in cursor.fetchall()]
    assert texts == [
        stored,
        "Laporan dikembalikan: GBRSS — Banyuasin — Maret 2024 — Foto belum ada",
        "2 laporan perlu diajukan atau diperbaiki (tenggat paling awal 10 Desember 2026).",
    ]
    MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())
