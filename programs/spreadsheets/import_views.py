"""Spreadsheet import: download a template, upload, preview every row, apply."""

from __future__ import annotations

import tempfile
import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods

from accounts.redirects import login_required_page
from programs import formats, permissions
from programs.models import ImportBatch
from programs.spreadsheets import imports

Kind = ImportBatch.Kind
State = imports.PreviewRow.State
PREVIEW_LIMIT = 1000  # rows listed on the page; the counts always cover every row
PREVIEW_AGAIN = gettext_noop(
    "Impor ini belum diterapkan. Periksa pratinjaunya lagi, lalu tekan Terapkan impor."
)


def _require_importer(user, kind: str) -> None:
    if kind == Kind.TARGETS and not permissions.can_import(user, kind=kind):
        raise PermissionDenied(_(imports.NOT_ADMIN))
    if not permissions.can_import(user):
        raise PermissionDenied(_("Impor hanya untuk operator kabupaten/kota dan admin."))


def _upload_context(request: HttpRequest, kind: str) -> dict:
    """The import page's: its template month is the one asked for (`bulan`) when it can
    be reported, else last month."""
    today = timezone.localdate()
    try:
        texts = request.GET.getlist("bulan")
        period = imports.template_periods(user=request.user, texts=texts, today=today)[0]
    except imports.ImportFileError:
        period = imports.template_periods(user=request.user, texts=[], today=today)[0]
    return {
        "kind": kind,
        "is_admin": permissions.is_admin(request.user),
        "default_period": "-".join(f"{p:02d}" for p in period),
    }


@login_required_page  # the upload is an htmx POST
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    """Upload a filled template: every row is checked and shown before anything changes."""
    kind = request.POST.get("jenis") or request.GET.get("jenis") or Kind.REALIZATIONS
    if kind not in Kind.values:
        kind = Kind.REALIZATIONS
    _require_importer(request.user, kind)
    context = _upload_context(request, kind)
    if request.method == "GET":
        return render(request, "programs/spreadsheets/upload.html", context)
    uploaded = request.FILES.get("berkas")
    try:
        if uploaded is None:
            raise imports.ImportFileError(_("Pilih berkas .xlsx atau .csv untuk diunggah."))
        rows = imports.read_table(uploaded, kind=kind)
        importer = _importer(request.user, kind)
        preview = importer.preview(rows)
        if not preview:
            raise imports.ImportFileError(_(imports.EMPTY))
    except imports.ImportFileError as error:
        messages.error(request, error.message)
        return render(request, "programs/spreadsheets/upload.html", context, status=400)
    batch = imports.create_batch(
        user=request.user,
        kind=kind,
        filename=uploaded.name,
        rows=rows,
        preview=preview,
        report_versions=getattr(importer, "report_versions", None),
    )
    return _preview_page(request, context, batch, preview)


def _importer(user, kind: str):
    if kind == Kind.TARGETS:
        return imports.TargetImport(user=user)
    return imports.RealizationImport(user=user)


def _preview_page(request: HttpRequest, context: dict, batch: ImportBatch, preview) -> HttpResponse:
    """The preview of `batch`: every row's state and reason, the counts, and Apply."""
    order = {State.ERROR: 0, State.CHANGED: 1, State.NEW: 2, State.UNCHANGED: 3}
    # Within each state, the rows whose report will need a note before it is submitted
    # come first: they stay in view when the list is cut at PREVIEW_LIMIT.
    listed = sorted(preview, key=lambda r: (order[r.state], not r.needs_note, r.line))
    listed = listed[:PREVIEW_LIMIT]
    # As the rows stand now (the batch's own counts, at upload; a preview shown again
    # after a login counts what applying would do now).
    summary = imports.summarize(preview)
    context.update(
        {
            "batch": batch,
            "summary": summary,
            "rows": listed,
            "hidden": max(0, len(preview) - len(listed)),
            "needing_notes": sum(1 for r in preview if r.needs_note),
            "blank_sources": sum(
                1 for r in preview if r.blank_source and r.state in (State.NEW, State.CHANGED)
            ),
            "large_changes": sum(1 for r in preview if r.large),
            "can_apply": summary[State.ERROR] == 0
            and (summary[State.NEW] + summary[State.CHANGED]) > 0,
        }
    )
    return render(request, "programs/spreadsheets/preview.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    """Apply a previewed upload, all or nothing. GET (where the login page returns to when
    the session ended before Apply was pressed, and which answered 405): the upload's
    preview again, as it stands now, to apply from, instead of uploading the file again."""
    batch = ImportBatch.objects.filter(token=token).first()
    if batch is None:
        # Deleted by `prune_imports` (a week on): gone as an expired one is, and said so
        # on the upload page rather than as a bare "not found".
        messages.error(request, _(imports.EXPIRED))
        return redirect("programs:import")
    _require_importer(request.user, batch.kind)
    if request.method == "GET":
        return _preview_again(request, batch)
    try:
        if batch.kind == Kind.TARGETS:
            confirmed = request.POST.get("konfirmasi_besar") == "on"
            done = imports.apply_targets(batch=batch, user=request.user, confirmed=confirmed)
            messages.success(
                request,
                _("Impor target diterapkan: %(new)s baru, %(changed)s diubah.")
                % {
                    "new": formats.number(done.get(State.NEW, 0)),
                    "changed": formats.number(done.get(State.CHANGED, 0)),
                },
            )
            return redirect("admin:programs_target_changelist")
        done = imports.apply_realizations(batch=batch, user=request.user)
    except (imports.AlreadyApplied, imports.ImportFileError) as error:
        return _batch_refused(request, batch, error)
    messages.success(
        request,
        _(
            "Impor diterapkan: %(created)s nilai baru dan %(updated)s nilai diubah pada "
            "%(reports)s laporan. Laporan tetap berstatus draf: periksa lalu ajukan."
        )
        % {key: formats.number(count) for key, count in done.items()},  # 1.234, not 1234
    )
    return redirect("programs:my_reports")


def _batch_refused(request: HttpRequest, batch: ImportBatch, error: Exception) -> HttpResponse:
    """Where an Apply (or its preview again) goes when the batch cannot be applied: one
    already applied (the same Apply sent again) says it is done, where the first went; a
    batch refused says why, on the import page."""
    if isinstance(error, imports.AlreadyApplied):
        messages.success(request, error.message)
        if batch.kind == Kind.TARGETS:
            return redirect("admin:programs_target_changelist")
        return redirect("programs:my_reports")
    messages.error(request, error.message)
    return _upload_page(batch.kind)


def _upload_page(kind: str) -> HttpResponse:
    """The import page, the kind of data `kind` chosen (an admin's target upload comes
    back to "Target", not to the monthly realizations)."""
    if kind == Kind.TARGETS:
        return redirect(reverse("programs:import") + "?" + urlencode({"jenis": kind}))
    return redirect("programs:import")


def _preview_again(request: HttpRequest, batch: ImportBatch) -> HttpResponse:
    try:
        imports.check_batch(batch, request.user)
    except (imports.AlreadyApplied, imports.ImportFileError) as error:
        return _batch_refused(request, batch, error)
    preview = _importer(request.user, batch.kind).preview(
        [(line, cells) for line, cells in batch.rows]
    )
    messages.warning(request, _(PREVIEW_AGAIN))
    context = _upload_context(request, batch.kind)
    return _preview_page(request, context, batch, preview)


@login_required
@require_GET
def template(request: HttpRequest) -> HttpResponse:
    """The realization template, pre-filled for the user's regency (all for admins); a
    month that cannot be reported is refused on the import page, as an upload is."""
    _require_importer(request.user, Kind.REALIZATIONS)
    try:
        periods = imports.template_periods(
            user=request.user, texts=request.GET.getlist("bulan"), today=timezone.localdate()
        )
        # `wilayah` as the upload reads a wilayah cell (16.07, 1607); a code naming no
        # regency, or (for an operator) another regency than theirs, is refused rather
        # than answered with an empty template or one for a regency not asked for.
        regency_code = imports.template_regency(request.GET.get("wilayah"), user=request.user)
    except imports.ImportFileError as error:
        messages.error(request, error.message)
        context = _upload_context(request, Kind.REALIZATIONS)
        return render(request, "programs/spreadsheets/upload.html", context, status=400)
    workbook = imports.realization_template(
        user=request.user, periods=periods, regency_code=regency_code
    )
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when sent
    workbook.save(handle)
    handle.seek(0)
    year, month = periods[-1]
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"templat-realisasi-{year}-{month:02d}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
