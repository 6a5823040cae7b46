"""The year boundary as an operator lives it: on 5 January 2027 December 2026 is still
to be sent (due on the 10th) and January 2027 can already be filled in. The entry form
of January must show where the figures stood at the end of 2026, and say that the
year's running count starts again, not read as if everything before had been lost.

The clock is frozen (`frozen_clock`); nothing here depends on the real date."""

import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command

from programs.models import FundingSource, Indicator, MonthlyReport, Notification, Program
from regencies.models import Regency
from tests.factories import MonthlyReportFactory, RealizationFactory
from tests.helpers import attribute, element_text, find, find_all, login, page

pytestmark = pytest.mark.usefixtures("frozen_clock")
WIB = ZoneInfo("Asia/Jakarta")


@pytest.fixture
def today():
    return dt.date(2027, 1, 5)


def counted(program_slug, year, month, indicator_code, **values):
    """A verified report of Banyuasin (16.07) with one row of `indicator_code`."""
    report = MonthlyReportFactory(
        program=Program.objects.get(slug=program_slug),
        regency=Regency.objects.get(code="16.07"),
        year=year,
        month=month,
        status=MonthlyReport.Status.VERIFIED,
        verified_at=dt.datetime(year, month, 28, 9, tzinfo=dt.UTC),
    )
    RealizationFactory(
        report=report,
        indicator=Indicator.objects.get(code=indicator_code),
        funding_source=FundingSource.objects.get(code="tidak-dirinci"),
        value=Decimal(values["value"]) if "value" in values else None,
        numerator=Decimal(values["numerator"]) if "numerator" in values else None,
        denominator=Decimal(values["denominator"]) if "denominator" in values else None,
    )
    return report


def context_lines(client, path) -> dict[str, str]:
    """Each indicator's line beside its inputs ("Target tahun ini ... · Okt: ..."), by
    indicator code."""
    html = page(client.get(path))
    lines = {}
    for fieldset in find_all(html, "fieldset", class_="indicator-group"):
        code = attribute(fieldset, "id").removeprefix("g-")
        lines[code] = element_text(find(fieldset, "p", class_="entry-context"))
    return lines


def test_january_shows_the_last_months_of_the_year_before(operator):
    """A prevalence is compared with December when January is checked, yet January's
    form showed no month at all beside it (April's shows January to March): the
    operator was warned about a jump from a figure the form never showed."""
    for month, (num, den) in {10: (160, 1000), 11: (155, 1000), 12: (150, 1000)}.items():
        counted("gpstss", 2026, month, "prevalensi-stunting", numerator=num, denominator=den)
    lines = context_lines(login(operator), "/laporan/16.07/gpstss/2027-01/")
    assert "Okt 2026: 16,00 · Nov 2026: 15,50 · Des 2026: 15,00" in lines["prevalensi-stunting"]


@pytest.mark.parametrize("today", [dt.date(2027, 2, 3)])
def test_february_shows_january_and_the_december_before(operator):
    counted("gpstss", 2026, 12, "prevalensi-stunting", numerator=150, denominator=1000)
    counted("gpstss", 2027, 1, "prevalensi-stunting", numerator=148, denominator=1000)
    lines = context_lines(login(operator), "/laporan/16.07/gpstss/2027-02/")
    assert "Des 2026: 15,00 · Jan: 14,80" in lines["prevalensi-stunting"]


def test_a_monthly_count_in_january_says_the_year_starts_again(operator):
    """GBRSS counts houses finished each month: on January's form "s.d. bulan lalu: 0"
    read as if the 178 houses of 2026 had gone. It says the count starts again with the
    year, and shows last year's last months as months."""
    counted("gbrss", 2026, 11, "rumah-dibedah", value=20)
    counted("gbrss", 2026, 12, "rumah-dibedah", value=25)
    line = context_lines(login(operator), "/laporan/16.07/gbrss/2027-01/")["rumah-dibedah"]
    assert "s.d. bulan lalu: 0 (awal tahun 2027)" in line
    assert "Nov 2026: 20 · Des 2026: 25" in line


def test_a_running_total_starts_again_and_shows_no_month_of_last_year(operator):
    """A running total restarts each January (1.000 toddlers accompanied by December is
    not January's starting point): last year's cumulative figures are not shown."""
    counted("gpstss", 2026, 12, "balita-didampingi", value=1000)
    line = context_lines(login(operator), "/laporan/16.07/gpstss/2027-01/")["balita-didampingi"]
    assert "2026" not in line


@pytest.mark.parametrize("today", [dt.date(2027, 4, 5)])
def test_months_of_the_same_year_keep_their_short_label(operator):
    """Within one year nothing changes: April shows January to March by name only."""
    counted("gbrss", 2026, 12, "rumah-dibedah", value=25)
    counted("gbrss", 2027, 1, "rumah-dibedah", value=7)
    counted("gbrss", 2027, 2, "rumah-dibedah", value=9)
    line = context_lines(login(operator), "/laporan/16.07/gbrss/2027-04/")["rumah-dibedah"]
    assert line.endswith("s.d. bulan lalu: 16 · Jan: 7 · Feb: 9 · Mar: –")


def test_the_year_before_is_named_on_english_pages(operator):
    counted("gbrss", 2026, 12, "rumah-dibedah", value=25)
    client = login(operator)
    client.cookies["bahasa"] = "en"
    line = context_lines(client, "/laporan/16.07/gbrss/2027-01/")["rumah-dibedah"]
    assert "up to last month: 0 (start of 2027)" in line
    assert line.endswith("Dec 2026: 25")


@pytest.mark.parametrize("today", [dt.date(2027, 1, 7)])
def test_a_reminder_says_when_a_late_month_locks(operator, django_capture_on_commit_callbacks):
    """7 January 2027: November, due on 10 December, locks after 9 January; December is
    due on the 10th. The reminder named November only by "batas 10 Desember 2026", a
    date long gone, as if nothing more were at stake, and the bell (all an operator
    without an e-mail address gets) gave that gone date as the earliest deadline; both
    say when the month locks."""
    operator.email = "op-banyuasin@sumselprov.go.id"
    operator.save()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", "--hari", "3", stdout=io.StringIO())
    (body,) = [m.body for m in mail.outbox if m.to == [operator.email]]
    assert (
        "- GBRSS November 2026: batas 10 Desember 2026, terlambat; dikunci setelah 9 Januari 2027"
    ) in body.splitlines()
    # December is not late yet: its line is as before.
    assert "- GBRSS Desember 2026: batas 10 Januari 2027" in body.splitlines()
    (bell,) = Notification.objects.filter(user=operator, kind=Notification.Kind.DEADLINE)
    assert bell.display_text.endswith("(tenggat paling awal 9 Januari 2027).")


@pytest.mark.parametrize("today", [dt.date(2026, 12, 31)])
def test_the_page_cache_turns_the_day_at_midnight_in_jakarta(
    reference_data, pimpinan, client, frozen_clock
):
    """Cached pages are kept per day (expected-to-date figures, days left): the day is
    Jakarta's. 1 January 2027 00:30 WIB is still 31 December in UTC, where the server
    runs; 06:00 and 08:00 WIB on 1 January are one day in Jakarta, two in UTC."""
    from django.core.cache import caches

    caches["default"].clear()

    def at(hour, minute, day):
        frozen_clock.move_to(dt.datetime(*day, hour, minute, tzinfo=WIB))
        return client.get("/")["X-Page-Cache"]

    assert at(23, 30, (2026, 12, 31)) == "miss"
    assert at(23, 45, (2026, 12, 31)) == "hit"
    assert at(0, 30, (2027, 1, 1)) == "miss"  # a new day in Jakarta, not yet in UTC
    assert at(6, 0, (2027, 1, 1)) == "hit"
    assert at(8, 0, (2027, 1, 1)) == "hit"  # the UTC date turned at 07:00 WIB
    caches["default"].clear()
