"""The entry form fits the numbers: empty ratio inputs labelled with what they count,
last month's denominator as a start, the month's total, removable source rows; and the
/laporan/ months x programs grid with what is due now on top."""

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from programs.models import FundingSource, Indicator, MonthlyReport, Program, Realization
from regencies.models import Regency, UserScope
from tests.factories import MonthlyReportFactory, RealizationFactory, UserFactory

Status = MonthlyReport.Status


@pytest.fixture
def operator(reference_data):
    with time_machine.travel(dt.datetime(2026, 11, 29, 9, tzinfo=dt.UTC), tick=False):
        user = UserFactory(username="op-banyuasin")
        UserScope.objects.create(user=user, role=UserScope.Role.OPERATOR, regency_id="16.07")
        client = Client()
        client.force_login(user)
        yield client


def value_of(page, name):
    found = re.search(rf'name="{re.escape(name)}"[^>]*value="([^"]*)"', page)
    assert found, name
    return found.group(1)


def test_ratio_inputs_start_empty_with_labels_and_last_months_denominator(operator):
    report = MonthlyReportFactory(
        program=Program.objects.get(slug="gpstss"),
        regency=Regency.objects.get(code="16.07"),
        year=2026,
        month=9,
        status=Status.VERIFIED,
        verified_at=timezone.now(),
    )
    RealizationFactory(
        report=report,
        indicator=Indicator.objects.get(code="prevalensi-stunting"),
        funding_source=FundingSource.objects.get(code="tidak-dirinci"),
        value=None,
        numerator=Decimal(60),
        denominator=Decimal(1250),
    )
    page = operator.get("/laporan/16.07/gpstss/2026-10/").content.decode()
    assert value_of(page, "r-prevalensi-stunting-0-num") == ""
    assert value_of(page, "r-prevalensi-stunting-0-den") == "1.250"
    assert "Balita stunting<input" in page and "Balita diukur<input" in page
    assert 'value="–"' not in page
    shown = operator.get("/laporan/16.07/gpstss/2026-09/").content.decode()
    assert "60 balita stunting / 1.250 balita diukur = 4,80 %" in shown


def test_month_total_and_removed_rows(operator):
    url = "/laporan/16.07/gbrss/2026-10/"
    rows = {
        "r-rumah-dibedah-0-source": "apbn",
        "r-rumah-dibedah-0-value": "3",
        "r-rumah-dibedah-1-source": "apbd-prov",
        "r-rumah-dibedah-1-value": "1.004",
    }
    assert operator.post(url, {**rows, "aksi": "simpan", "versi": 0}).status_code == 302
    page = operator.get(url).content.decode()
    assert re.search(r'data-total-for="rows-rumah-dibedah"[^>]*>1\.007</output>', page)
    assert page.count("data-remove-row") == 2
    # The operator removed the second row: saving without it deletes it.
    del rows["r-rumah-dibedah-1-source"], rows["r-rumah-dibedah-1-value"]
    version = MonthlyReport.objects.get().version
    assert operator.post(url, {**rows, "aksi": "simpan", "versi": version}).status_code == 302
    assert list(Realization.objects.values_list("value", flat=True)) == [Decimal(3)]


def test_laporan_grid_with_due_now_on_top(operator):
    page = operator.get("/laporan/").content.decode()
    due_now = page.index('id="due-now"')
    assert due_now < page.index('id="report-grid"') < page.index('id="my-reports"')
    section = page[due_now : page.index("</section>", due_now)]
    assert "GBRSS November" in section and "GBRSS Oktober" in section
    grid = page[
        page.index('id="report-grid"') : page.index("</table>", page.index('id="report-grid"'))
    ]
    assert (
        grid.count("<tr data-program=")
        == Program.objects.filter(active=True, indicators__isnull=False).distinct().count()
    )
    gpiss = grid[grid.index('data-program="gpiss"') :].split("</tr>")[0]
    assert "Tidak wajib" in gpiss  # Banyuasin is not a BPS inflation city
