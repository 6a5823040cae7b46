"""Login form with one clear Indonesian error message (Django's Indonesian translation of
"Please enter a correct %(username)s" doubles "nama pengguna")."""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
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
