"""Writes: every change of a report goes through here, in a transaction, with its history.

Errors are module constants (Indonesian, shown to users as they are) so tests can assert
on them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, IntegerField, Q, Value
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from programs import formats, permissions, progress, ytd
from programs.models import (
    Attachment,
    Comment,
    FundingSource,
    Indicator,
    LockException,
    MonthlyReport,
    Notification,
    Program,
    Realization,
    Target,
)
from programs.reporting import deadlines
from programs.reporting.notifications import (
    notify,
    notify_evidence_added,
    operators_of,
    settle_waiting_notices,
    site_language,
    site_text,
    verifiers_of,
)
from programs.reporting.rules import (
    FUTURE_MONTH,
    NOT_REQUIRED,
    PROGRAM_INACTIVE,
    EntryRow,
    IndicatorContext,
    RowMessage,
    retired_source_refusal,
    validate_rows,
)
from programs.text import NUL_CHARACTER, has_nul, visible_text
from regencies.models import Regency

Status = MonthlyReport.Status
Measure = Indicator.Measure
Level = RowMessage.Level

NOT_ALLOWED = gettext_noop("Anda tidak berwenang mengubah laporan ini.")
NOT_EDITABLE = gettext_noop(
    "Laporan yang sudah diajukan atau terverifikasi tidak dapat diubah operator."
)
CONFLICT = gettext_noop(
    "Laporan ini sudah diubah orang lain (%(who)s, %(when)s) sejak Anda membukanya. "
    "Tidak ada yang ditimpa: periksa perubahan di bawah, lalu simpan lagi."
)
# The same operator in another tab (or on their phone): "someone else (operator-1607)"
# named them as a stranger.
CONFLICT_YOURSELF = gettext_noop(
    "Laporan ini sudah Anda ubah di tab atau perangkat lain (%(when)s) sejak formulir ini "
    "dibuka. Tidak ada yang ditimpa: periksa perubahan di bawah, lalu simpan lagi."
)
HAS_ERRORS = gettext_noop("Ada isian yang belum benar: lihat pesan di setiap baris.")
NEEDS_NOTES = gettext_noop("Beberapa angka perlu catatan sebelum laporan dapat diajukan.")
EMPTY_SUBMIT = gettext_noop(
    "Laporan kosong tidak dapat diajukan: isi paling sedikit satu indikator."
)
REASON_REQUIRED = gettext_noop("Alasan wajib diisi.")
# A month with nothing to fill in: the whole program, or every indicator of it, is not
# required of the regency (programs.obligations). Nothing is saved, not even an empty
# draft; a draft kept from before the exemption began stays as it was.
NOTHING_REQUIRED = gettext_noop(
    "Bulan ini tidak wajib dilaporkan wilayah ini: tidak ada yang perlu diisi atau "
    "diajukan, dan tidak ada yang disimpan."
)
# The history's reason for values of an indicator the regency became exempt from after
# they were saved: kept in the draft, they do not go with the submitted report.
NOT_REQUIRED_LEFT_OUT = gettext_noop("Tidak wajib bulan ini: tidak ikut diajukan")
REASON_TOO_LONG = gettext_noop("Alasan terlalu panjang: paling banyak %(n)s karakter.")
# The history's reasons for each step of a report (written with `site_text`, in the
# site's language); the demo seed writes its reports' history with the same words.
HISTORY_SAVED = gettext_noop("Disimpan sebagai draf")
HISTORY_SUBMITTED = gettext_noop("Diajukan")
HISTORY_VERIFIED = gettext_noop("Diverifikasi")
HISTORY_RETURNED = gettext_noop("Dikembalikan")  # then ": " and the reason (labelled_reason)
HISTORY_PROVINCE_PUBLISHED = gettext_noop("Diterbitkan (laporan provinsi)")
HISTORY_PROVINCE_WITHDRAWN = gettext_noop("Ditarik ke draf (laporan provinsi)")
HISTORY_IMPORTED = gettext_noop("impor")  # the spreadsheet import's saves and submissions
# Every reason the history keeps in the site's language, shown in the reader's
# (`notifications.reader_text`).
HISTORY_REASONS = (
    HISTORY_SAVED,
    HISTORY_SUBMITTED,
    HISTORY_VERIFIED,
    HISTORY_RETURNED,
    HISTORY_PROVINCE_PUBLISHED,
    HISTORY_PROVINCE_WITHDRAWN,
    HISTORY_IMPORTED,
    NOT_REQUIRED_LEFT_OUT,
)
IMPORT_REPORT_CHANGED = gettext_noop(
    "Laporan %(report)s berubah sejak pratinjau (diubah, diajukan atau dibuat orang lain). "
    "Impor dihentikan dan tidak ada yang diubah: unggah ulang berkasnya."
)
IMPORT_REPORT_CREATED = gettext_noop(
    "Laporan yang akan dibuat impor ini baru saja dibuat orang lain. Impor dihentikan dan "
    "tidak ada yang diubah: unggah ulang berkasnya."
)
IMPORT_REPORT_NOT_EDITABLE = gettext_noop(
    "Laporan %(report)s sudah diajukan atau diverifikasi. Impor dihentikan dan tidak ada "
    "yang diubah."
)
IMPORT_NOT_REQUIRED = gettext_noop(
    "Laporan %(report)s: indikator %(name)s tidak wajib dilaporkan wilayah ini untuk bulan "
    "itu (pengecualian baru ditambahkan). Impor dihentikan dan tidak ada yang diubah: "
    "unggah ulang berkasnya."
)
EVIDENCE_REQUIRED = gettext_noop(
    "Indikator ini wajib disertai bukti: lampirkan paling sedikit satu foto atau dokumen "
    "untuk indikator ini sebelum mengajukan."
)
ATTACH_NOT_EDITABLE = gettext_noop(
    "Lampiran hanya dapat dihapus selagi laporan masih dapat diubah "
    "(draf atau dikembalikan, belum dikunci)."
)
ATTACH_NOT_ADDABLE = gettext_noop(
    "Lampiran hanya dapat ditambahkan selagi laporan masih dapat diubah atau menunggu "
    "verifikasi, dan bulannya belum dikunci: laporan yang sudah diverifikasi tidak "
    "menerima lampiran baru."
)
ATTACH_SUBMITTED_STAYS = gettext_noop(
    "Laporan ini sedang menunggu verifikasi: lampirannya tidak dapat dihapus. Bila ada "
    "yang keliru, tulis di percakapan atau minta verifikator mengembalikan laporan."
)
ADDED_WHILE_SUBMITTED = gettext_noop("Lampiran ditambahkan saat menunggu verifikasi: %(name)s")
ATTACH_NEEDS_REPORT = gettext_noop("Simpan draf laporan dulu, lalu lampirkan berkas.")
TOO_MANY_ATTACHMENTS = gettext_noop("Paling banyak %(n)s lampiran per laporan.")
CAPTION_TOO_LONG = gettext_noop("Keterangan paling banyak %(n)s karakter.")
WRONG_INDICATOR = gettext_noop("Indikator tidak dikenal untuk program ini.")
# Evidence for an indicator the regency is exempt from this month (`rules.NOT_REQUIRED`):
# the form offers no such choice; a crafted post is refused here.
ATTACH_NOT_REQUIRED = gettext_noop(
    "Indikator %(name)s tidak wajib dilaporkan wilayah ini untuk bulan ini: bukti untuknya "
    "tidak dapat dilampirkan."
)
ONLY_PHOTOS_PUBLIC = gettext_noop(
    "Hanya foto dari laporan terverifikasi yang dapat ditampilkan publik."
)
WRONG_STATUS = gettext_noop("Status laporan sudah berubah; muat ulang halaman.")
TICKED_REPORT_CHANGED = gettext_noop(
    "Laporan %(report)s sudah berubah sejak antrean dimuat (kini %(status)s, oleh %(who)s). "
    "Tidak ada yang diverifikasi: laporan lain yang dicentang masih tercentang, periksa "
    "lalu verifikasi lagi."
)
# A report of a program an admin switched off (`rules.PROGRAM_INACTIVE`): not verified,
# returned or reopened by any door, as nothing else changes it.
PROGRAM_SWITCHED_OFF = gettext_noop(
    "Laporan %(report)s tidak dapat diverifikasi atau dikembalikan: program %(name)s tidak "
    "aktif. Tidak ada yang diubah."
)
DECIDED_REPORT_CHANGED = gettext_noop(
    "Laporan %(report)s sudah berubah sejak halaman dimuat (kini %(status)s, oleh %(who)s). "
    "Tidak ada yang diubah: periksa laporannya, lalu putuskan lagi."
)
QUEUE_CHANGED = gettext_noop(
    "Antrean sudah berubah sejak halaman dimuat; tidak ada yang diverifikasi. Periksa lagi."
)


def labelled_reason(label: str, reason: str) -> str:
    """A verifier's step with a reason as the history keeps it ("Dikembalikan: ..."), the
    label (one of the HISTORY_ constants) in the site's language."""
    return f"{site_text(label)}: {reason}"


def conflict_message(user, report: MonthlyReport) -> str:
    """Who changed `report` since `user` opened it, and when, as the page's history
    writes a time ("1 Des 2026 10:24", not "01-12-2026 10:24", which English reads as
    12 January)."""
    who = getattr(report.history.first(), "history_user", None)
    when = date_format(timezone.localtime(report.updated_at), "j M Y H:i")
    if who is not None and who.pk == user.pk:
        return _(CONFLICT_YOURSELF) % {"when": when}
    return _(CONFLICT) % {"who": who or "?", "when": when}


class ServiceError(Exception):
    def __init__(self, message: str, messages: list[RowMessage] | None = None):
        super().__init__(message)
        self.message = message
        self.messages = messages or []


class ConflictError(ServiceError):
    def __init__(self, message: str, report: MonthlyReport, current: dict[str, str]):
        super().__init__(message)
        self.report = report
        self.current = current


# --- Context for entering a month ------------------------------------------------------


@dataclass
class EntryContext:
    regency: Regency
    program: Program
    year: int
    month: int
    indicators: list[Indicator]
    sources: list[FundingSource]  # every source, retired ones too (to name them)
    by_indicator: dict[int, IndicatorContext]
    exempt: set[int] = field(default_factory=set)  # indicators not required this month
    # (indicator id, source code) of the month's realizations whose source is retired:
    # the only places a retired source is still accepted (rules.retired_source_refusal).
    kept: set[tuple[int, str]] = field(default_factory=set)

    @property
    def nothing_required(self) -> bool:
        """Nothing to fill in this month: every indicator (the whole program) is not
        required of the regency (`Obligations.nothing_required`, read from `exempt`)."""
        return bool(self.indicators) and self.exempt >= {i.pk for i in self.indicators}

    def sources_for(self, row: EntryRow) -> list[FundingSource]:
        """The sources a row's select offers: the active ones, and the row's own when it
        is retired (its stored realization's, or a refused one shown beside its message:
        never silently replaced by the first option). A new row, or another indicator's,
        is never offered a retired source."""
        return [s for s in self.sources if s.active or s.code == row.source_code]


# Earlier months the entry form shows beside each indicator.
PREVIOUS_MONTHS = 3


def _previous_months(
    program: Program, indicator, year: int, month: int, data: dict, last_year: dict
) -> list[tuple[str, object]]:
    """(label, value) of the PREVIOUS_MONTHS months before `month`, for the line beside
    an indicator's inputs ("Sep: 103 · Okt: 11 · Nov: 75"). In the year's first months
    they reach back into the year before, named with its year ("Des 2026: 75"): January's
    form showed no month at all, though a prevalence's January is checked against
    December. A running total starts again each year, so last year's cumulative figures
    are left out; so are months before the program's launch (nothing was reported)."""
    launch = program.launch_date
    shown = []
    for back in range(PREVIOUS_MONTHS, 0, -1):
        y, m = (year, month - back) if month > back else (year - 1, month - back + 12)
        if y != year:
            if indicator.measure == Measure.RUNNING_TOTAL:
                continue
            if launch is not None and (y, m) < (launch.year, launch.month):
                continue
        row = (data if y == year else last_year).get(m)
        label = formats.month_label(m)[:3] + ("" if y == year else f" {y}")
        shown.append((label, progress.group_value(indicator.measure, row) if row else None))
    return shown


def entry_context(*, regency: Regency, program: Program, year: int, month: int) -> EntryContext:
    """What the entry form shows beside each input: earlier months and the target, and
    which indicators the regency is exempt from this month. Five queries whatever the
    number of months or sources."""
    from programs.obligations import Obligations

    indicators = list(program.indicators.select_related("program").order_by("order", "code"))
    obligations = Obligations.load(programs=[program], regency_codes=[regency.pk])
    exempt = obligations.exempt_indicators(regency.pk, indicators, year, month)
    # Every source (a retired one is refused by name), and in the same query each retired
    # source again for every indicator of the month's report it stays on (`kept`).
    # (No ordering inside a union: SQLite refuses it; the union is ordered as the model.)
    everyone = FundingSource.objects.order_by().annotate(
        kept_for=Value(None, output_field=IntegerField())
    )
    retired_in_use = (
        FundingSource.objects.filter(
            active=False,
            realizations__report__regency=regency,
            realizations__report__program=program,
            realizations__report__year=year,
            realizations__report__month=month,
        )
        .order_by()
        .annotate(kept_for=F("realizations__indicator_id"))
    )
    sources, kept = {}, set()
    in_order = FundingSource._meta.ordering
    for source in everyone.union(retired_in_use, all=True).order_by(*in_order):
        sources.setdefault(source.pk, source)
        if source.kept_for is not None:
            kept.add((source.kept_for, source.code))
    targets = {
        t.indicator_id: t
        for t in Target.objects.filter(indicator__in=indicators, regency=regency, year=year)
    }
    rows = (
        Realization.objects.filter(
            # The earlier months of the year, and the last three of the year before: the
            # form's first months show them, and `set_history` compares with December.
            Q(report__year=year, report__month__lt=month)
            | Q(report__year=year - 1, report__month__gte=13 - PREVIOUS_MONTHS),
            indicator__in=indicators,
            report__regency=regency,
            report__status__in=MonthlyReport.COUNTED_STATUSES,
        )
        .values("indicator_id", "report__year", "report__month")
        .annotate(**progress.value_sums())
        .order_by("report__month")
    )
    monthly: dict[int, dict[int, dict]] = defaultdict(dict)
    last_year: dict[int, dict[int, dict]] = defaultdict(dict)
    for row in rows:
        by_year = monthly if row["report__year"] == year else last_year
        by_year[row["indicator_id"]][row["report__month"]] = row
    contexts = {}
    for indicator in indicators:
        data = monthly.get(indicator.pk, {})
        ctx = IndicatorContext(indicator=indicator, target=targets.get(indicator.pk))
        ctx.previous = _previous_months(
            program, indicator, year, month, data, last_year.get(indicator.pk, {})
        )
        before = last_year.get(indicator.pk, {}).get(12)
        ctx.set_history(
            [progress.group_value(indicator.measure, data[m]) for m in sorted(data)],
            december=progress.group_value(indicator.measure, before) if before else None,
        )
        if indicator.measure == Measure.RATIO and (data or before):
            # A new month starts from the latest denominator (December's in January).
            ctx.last_denominator = (data[max(data)] if data else before)["den"]
        contexts[indicator.pk] = ctx
    return EntryContext(
        regency, program, year, month, indicators, list(sources.values()), contexts, exempt, kept
    )


# --- Saving and the workflow -------------------------------------------------------------


def stored_values(report: MonthlyReport | None) -> dict[str, str]:
    """A report's stored values as text, keyed 'indicator/source' ('12', or '3/40' for a
    ratio): what an editor saw when opening the form, to show what changed since."""
    if report is None:
        return {}
    values = {}
    for r in report.realizations.select_related("indicator", "funding_source"):
        key = f"{r.indicator.code}/{r.funding_source.code}"
        if r.numerator is not None:
            values[key] = f"{r.numerator.normalize():f}/{r.denominator.normalize():f}"
        else:
            values[key] = f"{r.value.normalize():f}"
    return values


def require_taking_reports(program_ids) -> None:
    """Refuses (ServiceError, naming it) a write to a report of a program an admin has
    switched off since the page or the file was read (`rules.PROGRAM_INACTIVE`). Read
    after the programs' lock (`ytd.lock_programs`), which the admin's save takes too."""
    inactive = Program.objects.filter(pk__in=set(program_ids), active=False).first()
    if inactive is not None:
        raise ServiceError(_(PROGRAM_INACTIVE) % {"name": inactive.label})


def _report_url(report: MonthlyReport) -> str:
    return settings.SITE_URL + report.get_absolute_url()


@transaction.atomic
@ytd.maintained
def report_save(
    *,
    user,
    regency: Regency,
    program: Program,
    year: int,
    month: int,
    version: int | None,
    rows: list[EntryRow],
    submit: bool,
    today: dt.date | None = None,
) -> MonthlyReport:
    """Save an operator's entries as a draft, or submit them. All or nothing."""
    now = timezone.now()
    today = today or timezone.localdate()
    ytd.lock_programs([program.pk])  # programs before reports (ytd.lock_programs)
    report = (
        MonthlyReport.objects.select_for_update()
        .filter(regency=regency, program=program, year=year, month=month)
        .first()
    )
    require_taking_reports([program.pk])
    if permissions.is_future(year, month, today):
        raise ServiceError(_(FUTURE_MONTH))
    if not permissions.is_operator_for(user, regency_code=regency.code, program_id=program.pk):
        raise PermissionDenied(_(NOT_ALLOWED))
    # The same form sent again (the program lock above makes a resend sent at the same
    # moment wait for the first): answered as the first was, nothing written twice.
    if resent_save(user=user, report=report, version=version, rows=rows, submit=submit):
        report.resent = True  # the answer's message is then shown once (views)
        return report
    if report is not None and report.status not in (Status.DRAFT, Status.RETURNED):
        raise ServiceError(_(NOT_EDITABLE))
    context = entry_context(regency=regency, program=program, year=year, month=month)
    if context.nothing_required:
        raise ServiceError(_(NOTHING_REQUIRED))
    if permissions.is_locked(
        regency_code=regency.code, program_id=program.pk, year=year, month=month, today=today
    ):
        raise ServiceError(deadlines.locked_refusal(report.status if report else None))
    if (report.version if report else 0) != version:
        if report is None:  # the form was opened on a report that has since gone
            raise ServiceError(_(WRONG_STATUS))
        raise ConflictError(conflict_message(user, report), report, stored_values(report))

    messages = validate_rows(rows=rows, context=context)
    exempt = sorted({r.indicator.display_name for r in rows if r.indicator.pk in context.exempt})
    if exempt:
        raise ServiceError(_(NOT_REQUIRED) % {"name": ", ".join(exempt)}, messages)
    if any(m.level == Level.ERROR for m in messages):
        raise ServiceError(_(HAS_ERRORS), messages)
    if submit and not rows:
        raise ServiceError(_(EMPTY_SUBMIT), messages)
    if submit and any(m.level == Level.WARNING and not m.resolved for m in messages):
        raise ServiceError(_(NEEDS_NOTES), messages)
    if submit:
        missing = missing_evidence(report=report, rows=rows, exempt=context.exempt)
        if missing:
            raise ServiceError(
                _(EVIDENCE_REQUIRED),
                [RowMessage(i.code, Level.ERROR, _(EVIDENCE_REQUIRED)) for i in missing],
            )

    # History reasons are written in the site's language, whoever writes them.
    reason = site_text(HISTORY_SUBMITTED if submit else HISTORY_SAVED)
    if report is None:
        report = MonthlyReport(
            regency=regency,
            program=program,
            year=year,
            month=month,
            created_by=user,
            version=0,
        )
    report.version += 1
    if submit:
        _mark_submitted(report, user, now)
    report._change_reason = reason
    report._history_user = user  # who wrote it, also outside a request (resent_save)
    created = report.pk is None
    # A first save racing another: the program lock above makes the later one wait and
    # find the report (a conflict), before full_clean's unique check could refuse it.
    report.full_clean(validate_unique=False)
    try:
        with transaction.atomic():  # a savepoint: the first save can race another one
            report.save()
    except IntegrityError:
        if not created:
            raise
        # Another user saved the first version of this report at the same moment: the
        # unique (regency, program, month) key refused ours. Same answer as any conflict.
        current = MonthlyReport.objects.filter(
            regency=regency, program=program, year=year, month=month
        ).first()
        if current is None:
            raise
        raise ConflictError(
            conflict_message(user, current), current, stored_values(current)
        ) from None
    if submit and context.exempt and not created:
        # Values of an indicator the regency became exempt from after they were saved:
        # kept while the report is a draft (the exemption may be withdrawn), never
        # submitted unchecked with it. The form said so beside "tidak wajib"; the history
        # keeps them.
        left_out = site_text(NOT_REQUIRED_LEFT_OUT)
        for realization in report.realizations.filter(indicator_id__in=context.exempt):
            realization._change_reason = left_out
            realization._history_user = user
            realization.delete()
    _write_realizations(
        report=report, rows=rows, reason=reason, user=user, keep_indicators=context.exempt
    )
    if submit:
        with site_language():
            notify(
                users=verifiers_of(report),
                kind=Notification.Kind.SUBMITTED,
                report=report,
                message=gettext_noop("Laporan diajukan: %(report)s"),
                url=report.get_absolute_url(),
                email_body=_("%(user)s mengajukan laporan %(report)s untuk diverifikasi: %(url)s")
                % {"user": user, "report": report, "url": _report_url(report)},
                exclude=user,
            )
    return report


def resent_save(
    *,
    user,
    report: MonthlyReport | None,
    version: int | None,
    rows: list[EntryRow],
    submit: bool,
) -> bool:
    """Whether an entry form post is the same form sent again: the stored report is
    exactly what this user's identical post wrote from the version this one was opened
    on. The same rows (indicator, source, value, note), the same action (a submit resent
    finds the report submitted by the user; a draft resent finds a draft), and no other
    write since (one version on). However long after: a double click, a resend on a slow
    connection, or Back and resend an hour later ask for what is stored, so it is
    answered as done, with nothing written twice. Anything else (another user's save in
    between, other values, another action) is not a resend: the usual conflict or
    refusal answers it. Reads only; report_save asks it under the lock."""
    if report is None or report.pk is None or version is None or report.version != version + 1:
        return False
    if submit:
        if report.status != Status.SUBMITTED or report.submitted_by_id != user.pk:
            return False
    elif report.status not in (Status.DRAFT, Status.RETURNED):
        return False
    last = report.history.only("history_user_id", "history_date").first()
    if last is None or last.history_user_id != user.pk:
        return False
    posted = {(row.indicator.pk, row.source_code): _stored_fields(row) for row in rows}
    if len(posted) != len(rows):
        return False  # a source twice for one indicator: refused, never saved like this
    exempt = set()
    if report.regency_id is not None:
        from programs.obligations import Obligations

        indicators = list(report.program.indicators.all())
        exempt = Obligations.load(
            programs=[report.program], regency_codes=[report.regency_id]
        ).exempt_indicators(report.regency_id, indicators, report.year, report.month)
    stored = {
        (r.indicator_id, r.funding_source.code): {
            name: getattr(r, name) for name in ("value", "numerator", "denominator", "note")
        }
        for r in report.realizations.select_related("funding_source")
        if r.indicator_id not in exempt  # kept as they were, never on the form
    }
    return stored == posted


def _stored_fields(row: EntryRow) -> dict:
    """What the entry form's writer stores of a row (value, or numerator and denominator
    for a ratio, and the note)."""
    ratio = row.indicator.measure == Measure.RATIO
    return {
        "value": None if ratio else row.value,
        "numerator": row.numerator if ratio else None,
        "denominator": row.denominator if ratio else None,
        "note": row.note,
    }


def missing_evidence(
    *, report: MonthlyReport | None, rows: list[EntryRow], exempt: set[int] = frozenset()
) -> list[Indicator]:
    """Indicators that require evidence, have entries, and have no attachment yet (an
    indicator the regency is exempt from this month never needs evidence)."""
    needing = {
        row.indicator.pk: row.indicator
        for row in rows
        if row.indicator.requires_evidence and row.indicator.pk not in exempt
    }
    if not needing:
        return []
    covered = set()
    if report is not None and report.pk:
        covered = set(
            report.attachments.filter(indicator_id__in=needing).values_list(
                "indicator_id", flat=True
            )
        )
    return [indicator for pk, indicator in needing.items() if pk not in covered]


def _write_realizations(
    *,
    report: MonthlyReport,
    rows: list[EntryRow],
    reason: str,
    user,
    keep_indicators: set[int] | frozenset[int] = frozenset(),
) -> dict[str, int]:
    """The entry form's write of one report: its rows created or changed, stored rows not
    in `rows` deleted (the form shows every row), each with its history (who, why).
    Rows of `keep_indicators` (exempt this month, so not on the form) stay as they are:
    values saved before an exemption began are never lost by a later save."""
    sources = {s.code: s for s in FundingSource.objects.all()}
    existing = {
        (report.pk, r.indicator_id, r.funding_source_id): r for r in report.realizations.all()
    }
    creates, updates, keep = _realization_changes(
        report=report, rows=rows, existing=existing, sources=sources
    )
    _save_realizations(creates=creates, updates=updates, user=user, reason=reason)
    for key, realization in existing.items():
        if key not in keep and realization.indicator_id not in keep_indicators:
            realization._change_reason = reason
            realization.delete()
    return {"created": len(creates), "updated": len(updates)}


def _realization_changes(
    *, report: MonthlyReport, rows: list[EntryRow], existing: dict, sources: dict
) -> tuple[list[Realization], list[Realization], set]:
    """(new rows, changed rows, keys of every row given) for one report's entries.
    `existing` is keyed (report id, indicator id, source id). Values were checked by
    validate_rows (form) or the import preview; full_clean re-checks the fields, without
    queries. A retired source on a new row (retired since it was checked) stops the
    whole write (ServiceError)."""
    creates, updates, keep = [], [], set()
    for row in rows:
        source = sources[row.source_code]
        key = (report.pk, row.indicator.pk, source.pk)
        refused = retired_source_refusal(source, stored=key in existing)
        if refused:
            raise ServiceError(refused)
        keep.add(key)
        realization = existing.get(key) or Realization(
            report=report, indicator=row.indicator, funding_source=source
        )
        fields = _stored_fields(row)
        if realization.pk is not None and all(
            getattr(realization, name) == value for name, value in fields.items()
        ):
            continue
        for name, value in fields.items():
            setattr(realization, name, value)
        realization.full_clean(
            exclude=["report", "indicator", "funding_source"],
            validate_unique=False,
            validate_constraints=False,
        )
        (updates if realization.pk else creates).append(realization)
    return creates, updates, keep


def _save_realizations(*, creates, updates, user, reason: str) -> None:
    """The one writer of realization values, for the form and the import alike: bulk
    inserts and updates, each row with its history record (user, reason)."""
    if creates:
        bulk_create_with_history(
            creates, Realization, default_user=user, default_change_reason=reason
        )
    if updates:
        bulk_update_with_history(
            updates,
            Realization,
            ["value", "numerator", "denominator", "note"],
            default_user=user,
            default_change_reason=reason,
        )


@dataclass
class ImportedReport:
    """One report's rows in an import, and the report's version seen at preview
    (0: there was no report yet)."""

    regency: Regency
    program: Program
    year: int
    month: int
    version: int
    rows: list[EntryRow]


@transaction.atomic
def realizations_import(
    *, user, reports: list[ImportedReport], reason: str, today: dt.date | None = None
) -> dict[str, int]:
    """Apply an import: every report it touches is locked (select_for_update) and must
    still have the status and version seen at preview, or the whole import stops
    (ServiceError) and nothing is written. Rows are added and changed by the entry form's
    writer (_realization_changes, _save_realizations), never deleted; reports stay drafts
    (or returned). A fixed number of queries for the writes, whatever the size."""
    today = today or timezone.localdate()
    if not reports:
        return {"created": 0, "updated": 0, "reports": 0}
    ytd.lock_programs(item.program.pk for item in reports)  # before reports
    require_taking_reports(item.program.pk for item in reports)
    # One query, in primary-key order (no deadlock between two imports); it may lock a
    # few reports the import does not touch, never fewer than it does.
    candidates = (
        MonthlyReport.objects.select_for_update()
        .filter(
            regency_id__in={item.regency.pk for item in reports},
            program_id__in={item.program.pk for item in reports},
            year__in={item.year for item in reports},
            month__in={item.month for item in reports},
        )
        .order_by("pk")
    )
    locked = {(r.regency_id, r.program_id, r.year, r.month): r for r in candidates}
    admin = permissions.role_of(user) == permissions.Role.ADMIN
    from programs.obligations import Obligations

    # The preview refused rows the regency need not report; an exemption added since
    # stops the import, as the entry form refuses them (no draft for a month not due).
    obligations = Obligations.load(
        programs={item.program for item in reports},
        regency_codes={item.regency.pk for item in reports},
    )
    allowed: dict[tuple, bool] = {}
    for item in reports:
        key = (item.regency.pk, item.program.pk, item.year, item.month)
        report = locked.get(key)
        # Its month as pages name it ("Desember 2026"), not "12/2026".
        label = f"{item.program} — {item.regency} {formats.month_year_label(item.year, item.month)}"
        scope_key = (item.regency.pk, item.program.pk)
        if scope_key not in allowed:
            allowed[scope_key] = admin or permissions.is_operator_for(
                user, regency_code=item.regency.pk, program_id=item.program.pk
            )
        if not allowed[scope_key]:
            raise PermissionDenied(_(NOT_ALLOWED))
        if (report.version if report else 0) != item.version:
            raise ServiceError(_(IMPORT_REPORT_CHANGED) % {"report": label})
        if report is not None and report.status not in (Status.DRAFT, Status.RETURNED):
            raise ServiceError(_(IMPORT_REPORT_NOT_EDITABLE) % {"report": label})
        if permissions.is_future(item.year, item.month, today) or permissions.is_locked(
            regency_code=item.regency.pk,
            program_id=item.program.pk,
            year=item.year,
            month=item.month,
            today=today,
        ):
            raise ServiceError(deadlines.locked_refusal(report.status if report else None))
        for row in item.rows:
            if not obligations.indicator_required(
                item.regency.pk, row.indicator, item.year, item.month
            ):
                raise ServiceError(
                    _(IMPORT_NOT_REQUIRED) % {"report": label, "name": row.indicator.display_name}
                )

    new = [
        MonthlyReport(
            regency=item.regency,
            program=item.program,
            year=item.year,
            month=item.month,
            created_by=user,
            version=1,
        )
        for item in reports
        if (item.regency.pk, item.program.pk, item.year, item.month) not in locked
    ]
    try:
        with transaction.atomic():  # another user's first save of one of these reports
            bulk_create_with_history(
                new, MonthlyReport, default_user=user, default_change_reason=reason
            )
    except IntegrityError:
        raise ServiceError(_(IMPORT_REPORT_CREATED)) from None
    wanted = {(item.regency.pk, item.program.pk, item.year, item.month) for item in reports}
    bumped = [r for key, r in locked.items() if key in wanted]
    for report in bumped:
        report.version += 1
    if bumped:
        bulk_update_with_history(
            bumped, MonthlyReport, ["version"], default_user=user, default_change_reason=reason
        )
    if new:  # their primary keys, whatever the database returns from a bulk insert
        fresh = MonthlyReport.objects.filter(
            regency_id__in={r.regency_id for r in new},
            program_id__in={r.program_id for r in new},
            year__in={r.year for r in new},
            month__in={r.month for r in new},
        )
        for report in fresh:
            key = (report.regency_id, report.program_id, report.year, report.month)
            if key in wanted and key not in locked:
                locked[key] = report
    sources = {s.code: s for s in FundingSource.objects.all()}
    existing = {
        (r.report_id, r.indicator_id, r.funding_source_id): r
        for r in Realization.objects.filter(report__in=[locked[key] for key in wanted])
    }
    creates, updates = [], []
    for item in reports:
        report = locked[(item.regency.pk, item.program.pk, item.year, item.month)]
        item_creates, item_updates, _keep = _realization_changes(
            report=report, rows=item.rows, existing=existing, sources=sources
        )
        creates += item_creates
        updates += item_updates
    _save_realizations(creates=creates, updates=updates, user=user, reason=reason)
    return {"created": len(creates), "updated": len(updates), "reports": len(wanted)}


def locked_reports(reports) -> list[MonthlyReport]:
    """The reports of a queryset locked until the transaction ends, their programs first
    (`ytd.lock_programs`), then the reports in key order: the order every writer takes."""
    ytd.lock_programs(reports.values_list("program_id", flat=True))
    return list(reports.select_for_update(of=("self",)).order_by("pk"))


def _locked_report(report: MonthlyReport) -> MonthlyReport:
    (report,) = locked_reports(MonthlyReport.objects.filter(pk=report.pk).select_related("program"))
    return report


def program_switched_off(report: MonthlyReport) -> str:
    """Why a verifier's decision on `report` (of a program switched off) is refused."""
    return _(PROGRAM_SWITCHED_OFF) % {"report": report, "name": report.program.label}


def _require_program_active(report: MonthlyReport) -> None:
    """A verifier's decision refused, naming the report, when its program is switched
    off: its pages answer 404 and no other writer takes it (`require_taking_reports`).
    `report.program` is read after the programs' lock (`locked_reports`)."""
    if not report.program.active:
        raise ServiceError(program_switched_off(report))


def _require_version(report: MonthlyReport, version: int | None) -> None:
    """The verifier acts on the version of the report they saw (None: no check)."""
    if version is not None and version != report.version:
        raise ServiceError(report_changed_refusal(DECIDED_REPORT_CHANGED, report))


def _resent_decision(
    report: MonthlyReport, *, user, version: int | None, status: str, reason: str | None = None
) -> bool:
    """Whether a verifier's decision is the same click sent again: the report is in the
    state it asks for (`status`), put there by this user (one write since the version
    posted, and for a return the same reason), however long ago (a double click, or Back
    and resend later). Then it is answered as done, nothing written or notified twice;
    any other change since is still refused (WRONG_STATUS)."""
    if version is None or report.version != version + 1 or report.status != status:
        return False
    if status == Status.VERIFIED:
        by = report.verified_by_id
    else:
        by = report.returned_by_id
        if report.return_reason != reason:
            return False
    return by == user.pk


@transaction.atomic
@ytd.maintained
def report_verify(*, user, report: MonthlyReport, version: int | None = None) -> MonthlyReport:
    report = _locked_report(report)
    if not permissions.is_verifier_for(user, program_id=report.program_id):
        raise PermissionDenied(_(NOT_ALLOWED))
    _require_program_active(report)
    if _resent_decision(report, user=user, version=version, status=Status.VERIFIED):
        report.resent = True
        return report  # the same click again: verified once, one notification
    _require_version(report, version)
    if report.status != Status.SUBMITTED:
        raise ServiceError(_(WRONG_STATUS))
    _mark_verified(report, user, timezone.now())
    report.version += 1
    report._change_reason = site_text(HISTORY_VERIFIED)
    report.save()
    settle_waiting_notices(report)
    with site_language():
        notify(
            users=operators_of(report),
            kind=Notification.Kind.VERIFIED,
            report=report,
            message=gettext_noop("Laporan diverifikasi: %(report)s"),
            url=report.get_absolute_url(),
            exclude=user,
        )
    return report


@transaction.atomic
@ytd.maintained
def report_verify_many(*, user, selections: list[tuple[int, int]]) -> list[MonthlyReport]:
    """Verify several reports at once (id, version): all or none."""
    reports = {r.pk: r for r in MonthlyReport.objects.filter(pk__in=[pk for pk, _v in selections])}
    if len(reports) != len({pk for pk, _v in selections}):
        raise ServiceError(_(WRONG_STATUS))
    # All the programs first: a verifier approving (gbrss, gpsss) beside another approving
    # (gpsss, gbrss) waits instead of deadlocking.
    locked = {r.pk: r for r in locked_reports(MonthlyReport.objects.filter(pk__in=reports))}
    for pk, version in selections:
        report = locked[pk]
        if report.version != version and not _resent_decision(
            report, user=user, version=version, status=Status.VERIFIED
        ):
            raise ServiceError(report_changed_refusal(TICKED_REPORT_CHANGED, report))
    return [
        report_verify(user=user, report=reports[pk], version=version) for pk, version in selections
    ]


def report_changed_refusal(message: str, report: MonthlyReport) -> str:
    """The refusal of a verifier's decision on a version of `report` that has changed
    since (`message`, gettext_noop: TICKED_REPORT_CHANGED for a bulk verification,
    DECIDED_REPORT_CHANGED for one decision), naming the report, what it is now and who
    changed it last (another verifier who decided at the same moment, or the operator who
    resubmitted): "Status laporan sudah berubah" left the verifier to find which report,
    and why."""
    who = {
        Status.VERIFIED: report.verified_by,
        Status.RETURNED: report.returned_by,
        Status.SUBMITTED: report.submitted_by,
    }.get(report.status)
    if who is None:  # a draft again (reopened), or a step whose user was deleted
        last = report.history.order_by("-history_id").select_related("history_user").first()
        who = (last.history_user if last is not None else None) or "–"
    return _(message) % {
        "report": report,
        "status": report.get_status_display(),
        "who": who,
    }


def queue_fingerprint(pairs) -> str:
    """A short digest of exactly which reports, at which versions, a filtered queue
    matches: (pk, version) pairs in any order. The verification page puts it in the
    "verify all" form and `report_verify_matching` recomputes it, so a click verifies
    only what the verifier was shown (not a report submitted, resubmitted with other
    figures, or verified by someone else meanwhile)."""
    text = ",".join(f"{pk}:{version}" for pk, version in sorted(pairs))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@transaction.atomic
@ytd.maintained
def report_verify_matching(
    *, user, reports, expected: int, fingerprint: str
) -> list[MonthlyReport]:
    """Verify every submitted report of a filtered queue (`reports`, a queryset of any
    status) at once, all or none; refused when the queue changed since the verifier saw
    it: another count than `expected`, or another set of reports or versions than
    `fingerprint` (`queue_fingerprint`) says. The same click sent again (a double click, a
    resend) finds exactly that set verified by this user moments ago, one version on:
    answered as done, nothing verified twice. Reports of a program switched off
    (`reports` may hold them) are never verified: the queue does not show them; one it
    showed before its program was switched off is named in the refusal."""
    matching = locked_reports(reports.filter(status=Status.SUBMITTED).select_related("program"))
    switched_off = [r for r in matching if not r.program.active]
    matching = [r for r in matching if r.program.active]
    if not matching:
        window = dt.timedelta(seconds=settings.DOUBLE_SUBMIT_SECONDS)
        done = list(
            reports.filter(
                status=Status.VERIFIED,
                verified_by=user,
                verified_at__gte=timezone.now() - window,
            )
        )
        if (
            done
            and len(done) == expected
            and queue_fingerprint((r.pk, r.version - 1) for r in done) == fingerprint
        ):
            for report in done:
                report.resent = True
            return done
    if (
        not matching
        or len(matching) != expected
        or queue_fingerprint((r.pk, r.version) for r in matching) != fingerprint
    ):
        shown = matching + switched_off
        if (
            switched_off
            and len(shown) == expected
            and queue_fingerprint((r.pk, r.version) for r in shown) == fingerprint
        ):
            _require_program_active(switched_off[0])  # shown, then switched off
        raise ServiceError(_(QUEUE_CHANGED))
    return [report_verify(user=user, report=report, version=report.version) for report in matching]


@transaction.atomic
@ytd.maintained
def report_return(
    *, user, report: MonthlyReport, reason: str, version: int | None = None
) -> MonthlyReport:
    """Send a submitted report back to the operator, with a reason they will read."""
    return _send_back(
        user=user,
        report=report,
        reason=reason,
        version=version,
        expected=Status.SUBMITTED,
        label=HISTORY_RETURNED,
    )


@transaction.atomic
@ytd.maintained
def report_reopen(
    *, user, report: MonthlyReport, reason: str, version: int | None = None
) -> MonthlyReport:
    """Open a verified report again for correction (it goes back to the operator)."""
    return _send_back(
        user=user,
        report=report,
        reason=reason,
        version=version,
        expected=Status.VERIFIED,
        label=gettext_noop("Dibuka kembali"),
    )


def province_reports_publish(*, user, reports) -> tuple[int, int]:
    """Publish the province's own reports (no regency): a `level` indicator's province
    figure, such as BPS's inflation rate, is entered in the admin, where no operator
    submits it and no verification queue lists it. An admin, or a verifier of the
    program, publishes it here as verified, and it counts on the dashboards from then on.
    Returns (published, skipped): regency reports, reports already verified and programs
    the user does not verify are left as they are."""
    return _province_reports_set(user=user, reports=reports, publish=True)


def province_reports_withdraw(*, user, reports) -> tuple[int, int]:
    """Take published province reports back to draft: their figures leave the dashboards
    until published again (a wrong BPS figure, say). Returns (withdrawn, skipped)."""
    return _province_reports_set(user=user, reports=reports, publish=False)


def _mark_submitted(report: MonthlyReport, user, now) -> None:
    """Submitted by `user` now; timeliness keeps counting from the first submission."""
    report.status = Status.SUBMITTED
    report.submitted_at, report.submitted_by = now, user
    report.first_submitted_at = report.first_submitted_at or now


def _mark_verified(report: MonthlyReport, user, now) -> None:
    report.status = Status.VERIFIED
    report.verified_at, report.verified_by = now, user


@transaction.atomic
@ytd.maintained
def _province_reports_set(*, user, reports, publish: bool) -> tuple[int, int]:
    now = timezone.now()
    done = skipped = 0
    ids = [report.pk for report in reports]
    for report in locked_reports(MonthlyReport.objects.filter(pk__in=ids)):
        published = report.status == Status.VERIFIED
        if (
            report.regency_id is not None  # a regency's report goes through verification
            or published == publish  # already as asked
            or not permissions.is_verifier_for(user, program_id=report.program_id)
        ):
            skipped += 1
            continue
        if publish:  # submitted and verified at once: the admin is both for the province
            _mark_submitted(report, user, now)
            _mark_verified(report, user, now)
            report._change_reason = site_text(HISTORY_PROVINCE_PUBLISHED)
        else:
            report.status = Status.DRAFT
            report.verified_at = report.verified_by = None
            report._change_reason = site_text(HISTORY_PROVINCE_WITHDRAWN)
        report.version += 1  # an admin page open on it must not save over this
        report.save()
        done += 1
    return done, skipped


def _verifier_with_reason(user, report: MonthlyReport, reason: str) -> tuple[MonthlyReport, str]:
    """The checks a verifier's action with a reason shares: the report locked, the
    verifier's program, a reason of allowed length (the version the verifier saw is the
    caller's check: `_require_version`)."""
    reason = visible_text(reason)
    report = _locked_report(report)
    if not permissions.is_verifier_for(user, program_id=report.program_id):
        raise PermissionDenied(_(NOT_ALLOWED))
    _require_program_active(report)
    if not reason:
        raise ServiceError(_(REASON_REQUIRED))
    if has_nul(reason):
        raise ServiceError(_(NUL_CHARACTER))
    if len(reason) > settings.COMMENT_MAX_LENGTH:
        raise ServiceError(_(REASON_TOO_LONG) % {"n": formats.number(settings.COMMENT_MAX_LENGTH)})
    return report, reason


def _send_back(
    *, user, report: MonthlyReport, reason: str, version: int | None, expected: str, label: str
) -> MonthlyReport:
    """Return a report in status `expected` to its operator, with a required reason;
    `label` (gettext_noop) starts the history reason, in the site's language."""
    report, reason = _verifier_with_reason(user, report, reason)
    if _resent_decision(report, user=user, version=version, status=Status.RETURNED, reason=reason):
        report.resent = True
        return report  # the same click again: one comment, one notification
    _require_version(report, version)
    if report.status != expected:
        raise ServiceError(_(WRONG_STATUS))
    history_reason = labelled_reason(label, reason)
    if report.regency_id is not None:
        _open_for_correction(report=report, user=user, reason=history_reason)
    report.status = Status.RETURNED
    report.returned_at, report.returned_by = timezone.now(), user
    report.return_reason = reason
    report.verified_at = report.verified_by = None
    report.version += 1
    report._change_reason = history_reason
    report.save()
    if expected == Status.SUBMITTED:
        settle_waiting_notices(report)
    # The reason is an entry of the report's conversation, where the operator answers.
    Comment.objects.create(
        report=report,
        author=user,
        kind=Comment.Kind.RETURN if expected == Status.SUBMITTED else Comment.Kind.REOPEN,
        text=reason,
    )
    with site_language():
        notify(
            users=operators_of(report),
            kind=Notification.Kind.RETURNED,
            report=report,
            message=gettext_noop("Laporan dikembalikan: %(report)s — %(reason)s"),
            text=reason[:150],
            url=report.get_absolute_url(),
            email_subject=_("Laporan dikembalikan: %(report)s") % {"report": report},
            email_body=_("%(user)s mengembalikan laporan %(report)s.\nAlasan: %(reason)s\n%(url)s")
            % {"user": user, "report": report, "reason": reason, "url": _report_url(report)},
            exclude=user,
        )
    return report


def _open_for_correction(*, report: MonthlyReport, user, reason: str) -> LockException | None:
    """When the report's month is locked (or its correction window ends too soon), open it
    for correction until today + REPORT_CORRECTION_DAYS: a lock exception with who and why.
    Nothing is written while the month is still open for the operator anyway."""
    today = timezone.localdate()
    until = today + dt.timedelta(days=settings.REPORT_CORRECTION_DAYS)
    key = {
        "regency_id": report.regency_id,
        "program_id": report.program_id,
        "year": report.year,
        "month": report.month,
    }
    if deadlines.lock_date(report.year, report.month) >= until:
        return None  # the operator can correct it before the ordinary lock date
    exception = LockException.objects.select_for_update().filter(**key).first()
    if exception is None:
        exception = LockException(**key, until=until, reason=reason, granted_by=user)
        exception._change_reason = reason
        try:
            with transaction.atomic():  # a savepoint: an admin may grant one at once
                exception.save()
            return exception
        except IntegrityError:
            # An admin's exception for this month committed meanwhile (the admin's form
            # holds no report): the unique key refused ours. That one is lengthened.
            exception = LockException.objects.select_for_update().get(**key)
    if exception.until >= until:
        return exception
    # Whoever sets the date grants the exception, now, as in the admin's form
    # (LockExceptionAdmin.save_model); the history keeps the earlier grant.
    exception.until, exception.reason = until, reason
    exception.granted_by, exception.granted_at = user, timezone.now()
    exception._change_reason = reason
    exception.save()
    return exception


def _resent_opening(report: MonthlyReport, *, user, reason: str) -> LockException | None:
    """The lock exception a verifier's "Buka untuk perbaikan" wrote, when this post is
    that same click sent again (a double click, or Back and resend): the returned report
    is open by this user's exception with this reason, still running. Otherwise None
    (opened by someone else, for another reason, or no longer open: refused as before)."""
    if report.status != Status.RETURNED:
        return None
    return LockException.objects.filter(
        regency_id=report.regency_id,
        program_id=report.program_id,
        year=report.year,
        month=report.month,
        granted_by=user,
        reason=reason,
        until__gte=timezone.localdate(),
    ).first()


@transaction.atomic
def report_open_for_correction(
    *, user, report: MonthlyReport, reason: str, version: int | None = None
) -> LockException:
    """Open a returned report of a locked month for correction again (its window ran out)."""
    report, reason = _verifier_with_reason(user, report, reason)
    _require_version(report, version)
    history_reason = site_text(gettext_noop("Dibuka untuk perbaikan: %(r)s"), {"r": reason})
    if not permissions.can_open_for_correction(user, report):
        opened = _resent_opening(report, user=user, reason=history_reason)
        if opened is not None:
            opened.resent = True
            return opened  # the same click again: one comment, one notification
        raise ServiceError(_(WRONG_STATUS))
    exception = _open_for_correction(report=report, user=user, reason=history_reason)
    # The reason is an entry of the report's conversation; the operators hear of it in
    # the app (the bell) and by a queued e-mail.
    Comment.objects.create(report=report, author=user, kind=Comment.Kind.REOPEN, text=reason)
    with site_language():
        notify(
            users=operators_of(report),
            kind=Notification.Kind.RETURNED,
            report=report,
            message=gettext_noop("Laporan dibuka untuk perbaikan: %(report)s"),
            url=report.get_absolute_url(),
            email_body=_(
                "%(user)s membuka laporan %(report)s untuk perbaikan sampai %(until)s.\n%(url)s"
            )
            % {
                "user": user,
                "report": report,
                "until": formats.date_label(exception.until),
                "url": _report_url(report),
            },
            exclude=user,
        )
    return exception


# --- Evidence: attachments on a report --------------------------------------------------


def _require_editable(
    user, report: MonthlyReport | None, regency_code, program_id, year, month, *, adding=False
):
    """Refuses an attachment's change unless the report is the operator's to change:
    editable, or (`adding`) waiting for verification (permissions.can_add_evidence)."""
    if not permissions.is_operator_for(user, regency_code=regency_code, program_id=program_id):
        raise PermissionDenied(_(NOT_ALLOWED))
    if report is None:
        raise ServiceError(_(ATTACH_NEEDS_REPORT))
    allowed = permissions.can_add_evidence if adding else permissions.can_edit_report
    if not allowed(
        user,
        regency_code=regency_code,
        program_id=program_id,
        year=year,
        month=month,
        status=report.status,
    ):
        if adding:
            raise ServiceError(_(ATTACH_NOT_ADDABLE))
        if report.status == Status.SUBMITTED:
            raise ServiceError(_(ATTACH_SUBMITTED_STAYS))
        raise ServiceError(_(ATTACH_NOT_EDITABLE))
    # A draft kept from before an exemption covered the whole month: shown as it is,
    # never changed (the entry page offers no upload or removal; a crafted post is
    # refused here).
    from programs.obligations import Obligations

    program = report.program
    obligations = Obligations.load(programs=[program], regency_codes=[regency_code])
    if obligations.nothing_required(regency_code, program.indicators.all(), year, month):
        raise ServiceError(_(NOTHING_REQUIRED))


@transaction.atomic
def attachment_add(
    *,
    user,
    report: MonthlyReport | None,
    regency: Regency,
    program: Program,
    year: int,
    month: int,
    data: bytes,
    filename: str,
    caption: str = "",
    indicator_code: str = "",
) -> Attachment:
    """Check an uploaded file (programs.reporting.evidence) and store it with the report. Nothing
    is stored when anything is refused. The report's version does not change: attaching
    a photo never conflicts with someone typing values."""
    import uuid

    from programs.reporting import evidence

    if report is not None:
        report = MonthlyReport.objects.select_for_update().get(pk=report.pk)
    require_taking_reports([program.pk])
    _require_editable(user, report, regency.code, program.pk, year, month, adding=True)
    caption = (caption or "").strip()
    if has_nul(caption):
        raise ServiceError(_(NUL_CHARACTER))
    if len(caption) > 300:
        raise ServiceError(_(CAPTION_TOO_LONG) % {"n": formats.number(300)})
    indicator = None
    if indicator_code:
        indicator = Indicator.objects.filter(program=program, code=indicator_code).first()
        if indicator is None:
            raise ServiceError(_(WRONG_INDICATOR))
        from programs.obligations import Obligations

        obligations = Obligations.load(programs=[program], regency_codes=[regency.code])
        if not obligations.indicator_required(regency.code, indicator, year, month):
            raise ServiceError(_(ATTACH_NOT_REQUIRED) % {"name": indicator.display_name})
    limit = settings.ATTACHMENT_MAX_PER_REPORT
    if report.attachments.count() >= limit:
        raise ServiceError(_(TOO_MANY_ATTACHMENTS) % {"n": formats.number(limit)})
    try:
        checked = evidence.check_upload(data, filename)
    except evidence.UploadRefused as refused:
        raise ServiceError(refused.message) from None
    # The same file for the same indicator, sent twice (a double click, a resend on a
    # slow connection): the report's row lock above orders the two; the second gets the
    # first's attachment instead of a copy.
    same = report.attachments.filter(sha256=checked.sha256, indicator=indicator).first()
    if same is not None:
        return same
    stem = uuid.uuid4().hex
    attachment = Attachment(
        report=report,
        indicator=indicator,
        kind=checked.kind,
        content_type=checked.content_type,
        original_name=evidence.safe_name(filename),
        caption=caption,
        size=len(checked.content),
        width=checked.width,
        height=checked.height,
        taken_at=checked.taken_at,
        latitude=checked.latitude,
        longitude=checked.longitude,
        sha256=checked.sha256,
        uploaded_by=user,
    )
    added = (
        ADDED_WHILE_SUBMITTED
        if report.status == Status.SUBMITTED
        else gettext_noop("Lampiran ditambahkan: %(name)s")
    )
    attachment._change_reason = site_text(added, {"name": attachment.original_name})
    attachment.full_clean(exclude=["file", "thumbnail"])
    storage = attachment.file.storage
    attachment.file.save(f"{stem}.{checked.extension}", ContentFile(checked.content), save=False)
    if checked.thumbnail:
        attachment.thumbnail.save(f"{stem}-kecil.jpg", ContentFile(checked.thumbnail), save=False)
    try:
        attachment.save()
    except Exception:
        for name in (attachment.file.name, attachment.thumbnail.name):
            if name:
                storage.delete(name)
        raise
    if report.status == Status.SUBMITTED:
        notify_evidence_added(report=report, user=user)
    return attachment


@transaction.atomic
def attachment_remove(*, user, attachment: Attachment) -> None:
    """An operator removes an attachment while the report is still editable; the
    removal is in the report's history (the file itself is deleted after commit)."""
    report = MonthlyReport.objects.select_for_update().get(pk=attachment.report_id)
    _require_editable(user, report, report.regency_id, report.program_id, report.year, report.month)
    names = [attachment.file.name, attachment.thumbnail.name]
    storage = attachment.file.storage
    attachment._change_reason = site_text(
        gettext_noop("Lampiran dihapus: %(name)s"), {"name": attachment.original_name}
    )
    attachment.delete()
    transaction.on_commit(lambda: [storage.delete(n) for n in names if n])


@transaction.atomic
def attachment_set_public(*, user, attachment: Attachment, public: bool) -> Attachment:
    """A verifier of the program marks a photo of a verified report as public (shown in
    the galleries of verified results), or takes it back."""
    report = attachment.report
    if not permissions.is_verifier_for(user, program_id=report.program_id):
        raise PermissionDenied(_(NOT_ALLOWED))
    if public and (attachment.kind != Attachment.Kind.PHOTO or report.status != Status.VERIFIED):
        raise ServiceError(_(ONLY_PHOTOS_PUBLIC))
    attachment.is_public = public
    attachment._change_reason = site_text(
        gettext_noop("Foto ditandai publik") if public else gettext_noop("Foto tidak lagi publik")
    )
    attachment.save(update_fields=["is_public"])
    return attachment
