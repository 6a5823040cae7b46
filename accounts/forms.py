"""Login form with one clear Indonesian error message (Django's Indonesian translation of
"Please enter a correct %(username)s" doubles "nama pengguna")."""

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.cache import cache
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


PASSWORD_CHANGE_THROTTLED = _(
    "Terlalu banyak percobaan dengan kata sandi sekarang yang salah. Demi keamanan akun, "
    "coba lagi setelah %(minutes)s menit. Kata sandi tidak diubah."
)


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's password change with the old password's guesses throttled per user.

    A stolen session could otherwise try old passwords without limit. The old password is
    not checked through authenticate(), so django-axes does not count it: the same limits
    as the login (LOGIN_MAX_FAILURES wrong ones, then LOGIN_LOCKOUT_MINUTES with every
    attempt refused unchecked) are counted in the default cache, per user. A successful
    change clears the count."""

    def clean_old_password(self):
        key = password_change_failures_key(self.user)
        if (cache.get(key) or 0) >= settings.LOGIN_MAX_FAILURES:
            raise forms.ValidationError(
                PASSWORD_CHANGE_THROTTLED,
                code="throttled",
                params={"minutes": settings.LOGIN_LOCKOUT_MINUTES},
            )
        try:
            return super().clean_old_password()
        except forms.ValidationError:
            # The window starts at the first failure (add does nothing when it is open).
            cache.add(key, 0, timeout=settings.LOGIN_LOCKOUT_MINUTES * 60)
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr: this failure opens anew
                cache.add(key, 1, timeout=settings.LOGIN_LOCKOUT_MINUTES * 60)
            raise

    def save(self, commit=True):
        user = super().save(commit=commit)
        cache.delete(password_change_failures_key(self.user))
        return user


def password_change_failures_key(user) -> str:
    return f"password-change-failures:{user.pk}"
