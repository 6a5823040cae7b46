"""Saved views ("Tersimpan"): a user's starred dashboard pages with their filters.

Reads and writes in one small module: what may be saved is decided here (a dashboard
path and its known filter parameters, nothing else), so a saved link can never point
outside the dashboards nor carry arbitrary query text.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.db import IntegrityError, transaction
from django.urls import Resolver404, resolve
from django.utils.translation import gettext_lazy as _

from programs import formats
from programs.models import Indicator, Program, SavedView
from regencies.models import Regency

DASHBOARD_VIEWS = {
    "programs:overview",
    "programs:program",
    "programs:regency",
    "programs:completeness",
}
# Each filter's values: numbers, codes and slugs (their model fields' lengths). Others
# are dropped, so the stored query always fits its 300 characters.
FILTER_VALUES = {
    "tahun": re.compile(r"[0-9]{4}", re.ASCII),
    "bulan": re.compile(r"[0-9]{1,2}", re.ASCII),
    "indikator": re.compile(r"[A-Za-z0-9_-]{1,60}", re.ASCII),
    "terverifikasi": re.compile(r"[A-Za-z0-9]{1,5}", re.ASCII),
    "urutkan": re.compile(r"-?[A-Za-z0-9_-]{1,40}", re.ASCII),
    "program": re.compile(r"[A-Za-z0-9_-]{1,40}", re.ASCII),
}
MAX_PER_USER = 100

NOT_A_DASHBOARD = _("Hanya halaman dasbor yang dapat disimpan.")
TOO_MANY = _("Sudah ada 100 tampilan tersimpan. Hapus salah satu dahulu.")


class SavedViewError(ValueError):
    pass


def clean_dashboard_url(url: str) -> tuple[str, str]:
    """(path, query) of a dashboard URL with only its filter parameters, in a fixed
    order; SavedViewError for anything that is not a dashboard page."""
    parts = urlsplit(url or "")
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        raise SavedViewError(NOT_A_DASHBOARD)
    try:
        match = resolve(parts.path)
    except Resolver404 as error:
        raise SavedViewError(NOT_A_DASHBOARD) from error
    if match.view_name not in DASHBOARD_VIEWS:
        raise SavedViewError(NOT_A_DASHBOARD)
    # A page that answers 404 is no dashboard page: the program or regency must exist.
    slug, code = match.kwargs.get("slug"), match.kwargs.get("code")
    if slug is not None and not Program.objects.filter(slug=slug).exists():
        raise SavedViewError(NOT_A_DASHBOARD)
    if code is not None and not Regency.objects.filter(code=code).exists():
        raise SavedViewError(NOT_A_DASHBOARD)
    params = dict(parse_qsl(parts.query))
    query = urlencode(
        [(k, params[k]) for k, valid in FILTER_VALUES.items() if valid.fullmatch(params.get(k, ""))]
    )
    return parts.path, query


def describe(path: str, query: str) -> str:
    """A title for a saved page in words: 'GBRSS · Rumah dibedah · 2024 s.d. Maret'."""
    match = resolve(path)
    params = dict(parse_qsl(query))
    parts = []
    if match.view_name == "programs:program":
        program = Program.objects.filter(slug=match.kwargs["slug"]).first()
        parts.append(program.label if program else match.kwargs["slug"])
        code = params.get("indikator")
        indicator = Indicator.objects.filter(program=program, code=code).first() if code else None
        if indicator:
            parts.append(indicator.name)
    elif match.view_name == "programs:regency":
        regency = Regency.objects.filter(code=match.kwargs["code"]).first()
        parts.append(regency.display_name if regency else match.kwargs["code"])
    elif match.view_name == "programs:completeness":
        parts.append(
            str(_("Kelengkapan"))
            + (f" {params['program'].upper()}" if params.get("program") else "")
        )
    else:
        parts.append(str(_("Ringkasan")))
    year, month = params.get("tahun", ""), params.get("bulan", "")
    if FILTER_VALUES["tahun"].fullmatch(year):
        period = year
        if FILTER_VALUES["bulan"].fullmatch(month) and 1 <= int(month) <= 12:
            period += f" {_('s.d.')} {formats.month_label(int(month))}"
        parts.append(period)
    if params.get("terverifikasi"):
        parts.append(str(_("hanya terverifikasi")))
    return " · ".join(parts)[:200]


def saved_view_create(*, user, url: str) -> tuple[SavedView, bool]:
    """Star a dashboard page for `user`; starring it again returns the existing entry."""
    path, query = clean_dashboard_url(url)
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
    return list(SavedView.objects.filter(user=user))
