"""The live demo: data from the programs' launch up to the last closed month before
today, with a story every operator and verifier meets right after `make run`."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.test import Client

from programs import permissions
from programs.dashboards import selectors
from programs.models import LockException, MonthlyReport, Target
from programs.reporting.selectors import operator_months, verification_queue
from tests.helpers import attribute, find, find_all, page
from tests.programs.conftest import seed_live_demo
from tests.shared_db import once_per_module

User = get_user_model()
Status = MonthlyReport.Status
JAKARTA = ZoneInfo("Asia/Jakarta")
# The live demo is seeded once for this module (tests/shared_db.py).
live_demo_once = once_per_module(seed_live_demo)


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
