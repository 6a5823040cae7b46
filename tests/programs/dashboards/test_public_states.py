"""Anonymous visitors see verified information only, report states included: no "Draf",
"Diajukan" or "Dikembalikan" in public pages, tables or exports."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from programs.models import MonthlyReport, Program
from regencies.models import Regency, UserScope
from tests.factories import MonthlyReportFactory, UserFactory

Status = MonthlyReport.Status
INTERNAL = ("Draf", "Diajukan", "Dikembalikan", "Belum masuk", "diajukan")


@pytest.fixture
def reports(reference_data):
    with time_machine.travel(dt.datetime(2026, 11, 29, 9, tzinfo=dt.UTC), tick=False):
        gbrss = Program.objects.get(slug="gbrss")
        banyuasin = Regency.objects.get(code="16.07")
        for month, status in ((7, Status.VERIFIED), (8, Status.RETURNED), (9, Status.SUBMITTED)):
            MonthlyReportFactory(
                program=gbrss,
                regency=banyuasin,
                year=2026,
                month=month,
                status=status,
                verified_at=timezone.now() if status == Status.VERIFIED else None,
                return_reason="Periksa" if status == Status.RETURNED else "",
                submitted_at=timezone.now(),
                first_submitted_at=timezone.now(),
            )
        MonthlyReportFactory(
            program=gbrss, regency=banyuasin, year=2026, month=10, status=Status.DRAFT
        )
        yield


PAGES = [
    "/?tahun=2026",
    "/program/gbrss/?tahun=2026&bulan=10",
    "/wilayah/16.07/?tahun=2026&bulan=10",
    "/kelengkapan/?tahun=2026&program=gbrss",
    "/unduh/kelengkapan.csv?tahun=2026&program=gbrss",
    "/unduh/wilayah/16.07.csv?tahun=2026&bulan=10",
    "/unduh/program/gbrss.csv?tahun=2026&bulan=10",
]


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_sees_no_internal_report_state(reports, path):
    response = Client().get(path)
    assert response.status_code == 200, path
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    body = raw.decode("utf-8-sig")
    for word in INTERNAL:
        assert word not in body, (path, word)


def test_latest_report_column_shows_the_latest_verified_month(reports):
    anonymous = Client().get("/program/gbrss/?tahun=2026&bulan=10").content.decode()
    row = anonymous.split('<tr data-regency="16.07"')[1].split("</tr>")[0]
    assert "Juli: Terverifikasi" in row and "September" not in row, row
    user = UserFactory(username="pimpinan-uji")
    UserScope.objects.create(user=user, role=UserScope.Role.PIMPINAN)
    official = Client()
    official.force_login(user)
    page = official.get("/kelengkapan/?tahun=2026&program=gbrss").content.decode()
    assert "Dikembalikan" in page and "Diajukan tepat waktu" in page  # officials see all
