"""Monthly reporting: the operator's months, the entry form, and the verifier's queue.

Every decision about who may do what is in programs.permissions; every write goes
through reporting.services. Forms are plain POSTs (they work on a slow connection without
JavaScript); htmx only adds inline checks and extra rows.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.exceptions import BadRequest, PermissionDenied
from django.db import DatabaseError
from django.db.models import Min
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from programs import formats, permissions
from programs.dashboards import selectors as dashboards
from programs.filters import year_from
from programs.formats import month_year_label
from programs.models import MIN_YEAR, FundingSource, Indicator, MonthlyReport, Program
from programs.reporting import deadlines, rules, services
from programs.reporting import selectors as reporting
from programs.reporting.forms import MAX_ROWS_PER_INDICATOR, parse_entry
from programs.reporting.rules import EntryRow, RowMessage, row_key
from programs.text import whole_number
from programs.vocabulary import data_word
from regencies.models import Regency
from sumsel_gerakan.messages import resent_tag

Status = MonthlyReport.Status
Level = RowMessage.Level
MAX_ROW_ID = 2**63 - 1  # the largest key or version a database integer holds
logger = logging.getLogger(__name__)
RESTORED = gettext_noop(
    "Sesi Anda berakhir sebelum isian ini tersimpan. Isian Anda dipulihkan di bawah dan "
    "belum tersimpan: periksa, lalu simpan atau ajukan lagi."
)
NOT_RESTORED = gettext_noop(
    "Sesi Anda berakhir sebelum isian Anda tersimpan, dan laporan ini kini tidak dapat Anda "
    "ubah lagi (sudah diajukan, diverifikasi atau dikunci): isian itu tidak dipulihkan."
)
# Numbers typed but not saved when a file was attached (which reloads the page): sent
# with the attachment (static/js/entry.js) and shown again after it.
KEPT_OVER_ATTACHMENT = gettext_noop(
    "Angka yang Anda ketik sebelum melampirkan berkas dipulihkan di bawah dan belum "
    "tersimpan: periksa, lalu simpan atau ajukan."
)
# A comment typed in the conversation box and not sent when a file was attached: sent
# with the attachment as the numbers are, and put back in the box after it.
KEPT_COMMENT = gettext_noop(
    "Komentar yang Anda ketik sebelum melampirkan berkas belum terkirim: teksnya masih ada "
    "di kotak percakapan di bawah."
)
COMMENT_FIELD = "teks"  # the conversation box's field (evidence_views.comment_add)
# The session key of an entry form sent after the session ended (see report_entry), and
# the form's field naming, signed, the user it was rendered for.
PENDING_ENTRY = "pending_entry"
PENDING_ENTRY_MAX_BYTES = 50_000
ENTRY_USER_FIELD = "pengisi"
ENTRY_USER_SALT = "programs.reporting.entry-user"
ALREADY_SUBMITTED = gettext_noop("Laporan ini sudah diajukan.")
SUBMITTED = gettext_noop("Laporan diajukan untuk diverifikasi. Terima kasih.")
ALREADY_SAVED = gettext_noop(
    "Isian Anda sudah tersimpan sebelum sesi berakhir: laporan di bawah adalah yang tersimpan."
)
UNKNOWN_ACTION = gettext_noop(
    "Tindakan “%(action)s” tidak dikenal di halaman ini, jadi tidak ada yang diubah. "
    "Muat ulang halaman, lalu pilih salah satu tombolnya."
)
SAVE_FAILED = gettext_noop(
    "Laporan belum tersimpan karena basis data sedang sibuk atau tidak terjangkau. Isian Anda "
    "masih ada di formulir: simpan lagi sebentar lagi."
)


def posted_action(
    request: HttpRequest, allowed: tuple[str, ...], default: str | None = None
) -> str:
    """The posted `aksi`, one of `allowed`; when none is posted, `default` (a form sent
    without its button). Any other value is no button of the page (a crafted or stale
    post): 400 with why, before anything is read or written. It used to fall through to
    another action (an entry form saved a draft; the queue verified the ticked reports
    and answered "Status laporan sudah berubah" for a returned one)."""
    action = request.POST.get("aksi")
    if action is None and default is not None:
        return default
    if action not in allowed:
        shown = Truncator(action or "").chars(40)
        raise BadRequest(_(UNKNOWN_ACTION) % {"action": shown})
    return action


def _posted_version(request: HttpRequest) -> int | None:
    """The report version the form was opened at (0: no report yet); None if absent."""
    return _posted_version_of(request.POST.get("versi"))


def _posted_version_of(text: str | None) -> int | None:
    return whole_number(text)


@dataclass(frozen=True)
class ReportTarget:
    """What a report's URL names: one regency's program for one month, and the report
    when there is one already."""

    regency: Regency
    program: Program
    year: int
    month: int
    report: MonthlyReport | None

    def entry_context(self) -> services.EntryContext:
        """What this month's entry form shows beside each indicator and checks against."""
        return services.entry_context(
            regency=self.regency, program=self.program, year=self.year, month=self.month
        )


def report_target(
    code: str, slug: str, period: tuple[int, int], *, switched_off: bool = False
) -> ReportTarget:
    """The report a URL names (404: unknown regency or program, or a future month; a
    program an admin switched off too, unless `switched_off`: the verifier's decisions,
    refused by name, `report_status`)."""
    regency = get_object_or_404(Regency, code=code)
    programs = Program.objects.all() if switched_off else Program.objects.filter(active=True)
    program = get_object_or_404(programs, slug=slug)
    year, month = period
    if permissions.is_future(year, month):
        raise Http404(_(rules.FUTURE_MONTH))
    report = MonthlyReport.objects.filter(
        regency=regency, program=program, year=year, month=month
    ).first()
    return ReportTarget(regency, program, year, month, report)


def require_view(user, target: ReportTarget) -> None:
    if not permissions.can_view_report(
        user, regency_code=target.regency.code, program_id=target.program.pk
    ):
        raise PermissionDenied(_("Anda tidak berwenang melihat laporan ini."))


def _can_edit(user, target: ReportTarget) -> bool:
    return permissions.can_edit_report(
        user,
        regency_code=target.regency.code,
        program_id=target.program.pk,
        year=target.year,
        month=target.month,
        status=target.report.status if target.report else None,
    )


def _require_edit(user, target: ReportTarget) -> None:
    if not _can_edit(user, target):
        raise PermissionDenied(_(services.NOT_ALLOWED))


def _report_years(today, regency_code: str | None) -> list[int]:
    """The years an operator can open, newest first: this year back to the first launch
    of an active program (nothing was due before; every year since has obligations), or
    to an earlier year with a report of `regency_code`. Without launch dates nor reports,
    the last four years. (A cap of four years hid 2024-2026 from the menu in 2030.)"""
    launches = Program.objects.filter(active=True, launch_date__isnull=False)
    first = launches.aggregate(first=Min("launch_date"))["first"]
    oldest = first.year if first else max(today.year - 3, MIN_YEAR)
    if regency_code is not None:
        reports = MonthlyReport.objects.filter(regency_id=regency_code, year__lt=oldest)
        oldest = reports.aggregate(first=Min("year"))["first"] or oldest
    return list(range(today.year, max(min(oldest, today.year), MIN_YEAR) - 1, -1))


@login_required
@require_GET
def my_reports(request: HttpRequest) -> HttpResponse:
    """An operator's months x programs: what is returned, due, late, or done."""
    today = timezone.localdate()
    # Operators report last month: in January that is December of last year, so the
    # list opens on the year of the month last ended (what is due now is in it).
    last_month_year = today.year - 1 if today.month == 1 else today.year
    scope = permissions.scope_of(request.user)
    years = _report_years(today, scope.regency_id if scope else None)
    # Read as every page reads `tahun` (ASCII digits only: "٢٠٢٤" is no year here, as it
    # is none on the dashboards, their downloads and the API).
    year = year_from(request.GET.get("tahun")) or last_month_year
    if year not in years:
        # A year the menu does not offer (before the launch, or not begun): the default,
        # as every filtered page falls back. '?tahun=2000' listed every month of a
        # program without a launch date as owed and "Terkunci sebelum diajukan".
        year = last_month_year if last_month_year in years else years[0]
    items = reporting.operator_months(user=request.user, year=year, today=today)
    to_do = reporting.operator_to_do(user=request.user, year=year, items=items, today=today)
    context = {
        "year": year,
        "years": years,
        "items": items,
        "returned": to_do.returned,
        "upcoming": to_do.upcoming,
        "due_now": to_do.due_now,
        "running": to_do.running,
        "locked_owed": to_do.locked,
        "grid": reporting.operator_grid(items),
        "regency": scope.regency if scope else None,
        "is_operator": permissions.is_operator(request.user),
    }
    return render(request, "programs/reporting/my_reports.html", context)


def today_past_lock(year: int, month: int) -> bool:
    return timezone.localdate() > deadlines.lock_date(year, month)


def render_entry(
    request: HttpRequest,
    target: ReportTarget,
    *,
    error: str | None = None,
    rows: list[EntryRow] | None = None,
    messages_: list[RowMessage] | None = None,
    conflict: services.ConflictError | None = None,
    status: int = 200,
    extra: dict | None = None,
) -> HttpResponse:
    """The entry page: the form with its rows, messages and history beside each input;
    `error` on top when a POST was refused (nothing saved)."""
    if error is not None:
        messages.error(request, error)
    regency, program, year, month = target.regency, target.program, target.year, target.month
    report = target.report
    ctx = target.entry_context()
    given = rows is not None  # what was typed (sent, or restored), not what is stored
    rows = rows if given else reporting.rows_from_report(report, ctx)
    # A month with nothing to fill in (the program, or every indicator, not required of
    # the regency): no deadline, no save or submit, a note why (services.report_save
    # refuses a post to it); a draft kept from before the exemption is shown as it is.
    nothing_required = ctx.nothing_required
    can_edit = _can_edit(request.user, target)
    editable = can_edit and not nothing_required
    if messages_ is None and editable and (report is not None or given):
        messages_ = rules.validate_rows(rows=rows, context=ctx)
    by_key = {}
    for message in messages_ or []:
        by_key.setdefault(message.key, []).append(message)
    # Values of an indicator the regency became exempt from after they were saved: not on
    # the form, kept in the draft, left out when it is submitted (services.report_save);
    # shown to everyone who may open the page (a verifier or a leader too).
    stored_exempt = defaultdict(list)
    if ctx.exempt and report is not None:
        for realization in (
            report.realizations.filter(indicator_id__in=ctx.exempt)
            .order_by("funding_source__order")
            .select_related("funding_source")
        ):
            stored_exempt[realization.indicator_id].append(realization)
    groups = []
    for indicator in ctx.indicators:
        indicator_rows = [r for r in rows if r.indicator.pk == indicator.pk] or [
            EntryRow(
                key=row_key(indicator, 0),
                indicator=indicator,
                source_code=FundingSource.UNSPECIFIED,
            )
        ]
        groups.append(
            {
                "exempt": indicator.pk in ctx.exempt,
                "stored_exempt": stored_exempt.get(indicator.pk, []),
                "total": rules.month_total(indicator_rows),
                "indicator": indicator,
                "info": ctx.by_indicator[indicator.pk],
                "rows": [
                    (row, by_key.get(row.key, []), ctx.sources_for(row)) for row in indicator_rows
                ],
                "messages": by_key.get(indicator.code, []),
            }
        )
    context = {
        # The page's own address, for the language switch and login links: a refused
        # post to /status/ (POST only) is answered here too, and came back to a 405.
        "page_url": reverse(
            "programs:report_entry", args=[regency.code, program.slug, (year, month)]
        ),
        "regency": regency,
        "program": program,
        "year": year,
        "month": month,
        "period_label": month_year_label(year, month),
        "period": (year, month),
        "report": report,
        "groups": groups,
        "editable": editable,
        "nothing_required": nothing_required,
        # What was typed into a form the user can no longer save (the month locked, the
        # report submitted meanwhile): shown, unsaved, so that it can be copied.
        "kept": given and not editable and not nothing_required,
        "locked": permissions.is_locked(
            regency_code=regency.code, program_id=program.pk, year=year, month=month
        ),
        "can_verify": report is not None and permissions.can_verify(request.user, report),
        "can_reopen": report is not None and permissions.can_reopen(request.user, report),
        "can_open_for_correction": report is not None
        and permissions.can_open_for_correction(request.user, report),
        "correction": permissions.running_exception(
            regency_code=regency.code, program_id=program.pk, year=year, month=month
        )
        if today_past_lock(year, month)
        else None,
        "timeline": reporting.report_timeline(report) if report else [],
        "conflict": conflict,
        "snapshot": json.dumps(services.stored_values(report)),
        "entry_user": entry_user_token(request.user) if editable else "",
        "has_errors": any(m.level == Level.ERROR for m in messages_ or []),
        # A year without any target yet (January 2027 before the admin copies 2026's):
        # the same notice as the dashboards, instead of "Belum ada target" unexplained.
        "targets_missing": dashboards.targets_missing(year),
        "copies_targets": permissions.is_admin(request.user),
    }
    context.update(reporting.report_evidence(user=request.user, report=report, editable=editable))
    context.update(extra or {})
    context["due_date"] = deadlines.due_date(year, month)
    context["lock_date"] = deadlines.lock_date(year, month)
    context["lock_advice"] = deadlines.who_opens(report.status if report else None)
    response = render(request, "programs/reporting/entry.html", context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_http_methods(["GET", "POST"])
def report_entry(
    request: HttpRequest, code: str, slug: str, period: tuple[int, int]
) -> HttpResponse:
    """The entry form of one regency's program for one month (read-only when the user may
    not edit it); POST saves a draft or submits. A form sent after the session ended is
    kept (in the new, anonymous session) and shown again, unsaved, once logged in."""
    if not request.user.is_authenticated:
        if request.method == "POST":
            report_target(code, slug, period)  # a real report's address, or 404
            _keep_pending_entry(request)
        return redirect_to_login(request.get_full_path())
    target = report_target(code, slug, period)
    require_view(request.user, target)
    if request.method == "GET":
        pending = request.session.pop(PENDING_ENTRY, None)
        if pending and pending.get("path") == request.path:
            return _render_pending_entry(request, target, pending)
        return render_entry(request, target)

    # The form's two buttons; a post without either (Enter in an older browser) saves.
    submit = posted_action(request, ("simpan", "ajukan"), default="simpan") == "ajukan"
    indicators = list(target.program.indicators.select_related("program"))
    rows = parse_entry(request.POST, indicators)
    version = _posted_version(request)
    # The service decides who may save what (a user without the regency's operator role:
    # 403). A month locked, or a report submitted, since the form was opened comes back
    # with what was typed and why it was not saved, never a bare refusal that loses it
    # (an operator sending at 00:00:13 a form opened before the lock); a resend of a form
    # that was saved is answered as done.
    try:
        saved = services.report_save(
            user=request.user,
            regency=target.regency,
            program=target.program,
            year=target.year,
            month=target.month,
            version=version,
            rows=rows,
            submit=submit,
        )
    except services.ConflictError as conflict:
        return render_entry(
            request,
            replace(target, report=conflict.report),
            error=conflict.message,
            rows=rows,
            messages_=[],
            conflict=_conflict_rows(request, conflict, target.program),
            status=409,
        )
    except services.ServiceError as error:
        return render_entry(
            request,
            target,
            error=error.message,
            rows=rows,
            messages_=error.messages,
            status=422,
        )
    except DatabaseError:
        # Busy or briefly unreachable database: nothing was saved (the transaction rolled
        # back); the form comes back with everything typed, to save again.
        logger.warning("report save failed", exc_info=True)
        return render_entry(
            request, target, error=_(SAVE_FAILED), rows=rows, messages_=[], status=503
        )
    if submit:
        # Also when this form's first post submitted it (a resend): answered the same, and
        # shown once (sumsel_gerakan/messages.py).
        messages.success(request, _(SUBMITTED), extra_tags=resent_tag(saved))
    else:
        messages.success(
            request,
            _("Draf tersimpan (versi %(v)s).") % {"v": saved.version},
            extra_tags=resent_tag(saved),
        )
    return redirect(saved.get_absolute_url())


def _session_ended(
    request: HttpRequest, code: str, slug: str, period: tuple[int, int], *, keep: bool
) -> HttpResponse:
    """An htmx request of the entry form after the session ended. Redirected to the login
    page like a page, htmx followed the redirect and put the whole login page inside the
    form (whose login then led to a POST-only address, and the typed figures were lost).
    Now: 401 naming the login page that returns to the form (HX-Redirect), and with
    `keep` the form as typed is kept (as a save sent after the session ended is). A
    request that holds only part of the form (a new row's) keeps nothing: the form's
    script (static/js/entry.js) sends the whole form once more to be kept, then leaves."""
    entry = reverse("programs:report_entry", args=[code, slug, period])
    report_target(code, slug, period)  # a real report's address, or 404
    if not request.htmx:
        return redirect_to_login(request.get_full_path())
    response = HttpResponse(status=401)
    if keep:
        _keep_pending_entry(request, path=entry)
    response["HX-Redirect"] = redirect_to_login(entry).url
    return response


def _keep_pending_entry(
    request: HttpRequest, path: str | None = None, *, reason: str = "session"
) -> None:
    """What an entry form sent without a session held: nothing typed is lost to a login.
    Only the form's own fields (its rows, version, snapshot and the signed id of the user
    who opened it), and not an oversized body. `path`: the entry form's (default: the
    request's own). `reason`: "session", or "attach" (the entry form's unsaved fields,
    and the conversation box's unsent text, sent with an attachment, `keep_unsaved_entry`)."""
    kept = {"versi", "snapshot", "aksi", ENTRY_USER_FIELD, COMMENT_FIELD}
    data = {
        name: values[:1]
        for name, values in request.POST.lists()
        if name in kept or name.startswith("r-")
    }
    if len(json.dumps(data)) <= PENDING_ENTRY_MAX_BYTES:
        request.session[PENDING_ENTRY] = {
            "path": path or request.path,
            "data": data,
            "reason": reason,
        }


def has_unsaved_entry(request: HttpRequest) -> bool:
    """Whether a POST other than the entry form's carries the form's unsaved rows (an
    attachment sent while numbers were typed and not saved: static/js/entry.js)."""
    return any(name.startswith("r-") for name in request.POST)


def _unsent_comment(posted: QueryDict) -> dict:
    """`render_entry`'s extra putting back in the conversation box the text of a comment
    typed and not sent that a POST other than the comment form's carried (an attachment:
    static/js/entry.js); none when it carried none."""
    text = posted.get(COMMENT_FIELD, "")
    return {"comment_text": text} if text.strip() else {}


def keep_unsaved_entry(request: HttpRequest, target: ReportTarget) -> None:
    """Keeps the entry form's unsaved rows, and the conversation box's unsent text, sent
    with another POST, to be shown again, unsaved, when the page is next opened (after
    the redirect back to it)."""
    if has_unsaved_entry(request) or _unsent_comment(request.POST):
        entry = reverse(
            "programs:report_entry",
            args=[target.regency.code, target.program.slug, (target.year, target.month)],
        )
        _keep_pending_entry(request, path=entry, reason="attach")


def unsaved_entry_page(
    request: HttpRequest, target: ReportTarget, *, error: str, status: int, extra: dict
) -> HttpResponse:
    """The entry page answering a refused POST other than the form's own (an attachment),
    showing the form's unsaved rows it carried as typed, rather than the stored ones, and
    the comment it carried in the conversation box."""
    extra = {**extra, **_unsent_comment(request.POST)}
    if not has_unsaved_entry(request):
        return render_entry(request, target, error=error, status=status, extra=extra)
    indicators = list(target.program.indicators.select_related("program"))
    rows = parse_entry(request.POST, indicators)
    extra = {**extra, **_sent_form_state(request.POST)}
    return render_entry(request, target, error=error, rows=rows, status=status, extra=extra)


def entry_user_token(user) -> str:
    """The entry form's signed mark of the user it was rendered for (see report_entry)."""
    return signing.dumps(user.pk, salt=ENTRY_USER_SALT)


def _render_pending_entry(
    request: HttpRequest, target: ReportTarget, pending: dict
) -> HttpResponse:
    """The form as it was sent, unsaved, with the version and snapshot it was opened on:
    saving it goes through the usual conflict check against what was saved meanwhile.
    Only for the user who opened the form (another operator logging in on the same
    browser never sees it), and while they may still edit the report. A comment sent
    along with an attachment is put back in the conversation box whatever becomes of
    the rows (an attachment is posted signed in: the session that kept it is the user's)."""
    posted = QueryDict(mutable=True)
    for name, values in pending.get("data", {}).items():
        posted.setlist(name, [str(v) for v in values])
    attached = pending.get("reason") == "attach"
    comment = _unsent_comment(posted) if attached else {}
    if comment:
        messages.warning(request, _(KEPT_COMMENT))
    try:
        owner = signing.loads(posted.get(ENTRY_USER_FIELD, ""), salt=ENTRY_USER_SALT)
    except signing.BadSignature:
        owner = None
    if owner != request.user.pk:
        return render_entry(request, target, extra=comment)
    indicators = list(target.program.indicators.select_related("program"))
    rows = parse_entry(posted, indicators)
    version = _posted_version_of(posted.get("versi"))
    submit = posted.get("aksi") == "ajukan"
    # The form was sent twice and only the second post found the session ended: the
    # first one saved it, so there is nothing to restore.
    if services.resent_save(
        user=request.user, report=target.report, version=version, rows=rows, submit=submit
    ):
        if not attached:
            messages.info(request, _(ALREADY_SUBMITTED) if submit else _(ALREADY_SAVED))
        return render_entry(request, target, extra=comment)
    if not _can_edit(request.user, target):
        if not attached:
            messages.warning(request, _(NOT_RESTORED))
        return render_entry(request, target, extra=comment)
    messages.warning(request, _(KEPT_OVER_ATTACHMENT if attached else RESTORED))
    return render_entry(request, target, rows=rows, extra={**_sent_form_state(posted), **comment})


def _sent_form_state(posted: QueryDict) -> dict:
    """`render_entry`'s extra for rows shown as sent rather than as stored: the version
    and the snapshot of what was stored (if any) the form was opened at, as it sent them."""
    extra = {"posted_version": _posted_version_of(posted.get("versi"))}
    if posted.get("snapshot"):
        extra["snapshot"] = posted["snapshot"]
    return extra


def _conflict_rows(
    request: HttpRequest, conflict: services.ConflictError, program: Program
) -> list[tuple[str, str, str]]:
    """(what, value when you opened the form, value stored now) for each difference."""
    text = request.POST.get("snapshot") or "{}"
    try:
        # A hand-made snapshot of deeply nested brackets must not end in a RecursionError.
        before = json.loads(text) if len(text) <= 100_000 else {}
    except (ValueError, RecursionError):
        before = {}
    if not isinstance(before, dict):
        before = {}
    names = {i.code: i.display_name for i in program.indicators.all()}
    # Generic sources ("Tidak dirinci") in the reader's language, as every page names them.
    sources = {
        code: data_word(name) for code, name in FundingSource.objects.values_list("code", "name")
    }

    def label(key: str) -> str:
        indicator, _slash, source = key.partition("/")
        return f"{names.get(indicator, indicator)} — {sources.get(source, source)}"

    def shown(text) -> str:
        if not text:
            return "–"
        try:
            return "/".join(
                formats.number(Decimal(part), _decimals(part)) for part in str(text).split("/")
            )
        except (InvalidOperation, ValueError):
            return str(text)

    now = conflict.current
    return [
        (label(key), shown(before.get(key)), shown(now.get(key)))
        for key in sorted(set(before) | set(now))
        if before.get(key) != now.get(key)
    ]


def _decimals(text: str) -> int:
    return len(text.split(".", 1)[1]) if "." in text else 0


@require_POST
def report_check(
    request: HttpRequest, code: str, slug: str, period: tuple[int, int]
) -> HttpResponse:
    """htmx: check the entries as the operator types; answers the messages, placed beside
    each row with out-of-band swaps. Changes nothing."""
    if not request.user.is_authenticated:
        return _session_ended(request, code, slug, period, keep=True)
    target = report_target(code, slug, period)
    _require_edit(request.user, target)
    indicators = list(target.program.indicators.select_related("program"))
    rows = parse_entry(request.POST, indicators)
    ctx = target.entry_context()
    found = rules.validate_rows(rows=rows, context=ctx)
    # Every row on the page gets an answer, so fixed rows lose their old messages.
    keys = [i.code for i in indicators] + [
        name[2:].rsplit("-", 1)[0] for name in request.POST if name.startswith("r-")
    ]
    by_key = {key: [m for m in found if m.key == key] for key in dict.fromkeys(keys)}
    response = render(
        request,
        "programs/reporting/_check.html",
        {
            "by_key": by_key,
            "has_errors": any(m.level == Level.ERROR for m in found),
            "needs_notes": any(m.level == Level.WARNING and not m.resolved for m in found),
        },
    )
    return response


@require_GET
def report_new_row(
    request: HttpRequest, code: str, slug: str, period: tuple[int, int]
) -> HttpResponse:
    """htmx: one more funding-source row for an indicator."""
    if not request.user.is_authenticated:
        # The request holds only this indicator's rows: nothing to keep here. The answer
        # names the login page, and the form's script keeps the whole form, then goes
        # there (it did nothing visible when this answer named no page).
        return _session_ended(request, code, slug, period, keep=False)
    target = report_target(code, slug, period)
    _require_edit(request.user, target)
    indicator = get_object_or_404(
        Indicator, program=target.program, code=request.GET.get("indikator")
    )
    if indicator.measure not in (Indicator.Measure.INCREMENT, Indicator.Measure.RUNNING_TOTAL):
        raise Http404
    prefix = f"r-{indicator.code}-"
    used = [
        whole_number(name[len(prefix) :].split("-", 1)[0])
        for name in request.GET
        if name.startswith(prefix)
    ]
    index = max((n for n in used if n is not None), default=0) + 1
    if index >= MAX_ROWS_PER_INDICATOR:
        return HttpResponse(status=204)
    ctx = target.entry_context()
    if indicator.pk in ctx.exempt:
        raise Http404  # not required this month: the form has no input for it
    row = EntryRow(key=row_key(indicator, index), indicator=indicator, source_code="")
    sources = ctx.sources_for(row)  # the active ones: never a retired source
    # Preselect the first source no other row of the indicator has: the first of the list
    # (Tidak dirinci, as the first row starts) made the new row a duplicate, refused
    # as soon as a value was typed in it unless the operator noticed the menu.
    taken = {
        request.GET[name]
        for name in request.GET
        if name.startswith(prefix) and name.endswith("-source")
    }
    row.source_code = next((s.code for s in sources if s.code not in taken), "")
    return render(
        request,
        "programs/reporting/_row.html",
        {
            "row": row,
            "row_messages": [],
            "row_sources": sources,
            "editable": True,
        },
    )


@login_required
@require_POST
def report_status(
    request: HttpRequest, code: str, slug: str, period: tuple[int, int]
) -> HttpResponse:
    """A verifier's decision on one report: verify, return (with a reason) or reopen."""
    target = report_target(code, slug, period, switched_off=True)
    require_view(request.user, target)
    report = target.report
    if report is None:
        raise Http404
    action = posted_action(request, ("verifikasi", "kembalikan", "buka", "buka-perbaikan"))
    if not target.program.active:
        if not permissions.is_verifier_for(request.user, program_id=report.program_id):
            raise Http404  # as every other page of it
        # Its page is gone (404): sent from it or from a queue loaded before, the answer
        # is the queue, saying which report and why (the service refuses it too).
        messages.error(request, services.program_switched_off(report))
        filters = reporting.QueueFilters.from_query(request.GET)
        return redirect(_queue_url(filters, request.GET.get("halaman")))
    # Sent from the verification queue (its return box): answered there, on the page of
    # the queue it came from (the button's address carries the queue's filters and page).
    from_queue = request.POST.get(
        "kembali"
    ) == "antrean" and permissions.can_use_verification_queue(request.user)
    reason = request.POST.get("alasan", "")
    version = _posted_version(request)
    if from_queue and f"versi-{report.pk}" in request.POST:
        # The queue is one form: each report's box names its reason and version.
        reason = request.POST.get(f"alasan-{report.pk}", "")
        version = _posted_version_of(request.POST.get(f"versi-{report.pk}"))
    actions = {
        "verifikasi": (
            lambda: services.report_verify(user=request.user, report=report, version=version),
            _("Laporan diverifikasi."),
        ),
        "kembalikan": (
            lambda: services.report_return(
                user=request.user, report=report, reason=reason, version=version
            ),
            _("Laporan dikembalikan ke operator."),
        ),
        "buka": (
            lambda: services.report_reopen(
                user=request.user, report=report, reason=reason, version=version
            ),
            _("Laporan dibuka kembali untuk diperbaiki operator."),
        ),
        "buka-perbaikan": (
            lambda: services.report_open_for_correction(
                user=request.user, report=report, reason=reason, version=version
            ),
            _("Bulan ini dibuka lagi untuk perbaikan oleh operator."),
        ),
    }
    run, done = actions[action]
    filters = reporting.QueueFilters.from_query(request.GET)
    # The other reports the verifier had ticked on the queue (its tick boxes, `laporan`,
    # sent with the box, which is part of the same form; `centang` from a queue page
    # loaded before): the queue comes back with them still ticked.
    ticked = (
        report_selections(
            request.POST.getlist("laporan") + request.POST.getlist("centang"), MAX_TICKED
        )
        if from_queue
        else []
    )
    try:
        if version is None:
            raise services.ServiceError(_(services.WRONG_STATUS))
        answered = run()
    except services.ServiceError as error:
        if action != "verifikasi" and from_queue:
            # The queue comes back, not the report page: the reason as typed in its box,
            # the message beside it (on top when the report has left this page).
            return queue_page(
                request,
                filters,
                status=422,
                reason={"report": report.pk, "text": reason, "error": error.message},
                ticked=ticked,
            )
        if action != "verifikasi":
            # A refused reason (empty, too long, a NUL character) or a report changed
            # meanwhile: the page comes back with the reason as typed and the message
            # beside it, never a redirect that empties the box.
            current = MonthlyReport.objects.filter(pk=report.pk).first()
            form_shown = {
                "kembalikan": permissions.can_verify,
                "buka": permissions.can_reopen,
                "buka-perbaikan": permissions.can_open_for_correction,
            }[action]
            return render_entry(
                request,
                replace(target, report=current),
                # On top only when the form is gone (the report changed meanwhile).
                error=None
                if current is not None and form_shown(request.user, current)
                else error.message,
                status=422,
                extra={
                    "reason_action": action,
                    "reason_text": reason,
                    "reason_error": error.message,
                },
            )
        messages.error(request, error.message)
    else:
        messages.success(request, done, extra_tags=resent_tag(answered))
    if from_queue:
        return redirect(_queue_url(filters, request.GET.get("halaman"), ticked))
    return redirect(report.get_absolute_url())


def _queue_url(
    filters: reporting.QueueFilters,
    page: str | None = None,
    ticked: list[tuple[int, int]] = (),
) -> str:
    """The queue's address: its filters, its page, and the reports ticked on it (`centang`:
    id and version, which the page shows ticked again)."""
    from urllib.parse import urlencode

    url = reverse("programs:verification") + filters.query()
    extra = []
    number = whole_number(page)
    if number is not None and number > 1:
        extra.append(("halaman", str(number)))
    extra += [("centang", f"{pk}:{version}") for pk, version in ticked]
    if extra:
        url += ("&" if url[-1] != "?" else "") + urlencode(extra)
    return url


# At most a page of them is shown; more are ignored rather than parsed.
MAX_TICKED = 2 * reporting.QUEUE_PAGE_SIZE


def report_selections(values: list[str], limit: int | None = None) -> list[tuple[int, int]]:
    """The queue's tick boxes as sent ("<report id>:<version>"), malformed ones dropped."""
    selections = []
    for key in values[:limit]:
        parts = [whole_number(part) for part in key.split(":")]
        if len(parts) != 2 or None in parts:
            continue
        pk, version = parts
        if 0 < pk <= MAX_ROW_ID and 0 <= version <= MAX_ROW_ID:  # a database integer
            selections.append((pk, version))
    return selections


def queue_page(
    request: HttpRequest,
    filters: reporting.QueueFilters,
    *,
    status: int = 200,
    reason: dict | None = None,
    ticked: list[tuple[int, int]] | None = None,
) -> HttpResponse:
    """The verifier's queue page. `reason`: a return refused from one of its boxes
    (report id, the text typed, the error), shown in that box, open; on top when that
    report is not on this page any more (returned or verified by someone else).
    `ticked` (else the address's `centang`): reports shown ticked for verification, each
    only while it is still the version that was ticked (a report changed since is
    looked at again before it is verified)."""
    queue = reporting.verification_page(
        user=request.user, filters=filters, page=whole_number(request.GET.get("halaman")) or 1
    )
    if ticked is None:
        ticked = report_selections(request.GET.getlist("centang"), MAX_TICKED)
    still = set(ticked)
    ticked_ids = {
        item.report.pk
        for item in queue.items
        if (item.report.pk, item.report.version) in still and item.report.status == Status.SUBMITTED
    }
    if reason is not None and not any(
        item.report.pk == reason["report"] and item.report.status == Status.SUBMITTED
        for item in queue.items
    ):
        messages.error(request, reason["error"])
    context = {"queue": queue, "filters": filters, "reason": reason, "ticked": ticked_ids}
    if reason is not None:
        # The page's own address (language switch, login links): this answer to a return
        # sent from it is rendered at the report's /status/ address (POST only).
        context["page_url"] = _queue_url(filters, str(queue.page.number), ticked)
    return render(request, "programs/reporting/verification.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def verification_queue(request: HttpRequest) -> HttpResponse:
    """A verifier's queue: filtered by program, regency, month and status, 25 a page,
    oldest first; verify the ticked reports, or every report matching the filter."""
    if not permissions.can_use_verification_queue(request.user):
        raise PermissionDenied(_("Halaman ini untuk verifikator."))
    filters = reporting.QueueFilters.from_query(request.GET)
    if request.method == "POST":
        back = reverse("programs:verification") + filters.query()
        # "Verifikasi yang dicentang" (the default) or "Verifikasi semua ...".
        action = posted_action(request, ("dicentang", "semua"), default="dicentang")
        try:
            if action == "semua":
                expected = whole_number(request.POST.get("jumlah"))
                done = services.report_verify_matching(
                    user=request.user,
                    # Of any status: the service picks the submitted ones, and tells the
                    # same click sent again by the ones it verified.
                    reports=reporting.queue_reports(
                        user=request.user, filters=filters, skip="status", switched_off=True
                    ),
                    expected=-1 if expected is None else expected,  # no count: refused
                    fingerprint=request.POST.get("sidik", ""),
                )
            else:
                selections = report_selections(request.POST.getlist("laporan"))
                if not selections:
                    messages.error(request, _("Pilih paling sedikit satu laporan."))
                    return redirect(_queue_url(filters, request.GET.get("halaman")))
                done = services.report_verify_many(user=request.user, selections=selections)
        except services.ServiceError as error:
            messages.error(request, error.message)
            # Refused (a report changed or left meanwhile, or the queue "verify all" counted
            # changed): nothing was verified, and the queue comes back on its page with the
            # reports ticked as they were (the ticks are sent with either button, one form;
            # each one still at the version ticked; one changed since is looked at again).
            ticked = report_selections(request.POST.getlist("laporan"), MAX_TICKED)
            return redirect(_queue_url(filters, request.GET.get("halaman"), ticked))
        else:
            messages.success(
                request,
                _("%(n)s laporan diverifikasi.") % {"n": formats.number(len(done))},
                extra_tags=resent_tag(*done),
            )
        return redirect(back)
    return queue_page(request, filters)
