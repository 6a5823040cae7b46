"""Checking an uploaded file before anything is stored: content, not name or declared type.

Accepted: photos (JPEG, PNG, WebP) and PDF documents. A photo is decoded with Pillow
within a pixel limit (the header is read first, so a decompression bomb is refused
before its pixels are), rotated by its EXIF orientation, scaled down, re-encoded as a
JPEG (a transparent one laid on white) without any metadata and thumbnailed; its capture
time and GPS position are returned as data. A PDF is kept as uploaded, after refusing
active content (JavaScript, launch and open actions, embedded files) in its raw bytes
and in its deflated streams, and anything appended after its end.

Everything else (SVG, HTML, executables, archives, HEIC, polyglots, undecodable files)
is refused with a message in Indonesian; an iPhone's HEIC/HEIF photo is told how to be
sent as a JPG instead. Pure: bytes in, a CheckedFile or an
UploadRefused out; nothing touches storage or the database here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
import re
import unicodedata
import warnings
import zlib
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from PIL import Image, ImageOps, UnidentifiedImageError

from programs.formats import number

TOO_LARGE = gettext_noop("Berkas terlalu besar: paling besar %(mb)s MB per berkas.")
EMPTY = gettext_noop("Berkas kosong.")
WRONG_TYPE = gettext_noop(
    "Jenis berkas tidak diterima: hanya foto JPEG, PNG atau WebP dan dokumen PDF. "
    "SVG, HTML, program dan arsip ditolak."
)
HEIC = gettext_noop(
    "Foto HEIC/HEIF (format bawaan kamera iPhone) tidak diterima. Ubah dulu menjadi JPG atau "
    "PDF, misalnya dengan mengekspor atau menyimpan ulang foto itu sebagai JPG, lalu unggah "
    "lagi. Agar foto berikutnya langsung JPG: di iPhone buka Pengaturan > Kamera > Format, "
    "lalu pilih “Paling Kompatibel” (Most Compatible)."
)
TOO_MANY_PIXELS = gettext_noop(
    "Gambar terlalu besar: paling besar %(max)s megapiksel. Perkecil fotonya lalu unggah lagi."
)
UNREADABLE = gettext_noop("Berkas rusak atau tidak dapat dibaca sebagai gambar atau PDF.")
HIDDEN_CONTENT = gettext_noop(
    "Berkas memuat isi tersembunyi (skrip, HTML atau berkas lain yang disisipkan) dan ditolak."
)
PDF_ACTIVE = gettext_noop(
    "PDF ini memuat JavaScript atau tindakan otomatis dan ditolak. "
    "Cetak ulang sebagai PDF biasa lalu unggah lagi."
)

# "MPO" is a JPEG holding more than one picture (the Multi-Picture Format): phones write
# one for an HDR photo's gain map or a portrait's depth map. Its first picture is the
# photo; only that one is kept (the stored photo is encoded again).
MIME_OF_FORMAT = {
    "JPEG": "image/jpeg",
    "MPO": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
}
JPEG_FORMATS = ("JPEG", "MPO")

# Markers of text that a browser could run, anywhere in an uploaded file. At 7+ specific
# bytes they practically never occur by chance inside compressed image data.
_SCRIPT_MARKERS = re.compile(
    rb"<\s*(script|html|svg|iframe|object|embed|body|\?php)\b|<!doctype|javascript:",
    re.IGNORECASE,
)
# PDF names that run something when a document is opened or touched.
_PDF_ACTIVE = re.compile(
    rb"/(JavaScript|JS|OpenAction|AA|Launch|EmbeddedFile|RichMedia|XFA|SubmitForm|ImportData)"
    rb"(?![A-Za-z0-9])"
)
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\n?endstream", re.DOTALL)
_PDF_MAX_INFLATED = 50 * 1024 * 1024


class UploadRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class CheckedFile:
    kind: str  # Attachment.Kind value
    content: bytes  # what is stored and served: re-encoded photo or the checked PDF
    content_type: str
    extension: str
    thumbnail: bytes | None
    width: int | None
    height: int | None
    taken_at: dt.datetime | None
    latitude: Decimal | None
    longitude: Decimal | None
    sha256: str  # of what was uploaded


def safe_name(name: str, limit: int = 120) -> str:
    """A display name only (never a path): the last path component, no control
    characters, at most `limit` characters with the extension kept."""
    name = re.split(r"[\\/]", name or "")[-1]
    name = "".join(
        c for c in unicodedata.normalize("NFC", name) if unicodedata.category(c)[0] != "C"
    )
    name = name.strip().strip(".") or "berkas"
    if len(name) > limit:
        stem, dot, ext = name.rpartition(".")
        ext = ext[:10] if dot else ""
        name = (stem if dot else name)[: limit - len(ext) - 2] + "…" + (f".{ext}" if ext else "")
    return name


# The extensions a served type answers to; the first is given to names without one.
EXTENSIONS = {
    "image/jpeg": ("jpg", "jpeg", "jpe"),
    "image/png": ("png",),
    "image/webp": ("webp",),
    "application/pdf": ("pdf",),
}
_EXTENSION = re.compile(r"[A-Za-z0-9]{1,5}")


def download_name(original_name: str, content_type: str, *, suffix: str = "") -> str:
    """The name a served file downloads as: the uploaded name with the extension of what
    is served (a PNG re-encoded to JPEG is `wide.jpg`, not `wide.png`; `noext` becomes
    `noext.jpg`); `suffix` names a derived file after its original (`wide-kecil.jpg`)."""
    name = original_name or "berkas"
    stem, dot, extension = name.rpartition(".")
    if not (dot and stem and _EXTENSION.fullmatch(extension)):
        stem, extension = name, ""
    known = EXTENSIONS.get(content_type, ("bin",))
    if extension.lower() in known and not suffix:
        return name
    return f"{stem}{suffix}.{known[0]}"


# ISO base media file brands of HEIF images (HEVC-coded, and the generic image brands);
# AVIF shares the container (brand 'avif', with 'mif1' among the compatible ones).
_HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"}
_HEIF_BRANDS = {b"mif1", b"msf1", b"mif2"}
_HEIC_EXTENSIONS = (".heic", ".heif", ".hif")


def is_heic(data: bytes, name: str = "") -> bool:
    """An iPhone photo in HEIC/HEIF: by the 'ftyp' box the file starts with (its major
    and compatible brands), or, for a file nothing else recognises, by its name."""
    if (name or "").strip().lower().endswith(_HEIC_EXTENSIONS):
        return True
    if data[4:8] != b"ftyp":
        return False
    size = int.from_bytes(data[:4], "big")
    box = data[8 : min(max(size, 16), 256)]
    brands = {box[i : i + 4] for i in range(0, len(box) - 3, 4)} - {b"\x00\x00\x00\x00"}
    if brands & _HEIC_BRANDS:
        return True
    return bool(brands & _HEIF_BRANDS) and not brands & {b"avif", b"avis"}


def check_upload(data: bytes, name: str = "") -> CheckedFile:
    """Decide on an upload from its bytes (`name`, the uploaded name, only words the
    refusal of a HEIC photo); raise UploadRefused with the reason."""
    limit = settings.ATTACHMENT_MAX_BYTES
    if not data:
        raise UploadRefused(_(EMPTY))
    photo = (
        data.startswith(b"\xff\xd8\xff")
        or data.startswith(b"\x89PNG\r\n\x1a\n")
        or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")
    )
    pdf = data.startswith(b"%PDF-")
    # Before the size: a 12 MB HEIC told only to be smaller would be refused again.
    if not (photo or pdf) and is_heic(data, name):
        raise UploadRefused(_(HEIC))
    if len(data) > limit:
        raise UploadRefused(_(TOO_LARGE) % {"mb": number(limit // (1024 * 1024))})
    digest = hashlib.sha256(data).hexdigest()
    if pdf:
        return _check_pdf(data, digest)
    if photo:
        return _check_image(data, digest)
    raise UploadRefused(_(WRONG_TYPE))


# --- PDF -----------------------------------------------------------------------------


def _check_pdf(data: bytes, digest: str) -> CheckedFile:
    end = data.rfind(b"%%EOF")
    if end < 0 or (b"/Root" not in data and b"/Type" not in data):
        raise UploadRefused(_(UNREADABLE))
    if data[end + 5 :].strip(b"\r\n\t \x00"):
        raise UploadRefused(_(HIDDEN_CONTENT))  # something appended after the document
    if _SCRIPT_MARKERS.search(data) or (b"PK\x03\x04" in data and b"PK\x05\x06" in data):
        raise UploadRefused(_(HIDDEN_CONTENT))
    for chunk in _pdf_texts(data):
        normalised = _PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), chunk)
        if _PDF_ACTIVE.search(normalised):
            raise UploadRefused(_(PDF_ACTIVE))
    return CheckedFile(
        kind="pdf",
        content=data,
        content_type="application/pdf",
        extension="pdf",
        thumbnail=None,
        width=None,
        height=None,
        taken_at=None,
        latitude=None,
        longitude=None,
        sha256=digest,
    )


def _pdf_texts(data: bytes):
    """The raw document, then each of its streams that inflates (object streams may hide
    dictionaries), within a total inflated-size budget."""
    yield data
    budget = _PDF_MAX_INFLATED
    for match in _PDF_STREAM.finditer(data):
        inflater = zlib.decompressobj()
        try:
            text = inflater.decompress(match.group(1), budget)
        except zlib.error:
            continue
        budget -= len(text)
        if budget <= 0:
            raise UploadRefused(_(UNREADABLE))
        yield text


# --- Photos ----------------------------------------------------------------------------


def _check_image(data: bytes, digest: str) -> CheckedFile:
    if _SCRIPT_MARKERS.search(data):
        raise UploadRefused(_(HIDDEN_CONTENT))
    if data.startswith(b"\x89PNG") and not data.rstrip(b"\x00").endswith(b"IEND\xaeB`\x82"):
        # Data after the PNG's end chunk is a second file riding on the first.
        if b"IEND\xaeB`\x82" in data:
            raise UploadRefused(_(HIDDEN_CONTENT))
        raise UploadRefused(_(UNREADABLE))
    max_pixels = settings.ATTACHMENT_MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))  # reads the header only
            if image.format not in MIME_OF_FORMAT:
                raise UploadRefused(_(WRONG_TYPE))
            pixels = image.width * image.height
            if pixels > max_pixels:
                raise UploadRefused(_(TOO_MANY_PIXELS) % {"max": number(max_pixels // 1_000_000)})
            exif = image.getexif()
            side = settings.ATTACHMENT_MAX_SIDE
            if image.format in JPEG_FORMATS and max(image.size) > side:
                # Decode at 1/2, 1/4 or 1/8 of the size (the JPEG decoder scales while
                # decoding), still at least `side` on the long edge: a 48 MP phone photo
                # took 1.1 s and 370 MB to decode in full only to be scaled to 2560 px.
                scale = side / max(image.size)
                image.draft(None, (math.ceil(image.width * scale), math.ceil(image.height * scale)))
            image.load()  # decodes (all of the data): truncated or corrupt data fails here
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadRefused(_(TOO_MANY_PIXELS) % {"max": number(max_pixels // 1_000_000)}) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise UploadRefused(_(UNREADABLE)) from None
    taken_at = _exif_time(exif)
    latitude, longitude = _exif_position(exif)
    if image.mode.startswith("I;16"):
        # A 16-bit grey PNG (scanners, some camera apps): its 0-65535 values to 0-255.
        # Converted straight to RGB they were cut at 255, and the photo stored white.
        image = image.convert("I").point(lambda value: value / 257).convert("L")
    if image.mode == "PA" or (image.mode not in ("LA", "RGBA") and "transparency" in image.info):
        # A palette's or a colour key's transparency becomes an alpha channel, so the
        # picture is scaled and laid on white like any other transparent one.
        image = image.convert("RGBA")
    # Scaled down first, where resampling the pixels as they are is right (no palette):
    # turning, converting and copying then work on 2560 px, not on a 7000 x 7000 PNG's
    # 196 MB (each of those steps made a full-size copy).
    if image.mode in ("L", "LA", "RGB", "RGBA") and max(image.size) > side:
        # Averaged down by a whole factor first (reducing_gap=1: 7000 px to 3500), then
        # resampled: a third of the time and memory of resampling 7000 px straight.
        image.thumbnail((side, side), Image.Resampling.LANCZOS, reducing_gap=1.0)
    ImageOps.exif_transpose(image, in_place=True)
    if image.mode in ("LA", "RGBA"):
        # Every photo is stored as a JPEG, a transparent one too: laid on white (as it
        # shows on the page), not kept as a PNG of up to 2560 x 2560 with its alpha. Such
        # a PNG was stored at 12 MB (more than the upload limit) after 5 to 12 s of PNG
        # optimising, and its thumbnail, its alpha dropped, showed the hidden colour of
        # the transparent pixels (mostly black).
        image = _on_white(image)
    if image.mode != "RGB":
        image = image.convert("RGB")
    if max(image.size) > side:
        image.thumbnail((side, side), Image.Resampling.LANCZOS)
    content = _encode(image)
    thumb = image.copy()
    thumb_side = settings.ATTACHMENT_THUMBNAIL_SIDE
    thumb.thumbnail((thumb_side, thumb_side), Image.Resampling.LANCZOS)
    return CheckedFile(
        kind="photo",
        content=content,
        content_type="image/jpeg",
        extension="jpg",
        thumbnail=_encode(thumb),
        width=image.width,
        height=image.height,
        taken_at=taken_at,
        latitude=latitude,
        longitude=longitude,
        sha256=digest,
    )


def _on_white(image: Image.Image) -> Image.Image:
    """An image with an alpha channel as it looks on a white page, in RGB."""
    alpha = image.getchannel("A")
    if alpha.getextrema()[0] == 255:  # an alpha channel with nothing transparent
        return image.convert("RGB")
    flat = Image.new("RGB", image.size, (255, 255, 255))
    flat.paste(image.convert("RGB"), mask=alpha)
    return flat


def _encode(image: Image.Image) -> bytes:
    """Pixels only, as JPEG: no EXIF, XMP, comments or GPS reach the stored file."""
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue()


_EXIF_IFD = 0x8769
_GPS_IFD = 0x8825
_DATETIME_ORIGINAL = 36867
_DATETIME = 306
PLAUSIBLE_FROM = dt.datetime(1990, 1, 1)  # earlier EXIF times are unset camera clocks


def _exif_time(exif) -> dt.datetime | None:
    try:
        text = exif.get_ifd(_EXIF_IFD).get(_DATETIME_ORIGINAL) or exif.get(_DATETIME)
        if not text:
            return None
        naive = dt.datetime.strptime(str(text).strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
    except (ValueError, TypeError, KeyError):
        return None
    # A camera without a set clock writes 0001-01-01 or 2000-01-01 and the like: a time
    # before digital cameras or after tomorrow is no capture time (and year 1 in WIB
    # cannot even be stored in UTC).
    tomorrow = timezone.localtime() + dt.timedelta(days=1)
    if not PLAUSIBLE_FROM <= naive <= tomorrow.replace(tzinfo=None):
        return None
    # Cameras write local time without a zone; the app's zone (WIB) is the best guess.
    return timezone.make_aware(naive)


def _exif_position(exif) -> tuple[Decimal | None, Decimal | None]:
    try:
        gps = exif.get_ifd(_GPS_IFD)
        lat = _degrees(gps[2], gps.get(1, "N"), "S")
        lon = _degrees(gps[4], gps.get(3, "E"), "W")
    except (KeyError, TypeError, ValueError, ZeroDivisionError, IndexError):
        return None, None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None, None
    return lat, lon


def _degrees(value, ref, negative: str) -> Decimal:
    d, m, s = (float(part) for part in value)
    degrees = d + m / 60 + s / 3600
    if not math.isfinite(degrees):  # 0/0 parts: phones without a GPS fix write them
        raise ValueError("no position")
    if str(ref).strip("\x00 ").upper() == negative:
        degrees = -degrees
    return Decimal(f"{degrees:.6f}")
