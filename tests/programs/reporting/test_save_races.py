"""The database never loses input: a live check and saves racing each other all succeed
(SQLite in WAL mode with a busy timeout and immediate transactions; PostgreSQL), the
session is not written on every request, and a save that fails returns the form with
everything typed."""

import threading

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from programs.models import MonthlyReport
from programs.reporting import services
from regencies.models import UserScope
from tests.factories import UserFactory
from tests.helpers import attribute, find, flash_messages, page

ROUNDS = 4


@pytest.fixture
def operators(transactional_db):
    from django.core.management import call_command

    from tests.conftest import FIXTURES

    call_command("loaddata", *FIXTURES, verbosity=0)
    clients = []
    for name, code in (("op-banyuasin", "16.07"), ("op-oku", "16.01")):
        user = UserFactory(username=name)
        UserScope.objects.create(user=user, role=UserScope.Role.OPERATOR, regency_id=code)
        client = Client()
        client.force_login(user)
        clients.append((client, code))
    # A second browser tab of the first operator: the live check of the form being saved.
    checker = Client()
    checker.force_login(UserScope.objects.get(regency_id="16.07").user)
    clients.append((checker, "16.07"))
    return clients


def months_back(n):
    today = timezone.localdate()
    year, month = today.year, today.month
    for _i in range(n):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return year, month


def entry(code, year, month, value):
    url = f"/laporan/{code}/gbrss/{year}-{month:02d}/"
    data = {"r-rumah-dibedah-0-source": "apbn", "r-rumah-dibedah-0-value": str(value)}
    return url, data


def test_live_check_and_saves_at_once_all_succeed(operators):
    (banyuasin, code_a), (oku, code_b), (checker, _code) = operators
    results = []
    barrier = threading.Barrier(3)

    def run(client, action):
        try:
            for round_ in range(ROUNDS):
                year, month = months_back(round_ % 2)
                barrier.wait(timeout=30)
                results.append(action(client, round_, year, month))
        finally:
            connection.close()

    def check(client, round_, year, month):
        url, data = entry(code_a, year, month, 7)
        return ("check", client.post(url + "periksa/", data).status_code)

    def save(code):
        def action(client, round_, year, month):
            url, data = entry(code, year, month, round_ + 1)
            report = MonthlyReport.objects.filter(
                regency_id=code, program__slug="gbrss", year=year, month=month
            ).first()
            data.update({"aksi": "simpan", "versi": report.version if report else 0})
            return ("save", client.post(url, data).status_code)

        return action

    threads = [
        threading.Thread(target=run, args=(checker, check)),
        threading.Thread(target=run, args=(banyuasin, save(code_a))),
        threading.Thread(target=run, args=(oku, save(code_b))),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(results) == 3 * ROUNDS
    assert {status for kind, status in results if kind == "save"} == {302}, results
    assert {status for kind, status in results if kind == "check"} == {200}, results
    for code in (code_a, code_b):
        assert MonthlyReport.objects.filter(regency_id=code).count() == 2


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(db):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 5000


def test_session_is_not_written_on_every_request(operators):
    client, code = operators[0]
    client.get("/laporan/")  # renews the fresh session once
    with CaptureQueriesContext(connection) as queries:
        client.get("/laporan/")
        year, month = months_back(1)
        url, data = entry(code, year, month, 3)
        client.post(url + "periksa/", data)
    writes = [
        q["sql"]
        for q in queries
        if "django_session" in q["sql"]
        and q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))
    ]
    assert writes == []


def test_a_failed_save_returns_the_form_with_everything_typed(operators, monkeypatch):
    client, code = operators[0]

    def busy(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "report_save", busy)
    year, month = months_back(1)
    url, data = entry(code, year, month, "1.234")
    data.update({"r-rumah-dibedah-0-note": "Catatan yang panjang", "aksi": "ajukan", "versi": 0})
    response = client.post(url, data)
    assert response.status_code == 503
    [said] = [m for m in flash_messages(response) if "belum tersimpan" in m]
    assert "simpan lagi" in said
    form = find(page(response), "form", id="entry-form")
    assert attribute(find(form, "input", name="r-rumah-dibedah-0-value"), "value") == "1.234"
    note = find(form, "input", name="r-rumah-dibedah-0-note")
    assert attribute(note, "value") == "Catatan yang panjang"
    assert not MonthlyReport.objects.exists()


def test_a_double_submitted_comment_or_photo_is_stored_once(operators):
    """Two identical posts at the same moment (a double click, a resend on a slow
    connection): one comment and one photo, both answered as saved; a different
    comment afterwards is a second comment."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from programs.models import Attachment, Comment
    from tests.evidence_helpers import phone_photo
    from tests.reporting_helpers import report, url

    (banyuasin, _code), _oku, (second_tab, _same) = operators
    rep = report(status=MonthlyReport.Status.DRAFT)
    photo = phone_photo()
    posts = {
        "comment": (url(suffix="komentar/"), lambda: {"teks": "Foto rumah menyusul besok."}),
        "photo": (
            url(suffix="lampiran/"),
            lambda: {"berkas": SimpleUploadedFile("foto.jpg", photo), "keterangan": "Sesudah"},
        ),
    }
    for path, data in posts.values():
        barrier = threading.Barrier(2)
        answers = []

        def send(client, path=path, data=data, barrier=barrier, answers=answers):
            barrier.wait()
            answers.append(client.post(path, data()).status_code)
            connection.close()

        threads = [threading.Thread(target=send, args=(c,)) for c in (banyuasin, second_tab)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert answers == [302, 302]
    assert Comment.objects.filter(report=rep).count() == 1
    assert Attachment.objects.filter(report=rep).count() == 1
    banyuasin.post(url(suffix="komentar/"), {"teks": "Foto sudah diunggah."})
    assert Comment.objects.filter(report=rep).count() == 2
