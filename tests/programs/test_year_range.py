"""One range of years (programs.models.MIN_YEAR..MAX_YEAR) behind every entry point:
URLs, dashboard filters, the API, spreadsheet imports, the demo command and the admin."""

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from programs.models import MAX_YEAR, MIN_YEAR, Indicator, is_valid_period
from programs.spreadsheets import imports
from regencies.models import UserScope
from tests.factories import UserFactory, UserScopeFactory


def test_the_range_is_2000_to_2100():
    assert (MIN_YEAR, MAX_YEAR) == (2000, 2100)
    assert is_valid_period(2000, 1) and is_valid_period(2100, 12)
    assert not is_valid_period(1999, 12) and not is_valid_period(2101, 1)
    assert not is_valid_period(2024, 0) and not is_valid_period(2024, 13)


def test_report_urls_outside_the_range_are_not_found(reference_data):
    user = UserFactory(username="op")
    UserScopeFactory(user=user, role=UserScope.Role.OPERATOR, regency_id="16.07")
    client = Client()
    client.force_login(user)
    for period in ("1999-12", "2101-01"):
        assert client.get(f"/laporan/16.07/gbrss/{period}/").status_code == 404


def test_dashboards_ignore_a_year_outside_the_range(reference_data):
    for year in (1999, 2101):
        response = Client().get(f"/?tahun={year}")
        assert response.status_code == 200
        assert response.context["filters"].year != year


def test_api_refuses_a_year_outside_the_range(reference_data):
    for year in (1999, 2101):
        response = Client().get(f"/api/v1/progress/?tahun={year}")
        assert response.status_code == 400


def test_import_refuses_a_month_outside_the_range():
    assert imports._period("2100-12") == (2100, 12)
    for text in ("1999-12", "2101-01"):
        with pytest.raises(ValueError, match="di luar rentang yang dapat dilaporkan"):
            imports._period(text)
    with pytest.raises(ValueError, match="TTTT-BB"):
        imports._period("2024-13")


def test_demo_command_refuses_a_year_outside_the_range(db):
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("seed_demo", "--force", "--until", "1999-12")
    with pytest.raises(CommandError, match="2000 dan 2100"):
        call_command("seed_demo", "--force", "--year", "2101")


def test_admin_refuses_a_target_year_outside_the_range(reference_data, admin_client):
    houses = Indicator.objects.get(code="rumah-dibedah")
    response = admin_client.post(
        "/admin/programs/target/add/",
        {"indicator": houses.pk, "regency": "16.07", "year": "2101", "value": "10"},
    )
    assert response.status_code == 200  # the form again, with the error
    assert "year" in response.context["adminform"].form.errors
