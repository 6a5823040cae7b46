"""Evidence on reports: uploads checked on their content, scope on every download,
required evidence, the comment thread, notifications (the bell) and queued emails."""

import datetime as dt
import io
import logging
import struct
import zlib
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from PIL import Image
from PIL.TiffImagePlugin import IFDRational

from programs.formats import date_label, month_label
from programs.models import (
    Attachment,
    Comment,
    Indicator,
    LockException,
    MonthlyReport,
    Notification,
    Program,
    Realization,
)
from programs.reporting import evidence, services
from regencies.models import Regency
from tests.evidence_helpers import phone_photo
from tests.factories import MonthlyReportFactory
from tests.helpers import (
    attribute,
    cells,
    element_text,
    find,
    find_all,
    flash_messages,
    login,
    page,
    previous_month,
    row_messages,
    unread,
)
from tests.reporting_helpers import report, rows, url

Status = MonthlyReport.Status


# --- Files made in the test ----------------------------------------------------------------


def png(size=(30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (0, 128, 0, 128)).save(out, "PNG")
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG that claims width x height pixels (a decompression bomb's header)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def pdf(extra: bytes = b"", stream: bytes | None = None) -> bytes:
    body = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R " + extra + b">> endobj\n"
    body += b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    if stream is not None:
        packed = zlib.compress(stream)
        body += b"3 0 obj << /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed)
        body += packed + b"\nendstream\nendobj\n"
    return body + b"trailer << /Root 1 0 R >>\n%%EOF\n"


# --- Helpers -----------------------------------------------------------------------------


def draft(regency="16.07", period=None):
    return report(status=Status.DRAFT, regency=regency, period=period)


def upload(client, data, name="foto.jpg", caption="Rumah sesudah dibedah", indicator="", **kw):
    return client.post(
        url(suffix="lampiran/", **kw),
        {"berkas": SimpleUploadedFile(name, data), "keterangan": caption, "indikator": indicator},
    )


def stored_files() -> list[str]:
    found = []

    def walk(path):
        dirs, files = default_storage.listdir(path)
        found.extend(f"{path}/{f}" for f in files)
        for d in dirs:
            walk(f"{path}/{d}")

    if default_storage.exists("lampiran"):
        walk("lampiran")
    return found


def assert_refused(response, text):
    assert response.status_code == 422
    assert text in element_text(page(response))
    assert Attachment.objects.count() == 0
    assert stored_files() == []


# --- Good uploads ---------------------------------------------------------------------------


def test_phone_photo_is_rotated_reencoded_without_exif_and_keeps_time_and_gps(people):
    draft()
    operator = login(people["operator"])
    response = upload(operator, phone_photo(), indicator="rumah-dibedah")
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    # Orientation 6 (rotated 90°): the 40x20 sensor image is shown 20 wide, 40 high.
    assert (attachment.width, attachment.height) == (20, 40)
    assert attachment.indicator.code == "rumah-dibedah"
    assert timezone.localtime(attachment.taken_at).strftime("%Y-%m-%d %H:%M") == "2024-03-14 09:30"
    assert attachment.latitude == Decimal("-2.833333")
    assert attachment.longitude == Decimal("104.750000")
    served = operator.get(f"/lampiran/{attachment.pk}/")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert "private" in served["Cache-Control"]
    assert served["Content-Security-Policy"].startswith("default-src 'none'")
    assert served["X-Content-Type-Options"] == "nosniff"
    body = b"".join(served.streaming_content)
    image = Image.open(io.BytesIO(body))
    assert image.size == (20, 40)
    assert not image.getexif()  # no orientation, camera model, time or GPS in the file
    assert b"PonselUji" not in body and b"GPS" not in body
    thumb = operator.get(f"/lampiran/{attachment.pk}/kecil/")
    assert thumb.status_code == 200
    assert Image.open(io.BytesIO(b"".join(thumb.streaming_content))).format == "JPEG"
    # The verifier sees the photo beside the value, with its time and GPS point on the map.
    html = page(login(people["verifier"]).get(url()))
    item = find(html, "li", class_="attachment", data_attachment=str(attachment.pk))
    assert attribute(find(item, "img"), "src") == f"/lampiran/{attachment.pk}/kecil/"
    assert element_text(find(item, "span", class_="gps")) == "GPS -2,83333, 104,75000"
    assert len(find_all(find(html, "svg", id="photo-map"), class_="map-point")) == 1


def test_a_big_phone_photo_is_decoded_small_and_still_turned_and_scaled_right(
    settings, monkeypatch
):
    """A 48 MP phone JPEG was decoded in full (1.1 s and 370 MB a time) only to be
    scaled to 2560 px: the JPEG decoder now scales while decoding (Image.draft), and the
    stored photo and its thumbnail are still turned upright and of the right size."""
    from PIL import ImageFile

    settings.ATTACHMENT_MAX_SIDE, settings.ATTACHMENT_THUMBNAIL_SIDE = 100, 40
    decoded = []
    load = ImageFile.ImageFile.load

    def recording_load(image):
        decoded.append(image.size)
        return load(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", recording_load)
    checked = evidence.check_upload(phone_photo(size=(800, 400)), "besar.jpg")
    assert max(max(size) for size in decoded) <= 200  # not the 800 px of the file
    assert (checked.width, checked.height) == (50, 100)  # orientation 6: upright
    stored = Image.open(io.BytesIO(checked.content)).convert("RGB")
    assert stored.size == (50, 100)
    blue, red = stored.getpixel((25, 10)), stored.getpixel((25, 90))
    assert blue[2] > 150 > blue[0] and red[0] > 150 > red[2]  # the sensor's left half on top
    assert Image.open(io.BytesIO(checked.thumbnail)).size == (20, 40)


def transparent_png(mode: str, size=(400, 200)) -> bytes:
    """Green on the right half, the left half transparent (its hidden colour black)."""
    picture = Image.new("RGBA", size, (0, 128, 0, 255))
    picture.paste((0, 0, 0, 0), (0, 0, size[0] // 2, size[1]))
    if mode == "LA":
        picture = picture.convert("LA")
    elif mode == "P":  # a palette with one transparent entry (a colour key)
        picture = picture.convert("RGB").quantize(2)
        picture.info["transparency"] = picture.getpixel((0, 0))
    elif mode == "RGBA-opaque":  # an alpha channel with nothing transparent
        picture = Image.new("RGBA", size, (0, 128, 0, 255))
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize("mode", ["RGBA", "LA", "P", "RGBA-opaque"])
def test_a_transparent_png_is_stored_small_as_a_jpeg_on_white(people, settings, mode):
    """A PNG with an alpha channel was kept a PNG of up to 2560 x 2560 (a photo 12 MB on
    disk, more than the upload limit, after seconds of optimising) and its thumbnail
    showed the transparent part black. It is now a JPEG like any photo, the transparent
    part white as on the page, scaled down and without metadata, its thumbnail likewise."""
    settings.ATTACHMENT_MAX_SIDE, settings.ATTACHMENT_THUMBNAIL_SIDE = 100, 40
    draft()
    operator = login(people["operator"])
    assert upload(operator, transparent_png(mode), name="denah.png").status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.content_type, attachment.width, attachment.height) == ("image/jpeg", 100, 50)
    served = operator.get(f"/lampiran/{attachment.pk}/")
    assert served["Content-Disposition"] == 'inline; filename="denah.jpg"'
    for address, x in (
        (f"/lampiran/{attachment.pk}/", 90),
        (f"/lampiran/{attachment.pk}/kecil/", 30),
    ):
        shown = Image.open(io.BytesIO(b"".join(operator.get(address).streaming_content)))
        assert shown.format == "JPEG" and not shown.info.get("exif")
        green, left = shown.getpixel((x, 5)), shown.getpixel((3, 5))
        assert max(green) < 160  # the picture (green; grey for an LA image) is still there
        expected_left = green if mode == "RGBA-opaque" else (255, 255, 255)
        assert all(abs(a - b) < 12 for a, b in zip(left, expected_left, strict=True))


def test_a_phone_photo_holding_a_second_picture_is_taken_as_the_jpeg_it_is(people):
    """Phones write HDR photos (a gain map) and portraits (a depth map) as a JPEG with a
    second picture inside (the Multi-Picture Format). Pillow names such a file "MPO", and
    an operator's .jpg straight from the phone was refused as "Jenis berkas tidak
    diterima: hanya foto JPEG…". Its first picture is the photo, kept upright with its
    place and time."""
    photo = Image.open(io.BytesIO(phone_photo(size=(80, 40))))
    gain_map = Image.new("L", (20, 10), 128)
    out = io.BytesIO()
    photo.save(out, "MPO", save_all=True, append_images=[gain_map], exif=photo.getexif())
    assert Image.open(io.BytesIO(out.getvalue())).format == "MPO"
    draft()
    operator = login(people["operator"])
    response = upload(operator, out.getvalue(), name="IMG_20261128_093000.jpg")
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.kind, attachment.content_type) == ("photo", "image/jpeg")
    assert (attachment.width, attachment.height) == (40, 80)  # turned upright
    assert attachment.latitude is not None and attachment.taken_at is not None


NO_FIX = IFDRational(0, 0)  # what a phone without a GPS fix writes: 0/0


@pytest.mark.parametrize(
    "taken, gps",
    [
        ("2024:03:14 09:30:00", {1: "S", 2: (NO_FIX, NO_FIX, NO_FIX), 3: "E", 4: (NO_FIX,) * 3}),
        ("2024:03:14 09:30:00", {1: "S", 2: (3.0, NO_FIX, 0.0), 3: "E", 4: (104.0, 45.0, 0.0)}),
        ("0001:01:01 00:00:00", False),  # a camera whose clock was never set
        ("1980:01:01 00:00:00", False),
        ("2999:12:31 23:59:59", False),
    ],
)
def test_photo_with_an_unset_clock_or_no_gps_fix_is_kept_without_them(people, taken, gps):
    draft()
    operator = login(people["operator"])
    response = upload(operator, phone_photo(taken=taken, gps=gps), indicator="rumah-dibedah")
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.latitude, attachment.longitude) == (None, None)
    if taken.startswith("2024"):
        assert timezone.localtime(attachment.taken_at).year == 2024
    else:
        assert attachment.taken_at is None
    assert login(people["verifier"]).get(url()).status_code == 200


def test_png_and_clean_pdf_are_accepted(people):
    draft()
    operator = login(people["operator"])
    assert upload(operator, png(), name="denah.png").status_code == 302
    assert upload(operator, pdf(), name="berita-acara.pdf").status_code == 302
    kinds = sorted(Attachment.objects.values_list("kind", "content_type"))
    assert kinds == [("pdf", "application/pdf"), ("photo", "image/jpeg")]
    document = Attachment.objects.get(kind="pdf")
    served = operator.get(f"/lampiran/{document.pk}/")
    assert served["Content-Type"] == "application/pdf"
    assert served["Content-Disposition"].startswith("inline")


def opaque_png(size=(60, 20)) -> bytes:
    """A PNG without transparency: stored and served re-encoded as JPEG."""
    out = io.BytesIO()
    Image.new("RGB", size, (0, 128, 0)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "served_type", "served_name", "thumbnail_name"),
    [
        ("wide.png", opaque_png(), "image/jpeg", "wide.jpg", "wide-kecil.jpg"),
        ("noext", phone_photo(), "image/jpeg", "noext.jpg", "noext-kecil.jpg"),
        (
            "Rumah Bu Sri.JPEG",
            phone_photo(),
            "image/jpeg",
            "Rumah Bu Sri.JPEG",
            "Rumah Bu Sri-kecil.jpg",
        ),
        ("denah.v2.png", png(), "image/jpeg", "denah.v2.jpg", "denah.v2-kecil.jpg"),
        ("berita-acara", pdf(), "application/pdf", "berita-acara.pdf", None),
    ],
    ids=["png-served-as-jpeg", "no-extension", "jpeg-kept", "transparent-png", "pdf"],
)
def test_a_download_is_named_after_the_upload_with_the_type_it_is_served_as(
    people, name, data, served_type, served_name, thumbnail_name
):
    draft()
    operator = login(people["operator"])
    assert upload(operator, data, name=name).status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.original_name == name  # listed under the name it was uploaded with
    served = operator.get(f"/lampiran/{attachment.pk}/")
    assert served["Content-Type"] == served_type
    assert served["Content-Disposition"] == f'inline; filename="{served_name}"'
    thumbnail = operator.get(f"/lampiran/{attachment.pk}/kecil/")
    if thumbnail_name is None:
        assert thumbnail.status_code == 404
    else:
        assert thumbnail["Content-Type"] == "image/jpeg"
        assert thumbnail["Content-Disposition"] == f'inline; filename="{thumbnail_name}"'


# --- Bad input: each refused with a message, nothing stored ----------------------------------


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "a.jpg"),
        (b"<!doctype html><html><body>hi</body></html>", "foto.png"),
        (b"MZ\x90\x00\x03" + b"\x00" * 200, "foto.jpg"),
        (b"PK\x03\x04" + b"\x00" * 200, "laporan.pdf"),
        (b"GIF89a" + b"\x00" * 50, "animasi.gif"),
    ],
    ids=["svg", "html", "exe", "zip", "gif"],
)
def test_refused_types_whatever_their_name(people, data, name):
    draft()
    response = upload(login(people["operator"]), data, name=name)
    assert_refused(response, "Jenis berkas tidak diterima")


HEIC_REFUSAL = (
    "Foto HEIC/HEIF (format bawaan kamera iPhone) tidak diterima. Ubah dulu menjadi JPG atau "
    "PDF, misalnya dengan mengekspor atau menyimpan ulang foto itu sebagai JPG, lalu unggah "
    "lagi. Agar foto berikutnya langsung JPG: di iPhone buka Pengaturan > Kamera > Format, "
    "lalu pilih “Paling Kompatibel” (Most Compatible)."
)


def heif(major: bytes, *compatible: bytes, size: int = 4000) -> bytes:
    """The start of an ISO media file as a camera writes it: an 'ftyp' box with its major
    and compatible brands, then a 'meta' box (of HEVC-coded images in a HEIC), padded."""
    ftyp = major + b"\x00\x00\x00\x00" + b"".join(compatible)
    data = struct.pack(">I", 8 + len(ftyp)) + b"ftyp" + ftyp
    data += struct.pack(">I", 33) + b"meta" + b"\x00" * 4 + b"\x00\x00\x00\x15hdlr" + b"pict" * 3
    return data + bytes(size - len(data))


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (heif(b"heic", b"mif1", b"heic"), "IMG_0412.HEIC"),  # an iPhone's photo
        (heif(b"heic", b"mif1", b"heic"), "IMG_0412.jpg"),  # renamed, still HEIC inside
        (heif(b"mif1", b"heic", b"miaf"), "foto.jpeg"),  # brand order of other phones
        (heif(b"heix", b"mif1", b"heix"), "foto"),  # 10-bit HEIC, no extension
        (heif(b"msf1", b"hevc"), "live.heic"),  # an image sequence
        (b"\x00" * 200, "IMG_0412.heif"),  # by its name when nothing else says what it is
        (heif(b"heic", b"mif1", b"heic", size=12 * 1024 * 1024), "besar.HEIC"),  # not "too big"
    ],
    ids=["iphone", "renamed-jpg", "mif1-major", "heix", "sequence", "by-name", "over-10-mb"],
)
def test_an_iphone_heic_photo_is_refused_saying_how_to_send_it(people, data, name):
    draft()
    response = upload(login(people["operator"]), data, name=name)
    assert_refused(response, HEIC_REFUSAL)
    assert "Jenis berkas tidak diterima" not in element_text(page(response))


def test_heic_is_told_apart_from_avif_and_a_jpeg_named_heic(people):
    """AVIF shares HEIF's container but is no iPhone photo: the usual refusal. A real JPEG
    with a .heic name (an iPhone set to "Most Compatible" keeps some names) is a JPEG."""
    draft()
    operator = login(people["operator"])
    avif = upload(operator, heif(b"avif", b"mif1", b"miaf", b"avif"), name="foto.avif")
    assert_refused(avif, "Jenis berkas tidak diterima")
    assert upload(operator, phone_photo(), name="IMG_0412.HEIC").status_code == 302
    assert Attachment.objects.get().content_type == "image/jpeg"


def test_file_over_the_size_limit(people, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    draft()
    response = upload(login(people["operator"]), phone_photo(size=(400, 400)))
    assert_refused(response, "Berkas terlalu besar")


def test_truncated_image(people):
    draft()
    data = phone_photo(size=(200, 200))
    response = upload(login(people["operator"]), data[: len(data) // 2])
    assert_refused(response, "Berkas rusak atau tidak dapat dibaca")


def test_50000_by_50000_png_is_refused_from_its_header(people):
    draft()
    bomb = png_header_only(50_000, 50_000)
    assert len(bomb) < 200  # the test file is tiny; its pixels are never decoded
    response = upload(login(people["operator"]), bomb, name="besar.png")
    assert_refused(response, "Gambar terlalu besar: paling besar 50 megapiksel")


def test_jpeg_with_a_script_appended(people):
    draft()
    data = phone_photo() + b"<script>fetch('/admin/')</script>"
    response = upload(login(people["operator"]), data)
    assert_refused(response, "isi tersembunyi")


def test_png_with_a_second_file_after_its_end(people):
    draft()
    response = upload(login(people["operator"]), png() + b"PK\x03\x04rest", name="a.png")
    assert_refused(response, "isi tersembunyi")


@pytest.mark.parametrize(
    "pdf_bytes",
    [
        pdf(b"/Names << /JavaScript 3 0 R >>"),
        pdf(b"/AA << /O << /S /JS (app.alert(1)) >> >>"),
        pdf(b"/OpenAction << /S /Launch /F (calc.exe) >>"),
        pdf(b"/Open#41ction 3 0 R"),  # a name written with a #xx escape
        pdf(stream=b"<< /S /JavaScript /JS (app.alert(1)) >>"),  # hidden in a deflated stream
    ],
    ids=["javascript", "js", "openaction", "escaped-name", "compressed-stream"],
)
def test_pdf_with_javascript_or_actions(people, pdf_bytes):
    draft()
    response = upload(login(people["operator"]), pdf_bytes, name="dokumen.pdf")
    assert_refused(response, "PDF ini memuat JavaScript")


def test_pdf_with_something_appended_after_its_end(people):
    draft()
    response = upload(login(people["operator"]), pdf() + b"MZ payload", name="x.pdf")
    assert_refused(response, "isi tersembunyi")


@pytest.mark.parametrize(
    "name",
    [
        "..\\..\\windows\\system32\\foto.jpg",
        "../../etc/passwd.jpg",
        "a" * 496 + ".jpg",
        # Over the 1,024 bytes Django read of a part's headers: a 400 page, the photo lost.
        "🏠" * 400 + ".jpg",
    ],
    ids=["backslashes", "slashes", "500-characters", "400-emoji"],
)
def test_filename_is_only_a_label_never_a_path(people, name):
    """Whatever the upload calls itself (a path, a name longer than any list can show),
    the photo is kept under a short label."""
    draft()
    assert upload(login(people["operator"]), phone_photo(), name=name).status_code == 302
    attachment = Attachment.objects.get()
    assert "/" not in attachment.original_name and "\\" not in attachment.original_name
    assert ".." not in attachment.original_name
    assert len(attachment.original_name) <= 120
    assert attachment.original_name.endswith(".jpg")
    # The stored name is random, under the report's folder, whatever the upload said.
    stem = attachment.file.name.removeprefix(f"lampiran/{attachment.report_id}/")
    assert len(stem) == len("0123456789abcdef0123456789abcdef.jpg")
    assert sorted(stored_files()) == sorted([attachment.file.name, attachment.thumbnail.name])


def test_upload_to_another_regencys_report_is_forbidden(people):
    draft(regency="16.01")
    response = upload(login(people["operator"]), phone_photo(), code="16.01")
    assert response.status_code == 403
    assert Attachment.objects.count() == 0 and stored_files() == []


@pytest.mark.parametrize("who", ["verifier", "pimpinan", "admin"])
def test_only_operators_attach_with_or_without_a_file(people, who):
    """A verifier's or a leader's attachment post was refused with 403 when it held a
    file, but answered 'Pilih berkas yang akan dilampirkan.' (422) when it held none, as
    if choosing a file would let them: both are now refused as not theirs to do."""
    draft()
    client = login(people[who])
    with_file = upload(client, phone_photo())
    without = client.post(url(suffix="lampiran/"), {"keterangan": "Foto"})
    assert with_file.status_code == without.status_code == 403
    assert Attachment.objects.count() == 0 and stored_files() == []


NOT_ADDABLE = (
    "Lampiran hanya dapat ditambahkan selagi laporan masih dapat diubah atau menunggu "
    "verifikasi, dan bulannya belum dikunci: laporan yang sudah diverifikasi tidak "
    "menerima lampiran baru."
)


def test_an_operator_adds_evidence_while_the_report_waits_for_verification(
    people, django_assert_num_queries
):
    """A verifier asking for one more photo of a submitted report had to return it (the
    upload was refused and the page offered none): the operator now adds it while the
    report waits for verification. The report stays submitted (its version too, so a
    verifier deciding on it meets no conflict), the history says it came while waiting,
    the verifier sees it, and it cannot be removed until the report is returned."""
    rep = report(status=Status.SUBMITTED)
    operator = login(people["operator"])
    shown = page(operator.get(url()))
    assert find_all(shown, "form", id="attach-form")
    assert "menunggu verifikasi" in element_text(find(shown, id="attach-while-waiting"))

    response = upload(operator, phone_photo(), name="atap.jpg", caption="Atap baru")
    assert response.status_code == 302 and response["Location"].endswith("#lampiran")
    photo = Attachment.objects.get()
    assert (photo.report_id, photo.caption, photo.uploaded_by) == (
        rep.pk,
        "Atap baru",
        people["operator"],
    )
    again = MonthlyReport.objects.get()
    assert (again.status, again.version) == (Status.SUBMITTED, rep.version)

    verifier_page = page(login(people["verifier"]).get(url()))
    assert find_all(verifier_page, "li", data_attachment=str(photo.pk))
    timeline = find(verifier_page, "table", id="timeline")
    changes = [cells(row)[2] for row in find_all(find(timeline, "tbody"), "tr")]
    assert "Lampiran ditambahkan saat menunggu verifikasi: atap.jpg" in changes
    # No removal offered, and a crafted one is refused.
    own = page(operator.get(url()))
    assert not [f for f in find_all(own, "form") if "/hapus/" in attribute(f, "action")]
    operator.post(f"/lampiran/{photo.pk}/hapus/")
    assert Attachment.objects.count() == 1


@pytest.mark.parametrize(
    "language, marked, plain",
    [
        ("id", "Lampiran ditambahkan saat menunggu verifikasi: atap.jpg", "Lampiran ditambahkan: "),
        ("en", "Attachment added while waiting for verification: atap.jpg", "Attachment added: "),
    ],
)
def test_the_timeline_marks_evidence_added_while_waiting_whatever_its_stored_words(
    people, language, marked, plain
):
    """The history said a file came while the report waited for verification only when
    the stored reason matched today's Indonesian words: a reason reworded since (or
    written in English by an older version) lost the mark. It follows the report's
    status when the file came; one added to the draft is not marked, in either
    language."""
    from django.test import Client

    rep = draft()
    operator = login(people["operator"])
    upload(operator, png(), name="denah.png")
    submitted = MonthlyReport.objects.get(pk=rep.pk)
    submitted.status = Status.SUBMITTED
    submitted.save()
    upload(operator, phone_photo(), name="atap.jpg")
    Attachment.history.filter(original_name="atap.jpg").update(
        history_change_reason="Photo added while the report awaited verification"
    )
    reader = Client()
    if language == "en":
        reader.post("/bahasa/", {"language": "en", "next": "/"})
    reader.force_login(people["verifier"])
    timeline = find(page(reader.get(url())), "table", id="timeline")
    changes = [cells(row)[2] for row in find_all(find(timeline, "tbody"), "tr")]
    assert marked in changes
    assert [c for c in changes if c.startswith(plain)] == [f"{plain}denah.png"]


def test_evidence_added_while_waiting_rings_the_verifiers_bell_once(
    people, django_capture_on_commit_callbacks
):
    """The verifier who asked for one more photo was never told it came: the upload left
    no notification. Now the program's verifiers hear of it (the bell and an email), once
    for several files added one after the other until they open their notifications;
    nothing for a report back with the operator, nor for another program's verifier."""
    rep = report(status=Status.SUBMITTED)
    operator, verifier = login(people["operator"]), login(people["verifier"])
    other = login(people["verifier_other_program"])
    with django_capture_on_commit_callbacks(execute=True):
        assert upload(operator, phone_photo(), name="atap.jpg").status_code == 302
        assert upload(operator, png(), name="lantai.png").status_code == 302
    assert Attachment.objects.count() == 2
    assert unread(verifier) == "1" and unread(other) == "0" and unread(operator) == "0"
    assert [m.to for m in mail.outbox] == [[people["verifier"].email]]
    shown = page(verifier.get("/notifikasi/"))
    (item,) = find_all(shown, "li", data_kind="evidence")
    assert f"menunggu verifikasi: {rep}" in element_text(item)
    assert attribute(find(item, "a"), "href").endswith(rep.get_absolute_url() + "#lampiran")
    # Read: the next file rings again.
    upload(operator, pdf(), name="berita-acara.pdf")
    assert unread(verifier) == "1"
    assert Notification.objects.filter(kind="evidence").count() == 2
    # Once returned, the evidence is the operator's own preparation: nobody is told.
    MonthlyReport.objects.filter(pk=rep.pk).update(status=Status.DRAFT)
    assert upload(operator, png((20, 20)), name="ulang.png").status_code == 302
    assert Attachment.objects.count() == 4
    assert Notification.objects.filter(kind="evidence").count() == 2


@pytest.mark.parametrize(
    "decision",
    [{"aksi": "verifikasi"}, {"aksi": "kembalikan", "alasan": "Foto atap belum jelas"}],
    ids=["verified", "returned"],
)
def test_a_decision_settles_the_verifiers_evidence_notices_of_the_report(people, decision):
    """A file added just before a verifier decided rang every verifier's bell, and the
    ring stayed after the decision: "Lampiran ditambahkan" of a report no longer
    waiting, counted as unread by the one who decided and by the other verifiers of the
    program. Once a verifier verifies or returns it, those notices are read for all of
    them (still listed); another report's stay unread, and the operator hears of the
    decision."""
    from tests.helpers import make_user

    rep = report(status=Status.SUBMITTED)
    other_rep = report(status=Status.SUBMITTED, regency="16.01")
    operator = login(people["operator"])
    deciding = login(people["verifier"])
    colleague = login(make_user("ver-gbrss-2", "verifikator", programs=["gbrss"]))
    services.notify_evidence_added(report=other_rep, user=people["operator"])  # stays
    assert upload(operator, phone_photo(), name="atap.jpg").status_code == 302
    assert unread(deciding) == "2" and unread(colleague) == "2"

    decided = deciding.post(url(suffix="status/"), {**decision, "versi": rep.version})

    assert decided.status_code == 302
    assert unread(deciding) == "1" and unread(colleague) == "1"  # the other report's file
    listed = page(colleague.get("/notifikasi/"))
    assert len(find_all(listed, "li", data_kind="evidence")) == 2
    assert unread(operator) == "1"  # verified, or returned


def test_evidence_on_a_waiting_report_is_the_regencys_operators_only(people):
    """Another regency's or program's operator, a verifier, or a post without the CSRF
    token add nothing to a submitted report."""
    report(status=Status.SUBMITTED)
    for who in ("operator_other_regency", "operator_other_program", "verifier", "pimpinan"):
        assert upload(login(people[who]), phone_photo()).status_code in (403, 404), who
    from django.test import Client

    forged = Client(enforce_csrf_checks=True)
    forged.force_login(people["operator"])
    assert upload(forged, phone_photo()).status_code == 403
    assert Attachment.objects.count() == 0 and stored_files() == []


def test_upload_to_a_verified_report_is_refused_and_the_page_says_why(people):
    report(status=Status.VERIFIED)
    operator = login(people["operator"])
    shown = page(operator.get(url()))
    assert not find_all(shown, "form", id="attach-form")
    assert element_text(find(shown, id="attach-closed")).startswith(
        "Laporan ini sudah diverifikasi: bukti tidak dapat ditambahkan lagi."
    )
    assert_refused(upload(operator, phone_photo()), NOT_ADDABLE)


def test_upload_to_a_submitted_report_of_a_locked_month_is_refused(people):
    period = previous_month(4)
    report(status=Status.SUBMITTED, period=period)
    operator = login(people["operator"])
    shown = page(operator.get(url(period=period)))
    assert not find_all(shown, "form", id="attach-form")
    assert element_text(find(shown, id="attach-closed")).startswith("Bulan ini sudah terkunci")
    assert_refused(upload(operator, phone_photo(), period=period), NOT_ADDABLE)


def test_upload_to_a_locked_report(people):
    period = previous_month(4)
    draft(period=period)
    response = upload(login(people["operator"]), phone_photo(), period=period)
    assert_refused(response, NOT_ADDABLE)
    # An admin's exception opens it again.
    rep = MonthlyReport.objects.get()
    LockException.objects.create(
        regency_id="16.07",
        program=rep.program,
        year=rep.year,
        month=rep.month,
        until=rep.period.replace(year=rep.year + 5),
        reason="Bencana banjir",
    )
    assert upload(login(people["operator"]), phone_photo(), period=period).status_code == 302


def test_caption_is_kept_when_an_upload_is_refused(people):
    draft()
    response = upload(login(people["operator"]), b"not an image", caption="Rumah Pak Udin")
    assert response.status_code == 422
    assert attribute(find(page(response), "input", id="keterangan"), "value") == "Rumah Pak Udin"


def test_a_caption_with_a_nul_character_is_refused_saying_why(people):
    """A caption pasted with a NUL character (code 0) is refused with the reason, as every
    free text: nothing is stored, and the caption comes back to be fixed."""
    draft()
    response = upload(login(people["operator"]), phone_photo(), caption="Rumah\x00 Pak Udin")
    assert_refused(
        response,
        "Teks berisi karakter yang tidak sah (NUL, kode 0), biasanya ikut tersalin dari berkas "
        "lain: hapus karakter itu lalu kirim lagi.",
    )
    kept = attribute(find(page(response), "input", id="keterangan"), "value")
    assert kept.replace("\x00", "").replace("\ufffd", "") == "Rumah Pak Udin"


def test_count_limit_per_report(people, settings):
    settings.ATTACHMENT_MAX_PER_REPORT = 2
    draft()
    operator = login(people["operator"])
    for side in (30, 31):  # two different pictures (the same one twice is one attachment)
        assert upload(operator, png((side, side))).status_code == 302
    response = upload(operator, png((32, 32)))
    assert response.status_code == 422
    assert "Paling banyak 2 lampiran per laporan" in element_text(page(response))
    assert Attachment.objects.count() == 2


# --- Downloads: scope on every file ------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (None, 404),
        ("operator", 200),
        ("operator_other_regency", 404),
        ("operator_other_program", 404),
        ("verifier", 200),
        ("verifier_other_program", 404),
        ("pimpinan", 200),
        ("admin", 200),
    ],
)
def test_download_follows_the_report_scope(people, who, expected):
    draft()
    upload(login(people["operator"]), phone_photo())
    attachment = Attachment.objects.get()
    client = login(people[who] if who else None)
    assert client.get(f"/lampiran/{attachment.pk}/").status_code == expected
    assert client.get(f"/lampiran/{attachment.pk}/kecil/").status_code == expected


def test_guessing_another_regencys_file_id_tells_nothing(people):
    draft(regency="16.01")
    other = login(people["operator_other_regency"])
    upload(other, phone_photo(), code="16.01")
    theirs = Attachment.objects.get()
    mine = login(people["operator"])
    missing = mine.get(f"/lampiran/{theirs.pk + 1000}/")
    guessed = mine.get(f"/lampiran/{theirs.pk}/")
    assert guessed.status_code == missing.status_code == 404
    assert b"foto" not in guessed.content


def test_public_photos_of_verified_reports_only(people, client, django_assert_num_queries):
    rep = draft()
    upload(login(people["operator"]), phone_photo(), caption="Rumah selesai")
    photo = Attachment.objects.get()
    verifier = login(people["verifier"])
    # Not verified yet: cannot be made public.
    verifier.post(f"/lampiran/{photo.pk}/publik/", {"publik": "1"})
    photo.refresh_from_db()
    assert not photo.is_public
    MonthlyReport.objects.filter(pk=rep.pk).update(
        status=Status.VERIFIED, verified_at=timezone.now()
    )
    response = verifier.post(f"/lampiran/{photo.pk}/publik/", {"publik": "1"})
    assert response.status_code == 302
    photo.refresh_from_db()
    assert photo.is_public
    assert client.get(f"/lampiran/{photo.pk}/kecil/").status_code == 200
    year, _month = previous_month()
    for path in (f"/program/gbrss/?tahun={year}", f"/wilayah/16.07/?tahun={year}"):
        (img,) = find_all(page(client.get(path)), "img", src=f"/lampiran/{photo.pk}/kecil/")
        assert attribute(img, "alt") == "Rumah selesai"
    # The gallery reads what its captions show in one query (no column loaded per photo).
    from programs.reporting.selectors import public_photos

    with django_assert_num_queries(1):
        shown = [
            (a.caption, a.program_label, a.regency_name, a.period_label)
            for a in public_photos(program_id=rep.program_id)
        ]
    assert shown == [("Rumah selesai", "GBRSS", rep.regency.name, rep.period_label)]
    # An operator cannot publish; hiding it again removes it from anonymous eyes.
    login(people["operator"]).post(f"/lampiran/{photo.pk}/publik/", {"publik": "0"})
    photo.refresh_from_db()
    assert photo.is_public
    verifier.post(f"/lampiran/{photo.pk}/publik/", {"publik": "0"})
    assert client.get(f"/lampiran/{photo.pk}/").status_code == 404
    # The cached dashboard pages drop it at once (attachments change the data version).
    for path in (f"/program/gbrss/?tahun={year}", f"/wilayah/16.07/?tahun={year}"):
        assert find_all(page(client.get(path)), "img", src=f"/lampiran/{photo.pk}/kecil/") == []


def cache_directives(response) -> set[str]:
    return {directive.strip() for directive in response["Cache-Control"].split(",")}


def test_only_a_photo_anyone_may_see_is_left_to_shared_caches(people, client, settings):
    """Every file a verifier had not made public was sent `Cache-Control: private,
    public=False`: a shared cache (an office proxy, a CDN) going by the `public` token
    could keep an operator's evidence and hand it to the next person asking for it. A
    public photo said `private=False, public`, and stayed public to shared caches when
    the dashboards were closed to visitors (PUBLIC_DASHBOARD off)."""
    rep = draft()
    operator = login(people["operator"])
    upload(operator, phone_photo())
    photo = Attachment.objects.get()
    own = operator.get(f"/lampiran/{photo.pk}/")
    assert cache_directives(own) == {"private", "max-age=300"}
    MonthlyReport.objects.filter(pk=rep.pk).update(
        status=Status.VERIFIED, verified_at=timezone.now()
    )
    Attachment.objects.filter(pk=photo.pk).update(is_public=True)
    shown = client.get(f"/lampiran/{photo.pk}/kecil/")
    assert cache_directives(shown) == {"public", "max-age=3600"}
    settings.PUBLIC_DASHBOARD = False
    closed = operator.get(f"/lampiran/{photo.pk}/kecil/")
    assert cache_directives(closed) == {"private", "max-age=300"}


# --- Remove, history, required evidence -------------------------------------------------------


def test_remove_only_while_editable_and_both_steps_in_history(
    people, django_capture_on_commit_callbacks
):
    rep = draft()
    operator = login(people["operator"])
    upload(operator, phone_photo())
    photo = Attachment.objects.get()
    names = [photo.file.name, photo.thumbnail.name]
    # Someone else cannot remove it.
    login(people["verifier"]).post(f"/lampiran/{photo.pk}/hapus/")
    assert Attachment.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        operator.post(f"/lampiran/{photo.pk}/hapus/")
    assert Attachment.objects.count() == 0
    assert stored_files() == [] and not any(default_storage.exists(n) for n in names)
    timeline = find(page(operator.get(url())), "table", id="timeline")
    changes = [cells(row)[2] for row in find_all(find(timeline, "tbody"), "tr")]
    assert "Lampiran ditambahkan: foto.jpg" in changes and "Lampiran dihapus: foto.jpg" in changes
    # Once submitted, its attachments stay.
    upload(operator, phone_photo())
    MonthlyReport.objects.filter(pk=rep.pk).update(status=Status.SUBMITTED)
    photo = Attachment.objects.get()
    response = operator.post(f"/lampiran/{photo.pk}/hapus/")
    assert response.status_code == 302
    assert Attachment.objects.count() == 1


def test_indicator_requiring_evidence_blocks_submit_until_attached(people):
    Indicator.objects.filter(code="rumah-dibedah").update(requires_evidence=True)
    operator = login(people["operator"])
    operator.post(url(), {"versi": "0", "aksi": "simpan", **rows()})
    rep = MonthlyReport.objects.get()
    response = operator.post(url(), {"versi": str(rep.version), "aksi": "ajukan", **rows()})
    assert response.status_code == 422
    assert any("wajib disertai bukti" in text for text in row_messages(response, "rumah-dibedah"))
    rep.refresh_from_db()
    assert rep.status == Status.DRAFT
    # A general attachment is not evidence for the indicator; one tied to it is.
    upload(operator, phone_photo())
    response = operator.post(url(), {"versi": str(rep.version), "aksi": "ajukan", **rows()})
    assert response.status_code == 422
    upload(operator, phone_photo(), indicator="rumah-dibedah")
    response = operator.post(url(), {"versi": str(rep.version), "aksi": "ajukan", **rows()})
    assert response.status_code == 302
    rep.refresh_from_db()
    assert rep.status == Status.SUBMITTED


# --- Conversation and notifications ------------------------------------------------------------


def test_comments_are_plain_text_length_limited_and_scoped(people):
    rep = report(status=Status.SUBMITTED)
    verifier = login(people["verifier"])
    response = verifier.post(
        url(suffix="komentar/"), {"teks": "<b>Foto</b> kurang <script>x</script>"}
    )
    assert response.status_code == 302
    thread = find(page(login(people["operator"]).get(url())), id="percakapan")
    (comment,) = find_all(thread, "p", class_="comment-text")
    assert element_text(comment) == "<b>Foto</b> kurang <script>x</script>"  # as text
    assert find_all(thread, "b") == [] and find_all(thread, "script") == []
    too_long = verifier.post(url(suffix="komentar/"), {"teks": "x" * 2001})
    assert too_long.status_code == 422
    # Counts in messages are id-ID numbers, as everywhere else on the page.
    assert "Komentar terlalu panjang: paling banyak 2.000 karakter." in element_text(page(too_long))
    typed = find(page(too_long), "textarea", id="teks")
    assert element_text(typed) == "x" * 2001  # what was typed is not lost
    assert verifier.post(url(suffix="komentar/"), {"teks": "   "}).status_code == 422
    # Pasted invisible characters only (a zero-width space, a BOM): as empty as spaces.
    assert verifier.post(url(suffix="komentar/"), {"teks": "\u200b \ufeff"}).status_code == 422
    for who in ("operator_other_regency", "verifier_other_program", None):
        response = login(people[who] if who else None).post(
            url(suffix="komentar/"), {"teks": "halo"}
        )
        assert response.status_code in (302, 403)
        if who is None:
            assert response["Location"].startswith("/akun/masuk/")
    assert Comment.objects.filter(report=rep).count() == 1


def test_notifications_for_each_step_and_the_bell(people, django_capture_on_commit_callbacks):
    operator, verifier = people["operator"], people["verifier"]
    op, ver = login(operator), login(verifier)

    def bell(client):
        return int(unread(client))

    with django_capture_on_commit_callbacks(execute=True):
        op.post(url(), {"versi": "0", "aksi": "ajukan", **rows()})
    rep = MonthlyReport.objects.get()
    assert bell(ver) == 1 and bell(op) == 0
    assert Notification.objects.get(user=verifier).kind == "submitted"
    assert [m.to for m in mail.outbox] == [[verifier.email]]
    with django_capture_on_commit_callbacks(execute=True):
        ver.post(
            url(suffix="status/"),
            {"aksi": "kembalikan", "alasan": "Foto belum ada", "versi": rep.version},
        )
    assert bell(op) == 1
    assert bell(ver) == 0  # the report no longer waits: "Laporan diajukan" is settled
    # The return reason is the first entry of the thread.
    assert list(rep.comments.values_list("kind", "text")) == [("return", "Foto belum ada")]
    with django_capture_on_commit_callbacks(execute=True):
        op.post(url(suffix="komentar/"), {"teks": "Sudah saya lampirkan."})
    assert bell(ver) == 1  # the operator's answer
    assert Notification.objects.filter(user=verifier, kind="comment").exists()
    assert "Sudah saya lampirkan." in element_text(page(ver.get("/notifikasi/")))
    assert bell(ver) == 0  # the list marks them read
    rep.refresh_from_db()
    op.post(url(), {"versi": str(rep.version), "aksi": "ajukan", **rows()})
    rep.refresh_from_db()
    ver.post(url(suffix="status/"), {"aksi": "verifikasi", "versi": rep.version})
    kinds = list(Notification.objects.filter(user=operator).values_list("kind", flat=True))
    assert sorted(kinds) == ["returned", "verified"]
    # Anonymous visitors get no bell.
    assert unread(login(None)) == "0"


def submitted_and_returned(op, ver, capture) -> None:
    """The operator's client submits the report, the verifier's returns it ("Foto belum
    ada"), their notifications and mails sent."""
    with capture(execute=True):
        op.post(url(), {"versi": "0", "aksi": "ajukan", **rows()})
    rep = MonthlyReport.objects.get()
    with capture(execute=True):
        ver.post(
            url(suffix="status/"),
            {"aksi": "kembalikan", "alasan": "Foto belum ada", "versi": rep.version},
        )


def test_a_burst_of_comments_mails_each_participant_once_until_they_read_the_bell(
    people, django_capture_on_commit_callbacks
):
    """Every comment mailed everyone in the conversation: an insider could flood their
    inboxes. A participant is mailed once per report until they open their
    notifications; the bell still counts every comment."""
    operator, verifier = people["operator"], people["verifier"]
    op, ver = login(operator), login(verifier)
    submitted_and_returned(op, ver, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    for n in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            op.post(url(suffix="komentar/"), {"teks": f"Komentar ke-{n}"})
    to_verifier = [m for m in mail.outbox if verifier.email in m.to]
    assert len(to_verifier) == 1 and "Komentar ke-0" in to_verifier[0].subject
    assert Notification.objects.filter(user=verifier, kind="comment").count() == 5
    ver.get("/notifikasi/")  # read: the next comment is mailed again
    with django_capture_on_commit_callbacks(execute=True):
        op.post(url(suffix="komentar/"), {"teks": "Komentar setelah dibaca"})
    to_verifier = [m for m in mail.outbox if verifier.email in m.to]
    assert len(to_verifier) == 2 and "Komentar setelah dibaca" in to_verifier[1].subject


def test_notifications_and_emails_speak_indonesian_whatever_the_senders_language(
    people, django_capture_on_commit_callbacks
):
    """The sender's language is a cookie of their browser; the reader's is unknown when
    the message is written. A verifier who reads the site in English returns a report:
    the operator in the kabupaten office still reads "Laporan dikembalikan", in the bell
    and in the email, like every other notification (the bell follows its reader's
    choice; an email's reader is unknown when it is sent)."""
    operator, verifier = people["operator"], people["verifier"]
    op, ver = login(operator), login(verifier)
    op.cookies["bahasa"] = ver.cookies["bahasa"] = "en"
    submitted_and_returned(op, ver, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        ver.post(url(suffix="komentar/"), {"teks": "Mohon dilengkapi."})
    with translation.override("id"):
        texts = {n.kind: n.display_text for n in Notification.objects.all()}
        month = month_label(previous_month()[1])
    assert texts["submitted"].startswith("Laporan diajukan: ")
    assert texts["returned"].startswith("Laporan dikembalikan: ")
    assert " mengomentari " in texts["comment"]
    assert all(month in text for text in texts.values()), texts
    listed = element_text(find(page(login(operator).get("/notifikasi/")), id="notifications"))
    assert "Laporan dikembalikan: " in listed and " mengomentari " in listed
    assert "Report" not in listed
    subjects = [m.subject for m in mail.outbox]
    assert subjects[0].startswith("Laporan diajukan: ")
    assert subjects[1].startswith("Laporan dikembalikan: ")
    assert "Alasan: Foto belum ada" in mail.outbox[1].body
    assert not any("Report" in m.subject or "Report" in m.body for m in mail.outbox)
    # The pages themselves still follow each user's choice.
    assert 'lang="en"' in ver.get("/notifikasi/").content.decode()


def bell_list(client) -> list[str]:
    """The sentences of the user's notification list (each a link), newest first."""
    listed = find(page(client.get("/notifikasi/")), id="notifications")
    return [element_text(link) for link in find_all(listed, "a")]


def returned_verified_and_commented(people, capture) -> MonthlyReport:
    """Submitted, returned ("Foto belum ada"), answered by the operator ("Sudah saya
    lampirkan."), submitted again and verified, each in the Indonesian site."""
    op, ver = login(people["operator"]), login(people["verifier"])
    submitted_and_returned(op, ver, capture)
    with capture(execute=True):
        op.post(url(suffix="komentar/"), {"teks": "Sudah saya lampirkan."})
    rep = MonthlyReport.objects.get()
    op.post(url(), {"versi": str(rep.version), "aksi": "ajukan", **rows()})
    rep.refresh_from_db()
    with capture(execute=True):
        ver.post(url(suffix="status/"), {"aksi": "verifikasi", "versi": rep.version})
    return rep


def test_the_bell_reads_in_the_readers_language(people, django_capture_on_commit_callbacks):
    """Notifications were stored as Indonesian sentences: an operator reading the site
    in English read "Laporan diverifikasi: ..." in the bell. The sentence is now built in
    the reader's language around the report; the verifier's reason and the comment are
    shown as typed."""
    returned_verified_and_commented(people, django_capture_on_commit_callbacks)
    year, month = previous_month()
    with translation.override("en"):
        english = f"GBRSS — Banyuasin — {month_label(month)} {year}"
    operator, verifier = login(people["operator"]), login(people["verifier"])
    operator.cookies["bahasa"] = verifier.cookies["bahasa"] = "en"
    assert bell_list(operator) == [
        f"Report verified: {english}",
        f"Report returned: {english} — Foto belum ada",
    ]
    assert bell_list(verifier) == [
        f"Report submitted: {english}",
        f"op-banyuasin commented on {english}: Sudah saya lampirkan.",
        f"Report submitted: {english}",
    ]
    # The emails, sent before anyone read them, stay in the site's language.
    assert not any("Report" in m.subject or "Report" in m.body for m in mail.outbox)
    # The admin's list of notifications reads as the bell does.
    admin = login(people["admin"])
    admin.cookies["bahasa"] = "en"
    listed = element_text(page(admin.get("/admin/programs/notification/")))
    assert f"Report returned: {english} — Foto belum ada" in listed


def test_the_indonesian_bell_reads_as_before(people, django_capture_on_commit_callbacks):
    """The wording stored before notifications were built when read, word for word."""
    returned_verified_and_commented(people, django_capture_on_commit_callbacks)
    year, month = previous_month()
    with translation.override("id"):
        label = f"GBRSS — Banyuasin — {month_label(month)} {year}"
    assert bell_list(login(people["operator"])) == [
        f"Laporan diverifikasi: {label}",
        f"Laporan dikembalikan: {label} — Foto belum ada",
    ]
    assert bell_list(login(people["verifier"])) == [
        f"Laporan diajukan: {label}",
        f"op-banyuasin mengomentari {label}: Sudah saya lampirkan.",
        f"Laporan diajukan: {label}",
    ]


def test_a_notification_stored_before_still_shows_its_text(people):
    """Rows stored before the sentence was built when read hold only their Indonesian
    sentence: every reader still sees it, nothing lost."""
    rep = report(status=Status.VERIFIED)
    stored = "Laporan diverifikasi: GBRSS — Banyuasin — Maret 2024"
    Notification.objects.create(
        user=people["operator"], kind="verified", report=rep, text=stored, url=url()
    )
    operator = login(people["operator"])
    operator.cookies["bahasa"] = "en"
    assert bell_list(operator) == [stored]


def test_the_bell_names_a_program_in_the_readers_language(people):
    """A program without an acronym is named by its name: the English one to an
    English reader (`Program.display_label`), the Indonesian one as before."""
    year, month = previous_month()
    rep = MonthlyReportFactory(
        program=Program.objects.get(slug="mandiri-energi"),
        regency=Regency.objects.get(code="16.07"),
        year=year,
        month=month,
        status=Status.SUBMITTED,
    )
    Notification.objects.create(
        user=people["operator"],
        kind="verified",
        report=rep,
        message="Laporan diverifikasi: %(report)s",
        url=url(),
    )
    english = login(people["operator"])
    english.cookies["bahasa"] = "en"
    with translation.override("en"):
        period = f"{month_label(month)} {year}"
    assert bell_list(english) == [
        "Report verified: South Sumatra Simultaneous Energy Self-Reliance Movement"
        f" — Banyuasin — {period}"
    ]
    with translation.override("id"):
        period = f"{month_label(month)} {year}"
    assert bell_list(login(people["operator"])) == [
        "Laporan diverifikasi: Gerakan Sumatera Selatan Mandiri Energi Serentak se-Sumsel"
        f" — Banyuasin — {period}"
    ]


def test_deadline_reminders_read_in_the_readers_language(
    people, django_capture_on_commit_callbacks
):
    """The reminder's count and date in the reader's words; its email in the site's."""
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", "--hari", "40", stdout=io.StringIO())
    operator = login(people["operator"])
    operator.cookies["bahasa"] = "en"
    (english,) = bell_list(operator)
    (indonesian,) = bell_list(login(people["operator"]))
    due = dt.date.fromisoformat(Notification.objects.get(user=people["operator"]).params["due"])
    with translation.override("en"):
        assert english.endswith(f" to submit or correct (earliest deadline {date_label(due)}).")
    with translation.override("id"):
        assert indonesian.endswith(
            f" laporan perlu diajukan atau diperbaiki (tenggat paling awal {date_label(due)})."
        )
    assert english != indonesian


def test_history_reasons_are_written_in_the_sites_language_whatever_the_senders(people):
    """The history beside a report is read by everyone: a verifier reading the site in
    English wrote "Verified" and "Returned: ..." into it, an operator "Submitted" and
    "Attachment added: ...". Every reason is now Indonesian, as notifications are."""
    operator, verifier = people["operator"], people["verifier"]
    op, ver = login(operator), login(verifier)
    op.cookies["bahasa"] = ver.cookies["bahasa"] = "en"
    op.post(url(), {"versi": "0", "aksi": "simpan", **rows()})
    rep = MonthlyReport.objects.get()
    upload(op, phone_photo(), name="rumah.jpg")
    upload(op, png(), name="lain.png")
    spare = Attachment.objects.get(original_name="lain.png")
    op.post(f"/lampiran/{spare.pk}/hapus/")
    rep.refresh_from_db()
    op.post(url(), {"versi": str(rep.version), "aksi": "ajukan", **rows()})
    rep.refresh_from_db()
    ver.post(url(suffix="status/"), {"aksi": "kembalikan", "alasan": "Cek", "versi": rep.version})
    rep.refresh_from_db()
    op.post(url(), {"versi": str(rep.version), "aksi": "ajukan", **rows()})
    rep.refresh_from_db()
    ver.post(url(suffix="status/"), {"aksi": "verifikasi", "versi": rep.version})
    photo = Attachment.objects.get()
    ver.post(f"/lampiran/{photo.pk}/publik/", {"publik": "1"})
    rep.refresh_from_db()
    ver.post(url(suffix="status/"), {"aksi": "buka", "alasan": "Salah", "versi": rep.version})
    reasons = list(
        rep.history.order_by("history_date").values_list("history_change_reason", flat=True)
    )
    assert reasons == [
        "Disimpan sebagai draf",
        "Diajukan",
        "Dikembalikan: Cek",
        "Diajukan",
        "Diverifikasi",
        "Dibuka kembali: Salah",
    ]
    realization_reasons = set(Realization.history.values_list("history_change_reason", flat=True))
    assert realization_reasons <= {"Disimpan sebagai draf", "Diajukan"}
    attachment_reasons = list(
        Attachment.history.order_by("history_date").values_list("history_change_reason", flat=True)
    )
    assert attachment_reasons == [
        "Lampiran ditambahkan: rumah.jpg",
        "Lampiran ditambahkan: lain.png",
        "Lampiran dihapus: lain.png",
        "Foto ditandai publik",
    ]
    # The pages themselves still follow each user's choice.
    assert 'lang="en"' in ver.get(url()).content.decode()


def test_failed_mail_is_logged_not_dropped(
    people, settings, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.programs.reporting.test_evidence.BrokenBackend"
    with (
        caplog.at_level(logging.ERROR, logger="sumsel_gerakan.mail"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        login(people["operator"]).post(url(), {"versi": "0", "aksi": "ajukan", **rows()})
    assert MonthlyReport.objects.get().status == Status.SUBMITTED  # the page did not fail
    assert "Email not sent" in caplog.text and people["verifier"].email in caplog.text


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP server down")


def test_reminders_notify_in_app_and_enqueue_emails(people, django_capture_on_commit_callbacks):
    get_user_model().objects.filter(pk=people["operator_other_regency"].pk).update(email="")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", "--hari", "40", stdout=io.StringIO())
    operator = people["operator"]
    notes = Notification.objects.filter(user=operator, kind="deadline")
    assert notes.count() == 1
    assert any(operator.email in m.to for m in mail.outbox)
    # An operator without an address is reminded in the app only.
    no_mail = people["operator_other_regency"]
    assert Notification.objects.filter(user=no_mail, kind="deadline").count() == 1
    # A second run the same day reminds nobody twice.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", "--hari", "40", stdout=io.StringIO())
    assert notes.count() == 1 and mail.outbox == []


# --- Export and query counts ---------------------------------------------------------------------


def test_raw_export_lists_attachments_metadata(people):
    rep = draft()
    operator = login(people["operator"])
    upload(operator, phone_photo(), indicator="rumah-dibedah", name="sesudah.jpg")
    MonthlyReport.objects.filter(pk=rep.pk).update(status=Status.SUBMITTED)
    year, month = previous_month()
    response = operator.get(f"/unduh/realisasi.csv?tahun={year}&bulan={month}")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    header = next(line for line in text.splitlines() if line.startswith("Tahun;Bulan"))
    assert "Lampiran" in header
    row = next(line for line in text.splitlines() if "rumah-dibedah" in line)
    assert f"sesudah.jpg (#{Attachment.objects.get().pk})" in row


def test_report_page_queries_do_not_grow_with_attachments_and_comments(people):
    draft()
    operator = login(people["operator"])
    upload(operator, phone_photo())

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert operator.get(url()).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for _i in range(4):
        upload(operator, phone_photo(), indicator="rumah-dibedah")
        operator.post(url(suffix="komentar/"), {"teks": "catatan"})
    assert count() == few


def test_attachment_service_checks_scope_itself(people):
    rep = draft()
    with pytest.raises(services.PermissionDenied):
        services.attachment_add(
            user=people["operator_other_regency"],
            report=rep,
            regency=rep.regency,
            program=rep.program,
            year=rep.year,
            month=rep.month,
            data=phone_photo(),
            filename="a.jpg",
        )
    assert Attachment.objects.count() == 0


def test_verifier_queue_counts_evidence_with_fixed_queries(people):
    verifier = login(people["verifier"])
    rep = draft()
    operator = login(people["operator"])
    upload(operator, phone_photo(), indicator="rumah-dibedah")
    upload(operator, pdf(), name="ba.pdf")
    MonthlyReport.objects.filter(pk=rep.pk).update(status=Status.SUBMITTED)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = verifier.get("/verifikasi/")
        return len(ctx.captured_queries), page(response)

    few, html = count()
    (item,) = find_all(html, "article", class_="queue-item")
    assert "2 lampiran" in element_text(find(item, "p", class_="legend"))
    assert element_text(find(item, "td", data_evidence="1")) == "1"  # the photo
    other = draft(regency="16.01")
    upload(login(people["operator_other_regency"]), png(), code="16.01")
    MonthlyReport.objects.filter(pk=other.pk).update(status=Status.SUBMITTED)
    many, html = count()
    assert many == few


@pytest.mark.django_db(transaction=True)
def test_emails_wait_in_the_database_queue_until_the_worker_sends_them(people, settings):
    """With the production backend a page only enqueues (after its commit); the worker
    command sends."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    login(people["operator"]).post(url(), {"versi": "0", "aksi": "ajukan", **rows()})
    assert mail.outbox == []
    assert DBTaskResult.objects.count() == 1
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())
    assert [m.to for m in mail.outbox] == [[people["verifier"].email]]
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_s3_storage_is_configured_from_the_environment():
    import os
    import subprocess
    import sys

    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='sumsel_gerakan.settings';"
        "from django.conf import settings; d = settings.STORAGES['default'];"
        "print(d['BACKEND'], d['OPTIONS']['bucket_name'], d['OPTIONS']['endpoint_url'],"
        " d['OPTIONS']['default_acl'])"
    )
    env = {
        **os.environ,
        "ATTACHMENTS_S3_BUCKET": "lampiran-uji",
        "ATTACHMENTS_S3_ENDPOINT_URL": "https://s3.contoh.go.id",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == [
        "storages.backends.s3.S3Storage",
        "lampiran-uji",
        "https://s3.contoh.go.id",
        "private",
    ]


def test_spreadsheet_import_leaves_attachments_alone(people):
    from programs.models import ImportBatch
    from tests.spreadsheets_helpers import row, xlsx

    rep = draft()
    operator = login(people["operator"])
    upload(operator, phone_photo(), indicator="rumah-dibedah")
    before = list(Attachment.objects.values_list("pk", "file", "indicator_id", "report_id"))
    operator.post("/impor/", {"jenis": "realizations", "berkas": xlsx([row("8")])})
    applied = operator.post(f"/impor/{ImportBatch.objects.get().token}/terapkan/")
    assert applied.status_code == 302
    rep.refresh_from_db()
    assert rep.realizations.get().value == Decimal(8)  # the import did apply
    assert list(Attachment.objects.values_list("pk", "file", "indicator_id", "report_id")) == before
    assert all(default_storage.exists(name) for _pk, name, _i, _r in before)


def test_notification_page_queries_do_not_grow(people):
    operator = people["operator"]
    client = login(operator)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/notifikasi/").status_code == 200
        return len(ctx.captured_queries)

    Notification.objects.create(user=operator, kind="deadline", text="satu")
    first = page(client.get("/notifikasi/"))
    assert len(find_all(first, class_="unread")) == 1  # shown as new once
    few = count()
    Notification.objects.bulk_create(
        Notification(user=operator, kind="comment", text=f"komentar {i}") for i in range(20)
    )
    assert count() == few
    html = page(client.get("/notifikasi/"))
    assert "komentar 19" in element_text(html)
    assert find_all(html, class_="unread") == []  # read at the last visit


def test_the_bell_names_its_reports_in_a_fixed_number_of_queries(people):
    """Each sentence names its report (program, regency, month) when read: as many
    queries for one notification as for twenty, of twenty reports."""
    operator = people["operator"]
    client = login(operator)
    client.cookies["bahasa"] = "en"

    def notify_about(rep):
        Notification.objects.create(
            user=operator,
            kind="verified",
            report=rep,
            message="Laporan diverifikasi: %(report)s",
            url=url(),
        )

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/notifikasi/").status_code == 200
        return len(ctx.captured_queries)

    notify_about(report(status=Status.VERIFIED, period=previous_month(1)))
    one = count()
    for months_back in range(2, 22):
        notify_about(report(status=Status.VERIFIED, period=previous_month(months_back)))
    assert count() == one
    sentences = bell_list(client)
    assert len(sentences) == 21 and all(s.startswith("Report verified: GBRSS") for s in sentences)


def test_numbers_sent_with_an_attachment_are_shown_again_unsaved(people):
    """The entry form's unsaved rows sent along with a file (static/js/entry.js): shown
    again as typed after the upload, and after a refused one, never saved by it."""
    draft()
    operator = login(people["operator"])
    html = page(operator.get(url()))
    opened = {n: attribute(find(html, "input", name=n), "value") for n in ("versi", "pengisi")}
    typed = {**opened, **rows("8.600", note="Termasuk rumah korban banjir")}

    refused = operator.post(
        url(suffix="lampiran/"),
        {"berkas": SimpleUploadedFile("x.jpg", b"not a photo"), "keterangan": "", **typed},
    )
    assert refused.status_code == 422
    shown = page(refused)
    assert attribute(find(shown, "input", name="r-rumah-dibedah-0-value"), "value") == "8.600"

    done = operator.post(
        url(suffix="lampiran/"),
        {"berkas": SimpleUploadedFile("atap.jpg", phone_photo()), "keterangan": "", **typed},
        follow=True,
    )
    shown = page(done)
    assert attribute(find(shown, "input", name="r-rumah-dibedah-0-value"), "value") == "8.600"
    assert attribute(find(shown, "input", name="r-rumah-dibedah-0-note"), "value") == (
        "Termasuk rumah korban banjir"
    )
    assert any("sebelum melampirkan berkas dipulihkan" in m for m in flash_messages(done))
    assert Realization.objects.get().value == Decimal(7)  # stored as before: not saved
    assert Attachment.objects.count() == 1


def test_a_comment_sent_with_an_attachment_is_put_back_in_the_box_unsent(people):
    """A comment typed and not sent, carried along with a file (static/js/entry.js) to a
    report waiting for verification (no entry form to keep): back in the conversation
    box after the upload, and after a refused one, never sent by it."""
    report(status=Status.SUBMITTED)
    operator = login(people["operator"])
    typed = {"keterangan": "", "teks": "Foto atap menyusul di lampiran ini."}

    refused = operator.post(
        url(suffix="lampiran/"), {"berkas": SimpleUploadedFile("x.jpg", b"not a photo"), **typed}
    )
    assert refused.status_code == 422
    assert element_text(find(page(refused), "textarea", id="teks")) == typed["teks"]

    done = operator.post(
        url(suffix="lampiran/"),
        {"berkas": SimpleUploadedFile("atap.jpg", phone_photo()), **typed},
        follow=True,
    )
    assert element_text(find(page(done), "textarea", id="teks")) == typed["teks"]
    assert any("Komentar yang Anda ketik" in m for m in flash_messages(done))
    assert Attachment.objects.count() == 1 and Comment.objects.count() == 0
    # Shown once: the next visit has an empty box.
    assert element_text(find(page(operator.get(url())), "textarea", id="teks")) == ""


def test_a_16_bit_grey_png_keeps_its_greys(people):
    """A 16-bit greyscale PNG (scanners, some camera apps) was stored solid white: its
    0-65535 values were cut at 255. Its greys are now kept, thumbnail included."""
    picture = Image.new("I;16", (60, 20), 30000)  # 46 % grey
    picture.paste(Image.new("I;16", (30, 20), 5000), (0, 0))  # 8 % grey on the left
    out = io.BytesIO()
    picture.save(out, "PNG")
    draft()
    operator = login(people["operator"])
    assert upload(operator, out.getvalue(), name="pindaian.png").status_code == 302
    attachment = Attachment.objects.get()
    for address in (f"/lampiran/{attachment.pk}/", f"/lampiran/{attachment.pk}/kecil/"):
        shown = Image.open(io.BytesIO(b"".join(operator.get(address).streaming_content)))
        dark, grey = shown.convert("L").getpixel((5, 10)), shown.convert("L").getpixel((55, 10))
        assert abs(dark - 20) < 8 and abs(grey - 117) < 8
