"""Migration 0015 lets GPISS's year-on-year inflation be negative (a deflation) on a
database that already holds its programs: that indicator only, not a namesake elsewhere.
Going back before 0014 with a deflation stored is refused, naming it."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from programs.models import Indicator, Realization, Target
from tests.factories import (
    IndicatorFactory,
    MonthlyReportFactory,
    RealizationFactory,
    TargetFactory,
)

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


def a_deflation():
    indicator = IndicatorFactory(measure=Indicator.Measure.LEVEL, allows_negative=True)
    report = MonthlyReportFactory(program=indicator.program, year=2026, month=10)
    RealizationFactory(report=report, indicator=indicator, value=Decimal("-0.09"))
    return lambda: Realization.objects.get().value


def a_baseline_deflation():
    indicator = IndicatorFactory(measure=Indicator.Measure.LEVEL, allows_negative=True)
    TargetFactory(indicator=indicator, year=2026, baseline=Decimal("-0.09"))
    return lambda: Target.objects.get().baseline


@pytest.mark.parametrize(
    ("stored", "back_to", "refusal"),
    [
        (
            a_deflation,
            "0013_constraint_messages_exemption_unique",
            r"before programs 0014: 1 realization\(s\) hold a negative value",
        ),
        (
            a_baseline_deflation,
            "0015_inflation_allows_negative",
            r"before programs 0016: 1 target\(s\) have a negative baseline",
        ),
    ],
)
@pytest.mark.django_db(transaction=True)
def test_going_back_before_deflations_names_them_and_keeps_them(stored, back_to, refusal):
    """Migrating back before 0014 (a realization) or 0016 (a target's baseline) with a
    deflation stored stopped on the restored check constraint's IntegrityError; it now
    says which figures stand in the way, and keeps them as they were."""
    value = stored()
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    try:
        with pytest.raises(RuntimeError, match=refusal):
            executor.migrate([("programs", back_to)])
    finally:
        MigrationExecutor(connection).migrate(leaves)
    assert value() == Decimal("-0.09")


def _negative_refused() -> bool:
    """Whether the database still refuses a negative value where its indicator does not
    allow one (the sign triggers, programs/guards.py), asked in raw SQL: the models are
    ahead of the schema a failed migration left."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE programs_realization SET value = -1 WHERE indicator_id IN "
                "(SELECT id FROM programs_indicator WHERE NOT allows_negative)"
            )
            if not cursor.rowcount:
                raise AssertionError("no realization of an indicator that refuses negatives")
    except IntegrityError:
        return True
    return False


@pytest.mark.parametrize(
    ("stored", "back_to"),
    [
        (a_deflation, "0013_constraint_messages_exemption_unique"),
        (a_baseline_deflation, "0015_inflation_allows_negative"),
    ],
)
@pytest.mark.django_db(transaction=True)
def test_a_refused_way_back_leaves_the_sign_triggers_in_place(stored, back_to):
    """Migrating back stopped by a deflation (refused above) had already dropped the sign
    triggers on its way (0016 and 0022 going back drop them for SQLite's rebuilds), and
    `migrate` stopped before installing them again: the database it left took any
    negative figure, for stunting or houses too, with nothing to refuse it."""
    stored()
    counted = IndicatorFactory(measure=Indicator.Measure.INCREMENT)
    RealizationFactory(
        report=MonthlyReportFactory(program=counted.program, year=2026, month=9),
        indicator=counted,
        value=Decimal(5),
    )
    assert _negative_refused()
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    try:
        with pytest.raises(RuntimeError, match="Cannot go back before programs"):
            executor.migrate([("programs", back_to)])
        assert _negative_refused()
    finally:
        MigrationExecutor(connection).migrate(leaves)
    assert _negative_refused()
