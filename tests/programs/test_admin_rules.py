"""The rules the admin shares with the rest of the application: database constraints
speak Indonesian, and reporting exemptions are not duplicated or dated by a slip."""

import pytest
from django.apps import apps
from django.db.models import CheckConstraint
from django.urls import reverse

from programs.models import Program, ReportingExemption
from tests.admin_helpers import change_data, field_errors, gbrss_province_target
from tests.helpers import error_messages, page

pytestmark = pytest.mark.django_db


# Constraint messages


def test_every_check_constraint_has_its_own_message():
    """A check constraint without a message shows its name to the admin
    ('Batasan "target_baseline_non_negative" dilanggar.')."""
    unnamed = [
        f"{model.__name__}.{constraint.name}"
        for app in ("programs", "regencies")
        for model in apps.get_app_config(app).get_models()
        for constraint in model._meta.constraints
        if isinstance(constraint, CheckConstraint)
        and constraint.violation_error_message == constraint.default_violation_error_message
    ]
    assert unnamed == []


def test_a_negative_target_baseline_is_refused_in_indonesian(admin_client, reference_data):
    target = gbrss_province_target()
    before = target.baseline

    response = admin_client.post(
        reverse("admin:programs_target_change", args=[target.pk]),
        change_data(target, baseline="-1,0", change_reason="uji"),
    )

    assert response.status_code == 200
    errors = error_messages(page(response))
    assert "Nilai dasar (baseline) tidak boleh negatif." in errors
    assert not any("target_baseline_non_negative" in error for error in errors)
    target.refresh_from_db()
    assert target.baseline == before


# Reporting exemptions


def exemption_data(program: Program, **overrides) -> dict:
    """The add form of a whole-program exemption (no indicator) for Banyuasin."""
    return {
        "regency": "16.07",
        "program": program.pk,
        "indicator": "",
        "start": "2024-01-01",
        "end": "",
        "reason": "Tidak diukur BPS di wilayah ini.",
        "source_url": "",
        "_save": "Simpan",
        **overrides,
    }


def add_exemption(admin_client, program, **overrides):
    return admin_client.post(
        reverse("admin:programs_reportingexemption_add"), exemption_data(program, **overrides)
    )


def test_a_whole_program_exemption_is_saved_once(admin_client, reference_data):
    program = Program.objects.get(slug="gbrss")
    assert add_exemption(admin_client, program).status_code == 302

    response = add_exemption(admin_client, program, start="2024-01-15", reason="Lagi.")

    assert response.status_code == 200
    assert "Pengecualian ini sudah ada; ubah saja." in error_messages(page(response))
    assert ReportingExemption.objects.filter(regency="16.07", program=program).count() == 1


@pytest.mark.parametrize("start", ["1924-01-01", "0024-03-01", "2022-12-01"])
def test_an_exemption_cannot_start_long_before_the_program(admin_client, reference_data, start):
    program = Program.objects.get(slug="gbrss")  # launched in 2024

    response = add_exemption(admin_client, program, start=start)

    assert response.status_code == 200
    assert field_errors(response, "start") == [
        "Bulan mulai paling awal Januari 2023: periksa tahunnya."
    ]
    assert not ReportingExemption.objects.filter(program=program).exists()


def test_an_exemption_can_start_the_year_before_the_launch(admin_client, reference_data):
    program = Program.objects.get(slug="gbrss")

    assert add_exemption(admin_client, program, start="2023-01-01").status_code == 302


def test_an_exemption_cannot_end_before_it_starts_or_after_2100(admin_client, reference_data):
    program = Program.objects.get(slug="gbrss")

    before = add_exemption(admin_client, program, start="2025-03-01", end="2025-01-01")
    late = add_exemption(admin_client, program, end="9999-12-01")

    assert "Bulan akhir tidak boleh sebelum bulan mulai." in error_messages(page(before))
    assert field_errors(late, "end") == ["Paling lambat Desember 2100: periksa tahunnya."]
    assert not ReportingExemption.objects.filter(program=program).exists()
