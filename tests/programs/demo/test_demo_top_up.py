"""`bootstrap_demo` (`make run`) on a demo made weeks ago: the demo is brought to the day
as a fresh seed that day would make it (the months closed since added, the demo's own
reports moved on with the calendar, their history continued), and whatever a user
touched stays exactly as it was."""

import datetime as dt
from collections import defaultdict
from io import StringIO
from zoneinfo import ZoneInfo

import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command

from programs.demo import seed as demo
from programs.models import (
    Comment,
    DataVersion,
    LockException,
    MonthlyReport,
    Realization,
    Target,
)
from tests.helpers import login

User = get_user_model()
Status = MonthlyReport.Status
JAKARTA = ZoneInfo("Asia/Jakarta")
SEEDED = dt.datetime(2026, 12, 1, 9, 0, tzinfo=JAKARTA)  # first `make run`, on a 1st
LATER = dt.datetime(2027, 1, 15, 9, 0, tzinfo=JAKARTA)  # `make run` again


def bootstrap(moment: dt.datetime) -> str:
    out = StringIO()
    with time_machine.travel(moment, tick=False):
        call_command("bootstrap_demo", stdout=out)
    return out.getvalue()


def reports_of(periods=None) -> dict:
    """Every report (by slot) with what a user reads of it: status, who and when,
    version, its figures, its history (when, who, why) and its conversation. Read in
    four queries, not three per report (a demo holds thousands)."""
    reports = MonthlyReport.objects.select_related("program")
    if periods is not None:
        reports = [r for r in reports if (r.year, r.month) in periods]
    figures, history, thread = defaultdict(list), defaultdict(list), defaultdict(list)
    for report_id, *row in Realization.objects.values_list(
        "report_id",
        "indicator__code",
        "funding_source__code",
        "value",
        "numerator",
        "denominator",
        "note",
    ):
        figures[report_id].append(tuple(row))
    for report_id, *row in MonthlyReport.history.order_by("history_date", "history_id").values_list(
        "id", "history_date", "history_user__username", "history_change_reason", "status"
    ):
        history[report_id].append(tuple(row))
    for report_id, *row in Comment.objects.order_by("created_at", "pk").values_list(
        "report_id", "created_at", "author__username", "kind", "text"
    ):
        thread[report_id].append(tuple(row))
    found = {}
    for report in reports:
        found[(report.regency_id, report.program.slug, report.year, report.month)] = (
            report.status,
            report.submitted_at,
            report.first_submitted_at,
            report.verified_at,
            report.returned_at,
            report.return_reason,
            report.version,
            report.created_at,
            report.updated_at,
            sorted(figures[report.pk]),
            history[report.pk],
            thread[report.pk],
        )
    return found


def lock_exceptions() -> dict:
    return {
        (e.regency_id, e.program.slug, e.year, e.month): (e.until, e.reason, e.granted_at)
        for e in LockException.objects.select_related("program")
    }


def without(found: dict, slots) -> dict:
    return {slot: value for slot, value in found.items() if slot not in slots}


def slot(report: MonthlyReport) -> tuple:
    return (report.regency_id, report.program.slug, report.year, report.month)


def everything() -> dict:
    return {
        "reports": MonthlyReport.objects.count(),
        "realizations": Realization.objects.count(),
        "report history": MonthlyReport.history.count(),
        "realization history": Realization.history.count(),
        "comments": Comment.objects.count(),
        "lock exceptions": sorted(
            LockException.objects.values_list("regency_id", "program_id", "year", "month", "until")
        ),
        "targets": Target.objects.count(),
        "users": User.objects.count(),
        "data version": list(DataVersion.objects.values_list("pk", "version")),
    }


def test_a_new_year_gets_its_demo_targets(db, settings):
    settings.DEBUG = True
    bootstrap(SEEDED)
    bootstrap(dt.datetime(2027, 2, 15, 9, 0, tzinfo=JAKARTA))
    assert MonthlyReport.objects.filter(year=2027, month=1).exists()
    assert not MonthlyReport.objects.filter(year=2027, month=2).exists()
    targets = Target.objects.filter(year=2027, regency=None)
    assert targets.exists() and all(t.is_demo for t in targets)


def test_a_database_without_demo_reports_gets_none(reference_data, settings):
    settings.DEBUG = True
    with time_machine.travel(SEEDED, tick=False):
        demo.seed_demo(years=[2024])
    MonthlyReport.objects.update(is_demo=False)  # reports of its own, not a demo
    state = everything()
    output = bootstrap(LATER)
    assert everything() == state
    assert "data demo tidak dibuat" in output


def test_a_demo_report_a_user_deleted_is_not_made_again(reference_data, settings):
    settings.DEBUG = True
    with time_machine.travel(SEEDED, tick=False):
        demo.seed_demo(years=[2026])
    report = MonthlyReport.objects.filter(year=2026, month=10, status=Status.SUBMITTED).first()
    key = (report.regency_id, report.program_id, report.year, report.month)
    report.delete()  # in the admin: the history keeps a "deleted" record
    with time_machine.travel(LATER, tick=False):
        assert demo.top_up_demo() is not None
    assert not MonthlyReport.objects.filter(
        regency=key[0], program=key[1], year=key[2], month=key[3]
    ).exists()
    assert MonthlyReport.objects.filter(year=2026, month=12).exists()


def test_a_demo_made_before_the_seed_wrote_history_moves_on_too(reference_data, settings):
    """A demo made by the first releases (29-30 November 2026) has reports without any
    history: the rule that tells the seed's reports from a user's (their history is the
    seed's) took every one of them for a user's, and `make run` weeks later left October's
    queue waiting, November's drafts locked unsubmitted. Untouched, they now take their
    slots' lives as a fresh seed that day makes them; one a user touched (a comment)
    stays as it was."""
    settings.DEBUG = True
    with time_machine.travel(SEEDED, tick=False):
        demo.seed_demo(years=[2026])
    # The old shape: no history of the reports or their figures, no return reasons in
    # their threads, every report at version 1.
    MonthlyReport.history.all().delete()
    Realization.history.all().delete()
    Comment.objects.all().delete()
    MonthlyReport.objects.update(version=1)
    asked = (
        MonthlyReport.objects.filter(year=2026, month=10, status=Status.SUBMITTED)
        .select_related("program")
        .order_by("regency_id", "program__order")
        .first()
    )
    with time_machine.travel(SEEDED + dt.timedelta(hours=3), tick=False):
        response = login(User.objects.get(username="verifikator")).post(
            f"/laporan/{asked.regency_id}/{asked.program.slug}/2026-10/komentar/",
            {"teks": "Mohon lampirkan berita acara serah terima."},
        )
    assert response.status_code == 302
    touched = {slot(asked)}
    before = reports_of()
    queue = MonthlyReport.objects.filter(status=Status.SUBMITTED, submitted_at__lt=SEEDED)
    waiting = queue.count()
    bootstrap(LATER)
    window = {(2026, month) for month in range(5, 13)}  # a top-up looks back five months
    topped_up = without(reports_of(window), touched)
    assert {key: reports_of()[key] for key in touched} == {key: before[key] for key in touched}
    assert waiting > 5 and list(queue) == [asked]  # only the one a user touched still waits
    demo.reset_demo_data()
    with time_machine.travel(LATER, tick=False):
        demo.seed_demo(years=[2026])
    assert topped_up == without(reports_of(window), touched)
