"""Bad input and error pages (issue 12, items 5 and 6): every probe answers 400/404 with
an Indonesian page in the site's layout, never a 500; logged-in pages are private."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from programs.models import MonthlyReport
from programs.reporting import services
from tests.evidence_helpers import phone_photo
from tests.helpers import login
from tests.reporting_helpers import report, rows, url

Status = MonthlyReport.Status
LAYOUT = '<main id="konten"'


@pytest.fixture
def quiet_client():
    """A client that shows the 500 page instead of raising the view's exception."""
    return Client(raise_request_exception=False)


@pytest.mark.parametrize(
    "path",
    [
        "/wilayah/%00/",
        "/program/gbrss/?program=%00",
        "/unduh/program/gbrss.xlsx?program=%00",
        "/unduh/program/gbrss.csv?indikator=%00",
        "/unduh/kelengkapan.xlsx?program=%00",
        "/unduh/kelengkapan.csv?program=%00",
        "/?urutkan=%00",
    ],
)
def test_hostile_urls_answer_400_or_404_in_indonesian(gbrss_data, quiet_client, path):
    response = quiet_client.get(path)
    assert response.status_code in (400, 404), response.status_code
    html = response.content.decode()
    assert LAYOUT in html
    assert "Permintaan tidak dapat diproses" in html or "Halaman tidak ditemukan" in html


@pytest.mark.parametrize("path", ["/laporan/16.07/gpmss/0000-01/", "/laporan/16.07/gbrss/0000-01/"])
def test_a_year_zero_report_is_a_404(people, quiet_client, path):
    quiet_client.force_login(people["operator"])
    response = quiet_client.get(path)
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.content.decode()


def test_streamed_csv_export_with_a_nul_filter_is_refused_before_streaming(people, quiet_client):
    report(Status.SUBMITTED)
    quiet_client.force_login(people["pimpinan"])
    response = quiet_client.get("/unduh/realisasi.csv?tahun=2024&bulan=3&program=%00")
    assert response.status_code == 400
    assert not response.streaming


NUL_MESSAGE = "Teks berisi karakter yang tidak sah (NUL, kode 0)"


def test_a_nul_in_a_note_is_refused_on_its_row_with_the_form_kept(people, quiet_client):
    """A NUL pasted into a note (it rides along from other files) is refused beside the
    row, the values typed stay in the form, nothing is saved: not a bare 400 page."""
    quiet_client.force_login(people["operator"])
    response = quiet_client.post(
        url(), {"versi": "0", "aksi": "simpan", **rows("8.600", note="Selesai\x00 dibangun")}
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert NUL_MESSAGE in html
    assert 'value="8.600"' in html and "Selesai" in html
    assert not MonthlyReport.objects.exists()


def test_a_nul_in_a_return_reason_or_a_comment_is_refused_with_the_text_kept(people):
    rep = report(Status.SUBMITTED)
    verifier = login(people["verifier"])
    response = verifier.post(
        url(suffix="status/"),
        {"aksi": "kembalikan", "alasan": "Foto\x00 kurang", "versi": str(rep.version)},
    )
    assert response.status_code == 422  # the page again, the reason in its box
    assert NUL_MESSAGE in response.content.decode() and "Foto" in response.content.decode()
    rep.refresh_from_db()
    assert rep.status == Status.SUBMITTED and not rep.comments.exists()
    response = verifier.post(url(suffix="komentar/"), {"teks": "Foto\x00 kurang"})
    assert response.status_code == 422
    assert NUL_MESSAGE in response.content.decode() and "Foto" in response.content.decode()
    assert not rep.comments.exists()


def test_a_nul_in_a_saved_views_address_is_refused_with_the_reason(people):
    client = login(people["pimpinan"])
    response = client.post("/tersimpan/", {"url": "/program/gbrss/?tahun=2024\x00"}, follow=True)
    assert response.status_code == 200
    assert NUL_MESSAGE in response.content.decode()
    assert not people["pimpinan"].saved_views.exists()


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/akun/masuk/", {"username": "operator\x00", "password": "x\x00"}),
        ("/akun/lupa-sandi/", {"email": "a\x00@example.org"}),
        ("/bahasa/", {"language": "en\x00", "next": "/\x00"}),
    ],
)
def test_a_nul_in_other_forms_is_never_a_500(db, quiet_client, path, data):
    assert quiet_client.post(path, data).status_code in (200, 302, 400)


def test_a_nul_in_a_field_nobody_types_is_a_400_never_a_500(people, quiet_client):
    """A hidden field altered by hand (here the attachment's indicator, which the
    service looks up) reaches the database with its NUL: refused as a bad request."""
    report(Status.DRAFT)
    quiet_client.force_login(people["operator"])
    photo = SimpleUploadedFile("foto.jpg", phone_photo(), content_type="image/jpeg")
    response = quiet_client.post(url(suffix="lampiran/"), {"berkas": photo, "indikator": "r\x00"})
    assert response.status_code in (400, 422), response.status_code
    response = quiet_client.post(url(), {"versi": "0", "aksi": "simpan", "r-x\x00": "1"})
    assert response.status_code == 400
    assert "Permintaan tidak dapat diproses" in response.content.decode()


def test_a_deeply_nested_conflict_snapshot_is_a_conflict_not_a_500(people, quiet_client):
    report(Status.DRAFT)
    quiet_client.force_login(people["operator"])
    response = quiet_client.post(
        url(),
        {"versi": "0", "aksi": "simpan", "snapshot": "[" * 50_000, **rows("5")},
    )
    assert response.status_code == 409


def test_404_page_is_indonesian_in_the_layout(db):
    response = Client().get("/tidak-ada/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Halaman tidak ditemukan" in html and LAYOUT in html


def test_403_page_says_why(people):
    response = login(people["pimpinan"]).get("/impor/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Akses ditolak" in html and LAYOUT in html
    assert "Impor hanya untuk operator kabupaten/kota dan admin." in html


def test_500_page_is_indonesian_in_the_layout(gbrss_data, quiet_client, monkeypatch):
    from programs.dashboards import views as dashboards

    def broken(**kwargs):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(dashboards.selectors, "overview_page", broken)
    response = quiet_client.get("/?tahun=2024")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Terjadi kesalahan" in html and LAYOUT in html
    assert "simulated bug" not in html and "Traceback" not in html


def test_logged_in_pages_and_downloads_are_not_kept_by_the_browser(people, settings):
    """Logged-in pages were sent `private` only: on a shared office PC, Back after
    logout showed the operator's pages again from the browser's cache. Now pages and
    downloads for a logged-in user say `no-store`; anonymous pages keep their ETag and
    are not `no-store` (the page cache's 304s go on working)."""
    settings.PAGE_CACHE = True
    client = login(people["operator"])
    for path in ("/", "/laporan/", url(), "/unduh/rapor.csv?tahun=2024&bulan=6"):
        response = client.get(path)
        assert response.status_code == 200, path
        directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
        assert {"private", "no-store"} <= directives, path
    client.post("/akun/keluar/")
    back = client.get(url())
    assert back.status_code == 302 and "/akun/masuk/" in back["Location"]
    anonymous = Client().get("/?tahun=2024")
    assert anonymous.status_code == 200 and "ETag" in anonymous
    assert "no-store" not in anonymous.get("Cache-Control", "")
    again = Client().get("/?tahun=2024", headers={"If-None-Match": anonymous["ETag"]})
    assert again.status_code == 304


def test_return_and_reopen_reasons_have_a_length_limit(people):
    rep = report(Status.SUBMITTED)
    with pytest.raises(services.ServiceError) as refused:
        services.report_return(user=people["verifier"], report=rep, reason="x" * 2001)
    assert refused.value.message == "Alasan terlalu panjang: paling banyak 2.000 karakter."
    response = login(people["verifier"]).post(
        url(suffix="status/"),
        {"aksi": "kembalikan", "alasan": "x" * 5000, "versi": str(rep.version)},
        follow=True,
    )
    assert "Alasan terlalu panjang: paling banyak 2.000 karakter." in response.content.decode()
    rep.refresh_from_db()
    assert rep.status == Status.SUBMITTED


def test_notes_have_a_length_limit(people):
    response = login(people["operator"]).post(
        url(), {"versi": "0", "aksi": "simpan", **rows("5", note="x" * 2001)}
    )
    assert response.status_code == 422
    assert "Catatan terlalu panjang: paling banyak 2.000 karakter." in response.content.decode()
    assert not MonthlyReport.objects.exists()


def test_a_form_with_a_stale_csrf_token_gets_the_sites_page_and_saves_nothing(people):
    """Logged out and in again in another tab, the operator sends the entry form whose
    token is stale: an Indonesian page in the site's layout says why nothing was saved
    and how to keep the values (Back), instead of Django's bare English-like page."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["operator"])
    client.get(url())  # the form, and its csrftoken cookie
    client.cookies["csrftoken"] = "x" * 32  # rotated by a login in another tab
    response = client.post(
        url(), {"versi": "0", "aksi": "simpan", "csrfmiddlewaretoken": "y" * 32, **rows()}
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert LAYOUT in html and "Formulir tidak dapat dikirim" in html
    assert "Kembali pada peramban" in html and "CSRF" not in html
    assert not MonthlyReport.objects.exists()


def test_a_request_for_another_host_gets_no_hint_about_the_servers_settings(db):
    """A request whose Host is not one of ALLOWED_HOSTS (a scanner hitting the address, a
    proxy that rewrites Host) read Django's log message on the page: in English, naming
    the setting and the host to add to it."""
    response = Client().get("/", HTTP_HOST="evil.example.com")
    assert response.status_code == 400
    html = response.content.decode()
    assert LAYOUT in html and "Permintaan tidak dapat diproses" in html
    assert "Alamat situs pada permintaan ini tidak dikenal oleh server ini." in html
    assert "ALLOWED_HOSTS" not in html and "evil.example.com" not in html


def test_a_form_with_too_many_fields_is_refused_in_indonesian(db, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 50
    response = Client().post("/akun/masuk/", {f"isian{i}": "x" for i in range(60)})
    assert response.status_code == 400
    html = response.content.decode()
    assert LAYOUT in html
    assert "Formulir berisi terlalu banyak isian untuk diproses sekaligus." in html
    assert "DATA_UPLOAD_MAX_NUMBER_FIELDS" not in html


def test_a_body_too_large_is_a_413_in_indonesian(db, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = Client().post("/akun/masuk/", {"username": "x" * 2000, "password": "y"})
    assert response.status_code == 413
    html = response.content.decode()
    assert LAYOUT in html
    assert "Data yang dikirim terlalu besar untuk diproses." in html
    assert "DATA_UPLOAD_MAX_MEMORY_SIZE" not in html


def test_the_api_refuses_too_many_parameters_in_indonesian_json(db, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 50
    query = "&".join(f"p{i}=1" for i in range(60))
    response = Client().get(f"/api/v1/programs/?{query}")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Formulir berisi terlalu banyak isian untuk diproses sekaligus. "
        "Kirim dalam beberapa bagian."
    }


def test_an_unknown_verification_action_is_refused_in_indonesian(people):
    rep = report(Status.SUBMITTED)
    response = login(people["verifier"]).post(
        url(suffix="status/"), {"aksi": "hapus", "versi": str(rep.version)}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Tindakan “hapus” tidak dikenal di halaman ini" in html
    assert "unknown action" not in html
    rep.refresh_from_db()
    assert rep.status == Status.SUBMITTED


@pytest.mark.parametrize(("path", "allow"), [("/akun/keluar/", "POST"), ("/bahasa/", "POST")])
def test_opening_a_form_only_address_shows_a_page_not_a_blank_one(people, path, allow):
    """The logout address opened from the history or a bookmark (it takes POST only)
    answered an empty 405: a blank white page. Now the site's page says why."""
    response = login(people["operator"]).get(path)
    assert response.status_code == 405
    assert allow in response["Allow"]
    html = response.content.decode()
    assert LAYOUT in html and "Alamat ini tidak dibuka langsung" in html
    assert "private" in response["Cache-Control"]
