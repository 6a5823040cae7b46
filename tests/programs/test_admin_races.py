"""Two admins at once, in two real transactions on PostgreSQL (threads, each with its own
database connection), as tests/programs/reporting/test_races.py does for reports: the
second gets a clear answer, never a 500, and nothing is written twice."""

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from programs.admin import targets_copy_to_next_year
from programs.models import Target
from tests.factories import UserFactory
from tests.helpers import element_text, find_all, page
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


def test_copying_targets_twice_at_once_copies_them_once(reference_data):
    """A double click on the copy confirmation (or two admins): the second copy failed on
    the unique constraint, a 500. It now waits for the first and skips what it copied."""
    admin = UserFactory(username="admin-dua", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    targets = Target.objects.filter(year=2024)
    count = targets.count()
    data = {
        "action": "copy_to_next_year",
        "_selected_action": list(targets.values_list("pk", flat=True)),
        "index": "0",
        "apply": "1",
        "reason": "Target awal 2025",
    }

    response = race(
        lambda: targets_copy_to_next_year(targets=targets, user=admin, reason="Target awal 2025"),
        lambda: client.post(reverse("admin:programs_target_changelist"), data, follow=True),
    )

    assert response.status_code == 200
    shown = [
        element_text(li)
        for ul in find_all(page(response), "ul", class_="messagelist")
        for li in find_all(ul, "li")
    ]
    assert shown == [
        f"0 target disalin ke tahun berikutnya; {count} dilewati karena sudah ada. Periksa dan "
        "ubah nilainya bila perlu."
    ]
    assert Target.objects.filter(year=2025).count() == count
