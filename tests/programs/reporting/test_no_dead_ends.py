"""No dead ends: for every report status and lock state someone can act, and a report
returned in a locked month is opened for correction until a date, with who and why."""

import datetime as dt
import itertools

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from programs import permissions
from programs.models import LockException, MonthlyReport, Notification, Program
from regencies.models import Regency, UserScope
from tests.factories import MonthlyReportFactory, UserFactory
from tests.helpers import cells, element_text, find, flash_messages, page, unread

Status = MonthlyReport.Status
NOW = dt.datetime(2026, 11, 29, 9, tzinfo=dt.UTC)
OPEN_MONTH, LOCKED_MONTH = 10, 8  # on 29 November 2026: October is open, August locked


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def people(reference_data):
    def make(name, role=None, regency=None, superuser=False):
        user = UserFactory(
            username=name,
            email=f"{name}@sumselprov.go.id",
            is_superuser=superuser,
            is_staff=superuser,
        )
        if role:
            UserScope.objects.create(user=user, role=role, regency_id=regency)
        return user

    R = UserScope.Role
    return {
        "operator": make("op-banyuasin", R.OPERATOR, "16.07"),
        "verifier": make("verifikator-uji", R.VERIFIKATOR),
        "admin": make("admin-uji", superuser=True),
    }


def make_report(status, month):
    if status is None:
        return None
    return MonthlyReportFactory(
        program=Program.objects.get(slug="gbrss"),
        regency=Regency.objects.get(code="16.07"),
        year=2026,
        month=month,
        status=status,
        verified_at=timezone.now() if status == Status.VERIFIED else None,
        return_reason="Periksa lagi" if status == Status.RETURNED else "",
        submitted_at=None if status == Status.DRAFT else timezone.now(),
        first_submitted_at=None if status == Status.DRAFT else timezone.now(),
    )


LOCK_STATES = ["open", "locked", "locked_with_exception", "locked_exception_expired"]


@pytest.mark.parametrize(
    "status,lock",
    list(itertools.product([None, *Status.values], LOCK_STATES)),
)
def test_every_status_and_lock_state_has_someone_who_can_act(people, clock, status, lock):
    month = OPEN_MONTH if lock == "open" else LOCKED_MONTH
    gbrss = Program.objects.get(slug="gbrss")
    if lock in ("locked_with_exception", "locked_exception_expired"):
        until = dt.date(2026, 12, 5) if lock == "locked_with_exception" else dt.date(2026, 11, 1)
        LockException.objects.create(
            regency_id="16.07", program=gbrss, year=2026, month=month, until=until, reason="x"
        )
    report = make_report(status, month)
    actions = {
        role: permissions.available_actions(
            user,
            regency_code="16.07",
            program_id=gbrss.pk,
            year=2026,
            month=month,
            report=report,
        )
        for role, user in people.items()
    }
    assert any(actions.values()), actions
    if status == Status.RETURNED:
        # A returned report is corrected by the operator, or opened again by a verifier.
        assert "edit" in actions["operator"] or "open_for_correction" in actions["verifier"]
    if status == Status.SUBMITTED:
        assert {"verify", "return"} <= actions["verifier"]


def test_returning_a_report_of_a_locked_month_opens_it_until_a_date(people, clock):
    report = make_report(Status.SUBMITTED, LOCKED_MONTH)
    verifier, operator = Client(), Client()
    verifier.force_login(people["verifier"])
    operator.force_login(people["operator"])
    url = "/laporan/16.07/gbrss/2026-08/"
    response = verifier.post(
        url + "status/",
        {"aksi": "kembalikan", "alasan": "Foto belum ada", "versi": report.version},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.RETURNED
    exception = LockException.objects.get(regency="16.07", year=2026, month=LOCKED_MONTH)
    assert exception.until == dt.date(2026, 12, 13)  # today + REPORT_CORRECTION_DAYS (14)
    assert exception.granted_by == people["verifier"] and "Foto belum ada" in exception.reason
    assert exception.history.get().history_change_reason.startswith("Dikembalikan")
    # Both sides see until when.
    for client in (operator, verifier):
        notice = element_text(find(page(client.get(url)), "p", id="open-until"))
        assert "dibuka untuk perbaikan sampai 13 Desember 2026" in notice
    my_reports = find(page(operator.get("/laporan/")), "table", id="my-reports")
    august = find(my_reports, "tr", data_program="gbrss", data_month=str(LOCKED_MONTH))
    assert "dibuka sampai 13 Desember 2026" in cells(august)[2]  # the status column
    # The operator corrects and submits.
    response = operator.post(
        url,
        {
            "r-rumah-dibedah-0-source": "apbn",
            "r-rumah-dibedah-0-value": "5",
            "aksi": "ajukan",
            "versi": report.version,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED


def test_a_lock_exception_a_verifier_writes_in_english_is_recorded_in_indonesian(people, clock):
    """The month a verifier reading in English opens (by returning a report of a locked
    month, or opening it again for correction) carried "Returned: ..." and "Opened for
    correction: ..." into its reason and history, which admins and operators read."""
    report = make_report(Status.SUBMITTED, LOCKED_MONTH)
    verifier = Client()
    verifier.force_login(people["verifier"])
    verifier.cookies["bahasa"] = "en"
    url = "/laporan/16.07/gbrss/2026-08/"
    verifier.post(url + "status/", {"aksi": "kembalikan", "alasan": "Cek", "versi": report.version})
    exception = LockException.objects.get()
    assert exception.reason == "Dikembalikan: Cek"
    assert exception.history.get().history_change_reason == "Dikembalikan: Cek"
    report.refresh_from_db()
    with time_machine.travel(dt.datetime(2026, 12, 20, 3, tzinfo=dt.UTC), tick=False):
        verifier.force_login(people["verifier"])  # three weeks on: a new session
        verifier.post(
            url + "status/", {"aksi": "buka-perbaikan", "alasan": "Sakit", "versi": report.version}
        )
    exception.refresh_from_db()
    assert exception.until == dt.date(2027, 1, 3)
    assert exception.reason == "Dibuka untuk perbaikan: Sakit"
    assert exception.history.first().history_change_reason == "Dibuka untuk perbaikan: Sakit"


def test_returning_writes_no_exception_while_the_month_stays_open_long_enough(people, clock):
    # November 2026 locks on 9 January 2027, after the 14-day correction window.
    report = make_report(Status.SUBMITTED, 11)
    verifier = Client()
    verifier.force_login(people["verifier"])
    verifier.post(
        "/laporan/16.07/gbrss/2026-11/status/",
        {"aksi": "kembalikan", "alasan": "Cek", "versi": report.version},
    )
    assert MonthlyReport.objects.get(pk=report.pk).status == Status.RETURNED
    assert not LockException.objects.exists()
    # October locks on 10 December, before the window ends: it is opened until 13 December.
    report = make_report(Status.SUBMITTED, OPEN_MONTH)
    verifier.post(
        "/laporan/16.07/gbrss/2026-10/status/",
        {"aksi": "kembalikan", "alasan": "Cek", "versi": report.version},
    )
    assert LockException.objects.get(month=OPEN_MONTH).until == dt.date(2026, 12, 13)


def test_verifier_opens_a_returned_report_again_when_its_window_ran_out(
    people, clock, django_capture_on_commit_callbacks
):
    report = make_report(Status.RETURNED, LOCKED_MONTH)
    LockException.objects.create(
        regency_id="16.07",
        program=report.program,
        year=2026,
        month=LOCKED_MONTH,
        until=dt.date(2026, 11, 1),
        reason="Dikembalikan",
    )
    assert not permissions.can_edit_report(
        people["operator"],
        regency_code="16.07",
        program_id=report.program_id,
        year=2026,
        month=LOCKED_MONTH,
        status=report.status,
    )
    verifier = Client()
    verifier.force_login(people["verifier"])
    url = "/laporan/16.07/gbrss/2026-08/"
    find(page(verifier.get(url)), "button", name="aksi", value="buka-perbaikan")
    verifier.post(
        url + "status/", {"aksi": "buka-perbaikan", "alasan": "", "versi": report.version}
    )
    assert LockException.objects.get().until == dt.date(2026, 11, 1)  # no reason: nothing
    with django_capture_on_commit_callbacks(execute=True):
        verifier.post(
            url + "status/",
            {"aksi": "buka-perbaikan", "alasan": "Operator sakit", "versi": report.version},
        )
    exception = LockException.objects.get()
    assert exception.until == dt.date(2026, 12, 13) and "Operator sakit" in exception.reason
    assert permissions.can_edit_report(
        people["operator"],
        regency_code="16.07",
        program_id=report.program_id,
        year=2026,
        month=LOCKED_MONTH,
        status=report.status,
    )
    # The operators hear of it in the app (the bell) and the reason joins the conversation.
    note = Notification.objects.get(user=people["operator"])
    assert note.kind == Notification.Kind.RETURNED and "perbaikan" in note.display_text
    assert report.comments.get().text == "Operator sakit"
    # The e-mail gives the date the way the app writes it, not 2026-12-13.
    (email,) = [m for m in mail.outbox if "untuk perbaikan sampai" in m.body]
    assert "untuk perbaikan sampai 13 Desember 2026." in email.body
    operator = Client()
    operator.force_login(people["operator"])
    assert unread(operator) == "1"


def test_opening_for_correction_clicked_twice_is_answered_as_done_once(people, clock):
    """A double click (or Back and resend) on "Buka untuk perbaikan" answered the second
    post with a red 'Status laporan sudah berubah; muat ulang halaman.' (422), though the
    first had opened the month: it is now answered as done, with one comment and one
    notification, as a verification or a return sent twice is."""
    report = make_report(Status.RETURNED, LOCKED_MONTH)
    verifier = Client()
    verifier.force_login(people["verifier"])
    url = "/laporan/16.07/gbrss/2026-08/"
    post = {"aksi": "buka-perbaikan", "alasan": "Operator sakit", "versi": report.version}
    first = verifier.post(url + "status/", post)
    second = verifier.post(url + "status/", post)
    assert first.status_code == second.status_code == 302
    assert flash_messages(verifier.get(url)) == [
        "Bulan ini dibuka lagi untuk perbaikan oleh operator."
    ]
    assert LockException.objects.get().until == dt.date(2026, 12, 13)
    assert report.comments.count() == 1
    assert Notification.objects.filter(user=people["operator"]).count() == 1
    # Another reason is another decision, not a resend: refused as before.
    other = verifier.post(url + "status/", {**post, "alasan": "Lain"})
    assert other.status_code == 422
    assert report.comments.count() == 1


def test_operator_is_told_who_can_open_a_returned_report_in_a_locked_month(people, clock):
    """A report returned in a month that has locked since is read-only for its operator:
    the list and the report say that a provincial verifier must open it for correction,
    instead of a form that silently does nothing. Once opened, the hint gives way to the
    date it is open until."""
    report = make_report(Status.RETURNED, LOCKED_MONTH)
    operator = Client()
    operator.force_login(people["operator"])
    url = "/laporan/16.07/gbrss/2026-08/"
    hint = element_text(find(page(operator.get(url)), "p", id="locked-returned"))
    assert "minta verifikator provinsi membukanya untuk perbaikan" in hint.lower()
    listed = element_text(
        find(
            page(operator.get("/laporan/?tahun=2026")),
            "section",
            **{"aria-labelledby": "h-returned"},
        )
    )
    assert "Agustus 2026" in listed and "minta verifikator provinsi membukanya" in listed.lower()

    verifier = Client()
    verifier.force_login(people["verifier"])
    # The verifier has the button instead, not the operator's hint.
    assert 'id="locked-returned"' not in verifier.get(url).content.decode()
    verifier.post(
        url + "status/",
        {"aksi": "buka-perbaikan", "alasan": "Operator sakit", "versi": report.version},
    )
    body = operator.get(url).content.decode()
    assert 'id="locked-returned"' not in body and 'id="open-until"' in body
    listed = element_text(
        find(
            page(operator.get("/laporan/?tahun=2026")),
            "section",
            **{"aria-labelledby": "h-returned"},
        )
    )
    assert "dibuka untuk perbaikan sampai 13 Desember 2026" in listed
    assert "minta verifikator" not in listed
