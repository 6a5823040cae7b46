"""Email operators whose monthly reports are due soon or overdue (run daily from cron)."""

from django.core.mail import send_mass_mail
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from programs.formats import date_label, month_year_label
from programs.reporting.services import reminders_due


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
        for user, pending in reminders_due(days=days):
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
            messages.append((_("Pengingat laporan bulanan"), body, None, [user.email]))
            self.stdout.write(f"{user.get_username()} <{user.email}>: {len(pending)} laporan")
        if messages and not dry_run:
            send_mass_mail(messages, fail_silently=False)
        self.stdout.write(
            _("%(n)s operator diingatkan.") % {"n": len(messages)}
            + (" (dry run)" if dry_run else "")
        )
