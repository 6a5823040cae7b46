"""Reads of the read-only JSON API (/api/v1/): querysets in a stable order and progress
rows for one page.

Progress numbers come from `programs.progress.compute_progress`, like every page. Each
read costs a fixed number of queries per page, whatever the number of regencies, months
or rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TypedDict, Unpack

from django.db.models import F, Prefetch, QuerySet
from django.urls import reverse

from programs import permissions
from programs.api.schemas import PROVINCE
from programs.models import Attachment, Indicator, MonthlyReport, Program, Realization, Target
from programs.obligations import Obligations
from programs.progress import Progress, compute_progress
from regencies.models import Regency


def _ordered_indicators() -> QuerySet[Indicator]:
    return Indicator.objects.select_related("program").order_by(
        "program__order", "program__slug", "order", "code", "pk"
    )


def api_programs() -> QuerySet[Program]:
    """Active programs in page order, each with `indicator_list` (two queries)."""
    return (
        Program.objects.filter(active=True)
        .order_by("order", "slug", "pk")
        .prefetch_related(
            Prefetch("indicators", queryset=_ordered_indicators(), to_attr="indicator_list")
        )
    )


def api_program(slug: str) -> Program | None:
    return api_programs().filter(slug=slug).first()


def api_regencies() -> QuerySet[Regency]:
    return Regency.objects.order_by("code")


def api_indicators(*, program: Program | None, indicator_code: str | None) -> list[Indicator]:
    """Indicators of active programs, optionally of one program and/or with one code."""
    indicators = _ordered_indicators().filter(program__active=True)
    if program is not None:
        indicators = indicators.filter(program=program)
    if indicator_code is not None:
        indicators = indicators.filter(code=indicator_code)
    return list(indicators)


def _filter_regency(queryset: QuerySet, field: str, wilayah: str | None) -> QuerySet:
    if wilayah == PROVINCE:
        return queryset.filter(**{f"{field}__isnull": True})
    if wilayah is not None:
        return queryset.filter(**{field: wilayah})
    return queryset


def api_targets(
    *,
    year: int | None,
    program: Program | None,
    indicator_code: str | None,
    wilayah: str | None,
) -> QuerySet[Target]:
    """Targets of active programs: by year, program, indicator, then the province row
    (regency null) before the regencies."""
    targets = Target.objects.filter(indicator__program__active=True).select_related(
        "indicator__program"
    )
    if year is not None:
        targets = targets.filter(year=year)
    if program is not None:
        targets = targets.filter(indicator__program=program)
    if indicator_code is not None:
        targets = targets.filter(indicator__code=indicator_code)
    targets = _filter_regency(targets, "regency_id", wilayah)
    return targets.order_by(
        "year",
        "indicator__program__order",
        "indicator__program__slug",
        "indicator__order",
        "indicator__code",
        F("regency_id").asc(nulls_first=True),
        "pk",
    )


# --- Progress ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgressRow:
    """One indicator's progress for one place; reads every other attribute (target,
    realization, status...) from its `progress`."""

    indicator: Indicator
    progress: Progress
    # Must the regency report this indicator this month? None for the province. An
    # exempt regency is "tidak wajib", as on the pages and in the exports.
    required: bool | None = None

    @property
    def status(self) -> str:
        return self.shown[0]

    @property
    def status_label(self) -> str:
        return self.shown[1]

    @cached_property
    def shown(self) -> tuple[str, str]:
        return self.progress.shown_status(required=self.required)

    def __getattr__(self, name: str):
        if name.startswith("__") or name == "progress":  # copy/pickle before __init__
            raise AttributeError(name)
        return getattr(self.progress, name)


def progress_slots(wilayah: str | None) -> list[str | None]:
    """The places each indicator has a row for: the province (None) first, then every
    regency by code; or just the one asked for (one query)."""
    if wilayah == PROVINCE:
        return [None]
    if wilayah is not None:
        return [wilayah]
    return [None, *api_regencies().values_list("code", flat=True)]


def progress_rows(
    *,
    indicators: list[Indicator],
    slots: list[str | None],
    start: int,
    stop: int,
    year: int,
    month: int,
    verified_only: bool,
) -> list[ProgressRow]:
    """Rows `start`..`stop` of the indicator x place grid (indicator-major order).

    Progress is computed for every indicator (so the number of queries does not depend on
    which indicators a page holds) but only for the regencies on the page; province rows
    always cover all regencies, exactly as on the pages.
    """
    positions = range(start, min(stop, len(indicators) * len(slots)))
    if not positions:
        return []
    width = len(slots)
    codes = sorted({slots[i % width] for i in positions} - {None})
    table = compute_progress(
        indicators=indicators,
        year=year,
        month=month,
        regency_codes=codes,
        verified_only=verified_only,
    )
    obligations = Obligations.load(
        programs={indicator.program_id: indicator.program for indicator in indicators}.values(),
        regency_codes=codes,
    )
    rows = []
    for i in positions:
        indicator, code = indicators[i // width], slots[i % width]
        required = (
            None if code is None else obligations.indicator_required(code, indicator, year, month)
        )
        rows.append(ProgressRow(indicator, table[(indicator.pk, code)], required))
    return rows


# --- Rows of reports ----------------------------------------------------------------------


class ReportFilters(TypedDict):
    """The filters of the lists of rows that belong to a report (realizations,
    attachments), as keyword arguments: the report's year, month, program and place
    (`wilayah`: a regency code, PROVINCE or None for all), and the row's own indicator."""

    year: int | None
    month: int | None
    program: Program | None
    indicator_code: str | None
    wilayah: str | None


def _of_reports(rows: QuerySet, *, month_lookup: str, **filters: Unpack[ReportFilters]) -> QuerySet:
    """`rows` narrowed by `filters`; `month_lookup` says what `month` means: "exact", or
    "lte" for months 1..`month`."""
    if filters["year"] is not None:
        rows = rows.filter(report__year=filters["year"])
    if filters["month"] is not None:
        rows = rows.filter(**{f"report__month__{month_lookup}": filters["month"]})
    if filters["program"] is not None:
        rows = rows.filter(report__program=filters["program"])
    if filters["indicator_code"] is not None:
        rows = rows.filter(indicator__code=filters["indicator_code"])
    return _filter_regency(rows, "report__regency_id", filters["wilayah"])


def _report_order(*then) -> tuple:
    """Period, program, place (province entries first), then `then`."""
    return (
        "report__year",
        "report__month",
        "report__program__order",
        "report__program__slug",
        F("report__regency_id").asc(nulls_first=True),
        *then,
    )


# --- Realizations -----------------------------------------------------------------------


# Public name of each realization field -> its lookup from Realization.
REALIZATION_FIELDS = {
    "id": "pk",
    "program": "report__program__slug",
    "indicator": "indicator__code",
    "regency": "report__regency_id",
    "year": "report__year",
    "month": "report__month",
    "status": "report__status",
    "funding_source": "funding_source__code",
    "funding_category": "funding_source__category",
    "value": "value",
    "numerator": "numerator",
    "denominator": "denominator",
    "demo": "report__is_demo",
    "note": "note",
}


def realization_rows(rows, *, with_note: bool) -> list[dict]:
    """Rows of `api_realizations` under their public names, `provisional` (a submitted,
    not yet verified report) added; `note` only `with_note`."""
    fields = {k: v for k, v in REALIZATION_FIELDS.items() if with_note or k != "note"}
    submitted = MonthlyReport.Status.SUBMITTED
    return [
        {
            **{name: row[lookup] for name, lookup in fields.items()},
            "provisional": row["report__status"] == submitted,
        }
        for row in rows
    ]


def api_realizations(*, user, status: str | None, **filters: Unpack[ReportFilters]) -> QuerySet:
    """Raw realization rows `user` may read, months 1..`month` of `year`, as dicts of
    REALIZATION_FIELDS' lookups in a stable order: period, program, place (province entries
    first), indicator, funding source."""
    rows = Realization.objects.filter(
        report__in=permissions.api_realization_reports(user).values("pk"),
        report__program__active=True,
    )
    if status is not None:
        rows = rows.filter(report__status=status)
    rows = _of_reports(rows, month_lookup="lte", **filters)
    order = _report_order(
        "indicator__order", "indicator__code", "funding_source__order", "funding_source__code", "pk"
    )
    return rows.order_by(*order).values(*REALIZATION_FIELDS.values())


# --- Attachments ------------------------------------------------------------------------


def api_attachments(*, user, **filters: Unpack[ReportFilters]) -> QuerySet[Attachment]:
    """Attachments whose file `user` may download (`permissions.api_attachments`, with
    `in_scope`), of `month` of `year`, with their report, program and indicator (one
    query per page), in a stable order: period, program, place, upload time."""
    attachments = _of_reports(
        permissions.api_attachments(user).select_related("report__program", "indicator"),
        month_lookup="exact",
        **filters,
    )
    return attachments.order_by(*_report_order("uploaded_at", "pk"))


def attachment_rows(attachments, *, absolute) -> list[dict]:
    """Rows of `api_attachments` under their public names; `latitude` and `longitude`
    only where the caller may see the report (`in_scope`). `absolute` makes a path a URL."""
    file_url = reverse("programs:attachment", args=[0])
    thumbnail_url = reverse("programs:attachment_thumbnail", args=[0])
    rows = []
    for a in attachments:
        report = a.report
        row = {
            "id": a.pk,
            "report": {
                "regency": report.regency_id,
                "program": report.program.slug,
                "year": report.year,
                "month": report.month,
                "status": report.status,
            },
            "indicator": a.indicator.code if a.indicator_id else None,
            "kind": a.kind,
            "content_type": a.content_type,
            "caption": a.caption,
            "original_name": a.original_name,
            "size": a.size,
            "width": a.width,
            "height": a.height,
            "taken_at": a.taken_at,
            "has_location": a.has_location,
            "is_public": a.is_public,
            "uploaded_at": a.uploaded_at,
            "url": absolute(file_url.replace("/0/", f"/{a.pk}/")),
            "thumbnail_url": absolute(thumbnail_url.replace("/0/", f"/{a.pk}/"))
            if a.thumbnail
            else None,
        }
        if a.in_scope:
            row["latitude"], row["longitude"] = a.latitude, a.longitude
        rows.append(row)
    return rows
