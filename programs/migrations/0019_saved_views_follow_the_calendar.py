"""Saved views kept before links left the default period out follow the calendar.

A view saved from a page on its default period stored that period: tahun (always) and
bulan (before the last stop), "?tahun=2026&bulan=10" for a view saved on 1 December 2026,
so it stayed on October 2026 where its list promises "always the latest figures". A
view whose year and month were the default period of the day it was saved (in Jakarta,
by the pages' rule: the latest month whose reports were due, or the running month on the
completeness grid; the running year once its January was due) loses them, and opens the
latest period when it is opened. A year or month the user chose is kept."""

import datetime as dt
from urllib.parse import parse_qsl, urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations

COUNTED = ("submitted", "verified")  # MonthlyReport.COUNTED_STATUSES
COMPLETENESS = "/kelengkapan/"  # its default month is the running one


def _due(year: int, month: int) -> dt.date:
    """programs.reporting.deadlines.due_date, as of this migration."""
    day = settings.REPORT_DUE_DAY
    return dt.date(year + 1, 1, day) if month == 12 else dt.date(year, month + 1, day)


def _last_closed(year: int, day: dt.date) -> int | None:
    closed = [m for m in range(1, 13) if _due(year, m) < day]
    return closed[-1] if closed else None


def _default_year(day: dt.date, report_years: set, target_years: set) -> int:
    """selectors.default_year on `day` (the years with data are today's)."""
    if day.year in report_years and _last_closed(day.year, day):
        return day.year
    earlier = [y for y in report_years | target_years if y < day.year]
    return max(earlier) if earlier else day.year


def _default_month(year: int, day: dt.date, path: str) -> int:
    """selectors.default_month (running_month on the completeness grid) on `day`."""
    if path == COMPLETENESS:
        return day.month if year == day.year else 12
    closed = _last_closed(year, day)
    if closed is not None:
        return closed
    return 1 if year <= day.year else 12


def unpinned_query(query: str, path: str, day: dt.date, years: tuple[set, set]) -> str:
    """`query` without its tahun and bulan when they were the default period on `day`."""
    params = parse_qsl(query, keep_blank_values=True)
    values = dict(params)
    tahun, bulan = values.get("tahun", ""), values.get("bulan")
    if not (tahun.isascii() and tahun.isdigit()) or int(tahun) != _default_year(day, *years):
        return query  # no year, or one the user chose
    if bulan is not None:
        if not (bulan.isascii() and bulan.isdigit()):
            return query
        if int(bulan) != _default_month(int(tahun), day, path):
            return query  # a month the user chose
    return urlencode([(k, v) for k, v in params if k not in ("tahun", "bulan")])


def forwards(apps, schema_editor):
    SavedView = apps.get_model("programs", "SavedView")
    MonthlyReport = apps.get_model("programs", "MonthlyReport")
    Target = apps.get_model("programs", "Target")
    views = SavedView.objects.filter(query__contains="tahun=").order_by("pk")
    if not views.exists():
        return
    years = (
        set(
            MonthlyReport.objects.filter(status__in=COUNTED)
            .values_list("year", flat=True)
            .distinct()
        ),
        set(Target.objects.values_list("year", flat=True).distinct()),
    )
    zone = ZoneInfo(settings.TIME_ZONE)
    for view in views.iterator():
        day = view.created_at.astimezone(zone).date()
        query = unpinned_query(view.query, view.path, day, years)
        if query == view.query:
            continue
        # The same page saved both ways is one view now.
        twin = SavedView.objects.filter(user_id=view.user_id, path=view.path, query=query)
        if twin.exclude(pk=view.pk).exists():
            view.delete()
            continue
        view.query = query
        view.save(update_fields=["query"])


class Migration(migrations.Migration):
    dependencies = [("programs", "0018_exemption_month_help")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
