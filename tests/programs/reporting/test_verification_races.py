"""A verifier's decision at the same moment as another change of the same report or
month, in two real transactions on PostgreSQL (the helpers of test_races: the first
write holds its transaction open until the second request is seen waiting on it)."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from programs.models import Comment, LockException, MonthlyReport, Program
from regencies.models import UserScope
from tests.factories import UserFactory
from tests.helpers import flash_messages, previous_month
from tests.programs.reporting.test_races import (  # noqa: F401 - fixtures used by name
    race,
    reference_data,
    signed_in,
    two_operators,
)
from tests.reporting_helpers import url

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs two concurrent write transactions"
)
Status = MonthlyReport.Status


def submitted_report(operator, period) -> MonthlyReport:
    year, month = period
    return MonthlyReport.objects.create(
        regency_id="16.07",
        program=Program.objects.get(slug="gbrss"),
        year=year,
        month=month,
        status=Status.SUBMITTED,
        submitted_by=operator,
        version=1,
    )


def verifier(name="ver-satu"):
    user = UserFactory(username=name)
    UserScope.objects.create(user=user, role=UserScope.Role.VERIFIKATOR)
    return user


def test_a_return_while_an_admin_opens_the_same_locked_month_is_made_once(two_operators):  # noqa: F811 - the imported fixture
    """An admin grants Banyuasin an exception for a locked month while a verifier returns
    that month's report (which opens the month for correction with an exception of its
    own): the return found no exception, its insert waited on the admin's, then failed on
    the unique key: a 500, nothing returned. Now it finds the admin's and lengthens it to
    the correction window; one exception, the report returned once."""
    period = previous_month(4)
    report = submitted_report(two_operators[0], period)
    admin = UserFactory(username="admin-kunci", is_superuser=True, is_staff=True)
    ver = verifier()
    today = timezone.localdate()
    key = {"regency_id": "16.07", "program_id": report.program_id, "year": period[0]}

    def admin_grants():
        LockException.objects.create(
            **key,
            month=period[1],
            until=today + dt.timedelta(days=1),
            reason="Susulan",
            granted_by=admin,
        )

    data = {"aksi": "kembalikan", "alasan": "Foto belum ada", "versi": "1"}
    response = race(
        admin_grants,
        lambda: signed_in(ver).post(url(period=period, suffix="status/"), data, follow=True),
    )
    assert response.status_code == 200
    assert flash_messages(response) == ["Laporan dikembalikan ke operator."]
    report.refresh_from_db()
    assert (report.status, report.version) == (Status.RETURNED, 2)
    (exception,) = LockException.objects.all()
    assert exception.until == today + dt.timedelta(days=14)
    assert Comment.objects.filter(report=report, kind=Comment.Kind.RETURN).count() == 1


def test_two_files_added_at_once_to_a_waiting_report_ring_the_verifier_once(two_operators):  # noqa: F811 - the imported fixture
    """Two uploads to a report waiting for verification at the same moment (two tabs, or
    a photo and a PDF sent together): both are kept, and the verifier is told once."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from programs.models import Attachment, Notification
    from programs.reporting import services
    from regencies.models import Regency
    from tests.evidence_helpers import phone_photo
    from tests.programs.reporting.test_evidence import png

    operator = two_operators[0]
    report = submitted_report(operator, previous_month())
    ver = verifier()

    def first_upload():
        services.attachment_add(
            user=operator,
            report=report,
            regency=Regency.objects.get(code="16.07"),
            program=report.program,
            year=report.year,
            month=report.month,
            data=phone_photo(),
            filename="atap.jpg",
        )

    file = SimpleUploadedFile("lantai.png", png())
    response = race(
        first_upload,
        lambda: signed_in(operator).post(
            url(suffix="lampiran/"), {"berkas": file, "keterangan": ""}, follow=True
        ),
    )
    assert flash_messages(response) == ["Lampiran tersimpan."]
    assert sorted(Attachment.objects.values_list("original_name", flat=True)) == [
        "atap.jpg",
        "lantai.png",
    ]
    assert list(Notification.objects.values_list("user", "kind")) == [(ver.pk, "evidence")]
