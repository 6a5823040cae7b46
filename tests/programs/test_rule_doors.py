"""A business rule holds at every door that writes what it guards: the entry form, the
import, the verifier's actions and the admin. Each test here is a door found open by the
"every entry point to the same rule" review; the doors found closed are covered by the
tests of their own modules."""

from decimal import Decimal

import pytest
from django.urls import reverse

from programs.models import ImportBatch, MonthlyReport, Program, Realization
from programs.reporting import services
from programs.reporting.rules import EntryRow
from regencies.models import Regency
from tests.admin_helpers import change_data, field_errors, gbrss_province_target, realize
from tests.helpers import login, previous_month
from tests.programs.spreadsheets.test_imports import draft_report, realization_values
from tests.programs.test_admin_rules import inline_errors, post_report, row_of
from tests.spreadsheets_helpers import error_reasons, row, states, upload, xlsx


def test_the_admin_keeps_no_denominator_beside_a_count(admin_client, reference_data):
    """A house count saved with a "penyebut" beside it was stored as typed (the import
    refuses such a row, the entry form has no such box): the raw export and the API then
    showed a denominator for a number of houses."""
    realization = realize(gbrss_province_target(), regency=Regency.objects.get(code="16.07"))
    before = (realization.value, realization.numerator, realization.denominator)

    for typed in ({"denominator": "400"}, {"numerator": "3"}):
        response = post_report(admin_client, realization.report, [row_of(realization, **typed)])

        assert response.status_code == 200
        (field,) = typed
        assert inline_errors(response, field) == [
            "Indikator Rumah tidak layak huni dibedah diisi kolom nilai saja, bukan "
            "pembilang dan penyebut: kosongkan kolom pembilang dan penyebut."
        ]
        realization.refresh_from_db()
        assert (realization.value, realization.numerator, realization.denominator) == before
    assert not Realization.objects.filter(denominator__isnull=False).exists()
    # Without them, the same value saves.
    response = post_report(admin_client, realization.report, [row_of(realization, value="8")])
    assert response.status_code == 302
    realization.refresh_from_db()
    assert realization.value == Decimal(8)


@pytest.mark.usefixtures("frozen_clock")
def test_a_program_switched_off_takes_no_figures_from_a_file(operator):
    """Unticking a program's "aktif" removes its entry form (404) and its reminders, but
    a file with its rows was previewed as new and applied: drafts of a program nobody
    reports any more. Its rows are now refused with the reason; rows left as stored (a
    template downloaded before) stay unchanged."""
    program = Program.objects.get(slug="gbrss")
    kept = draft_report(value=5)  # last month's Banyuasin GBRSS draft, 5 houses (APBN)
    program.active = False
    program.save()
    client = login(operator)

    preview = upload(client, xlsx([row("8"), row("3", source="dana-desa")]))

    message = "Program GBRSS tidak aktif: laporannya tidak dapat diisi atau diubah."
    assert states(preview) == ["error", "error"]
    assert error_reasons(preview) == [message, message]
    assert client.get(kept.get_absolute_url()).status_code == 404  # as the entry form
    batch = ImportBatch.objects.get()
    client.post(f"/impor/{batch.token}/terapkan/")
    assert realization_values() == [(kept.pk, Decimal(5))]
    assert MonthlyReport.objects.get() == kept

    # A row as stored says nothing new: unchanged, as a locked month's row.
    only_stored = upload(client, xlsx([row("5")]))
    assert states(only_stored) == ["unchanged"]


def test_the_writers_refuse_a_program_switched_off_since_the_page_was_read(
    operator, reference_data
):
    """The page or the preview was read while the program was active; the services that
    write a report's figures (the entry form's save, the import) look again."""
    program = Program.objects.get(slug="gbrss")
    indicator = program.indicators.get(code="rumah-dibedah")
    year, month = previous_month()
    banyuasin = Regency.objects.get(code="16.07")
    Program.objects.filter(pk=program.pk).update(active=False)
    entry = EntryRow(key="r", indicator=indicator, source_code="apbn", value=Decimal(8))
    message = "Program GBRSS tidak aktif: laporannya tidak dapat diisi atau diubah."

    with pytest.raises(services.ServiceError) as saved:
        services.report_save(
            user=operator,
            regency=banyuasin,
            program=program,
            year=year,
            month=month,
            version=0,
            rows=[entry],
            submit=False,
        )
    with pytest.raises(services.ServiceError) as imported:
        services.realizations_import(
            user=operator,
            reports=[services.ImportedReport(banyuasin, program, year, month, 0, [entry])],
            reason="impor",
        )

    assert (saved.value.message, imported.value.message) == (message, message)
    assert not MonthlyReport.objects.exists()


def test_a_target_reverted_from_its_history_keeps_its_splits_and_milestones(
    admin_client, reference_data
):
    """The history page's "revert" saves the target's form without its inlines: a value
    of 1.000 from an old version was saved below the 2024 GBRSS target's split by funding
    source (6.724 planned) and its HUT milestone (1.778), which the change page and the
    list both refuse."""
    target = gbrss_province_target()
    value = target.value
    target.value = Decimal(1000)
    target.save()
    target.value = value
    target.save()
    old = target.history.get(value=Decimal(1000))
    url = reverse("admin:programs_target_simple_history", args=[target.pk, old.history_id])
    data = change_data(target, value="1.000", confirm_large_change="on")
    for name in list(data):
        if name.startswith(("splits-", "milestones-")):
            del data[name]  # the history page has no inlines

    refused = admin_client.post(url, data)

    assert refused.status_code == 200
    assert field_errors(refused, "value") == [
        "Rencana target ini tidak lagi cocok dengan nilai baru: Jumlah rencana per sumber "
        "dana (6.724) melebihi target (1.000).",
        "Rencana target ini tidak lagi cocok dengan nilai baru: Tahapan Menjelang HUT ke-78 "
        "Sumsel (1.778) melebihi target (1.000).",
    ]
    target.refresh_from_db()
    assert target.value == value
    # A value its parts fit is reverted as before.
    data["value"] = "8.000"
    assert admin_client.post(url, data).status_code == 302
    target.refresh_from_db()
    assert target.value == Decimal(8000)


def test_the_admin_deletes_no_verified_report_with_its_figures(admin_client, reference_data):
    """A door found closed, pinned: a verified report leaves only through a verifier's
    "Buka kembali" (with a reason). The admin's delete page and its "delete selected"
    action refuse a report whose realizations would go with it."""
    target = gbrss_province_target()
    kept = [
        realize(target, regency=Regency.objects.get(code=code)).report
        for code in ("16.07", "16.71")
    ]
    assert {report.status for report in kept} == {MonthlyReport.Status.VERIFIED}

    page_delete = admin_client.post(
        reverse("admin:programs_monthlyreport_delete", args=[kept[0].pk]), {"post": "yes"}
    )
    action = admin_client.post(
        reverse("admin:programs_monthlyreport_changelist"),
        {"action": "delete_selected", "_selected_action": [kept[1].pk], "post": "yes"},
    )

    assert (page_delete.status_code, action.status_code) == (200, 200)
    assert "yang tidak pernah dihapus dari Admin" in page_delete.content.decode()
    assert MonthlyReport.objects.filter(pk__in=[r.pk for r in kept]).count() == 2
    assert Realization.objects.filter(report__in=kept).count() == 2
