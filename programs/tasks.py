"""Background work through django-tasks (database backend, run by `manage.py db_worker`).

A slow or failing mail server never slows a page: pages enqueue, the worker sends. A
failed send is logged as an error (logger `sumsel_gerakan.mail`, with its subject and
recipients, like every notification mail) and re-raised, so the task is also recorded as
failed in the task results (admin: Django Tasks): never silently dropped.
"""

import logging

from django.core.mail import send_mail
from django_tasks import task

logger = logging.getLogger("sumsel_gerakan.mail")


@task()
def send_email(subject: str, body: str, recipients: list[str]) -> int:
    try:
        return send_mail(subject, body, None, recipients, fail_silently=False)
    except Exception:  # SMTP, DNS, TLS: every failure is logged the same, then re-raised
        logger.exception(
            "Email not sent: %r to %s",
            subject,
            ", ".join(recipients),
            extra={"subject": subject, "recipients": ", ".join(recipients)},
        )
        raise
