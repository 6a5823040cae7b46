"""A ratio indicator's row with a value beside its numerator and denominator: the value
was ignored without a word (the ratio is kept as its two parts). It is taken when it is
the percentage they make, to the decimals typed, and refused with why otherwise; an
indicator of values given a numerator or denominator is refused the same way."""

from decimal import Decimal

import pytest

from programs.models import ImportBatch, Realization
from tests.helpers import import_preview_rows, login
from tests.spreadsheets_helpers import row, upload, xlsx

pytestmark = pytest.mark.usefixtures("frozen_clock")


def gsmp(value, numerator, denominator):
    """A row of Banyuasin's villages running GSMP (a ratio, 1 decimal), last month."""
    cells = row(value, program="gsmp", indicator="desa-gsmp")
    cells[6], cells[7] = numerator, denominator
    return cells


def preview(client, cells) -> dict:
    (only,) = import_preview_rows(upload(client, xlsx([cells])))
    return only


def apply(client):
    batch = ImportBatch.objects.get()
    return client.post(f"/impor/{batch.token}/terapkan/")


@pytest.mark.parametrize("value", ["50", "50,0", 50, None], ids=["text", "decimal", "number", "no"])
def test_a_value_that_is_the_ratios_percentage_is_taken(operator, value):
    client = login(operator)
    shown = preview(client, gsmp(value, 3, 6))
    assert (shown["state"], shown["Keterangan"]) == ("new", "")
    assert apply(client).status_code == 302
    stored = Realization.objects.get()
    assert (stored.numerator, stored.denominator, stored.value) == (Decimal(3), Decimal(6), None)


@pytest.mark.parametrize("value", ["33,33", "33", "33,3"])
def test_a_percentage_is_compared_to_the_decimals_typed(operator, value):
    shown = preview(login(operator), gsmp(value, 1, 3))
    assert (shown["state"], shown["Keterangan"]) == ("new", "")


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("40", "Nilai 40 tidak sama dengan pembilang/penyebut: 3/6 = 50,00 %."),
        ("0,5", "Nilai 0,5 tidak sama dengan pembilang/penyebut: 3/6 = 50,00 %."),  # a share
        ("33,4", "Nilai 33,4 tidak sama dengan pembilang/penyebut: 2/6 = 33,33 %."),
    ],
)
def test_a_value_other_than_the_ratios_percentage_is_refused_saying_why(operator, value, said):
    client = login(operator)
    numerator = 2 if value == "33,4" else 3
    shown = preview(client, gsmp(value, numerator, 6))
    assert shown["state"] == "error"
    assert shown["Keterangan"] == (
        f"{said} Indikator rasio diisi pembilang dan penyebut (nilainya dihitung dari "
        "keduanya): kosongkan kolom nilai, atau perbaiki angkanya."
    )
    apply(client)
    assert not Realization.objects.exists()


def test_an_indicator_of_values_given_a_numerator_is_refused(operator):
    cells = row("12")
    cells[6], cells[7] = 3, 6
    client = login(operator)
    shown = preview(client, cells)
    assert shown["state"] == "error"
    assert shown["Keterangan"] == (
        "Indikator Rumah tidak layak huni dibedah diisi kolom nilai saja, bukan pembilang dan "
        "penyebut: kosongkan kolom pembilang dan penyebut."
    )
    apply(client)
    assert not Realization.objects.exists()
