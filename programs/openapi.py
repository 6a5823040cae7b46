"""OpenAPI 3.1 description of the read-only JSON API (served at /api/v1/openapi.json).

Written by hand and kept small; tests check that it lists every route of
`programs.api_urls` and that the shapes match what the views return.
"""

from __future__ import annotations

from django.conf import settings

NUMBER_NOTE = (
    "JSON number rounded half-up to 4 decimal places (the precision values are stored "
    "in); whole numbers are written as integers. Ratios, achievements and expected "
    "values are percentages (0-100+)."
)


def _nullable(type_: str, **extra) -> dict:
    return {"type": [type_, "null"], **extra}


def _num(description: str = "") -> dict:
    return _nullable("number", description=(description + " " + NUMBER_NOTE).strip())


def _object(properties: dict, *, optional: tuple[str, ...] = ()) -> dict:
    return {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in optional],
    }


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _param(name: str) -> dict:
    return {"$ref": f"#/components/parameters/{name}"}


def _page_of(schema: str, *, with_filters: bool = False) -> dict:
    properties = {
        "count": {"type": "integer", "description": "Rows in all pages."},
        "next": _nullable("string", format="uri"),
        "previous": _nullable("string", format="uri"),
        "page": {"type": "integer", "minimum": 1},
        "page_size": {"type": "integer", "minimum": 1, "maximum": 1000},
        "results": {"type": "array", "items": _ref(schema)},
    }
    if with_filters:
        properties["filters"] = _ref("Filters")
    return _object(properties)


def _ok(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: str) -> dict:
    names = {"400": "BadRequest", "401": "Unauthorized", "404": "NotFound"}
    responses = {code: {"$ref": f"#/components/responses/{names[code]}"} for code in codes}
    responses["405"] = {"$ref": "#/components/responses/MethodNotAllowed"}
    return responses


def _get(summary: str, description: str, response: dict, *, params=(), errors=("401",)) -> dict:
    return {
        "get": {
            "summary": summary,
            "description": description,
            "parameters": [_param(p) for p in params],
            "responses": {"200": response, **_errors(*errors)},
        }
    }


PAGE = ("page", "page_size")

SCHEMAS = {
    "Error": _object(
        {
            "detail": {"type": "string", "description": "Pesan dalam Bahasa Indonesia."},
            "parameter": {"type": "string", "description": "The query parameter at fault."},
        },
        optional=("parameter",),
    ),
    "Indicator": _object(
        {
            "code": {"type": "string"},
            "name": {"type": "string"},
            "unit": {"type": "string"},
            "decimals": {"type": "integer", "minimum": 0, "maximum": 4},
            "measure": {"enum": ["increment", "running_total", "ratio", "level"]},
            "direction": {"enum": ["up", "down"]},
            "headline": {"type": "boolean"},
            "description": {"type": "string"},
        }
    ),
    "Program": _object(
        {
            "slug": {"type": "string"},
            "acronym": _nullable("string"),
            "name": {"type": "string"},
            "label": {"type": "string", "description": "The acronym, else the name."},
            "description": {"type": "string"},
            "lead_agency": {"type": "string"},
            "launch_date": _nullable("string", format="date"),
            "launch_note": {"type": "string"},
            "colour": {"type": "string", "pattern": "^#[0-9A-Fa-f]{6}$"},
            "order": {"type": "integer"},
            "page_url": {"type": "string", "format": "uri"},
            "indicators": {"type": "array", "items": _ref("Indicator")},
        }
    ),
    "Regency": _object(
        {
            "code": {"type": "string", "pattern": r"^[0-9]{2}\.[0-9]{2}$"},
            "bps_code": {"type": "string"},
            "name": {"type": "string"},
            "display_name": {"type": "string"},
            "kind": {"enum": ["kabupaten", "kota"]},
            "capital": {"type": "string"},
            "area_km2": _num(),
            "population": _nullable("integer"),
            "population_year": _nullable("integer"),
            "synthetic": {"type": "boolean", "description": "Load-test regency (99.xx)."},
            "page_url": {"type": "string", "format": "uri"},
        }
    ),
    "Target": _object(
        {
            "program": {"type": "string"},
            "indicator": {"type": "string"},
            "regency": _nullable("string", description="Kemendagri code; null = province."),
            "year": {"type": "integer"},
            "value": _num(),
            "baseline": _num(),
            "due_date": {"type": "string", "format": "date", "description": "31 Dec if unset."},
            "source_note": {"type": "string"},
            "source_url": {"type": "string"},
            "demo": {"type": "boolean"},
        }
    ),
    "Progress": _object(
        {
            "program": {"type": "string"},
            "indicator": {"type": "string"},
            "regency": _nullable("string", description="Kemendagri code; null = province."),
            "target": _num(),
            "baseline": _num(),
            "due_date": _nullable("string", format="date"),
            "realization": _num("Year to date, aggregated by the indicator's measure."),
            "numerator": _num("Ratio indicators only."),
            "denominator": _num("Ratio indicators only."),
            "achievement": _num("Percent of target reached."),
            "expected": _num("Percent of target expected by the end of `bulan`."),
            "expected_value": _num("The target path's value at the end of `bulan`."),
            "status": {"enum": ["on_track", "behind", "no_target", "no_data"]},
            "status_label": {"type": "string"},
            "provisional": {
                "type": "boolean",
                "description": "Includes submitted, not yet verified figures.",
            },
            "latest_month": _nullable("integer", minimum=1, maximum=12),
        }
    ),
    "Realization": _object(
        {
            "id": {"type": "integer"},
            "program": {"type": "string"},
            "indicator": {"type": "string"},
            "regency": _nullable("string", description="null = a province-level entry."),
            "year": {"type": "integer"},
            "month": {"type": "integer", "minimum": 1, "maximum": 12},
            "status": {"enum": ["verified", "submitted"]},
            "provisional": {"type": "boolean"},
            "funding_source": {"type": "string"},
            "funding_category": {"type": "string"},
            "value": _num(),
            "numerator": _num(),
            "denominator": _num(),
            "demo": {"type": "boolean"},
            "note": {"type": "string", "description": "Officials only."},
        },
        optional=("note",),
    ),
    "Filters": _object(
        {
            "tahun": _nullable("integer"),
            "bulan": _nullable("integer"),
            "terverifikasi": {
                "type": "boolean",
                "description": "Verified data only (always true for anonymous callers).",
            },
        }
    ),
}

PARAMETERS = {
    "tahun": {
        "name": "tahun",
        "in": "query",
        "description": "Year (2000-2100).",
        "schema": {"type": "integer", "minimum": 2000, "maximum": 2100},
    },
    "bulan": {
        "name": "bulan",
        "in": "query",
        "description": "Months 1 up to this one.",
        "schema": {"type": "integer", "minimum": 1, "maximum": 12},
    },
    "program": {
        "name": "program",
        "in": "query",
        "description": "Program slug (gbrss); 404 if unknown.",
        "schema": {"type": "string"},
    },
    "indikator": {
        "name": "indikator",
        "in": "query",
        "description": "Indicator code (rumah-dibedah); 404 if unknown.",
        "schema": {"type": "string"},
    },
    "wilayah": {
        "name": "wilayah",
        "in": "query",
        "description": "Kemendagri code (16.07), or `provinsi` for province rows.",
        "schema": {"type": "string", "pattern": r"^([0-9]{2}\.[0-9]{2}|provinsi)$"},
    },
    "terverifikasi": {
        "name": "terverifikasi",
        "in": "query",
        "description": "1: verified data only.",
        "schema": {"enum": ["0", "1", "true", "false"]},
    },
    "status": {
        "name": "status",
        "in": "query",
        "description": "Report status of the rows.",
        "schema": {"enum": ["verified", "submitted"]},
    },
    "page": {
        "name": "page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "default": 1},
    },
    "page_size": {
        "name": "page_size",
        "in": "query",
        "description": "Rows per page; larger values are capped at 1000.",
        "schema": {"type": "integer", "minimum": 1, "default": 100},
    },
}


def _error_response(description: str) -> dict:
    return _ok(_ref("Error"), description)


RESPONSES = {
    "BadRequest": _error_response("A query parameter is unknown or invalid."),
    "Unauthorized": _error_response("Login required (PUBLIC_DASHBOARD is off)."),
    "NotFound": _error_response("Unknown program, indicator, regency or page."),
    "MethodNotAllowed": _error_response("The API is read-only: GET only."),
}


def openapi_description() -> dict:
    listing = ("400", "401", "404")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Dasbor Gerakan Serentak Sumsel API",
            "version": "1.0.0",
            "description": (
                "Read-only JSON API of the dashboard. Same permission rules as the pages: "
                "anonymous callers read verified data while PUBLIC_DASHBOARD is on; "
                "logged-in officials (session cookie) also see submitted figures, marked "
                "provisional. Raw realization rows are scoped like the reporting pages "
                "(operators: their regency; verifiers: their programs). Lists are "
                "paginated with `page` and `page_size`; unknown query parameters are "
                "refused (400). Errors carry an Indonesian `detail`."
            ),
        },
        "security": [{}, {"session": []}],
        "paths": {
            "/api/v1/": _get(
                "Index",
                "Links to every endpoint and what the caller may see.",
                _ok({"type": "object"}, "Links."),
                errors=("400",),
            ),
            "/api/v1/programs/": _get(
                "Programs",
                "Active programs with their indicators.",
                _ok(_page_of("Program"), "A page of programs."),
                params=PAGE,
                errors=("400", "401", "404"),
            ),
            "/api/v1/programs/{slug}/": {
                "parameters": [
                    {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                **_get(
                    "Program",
                    "One active program with its indicators.",
                    _ok(_ref("Program"), "The program."),
                    errors=("400", "401", "404"),
                ),
            },
            "/api/v1/regencies/": _get(
                "Regencies",
                "The kabupaten/kota by Kemendagri code.",
                _ok(_page_of("Regency"), "A page of regencies."),
                params=PAGE,
                errors=listing,
            ),
            "/api/v1/targets/": _get(
                "Targets",
                "Targets by year, program, indicator; the province row (regency null) "
                "before the regencies. All years unless `tahun` is given.",
                _ok(_page_of("Target"), "A page of targets."),
                params=("tahun", "program", "indikator", "wilayah", *PAGE),
                errors=listing,
            ),
            "/api/v1/progress/": _get(
                "Progress",
                "One row per indicator x place (the province first, then every regency "
                "by code) for `tahun` up to `bulan`, computed exactly as on the pages. "
                "Without `tahun`/`bulan`: the pages' defaults (the latest year with data; "
                "its latest month, or the running month).",
                _ok(_page_of("Progress", with_filters=True), "A page of progress rows."),
                params=("tahun", "bulan", "program", "indikator", "wilayah", "terverifikasi")
                + PAGE,
                errors=listing,
            ),
            "/api/v1/realizations/": _get(
                "Realizations",
                "Raw rows of submitted and verified reports the caller may read "
                "(anonymous: verified only); `bulan` needs `tahun`.",
                _ok(_page_of("Realization", with_filters=True), "A page of rows."),
                params=("tahun", "bulan", "program", "indikator", "wilayah", "status", *PAGE),
                errors=listing,
            ),
            "/api/v1/openapi.json": _get(
                "OpenAPI description",
                "This document.",
                _ok({"type": "object"}, "OpenAPI 3.1."),
                errors=("400",),
            ),
        },
        "components": {
            "schemas": SCHEMAS,
            "parameters": PARAMETERS,
            "responses": RESPONSES,
            "securitySchemes": {
                "session": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": settings.SESSION_COOKIE_NAME,
                    "description": "The site's login session (log in at /akun/masuk/).",
                }
            },
        },
    }
