"""Helpers shared by the tests of the reporting workflow (tests/programs/reporting, the
error pages and the logs): the entry form's address, its posted rows, and a GBRSS report
of the regency's month."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from programs.models import FundingSource, Indicator, MonthlyReport, Program
from regencies.models import Regency
from tests.factories import MonthlyReportFactory, RealizationFactory
from tests.helpers import previous_month

Status = MonthlyReport.Status


def url(code="16.07", slug="gbrss", period=None, suffix=""):
    """The entry form of a regency's program month (default: Banyuasin's GBRSS, last
    month), or one of its actions (`suffix`)."""
    year, month = period or previous_month()
    return f"/laporan/{code}/{slug}/{year}-{month:02d}/{suffix}"


def rows(value="12", source="apbn", note="", code="rumah-dibedah"):
    """The posted fields of the entry form's first row of indicator `code`."""
    return {f"r-{code}-0-source": source, f"r-{code}-0-value": value, f"r-{code}-0-note": note}


def report(status=Status.SUBMITTED, period=None, regency="16.07", value=7):
    """A GBRSS report of `regency`'s month (default: last month) in `status`, with one
    realization of `value` houses from the APBN."""
    year, month = period or previous_month()
    program = Program.objects.get(slug="gbrss")
    rep = MonthlyReportFactory(
        program=program,
        regency=Regency.objects.get(code=regency),
        year=year,
        month=month,
        status=status,
        verified_at=timezone.now() if status == Status.VERIFIED else None,
        return_reason="Periksa lagi" if status == Status.RETURNED else "",
        submitted_at=timezone.now(),
        first_submitted_at=timezone.now(),
    )
    RealizationFactory(
        report=rep,
        indicator=Indicator.objects.get(code="rumah-dibedah"),
        funding_source=FundingSource.objects.get(code="apbn"),
        value=Decimal(value),
    )
    return rep
