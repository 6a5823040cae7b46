"""A month the regency need not report (programs.obligations) owes nothing, whatever draft
exists, and has nothing to fill in; and a verifier's refused reason is never lost."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from programs.models import (
    FundingSource,
    Indicator,
    MonthlyReport,
    Program,
    Realization,
    ReportingExemption,
)
from programs.reporting import deadlines, reminders, services
from programs.reporting.rules import EntryRow
from programs.text import NUL_CHARACTER
from regencies.models import Regency
from tests.factories import MonthlyReportFactory, RealizationFactory
from tests.helpers import (
    attribute,
    cells,
    element_text,
    error_messages,
    find,
    find_all,
    flash_messages,
    import_preview_rows,
    login,
    page,
)
from tests.reporting_helpers import report
from tests.spreadsheets_helpers import HEADER, csv_file, upload

Status = MonthlyReport.Status
GPMSS_NOVEMBER = "/laporan/16.07/gpmss/2026-11/"
GPISS_NOVEMBER = "/laporan/16.07/gpiss/2026-11/"  # GPISS: only the BPS inflation cities
NOTHING_REQUIRED = (
    "Bulan ini tidak wajib dilaporkan wilayah ini: tidak ada yang perlu diisi atau diajukan, "
    "dan tidak ada yang disimpan."
)


@pytest.fixture
def exempted_draft(people, clock):
    """Banyuasin's GPMSS November 2026 saved as a draft, then exempted from November on
    (accepted: only submitted or verified months refuse an exemption)."""
    program = Program.objects.get(slug="gpmss")
    draft = MonthlyReportFactory(
        program=program,
        regency=Regency.objects.get(code="16.07"),
        year=2026,
        month=11,
        status=Status.DRAFT,
        verified_at=None,
    )
    indicator = program.indicators.exclude(measure=Indicator.Measure.RATIO).first()
    RealizationFactory(
        report=draft,
        indicator=indicator,
        funding_source=FundingSource.objects.get(code="apbn"),
        value=Decimal(5),
    )
    exemption = ReportingExemption(
        regency_id="16.07",
        program=program,
        start=dt.date(2026, 11, 1),
        reason="Uji: program dihentikan di wilayah ini",
    )
    exemption.full_clean()
    exemption.save()
    return draft


def links_to(section, path):
    return [a for a in find_all(section, "a") if attribute(a, "href") == path]


def test_an_exempted_draft_is_neither_to_do_late_nor_locked_and_is_kept(exempted_draft, people):
    """The draft stayed under "Perlu dikerjakan sekarang" with "batas 10 Desember 2026",
    could never be submitted, and after the lock date moved to "Terkunci sebelum
    diajukan"; the completeness page said "Tidak wajib"."""
    client = login(people["operator"])
    html = page(client.get("/laporan/", {"tahun": 2026}))
    for section in ("due-now", "locked-owed"):
        for found in find_all(html, id=section):
            assert not links_to(found, GPMSS_NOVEMBER), section
    row = find(find(html, "table", id="my-reports"), "tr", data_program="gpmss", data_month="11")
    status, due, left, action = cells(row)[2:]
    # No deadline for a month with nothing owed (the table still read 10 Desember 2026).
    assert status == "Draf · tidak wajib" and due == left == "–" and action == "Lihat"

    # Kept and viewable: the page shows the value saved before the exemption began.
    entry = page(client.get(GPMSS_NOVEMBER))
    assert find_all(entry, "p", class_="not-required-stored")
    assert exempted_draft.realizations.count() == 1

    after_lock = deadlines.lock_date(2026, 11) + dt.timedelta(days=1)
    moment = dt.datetime.combine(after_lock, dt.time(9), tzinfo=dt.UTC)
    with time_machine.travel(moment, tick=False):
        html = page(client.get("/laporan/", {"tahun": 2026}))
        for section in ("due-now", "locked-owed"):
            for found in find_all(html, id=section):
                assert not links_to(found, GPMSS_NOVEMBER), section
    # No reminder names it either (5 December: November is due within the week).
    with time_machine.travel(dt.datetime(2026, 12, 5, 9, tzinfo=dt.UTC), tick=False):
        due = dict(reminders.reminders_due(days=7))
    assert ("gpmss", 11) not in {(r.program.slug, r.month) for r in due[people["operator"]]}
    exempted_draft.refresh_from_db()
    assert exempted_draft.status == Status.DRAFT


@pytest.mark.parametrize("who", ["operator", "pimpinan", "admin"])
def test_the_kept_draft_shows_its_values_to_everyone_who_opens_it(exempted_draft, people, who):
    """The page says the draft "dapat dilihat di bawah"; a leader or a verifier saw no
    value under it, only the operator who could edit it."""
    entry = page(login(people[who]).get(GPMSS_NOVEMBER))
    assert "dapat dilihat di bawah" in element_text(find(entry, id="not-required"))
    kept = [element_text(p) for p in find_all(entry, "p", class_="not-required-stored")]
    assert len(kept) == 1 and kept[0].startswith("Tersimpan sebelum pengecualian: 5 (")


@pytest.mark.parametrize("path", [GPISS_NOVEMBER, GPMSS_NOVEMBER])
def test_a_month_with_nothing_to_fill_in_offers_no_deadline_nor_buttons(
    exempted_draft, people, path
):
    """GPISS (not required of Banyuasin) showed "Belum diisi", "Batas waktu 10 Desember
    2026", "Simpan draf" and "Ajukan untuk verifikasi"; saving made an empty draft."""
    client = login(people["operator"])
    html = page(client.get(path))
    labels = [element_text(dt_) for dt_ in find_all(html, "dt")]
    assert "Batas waktu" not in labels and "Dikunci setelah" not in labels
    assert not find_all(html, "button", name="aksi")
    note = element_text(find(html, "p", id="not-required"))
    assert note.startswith("Bulan ini tidak wajib dilaporkan wilayah ini")
    if path == GPISS_NOVEMBER:
        assert element_text(find(html, "dd", class_="report-status")) == "Tidak wajib"


@pytest.mark.parametrize("aksi", ["simpan", "ajukan"])
@pytest.mark.parametrize("path", [GPISS_NOVEMBER, GPMSS_NOVEMBER])
def test_a_post_to_a_month_with_nothing_to_fill_in_changes_nothing(
    exempted_draft, people, path, aksi
):
    before = {
        (r.program.slug, r.month): (r.status, r.version)
        for r in MonthlyReport.objects.select_related("program")
    }
    version = "1" if path == GPMSS_NOVEMBER else "0"
    response = login(people["operator"]).post(path, {"aksi": aksi, "versi": version})
    assert response.status_code == 422
    assert flash_messages(response) == [NOTHING_REQUIRED]
    after = {
        (r.program.slug, r.month): (r.status, r.version)
        for r in MonthlyReport.objects.select_related("program")
    }
    assert after == before
    assert exempted_draft.realizations.count() == 1


def test_every_indicator_exempt_is_nothing_to_fill_in(people, clock):
    """Each indicator of GSMP exempted one by one: the same as the whole program."""
    program = Program.objects.get(slug="gsmp")
    for indicator in program.indicators.all():
        ReportingExemption.objects.create(
            regency_id="16.07",
            program=program,
            indicator=indicator,
            start=dt.date(2026, 10, 1),
            reason="Uji",
        )
    client = login(people["operator"])
    html = page(client.get("/laporan/16.07/gsmp/2026-10/"))
    assert not find_all(html, "button", name="aksi")
    response = client.post("/laporan/16.07/gsmp/2026-10/", {"aksi": "simpan", "versi": "0"})
    assert response.status_code == 422 and flash_messages(response) == [NOTHING_REQUIRED]
    assert not MonthlyReport.objects.exists()


def test_the_import_never_writes_a_month_not_required(people, clock):
    """The preview refuses such rows; an exemption added before the import is applied
    stops it at the writer, as the entry form does."""
    program = Program.objects.get(slug="gpiss")
    indicator = program.indicators.exclude(measure=Indicator.Measure.RATIO).first()
    item = services.ImportedReport(
        regency=Regency.objects.get(code="16.07"),
        program=program,
        year=2026,
        month=10,
        version=0,
        rows=[EntryRow(key="2", indicator=indicator, source_code="apbn", value=Decimal(3))],
    )
    with pytest.raises(services.ServiceError, match="tidak wajib dilaporkan wilayah ini"):
        services.realizations_import(user=people["admin"], reports=[item], reason="impor")
    assert not MonthlyReport.objects.exists() and not Realization.objects.exists()


LOCKED_MONTH = (2026, 8)  # locked on 10 October: a returned report there needs reopening
REASONS = {
    "empty": ("   ", "Alasan wajib diisi."),
    "nul": ("Rincian desa tidak cocok\x00 halaman 2", NUL_CHARACTER),
    "long": ("x" * 2001, "Alasan terlalu panjang: paling banyak 2.000 karakter."),
}


@pytest.mark.parametrize("refusal", list(REASONS))
@pytest.mark.parametrize(
    "aksi, status, period, box",
    [
        ("kembalikan", Status.SUBMITTED, None, "alasan-kembali"),
        ("buka", Status.VERIFIED, None, "alasan-buka"),
        ("buka-perbaikan", Status.RETURNED, LOCKED_MONTH, "alasan-perbaikan"),
    ],
)
def test_a_refused_reason_comes_back_in_its_box_with_the_error(
    people, clock, aksi, status, period, box, refusal
):
    """A refused reason answered 302 back to the report, the message on top and an empty
    box: the verifier lost what they typed."""
    rep = report(status, period=period or (2026, 10))
    text, message = REASONS[refusal]
    response = login(people["verifier"]).post(
        f"/laporan/16.07/gbrss/{rep.year}-{rep.month:02d}/status/",
        {"aksi": aksi, "alasan": text, "versi": str(rep.version)},
    )
    assert response.status_code == 422
    html = page(response)
    textarea = find(html, "textarea", id=box)
    assert attribute(textarea, "aria-invalid") == "true"
    assert error_messages(html) == [message]  # beside the box, not on top
    assert flash_messages(response) == []
    if refusal != "empty":
        assert element_text(textarea) == text  # kept as typed, to fix and send again
    rep.refresh_from_db()
    assert rep.status == status


def test_switching_language_after_a_refused_reason_returns_to_the_report(people, clock):
    """The refused reason's page is answered at /status/ (POST only): the language switch
    sent the verifier back there, to a blank 405."""
    rep = report(Status.SUBMITTED, period=(2026, 10))
    client = login(people["verifier"])
    refused = client.post(
        "/laporan/16.07/gbrss/2026-10/status/",
        {"aksi": "kembalikan", "alasan": " ", "versi": str(rep.version)},
    )
    assert refused.status_code == 422
    switch = find(page(refused), "form", action="/bahasa/")
    back_to = attribute(find(switch, "input", name="next"), "value")
    assert back_to == "/laporan/16.07/gbrss/2026-10/"
    switched = client.post("/bahasa/", {"language": "en", "next": back_to}, follow=True)
    assert switched.status_code == 200 and 'lang="en"' in switched.content.decode()


def test_an_exempted_draft_takes_no_attachment_and_loses_none(exempted_draft, people):
    """The page offers no upload on a month with nothing to fill in; a crafted upload or
    removal (an old tab) is refused by the service and changes nothing."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from programs.models import Attachment
    from tests.evidence_helpers import phone_photo

    client = login(people["operator"])
    # A photo attached while the month was still required (the exemption came later).
    exemption = ReportingExemption.objects.get(regency_id="16.07", program__slug="gpmss")
    exemption.delete()
    kept = client.post(
        GPMSS_NOVEMBER + "lampiran/",
        {"berkas": SimpleUploadedFile("foto.jpg", phone_photo()), "keterangan": "Sebelum"},
    )
    assert kept.status_code == 302 and Attachment.objects.count() == 1
    exemption.pk = None
    exemption.save()

    assert not find_all(page(client.get(GPMSS_NOVEMBER)), "form", id="attach-form")
    removal = client.post(f"/lampiran/{Attachment.objects.get().pk}/hapus/", follow=True)
    assert flash_messages(removal) == [NOTHING_REQUIRED]
    assert Attachment.objects.get().caption == "Sebelum"
    response = client.post(
        GPMSS_NOVEMBER + "lampiran/",
        {"berkas": SimpleUploadedFile("foto.jpg", phone_photo()), "keterangan": "Sesudah"},
    )
    assert response.status_code == 422
    assert flash_messages(response) == [NOTHING_REQUIRED]
    assert Attachment.objects.count() == 1


def test_the_import_refuses_a_locked_month_not_required_as_the_form_does(people, clock):
    """Banyuasin's GPISS August 2026 (GPISS: only the BPS inflation cities; August locked
    on 10 October): the entry form says the month is not required, and the import said
    "locked: ask an admin for a lock exception", which could not open it either."""
    client = login(people["operator"])
    form = client.post("/laporan/16.07/gpiss/2026-08/", {"aksi": "simpan", "versi": "0"})
    assert form.status_code == 422 and flash_messages(form) == [NOTHING_REQUIRED]
    cells = ["gpiss", "inflasi-yoy", "16.07", "2026-08", "tidak-dirinci", "2,5", "", "", ""]
    file = csv_file(";".join(HEADER) + "\r\n" + ";".join(cells) + "\r\n")
    preview = upload(client, file)
    assert [(r["state"], r["Keterangan"]) for r in import_preview_rows(preview)] == [
        (
            "error",
            "Indikator Inflasi tahunan (y-on-y) tidak wajib dilaporkan wilayah ini untuk "
            "bulan ini: isiannya tidak dapat disimpan.",
        )
    ]
    assert not MonthlyReport.objects.exists()
