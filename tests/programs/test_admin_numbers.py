"""Numbers typed in the admin mean what the admin meant (Indonesian and English), lists
and history show them as people read them, counts are whole, large changes are
confirmed; targets are copied to the next year with a reason."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from programs.models import Indicator, Target, TargetMilestone
from tests.admin_helpers import (
    change_data,
    changelist_data,
    field_errors,
    gbrss_indicator,
    gbrss_province_target,
    lock_exception,
    lock_exception_form,
    realize,
    row_cells,
)
from tests.helpers import (
    admin_column,
    admin_row,
    attribute,
    cells,
    element_text,
    error_messages,
    find,
    find_all,
    page,
)

pytestmark = pytest.mark.django_db


def change(admin_client, target, **overrides):
    return admin_client.post(
        reverse("admin:programs_target_change", args=[target.pk]),
        change_data(target, **overrides),
    )


def test_indonesian_thousands_and_decimals(admin_client, reference_data):
    target = gbrss_province_target()  # 8.391 houses
    response = change(admin_client, target, value="8.600")
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.value == Decimal(8600)
    stunting = Target.objects.get(indicator__code="prevalensi-stunting", regency=None, year=2024)
    response = change(admin_client, stunting, value="14,33", baseline="")
    assert response.status_code == 302, response.content.decode()[-3000:]
    stunting.refresh_from_db()
    assert stunting.value == Decimal("14.33")


def test_english_input_in_english(admin_client, reference_data):
    admin_client.cookies["bahasa"] = "en"
    target = gbrss_province_target()
    assert change(admin_client, target, value="8,600").status_code == 302
    target.refresh_from_db()
    assert target.value == Decimal(8600)


def test_garbage_and_fractional_counts_are_refused(admin_client, reference_data):
    target = gbrss_province_target()
    for typed, message in (("8.6oo", "Bukan angka"), ("8391,5", "bilangan bulat")):
        response = change(admin_client, target, value=typed)
        assert response.status_code == 200
        assert any(message in error for error in field_errors(response, "value"))
        target.refresh_from_db()
        assert target.value == Decimal(8391)


def test_thousands_written_the_english_way_are_asked_in_indonesian(admin_client, reference_data):
    """'8,400' (eight thousand four hundred, the English way) used to be 8,4 houses: now
    the admin is asked which was meant, as the entry form and the import ask."""
    target = gbrss_province_target()
    response = change(admin_client, target, value="8,400", confirm_large_change="on")
    assert response.status_code == 200
    assert field_errors(response, "value") == [
        "Format angka tidak jelas: tulis 8.400 bila maksudnya ribuan, atau 8,4."
    ]
    target.refresh_from_db()
    assert target.value == Decimal(8391)


def test_large_change_asks_for_confirmation(admin_client, reference_data):
    target = gbrss_province_target()
    response = change(admin_client, target, value="83.910")
    assert response.status_code == 200
    assert any("dari 8.391 menjadi 83.910" in e for e in field_errors(response, "value"))
    target.refresh_from_db()
    assert target.value == Decimal(8391)
    # Typed as the admin meant it, after checking: saved.
    response = change(admin_client, target, value="83.910", confirm_large_change="on")
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.value == Decimal(83910)
    # The list cannot confirm: refused there, with a pointer to the change form.
    response = admin_client.post(
        reverse("admin:programs_target_changelist"), changelist_data(target, value="1.000")
    )
    # One row was posted, so the list shows one row, with the refusal in its value cell.
    [value_cell] = find_all(find(page(response), "table", id="result_list"), class_="field-value")
    assert any("halaman ubah target" in error for error in error_messages(value_cell))
    target.refresh_from_db()
    assert target.value == Decimal(83910)


def test_lists_and_history_show_numbers_as_people_read_them(admin_client, reference_data):
    target = gbrss_province_target()
    change(admin_client, target, value="8.600")
    changelist = admin_client.get(reverse("admin:programs_target_changelist"))
    link = reverse("admin:programs_target_change", args=[target.pk])
    assert attribute(find(admin_row(changelist, link)["value"], "input"), "value") == "8.600"
    assert "8600.0000" not in changelist.content.decode()  # nowhere, not even hidden
    history = admin_client.get(reverse("admin:programs_target_history", args=[target.pk]))
    table = find(page(history), "table", id="change-history")
    headers = [element_text(th) for th in find_all(table, "th")]
    latest = next(row for row in find_all(table, "tr") if find_all(row, "td"))
    assert cells(latest)[headers.index("Nilai target")] == "8.600"
    assert "8600,0000" not in history.content.decode()
    assert "8.600,0000" not in history.content.decode()
    realization = realize(target, regency=None)
    realization.value = Decimal("14.33")
    realization.save()
    realizations = admin_client.get(reverse("admin:programs_realization_changelist"))
    assert "14,33" in admin_column(realizations, "value_shown")


def test_unallocated_only_for_sums(admin_client, reference_data):
    changelist = admin_client.get(reverse("admin:programs_target_changelist"))
    houses = row_cells(changelist, gbrss_province_target())
    assert houses["unallocated"] == "8.391"
    ratio = Target.objects.get(
        indicator__measure=Indicator.Measure.RATIO,
        regency=None,
        year=2024,
        indicator__code="prevalensi-stunting",
    )
    assert row_cells(changelist, ratio)["unallocated"] == "-"


def test_a_target_copied_by_an_admin_reading_english_notes_its_source_in_indonesian(
    admin_client, reference_data
):
    """The copy's source note, shown with the target to everyone, said "Copied from
    target 2024 by ..." when the admin read the site in English."""
    province = gbrss_province_target()
    admin_client.cookies["bahasa"] = "en"
    admin_client.post(
        reverse("admin:programs_target_changelist"),
        {
            "action": "copy_to_next_year",
            "_selected_action": [province.pk],
            "reason": "RKPD",
            "apply": "Salin",
        },
    )
    copy = Target.objects.get(indicator=gbrss_indicator(), regency=None, year=2025)
    assert copy.source_note.endswith("\n\nDisalin dari target 2024 oleh admin: RKPD")
    assert "Copied" not in copy.source_note


def test_copy_targets_to_next_year_with_a_reason(admin_client, reference_data):
    province = gbrss_province_target()
    allocation = Target.objects.create(
        indicator=gbrss_indicator(), regency_id="16.07", year=2024, value=Decimal(400)
    )
    existing = Target.objects.create(
        indicator=gbrss_indicator(), regency_id="16.01", year=2025, value=Decimal(7)
    )
    source = Target.objects.create(
        indicator=gbrss_indicator(), regency_id="16.01", year=2024, value=Decimal(9)
    )
    province.source_url = "https://sumselprov.go.id/berita/gbrss-2024"
    province.save()
    url = reverse("admin:programs_target_changelist")
    selected = [province.pk, allocation.pk, source.pk]
    ask = admin_client.post(url, {"action": "copy_to_next_year", "_selected_action": selected})
    assert ask.status_code == 200
    assert element_text(find(page(ask), "label", for_="id_reason")) == "Alasan penyalinan:"
    assert not Target.objects.filter(year=2025, regency=None).exists()
    done = admin_client.post(
        url,
        {
            "action": "copy_to_next_year",
            "_selected_action": selected,
            "reason": "Target awal 2025 menunggu RKPD",
            "apply": "Salin",
        },
    )
    assert done.status_code == 302
    copy = Target.objects.get(indicator=gbrss_indicator(), regency=None, year=2025)
    assert copy.value == province.value and copy.splits.count() == province.splits.count()
    assert copy.history.get().history_change_reason == "Target awal 2025 menunggu RKPD"
    # The copied target's source stays (it still says where the value came from), and
    # the copy says it was copied; its link too. The source note used to be replaced.
    assert copy.source_note == (
        f"{province.source_note}\n\n"
        "Disalin dari target 2024 oleh admin: Target awal 2025 menunggu RKPD"
    )
    assert copy.source_url == province.source_url
    assert Target.objects.get(regency="16.07", year=2025).source_note == (
        "Disalin dari target 2024 oleh admin: Target awal 2025 menunggu RKPD"
    )
    assert Target.objects.get(regency="16.07", year=2025).value == Decimal(400)
    existing.refresh_from_db()
    assert existing.value == Decimal(7)  # already there: left alone
    # Values stay editable afterwards.
    assert change(admin_client, copy, value="9.000").status_code == 302


def copy_to_next_year(admin_client, *targets, follow=False):
    return admin_client.post(
        reverse("admin:programs_target_changelist"),
        {
            "action": "copy_to_next_year",
            "_selected_action": [target.pk for target in targets],
            "reason": "Target awal tahun berikutnya",
            "apply": "Salin",
        },
        follow=follow,
    )


def test_a_copied_target_keeps_its_milestones_a_year_later(admin_client, reference_data):
    """The 1.778 houses due by HUT Sumsel (15 May 2024) were lost when 2024's target was
    copied to 2025: the copy had no milestone at all. Its name then stayed 2024's ("HUT
    ke-78"), where 15 May 2025 is the 79th anniversary: the copy is named for its year,
    the old name kept in its source note, and the admin told what was renamed."""
    province = gbrss_province_target()
    done = copy_to_next_year(admin_client, province, follow=True)
    copy = Target.objects.get(indicator=gbrss_indicator(), regency=None, year=2025)
    html = page(admin_client.get(reverse("admin:programs_target_change", args=[copy.pk])))
    assert attribute(find(html, "input", name="milestones-0-label"), "value") == (
        "Menjelang HUT ke-79 Sumsel"
    )
    assert attribute(find(html, "input", name="milestones-0-due_date"), "value") == "15-05-2025"
    assert attribute(find(html, "input", name="milestones-0-value"), "value") == "1.778"
    original = province.milestones.get()
    assert copy.milestones.get().source_note == (
        f"{original.source_note}\n\nDisalin dari tahapan 2024 «Menjelang HUT ke-78 Sumsel»."
    )
    assert (original.label, original.due_date) == (
        "Menjelang HUT ke-78 Sumsel",
        dt.date(2024, 5, 15),
    )  # the source unchanged
    shown = element_text(find(page(done), "ul", class_="messagelist"))
    assert (
        "Nama tahapan disesuaikan dengan tahun barunya, periksa: «Menjelang HUT ke-78 Sumsel» "
        "→ «Menjelang HUT ke-79 Sumsel»."
    ) in shown


def test_a_copied_milestone_keeps_its_english_name_unless_renamed(admin_client, reference_data):
    """The English name ("Ahead of South Sumatra's 78th anniversary") would name last
    year's anniversary on the renamed copy ("HUT ke-79"): left blank, English pages read
    the Indonesian name; a milestone named without its year keeps its English name."""
    province = gbrss_province_target()
    TargetMilestone.objects.create(
        target=province,
        label="Akhir triwulan",
        label_en="End of quarter",
        due_date=dt.date(2024, 9, 30),
        value=Decimal(4000),
    )
    copy_to_next_year(admin_client, province)
    copies = TargetMilestone.objects.filter(target__year=2025).order_by("due_date")
    assert [(m.label, m.label_en) for m in copies] == [
        ("Menjelang HUT ke-79 Sumsel", ""),
        ("Akhir triwulan", "End of quarter"),
    ]


@pytest.mark.parametrize(
    "label, due, copied",
    [
        ("Triwulan I 2024", dt.date(2024, 3, 31), "Triwulan I 2025"),
        ("s.d. 30 Juni 2024", dt.date(2024, 6, 30), "s.d. 30 Juni 2025"),
        ("HUT Sumsel ke-78 (15 Mei 2024)", dt.date(2024, 5, 15), "HUT Sumsel ke-79 (15 Mei 2025)"),
        (
            "Hari Jadi Kota Palembang ke-1341",
            dt.date(2024, 6, 17),
            "Hari Jadi Kota Palembang ke-1342",
        ),
        ("Tahun anggaran 2024/2025", dt.date(2025, 1, 31), "Tahun anggaran 2025/2026"),
        # A leap day moves to the 28th, and its name with it.
        ("Akhir Februari (29-02-2024)", dt.date(2024, 2, 29), "Akhir Februari (28-02-2025)"),
        ("29 Februari 2024", dt.date(2024, 2, 29), "28 Februari 2025"),
        # Nothing of the year in it: kept as it is.
        ("Tahap ke-2", dt.date(2024, 8, 31), "Tahap ke-2"),
        ("Semester I", dt.date(2024, 6, 30), "Semester I"),
        ("Sejak 2021 (RPJMD)", dt.date(2024, 9, 30), "Sejak 2021 (RPJMD)"),
        # A year or a number in other digits than 0-9 is none the site reads: kept.
        ("Triwulan I ٢٠٢٤", dt.date(2024, 3, 31), "Triwulan I ٢٠٢٤"),
        ("HUT Sumsel ke-٧٨", dt.date(2024, 5, 15), "HUT Sumsel ke-٧٨"),
    ],
)
def test_a_copied_milestone_is_named_for_its_new_year(
    admin_client, reference_data, label, due, copied
):
    target = Target.objects.create(
        indicator=gbrss_indicator(), regency_id="16.07", year=2024, value=Decimal(100)
    )
    TargetMilestone.objects.create(target=target, label=label, due_date=due, value=Decimal(20))

    assert copy_to_next_year(admin_client, target).status_code == 302

    copy = Target.objects.get(indicator=gbrss_indicator(), regency_id="16.07", year=2025)
    assert copy.milestones.get().label == copied
    notes = copy.milestones.get().source_note
    assert (f"«{label}»" in notes) == (label != copied)


def test_the_copy_confirmation_says_milestones_are_copied_too(admin_client, reference_data):
    province = gbrss_province_target()
    confirmation = admin_client.post(
        reverse("admin:programs_target_changelist"),
        {"action": "copy_to_next_year", "_selected_action": [province.pk]},
    )
    assert confirmation.status_code == 200
    assert "dengan rincian sumber dana dan tahapannya (tanggal tahapan digeser satu tahun)" in (
        element_text(find(page(confirmation), "div", id="content"))
    )


def copy_confirmation(admin_client, *targets):
    return admin_client.post(
        reverse("admin:programs_target_changelist"),
        {"action": "copy_to_next_year", "_selected_action": [target.pk for target in targets]},
    )


def test_the_copy_confirmation_names_the_milestones_it_will_rename(admin_client, reference_data):
    """The confirmation said milestones are copied, not that their names change: "HUT
    ke-78" becoming "HUT ke-79" was told only after the copy. Now each target lists the
    renames it will get, and what the page promised is what the copy did."""
    province = gbrss_province_target()  # "Menjelang HUT ke-78 Sumsel", 15 May 2024
    banyuasin = Target.objects.create(
        indicator=gbrss_indicator(), regency_id="16.07", year=2024, value=Decimal(100)
    )
    for label, due in (
        ("Triwulan I 2024", dt.date(2024, 3, 31)),
        ("Tahap ke-2", dt.date(2024, 8, 31)),
    ):
        TargetMilestone.objects.create(
            target=banyuasin, label=label, due_date=due, value=Decimal(20)
        )
    # Already in 2025: skipped, so nothing of it is renamed.
    oku = Target.objects.create(
        indicator=gbrss_indicator(), regency_id="16.01", year=2024, value=Decimal(50)
    )
    TargetMilestone.objects.create(
        target=oku, label="Semester I 2024", due_date=dt.date(2024, 6, 30), value=Decimal(10)
    )
    Target.objects.create(
        indicator=gbrss_indicator(), regency_id="16.01", year=2025, value=Decimal(60)
    )

    confirmation = copy_confirmation(admin_client, province, banyuasin, oku)

    content = find(page(confirmation), "div", id="content")
    assert element_text(find(content, "p", id="milestones-renamed")) == (
        "Nama tahapan yang menyebut tahun atau ulang tahunnya disesuaikan dengan tahun "
        "barunya (nama lamanya disimpan di catatan sumber tahapan). Periksa nama barunya di "
        "bawah."
    )
    plan = find(content, "ul", class_="copy-plan")

    def listed(target):
        return [
            element_text(li) for li in find_all(find(plan, "li", data_target=str(target.pk)), "li")
        ]

    assert listed(province) == [
        "tahapan «Menjelang HUT ke-78 Sumsel» menjadi «Menjelang HUT ke-79 Sumsel»"
    ]
    assert listed(banyuasin) == ["tahapan «Triwulan I 2024» menjadi «Triwulan I 2025»"]
    assert listed(oku) == []
    assert "dilewati: target 2025 sudah ada" in element_text(
        find(plan, "li", data_target=str(oku.pk))
    )
    promised = [
        text.removeprefix("tahapan ").replace(" menjadi ", " → ")
        for target in (province, banyuasin)
        for text in listed(target)
    ]

    done = copy_to_next_year(admin_client, province, banyuasin, oku, follow=True)

    shown = element_text(find(page(done), "ul", class_="messagelist"))
    told = shown.split("periksa: ", 1)[1].removesuffix(".").split("; ")
    assert sorted(told) == sorted(promised)
    copies = TargetMilestone.objects.filter(target__year=2025).values_list("label", flat=True)
    assert set(copies) == {"Menjelang HUT ke-79 Sumsel", "Triwulan I 2025", "Tahap ke-2"}


def test_the_copy_confirmation_in_english(admin_client, reference_data):
    admin_client.cookies["bahasa"] = "en"
    confirmation = copy_confirmation(admin_client, gbrss_province_target())
    plan = find(find(page(confirmation), "div", id="content"), "ul", class_="copy-plan")
    assert [element_text(li) for li in find_all(find(plan, "li"), "li")] == [
        "milestone «Menjelang HUT ke-78 Sumsel» becomes «Menjelang HUT ke-79 Sumsel»"
    ]


def test_a_milestone_on_29_february_is_copied_to_the_28th(admin_client, reference_data):
    target = Target.objects.create(
        indicator=gbrss_indicator(), year=2028, value=Decimal(100), due_date=dt.date(2028, 2, 29)
    )
    TargetMilestone.objects.create(
        target=target, label="Akhir Februari", due_date=dt.date(2028, 2, 29), value=Decimal(20)
    )
    TargetMilestone.objects.create(
        target=target, label="Maret", due_date=dt.date(2028, 3, 1), value=Decimal(30)
    )
    assert copy_to_next_year(admin_client, target).status_code == 302
    copy = Target.objects.get(indicator=gbrss_indicator(), regency=None, year=2029)
    assert copy.due_date == dt.date(2029, 2, 28)
    assert list(copy.milestones.values_list("label", "due_date", "value")) == [
        ("Akhir Februari", dt.date(2029, 2, 28), Decimal(20)),
        ("Maret", dt.date(2029, 3, 1), Decimal(30)),
    ]


def test_milestones_falling_on_one_day_refuse_the_copy_saying_which(admin_client, reference_data):
    """28 and 29 February 2028 both move to 28 February 2029: nothing is copied (the
    other selected targets neither), and the message names both milestones."""
    target = Target.objects.create(indicator=gbrss_indicator(), year=2028, value=Decimal(100))
    for day, label in ((28, "Tahap A"), (29, "Tahap B")):
        TargetMilestone.objects.create(
            target=target, label=label, due_date=dt.date(2028, 2, day), value=Decimal(day)
        )
    other = Target.objects.create(
        indicator=gbrss_indicator(), regency_id="16.07", year=2028, value=Decimal(50)
    )
    response = copy_to_next_year(admin_client, target, other, follow=True)
    assert (
        "Tidak ada yang disalin: target GBRSS: Rumah tidak layak huni dibedah — Provinsi "
        "2029: tahapan Tahap A & Tahap B jatuh pada tanggal yang sama (28 Februari "
        "2029) setelah dipindah satu tahun: ubah salah satu tanggalnya dahulu."
    ) in element_text(find(page(response), "ul", class_="messagelist"))
    assert not Target.objects.filter(year=2029).exists()
    assert not TargetMilestone.objects.filter(due_date__year=2029).exists()


def test_a_number_too_large_to_keep_exactly_is_refused_and_pages_stay_up(
    admin_client, reference_data
):
    """SQLite keeps 15 significant digits: 999.999.999.999,9999 used to be saved, read
    back as 1.000.000.000.000 and fail every page showing it. The admin refuses what
    cannot be kept exactly; the largest number allowed comes back as typed."""
    target = gbrss_province_target()
    for typed in ("999.999.999.999", "100.000.000.000"):
        response = change(
            admin_client, target, value=typed, confirm_large_change="on", change_reason="uji"
        )
        assert response.status_code == 200
        assert any("terlalu besar" in e for e in field_errors(response, "value"))
        target.refresh_from_db()
        assert target.value == Decimal(8391)
    # A level (a ratio's target stops at 100): the inflation rate, with decimals.
    inflation = Target.objects.get(indicator__code="inflasi-yoy", regency=None, year=2024)
    response = change(
        admin_client,
        inflation,
        value="99.999.999.999,9999",
        baseline="",
        confirm_large_change="on",
        change_reason="uji",
    )
    assert response.status_code == 302
    inflation.refresh_from_db()
    assert inflation.value == Decimal("99999999999.9999")
    history = reverse("admin:programs_target_history", args=[inflation.pk])
    for path in ("/?tahun=2024", "/program/gpiss/?tahun=2024", "/wilayah/16.07/?tahun=2024"):
        assert admin_client.get(path).status_code == 200, path
    assert admin_client.get(history).status_code == 200


OUTSIDE_ITS_YEARS = "tahun target (2024)"
NOT_A_DATE = "Tanggal tidak dikenali: tulis hari dulu"
MONTH_FIRST = (
    "Tanggal ditulis bulan dulu? Tulis hari dulu, lalu bulan: 25/03/2025 (atau 25 Maret 2025)."
)


@pytest.mark.parametrize(
    "typed, saved, refusal",
    [
        # A target's due date falls in its year or the next.
        ("0001-01-01", None, OUTSIDE_ITS_YEARS),
        ("9999-12-31", None, OUTSIDE_ITS_YEARS),
        ("2023-12-31", None, OUTSIDE_ITS_YEARS),
        ("2026-01-01", None, OUTSIDE_ITS_YEARS),
        ("2024-06-30", "2024-06-30", None),
        ("2025-03-31", "2025-03-31", None),
        # The month named in Indonesian: the locale's formats took "30 June 2024" but
        # refused "30 Juni 2024".
        ("30 Juni 2024", "2024-06-30", None),
        ("31 Mar 2025", "2025-03-31", None),
        ("1 agustus 2024", "2024-08-01", None),
        ("15 Okt. 2024", "2024-10-15", None),
        ("30 June 2024", "2024-06-30", None),
        ("30-06-2024", "2024-06-30", None),
        # A day its month lacks: said as such, not as a format not recognised.
        ("31 Februari 2024", None, "Tanggal 31 tidak ada pada Februari 2024"),
        ("31 Maretan 2024", None, NOT_A_DATE),
        # Day first, as Indonesians write: Django's `id` locale read 03/25/2025 month
        # first (so 03/04/2025 meant 4 March in one form, 3 April in another) and
        # refused a named month with a two-digit year that 25-03-25 was taken as.
        ("03/25/2025", None, MONTH_FIRST),
        ("03-25-25", None, MONTH_FIRST),
        ("03/04/2025", "2025-04-03", None),
        ("25 Maret 25", "2025-03-25", None),
        ("25 Mar 25", "2025-03-25", None),
        ("25-03-25", "2025-03-25", None),
        ("25.03.2025", "2025-03-25", None),
    ],
)
def test_a_targets_due_date_as_typed(admin_client, reference_data, typed, saved, refusal):
    target = gbrss_province_target()  # 2024, due 31 December 2024
    response = change(admin_client, target, due_date=typed, change_reason="uji")
    target.refresh_from_db()
    if saved:
        assert response.status_code == 302
        assert target.due_date.isoformat() == saved
    else:
        assert response.status_code == 200
        assert any(refusal in e for e in field_errors(response, "due_date"))
        assert target.due_date == dt.date(2024, 12, 31)  # as it was


@pytest.mark.parametrize(
    "typed, saved",
    [("25/03/2025", "2025-03-25"), ("2025-03-25", "2025-03-25"), ("03/25/2025", None)],
)
def test_a_due_date_is_read_day_first_in_english_too(admin_client, reference_data, typed, saved):
    """The English pages read 25/03/2025 as the Indonesian ones do (they refused it and
    took 03/25/2025), like every imported file: one reading whatever the language."""
    admin_client.cookies["bahasa"] = "en"
    target = gbrss_province_target()
    response = change(admin_client, target, due_date=typed, change_reason="uji")
    target.refresh_from_db()
    if saved:
        assert response.status_code == 302, field_errors(response, "due_date")
        assert target.due_date.isoformat() == saved
    else:
        assert response.status_code == 200
        assert field_errors(response, "due_date") == [
            "Month typed first? Type the day, then the month: 25/03/2025 (or 25 March 2025)."
        ]
        assert target.due_date == dt.date(2024, 12, 31)


def user_dates_form(user, **dates) -> dict:
    """The admin user page's POST for `user`, without a scope, with its date boxes."""
    return {
        "username": user.username,
        "is_active": "on",
        "scope-TOTAL_FORMS": "0",
        "scope-INITIAL_FORMS": "0",
        "_save": "Simpan",
        **dates,
    }


def test_a_users_date_joined_is_read_day_first(admin_client, reference_data, django_user_model):
    """The user page's date and time boxes: "25 Maret 2025" is taken (it was refused),
    03/25/2025 is refused saying why (it was read as 25 March)."""
    user = django_user_model.objects.create_user("operator-uji", password="x")
    url = reverse("admin:auth_user_change", args=[user.pk])
    data = user_dates_form(user, date_joined_0="25 Maret 2025", date_joined_1="08.30")
    response = admin_client.post(url, data)
    assert response.status_code == 302, error_messages(page(response))
    user.refresh_from_db()
    local = dt.datetime(2025, 3, 25, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    assert user.date_joined == local
    refused = admin_client.post(url, data | {"date_joined_0": "03/26/2025"})
    assert refused.status_code == 200
    assert any(
        "Tulis hari dulu, lalu bulan: 26/03/2025" in m for m in error_messages(page(refused))
    )
    user.refresh_from_db()
    assert user.date_joined == local


@pytest.mark.parametrize(
    "box, typed",
    [
        ("date_joined_0", "25-03-٢٠٢٥"),  # read by Django's own formats (strptime)
        ("date_joined_0", "٢٠٢٥-٠٣-٢٥"),
        ("date_joined_0", "25 Maret ２０２５"),
        ("date_joined_1", "0٨.30"),
    ],
)
def test_a_date_or_time_in_other_digits_is_refused(
    admin_client, reference_data, django_user_model, box, typed
):
    """Arabic-Indic or full-width digits in a date or time box are refused as every number
    a page sends is (`programs.text.whole_number`), not read as their 0-9 twins."""
    user = django_user_model.objects.create_user("operator-uji", password="x")
    joined = user.date_joined
    url = reverse("admin:auth_user_change", args=[user.pk])
    data = user_dates_form(user, date_joined_0="25 Maret 2025", date_joined_1="08.30")
    response = admin_client.post(url, data | {box: typed})
    assert response.status_code == 200
    assert error_messages(page(response))[-1] in (
        "Tanggal tidak dikenali: tulis hari dulu, misalnya 25-03-2027, 25/03/2027, "
        "25 Maret 2027 atau 2027-03-25.",
        "Masukkan waktu yang valid.",
    )
    user.refresh_from_db()
    assert user.date_joined == joined


def test_a_sign_or_a_leading_zero_group_in_the_admin(admin_client, reference_data):
    """'+8.600' is 8.600 (it used to be 8,6, refused as a fraction of a count); '0.600' is
    refused as ambiguous instead of read as 600."""
    target = gbrss_province_target()
    response = change(admin_client, target, value="0.600")
    assert response.status_code == 200
    assert field_errors(response, "value") == [
        "Format angka tidak jelas: tulis 0,6 (desimal dengan koma) atau 600."
    ]
    target.refresh_from_db()
    assert target.value == Decimal(8391)
    assert change(admin_client, target, value="+8.600").status_code == 302
    target.refresh_from_db()
    assert target.value == Decimal(8600)


def test_a_milestone_and_the_target_list_take_a_named_month(admin_client, reference_data):
    target = gbrss_province_target()
    TargetMilestone.objects.filter(target=target).delete()
    response = change(
        admin_client,
        target,
        change_reason="uji",
        **{
            "milestones-TOTAL_FORMS": "1",
            "milestones-0-label": "Semester I",
            "milestones-0-due_date": "30 Juni 2024",
            "milestones-0-value": "4.000",
        },
    )
    assert response.status_code == 302, field_errors(response, "milestones-0-due_date")
    milestone = TargetMilestone.objects.get(target=target)
    assert (milestone.due_date.isoformat(), milestone.value) == ("2024-06-30", Decimal(4000))
    target.refresh_from_db()
    response = admin_client.post(
        reverse("admin:programs_target_changelist"),
        changelist_data(target, due_date="30 Nopember 2024"),
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.due_date.isoformat() == "2024-11-30"


def program_change(admin_client, program, **fields):
    """The program change form's POST with its stored values, `fields` as typed."""
    data = {
        field: getattr(program, field)
        for field in ("slug", "acronym", "name", "description", "lead_agency", "launch_note")
    } | {
        "launch_date": "",
        "colour": program.colour,
        "order": program.order,
        "active": "on",
        "source_note": program.source_note,
        "indicators-TOTAL_FORMS": "0",
        "indicators-INITIAL_FORMS": "0",
        "_save": "Simpan",
    }
    url = reverse("admin:programs_program_change", args=[program.pk])
    return admin_client.post(url, data | fields)


def test_a_programs_launch_date_takes_a_named_month(admin_client, reference_data):
    program = gbrss_indicator().program
    response = program_change(admin_client, program, launch_date="20 Februari 2024")
    assert response.status_code == 302, field_errors(response, "launch_date")
    program.refresh_from_db()
    assert program.launch_date.isoformat() == "2024-02-20"


def test_an_exemptions_dates_take_a_named_month(admin_client, reference_data):
    from programs.models import Program, ReportingExemption
    from tests.programs.test_admin_rules import add_exemption

    program = Program.objects.get(slug="gbrss")
    response = add_exemption(admin_client, program, start="1 Januari 2025", end="31 Des 2025")
    assert response.status_code == 302, field_errors(response, "start")
    exemption = ReportingExemption.objects.get(regency_id="16.07", program=program)
    # The end is a month (the last one exempted), kept as its first day.
    assert (exemption.start.isoformat(), exemption.end.isoformat()) == ("2025-01-01", "2025-12-01")


@pytest.mark.parametrize(
    "language, start, end",
    [
        ("id", "Maret 2027", "Desember 2027"),
        ("id", "Mar 2027", "Des. 2027"),
        ("id", "03/2027", "12/2027"),
        ("id", "3-2027", "12-2027"),
        ("id", "2027-03", "2027-12"),
        ("id", "15 Maret 2027", "31/12/2027"),  # a day's month counts
        ("en", "March 2027", "Dec 2027"),
        # As the import reads them too (one rule: admin_numbers.typed_month).
        ("id", "03.2027", "12.2027"),
        ("id", "2027.03", "2027/12"),
        ("id", "Mar-2027", "Des/2027"),
    ],
)
def test_an_exemptions_months_are_typed_as_months(
    admin_client, reference_data, language, start, end
):
    """An exemption is by month, yet its boxes wanted a day: "Maret 2027" (or 2027-03) was
    refused as a date. A month is typed as people name it, and kept as its first day."""
    from programs.models import Program, ReportingExemption
    from tests.programs.test_admin_rules import add_exemption

    admin_client.cookies["bahasa"] = language
    program = Program.objects.get(slug="gbrss")

    response = add_exemption(admin_client, program, start=start, end=end)

    assert response.status_code == 302, field_errors(response, "start") + field_errors(
        response, "end"
    )
    exemption = ReportingExemption.objects.get(regency_id="16.07", program=program)
    assert (exemption.start.isoformat(), exemption.end.isoformat()) == ("2027-03-01", "2027-12-01")


@pytest.mark.parametrize(
    "typed",
    # A year no date holds (0000) was read as a month and answered a 500.
    ["Maret", "13/2027", "2027-00", "Marett 2027", "32 Maret 2027", "Maret 0000", "0000-03"],
)
def test_an_exemption_month_that_is_none_is_refused_saying_how_to_write_one(
    admin_client, reference_data, typed
):
    from programs.models import Program, ReportingExemption
    from tests.programs.test_admin_rules import add_exemption

    program = Program.objects.get(slug="gbrss")

    response = add_exemption(admin_client, program, start=typed)

    assert response.status_code == 200
    assert field_errors(response, "start") == [
        "Bulan tidak dikenali: tulis misalnya Maret 2027, 03/2027, 03.2027 atau 2027-03 "
        "(tanggal lengkap juga diterima)."
    ]
    assert not ReportingExemption.objects.filter(regency_id="16.07", program=program).exists()


@pytest.mark.parametrize(
    "language, start, end",
    [("id", "Maret 2027", "Desember 2027"), ("en", "March 2027", "December 2027")],
)
def test_an_exemptions_page_shows_its_months(admin_client, reference_data, language, start, end):
    """The boxes showed 2027-03-01 with a calendar to pick a day; they show the months, and
    the page saved as shown keeps them."""
    from programs.models import Program, ReportingExemption
    from tests.programs.test_admin_rules import exemption_data

    admin_client.cookies["bahasa"] = language
    program = Program.objects.get(slug="gbrss")
    exemption = ReportingExemption.objects.create(
        regency_id="16.07",
        program=program,
        start=dt.date(2027, 3, 1),
        end=dt.date(2027, 12, 1),
        reason="Tidak diukur BPS di wilayah ini.",
    )
    url = reverse("admin:programs_reportingexemption_change", args=[exemption.pk])

    shown = page(admin_client.get(url))

    assert attribute(find(shown, "input", name="start"), "value") == start
    assert attribute(find(shown, "input", name="end"), "value") == end
    help_text = element_text(find(shown, "div", class_="field-start"))
    assert "Tanggal 1" not in help_text
    saved = admin_client.post(
        url, exemption_data(program, start=start, end=end, reason="Diperbaiki")
    )
    assert saved.status_code == 302, field_errors(saved, "start")
    exemption.refresh_from_db()
    assert (exemption.start, exemption.end, exemption.reason) == (
        dt.date(2027, 3, 1),
        dt.date(2027, 12, 1),
        "Diperbaiki",
    )


@pytest.mark.usefixtures("frozen_clock")  # 27 June 2025
def test_a_lock_exceptions_end_date_takes_a_named_month(admin_client, reference_data):
    """The day a regency may edit a locked month until, typed as people write it; a day
    that does not exist is refused beside the field and nothing is granted."""
    from programs.models import LockException, Program

    program = Program.objects.get(slug="gbrss")
    url = reverse("admin:programs_lockexception_add")
    refused = admin_client.post(url, lock_exception_form(program, until="31 Februari 2026"))
    assert refused.status_code == 200 and field_errors(refused, "until")
    assert not LockException.objects.exists()
    response = admin_client.post(url, lock_exception_form(program, until="15 Juli 2025"))
    assert response.status_code == 302, field_errors(response, "until")
    exception = LockException.objects.get(regency_id="16.07", program=program)
    assert exception.until.isoformat() == "2025-07-15"
    assert exception.granted_by.username == "admin"


@pytest.mark.usefixtures("frozen_clock")  # 27 June 2025
@pytest.mark.parametrize(
    "language, typed", [("id", "April"), ("id", "apr"), ("id", "4"), ("en", "April")]
)
def test_a_lock_exceptions_month_is_typed_and_shown_by_its_name(
    admin_client, reference_data, language, typed
):
    """The month opened was a number box ("4"; "April" was refused as no number): it takes
    the month's name or number, and shows its name."""
    from programs.models import LockException, Program

    admin_client.cookies["bahasa"] = language
    program = Program.objects.get(slug="gbrss")
    url = reverse("admin:programs_lockexception_add")

    response = admin_client.post(
        url, lock_exception_form(program, month=typed, until="15 Juli 2025")
    )

    assert response.status_code == 302, field_errors(response, "month")
    exception = LockException.objects.get(regency_id="16.07", program=program)
    assert (exception.year, exception.month) == (2025, 4)
    change = reverse("admin:programs_lockexception_change", args=[exception.pk])
    month = find(page(admin_client.get(change)), "input", name="month")
    assert attribute(month, "value") == "April"


@pytest.mark.usefixtures("frozen_clock")  # 27 June 2025
def test_a_lock_exceptions_month_that_is_none_is_refused(admin_client, reference_data):
    from programs.models import LockException, Program

    program = Program.objects.get(slug="gbrss")
    url = reverse("admin:programs_lockexception_add")

    response = admin_client.post(
        url, lock_exception_form(program, month="Aprill", until="15 Juli 2025")
    )

    assert field_errors(response, "month") == [
        "Bulan tidak dikenali: tulis namanya (April) atau angkanya (4), boleh dengan tahun "
        "yang diisi di kolom tahun (April 2027, 04.2027, 04/2027 atau 2027-04)."
    ]
    assert not LockException.objects.exists()


@pytest.mark.usefixtures("frozen_clock")  # 27 June 2025
def test_a_lock_exception_that_would_change_nothing_is_refused(admin_client, reference_data):
    """A date already past, or one the month stays open until anyway, would leave the
    admin believing a month open that is not: refused beside the date, nothing saved.
    An expired exception's reason can still be corrected without moving its date."""
    from programs.forms_admin import history_version
    from programs.models import LockException, Program

    program = Program.objects.get(slug="gbrss")
    url = reverse("admin:programs_lockexception_add")
    past = admin_client.post(url, lock_exception_form(program, until="26 Juni 2025"))
    assert field_errors(past, "until") == [
        "Tanggal ini sudah lewat: pengecualian tidak akan berlaku."
    ]
    # May 2025 is due on 10 June and stays open until 10 July without an exception.
    open_anyway = admin_client.post(
        url, lock_exception_form(program, month="5", until="5 Juli 2025")
    )
    assert field_errors(open_anyway, "until") == [
        "Bulan ini masih dapat diubah operator sampai 10 Juli 2025 tanpa pengecualian: "
        "pilih tanggal sesudahnya."
    ]
    assert not LockException.objects.exists()
    later = admin_client.post(url, lock_exception_form(program, month="5", until="11 Juli 2025"))
    assert later.status_code == 302, field_errors(later, "until")

    expired = lock_exception(
        program, year=2025, month=3, until=dt.date(2025, 5, 20), reason="Salah ketik"
    )
    change = reverse("admin:programs_lockexception_change", args=[expired.pk])
    fixed = admin_client.post(
        change,
        lock_exception_form(
            program,
            month="3",
            until="20 Mei 2025",
            reason="Diperbaiki",
            seen_version=history_version(LockException, expired.pk),  # as the page has it
        ),
    )
    assert fixed.status_code == 302, field_errors(fixed, "until")
    expired.refresh_from_db()
    assert expired.reason == "Diperbaiki"


@pytest.mark.usefixtures("frozen_clock")  # 27 June 2025
def test_a_lock_exception_opens_a_month_that_is_owed_and_only_for_a_while(
    admin_client, reference_data
):
    """A month not begun, one the regency does not have to report (GPISS outside the BPS
    cities: Banyuasin is exempt) and has no report of, or a date more than a year away
    ("until 2099" is an unlock, not an exception): refused, nothing granted."""
    from programs.models import LockException, Program

    gbrss, gpiss = Program.objects.get(slug="gbrss"), Program.objects.get(slug="gpiss")
    url = reverse("admin:programs_lockexception_add")
    future = admin_client.post(url, lock_exception_form(gbrss, month="7", until="15 Juli 2025"))
    assert field_errors(future, "month") == ["Bulan ini belum berjalan: belum ada yang dikunci."]
    forever = admin_client.post(url, lock_exception_form(gbrss, until="31 Desember 2099"))
    assert field_errors(forever, "until") == [
        "Paling lambat 27 Juni 2026 (satu tahun dari hari ini): pengecualian membuka bulan "
        "untuk sementara, bukan selamanya."
    ]
    exempt = admin_client.post(url, lock_exception_form(gpiss, until="15 Juli 2025"))
    assert exempt.status_code == 200
    assert (
        "Kabupaten/kota ini tidak wajib melaporkan program ini untuk bulan itu (program belum "
        "diluncurkan, atau wilayah ini dibebaskan) dan belum ada laporannya: tidak ada yang "
        "perlu dibuka."
    ) in error_messages(page(exempt))
    assert not LockException.objects.exists()
    within = admin_client.post(url, lock_exception_form(gbrss, until="27 Juni 2026"))
    assert within.status_code == 302, field_errors(within, "until")


def test_a_programs_order_typed_with_a_thousands_dot_is_a_thousand(admin_client, reference_data):
    """Django's own integer field reads "1.000" as 1 (it drops a trailing ".000")."""
    program = gbrss_indicator().program
    response = program_change(admin_client, program, order="1.000")
    assert response.status_code == 302, field_errors(response, "order")
    program.refresh_from_db()
    assert program.order == 1000


def test_every_admin_number_and_date_field_reads_the_indonesian_way(rf, admin_user):
    """Every form field for a model number or date in every admin page (and its inlines)
    is the localized one: 1.234.567 and "25 Maret 2024" mean what an Indonesian typed."""
    from django.contrib import admin
    from django.db import models

    from programs.admin_numbers import (
        LocalizedDateField,
        LocalizedDecimalField,
        LocalizedIntegerField,
        LocalizedSplitDateTimeField,
    )

    request = rf.get("/admin/")
    request.user = admin_user
    expected = {
        forms_field: localized
        for forms_field, localized in [
            ("IntegerField", LocalizedIntegerField),
            ("DecimalField", LocalizedDecimalField),
            ("DateField", LocalizedDateField),
            ("DateTimeField", LocalizedSplitDateTimeField),
        ]
    }
    plain = []
    for model_admin in admin.site._registry.values():
        admins = [model_admin, *model_admin.get_inline_instances(request)]
        for each in admins:
            adds = (
                each.has_add_permission(request, None)
                if isinstance(each, admin.options.InlineModelAdmin)
                else each.has_add_permission(request)
            )
            if not (adds or each.has_change_permission(request)):
                continue  # shown only, never typed into
            readonly = set(each.get_readonly_fields(request))
            for field in each.model._meta.concrete_fields:
                if field.name in readonly or not field.editable or field.primary_key:
                    continue
                kind = next((k for k in expected if isinstance(field, getattr(models, k))), None)
                if kind is None:
                    continue
                if isinstance(field, models.DateTimeField):
                    kind = "DateTimeField"
                form_field = each.formfield_for_dbfield(field, request)
                if form_field is not None and not isinstance(form_field, expected[kind]):
                    plain.append(f"{type(each).__name__}.{field.name}")
    assert not plain, plain


def history_table(admin_client, url_name: str, pk) -> tuple[list[str], list[list[str]], str]:
    """A history page's column headers, its rows' cells (newest first) and its text."""
    history = admin_client.get(reverse(url_name, args=[pk]))
    table = find(page(history), "table", id="change-history")
    headers = [element_text(th) for th in find_all(table, "th")]
    rows = [cells(row) for row in find_all(table, "tr") if find_all(row, "td")]
    text = " ".join(element_text(table).replace("\xa0", " ").split())  # "&nbsp;&rarr;"
    return headers, rows, text


def test_a_targets_history_says_nothing_yes_and_no_as_people_read_them(
    admin_client, reference_data
):
    """Its list and changes read "Batas waktu: None → 25 Maret 2025", "Nilai dasar
    (baseline): None → 5" and "Data demo: True → False"."""
    target = gbrss_province_target()
    target.is_demo, target.due_date = True, None
    target.save()
    change(admin_client, target, due_date="25 Maret 2025", baseline="5", is_demo="")

    headers, rows, text = history_table(admin_client, "admin:programs_target_history", target.pk)

    assert rows[1][headers.index("Batas waktu")] == "–"
    assert "Batas waktu: – → 25 Maret 2025" in text
    assert "Nilai dasar (baseline): – → 5" in text
    assert "Data demo: Ya → Tidak" in text
    assert "None" not in text and "True" not in text and "False" not in text


def test_a_reports_history_names_its_status_dates_and_people_as_pages_do(
    admin_client, reference_data
):
    """Withdrawn to draft, its history read "Status: verified → draft", "Diverifikasi
    pada: 2025-02-05 01:00:00+00:00 → None" and "Diverifikasi oleh: admin → Deleted
    pengguna (pk=None)" (as if the admin had been deleted), its status column "verified"."""
    from django.contrib.auth import get_user_model

    from programs.models import MonthlyReport, Program
    from programs.reporting.services import province_reports_withdraw

    admin = get_user_model().objects.get(username="admin")
    report = MonthlyReport.objects.create(
        program=Program.objects.get(slug="gpiss"),
        year=2025,
        month=1,
        status=MonthlyReport.Status.VERIFIED,
        verified_by=admin,
        verified_at=dt.datetime(2025, 2, 5, 3, 0, tzinfo=dt.UTC),
    )
    province_reports_withdraw(user=admin, reports=MonthlyReport.objects.filter(pk=report.pk))

    headers, rows, text = history_table(
        admin_client, "admin:programs_monthlyreport_history", report.pk
    )

    assert [row[headers.index("Status")] for row in rows] == ["Draf", "Terverifikasi"]
    assert "Status: Terverifikasi → Draf" in text
    assert "Diverifikasi pada: 5 Februari 2025, 10.00 → –" in text  # Jakarta time
    assert "Diverifikasi oleh: admin → –" in text
    assert "Deleted" not in text and "verified" not in text and "None" not in text


def test_a_users_dates_outside_the_years_the_site_keeps_are_refused(
    admin_client, reference_data, django_user_model
):
    """The user page took a date joined of 01-01-0001 or a last login of 31-12-9999: the
    user list then showed a date in year 1, and a last login in year 9999 broke the
    arithmetic of anything counting from it. Refused, saying which years are taken,
    and nothing is saved."""
    user = django_user_model.objects.create_user("operator-uji", password="x")
    joined = user.date_joined
    url = reverse("admin:auth_user_change", args=[user.pk])
    data = user_dates_form(
        user,
        date_joined_0="01-01-0001",
        date_joined_1="08.30",
        last_login_0="31-12-9999",
        last_login_1="23.59",
    )
    refused = admin_client.post(url, data)
    assert refused.status_code == 200
    expected = "Tanggal harus antara tahun 2000 dan 2100."
    assert field_errors(refused, "date_joined") == [expected]
    assert field_errors(refused, "last_login") == [expected]
    user.refresh_from_db()
    assert (user.date_joined, user.last_login) == (joined, None)
    admin_client.cookies["bahasa"] = "en"
    english = admin_client.post(
        url, data | {"date_joined_1": "08:30", "last_login_0": "", "last_login_1": ""}
    )
    assert field_errors(english, "date_joined") == ["The date must be between 2000 and 2100."]
