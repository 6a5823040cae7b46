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


def test_adding_the_same_target_twice_at_once_says_it_exists(reference_data):
    """A double click on "Simpan" (or two admins adding Banyuasin's 2025 allocation): the
    second insert met the first's row in the database, a 500. It now shows the form with
    the message the form gives once the first is saved."""
    from decimal import Decimal

    from tests.admin_helpers import gbrss_indicator

    admin = UserFactory(username="admin-dua", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    indicator = gbrss_indicator()
    data = {
        "indicator": indicator.pk,
        "regency": "16.07",
        "year": "2025",
        "value": "5.000",
        "splits-TOTAL_FORMS": "0",
        "splits-INITIAL_FORMS": "0",
        "milestones-TOTAL_FORMS": "0",
        "milestones-INITIAL_FORMS": "0",
        "_save": "Simpan",
    }

    response = race(
        lambda: Target.objects.create(
            indicator=indicator, regency_id="16.07", year=2025, value=Decimal(5000)
        ),
        lambda: client.post(reverse("admin:programs_target_add"), data),
    )

    assert response.status_code == 200
    messages = " ".join(element_text(e) for e in find_all(page(response), "ul", class_="errorlist"))
    assert "Target untuk indikator, kabupaten/kota dan tahun ini sudah ada." in messages
    assert Target.objects.filter(indicator=indicator, regency_id="16.07", year=2025).count() == 1
