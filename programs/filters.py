"""Dashboard filters from the query string: tahun, bulan, indikator, terverifikasi.

Bad values never fail a page: they fall back to the defaults, so a mistyped or stale
shared link still opens.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from urllib.parse import urlencode

from django.http import QueryDict
from django.utils import timezone

from programs import permissions
from programs.dashboards import selectors
from programs.models import MAX_YEAR, MIN_YEAR
from programs.progress import as_of_date


def _int_or_none(value: str | None) -> int | None:
    """A whole number written in ASCII digits (spaces around allowed), None otherwise:
    Python's int() also reads Arabic-Indic or full-width digits ("٢٠٢٤", "５"), which the
    API refuses and a saved view drops, so a page read them alone."""
    if value is None or not value.isascii():
        return None
    try:
        return int(value) if value != "" else None
    except (TypeError, ValueError):
        return None


# `terverifikasi` values that turn "verified only" on; any other value leaves it off.
VERIFIED_ONLY_VALUES = frozenset({"1", "on", "true"})


def year_from(value: str | None) -> int | None:
    """The year a `tahun` value asks for; None when it is missing, not a number or
    outside MIN_YEAR..MAX_YEAR (the page then shows its default year)."""
    year = _int_or_none(value)
    return year if year is not None and MIN_YEAR <= year <= MAX_YEAR else None


def month_from(value: str | None) -> int | None:
    """The month (1-12) a `bulan` value asks for; None otherwise (the default month)."""
    month = _int_or_none(value)
    return month if month is not None and 1 <= month <= 12 else None


def begun_period(year: int, month: int | None, today: dt.date | None = None):
    """(`year`, `month`) brought back to a period that has begun in Jakarta: a later year
    is this year up to this month (January 2027 asked on 30 November 2026 is November
    2026, not January 2026), a later month of this year is this month (`month` None stays
    None, for the caller's default). A period that has not begun has nothing to report, and a page
    or export reading "2029 s.d. Desember" looked reportable; every dashboard page, htmx
    partial, export and the API's progress read their period through this."""
    today = today or timezone.localdate()
    if year > today.year:
        year = today.year
        month = None if month is None else today.month
    if month is not None and year == today.year:
        month = min(month, today.month)
    return year, month


def offered_year(
    year: int | None, *, sets: selectors.YearSets, today: dt.date | None = None
) -> int | None:
    """`year` if a page may show it, None when it should show its default year instead:
    an earlier year the year menu does not offer (before the programs' launch, 2023, or
    any year without targets or counted reports: `sets`, `year_sets()`) is read as no
    year at all, as the operators' reports list reads a year its menu does not offer;
    '?tahun=2023' opened an empty dashboard. This year is always shown, and a later one
    is brought back to it by `begun_period`."""
    today = today or timezone.localdate()
    if year is None or year >= today.year:
        return year
    return year if year in selectors.available_years(sets=sets, today=today) else None


def shown_year(asked: int | None, *, verified_only: bool) -> tuple[int, selectors.YearSets]:
    """The year a dashboard page, htmx partial, export or the API's progress shows when
    `asked` is asked for (None: not asked, or malformed): `asked` if offered
    (`offered_year`), otherwise the default year. Returns the years with data too (one
    query), for the year menu. `verified_only`: the years of someone who sees verified
    figures only."""
    sets = selectors.year_sets(verified_only=verified_only)
    year = offered_year(asked, sets=sets)
    return (selectors.default_year(sets=sets) if year is None else year), sets


def last_month_offered(year: int, today: dt.date | None = None) -> int:
    """The last month a month menu offers for `year`: the running month of this year,
    December of an earlier one."""
    today = today or timezone.localdate()
    return today.month if year >= today.year else 12


# The filter form's hidden field: the period it was drawn for ("2026-10", and
# "2026-6:dipilih" when its address chose a month other than the page's default). Its
# menus hold a year and a month, and both are sent whichever one was changed; this tells
# a change of year alone from a month chosen.
FORM_PERIOD = "semula"
MONTH_CHOSEN = ":dipilih"
_FORM_PERIOD_VALUE = re.compile(r"([0-9]{4})-([0-9]{1,2})(" + MONTH_CHOSEN + r")?", re.ASCII)


def form_query(get: QueryDict) -> str | None:
    """The query string a submitted filter form stands for (without `semula`), or None
    when `get` is no form submission.

    A year changed alone drops the month the page had chosen by itself: on "2026 s.d.
    Oktober", choosing 2024 in the year menu sends bulan=10 too, and showed 2024 s.d.
    Oktober, where a leader expects the whole of 2024 (its default month, the rule for a
    year without a month). Any other change that leaves the month menu at the page's own
    month drops it as well (ticking "verified only" on "2026 s.d. Oktober" gives
    ?tahun=2026&terverifikasi=1), so the address keeps opening the latest month due.
    A month the user chose stays when the year changes (June 2026, then 2025: June 2025,
    to compare the same months), and a month chosen with the year, or alone, is kept.
    Whether the form was sent by htmx or by its button without JavaScript."""
    drawn = get.getlist(FORM_PERIOD)
    if not drawn:
        return None
    kept = get.copy()
    del kept[FORM_PERIOD]
    match = _FORM_PERIOD_VALUE.fullmatch(drawn[-1])
    if match is not None:
        drawn_year, drawn_month = int(match[1]), int(match[2])
        chosen = match[3] is not None
        # The month menu left at the page's own month: the address keeps none, so that
        # it opens the latest month due when shared or saved, and a year changed alone
        # opens that year's default month. December of the same year can move no
        # further: it stays, as the page's links keep it (`Filters.query`).
        moved = year_from(get.get("tahun")) != drawn_year or drawn_month < 12
        if month_from(get.get("bulan")) == drawn_month and not chosen and moved:
            kept.pop("bulan", None)
    return kept.urlencode()


@dataclass(frozen=True)
class Filters:
    year: int
    month: int
    indicator: str | None = None
    verified_only: bool = False
    forced_verified: bool = False  # visitors without a role only ever see verified data
    sort: str | None = None
    program: str | None = None
    # Whether the address chose a month (?bulan=) other than the page's default.
    month_chosen: bool = field(default=False, compare=False)
    # The years with data, read when choosing the year (the year menu then needs no
    # second query).
    year_sets: selectors.YearSets | None = field(default=None, compare=False, repr=False)

    @cached_property
    def last_month(self) -> int:
        """The month menu's last month: no month that has not begun is offered."""
        return last_month_offered(self.year)

    @cached_property
    def years(self) -> list[int]:
        """The year menu: years with data up to this one, and the year shown (this year
        without data yet, or the default year when there is no data at all)."""
        years = selectors.available_years(sets=self.year_sets, verified_only=self.forced_verified)
        return sorted({*years, self.year})

    @property
    def targets_missing(self) -> bool:
        """The year shown has no target at all (`selectors.targets_missing`)."""
        return self.year_sets is not None and selectors.targets_missing(
            self.year, sets=self.year_sets
        )

    def query(self, **changes) -> str:
        """The query string of these filters with `changes` applied, for links.
        Without changes (`{{ filters.query }}` in every row link) it is built once.

        The month is in it when the user chose it (`month_chosen`) or it is December: a
        link from a page on a default month that will still move (on 1 December,
        October: November's reports are due on the 10th) opens the default month of the
        day it is opened, so that a page reached through it and saved keeps opening the
        latest figures."""
        if not changes:
            if "_query" not in self.__dict__:
                object.__setattr__(self, "_query", self._query_of(self))
            return self.__dict__["_query"]
        return self._query_of(replace(self, **changes))

    @property
    def pinned_query(self) -> str:
        """`query()` with the month always in it, for downloads: the file has the period
        the page shows, even when the default month moves on between the two."""
        return self._query_of(self, pin_month=True)

    @property
    def form_period(self) -> str:
        """The period the filter form is drawn for: its `FORM_PERIOD` field."""
        return f"{self.year}-{self.month}" + (MONTH_CHOSEN if self.month_chosen else "")

    @property
    def as_of(self) -> dt.date:
        """The day "Seharusnya s.d." counts to, on the pages and in their exports: the end
        of the chosen month, or today within the current month."""
        return as_of_date(year=self.year, month=self.month)

    @staticmethod
    def _query_of(target: Filters, *, pin_month: bool = False) -> str:
        params = {"tahun": target.year}
        # A default month of December stays: it can move no further, and the link then
        # reads as the page does ("2024 s.d. Desember").
        if target.month_chosen or pin_month or target.month == 12:
            params["bulan"] = target.month
        if target.indicator:
            params["indikator"] = target.indicator
        if target.verified_only and not target.forced_verified:
            params["terverifikasi"] = 1
        if target.sort:
            params["urutkan"] = target.sort
        if target.program:
            params["program"] = target.program
        return "?" + urlencode(params)


def parse_filters(request, *, default_month=None) -> Filters:
    """`default_month(year=...)` gives the month when the link has none (by default the
    year's latest month whose reports are due)."""
    get = request.GET
    # Only officials (users with a role) see provisional figures; everyone else, anonymous
    # visitors included, sees verified data only, and opens on a year that has some.
    forced = not permissions.sees_provisional(request.user)
    # A year the menu does not offer (?tahun=2023, before the launch) is the default one.
    year, sets = shown_year(year_from(get.get("tahun")), verified_only=forced)
    # A period that has not begun (?tahun=2029, or December in November) is shown as the
    # latest one that has.
    year, month = begun_period(year, month_from(get.get("bulan")))
    default = (default_month or selectors.default_month)(year=year)
    # A month in the address other than the page's own choice is the user's.
    chosen = month is not None and month != default
    if month is None:
        month = default
    return Filters(
        year=year,
        month=month,
        indicator=(get.get("indikator") or "").strip()[:60] or None,
        verified_only=forced or get.get("terverifikasi") in VERIFIED_ONLY_VALUES,
        forced_verified=forced,
        sort=(get.get("urutkan") or "").strip()[:40] or None,
        program=(get.get("program") or "").strip()[:40] or None,
        month_chosen=chosen,
        year_sets=sets,
    )
