"""Reporting obligations: a regency exempted from a program is "tidak wajib", never
missing or late, and is left out of completeness and timeliness rates."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from programs.dashboards import selectors as dashboards
from programs.models import FundingSource, MonthlyReport, Program, ReportingExemption
from programs.reporting import reminders
from programs.reporting.selectors import operator_months
from regencies.models import Regency, UserScope
from tests.factories import MonthlyReportFactory, RealizationFactory, TargetFactory, UserFactory
from tests.helpers import (
    attribute,
    cells,
    element_text,
    error_messages,
    find,
    find_all,
    login,
    page,
    table_row,
)

Status = MonthlyReport.Status
BPS_CITIES = {"16.71", "16.73", "16.03", "16.02"}  # fixtures/REPORTING-OBLIGATIONS.md


@pytest.fixture
def clock():
    with time_machine.travel(dt.datetime(2026, 11, 29, 9, tzinfo=dt.UTC), tick=False):
        yield


def submit(code, slug, year, month):
    return MonthlyReportFactory(
        program=Program.objects.get(slug=slug),
        regency=Regency.objects.get(code=code),
        year=year,
        month=month,
        status=Status.VERIFIED,
        verified_at=timezone.now(),
        submitted_at=dt.datetime(year, month, 28, tzinfo=dt.UTC),
        first_submitted_at=dt.datetime(year, month, 28, tzinfo=dt.UTC),
    )


def test_only_the_bps_inflation_cities_must_report_gpiss(reference_data):
    exempt = set(
        ReportingExemption.objects.filter(program__slug="gpiss", indicator=None).values_list(
            "regency_id", flat=True
        )
    )
    real = set(Regency.objects.real().values_list("code", flat=True))
    assert real - exempt == BPS_CITIES
    assert all(e.source_url and e.reason for e in ReportingExemption.objects.all())


def test_a_grid_row_holds_the_states_asked_one_cell_at_a_time(reference_data, clock):
    """The completeness grid reads whole rows (`row`, which skips the exemption check
    for regencies without one); the regency page asks cell by cell. Both say the same,
    for exempt cities and obliged ones, reported months, missing ones and months ahead,
    and for an exemption covering only some months."""
    gpiss = Program.objects.get(slug="gpiss")
    submit("16.71", "gpiss", 2026, 9)
    ReportingExemption.objects.create(
        regency_id="16.73",
        program=gpiss,
        start=dt.date(2026, 3, 1),
        end=dt.date(2026, 5, 1),
        reason="Uji: tiga bulan",
    )
    states = dashboards.reporting_states(
        regency_codes=None, programs=[gpiss], year=2026, today=timezone.localdate()
    )
    months = list(range(1, 13))
    for code in Regency.objects.values_list("code", flat=True):
        assert states.row(code, gpiss.pk, months) == [states[(code, gpiss.pk, m)] for m in months]
    lubuklinggau = [c.state for c in states.row("16.73", gpiss.pk, months)]
    assert lubuklinggau[1:6] == [
        "missing",
        "not_required",
        "not_required",
        "not_required",
        "missing",
    ]
    assert [c.state for c in states.row("16.71", gpiss.pk, [9, 11])] == ["verified", "not_due"]


def test_gpiss_completeness_counts_only_the_obliged_cities(reference_data, clock):
    gpiss = Program.objects.get(slug="gpiss")
    for code in ("16.71", "16.73"):  # two of the four cities report September 2026
        submit(code, "gpiss", 2026, 9)
    grid = dashboards.completeness_grid(program=gpiss, year=2026)
    banyuasin = next(r for r in grid.rows if r.regency.code == "16.07")
    assert {c.state for c in banyuasin.cells} == {"not_required"}
    assert banyuasin.due == 0 and banyuasin.rate is None
    palembang = next(r for r in grid.rows if r.regency.code == "16.71")
    assert palembang.due == 10  # January-October are due on 29 November
    assert grid.due == 4 * 10 and grid.submitted == 2
    month, summary = dashboards.completeness_summary(year=2026)
    assert month == 10
    expected = {s.program.slug: s.expected for s in summary}
    assert expected["gpiss"] == 4 and expected["gbrss"] == 17


def test_pages_show_tidak_wajib(reference_data, clock):
    gpiss = Program.objects.get(slug="gpiss")
    user = UserFactory(username="pimpinan-uji")
    UserScope.objects.create(user=user, role=UserScope.Role.PIMPINAN)
    client = Client()
    client.force_login(user)
    completeness = client.get("/kelengkapan/", {"program": "gpiss", "tahun": 2026, "bulan": 12})
    # Banyuasin is not a BPS inflation city: its GPISS months are "tidak wajib".
    banyuasin = table_row(completeness, "completeness-grid", "16.07")
    months = find_all(banyuasin, "td", data_state="not_required")
    # Every month shown, due or not: up to November, as December has not begun.
    assert len(months) == 11
    # Without a month: January to the running month (November on 29 November).
    running = client.get("/kelengkapan/", {"program": "gpiss", "tahun": 2026})
    assert len(find_all(table_row(running, "completeness-grid", "16.07"), "td")) == 11 + 2
    assert {element_text(find(cell, class_="visually-hidden")) for cell in months} == {
        "Tidak wajib"
    }
    overview = client.get("/", {"tahun": 2026})
    assert gpiss.indicators.filter(is_headline=True).exists()
    cell = find(table_row(overview, "scorecard", "16.07"), "td", data_program="gpiss")
    assert "cell-not_required" in attribute(cell, "class").split()
    assert element_text(cell) == "Tidak wajib"


def test_program_page_does_not_rank_a_regency_exempt_from_the_program(reference_data, clock):
    """A regency exempt from a program for the month is "tidak wajib" on the program
    page as on the overview's scorecard: its figures stay in the table, last, but it has
    no bar and its map area is not coloured behind or on track."""
    houses = Program.objects.get(slug="gbrss").indicators.get(code="rumah-dibedah")
    for code, value in (("16.07", 10), ("16.01", 40)):
        TargetFactory(indicator=houses, regency_id=code, year=2026, value=Decimal(100))
        report = submit(code, "gbrss", 2026, 9)
        RealizationFactory(
            report=report,
            indicator=houses,
            funding_source=FundingSource.objects.get(code="apbd-prov"),
            value=Decimal(value),
        )
    ReportingExemption.objects.create(
        regency_id="16.07",
        program=houses.program,
        start=dt.date(2026, 1, 1),
        reason="Uji: dibebaskan",
    )
    response = Client().get("/program/gbrss/", {"tahun": 2026, "bulan": 10})
    html = page(response)
    rows = find_all(find(html, "table", id="regency-table"), "tr", data_regency="16.07")
    assert element_text(find(rows[0], "td", data_not_required="")) == "Tidak wajib"
    order = [
        attribute(r, "data-regency") for r in find_all(html, "tr") if attribute(r, "data-regency")
    ]
    assert order.index("16.07") > order.index("16.01")  # listed, after the ranked ones
    bars = find(html, "ol", id="achievement-bars")
    assert [attribute(li, "data-regency") for li in find_all(bars, "li")] == ["16.01"]
    area = find(find(html, "svg", id="program-map"), "a", data_regency="16.07")
    assert attribute(area, "data-status") == "not_required"
    # Overview and program page agree, and so do their exports.
    overview = Client().get("/", {"tahun": 2026, "bulan": 10})
    cell = find(table_row(overview, "scorecard", "16.07"), "td", data_program="gbrss")
    assert element_text(cell) == "Tidak wajib"
    for url in ("/unduh/program/gbrss.csv", "/unduh/rapor.csv"):
        response = Client().get(url, {"tahun": 2026, "bulan": 10})
        lines = b"".join(response.streaming_content).decode("utf-8-sig")
        banyuasin = next(line for line in lines.splitlines() if "16.07;Banyuasin" in line)
        assert "Tidak wajib" in banyuasin and "Tertinggal" not in banyuasin, url
    # The API says the same of each place.
    api = Client().get(
        "/api/v1/progress/", {"tahun": 2026, "bulan": 10, "indikator": "rumah-dibedah"}
    )
    by_place = {row["regency"]: row for row in api.json()["results"]}
    assert (by_place["16.07"]["status"], by_place["16.07"]["status_label"]) == (
        "not_required",
        "Tidak wajib",
    )
    assert by_place["16.07"]["required"] is False
    assert by_place["16.01"]["required"] is True and by_place["16.01"]["status"] != "not_required"
    assert by_place[None]["required"] is None


def test_operator_sees_tidak_wajib_and_gets_no_reminder(reference_data, clock):
    user = UserFactory(username="op-banyuasin", email="op@sumselprov.go.id")
    UserScope.objects.create(user=user, role=UserScope.Role.OPERATOR, regency_id="16.07")
    months = operator_months(user=user, year=2026)
    gpiss = [m for m in months if m.program.slug == "gpiss"]
    assert gpiss and all(not m.required and not m.needs_action for m in gpiss)
    assert all(str(m.status_label) == "Tidak wajib" for m in gpiss)
    # Not "Tidak wajib · terkunci" for the months that have locked: nothing is locked away.
    html = page(login(user).get("/laporan/", {"tahun": 2026}))
    rows = find_all(find(html, "table", id="my-reports"), "tr", data_program="gpiss")
    assert len(rows) == 11 and {cells(row)[2] for row in rows} == {"Tidak wajib"}
    # Reminders on 5 December name November's programs, but never GPISS for Banyuasin.
    with time_machine.travel(dt.datetime(2026, 12, 5, 9, tzinfo=dt.UTC), tick=False):
        due = dict(reminders.reminders_due(days=7))
    assert due[user] and "gpiss" not in {program.slug for program, *_ in due[user]}


def test_every_indicator_exempt_one_by_one_is_a_month_not_required_everywhere(
    reference_data, clock
):
    """GPStSS's two indicators exempted one by one for Banyuasin from November (as left by
    a whole-program exemption that ended, or was deleted, beside them): the report page
    had nothing to fill in while the to-do list, reminders and completeness page counted
    the month as owed ("Belum diisi · batas 10 Desember 2026")."""
    gpstss = Program.objects.get(slug="gpstss")
    for indicator in gpstss.indicators.all():
        ReportingExemption.objects.create(  # as stored, whatever the admin's rules
            regency_id="16.07",
            program=gpstss,
            indicator=indicator,
            start=dt.date(2026, 11, 1),
            reason="Uji",
        )
    user = UserFactory(username="op-banyuasin", email="op@sumselprov.go.id")
    UserScope.objects.create(user=user, role=UserScope.Role.OPERATOR, regency_id="16.07")
    by_month = {m.month: m for m in operator_months(user=user, year=2026) if m.program == gpstss}
    assert by_month[10].required and not by_month[11].required
    assert str(by_month[11].status_label) == "Tidak wajib" and not by_month[11].needs_action
    with time_machine.travel(dt.datetime(2026, 12, 5, 9, tzinfo=dt.UTC), tick=False):
        due = dict(reminders.reminders_due(days=7))
    reminded = {(r.program.slug, r.month) for r in due[user]}
    assert ("gpstss", 10) in reminded and ("gpstss", 11) not in reminded
    client = Client()
    client.force_login(UserFactory(username="pimpinan-uji", is_superuser=True))
    grid = client.get("/kelengkapan/", {"program": "gpstss", "tahun": 2026, "bulan": 11})
    banyuasin = table_row(grid, "completeness-grid", "16.07")
    assert [attribute(c, "data-state") for c in find_all(banyuasin, "td")][9:11] == [
        "missing",
        "not_required",
    ]


@pytest.mark.parametrize(
    "language, not_required, action",
    [("id", "Tidak wajib", "Lihat"), ("en", "Not required", "View")],
)
def test_a_month_not_required_reads_the_same_everywhere_and_offers_nothing_to_fill_in(
    reference_data, clock, language, not_required, action
):
    """Banyuasin need not report GPISS: its months offered "Fill in" (in Indonesian "Isi
    laporan") beside "Not required", though the form has nothing to fill in; and the API,
    pages and exports said "tidak wajib" in lower case beside "Tertinggal"."""
    user = UserFactory(username="op-banyuasin", email="op@sumselprov.go.id")
    UserScope.objects.create(user=user, role=UserScope.Role.OPERATOR, regency_id="16.07")
    client = Client()
    client.force_login(user)
    client.post("/bahasa/", {"language": language, "next": "/"})
    html = page(client.get("/laporan/", {"tahun": 2026}))
    rows = find_all(find(html, "table", id="my-reports"), "tr", data_program="gpiss")
    assert rows and {cells(row)[2].split(" · ")[0] for row in rows} == {not_required}
    assert {cells(row)[-1] for row in rows} == {action}
    api = client.get("/api/v1/progress/", {"tahun": 2026, "bulan": 10, "program": "gpiss"})
    by_place = {row["regency"]: row for row in api.json()["results"]}
    assert by_place["16.07"]["status_label"] == not_required


def test_an_exemption_for_a_period_ends(reference_data, clock):
    ReportingExemption.objects.create(
        regency_id="16.01",
        program=Program.objects.get(slug="gbrss"),
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 3, 1),
        reason="Bencana banjir: kantor tidak beroperasi",
    )
    grid = dashboards.completeness_grid(program=Program.objects.get(slug="gbrss"), year=2026)
    oku = next(r for r in grid.rows if r.regency.code == "16.01")
    states = [c.state for c in oku.cells]
    assert states[:3] == ["not_required"] * 3 and states[3] == "missing"
    assert oku.due == 7


def test_admin_manages_exemptions_with_history(reference_data):
    admin = UserFactory(username="admin-uji", is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(admin)
    gbrss = Program.objects.get(slug="gbrss")
    response = client.post(
        "/admin/programs/reportingexemption/add/",
        {
            "regency": "16.01",
            "program": gbrss.pk,
            "start": "2026-02-14",
            "reason": "Pemekaran wilayah",
            "source_url": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    exemption = ReportingExemption.objects.get(regency="16.01", program=gbrss)
    assert exemption.start == dt.date(2026, 2, 1)  # a month, stored as its first day
    record = exemption.history.get()
    assert record.history_user == admin and record.history_change_reason == "Pemekaran wilayah"
    assert client.get("/admin/programs/reportingexemption/").status_code == 200
    history = client.get(f"/admin/programs/reportingexemption/{exemption.pk}/history/")
    table = find(page(history), "table", id="change-history")
    assert "Tidak wajib mulai bulan" in [element_text(th) for th in find_all(table, "th")]
    [record_row] = [row for row in find_all(table, "tr") if find_all(row, "td")]
    assert "Pemekaran wilayah" in cells(record_row)
    # An indicator of another program is refused, with a message, and nothing is saved.
    other = gbrss.indicators.first()
    response = client.post(
        "/admin/programs/reportingexemption/add/",
        {
            "regency": "16.02",
            "program": Program.objects.get(slug="gpsss").pk,
            "indicator": other.pk,
            "start": "2026-02-01",
            "reason": "x",
        },
    )
    assert response.status_code == 200
    indicator_errors = error_messages(find(page(response), "div", class_="field-indicator"))
    assert any("bukan bagian dari program" in error for error in indicator_errors)
    assert not ReportingExemption.objects.filter(regency="16.02").exists()


def test_overview_ranking_map_and_behind_list_leave_tidak_wajib_out(reference_data, clock):
    """Issue 14's overview (ranking tie-break, map status, who is behind) counts only the
    programs a regency must report: Banyuasin's GPISS is neither behind nor a zero."""
    board = dashboards.scorecard(year=2026, month=10, verified_only=True)
    banyuasin = next(r for r in board.rows if r.regency.code == "16.07")
    gpiss = next(c for c in banyuasin.cells if c.program.slug == "gpiss")
    assert not gpiss.required and gpiss.progress is None
    assert "gpiss" not in {p.slug for p in banyuasin.behind_programs}
    obliged = [c for c in banyuasin.cells if c.required]
    assert banyuasin.obliged == len(obliged) == len(banyuasin.cells) - 1
    # Nothing reported yet: the mean over the obliged programs only (0), not diluted.
    assert banyuasin.mean_achievement == 0
    for row in board.rows:
        assert {p.slug for p in row.behind_programs} <= {
            c.program.slug for c in row.cells if c.required
        }


def test_nothing_is_due_before_a_programs_launch(reference_data, clock):
    """GBRSS was launched on 21 February 2024: its January 2024 report was never due.
    The grid, the overview's summary and the operator's list agree; February, the month
    of the launch, is due. A report that exists for January anyway is shown, not hidden."""
    gbrss = Program.objects.get(slug="gbrss")
    assert gbrss.launch_date == dt.date(2024, 2, 21)
    submit("16.07", "gbrss", 2024, 2)
    submit("16.01", "gbrss", 2024, 1)
    grid = dashboards.completeness_grid(program=gbrss, year=2024)
    banyuasin = next(r for r in grid.rows if r.regency.code == "16.07")
    assert [c.state for c in banyuasin.cells[:3]] == ["not_required", "verified", "missing"]
    assert banyuasin.due == 11 and banyuasin.submitted == 1
    oku = next(r for r in grid.rows if r.regency.code == "16.01")
    assert oku.cells[0].state == "verified" and oku.due == 12
    assert grid.due == 16 * 11 + 12
    _month, summary = dashboards.completeness_summary(year=2024, up_to=1)
    january = {s.program.slug: s for s in summary}["gbrss"]
    assert (january.expected, january.verified) == (1, 1)  # only the regency that reported
    _month, summary = dashboards.completeness_summary(year=2024)
    assert {s.program.slug: s.expected for s in summary}["gbrss"] == 17
    user = UserFactory(username="op-banyuasin")
    UserScope.objects.create(user=user, role=UserScope.Role.OPERATOR, regency_id="16.07")
    january = [
        m for m in operator_months(user=user, year=2024) if m.program == gbrss and m.month == 1
    ]
    assert january and not january[0].required and not january[0].needs_action
    # A year wholly before the launch has nothing due at all.
    assert dashboards.completeness_grid(program=gbrss, year=2023).due == 0
    # The page says so too.
    client = Client()
    client.force_login(UserFactory(username="pimpinan-uji", is_superuser=True))
    response = client.get("/kelengkapan/", {"program": "gbrss", "tahun": 2024, "bulan": 12})
    row = table_row(response, "completeness-grid", "16.07")
    assert attribute(find(row, "td"), "data-state") == "not_required"


def test_a_grid_row_agrees_with_the_cell_by_cell_rules(reference_data, clock):
    """`ReportingStates.row` takes a short cut for regencies without exemption rows (the
    launch month alone decides); it must give the very cells the per-cell rule gives, for
    a year before, of and after the launch, with pre-launch reports and exemptions."""
    gbrss = Program.objects.get(slug="gbrss")
    submit("16.01", "gbrss", 2024, 1)  # before the launch, reported anyway
    submit("16.07", "gbrss", 2024, 2)
    submit("16.07", "gbrss", 2025, 3)
    ReportingExemption.objects.create(
        regency_id="16.02",
        program=gbrss,
        start=dt.date(2024, 5, 1),
        end=dt.date(2024, 8, 1),
        reason="Uji",
    )
    months = list(range(1, 13))
    codes = list(Regency.objects.values_list("code", flat=True))
    shortcut = 0
    for year in (2023, 2024, 2025):
        states = dashboards.reporting_states(
            regency_codes=None, programs=[gbrss], year=year, today=dt.date(2026, 11, 29)
        )
        for code in codes:
            expected = [states[(code, gbrss.pk, m)] for m in months]
            assert states.row(code, gbrss.pk, months) == expected, (year, code)
            shortcut += not states._obligations.has_exemptions(code, gbrss.pk)
    assert shortcut > 40  # most rows did take the short cut
    grid = dashboards.completeness_grid(program=gbrss, year=2024)
    due = {r.regency.code: r.due for r in grid.rows}
    assert due["16.07"] == 11 and due["16.01"] == 12 and due["16.02"] < 11


def test_operators_year_menu_starts_at_the_first_launch(reference_data, clock):
    """The programs were launched in 2024: the operator's year menu offers 2026 back to
    2024, not a 2023 in which every month would read 'terlambat'."""
    user = UserFactory(username="op-banyuasin")
    UserScope.objects.create(user=user, role=UserScope.Role.OPERATOR, regency_id="16.07")
    client = Client()
    client.force_login(user)
    menu = find(page(client.get("/laporan/")), "select", id="filter-tahun")
    assert [element_text(o) for o in find_all(menu, "option")] == ["2026", "2025", "2024"]
