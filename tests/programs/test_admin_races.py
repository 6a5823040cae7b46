"""Two admins at once, in two real transactions on PostgreSQL (threads, each with its own
database connection), as tests/programs/reporting/test_races.py does for reports: the
second gets a clear answer, never a 500, and nothing is written twice."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from programs.admin import targets_copy_to_next_year
from programs.models import Target
from tests.factories import UserFactory
from tests.helpers import element_text, error_messages, find, find_all, page
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


# --- Two allocations of one indicator and year at once ---------------------------------
# The rule "regency targets add up to at most the province target" was checked by each
# save against the rows committed so far: two admins saving two regencies at once each
# found room for their own allocation and both were saved, together above the province
# target. Every entry point now waits for the other's save, then checks the sum with it.

ALLOCATIONS_EXCEED = (
    "Jumlah alokasi kabupaten/kota tahun {year} akan menjadi 9.000, melebihi target provinsi "
    "(8.391) sebanyak 609. Naikkan dulu target provinsi, atau kurangi alokasi."
)


def _admin_client():
    admin = UserFactory(username="admin-alokasi", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    return admin, client


def _add_allocation_data(indicator, regency: str, year: int, value: str) -> dict:
    return {
        "indicator": indicator.pk,
        "regency": regency,
        "year": str(year),
        "value": value,
        "splits-TOTAL_FORMS": "0",
        "splits-INITIAL_FORMS": "0",
        "milestones-TOTAL_FORMS": "0",
        "milestones-INITIAL_FORMS": "0",
        "_save": "Simpan",
    }


def _first_admin_allocates(client, indicator, year: int):
    """The first admin's save of Banyuasin's allocation (5.000 houses), through the add
    form, held open in the Holder's transaction until the second admin waits on it."""

    def work():
        response = client.post(
            reverse("admin:programs_target_add"),
            _add_allocation_data(indicator, "16.07", year, "5.000"),
        )
        assert response.status_code == 302, response.content[:2000]

    return work


def _allocated(indicator, year: int) -> Decimal:
    from django.db.models import Sum

    total = Target.objects.filter(indicator=indicator, year=year, regency__isnull=False)
    return total.aggregate(total=Sum("value"))["total"]


def test_two_allocations_added_at_once_never_exceed_the_province_target(reference_data):
    from tests.admin_helpers import gbrss_indicator

    _admin, client = _admin_client()
    indicator = gbrss_indicator()  # the province's 2024 target: 8.391 houses
    second = Client()
    second.force_login(_admin)

    response = race(
        _first_admin_allocates(client, indicator, 2024),
        lambda: second.post(
            reverse("admin:programs_target_add"),
            _add_allocation_data(indicator, "16.01", 2024, "4.000"),
        ),
    )

    assert response.status_code == 200
    assert error_messages(find(page(response), "div", class_="field-value")) == [
        ALLOCATIONS_EXCEED.format(year=2024)
    ]
    assert _allocated(indicator, 2024) == Decimal(5000)


def test_an_allocation_edited_in_the_list_waits_for_one_being_added(reference_data):
    from tests.admin_helpers import changelist_data, gbrss_indicator

    _admin, client = _admin_client()
    indicator = gbrss_indicator()
    other = Target.objects.create(
        indicator=indicator, regency_id="16.01", year=2024, value=Decimal(3000)
    )
    second = Client()
    second.force_login(_admin)

    response = race(
        _first_admin_allocates(client, indicator, 2024),
        lambda: second.post(
            reverse("admin:programs_target_changelist"), changelist_data(other, value="4.000")
        ),
    )

    assert response.status_code == 200
    assert ALLOCATIONS_EXCEED.format(year=2024) in error_messages(page(response))
    other.refresh_from_db()
    assert other.value == Decimal(3000)
    assert _allocated(indicator, 2024) == Decimal(8000)


def test_an_allocation_imported_while_another_is_added_is_refused(reference_data):
    from programs.models import ImportBatch
    from tests.admin_helpers import gbrss_indicator
    from tests.helpers import flash_messages
    from tests.spreadsheets_helpers import TARGET_HEADER, states, upload, xlsx

    _admin, client = _admin_client()
    indicator = gbrss_indicator()
    importer = Client()
    importer.force_login(_admin)
    file = xlsx(
        [["gbrss", "rumah-dibedah", "16.01", 2024, 4000, None, None, "Rakor", ""]],
        header=TARGET_HEADER,
    )
    assert states(upload(importer, file, kind="targets")) == ["new"]  # room for it, then
    batch = ImportBatch.objects.get()

    response = race(
        _first_admin_allocates(client, indicator, 2024),
        lambda: importer.post(f"/impor/{batch.token}/terapkan/", follow=True),
    )

    assert response.status_code == 200
    assert any(ALLOCATIONS_EXCEED.format(year=2024) in m for m in flash_messages(response))
    assert not Target.objects.filter(regency_id="16.01").exists()
    assert _allocated(indicator, 2024) == Decimal(5000)


def test_an_allocation_copied_to_next_year_while_another_is_added_is_refused(reference_data):
    from tests.admin_helpers import gbrss_indicator

    _admin, client = _admin_client()
    indicator = gbrss_indicator()
    Target.objects.create(indicator=indicator, year=2025, value=Decimal(8391))
    source = Target.objects.create(
        indicator=indicator, regency_id="16.01", year=2024, value=Decimal(4000)
    )
    second = Client()
    second.force_login(_admin)
    data = {
        "action": "copy_to_next_year",
        "_selected_action": [source.pk],
        "index": "0",
        "apply": "1",
        "reason": "Target awal 2025",
    }

    response = race(
        _first_admin_allocates(client, indicator, 2025),
        lambda: second.post(reverse("admin:programs_target_changelist"), data, follow=True),
    )

    assert response.status_code == 200
    shown = [
        element_text(li)
        for ul in find_all(page(response), "ul", class_="messagelist")
        for li in find_all(ul, "li")
    ]
    assert len(shown) == 1 and ALLOCATIONS_EXCEED.format(year=2025) in shown[0], shown
    assert not Target.objects.filter(regency_id="16.01", year=2025).exists()
    assert _allocated(indicator, 2025) == Decimal(5000)
