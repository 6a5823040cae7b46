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
from programs.text import whole_number

# `terverifikasi` values that turn "verified only" on, in any case (`verified_only_from`);
# any other value leaves it off.
VERIFIED_ONLY_VALUES = frozenset({"1", "on", "true"})


def verified_only_from(value: str | None) -> bool:
    """Whether a `terverifikasi` value turns "verified only" on: 1, on or true in any
    case (ON, True, TRUE), as users and other sites write them. The one rule of pages,
    their exports, saved views and the API."""
    return value is not None and value.lower() in VERIFIED_ONLY_VALUES


def year_from(value: str | None) -> int | None:
    """The year a `tahun` value asks for; None when it is missing, not a number or
    outside MIN_YEAR..MAX_YEAR (the page then shows its default year)."""
    year = whole_number(value)
    return year if year is not None and MIN_YEAR <= year <= MAX_YEAR else None


def month_from(value: str | None) -> int | None:
    """The month (1-12) a `bulan` value asks for; None otherwise (the default month)."""
    month = whole_number(value)
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


# A page's month when its address has none follows one of two rules: the latest month
# whose reports are due (the overview, program and regency pages, the meeting summary:
# `selectors.default_month`), or the running month (the completeness grid:
# `selectors.running_month`). A link to a page of the other rule names its page's rule
# in `bulan` ("?bulan=jatuh-tempo"): the overview's "Lihat rincian kelengkapan" opens the
# grid up to the overview's own month, and still follows the calendar when saved.
MONTH_DUE = "jatuh-tempo"
MONTH_RUNNING = "berjalan"
MONTH_RULES = {MONTH_DUE: selectors.default_month, MONTH_RUNNING: selectors.running_month}


def month_rule_from(value: str | None) -> str | None:
    """The month rule a `bulan` value names (`MONTH_RULES`), None for anything else."""
    return value if value in MONTH_RULES else None


def link_period(
    year,
    month: int | None,
    *,
    year_chosen: bool,
    month_chosen: bool,
    month_rule: str | None,
    page_rule: str | None,
    pin: bool = False,
) -> dict[str, str | None]:
    """The pin rule: the `tahun` and `bulan` a link to a page keeps (None: left out).

    A page on its default period leaves both out, so that the link (shared, saved, or
    followed from a row) opens the default period of the day it is opened. The year is
    kept when it was chosen or a month was (`year` None: the page's default year, never
    kept); the month when it was chosen, or it is December of a year the link keeps (it
    can move no further, and the link reads as the page does: "2024 s.d. Desember").
    Otherwise `bulan` names the link's month rule when it is not the page's own
    (`MONTH_RULES`). `pin`: both always kept (downloads). The one rule of the pages'
    links (`Filters.query`), the filter form's address (`form_query`) and saved views."""
    year_kept = year is not None and (pin or year_chosen or month_chosen)
    if month is not None and (pin or month_chosen or (year_kept and month == 12)):
        bulan = str(month)
    elif month_rule != page_rule:
        bulan = month_rule
    else:
        bulan = None
    return {"tahun": str(year) if year_kept else None, "bulan": bulan}


# The filter form's hidden field: the period it was drawn for ("2026-10"), with
# ":dipilih" when its address chose a month other than the page's default, ":bawaan"
# when the year is the page's default one (not in its links), and the month rule of its
# links (":jatuh-tempo") when it is not the page's own. Its menus hold a year and a
# month, and both are sent whichever one was changed; this tells a change of year alone
# from a month chosen, and a year left at the default from one chosen.
FORM_PERIOD = "semula"
MONTH_CHOSEN = ":dipilih"
YEAR_DEFAULT = ":bawaan"
_FORM_PERIOD_VALUE = re.compile(
    r"([0-9]{4})-([0-9]{1,2})("
    + MONTH_CHOSEN
    + r")?("
    + YEAR_DEFAULT
    + r")?(?::("
    + "|".join(MONTH_RULES)
    + r"))?",
    re.ASCII,
)


def form_query(get: QueryDict) -> str | None:
    """The query string a submitted filter form stands for (without `semula`), or None
    when `get` is no form submission.

    A year changed alone drops the month the page had chosen by itself: on "2026 s.d.
    Oktober", choosing 2024 in the year menu sends bulan=10 too, and showed 2024 s.d.
    Oktober, where a leader expects the whole of 2024 (its default month, the rule for a
    year without a month). Any other change that leaves the month menu at the page's own
    month drops it as well (ticking "verified only" on "2026 s.d. Oktober" gives
    ?terverifikasi=1), and the year too when it was the page's default one and stays, so
    the address keeps opening the latest period due (2027 s.d. Januari once January
    2027's reports are due). A month the user chose stays when the year changes (June
    2026, then 2025: June 2025, to compare the same months), and a month chosen with the
    year, or alone, is kept with its year. Whether the form was sent by htmx or by its
    button without JavaScript."""
    drawn = get.getlist(FORM_PERIOD)
    if not drawn:
        return None
    kept = get.copy()
    del kept[FORM_PERIOD]
    match = _FORM_PERIOD_VALUE.fullmatch(drawn[-1])
    if match is not None:
        drawn_year, drawn_month = int(match[1]), int(match[2])
        chosen, year_default, rule = match[3] is not None, match[4] is not None, match[5]
        year_changed = year_from(get.get("tahun")) != drawn_year
        # The month menu left at the page's own month is no month chosen: the address
        # keeps what the pages' links keep (`link_period`), so that it opens the latest
        # month due when shared or saved, and a year changed alone opens that year's
        # default month (the month drawn is the old year's).
        if month_from(get.get("bulan")) == drawn_month and not chosen:
            period = link_period(
                get.get("tahun"),
                None if year_changed else drawn_month,
                year_chosen=year_changed or not year_default,
                month_chosen=False,
                month_rule=rule,
                page_rule=None,
            )
            for key, value in period.items():
                if value is None:
                    kept.pop(key, None)
                elif key == "bulan" and value == rule:
                    kept[key] = rule  # in the month's place
    return kept.urlencode()


def join_query(query: str, **params) -> str:
    """`query` ("?tahun=2025", or "" for none) with `params` added."""
    extra = urlencode(params)
    if not query:
        return "?" + extra if extra else ""
    return f"{query}&{extra}" if extra else query


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
    # Whether the address chose a year (?tahun=) other than the default year.
    year_chosen: bool = field(default=False, compare=False)
    # The rule of the page's own default month (`MONTH_RULES`), and the one its month
    # follows when not chosen (another when a link from a page of that rule said so).
    page_rule: str = field(default=MONTH_DUE, compare=False)
    month_rule: str = field(default=MONTH_DUE, compare=False)
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
        """The query string of these filters with `changes` applied, for links to a page
        of the same month rule ("" when there is nothing to say). Without changes
        (`{{ filters.query }}` in every row link) it is built once.

        The year is in it when the user chose it (`year_chosen`) or a month; the month
        when the user chose it (`month_chosen`), or it is December of a year in the link.
        A link from a page on the default period (on 1 December 2026: 2026 s.d. Oktober,
        November's reports being due on the 10th; on 15 January 2027: 2026 s.d.
        Desember, until January 2027's are due on 10 February) opens the default period
        of the day it is opened, so that a page reached through it and saved keeps
        opening the latest figures."""
        if not changes:
            if "_query" not in self.__dict__:
                object.__setattr__(self, "_query", self._query_of(self))
            return self.__dict__["_query"]
        return self._query_of(replace(self, **changes))

    @property
    def dashboard_query(self) -> str:
        """`query()` for a link to the overview, a program or a regency page (their
        default month is the latest one due), from any page."""
        return self._query_of(self, page_rule=MONTH_DUE)

    @property
    def completeness_query(self) -> str:
        """`query()` for a link to the completeness grid (its default month is the
        running one), from any page: the grid then shows the period this page shows."""
        return self._query_of(self, page_rule=MONTH_RUNNING)

    @property
    def pinned_query(self) -> str:
        """`query()` with the year and month always in it, for downloads: the file has
        the period the page shows, even when the default period moves on between the
        two."""
        return self.download_query()

    def download_query(self, **changes) -> str:
        """`pinned_query` with `changes` applied: a download of a page that shows more
        than its address names (the completeness grid's program when none is asked,
        the first one), so that the file is the table shown."""
        return self._query_of(replace(self, **changes), pin=True)

    @property
    def form_period(self) -> str:
        """The period the filter form is drawn for: its `FORM_PERIOD` field."""
        period = f"{self.year}-{self.month}" + (MONTH_CHOSEN if self.month_chosen else "")
        if not (self.year_chosen or self.month_chosen):
            period += YEAR_DEFAULT
        if self.month_rule != self.page_rule:
            period += ":" + self.month_rule
        return period

    @property
    def as_of(self) -> dt.date:
        """The day "Seharusnya s.d." counts to, on the pages and in their exports: the end
        of the chosen month, or today within the current month."""
        return as_of_date(year=self.year, month=self.month)

    @staticmethod
    def _query_of(target: Filters, *, pin: bool = False, page_rule: str | None = None) -> str:
        period = link_period(
            target.year,
            target.month,
            year_chosen=target.year_chosen,
            month_chosen=target.month_chosen,
            month_rule=target.month_rule,
            page_rule=page_rule or target.page_rule,
            pin=pin,
        )
        params = {key: value for key, value in period.items() if value is not None}
        if target.indicator:
            params["indikator"] = target.indicator
        if target.verified_only and not target.forced_verified:
            params["terverifikasi"] = 1
        if target.sort:
            params["urutkan"] = target.sort
        if target.program:
            params["program"] = target.program
        return join_query("", **params)


def parse_filters(request, *, month_rule: str = MONTH_DUE) -> Filters:
    """`month_rule`: the page's default month when the link has none (`MONTH_RULES`; by
    default the year's latest month whose reports are due). A link may name the other
    rule (?bulan=berjalan)."""
    get = request.GET
    # Only officials (users with a role) see provisional figures; everyone else, anonymous
    # visitors included, sees verified data only, and opens on a year that has some.
    forced = not permissions.sees_provisional(request.user)
    # A year the menu does not offer (?tahun=2023, before the launch) is the default one.
    asked = year_from(get.get("tahun"))
    year, sets = shown_year(asked, verified_only=forced)
    # A period that has not begun (?tahun=2029, or December in November) is shown as the
    # latest one that has.
    year, month = begun_period(year, month_from(get.get("bulan")))
    rule = month_rule_from(get.get("bulan")) or month_rule
    default = MONTH_RULES[rule](year=year)
    # A month in the address other than the page's own choice is the user's, and so is
    # a year other than the default one.
    chosen = month is not None and month != default
    if month is None:
        month = default
    return Filters(
        year=year,
        month=month,
        indicator=(get.get("indikator") or "").strip()[:60] or None,
        verified_only=forced or verified_only_from(get.get("terverifikasi")),
        forced_verified=forced,
        sort=(get.get("urutkan") or "").strip()[:40] or None,
        program=(get.get("program") or "").strip()[:40] or None,
        month_chosen=chosen,
        year_chosen=year != selectors.default_year(sets=sets),
        page_rule=month_rule,
        month_rule=rule,
        year_sets=sets,
    )
