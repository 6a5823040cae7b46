"""`bootstrap_demo` (`make run`) on a demo made weeks ago: the months closed since are
added as a fresh seed that day would make them, and nothing already there changes."""

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command

from programs.dashboards import selectors
from programs.demo import seed as demo
from programs.models import (
    Comment,
    DataVersion,
    LockException,
    MonthlyReport,
    Realization,
    Target,
)
from programs.reporting.selectors import operator_months, operator_to_do
from tests.helpers import element_text, find, form_fields, login, page

User = get_user_model()
Status = MonthlyReport.Status
JAKARTA = ZoneInfo("Asia/Jakarta")
SEEDED = dt.datetime(2026, 11, 30, 9, 0, tzinfo=JAKARTA)  # first `make run`
LATER = dt.datetime(2027, 1, 15, 9, 0, tzinfo=JAKARTA)  # `make run` again


def bootstrap(moment: dt.datetime) -> str:
    out = StringIO()
    with time_machine.travel(moment, tick=False):
        call_command("bootstrap_demo", stdout=out)
    return out.getvalue()


def reports_of(periods=None) -> dict:
    """Every report (by slot) with what a user reads of it: status, who and when,
    version, its figures, and its history (when, who, why)."""
    reports = MonthlyReport.objects.all()
    if periods is not None:
        reports = [r for r in reports if (r.year, r.month) in periods]
    found = {}
    for report in reports:
        figures = sorted(
            report.realizations.values_list(
                "indicator__code",
                "funding_source__code",
                "value",
                "numerator",
                "denominator",
                "note",
            )
        )
        history = list(
            report.history.order_by("history_date", "history_id").values_list(
                "history_date", "history_user__username", "history_change_reason", "status"
            )
        )
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
            figures,
            history,
        )
    return found


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


@pytest.fixture
def demo_run_again(db, settings):
    """A demo made on 30 November 2026, worked on by an operator, then `make run` again
    on 15 January 2027. Returns (reports before, the operator's report, output)."""
    settings.DEBUG = True
    bootstrap(SEEDED)
    # The operator answers the returned October report in the entry form (a note on
    # its first row, saved as a draft): a demo report a user has edited.
    report = (
        MonthlyReport.objects.filter(regency="16.07", year=2026, month=10, status=Status.RETURNED)
        .select_related("program")
        .order_by("program__order")
        .first()
    )
    version = report.version
    url = f"/laporan/16.07/{report.program.slug}/2026-10/"
    operator = login(User.objects.get(username="operator-1607"))
    with time_machine.travel(SEEDED + dt.timedelta(hours=2), tick=False):
        fields = form_fields(operator.get(url))
        note = next(name for name in fields if name.endswith("-note"))
        fields[note] = "Foto sudah diunggah ulang."
        assert operator.post(url, {**fields, "aksi": "simpan"}).status_code == 302
    report.refresh_from_db()
    assert report.version == version + 1
    assert report.history.first().history_user.username == "operator-1607"
    before = reports_of()
    return before, report, bootstrap(LATER)


def test_months_closed_since_the_demo_was_made_are_added(demo_run_again):
    before, _report, output = demo_run_again
    assert max(p[2:] for p in before) == (2026, 10)  # seeded on 30 November: up to October
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


def test_added_months_are_what_a_fresh_seed_that_day_makes(demo_run_again):
    new_periods = {(2026, 11), (2026, 12), (2027, 1)}
    added = reports_of(new_periods)
    exceptions = sorted(
        LockException.objects.filter(year=2026, month__gte=11).values_list(
            "regency_id", "program__slug", "month", "until", "reason"
        )
    )
    demo.reset_demo_data()
    with time_machine.travel(LATER, tick=False):
        demo.seed_demo()
    assert added == reports_of(new_periods)
    assert exceptions == sorted(
        LockException.objects.filter(year=2026, month__gte=11).values_list(
            "regency_id", "program__slug", "month", "until", "reason"
        )
    )


def test_nothing_already_there_changes(demo_run_again):
    before, report, _output = demo_run_again
    after = reports_of()
    assert {slot: after[slot] for slot in before} == before
    assert report.realizations.filter(note="Foto sudah diunggah ulang.").exists()


def test_running_it_again_the_same_day_changes_nothing(demo_run_again):
    state = everything()
    output = bootstrap(LATER + dt.timedelta(hours=5))
    assert everything() == state
    assert "sudah ada sampai Desember 2026" in output


def test_on_15_january_the_operator_and_the_dashboards_are_on_december(demo_run_again):
    operator = User.objects.get(username="operator-1607")
    today = LATER.date()
    items = operator_months(user=operator, year=2026, today=today)
    to_do = operator_to_do(user=operator, year=2026, items=items, today=today)
    due = {(i.year, i.month) for i in to_do.due_now}
    assert (2027, 1) in due  # the running month, as after a fresh seed that day
    assert all(i.report is None for i in to_do.due_now if (i.year, i.month) == (2027, 1))
    assert {(i.year, i.month) for i in to_do.returned} >= {(2026, 12)}
    with time_machine.travel(LATER, tick=False):
        response = login(operator).get("/laporan/")
        assert selectors.default_year() == 2026 and selectors.default_month(year=2026) == 12
    assert "Januari 2027" in element_text(find(page(response), "section", id="due-now"))


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
