"""Migration 0013 adds a unique constraint on whole-program exemptions; a database that
already holds the same exemption twice (possible before it) must still migrate, and keep
what the admins wrote."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("programs", "0011_target_year_index")]
AFTER = [("programs", "0013_constraint_messages_exemption_unique")]


@pytest.mark.django_db(transaction=True)
def test_duplicate_whole_program_exemptions_are_merged_before_the_constraint():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Regency = apps.get_model("regencies", "Regency")
    Program = apps.get_model("programs", "Program")
    Exemption = apps.get_model("programs", "ReportingExemption")
    regency = Regency.objects.create(code="16.99", bps_code="1699", name="Uji", kind="kabupaten")
    program = Program.objects.create(slug="uji", name="Uji", order=99)
    start = dt.date(2026, 3, 1)
    for end, reason in (
        (dt.date(2026, 5, 1), "Banjir"),
        (None, "Diperpanjang"),
        (dt.date(2026, 4, 1), "Banjir"),
    ):
        Exemption.objects.create(
            regency=regency, program=program, start=start, end=end, reason=reason
        )
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    kept = apps.get_model("programs", "ReportingExemption").objects.get()
    assert kept.end is None  # open-ended, as one of them was
    assert kept.reason == "Banjir\nDiperpanjang"
    MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())
