"""The reporting workflow: permissions for every role, the state machine, deadlines and
locks, optimistic locking, audit history and notifications (login: tests/accounts)."""

import datetime as dt
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone, translation

from programs.dashboards import selectors as dashboard_selectors
from programs.formats import month_year_label
from programs.models import (
    FundingSource,
    Indicator,
    LockException,
    MonthlyReport,
    Notification,
    Program,
    Realization,
    Target,
)
from programs.reporting import services
from programs.reporting.rules import parse_number, refusal
from regencies.models import Regency, UserScope
from tests.factories import IndicatorFactory, MonthlyReportFactory, RealizationFactory
from tests.helpers import (
    attribute,
    cells,
    element_text,
    error_messages,
    find,
    find_all,
    flash_messages,
    login,
    make_user,
    page,
    previous_month,
    row_messages,
)
from tests.reporting_helpers import report, rows, url

D = Decimal
Status = MonthlyReport.Status
PASSWORD = "rahasia-uji-123"

# Deadlines and locks depend on the day: every test here runs on the frozen clock.
pytestmark = pytest.mark.usefixtures("frozen_clock")


def snapshot():
    return (
        list(MonthlyReport.objects.values_list("pk", "status", "version").order_by("pk")),
        list(Realization.objects.values_list("pk", "value").order_by("pk")),
    )


# --- The permission matrix --------------------------------------------------------------

ROLES = [
    None,
    "operator",
    "operator_other_regency",
    "operator_other_program",
    "verifier",
    "verifier_other_program",
    "pimpinan",
    "admin",
]
CAN_VIEW = {"operator", "verifier", "pimpinan", "admin"}
CAN_EDIT = {"operator"}
CAN_DECIDE = {"verifier", "admin"}


def checks(response) -> list[str]:
    """Every check message of the entry form or its inline check, as texts."""
    return [element_text(p) for p in find_all(page(response), "p", class_="msg")]


def queued(response) -> list[int]:
    """The reports listed in the verification queue, by id."""
    return [int(attribute(a, "data-report")) for a in find_all(page(response), class_="queue-item")]


def denied(response):
    """Refused: 403 or 404, or for an anonymous user the login page (401 to htmx)."""
    return response.status_code in (302, 401, 403, 404) and (
        response.status_code != 302 or "/akun/masuk/" in response["Location"]
    )


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize("role", ROLES, ids=str)
def test_view_report_page_by_role(people, role, htmx):
    report(Status.SUBMITTED)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = login(people.get(role)).get(url(), **headers)
    if role in CAN_VIEW:
        assert response.status_code == 200
    else:
        assert denied(response), response.status_code


@pytest.mark.parametrize("htmx", [False, True], ids=["post", "htmx-post"])
@pytest.mark.parametrize("aksi", ["simpan", "ajukan"])
@pytest.mark.parametrize("role", ROLES, ids=str)
def test_edit_and_submit_by_role_changes_nothing_unless_allowed(people, role, aksi, htmx):
    report(Status.DRAFT)
    before = snapshot()
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = login(people.get(role)).post(
        url(), {"versi": "1", "aksi": aksi, **rows(note="cek")}, **headers
    )
    if role in CAN_EDIT:
        assert response.status_code == 302
        rep = MonthlyReport.objects.get()
        assert rep.status == (Status.SUBMITTED if aksi == "ajukan" else Status.DRAFT)
        assert rep.realizations.get().value == D(12)
    else:
        assert denied(response), response.status_code
        assert snapshot() == before


@pytest.mark.parametrize("role", ROLES, ids=str)
def test_inline_check_and_new_row_by_role(people, role):
    report(Status.DRAFT)
    client = login(people.get(role))
    check = client.post(url(suffix="periksa/"), rows(value="-1"), HTTP_HX_REQUEST="true")
    new_row = client.get(url(suffix="baris/") + "?indikator=rumah-dibedah", HTTP_HX_REQUEST="true")
    if role in CAN_EDIT:
        assert check.status_code == 200
        assert checks(check) == ["✗ Nilai tidak boleh negatif."]
        assert new_row.status_code == 200
        assert find(page(new_row), "input", name="r-rumah-dibedah-1-value")
    else:
        assert denied(check) and denied(new_row)


@pytest.mark.parametrize("htmx", [False, True], ids=["post", "htmx-post"])
@pytest.mark.parametrize(
    "aksi,start,end",
    [
        ("verifikasi", Status.SUBMITTED, Status.VERIFIED),
        ("kembalikan", Status.SUBMITTED, Status.RETURNED),
        ("buka", Status.VERIFIED, Status.RETURNED),
    ],
)
@pytest.mark.parametrize("role", ROLES, ids=str)
def test_verifier_decisions_by_role(people, role, aksi, start, end, htmx):
    rep = report(start)
    before = snapshot()
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = login(people.get(role)).post(
        url(suffix="status/"),
        {"aksi": aksi, "alasan": "Angka tidak cocok", "versi": "1"},
        **headers,
    )
    rep.refresh_from_db()
    if role in CAN_DECIDE:
        assert response.status_code == 302
        assert rep.status == end
    else:
        assert denied(response), response.status_code
        assert snapshot() == before


@pytest.mark.parametrize("role", ROLES, ids=str)
def test_verification_queue_by_role(people, role):
    rep = report(Status.SUBMITTED)
    other = report(Status.SUBMITTED, regency="16.01")
    other.program = Program.objects.get(slug="gpsss")
    other.save()
    client = login(people.get(role))
    response = client.get("/verifikasi/")
    post = client.post("/verifikasi/", {"laporan": [f"{rep.pk}:1"]})
    rep.refresh_from_db()
    if role in CAN_DECIDE:
        assert response.status_code == 200
        # Only admin sees OKU's GPSSS report.
        expected = [rep.pk, other.pk] if role == "admin" else [rep.pk]
        assert sorted(queued(response)) == sorted(expected)
        assert post.status_code == 302 and rep.status == Status.VERIFIED
    elif role == "verifier_other_program":
        assert response.status_code == 200 and queued(response) == [other.pk]
        assert post.status_code == 403 and rep.status == Status.SUBMITTED
    else:
        assert denied(response) and denied(post)
        assert rep.status == Status.SUBMITTED


def test_verifier_cannot_verify_another_programs_report_from_the_queue(people):
    rep = report(Status.SUBMITTED)
    response = login(people["verifier_other_program"]).post(
        "/verifikasi/", {"laporan": [f"{rep.pk}:1"]}
    )
    rep.refresh_from_db()
    assert response.status_code == 403 and rep.status == Status.SUBMITTED


def test_csrf_is_required_on_htmx_posts(people):
    report(Status.DRAFT)
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["operator"])
    form = client.get(url())
    token = form.cookies["csrftoken"].value
    refused = client.post(url(suffix="periksa/"), rows(), HTTP_HX_REQUEST="true")
    assert refused.status_code == 403
    accepted = client.post(
        url(suffix="periksa/"), rows(), HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=token
    )
    assert accepted.status_code == 200
    # The page's script reads the token from the cookie (pages carry none in headers).
    scripts = [attribute(s, "src") or "" for s in find_all(page(form), "script")]
    assert any(src.endswith("js/csrf.js") for src in scripts)


# --- The state machine ------------------------------------------------------------------


@pytest.mark.parametrize(
    "aksi,start",
    [
        ("verifikasi", Status.DRAFT),
        ("verifikasi", Status.RETURNED),
        ("verifikasi", Status.VERIFIED),
        ("kembalikan", Status.DRAFT),
        ("kembalikan", Status.VERIFIED),
        ("buka", Status.SUBMITTED),
        ("buka", Status.DRAFT),
    ],
)
def test_no_illegal_transition_through_a_crafted_post(people, aksi, start):
    report(start)
    before = snapshot()
    response = login(people["verifier"]).post(
        url(suffix="status/"), {"aksi": aksi, "alasan": "x", "versi": "1"}, follow=True
    )
    assert snapshot() == before
    assert flash_messages(response) == ["Status laporan sudah berubah; muat ulang halaman."]


# A zero-width space or a direction mark pasted alone was taken as a reason, and the
# operator read an empty one.
@pytest.mark.parametrize(
    "blank", ["  ", "\u200b", " \u200b\ufeff\u200e "], ids=["spaces", "zwsp", "marks"]
)
def test_return_and_reopen_need_a_reason(people, blank):
    rep = report(Status.SUBMITTED)
    client = login(people["verifier"])
    response = client.post(
        url(suffix="status/"), {"aksi": "kembalikan", "alasan": blank, "versi": "1"}
    )
    rep.refresh_from_db()
    assert rep.status == Status.SUBMITTED
    # The page comes back with the message beside the reason box (see
    # test_not_required_months.test_a_refused_reason_comes_back_in_its_box_with_the_error).
    assert response.status_code == 422
    assert error_messages(page(response)) == ["Alasan wajib diisi."]


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.VERIFIED])
def test_reason_boxes_stop_at_the_length_the_server_accepts(people, settings, status):
    """A reason longer than the server takes would be refused after a redirect that
    empties the box: every text box of the verifier's page stops typing at that length."""
    report(status)
    html = page(login(people["verifier"]).get(url()))
    boxes = find_all(html, "textarea")
    assert any(attribute(box, "name") == "alasan" for box in boxes)
    assert {attribute(box, "maxlength") for box in boxes} == {str(settings.COMMENT_MAX_LENGTH)}


UNKNOWN_ACTION = (
    "Tindakan “{}” tidak dikenal di halaman ini, jadi tidak ada yang diubah. "
    "Muat ulang halaman, lalu pilih salah satu tombolnya."
)


@pytest.mark.parametrize(
    ("who", "start", "address", "data"),
    [
        # The entry form saved a draft (a new version) whatever `aksi` said.
        ("operator", Status.RETURNED, "entry", {"versi": "1", **rows()}),
        ("operator", Status.DRAFT, "entry", {"versi": "1", **rows()}),
        # A verifier's decision: the 400 page said "unknown action", in English.
        ("verifier", Status.SUBMITTED, "status", {"versi": "1", "alasan": "x"}),
        ("verifier", Status.RETURNED, "status", {"versi": "1", "alasan": "x"}),
        # The queue read any other action as "verify the ticked ones": a returned report
        # answered "Status laporan sudah berubah", a submitted one was verified.
        ("verifier", Status.RETURNED, "queue", {"laporan": ["{pk}:1"]}),
        ("verifier", Status.SUBMITTED, "queue", {"laporan": ["{pk}:1"]}),
    ],
    ids=[
        "entry-returned",
        "entry-draft",
        "status-submitted",
        "status-returned",
        "queue-returned",
        "queue-submitted",
    ],
)
@pytest.mark.parametrize("aksi", ["foo", "", "hapus-semua"])
def test_an_unknown_action_is_a_400_that_says_so_and_changes_nothing(
    people, who, start, address, data, aksi
):
    rep = report(start)
    data = {
        key: [v.format(pk=rep.pk) for v in value] if isinstance(value, list) else value
        for key, value in data.items()
    }
    before = snapshot()
    path = {"entry": url(), "status": url(suffix="status/"), "queue": "/verifikasi/"}[address]

    response = login(people[who]).post(path, {**data, "aksi": aksi})

    assert response.status_code == 400
    assert "text/html" in response["Content-Type"]
    html = page(response)
    assert element_text(find(html, "h1")) == "Permintaan tidak dapat diproses"
    assert UNKNOWN_ACTION.format(aksi) in element_text(html)
    assert snapshot() == before
    assert MonthlyReport.objects.get().history.count() == 1


def test_an_entry_form_sent_without_its_button_still_saves_a_draft(people):
    """Enter in a box of an older browser sends no `aksi`: a draft, as before."""
    report(Status.DRAFT)
    response = login(people["operator"]).post(url(), {"versi": "1", **rows("15")})
    assert response.status_code == 302
    rep = MonthlyReport.objects.get()
    assert (rep.status, rep.version, rep.realizations.get().value) == (Status.DRAFT, 2, D(15))


def test_operator_cannot_edit_submitted_or_verified_reports(people):
    for status in (Status.SUBMITTED, Status.VERIFIED):
        MonthlyReport.objects.all().delete()
        report(status)
        before = snapshot()
        response = login(people["operator"]).post(url(), {"versi": "1", "aksi": "simpan", **rows()})
        # Refused with why, and what was typed shown back (not a bare 403 that loses it).
        assert response.status_code == 422 and snapshot() == before
        assert (
            "Laporan yang sudah diajukan atau terverifikasi tidak dapat diubah operator."
            in element_text(page(response))
        )


def test_stale_version_of_a_verifier_decision_changes_nothing(people):
    rep = report(Status.SUBMITTED)
    login(people["verifier"]).post(url(suffix="status/"), {"aksi": "verifikasi", "versi": "0"})
    rep.refresh_from_db()
    assert rep.status == Status.SUBMITTED


# --- Validation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,value",
    [
        ("8.391", D(8391)),
        ("14,33", D("14.33")),
        ("1.234.567,5", D("1234567.5")),
        ("2.5", D("2.5")),
        (" 12 ", D(12)),
        ("8\u202f600", D(8600)),  # a narrow no-break space, as the live total reads it
        ("1\ufeff234", D(1234)),  # a zero-width no-break space from a pasted text
        ("", None),
    ],
)
def test_indonesian_numbers_are_parsed(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize(
    "text",
    [
        *["abc", "1,2,3", "NaN", "Infinity", "1e99", "+", "+-3", "--3"],
        # Python's Decimal reads these; a person entering a realization does not mean them.
        *["1e5", "2E3", "1_000", "0x10", "\u0668\u0666\u0660\u0660", "\uff18\uff16\uff10\uff10"],
        # Thousands dots out of place beside a decimal comma: 123,4 or 1.234?
        *["1.23,4", "1.5,5", "12.34,5", "1,5.5"],
    ],
)
def test_garbage_numbers_are_refused(text):
    with pytest.raises(ValueError) as refused:
        parse_number(text)
    assert refusal(refused.value).startswith("Bukan angka")


@pytest.mark.parametrize(
    "text,value",
    [
        ("+2.750", D(2750)),
        ("+8.600", D(8600)),
        ("-8.600", D(-8600)),
        ("-1.234.567,5", D("-1234567.5")),
        ("+2,5", D("2.5")),
        ("-2.5", D("-2.5")),
        ("+ 12", D(12)),
        ("-0,09", D("-0.09")),
        # The minus sign (U+2212) Excel and Word write, as "-"
        ("\u22120,09", D("-0.09")),
        ("\u2212 8.600", D(-8600)),
    ],
)
def test_a_sign_never_changes_how_the_digits_are_read(text, value):
    """'+2.750' used to be 2,75 while '2.750' is 2750."""
    assert parse_number(text) == value
    assert parse_number(text.lstrip("+-\u2212").strip()) == abs(value)


@pytest.mark.parametrize("text", ["\u2212", "\u2212-3", "-\u22123", "3\u2212", "1\u22122"])
def test_a_minus_sign_is_a_sign_only_in_front(text):
    with pytest.raises(ValueError) as refused:
        parse_number(text)
    assert refusal(refused.value).startswith("Bukan angka")


def test_an_english_minus_sign_is_read_too():
    assert parse_number("\u22120.09", "en") == D("-0.09")


@pytest.mark.parametrize(
    "text,language,message",
    [
        ("0.600", "id", "Format angka tidak jelas: tulis 0,6 (desimal dengan koma) atau 600."),
        ("0.050", "id", "Format angka tidak jelas: tulis 0,05 (desimal dengan koma) atau 50."),
        (
            "0.600.000",
            "id",
            "Format angka tidak jelas: tulis 0,6 (desimal dengan koma) atau 600.000.",
        ),
        ("+0.600", "id", "Format angka tidak jelas: tulis 0,6 (desimal dengan koma) atau 600."),
        ("-0.600", "id", "Format angka tidak jelas: tulis -0,6 (desimal dengan koma) atau -600."),
        ("0,600", "en", "Format angka tidak jelas: tulis 0.6 (desimal dengan koma) atau 600."),
    ],
)
def test_a_zero_before_a_thousands_group_is_ambiguous(text, language, message):
    """'0.600' used to be read as 600: it is 0,6 or 600, and the typist is asked which."""
    with pytest.raises(ValueError) as refused:
        parse_number(text, language)
    assert refusal(refused.value) == message  # in the active language (Indonesian here)


@pytest.mark.parametrize(
    "text,value", [("0,6", D("0.6")), ("0.6", D("0.6")), ("0.000", D(0)), ("600", D(600))]
)
def test_what_is_not_ambiguous_stays_read_as_before(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize(
    "text,language,message",
    [
        ("12,000", "id", "Format angka tidak jelas: tulis 12.000 bila maksudnya ribuan, atau 12."),
        ("2,500", "id", "Format angka tidak jelas: tulis 2.500 bila maksudnya ribuan, atau 2,5."),
        ("+1,250", "id", "Format angka tidak jelas: tulis 1.250 bila maksudnya ribuan, atau 1,25."),
        (
            "-8,600",
            "id",
            "Format angka tidak jelas: tulis -8.600 bila maksudnya ribuan, atau -8,6.",
        ),
        ("12.000", "en", "Format angka tidak jelas: tulis 12,000 bila maksudnya ribuan, atau 12."),
    ],
)
def test_a_comma_before_three_digits_ending_in_zero_is_ambiguous(text, language, message):
    """'12,000' (twelve thousand written the English way) used to be read as 12 houses,
    and saved without a word; now the typist is asked which was meant."""
    with pytest.raises(ValueError) as refused:
        parse_number(text, language)
    assert refusal(refused.value) == message


@pytest.mark.parametrize(
    "text,value",
    [
        ("12,5", D("12.5")),
        ("1,25", D("1.25")),
        ("1,234", D("1.234")),  # no trailing zero: of a count, refused as a fraction
        ("0,500", D("0.5")),  # nobody writes five hundred as 0,500
        ("1.234,500", D("1234.5")),  # the thousands dot says the comma is a decimal one
        ("1234,000", D(1234)),  # nor groups of three after four digits
    ],
)
def test_decimal_commas_that_are_not_ambiguous_stay_read(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize(
    "typed,message,saved",
    [
        ("+8.600", None, D(8600)),
        ("-8.600", "✗ Nilai tidak boleh negatif.", None),
        ("\u22128.600", "✗ Nilai tidak boleh negatif.", None),  # Excel's minus sign
        ("0.600", "✗ Format angka tidak jelas: tulis 0,6 (desimal dengan koma) atau 600.", None),
    ],
)
def test_signed_and_ambiguous_numbers_in_the_entry_form(people, typed, message, saved):
    """A count typed with a sign is read like the same digits without it (no misleading
    'bilangan bulat'); '0.600' is refused with what to write instead."""
    client = login(people["operator"])
    check = client.post(url(suffix="periksa/"), rows(value=typed), HTTP_HX_REQUEST="true")
    assert checks(check) == ([message] if message else [])
    response = client.post(url(), {"versi": "0", "aksi": "simpan", **rows(value=typed)})
    if saved is None:
        assert response.status_code == 422 and message in checks(response)
        assert not Realization.objects.exists()
    else:
        assert response.status_code == 302
        assert Realization.objects.get().value == saved


@pytest.mark.parametrize(
    "typed,digits",
    [("Rp 8.600,-", "8.600"), ("Rp. 1.234,5", "1.234,5"), ("8.600,-", "8.600"), ("IDR 12", "12")],
)
def test_a_number_written_as_money_is_told_to_drop_the_rp(people, typed, digits):
    """'Rp 8.600,-', as a budget figure is written, got the bare "Bukan angka yang sah"
    and the operator could not see what was wrong with 8.600. The live check, the save
    and the import now say to write the digits alone, naming them; nothing is stored
    (no indicator counts rupiah: a budget figure pasted into a count of houses must not
    become houses)."""
    message = f"✗ Tulis angkanya saja, tanpa “Rp” atau “,-”: {digits}."
    client = login(people["operator"])
    check = client.post(url(suffix="periksa/"), rows(value=typed), HTTP_HX_REQUEST="true")
    assert checks(check) == [message]
    response = client.post(url(), {"versi": "0", "aksi": "simpan", **rows(value=typed)})
    assert response.status_code == 422 and message in checks(response)
    assert not Realization.objects.exists()
    with pytest.raises(ValueError) as refused:
        parse_number(typed)
    assert refusal(refused.value) == message[2:]


@pytest.mark.parametrize("typed", ["-0,09", "\u22120,09", "\u2212 0,09"])
def test_a_deflation_is_entered_where_the_indicator_allows_it(reference_data, typed):
    """BPS recorded a year-on-year deflation of -0,09 % (February 2025): Palembang's
    operator enters it, with a "-" or the minus sign Excel and Word write; it is submitted
    and shown back as -0,09."""
    client = login(make_user("op-palembang", UserScope.Role.OPERATOR, "16.71"))
    data = rows(value=typed, source="tidak-dirinci", code="inflasi-yoy")
    check = client.post(url("16.71", "gpiss", suffix="periksa/"), data, HTTP_HX_REQUEST="true")
    assert checks(check) == []
    saved = client.post(url("16.71", "gpiss"), {"versi": "0", "aksi": "simpan", **data})
    assert saved.status_code == 302
    assert Realization.objects.get().value == D("-0.09")
    shown = client.get(url("16.71", "gpiss"))
    assert attribute(find(page(shown), "input", name="r-inflasi-yoy-0-value"), "value") == "-0,09"
    submitted = client.post(url("16.71", "gpiss"), {"versi": "1", "aksi": "ajukan", **data})
    assert submitted.status_code == 302
    assert MonthlyReport.objects.get().status == Status.SUBMITTED


def test_a_level_that_does_not_allow_it_stays_non_negative(reference_data):
    program = Program.objects.get(slug="gpiss")
    price = IndicatorFactory(
        program=program, code="harga-beras", measure=Indicator.Measure.LEVEL, decimals=2
    )
    client = login(make_user("op-palembang", UserScope.Role.OPERATOR, "16.71"))
    data = rows(value="-0,09", source="tidak-dirinci", code=price.code)
    response = client.post(url("16.71", "gpiss"), {"versi": "0", "aksi": "simpan", **data})
    assert response.status_code == 422
    assert checks(response) == ["✗ Nilai tidak boleh negatif."]
    assert not Realization.objects.exists()


@pytest.mark.parametrize(
    "earlier,typed,expected",
    [
        ("0.76", "-0,09", []),  # inflation turning into deflation: nothing to question
        ("3.06", "-0,09", []),
        ("-0.09", "0,76", []),
        ("-0.09", "-0,31", []),
        (
            "-2.1",
            "-2.500",
            [
                "! Jauh berbeda dari bulan lalu (-2,10). Pemisah desimal ditulis dengan koma:"
                " -2,5 bukan -2.500. Periksa, dan beri catatan bila angkanya benar."
                " (perlu catatan sebelum diajukan)"
            ],
        ),
        (
            "3.06",
            "-306",
            [
                "! Jauh berbeda dari bulan lalu (3,06). Pemisah desimal ditulis dengan koma:"
                " -3,06 bukan -306. Periksa, dan beri catatan bila angkanya benar."
                " (perlu catatan sebelum diajukan)"
            ],
        ),
    ],
)
def test_a_negative_level_is_questioned_by_its_size(reference_data, earlier, typed, expected):
    """A separator slip changes a number's size, never its sign: a deflation after an
    inflation is no slip, a size ten times last month's is questioned as before."""
    earlier_months("gpiss", "inflasi-yoy", "16.71", [earlier])
    client = login(make_user("op-palembang", UserScope.Role.OPERATOR, "16.71"))
    data = rows(value=typed, source="tidak-dirinci", code="inflasi-yoy")
    check = client.post(url("16.71", "gpiss", suffix="periksa/"), data, HTTP_HX_REQUEST="true")
    assert not [text for text in checks(check) if text.startswith("✗")]  # never refused
    assert row_messages(check, "inflasi-yoy") == expected


def test_a_slip_is_never_explained_by_a_figure_the_indicator_cannot_hold(reference_data):
    """Inflation 1.000,5 after 3,06 was said to be '1,0005 bukan 1.000,5', a figure with
    4 decimals that the form then refuses for an inflation rate (2 decimals): no such
    likely meaning is offered, the warning stays."""
    earlier_months("gpiss", "inflasi-yoy", "16.71", ["3.06"])
    client = login(make_user("op-palembang", UserScope.Role.OPERATOR, "16.71"))
    data = rows(value="1.000,5", source="tidak-dirinci", code="inflasi-yoy")
    check = client.post(url("16.71", "gpiss", suffix="periksa/"), data, HTTP_HX_REQUEST="true")
    assert row_messages(check, "inflasi-yoy") == [
        "! Jauh berbeda dari bulan lalu (3,06). Periksa, dan beri catatan bila angkanya"
        " benar. (perlu catatan sebelum diajukan)"
    ]


@pytest.mark.parametrize(
    "data,message",
    [
        (rows(value="-3"), "Nilai tidak boleh negatif"),
        (rows(value="2,5"), "Harus bilangan bulat"),
        (rows(value="dua"), "Bukan angka yang sah"),
        (rows(value="100.000.000.000"), "Angka terlalu besar: paling besar 99.999.999.999"),
        (rows(source="tidak-ada"), "Sumber dana tidak dikenal"),
        (
            {**rows(), "r-rumah-dibedah-1-source": "apbn", "r-rumah-dibedah-1-value": "3"},
            "Sumber dana ini sudah diisi",
        ),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_saved(people, data, message):
    response = login(people["operator"]).post(url(), {"versi": "0", "aksi": "simpan", **data})
    assert response.status_code == 422
    assert any(message in check for check in checks(response)), checks(response)
    assert not MonthlyReport.objects.exists() and not Realization.objects.exists()


def test_ratio_numerator_above_denominator_is_refused(people):
    operator = make_user("op-stunting", UserScope.Role.OPERATOR, "16.07")
    data = {
        "r-prevalensi-stunting-0-source": "tidak-dirinci",
        "r-prevalensi-stunting-0-num": "30",
        "r-prevalensi-stunting-0-den": "20",
    }
    response = login(operator).post(url(slug="gpstss"), {"versi": "0", "aksi": "simpan", **data})
    assert response.status_code == 422
    assert "✗ Pembilang tidak boleh lebih besar dari penyebut." in checks(response)


def test_unusual_value_is_a_warning_that_needs_a_note_to_submit(people):
    year, month = previous_month()
    Target.objects.create(
        indicator=Indicator.objects.get(code="rumah-dibedah"),
        regency_id="16.07",
        year=year,
        value=D(20),
    )
    client = login(people["operator"])
    draft = client.post(url(), {"versi": "0", "aksi": "simpan", **rows(value="50")})
    assert draft.status_code == 302  # a warning does not block a draft
    refused = client.post(url(), {"versi": "1", "aksi": "ajukan", **rows(value="50")})
    assert refused.status_code == 422
    assert row_messages(refused, "rumah-dibedah") == [
        "! Melebihi sisa target (20): periksa, dan beri catatan bila benar."
        " (perlu catatan sebelum diajukan)"
    ]
    assert MonthlyReport.objects.get().status == Status.DRAFT
    accepted = client.post(
        url(),
        {"versi": "1", "aksi": "ajukan", **rows(value="50", note="Termasuk bantuan CSR tambahan")},
    )
    assert accepted.status_code == 302
    assert MonthlyReport.objects.get().status == Status.SUBMITTED


def test_running_total_lower_than_last_month_needs_a_note(people):
    year, month = previous_month()  # May 2025 on the frozen clock; April is earlier
    program = Program.objects.get(slug="gpstss")
    accompanied = Indicator.objects.get(code="balita-didampingi")
    earlier = MonthlyReportFactory(
        program=program, regency=Regency.objects.get(code="16.07"), year=year, month=month - 1
    )
    RealizationFactory(
        report=earlier,
        indicator=accompanied,
        funding_source=FundingSource.objects.get(code="tidak-dirinci"),
        value=D(40),
    )
    data = rows(value="35", source="tidak-dirinci", code="balita-didampingi")
    response = login(people["operator"]).post(
        url(slug="gpstss"), {"versi": "0", "aksi": "ajukan", **data}
    )
    assert response.status_code == 422
    assert any("Lebih rendah dari bulan lalu (40)" in c for c in checks(response))


def earlier_months(slug, code, regency, values, source="tidak-dirinci"):
    """Verified reports of `regency` for the months before last month, oldest first:
    `values` are a level's values, or (numerator, denominator) pairs of a ratio."""
    year, month = previous_month()
    indicator = Indicator.objects.get(program__slug=slug, code=code)
    for back, value in enumerate(reversed(values), start=1):
        earlier = MonthlyReportFactory(
            program=indicator.program,
            regency=Regency.objects.get(code=regency),
            year=year,
            month=month - back,
            status=Status.VERIFIED,
            verified_at=timezone.now(),
        )
        ratio = isinstance(value, tuple)
        RealizationFactory(
            report=earlier,
            indicator=indicator,
            funding_source=FundingSource.objects.get(code=source),
            value=None if ratio else D(value),
            numerator=D(value[0]) if ratio else None,
            denominator=D(value[1]) if ratio else None,
        )


INFLATION_SLIP = (
    "! Jauh berbeda dari bulan lalu (3,06). Pemisah desimal ditulis dengan koma: 2,5 bukan "
    "2.500. Periksa, dan beri catatan bila angkanya benar. (perlu catatan sebelum diajukan)"
)


def test_a_level_far_from_last_month_names_the_likely_slip(reference_data):
    """Palembang's inflation was 3,52 - 3,06 %; '2.500' (meant 2,5) is 2500: a warning
    that says what was probably meant. A warning, not a refusal: the draft is saved."""
    earlier_months("gpiss", "inflasi-yoy", "16.71", ["3.52", "3.31", "3.06"])
    client = login(make_user("op-palembang", UserScope.Role.OPERATOR, "16.71"))
    typed = rows(value="2.500", source="tidak-dirinci", code="inflasi-yoy")
    check = client.post(url("16.71", "gpiss", suffix="periksa/"), typed, HTTP_HX_REQUEST="true")
    assert row_messages(check, "inflasi-yoy") == [INFLATION_SLIP]
    assert (
        client.post(url("16.71", "gpiss"), {"versi": "0", "aksi": "simpan", **typed}).status_code
        == 302
    )
    refused = client.post(url("16.71", "gpiss"), {"versi": "1", "aksi": "ajukan", **typed})
    assert refused.status_code == 422
    assert row_messages(refused, "inflasi-yoy") == [INFLATION_SLIP]
    assert MonthlyReport.objects.get(regency="16.71", status__in=[Status.DRAFT]).version == 1
    # Typed as meant: nothing to question, and it goes.
    meant = rows(value="2,5", source="tidak-dirinci", code="inflasi-yoy")
    check = client.post(url("16.71", "gpiss", suffix="periksa/"), meant, HTTP_HX_REQUEST="true")
    assert checks(check) == []
    submitted = client.post(url("16.71", "gpiss"), {"versi": "1", "aksi": "ajukan", **meant})
    assert submitted.status_code == 302
    assert Realization.objects.get(report__status=Status.SUBMITTED).value == D("2.5")


def test_a_january_level_is_compared_with_the_december_before(reference_data):
    """In February 2027 Palembang enters January: its last month is December 2026 (3,06),
    so '2.500' gets the same warning as in any other month. A running total starts again
    with the year: January's is not compared with December's."""
    inflation = Indicator.objects.get(program__slug="gpiss", code="inflasi-yoy")
    december = MonthlyReportFactory(
        program=inflation.program,
        regency=Regency.objects.get(code="16.71"),
        year=2026,
        month=12,
        status=Status.VERIFIED,
    )
    running = IndicatorFactory(program=inflation.program, measure=Indicator.Measure.RUNNING_TOTAL)
    for indicator, value in ((inflation, D("3.06")), (running, D(40))):
        RealizationFactory(
            report=december,
            indicator=indicator,
            funding_source=FundingSource.objects.get(code="tidak-dirinci"),
            value=value,
        )
    with time_machine.travel(dt.datetime(2027, 2, 3, 9, tzinfo=dt.UTC), tick=False):
        client = login(make_user("op-palembang", UserScope.Role.OPERATOR, "16.71"))
        typed = rows(value="2.500", source="tidak-dirinci", code="inflasi-yoy")
        check = client.post(
            url("16.71", "gpiss", period=(2027, 1), suffix="periksa/"),
            typed,
            HTTP_HX_REQUEST="true",
        )
        assert row_messages(check, "inflasi-yoy") == [INFLATION_SLIP]
        context = services.entry_context(
            regency=Regency.objects.get(code="16.71"), program=inflation.program, year=2027, month=1
        )
    assert context.by_indicator[inflation.pk].last_value == D("3.06")
    assert context.by_indicator[running.pk].last_value is None


@pytest.mark.parametrize(
    "typed,expected",
    [
        ("3,21", []),
        ("30,6", []),  # ten times exactly is not more than ten times
        ("0,31", []),
        (
            "0,3",
            [
                "! Jauh berbeda dari bulan lalu (3,06). Periksa, dan beri catatan bila"
                " angkanya benar. (perlu catatan sebelum diajukan)"
            ],
        ),
        (
            "306",
            [
                "! Jauh berbeda dari bulan lalu (3,06). Pemisah desimal ditulis dengan koma:"
                " 3,06 bukan 306. Periksa, dan beri catatan bila angkanya benar."
                " (perlu catatan sebelum diajukan)"
            ],
        ),
    ],
)
def test_a_level_is_questioned_only_beyond_ten_times_either_way(reference_data, typed, expected):
    earlier_months("gpiss", "inflasi-yoy", "16.71", ["3.06"])
    client = login(make_user("op-palembang", UserScope.Role.OPERATOR, "16.71"))
    data = rows(value=typed, source="tidak-dirinci", code="inflasi-yoy")
    check = client.post(url("16.71", "gpiss", suffix="periksa/"), data, HTTP_HX_REQUEST="true")
    assert row_messages(check, "inflasi-yoy") == expected


def test_a_level_without_an_earlier_month_is_held_to_its_target(reference_data):
    """The year's first report: the target (2,5) and baseline (3,35) give the order of
    magnitude."""
    year, _month = previous_month()
    Target.objects.create(
        indicator=Indicator.objects.get(code="inflasi-yoy"),
        regency_id="16.71",
        year=year,
        value=D("2.5"),
        baseline=D("3.35"),
    )
    client = login(make_user("op-palembang", UserScope.Role.OPERATOR, "16.71"))

    def check(typed):
        data = rows(value=typed, source="tidak-dirinci", code="inflasi-yoy")
        answer = client.post(url("16.71", "gpiss", suffix="periksa/"), data, HTTP_HX_REQUEST="true")
        return row_messages(answer, "inflasi-yoy")

    assert check("2.500") == [
        "! Jauh di luar kisaran target dan nilai dasar (2,5–3,35). Pemisah desimal ditulis"
        " dengan koma: 2,5 bukan 2.500. Periksa, dan beri catatan bila angkanya benar."
        " (perlu catatan sebelum diajukan)"
    ]
    assert check("4,1") == [] and check("0,2") == []
    # A deflation is below the range, yet no slip; a slip's size is questioned as above.
    assert check("-0,09") == [] and check("-4,1") == []
    assert check("-2.500") == [
        "! Jauh di luar kisaran target dan nilai dasar (2,5–3,35). Pemisah desimal ditulis"
        " dengan koma: -2,5 bukan -2.500. Periksa, dan beri catatan bila angkanya benar."
        " (perlu catatan sebelum diajukan)"
    ]


def test_a_ratio_whose_percentage_jumps_tenfold_needs_a_note(people):
    """Stunting 14,7 % last month; a denominator typed with one zero too many makes it
    1,43 %: a warning (numerator <= denominator is refused already)."""
    earlier_months("gpstss", "prevalensi-stunting", "16.07", [(150, 1000), (147, 1000)])
    client = login(people["operator"])
    data = {
        "r-prevalensi-stunting-0-source": "tidak-dirinci",
        "r-prevalensi-stunting-0-num": "143",
        "r-prevalensi-stunting-0-den": "10.000",
    }
    warning = (
        "! Persentase 1,43 % jauh berbeda dari bulan lalu (14,70 %): periksa pembilang dan"
        " penyebut, dan beri catatan bila benar. (perlu catatan sebelum diajukan)"
    )
    check = client.post(url(slug="gpstss", suffix="periksa/"), data, HTTP_HX_REQUEST="true")
    assert row_messages(check, "prevalensi-stunting") == [warning]
    refused = client.post(url(slug="gpstss"), {"versi": "0", "aksi": "ajukan", **data})
    assert refused.status_code == 422 and row_messages(refused, "prevalensi-stunting") == [warning]
    fine = {**data, "r-prevalensi-stunting-0-den": "1.000"}
    check = client.post(url(slug="gpstss", suffix="periksa/"), fine, HTTP_HX_REQUEST="true")
    assert row_messages(check, "prevalensi-stunting") == []
    noted = {**data, "r-prevalensi-stunting-0-note": "Pengukuran serentak di semua posyandu"}
    assert (
        client.post(url(slug="gpstss"), {"versi": "0", "aksi": "ajukan", **noted}).status_code
        == 302
    )


def test_future_months_cannot_be_reported(people):
    today = timezone.localdate()
    year, month = (today.year + 1, 1)
    response = login(people["operator"]).post(
        url(period=(year, month)), {"versi": "0", "aksi": "simpan", **rows()}
    )
    assert response.status_code == 404 and not MonthlyReport.objects.exists()
    assert login(people["operator"]).get(url(period=(year, month))).status_code == 404


# --- Deadlines and locks ----------------------------------------------------------------


def test_locked_month_cannot_be_edited_without_an_exception(people):
    period = previous_month(3)  # its lock date (due + 30 days) has passed
    client = login(people["operator"])
    opened = client.get(url(period=period))
    assert opened.status_code == 200
    assert "Bulan ini sudah dikunci dan belum ada laporan." in [
        element_text(p) for p in find_all(page(opened), "p", class_="empty-note")
    ]
    # Sent after the lock (a form opened the evening before): refused with the reason,
    # and what was typed comes back to be copied, not a bare 403 that loses it.
    refused = client.post(url(period=period), {"versi": "0", "aksi": "simpan", **rows()})
    assert refused.status_code == 422 and not MonthlyReport.objects.exists()
    assert (
        "Bulan ini sudah dikunci. Minta admin membukanya dengan pengecualian kunci."
        in element_text(page(refused))
    )
    assert "Isian Anda di bawah belum tersimpan." in element_text(
        find(page(refused), id="kept-entry")
    )
    kept = find(page(refused), "tr", id="row-rumah-dibedah-0")
    assert cells(kept)[:2] == ["APBN", "12"]

    exception = LockException.objects.create(
        regency_id="16.07",
        program=Program.objects.get(slug="gbrss"),
        year=period[0],
        month=period[1],
        until=timezone.localdate() + dt.timedelta(days=2),
        reason="Data dari desa terlambat",
    )
    allowed = client.post(url(period=period), {"versi": "0", "aksi": "simpan", **rows()})
    assert allowed.status_code == 302 and MonthlyReport.objects.count() == 1

    exception.until = timezone.localdate() - dt.timedelta(days=1)
    exception.save()
    expired = client.post(url(period=period), {"versi": "1", "aksi": "simpan", **rows(value="13")})
    assert expired.status_code == 422
    assert Realization.objects.get().value == D(12)


def test_on_time_is_judged_by_first_submission_against_the_due_day(settings):
    from programs.reporting import deadlines

    settings.REPORT_DUE_DAY = 10
    on_time = dt.datetime(2024, 4, 10, 16, 59, tzinfo=dt.UTC)  # 23:59 in Jakarta
    late = dt.datetime(2024, 4, 10, 17, 1, tzinfo=dt.UTC)  # 00:01 on the 11th
    assert deadlines.submitted_on_time(2024, 3, on_time) is True
    assert deadlines.submitted_on_time(2024, 3, late) is False
    last_moment = dt.datetime(2024, 4, 10, 16, 59, 59, 999999, tzinfo=dt.UTC)
    midnight = dt.datetime(2024, 4, 10, 17, 0, tzinfo=dt.UTC)  # 00:00 on the 11th
    assert deadlines.submitted_on_time(2024, 3, last_moment) is True
    assert deadlines.submitted_on_time(2024, 3, midnight) is False
    assert deadlines.due_date(2024, 12) == dt.date(2025, 1, 10)


@pytest.mark.parametrize("zone", ["Asia/Jakarta", "Asia/Jayapura"])
def test_grids_judge_on_time_in_sql_exactly_as_the_rule_does(reference_data, settings, zone):
    """The completeness grid reads "on time" from the database (`on_time_expression`);
    around every due day of the year, December's in the next January included, it
    answers what `submitted_on_time` answers, in the configured time zone."""
    from programs.reporting import deadlines

    settings.REPORT_DUE_DAY = 10
    settings.TIME_ZONE = zone
    program = Program.objects.get(slug="gbrss")
    regency = Regency.objects.get(code="16.07")
    local = ZoneInfo(zone)
    moments = {}
    for month in range(1, 13):
        due = deadlines.due_date(2024, month)
        end = dt.datetime.combine(due + dt.timedelta(days=1), dt.time(), tzinfo=local)
        moments[month] = end - dt.timedelta(microseconds=1) if month % 2 else end
    moments[6] = None  # never submitted
    for month, moment in moments.items():
        MonthlyReport.objects.create(
            program=program,
            regency=regency,
            year=2024,
            month=month,
            status=MonthlyReport.Status.SUBMITTED if moment else MonthlyReport.Status.DRAFT,
            first_submitted_at=moment,
        )
    with timezone.override(local):
        in_sql = dict(
            MonthlyReport.objects.annotate(on_time=deadlines.on_time_expression(2024)).values_list(
                "month", "on_time"
            )
        )
        by_rule = {m: deadlines.submitted_on_time(2024, m, moments[m]) for m in moments}
        # The grid itself, which reads the same column through a plain cursor (SQLite
        # answers 0 and 1 there).
        grid = dashboard_selectors.completeness_grid(
            program=program, year=2024, month=12, today=dt.date(2025, 2, 1)
        )
    row = next(r for r in grid.rows if r.regency.code == "16.07")
    shown = {cell.month: cell.state for cell in row.cells if cell.month != 6}
    assert shown == {m: "on_time" if by_rule[m] else "late" for m in shown}
    assert in_sql == by_rule
    assert by_rule[1] is True and by_rule[2] is False and by_rule[6] is None
    assert by_rule[11] is True and by_rule[12] is False  # due 10 January 2025
    # A day more to report (the due day changed): what came at midnight is on time too.
    # The grid's query is compiled per year, zone and due day, never reused across them.
    settings.REPORT_DUE_DAY = 11
    with timezone.override(local):
        later = dashboard_selectors.completeness_grid(
            program=program, year=2024, month=12, today=dt.date(2025, 2, 1)
        )
    row = next(r for r in later.rows if r.regency.code == "16.07")
    assert {cell.month: cell.state for cell in row.cells if cell.month != 6} == {
        m: "on_time" for m in shown
    }


# --- Optimistic locking and history -----------------------------------------------------


def test_second_editor_gets_a_conflict_and_nothing_is_overwritten(people):
    first = login(people["operator"])
    second_user = make_user("op-banyuasin-2", UserScope.Role.OPERATOR, "16.07")
    second = login(second_user)
    first.post(url(), {"versi": "0", "aksi": "simpan", **rows(value="10")})
    # both open version 1
    snapshot_field = '{"rumah-dibedah/apbn": "10"}'
    first.post(
        url(), {"versi": "1", "aksi": "simpan", "snapshot": snapshot_field, **rows(value="11")}
    )
    response = second.post(
        url(), {"versi": "1", "aksi": "simpan", "snapshot": snapshot_field, **rows(value="99")}
    )
    assert response.status_code == 409
    assert any("sudah diubah orang lain" in m for m in flash_messages(response))
    conflict = find(find(page(response), "section", id="conflict"), "tbody")
    # What the second editor opened (10) and what the first saved since (11).
    assert [cells(row) for row in find_all(conflict, "tr")] == [
        ["Rumah tidak layak huni dibedah — APBN", "10", "11"]
    ]
    # The second editor's input is still in the form.
    assert attribute(find(page(response), "input", name="r-rumah-dibedah-0-value"), "value") == "99"
    assert Realization.objects.get().value == D(11)
    assert MonthlyReport.objects.get().version == 2


def test_a_conflict_names_generic_funding_sources_in_the_readers_language(people):
    """English pages name "Tidak dirinci" and "Swadaya masyarakat" in English; the
    conflict table of two tabs saving the same report named them as stored, in
    Indonesian, beside indicator names in English."""
    first = login(people["operator"])
    second = login(make_user("op-banyuasin-2", UserScope.Role.OPERATOR, "16.07"))
    first.post(url(), {"versi": "0", "aksi": "simpan", **rows(value="10", source="swadaya")})
    snapshot_field = '{"rumah-dibedah/swadaya": "10"}'
    first.post(
        url(),
        {"versi": "1", "aksi": "simpan", "snapshot": snapshot_field,
         **rows(value="11", source="swadaya")},
    )  # fmt: skip
    second.cookies["bahasa"] = "en"
    response = second.post(
        url(),
        {"versi": "1", "aksi": "simpan", "snapshot": snapshot_field,
         **rows(value="99", source="swadaya")},
    )  # fmt: skip
    assert response.status_code == 409
    conflict = find(find(page(response), "section", id="conflict"), "tbody")
    assert [cells(row) for row in find_all(conflict, "tr")] == [
        ["Uninhabitable houses renovated — Community self-help", "10", "11"]
    ]


def test_a_conflict_with_ones_own_other_tab_says_so_with_the_time_as_pages_write_it(people):
    """The same operator saving from two tabs read "sudah diubah orang lain
    (op-banyuasin, 27-06-2025 10:00)": someone else, named as themselves, at a time
    written day-first with dashes, which English readers take month-first. Another
    user's change still names them."""
    first, second = login(people["operator"]), login(people["operator"])
    first.post(url(), {"versi": "0", "aksi": "simpan", **rows(value="10")})
    first.post(url(), {"versi": "1", "aksi": "simpan", **rows(value="11")})
    response = second.post(url(), {"versi": "1", "aksi": "simpan", **rows(value="99")})
    assert response.status_code == 409
    assert flash_messages(response) == [
        "Laporan ini sudah Anda ubah di tab atau perangkat lain (27 Jun 2025 10:00) sejak "
        "formulir ini dibuka. Tidak ada yang ditimpa: periksa perubahan di bawah, lalu "
        "simpan lagi."
    ]
    second.cookies["bahasa"] = "en"
    response = second.post(url(), {"versi": "1", "aksi": "simpan", **rows(value="99")})
    assert flash_messages(response) == [
        "You changed this report in another tab or on another device (27 Jun 2025 10:00) "
        "after this form was opened. Nothing was overwritten: check the changes below, then "
        "save again."
    ]
    other = login(make_user("op-banyuasin-2", UserScope.Role.OPERATOR, "16.07"))
    response = other.post(url(), {"versi": "1", "aksi": "simpan", **rows(value="99")})
    assert flash_messages(response)[0].startswith(
        "Laporan ini sudah diubah orang lain (op-banyuasin, 27 Jun 2025 10:00) sejak"
    )


def test_every_change_is_kept_with_who_when_and_why(people):
    client = login(people["operator"])
    client.post(url(), {"versi": "0", "aksi": "simpan", **rows(value="10")})
    client.post(url(), {"versi": "1", "aksi": "ajukan", **rows(value="12", note="Revisi")})
    login(people["verifier"]).post(
        url(suffix="status/"), {"aksi": "kembalikan", "alasan": "Cek foto", "versi": "2"}
    )
    rep = MonthlyReport.objects.get()
    reasons = list(
        rep.history.order_by("history_date", "history_id").values_list(
            "history_change_reason", "status", "history_user__username"
        )
    )
    assert reasons == [
        ("Disimpan sebagai draf", "draft", "op-banyuasin"),
        ("Diajukan", "submitted", "op-banyuasin"),
        ("Dikembalikan: Cek foto", "returned", "ver-gbrss"),
    ]
    values = list(
        Realization.history.order_by("history_date", "history_id").values_list(
            "value", "history_change_reason"
        )
    )
    assert values == [(D(10), "Disimpan sebagai draf"), (D(12), "Diajukan")]
    timeline = find(find(page(client.get(url())), "table", id="timeline"), "tbody")
    # Newest first: (who, what changed, why).
    assert [cells(row)[1:] for row in find_all(timeline, "tr")] == [
        ["ver-gbrss", "Status: Diajukan → Dikembalikan", "Dikembalikan: Cek foto"],
        [
            "op-banyuasin",
            "Rumah tidak layak huni dibedah (APBN): 10 → 12 · catatan “Revisi”",
            "Diajukan",
        ],
        ["op-banyuasin", "Status: Draf → Diajukan", "Diajukan"],
        ["op-banyuasin", "Rumah tidak layak huni dibedah (APBN): – → 10", "Disimpan sebagai draf"],
        ["op-banyuasin", "Status: – → Draf", "Disimpan sebagai draf"],
    ]
    # Kept in the site's language, read in the reader's: an English reader read
    # "Diajukan" and "Disimpan sebagai draf" beside "Status: Draft → Submitted". What the
    # verifier typed stays as typed.
    client.cookies["bahasa"] = "en"
    timeline = find(find(page(client.get(url())), "table", id="timeline"), "tbody")
    assert [cells(row)[3] for row in find_all(timeline, "tr")] == [
        "Returned: Cek foto",
        "Submitted",
        "Submitted",
        "Saved as draft",
        "Saved as draft",
    ]
    admin = login(make_user("admin-uji", UserScope.Role.ADMIN, superuser=True))
    admin.cookies["bahasa"] = "en"
    history = page(admin.get(f"/admin/programs/monthlyreport/{rep.pk}/history/"))
    assert "Returned: Cek foto" in element_text(history)
    assert "Diajukan" not in element_text(history)


def test_a_note_added_or_removed_is_named_in_the_timeline(people):
    """A note added to resolve a warning (the value kept) read '10 → 10' in the report's
    history, as if nothing had changed: it now says which note was written, or removed."""
    client = login(people["operator"])
    client.post(url(), {"versi": "0", "aksi": "simpan", **rows(value="10")})
    client.post(url(), {"versi": "1", "aksi": "simpan", **rows(value="10", note="Dari BPS")})
    client.post(url(), {"versi": "2", "aksi": "simpan", **rows(value="10")})
    timeline = find(find(page(client.get(url())), "table", id="timeline"), "tbody")
    changes = [cells(row)[2] for row in find_all(timeline, "tr")]
    assert changes[:2] == [
        "Rumah tidak layak huni dibedah (APBN): catatan dihapus",
        "Rumah tidak layak huni dibedah (APBN): catatan “Dari BPS”",
    ]


def test_history_is_written_in_the_same_transaction_as_the_change(people, monkeypatch):
    original = services.bulk_create_with_history

    def failing_write(*args, **kwargs):  # the realizations and their history are written
        original(*args, **kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "bulk_create_with_history", failing_write)
    with pytest.raises(RuntimeError):
        login(people["operator"]).post(url(), {"versi": "0", "aksi": "simpan", **rows()})
    assert not MonthlyReport.objects.exists()
    assert not MonthlyReport.history.exists() and not Realization.history.exists()


# --- The same form sent twice (a double click, a resend on a slow connection) ----------


def history_reasons(rep) -> list[str]:
    return list(
        rep.history.order_by("history_date", "history_id").values_list(
            "history_change_reason", flat=True
        )
    )


def test_the_same_draft_sent_twice_is_saved_once_and_answered_as_saved(people):
    client = login(people["operator"])
    data = {"versi": "0", "aksi": "simpan", **rows("12", note="Rumah korban banjir")}
    first = client.post(url(), data)
    second = client.post(url(), data, follow=True)
    assert first.status_code == 302
    assert second.redirect_chain == [(url(), 302)]
    # Both posts answered the same; the page shows it once (the first post's message,
    # never displayed, used to stand beside the second's).
    assert flash_messages(second) == ["Draf tersimpan (versi 1)."]
    rep = MonthlyReport.objects.get()
    assert (rep.status, rep.version) == (Status.DRAFT, 1)
    assert history_reasons(rep) == ["Disimpan sebagai draf"]
    assert Realization.history.count() == 1


def test_the_same_submit_sent_twice_is_submitted_once_and_said_so(
    people, django_capture_on_commit_callbacks
):
    login(people["operator"]).post(url(), {"versi": "0", "aksi": "simpan", **rows("10")})
    client = login(people["operator"])
    data = {"versi": "1", "aksi": "ajukan", **rows("12", note="Revisi")}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(), data)
        second = client.post(url(), data, follow=True)
    assert second.redirect_chain == [(url(), 302)]
    assert flash_messages(second) == ["Laporan diajukan untuk diverifikasi. Terima kasih."]
    rep = MonthlyReport.objects.get()
    assert (rep.status, rep.version) == (Status.SUBMITTED, 2)
    assert history_reasons(rep) == ["Disimpan sebagai draf", "Diajukan"]
    assert Notification.objects.filter(kind=Notification.Kind.SUBMITTED).count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    "aksi,changed",
    [
        ("simpan", {"r-rumah-dibedah-0-value": "13"}),
        ("simpan", {"r-rumah-dibedah-0-note": "Catatan lain"}),
        ("simpan", {"r-rumah-dibedah-0-source": "apbd-prov"}),
        ("ajukan", {"r-rumah-dibedah-0-value": "13"}),
    ],
    ids=["value", "note", "source", "submit-value"],
)
def test_a_second_post_with_other_values_is_still_refused(people, aksi, changed):
    client = login(people["operator"])
    data = {"versi": "0", "aksi": aksi, **rows("12", note="ok")}
    client.post(url(), data)
    before = snapshot()
    response = client.post(url(), {**data, **changed})
    # A draft: the conflict answer; a submitted report: the operator may no longer edit it
    # (refused with why, the typed values shown back).
    assert response.status_code == (409 if aksi == "simpan" else 422)
    assert snapshot() == before


def test_a_submit_sent_again_after_a_draft_save_is_not_a_resend(people):
    """The first post saved a draft; the second asks to submit that form: another action,
    so the answer is the conflict with the saved version, not a silent success."""
    client = login(people["operator"])
    data = {"versi": "0", "aksi": "simpan", **rows("12")}
    client.post(url(), data)
    response = client.post(url(), {**data, "aksi": "ajukan"})
    assert response.status_code == 409
    assert MonthlyReport.objects.get().status == Status.DRAFT


def test_the_same_values_after_a_colleagues_save_are_a_conflict(people):
    """Operator A saved 12; colleague B saved other figures from the same version; A's
    form sent again is no resend any more (B wrote in between)."""
    colleague = login(make_user("op-banyuasin-2", UserScope.Role.OPERATOR, "16.07"))
    client = login(people["operator"])
    data = {"versi": "0", "aksi": "simpan", **rows("12")}
    client.post(url(), data)
    colleague.post(url(), {"versi": "1", "aksi": "simpan", **rows("40")})
    assert client.post(url(), data).status_code == 409
    # And the colleague, posting what A saved from A's version, meets A's save too.
    MonthlyReport.objects.all().delete()
    client.post(url(), data)
    assert colleague.post(url(), data).status_code == 409
    assert MonthlyReport.objects.get().version == 1


@pytest.mark.parametrize("aksi", ["simpan", "ajukan"])
def test_the_same_form_sent_again_an_hour_later_is_answered_as_done(people, frozen_clock, aksi):
    """Back, then resend, an hour after the save or submission: the report is exactly
    what the form asks for, by this user, nothing written since. Done, not a conflict
    naming the user's own save (nor "already submitted" over nothing to fix)."""
    client = login(people["operator"])
    data = {"versi": "0", "aksi": aksi, **rows("12")}
    client.post(url(), data)
    frozen_clock.shift(60 * 60)
    response = client.post(url(), data, follow=True)
    assert response.redirect_chain and response.status_code == 200  # not a 409 conflict
    done = (
        "Laporan diajukan untuk diverifikasi. Terima kasih."
        if aksi == "ajukan"
        else "Draf tersimpan (versi 1)."
    )
    assert flash_messages(response) == [done]  # the first post's, unread, is the same
    rep = MonthlyReport.objects.get()
    assert rep.version == 1 and rep.history.count() == 1
    assert rep.status == (Status.SUBMITTED if aksi == "ajukan" else Status.DRAFT)


def test_a_verifiers_decision_sent_again_an_hour_later_is_answered_as_done(people, frozen_clock):
    rep = report(Status.SUBMITTED)
    client = login(people["verifier"])
    data = {"aksi": "kembalikan", "alasan": "Foto kurang jelas", "versi": "1"}
    client.post(url(suffix="status/"), data)
    frozen_clock.shift(60 * 60)
    again = client.post(url(suffix="status/"), data, follow=True)
    assert flash_messages(again)[-1] == "Laporan dikembalikan ke operator."
    rep.refresh_from_db()
    assert (rep.status, rep.version, rep.comments.count()) == (Status.RETURNED, 2, 1)
    assert Notification.objects.filter(user=people["operator"]).count() == 1


@pytest.mark.parametrize(
    "aksi,start,end,done",
    [
        ("verifikasi", Status.SUBMITTED, Status.VERIFIED, "Laporan diverifikasi."),
        ("kembalikan", Status.SUBMITTED, Status.RETURNED, "Laporan dikembalikan ke operator."),
        (
            "buka",
            Status.VERIFIED,
            Status.RETURNED,
            "Laporan dibuka kembali untuk diperbaiki operator.",
        ),
    ],
)
def test_a_verifiers_decision_sent_twice_is_made_once(
    people, aksi, start, end, done, django_capture_on_commit_callbacks
):
    rep = report(start)
    client = login(people["verifier"])
    data = {"aksi": aksi, "alasan": "Foto kurang jelas", "versi": "1"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(suffix="status/"), data)
        second = client.post(url(suffix="status/"), data, follow=True)
    assert flash_messages(second) == [done]  # answered the same, shown once
    rep.refresh_from_db()
    assert (rep.status, rep.version) == (end, 2)
    assert rep.history.count() == 2  # created, then the one decision
    assert Notification.objects.filter(user=people["operator"]).count() == 1
    assert rep.comments.count() == (0 if aksi == "verifikasi" else 1)


def test_a_return_sent_again_with_another_reason_is_refused(people):
    rep = report(Status.SUBMITTED)
    client = login(people["verifier"])
    data = {"aksi": "kembalikan", "alasan": "Foto kurang jelas", "versi": "1"}
    client.post(url(suffix="status/"), data)
    response = client.post(url(suffix="status/"), {**data, "alasan": "Angka salah"})
    assert flash_messages(response)[-1] == STALE_DECISION["id"].format(
        period=month_year_label(*previous_month()), status="Dikembalikan", who="ver-gbrss"
    )
    rep.refresh_from_db()
    assert rep.return_reason == "Foto kurang jelas" and rep.comments.count() == 1


STALE_DECISION = {
    "id": (
        "Laporan GBRSS — Banyuasin — {period} sudah berubah sejak halaman dimuat (kini "
        "{status}, oleh {who}). Tidak ada yang diubah: periksa laporannya, lalu putuskan lagi."
    ),
    "en": (
        "Report GBRSS — Banyuasin — {period} has changed since the page was loaded (now "
        "{status}, by {who}). Nothing was changed: check the report, then decide again."
    ),
}


@pytest.mark.parametrize(
    ("language", "status"), [("id", "Terverifikasi"), ("en", "Verified")], ids=["id", "en"]
)
def test_another_verifiers_same_decision_is_still_refused(people, language, status):
    """A second verifier of the program clicked "Verifikasi" on the same version: the
    report is verified, but not by them; they are told which report, what it is now and
    who decided (it read "Status laporan sudah berubah; muat ulang halaman.", as the
    queue's bulk verification did before it named the report)."""
    rep = report(Status.SUBMITTED)
    colleague = make_user("ver-gbrss-2", UserScope.Role.VERIFIKATOR, programs=["gbrss"])
    data = {"aksi": "verifikasi", "versi": "1"}
    login(people["verifier"]).post(url(suffix="status/"), data)
    client = login(colleague)
    client.cookies["bahasa"] = language
    response = client.post(url(suffix="status/"), data, follow=True)
    with translation.override(language):
        period = month_year_label(*previous_month())
    assert flash_messages(response) == [
        STALE_DECISION[language].format(period=period, status=status, who="ver-gbrss")
    ]
    rep.refresh_from_db()
    assert rep.verified_by == people["verifier"] and rep.version == 2


def test_a_return_of_a_report_resubmitted_meanwhile_names_who_resubmitted(people):
    """The operator withdrew and resubmitted the report (a new version) while the
    verifier was writing a reason: the return is refused, the reason stays in its box,
    and the message beside it says the report was submitted again, by whom."""
    rep = report(Status.SUBMITTED)
    rep.submitted_by = people["operator"]
    rep.version = 2
    rep.save()
    response = login(people["verifier"]).post(
        url(suffix="status/"), {"aksi": "kembalikan", "alasan": "Foto buram", "versi": "1"}
    )
    assert response.status_code == 422
    expected = STALE_DECISION["id"].format(
        period=month_year_label(*previous_month()), status="Diajukan", who="op-banyuasin"
    )
    assert error_messages(page(response)) == [expected]
    rep.refresh_from_db()
    assert (rep.status, rep.version, rep.comments.count()) == (Status.SUBMITTED, 2, 0)


def test_the_queues_verify_sent_twice_verifies_once(people):
    rep = report(Status.SUBMITTED)
    client = login(people["verifier"])
    client.post("/verifikasi/", {"laporan": [f"{rep.pk}:1"]})
    second = client.post("/verifikasi/", {"laporan": [f"{rep.pk}:1"]}, follow=True)
    assert flash_messages(second) == ["1 laporan diverifikasi."]
    rep.refresh_from_db()
    assert (rep.status, rep.version) == (Status.VERIFIED, 2)
    assert Notification.objects.filter(kind=Notification.Kind.VERIFIED).count() == 1


# --- Notifications ----------------------------------------------------------------------


def test_submitting_emails_verifiers_and_returning_emails_the_operator(
    people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        login(people["operator"]).post(url(), {"versi": "0", "aksi": "ajukan", **rows(note="ok")})
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ver-gbrss@sumselprov.go.id"]
    assert "Laporan diajukan" in mail.outbox[0].subject
    with django_capture_on_commit_callbacks(execute=True):
        login(people["verifier"]).post(
            url(suffix="status/"), {"aksi": "kembalikan", "alasan": "Foto kurang", "versi": "1"}
        )
    assert mail.outbox[1].to == ["op-banyuasin@sumselprov.go.id"]
    assert "Foto kurang" in mail.outbox[1].body


def test_send_reminders_emails_operators_with_unsubmitted_reports(
    people, django_capture_on_commit_callbacks
):
    # E-mails are enqueued once the command's transaction commits (immediate in tests).
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", "--hari", "400", stdout=StringIO())
    recipients = {m.to[0] for m in mail.outbox}
    assert "op-banyuasin@sumselprov.go.id" in recipients
    body = next(m.body for m in mail.outbox if m.to == ["op-banyuasin@sumselprov.go.id"])
    assert "GBRSS" in body
    mail.outbox.clear()
    Notification.objects.all().delete()  # a later day: not held back as already reminded
    for program in Program.objects.filter(indicators__isnull=False).distinct():
        for back in (1, 2, 3):
            year, month = previous_month(back)
            MonthlyReportFactory(
                program=program,
                regency=Regency.objects.get(code="16.07"),
                year=year,
                month=month,
                status=Status.SUBMITTED,
                verified_at=None,
            )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", "--hari", "400", stdout=StringIO())
    assert "op-banyuasin@sumselprov.go.id" not in {m.to[0] for m in mail.outbox}


@pytest.mark.parametrize("today", [dt.date(2026, 12, 20)])
def test_reminders_name_returned_reports_and_months_opened_past_their_lock(
    people, frozen_clock, django_capture_on_commit_callbacks
):
    """20 December 2026: August (locked after 10 October) is returned and so opened for
    correction until 3 January; November is returned before its own lock (9 January);
    July was opened by an admin until 24 December. Each is reminded, returned ones as
    returned with the day they must be fixed by; once the opening ends, no reminder."""
    gbrss = Program.objects.get(slug="gbrss")
    for month in (8, 11):
        services.report_return(
            user=people["verifier"],
            report=report(Status.SUBMITTED, period=(2026, month)),
            reason="Foto kurang",
        )
    LockException.objects.create(
        regency_id="16.07",
        program=gbrss,
        year=2026,
        month=7,
        until=dt.date(2026, 12, 24),
        reason="Data desa terlambat",
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", "--hari", "3", stdout=StringIO())
    (body,) = [m.body for m in mail.outbox if m.to == ["op-banyuasin@sumselprov.go.id"]]
    owed, returned = body.split("Laporan bulanan berikut dikembalikan verifikator:")
    assert "- GBRSS Juli 2026: batas 10 Agustus 2026, dibuka sampai 24 Desember 2026" in owed
    assert returned.split("\n")[1:3] == [
        "- GBRSS Agustus 2026: dikembalikan, perlu diperbaiki s.d. 3 Januari 2027",
        "- GBRSS November 2026: dikembalikan, perlu diperbaiki s.d. 9 Januari 2027",
    ]
    assert "GBRSS Agustus" not in owed and "GBRSS November" not in owed

    frozen_clock.move_to(dt.datetime(2027, 1, 4, 10, tzinfo=ZoneInfo("Asia/Jakarta")))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", "--hari", "3", stdout=StringIO())
    (body,) = [m.body for m in mail.outbox if m.to == ["op-banyuasin@sumselprov.go.id"]]
    assert "GBRSS Agustus" not in body and "GBRSS Juli" not in body
    assert "- GBRSS November 2026: dikembalikan, perlu diperbaiki s.d. 9 Januari 2027" in body


# --- Operator's list and login ------------------------------------------------------------


def test_operator_list_shows_returned_first_with_the_reason(people):
    rep = report(Status.RETURNED)
    response = login(people["operator"]).get("/laporan/")
    returned = find(page(response), "section", class_="alert-returned")
    assert "Periksa lagi" in element_text(returned)
    first_row = find(find(find(page(response), id="my-reports"), "tbody"), "tr")
    assert dict(first_row.attributes)["data-month"] == str(rep.month)
    assert "Perbaiki" in element_text(first_row)


def test_sessions_expire_after_inactivity(settings):
    # Renewed while used (at most every SESSION_RENEW_SECONDS), not written per request.
    assert settings.SESSION_SAVE_EVERY_REQUEST is False
    assert "sumsel_gerakan.middleware.SessionRenewalMiddleware" in settings.MIDDLEWARE
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600


def test_services_refuse_without_permission_whatever_the_view(people):
    rep = report(Status.SUBMITTED)
    with pytest.raises(services.PermissionDenied):
        services.report_verify(user=people["operator"], report=rep)
    with pytest.raises(services.PermissionDenied):
        services.report_save(
            user=people["verifier"],
            regency=Regency.objects.get(code="16.07"),
            program=rep.program,
            year=rep.year,
            month=rep.month,
            version=1,
            rows=[],
            submit=False,
        )


@pytest.mark.parametrize(
    "text,value",
    [
        ("8,391", D(8391)),
        ("14.33", D("14.33")),
        ("1,234,567.5", D("1234567.5")),
        ("2,5", D("2.5")),
        ("+2,750", D(2750)),
        ("-8,600", D(-8600)),
    ],
)
def test_english_numbers_are_parsed_in_english(text, value):
    assert parse_number(text, "en") == value


@pytest.mark.parametrize("role", ROLES, ids=str)
def test_export_of_raw_realizations_by_role(people, role):
    """The 'export' column of the permission matrix: raw rows follow the report scope."""
    rep = report(Status.SUBMITTED, value=4321)
    year, month = rep.year, rep.month
    response = login(people.get(role)).get(
        f"/unduh/realisasi.csv?tahun={year}&bulan={month}&program=gbrss"
    )
    if role is None:
        assert denied(response)
        return
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    sees_banyuasin_gbrss = role in {"operator", "verifier", "pimpinan", "admin"}
    assert ("4321" in body) == sees_banyuasin_gbrss


# --- A session that ended while the form was open -----------------------------------------


def opened_form(client) -> dict:
    """The hidden fields of the entry form as the browser holds them."""
    html = page(client.get(url()))
    return {
        name: attribute(find(html, "input", name=name), "value")
        for name in ("versi", "snapshot", "pengisi")
    }


def expire_session_and_send(client, data):
    """The session ends (2 hours without activity) while the operator types; the form is
    then sent: it goes to the login page."""
    client.session.flush()
    client.cookies.pop("sessionid", None)
    response = client.post(url(), data)
    assert response.status_code == 302 and response.url.startswith("/akun/masuk/")
    return response.url


def log_in_again(client, login_url):
    return client.post(
        login_url,
        {"username": "op-banyuasin", "password": "rahasia-uji-123"},
        follow=True,
    )


def test_a_form_sent_after_the_session_ended_comes_back_after_login(people):
    """Nothing typed is lost to a login: the form comes back filled in, unsaved, with a
    message; saving it then saves it."""
    client = login(people["operator"])
    data = {"aksi": "simpan", **opened_form(client), **rows("1.234", note="Rumah korban banjir")}

    login_url = expire_session_and_send(client, data)
    response = log_in_again(client, login_url)

    assert response.redirect_chain[-1][0] == url()
    html = page(response)
    assert attribute(find(html, "input", name="r-rumah-dibedah-0-value"), "value") == "1.234"
    assert any("Isian Anda dipulihkan" in m for m in flash_messages(response))
    assert not MonthlyReport.objects.exists()  # shown again, not saved
    saved = client.post(
        url(), {**data, "versi": attribute(find(html, "input", name="versi"), "value")}
    )
    assert saved.status_code == 302
    assert MonthlyReport.objects.get().realizations.get().value == D(1234)
    again = page(client.get(url()))  # shown once
    assert attribute(find(again, "input", name="r-rumah-dibedah-0-value"), "value") == "1.234"
    assert "dipulihkan" not in element_text(again)


def test_the_live_check_after_the_session_ended_keeps_the_form_and_sends_to_login(people):
    """As the operator typed after the session ended, the live check was redirected to the
    login page, which htmx put inside the form; logging in there led to the POST-only
    check address, and the typed figures were lost. Now the check answers 401 with the
    login page (then the form) as the browser's next address, and the form comes back
    as typed after logging in."""
    client = login(people["operator"])
    data = {**opened_form(client), **rows("1.234")}
    client.session.flush()
    client.cookies.pop("sessionid", None)

    check = client.post(url(suffix="periksa/"), data, HTTP_HX_REQUEST="true")
    assert check.status_code == 401
    login_url = check["HX-Redirect"]
    assert login_url == f"/akun/masuk/?next={url()}"
    added = client.get(url(suffix="baris/"), {"indikator": "rumah-dibedah"}, HTTP_HX_REQUEST="true")
    assert added.status_code == 401 and not added.content  # nothing put into the table
    # ...and names the same login page (it named none: the button did nothing visible),
    # keeping nothing of its own over the whole form the check kept.
    assert added["HX-Redirect"] == login_url
    response = log_in_again(client, login_url)

    assert response.redirect_chain[-1][0] == url()
    html = page(response)
    assert attribute(find(html, "input", name="r-rumah-dibedah-0-value"), "value") == "1.234"
    assert any("Isian Anda dipulihkan" in m for m in flash_messages(response))
    assert not MonthlyReport.objects.exists()


def test_a_restored_form_refuses_a_source_retired_while_logged_out(people):
    """The operator picked Pertamina on a new row; the session ended and an admin retired
    the partner before the operator logged in again: the restored row says so beside it
    (still showing Pertamina, never silently another source), and saving it saves nothing."""
    client = login(people["operator"])
    data = {"aksi": "simpan", **opened_form(client), **rows("12", source="pertamina")}
    login_url = expire_session_and_send(client, data)
    FundingSource.objects.filter(code="pertamina").update(active=False)

    response = log_in_again(client, login_url)

    refused = "✗ Sumber dana Pertamina sudah tidak aktif: pilih sumber lain."
    assert row_messages(response, "rumah-dibedah-0") == [refused]
    select = find(page(response), "select", name="r-rumah-dibedah-0-source")
    chosen = [o for o in find_all(select, "option") if "selected" in dict(o.attributes)]
    assert [attribute(o, "value") for o in chosen] == ["pertamina"]
    assert client.post(url(), data).status_code == 422
    assert not MonthlyReport.objects.exists()


def test_a_restored_form_still_meets_a_save_made_meanwhile(people):
    """While the operator was logged out, a colleague saved the report: the restored
    form keeps the version it was opened on, so saving it is the conflict answer with
    the typed values kept, never a silent overwrite."""
    existing = report(Status.DRAFT, value=7)
    client = login(people["operator"])
    data = {"aksi": "simpan", **opened_form(client), **rows("99")}
    versi = data["versi"]
    login_url = expire_session_and_send(client, data)
    MonthlyReport.objects.filter(pk=existing.pk).update(version=existing.version + 1)

    html = page(log_in_again(client, login_url))
    assert attribute(find(html, "input", name="versi"), "value") == versi
    conflict = client.post(url(), {**data, "versi": versi})
    assert conflict.status_code == 409
    assert existing.realizations.get().value == D(7)


def test_a_kept_form_is_only_shown_to_the_user_who_typed_it(people):
    """Operator A's session ends and A sends the form; colleague B of the same regency then
    logs in on that browser: B sees the report as stored, never A's typed values."""
    colleague = make_user("op-banyuasin-2", UserScope.Role.OPERATOR, "16.07")
    client = login(people["operator"])
    data = {"aksi": "simpan", **opened_form(client), **rows("1.234", note="Catatan A")}
    login_url = expire_session_and_send(client, data)

    response = client.post(
        login_url, {"username": colleague.username, "password": "rahasia-uji-123"}, follow=True
    )

    html = page(response)
    assert attribute(find(html, "input", name="r-rumah-dibedah-0-value"), "value") in ("", None)
    assert "Catatan A" not in response.content.decode()
    assert not any("dipulihkan" in m for m in flash_messages(response))


def test_only_a_real_reports_form_and_its_own_fields_are_kept(people, client):
    """Without a session, a POST to no report's address is a 404 and keeps nothing; to a
    real one, only the form's fields are kept, and not an oversized body."""
    from django.contrib.sessions.models import Session

    assert client.post("/laporan/99.99/tidak-ada/2020-01/", {"x": "y" * 1000}).status_code == 404
    assert not Session.objects.exists()
    client.post(url(), {"versi": "0", "r-rumah-dibedah-0-value": "5", "lain": "z" * 1000})
    (kept,) = [s.get_decoded()["pending_entry"]["data"] for s in Session.objects.all()]
    assert kept == {"versi": ["0"], "r-rumah-dibedah-0-value": ["5"]}
    Session.objects.all().delete()
    client.cookies.clear()
    client.post(url(), {"versi": "0", "r-rumah-dibedah-0-note": "z" * 60_000})
    assert all("pending_entry" not in s.get_decoded() for s in Session.objects.all())


def test_a_kept_form_for_a_report_no_longer_editable_says_so(people):
    client = login(people["operator"])
    data = {"aksi": "simpan", **opened_form(client), **rows("7")}
    login_url = expire_session_and_send(client, data)
    report(Status.SUBMITTED)  # a colleague submitted it meanwhile

    response = log_in_again(client, login_url)

    assert any("isian itu tidak dipulihkan" in m for m in flash_messages(response))


@pytest.mark.parametrize(
    "aksi,said",
    [
        ("simpan", "Isian Anda sudah tersimpan sebelum sesi berakhir"),
        ("ajukan", "Laporan ini sudah diajukan."),
    ],
)
def test_a_form_sent_twice_whose_second_post_met_the_ended_session_is_not_restored(
    people, aksi, said
):
    """The first post saved the form; the session ended before the second (the same form,
    sent again) arrived: after login there is nothing to restore, and the page says it
    was saved, not "restored, unsaved" or "no longer editable"."""
    client = login(people["operator"])
    data = {"aksi": aksi, **opened_form(client), **rows("1.234", note="Rumah korban banjir")}
    assert client.post(url(), data).status_code == 302
    login_url = expire_session_and_send(client, data)

    response = log_in_again(client, login_url)

    shown = flash_messages(response)
    assert any(said in m for m in shown), shown
    assert not any("dipulihkan" in m for m in shown)  # neither restored nor "not restored"
    rep = MonthlyReport.objects.get()
    assert rep.version == 1 and rep.history.count() == 1
