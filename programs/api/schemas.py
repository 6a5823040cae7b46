"""Typed query parameters and response shapes of the read-only JSON API.

django-ninja validates query parameters against the `*Query` schemas (a malformed value
is a 400 with the Indonesian message of `PARAMETER_MESSAGES`), renders responses through
the `*Out` schemas, and generates the OpenAPI description (/api/v1/openapi.json) from
both. Response objects are model instances, progress rows and realization dicts; the
`resolve_*` methods say where a field that is not a plain attribute comes from.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Literal

from django.utils.translation import gettext_lazy as _
from ninja import Field, Schema
from pydantic import (
    BaseModel,
    BeforeValidator,
    PlainSerializer,
    SkipValidation,
    WithJsonSchema,
)

from programs import formats
from programs.filters import verified_only_from
from programs.models import MAX_YEAR, MIN_YEAR

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000  # larger page_size values are capped, not refused
MAX_INTEGER = 999_999_999  # whole numbers in parameters have at most 9 digits
PROVINCE = "provinsi"  # the `wilayah` value that selects province rows
SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"  # program slugs and indicator codes
PLACE_PATTERN = rf"^([0-9]{{2}}\.[0-9]{{2}}|{PROVINCE})$"

NUMBER_NOTE = (
    "JSON number rounded half-up to 4 decimal places (the precision values are stored "
    "in); whole numbers are written as integers. Ratios, achievements and expected "
    "values are percentages (0-100+)."
)


def json_number(value: Decimal | None) -> int | float | None:
    """A Decimal as a JSON number rounded half-up to 4 decimal places: stored values (4
    places) and their sums are exact; quotients (achievements, ratios) are rounded.
    Whole numbers come out as integers (8391, not 8391.0)."""
    if value is None:
        return None
    rounded = formats.round_half_up(value, 4)
    if rounded == rounded.to_integral_value():
        return int(rounded)
    return float(rounded)


# Stored values come from the database as Decimals already: validating them again costs
# more than the rest of a 1,000-row page, so they are only serialized.
Number = Annotated[
    Decimal | None,
    SkipValidation,
    PlainSerializer(json_number),
    WithJsonSchema({"type": ["number", "null"], "description": NUMBER_NOTE}),
]


def json_degrees(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


# GPS positions keep their 6 stored decimal places (4 would move a house by up to 11 m).
Degrees = Annotated[
    Decimal | None,
    SkipValidation,
    PlainSerializer(json_degrees),
    WithJsonSchema({"type": ["number", "null"], "description": "Degrees (WGS 84), 6 places."}),
]

# --- Query parameters -----------------------------------------------------------------

# One message per parameter, shown when its value is malformed; %(raw)s is the value sent.
PARAMETER_MESSAGES = {
    "tahun": _("Parameter 'tahun' harus bilangan bulat (%(low)s–%(high)s), bukan '%(raw)s'."),
    "bulan": _("Parameter 'bulan' harus bilangan bulat (1–12), bukan '%(raw)s'."),
    "page": _(
        "Parameter 'page' harus bilangan bulat (minimal 1, paling banyak 9 angka), bukan '%(raw)s'."
    ),
    "page_size": _(
        "Parameter 'page_size' harus bilangan bulat (minimal 1, paling banyak 9 angka), "
        "bukan '%(raw)s'."
    ),
    "terverifikasi": _(
        "Parameter 'terverifikasi' harus 1, true atau on (hanya terverifikasi), atau 0, "
        "false atau off, bukan '%(raw)s'."
    ),
    "wilayah": _(
        "Parameter 'wilayah' harus kode Kemendagri (mis. 16.07) atau 'provinsi', bukan '%(raw)s'."
    ),
    "status": _("Parameter 'status' harus salah satu dari: verified, submitted."),
    "program": _("Parameter 'program' harus slug program (1–60 karakter), bukan '%(raw)s'."),
    "indikator": _("Parameter 'indikator' harus kode indikator (1–60 karakter), bukan '%(raw)s'."),
    "slug": _("Alamat program harus berisi slug program (huruf, angka, '-' atau '_')."),
}


def _digits(value):
    """Query values are text: a whole number is 1-9 digits, nothing else (pydantic alone
    would also take ' 2024' and '2024.0')."""
    if isinstance(value, str) and not re.fullmatch(r"[0-9]{1,9}", value):
        raise ValueError("not a whole number")
    return value


Digits = BeforeValidator(_digits)


def _lower(value):
    """`terverifikasi` in any case (ON, True), as the pages read it
    (programs.filters.verified_only_from)."""
    return value.lower() if isinstance(value, str) else value


# Constraints sit on the int, not on `int | None`, so that the OpenAPI schema shows them.
Year = Annotated[
    Annotated[int, Field(ge=MIN_YEAR, le=MAX_YEAR), Digits] | None,
    Field(None, description="Year.", examples=[2024]),
]
# No NUL: the middleware answers 400 to one anywhere in a query (PostgreSQL refuses it in
# text); the schema says so, so that a client generating valid requests never sends one.
Code = Annotated[str | None, Field(None, min_length=1, max_length=60, pattern=r"^[^\x00]+$")]


class PageQuery(Schema):
    page: Annotated[int, Digits] = Field(
        1, ge=1, le=MAX_INTEGER, description="Page number, from 1."
    )
    page_size: Annotated[int, Digits] = Field(
        DEFAULT_PAGE_SIZE,
        ge=1,
        le=MAX_INTEGER,
        description=f"Rows per page; values above {MAX_PAGE_SIZE} are capped at {MAX_PAGE_SIZE}.",
    )

    @property
    def size(self) -> int:
        return min(self.page_size, MAX_PAGE_SIZE)

    @property
    def start(self) -> int:
        return (self.page - 1) * self.size

    @property
    def stop(self) -> int:
        return self.page * self.size


class PlaceQuery(PageQuery):
    tahun: Year
    program: Code = Field(None, description="Program slug; 404 if unknown.", examples=["gbrss"])
    indikator: Code = Field(
        None, description="Indicator code; 404 if unknown.", examples=["rumah-dibedah"]
    )
    wilayah: str | None = Field(
        None,
        pattern=PLACE_PATTERN,
        description=f"Kemendagri code of a kabupaten/kota, or `{PROVINCE}` for province rows.",
        examples=["16.07", PROVINCE],
    )


Month = Annotated[
    Annotated[int, Field(ge=1, le=12), Digits] | None,
    Field(None, description="Months 1 up to this one."),
]


class TargetQuery(PlaceQuery):
    pass


class ProgressQuery(PlaceQuery):
    bulan: Month
    # The spellings the pages take (programs.filters): a page's own checkbox sends "on"
    # when its value is dropped, and a link copied from a page works here too.
    terverifikasi: (
        Annotated[Literal["1", "true", "on", "0", "false", "off"], BeforeValidator(_lower)] | None
    ) = Field(
        None,
        description="1, true or on: verified data only (always so for anonymous callers); "
        "0, false or off: provisional figures too. In any case (ON, True).",
    )

    @property
    def verified_only(self) -> bool:
        return verified_only_from(self.terverifikasi)


class RealizationQuery(PlaceQuery):
    bulan: Month = Field(
        None, description="Months 1 up to this one (of the default year without `tahun`)."
    )
    status: Literal["verified", "submitted"] | None = Field(
        None, description="Report status of the rows."
    )


class AttachmentQuery(PlaceQuery):
    bulan: Month = Field(None, description="This month only (of the default year without `tahun`).")


# --- Responses --------------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str = Field(description="Pesan dalam Bahasa Indonesia.")
    parameter: str | None = Field(None, description="The query parameter at fault.")


class CallerOut(Schema):
    authenticated: bool
    role: str | None
    provisional: bool = Field(description="Sees submitted, not yet verified figures.")
    public_dashboard: bool


class IndexOut(Schema):
    name: str
    version: str
    links: dict[str, str]
    openapi: str
    caller: CallerOut


class IndicatorOut(Schema):
    code: str
    name: str
    unit: str
    decimals: int = Field(ge=0, le=4)
    measure: Literal["increment", "running_total", "ratio", "level"]
    direction: Literal["up", "down"]
    headline: bool
    description: str

    @staticmethod
    def resolve_headline(obj) -> bool:
        return obj.is_headline


class ProgramOut(Schema):
    slug: str
    acronym: str | None
    name: str
    label: str = Field(description="The acronym, else the name.")
    description: str
    lead_agency: str
    launch_date: dt.date | None
    launch_note: str
    colour: str = Field(pattern=r"^#[0-9A-Fa-f]{6}$")
    order: int
    page_url: str
    indicators: list[IndicatorOut]

    @staticmethod
    def resolve_page_url(obj, context) -> str:
        return context["request"].build_absolute_uri(obj.get_absolute_url())

    @staticmethod
    def resolve_indicators(obj) -> list:
        return obj.indicator_list


class RegencyOut(Schema):
    code: str = Field(pattern=r"^[0-9]{2}\.[0-9]{2}$")
    bps_code: str
    name: str
    display_name: str
    kind: Literal["kabupaten", "kota"]
    capital: str
    area_km2: Number
    population: int | None
    population_year: int | None
    synthetic: bool = Field(description="Load-test regency (99.xx).")
    page_url: str

    @staticmethod
    def resolve_synthetic(obj) -> bool:
        return obj.is_synthetic

    @staticmethod
    def resolve_page_url(obj, context) -> str:
        return context["request"].build_absolute_uri(obj.get_absolute_url())


class TargetOut(Schema):
    program: str
    indicator: str
    regency: str | None = Field(description="Kemendagri code; null = the province.")
    year: int
    value: Number
    baseline: Number
    due_date: dt.date = Field(description="31 December when the target sets none.")
    source_note: str
    source_url: str
    demo: bool

    @staticmethod
    def resolve_program(obj) -> str:
        return obj.indicator.program.slug

    @staticmethod
    def resolve_indicator(obj) -> str:
        return obj.indicator.code

    @staticmethod
    def resolve_regency(obj) -> str | None:
        return obj.regency_id

    @staticmethod
    def resolve_due_date(obj) -> dt.date:
        return obj.effective_due_date

    @staticmethod
    def resolve_demo(obj) -> bool:
        return obj.is_demo


class ProgressOut(Schema):
    """One `reads.ProgressRow`: an indicator and its `programs.progress.Progress` (the row
    reads the other fields from its progress)."""

    program: str
    indicator: str
    regency: str | None = Field(description="Kemendagri code; null = the province.")
    target: Number
    baseline: Number
    due_date: dt.date | None
    realization: Number = Field(description="Year to date, aggregated by the measure.")
    numerator: Number = Field(description="Ratio indicators only.")
    denominator: Number = Field(description="Ratio indicators only.")
    achievement: Number = Field(description="Percent of the target reached.")
    expected: Number = Field(description="Percent of the target expected by `bulan`.")
    expected_value: Number = Field(description="The target path's value at `bulan`.")
    status: Literal["on_track", "behind", "no_target", "no_data", "not_required"] = Field(
        description="not_required: the regency is exempt from this indicator this month "
        "(`required` false); the pages show it as 'tidak wajib' and do not rank it."
    )
    status_label: str
    required: bool | None = Field(
        description="Must the regency report this indicator this month? null = the province."
    )
    provisional: bool = Field(description="Includes submitted, not yet verified figures.")
    latest_month: int | None = Field(ge=1, le=12)

    @staticmethod
    def resolve_program(row) -> str:
        return row.indicator.program.slug

    @staticmethod
    def resolve_indicator(row) -> str:
        return row.indicator.code

    @staticmethod
    def resolve_regency(row) -> str | None:
        return row.progress.regency_code


class RealizationOut(BaseModel):
    """One dict of `reads.realization_rows`. A plain pydantic model, not a ninja Schema:
    it validates dicts in pydantic's fast path (pages of up to 1,000 rows) instead of
    reading each field through ninja's attribute getter."""

    id: int
    program: str
    indicator: str
    regency: str | None = Field(description="Kemendagri code; null = a province entry.")
    year: int
    month: int = Field(ge=1, le=12)
    status: Literal["verified", "submitted"]
    provisional: bool
    funding_source: str
    funding_category: str
    value: Number
    numerator: Number
    denominator: Number
    demo: bool
    note: str = Field(None, description="Officials only: absent for anonymous callers.")


class AttachmentReportOut(BaseModel):
    regency: str | None = Field(description="Kemendagri code; null = a province report.")
    program: str
    year: int
    month: int = Field(ge=1, le=12)
    status: Literal["draft", "submitted", "verified", "returned"]


class AttachmentOut(BaseModel):
    """One dict of `reads.attachment_rows`: an attachment's metadata, never its bytes."""

    id: int
    report: AttachmentReportOut
    indicator: str | None = Field(description="Indicator code; null = the whole report.")
    kind: Literal["photo", "pdf"]
    content_type: str
    caption: str
    original_name: str
    size: int = Field(ge=0, description="Bytes.")
    width: int | None = Field(description="Pixels (photos).")
    height: int | None = Field(description="Pixels (photos).")
    taken_at: dt.datetime | None = Field(description="Capture time read from EXIF.")
    has_location: bool = Field(description="EXIF held a GPS position.")
    latitude: Degrees = Field(
        None, description="Officials who may see the report only: absent otherwise."
    )
    longitude: Degrees = Field(
        None, description="Officials who may see the report only: absent otherwise."
    )
    is_public: bool = Field(description="Marked for the public gallery by a verifier.")
    uploaded_at: dt.datetime
    url: str = Field(description="The file, checked against the caller's scope.")
    thumbnail_url: str | None = Field(description="Small JPEG of a photo, scope-checked.")


class FiltersOut(Schema):
    tahun: int | None
    bulan: int | None
    terverifikasi: bool = Field(description="Verified data only (always so for anonymous).")


class PageOut(Schema):
    count: int = Field(description="Rows in all pages.")
    next: str | None = Field(description="URL of the next page.")
    previous: str | None = Field(description="URL of the previous page.")
    page: int = Field(ge=1)
    page_size: int = Field(ge=1, le=MAX_PAGE_SIZE)


class ProgramPage(PageOut):
    results: list[ProgramOut]


class RegencyPage(PageOut):
    results: list[RegencyOut]


class TargetPage(PageOut):
    results: list[TargetOut]


class ProgressPage(PageOut):
    filters: FiltersOut
    results: list[ProgressOut]


class AttachmentPage(PageOut):
    results: list[AttachmentOut]


class RealizationPage(PageOut):
    filters: FiltersOut
    results: list[RealizationOut]
