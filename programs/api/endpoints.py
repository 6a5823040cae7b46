"""Read-only JSON API under /api/v1/ on django-ninja: the operations and their rules.

Same rules as the pages: anonymous callers read verified data while PUBLIC_DASHBOARD is
on (401 otherwise); leaders, verifiers and admins (`permissions.sees_provisional`) also
see submitted figures, marked provisional; raw realization rows follow the reporting
scope (`permissions.api_realization_reports`), an operator's own submitted rows included.
The site's session cookie authenticates. Query
parameters are typed (`schemas.*Query`): an unknown, repeated or malformed one is a 400,
an unknown program, indicator, regency or page a 404, always JSON with an Indonesian
`detail` (and `parameter` when one is at fault). Every list is paginated in a stable
order at a fixed number of queries per page. The OpenAPI description is generated from
these operations and served at /api/v1/openapi.json. Methods other than GET, caching
headers and unknown paths are handled around ninja in `programs.api.urls`.
"""

from __future__ import annotations

import json
import re
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Path, Query
from ninja.errors import AuthenticationError, ValidationError
from ninja.renderers import JSONRenderer
from ninja.security import APIKeyCookie

from programs import permissions
from programs.api import reads
from programs.api.schemas import (
    PARAMETER_MESSAGES,
    SLUG_PATTERN,
    AttachmentPage,
    AttachmentQuery,
    ErrorOut,
    IndexOut,
    PageQuery,
    ProgramOut,
    ProgramPage,
    ProgressPage,
    ProgressQuery,
    RealizationPage,
    RealizationQuery,
    RegencyPage,
    TargetPage,
    TargetQuery,
)
from programs.dashboards import selectors
from programs.filters import MAX_YEAR, MIN_YEAR, begun_period, shown_year
from programs.models import Program

ENDPOINTS = ("programs", "regencies", "targets", "progress", "realizations", "attachments")
ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut}


class ApiError(Exception):
    """An answer other than 200, raised anywhere in an operation."""

    def __init__(self, status: int, detail: str, parameter: str | None = None):
        super().__init__(detail)
        self.status, self.detail, self.parameter = status, detail, parameter


class SessionOrPublic(APIKeyCookie):
    """The site's login session (log in at /akun/masuk/). Anonymous callers pass too while
    PUBLIC_DASHBOARD is on: the operations then show verified data only."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=False)  # GET only: nothing here writes

    def __call__(self, request: HttpRequest):
        if request.user.is_authenticated:
            return request.user
        return permissions.can_read_dashboards(request.user)

    def authenticate(self, request: HttpRequest, key: str | None):  # pragma: no cover
        return None  # __call__ decides


class Renderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}


class ReadOnlyAPI(NinjaAPI):
    def get_content_type(self) -> str:
        return self.renderer.media_type  # JSON is UTF-8 by definition (RFC 8259)

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """Security says the session is optional: anonymous callers read public data."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema["paths"].values():
            for operation in operations.values():
                if operation.get("security"):
                    operation["security"] = [{}, *operation["security"]]
        return schema


api = ReadOnlyAPI(
    title="Dasbor Gerakan Serentak Sumsel API",
    version="1.0.0",
    description=(
        "Read-only JSON API of the dashboard. Same permission rules as the pages: "
        "anonymous callers read verified data while PUBLIC_DASHBOARD is on; logged-in "
        "officials (session cookie) also see submitted figures, marked provisional. Raw "
        "realization rows are scoped like the reporting pages (operators: their regency; "
        "verifiers: their programs). Lists are paginated with `page` and `page_size`; "
        "unknown, repeated or malformed query parameters are refused (400). Errors carry "
        "an Indonesian `detail`."
    ),
    urls_namespace="api",
    openapi_url=None,  # served by the `openapi` operation below, under the same rules
    docs_url=None,  # Swagger UI loads from a CDN: not under this site's CSP
    auth=SessionOrPublic(),
    renderer=Renderer(),
)


# --- Errors -----------------------------------------------------------------------------


def error_body(detail: str, parameter: str | None = None) -> dict:
    return {"detail": detail, **({"parameter": parameter} if parameter else {})}


@api.exception_handler(ApiError)
def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return api.create_response(request, error_body(exc.detail, exc.parameter), status=exc.status)


@api.exception_handler(ValidationError)
def invalid_parameter(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """A malformed parameter: the first one at fault, in words (400, not ninja's 422)."""
    loc = exc.errors[0]["loc"]
    name = str(loc[-1]) if len(loc) > 1 else str(loc[0])
    message = PARAMETER_MESSAGES.get(name)
    if message is None:
        detail = _("Parameter '%(name)s' tidak valid.") % {"name": name}
    else:
        raw = request.GET.get(name, "")
        detail = message % {"raw": raw[:40], "low": MIN_YEAR, "high": MAX_YEAR}
    return api.create_response(request, error_body(detail, name), status=400)


@api.exception_handler(AuthenticationError)
def login_required(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    body = error_body(_("Silakan masuk terlebih dahulu untuk memakai API ini."))
    response = api.create_response(request, body, status=401)
    response["WWW-Authenticate"] = 'Session realm="sumsel-gerakan"'
    return response


@api.exception_handler(Exception)
def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    raise exc  # Django's handlers: a 503 while the database is down, else a 500


ORDER = ("tahun", "bulan", "program", "indikator", "wilayah", "terverifikasi", "status")


def query_names(operation) -> list[str]:
    """The query parameters of an operation, the filters first, then page and page_size."""
    names = set()
    for model in operation.models:
        if model.__ninja_param_source__ == "query":
            names |= set(getattr(model, "__ninja_flatten_map__", None) or model.model_fields)
    return sorted(
        names, key=lambda name: (ORDER.index(name) if name in ORDER else len(ORDER), name)
    )


def strict_query(run):
    """Refuse query parameters an operation does not take, and repeated ones (400),
    before ninja reads them (it would ignore the first and take the last)."""
    allowed = query_names(run.__self__)

    @wraps(run)
    def checked(request: HttpRequest, *args, **kwargs):
        for name in request.GET:
            if name not in allowed:
                detail = _(
                    "Parameter '%(name)s' tidak dikenal. Parameter yang diterima: %(allowed)s."
                ) % {"name": name[:40], "allowed": ", ".join(allowed) or "-"}
            elif len(request.GET.getlist(name)) > 1:
                detail = _("Parameter '%(name)s' hanya boleh diisi sekali.") % {"name": name}
            else:
                continue
            return api.create_response(request, error_body(detail, name[:40]), status=400)
        return run(request, *args, **kwargs)

    return checked


api.add_decorator(strict_query, mode="view")


# --- Helpers ------------------------------------------------------------------------------


def _page_link(request: HttpRequest, number: int) -> str:
    query = request.GET.copy()
    query["page"] = str(number)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def page_of(request: HttpRequest, query: PageQuery, *, count: int, results, **extra) -> dict:
    """The envelope of every list: count, next, previous, page, page_size, results."""
    return {
        "count": count,
        "next": _page_link(request, query.page + 1) if query.stop < count else None,
        "previous": _page_link(request, query.page - 1) if query.page > 1 else None,
        "page": query.page,
        "page_size": query.size,
        **extra,
        "results": results,
    }


def check_page(query: PageQuery, count: int) -> None:
    if query.page > 1 and query.start >= count:
        raise ApiError(404, _("Halaman %(page)s tidak ada.") % {"page": query.page}, "page")


def paginate(request: HttpRequest, query: PageQuery, queryset, **extra) -> dict:
    count = queryset.count()
    check_page(query, count)
    results = list(queryset[query.start : query.stop]) if count else []
    return page_of(request, query, count=count, results=results, **extra)


def _slug(value: str) -> bool:
    return re.fullmatch(SLUG_PATTERN, value) is not None


def program_param(slug: str | None) -> Program | None:
    if slug is None:
        return None
    program = Program.objects.filter(slug=slug, active=True).first() if _slug(slug) else None
    if program is None:
        raise ApiError(404, _("Program '%(slug)s' tidak ditemukan.") % {"slug": slug}, "program")
    return program


def indicator_param(code: str | None, program: Program | None) -> str | None:
    if code is None:
        return None
    if not (_slug(code) and reads.api_indicators(program=program, indicator_code=code)):
        raise ApiError(
            404, _("Indikator '%(code)s' tidak ditemukan.") % {"code": code}, "indikator"
        )
    return code


def place_param(wilayah: str | None) -> str | None:
    """`wilayah` (already shaped like 16.07 or `provinsi`) must name a known regency."""
    if wilayah is None or wilayah == reads.PROVINCE:
        return wilayah
    if not reads.api_regencies().filter(code=wilayah).exists():
        raise ApiError(
            404, _("Kabupaten/kota '%(code)s' tidak ditemukan.") % {"code": wilayah}, "wilayah"
        )
    return wilayah


def filter_params(query) -> dict:
    """A list's `program`, `indikator` and `wilayah`, each checked (404 when unknown), as
    the keyword arguments of the reads."""
    program = program_param(query.program)
    return {
        "program": program,
        "indicator_code": indicator_param(query.indikator, program),
        "wilayah": place_param(query.wilayah),
    }


def year_of(query, request) -> int | None:
    """`tahun`; `bulan` alone means a month of the pages' default year (for the caller:
    a year with verified reports for one who sees nothing else)."""
    if query.bulan is not None and query.tahun is None:
        return selectors.default_year(verified_only=not permissions.sees_provisional(request.user))
    return query.tahun


def operation(path: str, name: str, response, **options):
    """A documented GET operation: its URL name, operation id and summary follow its
    name; 400, 401 and 404 answer with ErrorOut."""
    return api.get(
        path,
        response={200: response, **ERRORS},
        url_name=name,
        operation_id=name,
        summary=name.capitalize(),
        **options,
    )


# --- Operations ---------------------------------------------------------------------------


@api.get("/", auth=None, response=IndexOut, url_name="index", operation_id="index", summary="Index")
def index(request: HttpRequest):
    """Links to every endpoint and what the caller may see."""
    return {
        "name": "Dasbor Gerakan Serentak Sumsel — API (hanya-baca)",
        "version": "v1",
        "links": {name: request.build_absolute_uri(reverse(f"api:{name}")) for name in ENDPOINTS},
        "openapi": request.build_absolute_uri(reverse("api:openapi")),
        "caller": {
            "authenticated": request.user.is_authenticated,
            "role": permissions.role_of(request.user),
            "provisional": permissions.sees_provisional(request.user),
            "public_dashboard": settings.PUBLIC_DASHBOARD,
        },
    }


@api.get(
    "/openapi.json",
    auth=None,
    include_in_schema=False,
    url_name="openapi",
    operation_id="openapi",
)
def openapi(request: HttpRequest):
    """This API's OpenAPI 3.1 description, generated from the operations."""
    schema = api.get_openapi_schema()
    return HttpResponse(
        json.dumps(schema, ensure_ascii=False, cls=Renderer.encoder_class),
        content_type="application/json",
    )


@operation("/programs/", "programs", ProgramPage)
def programs(request: HttpRequest, query: Query[PageQuery]):
    """Active programs in page order, with their indicators."""
    return paginate(request, query, reads.api_programs())


@operation("/programs/{slug}/", "program", ProgramOut)
def program(
    request: HttpRequest,
    slug: str = Path(..., pattern=SLUG_PATTERN, max_length=60, examples=["gbrss"]),
):
    """One active program with its indicators."""
    found = reads.api_program(slug)
    if found is None:
        raise ApiError(404, _("Program '%(slug)s' tidak ditemukan.") % {"slug": slug[:60]})
    return found


@operation("/regencies/", "regencies", RegencyPage)
def regencies(request: HttpRequest, query: Query[PageQuery]):
    """The kabupaten/kota by Kemendagri code (synthetic load-test regencies flagged)."""
    return paginate(request, query, reads.api_regencies())


@operation("/targets/", "targets", TargetPage)
def targets(request: HttpRequest, query: Query[TargetQuery]):
    """Targets by year, program, indicator; the province row (regency null) before the
    regencies. All years unless `tahun` is given."""
    queryset = reads.api_targets(year=query.tahun, **filter_params(query))
    return paginate(request, query, queryset)


@operation("/progress/", "progress", ProgressPage)
def progress(request: HttpRequest, query: Query[ProgressQuery]):
    """One row per indicator x place (the province first, then every regency by code) for
    `tahun` up to `bulan`, computed exactly as on the pages. Without `tahun`/`bulan`: the
    pages' defaults (the latest year with data, up to its latest month whose reports are
    due). A period that has not begun is answered as the latest one that has, and an
    earlier year the pages' year menu does not offer (before the launch, or without
    data) as the default year, as on the pages (`filters` says which)."""
    public = not permissions.sees_provisional(request.user)
    year, _sets = shown_year(query.tahun, verified_only=public)
    # A period that has not begun is the latest one that has, as on the pages.
    year, month = begun_period(year, query.bulan)
    month = month or selectors.default_month(year=year)
    verified_only = query.verified_only or public
    params = filter_params(query)
    indicators = reads.api_indicators(
        program=params["program"], indicator_code=params["indicator_code"]
    )
    slots = reads.progress_slots(params["wilayah"])
    count = len(indicators) * len(slots)
    check_page(query, count)
    rows = reads.progress_rows(
        indicators=indicators,
        slots=slots,
        start=query.start,
        stop=query.stop,
        year=year,
        month=month,
        verified_only=verified_only,
    )
    filters = {"tahun": year, "bulan": month, "terverifikasi": verified_only}
    return page_of(request, query, count=count, results=rows, filters=filters)


@operation(
    "/realizations/",
    "realizations",
    RealizationPage,
    exclude_unset=True,  # `note` is left out for anonymous callers, not null
)
def realizations(request: HttpRequest, query: Query[RealizationQuery]):
    """Raw rows of submitted and verified reports the caller may read (anonymous:
    verified only, without the free-text note). All years without `tahun`; `bulan`
    alone means months 1..`bulan` of the pages' default year."""
    year = year_of(query, request)
    queryset = reads.api_realizations(
        user=request.user, year=year, month=query.bulan, status=query.status, **filter_params(query)
    )
    body = paginate(
        request,
        query,
        queryset,
        filters={
            "tahun": year,
            "bulan": query.bulan,
            "terverifikasi": not permissions.sees_provisional_rows(request.user),
        },
    )
    with_note = permissions.sees_realization_notes(request.user)
    body["results"] = reads.realization_rows(body["results"], with_note=with_note)
    return body


@operation(
    "/attachments/",
    "attachments",
    AttachmentPage,
    exclude_unset=True,  # `latitude`/`longitude` are left out where not allowed, not null
)
def attachments(request: HttpRequest, query: Query[AttachmentQuery]):
    """Metadata of report attachments (never their bytes) whose file the caller may
    download: officials those of the reports they may see, with the photos' GPS
    position; anyone (while PUBLIC_DASHBOARD is on) the photos a verifier marked public
    on verified reports, without it. All years without `tahun`; `bulan` is that month
    only (of the pages' default year without `tahun`)."""
    queryset = reads.api_attachments(
        user=request.user, year=year_of(query, request), month=query.bulan, **filter_params(query)
    )
    body = paginate(request, query, queryset)
    body["results"] = reads.attachment_rows(body["results"], absolute=request.build_absolute_uri)
    return body
