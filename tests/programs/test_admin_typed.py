"""What an admin types the Indonesian way is read right or refused with a clear message,
numbers in those messages grouped as people read them (2.147.483.647; 2,147,483,647 in
English), never a 500 nor a value silently different from the one typed."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import translation

from regencies.models import Regency
from tests.admin_helpers import change_data, gbrss_province_target
from tests.helpers import error_messages, find, page
from tests.programs.test_admin_rules import parts_data

pytestmark = pytest.mark.django_db

UNGROUPED = re.compile(r"(?<![\d.,])\d{5,}")  # 2147483647, not 2.147.483.647


def limit_messages(language: str) -> dict[str, list[str]]:
    """What every model number field's min/max validators (the database's integer range
    included) say of a value just past their limit, by field."""
    said = {}
    with translation.override(language):
        for model in apps.get_models():
            for field in model._meta.concrete_fields:
                if field.is_relation or not isinstance(
                    field, models.IntegerField | models.DecimalField
                ):
                    continue
                for validator in field.validators:
                    if not isinstance(validator, MinValueValidator | MaxValueValidator):
                        continue
                    past = validator.limit_value + (
                        1 if isinstance(validator, MaxValueValidator) else -1
                    )
                    try:
                        validator(Decimal(past) if isinstance(past, Decimal) else past)
                    except ValidationError as error:
                        said.setdefault(f"{model.__name__}.{field.name}", []).extend(error.messages)
    return said


def test_every_model_numbers_limit_is_said_grouped():
    """Django wrote the database's limits as digits alone ("lebih kecil dari atau sama
    dengan 2147483647" for a regency's population on PostgreSQL); every limit of every
    model number field is now grouped, in Indonesian and in English. Years stay as
    written (2100)."""
    for language, group in (("id", "."), ("en", ",")):
        said = limit_messages(language)
        assert said, "no limits found"
        ungrouped = {
            name: messages
            for name, messages in said.items()
            if any(UNGROUPED.search(message) for message in messages)
            and not name.endswith(("year", "_year"))  # a year is written 2026
        }
        assert ungrouped == {}
        population = said["Regency.population"]
        assert any(f"2{group}147{group}483{group}647" in message for message in population)
    assert any(message.endswith(" 2100.") for message in limit_messages("id")["Target.year"])


def change(admin_client, target, **overrides):
    return admin_client.post(
        reverse("admin:programs_target_change", args=[target.pk]),
        change_data(target, **overrides),
    )


def regency_change(admin_client, regency, **overrides):
    data = {
        "bps_code": regency.bps_code,
        "name": regency.name,
        "kind": regency.kind,
        "capital": regency.capital,
        "area_km2": "",
        "population": "" if regency.population is None else str(regency.population),
        "population_year": regency.population_year or "",
        "source_note": regency.source_note,
        "confirm_large_change": "on",
        "_save": "Simpan",
        **overrides,
    }
    return admin_client.post(reverse("admin:regencies_regency_change", args=[regency.pk]), data)


POPULATION_TOO_LARGE = "Pastikan nilai ini lebih kecil dari atau sama dengan 2.147.483.647."


@pytest.mark.parametrize(
    ("language", "typed", "said", "confirmed"),
    [
        ("id", "2.147.483.648", POPULATION_TOO_LARGE, "on"),
        # Unconfirmed: past the column, not a large change to confirm first.
        ("id", "3.000.000.000", POPULATION_TOO_LARGE, ""),
        # Past what any number is read as: the column's limit, not 99.999.999.999.
        ("id", "100.000.000.000", POPULATION_TOO_LARGE, "on"),
        ("en", "2,147,483,648", "Ensure this value is less than or equal to 2,147,483,647.", "on"),
    ],
)
def test_a_population_past_what_the_database_keeps_is_refused_grouped(
    admin_client, reference_data, language, typed, said, confirmed
):
    """SQLite (`make run`) saved a population of 3.000.000.000, which PostgreSQL's column
    does not keep: refused on every database, saying the limit grouped."""
    admin_client.cookies["bahasa"] = language
    regency = Regency.objects.get(code="16.07")
    before = regency.population

    response = regency_change(
        admin_client, regency, population=typed, confirm_large_change=confirmed
    )

    assert response.status_code == 200
    assert error_messages(find(page(response), "div", class_="field-population")) == [said]
    regency.refresh_from_db()
    assert regency.population == before


# Dates as Indonesians write them


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("25 Mrt 2024", dt.date(2024, 3, 25)), ("25 mrt. 2024", dt.date(2024, 3, 25))],
)
def test_mrt_is_march(admin_client, reference_data, typed, meant):
    """ "Mrt" is how Indonesians shorten Maret (Mar too): it was "Tanggal tidak dikenali"."""
    target = gbrss_province_target()
    response = change(admin_client, target, due_date=typed)
    assert response.status_code == 302, error_messages(page(response))
    target.refresh_from_db()
    assert target.due_date == meant


@pytest.mark.parametrize(
    ("language", "typed", "said"),
    [
        (
            "id",
            "31/04/2024",
            "Tanggal 31 tidak ada pada April 2024: bulan itu hanya sampai tanggal 30.",
        ),
        (
            "id",
            "29 Februari 2025",
            "Tanggal 29 tidak ada pada Februari 2025: bulan itu hanya sampai tanggal 28.",
        ),
        ("en", "31/04/2024", "There is no day 31 in April 2024: that month has only 30 days."),
    ],
)
def test_a_day_its_month_lacks_is_refused_saying_so(
    admin_client, reference_data, language, typed, said
):
    """31 April was "Tanggal tidak dikenali: tulis hari dulu...", which sent the admin
    looking for a wrong format in a date typed day first as asked."""
    admin_client.cookies["bahasa"] = language
    target = gbrss_province_target()
    before = target.due_date
    response = change(admin_client, target, due_date=typed)
    assert response.status_code == 200
    assert error_messages(find(page(response), "div", class_="field-due_date")) == [said]
    target.refresh_from_db()
    assert target.due_date == before


def test_a_negative_target_is_refused_without_its_parts_said_above_it(admin_client, reference_data):
    """A target typed -5 was refused twice over: "at least 0" and, beside it, "Jumlah
    rencana per sumber dana (6.724) melebihi target (-5)", as if the splits were wrong."""
    target = gbrss_province_target()  # 8.391 houses, split among funding groups
    response = admin_client.post(
        reverse("admin:programs_target_change", args=[target.pk]),
        parts_data(target) | {"value": "-5", "confirm_large_change": "on"},
    )
    assert response.status_code == 200
    said = error_messages(page(response))
    assert "Pastikan nilai ini lebih besar dari atau sama dengan 0." in said
    assert not [message for message in said if "melebihi target" in message]
    target.refresh_from_db()
    assert target.value == Decimal(8391)


@pytest.mark.parametrize("typed", ["abc", "8.600", "25/03/2026"])
def test_a_user_scope_naming_no_user_is_refused_not_a_500(admin_client, reference_data, typed):
    """The scope's user is an autocomplete box: a posted user that is no id ("abc", from
    an edited or scripted form) was looked up again to draw the refused form, a 500."""
    from regencies.models import UserScope

    before = UserScope.objects.count()
    response = admin_client.post(
        reverse("admin:regencies_userscope_add"),
        {"user": typed, "role": "pimpinan", "regency": "", "_save": "Simpan"},
    )
    assert response.status_code == 200
    assert error_messages(find(page(response), "div", class_="field-user")) == [
        "Masukkan pilihan yang valid. Pilihan tersebut bukan salah satu dari pilihan yang tersedia."
    ]
    assert UserScope.objects.count() == before


def test_a_negative_denominator_is_refused_once_beside_it(admin_client, reference_data):
    """A ratio's denominator typed -5 in a report's admin page: "Nilai tidak boleh
    negatif" beside the numerator and Django's "at least 0" beside the denominator, two
    messages for one slip, one of them beside the wrong box."""
    from programs.models import FundingSource, Indicator, MonthlyReport, Realization
    from tests.factories import MonthlyReportFactory

    indicator = Indicator.objects.filter(measure=Indicator.Measure.RATIO).first()
    report = MonthlyReportFactory(
        regency_id="16.07", program=indicator.program, status=MonthlyReport.Status.DRAFT
    )
    source = FundingSource.objects.get(code=FundingSource.UNSPECIFIED)
    row = Realization.objects.create(
        report=report,
        indicator=indicator,
        funding_source=source,
        numerator=Decimal(3),
        denominator=Decimal(5),
    )
    data = {
        "regency": "16.07",
        "program": report.program_id,
        "year": report.year,
        "month": report.month,
        "is_demo": "",
        "change_reason": "uji",
        "seen_version": report.version,
        "realizations-TOTAL_FORMS": "1",
        "realizations-INITIAL_FORMS": "1",
        "realizations-0-id": row.pk,
        "realizations-0-report": report.pk,
        "realizations-0-indicator": indicator.pk,
        "realizations-0-funding_source": source.pk,
        "realizations-0-value": "",
        "realizations-0-numerator": "3",
        "realizations-0-denominator": "-5",
        "realizations-0-note": "",
        "_save": "Simpan",
    }
    response = admin_client.post(
        reverse("admin:programs_monthlyreport_change", args=[report.pk]), data
    )
    assert response.status_code == 200
    said = error_messages(find(page(response), "div", class_="inline-group"))
    assert said == ["Nilai tidak boleh negatif."]
    row.refresh_from_db()
    assert row.denominator == Decimal(5)


@pytest.mark.parametrize("typed", ["10.000.000", "100.000.000.000", "-10.000.000"])
def test_an_area_past_what_its_column_keeps_says_the_largest_area(
    admin_client, reference_data, typed
):
    """Django said "no more than 10 digits in total", leaving the admin counting digits
    (and "paling besar 99.999.999.999", past the column, above 10^11)."""
    regency = Regency.objects.get(code="16.07")
    before = regency.area_km2

    response = regency_change(admin_client, regency, area_km2=typed)

    assert response.status_code == 200
    assert "Angka terlalu besar: paling besar 9.999.999,999." in error_messages(
        find(page(response), "div", class_="field-area_km2")
    )
    regency.refresh_from_db()
    assert regency.area_km2 == before


def test_an_order_past_what_its_column_keeps_is_refused(admin_client, reference_data):
    """A funding source's order (a small integer column: 32.767 at most on PostgreSQL)
    of 40.000 was saved on SQLite."""
    from programs.models import FundingSource

    source = FundingSource.objects.order_by("pk").first()
    data = {
        "code": source.code,
        "name": source.name,
        "category": source.category,
        "order": "40.000",
        "active": "on",
        "_save": "Simpan",
    }
    url = reverse("admin:programs_fundingsource_change", args=[source.pk])

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert error_messages(find(page(response), "div", class_="field-order")) == [
        "Pastikan nilai ini lebih kecil dari atau sama dengan 32.767."
    ]
    assert FundingSource.objects.get(pk=source.pk).order == source.order


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("2024/03/25", dt.date(2024, 3, 25)),
        ("2024.03.25", dt.date(2024, 3, 25)),
        ("2024/3/5", dt.date(2024, 3, 5)),
    ],
)
def test_a_date_typed_year_first_with_slashes_or_dots(admin_client, reference_data, typed, meant):
    """2024/03/25 was "Tanggal tidak dikenali"; year first, the month is always next."""
    target = gbrss_province_target()
    response = change(admin_client, target, due_date=typed)
    assert response.status_code == 302, error_messages(page(response))
    target.refresh_from_db()
    assert target.due_date == meant


def test_a_date_typed_year_first_on_a_day_its_month_lacks_says_so(admin_client, reference_data):
    target = gbrss_province_target()
    before = target.due_date
    response = change(admin_client, target, due_date="2024/04/31")
    assert response.status_code == 200
    assert error_messages(find(page(response), "div", class_="field-due_date")) == [
        "Tanggal 31 tidak ada pada April 2024: bulan itu hanya sampai tanggal 30."
    ]
    target.refresh_from_db()
    assert target.due_date == before


@pytest.mark.parametrize(
    ("typed", "digits"),
    [("Rp 8.600,-", "8.600"), ("Rp8.600", "8.600"), ("8.600,-", "8.600"), ("Rp. 8.391", "8.391")],
)
def test_a_target_typed_in_rupiah_is_refused_naming_its_digits(
    admin_client, reference_data, typed, digits
):
    """An amount written as money is refused with the digits to write, as the entry form
    and the import refuse it (no indicator counts rupiah), and the target is unchanged."""
    target = gbrss_province_target()
    before = target.value
    response = change(admin_client, target, value=typed, confirm_large_change="on")
    assert response.status_code == 200
    assert error_messages(find(page(response), "div", class_="field-value")) == [
        f"Tulis angkanya saja, tanpa “Rp” atau “,-”: {digits}."
    ]
    target.refresh_from_db()
    assert target.value == before


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize(
    ("url_name", "box"),
    [
        ("admin:programs_target_add", "due_date"),
        ("admin:programs_program_add", "launch_date"),
        ("admin:programs_lockexception_add", "until"),
    ],
)
def test_every_date_box_lists_the_forms_it_takes(
    admin_client, reference_data, language, url_name, box
):
    """A date box said nothing of how to type a date (or only "Kosong = 31 Desember"),
    though it takes day first, month named, and year first: it lists them, each read
    back here by the admin's box and the target import."""
    from programs.admin_numbers import LocalizedDateField
    from programs.spreadsheets.imports import _date
    from tests.helpers import element_text
    from tests.programs.test_typed_months import listed_forms

    admin_client.cookies["bahasa"] = language
    shown = page(admin_client.get(reverse(url_name)))
    help_text = element_text(find(shown, "div", id=f"id_{box}_helptext"))
    forms = listed_forms(help_text, "first: " if language == "en" else "dulu: ", ".")
    assert "2027/03/25" in forms and "25 Mar 27" in forms and len(forms) == 7
    with translation.override(language):
        for typed in forms:
            assert LocalizedDateField().clean(typed) == dt.date(2027, 3, 25), typed
            assert _date(typed) == dt.date(2027, 3, 25), typed


def test_a_number_box_holding_only_spaces_is_empty_not_a_500(admin_client, reference_data):
    """A whole-number box holding only spaces (a cleared box, a stray space bar) failed
    with a server error: it is an empty box. A population may be left empty; a
    target's year may not, and says so."""
    regency = Regency.objects.get(code="16.07")
    response = regency_change(admin_client, regency, population="   ", population_year="")
    assert response.status_code == 302, error_messages(page(response))
    regency.refresh_from_db()
    assert regency.population is None

    target = gbrss_province_target()
    response = change(admin_client, target, year="  ")
    assert response.status_code == 200
    assert error_messages(find(page(response), "div", class_="field-year")) == [
        "Bidang ini tidak boleh kosong."
    ]
    target.refresh_from_db()
    assert target.year == 2024


def test_a_target_for_a_year_before_the_launch_is_refused(admin_client, reference_data):
    """GBRSS was launched on 21 February 2024: a province target typed for 2004 (for 2024)
    was saved, a target nothing is ever reported against nor shown. The year before the
    launch is still taken (a launch date corrected later)."""
    target = gbrss_province_target()
    response = change(admin_client, target, year="2004")
    assert response.status_code == 200
    assert error_messages(find(page(response), "div", class_="field-year")) == [
        "Program GBRSS diluncurkan 21 Februari 2024: target paling awal untuk tahun 2023. "
        "Periksa tahunnya."
    ]
    target.refresh_from_db()
    assert target.year == 2024
    response = change(admin_client, target, year="2023")
    assert response.status_code == 302, error_messages(page(response))
