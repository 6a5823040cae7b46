"""The entry form fits the numbers: empty ratio inputs labelled with what they count,
last month's denominator as a start, the month's total, removable source rows; and the
/laporan/ months x programs grid with what is due now on top."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from programs.models import FundingSource, Indicator, MonthlyReport, Program, Realization
from programs.reporting import services
from regencies.models import Regency
from tests.factories import IndicatorFactory, MonthlyReportFactory, RealizationFactory
from tests.helpers import attribute, element_text, find, find_all, login, page, row_messages
from tests.reporting_helpers import report

Status = MonthlyReport.Status


@pytest.fixture
def today():
    """29 November 2026: October was due on 10 November, November is the running month."""
    return dt.date(2026, 11, 29)


@pytest.fixture
def operator_client(operator, frozen_clock):
    """A client with a session of Banyuasin's operator, on the frozen clock."""
    return login(operator)


def value_of(html, name):
    return attribute(find(html, "input", name=name), "value")


def test_ratio_inputs_start_empty_with_labels_and_last_months_denominator(operator_client):
    report = MonthlyReportFactory(
        program=Program.objects.get(slug="gpstss"),
        regency=Regency.objects.get(code="16.07"),
        year=2026,
        month=9,
        status=Status.VERIFIED,
        verified_at=timezone.now(),
    )
    RealizationFactory(
        report=report,
        indicator=Indicator.objects.get(code="prevalensi-stunting"),
        funding_source=FundingSource.objects.get(code="tidak-dirinci"),
        value=None,
        numerator=Decimal(60),
        denominator=Decimal(1250),
    )
    html = page(operator_client.get("/laporan/16.07/gpstss/2026-10/"))
    assert value_of(html, "r-prevalensi-stunting-0-num") == ""
    assert value_of(html, "r-prevalensi-stunting-0-den") == "1.250"
    ratio = find(find(html, "tr", id="row-prevalensi-stunting-0"), "td", class_="ratio-inputs")
    labels = find_all(ratio, "label")
    assert [element_text(label) for label in labels] == ["Balita stunting", "Balita diukur"]
    assert [attribute(find(label, "input"), "data-ratio-part") for label in labels] == [
        "num",
        "den",
    ]
    assert all(attribute(i, "value") != "–" for i in find_all(html, "input"))
    shown = page(operator_client.get("/laporan/16.07/gpstss/2026-09/"))
    assert element_text(find(shown, "td", class_="ratio-inputs")) == (
        "60 balita stunting / 1.250 balita diukur = 4,80 %"
    )


def test_month_total_and_removed_rows(operator_client):
    url = "/laporan/16.07/gbrss/2026-10/"
    rows = {
        "r-rumah-dibedah-0-source": "apbn",
        "r-rumah-dibedah-0-value": "3",
        "r-rumah-dibedah-1-source": "apbd-prov",
        "r-rumah-dibedah-1-value": "1.004",
    }
    assert operator_client.post(url, {**rows, "aksi": "simpan", "versi": 0}).status_code == 302
    html = page(operator_client.get(url))
    # 3 + 1.004
    assert element_text(find(html, "output", data_total_for="rows-rumah-dibedah")) == "1.007"
    assert len(find_all(find(html, id="rows-rumah-dibedah"), "button", class_="remove-row")) == 2
    # The operator removed the second row: saving without it deletes it.
    del rows["r-rumah-dibedah-1-source"], rows["r-rumah-dibedah-1-value"]
    version = MonthlyReport.objects.get().version
    assert (
        operator_client.post(url, {**rows, "aksi": "simpan", "versi": version}).status_code == 302
    )
    assert list(Realization.objects.values_list("value", flat=True)) == [Decimal(3)]


def test_a_refused_value_counts_in_no_month_total(operator_client):
    """A count of houses typed "8,600" (8,6: no whole number) is refused on save; the
    form shown again does not total it into 1.008,6 houses but says it cannot total."""
    url = "/laporan/16.07/gbrss/2026-10/"
    rows = {
        "r-rumah-dibedah-0-source": "apbn",
        "r-rumah-dibedah-0-value": "1.000",
        "r-rumah-dibedah-1-source": "apbd-prov",
        "r-rumah-dibedah-1-value": "8,600",
    }
    response = operator_client.post(url, {**rows, "aksi": "simpan", "versi": 0})
    assert response.status_code == 422
    html = page(response)
    assert value_of(html, "r-rumah-dibedah-1-value") == "8,600"  # kept as typed
    assert element_text(find(html, "output", data_total_for="rows-rumah-dibedah")) == "–"
    rows["r-rumah-dibedah-1-value"] = "8.600"
    response = operator_client.post(url, {**rows, "aksi": "simpan", "versi": 0})
    html = page(operator_client.get(url))
    assert element_text(find(html, "output", data_total_for="rows-rumah-dibedah")) == "9.600"


@pytest.mark.parametrize("typed", ["Rp 8.600,-", "Rp8.600", "8.600,-"])
def test_an_amount_typed_in_rupiah_is_refused_naming_its_digits(operator_client, typed):
    """An amount written as money is refused with the digits to write, and nothing is
    saved: no indicator counts rupiah (the admin and the import say the same)."""
    url = "/laporan/16.07/gbrss/2026-10/"
    rows = {"r-rumah-dibedah-0-source": "apbn", "r-rumah-dibedah-0-value": typed}
    response = operator_client.post(url, {**rows, "aksi": "simpan", "versi": 0})
    assert response.status_code == 422
    assert row_messages(response, "rumah-dibedah-0") == [
        "✗ Tulis angkanya saja, tanpa “Rp” atau “,-”: 8.600."
    ]
    assert not Realization.objects.filter(report__regency_id="16.07", report__month=10).exists()


def test_a_decimal_comma_with_rupiah_is_not_read_as_thousands(operator_client):
    """ "Rp 8,6" is eight point six (refused for a count of houses), never 86 or 8.600."""
    url = "/laporan/16.07/gbrss/2026-10/"
    rows = {"r-rumah-dibedah-0-source": "apbn", "r-rumah-dibedah-0-value": "Rp 8,6"}
    response = operator_client.post(url, {**rows, "aksi": "simpan", "versi": 0})
    assert response.status_code == 422
    assert not Realization.objects.filter(report__regency_id="16.07", report__month=10).exists()


@pytest.mark.parametrize(
    "language,typed,message",
    [
        ("id", "12,000", "Format angka tidak jelas: tulis 12.000 bila maksudnya ribuan, atau 12."),
        ("en", "12.000", "Unclear number: write 12,000 if you mean thousands, or 12."),
    ],
)
def test_twelve_thousand_typed_the_other_way_is_asked_not_saved_as_twelve(
    operator_client, language, typed, message
):
    """Twelve thousand houses typed with the other language's thousands separator used to
    be saved as 12 houses, with a green tick; now the save is refused with the question,
    nothing is stored and the typed figure stays in the form."""
    operator_client.cookies["bahasa"] = language
    url = "/laporan/16.07/gbrss/2026-10/"
    rows = {"r-rumah-dibedah-0-source": "apbn", "r-rumah-dibedah-0-value": typed}
    response = operator_client.post(url, {**rows, "aksi": "simpan", "versi": 0})
    assert response.status_code == 422
    html = page(response)
    assert value_of(html, "r-rumah-dibedah-0-value") == typed
    assert row_messages(response, "rumah-dibedah-0") == [f"✗ {message}"]
    assert not Realization.objects.exists()
    check = operator_client.post(url + "periksa/", {**rows, "versi": 0}, HTTP_HX_REQUEST="true")
    assert message in element_text(page(check))


@pytest.mark.parametrize(
    "language,typed,message",
    [
        ("id", "7,413", "Harus bilangan bulat: bila maksudnya ribuan, tulis 7.413."),
        ("en", "7.413", "Must be a whole number: if you mean thousands, write 7,413."),
        ("id", "7,4", "Harus bilangan bulat (tanpa desimal)."),
    ],
)
def test_a_count_typed_with_the_other_thousands_separator_names_the_figure_meant(
    operator_client, language, typed, message
):
    """7.413 houses typed '7,413' (the English way) were refused with 'Harus bilangan
    bulat (tanpa desimal)', which left the operator wondering where the decimals were;
    the refusal now names the figure meant."""
    operator_client.cookies["bahasa"] = language
    rows = {"r-rumah-dibedah-0-source": "apbn", "r-rumah-dibedah-0-value": typed}
    url = "/laporan/16.07/gbrss/2026-10/"
    response = operator_client.post(url, {**rows, "aksi": "simpan", "versi": 0})
    assert response.status_code == 422
    assert row_messages(response, "rumah-dibedah-0") == [f"✗ {message}"]
    ratio = {
        "r-prevalensi-stunting-0-source": "tidak-dirinci",
        "r-prevalensi-stunting-0-num": "60",
        "r-prevalensi-stunting-0-den": typed,
    }
    response = operator_client.post(
        "/laporan/16.07/gpstss/2026-10/", {**ratio, "aksi": "simpan", "versi": 0}
    )
    assert row_messages(response, "prevalensi-stunting-0") == [f"✗ {message}"]
    assert not Realization.objects.exists()


@pytest.mark.parametrize(
    "language,message",
    [
        ("id", "Bukan angka yang sah: tulis misalnya 1.250 atau 14,33."),
        ("en", "Not a valid number: write for example 1,250 or 14.33."),
    ],
)
def test_a_refused_number_shows_examples_the_form_reads(operator_client, language, message):
    """In English the form reads 1,250 and 14.33, but told an operator who typed 'Rp 5'
    to 'use the Indonesian format, for example 1.250 or 14,33', which it then read as
    1,25: the examples are now written as the form in that language reads them. ('Rp 5'
    itself is now told to drop the Rp: a number with a unit word stands in for it.)"""
    operator_client.cookies["bahasa"] = language
    rows = {"r-rumah-dibedah-0-source": "apbn", "r-rumah-dibedah-0-value": "5 rumah"}
    response = operator_client.post(
        "/laporan/16.07/gbrss/2026-10/", {**rows, "aksi": "simpan", "versi": 0}
    )
    assert response.status_code == 422
    assert row_messages(response, "rumah-dibedah-0") == [f"✗ {message}"]
    assert not Realization.objects.exists()


def test_laporan_grid_with_due_now_on_top(operator_client):
    html = page(operator_client.get("/laporan/"))
    sections = ("due-now", "running-month", "report-grid", "my-reports")
    in_order = [attribute(e, "id") for e in find_all(html) if attribute(e, "id") in sections]
    assert in_order == list(sections)
    due_now = [element_text(a) for a in find_all(find(html, id="due-now"), "a")]
    assert "GBRSS Oktober" in due_now and "GBRSS November" not in due_now
    running = [element_text(a) for a in find_all(find(html, id="running-month"), "a")]
    assert "GBRSS November" in running  # 29 November: the running month
    grid = find(find(html, "table", id="report-grid"), "tbody")
    # The six programs that have indicators (fixtures/programs.json).
    programs = [attribute(row, "data-program") for row in find_all(grid, "tr")]
    assert programs == ["gpiss", "gpmss", "gpsss", "gpstss", "gbrss", "gsmp"]
    gpiss = find(grid, "tr", data_program="gpiss")
    assert "Tidak wajib" in element_text(gpiss)  # Banyuasin is not a BPS inflation city


@pytest.mark.parametrize("today", [dt.date(2027, 1, 5)])
def test_in_january_the_list_opens_on_last_year_with_december_due(operator_client):
    """December 2026 is due on 10 January 2027: the list without ?tahun shows 2026."""
    html = page(operator_client.get("/laporan/"))
    assert element_text(find(html, "h1")).endswith("2026")
    due_now = [element_text(a) for a in find_all(find(html, id="due-now"), "a")]
    assert "GBRSS Desember" in due_now
    running = [element_text(a) for a in find_all(find(html, id="running-month"), "a")]
    assert "GBRSS Januari 2027" in running and "GBRSS Januari 2027" not in due_now
    this_year = page(operator_client.get("/laporan/?tahun=2027"))
    assert "GBRSS Januari" in [element_text(a) for a in find_all(this_year, "a")]


@pytest.mark.parametrize(
    "today, running",
    [(dt.date(2026, 12, 1), "GBRSS Desember"), (dt.date(2027, 1, 11), "GBRSS Januari 2027")],
)
def test_the_running_month_is_listed_from_its_first_day(operator_client, running):
    """A month can be filled in from its first day: it is under "Bulan berjalan" on 1
    December, and on 11 January too, where the list opens on last year (the running
    month used to be missing there until February)."""
    html = page(operator_client.get("/laporan/"))
    listed = [element_text(a) for a in find_all(find(html, id="running-month"), "a")]
    assert running in listed


@pytest.mark.parametrize("today", [dt.date(2026, 12, 1)])
def test_on_1_december_due_now_holds_november_and_december_is_listed_apart(operator_client):
    """1 December 2026: November is due on the 10th; December, the running month, only
    on 10 January. "Perlu dikerjakan sekarang" listed both, each program twice, so
    November's six items were lost among December's. December now has its own section
    below, which says it can already be filled in and submitted, and when it is due;
    a returned report of the running month stays among the returned."""
    report(Status.RETURNED, period=(2026, 12))  # GBRSS December, sent back
    draft(2026, 12)  # GPSSS December, begun
    html = page(operator_client.get("/laporan/"))
    due_now = [element_text(li) for li in find_all(find(html, id="due-now"), "li")]
    months = {element_text(a).split()[-1] for a in find_all(find(html, id="due-now"), "a")}
    assert months == {"Oktober", "November"}  # December is not due now
    assert "GBRSS November : Belum diisi · batas 10 Desember 2026" in due_now
    running = find(html, "section", id="running-month")
    assert element_text(find(running, "h2")) == "Bulan berjalan"
    assert element_text(find(running, "p")) == (
        "Bulan ini sudah dapat diisi dan diajukan; batasnya 10 Januari 2027."
    )
    listed = [element_text(li) for li in find_all(running, "li")]
    assert "GPSSS Desember : Draf" in listed and "GPMSS Desember : Belum diisi" in listed
    assert not any("GBRSS" in text for text in listed)
    returned = element_text(find(html, "section", class_="alert-returned"))
    assert "GBRSS Desember 2026" in returned
    order = [attribute(e, "id") for e in find_all(html) if attribute(e, "id")]
    assert order.index("due-now") < order.index("running-month")
    # The running month is open for entry, as the section says.
    assert operator_client.get("/laporan/16.07/gpmss/2026-12/").status_code == 200


@pytest.mark.parametrize("today", [dt.date(2030, 3, 15)])
def test_the_year_menu_offers_every_year_since_the_launch(operator_client):
    """In 2030 the menu offered 2027-2030 only (four years at most): 2024-2026, with the
    regency's reports and obligations since the programs' launch in 2024, could not be
    opened. A year before the launch counts where the regency has a report in it."""
    report(Status.VERIFIED, period=(2025, 6))
    html = page(operator_client.get("/laporan/"))
    years = [attribute(o, "value") for o in find_all(find(html, id="filter-tahun"), "option")]
    assert years == ["2030", "2029", "2028", "2027", "2026", "2025", "2024"]
    report(Status.VERIFIED, period=(2022, 12))
    html = page(operator_client.get("/laporan/?tahun=2022"))
    years = [attribute(o, "value") for o in find_all(find(html, id="filter-tahun"), "option")]
    assert years[-3:] == ["2024", "2023", "2022"]
    assert "GBRSS" in element_text(find(html, "table", id="my-reports"))


@pytest.mark.parametrize(
    "asked", ["2023", "2000", "-5", "2027", "abc", "٢٠٢٤", "２０２５", "9" * 5000]
)
def test_a_year_the_menu_does_not_offer_shows_the_default_year(operator_client, asked):
    """'?tahun=2000' (or 2023, before the launch) showed that year with every month of
    GSMP, which has no launch date, as owed and 'Terkunci sebelum diajukan: minta admin
    membukanya'; a year the menu does not offer now shows the default year, as a
    dashboard's filter falls back. A year in Arabic-Indic or full-width digits ("٢٠٢٤")
    was read as 2024 here alone: every other page, download and the API take ASCII
    digits only."""
    html = page(operator_client.get(f"/laporan/?tahun={asked}"))
    assert element_text(find(html, "h1")).endswith("2026")
    options = find_all(find(html, id="filter-tahun"), "option")
    assert [attribute(o, "value") for o in options] == ["2026", "2025", "2024"]
    chosen = [attribute(o, "value") for o in options if "selected" in dict(o.attributes)]
    assert chosen == ["2026"]


@pytest.mark.parametrize("today", [dt.date(2027, 2, 5)])
def test_in_early_february_last_years_december_is_still_on_the_to_do_lists(operator_client):
    """1-9 February: the list opens on 2027 (January ended), yet December 2026 can still be
    filled in or fixed until its lock (9 February): the to-do lists name it with its year."""
    report(Status.RETURNED, period=(2026, 12))
    html = page(operator_client.get("/laporan/"))
    assert element_text(find(html, "h1")).endswith("2027")
    returned = element_text(find(html, "section", class_="alert-returned"))
    assert "GBRSS Desember 2026 : Periksa lagi" in returned
    due_now = [element_text(a) for a in find_all(find(html, id="due-now"), "a")]
    assert "GPSSS Desember 2026" in due_now and "GBRSS Desember 2026" not in due_now
    # The table of all months stays the page's year.
    months = {attribute(r, "data-month") for r in find_all(find(html, id="my-reports"), "tr")}
    assert months == {None, "1", "2"}


@pytest.mark.parametrize("today", [dt.date(2027, 2, 10)])
def test_once_december_is_locked_it_leaves_due_now_but_says_whom_to_ask(operator_client):
    """December 2026 locked after 9 February: it can no longer be done now, yet a returned
    report of it does not vanish from the list: it says a verifier can open it, and an
    unfilled December says that only an admin's lock exception opens it."""
    report(Status.RETURNED, period=(2026, 12))
    html = page(operator_client.get("/laporan/"))
    assert not any("Desember" in element_text(a) for a in find_all(find(html, id="due-now"), "a"))
    returned = element_text(find(html, "section", class_="alert-returned"))
    assert "GBRSS Desember 2026 : Periksa lagi Bulan ini terkunci setelah 9 Februari 2027." in (
        returned
    )
    assert "Minta verifikator provinsi membukanya untuk perbaikan." in returned
    locked = [element_text(li) for li in find_all(find(html, id="locked-owed"), "li")]
    assert (
        "GPSSS Desember 2026 : Belum diisi · dikunci setelah 9 Februari 2027. "
        "Minta admin membukanya dengan pengecualian kunci."
    ) in locked
    assert not any("GBRSS Desember" in text for text in locked)  # among the returned, once


@pytest.mark.parametrize("today", [dt.date(2027, 3, 1)])
def test_a_late_month_on_the_to_do_list_says_when_it_locks(operator_client):
    draft(2027, 1)
    html = page(operator_client.get("/laporan/"))
    due_now = [element_text(li) for li in find_all(find(html, id="due-now"), "li")]
    assert (
        "GPSSS Januari : Draf · batas 10 Februari 2027 (terlambat 19 hari) · "
        "dikunci setelah 12 Maret 2027"
    ) in due_now
    locked = element_text(find(html, id="locked-owed"))  # last year's empty months only
    assert "GPSSS Januari" not in locked and "GPSSS Desember 2026" in locked


@pytest.mark.parametrize("today", [dt.date(2027, 3, 13)])
def test_a_draft_locked_before_it_was_submitted_stays_listed_with_whom_to_ask(
    operator_client, operator
):
    """13 March 2027: January locked after the 12th. The draft leaves 'Perlu dikerjakan
    sekarang' for the list of locked months, which, the form and a save all name the one
    person who can open it (an admin: only a returned report is a verifier's to open)."""
    january = draft(2027, 1)
    html = page(operator_client.get("/laporan/"))
    assert not any("GPSSS Januari" in element_text(a) for a in find_all(html, id="due-now"))
    locked = [element_text(li) for li in find_all(find(html, id="locked-owed"), "li")]
    ask_admin = "Minta admin membukanya dengan pengecualian kunci."
    assert f"GPSSS Januari : Draf · dikunci setelah 12 Maret 2027. {ask_admin}" in locked
    form = page(operator_client.get("/laporan/16.07/gpsss/2027-01/"))
    assert ask_admin in element_text(find(form, "p", id="locked-owed"))

    def refusal() -> str:
        """What the service answers a save of the locked January."""
        with pytest.raises(services.ServiceError) as refused:
            services.report_save(
                user=operator,
                regency=january.regency,
                program=january.program,
                year=2027,
                month=1,
                version=january.version,
                rows=[],
                submit=False,
            )
        return str(refused.value)

    assert refusal() == f"Bulan ini sudah dikunci. {ask_admin}"
    # A returned report of a locked month: the save, like the list, sends to a verifier.
    MonthlyReport.objects.filter(pk=january.pk).update(status=Status.RETURNED, return_reason="Cek")
    assert refusal() == (
        "Bulan ini sudah dikunci. Minta verifikator provinsi membukanya untuk perbaikan."
    )


def draft(year, month, slug="gpsss"):
    """A draft of Banyuasin's `slug` month."""
    return MonthlyReportFactory(
        program=Program.objects.get(slug=slug),
        regency=Regency.objects.get(code="16.07"),
        year=year,
        month=month,
        status=Status.DRAFT,
    )


def test_a_returned_report_shows_until_when_it_can_be_fixed_not_lateness(operator_client):
    """October was first sent on 8 November (on time) and returned: the table says until
    when it can be fixed (its lock, 10 December), not 'terlambat 19 hari'."""
    october = report(Status.RETURNED, period=(2026, 10))
    on_time = dt.datetime(2026, 11, 8, 9, tzinfo=dt.UTC)
    MonthlyReport.objects.filter(pk=october.pk).update(first_submitted_at=on_time)
    html = page(operator_client.get("/laporan/"))
    row = find(find(html, id="my-reports"), "tr", data_program="gbrss", data_month="10")
    assert "perbaiki s.d. 10 Desember 2026" in element_text(row)
    assert "terlambat" not in element_text(row)


@pytest.mark.parametrize("today", [dt.date(2026, 12, 10)])
def test_on_its_due_day_a_report_is_due_today_not_in_0_days(operator_client):
    html = page(operator_client.get("/laporan/"))
    upcoming = element_text(find(html, "section", aria_labelledby="h-upcoming"))
    assert "GBRSS November: batas 10 Desember 2026 (hari ini)" in upcoming
    assert "0 hari lagi" not in element_text(html)


@pytest.mark.parametrize("today", [dt.date(2026, 12, 11)])
def test_days_late_and_left_read_as_english_plurals(operator_client):
    """In English, "1 day late" and "20 days left", not "day(s)"; Indonesian has one form."""
    draft(2026, 11)
    operator_client.cookies["bahasa"] = "en"
    table = element_text(find(page(operator_client.get("/laporan/")), id="my-reports"))
    assert "1 day late" in table and "day(s)" not in table
    assert "30 days left" in table  # December, due on 10 January
    operator_client.cookies["bahasa"] = "id"
    table = element_text(find(page(operator_client.get("/laporan/")), id="my-reports"))
    assert "terlambat 1 hari" in table and "30 hari lagi" in table


def test_a_source_retired_by_an_admin_stays_on_the_rows_that_use_it(operator_client):
    """APBD Provinsi is made inactive after October's draft used it: the form still offers
    and selects it on that row (marked), and saving the draft keeps the value there instead
    of moving it to the first option, 'Tidak dirinci'. New months no longer offer it."""
    draft = report(Status.DRAFT, period=(2026, 10), value=7)
    apbd = FundingSource.objects.get(code="apbd-prov")
    draft.realizations.update(funding_source=apbd)
    FundingSource.objects.filter(pk=apbd.pk).update(active=False)
    url = "/laporan/16.07/gbrss/2026-10/"

    html = page(operator_client.get(url))
    select = find(html, "select", name="r-rumah-dibedah-0-source")
    chosen = [o for o in find_all(select, "option") if "selected" in dict(o.attributes)]
    assert [attribute(o, "value") for o in chosen] == ["apbd-prov"]
    assert "tidak aktif lagi" in element_text(chosen[0])

    response = operator_client.post(
        url,
        {
            "r-rumah-dibedah-0-source": "apbd-prov",
            "r-rumah-dibedah-0-value": "9",
            "aksi": "simpan",
            "versi": draft.version,
        },
    )
    assert response.status_code == 302
    assert list(draft.realizations.values_list("funding_source__code", "value")) == [
        ("apbd-prov", Decimal(9))
    ]
    november = page(operator_client.get("/laporan/16.07/gbrss/2026-11/"))
    offered = find_all(find(november, "select", name="r-rumah-dibedah-0-source"), "option")
    assert "apbd-prov" not in [attribute(o, "value") for o in offered]


def retired_partner_draft():
    """October's draft with 7 houses from Pertamina, a CSR partner whose program has
    ended since: an admin retired it."""
    draft = report(Status.DRAFT, period=(2026, 10), value=7)
    draft.realizations.update(funding_source=FundingSource.objects.get(code="pertamina"))
    FundingSource.objects.filter(code="pertamina").update(active=False)
    return draft


def offered(html, name):
    return [attribute(o, "value") for o in find_all(find(html, "select", name=name), "option")]


def test_a_retired_source_is_offered_only_on_the_row_that_has_it(operator_client):
    retired_partner_draft()
    IndicatorFactory(program=Program.objects.get(slug="gbrss"), code="rumah-dibangun", order=9)
    url = "/laporan/16.07/gbrss/2026-10/"

    html = page(operator_client.get(url))

    assert "pertamina" in offered(html, "r-rumah-dibedah-0-source")
    assert "pertamina" not in offered(html, "r-rumah-dibangun-0-source")
    assert "apbn" in offered(html, "r-rumah-dibangun-0-source")
    new_row = page(
        operator_client.get(
            url + "baris/",
            {"indikator": "rumah-dibedah", "r-rumah-dibedah-0-source": "pertamina"},
            HTTP_HX_REQUEST="true",
        )
    )
    assert "pertamina" not in offered(new_row, "r-rumah-dibedah-1-source")
    assert "apbn" in offered(new_row, "r-rumah-dibedah-1-source")


RETIRED = "✗ Sumber dana {} sudah tidak aktif: pilih sumber lain."


@pytest.mark.parametrize(
    "period,typed,name",
    [
        # A new row of the indicator that keeps Pertamina, with PLN (retired too).
        ((2026, 10), {"r-rumah-dibedah-1-source": "pln", "r-rumah-dibedah-1-value": "2"}, "PLN"),
        # Another indicator's row of the same report.
        (
            (2026, 10),
            {"r-rumah-dibangun-0-source": "pertamina", "r-rumah-dibangun-0-value": "2"},
            "Pertamina",
        ),
        # A month whose report has never used it.
        (
            (2026, 11),
            {"r-rumah-dibedah-1-source": "pertamina", "r-rumah-dibedah-1-value": "2"},
            "Pertamina",
        ),
    ],
)
def test_a_retired_source_on_a_new_row_is_refused_and_nothing_is_saved(
    operator_client, period, typed, name
):
    draft = retired_partner_draft()
    FundingSource.objects.filter(code="pln").update(active=False)
    IndicatorFactory(program=Program.objects.get(slug="gbrss"), code="rumah-dibangun", order=9)
    url = "/laporan/16.07/gbrss/{}-{:02d}/".format(*period)
    report_now = MonthlyReport.objects.filter(month=period[1]).first()
    stored = "pertamina" if report_now == draft else "apbn"
    data = {"r-rumah-dibedah-0-source": stored, "r-rumah-dibedah-0-value": "9", **typed}
    before = sorted(Realization.objects.values_list("report_id", "funding_source__code", "value"))
    reports = list(MonthlyReport.objects.values_list("pk", "version"))

    response = operator_client.post(
        url, {**data, "aksi": "simpan", "versi": report_now.version if report_now else 0}
    )

    assert response.status_code == 422
    key = next(name for name in typed if name.endswith("-source"))[2 : -len("-source")]
    assert row_messages(response, key) == [RETIRED.format(name)]
    # The refused row still shows what was sent, beside its message.
    select = find(page(response), "select", name=f"r-{key}-source")
    chosen = [o for o in find_all(select, "option") if "selected" in dict(o.attributes)]
    assert [attribute(o, "value") for o in chosen] == [typed[f"r-{key}-source"]]
    after = sorted(Realization.objects.values_list("report_id", "funding_source__code", "value"))
    assert after == before
    assert list(MonthlyReport.objects.values_list("pk", "version")) == reports


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("id", "✗ Sumber dana Swadaya masyarakat sudah tidak aktif: pilih sumber lain."),
        ("en", "✗ Funding source Community self-help is no longer active: choose another source."),
    ],
)
def test_a_retired_generic_source_is_named_in_the_readers_language(
    operator_client, language, message
):
    """The refusal of a retired source named it as stored: an English page read "Funding
    source Swadaya masyarakat is no longer active", though the source's own option reads
    "Community self-help"."""
    FundingSource.objects.filter(code="swadaya").update(active=False)
    operator_client.cookies["bahasa"] = language
    response = operator_client.post(
        "/laporan/16.07/gbrss/2026-11/",
        {
            "r-rumah-dibedah-0-source": "swadaya",
            "r-rumah-dibedah-0-value": "2",
            "aksi": "simpan",
            "versi": 0,
        },
    )
    assert response.status_code == 422
    assert row_messages(response, "rumah-dibedah-0") == [message]
    assert not MonthlyReport.objects.exists()


def test_a_row_with_a_retired_source_can_still_be_removed(operator_client):
    draft = retired_partner_draft()

    response = operator_client.post(
        "/laporan/16.07/gbrss/2026-10/",
        {
            "r-rumah-dibedah-0-source": "apbn",
            "r-rumah-dibedah-0-value": "7",
            "aksi": "simpan",
            "versi": draft.version,
        },
    )

    assert response.status_code == 302
    assert list(draft.realizations.values_list("funding_source__code", "value")) == [
        ("apbn", Decimal(7))
    ]


def preselected(html, name: str) -> str | None:
    """The value of the option a select starts on (None: none marked, the first shown)."""
    options = find_all(find(html, "select", name=name), "option")
    marked = [o for o in options if "selected" in dict(o.attributes)]
    return attribute(marked[0], "value") if marked else None


def test_a_new_source_row_starts_on_a_source_no_other_row_has(operator_client):
    """ "+ Tambah sumber dana" gave a row on the first source of the list (Tidak dirinci),
    the one the first row already had: typing a value in it answered "Sumber dana ini
    sudah diisi di baris lain". The new row now starts on the first source not taken."""
    url = "/laporan/16.07/gbrss/2026-10/"
    first = page(
        operator_client.get(
            url + "baris/",
            {"indikator": "rumah-dibedah", "r-rumah-dibedah-0-source": "tidak-dirinci"},
            HTTP_HX_REQUEST="true",
        )
    )
    taken = preselected(first, "r-rumah-dibedah-1-source")
    assert taken not in ("tidak-dirinci", None)
    second = page(
        operator_client.get(
            url + "baris/",
            {
                "indikator": "rumah-dibedah",
                "r-rumah-dibedah-0-source": "tidak-dirinci",
                "r-rumah-dibedah-1-source": taken,
            },
            HTTP_HX_REQUEST="true",
        )
    )
    assert preselected(second, "r-rumah-dibedah-2-source") not in ("tidak-dirinci", taken, None)


# A version or a count written in other digits: Arabic-Indic, full-width, superscript.
# int() reads the first two as 1 (the third not at all); the form writes ASCII digits.
OTHER_DIGITS = ["١", "１"]


@pytest.mark.parametrize("versi", OTHER_DIGITS)
def test_a_version_in_other_digits_saves_nothing(operator_client, versi):
    """The hidden `versi` of a form opened at version 1, sent as "١" or "１": not the
    version the form was opened at, so nothing is saved and the page says why, as for
    any other version that is not the report's (int() read them as 1 and saved)."""
    url = "/laporan/16.07/gbrss/2026-10/"
    rows = {"r-rumah-dibedah-0-source": "apbn", "r-rumah-dibedah-0-value": "3"}
    assert operator_client.post(url, {**rows, "aksi": "simpan", "versi": "0"}).status_code == 302
    response = operator_client.post(
        url, {**rows, "r-rumah-dibedah-0-value": "4", "aksi": "simpan", "versi": versi}
    )
    assert response.status_code == 409
    saved = MonthlyReport.objects.get()
    assert saved.version == 1
    assert saved.realizations.get().value == 3
    # A new report (no version yet) is not created from such a version either.
    other = operator_client.post(
        "/laporan/16.07/gbrss/2026-09/", {**rows, "aksi": "simpan", "versi": "٠"}
    )
    assert other.status_code == 422
    assert MonthlyReport.objects.count() == 1


def test_a_row_number_in_other_digits_is_no_row_of_the_form(operator_client):
    """The "add a source" request names the rows already there, r-<code>-<n>-source; an n
    written "²" (a digit to str.isdigit, not to int()) failed the request with a 500."""
    url = "/laporan/16.07/gbrss/2026-10/baris/"
    for n in ("²", "３", "١"):
        response = operator_client.get(
            url,
            {"indikator": "rumah-dibedah", f"r-rumah-dibedah-{n}-source": "apbn"},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200, n
        assert find(page(response), "select", name="r-rumah-dibedah-1-source")
