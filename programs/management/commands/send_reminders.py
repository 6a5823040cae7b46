"""Remind operators whose monthly reports are due soon or overdue (run daily from cron):
an in-app notification (the bell) and an email enqueued through django-tasks (sent by
`manage.py db_worker`)."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.formats import date_label, month_year_label, number
from programs.models import Notification
from programs.reporting.notifications import notify
from programs.reporting.reminders import reminders_due


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
        messages = []
        # Run twice the same day (a cron retry), remind once.
        reminded_today = set(
            Notification.objects.filter(
                kind=Notification.Kind.DEADLINE,
                created_at__date=timezone.localdate(),
            ).values_list("user_id", flat=True)
        )
        due = [(u, p) for u, p in reminders_due(days=days) if u.pk not in reminded_today]
        for user, pending in due:
            lines = [
                _("- %(program)s %(period)s: batas %(due)s")
                % {
                    "program": program.label,
                    "period": month_year_label(year, month),
                    "due": date_label(due),
                }
                for program, year, month, due in pending
            ]
            body = _(
                "Yth. %(name)s,\n\nLaporan bulanan berikut belum diajukan:\n%(lines)s\n\n"
                "Silakan isi di Dasbor Gerakan Serentak Sumsel (menu Laporan)."
            ) % {"name": user.get_full_name() or user.get_username(), "lines": "\n".join(lines)}
            messages.append((user, pending, body))
            address = f"<{user.email}>" if user.email else _("(tanpa e-mail: hanya di aplikasi)")
            self.stdout.write(f"{user.get_username()} {address}: {len(pending)} laporan")
        if messages and not dry_run:
            with transaction.atomic():
                for user, pending, body in messages:
                    program, year, month, due_date = pending[0]
                    notify(
                        users=[user],
                        kind=Notification.Kind.DEADLINE,
                        report=None,
                        text=_(
                            "%(n)s laporan segera jatuh tempo atau terlambat (paling awal %(due)s)."
                        )
                        % {"n": number(len(pending)), "due": date_label(due_date)},
                        url=reverse("programs:my_reports"),
                        email_subject=_("Pengingat laporan bulanan"),
                        email_body=body,
                    )
        self.stdout.write(
            _("%(n)s operator diingatkan.") % {"n": number(len(messages))}
            + (" (dry run)" if dry_run else "")
        )
