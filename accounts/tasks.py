"""The password-reset mail, built and sent by the task worker (`manage.py db_worker`).

The page only queues the user's id: the queue is a database table (shown in the admin's
task results) and must never hold a working reset link, so the link's token is made here,
when the mail is sent. Its validity (PASSWORD_RESET_TIMEOUT, once only) counts from then.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.template import loader
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

SUBJECT_TEMPLATE = "registration/password_reset_subject.txt"
BODY_TEMPLATE = "registration/password_reset_email.txt"


@task()
def send_password_reset(user_id: int, domain: str, protocol: str, language: str) -> int:
    from programs.tasks import send_email

    user = get_user_model()._default_manager.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email or not user.has_usable_password():
        return 0  # deactivated (or its address removed) since it was asked for
    context = {
        "email": user.email,
        "domain": domain,
        "site_name": domain,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
        "protocol": protocol,
    }
    with translation.override(language):
        subject = "".join(loader.render_to_string(SUBJECT_TEMPLATE, context).splitlines())
        body = loader.render_to_string(BODY_TEMPLATE, context)
    return send_email.call(subject=subject, body=body, recipients=[user.email])
