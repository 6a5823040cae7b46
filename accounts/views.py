"""Login, logout, password change and reset: Django's own views with Indonesian templates.

Throttling is django-axes (settings.AXES_*): its backend refuses a locked-out username or
address before the password is checked, and its middleware answers with
accounts.lockout.lockout_response. The admin login goes through the same backend.
"""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

from accounts.forms import (
    PASSWORD_RESET_THROTTLED,
    LoginForm,
    PasswordChangeForm,
    QueuedPasswordResetForm,
    reached,
)
from accounts.lockout import client_ip


class LoginView(auth_views.LoginView):
    """Django's login with the project's form (one clear error message)."""

    form_class = LoginForm


class LogoutView(auth_views.LogoutView):
    """Django's logout, telling the browser to empty its cache of this site: evidence
    photos are kept there a few minutes (programs.reporting.evidence_views), and on a
    shared office PC none may be shown again from it once their user has logged out."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache"'
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link by email; the same answer whether the address is known or not,
    and as fast: the mail is queued, not sent in the request."""

    form_class = QueuedPasswordResetForm

    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form):
        """At most PASSWORD_RESET_MAX_PER_ADDRESS requests from one client address in the
        window (any address asked, known or not, so the refusal tells nothing): one
        machine could otherwise send mail to every account it can name, without end."""
        address_key = f"password-reset-address:{client_ip(self.request)}"
        if reached(address_key, settings.PASSWORD_RESET_MAX_PER_ADDRESS):
            minutes = settings.LOGIN_LOCKOUT_MINUTES
            form.add_error(None, PASSWORD_RESET_THROTTLED % {"minutes": minutes})
            response = self.form_invalid(form)
            response.status_code = 429
            response["Retry-After"] = str(minutes * 60)
            return response
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("password_reset_complete")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Every logged-in user (operators, verifiers, leaders, not only staff) changes their
    own password; Django's view keeps the session (update_session_auth_hash) and asks
    for login first. The old password is checked by the form itself, not through
    authenticate(), so a mistyped one neither counts towards nor lifts a login lockout;
    the form throttles its guesses itself (accounts.forms.PasswordChangeForm)."""

    form_class = PasswordChangeForm
    success_url = reverse_lazy("password_change_done")
