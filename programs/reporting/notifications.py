"""A report's conversation and who hears about what.

In-app notifications (the bell) are rows written in the same transaction as the change
they announce; emails go to users who have an address, through the task queue
(programs.tasks), enqueued only once the transaction commits.

Who is notified:
- submitted: the verifiers of the report's program; marked read for all of them once
  one verifier verifies or returns the report (`settle_waiting_notices`);
- returned, verified: the operators of the report's regency (and program);
- evidence added to a report waiting for verification: the verifiers of its program,
  once until they open their notifications (several files in a row ring the bell once);
  marked read for all of them once one verifier verifies or returns the report
  (`settle_waiting_notices`);
- comment: everyone in the report's conversation (its operators, earlier commenters,
  the verifier who returned or verified it), except the author; by email only once
  until they open their notifications (a lively thread, or a flood of comments, sends
  each of them one mail per report, the bell counts every comment);
- deadline in 3 days: operators with a report still to submit (send_reminders).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from programs import formats, permissions
from programs.models import Comment, MonthlyReport, Notification
from programs.text import NUL_CHARACTER, has_nul, visible_text
from regencies.models import UserScope

Kind = Notification.Kind

COMMENT_EMPTY = gettext_noop("Komentar tidak boleh kosong.")
COMMENT_TOO_LONG = gettext_noop("Komentar terlalu panjang: paling banyak %(n)s karakter.")
NOT_ALLOWED = gettext_noop("Anda tidak berwenang mengomentari laporan ini.")


def operators_of(report: MonthlyReport):
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            scope__role=UserScope.Role.OPERATOR,
            scope__regency_id=report.regency_id,
        )
        .filter(Q(scope__programs=report.program_id) | Q(scope__programs__isnull=True))
        .distinct()
    )


def verifiers_of(report: MonthlyReport):
    return (
        get_user_model()
        .objects.filter(is_active=True, scope__role=UserScope.Role.VERIFIKATOR)
        .filter(Q(scope__programs=report.program_id) | Q(scope__programs__isnull=True))
        .distinct()
    )


def site_language():
    """Where an email is written: in the site's language (Indonesian), not the
    sender's. The language is a choice of each browser; whoever reads the email is not
    the one whose request wrote it, and their language is not known then (the bell reads
    in its reader's: `Notification.display_text`)."""
    return translation.override(settings.LANGUAGE_CODE)


def site_text(message: str, params: dict | None = None) -> str:
    """`message` (its Indonesian source, marked with gettext_noop) in the site's
    language, `params` filled in: for text stored for everyone to read later, such as a
    history reason ("Diverifikasi", "Dikembalikan: ..."), which a verifier reading in
    English used to write in English into the shared history."""
    with site_language():
        text = _(message)
    return text % params if params is not None else text


def reader_text(stored: str, messages) -> str:
    """Text `site_text` stored in the site's language, in the reader's: one of `messages`
    (gettext_noop sources) as stored, or one followed by ": " and what a person typed
    ("Dikembalikan: Foto kurang" reads "Returned: Foto kurang"). Anything else, typed by
    a person or stored before, is shown as stored. An English reader of a report's
    history read "Diajukan" and "Disimpan sebagai draf"."""
    for message in messages:
        said = site_text(message)
        if stored == said:
            return _(message)
        if stored.startswith(f"{said}: "):
            return f"{_(message)}: {stored[len(said) + 2 :]}"
    return stored


def notify(
    *,
    users,
    kind: str,
    report: MonthlyReport | None,
    message: str,
    params: dict | None = None,
    text: str = "",
    url: str = "",
    email_subject: str | None = None,
    email_body: str | None = None,
    exclude=None,
    quiet=frozenset(),
) -> list[Notification]:
    """A notification for each user (one query to insert them all), and an email to
    those with an address once the surrounding transaction commits, except the users
    whose ids are in `quiet` (the bell only).

    The bell reads `message` (gettext_noop) in each reader's language when shown
    (`Notification.display_text`), filled in with the report, `params` (JSON values)
    and `text`, what a person typed (kept as typed). The email's reader is unknown when
    it is sent: it is written in the site's language."""
    from programs.tasks import send_email

    recipients = {u.pk: u for u in users if exclude is None or u.pk != exclude.pk}
    if not recipients:
        return []
    fields = {"kind": kind, "report": report, "message": message, "params": params or {}}
    fields["text"], fields["url"] = text[:300], url
    created = Notification.objects.bulk_create(
        Notification(user=u, **fields) for u in recipients.values()
    )
    emails = sorted({u.email for u in recipients.values() if u.email and u.pk not in quiet})
    if emails:
        with site_language():
            sentence = Notification(**fields).display_text
        subject = email_subject or sentence
        body = email_body or f"{sentence}\n{settings.SITE_URL}{url}"
        transaction.on_commit(
            lambda: send_email.enqueue(subject=subject[:200], body=body, recipients=emails)
        )
    return created


def notify_evidence_added(*, report: MonthlyReport, user) -> list[Notification]:
    """An operator attached a file to a report waiting for verification: its verifiers
    hear of it, as they heard of the submission. A verifier with an unread notice of
    this for the report gets no second one (a photo and a PDF added one after the other
    are one thing to look at); the caller holds the report's row lock, so two uploads at
    once are ordered and still ring once."""
    already = Notification.objects.filter(
        kind=Kind.EVIDENCE, report=report, read_at__isnull=True
    ).values("user_id")
    link = report.get_absolute_url()
    with site_language():
        return notify(
            users=verifiers_of(report).exclude(pk__in=already),
            kind=Kind.EVIDENCE,
            report=report,
            message=gettext_noop("Lampiran baru pada laporan yang menunggu verifikasi: %(report)s"),
            url=link + "#lampiran",
            email_body=_(
                "%(user)s menambahkan lampiran pada laporan %(report)s yang menunggu "
                "verifikasi: %(url)s"
            )
            % {"user": user, "report": report, "url": settings.SITE_URL + link},
            exclude=user,
        )


def settle_waiting_notices(report: MonthlyReport) -> int:
    """A verifier decided on `report` (verified or returned it): the verifiers' unread
    "Laporan diajukan" and "Lampiran ditambahkan" of it are marked read, for every
    verifier of it, so no bell still counts a report that is no longer waiting (the
    other verifiers of the program, and a file added just before the decision, kept
    ringing after it). The caller holds the report's row lock, as the submit and the
    upload that notify do: no notice of this wait comes after it."""
    return Notification.objects.filter(
        report=report, kind__in=(Kind.SUBMITTED, Kind.EVIDENCE), read_at__isnull=True
    ).update(read_at=timezone.now())


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notifications_for(user, *, limit: int = 50) -> list[Notification]:
    # The report each sentence names, in the same query (`Notification.display_text`).
    related = Notification.objects.select_related("report__program", "report__regency")
    return list(related.filter(user=user)[:limit])


def mark_all_read(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- The conversation --------------------------------------------------------------------


def can_comment(user, report: MonthlyReport) -> bool:
    """Operators of the report, verifiers of its program, leaders and admins."""
    return permissions.can_view_report(
        user, regency_code=report.regency_id, program_id=report.program_id
    )


@transaction.atomic
def comment_add(
    *, user, report: MonthlyReport, text: str, kind: str = Comment.Kind.COMMENT
) -> Comment:
    """A plain-text entry of the report's thread (HTML is shown as typed, never run)."""
    from programs.reporting.services import ServiceError

    if not can_comment(user, report):
        raise PermissionDenied(_(NOT_ALLOWED))
    text = visible_text((text or "").replace("\r\n", "\n"))
    if not text:
        raise ServiceError(_(COMMENT_EMPTY))
    if has_nul(text):
        raise ServiceError(_(NUL_CHARACTER))
    limit = settings.COMMENT_MAX_LENGTH
    if len(text) > limit:
        raise ServiceError(_(COMMENT_TOO_LONG) % {"n": formats.number(limit)})
    # A double click (or a resend on a slow connection) posts the same text twice: the
    # report's row lock orders the two, and the second finds the first.
    MonthlyReport.objects.select_for_update().filter(pk=report.pk).exists()
    recent = timezone.now() - dt.timedelta(seconds=settings.DOUBLE_SUBMIT_SECONDS)
    same = report.comments.filter(author=user, kind=kind, text=text, created_at__gte=recent)
    if (earlier := same.first()) is not None:
        return earlier
    comment = Comment.objects.create(report=report, author=user, kind=kind, text=text)
    if kind == Comment.Kind.COMMENT:
        participants = list(operators_of(report))
        earlier = {c.author_id for c in report.comments.exclude(pk=comment.pk)}
        earlier |= {report.returned_by_id, report.verified_by_id}
        known = {u.pk for u in participants}
        participants += list(
            get_user_model().objects.filter(pk__in=earlier - known - {None}, is_active=True)
        )
        # One mail per report until the bell is opened: whoever still has an unread
        # comment notice of this report was told by mail already (the row lock above
        # orders two comments sent at once).
        told = set(
            Notification.objects.filter(
                kind=Kind.COMMENT, report=report, read_at__isnull=True
            ).values_list("user_id", flat=True)
        )
        with site_language():
            notify(
                users=participants,
                kind=Kind.COMMENT,
                report=report,
                message=gettext_noop("%(user)s mengomentari %(report)s: %(text)s"),
                params={"user": str(user)},
                text=text[:120],
                url=report.get_absolute_url() + "#percakapan",
                exclude=user,
                quiet=told,
            )
    return comment
