"""An exemption from one indicator for a range of months: the entry form shows it as
"tidak wajib" (no input, no evidence needed), the service refuses values for it and
writes nothing, and the spreadsheet import refuses its rows."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.test import Client

from programs.models import Indicator, MonthlyReport, Program, Realization, ReportingExemption
from programs.reporting import services
from programs.reporting.rules import EntryRow
from regencies.models import Regency, UserScope
from tests.factories import UserFactory
from tests.helpers import (
    element_text,
    find,
    find_all,
    flash_messages,
    import_preview_rows,
    page,
    table_row,
)

URL = "/laporan/16.07/gsmp/2026-10/"


@pytest.fixture
def exempt(reference_data):
    """Banyuasin need not report GSMP's villages (desa-gsmp) from September 2026; that
    indicator needs evidence otherwise."""
    with time_machine.travel(dt.datetime(2026, 11, 29, 9, tzinfo=dt.UTC), tick=False):
        desa = Indicator.objects.get(code="desa-gsmp")
        desa.requires_evidence = True
        desa.save()
        ReportingExemption.objects.create(
            regency_id="16.07",
            program=desa.program,
            indicator=desa,
            start=dt.date(2026, 9, 1),
            reason="Tidak ada desa sasaran",
        )
        user = UserFactory(username="op-banyuasin")
        UserScope.objects.create(user=user, role=UserScope.Role.OPERATOR, regency_id="16.07")
        client = Client()
        client.force_login(user)
        yield user, client


def test_form_shows_tidak_wajib_and_submits_without_it_or_its_evidence(exempt):
    _user, client = exempt
    form = page(client.get(URL))
    notice = find(find(form, id="g-desa-gsmp"), "p", data_not_required="desa-gsmp")
    assert element_text(notice).startswith("Tidak wajib")
    assert not find_all(form, name="r-desa-gsmp-0-num")
    find(find(form, id="g-rumah-tangga-penerima"), "input", name="r-rumah-tangga-penerima-0-value")

    # August is before the exemption: the indicator is required there.
    def exempt_in(month):
        return services.entry_context(
            regency=Regency.objects.get(code="16.07"),
            program=Program.objects.get(slug="gsmp"),
            year=2026,
            month=month,
        ).exempt

    assert exempt_in(8) == set() and exempt_in(10) == {Indicator.objects.get(code="desa-gsmp").pk}
    response = client.post(
        URL,
        {
            "r-rumah-tangga-penerima-0-source": "csr",
            "r-rumah-tangga-penerima-0-value": "1",
            "aksi": "ajukan",
            "versi": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    report = MonthlyReport.objects.get()
    assert report.status == MonthlyReport.Status.SUBMITTED
    assert list(report.realizations.values_list("indicator__code", flat=True)) == [
        "rumah-tangga-penerima"
    ]


def test_a_crafted_post_for_the_exempt_indicator_is_refused_and_writes_nothing(exempt):
    user, client = exempt
    response = client.post(
        URL,
        {
            "r-rumah-tangga-penerima-0-source": "csr",
            "r-rumah-tangga-penerima-0-value": "1",
            "r-desa-gsmp-0-num": "3",
            "r-desa-gsmp-0-den": "10",
            "aksi": "simpan",
            "versi": 0,
        },
    )
    assert response.status_code == 422
    assert any("tidak wajib dilaporkan wilayah ini" in m for m in flash_messages(response))
    assert not MonthlyReport.objects.exists() and not Realization.objects.exists()
    # The service itself refuses, whoever calls it.
    desa = Indicator.objects.get(code="desa-gsmp")
    with pytest.raises(services.ServiceError) as refused:
        services.report_save(
            user=user,
            regency=Regency.objects.get(code="16.07"),
            program=Program.objects.get(slug="gsmp"),
            year=2026,
            month=10,
            version=0,
            rows=[
                EntryRow(
                    key="desa-gsmp-0",
                    indicator=desa,
                    source_code="tidak-dirinci",
                    numerator=Decimal(3),
                    denominator=Decimal(10),
                )
            ],
            submit=False,
            today=dt.date(2026, 11, 29),
        )
    assert "Desa" in refused.value.message or desa.name in refused.value.message
    assert "tidak wajib" in refused.value.message
    assert not MonthlyReport.objects.exists() and not Realization.objects.exists()


def test_import_refuses_rows_for_the_exempt_indicator(exempt):
    _user, client = exempt
    csv = (
        "program,indikator,wilayah,bulan,sumber_dana,nilai,pembilang,penyebut,catatan\n"
        "gsmp,desa-gsmp,16.07,2026-10,tidak-dirinci,,3,10,\n"
        "gsmp,rumah-tangga-penerima,16.07,2026-10,csr,1,,,\n"
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    with time_machine.travel(dt.datetime(2026, 11, 29, 9, tzinfo=dt.UTC), tick=False):
        preview = client.post(
            "/impor/",
            {
                "jenis": "realizations",
                "berkas": SimpleUploadedFile("isi.csv", csv.encode(), content_type="text/csv"),
            },
        )
    assert preview.status_code == 200
    rows = import_preview_rows(preview)
    assert [row["state"] for row in rows] == ["error", "new"], rows
    assert "tidak wajib dilaporkan wilayah ini" in rows[0]["Keterangan"]


def test_program_page_table_shows_tidak_wajib_for_the_exempt_regency(exempt):
    with time_machine.travel(dt.datetime(2026, 11, 29, 9, tzinfo=dt.UTC), tick=False):
        client = Client()
        response = client.get(
            "/program/gsmp/", {"indikator": "desa-gsmp", "tahun": 2026, "bulan": 10}
        )
        other = client.get(
            "/program/gsmp/", {"indikator": "rumah-tangga-penerima", "tahun": 2026, "bulan": 10}
        )
    assert len(not_required(page(response))) == 1  # only Banyuasin
    [banyuasin] = not_required(table_row(response, "regency-table", "16.07"))
    assert banyuasin.name == "td" and element_text(banyuasin) == "Tidak wajib"
    assert not not_required(page(other))  # the other indicator is still required


def not_required(root) -> list:
    """The elements under `root` marked `data-not-required` (shown as "tidak wajib")."""
    return [e for e in find_all(root) if "data-not-required" in dict(e.attributes)]


def draft_with_three_of_ten_villages() -> tuple[MonthlyReport, Indicator]:
    """Banyuasin's GSMP October 2026 draft, holding 3 of 10 villages ("desa-gsmp")."""
    from programs.models import FundingSource

    desa = Indicator.objects.get(code="desa-gsmp")
    report = MonthlyReport.objects.create(
        regency_id="16.07", program=desa.program, year=2026, month=10, version=1
    )
    Realization.objects.create(
        report=report,
        indicator=desa,
        funding_source=FundingSource.objects.get(code="tidak-dirinci"),
        numerator=Decimal(3),
        denominator=Decimal(10),
    )
    return report, desa


def test_values_saved_before_the_exemption_began_survive_a_later_save(exempt):
    """The exempt indicator is not on the form, so a save must not take it for removed."""
    _user, client = exempt
    report, desa = draft_with_three_of_ten_villages()
    response = client.post(
        URL,
        {
            "r-rumah-tangga-penerima-0-source": "csr",
            "r-rumah-tangga-penerima-0-value": "1",
            "aksi": "simpan",
            "versi": 1,
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    kept = Realization.objects.get(report=report, indicator=desa)
    assert (kept.numerator, kept.denominator) == (Decimal(3), Decimal(10))
    assert report.realizations.count() == 2


def test_values_saved_before_the_exemption_are_shown_kept_in_the_draft_and_not_submitted(exempt):
    """The draft held 3 of 10 villages before Banyuasin became exempt: the form says so
    beside "tidak wajib" and that they will not be submitted; submitting sends the report
    without them (the verifier never gets unchecked figures), the history keeps them."""
    _user, client = exempt
    report, desa = draft_with_three_of_ten_villages()
    stored = find(page(client.get(URL)), "p", data_stored_exempt="desa-gsmp")
    assert element_text(stored) == (
        "Tersimpan sebelum pengecualian: 3 / 10 (Tidak dirinci). Nilai ini tetap di draf "
        "tetapi tidak ikut diajukan: saat laporan diajukan, nilai ini dihapus dari laporan "
        "(riwayat tetap menyimpannya)."
    )
    response = client.post(
        URL,
        {
            "r-rumah-tangga-penerima-0-source": "csr",
            "r-rumah-tangga-penerima-0-value": "1",
            "aksi": "ajukan",
            "versi": 1,
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    report.refresh_from_db()
    assert report.status == MonthlyReport.Status.SUBMITTED
    assert list(report.realizations.values_list("indicator__code", flat=True)) == [
        "rumah-tangga-penerima"
    ]
    gone = Realization.history.filter(indicator_id=desa.pk, history_type="-").get()
    assert gone.history_change_reason == "Tidak wajib bulan ini: tidak ikut diajukan"
    assert (gone.numerator, gone.denominator) == (Decimal(3), Decimal(10))


def test_evidence_for_the_exempt_indicator_is_neither_offered_nor_taken(exempt):
    """The attachment form offers the indicators of the month to fill in; a crafted post
    naming the exempt one is refused saying why, and nothing is stored (the service
    refuses it, whoever calls it). Evidence for the report as a whole, or for a required
    indicator, is taken as before."""
    from programs.models import Attachment
    from tests.evidence_helpers import phone_photo

    user, client = exempt
    with time_machine.travel(dt.datetime(2026, 11, 29, 9, tzinfo=dt.UTC), tick=False):
        client.post(
            URL,
            {
                "r-rumah-tangga-penerima-0-source": "csr",
                "r-rumah-tangga-penerima-0-value": "1",
                "aksi": "simpan",
                "versi": 0,
            },
        )
        report = MonthlyReport.objects.get()
        offered = [
            dict(o.attributes).get("value") or ""
            for o in find_all(
                find(page(client.get(URL)), "select", id="lampiran-indikator"), "option"
            )
        ]
        assert "desa-gsmp" not in offered and "rumah-tangga-penerima" in offered

        def attach(indicator):
            from django.core.files.uploadedfile import SimpleUploadedFile

            berkas = SimpleUploadedFile("foto.jpg", phone_photo(), content_type="image/jpeg")
            return client.post(
                URL + "lampiran/", {"berkas": berkas, "keterangan": "", "indikator": indicator}
            )

        refused = attach("desa-gsmp")
        assert refused.status_code == 422
        message = (
            "Indikator Desa/kelurahan melaksanakan GSMP tidak wajib dilaporkan "
            "wilayah ini untuk bulan ini: bukti untuknya tidak dapat dilampirkan."
        )
        assert message in flash_messages(refused)
        assert not Attachment.objects.exists()
        with pytest.raises(services.ServiceError) as error:
            services.attachment_add(
                user=user,
                report=report,
                regency=Regency.objects.get(code="16.07"),
                program=Program.objects.get(slug="gsmp"),
                year=2026,
                month=10,
                data=phone_photo(),
                filename="foto.jpg",
                indicator_code="desa-gsmp",
            )
        assert error.value.message == message
        assert not Attachment.objects.exists()
        assert attach("rumah-tangga-penerima").status_code == 302
        assert attach("").status_code == 302
        assert Attachment.objects.count() == 2
