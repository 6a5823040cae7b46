"""Two users at once, in two real transactions on PostgreSQL (threads, each with its own
database connection): the loser of a race gets the conflict answer, never a 500, and
nothing typed or applied is lost or overwritten (issue 12, items 3 and 4).

The race is made deterministic: the first transaction holds its write open, the test
waits until PostgreSQL shows the second request blocked on that lock, then commits.
SQLite cannot hold two write transactions open at once, so these tests skip there.
"""

import datetime as dt
import threading
import time
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection, connections, transaction
from django.test import Client
from django.utils import timezone

from programs import ytd
from programs.formats import date_label, month_year_label
from programs.models import (
    Attachment,
    Comment,
    FundingSource,
    ImportBatch,
    Indicator,
    LockException,
    MonthlyReport,
    Notification,
    Program,
    Realization,
    Target,
)
from programs.reporting import services
from programs.reporting.rules import EntryRow
from programs.spreadsheets import imports
from regencies.models import Regency, UserScope
from tests.factories import UserFactory
from tests.helpers import attribute, find, find_all, flash_messages, page, previous_month
from tests.reporting_helpers import rows, url
from tests.spreadsheets_helpers import row, xlsx

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs two concurrent write transactions"
)
Status = MonthlyReport.Status


@pytest.fixture
def reference_data(transactional_db):
    """Threads see only committed data: load the fixtures for real."""
    from django.core.management import call_command

    from tests.conftest import FIXTURES

    call_command("loaddata", *FIXTURES, verbosity=0)


@pytest.fixture
def two_operators(reference_data):
    users = []
    for name in ("op-satu", "op-dua"):
        user = UserFactory(username=name)
        UserScope.objects.create(user=user, role=UserScope.Role.OPERATOR, regency_id="16.07")
        users.append(user)
    return users


def wait_until_blocked(timeout: float = 20.0, *, or_done: threading.Thread | None = None) -> None:
    """Until another backend of this database waits on a lock, or `or_done` has finished
    (not a clock assertion: the test only waits for a state, then goes on)."""
    deadline = time.monotonic() + timeout
    with connections["default"].cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0] or (or_done is not None and not or_done.is_alive()):
                return
            time.sleep(0.02)
    raise AssertionError("the second transaction never waited on the first one's lock")


class Holder(threading.Thread):
    """Runs `work` in a transaction of its own and commits only when released."""

    def __init__(self, work):
        super().__init__(daemon=True)
        self.work, self.release, self.ready = work, threading.Event(), threading.Event()
        self.error = None

    def run(self):
        try:
            with transaction.atomic():
                self.work()
                self.ready.set()
                self.release.wait(30)
        except Exception as exc:  # noqa: BLE001 - reported by the test
            self.error = exc
            self.ready.set()
        finally:
            connections.close_all()


class Request(threading.Thread):
    def __init__(self, call):
        super().__init__(daemon=True)
        self.call, self.response, self.error = call, None, None

    def run(self):
        try:
            self.response = self.call()
        except Exception as exc:  # noqa: BLE001 - a 500 in the test client raises
            self.error = exc
        finally:
            connections.close_all()


def race(first_write, second_request, *, may_not_wait: bool = False):
    """The second request sent while the first write holds its transaction open, which
    commits once the second waits on its lock (or, `may_not_wait`, has answered)."""
    holder = Holder(first_write)
    holder.start()
    assert holder.ready.wait(30) and holder.error is None, holder.error
    request = Request(second_request)
    request.start()
    try:
        wait_until_blocked(or_done=request if may_not_wait else None)
    finally:
        holder.release.set()
        holder.join(30)
        request.join(30)
    assert holder.error is None, holder.error
    assert request.error is None, f"the second request failed: {request.error!r}"
    return request.response


def first_draft(user, program):
    """The first save of Banyuasin's report of `program` for last month: an empty draft."""
    year, month = previous_month()
    return services.report_save(
        user=user,
        regency=Regency.objects.get(code="16.07"),
        program=program,
        year=year,
        month=month,
        version=0,
        rows=[],
        submit=False,
    )


def test_first_save_by_two_users_at_once_is_a_conflict_with_typed_values_kept(two_operators):
    first, second = two_operators
    program = Program.objects.get(slug="gbrss")
    client = Client()
    client.force_login(second)
    response = race(
        lambda: first_draft(first, program),
        lambda: client.post(url(), {"versi": "0", "aksi": "simpan", **rows("4321")}),
    )
    assert response.status_code == 409
    assert any("sudah diubah orang lain" in m for m in flash_messages(response))
    # What the loser typed is still in the form.
    assert attribute(find(page(response), "input", name="r-rumah-dibedah-0-value"), "value") == (
        "4321"
    )
    assert MonthlyReport.objects.get().version == 1
    assert not Realization.objects.exists()


def signed_in(user) -> Client:
    """A browser session of `user` (a resend comes from the same user, not always the
    same tab)."""
    client = Client()
    client.force_login(user)
    return client


def test_the_same_submit_sent_twice_at_once_is_submitted_once(two_operators):
    """A double click on "Ajukan": the second post waits for the first, then finds the
    report exactly as the first submitted it, and is answered as the first was. One
    submission, one history row, one notification and one email to the verifier."""
    operator = two_operators[0]
    verifier = UserFactory(username="ver-satu", email="ver-satu@sumselprov.go.id")
    UserScope.objects.create(user=verifier, role=UserScope.Role.VERIFIKATOR)
    first_draft(operator, Program.objects.get(slug="gbrss"))
    data = {"versi": "1", "aksi": "ajukan", **rows("12", note="Rumah korban banjir")}
    first, second = signed_in(operator), signed_in(operator)
    answers = []
    response = race(
        lambda: answers.append(first.post(url(), data)),
        lambda: second.post(url(), data, follow=True),
    )
    assert [a.status_code for a in answers] == [302]
    assert response.redirect_chain == [(url(), 302)]
    assert flash_messages(response) == ["Laporan diajukan untuk diverifikasi. Terima kasih."]
    report = MonthlyReport.objects.get()
    assert (report.status, report.version) == (Status.SUBMITTED, 2)
    assert report.history.count() == 2  # the draft, the one submission
    assert list(Realization.objects.values_list("value", flat=True)) == [Decimal(12)]
    assert Notification.objects.filter(kind=Notification.Kind.SUBMITTED).count() == 1
    assert [m.to for m in mail.outbox] == [["ver-satu@sumselprov.go.id"]]


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


def verifier_of_every_program(name="ver-satu"):
    user = UserFactory(username=name)
    UserScope.objects.create(user=user, role=UserScope.Role.VERIFIKATOR)
    return user


def test_the_same_verification_sent_twice_at_once_is_made_once(two_operators):
    report = submitted_report(two_operators[0], previous_month())
    verifier = verifier_of_every_program()
    data = {"aksi": "verifikasi", "versi": "1"}
    first, second = signed_in(verifier), signed_in(verifier)
    response = race(
        lambda: first.post(url(suffix="status/"), data),
        lambda: second.post(url(suffix="status/"), data, follow=True),
    )
    assert flash_messages(response) == ["Laporan diverifikasi."]
    report.refresh_from_db()
    assert (report.status, report.version, report.verified_by) == (Status.VERIFIED, 2, verifier)
    assert report.history.filter(status=Status.VERIFIED).count() == 1
    assert Notification.objects.filter(kind=Notification.Kind.VERIFIED).count() == 2  # operators


def previewed_ninety_nine(user) -> tuple[Client, ImportBatch]:
    """`user`'s browser with their previewed import of 99 houses for last month."""
    client = signed_in(user)
    preview = client.post("/impor/", {"jenis": "realizations", "berkas": xlsx([row("99")])})
    assert preview.status_code == 200
    return client, ImportBatch.objects.get()


def test_import_applied_while_the_operator_submits_stops_and_writes_nothing(two_operators):
    operator, importer = two_operators
    report = draft_of_seven_houses()
    client, batch = previewed_ninety_nine(importer)

    def submit():  # what the entry form does when the operator presses "Ajukan"
        locked = MonthlyReport.objects.select_for_update().get(pk=report.pk)
        locked.status, locked.version = Status.SUBMITTED, locked.version + 1
        locked.save()

    response = race(submit, lambda: client.post(f"/impor/{batch.token}/terapkan/", follow=True))
    assert response.status_code == 200
    assert any("Impor dihentikan dan tidak ada yang diubah" in m for m in flash_messages(response))
    # The report named by its month as the pages name it, not "12/2026".
    month = month_year_label(report.year, report.month)
    assert any(f"Kab. Banyuasin {month}" in m for m in flash_messages(response))
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED and report.version == 2
    assert list(Realization.objects.values_list("value", flat=True)) == [Decimal(7)]
    assert ImportBatch.objects.get().applied_at is None


def test_import_creating_a_report_another_user_creates_at_once_stops_cleanly(two_operators):
    operator, importer = two_operators
    client = Client()
    client.force_login(importer)
    preview = client.post("/impor/", {"jenis": "realizations", "berkas": xlsx([row("99")])})
    assert preview.status_code == 200
    batch = ImportBatch.objects.get()
    program = Program.objects.get(slug="gbrss")
    response = race(
        lambda: first_draft(operator, program),
        lambda: client.post(f"/impor/{batch.token}/terapkan/", follow=True),
    )
    assert response.status_code == 200
    assert any("Impor dihentikan dan tidak ada yang diubah" in m for m in flash_messages(response))
    assert MonthlyReport.objects.get().version == 1
    assert not Realization.objects.exists()
    assert ImportBatch.objects.get().applied_at is None


def questioned_draft() -> MonthlyReport:
    """Banyuasin's GBRSS draft of last month, 7 houses from the APBN, with a target of 20
    for the year: 50 houses in the month is a warning that needs a note to submit."""
    houses = Indicator.objects.get(code="rumah-dibedah")
    Target.objects.create(
        indicator=houses, regency_id="16.07", year=previous_month()[0], value=Decimal(20)
    )
    return draft_of_seven_houses()


def draft_of_seven_houses() -> MonthlyReport:
    """Banyuasin's GBRSS draft of last month (version 1): 7 houses from the APBN."""
    year, month = previous_month()
    report = MonthlyReport.objects.create(
        regency_id="16.07",
        program=Program.objects.get(slug="gbrss"),
        year=year,
        month=month,
        version=1,
    )
    Realization.objects.create(
        report=report,
        indicator=Indicator.objects.get(code="rumah-dibedah"),
        funding_source=FundingSource.objects.get(code="apbn"),
        value=Decimal(7),
    )
    return report


def previewed_import(user, value: str) -> tuple[Client, ImportBatch]:
    """`user`'s previewed import of `value` houses for that month (no note)."""
    client = Client()
    client.force_login(user)
    preview = client.post("/impor/", {"jenis": "realizations", "berkas": xlsx([row(value)])})
    assert preview.status_code == 200
    assert "Melebihi sisa target" in preview.content.decode()  # the warning, beside the row
    return client, ImportBatch.objects.get()


def test_a_questioned_value_imported_while_the_operator_submits_is_never_submitted(
    two_operators,
):
    """The import of 50 houses holds the report when the operator presses "Ajukan" on
    the form opened before it (7 houses): the submit waits, then finds the report changed
    (409), so the 50 houses stay a draft, to be noted before submitting."""
    operator, importer = two_operators
    report = questioned_draft()
    _client, batch = previewed_import(importer, "50")
    form = Client()
    form.force_login(operator)
    response = race(
        lambda: imports.apply_realizations(batch=batch, user=importer),
        lambda: form.post(url(), {"versi": "1", "aksi": "ajukan", **rows("7")}),
    )
    assert response.status_code == 409
    report.refresh_from_db()
    assert (report.status, report.version) == (Status.DRAFT, 2)
    assert list(Realization.objects.values_list("value", flat=True)) == [Decimal(50)]
    refused = form.post(url(), {"versi": "2", "aksi": "ajukan", **rows("50")})
    assert refused.status_code == 422
    assert "Beberapa angka perlu catatan sebelum laporan dapat diajukan." in flash_messages(refused)
    assert MonthlyReport.objects.get().status == Status.DRAFT


def submitting(operator, report: MonthlyReport, rows: list[EntryRow]):
    """The operator's "Ajukan" of `rows` on `report` (at version 1), to run in a race."""
    return lambda: services.report_save(
        user=operator,
        regency=report.regency,
        program=report.program,
        year=report.year,
        month=report.month,
        version=1,
        rows=rows,
        submit=True,
    )


def test_a_submit_holding_the_report_stops_an_import_of_a_questioned_value(two_operators):
    """The operator's submit (7 houses, nothing to note) holds the report when the import
    of 50 houses is applied: the import waits, then stops and writes nothing, so the
    submitted report keeps the figures the submit checked."""
    operator, importer = two_operators
    report = questioned_draft()
    client, batch = previewed_import(importer, "50")
    year, month = previous_month()
    houses = EntryRow(
        key="rumah-dibedah-0",
        indicator=Indicator.objects.get(code="rumah-dibedah"),
        source_code="apbn",
        value=Decimal(7),
    )
    response = race(
        submitting(operator, report, [houses]),
        lambda: client.post(f"/impor/{batch.token}/terapkan/", follow=True),
    )
    assert any("Impor dihentikan dan tidak ada yang diubah" in m for m in flash_messages(response))
    report.refresh_from_db()
    assert (report.status, report.version) == (Status.SUBMITTED, 2)
    assert list(Realization.objects.values_list("value", flat=True)) == [Decimal(7)]
    assert ImportBatch.objects.get().applied_at is None


def test_two_verifiers_approving_two_programs_in_opposite_orders_both_succeed(
    reference_data, monkeypatch
):
    """Verifier 1 approves (GBRSS, GPSSS) and is paused after the first; meanwhile verifier
    2 approves (GPSSS, GBRSS) of other regencies. Each report's rebuild locks its program:
    taken report by report, the two would wait for each other (PostgreSQL's deadlock
    error, a 503). Both programs are locked first, in one order, so the second waits."""
    year, month = previous_month()
    reports = {}
    for code, slug in [("16.01", "gbrss"), ("16.02", "gpsss"), ("16.03", "gpsss"),
                       ("16.04", "gbrss")]:  # fmt: skip
        reports[code] = MonthlyReport.objects.create(
            regency_id=code, program=Program.objects.get(slug=slug), year=year, month=month,
            status=Status.SUBMITTED, version=1,
        )  # fmt: skip
    ytd.flush()  # the slices of the new reports: each verification rebuilds only its own
    verifiers = []
    for name in ("ver-satu", "ver-dua"):
        user = UserFactory(username=name)
        UserScope.objects.create(user=user, role=UserScope.Role.VERIFIKATOR)
        verifiers.append(user)
    verify = services.report_verify
    paused, release = threading.Event(), threading.Event()
    first_thread = []

    def verify_pausing_after_the_first(**kwargs):
        report = verify(**kwargs)
        if threading.get_ident() in first_thread and not paused.is_set():
            paused.set()
            release.wait(30)
        return report

    monkeypatch.setattr(services, "report_verify", verify_pausing_after_the_first)

    def first():
        first_thread.append(threading.get_ident())
        services.report_verify_many(
            user=verifiers[0],
            selections=[(reports["16.01"].pk, 1), (reports["16.02"].pk, 1)],
        )

    one = Request(first)
    one.start()
    assert paused.wait(30)
    client = Client()
    client.force_login(verifiers[1])
    two = Request(
        lambda: client.post(
            "/verifikasi/", {"laporan": [f"{reports['16.03'].pk}:1", f"{reports['16.04'].pk}:1"]}
        )
    )
    two.start()
    try:
        wait_until_blocked()
    finally:
        release.set()
        one.join(30)
        two.join(30)
    assert one.error is None, one.error
    assert two.error is None and two.response.status_code == 302, two.error or two.response
    assert set(MonthlyReport.objects.values_list("status", flat=True)) == {Status.VERIFIED}


def test_a_save_never_waits_for_another_program_to_rebuild_a_marker(two_operators):
    """A marker of program L was left by a write from elsewhere (the admin, raw SQL). A
    verifier's bulk approval holds L (it locks its programs first) when an operator saves a
    report of program H. The save's rebuild used to wait for L while holding H, and the
    verifier then waited for H: deadlock. The save now leaves L's marker to whoever holds
    L, or the next reader, and finishes."""
    from programs.models import ProgressDirty

    operator = two_operators[0]
    year, _month = previous_month()
    low, high = sorted(Program.objects.filter(slug__in=["gbrss", "gpsss"]), key=lambda p: p.pk)
    ProgressDirty.objects.create(program_id=low.pk, regency_code="16.01", year=year)
    holder = Holder(lambda: ytd.lock_programs([low.pk]))
    holder.start()
    assert holder.ready.wait(30) and holder.error is None, holder.error
    save = Request(lambda: first_draft(operator, high))
    save.start()
    save.join(30)
    finished = not save.is_alive()
    holder.release.set()
    holder.join(30)
    save.join(30)
    assert finished, "the save waited for the other program's lock"
    assert save.error is None, save.error
    assert ProgressDirty.objects.filter(program_id=low.pk).exists()  # left for later
    ytd.flush()  # the next reader
    assert not ProgressDirty.objects.exists()


def test_the_admin_report_form_waits_for_a_service_instead_of_deadlocking(two_operators):
    """A service holds the report's program (it locks its programs first) and is about to
    lock the report; meanwhile an admin saves the report's change form. The form used to
    lock the report, then wait for the program: deadlock, a 503. It takes the program first
    now, so it waits, and then refuses the save the service made stale."""
    from django.contrib.auth import get_user_model

    from tests.admin_helpers import gbrss_province_target, realize
    from tests.programs.test_admin_rules import report_data, row_of

    realization = realize(gbrss_province_target(), regency=Regency.objects.get(code="16.07"))
    report = realization.report
    admin = get_user_model().objects.create_superuser("admin-balap", "a@b.id", "x")
    client = Client()
    client.force_login(admin)
    stale = report_data(report, [row_of(realization, value="99")])
    took_program, go_on = threading.Event(), threading.Event()
    failure = []

    def service():
        try:
            with transaction.atomic():
                ytd.lock_programs([report.program_id])
                took_program.set()
                go_on.wait(30)
                MonthlyReport.objects.select_for_update().filter(pk=report.pk).update(
                    version=report.version + 1
                )
        except Exception as exc:  # noqa: BLE001 - reported by the test
            failure.append(exc)
        finally:
            connections.close_all()

    holder = threading.Thread(target=service, daemon=True)
    holder.start()
    assert took_program.wait(30)
    request = Request(
        lambda: client.post(f"/admin/programs/monthlyreport/{report.pk}/change/", stale)
    )
    request.start()
    try:
        wait_until_blocked()
    finally:
        go_on.set()
        holder.join(30)
        request.join(30)
    assert not failure, failure
    assert request.error is None, request.error
    assert request.response.status_code == 200  # the form again, with the message
    assert "sudah diubah orang lain" in request.response.content.decode()
    realization.refresh_from_db()
    assert realization.value != Decimal(99)


# --- A verifier's decision beside another change of the same report or month ---------


def test_a_return_while_an_admin_opens_the_same_locked_month_is_made_once(two_operators):
    """An admin grants Banyuasin an exception for a locked month while a verifier returns
    that month's report (which opens the month for correction with an exception of its
    own): the return found no exception, its insert waited on the admin's, then failed on
    the unique key: a 500, nothing returned. Now it finds the admin's and lengthens it to
    the correction window; one exception, the report returned once."""
    period = previous_month(4)
    report = submitted_report(two_operators[0], period)
    admin = UserFactory(username="admin-kunci", is_superuser=True, is_staff=True)
    ver = verifier_of_every_program()
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


def locked_month_opened_by_an_admin(operator) -> tuple[MonthlyReport, LockException]:
    """A submitted report of a locked month (four months ago) and the exception an admin
    granted for it until tomorrow."""
    report = submitted_report(operator, previous_month(4))
    exception = LockException.objects.create(
        regency_id="16.07",
        program_id=report.program_id,
        year=report.year,
        month=report.month,
        until=timezone.localdate() + dt.timedelta(days=1),
        reason="Susulan",
        granted_by=UserFactory(username="admin-kunci", is_superuser=True, is_staff=True),
    )
    return report, exception


def test_an_admin_form_opened_before_a_return_lengthened_the_exception_is_refused(
    two_operators,
):
    """An admin corrects the reason of a locked month's exception on a page opened
    earlier, while a verifier returns that month's report (which lengthens the exception
    to the correction window): the admin's save waited for the return, then wrote its
    older date over it. Now the admin's form waits, sees the exception changed since it
    was opened and is refused saying so; the return's date stands."""
    from django.urls import reverse

    from programs.forms_admin import history_version
    from tests.admin_helpers import lock_exception_form

    report, exception = locked_month_opened_by_an_admin(two_operators[0])
    period, admin, today = (report.year, report.month), exception.granted_by, timezone.localdate()
    ver = verifier_of_every_program()
    stale = lock_exception_form(
        report.program,
        year=str(period[0]),
        month=str(period[1]),
        until=(today + dt.timedelta(days=1)).strftime("%d/%m/%Y"),
        reason="Susulan berita acara",
        seen_version=history_version(LockException, exception.pk),  # the page opened now
    )
    change = reverse("admin:programs_lockexception_change", args=[exception.pk])

    response = race(
        lambda: services.report_return(user=ver, report=report, reason="Foto belum ada"),
        lambda: signed_in(admin).post(change, stale),
    )

    assert response.status_code == 200
    # The date and who set it, as they stand after the return (the grantor read with the
    # row locked after the wait came out empty: "oleh –").
    until = date_label(today + dt.timedelta(days=14))
    assert (
        f"sudah diubah orang lain sejak Anda membukanya (kini berlaku sampai {until}, oleh "
        "ver-satu)" in response.content.decode()
    )
    exception.refresh_from_db()
    assert exception.until == today + dt.timedelta(days=14)
    assert exception.granted_by == ver


def test_an_admin_deletion_confirmed_while_a_return_lengthens_the_exception_is_refused(
    two_operators,
):
    """An admin confirms the deletion of a locked month's exception (its page opened
    earlier) while a verifier's return of that month's report lengthens it: the deletion
    waits for the return, sees the exception changed and deletes nothing, naming the new
    date and the verifier; the month stays open for the operator."""
    from django.urls import reverse

    report, exception = locked_month_opened_by_an_admin(two_operators[0])
    admin, today = exception.granted_by, timezone.localdate()
    ver = verifier_of_every_program()
    delete = reverse("admin:programs_lockexception_delete", args=[exception.pk])
    browser = signed_in(admin)
    assert browser.get(delete).status_code == 200  # the delete page opened now

    response = race(
        lambda: services.report_return(user=ver, report=report, reason="Foto belum ada"),
        lambda: browser.post(delete, {"post": "yes"}, follow=True),
    )

    assert response.redirect_chain == [(delete, 302)]
    until = date_label(today + dt.timedelta(days=14))
    assert [str(m) for m in response.context["messages"]] == [
        f"Pengecualian kunci {exception} sudah diubah orang lain sejak Anda membukanya (kini "
        f"berlaku sampai {until}, oleh ver-satu). Tidak ada yang dihapus: periksa lalu hapus "
        "lagi bila memang tidak diperlukan."
    ]
    exception.refresh_from_db()
    assert (exception.until, exception.granted_by) == (today + dt.timedelta(days=14), ver)


def photo_added(operator, report: MonthlyReport) -> Attachment:
    """A phone photo "atap.jpg" the operator attaches to `report`."""
    from tests.evidence_helpers import phone_photo

    return services.attachment_add(
        user=operator,
        report=report,
        regency=report.regency,
        program=report.program,
        year=report.year,
        month=report.month,
        data=phone_photo(),
        filename="atap.jpg",
    )


def test_two_files_added_at_once_to_a_waiting_report_ring_the_verifier_once(two_operators):
    """Two uploads to a report waiting for verification at the same moment (two tabs, or
    a photo and a PDF sent together): both are kept, and the verifier is told once."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.programs.reporting.test_evidence import png

    operator = two_operators[0]
    report = submitted_report(operator, previous_month())
    ver = verifier_of_every_program()

    def first_upload():
        photo_added(operator, report)

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


# --- More pairs: one clean winner, a clear answer for the loser, the figures right -----


def assert_figures_equal_a_fresh_compute(program: Program, year: int) -> None:
    """What the dashboards read (the maintained year-to-date table) equals
    `compute_progress` from the realizations, for every month and both views."""
    from programs.progress import compute_progress

    indicators = list(program.indicators.select_related("program"))
    for verified_only in (False, True):
        for month in range(1, 13):
            arguments = {
                "indicators": indicators,
                "year": year,
                "month": month,
                "verified_only": verified_only,
            }
            assert ytd.progress_table(**arguments) == compute_progress(**arguments), (
                month,
                verified_only,
            )


def test_an_admin_changing_a_target_while_the_operator_submits_keeps_the_figures_right(
    two_operators,
):
    """The admin raises Banyuasin's house target while its operator submits the month's
    report: both are saved, one after the other, and the dashboards' table equals a fresh
    compute (the new target, the submitted houses)."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from tests.admin_helpers import change_data

    operator = two_operators[0]
    year, month = previous_month()
    report = draft_of_seven_houses()
    houses = Indicator.objects.get(code="rumah-dibedah")
    target = Target.objects.create(
        indicator=houses, regency_id="16.07", year=year, value=Decimal(20)
    )
    admin = get_user_model().objects.create_superuser("admin-target", "a@b.id", "x")
    row = EntryRow(key="rumah-dibedah-0", indicator=houses, source_code="apbn", value=Decimal(9))
    submit = submitting(operator, report, [row])
    change = reverse("admin:programs_target_change", args=[target.pk])
    data = change_data(target, value="30", change_reason="Tambahan dari APBD Perubahan")

    response = race(submit, lambda: signed_in(admin).post(change, data), may_not_wait=True)

    assert response.status_code == 302, response.content.decode()[:2000]
    target.refresh_from_db()
    report.refresh_from_db()
    assert (target.value, report.status) == (Decimal(30), Status.SUBMITTED)
    assert list(Realization.objects.values_list("value", flat=True)) == [Decimal(9)]
    assert_figures_equal_a_fresh_compute(report.program, year)
    table = ytd.progress_table(indicators=[houses], year=year, regency_codes=["16.07"])
    banyuasin = table.regency(houses.pk, "16.07")
    assert (banyuasin.target, banyuasin.realization) == (Decimal(30), Decimal(9))


def test_two_verifiers_verifying_overlapping_ticks_verify_each_report_once(two_operators):
    """Verifier 1 verifies (OKU, OKI) while verifier 2 verifies (OKI, Muara Enim) from the
    queue: verifier 2 waits, finds OKI verified by verifier 1 and is told so; nothing of
    theirs is verified twice, Muara Enim stays ticked to verify again, and the figures
    equal a fresh compute."""
    year, month = previous_month()
    gbrss = Program.objects.get(slug="gbrss")
    reports = {
        code: MonthlyReport.objects.create(
            regency_id=code, program=gbrss, year=year, month=month,
            status=Status.SUBMITTED, version=1,
        )
        for code in ("16.01", "16.02", "16.03")
    }  # fmt: skip
    ytd.flush()
    first, second = verifier_of_every_program("ver-satu"), verifier_of_every_program("ver-dua")
    client = signed_in(second)

    response = race(
        lambda: services.report_verify_many(
            user=first,
            selections=[(reports["16.01"].pk, 1), (reports["16.02"].pk, 1)],
        ),
        lambda: client.post(
            "/verifikasi/",
            {"laporan": [f"{reports['16.02'].pk}:1", f"{reports['16.03'].pk}:1"]},
            follow=True,
        ),
    )

    assert response.status_code == 200
    (message,) = flash_messages(response)
    assert message == (
        f"Laporan GBRSS — Ogan Komering Ilir — {month_year_label(year, month)} sudah berubah "
        "sejak antrean dimuat (kini Terverifikasi, oleh ver-satu). Tidak ada yang "
        "diverifikasi: laporan lain yang dicentang masih tercentang, periksa lalu "
        "verifikasi lagi."
    )
    verified = {
        r.regency_id: (r.status, r.verified_by_id, r.version) for r in MonthlyReport.objects.all()
    }
    assert verified == {
        "16.01": (Status.VERIFIED, first.pk, 2),
        "16.02": (Status.VERIFIED, first.pk, 2),
        "16.03": (Status.SUBMITTED, None, 1),
    }
    # Muara Enim is still ticked on the queue shown again.
    boxes = find_all(page(response), "input", name="laporan")
    ticked = [attribute(box, "value") for box in boxes if "checked" in dict(box.attributes)]
    assert ticked == [f"{reports['16.03'].pk}:1"]
    assert_figures_equal_a_fresh_compute(gbrss, year)


def test_a_file_deleted_while_the_verifier_verifies_the_report_is_kept(two_operators):
    """A verifier verifies a report while its operator deletes one of its photos from a
    page opened earlier: the deletion waits for the verification, then is refused saying
    why; the photo the verifier saw stays with the verified report."""

    operator = two_operators[0]
    report = draft_of_seven_houses()
    attachment = photo_added(operator, report)
    MonthlyReport.objects.filter(pk=report.pk).update(status=Status.SUBMITTED)
    report.refresh_from_db()
    ver = verifier_of_every_program()

    response = race(
        lambda: services.report_verify(user=ver, report=report, version=report.version),
        lambda: signed_in(operator).post(f"/lampiran/{attachment.pk}/hapus/", follow=True),
    )

    assert response.status_code == 200
    assert flash_messages(response) == [
        "Lampiran hanya dapat dihapus selagi laporan masih dapat diubah (draf atau "
        "dikembalikan, belum dikunci)."
    ]
    assert MonthlyReport.objects.get().status == Status.VERIFIED
    assert list(Attachment.objects.values_list("original_name", flat=True)) == ["atap.jpg"]


def test_the_same_import_applied_from_two_tabs_at_once_is_applied_once(two_operators):
    """A double click on "Terapkan impor" in two tabs: the second waits for the first,
    then is told the import is done; the values are written once, one history row."""
    importer = two_operators[1]
    report = draft_of_seven_houses()
    client, batch = previewed_ninety_nine(importer)
    apply = f"/impor/{batch.token}/terapkan/"

    response = race(
        lambda: imports.apply_realizations(batch=batch, user=importer),
        lambda: client.post(apply, follow=True),
    )

    assert response.redirect_chain == [("/laporan/", 302)]
    assert flash_messages(response) == ["Impor ini sudah diterapkan."]
    report.refresh_from_db()
    assert (report.status, report.version) == (Status.DRAFT, 2)
    assert list(Realization.objects.values_list("value", flat=True)) == [Decimal(99)]
    assert Realization.history.filter(history_type="~").count() == 1
    assert_figures_equal_a_fresh_compute(report.program, report.year)


def test_a_submit_from_a_browser_whose_password_changed_meanwhile_keeps_what_was_typed(
    two_operators,
):
    """The operator changes their password in one browser while the form is open in
    their other browser; the change ends that other session, so its "Ajukan" is sent to
    the login: nothing saved, nothing typed lost, no error page. Logged in again with
    the new password, the form has the figures to submit."""
    from programs.reporting.views import entry_user_token

    operator = two_operators[0]
    report = draft_of_seven_houses()
    one, other = signed_in(operator), signed_in(operator)
    other.get(url())
    new = "Sandi-baru-Sumsel-2026"
    changed = one.post(
        "/akun/sandi/",
        {"old_password": "rahasia-uji-123", "new_password1": new, "new_password2": new},
    )
    assert changed.status_code == 302

    typed = {"versi": "1", "aksi": "ajukan", "pengisi": entry_user_token(operator), **rows("12")}
    response = other.post(url(), typed)

    assert response.status_code == 302 and response["Location"].startswith("/akun/masuk/")
    report.refresh_from_db()
    assert (report.status, report.version) == (Status.DRAFT, 1)
    assert list(Realization.objects.values_list("value", flat=True)) == [Decimal(7)]
    back = other.post(
        response["Location"], {"username": operator.username, "password": new}, follow=True
    )
    assert back.redirect_chain[-1][0] == url()
    assert attribute(find(page(back), "input", name="r-rumah-dibedah-0-value"), "value") == "12"
    submitted = other.post(url(), typed)
    assert submitted.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED
    assert_figures_equal_a_fresh_compute(report.program, report.year)


def test_a_save_sent_on_the_exceptions_last_day_that_waits_past_midnight_is_saved(
    two_operators,
):
    """The operator saves a locked month at 23:59:59 of its exception's last day while
    another writer holds the program (a verifier's bulk approval); the save waits until
    after midnight, when the exception has run out. It is judged by when it was sent, as
    the due day is (`submitted_at`): saved, not refused for a date the operator did not
    choose; the next one, sent after midnight, is refused with what was typed kept."""
    import time_machine

    from tests.helpers import element_text

    operator = two_operators[0]
    period = previous_month(3)  # locked: due date + 30 days have passed
    program = Program.objects.get(slug="gbrss")
    zone = timezone.get_current_timezone()
    last_day = timezone.localdate()
    LockException.objects.create(
        regency_id="16.07", program=program, year=period[0], month=period[1],
        until=last_day, reason="Data dari desa terlambat",
    )  # fmt: skip
    sent = dt.datetime.combine(last_day, dt.time(23, 59, 59), tzinfo=zone)
    with time_machine.travel(sent - dt.timedelta(minutes=5), tick=False) as clock:
        client = signed_in(operator)
        assert client.get(url(period=period)).status_code == 200  # the form, opened
        clock.move_to(sent)
        holder = Holder(lambda: ytd.lock_programs([program.pk]))
        holder.start()
        assert holder.ready.wait(30) and holder.error is None, holder.error
        save = Request(
            lambda: client.post(url(period=period), {"versi": "0", "aksi": "simpan", **rows()})
        )
        save.start()
        try:
            wait_until_blocked()
            clock.move_to(sent + dt.timedelta(seconds=6))  # 00:00:05 the next day
        finally:
            holder.release.set()
            holder.join(30)
            save.join(30)
        assert save.error is None, save.error
        assert save.response.status_code == 302
        assert list(Realization.objects.values_list("value", flat=True)) == [Decimal(12)]

        later = client.post(url(period=period), {"versi": "1", "aksi": "simpan", **rows("13")})

    assert later.status_code == 422
    assert "Isian Anda di bawah belum tersimpan." in element_text(
        find(page(later), id="kept-entry")
    )
    assert list(Realization.objects.values_list("value", flat=True)) == [Decimal(12)]
    assert_figures_equal_a_fresh_compute(program, period[0])
