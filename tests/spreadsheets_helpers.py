"""Spreadsheets for the import tests: the import headers, workbooks and CSV files built in
memory, the upload, and the preview's rows read back. Shared by the test modules that
import realizations or targets (spreadsheets, races, evidence, page cache)."""

from __future__ import annotations

import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

from programs.spreadsheets.imports import REALIZATION_COLUMNS, TARGET_COLUMNS
from tests.helpers import find_all, import_preview_rows, page, previous_month

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The columns as the import reads them; test_imports pins them to the published format.
HEADER = REALIZATION_COLUMNS
TARGET_HEADER = TARGET_COLUMNS


def period_text(months_back=1):
    """The month `months_back` before today's, as the import's "bulan" column writes it."""
    year, month = previous_month(months_back)
    return f"{year}-{month:02d}"


def xlsx(rows, header=HEADER, sheet="Data"):
    """An uploaded .xlsx whose sheet holds `header` and then `rows`."""
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = sheet
    ws.append(header)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("isi.xlsx", buffer.getvalue(), content_type=XLSX)


def csv_file(text, name="isi.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def target_csv(*lines: str):
    """A target file as Excel in the Indonesian locale writes it: `lines` (';'-separated
    cells) under TARGET_HEADER."""
    return csv_file("\n".join([";".join(TARGET_HEADER), *lines]))


def row(
    value="12",
    regency="16.07",
    period=None,
    source="apbn",
    program="gbrss",
    indicator="rumah-dibedah",
    note="",
):
    """One realization row under HEADER (GBRSS houses of Banyuasin, last month, APBN)."""
    return [program, indicator, regency, period or period_text(), source, value, None, None, note]


def upload(client, file, kind="realizations"):
    return client.post("/impor/", {"jenis": kind, "berkas": file})


def states(response):
    """The state (new, changed, unchanged, error) of each previewed row."""
    found = (dict(e.attributes).get("data-state") for e in find_all(page(response)))
    return [state for state in found if state]


def error_reasons(response) -> list[str]:
    """The explanations (Keterangan) of the preview rows in error."""
    return [row["Keterangan"] for row in import_preview_rows(response) if row["state"] == "error"]
