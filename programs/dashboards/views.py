"""Dashboard views: thin functions that parse filters, call selectors and render.

An htmx request gets the page's `page-body` partial (defined inline in the page template,
so the two cannot drift); a history restore gets the full page. Every view that answers
both ways varies on HX-Request.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from accounts.redirects import login_page_response
from programs import formats, permissions, ytd
from programs.dashboards import charts, maps, selectors
from programs.filters import MONTH_RUNNING, Filters, form_query, join_query, parse_filters
from programs.models import Indicator
from programs.pagecache import cached_page
from programs.reporting import selectors as reporting


def dashboard(view):
    """GET-only dashboard view: public when PUBLIC_DASHBOARD, otherwise login first;
    served from the page cache (programs/pagecache.py). A submitted filter form is
    answered at the address it stands for (`form_submission`)."""

    cached = cached_page(ytd.read_only(view))  # the flush only on a miss

    @require_safe  # GET, and HEAD for uptime monitors and link checkers
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not permissions.can_read_dashboards(request.user):
            return login_page_response(request)  # htmx filters too
        query = form_query(request.GET)
        if query is None:
            return cached(request, *args, **kwargs)
        return form_submission(request, query, lambda: cached(request, *args, **kwargs))

    return wrapper


def form_submission(request: HttpRequest, query: str, respond) -> HttpResponse:
    """The filter form sends its menus and the period it was drawn for (`form_query`
    reads them: a year changed alone drops the month). Without JavaScript the browser is
    sent to the page's address for them, so the address bar holds a link to share; an
    htmx request is answered at once, as that address, which htmx puts in the address
    bar (HX-Push-Url) instead of the form's fields."""
    url = f"{request.path}?{query}" if query else request.path
    if not request.htmx or request.htmx.history_restore_request:
        return HttpResponseRedirect(url)
    # The view, the page cache key and the page's own links (the save button) read the
    # request as if that address had been asked for.
    request.GET = QueryDict(query)
    request.META["QUERY_STRING"] = query
    response = respond()
    response["HX-Push-Url"] = url
    return response


def render_page(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    if request.htmx and not request.htmx.history_restore_request:
        template = f"{template}#page-body"
    # page_cached: the header's account part is loaded separately (never cached).
    response = render(request, template, {**context, "page_cached": True})
    patch_vary_headers(response, ["HX-Request"])
    return response


def _regency_base() -> str:
    """The regency page's address without its code: row, bar and map links add the code
    and the query themselves (one reverse() per page, not per regency)."""
    return reverse("programs:regency", args=["00.00"]).removesuffix("00.00/")


def _filter_context(filters: Filters, request: HttpRequest | None = None) -> dict:
    return {
        "filters": filters,
        # Row links of big tables without a reverse() and a urlencode per row.
        "query": filters.query(),
        "regency_base": _regency_base(),
        "years": filters.years,
        # The day "Seharusnya" is counted to: the end of the chosen month, or today
        # (always in the page's year: a year that has not begun is never shown).
        "as_of_label": formats.day_month_label(filters.as_of),
        # A year without targets says so, and shows an admin where to set them
        # (the page cache keys pages by user and role: programs/pagecache.py).
        "targets_missing": filters.targets_missing,
        "copies_targets": request is not None and permissions.is_admin(request.user),
    }


@dashboard
def overview(request: HttpRequest) -> HttpResponse:
    """Every program's headline progress, the regency scorecard and reporting completeness."""
    filters = parse_filters(request)
    overview_page = selectors.overview_page(
        year=filters.year,
        month=filters.month,
        verified_only=filters.verified_only,
        sort=filters.sort,
    )
    cards, board = overview_page.cards, overview_page.board
    closed_month, completeness = overview_page.closed_month, overview_page.completeness
    completeness_sort = request.GET.get("lengkap", "")
    if completeness_sort.lstrip("-") not in COMPLETENESS_SORTS or (
        filters.forced_verified and completeness_sort.lstrip("-") == "diajukan"
    ):
        # An unknown order is the default one; visitors see no submitted counts, nor
        # an order by them.
        completeness_sort = ""
    completeness = _sort_completeness(completeness, completeness_sort)
    # The completeness summary's order stays when the scorecard is ordered, as the
    # scorecard's stays when the summary is (and the filter form carries both).
    kept = {"lengkap": completeness_sort} if completeness_sort else {}
    sort_links = {
        key: join_query(filters.query(sort=("-" + key) if board.sort == key else key), **kept)
        for key in ["nama", "sesuai", *[p.slug for p in board.programs]]
    }
    query = filters.query()
    context = {
        **_filter_context(filters, request),
        "cards": cards,
        "board": board,
        "sort_links": sort_links,
        "ranking_note": selectors.PROGRAM_RANKING_NOTE
        if board.sort.lstrip("-") in {p.slug for p in board.programs}
        else selectors.RANKING_NOTE,
        "closed_month": closed_month,
        "completeness_of_chosen_month": overview_page.completeness_of_chosen_month,
        "completeness": completeness,
        "completeness_sort": completeness_sort,
        "completeness_links": {
            key: join_query(query, lengkap="-" + key if completeness_sort == key else key)
            for key in COMPLETENESS_SORTS
        },
        "status_map": _overview_map(board, filters.query(sort=None)),
        "behind": board.behind_by_program(),
    }
    return render_page(request, "programs/dashboards/overview.html", context)


def _overview_map(board, query: str) -> maps.StatusMap:
    """Each real regency in its overall status, with the programs it is behind on."""
    base = _regency_base()
    return maps.status_map(
        [
            maps.MapArea(
                code=r.regency.code,
                name=r.regency.name,
                status=r.overall_status,
                status_label=r.overall_status_label,
                url=f"{base}{r.regency.code}/{query}",
                detail=", ".join(p.label for p in r.behind_programs),
            )
            for r in board.rows
            if not r.regency.is_synthetic
        ],
        map_id="overview-map",
    )


def _program_map(rows, query: str) -> maps.StatusMap:
    """Each real regency in its status for the program page's indicator ("tidak wajib"
    where it is exempt, without a figure)."""
    base = _regency_base()
    areas = []
    for row in rows:
        if row.regency.is_synthetic:
            continue
        status, label = row.shown_status
        shown = row.required and row.progress.achievement is not None
        areas.append(
            maps.MapArea(
                code=row.regency.code,
                name=row.regency.name,
                status=status,
                status_label=label,
                url=f"{base}{row.regency.code}/{query}",
                detail=formats.percent(row.progress.achievement) if shown else "",
            )
        )
    return maps.status_map(areas, map_id="program-map")


# The overview's completeness summary is ordered by `lengkap`: one of these columns, "-"
# before it for the reverse order.
COMPLETENESS_SORTS = ("program", "diajukan", "terverifikasi")


def _sort_completeness(rows: list, sort: str) -> list:
    """The overview's completeness summary in the order its column links ask for."""
    descending = sort.startswith("-")
    sign = -1 if descending else 1
    keys = {
        "program": lambda r: (sign * r.program.order, r.program.slug),
        "diajukan": lambda r: (sign * r.submitted, r.program.order),
        "terverifikasi": lambda r: (sign * r.verified, r.program.order),
    }
    key = keys.get(sort.lstrip("-"))
    return sorted(rows, key=key) if key else rows


def _bar_rows(rows, query: str) -> list[charts.BarRow]:
    """Each regency's bar, linking to its page for the same period, like the map. A
    regency exempt from the indicator this month has no bar (it is not ranked)."""
    base = _regency_base()
    return [
        charts.BarRow(
            code=row.regency.code,
            name=row.regency.name,
            achievement=row.progress.achievement,
            status=row.progress.status,
            status_label=row.progress.status_label,
            url=f"{base}{row.regency.code}/{query}",
        )
        for row in rows
        if row.required
    ]


@dashboard
def program(request: HttpRequest, slug: str) -> HttpResponse:
    """One program: per-regency achievement (bars, map, table), trend and funding."""
    filters = parse_filters(request)
    page = selectors.program_page_for(slug=slug, filters=filters)
    if page is None:
        raise Http404(_("Program tidak ditemukan"))
    program = page.program
    figures = {}
    status_map = bars = bars_note = None
    indicator = page.indicator
    if indicator is not None:
        query = filters.query()
        bar_rows = _bar_rows(page.rows, query)
        expected = page.province.expected if page.province else None
        bars = charts.achievement_bars(bar_rows, expected=expected)
        bars_note = _bars_note(bars, page)
        status_map = _program_map(page.rows, query)
        figures["trend"] = charts.cumulative_chart(
            months=[formats.month_label(p.month)[:3] for p in page.series],
            values=[p.value for p in page.series],
            expected=[p.expected_value for p in page.series],
            unit=indicator.unit_label,
            decimals=indicator.decimals,
            realized_label=str(_realized_label(indicator)),
            expected_label=str(_expected_label(indicator)),
            previous=[p.value for p in page.previous_line],
            previous_label=str(_("Tahun lalu (%(year)s)") % {"year": filters.year - 1}),
        )
        if page.sources:
            figures["sources"] = charts.horizontal_bars(
                labels=[s.label for s in page.sources],
                values=[s.value for s in page.sources],
                unit=indicator.unit_label,
                decimals=indicator.decimals,
                colour=charts.REALIZATION_COLOUR,
            )
        if page.splits:
            figures["splits"] = charts.planned_vs_realized_chart(
                labels=[str(s.label) for s in page.splits],
                planned=[s.planned for s in page.splits],
                realized=[s.realized for s in page.splits],
                unit=indicator.unit_label,
                planned_label=str(_("Rencana")),
                realized_label=str(_("Realisasi")),
            )
    context = {
        **_filter_context(filters, request),
        "program": program,
        "page": page,
        "figures": figures,
        "status_map": status_map,
        "bars": bars,
        "bars_note": bars_note,
        "tabs": [(i, filters.query(indicator=i.code)) for i in page.indicators],
        "gallery": reporting.public_photos(program_id=program.pk),
        "can_export_raw": permissions.can_see_raw_realizations(request.user),
        # The raw data of this page's program, whatever ?program= the address carries.
        "raw_query": filters.download_query(program=program.slug),
        "due_day": settings.REPORT_DUE_DAY,
    }
    return render_page(request, "programs/dashboards/program.html", context)


# What the program page says under its achievement bars: how they are ordered, or, when
# there are none, why (a sorting caption under an empty list read as if bars were
# missing).
BARS_SORTED = _(
    "Diurutkan dari capaian tertinggi. Klik nama untuk membuka kabupaten/kota; rincian ada "
    "di tabel di bawah."
)
BARS_NO_TARGET = _(
    "Indikator ini belum punya target, jadi tidak ada capaian (persen dari target) untuk "
    "digambar. Realisasi tiap kabupaten/kota ada di tabel di bawah."
)
BARS_NOT_ALLOCATED = _(
    "Target provinsi belum dibagi ke kabupaten/kota, jadi tidak ada capaian per "
    "kabupaten/kota untuk digambar. Realisasi tiap kabupaten/kota ada di tabel di bawah."
)
BARS_NO_DATA = _(
    "Belum ada realisasi kabupaten/kota yang dihitung untuk periode ini, jadi belum ada "
    "capaian untuk digambar."
)


def _bars_note(bars: charts.BarChart, page) -> str:
    """The caption under the achievement bars (`BARS_*`)."""
    if bars.bars:
        return str(BARS_SORTED)
    if not any(row.progress.target is not None for row in page.rows):
        province = page.province
        if province is None or province.target is None:
            return str(BARS_NO_TARGET)
        return str(BARS_NOT_ALLOCATED)
    return str(BARS_NO_DATA)


def _realized_label(indicator: Indicator):
    if indicator.measure == Indicator.Measure.INCREMENT:
        return _("Realisasi kumulatif")
    return _("Realisasi")


def _expected_label(indicator: Indicator):
    return _("Lintasan target")


@dashboard
def regency(request: HttpRequest, code: str) -> HttpResponse:
    """One regency: every program's indicators against target and province, trends and
    its reporting status per month."""
    filters = parse_filters(request)
    page = selectors.regency_page_for(code=code, filters=filters)
    if page is None:
        raise Http404(_("Kabupaten/kota tidak ditemukan"))
    regency = page.regency
    figures = {}
    for block in page.blocks:
        for item in block.indicators:
            if any(v is not None for _m, v in item.trend):
                figures[item.indicator.pk] = charts.trend_chart(
                    months=[formats.month_label(m)[:3] for m, _v in item.trend],
                    values=[v for _m, v in item.trend],
                    unit=item.indicator.unit_label,
                    decimals=item.indicator.decimals,
                    as_bars=item.indicator.measure == Indicator.Measure.INCREMENT,
                )
    context = {
        **_filter_context(filters, request),
        "regency": regency,
        "page": page,
        "figures": figures,
        "gallery": reporting.public_photos(regency_code=regency.code),
    }
    return render_page(request, "programs/dashboards/regency.html", context)


@dashboard
def meeting_summary(request: HttpRequest) -> HttpResponse:
    """One A4 page for a coordination meeting (Rakor): every program's headline figure,
    status, the regencies behind, completeness and the data date."""
    filters = parse_filters(request)
    lines, closed_month = selectors.meeting_summary(
        year=filters.year, month=filters.month, verified_only=filters.verified_only
    )
    latest = [ln.card.progress.latest_month for ln in lines if ln.card.progress]
    context = {
        **_filter_context(filters, request),
        "lines": lines,
        "closed_month": closed_month,
        "data_month": max((m for m in latest if m), default=None),
        "demo": selectors.has_demo_data(year=filters.year),
        "today": timezone.localdate(),
    }
    # page_cached: the header's account part is loaded separately (never cached).
    return render(
        request, "programs/dashboards/summary_print.html", {**context, "page_cached": True}
    )


@dashboard
def completeness(request: HttpRequest) -> HttpResponse:
    """Reporting completeness and timeliness: regency x month per program, January to
    the chosen month (by default the running month, or December of a past year)."""
    filters = parse_filters(request, month_rule=MONTH_RUNNING)
    page = selectors.completeness_page_for(filters=filters)
    context = {
        **_filter_context(filters),
        # Its regency links open the regency page on the grid's period.
        "regency_query": filters.dashboard_query,
        "chosen": page.chosen,
        "grid": page.grid,
        "tabs": [(p, filters.query(program=p.slug)) for p in page.programs],
        "due_day": settings.REPORT_DUE_DAY,
    }
    if page.chosen is not None:
        # The downloads name the program shown (the first one when none is asked).
        context["download_query"] = filters.download_query(program=page.chosen.slug)
    return render_page(request, "programs/dashboards/completeness.html", context)
