"""Login, logout, password change and reset: Django's own views with Indonesian templates.

Throttling is django-axes (settings.AXES_*): its backend refuses a locked-out username or
address before the password is checked, and its middleware answers with
accounts.lockout.lockout_response. The admin login goes through the same backend.
"""

from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

from accounts.forms import LoginForm, PasswordChangeForm, QueuedPasswordResetForm


class LoginView(auth_views.LoginView):
    """Django's login with the project's form (one clear error message)."""

    form_class = LoginForm


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link by email; the same answer whether the address is known or not,
    and as fast: the mail is queued, not sent in the request."""

    form_class = QueuedPasswordResetForm

    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")


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
