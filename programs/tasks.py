"""Background work through django-tasks (database backend, run by `manage.py db_worker`).

A slow or failing mail server never slows a page: pages enqueue, the worker sends. A
failed send is logged with its recipients and re-raised, so the task is recorded as
failed in the task results (admin: Django Tasks) and never silently dropped.
"""

import logging

from django.core.mail import send_mail
from django_tasks import task

logger = logging.getLogger("programs.mail")


@task()
def send_email(subject: str, body: str, recipients: list[str]) -> int:
    try:
        return send_mail(subject, body, None, recipients, fail_silently=False)
    except Exception:
        logger.exception("Email not sent: %r to %s", subject, ", ".join(recipients))
        raise
