"""Migration 0015 lets GPISS's year-on-year inflation be negative (a deflation) on a
database that already holds its programs: that indicator only, not a namesake elsewhere."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("programs", "0014_indicator_allows_negative")]
AFTER = [("programs", "0015_inflation_allows_negative")]


@pytest.mark.django_db(transaction=True)
def test_gpiss_inflation_allows_a_deflation_after_the_migration():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Program = apps.get_model("programs", "Program")
    Indicator = apps.get_model("programs", "Indicator")
    gpiss = Program.objects.create(slug="gpiss", name="GPISS", order=1)
    other = Program.objects.create(slug="lain", name="Lain", order=2)
    for program, code in ((gpiss, "inflasi-yoy"), (gpiss, "pasar"), (other, "inflasi-yoy")):
        Indicator.objects.create(
            program=program, code=code, name=code, unit="%", measure="level", decimals=2
        )
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    allowed = apps.get_model("programs", "Indicator").objects.filter(allows_negative=True)
    assert list(allowed.values_list("program__slug", "code")) == [("gpiss", "inflasi-yoy")]
    MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())
