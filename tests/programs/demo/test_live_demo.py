"""The live demo: data from the programs' launch up to the last closed month before
today, with a story every operator and verifier meets right after `make run`."""

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from programs import permissions
from programs.dashboards import selectors
from programs.demo import seed as demo
from programs.models import LockException, MonthlyReport, Target
from programs.reporting.selectors import operator_months, verification_queue
from regencies.models import UserScope
from tests.helpers import attribute, find, find_all, page

User = get_user_model()
Status = MonthlyReport.Status
JAKARTA = ZoneInfo("Asia/Jakarta")


def test_reaches_from_launch_up_to_the_last_closed_month(live_demo):
    assert "2024, 2025, 2026" in live_demo  # the command's printed summary, plain text
    reports = MonthlyReport.objects.filter(regency__isnull=False)
    periods = set(reports.values_list("year", "month"))
    assert min(periods)[0] == 2024 and max(periods) == (2026, 10)
    assert not reports.filter(year=2026, month=11).exists()  # this month is not over
    # Closed history is verified; only the last month waits for verification.
    assert not reports.filter(status=Status.SUBMITTED).exclude(year=2026, month=10).exists()
    assert reports.filter(year=2026, month=10, status=Status.SUBMITTED).count() >= 5


def test_later_years_have_demo_province_targets_and_2024_keeps_its_sources(live_demo):
    for year in (2025, 2026):
        targets = Target.objects.filter(year=year, regency=None)
        assert targets.exists()
        assert all(t.is_demo and t.source_note.startswith("DEMO:") for t in targets)
    assert not Target.objects.filter(year=2024, regency=None, is_demo=True).exists()


def test_operator_finds_months_due_and_returned_reports_to_fix(live_demo):
    operator = User.objects.get(username="operator-1607")
    months = operator_months(user=operator, year=2026)
    due = {(m.month, m.program.slug) for m in months if m.needs_action}
    assert any(month == 11 for month, _slug in due)  # this month
    assert any(month == 10 for month, _slug in due)  # last month
    returned = [m for m in months if m.status == Status.RETURNED]
    assert len(returned) >= 2 and all(m.editable for m in returned)
    locked = [m for m in returned if m.month < 10]
    assert len(locked) == 1
    exception = LockException.objects.get(
        regency="16.07", program=locked[0].program, year=2026, month=locked[0].month
    )
    assert exception.until > dt.date(2026, 11, 29) and exception.reason


def test_no_returned_report_is_stuck_in_a_locked_month(live_demo):
    for report in MonthlyReport.objects.filter(status=Status.RETURNED, regency__isnull=False):
        assert not permissions.is_locked(
            regency_code=report.regency_id,
            program_id=report.program_id,
            year=report.year,
            month=report.month,
        ), report


def test_verifier_sees_a_fresh_queue(live_demo):
    queue = verification_queue(user=User.objects.get(username="verifikator"))
    assert queue and {(i.report.year, i.report.month) for i in queue} == {(2026, 10)}


def test_dashboards_default_to_the_running_year(live_demo):
    assert selectors.default_year() == 2026
    response = Client().get("/")
    assert response.status_code == 200
    years = find_all(find(page(response), "select", name="tahun"), "option")
    assert [attribute(o, "value") for o in years if "selected" in dict(o.attributes)] == ["2026"]


def test_until_pins_the_end(reference_data, settings, clock):
    settings.DEBUG = True
    call_command("seed_demo", "--until", "2025-03", stdout=StringIO())
    periods = set(MonthlyReport.objects.values_list("year", "month"))
    assert max(periods) == (2025, 3) and min(periods)[0] == 2024


def test_running_year_without_reports_defaults_to_the_year_before(reference_data, clock):
    # Early January: next year's targets were copied, nothing is reported yet.
    with time_machine.travel(dt.datetime(2027, 1, 3, 9, 0, tzinfo=dt.UTC), tick=False):
        Target.objects.create(
            indicator=Target.objects.filter(year=2024).first().indicator, year=2027, value=1
        )
        assert selectors.default_year() == 2024


def test_bad_until_is_refused(reference_data, settings):
    settings.DEBUG = True
    with pytest.raises(Exception, match="YYYY-MM"):
        call_command("seed_demo", "--until", "2026-13", stdout=StringIO())


def test_the_provinces_own_reports_are_published_as_the_admin_does(live_demo):
    """The province's inflation reports were left "submitted" in closed months, a state
    no page lists for a province report (no operator submits it, no verification queue
    shows it): they are entered as drafts in the admin and published there, submitted
    and verified at once (`services.province_reports_publish`)."""
    province = MonthlyReport.objects.filter(regency=None)
    assert province.count() > 20
    assert set(province.values_list("status", flat=True)) <= {Status.DRAFT, Status.VERIFIED}
    for report in province.filter(status=Status.VERIFIED):
        assert report.submitted_by_id == report.verified_by_id
        assert report.submitted_at == report.verified_at == report.first_submitted_at
        assert report.history.first().history_change_reason == "Diterbitkan (laporan provinsi)"


def returned_to_fix(user, today) -> list:
    """The operator's returned reports of this year and last, as their page lists them."""
    return [
        item
        for year in (today.year - 1, today.year)
        for item in operator_months(user=user, year=year, today=today)
        if item.status == Status.RETURNED
    ]


@pytest.mark.parametrize(
    "today",
    [
        dt.date(2026, 12, 1),  # October still open, November not submitted yet
        dt.date(2026, 12, 11),  # October locked the day before
        dt.date(2027, 1, 1),
        dt.date(2027, 2, 1),  # across the year: last year's November and December
        dt.date(2027, 3, 12),
    ],
)
def test_every_operator_has_returned_reports_to_fix_on_any_day(reference_data, settings, today):
    """The README promises every operator, right after `make run`, a returned report to
    fix in a month still open and one in an already locked month, opened for correction.
    On 1 December only the locked September one existed (November's return lay in the
    future), and in January and February none in a locked month at all."""
    settings.DEBUG = True
    moment = dt.datetime.combine(today, dt.time(7, 30), tzinfo=JAKARTA)
    with time_machine.travel(moment, tick=False):
        demo.seed_demo(years=[today.year - 1, today.year], today=today)
    operators = UserScope.objects.filter(role=UserScope.Role.OPERATOR).select_related("user")
    assert operators.count() == 17
    for scope in operators:
        returned = returned_to_fix(scope.user, today)
        assert returned and all(item.editable for item in returned), (scope.user, returned)
        assert any(item.lock_date >= today for item in returned), scope.user  # still open
        assert any(item.lock_date < today and item.open_until for item in returned), scope.user
    province = MonthlyReport.objects.filter(regency=None)
    assert set(province.values_list("status", flat=True)) <= {Status.DRAFT, Status.VERIFIED}
