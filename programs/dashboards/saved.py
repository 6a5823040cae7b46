"""Saved views ("Tersimpan"): a user's starred dashboard pages with their filters.

Reads and writes in one small module: what may be saved is decided here (a dashboard
path and its known filter parameters, nothing else), so a saved link can never point
outside the dashboards nor carry arbitrary query text.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from functools import cached_property
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programs import filters, formats, permissions
from programs.dashboards import selectors
from programs.models import Indicator, Program, SavedView
from programs.text import NUL_CHARACTER, has_nul
from regencies.models import Regency

DASHBOARD_VIEWS = {
    "programs:overview",
    "programs:program",
    "programs:regency",
    "programs:completeness",
}
# Each filter's values: numbers, codes and slugs (their model fields' lengths), in ASCII.
# Others are dropped, so the stored query always fits its 300 characters.
FILTER_VALUES = {
    "tahun": re.compile(r"[0-9]{4}", re.ASCII),
    "bulan": re.compile(r"[0-9]{1,2}|" + "|".join(filters.MONTH_RULES), re.ASCII),
    "indikator": re.compile(r"[A-Za-z0-9_-]{1,60}", re.ASCII),
    "terverifikasi": re.compile(r"[A-Za-z0-9]{1,5}", re.ASCII),
    "urutkan": re.compile(r"-?[A-Za-z0-9_-]{1,40}", re.ASCII),
    "program": re.compile(r"[A-Za-z0-9_-]{1,40}", re.ASCII),
    "lengkap": re.compile(r"-?[a-z]{1,20}", re.ASCII),
}
MAX_PER_USER = 100

EMPTY_URL = _(
    "Tidak ada alamat halaman yang dikirim. Buka halaman dasbor yang ingin disimpan, "
    "lalu tekan ☆ Simpan tampilan ini."
)
OFF_SITE = _("Alamat itu bukan halaman situs ini. Hanya halaman dasbor yang dapat disimpan.")
NOT_A_DASHBOARD = _(
    "Halaman itu bukan halaman dasbor. Hanya ringkasan, halaman program, halaman "
    "kabupaten/kota dan kelengkapan yang dapat disimpan."
)
NO_SUCH_PAGE = _(
    "Halaman itu tidak ada: program atau kabupaten/kota pada alamatnya tidak ditemukan."
)
TOO_MANY = _("Sudah ada 100 tampilan tersimpan. Hapus salah satu dahulu.")


class SavedViewError(ValueError):
    pass


def clean_dashboard_url(url: str, *, verified_only: bool = False) -> tuple[str, str]:
    """(path, query) of a dashboard URL with only its well-formed filter parameters, in
    a fixed order; SavedViewError saying why for anything that is not a dashboard page.

    A filter is kept only when the page would use it as it stands: a year or month the
    dashboards' own parsing (programs.filters) accepts, "verified only" when it is on,
    an indicator of the program, a program that exists. Anything else the page replaces
    by its default, and so does the saved link without it. `verified_only`: the saver
    sees verified figures only (their year menu offers the years with verified data)."""
    if not (url or "").strip():
        raise SavedViewError(EMPTY_URL)
    if has_nul(url):
        raise SavedViewError(_(NUL_CHARACTER))
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        raise SavedViewError(OFF_SITE)
    try:
        match = resolve(parts.path)
    except Resolver404 as error:
        raise SavedViewError(NOT_A_DASHBOARD) from error
    if match.view_name not in DASHBOARD_VIEWS:
        raise SavedViewError(NOT_A_DASHBOARD)
    # A page that answers 404 is no dashboard page: the program or regency must exist.
    slug, code = match.kwargs.get("slug"), match.kwargs.get("code")
    program = None
    if slug is not None:
        program = Program.objects.filter(slug=slug).first()
        if program is None:
            raise SavedViewError(NO_SUCH_PAGE)
    if code is not None and not Regency.objects.filter(code=code).exists():
        raise SavedViewError(NO_SUCH_PAGE)
    # A filter form's submission is the address the page answers it at (a year changed
    # alone drops the month).
    query = filters.form_query(QueryDict(parts.query))
    params = {
        key: value
        for key, value in parse_qsl(parts.query if query is None else query)
        if key in FILTER_VALUES and FILTER_VALUES[key].fullmatch(value)
    }
    period = _kept_period(
        params.get("tahun"),
        params.get("bulan"),
        verified_only=verified_only,
        view_name=match.view_name,
    )
    kept = []
    for key in FILTER_VALUES:
        value = period.get(key) or _kept_value(
            key, params.get(key), program=program, view_name=match.view_name
        )
        if value is not None:
            kept.append((key, value))
    return parts.path, urlencode(kept)


class _Years:
    """The years with data, read once and only when a period needs them."""

    def __init__(self, *, verified_only: bool, today: dt.date):
        self.verified_only, self.today = verified_only, today

    @cached_property
    def sets(self) -> selectors.YearSets:
        return selectors.year_sets(verified_only=self.verified_only)

    @cached_property
    def default(self) -> int:
        return selectors.default_year(sets=self.sets, today=self.today)


def _page_period(
    tahun: str | None, bulan: str | None, years: _Years
) -> tuple[int | None, int | None]:
    """The year and month a page reads from a link's `tahun` and `bulan`, as far as the
    link decides them (None: the page's default): an earlier year the year menu does not
    offer is no year (filters.offered_year), a period that has not begun is the latest
    begun one (filters.begun_period)."""
    today = years.today
    year, month = filters.year_from(tahun), filters.month_from(bulan)
    if year is not None and year < today.year:
        year = filters.offered_year(year, sets=years.sets, today=today)
    if year is not None:
        year, month = filters.begun_period(year, month, today)
    return year, month


def _kept_period(
    tahun: str | None, bulan: str | None, *, verified_only: bool = False, view_name: str = ""
) -> dict[str, str | None]:
    """The saved link's `tahun` and `bulan` as the page reads them (`_page_period`), so
    "?tahun=2029&bulan=12" is saved, and titled, as the page it opens shows ("2026 s.d.
    November"), and "?tahun=2023" (before the launch) as the page's default year. Without
    a year the month stays as typed: the page's year, and so its clamp, is the latest
    one when the link is opened (`saved_views_of` titles it so).

    What the page reads as its default is not kept, as its own links leave it out
    (`Filters.query`): the default month (a page opened on 1 December from an address
    with bulan=10, October being the latest month due, and saved, opens November once
    its reports are due, as the list promises: "always opens the latest figures"), and
    the default year with it (saved on 1 December 2026 with tahun=2026, it opens 2027
    once January 2027's reports are due, on 10 February). A month or year the user chose
    stays, and so does December of a year the link keeps. A link's month rule
    (`filters.MONTH_RULES`) stays when it is not the page's own."""
    today = timezone.localdate()
    years = _Years(verified_only=verified_only, today=today)
    year, month = _page_period(tahun, bulan, years)
    completeness = view_name == "programs:completeness"
    page_rule = filters.MONTH_RUNNING if completeness else filters.MONTH_DUE
    rule = filters.month_rule_from(bulan) or page_rule
    shown_year = years.default if year is None else year
    month_chosen = month is not None and month != filters.MONTH_RULES[rule](
        year=shown_year, today=today
    )
    return filters.link_period(
        year,
        month,
        year_chosen=year is not None and year != years.default,
        month_chosen=month_chosen,
        month_rule=rule,
        page_rule=page_rule,
    )


def _kept_value(
    key: str, value: str | None, *, program: Program | None, view_name: str = ""
) -> str | None:
    """`value` of filter `key` as a saved link keeps it, None to drop it."""
    if value is None:
        return None
    if key == "urutkan":
        # Only the overview's scorecard is ordered, by a column it has (an unknown order
        # is its default ranking, programs.dashboards.selectors._scorecard).
        column = value[1:] if value.startswith("-") else value
        known = column in {"nama", "sesuai"} or Program.objects.filter(slug=column).exists()
        return value if view_name == "programs:overview" and known else None
    if key == "lengkap":
        # The overview's completeness summary order, by a column it has.
        from programs.dashboards.views import COMPLETENESS_SORTS

        known = value.removeprefix("-") in COMPLETENESS_SORTS
        return value if view_name == "programs:overview" and known else None
    if key in ("tahun", "bulan"):
        return None  # _kept_period
    if key == "terverifikasi":
        return "1" if filters.verified_only_from(value) else None
    if key == "indikator" and program is not None:
        exists = Indicator.objects.filter(program=program, code=value).exists()
        return value if exists else None
    if key == "program":
        return value if Program.objects.filter(slug=value).exists() else None
    return value


class _Names:
    """Programs, indicators and regencies by their codes, each read once (one query per
    kind, and only when a title needs it) for a list of titles."""

    @cached_property
    def programs(self) -> dict[str, Program]:
        return {program.slug: program for program in Program.objects.all()}

    @cached_property
    def indicators(self) -> dict[tuple[int, str], Indicator]:
        return {(i.program_id, i.code): i for i in Indicator.objects.all()}

    @cached_property
    def regencies(self) -> dict[str, Regency]:
        return {regency.code: regency for regency in Regency.objects.all()}


def describe(path: str, query: str, names: _Names | None = None) -> str:
    """A title for a saved page in words, in the active language: 'GBRSS · Rumah
    dibedah · 2024 s.d. Maret' ('GBRSS · Rumah dibedah · 2024 through March' in
    English), 'GBRSS · terbaru' ('GBRSS · latest') for one on the default period, and
    'GBRSS · tahun terbaru s.d. Maret' for a month without a year. `query` is a cleaned
    one (clean_dashboard_url)."""
    names = names or _Names()
    match = resolve(path)
    params = dict(parse_qsl(query))
    parts = []
    if match.view_name == "programs:program":
        program = names.programs.get(match.kwargs["slug"])
        parts.append(program.display_label if program else match.kwargs["slug"])
        code = params.get("indikator")
        indicator = names.indicators.get((program.pk, code)) if code and program else None
        if indicator:
            parts.append(indicator.display_name)
    elif match.view_name == "programs:regency":
        regency = names.regencies.get(match.kwargs["code"])
        parts.append(regency.display_name if regency else match.kwargs["code"])
    elif match.view_name == "programs:completeness":
        slug = params.get("program")
        program = names.programs.get(slug) if slug else None
        parts.append(str(_("Kelengkapan")) + (f" {program.display_label}" if program else ""))
    else:
        parts.append(str(_("Ringkasan")))
    # Without a year the page shows the latest one, and the title says so: a leader
    # tells a view that moves with the calendar from one pinned to a period ("Ringkasan"
    # read the same for both). The month still says how far.
    year, month = filters.year_from(params.get("tahun")), filters.month_from(params.get("bulan"))
    latest = _("tahun terbaru") if month else _("terbaru")
    period = [str(year or latest)]
    if month:
        period.append(f"{_('s.d.')} {formats.month_label(month)}")
    parts.append(" ".join(period))
    if params.get("terverifikasi"):
        parts.append(str(_("hanya terverifikasi")))
    return " · ".join(parts)[:200]


def saved_view_create(*, user, url: str) -> tuple[SavedView, bool]:
    """Star a dashboard page for `user`; starring it again returns the existing entry."""
    path, query = clean_dashboard_url(url, verified_only=not permissions.sees_provisional(user))
    title = describe(path, query)
    existing = SavedView.objects.filter(user=user, path=path, query=query).first()
    if existing:
        return existing, False
    if SavedView.objects.filter(user=user).count() >= MAX_PER_USER:
        raise SavedViewError(TOO_MANY)
    try:
        with transaction.atomic():
            return SavedView.objects.create(user=user, path=path, query=query, title=title), True
    except IntegrityError:  # a double click raced the first save
        return SavedView.objects.get(user=user, path=path, query=query), False


def saved_view_delete(*, user, pk: int) -> bool:
    """Remove one of `user`'s saved views (another user's is never touched)."""
    deleted, _count = SavedView.objects.filter(user=user, pk=pk).delete()
    return bool(deleted)


def saved_views_of(*, user) -> list[SavedView]:
    """`user`'s saved views, each titled in the list's language with the period its
    link opens today. The title stored when starring is in the language of that moment
    (an English list read "Ringkasan · hanya terverifikasi"), and a view kept with a
    period that had not begun (saved before such periods were clamped, or a month
    without a year, read in the page's year when opened: "s.d. Desember" opens "2026
    s.d. November" on 30 November) kept a title the page did not show. The period is
    read as the page reads it (`_page_period`); the link stays as saved, and opens the
    latest period the page shows on the day it is opened."""
    views = list(SavedView.objects.filter(user=user))
    years = _Years(verified_only=not permissions.sees_provisional(user), today=timezone.localdate())
    names = _Names()
    for view in views:
        params = dict(parse_qsl(view.query))
        tahun, bulan = params.pop("tahun", None), params.pop("bulan", None)
        year, month = _page_period(tahun, bulan, years)
        if year is None and month is not None and month > years.today.month:
            # The page's own year, when it is this one, stops at the running month.
            month = filters.begun_period(years.default, month, years.today)[1]
        shown = {"tahun": year, "bulan": month, **params}
        query = urlencode({k: v for k, v in shown.items() if v is not None})
        # An address the site no longer has keeps its stored title.
        with contextlib.suppress(Resolver404):
            view.title = describe(view.path, query, names)
    return views
