"""Backup and restore (README "Cadangan dan pemulihan"): a dumpdata -> flush -> loaddata
round trip reproduces the dashboard numbers exactly, and the audit history survives.

Primary keys are kept (natural foreign keys only, no --natural-primary): the history rows
of django-simple-history point at their object by its id, and a restore must not break
that link. Content types and permissions are rebuilt by `migrate`/`flush` and referred to
by natural key; sessions are not worth restoring (users simply log in again).
JSON, because the XML serializer cannot write a natural key with a null part (a province
target's key has no regency); JSON writes times to the millisecond, which the history
comparison allows for. Numbers (Decimal) travel as strings: exact.
"""

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client

from programs.models import FundingSource, Indicator, MonthlyReport, Program, Realization
from programs.progress import compute_progress
from programs.reporting.services import report_verify
from regencies.models import Regency, UserScope
from tests.factories import MonthlyReportFactory, RealizationFactory, UserScopeFactory
from tests.helpers import attribute, cells, element_text, find_all, json_scripts, page

EXCLUDE = ["contenttypes", "auth.permission", "sessions"]
PERIOD = "tahun=2024&bulan=12"
TODAY = dt.date(2025, 2, 1)


def dashboard_numbers() -> dict:
    """Every indicator's progress (province and regencies), with and without provisional
    figures, keyed by natural identifiers."""
    indicators = Indicator.objects.select_related("program").order_by("program__slug", "code")
    numbers = {}
    for verified_only in (False, True):
        table = compute_progress(
            indicators=indicators, year=2024, month=12, verified_only=verified_only, today=TODAY
        )
        by_id = {i.pk: i for i in indicators}
        for (indicator_id, regency), progress in table.items():
            indicator = by_id[indicator_id]
            key = (verified_only, indicator.program.slug, indicator.code, regency or "-")
            numbers[key] = dataclasses.asdict(progress)
    return numbers


def page_figures(client: Client) -> dict:
    """The key figures, tables and chart data of the overview and every program page."""
    pages = [f"/?{PERIOD}", *(f"/program/{p.slug}/?{PERIOD}" for p in Program.objects.all())]
    pages.append(f"/wilayah/16.07/?{PERIOD}")
    figures = {}
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        root = page(response)
        figures[url] = {
            "figures": [
                (attribute(e, "data-figure"), element_text(e))
                for e in find_all(root)
                if attribute(e, "data-figure")
            ],
            "tables": {
                attribute(table, "id"): [cells(row) for row in find_all(table, "tr")]
                for table in find_all(root, "table")
                if attribute(table, "id")
            },
            "charts": json_scripts(response),
        }
    return figures


def to_milliseconds(row: dict) -> dict:
    """Django's JSON serializer writes times to the millisecond (ECMA-262)."""
    return {
        key: value.replace(microsecond=value.microsecond // 1000 * 1000)
        if isinstance(value, dt.datetime)
        else value
        for key, value in row.items()
    }


def history_rows() -> dict:
    rows = {}
    for model in apps.get_models():
        if model.__name__.startswith("Historical"):
            query = model.objects.order_by("history_id").values()
            rows[model._meta.label] = [to_milliseconds(row) for row in query]
    return rows


def snapshot(pimpinan_user) -> dict:
    official = Client()
    official.force_login(pimpinan_user)
    return {
        "progress": dashboard_numbers(),
        "pages (pimpinan)": page_figures(official),
        "pages (anonim)": page_figures(Client()),
        "history": history_rows(),
        "counts": {
            model._meta.label: model.objects.count()
            for model in apps.get_models()
            if model._meta.app_label in {"programs", "regencies", "auth"}
        },
    }


# Real transactions, as in a real restore (PostgreSQL cannot TRUNCATE tables with pending
# deferred constraint checks, which the usual per-test transaction would leave).
@pytest.mark.django_db(transaction=True)
def test_dumpdata_loaddata_round_trip_reproduces_the_dashboards(gbrss_data, tmp_path):
    # A verification step recorded in the history, with its user.
    verifier = UserScopeFactory(role=UserScope.Role.VERIFIKATOR).user
    oku_february = MonthlyReport.objects.get(
        regency_id="16.01", program=gbrss_data, year=2024, month=2
    )
    report_verify(user=verifier, report=oku_february, version=oku_february.version)
    # In a request, HistoryRequestMiddleware records who did it: the same here.
    oku_february.history.filter(history_change_reason="Diverifikasi").update(history_user=verifier)
    # And a provisional (submitted, unverified) figure from another regency.
    provisional = MonthlyReportFactory(
        program=gbrss_data,
        regency_id="16.02",
        year=2024,
        month=3,
        status=MonthlyReport.Status.SUBMITTED,
        first_submitted_at=dt.datetime(2024, 4, 8, 9, 0, 0, 123456, tzinfo=dt.UTC),
    )
    RealizationFactory(
        report=provisional,
        indicator=Indicator.objects.get(code="rumah-dibedah"),
        funding_source=FundingSource.objects.get(code="csr"),
        value=Decimal("7"),
    )
    pimpinan = UserScopeFactory(role=UserScope.Role.PIMPINAN).user

    before = snapshot(pimpinan)
    houses = before["progress"][(False, "gbrss", "rumah-dibedah", "-")]
    assert houses["realization"] == Decimal(57) and houses["target"] == Decimal(8391)
    program_page = before["pages (pimpinan)"][f"/program/gbrss/?{PERIOD}"]
    assert ("realization", "57*") in program_page["figures"]
    assert {"chart-trend"} <= set(program_page["charts"])
    assert "regency-table" in program_page["tables"]
    assert ("realization", "50") in before["pages (anonim)"][f"/program/gbrss/?{PERIOD}"]["figures"]
    verified = [
        row
        for row in before["history"]["programs.HistoricalMonthlyReport"]
        if row["history_change_reason"] == "Diverifikasi"
    ]
    assert [(r["verified_by_id"], r["history_user_id"]) for r in verified] == [
        (verifier.pk, verifier.pk)
    ]

    backup = tmp_path / "cadangan.json"
    call_command(
        "dumpdata",
        "--natural-foreign",
        *(f"--exclude={label}" for label in EXCLUDE),
        "--indent=1",
        f"--output={backup}",
        verbosity=0,
    )
    call_command("flush", interactive=False, verbosity=0)
    assert not Realization.objects.exists() and not Regency.objects.exists()
    call_command("loaddata", str(backup), verbosity=0)

    after = snapshot(pimpinan)
    for part in before:
        assert after[part] == before[part], part

    # Sequences follow the restored ids: new rows get fresh keys.
    report = MonthlyReportFactory(program=gbrss_data, regency_id="16.02", year=2024, month=5)
    assert report.pk > max(r["id"] for r in before["history"]["programs.HistoricalMonthlyReport"])
