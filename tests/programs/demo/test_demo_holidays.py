"""The demo's working days leave out Indonesia's national holidays and the government's
collective leave (`programs/demo/holidays.py`, from each year's SKB 3 Menteri) as they
leave out weekends; a demo made before they did is topped up once, its reports going on
with the lives they began, and then stays as it is."""

import datetime as dt

import time_machine

from programs.demo import holidays
from programs.demo import seed as demo
from programs.models import MonthlyReport
from tests.programs.demo.test_demo_top_up import JAKARTA

Status = MonthlyReport.Status
# Made after Idulfitri 1447 H (18-24 March 2026, holidays and leave), run again after the
# holidays and leave of May.
SEEDED = dt.datetime(2026, 4, 1, 9, 0, tzinfo=JAKARTA)
LATER = dt.datetime(2026, 5, 15, 9, 0, tzinfo=JAKARTA)


def test_the_table_holds_each_years_holidays_and_collective_leave():
    for year, (days, leave) in {2024: (17, 10), 2025: (17, 10), 2026: (17, 8)}.items():
        assert len([d for d in holidays.HOLIDAYS if d.year == year]) == days, year
        assert len([d for d in holidays.COLLECTIVE_LEAVE if d.year == year]) == leave, year
    assert not holidays.HOLIDAYS & holidays.COLLECTIVE_LEAVE
    # 2027 and every later year: the holidays known without an SKB (`test_a_year_...`).
    assert {d.year for d in holidays.DAYS_OFF} == set(range(2024, 2101))
    # Idulfitri 1447 H: the holidays on the weekend, leave around them.
    assert {dt.date(2026, 3, day) for day in (18, 19, 20, 21, 22, 23, 24)} <= holidays.DAYS_OFF
    assert dt.date(2026, 3, 25) not in holidays.DAYS_OFF


def test_working_days_skip_holidays_and_collective_leave_as_weekends():
    off = holidays.DAYS_OFF
    # Thursday 17 December 2026 + 5 working days: not 24 (leave) nor 25 (Christmas).
    assert demo._add_working_days(dt.date(2026, 12, 17), 5, off) == dt.date(2026, 12, 28)
    assert demo._add_working_days(dt.date(2026, 12, 17), 5, frozenset()) == dt.date(2026, 12, 24)
    assert demo._working_day(dt.date(2026, 3, 18), off) == dt.date(2026, 3, 25)
    assert demo._working_day(dt.date(2026, 3, 18), off, back=True) == dt.date(2026, 3, 17)
    assert demo._working_days(dt.date(2026, 3, 16), dt.date(2026, 3, 27), off) == [
        dt.date(2026, 3, 16),
        dt.date(2026, 3, 17),
        dt.date(2026, 3, 25),
        dt.date(2026, 3, 26),
        dt.date(2026, 3, 27),
    ]


def on_a_day_off(moment: dt.datetime) -> bool:
    day = moment.astimezone(JAKARTA).date()
    return day.weekday() >= 5 or day in holidays.DAYS_OFF


# Written by hand from the calendar (Easter 2027: 28 March; 2028: 16 April).
HOLIDAYS_2027 = {
    dt.date(2027, 1, 1),
    dt.date(2027, 3, 26),  # Wafat Isa Almasih
    dt.date(2027, 5, 1),
    dt.date(2027, 5, 6),  # Kenaikan Isa Almasih
    dt.date(2027, 6, 1),
    dt.date(2027, 8, 17),
    dt.date(2027, 12, 25),
}
HOLIDAYS_2028 = {
    dt.date(2028, 1, 1),
    dt.date(2028, 4, 14),  # Wafat Isa Almasih (Easter: 16 April)
    dt.date(2028, 5, 1),
    dt.date(2028, 5, 25),  # Kenaikan Isa Almasih
    dt.date(2028, 6, 1),
    dt.date(2028, 8, 17),
    dt.date(2028, 12, 25),
}


def test_a_year_after_the_table_has_its_fixed_holidays_good_friday_and_ascension():
    """2027 lists only the holidays known without its SKB; 2028, the year the demo runs
    into a year on, listed none, so demo operators would submit on 17 August and
    Christmas Day. It gets the same kind of days as 2027, computed."""
    assert {d for d in holidays.HOLIDAYS if d.year == 2027} == HOLIDAYS_2027
    assert holidays.easter(2028) == dt.date(2028, 4, 16)
    assert {d for d in holidays.HOLIDAYS if d.year == 2028} == HOLIDAYS_2028


def test_a_demo_a_year_on_works_on_no_holiday_of_2028(reference_data):
    """The demo as `make run` makes it on 1 October 2028: nobody saves, submits or
    verifies on Labour Day, Ascension Day, Pancasila Day or 17 August 2028."""
    with time_machine.travel(dt.datetime(2028, 10, 1, 9, 0, tzinfo=JAKARTA), tick=False):
        demo.seed_demo(years=[2028])
    moments = MonthlyReport.history.filter(year=2028).values_list("history_date", flat=True)
    assert len(moments) > 500
    days = {when.astimezone(JAKARTA).date() for when in moments}
    assert not days & HOLIDAYS_2028
    assert not [day for day in days if day.weekday() >= 5]
