"""Migration 0006 enforces BPS's format of a code (1607): one the admin took with a dot or
spaces ("16.07") is written as BPS writes it, so the new constraint can hold."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("regencies", "0005_area_population_positive")]
AFTER = [("regencies", "0006_bps_code_format")]


@pytest.mark.django_db(transaction=True)
def test_a_stored_bps_code_with_a_dot_is_written_as_four_digits():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    Regency = executor.loader.project_state(BEFORE).apps.get_model("regencies", "Regency")
    Regency.objects.create(code="16.07", bps_code="16.07", name="Banyuasin", kind="kabupaten")
    Regency.objects.create(code="16.71", bps_code="1671", name="Palembang", kind="kota")
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    Regency = executor.loader.project_state(AFTER).apps.get_model("regencies", "Regency")
    assert sorted(Regency.objects.values_list("code", "bps_code")) == [
        ("16.07", "1607"),
        ("16.71", "1671"),
    ]
    MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())
