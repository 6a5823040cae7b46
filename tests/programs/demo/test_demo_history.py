"""The demo's audit trail: every seeded report carries the history the services would
have written (saved, submitted by the regency's operator, returned or verified by
`verifikator`), so its report page, the admin's history and an operator's first change
read as they do for a report made in the app."""

import datetime as dt
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model

from programs.demo.holidays import DAYS_OFF
from programs.models import Comment, LockException, MonthlyReport, Realization
from programs.reporting import deadlines
from tests.helpers import cells, element_text, find, find_all, form_fields, login, page
from tests.programs.conftest import LIVE_DEMO_NOW, seed_live_demo
from tests.shared_db import once_per_module

User = get_user_model()
Status = MonthlyReport.Status
JAKARTA = ZoneInfo("Asia/Jakarta")
# The live demo is seeded once for this module (tests/shared_db.py).
live_demo_once = once_per_module(seed_live_demo)


def timeline(response) -> list[list[str]]:
    """The report page's "Riwayat perubahan": (when, who, what, why), newest first."""
    table = find(page(response), "table", id="timeline")
    return [cells(row) for row in find_all(find(table, "tbody"), "tr")]


def entry_url(report: MonthlyReport) -> str:
    return f"/laporan/{report.regency_id}/{report.program.slug}/{report.year}-{report.month:02d}/"


def test_a_verified_demo_report_says_who_submitted_and_verified_it_and_when(live_demo):
    report = (
        MonthlyReport.objects.filter(regency="16.07", year=2026, status=Status.VERIFIED)
        .select_related("program")
        .order_by("month", "program__order")
        .first()
    )
    rows = timeline(login(User.objects.get(username="operator-1607")).get(entry_url(report)))
    whos = {who for _when, who, _what, _why in rows}
    assert whos == {"operator-1607", "verifikator"}
    status_rows = [(who, what, why) for _when, who, what, why in rows if what.startswith("Status")]
    assert status_rows[0] == ("verifikator", "Status: Diajukan → Terverifikasi", "Diverifikasi")
    assert ("operator-1607", "Diajukan") in {(who, why) for who, _what, why in status_rows}
    assert status_rows[-1][1] in ("Status: – → Draf", "Status: – → Diajukan")
    # The figures as first written, by the operator: never "– → ..." at the first change.
    values = [row for row in rows if not row[2].startswith("Status")]
    assert values and all(who == "operator-1607" and "– →" in what for _w, who, what, _y in values)
    # Dates in the month after the report's month, in Jakarta office hours.
    verified_on = report.verified_at.astimezone(JAKARTA)
    assert rows[0][0].startswith(f"{verified_on.day} ") and rows[0][0].endswith(
        f"{verified_on:%H:%M}"
    )
    first = report.history.earliest().history_date.astimezone(JAKARTA)
    assert (first.year, first.month) == (2026, report.month + 1) and 8 <= first.hour < 17


def test_an_operators_first_change_to_a_demo_report_reads_old_to_new(live_demo):
    """Saving a seeded draft read "– → 7.413" in the report's history, as if the
    figure had never been there: it now reads from the figure the demo wrote."""
    report = (
        MonthlyReport.objects.filter(
            is_demo=True,
            regency__isnull=False,
            year=2026,
            month=10,
            status__in=(Status.DRAFT, Status.RETURNED),
            realizations__value__gt=10,
            realizations__indicator__measure="increment",
        )
        .select_related("program")
        .order_by("regency_id", "program__order")
        .first()
    )
    row = report.realizations.filter(indicator__measure="increment", value__gt=10).first()
    operator = login(User.objects.get(username=f"operator-{report.regency_id.replace('.', '')}"))
    fields = form_fields(operator.get(entry_url(report)))
    key = next(
        name[: -len("-value")]
        for name, value in fields.items()
        if name.endswith("-value")
        and fields[name[: -len("-value")] + "-source"] == row.funding_source.code
        and name.startswith(f"r-{row.indicator.code}-")
    )
    old = int(row.value)
    fields[f"{key}-value"] = str(old + 1)
    response = operator.post(entry_url(report), {**fields, "aksi": "simpan"})
    assert response.status_code in (200, 302)
    row.refresh_from_db()
    assert row.value == old + 1
    rows = timeline(operator.get(entry_url(report)))
    changed = next(what for _when, _who, what, _why in rows if not what.startswith("Status"))
    shown_old = f"{old:,}".replace(",", ".")
    shown_new = f"{old + 1:,}".replace(",", ".")
    assert changed.endswith(f": {shown_old} → {shown_new}"), changed


def test_a_returned_demo_report_says_who_returned_it_and_why(live_demo):
    report = (
        MonthlyReport.objects.filter(regency="16.07", year=2026, month=10, status=Status.RETURNED)
        .select_related("program")
        .order_by("program__order")
        .first()
    )
    response = login(User.objects.get(username="operator-1607")).get(entry_url(report))
    returned = [
        (who, what, why) for _when, who, what, why in timeline(response) if "Dikembalikan" in what
    ]
    assert returned == [
        (
            "verifikator",
            "Status: Diajukan → Dikembalikan",
            f"Dikembalikan: {report.return_reason}",
        )
    ]
    # The reason opens the report's conversation, as a verifier's return does.
    thread = find(page(response), "ol", class_="comment-thread")
    assert "verifikator" in element_text(thread) and report.return_reason in element_text(thread)


def test_every_demo_report_has_the_trail_the_services_would_have_written(live_demo):
    users = dict(User.objects.values_list("pk", "username"))
    now = dt.datetime(2026, 11, 29, 9, 0, tzinfo=dt.UTC)
    records = defaultdict(list)
    for record in (
        MonthlyReport.history.filter(is_demo=True)
        .order_by("history_date", "history_id")
        .values(
            "id",
            "history_type",
            "history_date",
            "history_user_id",
            "history_change_reason",
            "status",
            "version",
        )
    ):
        records[record["id"]].append(record)
    first_writes = {}
    # Months opened for correction after their lock: slot -> (granted at, until).
    opened = {
        (e.regency_id, e.program_id, e.year, e.month): (e.granted_at, e.until)
        for e in LockException.objects.all()
    }
    reports = MonthlyReport.objects.filter(is_demo=True).values(
        "pk",
        "regency_id",
        "year",
        "month",
        "status",
        "version",
        "created_at",
        "updated_at",
        "first_submitted_at",
        "created_by_id",
        "program_id",
    )
    assert len(reports) > 2000
    for report in reports:
        trail = records[report["pk"]]
        assert [r["history_type"] for r in trail] == ["+"] + ["~"] * (len(trail) - 1)
        assert [r["version"] for r in trail] == list(range(1, report["version"] + 1))
        assert trail[-1]["status"] == report["status"]
        assert trail[0]["history_date"] == report["created_at"]
        assert trail[-1]["history_date"] == report["updated_at"]
        year, month = (report["year"], report["month"] + 1)
        if month == 13:
            year, month = year + 1, 1
        closed = dt.datetime(year, month, 1, tzinfo=JAKARTA)  # the month after the report's
        lock = deadlines.lock_date(report["year"], report["month"])
        operator = (
            "admin"
            if report["regency_id"] is None
            else "operator-" + report["regency_id"].replace(".", "")
        )
        for record in trail:
            assert closed <= record["history_date"] <= now, (report, record)
            who = users[record["history_user_id"]]
            reason = record["history_change_reason"]
            if reason in ("Disimpan sebagai draf", "Diajukan"):
                assert who == operator, (report, record)
                day = record["history_date"].astimezone(JAKARTA).date()
                if day > lock:  # only in a month the verifier opened for correction
                    key = (report["regency_id"], report["program_id"])
                    granted, until = opened[(*key, report["year"], report["month"])]
                    assert granted <= record["history_date"] and day <= until, (report, record)
            else:
                assert who == "verifikator", (report, record)
                assert reason in ("Diverifikasi", "Diterbitkan (laporan provinsi)") or (
                    reason.startswith("Dikembalikan: ")
                ), reason
        # The province's own report is published, submitted and verified at once.
        submitted = [
            r
            for r in trail
            if r["history_change_reason"] in ("Diajukan", "Diterbitkan (laporan provinsi)")
        ]
        if report["first_submitted_at"] is not None:
            assert submitted[0]["history_date"] == report["first_submitted_at"]
        first_writes[report["pk"]] = (trail[0]["history_date"], users[trail[0]["history_user_id"]])
    # Each figure was written once, with the report's first write, by the same person.
    realizations = Realization.objects.filter(report__is_demo=True)
    history = Realization.history.filter(report__is_demo=True)
    assert history.count() == realizations.count() > 5000
    for report_id, when, who in history.values_list("report_id", "history_date", "history_user"):
        assert (when, users[who]) == first_writes[report_id]
    # Most first submissions came by the due day (the 10th of the next month).
    on_time = [
        deadlines.submitted_on_time(r["year"], r["month"], r["first_submitted_at"])
        for r in reports
        if r["first_submitted_at"] is not None
    ]
    assert sum(on_time) > 0.6 * len(on_time) and not all(on_time)


def test_the_admin_history_of_a_demo_report_reads_who_verified_it(live_demo, admin_client):
    report = MonthlyReport.objects.filter(regency="16.07", status=Status.VERIFIED).first()
    response = admin_client.get(f"/admin/programs/monthlyreport/{report.pk}/history/")
    rows = find_all(find(page(response), "table", id="change-history"), "tr")
    text = " ".join(element_text(row) for row in rows)
    assert "verifikator" in text and "operator-1607" in text and "Diverifikasi" in text


def test_every_demo_action_falls_in_office_hours_on_a_working_day(live_demo):
    """The demo's verifier verified reports as late as 23:00 and on Sundays: operators
    and the verifier now act between 08:00 and 16:00 WIB on working days, and only a
    submission after the due day may come at any hour (of a working day). A working day
    is not a national holiday nor a day of collective leave either (they acted on
    Idulfitri and Christmas): `programs/demo/holidays.py`."""
    reports = {r.pk: r for r in MonthlyReport.objects.filter(is_demo=True)}
    records = MonthlyReport.history.filter(is_demo=True).values_list(
        "id", "history_date", "history_change_reason", "first_submitted_at"
    )
    assert len(records) > 5000
    late = 0
    for report_id, when, reason, first_submitted in records:
        local = when.astimezone(JAKARTA)
        assert local.weekday() < 5, (reports[report_id], local, reason)
        assert local.date() not in DAYS_OFF, (reports[report_id], local, reason)
        if 8 <= local.hour < 16:
            continue
        report = reports[report_id]
        assert reason == "Diajukan" and first_submitted == when, (report, local, reason)
        assert not deadlines.submitted_on_time(report.year, report.month, when), (report, local)
        late += 1
    comments = Comment.objects.filter(report__is_demo=True).values_list("created_at", flat=True)
    assert comments and all(
        c.astimezone(JAKARTA).weekday() < 5
        and c.astimezone(JAKARTA).date() not in DAYS_OFF
        and 8 <= c.astimezone(JAKARTA).hour < 16
        for c in comments
    )
    # The story's exceptions, granted the working day after the month locked (the others
    # are granted when the demo is made).
    granted = LockException.objects.filter(granted_at__lt=LIVE_DEMO_NOW).values_list(
        "granted_at", flat=True
    )
    assert granted and all(
        g.astimezone(JAKARTA).weekday() < 5 and g.astimezone(JAKARTA).date() not in DAYS_OFF
        for g in granted
    )
    assert late  # some late submissions came in the evening


def test_return_reasons_fit_whether_the_program_has_funding_sources(live_demo):
    """A stunting (GPStSS) report was returned for "Rincian per sumber dana ..." although
    that program reports no funding breakdown: a verifier asks about funding sources and
    partners only on a program whose figures are broken down by them."""
    broken_down = set(
        Realization.objects.exclude(funding_source__code="tidak-dirinci").values_list(
            "report__program__slug", flat=True
        )
    )
    assert {"gbrss", "gpsss"} <= broken_down and not {"gpstss", "gpiss"} & broken_down
    reasons = list(
        Comment.objects.filter(kind=Comment.Kind.RETURN, report__is_demo=True).values_list(
            "report__program__slug", "text"
        )
    )
    assert {slug for slug, _text in reasons} - broken_down  # those are returned too
    assert {slug for slug, _text in reasons} & broken_down
    for slug, text in reasons:
        if slug not in broken_down:
            assert "sumber dana" not in text and "mitra" not in text.lower(), (slug, text)
