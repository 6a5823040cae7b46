"""A demo made before holidays and collective leave were days off is topped up once:
its reports go on with the lives they began, and then it stays as it is. Both tests read
the same demo, made once for the module (tests/shared_db.py)."""

import datetime as dt
from unittest import mock

import pytest
from django.contrib.auth import get_user_model

from programs.demo import seed as demo
from programs.models import MonthlyReport
from programs.reporting.selectors import verification_queue
from tests.programs.demo.test_demo_holidays import LATER, SEEDED, on_a_day_off
from tests.programs.demo.test_demo_top_up import JAKARTA, bootstrap, everything, reports_of
from tests.shared_db import once_per_module


def _made_before_holidays():
    """A demo made on 1 April 2026 by the seed before holidays were days off (its
    working days: Monday to Friday), and `make run` with this seed on 15 May 2026.
    Returns (reports before, the output of the second run)."""
    with mock.patch.object(demo, "DAYS_OFF", frozenset()):
        bootstrap(SEEDED)
    assert any(  # the old seed did act on holidays and days of leave
        on_a_day_off(when) for when in MonthlyReport.history.values_list("history_date", flat=True)
    )
    before = reports_of()
    return before, bootstrap(LATER)


made_before_holidays_once = once_per_module(_made_before_holidays)


@pytest.fixture
def made_before_holidays(made_before_holidays_once, db, settings):
    """The demo above, made once for this module; each test's writes are undone."""
    settings.DEBUG = True
    return made_before_holidays_once


def test_a_demo_made_before_holidays_were_days_off_is_topped_up_once(made_before_holidays):
    before, output = made_before_holidays
    assert "Data demo dilanjutkan sampai April 2026" in output
    state = everything()

    again = bootstrap(LATER + dt.timedelta(hours=14))

    assert everything() == state
    assert "sudah ada sampai April 2026; tidak ada yang baru" in again


def test_its_reports_go_on_with_their_lives_and_nothing_waits(made_before_holidays):
    """A report whose steps so far fell on a day now off (verified, submitted late or
    returned during Idulfitri) no longer matches its life drawn with holidays: left as a
    user's, the queue of 1 April would have waited for ever. They go on with the lives
    they began (history continued, nothing rewritten); the month added since avoids
    holidays and leave (1, 14, 15 May)."""
    before, _output = made_before_holidays
    after = reports_of()
    moved = 0
    for key, old in before.items():
        history, new_history = old[10], after[key][10]
        assert new_history[: len(history)] == history, key
        assert after[key][9] == old[9]  # the same figures
        moved += len(new_history) > len(history)
    assert moved > 20
    queue = verification_queue(user=get_user_model().objects.get(username="verifikator"))
    assert all(
        item.report.submitted_at.astimezone(JAKARTA).date() >= SEEDED.date() for item in queue
    )
    april = MonthlyReport.history.filter(year=2026, month=4)
    assert april.count() > 50
    assert not [when for when in april.values_list("history_date", flat=True) if on_a_day_off(when)]
