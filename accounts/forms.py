"""Login form with one clear Indonesian error message (Django's Indonesian translation of
"Please enter a correct %(username)s" doubles "nama pengguna")."""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.template import loader
from django.utils.translation import gettext_lazy as _

INVALID_LOGIN = _(
    "Nama pengguna atau kata sandi salah. Perhatikan huruf besar/kecil pada keduanya."
)
INVALID_STAFF_LOGIN = _(
    "Nama pengguna atau kata sandi salah, atau akun ini bukan akun staf. "
    "Perhatikan huruf besar/kecil pada keduanya."
)


class LoginForm(AuthenticationForm):
    error_messages = {**AuthenticationForm.error_messages, "invalid_login": INVALID_LOGIN}


class AdminLoginForm(AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": INVALID_STAFF_LOGIN,
    }


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form, whose email goes through the task queue like every other
    mail of the site (programs/tasks.py): sent in the request, a slow mail server made
    the page slow for a known address only (telling an attacker which addresses have
    accounts), and a mail server that was down answered 500."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        from programs.tasks import send_email

        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        send_email.enqueue(subject=subject, body=body, recipients=[to_email])
