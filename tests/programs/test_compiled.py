"""Queries compiled once (programs/compiled.py) answer exactly what the ORM answers for
the same values, on SQLite and PostgreSQL, and refuse the queries they cannot compile
safely instead of running the wrong SQL."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext

from programs.compiled import CompiledModelQuery, CompiledQuery
from programs.models import MonthlyReport, Target
from tests.factories import (
    IndicatorFactory,
    MonthlyReportFactory,
    ProgramFactory,
    RegencyFactory,
    TargetFactory,
)

pytestmark = pytest.mark.django_db
Status = MonthlyReport.Status


def _reports(program, months, codes, status):
    return (
        MonthlyReport.objects.filter(
            program_id=program, month__lte=months, regency_id__in=codes, status=status
        )
        .order_by("regency_id", "month")
        .values_list("regency_id", "month", "status", "first_submitted_at", "regency__is_synthetic")
    )


@pytest.fixture
def reports():
    programs = [ProgramFactory(), ProgramFactory()]
    regencies = [RegencyFactory(is_synthetic=bool(n % 2)) for n in range(3)]
    submitted = dt.datetime(2024, 3, 5, 7, 30, tzinfo=dt.UTC)
    for program in programs:
        for regency in regencies:
            for month in (1, 2, 3, 4):
                MonthlyReportFactory(
                    program=program,
                    regency=regency,
                    month=month,
                    status=Status.SUBMITTED if month == 3 else Status.VERIFIED,
                    first_submitted_at=submitted if month > 1 else None,
                )
    return programs, regencies


def test_rows_equal_the_orms_for_every_value_and_list_length(reports):
    programs, regencies = reports
    query = CompiledQuery(_reports, program="int", months="int", codes="strs", status="str")
    codes = [r.code for r in regencies]
    cases = [
        (programs[0].pk, 4, codes, Status.VERIFIED),
        (programs[1].pk, 2, codes[:1], Status.VERIFIED),
        (programs[0].pk, 3, codes[1:], Status.SUBMITTED),
        (programs[1].pk, 12, [*codes, "00.00"], Status.DRAFT),
        (programs[0].pk, 4, [], Status.VERIFIED),  # an IN over nothing: no rows, no query
    ]
    for program, months, places, status in cases:
        expected = list(_reports(program, months, places, status))
        got = query.rows(program=program, months=months, codes=places, status=status)
        assert got == expected
    assert len(query.rows(program=programs[0].pk, months=4, codes=codes, status="verified")) == 9
    # The ORM's converters ran: datetimes, booleans and None come back typed (SQLite too).
    first = query.rows(program=programs[0].pk, months=2, codes=codes[:2], status="verified")
    assert [row[3] for row in first] == [None, dt.datetime(2024, 3, 5, 7, 30, tzinfo=dt.UTC)] * 2
    assert [row[4] for row in first] == [False, False, True, True]


def test_built_twice_then_only_executed_one_query_per_call(reports):
    programs, _regencies = reports
    builds = []

    def build(program, month):
        builds.append((program, month))
        return MonthlyReport.objects.filter(program_id=program, month=month).values_list("pk")

    query = CompiledQuery(build, program="int", month="int")
    query.rows(program=programs[0].pk, month=1)
    assert len(builds) == 2  # two sets of stand-ins, to prove the SQL depends on nothing else
    assert all(program != programs[0].pk for program, _month in builds)
    with CaptureQueriesContext(connection) as queries:
        assert len(query.rows(program=programs[1].pk, month=2)) == 3
        assert len(query.rows(program=programs[1].pk, month=5)) == 0
    assert len(builds) == 2
    assert len(queries) == 2


def _by_program(program, codes, verified_only):
    reports = MonthlyReport.objects.filter(program_id=program)
    if codes is not None:
        reports = reports.filter(regency_id__in=codes)
    if verified_only:
        reports = reports.filter(status=Status.VERIFIED)
    return reports.order_by("pk").values_list("regency_id", "month")


def test_keys_and_none_choose_the_filters_and_each_shape_is_compiled_once(reports):
    programs, regencies = reports
    builds = []

    def build(**values):
        builds.append(values)
        return _by_program(**values)

    query = CompiledQuery(build, program="int", codes="strs", verified_only="key")
    code = regencies[0].code
    for _round in range(2):
        for codes in (None, [code]):
            for verified_only in (False, True):
                got = query.rows(program=programs[0].pk, codes=codes, verified_only=verified_only)
                assert got == list(_by_program(programs[0].pk, codes, verified_only))
    # 3 regencies x 4 months; months 3 are submitted, not verified.
    assert len(query.rows(program=programs[0].pk, codes=None, verified_only=False)) == 12
    assert len(query.rows(program=programs[0].pk, codes=None, verified_only=True)) == 9
    assert len(query.rows(program=programs[0].pk, codes=[code], verified_only=True)) == 3
    assert len(builds) == 8  # four shapes, built twice each, then only executed
    # A key reaches the builder as itself, None as None: neither is a stand-in.
    assert {(b["codes"] is None, b["verified_only"]) for b in builds} == {
        (True, False),
        (True, True),
        (False, False),
        (False, True),
    }


def test_numbers_given_as_text_are_read_as_the_orm_would():
    program = ProgramFactory()
    MonthlyReportFactory(program=program, month=2)
    query = CompiledQuery(
        lambda program, month: MonthlyReport.objects.filter(
            program_id=program, month=month
        ).values_list("month"),
        program="int",
        month="int",
    )
    assert query.rows(program=str(program.pk), month="2") == [(2,)]
    with pytest.raises(ValueError):
        query.rows(program=program.pk, month="dua")
    with pytest.raises(TypeError):
        query.rows(program=program.pk)


def test_a_value_derived_from_a_parameter_is_refused():
    # The year after `year` would be frozen into the SQL from the stand-in.
    query = CompiledQuery(
        lambda year: MonthlyReport.objects.filter(year=year + 1).values_list("pk"), year="int"
    )
    with pytest.raises(ImproperlyConfigured, match="went missing"):
        query.rows(year=2024)


def test_a_key_may_be_derived_from_and_is_compiled_once_per_value(reports):
    """What an "int" may not be (above), a "key" may: the builder derives SQL from it
    (here the month after `until`), and each value gets SQL of its own."""
    programs, _regencies = reports
    builds = []

    def build(program, until):
        builds.append(until)
        return (
            MonthlyReport.objects.filter(program_id=program, month__lt=until[0] + 1)
            .order_by("regency_id", "month")
            .values_list("regency_id", "month")
        )

    query = CompiledQuery(build, program="int", until="key")
    for _round in range(2):
        for month in (1, 3):
            for program in programs:
                expected = list(
                    MonthlyReport.objects.filter(program_id=program.pk, month__lte=month)
                    .order_by("regency_id", "month")
                    .values_list("regency_id", "month")
                )
                assert query.rows(program=program.pk, until=(month, "label")) == expected
                assert len(expected) == 3 * month
    assert builds == [(1, "label")] * 2 + [(3, "label")] * 2  # built twice per key, once


def test_a_parameter_the_query_does_not_use_is_refused():
    query = CompiledQuery(lambda year: MonthlyReport.objects.values_list("pk"), year="int")
    with pytest.raises(ImproperlyConfigured, match="went missing"):
        query.rows(year=2024)


def test_a_constant_equal_to_a_stand_in_is_refused_not_misplaced():
    # 16,385 is the first stand-in of the first build: a slot there, a constant in the second.
    query = CompiledQuery(
        lambda year: MonthlyReport.objects.filter(year=year, month__lte=16385).values_list("pk"),
        year="int",
    )
    with pytest.raises(ImproperlyConfigured, match="depends on more"):
        query.rows(year=2024)


def test_model_instances_are_the_orms_and_save_as_updates():
    indicator = IndicatorFactory()
    targets = [
        TargetFactory(indicator=indicator, year=2025, value=Decimal("8391.5")),
        TargetFactory(indicator=indicator, year=2025, regency=RegencyFactory(), value=10),
        TargetFactory(indicator=indicator, year=2026, value=Decimal(1)),
    ]
    query = CompiledModelQuery(
        Target,
        lambda indicator, year: Target.objects.filter(indicator_id=indicator, year=year),
        indicator="int",
        year="int",
    )
    found = query.instances(indicator=indicator.pk, year=2025)
    expected = list(Target.objects.filter(indicator=indicator, year=2025))
    assert [t.pk for t in found] == [t.pk for t in expected]  # the model's ordering too
    assert {t.pk for t in found} == {targets[0].pk, targets[1].pk}
    for mine, theirs in zip(found, expected, strict=True):
        assert {f.attname: getattr(mine, f.attname) for f in Target._meta.concrete_fields} == {
            f.attname: getattr(theirs, f.attname) for f in Target._meta.concrete_fields
        }
        assert mine._state.adding is False
        assert mine._state.db == "default"
    province = next(t for t in found if t.regency_id is None)
    assert province.value == Decimal("8391.5")
    province.value = Decimal(9000)
    province.save()
    assert Target.objects.count() == 3
    assert Target.objects.get(pk=targets[0].pk).value == Decimal(9000)
