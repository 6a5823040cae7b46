"""Import rows and template links as an operator or admin reads them: an error row still
shows the month it was read on, an empty required cell says it is empty, and the
template's ?wilayah= takes the codes the upload takes and refuses one naming no regency."""

import io

import openpyxl
import pytest

from regencies.models import UserScope
from tests.factories import UserFactory
from tests.helpers import (
    attribute,
    element_text,
    find,
    find_all,
    flash_messages,
    import_preview_rows,
    login,
    make_user,
    page,
)
from tests.spreadsheets_helpers import period_text, row, target_csv, upload, xlsx

pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture
def admin_user(reference_data):
    return UserFactory(username="admin-impor", is_superuser=True, is_staff=True)


def errors(response) -> list[tuple[str, str]]:
    """(Periode, Keterangan) of each previewed row in error."""
    rows = import_preview_rows(response)
    return [(r["Periode"], r["Keterangan"]) for r in rows if r["state"] == "error"]


def test_error_rows_show_their_month_and_name_the_empty_cell(operator):
    """A row with an unknown program still shows the month it is for (the Periode column
    was empty), and an empty program, indicator or wilayah cell says it is empty instead
    of 'Program tidak dikenal: –'."""
    month = period_text()
    file = xlsx(
        [
            row("3", program="gbrs"),
            row("4", program=""),
            row("5", indicator=""),
            row("6", regency=""),
            row("7", period=" "),  # blank (row() fills an empty one)
            row("8", source="apbx"),
        ]
    )
    preview = upload(login(operator), file)
    assert errors(preview) == [
        (month, "Program tidak dikenal: gbrs."),
        (month, "Program belum diisi."),
        (month, "Indikator belum diisi."),
        (month, "Wilayah belum diisi."),
        ("", errors(preview)[4][1]),
        (month, "Sumber dana tidak dikenal: apbx."),
    ]
    assert errors(preview)[4][1].startswith("Bulan belum diisi.")


def test_target_rows_show_their_year_and_name_the_empty_cell(admin_user):
    file = target_csv(
        "gbrs;rumah-dibedah;16.05;2026;100;;;;uji",
        ";rumah-dibedah;16.05;2026;100;;;;uji",
        "gbrss;;16.05;2026;100;;;;uji",
        "gbrss;rumah-dibedah;16.05;;100;;;;uji",
        "gbrss;rumah-dibedah;16.05;2026;;;;;uji",
        "gbrss;rumah-dibedah;16.05;20x6;100;;;;uji",
    )
    preview = upload(login(admin_user), file, kind="targets")
    assert errors(preview) == [
        ("2026", "Program tidak dikenal: gbrs."),
        ("2026", "Program belum diisi."),
        ("2026", "Indikator belum diisi."),
        ("", "Tahun belum diisi."),
        ("2026", "Nilai belum diisi."),
        ("", "Tahun tidak sah."),
    ]


def template_regencies(response) -> set:
    content = b"".join(response.streaming_content)
    rows = openpyxl.load_workbook(io.BytesIO(content))["Data"].iter_rows(values_only=True)
    return {r[2] for r in list(rows)[1:]}


def test_the_template_takes_a_regency_code_as_the_upload_reads_it(admin_user):
    """?wilayah=1607 gave an empty template (only 16.07 matched), as did an unknown code:
    both forms now give Banyuasin's rows, and an unknown code is refused on the import page."""
    client = login(admin_user)
    for code in ("16.07", "1607"):
        response = client.get(f"/impor/templat.xlsx?bulan={period_text()}&wilayah={code}")
        assert response.status_code == 200
        assert template_regencies(response) == {"16.07"}
    for code in ("1699", "16.99", "abc"):
        refused = client.get(f"/impor/templat.xlsx?wilayah={code}")
        assert refused.status_code == 400
        shown = code if code != "1699" else "16.99"
        assert flash_messages(refused) == [
            f"Kode wilayah tidak dikenal: {shown}. Tulis kode Kemendagri kabupaten/kota, "
            "misalnya 16.07 atau 1607."
        ]
    whole = client.get("/impor/templat.xlsx?wilayah=")
    assert len(template_regencies(whole)) == 17


def test_an_operator_asking_another_regencys_template_is_told_so(operator):
    """Banyuasin's operator asking ?wilayah=16.71 (or 1671, or 16.1 as Excel keeps a typed
    16.10) silently got Banyuasin's template: now they are told, on the import page, that
    only their own regency's template can be downloaded, and get no file. Their own code,
    in any form, still gives their template."""
    client = login(operator)
    for code, named in (
        ("16.71", "Palembang (16.71)"),
        ("1671", "Palembang (16.71)"),
        ("16.1", "Ogan Ilir (16.10)"),
        ("16.10", "Ogan Ilir (16.10)"),
    ):
        refused = client.get(f"/impor/templat.xlsx?bulan={period_text()}&wilayah={code}")
        assert refused.status_code == 400, code
        assert refused["Content-Type"].startswith("text/html")
        assert flash_messages(refused) == [
            "Anda hanya dapat mengunduh templat untuk wilayah Anda sendiri, Banyuasin "
            f"(16.07); templat untuk {named} tidak dapat diunduh."
        ]
    for code in ("16.07", "1607", ""):
        response = client.get(f"/impor/templat.xlsx?bulan={period_text()}&wilayah={code}")
        assert response.status_code == 200, code
        assert template_regencies(response) == {"16.07"}


BLANK_SOURCE = (
    "Sumber dana kosong: dicatat sebagai “Tidak dirinci”. Isi kolom sumber_dana bila sumber "
    "dananya diketahui."
)


def test_an_empty_funding_source_is_said_on_the_row_it_is_read_for(operator):
    """An empty sumber_dana cell was silently read as "tidak dirinci": an operator who
    forgot to fill it saw nothing. It is still taken as the entry form's new row starts
    (Tidak dirinci), but the preview says so on that row and above the table. A ratio's
    row, never split by source, says nothing; nor does a row that names its source."""
    ratio = row("", program="gsmp", indicator="desa-gsmp", source="")
    ratio[6], ratio[7] = 3, 6
    preview = upload(login(operator), xlsx([row("12", source=""), row("5", source="apbn"), ratio]))
    rows = sorted(import_preview_rows(preview), key=lambda r: int(r["Baris"]))
    assert [(r["state"], r["Sumber dana"], r["Keterangan"]) for r in rows] == [
        ("new", "tidak-dirinci", BLANK_SOURCE),
        ("new", "apbn", ""),
        ("new", "tidak-dirinci", ""),
    ]
    assert element_text(find(page(preview), id="import-blank-sources")) == (
        "1 baris tanpa sumber dana akan dicatat sebagai “Tidak dirinci”. Bila sumber "
        "dananya diketahui, isi kolom sumber_dana lalu unggah ulang."
    )


def test_a_value_written_as_money_is_refused_naming_the_digits(operator):
    """'Rp 8.600,-' in a nilai cell was refused as "Bukan angka yang sah" like any
    garbage; the row now says to write the digits alone, as the entry form does."""
    preview = upload(
        login(operator), xlsx([row("Rp 8.600,-"), row("8.600", source="apbd-kabkota")])
    )
    assert errors(preview) == [
        (period_text(), "Tulis angkanya saja, tanpa “Rp” atau “,-”: 8.600."),
    ]


def test_apply_after_the_session_ended_comes_back_to_the_preview(operator):
    """The session ended while the operator read the preview: Apply went to the login
    page, which then opened the apply address with GET, answered 405 ("metode tidak
    diizinkan"): the upload had to be done again. After the login the preview is shown
    again, to apply from; nothing is applied before Apply is pressed."""
    from programs.models import ImportBatch, Realization

    client = login(operator)
    upload(client, xlsx([row("12")]))
    token = ImportBatch.objects.get().token
    client.logout()  # the session ends
    apply_url = f"/impor/{token}/terapkan/"
    sent = client.post(apply_url)
    assert sent.status_code == 302 and "/akun/masuk/" in sent["Location"]
    back = client.post(
        sent["Location"], {"username": "op-banyuasin", "password": "rahasia-uji-123"}, follow=True
    )
    assert back.redirect_chain[-1][0] == apply_url and back.status_code == 200
    assert [(r["state"], r["Baru"]) for r in import_preview_rows(back)] == [("new", "12")]
    assert flash_messages(back) == [
        "Impor ini belum diterapkan. Periksa pratinjaunya lagi, lalu tekan Terapkan impor."
    ]
    assert not Realization.objects.exists()
    assert client.post(apply_url).status_code == 302
    assert Realization.objects.get().value == 12
    # Someone else's batch is not shown to them.
    other = make_user("op-palembang", UserScope.Role.OPERATOR, "16.71")
    assert login(other).get(apply_url).status_code == 403


def test_the_preview_counts_only_the_blank_sources_it_will_write(operator):
    """The count above the table, checked against one made by hand: of four rows with an
    empty sumber_dana, one is already stored as it stands (unchanged: nothing is written)
    and one is a ratio's (never split by source); the other two (one changed, one new)
    are written as "tidak dirinci": 2."""
    from programs.models import ImportBatch

    client = login(operator)
    sanitation = {"program": "gpsss", "indicator": "unit-sanitasi", "source": ""}
    upload(client, xlsx([row("12", source=""), row("4", **sanitation)]))
    assert client.post(f"/impor/{ImportBatch.objects.get().token}/terapkan/").status_code == 302
    ratio = row("", program="gsmp", indicator="desa-gsmp", source="")
    ratio[6], ratio[7] = 3, 6
    preview = upload(
        client,
        xlsx(
            [
                row("12", source=""),  # unchanged
                row("5", **sanitation),  # changed
                row("7", program="gsmp", indicator="rumah-tangga-penerima", source=""),  # new
                ratio,  # new, not split by source
                row("9", source="apbn"),  # new, names its source
            ]
        ),
    )
    rows = sorted(import_preview_rows(preview), key=lambda r: int(r["Baris"]))
    assert [(r["state"], r["Keterangan"] == BLANK_SOURCE) for r in rows] == [
        ("unchanged", False),
        ("changed", True),
        ("new", True),
        ("new", False),
        ("new", False),
    ]
    assert element_text(find(page(preview), id="import-blank-sources")).startswith(
        "2 baris tanpa sumber dana akan dicatat sebagai “Tidak dirinci”."
    )


def _login_again(client, apply_url, username):
    """Apply pressed after the session ended, then the login page sent back."""
    client.logout()
    sent = client.post(apply_url)
    assert sent.status_code == 302 and "/akun/masuk/" in sent["Location"]
    return client.post(
        sent["Location"], {"username": username, "password": "rahasia-uji-123"}, follow=True
    )


@pytest.mark.parametrize("gone", ["expired", "pruned"])
def test_a_preview_gone_by_the_time_of_the_login_says_so_on_the_upload_page(operator, gone):
    """The operator logs in again after the preview's two hours ran out: they land on the
    import page, told to upload the file again, with its upload form; a batch already
    deleted by `prune_imports` (after a week) answered a bare "not found" page instead."""
    import datetime as dt

    from django.utils import timezone

    from programs.models import ImportBatch, Realization

    client = login(operator)
    upload(client, xlsx([row("12")]))
    batch = ImportBatch.objects.get()
    if gone == "expired":
        batch.created_at = timezone.now() - dt.timedelta(hours=2, minutes=1)
        batch.save(update_fields=["created_at"])
    else:
        batch.delete()
    back = _login_again(client, f"/impor/{batch.token}/terapkan/", "op-banyuasin")
    assert back.status_code == 200 and back.redirect_chain[-1][0] == "/impor/"
    assert flash_messages(back) == ["Pratinjau ini sudah kedaluwarsa; unggah ulang berkasnya."]
    assert find(page(back), "form", id="upload-form")
    assert not Realization.objects.exists()


def test_an_expired_target_preview_leads_back_to_the_target_upload(admin_user):
    """An admin's target import expired the same way comes back to the upload with
    "Target" chosen, not the monthly realizations."""
    import datetime as dt

    from django.utils import timezone

    from programs.models import ImportBatch

    client = login(admin_user)
    upload(client, target_csv("gbrss;rumah-dibedah;16.07;2026;100;;;;uji"), "targets")
    batch = ImportBatch.objects.get()
    ImportBatch.objects.filter(pk=batch.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=3)
    )
    back = _login_again(client, f"/impor/{batch.token}/terapkan/", admin_user.username)
    assert flash_messages(back) == ["Pratinjau ini sudah kedaluwarsa; unggah ulang berkasnya."]
    options = find_all(find(page(back), "select", id="id_jenis"), "option")
    assert [attribute(o, "value") for o in options if "selected" in dict(o.attributes)] == [
        "targets"
    ]
