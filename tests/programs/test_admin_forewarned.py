"""What the admin would refuse, or what stands to no effect, is said before the admin
acts: the copy of targets to the next year names the milestones that would fall on one
day, the list of reporting exemptions marks those wholly before their program's launch,
and a lock exception's longest date is one year from today, named as the last day."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from programs.models import Target, TargetMilestone
from tests.admin_helpers import gbrss_indicator
from tests.helpers import element_text, find, find_all, page

pytestmark = pytest.mark.django_db


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
