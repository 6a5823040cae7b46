"""The demo seeded on other days than the live demo's, and up to a chosen month: every
operator meets a returned report to fix whatever the day, `--until` pins the end."""

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from programs.dashboards import selectors
from programs.demo import seed as demo
from programs.models import MonthlyReport, Target
from programs.reporting.selectors import operator_months
from regencies.models import UserScope

Status = MonthlyReport.Status
JAKARTA = ZoneInfo("Asia/Jakarta")


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
