"""The entry form's plausibility warnings at the spreadsheet import: shown beside each
previewed row (a warning, not an error: the import applies, as drafts), resolved by the
file's catatan column like the form's note, and still demanded when the imported report
is submitted (the entry form is the one way to submit; the import never does). Races of
an import against a submit are in tests/programs/reporting/test_races.py."""

from decimal import Decimal

import pytest
from django.utils import timezone

from programs.models import (
    FundingSource,
    ImportBatch,
    Indicator,
    MonthlyReport,
    Program,
    Realization,
    Target,
)
from regencies.models import Regency, UserScope
from tests.factories import MonthlyReportFactory, RealizationFactory
from tests.helpers import (
    element_text,
    find_all,
    flash_messages,
    import_preview_rows,
    login,
    make_user,
    page,
    previous_month,
    row_messages,
)
from tests.reporting_helpers import rows, url
from tests.spreadsheets_helpers import row, upload, xlsx

D = Decimal
Status = MonthlyReport.Status

pytestmark = pytest.mark.usefixtures("frozen_clock")

ABOVE_REMAINING = "! Melebihi sisa target (20): periksa, dan beri catatan bila benar."
NEEDS_NOTE = " (perlu catatan sebelum diajukan)"
NOTED = " (catatan sudah diisi)"
NEEDS_NOTES = "Beberapa angka perlu catatan sebelum laporan dapat diajukan."


@pytest.fixture
def target(reference_data):
    """Banyuasin's target of 20 houses for the year of last month: more than 20 houses
    in one month is questioned (ABOVE_REMAINING)."""
    year, _month = previous_month()
    return Target.objects.create(
        indicator=Indicator.objects.get(code="rumah-dibedah"),
        regency_id="16.07",
        year=year,
        value=D(20),
    )


def notice(response) -> str | None:
    """The preview's notice of rows whose report will need a note, if any."""
    found = find_all(page(response), id="import-needs-notes")
    return element_text(found[0]) if found else None


def apply(client):
    batch = ImportBatch.objects.get()
    return client.post(f"/impor/{batch.token}/terapkan/", follow=True)


def test_a_value_the_form_would_question_is_warned_beside_its_row_and_still_applies(
    operator, target
):
    client = login(operator)
    response = upload(
        client, xlsx([row("50"), row("3", program="gpsss", indicator="unit-sanitasi")])
    )
    assert response.status_code == 200
    warned, plain = import_preview_rows(response)
    assert (warned["state"], warned["Keterangan"]) == ("new", ABOVE_REMAINING + NEEDS_NOTE)
    assert (plain["state"], plain["Keterangan"]) == ("new", "")
    assert notice(response).startswith("1 baris memicu peringatan")
    assert find_all(page(response), id="apply-import")
    applied = apply(client)
    assert any("Laporan tetap berstatus draf" in m for m in flash_messages(applied))
    assert set(MonthlyReport.objects.values_list("status", flat=True)) == {Status.DRAFT}
    assert Realization.objects.get(indicator__code="rumah-dibedah").value == D(50)


def test_the_catatan_column_resolves_the_warning_like_the_forms_note(operator, target):
    response = upload(login(operator), xlsx([row("50", note="Termasuk bantuan CSR")]))
    (line,) = import_preview_rows(response)
    assert (line["state"], line["Keterangan"]) == ("new", ABOVE_REMAINING + NOTED)
    assert notice(response) is None


def test_the_warning_weighs_the_months_rows_as_the_import_leaves_them(operator, target):
    """15 houses stored from the APBN and 10 more from a CSR partner in the file: 25 in the
    month, above the 20 remaining, though neither row is alone. Every file row of that
    indicator carries the warning; the stored row's note would resolve it, but the file
    replaces the APBN row with one without a note."""
    year, month = previous_month()
    report = MonthlyReportFactory(
        program=Program.objects.get(slug="gbrss"),
        regency=Regency.objects.get(code="16.07"),
        year=year,
        month=month,
        status=Status.DRAFT,
    )
    RealizationFactory(
        report=report,
        indicator=Indicator.objects.get(code="rumah-dibedah"),
        funding_source=FundingSource.objects.get(code="apbn"),
        value=D(15),
        note="Sesuai SK",
    )
    client = login(operator)
    noted = upload(client, xlsx([row("10", source="csr")]))
    assert [r["Keterangan"] for r in import_preview_rows(noted)] == [ABOVE_REMAINING + NOTED]
    replaced = upload(client, xlsx([row("10", source="csr"), row("16")]))
    assert [(r["state"], r["Keterangan"]) for r in import_preview_rows(replaced)] == [
        ("changed", ABOVE_REMAINING + NEEDS_NOTE),
        ("new", ABOVE_REMAINING + NEEDS_NOTE),
    ]


def test_an_error_row_stops_the_import_and_its_warnings_are_not_announced(operator, target):
    response = upload(
        login(operator), xlsx([row("50"), row("-1", program="gpsss", indicator="unit-sanitasi")])
    )
    assert [r["state"] for r in import_preview_rows(response)] == ["error", "new"]
    assert notice(response) is None
    assert not find_all(page(response), id="apply-import")


def test_an_imported_value_with_a_warning_cannot_be_submitted_without_a_note(operator, target):
    """The import leaves a draft; the entry form shows the warning, refuses to submit the
    values as they were imported, and submits them once a note is written. The verifier
    reads the check written for them, beside the note."""
    client = login(operator)
    upload(client, xlsx([row("50")]))
    apply(client)
    form = client.get(url())
    assert row_messages(form, "rumah-dibedah") == [ABOVE_REMAINING + NEEDS_NOTE]
    refused = client.post(url(), {"versi": "1", "aksi": "ajukan", **rows("50")})
    assert refused.status_code == 422
    assert NEEDS_NOTES in flash_messages(refused)
    assert MonthlyReport.objects.get().status == Status.DRAFT
    submitted = client.post(
        url(), {"versi": "1", "aksi": "ajukan", **rows("50", note="Termasuk bantuan CSR")}
    )
    assert submitted.status_code == 302
    assert MonthlyReport.objects.get().status == Status.SUBMITTED
    verifier = make_user("verifikator-uji", UserScope.Role.VERIFIKATOR)
    queue = element_text(page(login(verifier).get("/verifikasi/")))
    assert "Melebihi sisa target (20): cocokkan dengan catatan dan bukti operator." in queue
    assert "Termasuk bantuan CSR" in queue


def test_a_note_imported_with_the_value_lets_the_report_be_submitted(operator, target):
    client = login(operator)
    upload(client, xlsx([row("50", note="Termasuk bantuan CSR")]))
    apply(client)
    form = client.get(url())
    assert row_messages(form, "rumah-dibedah") == [ABOVE_REMAINING + NOTED]
    submitted = client.post(
        url(), {"versi": "1", "aksi": "ajukan", **rows("50", note="Termasuk bantuan CSR")}
    )
    assert submitted.status_code == 302
    report = MonthlyReport.objects.get()
    assert report.status == Status.SUBMITTED and report.submitted_at <= timezone.now()
