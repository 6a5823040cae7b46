"""An exemption ("tidak wajib") saved in the admin at the same moment as an operator's
submit of one of its months, in two real transactions on PostgreSQL (threads, each with
its own database connection; see test_races.py).

The rule on both sides: a month submitted (or returned, or verified) cannot be exempted
(`ReportingExemption._clean_reported_months`), and a month exempt for the whole program
cannot be submitted (`services.NOTHING_REQUIRED`). Each side checked the other's rows
committed so far, so both were kept: the month was shown "tidak wajib" beside figures
that count. The exemption's save now takes the program's lock the submit takes first,
and the later one is refused by its rule."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from programs.models import MonthlyReport, Program, ReportingExemption
from regencies.models import Regency
from tests.factories import UserFactory
from tests.helpers import error_messages, flash_messages, page, previous_month
from tests.programs.reporting.test_races import (  # noqa: F401 - fixtures
    first_draft,
    race,
    reference_data,
    two_operators,
)
from tests.reporting_helpers import rows, url

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs two concurrent write transactions"
)
Status = MonthlyReport.Status


def _exemption_post(program):
    year, month = previous_month()
    admin = UserFactory(username="admin-pengecualian", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    data = {
        "regency": "16.07",
        "program": program.pk,
        "indicator": "",
        "start": f"{month:02d}/{year}",
        "end": "",
        "reason": "Tidak ada rumah tidak layak huni tersisa.",
        "source_url": "",
        "_save": "Simpan",
    }
    return lambda: client.post(reverse("admin:programs_reportingexemption_add"), data)


def test_an_exemption_saved_while_its_month_is_submitted_is_refused(two_operators):  # noqa: F811 - the imported fixture
    operator = two_operators[0]
    program = Program.objects.get(slug="gbrss")
    first_draft(operator, program)
    year, month = previous_month()

    def submit():
        client = Client()
        client.force_login(operator)
        response = client.post(url(), {"versi": "1", "aksi": "ajukan", **rows("12")})
        assert response.status_code == 302, response.status_code

    response = race(submit, _exemption_post(program))

    # The admin's save waited for the submit, then saw the submitted month.
    assert response.status_code == 200
    from programs.formats import month_year_label

    assert (
        f"{month_year_label(year, month)} sudah dilaporkan (diajukan, dikembalikan untuk "
        "perbaikan, atau terverifikasi): bulan itu tidak bisa dikecualikan. Mulai "
        "pengecualian sesudahnya."
    ) in error_messages(page(response))
    assert not ReportingExemption.objects.filter(regency="16.07", program=program).exists()
    assert MonthlyReport.objects.get().status == Status.SUBMITTED


def test_a_submit_sent_while_its_month_is_exempted_is_refused(two_operators):  # noqa: F811 - the imported fixture
    operator = two_operators[0]
    program = Program.objects.get(slug="gbrss")
    first_draft(operator, program)
    year, month = previous_month()

    def exempt():
        # As the admin's add view does: validated (the model's rules), then saved, in
        # one transaction held open until the submit waits on it.
        exemption = ReportingExemption(
            regency=Regency.objects.get(code="16.07"),
            program=program,
            start=dt.date(year, month, 1),
            reason="Tidak ada rumah tidak layak huni tersisa.",
        )
        exemption.full_clean()
        exemption.save()

    client = Client()
    client.force_login(operator)
    response = race(
        exempt,
        lambda: client.post(url(), {"versi": "1", "aksi": "ajukan", **rows("12")}, follow=True),
    )

    assert response.status_code in (200, 422)
    shown = " ".join(flash_messages(response)) + " ".join(error_messages(page(response)))
    assert "Bulan ini tidak wajib dilaporkan wilayah ini" in shown
    assert MonthlyReport.objects.get().status == Status.DRAFT
    assert ReportingExemption.objects.filter(regency="16.07", program=program).count() == 1
