"""Hostile or odd spreadsheets: bounded reading, values the database cannot hold, line
endings and oversize fields. Each is refused or becomes a row error in Indonesian; nothing
is written and nothing answers 500 (issue 12, items 2 and 5)."""

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from programs.models import ImportBatch, MonthlyReport, Realization
from programs.spreadsheets import imports
from tests.helpers import element_text, find, flash_messages, import_preview_rows, login, page
from tests.spreadsheets_helpers import (
    HEADER,
    XLSX,
    csv_file,
    error_reasons,
    row,
    states,
    upload,
    xlsx,
)

WIDE_ROWS = 20_000


def wide_sheet_xlsx(rows: int = WIDE_ROWS) -> bytes:
    """A small .xlsx whose sheet declares A1:XFD<rows> and puts a cell in the last column
    (XFD = 16,384) of every row: cheap to send, ruinous to pad row by row."""
    body = "".join(f'<row r="{n}"><c r="XFD{n}"><v>1</v></c></row>' for n in range(2, rows + 1))
    return raw_xlsx(body, f"A1:XFD{rows}")


def text_cells(line: int, values) -> str:
    return "".join(
        f'<c r="{chr(65 + i)}{line}" t="inlineStr"><is><t>{value}</t></is></c>'
        for i, value in enumerate(values)
    )


def raw_xlsx(body: str, dimension: str) -> bytes:
    """An .xlsx written by hand: the header row, then `body` (rows as sheet XML)."""
    header = text_cells(1, HEADER)
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData><row r="1">{header}</row>{body}'
        "</sheetData></worksheet>"
    )
    files = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org'
            '/package/2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http'
            '://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.'
            'openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats'
            '.org/officeDocument/2006/relationships"><sheets><sheet name="Data" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http'
            '://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": sheet,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def test_a_sheet_declaring_16384_columns_is_read_only_as_wide_as_the_known_columns(settings):
    data = wide_sheet_xlsx()
    assert len(data) < 400_000  # passes the size check: the work, not the file, is the threat
    lines = imports._xlsx_lines(data)
    _number, first = next(lines)
    assert len(first) <= settings.IMPORT_MAX_COLUMNS  # never the declared 16,384
    cells = sum(len(cells) for _n, cells in lines)
    assert cells <= WIDE_ROWS * settings.IMPORT_MAX_COLUMNS


def test_the_wide_sheet_upload_is_refused_with_a_reason(operator):
    file = SimpleUploadedFile("lebar.xlsx", wide_sheet_xlsx(), content_type=XLSX)
    response = upload(login(operator), file)
    assert response.status_code == 400
    assert any("tidak berisi baris data" in message for message in flash_messages(response))
    assert not ImportBatch.objects.exists()


NOT_A_NUMBER, TOO_LARGE = "Bukan angka yang sah", "Angka terlalu besar"


@pytest.mark.parametrize(
    "cell, reason",
    [
        ('<c r="F2"><v>NaN</v></c>', NOT_A_NUMBER),
        ('<c r="F2"><v>inf</v></c>', NOT_A_NUMBER),
        ('<c r="F2"><v>1e999</v></c>', NOT_A_NUMBER),
        ('<c r="F2"><v>1e15</v></c>', TOO_LARGE),
        ('<c r="F2"><v>100000000000</v></c>', TOO_LARGE),  # 1e11: SQLite would round it
        ('<c r="F2"><v>0.123456789</v></c>', NOT_A_NUMBER),
        # Typed as text, an exponent is not a number a person writes (parse_number).
        ('<c r="F2" t="inlineStr"><is><t>1e999</t></is></c>', NOT_A_NUMBER),
        ('<c r="F2" t="inlineStr"><is><t>NaN</t></is></c>', NOT_A_NUMBER),
        ('<c r="F2" t="inlineStr"><is><t>100000000000000000000</t></is></c>', TOO_LARGE),
    ],
    ids=[
        "nan",
        "inf",
        "1e999",
        "1e15",
        "1e11",
        "5-decimals",
        "text-1e999",
        "text-nan",
        "text-1e20",
    ],
)
def test_numbers_the_database_cannot_hold_are_row_errors_at_preview(operator, cell, reason):
    body = f'<row r="2">{text_cells(2, row()[:5])}{cell}</row>'
    file = SimpleUploadedFile("angka.xlsx", raw_xlsx(body, "A1:I2"), content_type=XLSX)
    response = upload(login(operator), file)
    if response.status_code == 400:  # openpyxl cannot even read the cell: refused, says where
        refusal = "Sel di baris 2 tidak dapat dibaca"
        assert any(refusal in message for message in flash_messages(response))
    else:
        assert response.status_code == 200
        assert states(response) == ["error"]
        [shown] = error_reasons(response)
        assert reason in shown
    assert not Realization.objects.exists() and not MonthlyReport.objects.exists()


@pytest.mark.parametrize("file_of", [lambda v: xlsx([row(value=v)]), "csv"], ids=["xlsx", "csv"])
def test_twelve_thousand_written_the_english_way_is_a_row_error(operator, file_of):
    """'12,000' in a text cell or a CSV from an English Excel used to be imported as 12
    houses; now the row is refused with the question, and nothing is written."""
    if file_of == "csv":
        file = csv_file(";".join(HEADER) + "\n" + ";".join(row()[:5]) + ";12,000;;;\n")
    else:
        file = file_of("12,000")
    response = upload(login(operator), file)
    assert response.status_code == 200
    assert states(response) == ["error"]
    assert error_reasons(response) == [
        "Format angka tidak jelas: tulis 12.000 bila maksudnya ribuan, atau 12."
    ]
    assert not Realization.objects.exists()


def test_numbers_a_formula_left_with_binary_noise_are_read_as_excel_shows_them(operator):
    """=0,07*100 is stored by Excel as 7.000000000000001 and shown as 7: the row was
    refused as 'not a number'; it is now read as Excel shows it (15 significant digits)."""
    cell = '<c r="F2"><v>7.000000000000001</v></c>'
    body = f'<row r="2">{text_cells(2, row()[:5])}{cell}</row>'
    file = SimpleUploadedFile("rumus.xlsx", raw_xlsx(body, "A1:I2"), content_type=XLSX)
    response = upload(login(operator), file)
    assert response.status_code == 200
    assert states(response) == ["new"]
    [previewed] = import_preview_rows(response)
    assert previewed["Baru"] == "7"


def test_cells_typed_as_dates_where_numbers_belong_are_row_errors(operator):
    import datetime as dt

    response = upload(login(operator), xlsx([row(value=dt.datetime(2024, 3, 1))]))
    assert response.status_code == 200
    assert states(response) == ["error"]


def test_csv_with_carriage_return_line_endings_is_read(operator):
    text = ";".join(HEADER) + "\r" + ";".join(row()[:5]) + ";1.250;;;\r"
    response = upload(login(operator), csv_file(text))
    assert response.status_code == 200
    assert states(response) == ["new"]


def test_csv_field_over_the_csv_module_limit_is_refused(operator):
    text = ";".join(HEADER) + "\n" + ";".join(row()[:5]) + ';1;;;"' + "x" * 200_000 + '"\n'
    response = upload(login(operator), csv_file(text))
    assert response.status_code == 400
    assert any("terlalu panjang" in message for message in flash_messages(response))
    assert not MonthlyReport.objects.exists()


@pytest.mark.parametrize(
    "cell",
    ['<c r="F2" t="d"><v>bukan tanggal</v></c>', '<c r="F2" t="n"><v>dua belas</v></c>'],
    ids=["date-with-text", "number-with-text"],
)
def test_cells_typed_as_dates_or_numbers_holding_text_are_refused_with_a_reason(operator, cell):
    values = row()[:5]
    body = f'<row r="2">{text_cells(2, values)}{cell}</row>'
    file = SimpleUploadedFile("aneh.xlsx", raw_xlsx(body, "A1:I2"), content_type=XLSX)
    response = upload(login(operator), file)
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert any("baris 2" in message for message in flash_messages(response))
    else:
        assert states(response) == ["error"]
    assert not Realization.objects.exists()


def test_prune_imports_deletes_batches_older_than_the_setting(operator, settings):
    import datetime as dt

    from django.core.management import call_command
    from django.utils import timezone

    settings.IMPORT_BATCH_MAX_AGE_DAYS = 7
    client = login(operator)
    upload(client, xlsx([row("3")]))
    upload(client, xlsx([row("4")]))
    old, recent = ImportBatch.objects.order_by("pk")
    ImportBatch.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=8))
    call_command("prune_imports", stdout=io.StringIO())
    assert list(ImportBatch.objects.values_list("pk", flat=True)) == [recent.pk]


def rewritten(data: bytes, part: str, change) -> bytes:
    """`data` (an .xlsx) with `part` changed by `change` (its bytes in, new bytes out, or
    None to leave the part out)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as archive:
        for info in source.infolist():
            body = source.read(info)
            if info.filename == part:
                body = change(body)
                if body is None:
                    continue
            archive.writestr(info.filename, body)
    return buffer.getvalue()


def cut_after_first_row(sheet: bytes) -> bytes:
    return sheet[: sheet.index(b"</row>") + len(b"</row>")]


DAMAGE = {
    "sheet-missing": lambda sheet: None,
    "xml-cut-short": cut_after_first_row,  # a download or a copy that stopped midway
    "xml-garbage": lambda sheet: b"\x00\x01 bukan xml",
}


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
@pytest.mark.parametrize(
    ("language", "said"),
    [("id", "bukan lembar kerja Excel|bukan buku kerja Excel"), ("en", "not a valid Excel")],
)
def test_a_broken_workbook_is_told_as_such_not_as_an_unreadable_cell(
    operator, damage, language, said
):
    """An .xlsx missing its sheet, or whose sheet's XML stops midway, was refused with
    "Sel di baris 1 tidak dapat dibaca ... ubah tipe selnya": advice about one cell of a
    file that cannot be read at all."""
    rows = [row(value=str(n)) for n in range(1, 4)]
    data = rewritten(xlsx(rows).read(), "xl/worksheets/sheet1.xml", damage)
    client = login(operator)
    client.cookies["bahasa"] = language
    response = upload(client, SimpleUploadedFile("rusak.xlsx", data, content_type=XLSX))
    assert response.status_code == 400
    messages = flash_messages(response)
    assert len(messages) == 1 and re.search(said, messages[0]), messages
    assert not re.search("baris|row|cell", messages[0], re.IGNORECASE), messages
    assert not ImportBatch.objects.exists()
    assert not MonthlyReport.objects.exists()


def open_document_spreadsheet() -> bytes:
    """What LibreOffice saves as .ods: a zip whose first member, stored, is `mimetype`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>", zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("realisasi.ods", open_document_spreadsheet(), "Simpan Sebagai > Excel 2007-365 (.xlsx)"),
        ("realisasi.xlsx", open_document_spreadsheet(), "Simpan Sebagai > Excel 2007-365 (.xlsx)"),
        ("realisasi.xlsx", b"", "Berkas tidak berisi baris data."),
        ("realisasi.csv", b"", "Berkas tidak berisi baris data."),
    ],
    ids=["ods", "ods-named-xlsx", "empty-xlsx", "empty-csv"],
)
def test_a_libreoffice_or_empty_file_is_told_what_it_is(operator, name, data, message):
    """A LibreOffice sheet (.ods) was "not a supported type" or, renamed .xlsx, "not a
    valid Excel workbook", without saying how to send it; a 0-byte file was "not a valid
    workbook" (.xlsx) or "no header row" (.csv). Each now says what it is."""
    response = upload(login(operator), SimpleUploadedFile(name, data))
    assert response.status_code == 400
    assert any(message in text for text in flash_messages(response))
    assert not ImportBatch.objects.exists()


def test_a_file_with_a_very_long_name_is_read(operator):
    """A name of 400 emoji put the part's headers over the 1,024 bytes Django read of
    them: a bare 400 page instead of the preview. The file is read, its name shown and
    kept as an attachment's is (`evidence.safe_name`: 120 characters, its extension
    kept)."""
    name = "🏠" * 400 + ".csv"
    line = ";".join(cell or "" for cell in row())
    response = upload(login(operator), csv_file(";".join(HEADER) + "\n" + line, name))
    assert response.status_code == 200
    assert import_preview_rows(response)
    label = "🏠" * 115 + "….csv"
    assert ImportBatch.objects.get().filename == label
    assert element_text(find(page(response), "h1")) == f"Pratinjau impor {label}"


@pytest.mark.parametrize(
    "name, label",
    [
        ("../../etc/passwd.xlsx", "passwd.xlsx"),
        ("..\\..\\laporan\\isi.csv", "isi.csv"),
        ("isi\x00\x1b[31m.xlsx", "isi[31m.xlsx"),
        # "gaji\u202excod.xlsx" shows as "gajixlsx.docx" on screen.
        ("gaji\u202excod.xlsx", "gajixcod.xlsx"),
        (" .isi.csv. ", "isi.csv"),
    ],
)
def test_an_imports_file_name_is_kept_as_a_label(operator, name, label):
    """The name an import keeps and its preview and history show is a label made by the
    attachments' rule (`evidence.safe_name`), whatever sent it: no path, no control
    character, no direction override turning what is read around."""
    batch = imports.create_batch(
        user=operator, kind=ImportBatch.Kind.REALIZATIONS, filename=name, rows=[], preview=[]
    )
    batch.refresh_from_db()
    assert batch.filename == label
    assert str(batch) == f"{label} (Realisasi bulanan)"
