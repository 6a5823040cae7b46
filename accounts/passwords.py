"""The longest password the site takes, and logins that never hash a longer one.

A password of 5.000 characters was accepted by every form that sets one (the password
change at /akun/sandi/, the reset link, the admin's add-user and set-password forms):
`MaximumLengthValidator` is one of AUTH_PASSWORD_VALIDATORS, so each of them refuses it
with the validators' other messages. A login with a password longer than any the site
takes cannot be right: `TooLongPasswordBackend` refuses it before the password is
hashed (ModelBackend hashes whatever it is given, a known user or not), and the refusal
is an ordinary failed login, counted by django-axes like any other.
"""

from __future__ import annotations

from django.contrib.auth.password_validation import get_default_password_validators
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from programs.formats import number

PASSWORD_TOO_LONG = _(
    "Kata sandi terlalu panjang: paling banyak %(max_length)s karakter (sekarang "
    "%(length)s karakter)."
)
PASSWORD_MAX_HELP = _("Kata sandi Anda paling banyak %(max_length)s karakter.")


class MaximumLengthValidator:
    """AUTH_PASSWORD_VALIDATORS: at most `max_length` characters (128 by default, what a
    password manager generates at most; a pasted document is no password)."""

    def __init__(self, max_length: int = 128):
        self.max_length = max_length

    def validate(self, password, user=None):
        if len(password) > self.max_length:
            raise ValidationError(
                PASSWORD_TOO_LONG,
                code="password_too_long",
                params={"max_length": number(self.max_length), "length": number(len(password))},
            )

    def get_help_text(self):
        return PASSWORD_MAX_HELP % {"max_length": number(self.max_length)}


def password_max_length() -> int | None:
    """The configured validator's limit; None without one (no limit)."""
    limits = [
        validator.max_length
        for validator in get_default_password_validators()
        if isinstance(validator, MaximumLengthValidator)
    ]
    return min(limits) if limits else None


def too_long(password) -> bool:
    """Longer than any password the site takes (`password_max_length`)."""
    limit = password_max_length()
    return limit is not None and isinstance(password, str) and len(password) > limit


class TooLongPasswordBackend:
    """AUTHENTICATION_BACKENDS, after django-axes' (which refuses a locked-out name or
    address first) and before ModelBackend: a password longer than any the site takes is
    refused here, unhashed. PermissionDenied stops Django's authenticate() at once, and
    it reports the failed login, which django-axes counts (and locks out at its limit)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if too_long(password):
            raise PermissionDenied
        return None  # the next backend checks it

    # No get_user(): it never logs anyone in (Django's test client's force_login takes
    # the first backend that has one).
