"""Spreadsheet import of monthly realizations and targets: read safely, preview every
row (new / changed / unchanged / error and why), then apply all or nothing.

Reading is defensive: size, type, zip-bomb and row limits are checked before a file is
parsed, and every refusal says why in Indonesian. Realization rows are classified with
set-based queries (their number does not grow with the rows); a target row that changes
a value costs one more query (does the target already have realizations?). The stored
targets come with their splits and milestones (two queries), which a new value must
still hold (`forms_admin.parts_problems`, the admin's rule), as must the province target
and its regency allocations of each year (`forms_admin.allocation_problems`, one query).
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import math
import re
import uuid
import zipfile
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import ParseError

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from programs import formats, permissions, ytd
from programs.admin_numbers import (
    DATE_NOT_RECOGNISED,
    large_change,
    show_number,
    typed_month,
    whole_number_error,
)
from programs.forms_admin import (
    allocation_problems,
    lock_allocations,
    stored_parts_problems,
    target_realizations,
    target_value_problems,
)
from programs.models import (
    DUE_DATE_OUTSIDE_YEAR,
    MAX_YEAR,
    MIN_YEAR,
    FundingSource,
    ImportBatch,
    Indicator,
    MonthlyReport,
    Program,
    Realization,
    Target,
    is_valid_period,
)
from programs.obligations import Obligations
from programs.reporting import deadlines, evidence
from programs.reporting.notifications import site_text
from programs.reporting.rules import (
    AMBIGUOUS_NUMBER,
    FUTURE_MONTH,
    MAX_DECIMALS,
    NOT_A_NUMBER,
    NOT_REQUIRED,
    NUMBER_TOO_LARGE,
    PROGRAM_INACTIVE,
    EntryRow,
    RowMessage,
    decimals,
    parse_number,
    parts_refusal,
    refusal,
    retired_source_refusal,
    row_problems,
    row_warnings,
    storable,
)
from programs.reporting.selectors import CountedHistory
from programs.spreadsheets.exports import formula_like, xlsx_text
from regencies.models import Regency, code_from_compact

Status = MonthlyReport.Status
Measure = Indicator.Measure
# The measures whose entries are broken down by funding source (DESIGN: increment and
# running total); a ratio's or a level's row is always "tidak dirinci".
SPLIT_BY_SOURCE = (Measure.INCREMENT, Measure.RUNNING_TOTAL)

REALIZATION_COLUMNS = [
    "program",
    "indikator",
    "wilayah",
    "bulan",
    "sumber_dana",
    "nilai",
    "pembilang",
    "penyebut",
    "catatan",
]
TARGET_COLUMNS = [
    "program",
    "indikator",
    "wilayah",
    "tahun",
    "nilai",
    "baseline",
    "batas_waktu",
    "catatan_sumber",
    "alasan",
]
REQUIRED = {
    ImportBatch.Kind.REALIZATIONS: ["program", "indikator", "wilayah", "bulan", "sumber_dana"],
    ImportBatch.Kind.TARGETS: ["program", "indikator", "wilayah", "tahun", "nilai"],
}

TOO_LARGE = gettext_noop("Berkas terlalu besar (%(size)s); batasnya %(limit)s.")
WRONG_TYPE = gettext_noop("Jenis berkas tidak didukung: unggah berkas .xlsx atau .csv.")
NOT_A_SPREADSHEET = gettext_noop("Berkas ini bukan lembar kerja Excel (.xlsx) yang sah.")
# An .xlsx whose parts are missing or broken (no sheet, a sheet that is not well-formed
# XML, a damaged entry): the file, not one of its cells, cannot be read.
BROKEN_WORKBOOK = gettext_noop(
    "Berkas ini bukan buku kerja Excel (.xlsx) yang sah: isinya rusak atau tidak lengkap. "
    "Buka berkas di Excel lalu simpan ulang sebagai .xlsx, atau isi lagi templat yang "
    "disediakan, lalu unggah lagi."
)
OLD_EXCEL = gettext_noop(
    "Berkas ini berformat Excel lama (.xls, Excel 97-2003): buka di Excel, pilih Simpan "
    "Sebagai > Buku Kerja Excel (.xlsx), lalu unggah berkas .xlsx itu."
)
# The first bytes of an OLE2 compound file: Excel 97-2003's .xls (and old Word files).
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OPEN_DOCUMENT = gettext_noop(
    "Berkas ini lembar kerja OpenDocument (.ods, dari LibreOffice atau WPS): buka di "
    "programnya, pilih Simpan Sebagai > Excel 2007-365 (.xlsx), lalu unggah berkas .xlsx itu."
)
# An OpenDocument file starts with its `mimetype` member, stored uncompressed.
_OPEN_DOCUMENT = re.compile(
    rb"PK\x03\x04.{26}mimetypeapplication/vnd\.oasis\.opendocument", re.DOTALL
)
ZIP_BOMB = gettext_noop(
    "Isi berkas Excel ini terlalu besar setelah dibuka; berkas ditolak demi keamanan."
)
NOT_UTF8 = gettext_noop("Berkas CSV harus disimpan dengan pengodean UTF-8.")
EMPTY = gettext_noop("Berkas tidak berisi baris data.")
NO_HEADER = gettext_noop("Baris judul kolom tidak ditemukan: gunakan templat yang disediakan.")
MISSING_COLUMNS = gettext_noop("Kolom wajib tidak ada (mungkin diganti namanya): %(columns)s.")
TOO_MANY_ROWS = gettext_noop("Terlalu banyak baris (%(rows)s); batasnya %(limit)s per berkas.")
# A file is read no further than a little past the limit, so its true length is unknown.
TOO_MANY_ROWS_OVER = gettext_noop(
    "Terlalu banyak baris: berkas ini lebih dari %(limit)s baris, batas per berkas."
)
NOT_TEXT = gettext_noop(
    "Berkas CSV ini berisi karakter yang tidak sah, jadi bukan berkas teks CSV: simpan "
    "ulang sebagai CSV UTF-8, atau unggah berkas .xlsx."
)
# A required cell left empty says so, not "unknown: –".
BLANK = {
    "program": gettext_noop("Program belum diisi."),
    "indikator": gettext_noop("Indikator belum diisi."),
    "wilayah": gettext_noop("Wilayah belum diisi."),
    "tahun": gettext_noop("Tahun belum diisi."),
    "nilai": gettext_noop("Nilai belum diisi."),
}
UNKNOWN_PROGRAM = gettext_noop("Program tidak dikenal: %(code)s.")
UNKNOWN_INDICATOR = gettext_noop("Indikator tidak dikenal di program ini: %(code)s.")
UNKNOWN_REGENCY = gettext_noop("Kode wilayah tidak dikenal: %(code)s.")
UNKNOWN_TEMPLATE_REGENCY = gettext_noop(
    "Kode wilayah tidak dikenal: %(code)s. Tulis kode Kemendagri kabupaten/kota, misalnya "
    "16.07 atau 1607."
)
OTHER_REGENCY_TEMPLATE = gettext_noop(
    "Anda hanya dapat mengunduh templat untuk wilayah Anda sendiri, %(own)s (%(own_code)s); "
    "templat untuk %(code)s tidak dapat diunduh."
)
UNKNOWN_SOURCE = gettext_noop("Sumber dana tidak dikenal: %(code)s.")
BAD_MONTH = gettext_noop(
    "Bulan “%(value)s” tidak dikenali. Tulis tahun dan bulannya dalam salah satu bentuk ini: "
    "2024-03 (TTTT-BB), 03-2024, 03/2024, 03.2024, Maret 2024 atau Mar 2024 (nama bulan dalam "
    "bahasa Indonesia atau Inggris), atau isi dengan sel tanggal Excel."
)
MONTH_OUT_OF_RANGE = gettext_noop(
    "Tahun %(year)s di luar rentang yang dapat dilaporkan (%(first)s–%(last)s): periksa tahunnya."
)
NO_MONTH = gettext_noop(
    "Bulan belum diisi. Tulis tahun dan bulannya dalam salah satu bentuk ini: 2024-03 "
    "(TTTT-BB), 03-2024, 03/2024, 03.2024, Maret 2024 atau Mar 2024 (nama bulan dalam bahasa "
    "Indonesia atau Inggris), atau isi dengan sel tanggal Excel."
)
BEFORE_LAUNCH = gettext_noop(
    "Belum ada program yang berjalan pada %(month)s: program pertama diluncurkan %(launch)s."
)
TEMPLATE_MONTHS = 12  # months one template holds at most
BAD_YEAR = gettext_noop("Tahun tidak sah.")
BAD_TARGET_VALUE = gettext_noop("Nilai target harus angka 0 atau lebih.")
BAD_BASELINE = gettext_noop("Baseline harus angka 0 atau lebih.")
# An indicator that may be negative (programs.models.Indicator.may_be_negative).
BAD_SIGNED_BASELINE = gettext_noop("Baseline harus angka (untuk indikator ini boleh negatif).")
OUT_OF_SCOPE = gettext_noop("Di luar wilayah/program yang menjadi tugas Anda.")
# A ratio row with a value beside its numerator and denominator: the value was ignored
# without a word. Taken when it is the percentage they make, to the decimals typed
# (1/3 as 33,33 or 33); refused otherwise, as a value is never kept for a ratio.
RATIO_VALUE_DIFFERS = gettext_noop(
    "Nilai %(value)s tidak sama dengan pembilang/penyebut: %(numerator)s/%(denominator)s = "
    "%(percent)s %%. Indikator rasio diisi pembilang dan penyebut (nilainya dihitung dari "
    "keduanya): kosongkan kolom nilai, atau perbaiki angkanya."
)
# The other way round (an indicator of values with a numerator or denominator as well):
# `rules.parts_refusal`, the admin's rule too.
REPORT_VERIFIED = gettext_noop(
    "Laporan bulan ini sudah diverifikasi: minta verifikator membukanya kembali."
)
REPORT_SUBMITTED = gettext_noop("Laporan bulan ini sudah diajukan dan menunggu verifikasi.")
DUPLICATE = gettext_noop(
    "Baris ganda: program, indikator, wilayah, bulan dan sumber dana yang sama sudah ada "
    "di baris %(line)s."
)
# A level (an inflation rate, a count of villages) has one value a month, as the entry
# form allows one row: a second source would leave a report the form cannot save.
ONE_LEVEL_LINE = gettext_noop(
    "Indikator %(name)s hanya diisi satu nilai per bulan: baris %(line)s sudah mengisinya."
)
ONE_LEVEL_STORED = gettext_noop(
    "Indikator %(name)s hanya diisi satu nilai per bulan dan sudah terisi dengan sumber dana "
    "%(source)s: pakai sumber dana itu di berkas, atau ubah sumbernya di formulir laporan."
)
REASON_NEEDED = gettext_noop("Target ini sudah memiliki realisasi: isi kolom alasan.")
NOT_ADMIN = gettext_noop("Hanya admin yang dapat mengimpor target.")
STALE = gettext_noop(
    "Data berubah sejak pratinjau: periksa ulang berkasnya. Tidak ada yang diubah."
)
LARGE_TARGET_CHANGE = gettext_noop(
    "Perubahan besar: dari %(old)s menjadi %(new)s. Periksa pemisah ribuan dan desimal."
)
LARGE_NOT_CONFIRMED = gettext_noop(
    "Ada perubahan besar pada target: centang 'Ya, perubahan besar ini benar' di pratinjau "
    "sebelum menerapkan. Tidak ada yang diubah."
)
# The first row that no longer applies, and why (a month locked since the preview: the
# operator previewed at 23:59 and applied after midnight).
STALE_ROW = gettext_noop("Baris %(line)s: %(reason)s")
FIELD_TOO_LONG = gettext_noop(
    "Ada isian yang terlalu panjang di sekitar baris %(line)s; periksa apakah berkas yang benar."
)
UNREADABLE_CELL = gettext_noop(
    "Sel di baris %(line)s tidak dapat dibaca (misalnya sel bertipe tanggal atau angka yang "
    "berisi teks): ubah tipe selnya menjadi Umum/Teks, lalu unggah lagi."
)
FORMULA_WITHOUT_VALUE = gettext_noop(
    "Sel %(cell)s berisi rumus tanpa nilai tersimpan (berkas dibuat program lain, bukan "
    "Excel): buka berkas di Excel lalu simpan ulang, atau ketik angkanya."
)
ALREADY_APPLIED = gettext_noop("Impor ini sudah diterapkan.")
NOTE_CHANGED = gettext_noop("Hanya catatannya yang berubah: “%(note)s”.")
NOTE_REMOVED = gettext_noop("Hanya catatannya yang berubah: catatan dihapus.")
BLANK_SOURCE = gettext_noop(
    "Sumber dana kosong: dicatat sebagai “Tidak dirinci”. Isi kolom sumber_dana bila sumber "
    "dananya diketahui."
)
EXPIRED = gettext_noop("Pratinjau ini sudah kedaluwarsa; unggah ulang berkasnya.")


class ImportFileError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class AlreadyApplied(ImportFileError):
    """The batch was applied by its user before: this post is the same Apply sent again
    (a double click, or Back and resend), answered as done."""


def _size(n: int) -> str:
    from programs.formats import number

    return f"{number(Decimal(n) / 1024 / 1024, 1)} MB"


# --- Reading ---------------------------------------------------------------------------


def read_table(uploaded, *, kind: str) -> list[tuple[int, dict[str, object]]]:
    """(line number, {column: cell}) for every data row of an uploaded .xlsx or .csv."""
    limit = settings.IMPORT_MAX_BYTES
    if uploaded.size > limit:
        raise ImportFileError(_(TOO_LARGE) % {"size": _size(uploaded.size), "limit": _size(limit)})
    name = (uploaded.name or "").lower()
    data = uploaded.read(limit + 1)
    # An .xls saved by an older Excel, or renamed .xlsx: say how to make it an .xlsx
    # instead of calling it no workbook at all.
    if name.endswith(".xls") or data.startswith(OLE2_SIGNATURE):
        raise ImportFileError(_(OLD_EXCEL))
    # LibreOffice's own format, under its name or renamed .xlsx: say how to save it as one.
    if name.endswith((".ods", ".fods")) or _OPEN_DOCUMENT.match(data):
        raise ImportFileError(_(OPEN_DOCUMENT))
    if not data:  # a 0-byte file: empty, not "no valid workbook" or "no header row"
        raise ImportFileError(_(EMPTY))
    if name.endswith(".xlsx"):
        lines = _xlsx_lines(data)
    elif name.endswith(".csv"):
        lines = _csv_lines(data)
    else:
        raise ImportFileError(_(WRONG_TYPE))
    return _rows_from_lines(lines, kind=kind)


def _unpacked_size(archive: zipfile.ZipFile, limit: int) -> int:
    """What the archive's members really unpack to, counted up to just over `limit`.

    Never the sizes the archive declares: zipfile cuts a member at its declared size, but
    `archive.read()` (the formula scan below, openpyxl's reading of the workbook's parts)
    first inflates everything the member's compressed data holds, in one piece. A 300 KB
    upload declaring a 5 KB part that inflates to 300 MB made the worker hold 600 MB and
    passed every check; the 5 MB the upload limit allows made it 10 GB. Each member is
    inflated here in chunks, told it may be larger than it says; one holding more than
    it declares is refused as a whole (`ZIP_BOMB`) before anything reads it whole."""
    total = 0
    for info in archive.infolist():
        unbounded = copy.copy(info)
        unbounded.file_size = limit + 1  # zipfile stops reading a member at this size
        real = 0
        with archive.open(unbounded) as member:
            while chunk := member.read(1024 * 1024):
                real += len(chunk)
                if total + real > limit or real > info.file_size:
                    raise ImportFileError(_(ZIP_BOMB))
        total += real
    return total


def _xlsx_lines(data: bytes):
    from openpyxl.utils import get_column_letter

    if not data.startswith(b"PK\x03\x04") or not zipfile.is_zipfile(io.BytesIO(data)):
        raise ImportFileError(_(NOT_A_SPREADSHEET))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if "[Content_Types].xml" not in archive.namelist():
                raise ImportFileError(_(NOT_A_SPREADSHEET))
            # Past the limit `_unpacked_size` refuses the file itself (`ZIP_BOMB`).
            unpacked = _unpacked_size(archive, settings.IMPORT_MAX_UNPACKED_BYTES)
            packed = sum(info.compress_size for info in infos) or 1
            if unpacked / packed > 200:
                raise ImportFileError(_(ZIP_BOMB))
            has_formulas = any(
                _FORMULA.search(archive.read(info))
                for info in infos
                if info.filename.startswith("xl/worksheets/")
            )
    except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError) as exc:
        # Damaged, or a part zipfile cannot open: encrypted (RuntimeError) or packed with
        # a method it lacks (NotImplementedError), which answered 500.
        raise ImportFileError(_(NOT_A_SPREADSHEET)) from exc
    # A formula keeps the value it was last calculated to, which Excel stores and
    # programs writing files often do not: such a cell reads empty, and its row would be
    # skipped as left empty. Read the formulas beside the values to tell; a formula whose
    # stored result is an empty text (=IF(A2="";"";...), type "str") is an empty cell.
    values = _xlsx_rows(data, data_only=True, cells=has_formulas)
    formulas = _xlsx_rows(data, data_only=False) if has_formulas else None
    number = 0
    try:
        for number, row in enumerate(values, start=1):  # noqa: B007 - used after the loop
            if formulas is None:
                yield number, list(row)
                continue
            written = next(formulas, ())
            for column, (cell, formula) in enumerate(zip(row, written, strict=False)):
                if _formula_without_value(cell, formula):
                    where = f"{get_column_letter(column + 1)}{number}"
                    raise ImportFileError(_(FORMULA_WITHOUT_VALUE) % {"cell": where})
            yield number, [cell.value for cell in row]
    except ImportFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - a typed cell openpyxl cannot convert
        raise ImportFileError(_(UNREADABLE_CELL) % {"line": number + 1}) from exc
    finally:
        values.close()
        if formulas is not None:
            formulas.close()


def _formula_without_value(cell, formula) -> bool:
    """A formula cell that reads empty because no result was stored; an empty text
    result (type "str") is a stored one."""
    return (
        cell.value is None
        and cell.data_type != "str"
        and isinstance(formula, str)
        and formula.startswith("=")
    )


# A formula element in a worksheet's XML (<f>, <f t="shared" ...>, <f/>).
_FORMULA = re.compile(rb"<f[ >/]")


# What reading a workbook's parts raises when they are damaged, as opposed to a cell
# openpyxl cannot convert (UNREADABLE_CELL): XML that is not well-formed, a part the
# workbook names but the archive lacks, a damaged compressed entry.
BROKEN_PARTS = (ParseError, KeyError, zipfile.BadZipFile, zlib.error, EOFError)


def _xlsx_rows(data: bytes, *, data_only: bool, cells: bool = False):
    """The first sheet's (or the 'Data' sheet's) rows as tuples of values (of cells with
    `cells`), at most IMPORT_MAX_ROWS + 50 of them (then too many rows) and
    IMPORT_MAX_COLUMNS wide; the workbook is closed when the generator is."""
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on broken files
        raise ImportFileError(_(NOT_A_SPREADSHEET)) from exc
    try:
        if not workbook.worksheets:  # the workbook names no sheet whose part is there
            raise ImportFileError(_(BROKEN_WORKBOOK))
        sheet = workbook["Data"] if "Data" in workbook.sheetnames else workbook.worksheets[0]
        # Never trust the sheet's declared dimension (a 188 KB file can declare 16,384
        # columns x 20,000 rows): read at most IMPORT_MAX_COLUMNS columns, row by row, and
        # stop at the row limit. Cells beyond that width are parsed but never kept.
        sheet.reset_dimensions()
        limit = settings.IMPORT_MAX_ROWS + 50
        rows = sheet.iter_rows(max_col=settings.IMPORT_MAX_COLUMNS, values_only=not cells)
        for number, row in enumerate(rows, start=1):
            if number > limit:
                raise _too_many_rows()
            yield row
    except BROKEN_PARTS as exc:  # read lazily, row by row: broken parts show up here
        raise ImportFileError(_(BROKEN_WORKBOOK)) from exc
    finally:
        workbook.close()


def _csv_lines(data: bytes):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel's "CSV (dipisahkan koma)" on Windows writes the ANSI code page, 1252 in
        # Indonesia: a note with "é", "–" or a curly quote is not UTF-8. Read so, never
        # wrongly (valid UTF-8 was tried first); the preview shows every note read.
        if b"\x00" in data:  # binary (a workbook, a photo, a PDF) named .csv: not text
            raise ImportFileError(_(NOT_TEXT)) from None
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise ImportFileError(_(NOT_UTF8)) from exc
    if "\x00" in text:  # a binary file (or UTF-16) named .csv
        raise ImportFileError(_(NOT_TEXT))
    delimiter = _delimiter(text)
    limit = settings.IMPORT_MAX_ROWS + 50
    # newline=None: CR-only (Excel for Mac), LF and CRLF line endings all read as lines.
    reader = csv.reader(io.StringIO(text, newline=None), delimiter=delimiter)
    number = 0
    try:
        for number, row in enumerate(reader, start=1):  # noqa: B007 - used after the loop
            if number > limit:
                raise _too_many_rows()
            yield number, row[: settings.IMPORT_MAX_COLUMNS]
    except csv.Error as exc:  # a field over csv.field_size_limit(), a stray quote
        raise ImportFileError(_(FIELD_TOO_LONG) % {"line": number + 1}) from exc


def _delimiter(text: str) -> str:
    """The separator the header line uses (Excel in the Indonesian locale writes ';', a
    notes column can hold more commas than the file has separators); without a header
    among the first lines, the most frequent of ; , and tab."""
    for line in text[:65536].splitlines()[:50]:
        for delimiter in ";,\t":
            if _is_header([_normal(c) for c in next(csv.reader([line], delimiter=delimiter))]):
                return delimiter
    return max(";,\t", key=text[:4096].count)


def _is_header(names: list[str]) -> bool:
    """Whether a line's normalised cells are the header row of a template."""
    return "program" in names and "indikator" in names


def _normal(header) -> str:
    return str(header or "").strip().lower().replace(" ", "_")


def _rows_from_lines(lines, *, kind: str) -> list[tuple[int, dict[str, object]]]:
    header = None
    rows = []
    for number, cells in lines:
        if header is None:
            names = [_normal(c) for c in cells]
            if _is_header(names):
                header = names
                missing = [c for c in REQUIRED[kind] if c not in header]
                if missing:
                    raise ImportFileError(_(MISSING_COLUMNS) % {"columns": ", ".join(missing)})
            continue
        if not any(str(c).strip() for c in cells if c is not None):
            continue
        rows.append(
            (
                number,
                {
                    name: cells[i] if i < len(cells) else None
                    for i, name in enumerate(header)
                    if name
                },
            )
        )
    if header is None:
        raise ImportFileError(_(NO_HEADER))
    if not rows:
        raise ImportFileError(_(EMPTY))
    if len(rows) > settings.IMPORT_MAX_ROWS:
        raise ImportFileError(
            _(TOO_MANY_ROWS)
            % {"rows": formats.number(len(rows)), "limit": formats.number(settings.IMPORT_MAX_ROWS)}
        )
    return rows


def _too_many_rows() -> ImportFileError:
    """A file longer than the readers go (IMPORT_MAX_ROWS, plus room for a header and
    blank lines): refused with the limit, its true length being unknown."""
    return ImportFileError(
        _(TOO_MANY_ROWS_OVER) % {"limit": formats.number(settings.IMPORT_MAX_ROWS)}
    )


def _text(value) -> str:
    """A cell as text; the apostrophe our exports put before formula-like text is dropped."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith("'") and formula_like(value[1:]):
        return value[1:].strip()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


_CUT_CODE = re.compile(r"[0-9]{2}\.[0-9]")


def _regency_code(value) -> str:
    """A wilayah cell as a Kemendagri code. Excel keeps a typed 16.10 (Ogan Ilir) as the
    number 16.1, and a CSV it saves writes "16.1": a code always has two digits after
    its dot, so that is 16.10. "1607" (the code as in "operator-1607") is 16.07."""
    text = _text(value)
    if isinstance(value, float) and not value.is_integer():
        text = f"{value:.2f}"
    if _CUT_CODE.fullmatch(text):
        return f"{text}0"
    return code_from_compact(text)


def _number(value) -> Decimal | None:
    """A cell as a number: Excel numbers as Excel shows them (15 significant digits), text
    in Indonesian format. Raises ValueError for anything the database column cannot hold
    (NaN, infinity, 1e15, more than 4 decimals), so such a row is an error at preview and
    never fails on apply."""
    if value is None or value == "":
        return None
    if isinstance(value, bool | dt.date | dt.datetime | dt.time | dt.timedelta):
        raise ValueError
    if isinstance(value, float):
        # Excel keeps 15 significant digits and shows no more; a formula's result is
        # stored with the binary noise of its arithmetic (7.000000000000001 for
        # =0,07*100), which read digit by digit was refused as "not a number".
        try:
            number = Decimal(f"{value:.15g}")
        except InvalidOperation as exc:
            raise ValueError from exc
    elif isinstance(value, int):
        number = Decimal(value)
    else:
        number = parse_number(str(value))
    if decimals(storable(number)) > MAX_DECIMALS:
        raise ValueError(NOT_A_NUMBER)
    return number


# The month column's forms: one year-and-month, never a reading to guess, read by the
# admin's rule for a typed month (`admin_numbers.typed_month`: 2026-11, 11-2026, 11/2026,
# 11.2026, "November 2026", "Nov 2026", "Nopember 2026"). A year of two digits (Nov-26:
# 26 November?), a month alone, or a day-first date as text (01/11/2026 is 11 January
# written month first) are refused; a date typed year first is the ISO date a date cell
# is kept as between preview and apply. Digits 0-9 ("٢٠٢٦-١١" is refused:
# `programs.text.other_digits`).
_ISO_DATE = re.compile(
    r"([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})"
    r"(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?"
)


def _period(value) -> tuple[int, int]:
    """(year, month) of a month cell: a date cell (Excel's, of any day), or text as
    `typed_month` reads it (2026-11, 11-2026, 11/2026, 11.2026, "November 2026", "Nov
    2026", "Nopember 2026": the admin's month boxes take the same), or a year-first date.
    A number cell 11.2026 (Excel took "11.2026" for a number) is read as it was typed.
    The one rule of the realization import (CSV and XLSX) and its template's months; a
    ValueError says which forms are taken."""
    if isinstance(value, dt.datetime | dt.date):
        year, month = value.year, value.month
    else:
        if isinstance(value, float) and not value.is_integer() and math.isfinite(value):
            value = f"{value:.4f}"  # 11.2026 as typed; 10.2020 was kept as 10.202
        text = " ".join(_text(value).split())
        try:
            found = typed_month(text)
        except ValueError:
            raise ValueError(_month_refusal(text)) from None
        if found is not None:
            year, month = found
        elif date := _ISO_DATE.fullmatch(text):
            year, month = int(date[1]), int(date[2])
            try:
                dt.date(year, month, int(date[3]))
            except ValueError:
                raise ValueError(_month_refusal(text)) from None
        else:
            raise ValueError(_month_refusal(text))
    if not is_valid_period(year, month):
        raise ValueError(
            _(MONTH_OUT_OF_RANGE) % {"year": year, "first": MIN_YEAR, "last": MAX_YEAR}
        )
    return year, month


def _parts_problems(entry: EntryRow) -> list[str]:
    """A value where the indicator takes a numerator and denominator (or the other way
    round), the rest of the row valid: refused unless a ratio's value is the percentage
    its numerator and denominator make, to the decimals typed (`RATIO_VALUE_DIFFERS`)."""
    indicator = entry.indicator
    if indicator.measure != Measure.RATIO:
        refused = parts_refusal(entry)
        return [refused] if refused else []
    if entry.value is None:
        return []
    places = max(decimals(entry.value), 0)
    percent = entry.numerator * 100 / entry.denominator
    if formats.round_half_up(percent, places) == entry.value:
        return []
    return [
        _(RATIO_VALUE_DIFFERS)
        % {
            "value": show_number(entry.value),
            "numerator": show_number(entry.numerator),
            "denominator": show_number(entry.denominator),
            "percent": formats.number(percent, max(places, 2)),
        }
    ]


def _month_refusal(text: str) -> str:
    if not text:
        return _(NO_MONTH)
    return _(BAD_MONTH) % {"value": Truncator(text).chars(30)}


# --- Preview ---------------------------------------------------------------------------


@dataclass
class PreviewRow:
    """One row of an uploaded file as the preview shows it: what applying it would do."""

    class State(models.TextChoices):
        NEW = "new", gettext_lazy("baru")
        CHANGED = "changed", gettext_lazy("diubah")
        UNCHANGED = "unchanged", gettext_lazy("tetap")
        ERROR = "error", gettext_lazy("galat")  # never applied; `reason` says why

    line: int
    state: State
    reason: str = ""
    program: str = ""
    indicator: str = ""
    regency: str = ""
    period: str = ""
    source: str = ""
    old: str = ""
    new: str = ""
    # The entry form's plausibility warnings on the row's indicator for the month, as the
    # import leaves it: never an error (the row is applied), but its report cannot be
    # submitted until a note resolves them (the file's catatan column, or the form's).
    warnings: list[RowMessage] = field(default_factory=list)
    # A target's value or baseline changed by more than half, or an order of magnitude
    # (8.391 typed 83.910): applied only once the preview's confirmation is ticked, as the
    # admin's target form asks for it.
    large: bool = False
    # A realization row of an indicator broken down by funding source whose sumber_dana
    # cell was empty, to be written as "tidak dirinci" (as the entry form's row starts):
    # said on the row, so that a forgotten cell is not taken silently.
    blank_source: bool = False

    @property
    def needs_note(self) -> bool:
        return any(not warning.resolved for warning in self.warnings)


State = PreviewRow.State


def _shown(value=None, numerator=None, denominator=None, *, show=None) -> str:
    """A row's value (or numerator/denominator) as text: `_plain` (exact, to compare)
    unless `show` is given (`show_number`: as the site writes numbers, 1.234,5)."""

    def text(number) -> str:
        return "" if number is None else (show or _plain)(number)

    if numerator is not None or denominator is not None:
        return f"{text(numerator)}/{text(denominator)}"
    return text(value)


def _plain(value) -> str:
    if value is None:
        return ""
    return f"{Decimal(value).normalize():f}"


class RealizationImport:
    """Classifies realization rows against the database for one user."""

    def __init__(self, *, user, today: dt.date | None = None):
        self.user = user
        self.today = today or timezone.localdate()
        # "regency|program id|year|month" -> the report's version (0: none yet), for every
        # report the preview's rows would write to: apply refuses if one has changed.
        self.report_versions: dict[str, int] = {}
        # the parsed rows of the last preview, by line: (program, indicator, year, month, entry)
        self.entries: dict[int, tuple] = {}
        self.source_codes: dict[int, str] = {}  # funding source id -> code
        self.source_names: dict[int, str] = {}  # funding source id -> name
        self.notes_column = True  # whether the file has a catatan column (preview)

    def preview(self, rows: list[tuple[int, dict]]) -> list[PreviewRow]:
        programs = {p.slug: p for p in Program.objects.prefetch_related("indicators")}
        regencies = set(Regency.objects.values_list("code", flat=True))
        sources = {s.code: s for s in FundingSource.objects.all()}
        self.source_codes = {source.pk: code for code, source in sources.items()}
        self.source_names = {source.pk: source.name for source in sources.values()}
        parsed, results = [], []
        # Every row has the header's columns: a file without catatan leaves notes alone.
        self.notes_column = not rows or "catatan" in rows[0][1]
        for line, cells in rows:
            if all(_text(cells.get(c)) == "" for c in ("nilai", "pembilang", "penyebut")):
                continue  # a template row left empty: nothing to import
            result = PreviewRow(
                line=line,
                state=State.ERROR,
                program=_text(cells.get("program")),
                indicator=_text(cells.get("indikator")),
                regency=_regency_code(cells.get("wilayah")),
                source=_text(cells.get("sumber_dana")) or FundingSource.UNSPECIFIED,
                blank_source=not _text(cells.get("sumber_dana")),
            )
            results.append(result)
            # The month is shown on every row it was read on, an error's too.
            try:
                year, month = _period(cells.get("bulan"))
                result.period, bad_month = f"{year}-{month:02d}", ""
            except ValueError as error:
                bad_month = str(error)
            program, indicator = _program_and_indicator(programs, result)
            if indicator is None:
                continue
            if not result.regency:
                result.reason = _(BLANK["wilayah"])
                continue
            if result.regency not in regencies:
                result.reason = _(UNKNOWN_REGENCY) % {"code": result.regency}
                continue
            result.source = _as_known(result.source, sources)
            if result.source not in sources:
                result.reason = _(UNKNOWN_SOURCE) % {"code": result.source}
                continue
            if bad_month:
                result.reason = bad_month
                continue
            entry = EntryRow(
                key=str(line),
                indicator=indicator,
                source_code=result.source,
                note=_text(cells.get("catatan")),
            )
            try:
                entry.value = _number(cells.get("nilai"))
                entry.numerator = _number(cells.get("pembilang"))
                entry.denominator = _number(cells.get("penyebut"))
            except ValueError as exc:
                result.reason = refusal(exc)
                continue
            problems = row_problems(entry) or _parts_problems(entry)
            if problems:
                result.reason = problems[0]
                continue
            if not permissions.can_import_for(
                self.user, regency_code=result.regency, program_id=program.pk
            ):
                result.reason = _(OUT_OF_SCOPE)
                continue
            parsed.append((result, program, indicator, sources[result.source], year, month, entry))
        self._against_database(parsed)
        return results

    def _against_database(self, parsed) -> None:
        if not parsed:
            return
        keys = {(r.regency, p.pk, y, m) for r, p, _i, _s, y, m, _e in parsed}
        reports = {
            (rep.regency_id, rep.program_id, rep.year, rep.month): rep
            for rep in MonthlyReport.objects.filter(
                regency_id__in={k[0] for k in keys},
                program_id__in={k[1] for k in keys},
                year__in={k[2] for k in keys},
            )
        }
        existing = {
            (r.report_id, r.indicator_id, r.funding_source_id): r
            for r in Realization.objects.filter(report__in=list(reports.values()))
        }
        locks = permissions.LockedMonths(regency_codes={k[0] for k in keys}, today=self.today)
        obligations = Obligations.load(
            programs={p for _r, p, _i, _s, _y, _m, _e in parsed},
            regency_codes={k[0] for k in keys},
        )
        stored_sources = defaultdict(set)  # (report, indicator) -> its funding sources
        for report_id, indicator_id, source_id in existing:
            stored_sources[(report_id, indicator_id)].add(source_id)
        seen: dict[tuple, int] = {}
        written = []
        for result, program, indicator, source, year, month, entry in parsed:
            key = (result.regency, program.pk, year, month)
            upsert = (*key, indicator.pk, source.pk)
            if upsert in seen:
                result.reason = _(DUPLICATE) % {"line": seen[upsert]}
                continue
            seen[upsert] = result.line
            if indicator.measure == Measure.LEVEL:
                level = (*key, indicator.pk)
                if level in seen:
                    result.reason = _(ONE_LEVEL_LINE) % {
                        "name": indicator.display_name,
                        "line": seen[level],
                    }
                    continue
                seen[level] = result.line
                report = reports.get(key)
                others = stored_sources[(report.pk, indicator.pk)] - {source.pk} if report else ()
                if others:
                    result.reason = _(ONE_LEVEL_STORED) % {
                        "name": indicator.display_name,
                        "source": self.source_names[min(others)],
                    }
                    continue
            if permissions.is_future(year, month, self.today):
                result.reason = _(FUTURE_MONTH)
                continue
            report = reports.get(key)
            ratio = indicator.measure == Measure.RATIO
            values = (
                None if ratio else entry.value,
                entry.numerator if ratio else None,
                entry.denominator if ratio else None,
            )
            stored = existing.get((report.pk, indicator.pk, source.pk)) if report else None
            if stored is not None and not self.notes_column:
                # A file without the notes column says nothing of notes: the stored one
                # stays (an empty cell in the column is what removes one).
                entry.note = stored.note
            result.new = _shown(*values, show=show_number)
            if stored is not None:
                before = (stored.value, stored.numerator, stored.denominator)
                result.old = _shown(*before, show=show_number)
                if _shown(*before) == _shown(*values) and stored.note == entry.note:
                    # As stored: nothing to write, whether or not the month can still be
                    # changed. A downloaded template sent back with one month filled in
                    # keeps the submitted, verified and locked months it also lists.
                    result.state, result.reason = State.UNCHANGED, ""
                    continue
            if not program.active:
                # Switched off by an admin: no new figures, as the entry form (gone, 404).
                result.reason = _(PROGRAM_INACTIVE) % {"name": program.label}
                continue
            refused = retired_source_refusal(source, stored=stored is not None)
            if refused:
                result.reason = refused
                continue
            # Before the lock: a month never owed (before the program's launch, say) is
            # refused as the entry form refuses it, not with "ask an admin for a lock
            # exception", which could not open it.
            if not obligations.indicator_required(result.regency, indicator, year, month):
                result.reason = _(NOT_REQUIRED) % {"name": indicator.display_name}
                continue
            if locks.is_locked(
                regency_code=result.regency, program_id=program.pk, year=year, month=month
            ):
                status = report.status if report else None
                if status in (Status.SUBMITTED, Status.VERIFIED):
                    # Its status names the step that opens it (the verifier's).
                    submitted = status == Status.SUBMITTED
                    result.reason = _(REPORT_SUBMITTED if submitted else REPORT_VERIFIED)
                else:
                    result.reason = deadlines.locked_refusal(status)
                continue
            self.report_versions[version_key(key)] = report.version if report else 0
            self.entries[result.line] = (program, indicator, year, month, entry)
            if report is not None and report.status == Status.VERIFIED:
                result.reason = _(REPORT_VERIFIED)
                continue
            if report is not None and report.status == Status.SUBMITTED:
                result.reason = _(REPORT_SUBMITTED)
                continue
            result.state = State.NEW if stored is None else State.CHANGED
            result.reason = _note_change(stored, entry, values)
            if result.blank_source and indicator.measure in SPLIT_BY_SOURCE:
                result.reason = " ".join(filter(None, (_(BLANK_SOURCE), result.reason)))
            else:
                result.blank_source = False
            written.append((result, report, indicator, year, month, entry))
        self._warn(written, existing)

    def _warn(self, written, existing) -> None:
        """The entry form's warnings (rules.row_warnings, which a note on any row of the
        indicator resolves) beside each row to be written, on its indicator's rows of the
        month as applying leaves them: the stored rows, each replaced by the file's row of
        the same funding source (its value and its note). Two queries."""
        if not written:
            return
        history = CountedHistory.load(
            indicators={indicator for _res, _rep, indicator, _y, _m, _e in written},
            regency_ids={result.regency for result, *_rest in written},
            years={year for _res, _rep, _i, year, _m, _e in written},
        )
        codes = self.source_codes
        stored = defaultdict(list)  # (report id, indicator id) -> its stored realizations
        for (report_id, indicator_id, _source_id), realization in existing.items():
            stored[(report_id, indicator_id)].append(realization)
        groups = defaultdict(list)  # one indicator of one month of one regency
        for result, report, indicator, year, month, entry in written:
            groups[(result.regency, indicator, year, month, report)].append((result, entry))
        for (regency, indicator, year, month, report), items in groups.items():
            rows = {
                codes[r.funding_source_id]: EntryRow(
                    key=str(r.pk),
                    indicator=indicator,
                    source_code=codes[r.funding_source_id],
                    value=r.value,
                    numerator=r.numerator,
                    denominator=r.denominator,
                    note=r.note,
                )
                for r in (stored[(report.pk, indicator.pk)] if report is not None else [])
            }
            rows.update({entry.source_code: entry for _result, entry in items})
            ctx = history.context(indicator, regency, year, month)
            warnings = row_warnings(list(rows.values()), ctx)
            for result, _entry in items:
                result.warnings = warnings


def _note_change(stored, entry: EntryRow, values: tuple) -> str:
    """Why a row whose old and new figures read the same is 'diubah': its note. Said in
    the preview, which showed '14.289/89.676 → 14.289/89.676' and nothing else."""
    if stored is None or _shown(stored.value, stored.numerator, stored.denominator) != _shown(
        *values
    ):
        return ""
    if entry.note:
        return _(NOTE_CHANGED) % {"note": Truncator(entry.note).chars(80)}
    return _(NOTE_REMOVED)


def version_key(key: tuple) -> str:
    """(regency code, program id, year, month) as a JSON object key."""
    return "|".join(str(part) for part in key)


def _as_known(code: str, known) -> str:
    """`code` as the one of `known` it names whatever its case: "GBRSS", the acronym as
    every page writes it, is the program gbrss, "APBN" the source apbn. As written when
    it names none (refused as unknown, in the words of the file)."""
    if code in known:
        return code
    folded = code.casefold()
    return next((k for k in known if k.casefold() == folded), code)


def _program_and_indicator(programs: dict[str, Program], result: PreviewRow):
    """The row's program and indicator by code; (None, None) with the reason set."""
    if not result.program:
        result.reason = _(BLANK["program"])
        return None, None
    result.program = _as_known(result.program, programs)
    program = programs.get(result.program)
    if program is None:
        result.reason = _(UNKNOWN_PROGRAM) % {"code": result.program}
        return None, None
    if not result.indicator:
        result.reason = _(BLANK["indikator"])
        return None, None
    indicators = {i.code: i for i in program.indicators.all()}
    result.indicator = _as_known(result.indicator, indicators)
    indicator = indicators.get(result.indicator)
    if indicator is None:
        result.reason = _(UNKNOWN_INDICATOR) % {"code": result.indicator}
        return None, None
    return program, indicator


def summarize(rows: list[PreviewRow]) -> dict[str, int]:
    counts = dict.fromkeys(State, 0)
    for row in rows:
        counts[row.state] += 1
    return counts


def create_batch(
    *, user, kind: str, filename: str, rows, preview, report_versions: dict | None = None
) -> ImportBatch:
    return ImportBatch.objects.create(
        token=uuid.uuid4(),
        kind=kind,
        user=user,
        filename=evidence.safe_name(filename),  # a label, as an attachment's name is
        rows=[[line, {k: _jsonable(v) for k, v in cells.items()}] for line, cells in rows],
        summary=summarize(preview),
        report_versions=report_versions or {},
    )


def _jsonable(value):
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()[:10]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # JSON has no NaN or infinity; the row is an error anyway
    if isinstance(value, dt.time | dt.timedelta):
        return str(value)
    return value


# --- Apply -----------------------------------------------------------------------------


def _stale(preview: list[PreviewRow]) -> ImportFileError:
    """Refusal of a batch whose preview no longer holds, naming the first row that went
    wrong since, when one did."""
    message = _(STALE)
    failed = next((r for r in preview if r.state == State.ERROR), None)
    if failed is not None:
        message += " " + _(STALE_ROW) % {"line": failed.line, "reason": failed.reason}
    return ImportFileError(message)


@transaction.atomic
@ytd.maintained
def apply_realizations(*, batch: ImportBatch, user) -> dict[str, int]:
    """Apply a previewed batch: all rows or nothing, through services.realizations_import
    (the entry form's writer). Every report touched is locked and must still have the
    version it had at preview; reports stay drafts (or returned) for the operator to
    submit; history records the reason 'impor'."""
    from programs.reporting.services import (
        HISTORY_IMPORTED,
        ImportedReport,
        ServiceError,
        realizations_import,
    )

    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    check_batch(batch, user)
    rows = [(line, cells) for line, cells in batch.rows]
    importer = RealizationImport(user=user)
    preview = importer.preview(rows)
    if any(r.state == State.ERROR for r in preview) or summarize(preview) != batch.summary:
        raise _stale(preview)
    regencies = Regency.objects.in_bulk({r.regency for r in preview})
    grouped: dict[tuple, list] = defaultdict(list)
    for result in preview:
        if result.state not in (State.NEW, State.CHANGED):
            continue
        program, _indicator, year, month, entry = importer.entries[result.line]
        grouped[(result.regency, program, year, month)].append(entry)
    reports = []
    for (code, program, year, month), entries in grouped.items():
        key = version_key((code, program.pk, year, month))
        seen = batch.report_versions.get(key, importer.report_versions[key])
        reports.append(
            ImportedReport(
                regency=regencies[code],
                program=program,
                year=year,
                month=month,
                version=seen,
                rows=entries,
            )
        )
    try:
        done = realizations_import(user=user, reports=reports, reason=site_text(HISTORY_IMPORTED))
    except ServiceError as error:
        raise ImportFileError(error.message) from error
    batch.applied_at = timezone.now()
    batch.save(update_fields=["applied_at"])
    return done


def check_batch(batch: ImportBatch, user) -> None:
    """Refuses a batch that is not `user`'s (PermissionDenied), already applied
    (AlreadyApplied) or older than two hours (ImportFileError)."""
    if batch.user_id != user.pk:
        raise permissions_denied()
    if batch.applied_at is not None:
        raise AlreadyApplied(_(ALREADY_APPLIED))
    if timezone.now() - batch.created_at > dt.timedelta(hours=2):
        raise ImportFileError(_(EXPIRED))


def permissions_denied():
    from django.core.exceptions import PermissionDenied

    return PermissionDenied(_("Anda tidak berwenang menerapkan impor ini."))


# --- Targets -----------------------------------------------------------------------------


class TargetImport:
    """Classifies target rows (regency allocations or province targets); admins only."""

    def __init__(self, *, user):
        if not permissions.can_import(user, kind=ImportBatch.Kind.TARGETS):
            raise permissions_denied()
        self.user = user

    def preview(self, rows: list[tuple[int, dict]]) -> list[PreviewRow]:
        programs = {p.slug: p for p in Program.objects.prefetch_related("indicators")}
        regencies = set(Regency.objects.values_list("code", flat=True))
        results, parsed = [], []
        for line, cells in rows:
            result = PreviewRow(
                line=line,
                state=State.ERROR,
                program=_text(cells.get("program")),
                indicator=_text(cells.get("indikator")),
                regency=_regency_code(cells.get("wilayah")),
            )
            results.append(result)
            # The year is shown on every row it was read on, an error's too; an empty
            # wilayah is the province's target.
            year_text = _text(cells.get("tahun"))
            year = int(year_text) if re.fullmatch(r"[0-9]{4}", year_text) else None
            if year is not None and MIN_YEAR <= year <= MAX_YEAR:
                result.period = str(year)
            program, indicator = _program_and_indicator(programs, result)
            if indicator is None:
                continue
            if result.regency and result.regency not in regencies:
                result.reason = _(UNKNOWN_REGENCY) % {"code": result.regency}
                continue
            if not result.period:
                result.reason = _(BLANK["tahun"] if not year_text else BAD_YEAR)
                continue
            refused = Target(indicator=indicator, year=year).before_launch_refusal()
            if refused:  # the admin's rule (Target.clean)
                result.reason = str(refused)
                continue
            if _text(cells.get("nilai")) == "":
                result.reason = _(BLANK["nilai"])
                continue
            bad = BAD_TARGET_VALUE
            try:
                value = _number(cells.get("nilai"))
                if value is None or value < 0:
                    raise ValueError
                bad = BAD_SIGNED_BASELINE if indicator.may_be_negative else BAD_BASELINE
                baseline = _number(cells.get("baseline"))
                if not Target.baseline_fits(indicator, baseline):  # the admin's rule
                    raise ValueError
            except ValueError as exc:
                # Too large or ambiguous ('0.600') says so; anything else names its column.
                said = exc.args[:1] in ((NUMBER_TOO_LARGE,), (AMBIGUOUS_NUMBER,))
                result.reason = refusal(exc) if said else _(bad)
                continue
            fraction = whole_number_error(indicator, value)  # the admin target form's rule
            if fraction is not None:
                result.reason = str(fraction.messages[0])
                continue
            problems = target_value_problems(indicator, value, baseline)  # the admin's too
            if problems:
                result.reason = problems[0]
                continue
            try:
                due = _date(cells.get("batas_waktu"))
            except ValueError:
                # The admin's date box's words: 03/25/2027 read month first, 31/02/2025 a
                # day February lacks.
                result.reason = _date_refusal(_text(cells.get("batas_waktu")))
                continue
            if not Target.due_date_fits(year, due):
                result.reason = str(DUE_DATE_OUTSIDE_YEAR % {"year": year})
                continue
            fields = {
                "value": value,
                "baseline": baseline,
                "due_date": due,
                "source_note": _text(cells.get("catatan_sumber")),
            }
            parsed.append((result, indicator, year, fields, _text(cells.get("alasan"))))
        existing = {
            (t.indicator_id, t.regency_id, t.year): t
            for t in Target.objects.filter(indicator__in={p[1] for p in parsed}).prefetch_related(
                "splits", "milestones"
            )
        }
        seen = {}
        for result, indicator, year, fields, reason in parsed:
            key = (indicator.pk, result.regency or None, year)
            if key in seen:
                result.reason = _(DUPLICATE) % {"line": seen[key]}
                continue
            seen[key] = result.line
            stored = existing.get(key)
            result.new = show_number(fields["value"])
            if stored is None:
                result.state = State.NEW
                continue
            result.old = show_number(stored.value)
            changed = (
                _plain(stored.value) != _plain(fields["value"])
                or _plain(stored.baseline) != _plain(fields["baseline"])
                or (fields["due_date"] and stored.due_date != fields["due_date"])
                or (fields["source_note"] and stored.source_note != fields["source_note"])
            )
            problems = (
                stored_parts_problems(stored, indicator, fields["value"])
                if _plain(stored.value) != _plain(fields["value"])
                else []
            )
            if not changed:
                result.state = State.UNCHANGED
            elif problems:
                result.reason = problems[0]  # as the admin's changelist says it
            elif (
                not reason
                and target_realizations(
                    indicator_id=indicator.pk, regency_code=result.regency or None, year=year
                ).exists()
            ):
                result.reason = _(REASON_NEEDED)
            else:
                result.state = State.CHANGED
                large = [
                    (getattr(stored, name), fields[name])
                    for name in ("value", "baseline")
                    if large_change(getattr(stored, name), fields[name])
                ]
                if large:
                    old_value, new_value = large[0]
                    result.large = True
                    result.reason = _(LARGE_TARGET_CHANGE) % {
                        "old": show_number(old_value),
                        "new": show_number(new_value),
                    }
        self._check_allocations(parsed, existing)
        return results

    @staticmethod
    def _check_allocations(parsed, existing) -> None:
        """The file's new and changed targets with the stored ones: a year's regency
        allocations stay within its province target (`allocation_problems`, the admin's
        rule), else each row of that year in the file is an error saying why."""
        rows = [
            (result, indicator, year, fields)
            for result, indicator, year, fields, _reason in parsed
            if result.state in (State.NEW, State.CHANGED)
        ]
        planned = []
        for result, indicator, year, fields in rows:
            stored = existing.get((indicator.pk, result.regency or None, year))
            planned.append(
                (
                    stored.pk if stored else None,
                    indicator,
                    result.regency or None,
                    year,
                    fields["value"],
                )
            )
        for index, message in allocation_problems(planned).items():
            rows[index][0].state = State.ERROR
            rows[index][0].reason = message


def _date(value) -> dt.date | None:
    """A date cell, or a date typed as the admin takes it (2027-03-25, 25/03/2027,
    25-03-2027, "25 Maret 2027"); ValueError when it is none of these."""
    from django.core.exceptions import ValidationError

    from programs.admin_numbers import LocalizedDateField

    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    try:
        # One reading for every file, like its numbers: 05/03/2027 is 5 March, whatever
        # language the admin's pages are in.
        with translation.override("id"):
            return LocalizedDateField(required=False).clean(text) or None
    except ValidationError:
        # Else a date and a time as text (digits 0-9, as every date the site reads).
        if not re.match(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[ T]", text):
            raise ValueError(text) from None
    return dt.date.fromisoformat(text[:10])


def _date_refusal(text: str) -> str:
    """Why `_date` refused `text`, in the page's language, as the admin's date box says
    it (`LocalizedDateField`: written month first, a day its month lacks, or not a date
    at all). English pages read dates day first too (sumsel_gerakan/formats/en)."""
    from django.core.exceptions import ValidationError

    from programs.admin_numbers import LocalizedDateField

    try:
        LocalizedDateField(required=False).clean(text)
    except ValidationError as error:
        return error.messages[0]
    return str(DATE_NOT_RECOGNISED)


@transaction.atomic
def apply_targets(*, batch: ImportBatch, user, confirmed: bool = False) -> dict[str, int]:
    """Apply a previewed target file, all or nothing; `confirmed`: the preview's box
    for large changes was ticked (without it, a file with one is refused)."""
    from programs.reporting.services import HISTORY_IMPORTED

    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    check_batch(batch, user)
    rows = [(line, cells) for line, cells in batch.rows]
    # The file's indicators, before the preview checks its allocations again and the rows
    # are saved (`lock_allocations`): an allocation another admin saves meanwhile counts.
    named = {(_text(cells.get("program")), _text(cells.get("indikator"))) for _line, cells in rows}
    codes = Indicator.objects.values_list("program__slug", "code", "pk")
    lock_allocations(pk for slug, code, pk in codes if (slug, code) in named)
    preview = TargetImport(user=user).preview(rows)
    if any(r.state == State.ERROR for r in preview) or summarize(preview) != batch.summary:
        raise _stale(preview)
    if not confirmed and any(r.large for r in preview):
        raise ImportFileError(_(LARGE_NOT_CONFIRMED))
    by_line = dict(rows)
    indicators = {(i.program.slug, i.code): i for i in Indicator.objects.select_related("program")}
    counts = defaultdict(int)
    for result in preview:
        if result.state not in (State.NEW, State.CHANGED):
            continue
        cells = by_line[result.line]
        indicator = indicators[(result.program, result.indicator)]
        target = Target.objects.filter(
            indicator=indicator, regency_id=result.regency or None, year=int(result.period)
        ).first() or Target(
            indicator=indicator, regency_id=result.regency or None, year=int(result.period)
        )
        target.value = _number(cells.get("nilai"))
        target.baseline = _number(cells.get("baseline"))
        if _date(cells.get("batas_waktu")):
            target.due_date = _date(cells.get("batas_waktu"))
        if _text(cells.get("catatan_sumber")):
            target.source_note = _text(cells.get("catatan_sumber"))
        target._change_reason = _text(cells.get("alasan")) or site_text(HISTORY_IMPORTED)
        target.full_clean()
        target.save()
        counts[result.state] += 1
    batch.applied_at = timezone.now()
    batch.save(update_fields=["applied_at"])
    return dict(counts)


# --- Templates to fill in -----------------------------------------------------------------


def template_periods(*, user, texts: list[str], today: dt.date) -> list[tuple[int, int]]:
    """The months of a realization template (`bulan=YYYY-MM`, at most TEMPLATE_MONTHS), in
    order; last month when none is asked for. A month the upload would refuse is refused
    here, with the same words: a malformed one, one that has not begun, or one before the
    first launch of the user's programs (nothing to report yet). ImportFileError."""
    texts = [t for t in (text.strip() for text in texts) if t]
    if not texts:
        return [(today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)]
    launches = [p.launch_date for p in Program.objects.worked_on_by(user) if p.launch_date]
    first = min(launches) if launches else None
    periods = set()
    for text in texts[:TEMPLATE_MONTHS]:
        try:
            year, month = _period(text)
        except ValueError as error:
            raise ImportFileError(str(error)) from None
        if permissions.is_future(year, month, today):
            raise ImportFileError(_(FUTURE_MONTH))
        if first is not None and (year, month) < (first.year, first.month):
            raise ImportFileError(
                _(BEFORE_LAUNCH)
                % {
                    "month": formats.month_year_label(year, month),
                    "launch": formats.date_label(first),
                }
            )
        periods.add((year, month))
    return sorted(periods)


def template_regency(text: str | None, *, user) -> str | None:
    """The regency of a template's `?wilayah=` (16.07 or 1607, as a wilayah cell is read),
    None when none is asked for; ImportFileError when it names no regency, or another
    regency than an operator's own (rather than a file for a regency not asked for)."""
    if not (text or "").strip():
        return None
    code = _regency_code(text)
    regency = Regency.objects.filter(code=code, is_synthetic=False).first()
    if regency is None:
        raise ImportFileError(_(UNKNOWN_TEMPLATE_REGENCY) % {"code": Truncator(code).chars(20)})
    scope = permissions.scope_of(user)
    if (
        not permissions.is_admin(user)
        and permissions.is_operator(user)
        and scope.regency_id != regency.code
    ):
        own = scope.regency
        raise ImportFileError(
            _(OTHER_REGENCY_TEMPLATE)
            % {
                "own": own.name if own else "–",
                "own_code": scope.regency_id or "–",
                "code": f"{regency.name} ({regency.code})",
            }
        )
    return code


def realization_template(*, user, periods: list[tuple[int, int]], regency_code: str | None):
    """A workbook pre-filled for the user's scope: one row per regency, program, indicator,
    month and funding source already reported (or 'tidak-dirinci' when none), with the
    current values. Importing it unchanged changes nothing."""
    import openpyxl
    from openpyxl.styles import Font

    scope = permissions.scope_of(user)
    if permissions.is_admin(user):
        regencies = Regency.objects.filter(is_synthetic=False)
        if regency_code:
            regencies = regencies.filter(code=regency_code)
    elif permissions.is_operator(user):
        regencies = Regency.objects.filter(code=scope.regency_id)
    else:
        raise permissions_denied()
    regencies = list(regencies)
    programs = list(Program.objects.worked_on_by(user).prefetch_related("indicators"))
    stored = defaultdict(list)
    for r in (
        Realization.objects.filter(
            report__regency__in=regencies,
            report__program__in=programs,
            report__year__in={y for y, _m in periods},
            report__month__in={m for _y, m in periods},
        )
        .select_related("report", "indicator", "funding_source")
        .order_by("funding_source__order")
    ):
        key = (r.report.regency_id, r.indicator_id, r.report.year, r.report.month)
        stored[key].append(r)
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Data")
    bold = Font(bold=True)
    header = []
    for name in REALIZATION_COLUMNS:
        cell = openpyxl.cell.WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    # Rows only where the regency must report (no reporting exemption that month): the
    # upload refuses the others, so offering them only invites errors.
    obligations = Obligations.load(programs=programs, regency_codes=[r.code for r in regencies])
    for regency in regencies:
        for program in programs:
            for indicator in program.indicators.all():
                for year, month in periods:
                    rows = stored.get((regency.code, indicator.pk, year, month))
                    if not rows and not obligations.indicator_required(
                        regency.code, indicator, year, month
                    ):
                        continue
                    rows = rows or [None]
                    for r in rows:
                        sheet.append(
                            [
                                program.slug,
                                indicator.code,
                                regency.code,
                                f"{year}-{month:02d}",
                                r.funding_source.code if r else FundingSource.UNSPECIFIED,
                                _cell(r.value) if r else None,
                                _cell(r.numerator) if r else None,
                                _cell(r.denominator) if r else None,
                                xlsx_text(r.note) if r else "",
                            ]
                        )
    guide = workbook.create_sheet("Petunjuk")
    for line in TEMPLATE_GUIDE:
        guide.append([_(line)])
    codes = workbook.create_sheet("Kode")
    codes.append(["sumber_dana", "nama"])
    for source in FundingSource.objects.filter(active=True):
        codes.append([source.code, xlsx_text(str(source))])
    codes.append([])
    codes.append(["program", "indikator", "nama indikator", "satuan", "cara isi"])
    for program in programs:
        for indicator in program.indicators.all():
            codes.append(
                [
                    program.slug,
                    indicator.code,
                    xlsx_text(indicator.display_name),
                    xlsx_text(indicator.unit_label),
                    str(indicator.get_measure_display()),
                ]
            )
    return workbook


def _cell(value):
    if value is None:
        return None
    value = Decimal(value).normalize()
    return int(value) if value == value.to_integral_value() else float(value)


TEMPLATE_GUIDE = [
    gettext_noop("Templat impor realisasi bulanan — Dasbor Gerakan Serentak Sumsel"),
    gettext_noop(
        "Isi kolom 'nilai' (atau 'pembilang' dan 'penyebut' untuk indikator rasio) di lembar Data."
    ),
    gettext_noop(
        "Jangan ubah kolom program, indikator, wilayah dan bulan; kode ada di lembar Kode."
    ),
    gettext_noop(
        "Tambahkan baris untuk sumber dana atau mitra lain dengan menyalin baris dan mengganti "
        "kode sumber_dana."
    ),
    gettext_noop("Baris yang nilainya dikosongkan dilewati. Angka boleh ditulis 1.250 atau 14,33."),
    gettext_noop(
        "Unggah di menu Impor: Anda akan melihat pratinjau setiap baris sebelum menerapkan."
    ),
    gettext_noop(
        "Laporan yang diubah melalui impor tetap berstatus draf sampai Anda mengajukannya."
    ),
]
