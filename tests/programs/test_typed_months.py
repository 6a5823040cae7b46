"""A month typed on its own is read by one rule wherever it is typed
(`admin_numbers.typed_month`): the admin's exemption months, the realization import's
month column (CSV and XLSX) and its template's ?bulan=. "11.2026" was taken by the admin
and refused by the import; every form is now taken, or refused, by all of them."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from programs.admin_numbers import LocalizedMonthField, LocalizedMonthNumberField, typed_month
from programs.spreadsheets.imports import _period

NOVEMBER_2026 = [
    "2026-11",
    "2026/11",
    "2026.11",
    "11-2026",
    "11/2026",
    "11.2026",
    "11 . 2026",
    "November 2026",
    "november 2026",
    "Nov 2026",
    "Nov. 2026",
    "Nov-2026",
    "Nov/2026",
    "Nopember 2026",
    "Nop 2026",
]

# Refused by every entry point (what the admin reads as a whole date, "01/11/2026", is
# a date box's business, not a typed month's).
NO_MONTH = ["Nov-26", "11/26", "November", "2026", "202611", "Mai 2026", "2026-13", "13.2026"]
# November 2026 in other scripts' digits (Arabic-Indic, full-width), which Python's \d
# and int() read as 0-9: refused, as every number a page or link sends is
# (`programs.text.whole_number`).
NO_MONTH += ["٢٠٢٦-١١", "١١/٢٠٢٦", "Nov ٢٠٢٦", "２０２６-１１", "11.２０２６"]


@pytest.mark.parametrize("typed", NOVEMBER_2026)
def test_every_entry_point_reads_a_typed_month_alike(typed):
    assert typed_month(typed) == (2026, 11)
    assert _period(typed) == (2026, 11)
    assert LocalizedMonthField().clean(typed).isoformat() == "2026-11-01"


@pytest.mark.parametrize("typed", NO_MONTH)
def test_every_entry_point_refuses_what_is_no_month(typed):
    with pytest.raises(ValueError):
        _period(typed)
    with pytest.raises(ValidationError):
        LocalizedMonthField().clean(typed)


def test_a_number_cell_is_read_as_it_was_typed():
    """Excel took "10.2026" for the number 10,202: read as typed, October 2026."""
    assert _period(10.2026) == (2026, 10)
    assert _period(11.2026) == (2026, 11)
    with pytest.raises(ValueError):
        _period(3.5)  # the year 5000


# The admin's month boxes beside a year box (a report's, a lock exception's) take the
# month's name or number, and now a month typed with its year as everywhere else, when
# that year is the year box's.


@pytest.mark.usefixtures("frozen_clock")  # 27 June 2025
@pytest.mark.parametrize("typed", ["04.2025", "4/2025", "2025-04", "April 2025", "Apr. 2025"])
def test_a_lock_exceptions_month_typed_with_its_year_is_taken(admin_client, reference_data, typed):
    from django.urls import reverse

    from programs.models import LockException, Program
    from tests.admin_helpers import field_errors, lock_exception_form

    program = Program.objects.get(slug="gbrss")
    response = admin_client.post(
        reverse("admin:programs_lockexception_add"),
        lock_exception_form(program, month=typed, until="15 Juli 2025"),
    )

    assert response.status_code == 302, field_errors(response, "month")
    exception = LockException.objects.get(regency_id="16.07", program=program)
    assert (exception.year, exception.month) == (2025, 4)


@pytest.mark.usefixtures("frozen_clock")  # 27 June 2025
def test_a_month_typed_with_another_year_than_the_year_box_is_refused(admin_client, reference_data):
    from django.urls import reverse

    from programs.models import LockException, MonthlyReport, Program
    from tests.admin_helpers import field_errors, lock_exception_form

    program = Program.objects.get(slug="gbrss")
    response = admin_client.post(
        reverse("admin:programs_lockexception_add"),
        lock_exception_form(program, month="04.2024", until="15 Juli 2025"),
    )

    assert field_errors(response, "month") == [
        "04.2024 bukan bulan tahun 2025 yang diisi di kolom tahun: samakan tahunnya, atau "
        "tulis bulannya saja (April atau 4)."
    ]
    assert not LockException.objects.exists()

    # A report's month box alike.
    data = {
        "regency": "16.07",
        "program": program.pk,
        "year": "2024",
        "month": "11.2024",
        "realizations-TOTAL_FORMS": "0",
        "realizations-INITIAL_FORMS": "0",
        "_save": "Simpan",
    }
    added = admin_client.post(reverse("admin:programs_monthlyreport_add"), data)
    assert added.status_code == 302, field_errors(added, "month")
    assert MonthlyReport.objects.get(regency_id="16.07", program=program).month == 11
    other = admin_client.post(
        reverse("admin:programs_monthlyreport_add"), {**data, "month": "11.2023"}
    )
    assert field_errors(other, "month") == [
        "11.2023 bukan bulan tahun 2024 yang diisi di kolom tahun: samakan tahunnya, atau "
        "tulis bulannya saja (November atau 11)."
    ]
    refused = admin_client.post(
        reverse("admin:programs_monthlyreport_add"), {**data, "month": "13.2024"}
    )
    assert field_errors(refused, "month") == [
        "Bulan tidak dikenali: tulis namanya (April) atau angkanya (4), boleh dengan tahun "
        "yang diisi di kolom tahun (April 2027, 04.2027, 04/2027 atau 2027-04)."
    ]


# A month in a refusal's examples: 2024-03, 03-2024, 03/2024, 03.2024, "Maret 2024".
EXAMPLE = re.compile(r"\d{4}-\d{2}|\d{2}[-/.]\d{4}|[A-Z][a-z]+ \d{4}")


def refusal(take, typed) -> str:
    with pytest.raises((ValueError, ValidationError)) as refused:
        take(typed)
    error = refused.value
    return error.messages[0] if isinstance(error, ValidationError) else str(error)


@pytest.mark.parametrize("language", ["id", "en"])
def test_a_refused_months_message_gives_examples_that_are_taken_the_dotted_one_too(language):
    """11.2026 is taken wherever a month is typed, yet every refusal's examples left that
    form out (an admin who typed 11.2026 elsewhere was not told it works). Each refusal,
    in Indonesian and English, now names it, and each example it gives is taken there."""
    month_box = LocalizedMonthField().clean  # a reporting exemption's months
    beside_year = LocalizedMonthNumberField().clean  # a report's or lock exception's month
    with translation.override(language):
        refusals = [
            (refusal(month_box, "Nov-26"), "03.2027", month_box),
            (refusal(beside_year, "Aprill"), "04.2027", beside_year),
            (refusal(_period, "Nov-26"), "03.2024", _period),  # the import's month column
            (refusal(_period, ""), "03.2024", _period),
        ]
    for message, dotted, take in refusals:
        examples = EXAMPLE.findall(message)
        assert dotted in examples, message
        assert len(examples) >= 4, message
        for example in examples:
            take(example)  # taken: no error


def listed_forms(help_text: str, before: str, after: str) -> list[str]:
    """The forms a help text lists between `before` and `after` ("a, b atau c")."""
    listed = help_text.split(before, 1)[1].rsplit(after, 1)[0]
    first, _sep, last = listed.replace(" or ", " atau ").rpartition(" atau ")
    return [*first.split(", "), last]


@pytest.mark.parametrize(
    ("language", "before"), [("id", "Tulis bulannya: "), ("en", "Write the month: ")]
)
def test_an_exemptions_month_boxes_list_every_form_they_take(
    admin_client, reference_data, language, before
):
    """The help text said "mis. Maret 2027 atau 03/2027" while 03.2027, 2027-03 and "Mar
    2027" were taken too: it lists the forms `typed_month` takes, each read back here by
    the admin's box and the import."""
    from django.urls import reverse

    from tests.helpers import element_text, find, page

    admin_client.cookies["bahasa"] = language
    shown = page(admin_client.get(reverse("admin:programs_reportingexemption_add")))
    for name in ("start", "end"):
        help_text = element_text(find(shown, "div", id=f"id_{name}_helptext"))
        forms = listed_forms(help_text, before, " (")
        assert "03.2027" in forms and "2027-03" in forms and len(forms) == 7
        with translation.override(language):
            for typed in forms:
                assert LocalizedMonthField().clean(typed).isoformat() == "2027-03-01", typed
                assert _period(typed) == (2027, 3)


@pytest.mark.parametrize("language", ["id", "en"])
def test_a_lock_exceptions_month_box_lists_the_forms_it_takes(
    admin_client, reference_data, language
):
    from django.urls import reverse

    from tests.helpers import element_text, find, page

    admin_client.cookies["bahasa"] = language
    shown = page(admin_client.get(reverse("admin:programs_lockexception_add")))
    help_text = element_text(find(shown, "div", id="id_month_helptext"))
    forms = listed_forms(help_text, ": ", " (")
    assert len(forms) == 5
    with translation.override(language):
        for typed in forms:
            assert LocalizedMonthNumberField().clean(typed) == 4, typed
