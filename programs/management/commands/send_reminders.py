"""Remind operators whose monthly reports are due soon or overdue (run daily from cron):
an in-app notification (the bell) and an email enqueued through django-tasks (sent by
`manage.py db_worker`)."""

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from programs.formats import date_label, month_year_label, number
from programs.management.arguments import day_count
from programs.models import Notification
from programs.reporting.notifications import notify
from programs.reporting.reminders import Reminder, reminders_due

# PostgreSQL advisory lock key of a run (any number no other lock of the app uses).
RUN_LOCK = 0x5E4D_0001


class Command(BaseCommand):
    help = "Kirim pengingat kepada operator yang laporannya segera jatuh tempo atau terlambat."

    def add_arguments(self, parser):
        parser.add_argument(
            "--hari",
            "--days",
            dest="days",
            type=int,
            default=3,
            help="Ingatkan laporan yang jatuh tempo dalam N hari (bawaan 3) atau sudah lewat.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Tampilkan saja, jangan kirim.")

    def handle(self, *args, days: int, dry_run: bool, **options):
        days = day_count("--hari", days)
        # One run at a time, from reading who was reminded today to writing the new
        # reminders: two runs at once (a cron retry while the first still runs, a second
        # machine's cron) each read "nobody reminded yet" and each notified and mailed
        # every operator. SQLite takes its write lock when the transaction begins
        # (settings: IMMEDIATE); PostgreSQL waits here on a lock held until commit.
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RUN_LOCK])
            count = self._remind(days=days, dry_run=dry_run)
        self.stdout.write(
            _("%(n)s operator diingatkan.") % {"n": number(count)}
            + (" (dry run)" if dry_run else "")
        )

    def _remind(self, *, days: int, dry_run: bool) -> int:
        messages = []
        today = timezone.localdate()
        # Run twice the same day (a cron retry), remind once.
        reminded_today = set(
            Notification.objects.filter(
                kind=Notification.Kind.DEADLINE,
                created_at__date=today,
            ).values_list("user_id", flat=True)
        )
        due = [
            (u, p) for u, p in reminders_due(days=days, today=today) if u.pk not in reminded_today
        ]
        for user, pending in due:
            body = _("Yth. %(name)s,") % {"name": user.get_full_name() or user.get_username()}
            owed = [r for r in pending if not r.returned]
            returned = [r for r in pending if r.returned]
            if owed:
                body += "\n\n" + _("Laporan bulanan berikut belum diajukan:")
                body += "".join("\n" + _line(r) for r in owed)
            if returned:
                body += "\n\n" + _("Laporan bulanan berikut dikembalikan verifikator:")
                body += "".join("\n" + _line(r) for r in returned)
            body += "\n\n" + _(
                "Silakan isi atau perbaiki di Dasbor Gerakan Serentak Sumsel (menu Laporan)."
            )
            messages.append((user, pending, body))
            address = f"<{user.email}>" if user.email else _("(tanpa e-mail: hanya di aplikasi)")
            self.stdout.write(f"{user.get_username()} {address}: {len(pending)} laporan")
        if dry_run:
            return len(messages)
        for user, pending, body in messages:
            earliest = min(r.deadline for r in pending)
            notify(
                users=[user],
                kind=Notification.Kind.DEADLINE,
                report=None,
                message=gettext_noop(
                    "%(n)s laporan perlu diajukan atau diperbaiki (tenggat paling awal %(due)s)."
                ),
                params={"n": len(pending), "due": earliest.isoformat()},
                url=reverse("programs:my_reports"),
                email_subject=_("Pengingat laporan bulanan"),
                email_body=body,
            )
        return len(messages)


def _line(reminder: Reminder) -> str:
    """One report of a reminder: when it was due, or until when it can be fixed. A late
    one says when it locks: on 7 January November's line read only "batas 10 Desember
    2026", a date long gone, not that the month locks after 9 January."""
    values = {
        "program": reminder.program.label,
        "period": month_year_label(reminder.year, reminder.month),
        "due": date_label(reminder.due),
        "until": date_label(reminder.until),
    }
    if reminder.returned:
        return _("- %(program)s %(period)s: dikembalikan, perlu diperbaiki s.d. %(until)s") % values
    if reminder.reopened:
        return _("- %(program)s %(period)s: batas %(due)s, dibuka sampai %(until)s") % values
    if reminder.late:
        return (
            _("- %(program)s %(period)s: batas %(due)s, terlambat; dikunci setelah %(until)s")
            % values
        )
    return _("- %(program)s %(period)s: batas %(due)s") % values
