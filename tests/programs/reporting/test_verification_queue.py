"""/verifikasi/ at scale: filters with counts, pages of 25, verifier wording, and bulk
verification of exactly what the filter shows."""

import datetime as dt
import re
from decimal import Decimal
from html import unescape as html_unescape
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from programs.models import FundingSource, MonthlyReport, Program
from programs.reporting import services
from regencies.models import Regency, UserScope
from tests.factories import MonthlyReportFactory, RealizationFactory, UserFactory
from tests.helpers import (
    attribute,
    cells,
    element_text,
    find,
    find_all,
    flash_messages,
    make_user,
    page,
    previous_month,
)

Status = MonthlyReport.Status
WIB = ZoneInfo("Asia/Jakarta")
CODES = ["16.01", "16.02", "16.03", "16.04", "16.05", "16.06", "16.07", "16.08", "16.09"]


def submitted(slug, code, year, month, value=5):
    report = MonthlyReportFactory(
        program=Program.objects.get(slug=slug),
        regency=Regency.objects.get(code=code),
        year=year,
        month=month,
        status=Status.SUBMITTED,
        submitted_at=timezone.now(),
        first_submitted_at=timezone.now(),
    )
    indicator = Program.objects.get(slug=slug).indicators.exclude(measure="ratio").first()
    if indicator is not None:
        RealizationFactory(
            report=report,
            indicator=indicator,
            funding_source=FundingSource.objects.get(code="apbn"),
            value=Decimal(value),
        )
    return report


@pytest.fixture
def verifier(reference_data):
    user = UserFactory(username="verifikator-uji")
    UserScope.objects.create(user=user, role=UserScope.Role.VERIFIKATOR)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def queue(reference_data):
    # 27 GBRSS reports (9 regencies x 3 months) and 4 GPSSS reports.
    for month in (7, 8, 9):
        for code in CODES:
            submitted("gbrss", code, 2026, month)
    for code in CODES[:4]:
        submitted("gpsss", code, 2026, 9)


def items(html) -> list[str]:
    """The queue's reports by their headings, top to bottom."""
    return [element_text(find(a, "h2")) for a in find_all(html, "article", class_="queue-item")]


def options(html, select_id) -> list[str]:
    return [element_text(o) for o in find_all(find(html, "select", id=select_id), "option")]


def pager(html) -> list[str]:
    return [element_text(n) for n in find_all(html, "nav", class_="pager")]


def test_pages_hold_at_most_25_reports_with_counts_per_filter(verifier, queue):
    html = page(verifier.get("/verifikasi/"))
    assert len(items(html)) == 25
    assert element_text(find(html, id="queue-total")) == "31 laporan"  # 27 GBRSS + 4 GPSSS
    assert "Halaman 1 dari 2" in pager(html)[0]
    programs = options(html, "filter-program")[1:]  # after "Semua program"
    assert {"GBRSS (27)", "GPSSS (4)"} <= set(programs)
    assert all(o.endswith("(0)") for o in programs if o not in ("GBRSS (27)", "GPSSS (4)"))
    # 9 GBRSS + 4 GPSSS in September.
    assert "September 2026 (13)" in options(html, "filter-bulan")
    tabs = [element_text(a) for a in find_all(find(html, "nav", class_="status-tabs"), "a")]
    assert tabs[0] == "Diajukan (31)"
    assert len(items(page(verifier.get("/verifikasi/", {"halaman": 2})))) == 6


def test_filters_by_program_regency_and_month(verifier, queue):
    html = page(verifier.get("/verifikasi/", {"program": "gpsss"}))
    assert len(items(html)) == 4 and pager(html) == []
    html = page(
        verifier.get("/verifikasi/", {"program": "gbrss", "wilayah": "16.07", "bulan": "2026-08"})
    )
    assert items(html) == ["GBRSS — Banyuasin — Agustus 2026"]
    # Counts beside a filter's choices follow the other filters.
    assert "GPSSS (0)" in options(html, "filter-program")
    # Bad filter values fall back to the defaults instead of failing.
    assert verifier.get("/verifikasi/", {"bulan": "2026-13", "status": "x"}).status_code == 200


def test_a_program_and_regency_written_as_people_write_them_filter_the_queue(verifier, queue):
    """'?program=GBRSS&wilayah=1607' (the acronym as the pages write it, the code as in
    "operator-1607") listed "0 laporan" under "Semua program" and "Semua wilayah": a
    verifier opening a shared link saw nothing to do, and "verify all" had nothing."""
    html = page(verifier.get("/verifikasi/", {"program": "GBRSS", "wilayah": "1607"}))
    assert element_text(find(html, id="queue-total")) == "3 laporan"
    assert items(html) == [
        f"GBRSS — Banyuasin — {m} 2026" for m in ("Juli", "Agustus", "September")
    ]
    for select_id, label in [("filter-program", "GBRSS (3)"), ("filter-wilayah", "Banyuasin (3)")]:
        chosen = [
            element_text(o)
            for o in find_all(find(html, "select", id=select_id), "option")
            if "selected" in dict(o.attributes)
        ]
        assert chosen == [label]


def test_a_month_not_begun_is_filtered_as_the_latest_begun_month(verifier, queue):
    """On 20 September '?bulan=2026-12' listed nothing under 'Semua bulan': it lists
    September's reports, with September chosen, as the dashboards clamp a period."""
    with time_machine.travel(dt.datetime(2026, 9, 20, 10, tzinfo=WIB), tick=False):
        later = page(verifier.get("/verifikasi/", {"bulan": "2026-12"}))
        later_year = page(verifier.get("/verifikasi/", {"bulan": "2030-12"}))
        september = page(verifier.get("/verifikasi/", {"bulan": "2026-09"}))
    for html in (later, later_year):
        assert element_text(find(html, id="queue-total")) == "13 laporan"
        assert items(html) == items(september)
        chosen = [
            element_text(o)
            for o in find_all(find(html, "select", id="filter-bulan"), "option")
            if "selected" in dict(o.attributes)
        ]
        assert chosen == ["September 2026 (13)"]


def chosen_in(html, select_id) -> list[str]:
    return [
        element_text(o)
        for o in find_all(find(html, "select", id=select_id), "option")
        if "selected" in dict(o.attributes)
    ]


def test_a_chosen_month_or_regency_without_reports_stays_chosen_in_its_menu(verifier, queue):
    """March 2026 has no report: the page listed none under a menu reading "Semua bulan"
    (all months), as if the filter had been dropped."""
    march = page(verifier.get("/verifikasi/", {"bulan": "2026-03"}))
    assert items(march) == []
    assert chosen_in(march, "filter-bulan") == ["Maret 2026 (0)"]
    unreported = Regency.objects.exclude(code__in=CODES).order_by("code").first()
    elsewhere = page(verifier.get("/verifikasi/", {"wilayah": unreported.code}))
    assert items(elsewhere) == []
    assert chosen_in(elsewhere, "filter-wilayah") == [f"{unreported.name} (0)"]


def queue_form_fields(html, ticked=()) -> tuple[str, dict]:
    """The queue's one form (verify-form) and what the browser sends of it whichever
    button sends it: its hidden fields, the tick boxes of `ticked` (reports) and every
    return box's reason (empty), the CSRF token included."""
    form = find(html, "form", id="verify-form")
    ticks = [key(r) for r in ticked]
    fields = {}
    for control in find_all(form, "input"):
        name, value = attribute(control, "name"), attribute(control, "value")
        if attribute(control, "type") == "checkbox":
            if value in ticks:
                fields.setdefault(name, []).append(value)
        else:
            fields[name] = value
    for box in find_all(form, "textarea"):
        fields[attribute(box, "name")] = ""
    return form, fields


def verify_all_post(html, ticked=()) -> tuple[str, dict]:
    """(address, fields) the browser sends with "Verifikasi semua ... yang cocok dengan
    filter ini": the queue's one form (verify-form: its hidden fields, the tick boxes of
    `ticked` (reports), every return box's reason) sent by that button."""
    form, fields = queue_form_fields(html, ticked)
    button = find(form, "button", id="verify-all")
    fields[attribute(button, "name")] = attribute(button, "value")
    return attribute(form, "action"), fields


def verify_all_form(client, query: str) -> dict[str, str]:
    """The fields of the page's "verify all matching" button, as the verifier's browser
    would post them (nothing ticked)."""
    return verify_all_post(page(client.get("/verifikasi/" + query)))[1]


def queue_state():
    return list(MonthlyReport.objects.values_list("pk", "status", "version").order_by("pk"))


QUEUE_CHANGED = (
    "Antrean sudah berubah sejak halaman dimuat; tidak ada yang diverifikasi. Periksa lagi."
)


def test_bulk_verify_acts_only_within_the_filter(verifier, queue):
    shown = verify_all_form(verifier, "?program=gpsss")
    assert shown["jumlah"] == "4"
    response = verifier.post("/verifikasi/?program=gpsss", shown)
    assert response.status_code == 302 and "program=gpsss" in response["Location"]
    assert MonthlyReport.objects.filter(program__slug="gpsss", status=Status.VERIFIED).count() == 4
    assert not MonthlyReport.objects.filter(program__slug="gbrss", status=Status.VERIFIED).exists()
    assert flash_messages(verifier.get("/verifikasi/?program=gpsss")) == ["4 laporan diverifikasi."]
    # A queue that changed since the count was shown: nothing is verified.
    stale = verify_all_form(verifier, "?program=gbrss&bulan=2026-07")
    verifier.post("/verifikasi/?program=gbrss&bulan=2026-07", {**stale, "jumlah": "8"})
    assert not MonthlyReport.objects.filter(program__slug="gbrss", status=Status.VERIFIED).exists()
    assert flash_messages(verifier.get("/verifikasi/?program=gbrss")) == [QUEUE_CHANGED]


def test_bulk_verify_covers_every_page_of_the_filter(verifier, queue):
    """27 GBRSS reports over two pages: the form on page one verifies all 27."""
    shown = verify_all_form(verifier, "?program=gbrss")
    assert shown["jumlah"] == "27"
    verifier.post("/verifikasi/?program=gbrss", shown)
    assert MonthlyReport.objects.filter(program__slug="gbrss", status=Status.VERIFIED).count() == 27
    assert flash_messages(verifier.get("/verifikasi/")) == ["27 laporan diverifikasi."]


def test_bulk_verify_sent_twice_verifies_once(verifier, queue, settings):
    """A double click on "verify all": the second post finds the same 4 reports verified
    by the verifier a moment ago and is answered as the first, verifying nothing twice
    and notifying nobody twice. After the double-submit window it is a changed queue."""
    from programs.models import Notification

    make_user("op-oku", UserScope.Role.OPERATOR, "16.01")
    shown = verify_all_form(verifier, "?program=gpsss")
    verifier.post("/verifikasi/?program=gpsss", shown)
    after_first = queue_state()
    assert Notification.objects.filter(user__username="op-oku").count() == 1
    second = verifier.post("/verifikasi/?program=gpsss", shown, follow=True)
    assert flash_messages(second) == ["4 laporan diverifikasi."]
    assert queue_state() == after_first
    assert Notification.objects.filter(user__username="op-oku").count() == 1
    settings.DOUBLE_SUBMIT_SECONDS = 0
    verifier.post("/verifikasi/?program=gpsss", shown)
    assert flash_messages(verifier.get("/verifikasi/")) == [QUEUE_CHANGED]


def test_two_reports_verified_one_after_the_other_are_both_said(verifier, queue):
    """Two different reports ticked and verified one after the other, the page not read
    in between: each answer is said, not merged into one "1 laporan diverifikasi." as a
    double click's is."""
    first, second = MonthlyReport.objects.filter(program__slug="gpsss").order_by("pk")[:2]
    for report in (first, second):
        verifier.post("/verifikasi/", {"laporan": [f"{report.pk}:{report.version}"]})
    assert flash_messages(verifier.get("/verifikasi/")) == ["1 laporan diverifikasi."] * 2
    assert MonthlyReport.objects.filter(status=Status.VERIFIED).count() == 2


def test_bulk_verify_refuses_another_set_of_the_same_size(verifier, queue, reference_data):
    """Shown 4; meanwhile an admin verifies one of them and an operator submits another
    matching report: still 4, but not the 4 the verifier saw. Nothing is verified."""
    shown = verify_all_form(verifier, "?program=gpsss")
    assert shown["jumlah"] == "4"
    admin = make_user("admin-lain", superuser=True)
    first = MonthlyReport.objects.filter(program__slug="gpsss").order_by("pk").first()
    services.report_verify(user=admin, report=first, version=first.version)
    submitted("gpsss", "16.09", 2026, 9)  # unseen by the verifier
    before = queue_state()
    verifier.post("/verifikasi/?program=gpsss", shown)
    assert queue_state() == before
    assert flash_messages(verifier.get("/verifikasi/")) == [QUEUE_CHANGED]


def test_bulk_verify_refuses_a_report_resubmitted_with_other_figures(verifier, queue):
    """Shown 4; one is returned and resubmitted with another value (a new version): the
    verifier never saw that figure, so nothing is verified, not even the other three. The
    resubmitted report is on the second page of another filter, too: the form covers it."""
    verifier_user = User.objects.get(username="verifikator-uji")
    for query in ("?program=gpsss", "?program=gbrss"):
        shown = verify_all_form(verifier, query)
        slug = query.rpartition("=")[2]
        again = MonthlyReport.objects.filter(program__slug=slug).order_by("-submitted_at").first()
        returned = services.report_return(
            user=verifier_user, report=again, reason="Periksa angkanya", version=again.version
        )
        # The operator corrects the figure and submits again: a new version.
        again.realizations.update(value=Decimal(50))
        MonthlyReport.objects.filter(pk=again.pk).update(
            status=Status.SUBMITTED, version=returned.version + 1
        )
        before = queue_state()
        verifier.post("/verifikasi/" + query, shown)
        assert queue_state() == before, query
        assert flash_messages(verifier.get("/verifikasi/")) == [QUEUE_CHANGED]
        # Reloaded, the page shows the new figure and a fingerprint that verifies it.
        verifier.post("/verifikasi/" + query, verify_all_form(verifier, query))
        assert not MonthlyReport.objects.filter(
            program__slug=slug, status=Status.SUBMITTED
        ).exists()
        flash_messages(verifier.get("/verifikasi/"))  # read the success message


def test_bulk_verify_without_the_fingerprint_verifies_nothing(verifier, queue):
    """An old page (or a crafted post) carrying only the count is refused."""
    before = queue_state()
    verifier.post("/verifikasi/?program=gpsss", {"aksi": "semua", "jumlah": "4"})
    verifier.post("/verifikasi/?program=gpsss", {"aksi": "semua", "jumlah": "4", "sidik": "x"})
    assert queue_state() == before


def test_operator_cannot_bulk_verify(reference_data, queue):
    user = UserFactory(username="op")
    UserScope.objects.create(user=user, role=UserScope.Role.OPERATOR, regency_id="16.07")
    client = Client()
    client.force_login(user)
    assert client.post("/verifikasi/", {"aksi": "semua", "jumlah": "31"}).status_code == 403
    assert not MonthlyReport.objects.filter(status=Status.VERIFIED).exists()


def test_checks_speak_to_the_verifier(verifier, reference_data):
    for month, value in ((6, 2), (7, 2), (8, 2)):
        report = submitted("gbrss", "16.07", 2026, month, value)
        report.status, report.verified_at = Status.VERIFIED, timezone.now()
        report.save()
    submitted("gbrss", "16.07", 2026, 9, 40)
    (warning,) = find_all(page(verifier.get("/verifikasi/")), "p", class_="msg-warning")
    text = element_text(warning)
    assert "cocokkan dengan catatan operator" in text
    assert text.endswith("(operator tidak memberi catatan)")
    assert "beri catatan bila benar" not in text  # the operator's instruction


def test_level_and_ratio_checks_speak_to_the_verifier(verifier, reference_data):
    """Inflation 3,06 then 2.500 (meant 2,5), stunting 14,7 % then 1,43 %: the verifier
    reads what was probably meant and is asked to compare with the operator's notes."""
    inflation = Program.objects.get(slug="gpiss").indicators.get(code="inflasi-yoy")
    stunting = Program.objects.get(slug="gpstss").indicators.get(code="prevalensi-stunting")
    source = FundingSource.objects.get(code="tidak-dirinci")
    for indicator, regency, before, now in (
        (inflation, "16.71", {"value": Decimal("3.06")}, {"value": Decimal(2500)}),
        (
            stunting,
            "16.07",
            {"value": None, "numerator": Decimal(147), "denominator": Decimal(1000)},
            {"value": None, "numerator": Decimal(143), "denominator": Decimal(10000)},
        ),
    ):
        for month, values, status in ((8, before, Status.VERIFIED), (9, now, Status.SUBMITTED)):
            report = MonthlyReportFactory(
                program=indicator.program,
                regency=Regency.objects.get(code=regency),
                year=2026,
                month=month,
                status=status,
                submitted_at=timezone.now(),
            )
            RealizationFactory(report=report, indicator=indicator, funding_source=source, **values)
    warnings = [
        element_text(p) for p in find_all(page(verifier.get("/verifikasi/")), "p", class_="msg")
    ]
    assert sorted(warnings) == [
        "! Jauh berbeda dari bulan lalu (3,06). Pemisah desimal ditulis dengan koma: 2,5 bukan"
        " 2.500. Cocokkan dengan catatan operator sebelum memverifikasi."
        " (operator tidak memberi catatan)",
        "! Persentase 1,43 % jauh berbeda dari bulan lalu (14,70 %): cocokkan pembilang dan"
        " penyebut dengan catatan operator. (operator tidak memberi catatan)",
    ]


def test_returned_reports_show_the_figures_the_operator_sent(verifier, reference_data):
    """The 'Dikembalikan' list showed '–' under 'Bulan ini' for every returned report, as
    if the operator had sent nothing: a returned report is not counted on dashboards, but
    the verifier reads what it holds (7 houses after 5, a stunting ratio of 14,30 %)."""
    stunting = Program.objects.get(slug="gpstss").indicators.get(code="prevalensi-stunting")
    before = submitted("gbrss", "16.07", 2026, 8, 5)
    before.status, before.verified_at = Status.VERIFIED, timezone.now()
    before.save()
    houses = submitted("gbrss", "16.07", 2026, 9, 7)
    ratio = submitted("gpstss", "16.07", 2026, 9)
    RealizationFactory(
        report=ratio,
        indicator=stunting,
        funding_source=FundingSource.objects.get(code="tidak-dirinci"),
        value=None,
        numerator=Decimal(143),
        denominator=Decimal(1000),
    )
    for report in (houses, ratio):
        report.status, report.return_reason = Status.RETURNED, "Periksa lagi"
        report.save()
    html = page(verifier.get("/verifikasi/", {"status": "returned"}))
    shown = {
        element_text(find(a, "h2")): [cells(tr) for tr in find_all(find(a, "tbody"), "tr")]
        for a in find_all(html, "article", class_="queue-item")
    }
    assert shown["GBRSS — Banyuasin — September 2026"] == [
        ["Rumah tidak layak huni dibedah (rumah)", "7", "5", "+2", "–"]
    ]
    assert ["Prevalensi stunting balita (%)", "14,30", "–", "–", "–"] in shown[
        "GPStSS — Banyuasin — September 2026"
    ]


def test_a_january_is_checked_against_the_december_before(verifier, reference_data):
    """Inflation 3,06 in December 2025, then 2.500 (meant 2,5) in January 2026: a
    January's last month is the December before, for a level as for any other month."""
    inflation = Program.objects.get(slug="gpiss").indicators.get(code="inflasi-yoy")
    source = FundingSource.objects.get(code="tidak-dirinci")
    for year, month, value, status in (
        (2025, 12, Decimal("3.06"), Status.VERIFIED),
        (2026, 1, Decimal(2500), Status.SUBMITTED),
    ):
        report = MonthlyReportFactory(
            program=inflation.program,
            regency=Regency.objects.get(code="16.71"),
            year=year,
            month=month,
            status=status,
            submitted_at=timezone.now(),
        )
        RealizationFactory(report=report, indicator=inflation, funding_source=source, value=value)
    warnings = [
        element_text(p) for p in find_all(page(verifier.get("/verifikasi/")), "p", class_="msg")
    ]
    assert warnings == [
        "! Jauh berbeda dari bulan lalu (3,06). Pemisah desimal ditulis dengan koma: 2,5 bukan"
        " 2.500. Cocokkan dengan catatan operator sebelum memverifikasi."
        " (operator tidak memberi catatan)"
    ]
    # The row's value, last month (December) and the change, by hand:
    # 2500 - 3,06 = 2496,94, in the indicator's two decimals.
    html = page(verifier.get("/verifikasi/"))
    row = next(r for r in find_all(html, "tr") if element_text(r).startswith(inflation.name))
    assert cells(row)[1:4] == ["2.500,00", "3,06", "+2.496,94"]


def test_queue_queries_do_not_grow_with_the_queue(verifier, reference_data):
    for code in CODES[:2]:
        submitted("gbrss", code, 2026, 9)
    with CaptureQueriesContext(connection) as small:
        verifier.get("/verifikasi/")
    for month in (5, 6, 7, 8):
        for code in CODES:
            submitted("gbrss", code, 2026, month)
    submitted("gpsss", "16.01", 2025, 3)
    with CaptureQueriesContext(connection) as large:
        verifier.get("/verifikasi/")
    assert len(large) == len(small)


@pytest.mark.parametrize(
    "keys", [["99999999999999999999:1"], ["9223372036854775808:1"], ["1:99999999999999999999"]]
)
def test_a_selection_no_database_integer_holds_verifies_nothing(verifier, queue, keys):
    """A crafted bulk form: a key beyond any database integer is no report (it used to
    overflow SQLite's integer and answer 500)."""
    response = verifier.post("/verifikasi/", {"laporan": keys})
    assert response.status_code == 302
    assert flash_messages(verifier.get("/verifikasi/")) == ["Pilih paling sedikit satu laporan."]
    assert not MonthlyReport.objects.filter(status=Status.VERIFIED).exists()


def test_returned_and_verified_tabs_say_who_returned_or_verified_and_why(verifier, reference_data):
    """The returned and verified tabs read only "Diajukan ... oleh operator": who sent it
    back and why, or who verified it, was one click away on each report."""
    user = User.objects.get(username="verifikator-uji")
    with time_machine.travel(dt.datetime(2026, 10, 12, 9, 30, tzinfo=WIB), tick=False):
        returned = services.report_return(
            user=user, report=submitted("gbrss", "16.07", 2026, 9), reason="Foto belum ada"
        )
        verified = services.report_verify(user=user, report=submitted("gbrss", "16.71", 2026, 9))

    def legend(status):
        html = page(verifier.get("/verifikasi/", {"status": status}))
        return [element_text(p) for p in find_all(html, "p", class_="legend")][1:]

    returned_tab = legend("returned")
    assert len(returned_tab) == 1
    assert "Dikembalikan 12 Okt 2026 09:30 oleh verifikator-uji" in returned_tab[0]
    html = page(verifier.get("/verifikasi/", {"status": "returned"}))
    reasons = [element_text(p) for p in find_all(html, "p", class_="return-reason")]
    assert reasons == ["Alasan dikembalikan: Foto belum ada"]
    verified_tab = legend("verified")
    assert len(verified_tab) == 1
    assert "Diverifikasi 12 Okt 2026 09:30 oleh verifikator-uji" in verified_tab[0]
    assert "Dikembalikan" not in verified_tab[0]
    assert returned.status == Status.RETURNED and verified.status == Status.VERIFIED


# --- Returning a report from the queue --------------------------------------------------


def return_box(html, report):
    """The queue item's return box (its <details>) of `report`."""
    article = next(
        a
        for a in find_all(html, "article", class_="queue-item")
        if attribute(a, "data-report") == str(report.pk)
    )
    return find(article, "details", class_="queue-return")


def return_form_post(html, report, ticked=()) -> tuple[str, dict]:
    """(address, fields) the browser sends with the return box of `report`: the queue's
    one form (verify-form: its hidden fields, the tick boxes of `ticked` (reports), every
    return box's reason) sent by that box's button to its formaction."""
    form, fields = queue_form_fields(html, ticked)
    button = next(
        b for b in find_all(form, "button") if attribute(b, "data-returns") == f"alasan-{report.pk}"
    )
    fields[attribute(button, "name")] = attribute(button, "value")
    return attribute(button, "formaction"), fields


def reason_of(report) -> str:
    """The name of `report`'s reason box on the queue."""
    return f"alasan-{report.pk}"


def typed_in_box(response, report) -> str:
    """The text of the report's return box as the browser fills it (the parser used
    elsewhere folds whitespace, which is what the box must keep)."""
    found = re.search(
        rf'<textarea[^>]* id="alasan-{report.pk}"[^>]*>(.*?)</textarea>',
        response.content.decode(),
        re.DOTALL,
    )
    return html_unescape(found[1])


def last_month_reports():
    year, month = previous_month()
    return (
        submitted("gbrss", "16.07", year, month),
        submitted("gbrss", "16.01", year, month),
        submitted("gpsss", "16.07", year, month),
    )


@pytest.mark.usefixtures("frozen_clock")
def test_each_submitted_report_can_be_returned_from_the_queue_with_its_filters_kept(
    verifier, reference_data
):
    banyuasin, oku, _sanitation = last_month_reports()
    html = page(verifier.get("/verifikasi/", {"program": "gbrss"}))
    address, fields = return_form_post(html, banyuasin)
    assert address == banyuasin.get_absolute_url() + "status/?program=gbrss"
    assert fields == {
        "csrfmiddlewaretoken": fields["csrfmiddlewaretoken"],
        "kembali": "antrean",
        "jumlah": "2",  # "verify all matching"'s, ignored by a return
        "sidik": fields["sidik"],
        f"versi-{banyuasin.pk}": "1",
        f"versi-{oku.pk}": "1",
        reason_of(banyuasin): "",
        reason_of(oku): "",
        "aksi": "kembalikan",
    }
    assert "open" not in dict(return_box(html, banyuasin).attributes)

    fields[reason_of(banyuasin)] = "Angka APBN tidak sesuai lampiran."
    response = verifier.post(address, fields)

    assert response.status_code == 302
    assert response["Location"] == "/verifikasi/?program=gbrss"
    banyuasin.refresh_from_db()
    assert banyuasin.status == Status.RETURNED
    assert banyuasin.return_reason == "Angka APBN tidak sesuai lampiran."
    back = verifier.get(response["Location"])
    assert flash_messages(back) == ["Laporan dikembalikan ke operator."]
    assert [attribute(a, "data-report") for a in find_all(page(back), "article")] == [str(oku.pk)]
    # Returned and verified reports have no box.
    for status in ("returned", "verified"):
        assert find_all(page(verifier.get("/verifikasi/", {"status": status})), "details") == []


@pytest.mark.usefixtures("frozen_clock")
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("   ", "Alasan wajib diisi."),
        ("", "Alasan wajib diisi."),
        ("Periksa lagi. " * 150, "Alasan terlalu panjang: paling banyak 2.000 karakter."),
        (
            "Periksa\x00 lagi",
            "Teks berisi karakter yang tidak sah (NUL, kode 0), biasanya ikut tersalin dari "
            "berkas lain: hapus karakter itu lalu kirim lagi.",
        ),
    ],
    ids=["blank", "empty", "too-long", "nul"],
)
def test_a_refused_reason_comes_back_on_the_queue_in_its_box(
    verifier, reference_data, typed, error, htmx
):
    """It landed on the report page (its own return box), leaving the queue and its
    filters: the verifier is now back on the queue page they were on, the reason as
    typed in that report's box, opened, the message beside it; nothing changed."""
    banyuasin, oku, _sanitation = last_month_reports()
    address, fields = return_form_post(
        page(verifier.get("/verifikasi/", {"program": "gbrss"})), banyuasin
    )
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}

    response = verifier.post(address, {**fields, reason_of(banyuasin): typed}, **headers)

    assert response.status_code == 422
    html = page(response)
    assert element_text(find(html, "h1")).startswith("Antrean verifikasi")
    assert items(html) == ["GBRSS — Banyuasin — Mei 2025", "GBRSS — Ogan Komering Ulu — Mei 2025"]
    assert chosen_in(html, "filter-program") == ["GBRSS (2)"]
    box = return_box(html, banyuasin)
    assert "open" in dict(box.attributes)
    assert element_text(find(box, "ul", class_="errorlist")) == error
    assert attribute(find(box, "textarea"), "aria-invalid") == "true"
    assert typed_in_box(response, banyuasin) == typed
    assert "open" not in dict(return_box(html, oku).attributes)  # the other box is closed
    assert flash_messages(response) == []  # beside the box, not twice
    banyuasin.refresh_from_db()
    assert (banyuasin.status, banyuasin.version) == (Status.SUBMITTED, 1)


@pytest.mark.usefixtures("frozen_clock")
def test_a_report_returned_meanwhile_is_said_on_top_of_the_queue(verifier, reference_data):
    """Another verifier returned it first: it has left the queue page, so the message is
    on top, and the page is the queue the verifier was on."""
    banyuasin, oku, _sanitation = last_month_reports()
    address, fields = return_form_post(
        page(verifier.get("/verifikasi/", {"program": "gbrss"})), banyuasin
    )
    colleague = UserFactory(username="verifikator-lain")
    UserScope.objects.create(user=colleague, role=UserScope.Role.VERIFIKATOR)
    services.report_return(user=colleague, report=banyuasin, reason="Lampiran kurang.", version=1)

    response = verifier.post(address, {**fields, reason_of(banyuasin): "Angka APBN tidak sesuai."})

    assert response.status_code == 422
    html = page(response)
    assert element_text(find(html, "h1")).startswith("Antrean verifikasi")
    assert flash_messages(response) == [
        "Laporan GBRSS — Banyuasin — Mei 2025 sudah berubah sejak halaman dimuat (kini "
        "Dikembalikan, oleh verifikator-lain). Tidak ada yang diubah: periksa laporannya, "
        "lalu putuskan lagi."
    ]
    assert items(html) == ["GBRSS — Ogan Komering Ulu — Mei 2025"]
    banyuasin.refresh_from_db()
    assert banyuasin.return_reason == "Lampiran kurang."


def ticked(html) -> list[str]:
    """The values of the queue's tick boxes shown ticked."""
    return [
        attribute(box, "value")
        for box in find_all(html, "input", type="checkbox", name="laporan")
        if "checked" in dict(box.attributes)
    ]


def key(report) -> str:
    return f"{report.pk}:{report.version}"


@pytest.mark.usefixtures("frozen_clock")
def test_reports_ticked_for_verification_stay_ticked_when_another_is_returned(
    verifier, reference_data
):
    """Returning a report from its box reloaded the queue with every tick gone: a
    verifier who had ticked ten reports to verify ticked them again. Without JavaScript
    they were lost still (static/js/queue.js sent them along). The ticks and the boxes are
    now one form, so the box's button sends the ticked reports to the report's /status/
    as the browser sends any form, and the queue comes back with them ticked, after a
    return and after a refused reason alike. A report changed since it was ticked comes
    back unticked: it is looked at again first."""
    banyuasin, oku, sanitation = last_month_reports()
    year, month = previous_month()
    lahat = submitted("gbrss", "16.04", year, month)
    queue = page(verifier.get("/verifikasi/"))
    address, fields = return_form_post(queue, banyuasin, ticked=[oku, sanitation, lahat])
    assert fields["laporan"] == [key(oku), key(sanitation), key(lahat)]
    # Lahat's operator... (its report changed after it was ticked).
    MonthlyReport.objects.filter(pk=lahat.pk).update(version=lahat.version + 1)

    refused = verifier.post(address, {**fields, reason_of(banyuasin): "  "})

    assert refused.status_code == 422
    assert ticked(page(refused)) == [key(oku), key(sanitation)]

    returned = verifier.post(address, {**fields, reason_of(banyuasin): "Angka APBN tidak sesuai."})

    assert returned.status_code == 302
    back = verifier.get(returned["Location"])
    assert flash_messages(back) == ["Laporan dikembalikan ke operator."]
    assert ticked(page(back)) == [key(oku), key(sanitation)]
    banyuasin.refresh_from_db()
    assert banyuasin.status == Status.RETURNED
    # The queue's filters and page stay as they were, the ticks added to them.
    lahat.refresh_from_db()
    filtered, fields = return_form_post(
        page(verifier.get("/verifikasi/", {"program": "gbrss"})), oku, ticked=[lahat]
    )
    moved = verifier.post(filtered, {**fields, reason_of(oku): "Periksa."})
    assert moved["Location"] == f"/verifikasi/?program=gbrss&centang={lahat.pk}%3A{lahat.version}"
    assert ticked(page(verifier.get(moved["Location"]))) == [key(lahat)]


@pytest.mark.usefixtures("frozen_clock")
def test_a_return_box_of_a_queue_page_loaded_before_still_keeps_its_ticks(verifier, reference_data):
    """A queue page opened before this change (its own form per box, the ticks sent by
    static/js/queue.js as `centang`, the reason as `alasan`) is still answered."""
    banyuasin, oku, _sanitation = last_month_reports()
    old = {"aksi": "kembalikan", "kembali": "antrean", "versi": "1", "alasan": "Periksa."}

    response = verifier.post(
        banyuasin.get_absolute_url() + "status/?program=gbrss", {**old, "centang": [key(oku)]}
    )

    assert response["Location"] == f"/verifikasi/?program=gbrss&centang={oku.pk}%3A{oku.version}"
    banyuasin.refresh_from_db()
    assert (banyuasin.status, banyuasin.return_reason) == (Status.RETURNED, "Periksa.")


def verify_form_post(html, ticked) -> tuple[str, dict]:
    """(address, fields) the browser sends with "Verifikasi yang dicentang"."""
    form = find(html, "form", id="verify-form")
    fields = {
        attribute(i, "name"): attribute(i, "value")
        for i in find_all(form, "input")
        if attribute(i, "type") != "checkbox"
    }
    fields["laporan"] = [key(r) for r in ticked]
    fields["aksi"] = "dicentang"
    return attribute(form, "action"), fields


@pytest.mark.usefixtures("frozen_clock")
def test_ticks_stay_when_verifying_the_ticked_reports_is_refused(verifier, queue):
    """ "Verifikasi yang dicentang" refused (a ticked report returned by another verifier
    meanwhile: all or none) sent the verifier to the queue's first page with every tick
    gone. The queue now comes back on the page it was sent from, the reports still
    waiting ticked as they were; nothing is verified."""
    html = page(verifier.get("/verifikasi/", {"program": "gbrss", "halaman": "2"}))
    shown = [int(attribute(a, "data-report")) for a in find_all(html, "article")]
    first, second = MonthlyReport.objects.filter(pk__in=shown).order_by("pk")
    address, fields = verify_form_post(html, [first, second])
    assert address == "?program=gbrss&halaman=2"
    colleague = UserFactory(username="verifikator-lain")
    UserScope.objects.create(user=colleague, role=UserScope.Role.VERIFIKATOR)
    services.report_return(user=colleague, report=second, reason="Foto kurang.", version=1)

    response = verifier.post("/verifikasi/" + address, fields)

    assert response.status_code == 302
    assert response["Location"] == (
        f"/verifikasi/?program=gbrss&halaman=2&centang={first.pk}%3A1&centang={second.pk}%3A1"
    )
    back = verifier.get(response["Location"])
    # The message says which ticked report changed, to what, and by whom.
    assert flash_messages(back) == [
        f"Laporan {second} sudah berubah sejak antrean dimuat (kini Dikembalikan, oleh "
        "verifikator-lain). Tidak ada yang diverifikasi: laporan lain yang dicentang masih "
        "tercentang, periksa lalu verifikasi lagi."
    ]
    assert ticked(page(back)) == [key(first)]
    assert "Halaman 2 dari 2" in pager(page(back))[0]
    assert not MonthlyReport.objects.filter(status=Status.VERIFIED).exists()

    # Nothing ticked: said, on the same page.
    response = verifier.post("/verifikasi/" + address, {**fields, "laporan": []})
    assert response["Location"] == "/verifikasi/?program=gbrss&halaman=2"


@pytest.mark.usefixtures("frozen_clock")
def test_ticks_stay_when_verifying_all_matching_is_refused(verifier, queue):
    """ "Verifikasi semua ... yang cocok dengan filter ini" refused (the queue changed since
    the page counted it) sent the verifier to the queue's first page with every tick gone:
    the button was a form of its own, which did not send them. It is now part of the
    queue's one form, so the queue comes back on the page it was sent from with the
    reports ticked as they were, with or without JavaScript; nothing is verified."""
    html = page(verifier.get("/verifikasi/", {"program": "gbrss", "halaman": "2"}))
    shown = [int(attribute(a, "data-report")) for a in find_all(html, "article")]
    first, second = MonthlyReport.objects.filter(pk__in=shown).order_by("pk")[:2]
    address, fields = verify_all_post(html, [first, second])
    assert address == "?program=gbrss&halaman=2"
    assert (fields["aksi"], fields["jumlah"]) == ("semua", "27")
    assert fields["laporan"] == [key(first), key(second)]
    submitted("gbrss", "16.10", 2026, 9)  # unseen by the verifier

    response = verifier.post("/verifikasi/" + address, fields)

    assert response.status_code == 302
    assert response["Location"] == (
        f"/verifikasi/?program=gbrss&halaman=2&centang={first.pk}%3A1&centang={second.pk}%3A1"
    )
    answer = verifier.get(response["Location"])
    assert flash_messages(answer) == [QUEUE_CHANGED]
    back = page(answer)
    assert ticked(back) == [key(first), key(second)]
    assert "Halaman 2 dari 2" in pager(back)[0]
    assert not MonthlyReport.objects.filter(status=Status.VERIFIED).exists()

    # Sent again from the page as it is now: all 28 are verified.
    address, fields = verify_all_post(back, [first])
    verifier.post("/verifikasi/" + address, fields)
    assert MonthlyReport.objects.filter(program__slug="gbrss", status=Status.VERIFIED).count() == 28


def test_enter_on_a_tick_box_verifies_the_ticked_reports_not_all_matching(verifier, queue):
    """Enter on a tick box sends the form by its first submit button: now that "verify all
    matching" and the return boxes are in the form, a hidden "Verifikasi yang dicentang"
    comes first, so Enter verifies the ticked reports (as it did when that was the form's
    only button), never every report matching the filter, nor returns one."""
    form = find(page(verifier.get("/verifikasi/")), "form", id="verify-form")
    default = find_all(form, "button")[0]
    assert (attribute(default, "name"), attribute(default, "value")) == ("aksi", "dicentang")
    assert "hidden" in dict(default.attributes)


def switched_off_refusal(report) -> str:
    return (
        f"Laporan {report} tidak dapat diverifikasi atau dikembalikan: program "
        f"{report.program.label} tidak aktif. Tidak ada yang diubah."
    )


def test_a_switched_off_programs_reports_leave_the_queue(verifier, queue):
    """An admin switches GPSSS off: its reports' pages answer 404 to the verifier as to
    the operator, so the queue no longer lists them, counts them or offers to verify them
    all; GBRSS's are verified as before and GPSSS's stay as they were."""
    Program.objects.filter(slug="gpsss").update(active=False)
    html = page(verifier.get("/verifikasi/"))
    assert element_text(find(html, id="queue-total")) == "27 laporan"
    assert not any(item.startswith("GPSSS") for item in items(html))
    shown = verify_all_form(verifier, "")
    assert shown["jumlah"] == "27"
    verifier.post("/verifikasi/", shown)
    assert MonthlyReport.objects.filter(program__slug="gbrss", status=Status.VERIFIED).count() == 27
    assert set(
        MonthlyReport.objects.filter(program__slug="gpsss").values_list("status", flat=True)
    ) == {Status.SUBMITTED}


def test_ticked_reports_of_a_program_switched_off_meanwhile_are_not_verified(verifier, queue):
    """The queue loaded, then an admin switches GPSSS off: verifying the ticked reports,
    one of them GPSSS's, is refused naming that report and why; nothing is verified."""
    html = page(verifier.get("/verifikasi/", {"program": "gpsss"}))
    gpsss = MonthlyReport.objects.filter(program__slug="gpsss").order_by("pk")
    gbrss = MonthlyReport.objects.filter(program__slug="gbrss").order_by("pk").first()
    _address, fields = verify_form_post(html, [gpsss[0]])
    fields["laporan"] = [key(gbrss), key(gpsss[0])]
    Program.objects.filter(slug="gpsss").update(active=False)
    before = queue_state()
    verifier.post("/verifikasi/", fields)
    assert queue_state() == before
    assert flash_messages(verifier.get("/verifikasi/")) == [switched_off_refusal(gpsss[0])]


def test_verifying_all_when_a_program_was_switched_off_meanwhile_names_its_report(verifier, queue):
    """ "Verifikasi semua" on a queue shown with GPSSS's reports, GPSSS switched off since:
    refused naming one of them and why (not "the queue changed"); nothing is verified.
    Reloaded, the queue verifies the rest."""
    shown = verify_all_form(verifier, "")
    assert shown["jumlah"] == "31"
    Program.objects.filter(slug="gpsss").update(active=False)
    before = queue_state()
    verifier.post("/verifikasi/", shown)
    assert queue_state() == before
    first = MonthlyReport.objects.filter(program__slug="gpsss").order_by("pk").first()
    assert flash_messages(verifier.get("/verifikasi/")) == [switched_off_refusal(first)]
    verifier.post("/verifikasi/", verify_all_form(verifier, ""))
    assert MonthlyReport.objects.filter(status=Status.VERIFIED).count() == 27


def test_no_verifier_action_changes_a_report_of_a_switched_off_program(verifier, queue):
    """Every verifier's door ends in the services: each refuses, naming the report, and
    changes nothing (the report's own page answers 404 before)."""
    report = MonthlyReport.objects.filter(program__slug="gpsss").order_by("pk").first()
    user = User.objects.get(username="verifikator-uji")
    Program.objects.filter(slug="gpsss").update(active=False)
    before = queue_state()
    for act in (
        lambda: services.report_verify(user=user, report=report, version=report.version),
        lambda: services.report_return(
            user=user, report=report, reason="Periksa.", version=report.version
        ),
    ):
        with pytest.raises(services.ServiceError) as refused:
            act()
        assert refused.value.message == switched_off_refusal(report)
    assert queue_state() == before
    # The report's page answers 404 now: a decision sent from it, or from a return box of
    # the queue loaded before, comes back on the queue (its filters kept), saying why.
    url = report.get_absolute_url() + "status/"
    for fields in (
        {"aksi": "verifikasi", "versi": "1"},
        {"aksi": "kembalikan", "alasan": "Periksa.", "versi": "1", "kembali": "antrean"},
    ):
        response = verifier.post(url + "?program=gpsss", fields)
        assert response["Location"] == "/verifikasi/?program=gpsss"
        assert flash_messages(verifier.get(response["Location"])) == [switched_off_refusal(report)]
    assert queue_state() == before
    assert verifier.get(report.get_absolute_url()).status_code == 404
    # Nobody else is told more than before: the address names no report of theirs.
    operator = make_user("op-oku", UserScope.Role.OPERATOR, "16.01")
    other = Client()
    other.force_login(operator)
    assert other.post(url, {"aksi": "verifikasi", "versi": "1"}).status_code == 404


@pytest.mark.parametrize("digits", [("٤", "١"), ("４", "１")])
def test_numbers_in_other_digits_verify_nothing(verifier, queue, digits):
    """The queue's hidden numbers (the count of "verify all", a tick's version, a return
    box's version) written in Arabic-Indic or full-width digits: int() read them as the
    numbers they look like, and the reports were verified or returned. They are now no
    numbers, so nothing changes and the page says so as for any stale form."""
    four, one = digits
    before = queue_state()
    shown = verify_all_form(verifier, "?program=gpsss")
    verifier.post("/verifikasi/?program=gpsss", {**shown, "jumlah": four})
    assert queue_state() == before
    assert flash_messages(verifier.get("/verifikasi/")) == [QUEUE_CHANGED]

    report = MonthlyReport.objects.filter(program__slug="gpsss").order_by("pk").first()
    verifier.post("/verifikasi/", {"laporan": [f"{report.pk}:{one}"]})
    assert queue_state() == before
    assert flash_messages(verifier.get("/verifikasi/")) == ["Pilih paling sedikit satu laporan."]

    verifier.post(report.get_absolute_url() + "status/", {"aksi": "verifikasi", "versi": one})
    assert queue_state() == before
    assert flash_messages(verifier.get("/verifikasi/")) == [
        "Status laporan sudah berubah; muat ulang halaman."
    ]


def test_a_page_or_month_in_other_digits_is_read_as_none(verifier, queue):
    """`halaman=٢` and `bulan=٢٠٢٦-٠٨` are no page or month (the year on the dashboards
    is read by the same rule): the first page of the whole queue, as for any bad value."""
    html = page(verifier.get("/verifikasi/", {"halaman": "٢"}))
    assert "Halaman 1 dari 2" in pager(html)[0]
    html = page(verifier.get("/verifikasi/", {"bulan": "٢٠٢٦-٠٨"}))
    assert element_text(find(html, id="queue-total")) == "31 laporan"
