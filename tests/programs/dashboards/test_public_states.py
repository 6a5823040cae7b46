"""Anonymous visitors see verified information only, report states included: no "Draf",
"Diajukan" or "Dikembalikan" in public pages, tables or exports."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from programs.models import MonthlyReport, Program
from regencies.models import Regency, UserScope
from tests.factories import MonthlyReportFactory, UserFactory
from tests.helpers import attribute, cells, element_text, find, find_all, page, table_row
from tests.reporting_helpers import report

Status = MonthlyReport.Status
INTERNAL = ("Draf", "Diajukan", "Dikembalikan", "Belum masuk", "diajukan")


@pytest.fixture
def reports(reference_data):
    with time_machine.travel(dt.datetime(2026, 11, 29, 9, tzinfo=dt.UTC), tick=False):
        for month, status in ((7, Status.VERIFIED), (8, Status.RETURNED), (9, Status.SUBMITTED)):
            report(status, period=(2026, month))  # Banyuasin's GBRSS
        MonthlyReportFactory(
            program=Program.objects.get(slug="gbrss"),
            regency=Regency.objects.get(code="16.07"),
            year=2026,
            month=10,
            status=Status.DRAFT,
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
    anonymous = Client().get("/program/gbrss/?tahun=2026&bulan=10")
    row = table_row(anonymous, "regency-table", "16.07")
    assert cells(row)[5] == "Juli: Terverifikasi", cells(row)  # Laporan terakhir
    assert "September" not in element_text(row)
    user = UserFactory(username="pimpinan-uji")
    UserScope.objects.create(user=user, role=UserScope.Role.PIMPINAN)
    official = Client()
    official.force_login(user)
    # Officials see every state: in Banyuasin's row and in the legend.
    completeness = official.get("/kelengkapan/?tahun=2026&program=gbrss")
    grid = table_row(completeness, "completeness-grid", "16.07")
    months = [element_text(cell) for cell in find_all(grid, "td") if attribute(cell, "data-state")]
    assert months[6:9] == ["Terverifikasi", "Dikembalikan", "Diajukan terlambat"], months
    legend = find(page(completeness), "ul", class_="state-legend")
    assert "Diajukan tepat waktu" in [element_text(item) for item in find_all(legend, "li")]
