"""CSV and XLSX exports of what the dashboards show (pure: selector rows in, files out).

An export is a header block (what, which filters, when, whether figures are provisional)
and one or more tables. Builders turn selector rows into `Sheet`s; writers turn an
`Export` into a streamed CSV or an XLSX workbook. Nothing here queries the database
except by iterating rows it is given (the raw realizations arrive as a lazy iterator).

Format decisions, for Excel as officials in Indonesia use it (Windows, locale id-ID):

- CSV: UTF-8 with a byte order mark (Excel otherwise reads it as ANSI and breaks
  "Ogan Komering Ulu"'s neighbours' accents and the en dash), `;` as separator and a
  decimal comma with no thousands separator (id-ID Excel's list separator is `;` and its
  decimal symbol `,`, so "14,76" opens as the number 14,76). In English, under English
  headers, the decimal mark is a point ("14.76"), still never grouped, so no figure can
  be read as thousands either way; the mark is the language of the request that built
  the export, fixed in `Export` (the rows are written later, as they stream).
  Percentages are written as percentage points under a header ending in "(%)". The
  header block comes first, as label;value rows, then an empty row, then the table.
- XLSX: a first sheet "Keterangan" with the header block, then the data sheet(s):
  numbers are numeric cells with a number format (#,##0 / #,##0.00 / 0.00%; a
  percentage is stored as a fraction, 25 % as 0.25), a bold frozen header row, column
  widths. Written with openpyxl's write-only mode into a spooled temporary file, so a
  large export never sits in memory as a worksheet.
- Formula injection: a text cell starting with =, +, -, @, tab or carriage return (or
  their full-width forms) gets a leading apostrophe, in CSV and XLSX alike, so no
  spreadsheet evaluates it. Numbers are numbers and never touched.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from programs import formats
from programs.models import FundingSource, Indicator, MonthlyReport
from programs.progress import NOT_REQUIRED_LABEL
from programs.text import visible_text
from programs.vocabulary import data_word, in_reader_language

APP_TITLE = gettext_noop("Dasbor Gerakan Serentak Sumsel")
CSV_DELIMITER = ";"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = "\ufeff"
# Spooled XLSX files stay in memory up to this size, then move to a temporary file.
SPOOL_MAX_BYTES = 8 * 1024 * 1024
# CSV rows are sent in batches of this many.
CSV_BATCH_ROWS = 500

TEXT, INTEGER, NUMBER, PERCENT = "text", "integer", "number", "percent"
# A whole number that is a name rather than a quantity (a year): never grouped, so Excel
# shows 2026, not 2.026.
YEAR = "year"

# First characters that make a spreadsheet treat a text cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = TEXT
    # Places a number is rounded to in CSV and shown with in XLSX; None: as stored.
    decimals: int | None = None
    width: float | None = None


@dataclass(frozen=True)
class Fixed:
    """A number with its own decimals, in a column that mixes indicators."""

    value: Decimal | int | None
    decimals: int


@dataclass
class Sheet:
    title: str
    columns: list[Column]
    rows: Iterable[Sequence]
    frozen_cols: int = 0  # label columns kept in view when scrolling right


@dataclass
class Export:
    title: str
    filename: str  # without extension
    info: list[tuple[str, str]]
    sheets: list[Sheet] = field(default_factory=list)
    decimal_mark: str = ","  # CSV numbers: the language's mark (build_export)

    @property
    def csv_delimiter(self) -> str:
        """`;` beside a decimal comma (Excel in the Indonesian locale), `,` beside a decimal
        point (Excel in an English one splits on commas: a `;` file opened as one column)."""
        return CSV_DELIMITER if self.decimal_mark == "," else ","


# --- Cells ------------------------------------------------------------------------------


def formula_like(text: str) -> bool:
    """Whether a spreadsheet could run `text` as a formula: it starts with one of
    FORMULA_STARTS, also behind spaces or invisible characters. A workbook cannot hold a
    control character, so the XLSX writer drops it: a note typed as "\x01=HYPERLINK(...)"
    reached Excel as a live formula."""
    return text.startswith(FORMULA_STARTS) or visible_text(text).startswith(FORMULA_STARTS)


def neutralise(text: str) -> str:
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + text if formula_like(text) else text


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("ya") if value else ""
    return neutralise(str(value))


def _number_parts(column: Column, value) -> tuple[Decimal | int | None, int | None]:
    if isinstance(value, Fixed):
        return value.value, value.decimals
    return value, column.decimals


def csv_cell(column: Column, value, mark: str = ",") -> str:
    """A CSV field: text as it is (neutralised), a number with decimal mark `mark` and
    no grouping (`decimals` None: as stored, at most 4 places)."""
    if column.kind == TEXT or isinstance(value, str | bool):
        return _text(value)
    number, decimals = _number_parts(column, value)
    if number is None:
        return ""
    if column.kind in (INTEGER, YEAR):
        return formats.plain_number(number, 0, mark=mark)
    if column.kind == PERCENT and decimals is None:
        decimals = 2
    return formats.plain_number(number, decimals, mark=mark)


def _number_format(kind: str, decimals: int | None) -> str:
    if kind == YEAR:
        return "0"
    if kind == INTEGER:
        return "#,##0"
    if kind == PERCENT:
        places = 2 if decimals is None else decimals
        return "0" + ("." + "0" * places if places else "") + "%"
    if decimals is None:
        return "General"
    return "#,##0" + ("." + "0" * decimals if decimals else "")


# --- CSV --------------------------------------------------------------------------------


class _Echo:
    """A file-like object whose write returns what it was given (for csv.writer)."""

    def write(self, value):
        return value


def _info_row(label: str, value: str) -> list[str]:
    return [_text(label), _text(value)] if value else [_text(label)]


def csv_stream(export: Export) -> Iterator[bytes]:
    """The export as CSV bytes, row batch by row batch; rows are read lazily."""
    if len(export.sheets) != 1:
        raise ValueError("A CSV file holds exactly one table.")
    sheet = export.sheets[0]
    writer = csv.writer(_Echo(), delimiter=export.csv_delimiter, lineterminator="\r\n")
    head = [BOM]
    head += [writer.writerow(_info_row(label, value)) for label, value in export.info]
    head.append(writer.writerow([]))
    head.append(writer.writerow([_text(c.header) for c in sheet.columns]))
    yield "".join(head).encode("utf-8")
    batch = []
    mark = export.decimal_mark
    for row in sheet.rows:
        batch.append(
            writer.writerow([csv_cell(c, v, mark) for c, v in zip(sheet.columns, row, strict=True)])
        )
        if len(batch) >= CSV_BATCH_ROWS:
            yield "".join(batch).encode("utf-8")
            batch = []
    if batch:
        yield "".join(batch).encode("utf-8")


# --- XLSX -------------------------------------------------------------------------------


_SHEET_TITLE_BAD = str.maketrans({c: "-" for c in "[]:*?/\\"})


def _sheet_title(title: str, used: set[str]) -> str:
    base = (title.translate(_SHEET_TITLE_BAD).strip("'") or "Data")[:31]
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


def xlsx_text(value) -> str:
    """A text cell for a workbook: without the control characters a workbook cannot hold
    (openpyxl refuses them), then neutralised, so nothing dropped uncovers a formula."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if value is None:
        return ""
    if isinstance(value, bool):
        return _text(value)
    return _text(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def write_xlsx(export: Export, fileobj) -> None:
    """Write the export as a workbook: 'Keterangan', then one sheet per table."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    used: set[str] = set()

    info = workbook.create_sheet(_sheet_title(_("Keterangan"), used))
    info.column_dimensions["A"].width = 24
    info.column_dimensions["B"].width = 90
    for position, (label, value) in enumerate(export.info):
        cell = WriteOnlyCell(info, value=xlsx_text(label))
        if position < 2 or not value:
            cell.font = bold
        info.append([cell, xlsx_text(value)] if value else [cell])

    header_alignment = Alignment(wrap_text=True, vertical="top")
    for sheet in export.sheets:
        ws = workbook.create_sheet(_sheet_title(sheet.title, used))
        for index, column in enumerate(sheet.columns, start=1):
            default = 14 if column.kind != TEXT else 18
            ws.column_dimensions[get_column_letter(index)].width = column.width or default
        ws.freeze_panes = f"{get_column_letter(sheet.frozen_cols + 1)}2"
        header = []
        for column in sheet.columns:
            cell = WriteOnlyCell(ws, value=xlsx_text(column.header))
            cell.font = bold
            cell.alignment = header_alignment
            header.append(cell)
        ws.append(header)
        formats_of: dict[tuple[str, int | None], str] = {}
        for row in sheet.rows:
            cells = []
            for column, value in zip(sheet.columns, row, strict=True):
                if column.kind == TEXT or isinstance(value, str | bool):
                    cells.append(xlsx_text(value) or None)
                    continue
                number, decimals = _number_parts(column, value)
                if number is None:
                    cells.append(None)
                    continue
                if column.kind in (INTEGER, YEAR):
                    number = int(number)
                elif column.kind == PERCENT:
                    number = float(Decimal(number) / 100)
                else:
                    number = float(number)
                key = (column.kind, decimals)
                if key not in formats_of:
                    formats_of[key] = _number_format(*key)
                cell = WriteOnlyCell(ws, value=number)
                cell.number_format = formats_of[key]
                cells.append(cell)
            ws.append(cells)
    workbook.save(fileobj)


def xlsx_file(export: Export):
    """The workbook in a spooled temporary file, positioned at its start."""
    fileobj = tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_BYTES)  # noqa: SIM115
    write_xlsx(export, fileobj)
    fileobj.seek(0)
    return fileobj


# --- Header block -----------------------------------------------------------------------


def generated_label(now: dt.datetime | None = None) -> str:
    """'25 Maret 2024 14:05 WIB', in the project's time zone."""
    local = timezone.localtime(now or timezone.now())
    zone = local.tzname() or ""
    return f"{formats.date_label(local.date())} {local:%H:%M} {zone}".strip()


def data_label(*, verified_only: bool, forced: bool, operator: bool = False) -> str:
    """Which figures the file holds, and why when it was not the reader's choice: an
    operator's dashboards show verified figures (programs.permissions.sees_provisional),
    anyone without a role sees the public data."""
    if forced and operator:
        return _("Terverifikasi saja (tampilan operator)")
    if forced:
        return _("Terverifikasi saja (akses publik)")
    if verified_only:
        return _("Terverifikasi saja")
    return _("Diajukan dan terverifikasi (termasuk angka sementara)")


# A table export is stored in the page cache (programs/pagecache.py) and given again
# until the data changes or the day ends: its time is when its figures were read, and
# the figures are still those of the data when it is downloaded, whenever that is. It
# said "Dibuat" (made), read as the download's time, hours off on a quiet day.
CURRENT_NOTE = gettext_noop(
    "Angka berkas ini sama dengan data pada saat diunduh: data belum berubah sejak "
    "waktu “Data per”."
)

PROVISIONAL_NOTE = gettext_noop(
    "Angka sementara (diajukan, belum diverifikasi) ikut dihitung dan ditandai “ya” "
    "pada kolom Sementara."
)


def build_export(
    *,
    title: str,
    filename: str,
    info: list[tuple[str, str]],
    sheets: list[Sheet],
    provisional: bool,
    page_url: str | None = None,
    notes: Iterable[str] = (),
    now: dt.datetime | None = None,
) -> Export:
    """An export with the standard header block: app, title, `info` (the filters), the
    time its figures were read (and that they are still the data's), the page it
    mirrors, and a provisional note when it applies; its
    CSV numbers take the active language's decimal mark, as its headers its words."""
    lines = [(_(APP_TITLE), ""), (title, ""), *info]
    lines.append((_("Data per"), generated_label(now)))
    if page_url:
        lines.append((_("Halaman"), page_url))
    lines.append((_("Catatan"), _(CURRENT_NOTE)))
    if provisional:
        lines.append((_("Catatan"), _(PROVISIONAL_NOTE)))
    lines += [(_("Catatan"), note) for note in notes]
    return Export(
        title=title,
        filename=filename,
        info=lines,
        sheets=sheets,
        decimal_mark=formats.decimal_mark(),
    )


# --- Dashboard tables -------------------------------------------------------------------


def _unit(header: str, unit: str) -> str:
    return f"{header} ({unit})" if unit else header


def _status(progress) -> str:
    return progress.status_label if progress is not None else ""


def scorecard_sheet(board) -> Sheet:
    """The overview's regency x program scorecard, in the page's order."""
    columns = [
        Column(_("Peringkat"), INTEGER, width=10),
        Column(_("Kode"), width=8),
        Column(_("Kabupaten/kota"), width=26),
    ]
    for program in board.programs:
        columns += [
            Column(_("%(program)s: capaian (%%)") % {"program": program.display_label}, PERCENT, 2),
            Column(_("%(program)s: status") % {"program": program.display_label}, width=16),
            Column(_("%(program)s: sementara") % {"program": program.display_label}, width=12),
        ]
    columns += [
        Column(_("Program sesuai jadwal"), INTEGER, width=12),
        Column(_("Program wajib lapor"), INTEGER, width=12),
    ]

    def rows():
        for row in board.rows:
            cells = [row.rank, row.regency.code, row.regency.name]
            for cell in row.cells:
                progress = cell.progress
                cells += [
                    progress.achievement if progress else None,
                    _status(progress) if cell.required else str(NOT_REQUIRED_LABEL),
                    bool(progress and progress.provisional),
                ]
            # Out of the programs it must report, as the page's "3/5" ("tidak wajib" not).
            yield [*cells, row.on_track, row.obliged]

    return Sheet(_("Rapor"), columns, rows(), frozen_cols=3)


def _expected_column(as_of: dt.date) -> Column:
    """ "Expected by" names its day, as the pages do: "s.d. kini" (to date) was wrong for
    any period but the current month."""
    return Column(
        _("Seharusnya s.d. %(date)s (%%)") % {"date": formats.date_label(as_of)}, PERCENT, 2
    )


def program_sheet(page, *, province_label: str, as_of: dt.date) -> Sheet:
    """The program page's per-regency table for its indicator, then the province;
    `as_of`: the day the expected figures are counted to. The last column is the page's:
    months due and not submitted (not verified, for visitors), empty when none was due."""
    indicator = page.indicator
    places = indicator.decimals
    columns = [
        Column(_("Kode"), width=8),
        Column(_("Kabupaten/kota"), width=26),
        Column(_unit(_("Target"), indicator.unit_label), NUMBER, places),
        Column(_unit(_("Realisasi"), indicator.unit_label), NUMBER, places),
        Column(_("Sementara"), width=11),
        Column(_("Capaian (%)"), PERCENT, 2),
        _expected_column(as_of),
        Column(_("Status"), width=16),
        Column(_("Laporan terakhir"), width=14),
        Column(_("Status laporan"), width=14),
        Column(_("Ketepatan waktu"), width=14),
        Column(page.missing_header, INTEGER, width=14),
    ]

    def progress_cells(p, status: str):
        return [p.target, p.realization, p.provisional, p.achievement, p.expected, status]

    def rows():
        for row in page.rows:
            on_time = {True: _("tepat waktu"), False: _("terlambat")}.get(row.report_on_time, "")
            yield [
                row.regency.code,
                row.regency.name,
                *progress_cells(row.progress, row.shown_status[1]),  # "tidak wajib" if exempt
                formats.month_label(row.report_month) if row.report_month else "",
                str(row.report_status_label),
                on_time,
                row.missing,
            ]
        if page.province is not None:
            province = page.province
            yield [
                "",
                province_label,
                *progress_cells(province, _status(province)),
                "",
                "",
                "",
                None,
            ]

    return Sheet(indicator.code, columns, rows(), frozen_cols=2)


def regency_sheet(page, *, province_label: str, as_of: dt.date) -> Sheet:
    """The regency page: every program indicator, the regency beside the province;
    `as_of` as in `program_sheet`."""
    columns = [
        Column(_("Program"), width=12),
        Column(_("Kode indikator"), width=22),
        Column(_("Indikator"), width=40),
        Column(_("Satuan"), width=10),
        Column(_("Target"), NUMBER),
        Column(_("Realisasi"), NUMBER),
        Column(_("Sementara"), width=11),
        Column(_("Capaian (%)"), PERCENT, 2),
        _expected_column(as_of),
        Column(_("Status"), width=16),
        Column(_("Target %(where)s") % {"where": province_label}, NUMBER),
        Column(_("Realisasi %(where)s") % {"where": province_label}, NUMBER),
        Column(_("Sementara (%(where)s)") % {"where": province_label}, width=11),
        Column(_("Capaian %(where)s (%%)") % {"where": province_label}, PERCENT, 2),
        Column(_("Seharusnya %(where)s (%%)") % {"where": province_label}, PERCENT, 2),
        Column(_("Status %(where)s") % {"where": province_label}, width=16),
    ]

    def figures(p, places, status: str):
        return [
            Fixed(p.target, places),
            Fixed(p.realization, places),
            p.provisional,
            p.achievement,
            p.expected,
            status,
        ]

    def rows():
        for block in page.blocks:
            for item in block.indicators:
                indicator = item.indicator
                places = indicator.decimals
                yield [
                    block.program.display_label,
                    indicator.code,
                    indicator.display_name,
                    indicator.unit_label,
                    *figures(item.regency, places, item.shown_status[1]),  # "tidak wajib"
                    *figures(item.province, places, _status(item.province)),
                ]

    return Sheet(page.regency.name, columns, rows(), frozen_cols=3)


def completeness_sheet(grid, *, total_label: str) -> Sheet:
    """Regency x month reporting states of one program, with counts and rates."""
    columns = [Column(_("Kode"), width=8), Column(_("Kabupaten/kota"), width=26)]
    columns += [Column(formats.month_label(m), width=14) for m in grid.months]
    columns += [
        Column(_("Laporan jatuh tempo"), INTEGER, width=12),
        Column(_("Sudah terverifikasi") if grid.public else _("Sudah diajukan"), INTEGER, width=12),
        Column(_("Tepat waktu"), INTEGER, width=12),
        Column(_("Kelengkapan (%)"), PERCENT, 2),
        Column(_("Ketepatan waktu (%)"), PERCENT, 2),
    ]

    def rows():
        for row in grid.rows:
            yield [
                row.regency.code,
                row.regency.name,
                *[str(cell.label) for cell in row.cells],
                row.due,
                row.submitted,
                row.on_time,
                row.rate,
                row.on_time_rate,
            ]
        blanks = [""] * len(grid.months)
        yield [
            "",
            total_label,
            *blanks,
            grid.due,
            grid.submitted,
            grid.on_time,
            grid.rate,
            grid.on_time_rate,
        ]

    return Sheet(grid.program.display_label, columns, rows(), frozen_cols=2)


def realization_sheet(rows: Iterable[dict], *, province_label: str) -> Sheet:
    """Raw realization rows (from `selectors.exports.realization_rows`), lazily."""
    columns = [
        Column(_("Tahun"), YEAR, width=8),
        Column(_("Bulan"), INTEGER, width=8),
        Column(_("Kode wilayah"), width=10),
        Column(_("Kabupaten/kota"), width=24),
        Column(_("Program"), width=12),
        Column(_("Kode indikator"), width=22),
        Column(_("Indikator"), width=36),
        Column(_("Satuan"), width=10),
        Column(_("Kode sumber dana"), width=18),
        Column(_("Sumber dana / mitra"), width=30),
        Column(_("Kategori sumber dana"), width=20),
        Column(_("Nilai"), NUMBER),
        Column(_("Pembilang"), NUMBER),
        Column(_("Penyebut"), NUMBER),
        Column(_("Status laporan"), width=14),
        Column(_("Sementara"), width=11),
        Column(_("Catatan"), width=40),
        Column(_("Jumlah lampiran"), INTEGER, width=10),
        Column(_("Lampiran"), width=40),
    ]
    # Labels resolved now: the rows are written after the view has returned.
    statuses = {value: str(label) for value, label in MonthlyReport.Status.choices}
    categories = {value: str(label) for value, label in FundingSource.Category.choices}
    submitted = MonthlyReport.Status.SUBMITTED
    language = get_language()

    def cells():
        for r in rows:
            yield [
                r["report__year"],
                r["report__month"],
                r["report__regency_id"] or "",
                r["report__regency__name"] or province_label,
                r["report__program__acronym"]
                or in_reader_language(
                    r["report__program__name"], r["report__program__name_en"], language
                ),
                r["indicator__code"],
                Indicator.display_name_of(r["indicator__name"], r["indicator__name_en"], language),
                data_word(r["indicator__unit"], language),
                r["funding_source__code"],
                data_word(r["funding_source__name"], language),
                categories.get(r["funding_source__category"], r["funding_source__category"]),
                r["value"],
                r["numerator"],
                r["denominator"],
                statuses.get(r["report__status"], r["report__status"]),
                r["report__status"] == submitted,
                r["note"],
                len(r.get("attachments", [])),
                "; ".join(r.get("attachments", [])),
            ]

    return Sheet(_("Realisasi"), columns, cells(), frozen_cols=0)


def performance_sheets(book, *, province_label: str) -> list[Sheet]:
    """One sheet per indicator: regencies and the province x months, with target, each
    month's value and year to date, and achievement as of the last month."""
    sheets = []
    last = formats.month_label(book.months[-1]) if book.months else ""
    for perf in book.sheets:
        indicator = perf.indicator
        places = indicator.decimals
        columns = [
            Column(_("Kode"), width=8),
            Column(_("Kabupaten/kota"), width=26),
            Column(_unit(_("Target"), indicator.unit_label), NUMBER, places),
        ]
        for m in book.months:
            name = formats.month_label(m)
            columns += [
                Column(_("%(month)s: bulan ini") % {"month": name}, NUMBER, places, 13),
                Column(_("%(month)s: s.d. bulan ini") % {"month": name}, NUMBER, places, 13),
            ]
        columns += [
            Column(_("Capaian s.d. %(month)s (%%)") % {"month": last}, PERCENT, 2),
            Column(_("Status"), width=16),
            Column(_("Sementara"), width=11),
        ]

        def rows(perf=perf):
            for row in perf.rows:
                code, name = (row.regency.code, row.regency.name) if row.regency else ("", "")
                p = row.progress
                cells = [code, name or province_label, p.target]
                for figure in row.months:
                    cells += [figure.value, figure.to_date]
                yield [*cells, p.achievement, row.status_label, p.provisional]

        sheets.append(Sheet(indicator.code, columns, rows(), frozen_cols=2))
    return sheets
