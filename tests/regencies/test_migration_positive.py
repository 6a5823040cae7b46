"""Migration 0005 refuses an area or a population of 0 from now on: one stored before
(the admin accepted it) becomes "not known", so the new constraints can hold."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("regencies", "0004_area_non_negative")]
AFTER = [("regencies", "0005_area_population_positive")]


@pytest.mark.django_db(transaction=True)
def test_a_stored_zero_area_or_population_becomes_unknown():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    Regency = executor.loader.project_state(BEFORE).apps.get_model("regencies", "Regency")
    Regency.objects.create(
        code="16.07",
        bps_code="1607",
        name="Banyuasin",
        kind="kabupaten",
        area_km2=0,
        population=888324,
    )
    Regency.objects.create(
        code="16.71",
        bps_code="1671",
        name="Palembang",
        kind="kota",
        area_km2=Decimal("352.523"),
        population=0,
    )
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    Regency = executor.loader.project_state(AFTER).apps.get_model("regencies", "Regency")
    assert sorted(Regency.objects.values_list("code", "area_km2", "population")) == [
        ("16.07", None, 888324),
        ("16.71", Decimal("352.523"), None),
    ]
    MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())
