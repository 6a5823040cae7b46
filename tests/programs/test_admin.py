"""The Django admin of programs: pages, target allocation, the change-reason rule."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programs.forms_admin import (
    CHANGED_SINCE_LIST_OPENED,
    INDICATOR_NOT_IN_PROGRAM,
    REASON_REQUIRED,
)
from programs.models import Indicator, MonthlyReport, Target
from regencies.models import Regency
from tests.admin_helpers import (
    change_data,
    changelist_data,
    field_errors,
    gbrss_indicator,
    gbrss_province_target,
    realize,
    row_cells,
)
from tests.factories import (
    FundingSourceFactory,
    IndicatorFactory,
    MonthlyReportFactory,
    ProgramFactory,
    RealizationFactory,
    RegencyFactory,
    TargetFactory,
)
from tests.helpers import (
    admin_column,
    admin_headers,
    admin_row,
    attribute,
    cells,
    element_text,
    error_messages,
    find,
    find_all,
    flat_html,
    page,
)

pytestmark = pytest.mark.django_db

LIST_EDIT_REFUSED_START = "Target ini sudah memiliki realisasi, sehingga perubahannya"

MODELS = ["program", "indicator", "fundingsource", "target", "monthlyreport", "realization"]


# Pages


@pytest.mark.parametrize("model", MODELS)
def test_changelist_and_add_pages_render(admin_client, reference_data, model):
    target = gbrss_province_target()
    realize(target, regency=Regency.objects.get(code="16.07"))

    for view in ("changelist", "add"):
        response = admin_client.get(reverse(f"admin:programs_{model}_{view}"))
        # Realizations are added on their report's page only.
        expected = 403 if (model, view) == ("realization", "add") else 200
        assert response.status_code == expected, (model, view)


def test_change_and_history_pages_render(admin_client, reference_data):
    target = gbrss_province_target()
    realization = realize(target, regency=Regency.objects.get(code="16.07"))
    pages = [
        reverse("admin:programs_program_change", args=[target.indicator.program_id]),
        reverse("admin:programs_indicator_change", args=[target.indicator_id]),
        reverse("admin:programs_target_change", args=[target.pk]),
        reverse("admin:programs_target_history", args=[target.pk]),
        reverse("admin:programs_monthlyreport_change", args=[realization.report_id]),
        reverse("admin:programs_monthlyreport_history", args=[realization.report_id]),
        reverse("admin:programs_realization_change", args=[realization.pk]),
    ]
    for url in pages:
        response = admin_client.get(url)
        assert response.status_code == 200, url

    target_page = page(admin_client.get(pages[2]))
    assert element_text(find(target_page, "label", for_="id_change_reason")) == "Alasan perubahan:"
    milestone_labels = [
        attribute(field, "value")
        for field in find_all(find(target_page, id="milestones-group"), "input")
        if (attribute(field, "name") or "").endswith("-label")
    ]
    assert "Menjelang HUT ke-78 Sumsel" in milestone_labels  # milestone inline
    find(target_page, "input", name="splits-TOTAL_FORMS")


def test_target_add_page_asks_no_reason(admin_client, db):
    response = admin_client.get(reverse("admin:programs_target_add"))

    tree = page(response)
    assert not find_all(tree, "label", for_="id_change_reason")
    assert not find_all(tree, "textarea", name="change_reason")
    assert not find_all(tree, "input", name="change_reason")


# Allocation of province targets


def test_province_target_shows_allocation_and_remainder(admin_client, reference_data):
    indicator = gbrss_indicator()
    province = gbrss_province_target()
    regency_targets = [
        TargetFactory(indicator=indicator, regency_id=code, year=2024, value=Decimal(value))
        for code, value in (("16.01", 1000), ("16.02", 2000), ("16.03", 391))
    ]
    # Another year's regency target is not part of the 2024 allocation.
    TargetFactory(indicator=indicator, regency_id="16.04", year=2025, value=Decimal(500))
    sanitation = Target.objects.get(indicator__code="unit-sanitasi", regency__isnull=True)

    response = admin_client.get(reverse("admin:programs_target_changelist"))

    headers = admin_headers(response)
    assert "Alokasi kab/kota" in headers
    assert "Belum dialokasikan" in headers
    cells = row_cells(response, province)
    assert cells["year_label"] == "2024"
    assert cells["allocation"] == "3.391"
    assert cells["unallocated"] == "5.000"
    # A province target without regency targets is entirely unallocated.
    cells = row_cells(response, sanitation)
    assert cells["allocation"] == "0"
    assert cells["unallocated"] == "6.984"
    # Regency rows have no allocation of their own.
    cells = row_cells(response, regency_targets[0])
    assert cells["area"] == "Kab. Ogan Komering Ulu"
    assert cells["allocation"] == cells["unallocated"] == "-"


def test_province_filter_lists_only_province_targets(admin_client, reference_data):
    regency_target = TargetFactory(indicator=gbrss_indicator(), regency_id="16.07")

    url = reverse("admin:programs_target_changelist")

    response = admin_client.get(url, {"wilayah": "provinsi"})

    targets = list(response.context["cl"].result_list)
    assert targets
    assert all(t.regency_id is None for t in targets)
    assert regency_target not in targets
    response = admin_client.get(url, {"wilayah": "16.07"})
    assert list(response.context["cl"].result_list) == [regency_target]


def test_target_changelist_runs_a_fixed_number_of_queries(admin_client, db):
    program = ProgramFactory()
    regency, reporting_regency = RegencyFactory.create_batch(2)
    report = MonthlyReportFactory(regency=reporting_regency, program=program)
    province_targets = []

    def add_targets(count):
        """Alternately a realized province target of 100 and a regency target of 30."""
        for _ in range(count):
            if Target.objects.count() % 2 == 0:
                indicator = IndicatorFactory(program=program)
                province_targets.append(TargetFactory(indicator=indicator, value=Decimal(100)))
                RealizationFactory(report=report, indicator=indicator)
            else:
                indicator = province_targets[-1].indicator
                TargetFactory(indicator=indicator, regency=regency, value=Decimal(30))

    def changelist_queries(rows):
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(reverse("admin:programs_target_changelist"))
        assert response.status_code == 200
        assert len(response.context["cl"].result_list) == Target.objects.count() == rows
        cells = row_cells(response, province_targets[0])
        assert (cells["allocation"], cells["unallocated"]) == ("30", "70")
        return len(queries)

    add_targets(17)
    admin_client.get(reverse("admin:programs_target_changelist"))  # warm caches
    few = changelist_queries(17)
    add_targets(23)
    many = changelist_queries(40)

    assert few == many
    assert many <= 15


# The change-reason rule: change form


def test_changing_a_realized_target_without_reason_is_refused(admin_client, reference_data):
    target = gbrss_province_target()
    realize(target, regency=Regency.objects.get(code="16.07"))
    url = reverse("admin:programs_target_change", args=[target.pk])
    history_count = target.history.count()

    response = admin_client.post(url, change_data(target, value="9000"))

    assert response.status_code == 200
    assert field_errors(response, "change_reason") == [str(REASON_REQUIRED)]
    assert response.context["adminform"].form.errors["change_reason"] == [str(REASON_REQUIRED)]
    target.refresh_from_db()
    assert target.value == Decimal(8391)
    assert target.history.count() == history_count


@pytest.mark.parametrize(
    "change",
    [{"baseline": "10"}, {"due_date": "2024-11-30"}, {"year": "2025"}],
    ids=["baseline", "due_date", "year"],
)
def test_every_guarded_field_needs_a_reason(admin_client, reference_data, change):
    target = gbrss_province_target()
    realize(target, regency=Regency.objects.get(code="16.07"), status="draft")
    url = reverse("admin:programs_target_change", args=[target.pk])

    response = admin_client.post(url, change_data(target, **change))

    assert response.status_code == 200
    assert field_errors(response, "change_reason") == [str(REASON_REQUIRED)]
    target.refresh_from_db()
    assert (target.value, target.baseline, target.due_date, target.year) == (
        Decimal(8391),
        None,
        dt.date(2024, 12, 31),
        2024,
    )


def test_changing_a_realized_target_with_reason_saves_it_in_history(admin_client, reference_data):
    target = gbrss_province_target()
    realize(target, regency=Regency.objects.get(code="16.07"))
    url = reverse("admin:programs_target_change", args=[target.pk])
    reason = "Revisi data Disperkim Juni 2024"

    response = admin_client.post(url, change_data(target, value="8279", change_reason=reason))

    assert response.status_code == 302
    target.refresh_from_db()
    assert target.value == Decimal(8279)
    latest = target.history.first()
    assert latest.history_change_reason == reason
    assert latest.value == Decimal(8279)
    assert latest.history_user.username == "admin"


@pytest.mark.parametrize(
    "query",
    [
        "attempt_time__year=9999",
        "attempt_time__year=9999&attempt_time__month=12&attempt_time__day=31",
        "attempt_time__year=99999999999999999999",
    ],
)
def test_a_login_log_year_past_the_calendar_is_ignored_not_a_500(admin_client, query):
    """The login logs (Admin -> Axes) are listed by date: a year past 9998 in their
    address, typed or edited, answered 500. The list opens unfiltered, as for any other
    wrong filter."""
    for path in ("/admin/axes/accesslog/", "/admin/axes/accessattempt/"):
        response = admin_client.get(f"{path}?{query}")
        assert response.status_code == 302 and response["Location"] == f"{path}?e=1"
        assert admin_client.get(response["Location"]).status_code == 200


def test_a_nul_in_an_admin_text_field_is_a_field_error_not_a_400(admin_client, reference_data):
    """A NUL pasted into the source note and the reason: each field says so, what was
    typed stays in the form, the target is unchanged."""
    target = gbrss_province_target()
    realize(target, regency=Regency.objects.get(code="16.07"))
    url = reverse("admin:programs_target_change", args=[target.pk])
    data = change_data(target, value="8279", source_note="Perda\x00 2024", change_reason="a\x00")
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert field_errors(response, "source_note") == ["Karakter null tidak diizinkan."]
    assert field_errors(response, "change_reason") == ["Karakter null tidak diizinkan."]
    assert 'value="8279"' in response.content.decode()
    target.refresh_from_db()
    assert target.value == Decimal(8391)


def test_a_change_reason_too_long_is_refused_with_id_id_numbers(admin_client, reference_data):
    target = gbrss_province_target()
    realize(target, regency=Regency.objects.get(code="16.07"))
    url = reverse("admin:programs_target_change", args=[target.pk])
    response = admin_client.post(url, change_data(target, value="8279", change_reason="x" * 1001))
    assert response.status_code == 200
    assert field_errors(response, "change_reason") == [
        "Paling banyak 1.000 karakter (sekarang 1.001 karakter)."
    ]
    target.refresh_from_db()
    assert target.value == Decimal(8391)


def test_history_shows_a_dash_for_no_reason_and_indonesian_headers(admin_client, reference_data):
    target = gbrss_province_target()
    realize(target, regency=Regency.objects.get(code="16.07"))
    url = reverse("admin:programs_target_change", args=[target.pk])
    reason = "Revisi data Disperkim Juni 2024"
    changed = admin_client.post(url, change_data(target, value="8279", change_reason=reason))
    assert changed.status_code == 302
    target.refresh_from_db()
    # A change that needs no reason (the source note): saved without one.
    assert (
        admin_client.post(url, change_data(target, source_note="Catatan baru")).status_code == 302
    )
    history = page(admin_client.get(reverse("admin:programs_target_history", args=[target.pk])))
    table = find(history, "table", id="change-history")
    headers = [element_text(th) for th in find_all(find(table, "thead"), "th")]
    assert headers[-2:] == ["Alasan perubahan", "Perubahan"]
    column = headers.index("Alasan perubahan")
    reasons = [cells(row)[column] for row in find_all(find(table, "tbody"), "tr")]
    assert reasons[:2] == ["–", reason]  # newest first
    assert "None" not in element_text(table)


def test_source_note_of_a_realized_target_changes_without_reason(admin_client, reference_data):
    target = gbrss_province_target()
    realize(target, regency=Regency.objects.get(code="16.07"))
    url = reverse("admin:programs_target_change", args=[target.pk])

    response = admin_client.post(url, change_data(target, source_note="Catatan baru"))

    assert response.status_code == 302
    target.refresh_from_db()
    assert target.source_note == "Catatan baru"


def test_reverting_a_realized_target_from_history_needs_a_reason(admin_client, reference_data):
    target = gbrss_province_target()
    target.save()  # a first history record, with 8,391
    first_version = target.history.get()
    target.value = Decimal(8000)
    target.save()
    realize(target, regency=Regency.objects.get(code="16.07"))
    url = reverse("admin:programs_target_simple_history", args=[target.pk, first_version.pk])

    refused = admin_client.post(url, change_data(target, value="8391"))
    reverted = admin_client.post(url, change_data(target, value="8391", change_reason="Koreksi"))

    assert field_errors(refused, "change_reason") == [str(REASON_REQUIRED)]
    assert reverted.status_code == 302
    target.refresh_from_db()
    assert target.value == Decimal(8391)
    assert target.history.first().history_change_reason == "Koreksi"


@pytest.mark.parametrize(
    ("where", "needs_reason"),
    [
        ("same regency", True),
        ("other regency", False),
        ("other year", False),
        ("other indicator", False),
    ],
)
def test_regency_target_realizations_are_those_of_its_regency_and_year(
    admin_client, reference_data, where, needs_reason
):
    target = TargetFactory(indicator=gbrss_indicator(), regency_id="16.07", value=Decimal(500))
    if where == "same regency":
        realize(target, regency=target.regency)
    elif where == "other regency":
        realize(target, regency=Regency.objects.get(code="16.01"))
    elif where == "other year":
        realize(target, regency=target.regency, year=2023)
    else:
        other = TargetFactory(indicator=IndicatorFactory(program=target.indicator.program))
        realize(other, regency=target.regency)
    url = reverse("admin:programs_target_change", args=[target.pk])

    response = admin_client.post(url, change_data(target, value="600"))

    target.refresh_from_db()
    if needs_reason:
        assert field_errors(response, "change_reason") == [str(REASON_REQUIRED)]
        assert target.value == Decimal(500)
    else:
        assert response.status_code == 302
        assert target.value == Decimal(600)


# The change-reason rule: changelist (list_editable)


def test_list_edit_of_a_realized_target_is_refused(admin_client, reference_data):
    target = gbrss_province_target()
    realize(target, regency=Regency.objects.get(code="16.07"))
    history_count = target.history.count()

    response = admin_client.post(
        reverse("admin:programs_target_changelist"), changelist_data(target, value="9000")
    )

    assert response.status_code == 200
    refusal = list_edit_refusal(response)
    find(refusal, "a", href=reverse("admin:programs_target_change", args=[target.pk]))
    target.refresh_from_db()
    assert target.value == Decimal(8391)
    assert target.history.count() == history_count


def test_list_edit_is_refused_as_a_whole_when_one_row_is_realized(admin_client, reference_data):
    realized = gbrss_province_target()
    realize(realized, regency=Regency.objects.get(code="16.07"))
    free = Target.objects.get(indicator__code="unit-sanitasi", regency__isnull=True)
    data = changelist_data(realized, value="9000")
    data.update(
        {
            "form-TOTAL_FORMS": "2",
            "form-INITIAL_FORMS": "2",
            "form-1-id": free.pk,
            "form-1-value": "7000",
            "form-1-baseline": "",
            "form-1-due_date": "",
        }
    )

    response = admin_client.post(reverse("admin:programs_target_changelist"), data)

    list_edit_refusal(response)
    free.refresh_from_db()
    assert free.value == Decimal(6984)


def test_list_edit_of_a_target_without_realizations_is_saved(admin_client, reference_data):
    target = gbrss_province_target()
    # A realization of another year does not count against the 2024 target.
    realize(target, regency=Regency.objects.get(code="16.07"), year=2023)

    response = admin_client.post(
        reverse("admin:programs_target_changelist"),
        changelist_data(target, value="8397", due_date="2024-11-30"),
    )

    assert response.status_code == 302
    target.refresh_from_db()
    assert target.value == Decimal(8397)
    assert target.due_date == dt.date(2024, 11, 30)
    latest = target.history.first()
    assert latest.value == Decimal(8397)
    assert latest.history_type == "~"


def test_list_edit_leaving_a_realized_target_unchanged_is_fine(admin_client, reference_data):
    target = gbrss_province_target()
    realize(target, regency=Regency.objects.get(code="16.07"))

    response = admin_client.post(
        reverse("admin:programs_target_changelist"), changelist_data(target, value="8391.0000")
    )

    assert response.status_code == 302


# Two admins: the changelist against a change saved since it was opened


def changelist_as_posted(response) -> dict:
    """The changelist form's inputs as a browser posts them on "Simpan"."""
    form = find(page(response), "form", id="changelist-form")
    data = {
        attribute(element, "name"): attribute(element, "value") or ""
        for element in find_all(form, "input")
        if attribute(element, "name") and attribute(element, "type") not in ("checkbox", "submit")
    }
    return {**data, "_save": "Simpan"}


def row_prefix(data: dict, target: Target) -> str:
    """The formset prefix ("form-3") of `target`'s row in posted changelist data."""
    return next(
        k.removesuffix("-id") for k, v in data.items() if k.endswith("-id") and v == str(target.pk)
    )


def test_list_edit_of_a_target_saved_since_the_list_was_opened_is_refused(
    admin_client, reference_data
):
    target = gbrss_province_target()
    url = reverse("admin:programs_target_changelist")
    data = changelist_as_posted(admin_client.get(url))  # the first admin opens the list
    # A second admin changes the same target through its change form meanwhile.
    change = reverse("admin:programs_target_change", args=[target.pk])
    assert admin_client.post(change, change_data(target, value="8400")).status_code == 302
    data[f"{row_prefix(data, target)}-baseline"] = "100"  # the first admin's own edit

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert str(CHANGED_SINCE_LIST_OPENED % {"value": "8.400"}) in error_messages(page(response))
    target.refresh_from_db()
    assert (target.value, target.baseline) == (Decimal(8400), None)


def test_a_row_left_as_shown_does_not_undo_a_change_saved_since(admin_client, reference_data):
    target = gbrss_province_target()
    other = Target.objects.get(indicator__code="unit-sanitasi", regency__isnull=True, year=2024)
    url = reverse("admin:programs_target_changelist")
    data = changelist_as_posted(admin_client.get(url))
    change = reverse("admin:programs_target_change", args=[target.pk])
    assert admin_client.post(change, change_data(target, value="8400")).status_code == 302
    saved_versions = target.history.count()
    data[f"{row_prefix(data, other)}-value"] = "7.000"  # the first admin edits another row

    response = admin_client.post(url, data)

    assert response.status_code == 302, error_messages(page(response))
    target.refresh_from_db()
    other.refresh_from_db()
    assert target.value == Decimal(8400)  # not the 8.391 the list still showed
    assert target.history.count() == saved_versions
    assert other.value == Decimal(7000)


def test_a_list_edit_of_a_row_nobody_else_changed_is_saved_from_the_page(
    admin_client, reference_data
):
    target = gbrss_province_target()
    url = reverse("admin:programs_target_changelist")
    data = changelist_as_posted(admin_client.get(url))
    data[f"{row_prefix(data, target)}-value"] = "8.400"
    versions = Target.history.count()

    response = admin_client.post(url, data)

    assert response.status_code == 302, error_messages(page(response))
    target.refresh_from_db()
    assert target.value == Decimal(8400)
    assert Target.history.count() == versions + 1  # the edited row only


def test_changelist_marks_targets_with_realizations(admin_client, reference_data):
    realized = gbrss_province_target()
    realize(realized, regency=None)  # the province's own report counts for it
    regency_target = TargetFactory(indicator=realized.indicator, regency_id="16.07")

    response = admin_client.get(reverse("admin:programs_target_changelist"))

    assert realization_icon(response, realized) == "True"
    assert realization_icon(response, regency_target) == "False"


def realization_icon(response, target: Target) -> str | None:
    """The alt text of the yes/no icon in `target`'s "has realizations" cell."""
    link = reverse("admin:programs_target_change", args=[target.pk])
    return attribute(find(admin_row(response, link)["has_realizations"], "img"), "alt")


def list_edit_refusal(response):
    """The changelist's one error refusing a list edit of a realized target."""
    table = find(page(response), "table", id="result_list")
    refusals = [
        errors
        for errors in find_all(table, "ul", class_="errorlist")
        if element_text(errors).startswith(LIST_EDIT_REFUSED_START)
    ]
    assert len(refusals) == 1, error_messages(table)
    return refusals[0]


# Programs and reports


def test_program_list_edits_order_and_active(admin_client, reference_data):
    program = ProgramFactory(order=9, active=True)
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": program.pk,
        "form-0-order": "3",
        "_save": "Simpan",
    }

    response = admin_client.post(reverse("admin:programs_program_changelist"), data)

    assert response.status_code == 302
    program.refresh_from_db()
    assert (program.order, program.active) == (3, False)


def test_program_inline_refuses_two_headline_indicators(admin_client, db):
    program = ProgramFactory()
    data = {
        "slug": program.slug,
        "acronym": program.acronym,
        "name": program.name,
        "colour": "#1f5f8b",
        "order": "0",
        "active": "on",
        "indicators-TOTAL_FORMS": "2",
        "indicators-INITIAL_FORMS": "0",
        "_save": "Simpan",
    }
    for i in range(2):
        data |= {
            f"indicators-{i}-code": f"ind-{i}",
            f"indicators-{i}-name": f"Indikator {i}",
            f"indicators-{i}-unit": "unit",
            f"indicators-{i}-decimals": "0",
            f"indicators-{i}-order": str(i),
            f"indicators-{i}-measure": "increment",
            f"indicators-{i}-direction": "up",
            f"indicators-{i}-is_headline": "on",
        }

    response = admin_client.post(reverse("admin:programs_program_change", args=[program.pk]), data)

    assert response.status_code == 200
    assert error_messages(find(page(response), id="indicators-group")) == [
        "Satu program hanya boleh punya satu indikator utama."
    ]
    assert not program.indicators.exists()


def test_new_report_refuses_an_indicator_of_another_program(admin_client, reference_data):
    program = gbrss_indicator().program
    foreign = Indicator.objects.get(code="unit-sanitasi")
    data = {
        "regency": "16.07",
        "program": program.pk,
        "year": "2024",
        "month": "3",
        "realizations-TOTAL_FORMS": "1",
        "realizations-INITIAL_FORMS": "0",
        "realizations-0-indicator": foreign.pk,
        "realizations-0-funding_source": FundingSourceFactory().pk,
        "realizations-0-value": "5",
        "_save": "Simpan",
    }

    response = admin_client.post(reverse("admin:programs_monthlyreport_add"), data)

    assert response.status_code == 200
    indicator_cell = find(page(response), "td", class_="field-indicator")
    assert error_messages(indicator_cell) == [str(INDICATOR_NOT_IN_PROGRAM)]
    assert not MonthlyReport.objects.exists()


def test_report_inline_offers_only_the_program_indicators(admin_client, reference_data):
    realization = realize(gbrss_province_target(), regency=Regency.objects.get(code="16.07"))

    response = admin_client.get(
        reverse("admin:programs_monthlyreport_change", args=[realization.report_id])
    )

    field = response.context["inline_admin_formsets"][0].formset.forms[0].fields["indicator"]
    assert {i.program.slug for i in field.queryset} == {"gbrss"}


def test_report_admin_saves_realizations_and_bumps_version(admin_client, reference_data):
    target = gbrss_province_target()
    realization = realize(target, regency=Regency.objects.get(code="16.07"))
    report = realization.report
    data = {
        "regency": report.regency_id,
        "program": report.program_id,
        "year": report.year,
        "month": report.month,
        "seen_version": report.version,
        "realizations-TOTAL_FORMS": "1",
        "realizations-INITIAL_FORMS": "1",
        "realizations-0-id": realization.pk,
        "realizations-0-report": report.pk,
        "realizations-0-indicator": realization.indicator_id,
        "realizations-0-funding_source": realization.funding_source_id,
        "realizations-0-value": "12",
        "change_reason": "Koreksi BA verifikasi",  # a verified report's figure
        "confirm_large_change": "on",
        "_save": "Simpan",
    }

    response = admin_client.post(
        reverse("admin:programs_monthlyreport_change", args=[report.pk]), data
    )

    assert response.status_code == 302
    realization.refresh_from_db()
    report.refresh_from_db()
    assert realization.value == Decimal(12)
    assert realization.history.first().value == Decimal(12)
    assert realization.history.first().history_change_reason == "Koreksi BA verifikasi"
    assert report.history.first().history_change_reason == "Koreksi BA verifikasi"
    assert report.version == 2
    assert report.status == MonthlyReport.Status.VERIFIED


def test_report_changelist_filters_by_month_and_province(admin_client, reference_data):
    program = gbrss_indicator().program
    march = MonthlyReportFactory(
        regency=Regency.objects.get(code="16.07"), program=program, month=3
    )
    MonthlyReportFactory(regency=Regency.objects.get(code="16.07"), program=program, month=4)
    province = MonthlyReportFactory(regency=None, program=program, month=4)
    url = reverse("admin:programs_monthlyreport_changelist")

    by_month = admin_client.get(url, {"bulan": "3"}).context["cl"].result_list
    by_area = admin_client.get(url, {"wilayah": "provinsi"}).context["cl"].result_list

    assert list(by_month) == [march]
    assert list(by_area) == [province]
    everything = admin_client.get(url)
    assert "Maret 2024" in admin_column(everything, "period")
    assert "Provinsi" in admin_column(everything, "area")


@pytest.mark.parametrize(
    "model", ["target", "monthlyreport", "realization", "lockexception", "reportingexemption"]
)
def test_history_addresses_without_a_key_are_not_found(admin_client, reference_data, model):
    """As the change view answers: 404 for ids that are no keys, never a 500."""
    realization = realize(gbrss_province_target(), regency=Regency.objects.get(code="16.07"))
    record = {
        "target": realization.indicator.targets.first(),
        "monthlyreport": realization.report,
        "realization": realization,
    }.get(model)
    for object_id in ["abc", "16.07", "1e3", "99999999999999999999", "-1"]:
        url = f"/admin/programs/{model}/{object_id}/history/"
        assert admin_client.get(url).status_code == 404, url
    if record is not None:
        history = f"/admin/programs/{model}/{record.pk}/history/"
        assert admin_client.get(history).status_code == 200
        for version in ["abc", "1e3", "99999999999999999999"]:
            assert admin_client.get(f"{history}{version}/").status_code == 404, version


def test_history_dates_read_as_every_page_writes_them(admin_client, reference_data):
    """The admin's histories showed "31 Des. 2024, 10.00" (Django's abbreviations)."""
    import time_machine

    target = gbrss_province_target()
    moment = dt.datetime(2024, 12, 31, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    with time_machine.travel(moment, tick=False):
        target.value = Decimal(8400)
        target.save()
    response = admin_client.get(f"/admin/programs/target/{target.pk}/history/")
    history = element_text(find(page(response), "table", id="change-history"))
    assert "31 Desember 2024, 10.00" in history
    assert "Des." not in history
    admin_client.cookies["bahasa"] = "en"
    response = admin_client.get(f"/admin/programs/target/{target.pk}/history/")
    history = element_text(find(page(response), "table", id="change-history"))
    assert "31 December 2024, 10:00" in history and "Dec." not in history


def test_realizations_are_found_by_their_regencys_name(admin_client, reference_data):
    """Searching the realizations for "banyuasin" found nothing (only indicators, sources
    and notes were searched); it finds that regency's rows, in as many queries for three
    rows as for one."""
    from tests.admin_helpers import gbrss_province_target, realize
    from tests.helpers import admin_column

    target = gbrss_province_target()
    realize(target, regency=Regency.objects.get(code="16.07"))
    realize(target, regency=Regency.objects.get(code="16.71"))
    url = reverse("admin:programs_realization_changelist")

    def search(text):
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(url, {"q": text})
        return admin_column(response, "report"), len(queries)

    found, one_row = search("banyuasin")
    assert len(found) == 1 and "Banyuasin" in found[0]
    for year in (2025, 2026):
        realize(target, regency=Regency.objects.get(code="16.07"), year=year)
    found, three_rows = search("Banyuasin")
    assert len(found) == 3 and all("Banyuasin" in text for text in found)
    assert three_rows == one_row
    assert len(search("16.71")[0]) == 1


def retire(admin_client, source):
    """The funding source's change form, saved with `aktif` unticked."""
    data = {
        "code": source.code,
        "category": source.category,
        "name": source.name,
        "is_partner": "on" if source.is_partner else "",
        "order": source.order,
        "source_note": source.source_note,
        "_save": "Simpan",
    }
    url = reverse("admin:programs_fundingsource_change", args=[source.pk])
    return admin_client.post(url, data, follow=True)


def admin_messages(response) -> list[str]:
    """The texts of the admin's one-time messages (`ul.messagelist`)."""
    return [
        element_text(item)
        for found in find_all(page(response), "ul", class_="messagelist")
        for item in find_all(found, "li")
    ]


def test_retiring_a_funding_source_says_how_many_rows_still_use_it(admin_client, reference_data):
    """Retiring Pertamina gave no word about the realizations still carrying it; the
    message now counts them (and their reports) as Indonesians write numbers."""
    from programs.models import FundingSource, Realization

    pertamina = FundingSource.objects.get(code="pertamina")
    indicator = Indicator.objects.get(code="rumah-dibedah")
    regencies = list(Regency.objects.all())
    reports = MonthlyReport.objects.bulk_create(
        MonthlyReport(regency=regency, program=indicator.program, year=year, month=month)
        for regency in regencies
        for year in range(2024, 2029)
        for month in range(1, 13)
    )
    Realization.objects.bulk_create(
        Realization(report=report, indicator=indicator, funding_source=pertamina, value=1)
        for report in reports
    )
    rows = len(reports)
    assert rows >= 1000

    response = retire(admin_client, pertamina)

    pertamina.refresh_from_db()
    assert not pertamina.active
    shown = f"{rows:,}".replace(",", ".")  # 1.020
    expected = (
        f"Pertamina dinonaktifkan, tetapi masih dipakai {shown} baris realisasi (di "
        f"{shown} laporan)"
    )
    assert any(m.startswith(expected) for m in admin_messages(response)), admin_messages(response)
    unused = FundingSource.objects.get(code="ptba")
    response = retire(admin_client, unused)
    assert any(
        "dinonaktifkan dan tidak dipakai baris realisasi mana pun" in m
        for m in admin_messages(response)
    )


@pytest.mark.parametrize(
    "language, app, model",
    [("id", "Antrean tugas latar", "Hasil tugas"), ("en", "Background tasks", "Task results")],
)
def test_the_task_queue_is_named_in_the_pages_language(admin_client, db, language, app, model):
    """The sidebar said "Tasks Database Backend" and "Task Results" on Indonesian pages."""
    admin_client.cookies["bahasa"] = language
    response = admin_client.get(reverse("admin:index"))
    text = response.content.decode()
    assert "Tasks Database Backend" not in text
    assert app in text and model in text
    if language == "id":
        assert "Task Results" not in text


@pytest.mark.parametrize(
    "language, columns, labels",
    [
        (
            "id",
            ["Nama tugas", "Status", "Masuk antrean", "Mulai", "Selesai", "Prioritas"],
            ["Jejak galat:", "Dijalankan setelah:", "Kelas galat:", "Nama antrean:"],
        ),
        (
            "en",
            ["Task name", "Status", "Enqueued at", "Started at", "Finished at", "Priority"],
            ["Traceback:", "Run after:", "Exception class path:", "Queue name:"],
        ),
    ],
)
def test_task_results_are_shown_in_the_pages_language(admin_client, db, language, columns, labels):
    """The list and detail of "Antrean tugas latar" said task_name, traceback, enqueued at
    and Failed on Indonesian pages."""
    from django_tasks_db.models import DBTaskResult, get_date_max

    failed = DBTaskResult.objects.create(
        task_path="programs.tasks.send_email",
        args_kwargs={"args": [], "kwargs": {}},
        backend_name="default",
        run_after=get_date_max(),
        status="FAILED",
        exception_class_path="smtplib.SMTPException",
        traceback="Traceback (most recent call last): ...",
    )
    admin_client.cookies["bahasa"] = language
    listing = admin_client.get(reverse("admin:django_tasks_database_dbtaskresult_changelist"))
    assert admin_headers(listing)[1:7] == columns
    assert admin_column(listing, "status") == [{"id": "Gagal", "en": "Failed"}[language]]
    assert admin_column(listing, "task_name") == ["send_email"]
    detail = page(
        admin_client.get(
            reverse("admin:django_tasks_database_dbtaskresult_change", args=[failed.pk])
        )
    )
    shown = [element_text(label) for label in find_all(detail, "label")]
    assert set(labels) <= set(shown)
    # Named by its task and outcome, not "DBTaskResult object (48ebbe54-...)".
    heading = element_text(find(find(detail, "div", id="content"), "h2"))
    assert heading == {"id": "send_email (Gagal)", "en": "send_email (Failed)"}[language]
    assert not {"Traceback:", "Run after:"} & set(shown) or language == "en"


def test_a_reports_and_a_lock_exceptions_year_and_month_read_as_written(
    admin_client, reference_data
):
    """The report page's fixed place read "Tahun: 2.024" and "Bulan: 1", the lock
    exceptions' list "2.024" and "1", as if the year were a count of two thousand."""
    from programs.models import LockException

    banyuasin = Regency.objects.get(code="16.07")
    report = MonthlyReportFactory(regency=banyuasin, program=gbrss_indicator().program)
    LockException.objects.create(
        regency=banyuasin,
        program=report.program,
        year=2024,
        month=1,
        until=dt.date(2024, 3, 31),
        reason="Berita acara terlambat",
    )

    shown = admin_client.get(reverse("admin:programs_monthlyreport_change", args=[report.pk]))
    exceptions = admin_client.get(reverse("admin:programs_lockexception_changelist"))

    place = element_text(find(page(shown), "fieldset"))
    assert "Tahun: 2024" in place and "Bulan: Januari" in place
    assert "2.024" not in shown.content.decode()
    assert admin_column(exceptions, "period") == ["Januari 2024"]
    assert "2.024" not in exceptions.content.decode()


@pytest.mark.parametrize(
    ("changelist", "action"),
    [
        ("admin:programs_target_changelist", "copy_to_next_year"),
        ("admin:programs_monthlyreport_changelist", "publish_province_reports"),
        ("admin:auth_user_changelist", "delete_selected"),
        ("admin:auth_group_changelist", "delete_selected"),
        ("admin:axes_accessattempt_changelist", "delete_selected"),
    ],
)
@pytest.mark.parametrize("selected", ["abc", "1.5", "7\x00"])
def test_an_action_on_rows_that_are_no_keys_is_refused_with_a_message(
    admin_client, reference_data, changelist, action, selected
):
    """A selection from an old or edited page ("abc", "1.5", a NUL) answered a 500."""
    target = gbrss_province_target()
    data = {"action": action, "_selected_action": [selected], "index": "0"}

    response = admin_client.post(reverse(changelist), data, follow=True)

    assert response.status_code == 200
    assert admin_messages(response) == [
        "Pilihan tidak dikenali, tidak ada yang diubah: muat ulang daftar lalu pilih lagi."
    ]
    assert not Target.objects.filter(year=target.year + 1).exists()


STILL_REALIZED = (
    "Masih dipakai oleh {n} baris realisasi (angka yang sudah dilaporkan), yang tidak pernah "
    "dihapus dari Admin: biarkan, atau nonaktifkan bila ada pilihan &#x27;Aktif&#x27;."
)


def test_deleting_what_realizations_use_says_they_are_reported_figures(
    admin_client, reference_data
):
    """Deleting APBN or the houses indicator told the superuser "akun Anda tidak memiliki
    izin untuk menghapus ... realisasi", as if a right were missing: it is refused because
    reported figures are never deleted, said once with their number (not a line per row)."""
    from programs.models import FundingSource

    target = gbrss_province_target()
    apbn = FundingSource.objects.get(code="apbn")
    for code in ("16.07", "16.71", "16.72"):
        report = MonthlyReportFactory(
            regency=Regency.objects.get(code=code), program=target.indicator.program
        )
        RealizationFactory(report=report, indicator=target.indicator, funding_source=apbn)
    pages = {
        "source": reverse("admin:programs_fundingsource_delete", args=[apbn.pk]),
        "indicator": reverse("admin:programs_indicator_delete", args=[target.indicator_id]),
    }
    for url in pages.values():
        shown = flat_html(admin_client.get(url))
        assert STILL_REALIZED.format(n=3) in shown
        assert "tidak memiliki izin" not in shown
        assert "Realisasi:" not in shown  # no line per reported row
        assert admin_client.post(url, {"post": "yes"}).status_code == 200  # refused again
    bulk = admin_client.post(
        reverse("admin:programs_fundingsource_changelist"),
        {"action": "delete_selected", "_selected_action": [apbn.pk], "post": "yes"},
    )
    assert STILL_REALIZED.format(n=3) in flat_html(bulk)
    assert FundingSource.objects.filter(pk=apbn.pk).exists()
    assert Indicator.objects.filter(pk=target.indicator_id).exists()
