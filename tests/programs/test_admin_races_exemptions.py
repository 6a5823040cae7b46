"""Two admins saving reporting exemptions of one regency at once, in two real
transactions on PostgreSQL (as tests/programs/test_admin_races.py): the second waits for
the first, then is refused by the rule that spans both rows, never both saved."""

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from programs.models import Program, ReportingExemption
from tests.factories import UserFactory
from tests.helpers import error_messages, page
from tests.programs.reporting.test_races import race

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs two concurrent write transactions"
)


@pytest.fixture
def reference_data(transactional_db):
    """Threads see only committed data: load the fixtures for real."""
    from django.core.management import call_command

    from tests.conftest import FIXTURES

    call_command("loaddata", *FIXTURES, verbosity=0)


def exemption_data(program, start, end) -> dict:
    return {
        "regency": "16.07",
        "program": program.pk,
        "indicator": "",
        "start": start,
        "end": end,
        "reason": "Tidak diukur BPS di wilayah ini.",
        "source_url": "",
        "_save": "Simpan",
    }


def test_two_overlapping_exemptions_added_at_once_are_not_both_saved(reference_data):
    """Each save checked "no other exemption of these months" against the rows committed
    so far, found none, and both were saved: Banyuasin exempt from GBRSS twice over March
    to June 2026, a change to one of them not ending the exemption."""
    admin = UserFactory(username="admin-pengecualian", is_staff=True, is_superuser=True)
    first, second = Client(), Client()
    first.force_login(admin)
    second.force_login(admin)
    program = Program.objects.get(slug="gbrss")
    url = reverse("admin:programs_reportingexemption_add")

    def first_adds():
        response = first.post(url, exemption_data(program, "Januari 2026", "Juni 2026"))
        assert response.status_code == 302, response.content[:2000]

    response = race(
        first_adds,
        lambda: second.post(url, exemption_data(program, "Maret 2026", "Desember 2026")),
    )

    assert response.status_code == 200
    assert any("Bertumpang tindih" in message for message in error_messages(page(response)))
    assert ReportingExemption.objects.filter(regency_id="16.07", program=program).count() == 1
