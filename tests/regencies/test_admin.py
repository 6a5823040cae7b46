"""The Django admin of regencies and of users with their scope."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programs.models import Program
from regencies.models import Regency, UserScope
from tests.factories import UserFactory, UserScopeFactory
from tests.helpers import (
    admin_column,
    admin_headers,
    attribute,
    error_messages,
    find,
    flat_html,
    formset_data,
    page,
)

pytestmark = pytest.mark.django_db

OPERATOR_NEEDS_REGENCY = "Operator harus memiliki kabupaten/kota."
PAGES = [
    "admin:regencies_regency_changelist",
    "admin:regencies_regency_add",
    "admin:regencies_userscope_changelist",
    "admin:regencies_userscope_add",
    "admin:auth_user_changelist",
    "admin:auth_user_add",
]


def scope_inline(**fields) -> dict:
    """The POST of the user page's scope inline (prefix `scope`)."""
    return formset_data("scope", fields, initial=0, max_num=1)


def user_change_data(user, **inline) -> dict:
    return {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "date_joined_0": "2024-03-25",
        "date_joined_1": "08:00:00",
        "last_login_0": "",
        "last_login_1": "",
        "_save": "Simpan",
        **scope_inline(user=user.pk, **inline),
    }


@pytest.mark.parametrize("url_name", PAGES)
def test_pages_render(admin_client, reference_data, url_name):
    UserScopeFactory(role=UserScope.Role.OPERATOR, regency_id="16.07")

    response = admin_client.get(reverse(url_name))

    assert response.status_code == 200


def test_regency_list_shows_the_reference_regencies(admin_client, reference_data):
    response = admin_client.get(reverse("admin:regencies_regency_changelist"))

    assert len(response.context["cl"].result_list) == 17
    assert "Banyuasin" in admin_column(response, "name")
    assert "Pangkalan Balai" in admin_column(response, "capital")  # capital of Banyuasin
    assert "Kode BPS" in admin_headers(response)


def test_regency_code_is_read_only_once_created(admin_client, reference_data):
    response = admin_client.get(reverse("admin:regencies_regency_change", args=["16.07"]))

    form = response.context["adminform"].form
    assert "code" not in form.fields
    assert "bps_code" in form.fields


def test_user_page_has_the_scope_inline(admin_client, db):
    user = UserFactory()

    for url in (
        reverse("admin:auth_user_add"),
        reverse("admin:auth_user_change", args=[user.pk]),
    ):
        inline = find(page(admin_client.get(url)), id="scope-group")
        find(inline, "input", name="scope-TOTAL_FORMS")
        find(inline, "select", name="scope-0-role")


def test_user_page_sets_role_regency_and_programs(admin_client, reference_data):
    user = UserFactory()
    programs = list(Program.objects.filter(slug__in=["gbrss", "gpsss"]))

    response = admin_client.post(
        reverse("admin:auth_user_change", args=[user.pk]),
        user_change_data(
            user,
            role=UserScope.Role.OPERATOR,
            regency="16.07",
            programs=[p.pk for p in programs],
        ),
    )

    assert response.status_code == 302
    scope = UserScope.objects.get(user=user)
    assert scope.role == UserScope.Role.OPERATOR
    assert scope.regency_id == "16.07"
    assert set(scope.programs.all()) == set(programs)


def test_new_user_gets_a_scope_on_the_add_page(admin_client, reference_data):
    data = {
        "username": "verifikator-baru",
        "usable_password": "true",
        "password1": "Sandi-Kuat-Sumsel-2024",
        "password2": "Sandi-Kuat-Sumsel-2024",
        "_save": "Simpan",
        **scope_inline(role=UserScope.Role.VERIFIKATOR),
    }

    response = admin_client.post(reverse("admin:auth_user_add"), data)

    assert response.status_code == 302
    scope = UserScope.objects.get(user__username="verifikator-baru")
    assert scope.role == UserScope.Role.VERIFIKATOR
    assert scope.regency is None


def test_operator_without_regency_is_refused_on_the_user_page(admin_client, db):
    user = UserFactory()

    response = admin_client.post(
        reverse("admin:auth_user_change", args=[user.pk]),
        user_change_data(user, role=UserScope.Role.OPERATOR, regency=""),
    )

    assert response.status_code == 200
    assert error_messages(find(page(response), id="scope-group")) == [OPERATOR_NEEDS_REGENCY]
    assert not UserScope.objects.exists()


def test_operator_without_regency_is_refused_on_the_scope_page(admin_client, db):
    user = UserFactory()

    response = admin_client.post(
        reverse("admin:regencies_userscope_add"),
        {"user": user.pk, "role": UserScope.Role.OPERATOR, "regency": "", "_save": "Simpan"},
    )

    assert response.status_code == 200
    assert error_messages(page(response)) == [OPERATOR_NEEDS_REGENCY]
    assert not UserScope.objects.exists()


def test_existing_operator_cannot_lose_its_regency(admin_client, reference_data):
    scope = UserScopeFactory(role=UserScope.Role.OPERATOR, regency_id="16.07")

    response = admin_client.post(
        reverse("admin:regencies_userscope_change", args=[scope.pk]),
        {"user": scope.user_id, "role": UserScope.Role.OPERATOR, "regency": "", "_save": "Simpan"},
    )

    assert error_messages(page(response)) == [OPERATOR_NEEDS_REGENCY]
    scope.refresh_from_db()
    assert scope.regency_id == "16.07"


def test_scope_list_filters_by_role_and_shows_programs(admin_client, reference_data):
    operator = UserScopeFactory(role=UserScope.Role.OPERATOR, regency_id="16.07")
    operator.programs.set(Program.objects.filter(slug="gbrss"))
    UserScopeFactory(role=UserScope.Role.PIMPINAN)
    url = reverse("admin:regencies_userscope_changelist")

    response = admin_client.get(url, {"role__exact": "operator"})

    assert list(response.context["cl"].result_list) == [operator]
    assert admin_column(response, "program_list") == ["GBRSS"]
    assert admin_column(response, "regency") == ["Kab. Banyuasin"]
    assert "Semua program" in admin_column(admin_client.get(url), "program_list")


@pytest.mark.parametrize(
    "url_name", ["admin:regencies_userscope_changelist", "admin:auth_user_changelist"]
)
def test_user_and_scope_lists_run_a_fixed_number_of_queries(admin_client, reference_data, url_name):
    programs = list(Program.objects.all())
    regencies = list(Regency.objects.all())

    def add_scopes(count):
        for i in range(count):
            scope = UserScopeFactory(role=UserScope.Role.OPERATOR, regency=regencies[i % 17])
            scope.programs.set(programs[:2])

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = admin_client.get(reverse(url_name))
        assert response.status_code == 200
        return len(captured)

    add_scopes(3)
    admin_client.get(reverse(url_name))
    few = queries()
    add_scopes(20)

    assert queries() == few
    assert get_user_model().objects.count() == 24  # 23 scoped users and the admin


def regency_change(admin_client, regency, **overrides):
    """POST the regency's change form as it stands, with `overrides` applied."""
    data = {
        "bps_code": regency.bps_code,
        "name": regency.name,
        "kind": regency.kind,
        "capital": regency.capital,
        "area_km2": "" if regency.area_km2 is None else str(regency.area_km2),
        "population": "" if regency.population is None else str(regency.population),
        "population_year": regency.population_year or "",
        "source_note": regency.source_note,
        "_save": "Simpan",
        **overrides,
    }
    return admin_client.post(reverse("admin:regencies_regency_change", args=[regency.pk]), data)


AREA_NOT_POSITIVE = "Luas wilayah harus lebih dari 0 km² (kosongkan bila belum diketahui)."
POPULATION_NOT_POSITIVE = "Jumlah penduduk harus lebih dari 0 (kosongkan bila belum diketahui)."


@pytest.mark.parametrize("typed", ["-1", "0", "0,000"])
def test_regency_area_must_be_more_than_zero(admin_client, reference_data, typed):
    """A regency of 0 km² was saved (its density and per-km² figures divide by it)."""
    regency = Regency.objects.get(code="16.07")
    before = regency.area_km2

    response = regency_change(admin_client, regency, area_km2=typed)

    assert response.status_code == 200
    assert error_messages(find(page(response), "div", class_="field-area_km2")) == [
        AREA_NOT_POSITIVE
    ]
    regency.refresh_from_db()
    assert regency.area_km2 == before


@pytest.mark.parametrize("typed", ["0", "-5", "-955.000"])
def test_regency_population_must_be_more_than_zero(admin_client, reference_data, typed):
    regency = Regency.objects.get(code="16.07")
    before = regency.population

    response = regency_change(admin_client, regency, population=typed)

    assert response.status_code == 200
    assert error_messages(find(page(response), "div", class_="field-population")) == [
        POPULATION_NOT_POSITIVE
    ]
    regency.refresh_from_db()
    assert regency.population == before


def test_a_new_regency_of_zero_area_or_population_is_refused(admin_client, reference_data):
    data = {
        "code": "16.99",
        "bps_code": "1699",
        "name": "Uji",
        "kind": "kabupaten",
        "area_km2": "0",
        "population": "0",
        "_save": "Simpan",
    }

    response = admin_client.post(reverse("admin:regencies_regency_add"), data)

    assert response.status_code == 200
    assert error_messages(page(response)) == [AREA_NOT_POSITIVE, POPULATION_NOT_POSITIVE]
    assert not Regency.objects.filter(code="16.99").exists()


@pytest.mark.parametrize("field", ["area_km2", "population"])
def test_a_fixture_with_a_regency_of_zero_area_or_population_does_not_load(
    reference_data, tmp_path, field
):
    """loaddata skips the model's checks: the database refuses the row instead, and the
    stored regency stays as it was."""
    import json

    from django.core.management import call_command
    from django.db import IntegrityError, transaction

    before = Regency.objects.values("area_km2", "population").get(code="16.07")
    fixture = tmp_path / "regencies.json"
    fields = {"bps_code": "1607", "name": "Banyuasin", "kind": "kabupaten", field: 0}
    fixture.write_text(
        json.dumps([{"model": "regencies.regency", "pk": "16.07", "fields": fields}])
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        call_command("loaddata", str(fixture), verbosity=0)

    assert Regency.objects.values("area_km2", "population").get(code="16.07") == before


@pytest.mark.parametrize(
    "language, typed", [("id", "1.234.567"), ("id", "1234567"), ("en", "1,234,567")]
)
def test_regency_population_takes_thousands_separators(
    admin_client, reference_data, language, typed
):
    """Whole numbers are typed like the decimals: with the active language's grouping."""
    admin_client.cookies["bahasa"] = language
    regency = Regency.objects.get(code="16.07")

    response = regency_change(
        admin_client, regency, population=typed, confirm_large_change="on"
    )  # a large change (from about 900.000): confirmed

    assert response.status_code == 302, error_messages(page(response))
    regency.refresh_from_db()
    assert regency.population == 1234567


def test_regency_population_refuses_a_fraction(admin_client, reference_data):
    regency = Regency.objects.get(code="16.07")
    before = regency.population

    response = regency_change(admin_client, regency, population="1.234,5")

    assert response.status_code == 200
    assert error_messages(find(page(response), "div", class_="field-population"))
    regency.refresh_from_db()
    assert regency.population == before


def test_a_large_change_of_a_regencys_area_or_population_is_confirmed(admin_client, reference_data):
    """12.258 km² typed as 2,5 was saved without a word (a target's value asks first):
    refused beside the field until 'Ya, perubahan ini benar' is ticked."""
    regency = Regency.objects.get(code="16.07")
    regency.area_km2, regency.population = Decimal("12258"), 900000
    regency.save()

    for field, typed in [("area_km2", "2,5"), ("population", "90.000")]:
        response = regency_change(admin_client, regency, **{field: typed})
        assert response.status_code == 200
        [message] = error_messages(find(page(response), "div", class_=f"field-{field}"))
        assert message.startswith("Perubahan besar: dari ")
        assert "centang 'Ya, perubahan ini benar'" in message
        regency.refresh_from_db()
        assert (regency.area_km2, regency.population) == (Decimal("12258"), 900000)

    small = regency_change(admin_client, regency, area_km2="12.300,5", population="950.000")
    assert small.status_code == 302, error_messages(page(small))
    regency.refresh_from_db()
    confirmed = regency_change(admin_client, regency, area_km2="2,5", confirm_large_change="on")
    assert confirmed.status_code == 302, error_messages(page(confirmed))
    regency.refresh_from_db()
    assert (regency.area_km2, regency.population) == (Decimal("2.5"), 950000)


@pytest.mark.usefixtures("frozen_clock")  # 27 June 2025
@pytest.mark.parametrize("year", ["1800", "1899", "2026", "2205"])
def test_a_population_year_outside_1900_to_this_year_is_refused(admin_client, reference_data, year):
    regency = Regency.objects.get(code="16.07")

    response = regency_change(admin_client, regency, population_year=year)

    assert response.status_code == 200
    assert error_messages(find(page(response), "div", class_="field-population_year")) == [
        "Tahun data penduduk antara 1900 dan 2025 (tahun ini): periksa tahunnya."
    ]
    regency.refresh_from_db()
    assert regency.population_year == 2025


def test_a_population_typed_with_a_decimal_comma_says_how_to_write_thousands(
    admin_client, reference_data
):
    """'888,324' got Django's stock "Masukkan bilangan bulat."; now it says that the dot
    groups thousands in Indonesian (and the comma in English)."""
    regency = Regency.objects.get(code="16.07")
    response = regency_change(admin_client, regency, population="888,324")
    assert error_messages(find(page(response), "div", class_="field-population")) == [
        "Isi bilangan bulat tanpa desimal. Ribuan dipisah titik dan koma menandai desimal: "
        "tulis 888.324 (delapan ratus delapan puluh delapan ribu tiga ratus dua puluh empat), "
        "bukan 888,324."
    ]
    admin_client.cookies["bahasa"] = "en"
    response = regency_change(admin_client, regency, population="888.324")
    assert error_messages(find(page(response), "div", class_="field-population")) == [
        "Type a whole number without decimals. Thousands are separated by a comma and the "
        "decimal mark is a point: type 888,324 (eight hundred eighty-eight thousand three "
        "hundred twenty-four), not 888.324."
    ]


def test_whole_numbers_are_text_inputs_and_years_show_ungrouped(admin_client, reference_data):
    response = admin_client.get(reverse("admin:regencies_regency_change", args=["16.07"]))

    year = find(page(response), "input", name="population_year")
    assert attribute(year, "value") == "2025"
    # A text input: a browser's number input would drop 1.234.567 before sending it.
    population = find(page(response), "input", name="population")
    assert (attribute(population, "type"), attribute(population, "inputmode")) == (
        "text",
        "numeric",
    )


@pytest.mark.parametrize("language, shown", [("id", "888.324"), ("en", "888,324")])
def test_population_is_shown_grouped_and_saved_as_shown(
    admin_client, reference_data, language, shown
):
    """The population box read "888324" (a year's way) while the list and the pages write
    888.324: it is grouped as the language writes it, and saving the page as shown keeps
    the number."""
    admin_client.cookies["bahasa"] = language
    url = reverse("admin:regencies_regency_change", args=["16.07"])

    response = admin_client.get(url)

    population = find(page(response), "input", name="population")
    assert attribute(population, "value") == shown
    assert attribute(find(page(response), "input", name="population_year"), "value") == "2025"
    saved = regency_change(admin_client, Regency.objects.get(code="16.07"), population=shown)
    assert saved.status_code == 302, error_messages(page(saved))
    assert Regency.objects.get(code="16.07").population == 888324


@pytest.mark.parametrize("role", [UserScope.Role.VERIFIKATOR, UserScope.Role.PIMPINAN])
def test_a_province_role_with_a_regency_is_refused(admin_client, reference_data, role):
    """A verifier or leader sees every regency: a regency given to them would be ignored
    while the admin believes it limits them."""
    user = UserFactory()

    response = admin_client.post(
        reverse("admin:regencies_userscope_add"),
        {"user": user.pk, "role": role, "regency": "16.07", "_save": "Simpan"},
    )

    assert response.status_code == 200
    assert error_messages(page(response)) == [
        "Kabupaten/kota hanya untuk operator: kosongkan untuk peran ini."
    ]
    assert not UserScope.objects.exists()


def test_a_user_named_in_the_audit_trail_is_not_deleted(admin_client, reference_data):
    """Deleting a verifier emptied "Diverifikasi oleh" on every report they verified."""
    from programs.models import MonthlyReport
    from tests.factories import MonthlyReportFactory

    verifier = UserScopeFactory(role=UserScope.Role.VERIFIKATOR).user
    report = MonthlyReportFactory(
        regency=Regency.objects.get(code="16.07"),
        program=Program.objects.get(slug="gbrss"),
        verified_by=verifier,
    )
    url = reverse("admin:auth_user_delete", args=[verifier.pk])

    shown = flat_html(admin_client.get(url))
    response = admin_client.post(url, {"post": "yes"})

    # the report and its history record
    assert f"{verifier.username} tercatat dalam jejak audit (2 catatan" in shown
    assert "nonaktifkan saja akunnya" in shown
    assert response.status_code == 200  # the refusal again, nothing deleted
    assert get_user_model().objects.filter(pk=verifier.pk).exists()
    assert MonthlyReport.objects.get(pk=report.pk).verified_by == verifier


def test_users_named_in_the_audit_trail_are_not_deleted_from_the_list(admin_client, reference_data):
    from tests.factories import MonthlyReportFactory

    operator = UserScopeFactory(role=UserScope.Role.OPERATOR, regency_id="16.07").user
    MonthlyReportFactory(
        regency=Regency.objects.get(code="16.07"),
        program=Program.objects.get(slug="gbrss"),
        submitted_by=operator,
    )
    unused = UserFactory()

    admin_client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "delete_selected", "_selected_action": [operator.pk, unused.pk], "post": "yes"},
    )

    assert set(get_user_model().objects.filter(pk__in=[operator.pk, unused.pk])) == {
        operator,
        unused,
    }


def test_a_user_who_did_nothing_can_still_be_deleted(admin_client, reference_data):
    mistaken = UserScopeFactory(role=UserScope.Role.PIMPINAN).user

    response = admin_client.post(
        reverse("admin:auth_user_delete", args=[mistaken.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not get_user_model().objects.filter(pk=mistaken.pk).exists()


BPS_CODE_INVALID = "Kode BPS terdiri atas 4 angka tanpa titik, misalnya 1607 untuk Banyuasin."


@pytest.mark.parametrize(
    "typed",
    ["16.07", "160", "16071", "abcd", "16O7", "١٦٠٧", "1607😀", "16 07", "<i>1</i>"],
)
def test_a_bps_code_that_is_not_four_digits_is_refused(admin_client, reference_data, typed):
    """Any text was saved as a BPS code (fixtures/regencies.json: 1607, 1671, always four
    digits)."""
    regency = Regency.objects.get(code="16.07")

    response = regency_change(admin_client, regency, bps_code=typed, name="Banyuasin Baru")

    assert response.status_code == 200
    assert error_messages(find(page(response), "div", class_="field-bps_code")) == [
        BPS_CODE_INVALID
    ]
    regency.refresh_from_db()
    assert (regency.bps_code, regency.name) == ("1607", "Banyuasin")


def test_a_bps_code_of_another_regency_is_refused(admin_client, reference_data):
    regency = Regency.objects.get(code="16.07")

    response = regency_change(admin_client, regency, bps_code="1671")

    assert response.status_code == 200
    assert error_messages(find(page(response), "div", class_="field-bps_code")) == [
        "Kode BPS 1671 sudah dipakai Kota Palembang."
    ]
    assert Regency.objects.get(code="16.07").bps_code == "1607"


def test_a_new_regency_with_a_wrong_bps_code_is_not_added(admin_client, reference_data):
    data = {"code": "16.99", "bps_code": "16-99", "name": "Uji", "kind": "kabupaten"}

    response = admin_client.post(reverse("admin:regencies_regency_add"), {**data, "_save": "1"})

    assert response.status_code == 200
    assert error_messages(page(response)) == [BPS_CODE_INVALID]
    assert not Regency.objects.filter(code="16.99").exists()


def test_every_shipped_bps_code_is_valid(reference_data):
    """The fixtures' codes (and the database's constraint) agree with the admin's rule."""
    for regency in Regency.objects.all():
        regency.full_clean()
    assert Regency.objects.count() == 17


def test_a_fixture_with_a_wrong_bps_code_does_not_load(reference_data, tmp_path):
    """loaddata skips the model's checks: the database refuses the row instead."""
    import json

    from django.core.management import call_command
    from django.db import IntegrityError, transaction

    fixture = tmp_path / "regencies.json"
    fields = {"bps_code": "16.07", "name": "Banyuasin", "kind": "kabupaten"}
    fixture.write_text(
        json.dumps([{"model": "regencies.regency", "pk": "16.07", "fields": fields}])
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        call_command("loaddata", str(fixture), verbosity=0)

    assert Regency.objects.get(code="16.07").bps_code == "1607"
