"""Exports under /unduh/: each dashboard table and the raw realizations, as CSV or XLSX.

Every export parses the same query parameters as its page (`parse_filters`) and calls the
same selector, so a file equals the page it came from.

Who may export what (decided in `permissions`):

- Dashboard tables (rapor, program, wilayah, kelengkapan, kinerja): every official role
  (`permissions.can_export_tables`), with provisional figures unless they ask for verified only;
  and, while PUBLIC_DASHBOARD is on, anyone who may read the dashboards, with verified
  figures only (what they see on the page). With PUBLIC_DASHBOARD off an anonymous
  visitor is sent to the login page.
- Raw realizations: logged-in roles only, scoped by `MonthlyReport.objects.visible_to`
  (operator: their regency; verifikator: their programs; pimpinan and admin: all).
  Anonymous visitors are sent to the login page; a user without a role gets 403.
"""

from __future__ import annotations

from dataclasses import replace
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control, patch_vary_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_safe

from programs import formats, permissions, ytd
from programs.dashboards import selectors
from programs.filters import MONTH_RUNNING, Filters, parse_filters
from programs.pagecache import cached_page
from programs.spreadsheets import exports
from programs.spreadsheets import selectors as export_selectors


class FormatConverter:
    """`csv` or `xlsx` in an export URL (`/unduh/rapor.xlsx`)."""

    regex = "csv|xlsx"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


def table_export(view):
    """GET-only export of a dashboard table: officials, or anyone while the dashboards are
    public (verified figures only, see `export_filters`)."""

    cached = cached_page(ytd.read_only(view))  # the flush only on a miss

    @require_safe  # GET, and HEAD for link checkers
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not permissions.can_export_tables(request.user):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            raise PermissionDenied
        return cached(request, *args, **kwargs)

    return wrapper


def export_filters(request: HttpRequest, **options) -> Filters:
    """The page's filters; whoever may not export provisional figures gets verified only
    (anonymous visitors already do, through `parse_filters`, which takes `options`)."""
    filters = parse_filters(request, **options)
    if not permissions.can_export(request.user) and not filters.forced_verified:
        filters = replace(filters, verified_only=True, forced_verified=True)
    return filters


def _filter_info(filters: Filters, user, *, month: bool = True) -> list[tuple[str, str]]:
    info = [(_("Tahun"), str(filters.year))]
    if month:
        info.append((_("Sampai bulan"), formats.month_label(filters.month)))
    data = exports.data_label(
        verified_only=filters.verified_only,
        forced=filters.forced_verified,
        operator=permissions.is_operator(user),
    )
    info.append((_("Data"), data))
    return info


def _page_url(request: HttpRequest, name: str, filters: Filters, *args, **changes) -> str:
    """The page this export mirrors, with the same filters and period (a shareable URL
    that opens what the file holds, as its download link named the period)."""
    path = reverse(f"programs:{name}", args=args)
    return request.build_absolute_uri(path + filters.download_query(**changes))


def _stem(*parts, filters: Filters | None = None) -> str:
    if filters is not None and filters.verified_only:
        parts = (*parts, "terverifikasi")
    return "-".join(str(p) for p in parts if p)


def _period(filters: Filters) -> str:
    return f"{filters.year}-{filters.month:02d}"


def respond(export: exports.Export, fmt: str, *, private: bool = False) -> HttpResponseBase:
    """CSV streamed from a generator, XLSX from a spooled temporary file; attachments
    that vary with the login and are not stored by shared caches."""
    if fmt == "csv":
        response = StreamingHttpResponse(
            exports.csv_stream(export), content_type=exports.CSV_CONTENT_TYPE
        )
        response["Content-Disposition"] = content_disposition_header(True, f"{export.filename}.csv")
    elif fmt == "xlsx":
        response = FileResponse(
            exports.xlsx_file(export),
            as_attachment=True,
            filename=f"{export.filename}.xlsx",
            content_type=exports.XLSX_CONTENT_TYPE,
        )
    else:
        raise Http404
    if private:
        add_never_cache_headers(response)
    else:
        patch_cache_control(response, private=True, max_age=0)
    patch_vary_headers(response, ["Cookie"])
    return response


def _province() -> str:
    return _("Provinsi Sumatera Selatan")


@table_export
def scorecard(request: HttpRequest, fmt: str) -> HttpResponseBase:
    """The overview's regency scorecard (/unduh/rapor.<fmt>)."""
    filters = export_filters(request)
    board = selectors.scorecard(
        year=filters.year,
        month=filters.month,
        verified_only=filters.verified_only,
        sort=filters.sort,
    )
    key = board.sort.lstrip("-")
    labels = {
        p.slug: _("capaian %(program)s") % {"program": p.display_label} for p in board.programs
    }
    labels |= {"nama": _("nama kabupaten/kota"), "sesuai": _("jumlah program sesuai jadwal")}
    sort = labels.get(key, key) + (_(" (urutan terbalik)") if board.sort.startswith("-") else "")
    headline = [
        (
            p.display_label,
            f"{p.headline_indicators[0].display_name} ({p.headline_indicators[0].unit_label})",
        )
        for p in board.programs
    ]
    export = exports.build_export(
        title=_("Rapor kabupaten/kota: capaian indikator utama tiap program"),
        filename=_stem("rapor", _period(filters), filters=filters),
        info=[*_filter_info(filters, request.user), (_("Urutan"), sort), *headline],
        sheets=[exports.scorecard_sheet(board)],
        provisional=not filters.verified_only,
        page_url=_page_url(request, "overview", filters),
    )
    return respond(export, fmt)


@table_export
def program(request: HttpRequest, slug: str, fmt: str) -> HttpResponseBase:
    """The program page's table per regency for the chosen indicator."""
    filters = export_filters(request)
    page = selectors.program_page_for(slug=slug, filters=filters)
    if page is None:
        raise Http404(_("Program tidak ditemukan"))
    program = page.program
    indicator = page.indicator
    if indicator is None:
        raise Http404(_("Program ini belum memiliki indikator."))
    info = [
        (_("Program"), f"{program.display_name} ({program.display_label})"),
        (_("Indikator"), f"{indicator.display_name} ({indicator.unit_label})"),
        (_("Cara agregasi"), str(indicator.get_measure_display())),
        *_filter_info(filters, request.user),
    ]
    if page.unallocated is not None:
        info.append((_("Target belum dialokasikan"), formats.plain_number(page.unallocated, 0)))
    if page.over_allocated is not None:
        excess = formats.plain_number(page.over_allocated, 0)
        info.append((_("Alokasi melebihi target provinsi sebanyak"), excess))
    code = "" if indicator.is_headline else indicator.code
    export = exports.build_export(
        title=_("Capaian per kabupaten/kota"),
        filename=_stem(program.slug, code, _period(filters), filters=filters),
        info=info,
        sheets=[exports.program_sheet(page, province_label=_province(), as_of=filters.as_of)],
        provisional=not filters.verified_only,
        page_url=_page_url(request, "program", filters, program.slug),
        notes=[page.missing_note, _due_note()],
    )
    return respond(export, fmt)


@table_export
def regency(request: HttpRequest, code: str, fmt: str) -> HttpResponseBase:
    """The regency page: each program indicator, the regency beside the province."""
    filters = export_filters(request)
    page = selectors.regency_page_for(code=code, filters=filters)
    if page is None:
        raise Http404(_("Kabupaten/kota tidak ditemukan"))
    regency = page.regency
    export = exports.build_export(
        title=_("Capaian %(regency)s dibanding provinsi") % {"regency": regency.display_name},
        filename=_stem("wilayah", regency.code_compact, _period(filters), filters=filters),
        info=[(_("Kabupaten/kota"), f"{regency.display_name} ({regency.code})")]
        + _filter_info(filters, request.user),
        sheets=[exports.regency_sheet(page, province_label=_("provinsi"), as_of=filters.as_of)],
        provisional=not filters.verified_only,
        page_url=_page_url(request, "regency", filters, regency.code),
    )
    return respond(export, fmt)


@table_export
def completeness(request: HttpRequest, fmt: str) -> HttpResponseBase:
    """The completeness grid of one program (?program=<slug>, the first by default)."""
    filters = export_filters(request, month_rule=MONTH_RUNNING)
    page = selectors.completeness_page_for(filters=filters)
    if page.chosen is None:
        raise Http404(_("Belum ada program dengan indikator."))
    chosen, grid = page.chosen, page.grid
    export = exports.build_export(
        title=_("Kelengkapan dan ketepatan waktu laporan"),
        filename=_stem("kelengkapan", chosen.slug, _period(filters)),  # the month, as the others
        info=[
            (_("Program"), f"{chosen.display_name} ({chosen.display_label})"),
            (_("Tahun"), str(filters.year)),
            (_("Sampai bulan"), formats.month_label(filters.month)),
        ],
        sheets=[exports.completeness_sheet(grid, total_label=_("Semua kabupaten/kota"))],
        provisional=False,
        page_url=_page_url(request, "completeness", filters, program=chosen.slug),
        notes=[_due_note()],
    )
    return respond(export, fmt)


def _due_note() -> str:
    """When a month's report is due (the completeness and program table exports)."""
    return _("Laporan suatu bulan jatuh tempo pada tanggal %(day)s bulan berikutnya.") % {
        "day": settings.REPORT_DUE_DAY
    }


@table_export
def performance(request: HttpRequest, slug: str) -> HttpResponseBase:
    """Indicator performance tracking workbook of a program (XLSX only): per indicator,
    regencies x months with target, monthly and year-to-date values and achievement."""
    program = selectors.program_with_indicators(slug)
    if program is None or not program.indicator_list:
        raise Http404(_("Program tidak ditemukan"))
    filters = export_filters(request)
    book = export_selectors.performance_book(
        program=program,
        year=filters.year,
        month=filters.month,
        verified_only=filters.verified_only,
    )
    sheets = exports.performance_sheets(book, province_label=_province())
    info = [
        (_("Program"), f"{program.display_name} ({program.display_label})"),
        *_filter_info(filters, request.user),
    ]
    info += [
        (
            _("Lembar %(sheet)s") % {"sheet": item.indicator.code},
            f"{item.indicator.display_name} ({item.indicator.unit_label}; "
            f"{item.indicator.get_measure_display()})",
        )
        for item in book.sheets
    ]
    export = exports.build_export(
        title=_("Pelacakan kinerja indikator"),
        filename=_stem("kinerja", program.slug, _period(filters), filters=filters),
        info=info,
        sheets=sheets,
        provisional=not filters.verified_only,
        page_url=_page_url(request, "program", filters, program.slug),
        notes=[
            _(
                "Bulan ini: angka laporan bulan itu saja (untuk indikator kumulatif: posisi "
                "s.d. bulan itu; untuk provinsi: gabungan laporan bulan itu)."
            ),
            _(
                "S.d. bulan ini: penambahan dijumlah dari Januari; kumulatif dan tingkat "
                "memakai laporan terakhir; rasio = jumlah pembilang / jumlah penyebut "
                "laporan terakhir tiap kabupaten/kota."
            ),
        ],
    )
    return respond(export, "xlsx")


def _scope_label(user) -> str:
    scope = permissions.scope_of(user)
    if permissions.sees_every_report(user) or scope is None:
        return _("Semua kabupaten/kota dan program")
    programs = ", ".join(p.display_label for p in scope.programs.all()) or _("semua program")
    if permissions.is_operator(user):
        return f"{scope.regency.display_name}; {programs}"
    return programs


@require_GET
def realizations(request: HttpRequest, fmt: str) -> HttpResponseBase:
    """Raw realization rows of counted reports the user may see (/unduh/realisasi.<fmt>),
    filtered by tahun, bulan (up to), program, indikator and terverifikasi."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not permissions.can_see_raw_realizations(request.user):
        raise PermissionDenied
    filters = export_filters(request)
    if filters.forced_verified and permissions.sees_provisional_rows(request.user):
        # Raw rows of the user's own scope: submitted ones included (an operator's own).
        asked = request.GET.get("terverifikasi") in {"1", "on", "true"}
        filters = replace(filters, verified_only=asked, forced_verified=False)
    rows = export_selectors.realization_rows(
        user=request.user,
        year=filters.year,
        month=filters.month,
        verified_only=filters.verified_only,
        program_slug=filters.program,
        indicator_code=filters.indicator,
    )
    info = _filter_info(filters, request.user)
    if filters.program:
        info.append((_("Program"), filters.program))
    if filters.indicator:
        info.append((_("Indikator"), filters.indicator))
    info.append((_("Lingkup"), _scope_label(request.user)))
    export = exports.build_export(
        title=_("Realisasi bulanan (data mentah)"),
        filename=_stem("realisasi", _period(filters), filters.program, filters=filters),
        info=info,
        sheets=[exports.realization_sheet(rows, province_label=_("Provinsi"))],
        provisional=not filters.verified_only,
        notes=[_("Laporan draf dan yang dikembalikan tidak termasuk.")],
    )
    return respond(export, fmt, private=True)
