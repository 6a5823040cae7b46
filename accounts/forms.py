"""Login form with one clear Indonesian error message (Django's Indonesian translation of
"Please enter a correct %(username)s" doubles "nama pengguna")."""

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils import translation
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
    """Django's reset form, whose mail goes through the task queue like every other mail
    of the site (accounts/tasks.py): sent in the request, a slow mail server made the
    page slow for a known address only (telling which addresses have accounts), and a
    mail server that was down answered 500."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        from accounts.tasks import send_password_reset

        send_password_reset.enqueue(
            user_id=context["user"].pk,
            domain=context["domain"],
            protocol=context["protocol"],
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )
