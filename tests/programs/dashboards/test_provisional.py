"""Who sees provisional (submitted, not yet verified) figures, and one number format
(issue 12, item 7).

Rule (README, role table): dashboards, their exports and the API's progress show
provisional figures to pimpinan, verifikator and admin. Operators see verified figures
there, for every regency including their own (a province total mixing their own
unverified month with everyone else's verified ones would be neither); their own scope's
submitted rows stay visible to them as rows (entry form, raw export, API realizations).
"""

from decimal import Decimal

import pytest
from django.test import Client

from programs import formats
from programs.models import Indicator, Program
from programs.spreadsheets import exports
from regencies.models import Regency, UserScope
from tests.factories import (
    MonthlyReportFactory,
    RealizationFactory,
    TargetFactory,
    UserFactory,
    UserScopeFactory,
)
from tests.helpers import cells, element_text, figure_text, find, table_row

R = UserScope.Role
PROGRAM = "/program/gbrss/?tahun=2024&bulan=12"


def client_as(role, regency=None):
    user = UserFactory(username=f"{role}-{regency or 'prov'}")
    UserScopeFactory(user=user, role=role, regency_id=regency)
    client = Client()
    client.force_login(user)
    return client


def province_realization(client) -> str:
    return figure_text(client.get(PROGRAM), "realization")


@pytest.mark.parametrize(
    "role, regency, shown",
    [
        (None, None, "30"),
        (R.OPERATOR, "16.07", "30"),  # OKU's submitted 20 is not theirs: verified only
        (R.OPERATOR, "16.01", "30"),  # on dashboards even their own provisional is left out
        (R.VERIFIKATOR, None, "50*"),
        (R.PIMPINAN, None, "50*"),
    ],
    ids=["anonymous", "operator-elsewhere", "operator-oku", "verifikator", "pimpinan"],
)
def test_provisional_figures_on_dashboards_by_role(gbrss_data, role, regency, shown):
    client = client_as(role, regency) if role else Client()
    assert province_realization(client) == shown


def test_operator_reads_its_own_submitted_rows_but_not_others(gbrss_data):
    own = client_as(R.OPERATOR, "16.01")
    rows = own.get("/api/v1/realizations/?tahun=2024").json()["results"]
    assert sorted(r["value"] for r in rows) == [5, 20]  # OKU: verified 5 + submitted 20
    progress = own.get("/api/v1/progress/?tahun=2024&bulan=12&program=gbrss").json()["results"]
    oku = next(r for r in progress if r["regency"] == "16.01")
    assert oku["realization"] == 5 and oku["provisional"] is False
    body = b"".join(
        own.get("/unduh/realisasi.csv?tahun=2024&bulan=12&program=gbrss").streaming_content
    ).decode("utf-8-sig")
    assert ";20;" in body or ";20\r" in body or ";20\n" in body


def test_exact_ties_round_half_up_everywhere(reference_data):
    assert formats.number(Decimal("81.25"), 1) == "81,3"
    assert formats.number(Decimal("0.125"), 2) == "0,13"
    assert formats.number(Decimal("2.5"), 0) == "3"
    assert formats.plain_number(Decimal("81.25"), 1) == "81,3"
    assert formats.plain_number(Decimal("8391"), 0) == "8391"
    column = exports.Column("x", kind=exports.INTEGER)
    assert exports.csv_cell(column, Decimal("2.5")) == "3"


def test_a_tie_shows_half_up_on_the_page_and_in_the_api(reference_data):
    """65 of a target of 80 = 81,25 %: 81,3 % on the page, 81.25 in the API."""
    houses = Indicator.objects.get(code="rumah-dibedah")
    banyuasin = Regency.objects.get(code="16.07")
    TargetFactory(indicator=houses, regency=banyuasin, value=Decimal(80))
    report = MonthlyReportFactory(
        program=Program.objects.get(slug="gbrss"), regency=banyuasin, year=2024, month=3
    )
    RealizationFactory(report=report, indicator=houses, value=Decimal(65))
    response = Client().get("/program/gbrss/?tahun=2024&bulan=12")
    assert cells(table_row(response, "regency-table", "16.07"))[3] == "81,3 %"  # Capaian
    assert "81,2 %" not in response.content.decode()  # nowhere on the page
    # The overview's scorecard builds its cells in Python: the same half-up rounding.
    overview = Client().get("/?tahun=2024&bulan=12")
    cell = find(table_row(overview, "scorecard", "16.07"), "td", data_program="gbrss")
    assert element_text(cell).startswith("81,3 %"), element_text(cell)


def test_program_csv_header_writes_the_unallocated_target_without_grouping(gbrss_data):
    body = b"".join(Client().get("/unduh/program/gbrss.csv?tahun=2024&bulan=12")).decode(
        "utf-8-sig"
    )
    line = next(line for line in body.splitlines() if line.startswith("Target belum"))
    assert line.endswith(";8241"), line
