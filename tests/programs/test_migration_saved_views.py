"""Migration 0019: saved views kept with the default period of the day they were saved
(tahun=2026&bulan=10 on 1 December 2026) lose it, and open the latest period; a year or
month the user chose stays. Rows saved before the links left the period out."""

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from programs.models import MonthlyReport, Program, SavedView
from regencies.models import Regency
from tests.factories import MonthlyReportFactory, UserFactory

BEFORE = [("programs", "0018_exemption_month_help")]
AFTER = [("programs", "0019_saved_views_follow_the_calendar")]
WIB = ZoneInfo("Asia/Jakarta")
DECEMBER_1 = dt.datetime(2026, 12, 1, 9, tzinfo=WIB)
JANUARY_15 = dt.datetime(2027, 1, 15, 9, tzinfo=WIB)
# 06:00 on 11 December in Jakarta is still 10 December in UTC (November not due yet):
# the day is Jakarta's.
DECEMBER_11_EARLY = dt.datetime(2026, 12, 11, 6, tzinfo=WIB)
NOVEMBER_5 = dt.datetime(2026, 11, 5, 9, tzinfo=WIB)

ROWS = [
    # (path, query saved, saved at, query after)
    ("/program/gbrss/", "tahun=2026&bulan=10", DECEMBER_1, ""),
    ("/", "tahun=2026&terverifikasi=1", DECEMBER_1, "terverifikasi=1"),
    ("/", "tahun=2026&bulan=6", DECEMBER_1, "tahun=2026&bulan=6"),  # June: chosen
    ("/wilayah/16.07/", "tahun=2025&bulan=12", DECEMBER_1, "tahun=2025&bulan=12"),  # 2025
    # The grid's default month is the running one.
    ("/kelengkapan/", "tahun=2026&bulan=12&program=gbrss", DECEMBER_1, "program=gbrss"),
    ("/kelengkapan/", "tahun=2026&bulan=10", DECEMBER_1, "tahun=2026&bulan=10"),
    # 2026 s.d. Desember until January 2027's reports are due (10 February).
    ("/", "tahun=2026&bulan=12&urutkan=nama", JANUARY_15, "urutkan=nama"),
    # On 5 November October was not due yet: it was chosen.
    ("/program/gpstss/", "tahun=2026&bulan=10", NOVEMBER_5, "tahun=2026&bulan=10"),
    ("/program/gpstss/", "bulan=6", DECEMBER_1, "bulan=6"),  # no year: as typed
    ("/program/gsmp/", "tahun=2026&bulan=11", DECEMBER_11_EARLY, ""),
]


@pytest.mark.django_db(transaction=True)
def test_views_saved_on_the_default_period_follow_the_calendar():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    # 0019 changes no table, and today's models and factories fit the database at 0018
    # but for the program and the indicator (0022 and 0023 add their English fields):
    # the reference regencies are loaded, the programs, the indicator and its 2024
    # target (0019 reads the years of targets) written through the models of 0018.
    call_command("loaddata", "fixtures/regencies.json", verbosity=0)
    old = executor.loader.project_state(BEFORE).apps
    OldProgram = old.get_model("programs", "Program")
    fields = {field.name for field in OldProgram._meta.fields}
    for row in json.loads(Path("fixtures/programs.json").read_text()):
        if row["model"] == "programs.program":
            OldProgram.objects.create(**{k: v for k, v in row["fields"].items() if k in fields})
    gbrss = Program(pk=OldProgram.objects.get(slug="gbrss").pk)  # no column read
    houses = old.get_model("programs", "Indicator").objects.create(
        program_id=gbrss.pk,
        code="rumah-dibedah",
        name="Rumah tidak layak huni dibedah",
        unit="rumah",
        measure="increment",
        is_headline=True,
    )
    old.get_model("programs", "Target").objects.create(indicator=houses, year=2024, value=8391)
    for year in (2025, 2026):
        MonthlyReportFactory(
            program=gbrss,
            regency=Regency.objects.get(code="16.07"),
            year=year,
            month=1,
            status=MonthlyReport.Status.VERIFIED,
        )
    user, other = UserFactory(), UserFactory()
    for path, query, saved_at, _after in ROWS:
        view = SavedView.objects.create(user=user, path=path, query=query, title="x")
        SavedView.objects.filter(pk=view.pk).update(created_at=saved_at)
    # The same page saved twice, with and without the period: one is left.
    for query in ("", "tahun=2026&bulan=10"):
        view = SavedView.objects.create(user=other, path="/", query=query, title="x")
        SavedView.objects.filter(pk=view.pk).update(created_at=DECEMBER_1)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)

    after = list(SavedView.objects.filter(user=user).order_by("pk").values_list("query", flat=True))
    assert after == [row[3] for row in ROWS]
    assert list(SavedView.objects.filter(user=other).values_list("query", flat=True)) == [""]
    MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())
