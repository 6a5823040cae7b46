"""Helpers shared by the tests of the programs admin (tests/programs/test_admin*.py, the
page cache): the GBRSS province target, realizations of a target, the change form's and
the changelist's POST data, and what the changelist and change form show."""

from __future__ import annotations

from django.forms.models import model_to_dict
from django.urls import reverse

from programs.forms_admin import list_values_digest, target_version
from programs.models import Indicator, LockException, MonthlyReport, Program, Target
from regencies.models import Regency
from tests.factories import MonthlyReportFactory, RealizationFactory
from tests.helpers import admin_row, element_text, error_messages, find, formset_data, page


def gbrss_indicator() -> Indicator:
    """The GBRSS indicator of houses renovated (rumah-dibedah)."""
    return Indicator.objects.get(program__slug="gbrss", code="rumah-dibedah")


def gbrss_province_target() -> Target:
    """The province's 2024 GBRSS target of the reference data."""
    return Target.objects.get(indicator=gbrss_indicator(), regency__isnull=True, year=2024)


def realize(target: Target, *, regency: Regency | None, year: int | None = None, status=None):
    """A realization of `target`'s indicator in a new January report of `regency`."""
    report = MonthlyReportFactory(
        regency=regency,
        program=target.indicator.program,
        year=year or target.year,
        status=status or MonthlyReport.Status.VERIFIED,
    )
    return RealizationFactory(report=report, indicator=target.indicator)


def change_data(target: Target, **overrides) -> dict:
    """The change form's POST for `target` as it stands, with `overrides` applied."""
    data = {
        "indicator": target.indicator_id,
        "regency": target.regency_id or "",
        "year": target.year,
        "value": str(target.value),
        "baseline": "" if target.baseline is None else str(target.baseline),
        "due_date": target.due_date.isoformat() if target.due_date else "",
        "source_note": target.source_note,
        "source_url": target.source_url,
        "change_reason": "",
        "seen_version": target_version(target.pk) or "",  # the target as it stands
        "splits-TOTAL_FORMS": "0",
        "splits-INITIAL_FORMS": "0",
        "milestones-TOTAL_FORMS": "0",
        "milestones-INITIAL_FORMS": "0",
        "_save": "Simpan",
    }
    data.update(overrides)
    return data


def changelist_data(target: Target, **overrides) -> dict:
    """A list_editable POST editing one changelist row."""
    row = {
        "id": target.pk,
        "value": str(target.value),
        "baseline": "" if target.baseline is None else str(target.baseline),
        "due_date": target.due_date.isoformat() if target.due_date else "",
        "shown": list_values_digest(model_to_dict(target)),  # the target as it stands
        **overrides,
    }
    return {**formset_data("form", row, initial=1), "_save": "Simpan"}


def row_cells(response, target: Target) -> dict[str, str]:
    """The texts of the changelist cells of `target`'s row, by column name."""
    link = reverse("admin:programs_target_change", args=[target.pk])
    return {name: element_text(cell) for name, cell in admin_row(response, link).items()}


def field_errors(response, name: str) -> list[str]:
    """The errors shown beside the admin change form's field `name`."""
    return error_messages(find(page(response), "div", class_=f"field-{name}"))


def lock_exception(program: Program, *, year: int, month: int, until, reason: str):
    """Banyuasin's (16.07) lock exception of `program`'s month, stored as it is (no rule
    of the admin's form checked)."""
    return LockException.objects.create(
        regency_id="16.07", program=program, year=year, month=month, until=until, reason=reason
    )


def lock_exception_form(program, **changes) -> dict:
    """The admin's add form of a lock exception for Banyuasin's April 2025 (locked since
    9 June 2025, a month after its due day)."""
    return {
        "regency": "16.07",
        "program": program.pk,
        "year": "2025",
        "month": "4",
        "reason": "Berita acara BPS datang terlambat",
        "_save": "Simpan",
        **changes,
    }
