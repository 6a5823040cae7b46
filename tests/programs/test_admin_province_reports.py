"""The province's own reports (no regency) are entered in the admin, the only place they
can be: no operator submits them and no verification queue lists them. Before, they
stayed drafts and their figure (the province's inflation rate, a `level` indicator) never
reached a dashboard; an admin now publishes them, or takes them back to draft."""

from decimal import Decimal

import pytest
from django.urls import reverse

from programs.models import FundingSource, Indicator, MonthlyReport, Program
from programs.reporting.services import province_reports_publish
from regencies.models import Regency, UserScope
from tests.factories import MonthlyReportFactory, UserFactory
from tests.helpers import element_text, error_messages, figure_text, find_all, page
from tests.programs.test_admin_rules import report_data

pytestmark = pytest.mark.django_db

Status = MonthlyReport.Status
PERIOD = "tahun=2024&bulan=3"


def province_inflation_on_the_page(client) -> str:
    """The program page's headline realization for the province's inflation, as shown."""
    response = client.get(f"/program/gpiss/?{PERIOD}&indikator=inflasi-yoy")
    assert response.status_code == 200
    return figure_text(response, "realization")


def province_inflation(client) -> float | None:
    response = client.get(f"/api/v1/progress/?{PERIOD}&indikator=inflasi-yoy&wilayah=provinsi")
    assert response.status_code == 200
    (row,) = response.json()["results"]
    return row["realization"]


@pytest.fixture
def province_report(admin_client, reference_data):
    """March 2024's provincial inflation, typed in the admin's add form as an admin would
    (Kabupaten/kota left empty, "3,05" the Indonesian way): a draft."""
    gpiss = Program.objects.get(slug="gpiss")
    row = {
        "indicator": Indicator.objects.get(code="inflasi-yoy").pk,
        "funding_source": FundingSource.objects.get(code="tidak-dirinci").pk,
        "value": "3,05",
    }
    data = report_data(MonthlyReport(regency=None, program=gpiss, year=2024, month=3), [row])
    response = admin_client.post(reverse("admin:programs_monthlyreport_add"), data)
    assert response.status_code == 302, error_messages(page(response))
    report = MonthlyReport.objects.get(regency=None, program=gpiss, year=2024, month=3)
    assert report.status == Status.DRAFT
    assert report.realizations.get().value == Decimal("3.05")
    return report


def act(admin_client, action, *reports):
    return admin_client.post(
        reverse("admin:programs_monthlyreport_changelist"),
        {"action": action, "_selected_action": [r.pk for r in reports]},
        follow=True,
    )


def test_an_admin_publishes_the_provinces_report_and_its_figure_shows(
    admin_client, client, province_report
):
    regency_report = MonthlyReportFactory(
        regency=Regency.objects.get(code="16.71"),
        program=province_report.program,
        month=3,
        status=Status.SUBMITTED,
    )
    assert province_inflation(client) is None  # a draft counts nowhere
    assert province_inflation_on_the_page(client) == "belum ada data"
    version = province_report.version

    response = act(admin_client, "publish_province_reports", province_report, regency_report)

    assert response.status_code == 200
    notes = [element_text(li) for li in find_all(page(response), "li", class_="success")]
    assert notes[-1] == "1 laporan provinsi diterbitkan dan kini dihitung di dasbor."
    warnings = [element_text(li) for li in find_all(page(response), "li", class_="warning")]
    assert warnings and warnings[0].startswith("1 laporan dilewati")
    province_report.refresh_from_db()
    assert province_report.status == Status.VERIFIED
    assert province_report.verified_by.is_superuser and province_report.version == version + 1
    # Submitted and verified at once, by the same admin.
    assert province_report.submitted_by == province_report.verified_by
    assert province_report.first_submitted_at == province_report.verified_at
    assert province_report.history.first().history_change_reason == (
        "Diterbitkan (laporan provinsi)"
    )
    regency_report.refresh_from_db()
    assert regency_report.status == Status.SUBMITTED  # the verification page's business
    assert province_inflation(client) == 3.05  # the page cache saw the change
    assert province_inflation_on_the_page(client) == "3,05"  # as typed: 3,05 %

    act(admin_client, "withdraw_province_reports", province_report)

    province_report.refresh_from_db()
    assert (province_report.status, province_report.verified_at) == (Status.DRAFT, None)
    assert province_inflation(client) is None
    assert province_inflation_on_the_page(client) == "belum ada data"


def test_only_a_verifier_of_the_program_publishes_it(province_report):
    other = UserFactory(username="verif-gbrss")
    scope = UserScope.objects.create(user=other, role=UserScope.Role.VERIFIKATOR)
    scope.programs.add(Program.objects.get(slug="gbrss"))
    assert province_reports_publish(user=other, reports=[province_report]) == (0, 1)
    province_report.refresh_from_db()
    assert province_report.status == Status.DRAFT
    scope.programs.add(province_report.program)
    other = type(other).objects.get(pk=other.pk)  # scopes are cached per user object
    assert province_reports_publish(user=other, reports=[province_report]) == (1, 0)


def test_the_workflow_note_on_the_report_page_says_how(admin_client, province_report):
    response = admin_client.get(
        reverse("admin:programs_monthlyreport_change", args=[province_report.pk])
    )
    assert "Terbitkan laporan provinsi terpilih" in response.content.decode()
    assert response.status_code == 200 and not error_messages(page(response))


def test_a_province_report_takes_level_figures_only(admin_client, reference_data):
    """Houses are summed from the regencies' reports: a province report of 1.000 houses
    counted nowhere on the dashboards yet added 1.000 to every raw export and the API.
    Refused beside the row; nothing saved. The province's inflation is still taken."""
    gbrss = Program.objects.get(slug="gbrss")
    row = {
        "indicator": Indicator.objects.get(code="rumah-dibedah").pk,
        "funding_source": FundingSource.objects.get(code="apbn").pk,
        "value": "1.000",
    }
    data = report_data(MonthlyReport(regency=None, program=gbrss, year=2024, month=3), [row])
    response = admin_client.post(reverse("admin:programs_monthlyreport_add"), data)
    assert response.status_code == 200
    assert (
        "Laporan provinsi hanya untuk indikator nilai tingkat (mis. inflasi): angka indikator "
        "ini dijumlah dari laporan kabupaten/kota." in error_messages(page(response))
    )
    assert not MonthlyReport.objects.filter(regency=None, program=gbrss).exists()


def test_an_admin_reading_in_english_writes_the_history_in_indonesian(
    admin_client, province_report
):
    """Publishing and withdrawing wrote "Published (province report)" into the report's
    shared history when the admin read the site in English."""
    admin_client.cookies["bahasa"] = "en"
    act(admin_client, "publish_province_reports", province_report)
    act(admin_client, "withdraw_province_reports", province_report)
    reasons = province_report.history.order_by("-history_date").values_list(
        "history_change_reason", flat=True
    )
    assert list(reasons[:2]) == [
        "Ditarik ke draf (laporan provinsi)",
        "Diterbitkan (laporan provinsi)",
    ]
