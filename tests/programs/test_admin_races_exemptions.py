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


def test_an_exemption_added_while_the_launch_moves_past_it_is_refused(reference_data):
    """Moving a launch later is refused while exemptions would lie wholly before it, and
    an exemption wholly before the launch is refused: each checked against the rows
    committed so far, an admin moving the launch to 2025 and another adding an exemption
    of 2024 at once were both saved, the exemption exempting nothing. The exemption now
    waits for the program's save, then is refused against the new launch."""
    import datetime as dt

    from tests.programs.test_admin_rules import program_data

    admin = UserFactory(username="admin-peluncuran", is_staff=True, is_superuser=True)
    first, second = Client(), Client()
    first.force_login(admin)
    second.force_login(admin)
    program = Program.objects.create(
        slug="uji-luncur", acronym="GUJI", name="Gerakan uji", launch_date=dt.date(2024, 2, 1)
    )

    def first_moves_the_launch():
        data = program_data(program, []) | {"launch_date": "1 Januari 2025"}
        response = first.post(reverse("admin:programs_program_change", args=[program.pk]), data)
        assert response.status_code == 302, response.content[:2000]

    response = race(
        first_moves_the_launch,
        lambda: second.post(
            reverse("admin:programs_reportingexemption_add"),
            exemption_data(program, "Maret 2024", "Juni 2024"),
        ),
    )

    assert response.status_code == 200
    assert any(
        "diluncurkan 1 Januari 2025" in message for message in error_messages(page(response))
    )
    assert not ReportingExemption.objects.filter(program=program).exists()
    program.refresh_from_db()
    assert program.launch_date == dt.date(2025, 1, 1)
