"""Read-only JSON API under /api/v1/: plain function views returning JsonResponse.

Same rules as the pages: anonymous callers read verified data while PUBLIC_DASHBOARD is
on (401 otherwise); officials (programs.permissions.sees_provisional) also see submitted
figures, marked provisional; raw realization rows follow reports_visible_to. Sessions
(the site's login cookie) authenticate. Every list is paginated (page, page_size) in a
stable order, at a fixed number of queries per page. Errors are JSON with an Indonesian
`detail`. Numbers are JSON numbers rounded to 4 decimal places (see `number`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import wraps

from django.conf import settings
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, resolve, reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from programs import permissions
from programs.dashboards import selectors
from programs.filters import MAX_YEAR, MIN_YEAR
from programs.models import MonthlyReport, Program
from programs.openapi import openapi_description
from programs.selectors import api as reads
from regencies.models import Regency

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
PUBLIC_MAX_AGE = 60  # seconds an anonymous (public, verified-only) answer may be cached
PLACES = Decimal("0.0001")  # numbers are rounded to the 4 decimal places values are stored in
INTEGER = re.compile(r"[0-9]{1,9}")
REGENCY_CODE = re.compile(r"^[0-9]{2}\.[0-9]{2}$")
SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,60}$")
TRUE, FALSE = {"1", "true"}, {"0", "false"}
PAGE_PARAMS = ("page", "page_size")
STATUSES = (MonthlyReport.Status.VERIFIED, MonthlyReport.Status.SUBMITTED)


class ApiError(Exception):
    def __init__(self, status: int, detail: str, parameter: str | None = None):
        super().__init__(detail)
        self.status, self.detail, self.parameter = status, detail, parameter

    def response(self) -> JsonResponse:
        return error_response(self.status, self.detail, self.parameter)


def error_response(status: int, detail: str, parameter: str | None = None) -> JsonResponse:
    body = {"detail": detail}
    if parameter:
        body["parameter"] = parameter
    return json_response(body, status=status)


def json_response(data: dict, *, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def api_view(*, params: tuple[str, ...] = (), public: bool = False):
    """GET only (405 otherwise, as JSON); refuses unknown query parameters; anonymous
    callers only while PUBLIC_DASHBOARD is on unless `public` (the index and the OpenAPI
    description hold no data). Adds the caching headers.

    CSRF-exempt so that a POST gets its 405 rather than a CSRF page: nothing here writes.
    """

    def decorator(view: Callable) -> Callable:
        def dispatch(request, *args, **kwargs):
            if request.method != "GET":
                response = error_response(
                    405,
                    _("Metode %(method)s tidak diizinkan; API ini hanya-baca (GET).")
                    % {"method": request.method},
                )
                response["Allow"] = "GET"
                return response
            if not (public or settings.PUBLIC_DASHBOARD or request.user.is_authenticated):
                response = error_response(
                    401, _("Silakan masuk terlebih dahulu untuk memakai API ini.")
                )
                response["WWW-Authenticate"] = 'Session realm="sumsel-gerakan"'
                return response
            try:
                _refuse_unknown(request, params)
                return view(request, *args, **kwargs)
            except ApiError as exc:
                return exc.response()

        @csrf_exempt
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            response = dispatch(request, *args, **kwargs)
            patch_vary_headers(response, ["Cookie"])
            if request.user.is_authenticated or response.status_code != 200:
                patch_cache_control(response, private=True)
            else:
                patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
            return response

        wrapper.api_params = params  # the OpenAPI description is tested against these
        return wrapper

    return decorator


def _refuse_unknown(request, allowed: tuple[str, ...]) -> None:
    for name in request.GET:
        if name not in allowed:
            raise ApiError(
                400,
                _("Parameter '%(name)s' tidak dikenal. Parameter yang diterima: %(allowed)s.")
                % {"name": name, "allowed": ", ".join(allowed) or "-"},
                name,
            )


# --- Parameters -------------------------------------------------------------------------


def _value(request, name: str) -> str | None:
    values = request.GET.getlist(name)
    if len(values) > 1:
        raise ApiError(
            400, _("Parameter '%(name)s' hanya boleh diisi sekali.") % {"name": name}, name
        )
    value = values[0].strip() if values else ""
    return value or None


def _int_param(request, name: str, low: int, high: int | None = None) -> int | None:
    raw = _value(request, name)
    if raw is None:
        return None
    value = int(raw) if INTEGER.fullmatch(raw) else None
    if value is None or value < low or (high is not None and value > high):
        bounds = f"{low}–{high}" if high is not None else _("minimal %(low)s") % {"low": low}
        raise ApiError(
            400,
            _("Parameter '%(name)s' harus bilangan bulat (%(bounds)s), bukan '%(raw)s'.")
            % {"name": name, "bounds": bounds, "raw": raw[:40]},
            name,
        )
    return value


def year_param(request) -> int | None:
    return _int_param(request, "tahun", MIN_YEAR, MAX_YEAR)


def month_param(request) -> int | None:
    return _int_param(request, "bulan", 1, 12)


def verified_param(request) -> bool:
    raw = _value(request, "terverifikasi")
    if raw is None or raw.lower() in FALSE:
        return False
    if raw.lower() in TRUE:
        return True
    raise ApiError(
        400,
        _("Parameter 'terverifikasi' harus 1 atau 0, bukan '%(raw)s'.") % {"raw": raw[:40]},
        "terverifikasi",
    )


def program_param(request) -> Program | None:
    slug = _value(request, "program")
    if slug is None:
        return None
    program = Program.objects.filter(slug=slug, active=True).first() if SLUG.match(slug) else None
    if program is None:
        raise ApiError(
            404, _("Program '%(slug)s' tidak ditemukan.") % {"slug": slug[:60]}, "program"
        )
    return program


def indicator_param(request, program: Program | None) -> str | None:
    code = _value(request, "indikator")
    if code is None:
        return None
    indicators = (
        reads.api_indicators(program=program, indicator_code=code) if SLUG.match(code) else []
    )
    if not indicators:
        raise ApiError(
            404, _("Indikator '%(code)s' tidak ditemukan.") % {"code": code[:60]}, "indikator"
        )
    return code


def place_param(request) -> str | None:
    """`wilayah`: a Kemendagri code (16.07) or `provinsi` for province rows."""
    raw = _value(request, "wilayah")
    if raw is None:
        return None
    if raw.lower() == reads.PROVINCE:
        return reads.PROVINCE
    if not REGENCY_CODE.match(raw):
        raise ApiError(
            400,
            _(
                "Parameter 'wilayah' harus kode Kemendagri (mis. 16.07) atau 'provinsi', "
                "bukan '%(raw)s'."
            )
            % {"raw": raw[:40]},
            "wilayah",
        )
    if not Regency.objects.filter(code=raw).exists():
        raise ApiError(
            404, _("Kabupaten/kota '%(code)s' tidak ditemukan.") % {"code": raw}, "wilayah"
        )
    return raw


def status_param(request) -> str | None:
    raw = _value(request, "status")
    if raw is None:
        return None
    if raw not in STATUSES:
        raise ApiError(
            400,
            _("Parameter 'status' harus salah satu dari: %(allowed)s.")
            % {"allowed": ", ".join(STATUSES)},
            "status",
        )
    return raw


# --- Pagination and numbers -------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    number: int
    size: int

    @property
    def start(self) -> int:
        return (self.number - 1) * self.size

    @property
    def stop(self) -> int:
        return self.number * self.size


def page_param(request) -> Page:
    number = _int_param(request, "page", 1) or 1
    size = _int_param(request, "page_size", 1) or DEFAULT_PAGE_SIZE
    return Page(number=number, size=min(size, MAX_PAGE_SIZE))


def _page_link(request, number: int) -> str:
    query = request.GET.copy()
    query["page"] = str(number)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def paginated(request, *, page: Page, count: int, results: list, **extra) -> JsonResponse:
    """The envelope of every list: count, next, previous, page, page_size, results."""
    if page.number > 1 and page.start >= count:
        raise ApiError(404, _("Halaman %(page)s tidak ada.") % {"page": page.number}, "page")
    return json_response(
        {
            "count": count,
            "next": _page_link(request, page.number + 1) if page.stop < count else None,
            "previous": _page_link(request, page.number - 1) if page.number > 1 else None,
            "page": page.number,
            "page_size": page.size,
            **extra,
            "results": results,
        }
    )


def paginate_queryset(request, queryset, serialize, **extra) -> JsonResponse:
    page = page_param(request)
    count = queryset.count()
    results = [serialize(obj) for obj in queryset[page.start : page.stop]] if count else []
    return paginated(request, page=page, count=count, results=results, **extra)


def number(value: Decimal | None) -> int | float | None:
    """A Decimal as a JSON number rounded half-up to 4 decimal places: stored values (4
    places) and their sums are exact; quotients (achievements, ratios) are rounded.
    Whole numbers come out as integers (8391, not 8391.0)."""
    if value is None:
        return None
    rounded = Decimal(value).quantize(PLACES, rounding=ROUND_HALF_UP)
    if rounded == rounded.to_integral_value():
        return int(rounded)
    return float(rounded)


def _date(value):
    return value.isoformat() if value else None


# --- Serializers ------------------------------------------------------------------------


def indicator_json(indicator) -> dict:
    return {
        "code": indicator.code,
        "name": indicator.name,
        "unit": indicator.unit,
        "decimals": indicator.decimals,
        "measure": indicator.measure,
        "direction": indicator.direction,
        "headline": indicator.is_headline,
        "description": indicator.description,
    }


def program_json(request, program: Program) -> dict:
    return {
        "slug": program.slug,
        "acronym": program.acronym,
        "name": program.name,
        "label": program.label,
        "description": program.description,
        "lead_agency": program.lead_agency,
        "launch_date": _date(program.launch_date),
        "launch_note": program.launch_note,
        "colour": program.colour,
        "order": program.order,
        "page_url": request.build_absolute_uri(program.get_absolute_url()),
        "indicators": [indicator_json(i) for i in program.indicator_list],
    }


def regency_json(request, regency: Regency) -> dict:
    return {
        "code": regency.code,
        "bps_code": regency.bps_code,
        "name": regency.name,
        "display_name": regency.display_name,
        "kind": regency.kind,
        "capital": regency.capital,
        "area_km2": number(regency.area_km2),
        "population": regency.population,
        "population_year": regency.population_year,
        "synthetic": regency.is_synthetic,
        "page_url": request.build_absolute_uri(regency.get_absolute_url()),
    }


def target_json(target) -> dict:
    return {
        "program": target.indicator.program.slug,
        "indicator": target.indicator.code,
        "regency": target.regency_id,
        "year": target.year,
        "value": number(target.value),
        "baseline": number(target.baseline),
        "due_date": _date(target.effective_due_date),
        "source_note": target.source_note,
        "source_url": target.source_url,
        "demo": target.is_demo,
    }


def progress_json(row: reads.ProgressRow) -> dict:
    p = row.progress
    return {
        "program": row.indicator.program.slug,
        "indicator": row.indicator.code,
        "regency": p.regency_code,
        "target": number(p.target),
        "baseline": number(p.baseline),
        "due_date": _date(p.due_date),
        "realization": number(p.realization),
        "numerator": number(p.numerator),
        "denominator": number(p.denominator),
        "achievement": number(p.achievement),
        "expected": number(p.expected),
        "expected_value": number(p.expected_value),
        "status": p.status,
        "status_label": p.status_label,
        "provisional": p.provisional,
        "latest_month": p.latest_month,
    }


def realization_json(row: dict, *, with_note: bool) -> dict:
    data = {
        "id": row["pk"],
        "program": row["report__program__slug"],
        "indicator": row["indicator__code"],
        "regency": row["report__regency_id"],
        "year": row["report__year"],
        "month": row["report__month"],
        "status": row["report__status"],
        "provisional": row["report__status"] == MonthlyReport.Status.SUBMITTED,
        "funding_source": row["funding_source__code"],
        "funding_category": row["funding_source__category"],
        "value": number(row["value"]),
        "numerator": number(row["numerator"]),
        "denominator": number(row["denominator"]),
        "demo": row["report__is_demo"],
    }
    if with_note:
        data["note"] = row["note"]
    return data


# --- Views ------------------------------------------------------------------------------

ENDPOINTS = ("programs", "regencies", "targets", "progress", "realizations")


@api_view(public=True)
def index(request):
    """Links to every endpoint and what the caller may see."""
    role = permissions.role_of(request.user)
    return json_response(
        {
            "name": "Dasbor Gerakan Serentak Sumsel — API (hanya-baca)",
            "version": "v1",
            "links": {
                name: request.build_absolute_uri(reverse(f"api:{name}")) for name in ENDPOINTS
            },
            "openapi": request.build_absolute_uri(reverse("api:openapi")),
            "caller": {
                "authenticated": request.user.is_authenticated,
                "role": role,
                "provisional": permissions.sees_provisional(request.user),
                "public_dashboard": settings.PUBLIC_DASHBOARD,
            },
        }
    )


@api_view(params=PAGE_PARAMS)
def programs(request):
    """Active programs with their indicators."""
    return paginate_queryset(request, reads.api_programs(), lambda p: program_json(request, p))


@api_view()
def program(request, slug: str):
    """One active program with its indicators."""
    found = reads.api_program(slug)
    if found is None:
        raise ApiError(404, _("Program '%(slug)s' tidak ditemukan.") % {"slug": slug})
    return json_response(program_json(request, found))


@api_view(params=PAGE_PARAMS)
def regencies(request):
    """The kabupaten/kota (synthetic load-test regencies flagged `synthetic`)."""
    return paginate_queryset(request, reads.api_regencies(), lambda r: regency_json(request, r))


@api_view(params=("tahun", "program", "indikator", "wilayah", *PAGE_PARAMS))
def targets(request):
    """Targets per indicator, province (regency null) and regencies; all years by default."""
    program = program_param(request)
    queryset = reads.api_targets(
        year=year_param(request),
        program=program,
        indicator_code=indicator_param(request, program),
        wilayah=place_param(request),
    )
    return paginate_queryset(request, queryset, target_json)


@api_view(
    params=("tahun", "bulan", "program", "indikator", "wilayah", "terverifikasi", *PAGE_PARAMS)
)
def progress(request):
    """Program x indicator x place progress for tahun up to bulan: the pages' numbers."""
    year = year_param(request) or selectors.default_year()
    month = month_param(request) or selectors.default_month(year=year)
    verified_only = verified_param(request) or not permissions.sees_provisional(request.user)
    program = program_param(request)
    code = indicator_param(request, program)
    wilayah = place_param(request)
    page = page_param(request)
    indicators = reads.api_indicators(program=program, indicator_code=code)
    slots = reads.progress_slots(wilayah)
    rows = reads.progress_rows(
        indicators=indicators,
        slots=slots,
        start=page.start,
        stop=page.stop,
        year=year,
        month=month,
        verified_only=verified_only,
    )
    return paginated(
        request,
        page=page,
        count=len(indicators) * len(slots),
        results=[progress_json(row) for row in rows],
        filters={"tahun": year, "bulan": month, "terverifikasi": verified_only},
    )


@api_view(params=("tahun", "bulan", "program", "indikator", "wilayah", "status", *PAGE_PARAMS))
def realizations(request):
    """Raw realization rows of submitted and verified reports the caller may read."""
    year = year_param(request)
    month = month_param(request)
    if month is not None and year is None:
        raise ApiError(400, _("Parameter 'bulan' memerlukan parameter 'tahun'."), "bulan")
    program = program_param(request)
    verified_only = not permissions.sees_provisional(request.user)
    queryset = reads.api_realizations(
        user=request.user,
        year=year,
        month=month,
        program=program,
        indicator_code=indicator_param(request, program),
        wilayah=place_param(request),
        status=status_param(request),
    )
    with_note = permissions.role_of(request.user) is not None
    return paginate_queryset(
        request,
        queryset,
        lambda r: realization_json(r, with_note=with_note),
        filters={"tahun": year, "bulan": month, "terverifikasi": verified_only},
    )


@api_view(public=True)
def openapi(request):
    """The OpenAPI 3.1 description of this API."""
    return json_response(openapi_description())


@csrf_exempt
def not_found(request, path: str = ""):
    """JSON 404 for unknown API paths; a missing trailing slash is added (GET only)."""
    if request.method == "GET" and not request.path_info.endswith("/"):
        try:
            match = resolve(request.path_info + "/")
        except Resolver404:
            match = None
        if match is not None and match.url_name != "not_found":
            query = request.GET.urlencode()
            return HttpResponsePermanentRedirect(
                request.path + "/" + (f"?{query}" if query else "")
            )
    response = error_response(
        404, _("Alamat API tidak ditemukan. Lihat %(index)s.") % {"index": reverse("api:index")}
    )
    patch_vary_headers(response, ["Cookie"])
    patch_cache_control(response, private=True)
    return response
