"""`bootstrap_demo` (`make run`) again six weeks after a demo was made and used: the
demo is brought to the day as a fresh seed that day would make it (the months closed
since added, the demo's own reports moved on with the calendar, their history
continued), and whatever a user touched stays exactly as it was.

Every test here reads the same demo, seeded once for the module (`tests/shared_db.py`);
the tests of other top-ups are in `test_demo_top_up.py`."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from programs.dashboards import selectors
from programs.demo import seed as demo
from programs.models import MonthlyReport
from programs.reporting.selectors import operator_months, operator_to_do, verification_queue
from regencies.models import UserScope
from tests.evidence_helpers import phone_photo
from tests.helpers import element_text, find, form_fields, login, page
from tests.programs.demo.test_demo_top_up import (
    JAKARTA,
    LATER,
    SEEDED,
    bootstrap,
    everything,
    lock_exceptions,
    reports_of,
    slot,
    without,
)
from tests.shared_db import once_per_module

User = get_user_model()
Status = MonthlyReport.Status


def _made_and_run_again():
    """A demo made on 1 December 2026, where users then did three things, and `make run`
    again on 15 January 2027. Returns (reports before, the slots users touched, output)."""
    bootstrap(SEEDED)
    touched = {}
    # An operator answers their latest returned report in the entry form (a note on its
    # first row, saved as a draft, not submitted): a history record of their own.
    report = (
        MonthlyReport.objects.filter(regency="16.07", year=2026, status=Status.RETURNED)
        .select_related("program")
        .order_by("-month", "program__order")
        .first()
    )
    version = report.version
    url = f"/laporan/16.07/{report.program.slug}/2026-{report.month:02d}/"
    with time_machine.travel(SEEDED + dt.timedelta(hours=2), tick=False):
        operator = login(User.objects.get(username="operator-1607"))
        fields = form_fields(operator.get(url))
        note = next(name for name in fields if name.endswith("-note"))
        fields[note] = "Foto sudah diunggah ulang."
        assert operator.post(url, {**fields, "aksi": "simpan"}).status_code == 302
    report.refresh_from_db()
    assert report.version == version + 1
    assert report.history.first().history_user.username == "operator-1607"
    touched["edited"] = report
    # The verifier asks about a submitted report in its conversation (no history record).
    asked = (
        MonthlyReport.objects.filter(year=2026, month=10, status=Status.SUBMITTED)
        .exclude(regency="16.07")
        .select_related("program")
        .order_by("regency_id", "program__order")
        .first()
    )
    with time_machine.travel(SEEDED + dt.timedelta(hours=3), tick=False):
        verifier = login(User.objects.get(username="verifikator"))
        response = verifier.post(
            f"/laporan/{asked.regency_id}/{asked.program.slug}/2026-10/komentar/",
            {"teks": "Mohon lampirkan berita acara serah terima."},
        )
    assert response.status_code == 302
    touched["asked"] = asked
    # Another operator attaches a photo to the report returned in a locked month, opened
    # for correction (the report's version does not change).
    fixing = (
        MonthlyReport.objects.filter(year=2026, month=9, status=Status.RETURNED)
        .exclude(regency="16.07")
        .select_related("program")
        .order_by("regency_id")
        .first()
    )
    uploader = UserScope.objects.get(role=UserScope.Role.OPERATOR, regency=fixing.regency_id).user
    with time_machine.travel(SEEDED + dt.timedelta(hours=4), tick=False):
        response = login(uploader).post(
            f"/laporan/{fixing.regency_id}/{fixing.program.slug}/2026-09/lampiran/",
            {"berkas": SimpleUploadedFile("foto.jpg", phone_photo()), "keterangan": "Sesudah"},
        )
    assert response.status_code == 302 and fixing.attachments.count() == 1
    touched["attached"] = fixing
    before = reports_of()
    return before, {slot(r) for r in touched.values()}, bootstrap(LATER)


made_and_run_again = once_per_module(_made_and_run_again)


@pytest.fixture
def demo_run_again(made_and_run_again, db, settings):
    """The demo above, seeded once for this module; each test's writes are undone."""
    settings.DEBUG = True
    return made_and_run_again


def test_months_closed_since_the_demo_was_made_are_added(demo_run_again):
    before, _touched, output = demo_run_again
    # Made on 1 December: up to October (November's reports begin in December).
    assert max(p[2:] for p in before) == (2026, 10)
    periods = set(MonthlyReport.objects.values_list("year", "month"))
    assert {(2026, 11), (2026, 12)} <= periods
    assert max(periods) == (2026, 12)  # January 2027 is running: nothing is due yet
    assert "Desember 2026" in output
    december = MonthlyReport.objects.filter(year=2026, month=12, regency__isnull=False)
    assert set(december.values_list("regency_id", flat=True)) == set(
        MonthlyReport.objects.filter(year=2026, month=10, regency__isnull=False).values_list(
            "regency_id", flat=True
        )
    )
    assert december.filter(status=Status.SUBMITTED).count() >= 5  # waiting for verification
    # With their history, as every demo report.
    assert all(r.history.exists() for r in december)


def test_the_whole_demo_is_what_a_fresh_seed_that_day_makes(demo_run_again):
    """Not only the months closed since: the reports the demo made on 1 December moved on
    with the calendar (October's queue verified, returned reports corrected, the month
    that locked since opened for correction where the story needs it), exactly as a
    fresh seed on 15 January makes them, history, conversation and lock exceptions
    included. Only what a user touched is left as it was."""
    _before, touched, _output = demo_run_again
    topped_up, exceptions = without(reports_of(), touched), without(lock_exceptions(), touched)
    demo.reset_demo_data()
    with time_machine.travel(LATER, tick=False):
        demo.seed_demo()
    assert topped_up == without(reports_of(), touched)
    assert exceptions == without(lock_exceptions(), touched)


def test_topped_up_again_weeks_later_it_is_still_what_a_fresh_seed_makes(demo_run_again):
    _before, touched, _output = demo_run_again
    again = dt.datetime(2027, 2, 3, 14, 0, tzinfo=JAKARTA)
    bootstrap(again)
    topped_up, exceptions = without(reports_of(), touched), without(lock_exceptions(), touched)
    demo.reset_demo_data()
    with time_machine.travel(again, tick=False):
        demo.seed_demo()
    assert topped_up == without(reports_of(), touched)
    assert exceptions == without(lock_exceptions(), touched)


def test_the_demos_own_reports_continue_their_history(demo_run_again):
    """A report the demo made moves on by new steps after its old ones: nothing of what
    its page showed on 1 December is rewritten."""
    before, touched, _output = demo_run_again
    after = reports_of()
    moved = 0
    for key, old in without(before, touched).items():
        history, new_history = old[10], after[key][10]
        assert new_history[: len(history)] == history, key
        assert after[key][9] == old[9]  # the same figures
        moved += len(new_history) > len(history)
    assert moved > 20


def test_what_a_user_touched_stays_exactly_as_it_was(demo_run_again):
    before, touched, _output = demo_run_again
    after = reports_of()
    assert touched and {key: after[key] for key in touched} == {key: before[key] for key in touched}
    assert (
        MonthlyReport.objects.get(realizations__note="Foto sudah diunggah ulang.").status
        == Status.RETURNED
    )


def test_on_15_january_nothing_waits_on_what_the_demo_left_on_1_december(demo_run_again):
    """The demo made on 1 December left October's reports in the verification queue,
    November's as drafts and returned reports in months about to lock; six weeks later
    they were still there: drafts "locked before submitted", the queue a month and a half
    old, returned reports nobody but a verifier could open again."""
    _before, touched, _output = demo_run_again
    today = LATER.date()
    queue = verification_queue(user=User.objects.get(username="verifikator"))
    waiting = [i.report for i in queue if slot(i.report) not in touched]
    assert waiting and all(r.submitted_at.date() >= SEEDED.date() for r in waiting)
    for scope in UserScope.objects.filter(role=UserScope.Role.OPERATOR).select_related("user"):
        items = operator_months(user=scope.user, year=2026, today=today)
        to_do = operator_to_do(user=scope.user, year=2026, items=items, today=today)
        locked_drafts = [i for i in to_do.locked if i.report is not None]
        assert not locked_drafts, (scope.user, locked_drafts)
        returned = [
            i for i in items if i.status == Status.RETURNED and slot(i.report) not in touched
        ]
        assert all(i.editable for i in returned), (scope.user, returned)
        assert any(i.lock_date >= today for i in returned)  # in a month still open
        assert any(i.lock_date < today and i.open_until for i in returned)  # opened again


def test_running_it_again_the_same_day_changes_nothing(demo_run_again):
    state = everything()
    output = bootstrap(LATER + dt.timedelta(hours=14))
    assert everything() == state
    assert "sudah ada sampai Desember 2026" in output


def test_on_15_january_the_operator_and_the_dashboards_are_on_december(demo_run_again):
    operator = User.objects.get(username="operator-1607")
    today = LATER.date()
    items = operator_months(user=operator, year=2026, today=today)
    to_do = operator_to_do(user=operator, year=2026, items=items, today=today)
    assert {(i.year, i.month) for i in to_do.running} == {(2027, 1)}  # as a fresh seed's
    assert all(i.report is None for i in to_do.running)
    assert {(i.year, i.month) for i in to_do.returned} >= {(2026, 12)}
    with time_machine.travel(LATER, tick=False):
        response = login(operator).get("/laporan/")
        assert selectors.default_year() == 2026 and selectors.default_month(year=2026) == 12
    assert "Januari 2027" in element_text(find(page(response), "section", id="running-month"))
