"""Evidence and conversation on a report: attachments, comments, notifications.

Files are never served from a public URL: each download checks the same scope as the
report (programs.permissions.can_view_attachment) and answers 404 otherwise, so guessing
another regency's file id tells nothing. Served files carry no metadata (re-encoded on
upload) and a Content-Security-Policy that runs nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from programs import permissions
from programs.models import Attachment
from programs.reporting import evidence, notifications, services
from programs.reporting.views import (
    COMMENT_FIELD,
    keep_unsaved_entry,
    render_entry,
    report_target,
    require_view,
    unsaved_entry_page,
)

PRIVATE_MAX_AGE = 300  # seconds a private photo stays fresh in the browser's cache


@login_required
@require_POST
def attachment_upload(request, code: str, slug: str, period: tuple[int, int]):
    """POST multipart `berkas`, `keterangan`, optional `indikator`: attach a file."""
    target = report_target(code, slug, period)
    require_view(request.user, target)
    # Only the regency's operators attach (services.attachment_add decides it again): a
    # verifier's or a leader's post is refused as such (403), whether or not it holds a
    # file, not asked to choose one (422).
    if not permissions.is_operator_for(
        request.user, regency_code=target.regency.code, program_id=target.program.pk
    ):
        raise PermissionDenied
    upload = request.FILES.get("berkas")
    caption = request.POST.get("keterangan", "")
    indicator = request.POST.get("indikator", "")
    try:
        if upload is None:
            raise services.ServiceError(_("Pilih berkas yang akan dilampirkan."))
        # Read one byte over the limit at most: enough to refuse, never more.
        data = upload.read(settings.ATTACHMENT_MAX_BYTES + 1)
        services.attachment_add(
            user=request.user,
            report=target.report,
            regency=target.regency,
            program=target.program,
            year=target.year,
            month=target.month,
            data=data,
            filename=upload.name or "",
            caption=caption,
            indicator_code=indicator,
        )
    except services.ServiceError as error:
        # The numbers typed and not saved, sent along (static/js/entry.js), shown as typed.
        return unsaved_entry_page(
            request,
            target,
            error=error.message,
            status=422,
            extra={"attach_caption": caption, "attach_indicator": indicator},
        )
    messages.success(request, _("Lampiran tersimpan."))
    keep_unsaved_entry(request, target)  # shown again, unsaved, on the page it returns to
    return redirect(target.report.get_absolute_url() + "#lampiran")


def _visible_attachment(request, pk: int) -> Attachment:
    attachment = get_object_or_404(
        Attachment.objects.select_related("report", "report__program"), pk=pk
    )
    if not permissions.can_view_attachment(request.user, attachment):
        raise Http404
    return attachment


def _serve(attachment: Attachment, field, content_type: str, name: str) -> FileResponse:
    try:
        handle = field.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type, as_attachment=False, filename=name)
    # Nothing in a served file may run: images get the strictest policy; a PDF only its
    # viewer (browsers show PDFs through an embedded viewer that object-src governs).
    response["Content-Security-Policy"] = (
        "default-src 'none'; object-src 'self'; frame-ancestors 'none'"
        if content_type == "application/pdf"
        else "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    # One of the two, never both: `private=not public, public=public` sent
    # "private, public=False" (and "private=False, public"), a `public` token a shared
    # cache may go by. A public photo is for anyone only while the dashboards are public.
    if permissions.is_public_attachment(attachment) and settings.PUBLIC_DASHBOARD:
        patch_cache_control(response, public=True, max_age=3600)
    else:
        # A report's thumbnails are not fetched again on every page of a visit, but are
        # kept only minutes: logging out empties the browser's cache of the site
        # (Clear-Site-Data, accounts.views.LogoutView), and a session that simply ends
        # (two idle hours) leaves nothing fresh behind on a shared office PC.
        patch_cache_control(response, private=True, max_age=PRIVATE_MAX_AGE)
    return response


@require_GET
def attachment_file(request, pk: int):
    """The attachment itself, full size (a PDF opens in the browser)."""
    attachment = _visible_attachment(request, pk)
    name = evidence.download_name(attachment.original_name, attachment.content_type)
    return _serve(attachment, attachment.file, attachment.content_type, name)


@require_GET
def attachment_thumbnail(request, pk: int):
    attachment = _visible_attachment(request, pk)
    if not attachment.thumbnail:
        raise Http404
    name = evidence.download_name(attachment.original_name, "image/jpeg", suffix="-kecil")
    return _serve(attachment, attachment.thumbnail, "image/jpeg", name)


@login_required
@require_POST
def attachment_delete(request, pk: int):
    attachment = _visible_attachment(request, pk)
    report = attachment.report
    try:
        services.attachment_remove(user=request.user, attachment=attachment)
    except services.ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Lampiran dihapus."))
    return redirect(report.get_absolute_url() + "#lampiran")


@login_required
@require_POST
def attachment_public(request, pk: int):
    """A verifier shows (or hides) a photo in the public gallery of verified results."""
    attachment = _visible_attachment(request, pk)
    public = request.POST.get("publik") == "1"
    try:
        services.attachment_set_public(user=request.user, attachment=attachment, public=public)
    except services.ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Foto ditampilkan di galeri publik.") if public else _("Foto tidak lagi publik."),
        )
    return redirect(attachment.report.get_absolute_url() + "#lampiran")


@login_required
@require_POST
def comment_add(request, code: str, slug: str, period: tuple[int, int]):
    """POST `teks`: a plain-text entry of the report's conversation."""
    target = report_target(code, slug, period)
    require_view(request.user, target)
    report = target.report
    if report is None:
        raise Http404
    text = request.POST.get(COMMENT_FIELD, "")
    try:
        notifications.comment_add(user=request.user, report=report, text=text)
    except services.ServiceError as error:
        return render_entry(
            request, target, error=error.message, status=422, extra={"comment_text": text}
        )
    messages.success(request, _("Komentar terkirim."))
    return redirect(report.get_absolute_url() + "#percakapan")


@login_required
@require_GET
def notification_list(request):
    """The user's notifications, newest first; opening the list marks them read."""
    items = notifications.notifications_for(request.user)
    unread = {n.pk for n in items if n.read_at is None}
    notifications.mark_all_read(user=request.user)
    response = render(
        request,
        "programs/reporting/notifications.html",
        {"items": items, "unread": unread, "unread_count": 0},
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_GET
def notification_bell(request):
    """The bell with the unread count: a fragment loaded by every page's header."""
    response = render(
        request,
        "includes/notification_bell.html",
        {"unread_count": notifications.unread_count(request.user), "bell_loaded": True},
    )
    patch_cache_control(response, private=True, no_store=True)
    return response
