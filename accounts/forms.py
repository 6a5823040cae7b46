"""Login form with one clear Indonesian error message (Django's Indonesian translation of
"Please enter a correct %(username)s" doubles "nama pengguna")."""

import logging
import math
import time
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.cache import cache
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.passwords import too_long

logger = logging.getLogger(__name__)

INVALID_LOGIN = _(
    "Nama pengguna atau kata sandi salah. Perhatikan huruf besar/kecil pada keduanya."
)
INVALID_STAFF_LOGIN = _(
    "Nama pengguna atau kata sandi salah, atau akun ini bukan akun staf. "
    "Perhatikan huruf besar/kecil pada keduanya."
)


class LoginForm(AuthenticationForm):
    error_messages = {**AuthenticationForm.error_messages, "invalid_login": INVALID_LOGIN}

    def clean(self):
        """A refused login marks both fields invalid and names the message (#login-error,
        registration/login.html) as their description: a screen reader on the field the
        page focuses says why, not just "Nama pengguna"."""
        try:
            return super().clean()
        except forms.ValidationError:
            for name in ("username", "password"):
                self.fields[name].widget.attrs.update(
                    {"aria-invalid": "true", "aria-describedby": "login-error"}
                )
            raise


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

        # At most PASSWORD_RESET_MAX_PER_ACCOUNT mails to one account in the window:
        # anyone could fill its mailbox by asking again and again. Refused silently (the
        # page answers as for any address), so the limit tells nobody the address exists.
        user_key = f"password-reset-account:{context['user'].pk}"
        if reached(user_key, settings.PASSWORD_RESET_MAX_PER_ACCOUNT):
            logger.info("Password reset mail not sent: too many for user %s", context["user"].pk)
            return
        # The link goes to SITE_URL, as every other mail's: the request's Host header
        # (any name ALLOWED_HOSTS lets through, e.g. every subdomain of .sumselprov.go.id)
        # sent the link, and its token, to whatever site the asker named.
        site = urlsplit(settings.SITE_URL)
        send_password_reset.enqueue(
            user_id=context["user"].pk,
            domain=site.netloc,
            protocol=site.scheme,
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )


PASSWORD_CHANGE_UNAVAILABLE = _(
    "Ubah sandi sementara tidak dapat diproses (penghitung percobaan tidak dapat "
    "dihubungi). Coba lagi beberapa saat lagi. Kata sandi tidak diubah."
)
PASSWORD_RESET_THROTTLED = _(
    "Terlalu banyak permintaan tautan atur ulang sandi dari alamat jaringan ini. Coba lagi "
    "setelah %(minutes)s menit."
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
        # The count lives in the shared cache (Redis in production). While it cannot be
        # reached, nobody's guesses can be counted: the change is refused with a message
        # (nothing changes), never answered with a 500 or left unthrottled.
        try:
            failures = failures_within_window(self.user)[0]
        except Exception as error:  # noqa: BLE001 - any cache server failure
            raise self._unavailable(error) from error
        if failures >= settings.LOGIN_MAX_FAILURES:
            raise forms.ValidationError(
                PASSWORD_CHANGE_THROTTLED,
                code="throttled",
                params={"minutes": settings.LOGIN_LOCKOUT_MINUTES},
            )
        if too_long(self.cleaned_data.get("old_password")):
            # Longer than any password the site takes: wrong, and not hashed to say so.
            count_failure(self.user)
            raise forms.ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        try:
            return super().clean_old_password()
        except forms.ValidationError:
            try:
                count_failure(self.user)
            except Exception as error:  # noqa: BLE001 - any cache server failure
                raise self._unavailable(error) from error
            raise

    @staticmethod
    def _unavailable(error) -> forms.ValidationError:
        logger.warning("Password change refused: the failure count is unavailable (%s)", error)
        return forms.ValidationError(PASSWORD_CHANGE_UNAVAILABLE, code="unavailable")

    def save(self, commit=True):
        user = super().save(commit=commit)
        try:
            cache.delete(password_change_failures_key(self.user))
        except Exception as error:  # noqa: BLE001 - the count expires by itself
            logger.warning("Password change: the failure count was not cleared (%s)", error)
        return user


def password_change_failures_key(user) -> str:
    return f"password-change-failures:{user.pk}"


def within_window(key: str) -> tuple[int, float]:
    """How many times `key` was counted in the window that began with the first, and when
    that window ends (a Unix time); the count that reaches its limit starts the lock's
    own LOGIN_LOCKOUT_MINUTES (`count_in_window`)."""
    stored = cache.get(key)
    if not stored or stored[1] <= time.time():
        return 0, time.time() + settings.LOGIN_LOCKOUT_MINUTES * 60
    return stored


def count_in_window(key: str, limit: int) -> None:
    """Count `key` once more, kept until the window ends. The end is stored with the
    count and each write sets the entry's timeout from it: `cache.incr` on the database
    cache (`make run`'s) rewrites the entry with the cache's default timeout, which ended
    the 15 minutes after 5."""
    count, ends = within_window(key)
    if count + 1 >= limit:  # locked: for the minutes the message names
        ends = time.time() + settings.LOGIN_LOCKOUT_MINUTES * 60
    timeout = max(1, math.ceil(ends - time.time()))
    cache.set(key, (count + 1, ends), timeout=timeout)


def failures_within_window(user) -> tuple[int, float]:
    """Wrong old passwords of `user` in the current window (`within_window`)."""
    return within_window(password_change_failures_key(user))


def count_failure(user) -> None:
    """One more wrong old password of `user`."""
    count_in_window(password_change_failures_key(user), settings.LOGIN_MAX_FAILURES)


def reached(key: str, limit: int) -> bool:
    """Whether `key` was counted `limit` times in its window; if not, count it once more.
    While the cache cannot be reached nothing is counted and nothing refused (logged): a
    reset link must stay available to the user who lost their password."""
    try:
        if within_window(key)[0] >= limit:
            return True
        count_in_window(key, limit)
    except Exception as error:  # noqa: BLE001 - any cache server failure
        logger.warning("Password reset not throttled: the count is unavailable (%s)", error)
    return False
