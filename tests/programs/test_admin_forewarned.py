"""What the admin would refuse, or what stands to no effect, is said before the admin
acts: the copy of targets to the next year names the milestones that would fall on one
day, the list of reporting exemptions marks those wholly before their program's launch,
and a lock exception's longest date is one year from today, named as the last day."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from programs.models import Target, TargetMilestone
from tests.admin_helpers import gbrss_indicator, lock_exception_form
from tests.helpers import admin_row, attribute, element_text, find, find_all, page

pytestmark = pytest.mark.django_db


def admin_selected(response) -> list[str]:
    """The ids of the rows an admin changelist shows (its action checkboxes)."""
    return [
        attribute(box, "value")
        for box in find_all(page(response), "input", name="_selected_action")
    ]


def copy_confirmation(admin_client, *targets):
    return admin_client.post(
        reverse("admin:programs_target_changelist"),
        {"action": "copy_to_next_year", "_selected_action": [target.pk for target in targets]},
    )


def test_the_copy_confirmation_names_milestones_that_would_fall_on_one_day(
    admin_client, reference_data
):
    """28 and 29 February 2028 both move to 28 February 2029, which the copy refuses:
    the confirmation page said nothing of it and offered "Salin", the refusal coming
    only after the admin had typed a reason and confirmed. Now the page names the target
    and both milestones, and offers no copy that would be refused."""
    target = Target.objects.create(indicator=gbrss_indicator(), year=2028, value=Decimal(100))
    for day, label in ((28, "Tahap A"), (29, "Tahap B")):
        TargetMilestone.objects.create(
            target=target, label=label, due_date=dt.date(2028, 2, day), value=Decimal(day)
        )
    fine = Target.objects.create(
        indicator=gbrss_indicator(), regency_id="16.07", year=2028, value=Decimal(50)
    )

    confirmation = copy_confirmation(admin_client, target, fine)

    assert confirmation.status_code == 200
    content = find(page(confirmation), "div", id="content")
    assert element_text(find(content, "p", id="copy-refused")).startswith(
        "Penyalinan ini akan ditolak seluruhnya (tidak ada target yang disalin)"
    )
    clash = find(find(content, "li", data_target=str(target.pk)), "ul", class_="refused")
    assert element_text(find(content, "li", data_target=str(target.pk))).startswith(
        "GBRSS: Rumah tidak layak huni dibedah — Provinsi 2028"
    )
    assert [element_text(li) for li in find_all(clash, "li")] == [
        "ditolak untuk 2029: tahapan Tahap A & Tahap B jatuh pada tanggal yang sama "
        "(28 Februari 2029) setelah dipindah satu tahun: ubah salah satu tanggalnya dahulu."
    ]
    assert find_all(find(content, "li", data_target=str(fine.pk)), "ul", class_="refused") == []
    assert 'name="apply"' not in confirmation.content.decode()
    assert not Target.objects.filter(year=2029).exists()


def test_the_copy_confirmation_in_english_names_the_clash(admin_client, reference_data):
    admin_client.cookies["bahasa"] = "en"
    target = Target.objects.create(indicator=gbrss_indicator(), year=2028, value=Decimal(100))
    for day, label in ((28, "Tahap A"), (29, "Tahap B")):
        TargetMilestone.objects.create(
            target=target, label=label, due_date=dt.date(2028, 2, day), value=Decimal(day)
        )
    content = find(page(copy_confirmation(admin_client, target)), "div", id="content")
    clash = find(find(content, "li", data_target=str(target.pk)), "ul", class_="refused")
    text = element_text(find(clash, "li"))
    assert text.startswith("refused for 2029: milestones Tahap A & Tahap B")
    assert "28 February 2029" in text


def test_a_copy_without_clash_is_still_offered(admin_client, reference_data):
    target = Target.objects.create(indicator=gbrss_indicator(), year=2028, value=Decimal(100))
    TargetMilestone.objects.create(
        target=target, label="Tahap A", due_date=dt.date(2028, 2, 29), value=Decimal(20)
    )
    confirmation = copy_confirmation(admin_client, target)
    content = find(page(confirmation), "div", id="content")
    assert find_all(content, "p", id="copy-refused") == []
    assert 'name="apply"' in confirmation.content.decode()


# Reporting exemptions wholly before their program's launch


def test_the_exemption_list_marks_those_wholly_before_the_launch(
    admin_client, reference_data, django_assert_max_num_queries
):
    """Only an exemption's own page said it exempts nothing (GBRSS launched in February
    2024, the exemption of 2023): in the list it looked like any other. Now a column says
    so, with what to do, and a filter lists them; the list's queries stay the same
    however many rows it shows."""
    from programs.models import Program, ReportingExemption

    program = Program.objects.get(slug="gbrss")  # launched 21 February 2024

    def stored(regency, start, end):  # as an older rule let it be: no clean
        return ReportingExemption.objects.create(
            regency_id=regency, program=program, start=start, end=end, reason="Lama."
        )

    early = stored("16.07", dt.date(2023, 1, 1), dt.date(2023, 12, 1))
    into = stored("16.01", dt.date(2023, 6, 1), dt.date(2024, 2, 1))  # runs into February
    open_ended = stored("16.02", dt.date(2023, 6, 1), None)
    url = reverse("admin:programs_reportingexemption_changelist")

    listed = admin_client.get(url)

    def warning(exemption):
        change = reverse("admin:programs_reportingexemption_change", args=[exemption.pk])
        return element_text(admin_row(listed, change)["before_launch"])

    assert warning(early) == (
        "Seluruhnya sebelum peluncuran program (Februari 2024): tidak mengecualikan apa "
        "pun. Hapus, atau ubah agar berlaku sampai Februari 2024 atau sesudahnya."
    )
    assert warning(into) == warning(open_ended) == "-"

    only = admin_client.get(url, {"sebelum_peluncuran": "ya"})
    shown = {int(pk) for pk in admin_selected(only)}
    assert shown == {early.pk}
    others = admin_client.get(url, {"sebelum_peluncuran": "tidak"})
    assert early.pk not in {int(pk) for pk in admin_selected(others)}
    assert {into.pk, open_ended.pk} <= {int(pk) for pk in admin_selected(others)}

    with django_assert_max_num_queries(12) as few:
        admin_client.get(url)
    for regency in ("16.03", "16.04", "16.05", "16.06"):
        stored(regency, dt.date(2023, 1, 1), dt.date(2023, 3, 1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        admin_client.get(url)


def test_the_exemption_list_in_english(admin_client, reference_data):
    from programs.models import Program, ReportingExemption

    admin_client.cookies["bahasa"] = "en"
    early = ReportingExemption.objects.create(
        regency_id="16.07",
        program=Program.objects.get(slug="gbrss"),
        start=dt.date(2023, 1, 1),
        end=dt.date(2023, 12, 1),
        reason="Lama.",
    )
    listed = admin_client.get(reverse("admin:programs_reportingexemption_changelist"))
    change = reverse("admin:programs_reportingexemption_change", args=[early.pk])
    assert element_text(admin_row(listed, change)["before_launch"]).startswith(
        "Wholly before the program's launch (February 2024): exempts nothing."
    )


# A lock exception's longest date


@pytest.mark.usefixtures("frozen_clock")  # 27 June 2025
def test_a_lock_exception_runs_one_year_at_most_named_as_the_last_day(admin_client, reference_data):
    """The rule (`LockException.clean`): an exception opens a month for a while, at most a
    year. It was counted as 366 days, so on 27 June 2025 it allowed 28 June 2026, a day
    past a year, and said "s.d. 28 Juni 2026". The last day is now the same day a year on,
    named as the last day allowed, and the form says it (and that the day itself counts)
    before anything is typed."""
    from programs.models import LockException, Program

    gbrss = Program.objects.get(slug="gbrss")
    url = reverse("admin:programs_lockexception_add")
    help_text = element_text(find(page(admin_client.get(url)), "div", id="id_until_helptext"))
    assert help_text == (
        "Operator dapat mengubah laporan bulan itu sampai akhir tanggal ini. Paling lambat "
        "27 Juni 2026 (satu tahun dari hari ini). Tulis hari dulu atau tahun dulu: "
        "25-03-2027, 25/03/2027, 25.03.2027, 25 Maret 2027, 25 Mar 27, 2027-03-25 atau "
        "2027/03/25."
    )
    past = admin_client.post(url, lock_exception_form(gbrss, until="28 Juni 2026"))
    assert past.status_code == 200
    assert "Paling lambat 27 Juni 2026 (satu tahun dari hari ini)" in element_text(page(past))
    assert not LockException.objects.exists()
    last = admin_client.post(url, lock_exception_form(gbrss, until="27/06/2026"))
    assert last.status_code == 302
    assert LockException.objects.get().until == dt.date(2026, 6, 27)


@pytest.mark.parametrize(
    ("today", "longest"),
    [
        (dt.date(2026, 12, 1), dt.date(2027, 12, 1)),  # not "2 Desember 2027"
        (dt.date(2027, 3, 1), dt.date(2028, 3, 1)),  # across 29 February 2028
        (dt.date(2028, 2, 29), dt.date(2029, 2, 28)),  # the next year has no 29th
    ],
)
def test_a_year_from_today_is_the_same_day_a_year_on(today, longest):
    from programs.models import lock_exception_longest

    assert lock_exception_longest(today) == longest
