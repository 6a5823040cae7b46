"""The rules the admin shares with the rest of the application: database constraints
speak Indonesian, and reporting exemptions are not duplicated or dated by a slip."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import CheckConstraint
from django.urls import reverse
from django.utils import timezone

from programs.models import (
    FundingSource,
    Indicator,
    LockException,
    MonthlyReport,
    Program,
    Realization,
    ReportingExemption,
    Target,
    TargetSplit,
)
from regencies.models import Regency
from tests.admin_helpers import (
    change_data,
    changelist_data,
    field_errors,
    gbrss_indicator,
    gbrss_province_target,
    realize,
)
from tests.factories import IndicatorFactory, MonthlyReportFactory, RealizationFactory
from tests.helpers import (
    admin_column,
    attribute,
    element_text,
    error_messages,
    find,
    find_all,
    page,
)

pytestmark = pytest.mark.django_db


# Constraint messages


def test_every_check_constraint_has_its_own_message():
    """A check constraint without a message shows its name to the admin
    ('Batasan "target_baseline_non_negative" dilanggar.')."""
    unnamed = [
        f"{model.__name__}.{constraint.name}"
        for app in ("programs", "regencies")
        for model in apps.get_app_config(app).get_models()
        for constraint in model._meta.constraints
        if isinstance(constraint, CheckConstraint)
        and constraint.violation_error_message == constraint.default_violation_error_message
    ]
    assert unnamed == []


def test_a_negative_target_baseline_is_refused_in_indonesian(admin_client, reference_data):
    target = gbrss_province_target()
    before = target.baseline

    response = admin_client.post(
        reverse("admin:programs_target_change", args=[target.pk]),
        change_data(target, baseline="-1,0", change_reason="uji"),
    )

    assert response.status_code == 200
    errors = error_messages(page(response))
    assert "Nilai dasar (baseline) tidak boleh negatif." in errors
    assert not any("target_baseline_non_negative" in error for error in errors)
    target.refresh_from_db()
    assert target.baseline == before


def test_a_negative_baseline_is_allowed_only_where_the_indicator_may_be_negative(
    admin_client, reference_data
):
    """Economic growth may start the year from a contraction (-2,5 %): its target form
    and list take the negative baseline; GBRSS houses still refuse one (above)."""
    growth = IndicatorFactory(
        program=Program.objects.get(slug="gpiss"),
        measure=Indicator.Measure.LEVEL,
        direction=Indicator.Direction.UP,
        decimals=2,
        allows_negative=True,
    )
    target = Target.objects.create(indicator=growth, year=2026, value=Decimal("5.2"))
    url = reverse("admin:programs_target_change", args=[target.pk])
    assert admin_client.post(url, change_data(target, baseline="-2,5")).status_code == 302
    target.refresh_from_db()
    assert target.baseline == Decimal("-2.5")
    listed = admin_client.post(
        reverse("admin:programs_target_changelist"), changelist_data(target, baseline="-2,4")
    )
    assert listed.status_code == 302
    target.refresh_from_db()
    assert target.baseline == Decimal("-2.4")

    # It no longer may be negative: the stored baseline says why, nothing changes.
    data = indicator_data(growth)
    del data["allows_negative"]  # unticked
    refused = admin_client.post(reverse("admin:programs_indicator_change", args=[growth.pk]), data)
    assert field_errors(refused, "allows_negative") == [
        "Indikator ini tidak dapat berhenti boleh negatif: 1 target sudah memiliki nilai dasar "
        "(baseline) negatif (perbaiki dulu nilai dasarnya)."
    ]
    growth.refresh_from_db()
    assert growth.allows_negative is True


# Reporting exemptions


def exemption_data(program: Program, **overrides) -> dict:
    """The add form of a whole-program exemption (no indicator) for Banyuasin."""
    return {
        "regency": "16.07",
        "program": program.pk,
        "indicator": "",
        "start": "2024-01-01",
        "end": "",
        "reason": "Tidak diukur BPS di wilayah ini.",
        "source_url": "",
        "_save": "Simpan",
        **overrides,
    }


def add_exemption(admin_client, program, **overrides):
    return admin_client.post(
        reverse("admin:programs_reportingexemption_add"), exemption_data(program, **overrides)
    )


def test_a_whole_program_exemption_is_saved_once(admin_client, reference_data):
    program = Program.objects.get(slug="gbrss")
    assert add_exemption(admin_client, program).status_code == 302

    response = add_exemption(admin_client, program, start="2024-01-15", reason="Lagi.")

    assert response.status_code == 200
    assert "Pengecualian ini sudah ada; ubah saja." in error_messages(page(response))
    assert ReportingExemption.objects.filter(regency="16.07", program=program).count() == 1


def test_exemptions_are_listed_by_their_months(admin_client, reference_data):
    """An end typed 30/11/2026 is kept as its month and was listed "1 November 2026",
    which reads as ending on the 1st."""
    program = Program.objects.get(slug="gbrss")
    add_exemption(admin_client, program, start="01-01-2026", end="30-11-2026")
    add_exemption(admin_client, program, regency="16.01", start="01-03-2026")
    listing = admin_client.get(
        reverse("admin:programs_reportingexemption_changelist"), {"program__id__exact": program.pk}
    )
    starts, ends = admin_column(listing, "start_month"), admin_column(listing, "end_month")
    months = set(zip(starts, ends, strict=True))
    assert months == {("Januari 2026", "November 2026"), ("Maret 2026", "–")}


def test_an_exemptions_history_shows_its_changed_months_as_months(admin_client, reference_data):
    """The history's "Perubahan" column read "2027-01-01 → 2026-11-01", then "1 Januari
    2027 → 1 November 2026", which reads as days: an exemption is by month."""
    program = Program.objects.get(slug="gbrss")
    add_exemption(admin_client, program, start="01-01-2027")
    exemption = ReportingExemption.objects.get(program=program)
    url = reverse("admin:programs_reportingexemption_change", args=[exemption.pk])
    admin_client.post(url, exemption_data(program, start="01-11-2026"))
    history = admin_client.get(
        reverse("admin:programs_reportingexemption_history", args=[exemption.pk])
    )
    table = find(page(history), "table", id="change-history")
    text = element_text(table)
    assert "Januari 2027 → November 2026" in " ".join(text.replace("\xa0", " ").split())
    # Neither in the changes nor in the columns of each version (start, end)
    assert "1 Januari 2027" not in text and "1 November 2026" not in text
    assert "2027-01-01" not in text


def test_an_exemptions_link_typed_without_https_is_kept_as_https(admin_client, reference_data):
    """As on a target: "bps.go.id/..." is a secure link, not http:// (Django 5's default,
    which also warned on every exemption form)."""
    program = Program.objects.get(slug="gbrss")

    add_exemption(admin_client, program, source_url="sumsel.bps.go.id/publikasi")

    stored = ReportingExemption.objects.get(regency="16.07", program=program)
    assert stored.source_url == "https://sumsel.bps.go.id/publikasi"


@pytest.mark.parametrize("start", ["1924-01-01", "0024-03-01", "2022-12-01"])
def test_an_exemption_cannot_start_long_before_the_program(admin_client, reference_data, start):
    program = Program.objects.get(slug="gbrss")  # launched in 2024

    response = add_exemption(admin_client, program, start=start)

    assert response.status_code == 200
    assert field_errors(response, "start") == [
        "Bulan mulai paling awal Januari 2023: periksa tahunnya."
    ]
    assert not ReportingExemption.objects.filter(program=program).exists()


def test_an_exemption_can_start_the_year_before_the_launch(admin_client, reference_data):
    program = Program.objects.get(slug="gbrss")

    assert add_exemption(admin_client, program, start="2023-01-01").status_code == 302


BEFORE_GBRSS = (
    "GBRSS diluncurkan 21 Februari 2024: bulan sebelum Februari 2024 memang belum wajib "
    "dilaporkan, jadi tidak ada yang perlu dikecualikan pada {}. Periksa tahunnya, atau buat "
    "pengecualian yang berlaku sejak Februari 2024."
)


@pytest.mark.parametrize(
    ("start", "end", "period"),
    [
        ("01-06-2023", "01-12-2023", "Juni 2023 s.d. Desember 2023"),
        ("01-01-2024", "31-01-2024", "Januari 2024 s.d. Januari 2024"),  # launched 21 February
        ("01-03-2023", "15-01-2024", "Maret 2023 s.d. Januari 2024"),
    ],
)
def test_an_exemption_only_of_months_before_the_launch_is_refused(
    admin_client, reference_data, start, end, period
):
    """GBRSS was launched on 21 February 2024: nobody owed a report before February, so
    such an exemption exempts nothing; it was saved, and on the pages it turned a draft
    kept from January into "tidak wajib" (out of the to-do list and completeness)."""
    program = Program.objects.get(slug="gbrss")

    response = add_exemption(admin_client, program, start=start, end=end)

    assert response.status_code == 200
    assert error_messages(page(response)) == [BEFORE_GBRSS.format(period)]
    assert not ReportingExemption.objects.filter(program=program).exists()


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("01-01-2024", "29-02-2024"),  # January to the launch month
        ("01-06-2023", ""),  # from before the launch, on
        ("01-02-2024", "01-02-2024"),  # the launch month alone
    ],
)
def test_an_exemption_running_into_the_launch_is_kept_as_typed(
    admin_client, reference_data, start, end
):
    program = Program.objects.get(slug="gbrss")

    assert add_exemption(admin_client, program, start=start, end=end).status_code == 302

    stored = ReportingExemption.objects.get(program=program)
    assert stored.start == dt.datetime.strptime(start, "%d-%m-%Y").date()


def test_the_launch_rule_holds_outside_the_admin_too(reference_data):
    """The rule is the model's: a script or shell calling full_clean is refused alike; a
    program without a launch date has no months before it."""
    program = Program.objects.get(slug="gbrss")
    early = ReportingExemption(
        regency_id="16.07",
        program=program,
        start=dt.date(2023, 6, 1),
        end=dt.date(2023, 12, 1),
        reason="Uji",
    )
    with pytest.raises(ValidationError) as refused:
        early.full_clean()
    assert refused.value.messages == [BEFORE_GBRSS.format("Juni 2023 s.d. Desember 2023")]
    energy = Program.objects.get(slug="mandiri-energi")
    assert energy.launch_date is None
    ReportingExemption(
        regency_id="16.07",
        program=energy,
        start=dt.date(2023, 6, 1),
        end=dt.date(2023, 12, 1),
        reason="Uji",
    ).full_clean()


def test_an_exemption_cannot_end_before_it_starts_or_after_2100(admin_client, reference_data):
    program = Program.objects.get(slug="gbrss")

    before = add_exemption(admin_client, program, start="2025-03-01", end="2025-01-01")
    late = add_exemption(admin_client, program, end="9999-12-01")

    assert "Bulan akhir tidak boleh sebelum bulan mulai." in error_messages(page(before))
    assert field_errors(late, "end") == ["Paling lambat Desember 2100: periksa tahunnya."]
    assert not ReportingExemption.objects.filter(program=program).exists()


def test_an_exemption_over_reported_months_is_refused(admin_client, reference_data):
    """A retroactive exemption over submitted or verified months was saved: the regency
    then showed "tidak wajib" while its figures stayed in the province's totals. Refused,
    naming the months; a draft month, or one after the reports, is fine."""
    from tests.factories import MonthlyReportFactory

    program = Program.objects.get(slug="gbrss")
    banyuasin = Regency.objects.get(code="16.07")
    # A returned report was submitted and waits for its correction: exempting its month
    # left it returned for ever, with nothing the operator could fill in.
    statuses = [(3, "verified"), (4, "submitted"), (5, "returned"), (6, "draft")]
    for month, status in statuses:
        MonthlyReportFactory(
            regency=banyuasin,
            program=program,
            year=2025,
            month=month,
            status=status,
            return_reason="Foto kurang jelas" if status == "returned" else "",
        )

    refused = add_exemption(admin_client, program, start="2025-01-01")

    assert refused.status_code == 200
    assert field_errors(refused, "start") == [
        "Maret 2025, April 2025, Mei 2025 sudah dilaporkan (diajukan, dikembalikan untuk "
        "perbaikan, atau terverifikasi): bulan itu tidak bisa dikecualikan. Mulai "
        "pengecualian sesudahnya."
    ]
    assert not ReportingExemption.objects.filter(program=program).exists()
    assert add_exemption(admin_client, program, start="2025-06-01").status_code == 302
    # Moving the stored exemption's start back over the reports is refused too.
    exemption = ReportingExemption.objects.get(program=program)
    url = reverse("admin:programs_reportingexemption_change", args=[exemption.pk])
    moved = admin_client.post(url, exemption_data(program, start="2025-05-01"))
    assert moved.status_code == 200 and field_errors(moved, "start")
    exemption.refresh_from_db()
    assert exemption.start == dt.date(2025, 6, 1)


def test_exempting_every_indicator_one_by_one_is_refused_for_a_whole_program_one(
    admin_client, reference_data
):
    """Both GPStSS indicators exempted one at a time: the report page had nothing to fill
    in while the to-do list, the reminders and the completeness page still counted the
    month as owed. The exemption that leaves no indicator is refused, naming the month;
    a whole-program exemption says it."""
    program = Program.objects.get(slug="gpstss")
    toddlers = Indicator.objects.get(program=program, code="balita-didampingi")
    stunting = Indicator.objects.get(program=program, code="prevalensi-stunting")
    assert set(program.indicators.all()) == {toddlers, stunting}
    first = add_exemption(admin_client, program, indicator=toddlers.pk, start="2026-12-01")
    assert first.status_code == 302
    # The second overlaps the first (no end) from December 2026: refused, naming it.
    refused = add_exemption(
        admin_client, program, indicator=stunting.pk, start="2026-01-01", end="2027-06-30"
    )
    assert field_errors(refused, "indicator") == [
        "Dengan pengecualian ini tidak ada lagi indikator GPStSS yang wajib dilaporkan "
        "wilayah ini untuk Desember 2026: buat satu pengecualian untuk seluruh program "
        "(kosongkan indikatornya)."
    ]
    assert ReportingExemption.objects.filter(program=program).count() == 1
    # Before the first one begins, the second indicator may be exempted alone.
    fine = add_exemption(
        admin_client, program, indicator=stunting.pk, start="2026-01-01", end="2026-11-30"
    )
    assert fine.status_code == 302
    assert add_exemption(admin_client, program, start="2027-01-01").status_code == 302


def test_an_indicator_exemption_refuses_only_months_reporting_that_indicator(
    admin_client, reference_data
):
    from tests.factories import MonthlyReportFactory, RealizationFactory

    program = Program.objects.get(slug="gpstss")
    toddlers = Indicator.objects.get(program=program, code="balita-didampingi")
    stunting = Indicator.objects.get(program=program, code="prevalensi-stunting")
    report = MonthlyReportFactory(regency_id="16.07", program=program, year=2025, month=1)
    RealizationFactory(report=report, indicator=toddlers)

    refused = add_exemption(admin_client, program, indicator=toddlers.pk, start="2025-01-01")
    assert refused.status_code == 200
    assert field_errors(refused, "start")[0].startswith("Januari 2025 sudah dilaporkan")
    fine = add_exemption(admin_client, program, indicator=stunting.pk, start="2025-01-01")
    assert fine.status_code == 302, field_errors(fine, "start")
    assert list(ReportingExemption.objects.filter(program=program, regency_id="16.07")) == [
        ReportingExemption.objects.get(indicator=stunting, regency_id="16.07")
    ]


def test_overlapping_exemptions_of_the_same_subject_are_refused(admin_client, reference_data):
    """Two exemptions of Banyuasin's GBRSS over the same months were both saved: the
    second is refused, naming the first and its months; a later one after the first's
    end is fine."""
    program = Program.objects.get(slug="gbrss")
    assert (
        add_exemption(admin_client, program, start="2025-01-01", end="2025-06-01").status_code
        == 302
    )

    for start, end in [("2025-06-01", ""), ("2024-06-01", "2025-01-01"), ("2024-01-01", "")]:
        refused = add_exemption(admin_client, program, start=start, end=end, reason="Lagi.")
        assert refused.status_code == 200, (start, end)
        assert error_messages(page(refused)) == [
            "Bertumpang tindih dengan pengecualian lain untuk kabupaten/kota, program dan "
            "indikator yang sama: Banyuasin — GBRSS, Januari 2025 s.d. Juni 2025. "
            "Ubah pengecualian itu saja, atau pilih bulan lain."
        ], (start, end)
    assert add_exemption(admin_client, program, start="2025-07-01").status_code == 302
    assert ReportingExemption.objects.filter(program=program).count() == 2
    # Editing the stored one (its own months) is no overlap.
    first = ReportingExemption.objects.get(start="2025-01-01")
    url = reverse("admin:programs_reportingexemption_change", args=[first.pk])
    edited = admin_client.post(
        url, exemption_data(program, start="2025-01-01", end="2025-06-01", reason="Koreksi.")
    )
    assert edited.status_code == 302, error_messages(page(edited))


# Monthly reports and realizations: the entry form's rules


def report_data(report: MonthlyReport, rows: list[dict], **overrides) -> dict:
    """The report change form's POST: its fields and `rows` as the realization inline
    (each row: id, indicator, funding_source, value, numerator, denominator, note). A
    change comes with a reason and its confirmation, which a submitted or verified report
    needs (a test of those rules overrides them)."""
    data = {
        "regency": report.regency_id or "",
        "program": report.program_id,
        "year": report.year,
        "month": report.month,
        "seen_version": report.version if report.pk else "",
        "change_reason": "Koreksi data" if report.pk else "",
        "confirm_large_change": "on" if report.pk else "",
        "realizations-TOTAL_FORMS": str(len(rows)),
        "realizations-INITIAL_FORMS": str(sum(1 for row in rows if row.get("id"))),
        "_save": "Simpan",
        **overrides,
    }
    for i, row in enumerate(rows):
        for name in ("id", "indicator", "funding_source", "value", "numerator", "denominator"):
            data[f"realizations-{i}-{name}"] = row.get(name, "")
        data[f"realizations-{i}-note"] = row.get("note", "")
        data[f"realizations-{i}-report"] = report.pk or ""
    return data


def row_of(realization: Realization, **overrides) -> dict:
    def shown(value):
        return "" if value is None else str(value.normalize())

    return {
        "id": realization.pk,
        "indicator": realization.indicator_id,
        "funding_source": realization.funding_source_id,
        "value": shown(realization.value),
        "numerator": shown(realization.numerator),
        "denominator": shown(realization.denominator),
        "note": realization.note,
        **overrides,
    }


def post_report(admin_client, report, rows, **overrides):
    return admin_client.post(
        reverse("admin:programs_monthlyreport_change", args=[report.pk]),
        report_data(report, rows, **overrides),
    )


def inline_errors(response, name: str) -> list[str]:
    """The errors beside the realization inline's cells `name`."""
    root = page(response)
    return [
        e for cell in find_all(root, "td", class_=f"field-{name}") for e in error_messages(cell)
    ]


@pytest.fixture
def banyuasin():
    return Regency.objects.get(code="16.07")


@pytest.fixture
def ratio_realization(reference_data, banyuasin):
    """A verified Banyuasin report of stunting prevalence: 30 of 400 toddlers."""
    indicator = Indicator.objects.get(code="prevalensi-stunting")
    report = MonthlyReportFactory(regency=banyuasin, program=indicator.program, month=2)
    return RealizationFactory(
        report=report,
        indicator=indicator,
        funding_source=FundingSource.objects.get(code="tidak-dirinci"),
        value=None,
        numerator=Decimal(30),
        denominator=Decimal(400),
    )


def test_a_count_realization_is_a_whole_number(admin_client, reference_data, banyuasin):
    realization = realize(gbrss_province_target(), regency=banyuasin)
    before = realization.value

    response = post_report(admin_client, realization.report, [row_of(realization, value="8.600,5")])

    assert response.status_code == 200
    assert inline_errors(response, "value") == ["Harus bilangan bulat (tanpa desimal)."]
    realization.refresh_from_db()
    assert realization.value == before
    # Typed whole, the same number is saved.
    response = post_report(admin_client, realization.report, [row_of(realization, value="8.600")])
    assert response.status_code == 302
    realization.refresh_from_db()
    assert realization.value == Decimal(8600)


def test_a_ratio_realization_needs_its_numerator_and_denominator(admin_client, ratio_realization):
    row = row_of(ratio_realization, value="7,5", numerator="", denominator="")

    response = post_report(admin_client, ratio_realization.report, [row])

    assert response.status_code == 200
    assert inline_errors(response, "numerator") == ["Isi pembilang dan penyebut."]
    ratio_realization.refresh_from_db()
    assert ratio_realization.value is None
    assert ratio_realization.numerator == Decimal(30)


def test_a_numerator_above_its_denominator_is_refused_in_words(admin_client, ratio_realization):
    row = row_of(ratio_realization, numerator="500", denominator="400")

    response = post_report(admin_client, ratio_realization.report, [row])

    assert response.status_code == 200
    assert inline_errors(response, "numerator") == [
        "Pembilang tidak boleh lebih besar dari penyebut."
    ]
    assert "realization_numerator_le_denominator" not in response.content.decode()
    ratio_realization.refresh_from_db()
    assert ratio_realization.numerator == Decimal(30)


def test_a_level_indicator_takes_one_value_per_report(admin_client, reference_data):
    palembang = Regency.objects.get(code="16.71")  # a BPS city: reports inflation
    indicator = Indicator.objects.get(code="inflasi-yoy")
    report = MonthlyReportFactory(regency=palembang, program=indicator.program, month=2)
    sources = list(FundingSource.objects.order_by("order")[:2])
    rows = [
        {"indicator": indicator.pk, "funding_source": source.pk, "value": "2,5"}
        for source in sources
    ]

    response = post_report(admin_client, report, rows)

    assert response.status_code == 200
    assert inline_errors(response, "indicator") == ["Indikator ini hanya diisi satu nilai."]
    assert not report.realizations.exists()


@pytest.mark.parametrize("typed", ["-0,09", "\u22120,09"], ids=["minus", "minus-sign"])
def test_a_deflation_is_entered_where_the_indicator_allows_it(admin_client, reference_data, typed):
    """Year-on-year inflation may be negative (BPS: -0,09 % in February 2025), typed with
    a "-" or with the minus sign Excel and Word write."""
    palembang = Regency.objects.get(code="16.71")
    indicator = Indicator.objects.get(code="inflasi-yoy")
    report = MonthlyReportFactory(regency=palembang, program=indicator.program, month=2)
    source = FundingSource.objects.get(code="tidak-dirinci")
    row = {"indicator": indicator.pk, "funding_source": source.pk, "value": typed}

    response = post_report(admin_client, report, [row])

    assert response.status_code == 302, inline_errors(response, "value")
    assert report.realizations.get().value == Decimal("-0.09")


def test_a_negative_value_is_refused_where_the_indicator_does_not_allow_it(
    admin_client, reference_data, banyuasin
):
    """Houses are never negative, nor is a level whose indicator does not allow it."""
    realization = realize(gbrss_province_target(), regency=banyuasin)
    before = realization.value
    houses = post_report(admin_client, realization.report, [row_of(realization, value="-5")])
    assert houses.status_code == 200
    assert inline_errors(houses, "value") == ["Nilai tidak boleh negatif."]
    realization.refresh_from_db()
    assert realization.value == before

    program = Program.objects.get(slug="gpiss")
    price = IndicatorFactory(program=program, measure=Indicator.Measure.LEVEL, decimals=2)
    report = MonthlyReportFactory(
        regency=Regency.objects.get(code="16.71"), program=program, month=2
    )
    source = FundingSource.objects.get(code="tidak-dirinci")
    row = {"indicator": price.pk, "funding_source": source.pk, "value": "\u22120,09"}
    level = post_report(admin_client, report, [row])
    assert level.status_code == 200
    assert inline_errors(level, "value") == ["Nilai tidak boleh negatif."]
    assert not report.realizations.exists()


def test_an_exempt_indicator_takes_no_new_value(admin_client, reference_data, banyuasin):
    indicator = Indicator.objects.get(code="inflasi-yoy")  # Banyuasin does not report it
    report = MonthlyReportFactory(regency=banyuasin, program=indicator.program, month=2)
    source = FundingSource.objects.get(code="tidak-dirinci")
    row = {"indicator": indicator.pk, "funding_source": source.pk, "value": "2,5"}

    response = post_report(admin_client, report, [row])

    assert response.status_code == 200
    assert any("tidak wajib dilaporkan" in e for e in inline_errors(response, "indicator"))
    assert not report.realizations.exists()


@pytest.fixture
def retired_partner_row(reference_data, banyuasin):
    """A Banyuasin GBRSS realization of 7 houses from Pertamina, a CSR partner an admin
    has retired since."""
    pertamina = FundingSource.objects.get(code="pertamina")
    realization = realize(gbrss_province_target(), regency=banyuasin)
    Realization.objects.filter(pk=realization.pk).update(funding_source=pertamina, value=7)
    FundingSource.objects.filter(pk=pertamina.pk).update(active=False)
    realization.refresh_from_db()
    return realization


def source_options(response, name: str) -> list[str]:
    return [attribute(o, "value") for o in find_all(find(page(response), "select", name=name))]


def test_a_retired_source_is_offered_only_on_the_row_that_has_it(admin_client, retired_partner_row):
    url = reverse("admin:programs_monthlyreport_change", args=[retired_partner_row.report_id])

    response = admin_client.get(url)

    pertamina = str(retired_partner_row.funding_source_id)
    apbn = str(FundingSource.objects.get(code="apbn").pk)
    assert {pertamina, apbn} <= set(source_options(response, "realizations-0-funding_source"))
    new_row = source_options(response, "realizations-__prefix__-funding_source")
    assert apbn in new_row and pertamina not in new_row


def test_a_retired_sources_own_row_still_saves_a_changed_value_or_goes(
    admin_client, retired_partner_row
):
    report = retired_partner_row.report

    response = post_report(admin_client, report, [row_of(retired_partner_row, value="9")])

    assert response.status_code == 302
    retired_partner_row.refresh_from_db()
    assert retired_partner_row.value == Decimal(9)
    report.refresh_from_db()
    deleted = {"realizations-0-DELETE": "on"}
    response = post_report(admin_client, report, [row_of(retired_partner_row)], **deleted)
    assert response.status_code == 302
    assert not report.realizations.exists()


def test_a_retired_source_is_refused_anywhere_else(admin_client, retired_partner_row):
    report = retired_partner_row.report
    pertamina = retired_partner_row.funding_source_id
    other = IndicatorFactory(program=report.program, code="rumah-dibangun")
    apbn_row = RealizationFactory(
        report=report, indicator=other, funding_source=FundingSource.objects.get(code="apbn")
    )
    stored = sorted(
        Realization.objects.values_list("pk", "indicator_id", "funding_source_id", "value")
    )
    attempts = {
        "a new row": [
            row_of(retired_partner_row),
            row_of(apbn_row),
            {"indicator": other.pk, "funding_source": pertamina, "value": "2"},
        ],
        "its row moved to another indicator": [
            row_of(retired_partner_row, indicator=other.pk, value="3"),
        ],
        "another source's row switched to it": [
            row_of(retired_partner_row),
            row_of(apbn_row, funding_source=pertamina),
        ],
    }
    for attempt, rows in attempts.items():
        response = post_report(admin_client, report, rows)

        assert response.status_code == 200, attempt
        assert inline_errors(response, "funding_source") == [
            "Sumber dana Pertamina sudah tidak aktif: pilih sumber lain."
        ], attempt
        after = Realization.objects.values_list("pk", "indicator_id", "funding_source_id", "value")
        assert sorted(after) == stored, attempt


def test_the_report_form_refuses_to_overwrite_a_save_made_since_it_opened(
    admin_client, reference_data, banyuasin
):
    """The admin opens a report; meanwhile its operator saves (the service raises the
    version). The admin's save is refused with a message and changes nothing; reopened,
    the form carries the new version and saves."""
    realization = realize(gbrss_province_target(), regency=banyuasin)
    report = realization.report
    url = reverse("admin:programs_monthlyreport_change", args=[report.pk])
    opened = attribute(find(page(admin_client.get(url)), "input", name="seen_version"), "value")
    assert opened == str(report.version)
    stale = report_data(report, [row_of(realization, value="1.250")])
    MonthlyReport.objects.filter(pk=report.pk).update(version=report.version + 1)
    Realization.objects.filter(pk=realization.pk).update(value=Decimal(1300))

    response = admin_client.post(url, stale)

    assert response.status_code == 200
    assert "sudah diubah orang lain sejak Anda membukanya" in response.content.decode()
    realization.refresh_from_db()
    assert realization.value == Decimal(1300)
    report.refresh_from_db()
    response = admin_client.post(url, report_data(report, [row_of(realization, value="1.250")]))
    assert response.status_code == 302
    realization.refresh_from_db()
    assert realization.value == Decimal(1250)


def test_a_report_stays_in_its_place_and_month(admin_client, reference_data, banyuasin):
    realization = realize(gbrss_province_target(), regency=banyuasin)
    report = realization.report  # verified, January 2024
    url = reverse("admin:programs_monthlyreport_change", args=[report.pk])
    assert not find_all(page(admin_client.get(url)), "input", name="month")

    response = post_report(
        admin_client, report, [row_of(realization)], year="2030", month="5", regency="16.71"
    )

    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.regency_id, report.year, report.month) == ("16.07", 2024, 1)
    assert report.status == MonthlyReport.Status.VERIFIED


def test_a_new_report_cannot_be_for_a_month_not_yet_begun(admin_client, reference_data):
    program = Program.objects.get(slug="gbrss")
    next_month = timezone.localdate().replace(day=1) + dt.timedelta(days=32)
    data = report_data(
        MonthlyReport(regency_id="16.07", program=program, year=next_month.year),
        [],
        month=str(next_month.month),
    )

    response = admin_client.post(reverse("admin:programs_monthlyreport_add"), data)

    assert response.status_code == 200
    assert field_errors(response, "month") == ["Bulan yang belum berjalan tidak dapat dilaporkan."]
    assert not MonthlyReport.objects.filter(program=program).exists()


def test_realizations_change_only_with_their_report(admin_client, reference_data, banyuasin):
    """A realization alone is shown, not changed, added, deleted or reverted: its
    report's page checks the report as a whole and raises its version."""
    realization = realize(gbrss_province_target(), regency=banyuasin)
    change = reverse("admin:programs_realization_change", args=[realization.pk])
    version = realization.history.first().history_id
    revert = reverse("admin:programs_realization_simple_history", args=[realization.pk, version])
    data = {
        "report": realization.report_id,
        "indicator": realization.indicator_id,
        "funding_source": realization.funding_source_id,
        "value": "8.600,5",
        "_save": "Simpan",
    }

    assert admin_client.get(change).status_code == 200  # shown
    assert admin_client.post(change, data).status_code == 403
    assert admin_client.post(revert, data).status_code == 403
    assert admin_client.get(reverse("admin:programs_realization_add")).status_code == 403
    delete = reverse("admin:programs_realization_delete", args=[realization.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    realization.refresh_from_db()
    assert realization.value == Decimal(1)


def test_a_regency_report_links_to_its_entry_page(admin_client, reference_data, banyuasin):
    report = realize(gbrss_province_target(), regency=banyuasin).report
    url = reverse("admin:programs_monthlyreport_change", args=[report.pk])

    link = find(page(admin_client.get(url)), "a", class_="viewsitelink")
    response = admin_client.get(attribute(link, "href"))

    assert response.status_code == 302
    assert response.url.endswith("/laporan/16.07/gbrss/2024-01/")


# A target's splits and milestones: the target's own rules


def parts_data(target: Target, **changes) -> dict:
    """The target change form's POST with its stored splits and milestones as the two
    inlines; `changes` sets 'split_<group>' / 'milestone_value' / 'milestone_due_date'."""
    data = change_data(target, change_reason="uji")
    splits = list(target.splits.order_by("pk"))
    milestones = list(target.milestones.order_by("pk"))
    data |= {
        "splits-TOTAL_FORMS": str(len(splits)),
        "splits-INITIAL_FORMS": str(len(splits)),
        "milestones-TOTAL_FORMS": str(len(milestones)),
        "milestones-INITIAL_FORMS": str(len(milestones)),
    }
    for i, split in enumerate(splits):
        data |= {
            f"splits-{i}-id": split.pk,
            f"splits-{i}-target": target.pk,
            f"splits-{i}-group": split.group,
            f"splits-{i}-value": changes.get(f"split_{split.group}", str(split.value.normalize())),
            f"splits-{i}-source_note": split.source_note,
        }
    for i, milestone in enumerate(milestones):
        data |= {
            f"milestones-{i}-id": milestone.pk,
            f"milestones-{i}-target": target.pk,
            f"milestones-{i}-label": milestone.label,
            f"milestones-{i}-due_date": changes.get(
                "milestone_due_date", milestone.due_date.isoformat()
            ),
            f"milestones-{i}-value": changes.get(
                "milestone_value", str(milestone.value.normalize())
            ),
            f"milestones-{i}-source_note": milestone.source_note,
        }
    return data


def post_parts(admin_client, target, **changes):
    return admin_client.post(
        reverse("admin:programs_target_change", args=[target.pk]), parts_data(target, **changes)
    )


def test_a_count_targets_split_is_a_whole_number(admin_client, reference_data):
    target = gbrss_province_target()  # houses; APBN 1.345

    response = post_parts(admin_client, target, split_apbn="1.345,5")

    assert response.status_code == 200
    assert inline_errors(response, "value") == [
        "Satuan ini dihitung utuh: isi bilangan bulat tanpa desimal."
    ]
    assert target.splits.get(group="apbn").value == Decimal(1345)
    assert post_parts(admin_client, target, split_apbn="1.400").status_code == 302
    assert target.splits.get(group="apbn").value == Decimal(1400)


def test_a_duplicate_split_is_named_by_its_label(admin_client, reference_data):
    """Two APBN rows: the message names "kelompok sumber dana", not the code name
    "group"; nothing is saved."""
    target = gbrss_province_target()
    data = parts_data(target)
    count = int(data["splits-TOTAL_FORMS"])
    data |= {
        "splits-TOTAL_FORMS": str(count + 1),
        f"splits-{count}-target": target.pk,
        f"splits-{count}-group": "apbn",
        f"splits-{count}-value": "5",
        f"splits-{count}-source_note": "",
    }
    before = sorted(target.splits.values_list("group", "value"))

    response = admin_client.post(reverse("admin:programs_target_change", args=[target.pk]), data)

    assert response.status_code == 200
    errors = error_messages(page(response))
    assert any("kelompok sumber dana" in e for e in errors), errors
    assert not any("group" in e for e in errors), errors
    assert sorted(target.splits.values_list("group", "value")) == before


def test_a_count_targets_milestone_is_a_whole_number(admin_client, reference_data):
    target = gbrss_province_target()  # 1.778 houses by 15 May 2024

    response = post_parts(admin_client, target, milestone_value="1.778,5")

    assert response.status_code == 200
    assert inline_errors(response, "value") == [
        "Satuan ini dihitung utuh: isi bilangan bulat tanpa desimal."
    ]
    assert target.milestones.get().value == Decimal(1778)


@pytest.mark.parametrize(
    "typed, saved",
    [("1900-01-01", False), ("2030-01-01", False), ("2023-12-31", False), ("2025-03-31", True)],
)
def test_a_milestone_falls_due_in_its_targets_year_or_the_next(
    admin_client, reference_data, typed, saved
):
    target = gbrss_province_target()  # 2024

    response = post_parts(admin_client, target, milestone_due_date=typed)

    milestone = target.milestones.get()
    if saved:
        assert response.status_code == 302
        assert milestone.due_date.isoformat() == typed
    else:
        assert response.status_code == 200
        assert inline_errors(response, "due_date") == [
            "Batas waktu harus jatuh pada tahun target (2024) atau tahun berikutnya."
        ]
        assert milestone.due_date == dt.date(2024, 5, 15)


def test_a_ratio_target_has_no_funding_split(admin_client, reference_data):
    """A rate is not summed over funding sources (the program page says so under its
    charts): a split of the stunting prevalence would be drawn as a planned bar nobody
    can reach. Refused until it is deleted; deleting it saves."""
    target = Target.objects.get(indicator__code="prevalensi-stunting", regency=None, year=2024)
    TargetSplit.objects.create(target=target, group="apbd", value=Decimal(14))

    response = post_parts(admin_client, target, split_apbd="14,33")

    assert response.status_code == 200
    assert SPLITS_NOT_SUMMED in error_messages(page(response))
    assert target.splits.get().value == Decimal(14)
    data = parts_data(target) | {"splits-0-DELETE": "on"}
    deleted = admin_client.post(reverse("admin:programs_target_change", args=[target.pk]), data)
    assert deleted.status_code == 302
    assert not target.splits.exists()


SPLITS_NOT_SUMMED = (
    "Indikator rasio dan tingkat tidak dirinci menurut sumber dana: hapus rencana per sumber dana."
)


def test_funding_splits_add_up_to_no_more_than_the_target(admin_client, reference_data):
    """8.391 houses, of which APBD 3.666, APBN 1.345, Dana Desa 1.293, Baznas 345 and
    CSR 75 are planned (6.724): APBN typed as 3.100 would plan 8.479."""
    target = gbrss_province_target()

    response = post_parts(admin_client, target, split_apbn="3.100")

    assert response.status_code == 200
    assert "Jumlah rencana per sumber dana (8.479) melebihi target (8.391)." in error_messages(
        page(response)
    )
    assert target.splits.get(group="apbn").value == Decimal(1345)
    assert post_parts(admin_client, target, split_apbn="3.012").status_code == 302  # 8.391


def test_milestones_stay_within_the_target_and_never_go_down(admin_client, reference_data):
    """Milestones of a count are cumulative: 1.778 houses by 15 May cannot become 17.780
    (above the 8.391 of the year), and a later milestone cannot be below it."""
    target = gbrss_province_target()

    label = target.milestones.get().label
    above = post_parts(admin_client, target, milestone_value="17.780")
    assert above.status_code == 200
    assert inline_errors(above, "value") == [f"Tahapan {label} (17.780) melebihi target (8.391)."]
    data = parts_data(target) | {
        "milestones-TOTAL_FORMS": "2",
        "milestones-1-target": target.pk,
        "milestones-1-label": "Akhir Agustus",
        "milestones-1-due_date": "2024-08-31",
        "milestones-1-value": "1.500",
        "milestones-1-source_note": "",
    }
    url = reverse("admin:programs_target_change", args=[target.pk])
    lower = admin_client.post(url, data)
    assert lower.status_code == 200
    assert inline_errors(lower, "value") == [
        "Tahapan Akhir Agustus (1.500) lebih rendah dari tahapan sebelumnya (1.778): "
        "tahapan dihitung kumulatif."
    ]
    assert target.milestones.count() == 1
    assert admin_client.post(url, data | {"milestones-1-value": "4.000"}).status_code == 302
    assert list(target.milestones.values_list("value", flat=True)) == [1778, 4000]


def test_a_target_lowered_below_its_plan_in_the_list_is_refused(admin_client, reference_data):
    """The changelist edits the value alone: lowering 8.391 to 6.000 leaves 6.724 houses
    planned per funding source. Refused beside the value, nothing saved."""
    target = gbrss_province_target()
    response = admin_client.post(
        reverse("admin:programs_target_changelist"), changelist_data(target, value="6.000")
    )
    assert response.status_code == 200
    assert (
        "Rencana target ini tidak lagi cocok dengan nilai baru: Jumlah rencana per sumber "
        "dana (6.724) melebihi target (6.000)." in error_messages(page(response))
    )
    target.refresh_from_db()
    assert target.value == 8391


# An indicator's measure and decimals once realized


INDICATOR_FIELDS = (
    "code",
    "name",
    "unit",
    "decimals",
    "direction",
    "measure",
    "numerator_label",
    "denominator_label",
    "order",
    "description",
    "source_note",
)


def indicator_data(indicator: Indicator, **overrides) -> dict:
    data = {name: getattr(indicator, name) for name in INDICATOR_FIELDS}
    data |= {"program": indicator.program_id, "_save": "Simpan"}
    for flag in ("is_headline", "requires_evidence", "allows_negative"):
        if getattr(indicator, flag):
            data[flag] = "on"
    return data | overrides


def post_indicator(admin_client, indicator, **overrides):
    return admin_client.post(
        reverse("admin:programs_indicator_change", args=[indicator.pk]),
        indicator_data(indicator, **overrides),
    )


MEASURE_LOCKED = (
    "Ukuran tidak dapat diubah setelah ada realisasi (%s baris): angka yang sudah masuk "
    "akan berubah arti."
)


def test_a_realized_indicators_measure_stays(admin_client, reference_data, banyuasin):
    target = gbrss_province_target()
    realize(target, regency=banyuasin)
    realize(target, regency=Regency.objects.get(code="16.71"))
    indicator = target.indicator

    response = post_indicator(admin_client, indicator, measure="level")

    assert response.status_code == 200
    assert field_errors(response, "measure") == [MEASURE_LOCKED % 2]
    indicator.refresh_from_db()
    assert indicator.measure == Indicator.Measure.INCREMENT


def test_admin_edits_an_indicators_english_name(admin_client, reference_data):
    """The English name sits next to the Indonesian one ("Nama (Inggris)", blank when the
    same); the form's Indonesian rules still hold: a refused save changes neither."""
    indicator = gbrss_indicator()
    url = reverse("admin:programs_indicator_change", args=[indicator.pk])
    form = page(admin_client.get(url))
    field = find(form, "div", class_="field-name_en")
    assert element_text(find(field, "label")) == "Nama (Inggris):"
    assert "kosongkan bila sama" in element_text(field)

    refused = post_indicator(admin_client, indicator, name_en="Houses renovated", decimals="5")
    assert field_errors(refused, "decimals") == [
        "Pastikan nilai ini lebih kecil dari atau sama dengan 4."
    ]
    indicator.refresh_from_db()
    assert indicator.name_en == "Uninhabitable houses renovated"

    saved = post_indicator(admin_client, indicator, name_en="Houses renovated")
    assert saved.status_code == 302
    indicator.refresh_from_db()
    assert (indicator.name, indicator.name_en) == (
        "Rumah tidak layak huni dibedah",
        "Houses renovated",
    )


def test_a_realized_indicators_measure_stays_on_the_program_page(
    admin_client, reference_data, banyuasin
):
    target = gbrss_province_target()
    realize(target, regency=banyuasin)
    indicator = target.indicator
    program = indicator.program
    data = program_data(program, [{"indicator": indicator, "measure": "running_total"}])

    response = admin_client.post(reverse("admin:programs_program_change", args=[program.pk]), data)

    assert response.status_code == 200
    assert inline_errors(response, "measure") == [MEASURE_LOCKED % 1]
    indicator.refresh_from_db()
    assert indicator.measure == Indicator.Measure.INCREMENT


def test_an_indicators_measure_changes_before_any_realization(admin_client, reference_data):
    indicator = gbrss_indicator()  # targets, no realizations

    response = post_indicator(admin_client, indicator, measure="running_total")

    assert response.status_code == 302
    indicator.refresh_from_db()
    assert indicator.measure == Indicator.Measure.RUNNING_TOTAL


DIRECTION_LOCKED = (
    "Arah tidak dapat diubah setelah ada realisasi (%s baris): capaian dan status angka "
    "yang sudah masuk, tahun-tahun lalu juga, akan terbalik."
)


def test_a_realized_indicators_direction_stays(admin_client, reference_data, banyuasin):
    """Houses "lower is better" turned Banyuasin's 63 % into 158 %, past years too."""
    target = gbrss_province_target()
    realize(target, regency=banyuasin)
    indicator = target.indicator

    response = post_indicator(admin_client, indicator, direction="down")

    assert response.status_code == 200
    assert field_errors(response, "direction") == [DIRECTION_LOCKED % 1]
    indicator.refresh_from_db()
    assert indicator.direction == Indicator.Direction.UP
    program = indicator.program
    data = program_data(program, [{"indicator": indicator, "direction": "down"}])
    response = admin_client.post(reverse("admin:programs_program_change", args=[program.pk]), data)
    assert inline_errors(response, "direction") == [DIRECTION_LOCKED % 1]
    indicator.refresh_from_db()
    assert indicator.direction == Indicator.Direction.UP


def test_an_indicators_direction_changes_before_any_realization(admin_client, reference_data):
    indicator = gbrss_indicator()  # targets without baselines, no realizations

    response = post_indicator(admin_client, indicator, direction="down")

    assert response.status_code == 302
    indicator.refresh_from_db()
    assert indicator.direction == Indicator.Direction.DOWN


def test_decimals_do_not_drop_below_a_stored_value(admin_client, reference_data):
    palembang = Regency.objects.get(code="16.71")
    indicator = Indicator.objects.get(code="inflasi-yoy")  # 2 decimals
    report = MonthlyReportFactory(regency=palembang, program=indicator.program, month=2)
    RealizationFactory(report=report, indicator=indicator, value=Decimal("2.55"))

    refused = post_indicator(admin_client, indicator, decimals="1")
    allowed = post_indicator(admin_client, indicator, decimals="3")

    assert field_errors(refused, "decimals") == [
        "Jumlah desimal tidak dapat dikurangi menjadi 1: 1 baris realisasi sudah memakai "
        "lebih banyak desimal."
    ]
    assert allowed.status_code == 302
    indicator.refresh_from_db()
    assert indicator.decimals == 3
    assert post_indicator(admin_client, indicator, decimals="2").status_code == 302


NEGATIVE_ONLY_FOR_LEVEL = (
    "Hanya indikator dengan cara agregasi 'nilai tingkat' yang boleh negatif: penambahan, "
    "kumulatif dan rasio tidak pernah di bawah nol."
)


@pytest.mark.parametrize("measure", ["increment", "running_total", "ratio"])
def test_only_a_level_may_be_negative(admin_client, reference_data, measure):
    """Sums of increments, running totals and ratios stay at or above zero."""
    indicator = IndicatorFactory(
        program=Program.objects.get(slug="gbrss"), measure=measure, is_headline=False
    )

    refused = post_indicator(admin_client, indicator, allows_negative="on")

    assert refused.status_code == 200
    assert field_errors(refused, "allows_negative") == [NEGATIVE_ONLY_FOR_LEVEL]
    indicator.refresh_from_db()
    assert indicator.allows_negative is False


def test_a_level_may_be_negative_until_a_negative_value_is_stored(admin_client, reference_data):
    program = Program.objects.get(slug="gpiss")
    indicator = IndicatorFactory(program=program, measure=Indicator.Measure.LEVEL, decimals=2)

    assert post_indicator(admin_client, indicator, allows_negative="on").status_code == 302
    indicator.refresh_from_db()
    assert indicator.allows_negative is True

    report = MonthlyReportFactory(
        regency=Regency.objects.get(code="16.71"), program=program, month=2
    )
    RealizationFactory(report=report, indicator=indicator, value=Decimal("-0.09"))
    data = indicator_data(indicator)
    del data["allows_negative"]  # unticked
    refused = admin_client.post(
        reverse("admin:programs_indicator_change", args=[indicator.pk]), data
    )

    assert field_errors(refused, "allows_negative") == [
        "'Boleh negatif' tidak dapat dimatikan: 1 baris realisasi sudah bernilai negatif "
        "(perbaiki dulu angkanya)."
    ]
    indicator.refresh_from_db()
    assert indicator.allows_negative is True


# Two tabs on the same target


def test_a_target_changed_since_the_form_opened_is_not_overwritten(admin_client, reference_data):
    target = gbrss_province_target()  # 8.391
    target.value = Decimal(9000)
    target.save()
    url = reverse("admin:programs_target_change", args=[target.pk])
    form_a = admin_client.get(url).context["adminform"].form  # tab A opens the target
    assert find(page(admin_client.get(url)), "input", name="seen_version")  # carried along
    tab_a = change_data(target, seen_version=form_a.initial["seen_version"])
    tab_b = change_data(target, value="9.100")  # tab B opens it too, then saves 9.100
    assert admin_client.post(url, tab_b).status_code == 302

    # Tab A changes only the source note and saves what it opened with (value 9.000).
    response = admin_client.post(url, tab_a | {"source_note": "Catatan dari tab A"})

    assert response.status_code == 200
    assert error_messages(page(response)) == [
        "Target ini sudah diubah orang lain sejak Anda membukanya (nilai kini 9.100). Muat "
        "ulang halaman lalu ulangi perubahan Anda."
    ]
    target.refresh_from_db()
    assert target.value == Decimal(9100)
    assert target.source_note != "Catatan dari tab A"
    # Reloaded, tab A saves its change on top of tab B's.
    reloaded = admin_client.get(url).context["adminform"].form.initial["seen_version"]
    tab_a = change_data(target, seen_version=reloaded, source_note="Catatan dari tab A")
    assert admin_client.post(url, tab_a).status_code == 302
    target.refresh_from_db()
    assert (target.value, target.source_note) == (Decimal(9100), "Catatan dari tab A")


@pytest.mark.usefixtures("frozen_clock")  # 27 June 2025: April is locked since 9 June
def test_a_lock_exception_lengthened_since_the_form_opened_is_not_overwritten(
    admin_client, reference_data
):
    """An admin opens Banyuasin's April exception (until 1 July) to correct its reason;
    meanwhile a verifier returns April's report, which lengthens the exception to 11 July
    so the operator can correct it. The admin's save put 1 July back, silently: the
    operator lost ten days the verifier had given. The stale form is now refused, saying
    what stands; reloaded, the admin's change is saved on top of the verifier's."""
    from tests.admin_helpers import lock_exception, lock_exception_form

    gbrss = Program.objects.get(slug="gbrss")
    exception = lock_exception(
        gbrss, year=2025, month=4, until=dt.date(2025, 7, 1), reason="Berita acara BPS"
    )
    url = reverse("admin:programs_lockexception_change", args=[exception.pk])
    opened = page(admin_client.get(url))
    seen = attribute(find(opened, "input", name="seen_version"), "value")
    stale = lock_exception_form(
        gbrss, until="1 Juli 2025", reason="Berita acara BPS April", seen_version=seen
    )
    returned_april()  # lengthens it to 11 July

    response = admin_client.post(url, stale)

    assert response.status_code == 200
    assert error_messages(page(response)) == [
        "Pengecualian kunci ini sudah diubah orang lain sejak Anda membukanya (kini berlaku "
        "sampai 11 Juli 2025, oleh ver-gbrss). Tidak ada yang disimpan: muat ulang halaman "
        "lalu ulangi perubahan Anda."
    ]
    exception.refresh_from_db()
    assert exception.until == dt.date(2025, 7, 11)
    assert exception.reason.startswith("Dikembalikan")
    # Reloaded: the admin's reason is saved, the verifier's date kept.
    seen = attribute(find(page(admin_client.get(url)), "input", name="seen_version"), "value")
    fresh = lock_exception_form(
        gbrss, until="11 Juli 2025", reason="Berita acara BPS April", seen_version=seen
    )
    assert admin_client.post(url, fresh).status_code == 302
    exception.refresh_from_db()
    assert (exception.until, exception.reason) == (dt.date(2025, 7, 11), "Berita acara BPS April")


def april_exception_until_1_july() -> LockException:
    """Banyuasin's GBRSS April 2025 exception, until 1 July, saved as the admin saves one
    (with a history record)."""
    from tests.admin_helpers import lock_exception

    exception = lock_exception(
        Program.objects.get(slug="gbrss"),
        year=2025,
        month=4,
        until=dt.date(2025, 7, 1),
        reason="Berita acara BPS",
    )
    exception.save()
    return exception


def returned_april():
    """Banyuasin's GBRSS April 2025 report, submitted, then returned by `ver-gbrss`: the
    return opens the locked month until 11 July 2025 (27 June + the correction days),
    creating the exception or lengthening an earlier one. Returns the exception and the
    verifier."""
    from programs.reporting import services
    from tests.helpers import make_user

    report = MonthlyReportFactory(
        program=Program.objects.get(slug="gbrss"),
        regency=Regency.objects.get(code="16.07"),
        year=2025,
        month=4,
        status=MonthlyReport.Status.SUBMITTED,
    )
    verifier = make_user("ver-gbrss", "verifikator", programs=["gbrss"])
    services.report_return(
        user=verifier, report=report, reason="Foto belum ada", version=report.version
    )
    exception = LockException.objects.get()
    assert (exception.until, exception.granted_by) == (dt.date(2025, 7, 11), verifier)
    return exception, verifier


@pytest.mark.usefixtures("frozen_clock")  # 27 June 2025: April is locked since 9 June
def test_a_lock_exception_lengthened_since_its_delete_page_opened_is_kept(
    admin_client, reference_data
):
    """An admin opens the deletion of Banyuasin's April exception (until 1 July, no
    longer needed); meanwhile a verifier returns April's report, which lengthens it to
    11 July for the operator's correction. Confirming removed the verifier's exception
    silently, and the operator found the month locked. The stale confirmation is now
    refused, naming the date and who set it; the page shown again deletes it when
    confirmed."""

    exception = (
        april_exception_until_1_july()
    )  # a history record, as every exception saved by the admin has
    url = reverse("admin:programs_lockexception_delete", args=[exception.pk])
    assert admin_client.get(url).status_code == 200
    returned_april()

    response = admin_client.post(url, {"post": "yes"}, follow=True)

    assert response.redirect_chain == [(url, 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "Pengecualian kunci Banyuasin — GBRSS — 04/2025 sudah diubah orang lain sejak Anda "
        "membukanya (kini berlaku sampai 11 Juli 2025, oleh ver-gbrss). Tidak ada yang "
        "dihapus: periksa lalu hapus lagi bila memang tidak diperlukan."
    ]
    assert LockException.objects.get().until == dt.date(2025, 7, 11)
    # The page shown again is of the version now stored: confirmed, it deletes.
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not LockException.objects.exists()


@pytest.mark.usefixtures("frozen_clock")
def test_lock_exceptions_lengthened_since_the_bulk_delete_page_opened_are_kept(
    admin_client, reference_data
):
    """The same through the list's "delete selected": nothing is deleted when one of the
    selected exceptions changed since the confirmation page was opened."""

    exception = april_exception_until_1_july()
    changelist = reverse("admin:programs_lockexception_changelist")
    selection = {"action": "delete_selected", "_selected_action": [str(exception.pk)]}
    assert admin_client.post(changelist, selection).status_code == 200  # the confirmation
    returned_april()

    response = admin_client.post(changelist, {**selection, "post": "yes"}, follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        "Pengecualian kunci Banyuasin — GBRSS — 04/2025 sudah diubah orang lain sejak Anda "
        "membukanya (kini berlaku sampai 11 Juli 2025, oleh ver-gbrss). Tidak ada yang "
        "dihapus: periksa lalu hapus lagi bila memang tidak diperlukan."
    ]
    assert LockException.objects.get().until == dt.date(2025, 7, 11)
    assert admin_client.post(changelist, selection).status_code == 200
    admin_client.post(changelist, {**selection, "post": "yes"})
    assert not LockException.objects.exists()


@pytest.mark.usefixtures("frozen_clock")
def test_an_admin_setting_a_new_date_on_a_verifiers_exception_is_its_grantor(
    admin_client, reference_data
):
    """A verifier's return opened April until 11 July; an admin moves it to 20 July. The
    list and the form went on naming the verifier as the one who granted 20 July. The
    admin is named now, and the history keeps the verifier's grant before it; correcting
    only the reason keeps whoever set the date."""
    exception, verifier = returned_april()
    url = reverse("admin:programs_lockexception_change", args=[exception.pk])
    seen = attribute(find(page(admin_client.get(url)), "input", name="seen_version"), "value")
    later = lock_exception_form_for(
        until="20 Juli 2025", reason="Dikembalikan: foto belum ada", seen_version=seen
    )

    assert admin_client.post(url, later).status_code == 302

    exception.refresh_from_db()
    assert exception.until == dt.date(2025, 7, 20)
    assert exception.granted_by.username == "admin"
    listed = admin_client.get(reverse("admin:programs_lockexception_changelist"))
    assert admin_column(listed, "granted_by") == ["admin"]
    grants = exception.history.order_by("history_id").values_list("until", "granted_by")
    assert list(grants) == [
        (dt.date(2025, 7, 11), verifier.pk),
        (dt.date(2025, 7, 20), exception.granted_by.pk),
    ]
    # A verifier's reason corrected by the admin: the verifier still set 11 July.
    exception.until, exception.granted_by = dt.date(2025, 7, 11), verifier
    exception.save()
    seen = attribute(find(page(admin_client.get(url)), "input", name="seen_version"), "value")
    reason_only = lock_exception_form_for(
        until="11 Juli 2025", reason="Foto rumah belum ada", seen_version=seen
    )
    assert admin_client.post(url, reason_only).status_code == 302
    exception.refresh_from_db()
    assert (exception.reason, exception.granted_by) == ("Foto rumah belum ada", verifier)


def lock_exception_form_for(**changes) -> dict:
    from tests.admin_helpers import lock_exception_form

    return lock_exception_form(Program.objects.get(slug="gbrss"), **changes)


def test_a_target_form_without_its_version_is_refused(admin_client, reference_data):
    target = gbrss_province_target()
    target.save()  # a history record
    data = change_data(target, value="8.400")
    del data["seen_version"]

    response = admin_client.post(reverse("admin:programs_target_change", args=[target.pk]), data)

    assert response.status_code == 200
    target.refresh_from_db()
    assert target.value == Decimal(8391)


# "Tidak dirinci": the source of every rate and level


def test_the_unspecified_source_can_be_neither_retired_nor_renamed_nor_deleted(
    admin_client, reference_data
):
    """Rates and levels are entered with "Tidak dirinci" (they are not broken down by
    source): retired, renamed or deleted, no stunting rate or inflation could be saved.
    Other sources can be retired as before."""
    source = FundingSource.objects.get(code="tidak-dirinci")
    url = reverse("admin:programs_fundingsource_change", args=[source.pk])
    data = {
        "code": source.code,
        "category": source.category,
        "name": source.name,
        "order": source.order,
        "source_note": source.source_note,
        "_save": "Simpan",
    }  # "active" left out: unticked
    for changes in ({}, {"active": "on", "code": "tanpa-rincian"}):
        response = admin_client.post(url, data | changes)
        assert response.status_code == 200
        assert (
            'Sumber dana "Tidak dirinci" dipakai untuk indikator rasio dan tingkat serta baris '
            "tanpa sumber: kodenya tidak dapat diubah dan sumber ini tidak dapat dinonaktifkan."
        ) in error_messages(page(response))
    source.refresh_from_db()
    assert (source.code, source.active) == ("tidak-dirinci", True)
    delete = reverse("admin:programs_fundingsource_delete", args=[source.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert FundingSource.objects.filter(code="tidak-dirinci").exists()

    csr = FundingSource.objects.get(code="pertamina")
    retire = {**data, "code": csr.code, "category": csr.category, "name": csr.name}
    response = admin_client.post(
        reverse("admin:programs_fundingsource_change", args=[csr.pk]), retire
    )
    assert response.status_code == 302
    csr.refresh_from_db()
    assert not csr.active


# One headline indicator per program that has indicators


def program_data(program: Program, rows: list[dict]) -> dict:
    """The program change form's POST with `rows` as its indicator inline: each row the
    stored indicator's fields ('indicator': the Indicator), with its own overrides
    (`is_headline` True/False, 'DELETE', 'code', 'measure', 'direction', ...)."""
    data = {
        "slug": program.slug,
        "acronym": program.acronym,
        "name": program.name,
        "description": program.description,
        "lead_agency": program.lead_agency,
        "launch_date": program.launch_date.isoformat(),
        "launch_note": program.launch_note,
        "colour": program.colour,
        "order": program.order,
        "active": "on",
        "source_note": program.source_note,
        "indicators-TOTAL_FORMS": str(len(rows)),
        "indicators-INITIAL_FORMS": str(len(rows)),
        "_save": "Simpan",
    }
    for i, row in enumerate(rows):
        indicator = row["indicator"]
        fields = {
            "id": indicator.pk,
            "program": program.pk,
            "order": indicator.order,
            "code": row.get("code", indicator.code),
            "name": indicator.name,
            "unit": indicator.unit,
            "decimals": indicator.decimals,
            "measure": row.get("measure", indicator.measure),
            "direction": row.get("direction", indicator.direction),
        }
        if row.get("is_headline", indicator.is_headline):
            fields["is_headline"] = "on"
        if row.get("DELETE"):
            fields["DELETE"] = "on"
        data |= {f"indicators-{i}-{name}": value for name, value in fields.items()}
    return data


def post_program(admin_client, program, rows):
    url = reverse("admin:programs_program_change", args=[program.pk])
    return admin_client.post(url, program_data(program, rows))


HEADLINE_KEPT = (
    "Ini indikator utama program {program}, dan program yang punya indikator harus punya "
    "satu indikator utama (tanpanya program hilang dari halaman depan dan ringkasan rapat). "
    "Pindahkan centangnya di halaman program: centang indikator lain dan hapus centang ini "
    "dalam satu kali simpan."
)
HEADLINE_REQUIRED = (
    "Program yang punya indikator harus punya satu indikator utama (tanpanya program hilang "
    "dari halaman depan dan ringkasan rapat): centang 'indikator utama' pada salah satu "
    "indikator."
)


@pytest.fixture
def stunting_indicators(reference_data):
    """GPSTSS: the stunting prevalence (headline) and the toddlers accompanied."""
    return (
        Indicator.objects.get(code="prevalensi-stunting"),
        Indicator.objects.get(code="balita-didampingi"),
    )


def test_the_headline_indicator_is_not_unticked_on_its_page(admin_client, stunting_indicators):
    """Unticked, the program vanished from the overview and the meeting summary. The
    message links to the program page, where the tick moves in one save."""
    headline, _other = stunting_indicators
    data = indicator_data(headline)
    del data["is_headline"]

    response = admin_client.post(
        reverse("admin:programs_indicator_change", args=[headline.pk]), data
    )

    assert response.status_code == 200
    label = headline.program.label
    shown = HEADLINE_KEPT.format(program=label).replace("program:", "program :")  # a link
    assert field_errors(response, "is_headline") == [shown]
    link = find(find(page(response), "div", class_="field-is_headline"), "a")
    program_url = reverse("admin:programs_program_change", args=[headline.program_id])
    assert attribute(link, "href") == program_url
    headline.refresh_from_db()
    assert headline.is_headline
    overview = admin_client.get("/?tahun=2024")
    assert "Prevalensi" in element_text(find(page(overview), "main"))


def test_the_headline_moves_to_another_indicator_on_the_program_page(
    admin_client, stunting_indicators
):
    headline, other = stunting_indicators
    program = headline.program

    none = post_program(
        admin_client,
        program,
        [{"indicator": headline, "is_headline": False}, {"indicator": other}],
    )
    assert none.status_code == 200
    assert inline_errors(none, "is_headline") == [HEADLINE_REQUIRED]
    headline.refresh_from_db()
    assert headline.is_headline

    moved = post_program(
        admin_client,
        program,
        [{"indicator": headline, "is_headline": False}, {"indicator": other, "is_headline": True}],
    )
    assert moved.status_code == 302
    assert list(program.indicators.filter(is_headline=True)) == [other]


@pytest.fixture
def new_program():
    """A program without data: a headline indicator and another."""
    program = Program.objects.create(
        slug="uji-utama", acronym="GUJI", name="Gerakan uji", launch_date=dt.date(2026, 1, 1)
    )
    headline = IndicatorFactory(program=program, is_headline=True, name="Desa uji")
    other = IndicatorFactory(program=program, name="Rumah uji")
    return program, headline, other


def test_a_headline_indicator_without_data_is_not_deleted_while_others_stay(
    admin_client, new_program
):
    """Deleted, it took its program off the overview ("Belum ada indikator maupun target
    yang dipublikasikan"): refused on its delete page, by the bulk action and on the
    program page. Another indicator, or the program's last one, is deleted as before."""
    program, headline, other = new_program
    refusal = (
        "Desa uji adalah indikator utama program GUJI: centang dulu indikator lain sebagai "
        "indikator utama di halaman program, lalu hapus indikator ini."
    )
    delete = reverse("admin:programs_indicator_delete", args=[headline.pk])
    asked = admin_client.get(delete)
    assert refusal in element_text(find(page(asked), "div", id="content"))
    assert admin_client.post(delete, {"post": "yes"}).status_code == 200
    action = {"action": "delete_selected", "_selected_action": [headline.pk], "post": "yes"}
    bulk = admin_client.post(reverse("admin:programs_indicator_changelist"), action)
    assert refusal in element_text(find(page(bulk), "div", id="content"))
    inline = post_program(
        admin_client, program, [{"indicator": headline, "DELETE": True}, {"indicator": other}]
    )
    assert inline.status_code == 200
    assert HEADLINE_REQUIRED in error_messages(page(inline))
    assert Indicator.objects.filter(pk=headline.pk, is_headline=True).exists()

    other_delete = reverse("admin:programs_indicator_delete", args=[other.pk])
    assert admin_client.post(other_delete, {"post": "yes"}).status_code == 302
    assert admin_client.post(delete, {"post": "yes"}).status_code == 302  # the last one
    assert not program.indicators.exists()


def test_a_programs_first_indicator_is_its_headline(admin_client, reference_data):
    program = Program.objects.get(slug="mandiri-energi")  # no indicator yet
    indicator = Indicator(
        program=program,
        code="desa-berlistrik",
        name="Desa berlistrik",
        unit="desa",
        measure=Indicator.Measure.INCREMENT,
    )
    data = indicator_data(indicator)
    add = reverse("admin:programs_indicator_add")

    refused = admin_client.post(add, data)

    assert refused.status_code == 200
    assert field_errors(refused, "is_headline") == [
        f"Program {program.label} belum punya indikator utama: centang 'indikator utama' "
        "pada indikator ini (tanpanya program hilang dari halaman depan dan ringkasan rapat)."
    ]
    assert not program.indicators.exists()
    assert admin_client.post(add, data | {"is_headline": "on"}).status_code == 302
    assert program.indicators.get().is_headline


# An indicator's code once it has targets or realizations


def code_locked(realizations: int, targets: int, code: str) -> str:
    return (
        f"Kode tidak dapat diubah setelah indikator memiliki realisasi atau target "
        f"({realizations} baris realisasi, {targets} target): tautan (?indikator={code}), "
        "impor dan ekspor mengenali indikator dari kodenya."
    )


def test_an_indicators_code_stays_once_it_has_targets_or_realizations(
    admin_client, reference_data, banyuasin
):
    """Links (?indikator=), imports and exports find an indicator by its code: renamed
    to another program's code, they found another indicator or none."""
    target = gbrss_province_target()
    indicator = target.indicator
    refused = post_indicator(admin_client, indicator, code="balita-didampingi")
    assert field_errors(refused, "code") == [code_locked(0, 1, "rumah-dibedah")]
    realize(target, regency=banyuasin)
    inline = post_program(
        admin_client, indicator.program, [{"indicator": indicator, "code": "rumah"}]
    )
    assert inline_errors(inline, "code") == [code_locked(1, 1, "rumah-dibedah")]
    indicator.refresh_from_db()
    assert indicator.code == "rumah-dibedah"


def test_an_indicators_code_changes_before_any_target_or_realization(admin_client, new_program):
    _program, headline, _other = new_program

    response = post_indicator(admin_client, headline, code="desa-uji")

    assert response.status_code == 302
    headline.refresh_from_db()
    assert headline.code == "desa-uji"


# A province target and its regency allocations


@pytest.fixture
def allocations(reference_data):
    """GBRSS 2024: the province's 8.391 houses, Banyuasin 5.000 and OKU 3.000 of them."""
    province = gbrss_province_target()
    banyuasin = Target.objects.create(
        indicator=province.indicator, regency_id="16.07", year=2024, value=Decimal(5000)
    )
    oku = Target.objects.create(
        indicator=province.indicator, regency_id="16.01", year=2024, value=Decimal(3000)
    )
    return province, banyuasin, oku


PROVINCE_TOO_LOW = (
    "Target provinsi ({target}) lebih kecil dari jumlah alokasi kabupaten/kota tahun 2024 "
    "({allocated}). Isi target provinsi paling sedikit {allocated}, atau kurangi dulu "
    "alokasi kabupaten/kota."
)
ALLOCATIONS_TOO_HIGH = (
    "Jumlah alokasi kabupaten/kota tahun 2024 akan menjadi {allocated}, melebihi target "
    "provinsi ({target}) sebanyak {excess}. Naikkan dulu target provinsi, atau kurangi "
    "alokasi."
)


def test_a_province_target_is_not_set_below_its_allocations(admin_client, allocations):
    province, _banyuasin, _oku = allocations
    url = reverse("admin:programs_target_change", args=[province.pk])

    refused = admin_client.post(url, change_data(province, value="7.999"))

    assert field_errors(refused, "value") == [
        PROVINCE_TOO_LOW.format(target="7.999", allocated="8.000")
    ]
    province.refresh_from_db()
    assert province.value == 8391
    assert admin_client.post(url, change_data(province, value="8.000")).status_code == 302


def test_an_allocation_is_not_raised_or_added_above_the_province_target(admin_client, allocations):
    province, banyuasin, _oku = allocations
    url = reverse("admin:programs_target_change", args=[banyuasin.pk])

    raised = admin_client.post(url, change_data(banyuasin, value="5.392"))
    added = admin_client.post(
        reverse("admin:programs_target_add"),
        change_data(
            Target(indicator=province.indicator, regency_id="16.02", year=2024),
            value="392",
            seen_version="",
        ),
    )

    assert field_errors(raised, "value") == [
        ALLOCATIONS_TOO_HIGH.format(allocated="8.392", target="8.391", excess="1")
    ]
    assert field_errors(added, "value") == [
        ALLOCATIONS_TOO_HIGH.format(allocated="8.392", target="8.391", excess="1")
    ]
    banyuasin.refresh_from_db()
    assert banyuasin.value == 5000
    assert not Target.objects.filter(regency_id="16.02").exists()
    assert admin_client.post(url, change_data(banyuasin, value="5.391")).status_code == 302


def two_rows(first: Target, second: Target, first_value: str, second_value: str) -> dict:
    """A changelist POST editing two rows at once."""
    data = changelist_data(first, value=first_value)
    other = changelist_data(second, value=second_value)
    data |= {k.replace("form-0-", "form-1-"): v for k, v in other.items() if "form-0-" in k}
    return data | {"form-TOTAL_FORMS": "2", "form-INITIAL_FORMS": "2"}


def test_allocations_are_checked_with_every_row_edited_in_the_list(admin_client, allocations):
    """Each row alone holds (8.100 >= 8.000; 5.200 + 3.000 <= 8.391), both together do
    not (8.200 > 8.100): refused beside both values, nothing saved. Raising the
    province target and an allocation in one save is fine."""
    province, banyuasin, _oku = allocations
    url = reverse("admin:programs_target_changelist")

    refused = admin_client.post(url, two_rows(province, banyuasin, "8.100", "5.200"))

    assert refused.status_code == 200
    beside_values = [
        error
        for cell in find_all(page(refused), "td", class_="field-value")
        for error in error_messages(cell)
    ]
    assert sorted(beside_values) == [
        ALLOCATIONS_TOO_HIGH.format(allocated="8.200", target="8.100", excess="100"),
        PROVINCE_TOO_LOW.format(target="8.100", allocated="8.200"),
    ]
    province.refresh_from_db()
    banyuasin.refresh_from_db()
    assert (province.value, banyuasin.value) == (8391, 5000)

    raised = admin_client.post(url, two_rows(province, banyuasin, "9.000", "5.900"))
    assert raised.status_code == 302
    province.refresh_from_db()
    banyuasin.refresh_from_db()
    assert (province.value, banyuasin.value) == (9000, 5900)


def test_a_list_edit_alone_keeps_the_allocations(admin_client, allocations):
    province, banyuasin, _oku = allocations
    url = reverse("admin:programs_target_changelist")

    lowered = admin_client.post(url, changelist_data(province, value="7.999"))
    raised = admin_client.post(url, changelist_data(banyuasin, value="5.392"))

    assert PROVINCE_TOO_LOW.format(target="7.999", allocated="8.000") in error_messages(
        page(lowered)
    )
    assert ALLOCATIONS_TOO_HIGH.format(
        allocated="8.392", target="8.391", excess="1"
    ) in error_messages(page(raised))
    assert sorted(
        Target.objects.filter(year=2024, indicator=province.indicator).values_list(
            "value", flat=True
        )
    ) == [3000, 5000, 8391]


def test_targets_are_copied_to_the_next_year_only_within_its_province_target(
    admin_client, allocations
):
    """2025's province target is 6.000 houses: copying 2024's 5.000 and 3.000 to it would
    allocate 8.000. Nothing is copied, and the message says why."""
    province, banyuasin, oku = allocations
    Target.objects.create(indicator=province.indicator, year=2025, value=Decimal(6000))
    url = reverse("admin:programs_target_changelist")

    response = admin_client.post(
        url,
        {
            "action": "copy_to_next_year",
            "_selected_action": [banyuasin.pk, oku.pk],
            "reason": "Target awal 2025",
            "apply": "Salin",
        },
        follow=True,
    )

    message = ALLOCATIONS_TOO_HIGH.format(allocated="8.000", target="6.000", excess="2.000")
    message = message.replace("2024", "2025")
    shown = element_text(find(page(response), "ul", class_="messagelist"))
    assert f"Tidak ada yang disalin: target {banyuasin.indicator} — " in shown
    assert message in shown
    assert not Target.objects.filter(year=2025, regency__isnull=False).exists()


# A target against its baseline, and a rate's ceiling


def stunting_target() -> Target:
    """GPSTSS 2024: the province's stunting prevalence 14,33 % from 20,3 % (down)."""
    return Target.objects.get(indicator__code="prevalensi-stunting", regency=None, year=2024)


NOT_BELOW_BASELINE = (
    "Indikator ini makin rendah makin baik: target ({target}) harus lebih rendah dari "
    "nilai dasar ({baseline}). Capaian diukur sebagai penurunan dari nilai dasar menuju "
    "target, jadi target setinggi nilai dasar atau lebih membuat capaian tak bermakna."
)
NOT_ABOVE_BASELINE = (
    "Indikator ini makin tinggi makin baik: target ({target}) harus lebih tinggi dari "
    "nilai dasar ({baseline}). Target setinggi nilai dasar atau lebih rendah berarti "
    "tidak ada kemajuan yang ditargetkan."
)
ABOVE_HUNDRED = (
    "Target rasio tidak dapat melebihi 100 ({target}): rasio dihitung sebagai "
    "pembilang/penyebut x 100, dan pembilang tidak pernah lebih besar dari penyebut."
)


def test_a_down_target_stays_below_its_baseline(admin_client, reference_data):
    """A stunting target of 25 % from a baseline of 20,4 % showed "-63,3 % Tertinggal"."""
    target = stunting_target()
    url = reverse("admin:programs_target_change", args=[target.pk])

    above = admin_client.post(
        url, change_data(target, value="25", baseline="20,4", confirm_large_change="on")
    )
    equal = admin_client.post(url, change_data(target, value="20,4", baseline="20,4"))

    assert field_errors(above, "value") == [NOT_BELOW_BASELINE.format(target="25", baseline="20,4")]
    assert field_errors(equal, "value") == [
        NOT_BELOW_BASELINE.format(target="20,4", baseline="20,4")
    ]
    target.refresh_from_db()
    assert (target.value, target.baseline) == (Decimal("14.33"), Decimal("20.3"))
    assert (
        admin_client.post(url, change_data(target, value="14", baseline="20,4")).status_code == 302
    )


def test_an_up_target_stays_above_its_baseline_and_a_rate_within_100(admin_client, reference_data):
    """GSMP: the share of villages, up, 90 % in 2024."""
    target = Target.objects.get(indicator__code="desa-gsmp", regency=None, year=2024)
    url = reverse("admin:programs_target_change", args=[target.pk])

    below = admin_client.post(url, change_data(target, value="60", baseline="75"))
    above_all = admin_client.post(
        url, change_data(target, value="120", baseline="", confirm_large_change="on")
    )

    assert field_errors(below, "value") == [NOT_ABOVE_BASELINE.format(target="60", baseline="75")]
    assert field_errors(above_all, "value") == [ABOVE_HUNDRED.format(target="120")]
    target.refresh_from_db()
    assert target.value == 90
    assert (
        admin_client.post(
            url, change_data(target, value="100", baseline="75", confirm_large_change="on")
        ).status_code
        == 302
    )


def test_the_list_keeps_a_target_and_its_baseline_apart(admin_client, reference_data):
    """The baseline edited alone in the list: 14 % is below the 14,33 % target."""
    target = stunting_target()

    response = admin_client.post(
        reverse("admin:programs_target_changelist"), changelist_data(target, baseline="14")
    )

    assert response.status_code == 200
    assert NOT_BELOW_BASELINE.format(target="14,33", baseline="14") in error_messages(
        page(response)
    )
    target.refresh_from_db()
    assert target.baseline == Decimal("20.3")


def test_an_indicators_direction_or_measure_keeps_its_targets_meaningful(
    admin_client, reference_data
):
    """Stunting turned "higher is better" would make its 14,33 % target (from 20,3 %) a
    fall; houses turned into a rate would make 8.391 a rate above 100. Refused beside
    the field until the targets change."""
    stunting = Indicator.objects.get(code="prevalensi-stunting")
    houses = gbrss_indicator()

    up = post_indicator(admin_client, stunting, direction="up")
    rate = post_indicator(admin_client, houses, measure="ratio")

    assert field_errors(up, "direction") == [
        "Tidak dapat diubah: 1 target indikator ini tidak lagi cocok dengan perubahan ini, "
        "misalnya target Provinsi 2024: "
        + NOT_ABOVE_BASELINE.format(target="14,33", baseline="20,3")
        + " Ubah dulu targetnya."
    ]
    assert field_errors(rate, "measure") == [
        "Tidak dapat diubah: 1 target indikator ini tidak lagi cocok dengan perubahan ini, "
        "misalnya target Provinsi 2024: "
        + ABOVE_HUNDRED.format(target="8.391")
        + " Ubah dulu targetnya."
    ]
    stunting.refresh_from_db()
    houses.refresh_from_db()
    assert (stunting.direction, houses.measure) == ("down", "increment")


# A submitted or verified report's figures, changed in the admin


def test_a_verified_reports_figure_changes_only_with_a_reason(
    admin_client, reference_data, banyuasin
):
    """An admin changing a verified figure leaves why in the report's history, as a
    target's change does; without a reason nothing is saved. A draft needs none."""
    realization = realize(gbrss_province_target(), regency=banyuasin)  # verified, 1 house
    row = [row_of(realization, value="2")]

    refused = post_report(admin_client, realization.report, row, change_reason="")
    assert refused.status_code == 200
    assert (
        "Laporan ini sudah diajukan atau diverifikasi: isi alasan perubahan angkanya "
        "(disimpan di riwayat laporan)." in error_messages(page(refused))
    )
    realization.refresh_from_db()
    assert realization.value == Decimal(1)
    # A zero-width space pasted alone is no reason either.
    invisible = post_report(admin_client, realization.report, row, change_reason="\u200b")
    assert "isi alasan perubahan angkanya" in " ".join(error_messages(page(invisible)))
    realization.refresh_from_db()
    assert realization.value == Decimal(1)

    saved = post_report(admin_client, realization.report, row, change_reason="BA 12 Des")
    assert saved.status_code == 302
    realization.refresh_from_db()
    assert realization.value == Decimal(2)
    assert realization.history.first().history_change_reason == "BA 12 Des"

    draft = realize(
        gbrss_province_target(), regency=Regency.objects.get(code="16.71"), status="draft"
    )
    response = post_report(admin_client, draft.report, [row_of(draft, value="2")], change_reason="")
    assert response.status_code == 302


def test_a_reports_change_reason_too_long_is_refused_with_id_id_numbers(
    admin_client, reference_data, banyuasin
):
    realization = realize(gbrss_province_target(), regency=banyuasin)
    row = [row_of(realization, value="2")]
    refused = post_report(admin_client, realization.report, row, change_reason="x" * 1001)
    assert refused.status_code == 200
    assert error_messages(find(page(refused), "div", class_="field-change_reason")) == [
        "Paling banyak 1.000 karakter (sekarang 1.001 karakter)."
    ]
    realization.refresh_from_db()
    assert realization.value == Decimal(1)


def test_a_reports_figure_typed_an_order_too_large_needs_a_confirmation(
    admin_client, reference_data, banyuasin
):
    """4 houses become 8.600 (8,6 typed the other way round?): asked to confirm, as a
    target's large change is; nothing saved until then."""
    realization = realize(gbrss_province_target(), regency=banyuasin)
    Realization.objects.filter(pk=realization.pk).update(value=Decimal(4))
    row = [row_of(realization, value="8.600")]

    response = post_report(admin_client, realization.report, row, confirm_large_change="")
    assert response.status_code == 200
    assert inline_errors(response, "value") == [
        "Perubahan besar: dari 4 menjadi 8.600. Periksa pemisah ribuan dan desimal (8.600 = "
        "delapan ribu enam ratus; 14,33 = empat belas koma tiga tiga), lalu centang 'Ya, "
        "perubahan ini benar' untuk menyimpan."
    ]
    realization.refresh_from_db()
    assert realization.value == Decimal(4)
    assert post_report(admin_client, realization.report, row).status_code == 302  # confirmed
    realization.refresh_from_db()
    assert realization.value == Decimal(8600)


def test_a_target_with_realizations_is_kept_from_deletion(admin_client, reference_data, banyuasin):
    """Deleting a realized target turned its regency's progress into "Belum ada target"
    with no reason kept, while changing it needs one. The delete page and the list's
    bulk action show it as protected and delete nothing; a target without realizations
    still goes."""
    realized = Target.objects.create(
        indicator=gbrss_indicator(), regency=banyuasin, year=2024, value=Decimal(276)
    )
    realize(realized, regency=banyuasin)
    free = Target.objects.create(
        indicator=gbrss_indicator(),
        regency=Regency.objects.get(code="16.71"),
        year=2024,
        value=Decimal(300),
    )
    delete = reverse("admin:programs_target_delete", args=[realized.pk])
    page_ = admin_client.get(delete)
    assert "sudah memiliki realisasi. Ubah nilainya (dengan alasan)" in page_.content.decode()
    admin_client.post(delete, {"post": "yes"})
    bulk = admin_client.post(
        reverse("admin:programs_target_changelist"),
        {"action": "delete_selected", "_selected_action": [realized.pk, free.pk], "post": "yes"},
    )
    assert "sudah memiliki realisasi" in bulk.content.decode()
    assert Target.objects.filter(pk__in=[realized.pk, free.pk]).count() == 2
    admin_client.post(reverse("admin:programs_target_delete", args=[free.pk]), {"post": "yes"})
    assert not Target.objects.filter(pk=free.pk).exists()


# A program's slug once it has reports or targets


def test_a_programs_slug_stays_once_it_has_reports_or_targets(admin_client, reference_data):
    """Renamed, /program/gbrss/, saved views, notification links and import files that
    name it answered 404 or 'program tidak dikenal'."""
    program = Program.objects.get(slug="gbrss")
    targets = Target.objects.filter(indicator__program=program).count()
    data = program_data(program, []) | {"slug": "gbrss-baru"}

    refused = admin_client.post(reverse("admin:programs_program_change", args=[program.pk]), data)

    assert refused.status_code == 200
    assert field_errors(refused, "slug") == [
        f"Kode (slug) tidak dapat diubah setelah program memiliki laporan atau target "
        f"(0 laporan, {targets} target): alamat halamannya (/program/gbrss/), tampilan "
        "tersimpan, tautan di notifikasi dan berkas impor mengenali program dari kodenya."
    ]
    program.refresh_from_db()
    assert program.slug == "gbrss"


def test_a_programs_slug_changes_before_any_report_or_target(admin_client, new_program):
    program, headline, other = new_program
    rows = [{"indicator": headline}, {"indicator": other}]
    data = program_data(program, rows) | {"slug": "uji-baru"}

    response = admin_client.post(reverse("admin:programs_program_change", args=[program.pk]), data)

    assert response.status_code == 302
    program.refresh_from_db()
    assert program.slug == "uji-baru"


def test_a_sources_code_stays_once_realizations_use_it(admin_client, reference_data):
    """The entry form posts a source by its code and templates and files name it:
    renamed, a template downloaded before refused its rows as an unknown source."""
    source = FundingSource.objects.get(code="apbn")
    url = reverse("admin:programs_fundingsource_change", args=[source.pk])
    data = {
        "code": "apbn-pusat",
        "category": source.category,
        "name": "APBN (pusat)",
        "order": source.order,
        "active": "on",
        "source_note": source.source_note,
        "_save": "Simpan",
    }
    unused = admin_client.post(url, data)
    assert unused.status_code == 302
    RealizationFactory(funding_source=source)

    refused = admin_client.post(url, data | {"code": "apbn-ri"})

    assert refused.status_code == 200
    assert field_errors(refused, "code") == [
        "Kode tidak dapat diubah setelah sumber dana ini dipakai realisasi (1 baris): "
        "formulir isian, templat dan berkas impor mengenali sumber dana dari kodenya "
        "(apbn-pusat). Ubah namanya saja bila perlu."
    ]
    source.refresh_from_db()
    assert source.code == "apbn-pusat"
    renamed = admin_client.post(url, data | {"name": "Anggaran pusat"})
    assert renamed.status_code == 302


# A program's launch date: from when every regency owes reports


@pytest.mark.usefixtures("frozen_clock")
@pytest.mark.parametrize("typed", ["21/02/2204", "21/02/0024", "1/1/1999"])
def test_a_launch_year_typed_wrong_is_refused(admin_client, reference_data, typed, today):
    """Saved, 21 Februari 2204 made every month not yet reported "tidak wajib": off the
    completeness page and the reminders, without a word."""
    program = Program.objects.get(slug="gbrss")
    data = program_data(program, []) | {"launch_date": typed}

    refused = admin_client.post(reverse("admin:programs_program_change", args=[program.pk]), data)

    assert field_errors(refused, "launch_date") == [
        f"Tahun peluncuran antara 2000 dan {today.year + 1}: periksa tahunnya (bulan sebelum "
        "peluncuran tidak wajib dilaporkan)."
    ]
    program.refresh_from_db()
    assert program.launch_date == dt.date(2024, 2, 21)


@pytest.mark.usefixtures("frozen_clock")
def test_a_launch_after_months_already_reported_is_refused(admin_client, reference_data):
    """21/02/2026 typed for 2024: the 2024 and 2025 months not reported became "tidak
    wajib". A date in the first reported month, or earlier, is saved."""
    program = Program.objects.get(slug="gbrss")
    MonthlyReportFactory(regency_id="16.07", program=program, year=2024, month=3)
    url = reverse("admin:programs_program_change", args=[program.pk])

    refused = admin_client.post(url, program_data(program, []) | {"launch_date": "21/02/2026"})
    moved = admin_client.post(url, program_data(program, []) | {"launch_date": "1 Maret 2024"})

    assert field_errors(refused, "launch_date") == [
        "Program ini sudah punya laporan sejak Maret 2024: tanggal peluncuran paling lambat "
        "bulan itu. Bulan sebelum peluncuran tidak wajib dilaporkan, jadi bulan yang belum "
        "dilaporkan akan hilang dari kelengkapan dan pengingat."
    ]
    assert moved.status_code == 302
    program.refresh_from_db()
    assert program.launch_date == dt.date(2024, 3, 1)


# Exemptions and a launch date moved later


STORED_BEFORE_GBRSS = (
    "GBRSS diluncurkan 21 Februari 2024: bulan sebelum Februari 2024 memang belum wajib "
    "dilaporkan, jadi pengecualian ini ({}) tidak mengecualikan apa pun. Hapus pengecualian "
    "ini, atau ubah bulannya agar berlaku sampai Februari 2024 atau sesudahnya."
)


def stored_exemption(program, regency="16.07", start=dt.date(2024, 2, 1), end=None):
    """Saved as an older rule (or an older launch date) let it be: no clean."""
    return ReportingExemption.objects.create(
        regency_id=regency, program=program, start=start, end=end, reason="Lama."
    )


def test_an_exemption_stored_before_the_launch_says_what_to_do_and_is_fixed_or_deleted(
    admin_client, reference_data
):
    """Stored before the launch rule: opened, it said nothing, and saving only a new
    reason was refused with "make an exemption from February 2024", as if it did not
    exist. It now says when opened that it exempts nothing, and that it can be deleted
    or made to run into the launch; an edit doing that is saved, deleting is allowed."""
    program = Program.objects.get(slug="gbrss")  # launched 21 February 2024
    early = stored_exemption(program, start=dt.date(2023, 1, 1), end=dt.date(2023, 12, 1))
    url = reverse("admin:programs_reportingexemption_change", args=[early.pk])

    opened = admin_client.get(url)

    told = STORED_BEFORE_GBRSS.format("Januari 2023 s.d. Desember 2023")
    assert element_text(find(page(opened), "ul", class_="messagelist")) == told
    refused = admin_client.post(
        url, exemption_data(program, start="2023-01-01", end="2023-12-01", reason="Baru.")
    )
    assert refused.status_code == 200
    assert error_messages(page(refused)) == [told]
    early.refresh_from_db()
    assert early.reason == "Lama."

    fixed = admin_client.post(
        url, exemption_data(program, start="2023-01-01", end="2024-02-01", reason="Baru.")
    )
    assert fixed.status_code == 302
    early.refresh_from_db()
    assert (early.end, early.reason) == (dt.date(2024, 2, 1), "Baru.")
    assert "tidak mengecualikan apa pun" not in element_text(page(admin_client.get(url)))

    other = stored_exemption(
        program, regency="16.01", start=dt.date(2023, 6, 1), end=dt.date(2023, 9, 1)
    )
    delete = reverse("admin:programs_reportingexemption_delete", args=[other.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 302
    assert not ReportingExemption.objects.filter(pk=other.pk).exists()


def test_a_launch_moved_past_an_exemptions_months_is_refused_naming_it(
    admin_client, reference_data
):
    """Moving GBRSS's launch to 2025 used to be saved, leaving Banyuasin's exemption of
    February to June 2024 wholly before it: exempting nothing, and refused on every
    later save. The admin is told which exemption to delete first. One running into
    the new launch stays as it is; one already before the old launch (older than the
    rule) is not this change's doing and does not stop it."""
    program = Program.objects.get(slug="gbrss")
    stranded = stored_exemption(program, start=dt.date(2024, 2, 1), end=dt.date(2024, 6, 1))
    stored_exemption(program, regency="16.01", start=dt.date(2024, 2, 1))  # runs on
    stored_exemption(program, regency="16.02", start=dt.date(2023, 1, 1), end=dt.date(2023, 6, 1))
    url = reverse("admin:programs_program_change", args=[program.pk])

    refused = admin_client.post(url, program_data(program, []) | {"launch_date": "1 Januari 2025"})

    assert field_errors(refused, "launch_date") == [
        "Dengan peluncuran 1 Januari 2025, pengecualian kewajiban lapor berikut seluruhnya "
        "jatuh sebelum Januari 2025 dan tidak lagi mengecualikan apa pun: Banyuasin — GBRSS "
        "(Februari 2024 s.d. Juni 2024). Hapus pengecualian itu dahulu (Pengecualian "
        "kewajiban lapor), lalu simpan tanggal peluncuran ini."
    ]
    program.refresh_from_db()
    assert program.launch_date == dt.date(2024, 2, 21)
    # The model's rule: a script calling full_clean is refused alike.
    program.launch_date = dt.date(2025, 1, 1)
    with pytest.raises(ValidationError):
        program.full_clean()
    program.refresh_from_db()
    # Into the exemption's last month: it still exempts June.
    assert (
        admin_client.post(
            url, program_data(program, []) | {"launch_date": "1 Juni 2024"}
        ).status_code
        == 302
    )

    stranded.delete()
    moved = admin_client.post(url, program_data(program, []) | {"launch_date": "1 Januari 2025"})

    assert moved.status_code == 302
    program.refresh_from_db()
    assert program.launch_date == dt.date(2025, 1, 1)


def test_an_exemption_from_before_a_launch_moved_a_year_later_stays_editable(
    admin_client, reference_data
):
    """Started February 2024, on; the launch then moved to January 2026: "earliest
    January 2025" (a guard against typing 0024) refused every later save of it, a
    reason corrected included. A start typed anew is still checked."""
    program = Program.objects.get(slug="gbrss")
    exemption = stored_exemption(program, start=dt.date(2024, 2, 1))
    url = reverse("admin:programs_program_change", args=[program.pk])
    assert (
        admin_client.post(url, program_data(program, []) | {"launch_date": "1 Januari 2026"})
    ).status_code == 302
    change = reverse("admin:programs_reportingexemption_change", args=[exemption.pk])

    saved = admin_client.post(change, exemption_data(program, start="2024-02-01", reason="Baru."))
    retyped = admin_client.post(change, exemption_data(program, start="2024-03-01"))

    assert saved.status_code == 302
    exemption.refresh_from_db()
    assert exemption.reason == "Baru."
    assert field_errors(retyped, "start") == [
        "Bulan mulai paling awal Januari 2025: periksa tahunnya."
    ]


def test_admin_shows_the_english_reference_text_beside_the_indonesian(admin_client, reference_data):
    """The English versions English pages read (a program's name and launch note, a
    ratio's labels, a milestone's name) sit next to the Indonesian field, "… (Inggris)",
    blank when the same; the reference data's own are filled in."""
    gsmp = Program.objects.get(slug="gsmp")
    form = page(admin_client.get(reverse("admin:programs_program_change", args=[gsmp.pk])))
    for field, label in [
        ("name_en", "Nama (Inggris):"),
        ("launch_note_en", "Keterangan peluncuran (Inggris):"),
        ("lead_agency_en", "OPD penanggung jawab (Inggris):"),
    ]:
        row = find(form, "div", class_=f"field-{field}")
        assert element_text(find(row, "label")) == label
        assert "kosongkan bila sama" in element_text(row)
    assert attribute(find(form, "input", name="name_en"), "value") == (
        "South Sumatra Food Self-Reliance Movement"
    )
    assert attribute(find(form, "input", name="lead_agency_en"), "value") == (
        "South Sumatra Provincial Food Security and Livestock Office"
    )
    stunting = Indicator.objects.get(code="prevalensi-stunting")
    form = page(admin_client.get(reverse("admin:programs_indicator_change", args=[stunting.pk])))
    assert element_text(find(find(form, "div", class_="field-numerator_label_en"), "label")) == (
        "Label pembilang (Inggris):"
    )
    assert attribute(find(form, "input", name="denominator_label_en"), "value") == (
        "children under five measured"
    )
    target = gbrss_province_target()
    form = page(admin_client.get(reverse("admin:programs_target_change", args=[target.pk])))
    assert attribute(find(form, "input", name="milestones-0-label_en"), "value") == (
        "Ahead of South Sumatra's 78th anniversary"
    )


@pytest.mark.usefixtures("frozen_clock")  # 27 June 2025: April is locked since 9 June
def test_a_verifier_lengthening_an_exception_is_its_grantor_from_then(reference_data):
    """An admin opened April until 1 July on 20 June; on 27 June a verifier's return
    lengthens it to 11 July. The exception named the verifier but kept 20 June as when it
    was granted (the admin list's "diberikan pada"), a date on which nobody granted 11
    July. As in the admin's form, whoever sets the date grants it, now; the history keeps
    the admin's grant."""
    from tests.helpers import make_user

    admin = make_user("admin-kunci", superuser=True)
    granted = dt.datetime(2025, 6, 20, 9, tzinfo=dt.UTC)
    with time_machine.travel(granted, tick=False):
        exception = april_exception_until_1_july()
        exception.granted_by = admin
        exception.save()
    before = timezone.now()

    exception, verifier = returned_april()

    assert (exception.until, exception.granted_by) == (dt.date(2025, 7, 11), verifier)
    assert exception.granted_at >= before
    exception.refresh_from_db()
    assert exception.granted_at >= before
    grants = exception.history.order_by("history_id").values_list(
        "until", "granted_by", "granted_at"
    )
    assert list(grants)[-2:] == [
        (dt.date(2025, 7, 1), admin.pk, granted),
        (dt.date(2025, 7, 11), verifier.pk, exception.granted_at),
    ]
