"""Accounts: login with a lockout after repeated failures."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from regencies.models import LoginFailure

LOCKED_OUT = gettext_noop(
    "Terlalu banyak percobaan masuk yang gagal. Demi keamanan, coba lagi dalam %(minutes)s menit."
)


def _client_ip(request) -> str | None:
    """The client's address; behind TRUSTED_PROXY_COUNT proxies, the address the nearest
    trusted proxy saw (X-Forwarded-For is appended to by each proxy)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def is_locked_out(username: str, ip: str | None) -> bool:
    """Too many recent failures for this username, or (guessing across many names)
    four times as many from this address."""
    since = timezone.now() - dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    recent = LoginFailure.objects.filter(created_at__gte=since)
    if recent.filter(username=username.lower()[:150]).count() >= settings.LOGIN_MAX_FAILURES:
        return True
    return ip is not None and (
        recent.filter(ip_address=ip).count() >= 4 * settings.LOGIN_MAX_FAILURES
    )


class LoginView(auth_views.LoginView):
    """Django's login, refusing a username after LOGIN_MAX_FAILURES failures within
    LOGIN_LOCKOUT_MINUTES (the password is not even checked then)."""

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")
        if is_locked_out(username, _client_ip(request)):
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, _(LOCKED_OUT) % {"minutes": settings.LOGIN_LOCKOUT_MINUTES})
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        username = self.request.POST.get("username", "")
        if username:
            LoginFailure.objects.create(
                username=username.lower()[:150], ip_address=_client_ip(self.request)
            )
        return super().form_invalid(form)

    def form_valid(self, form):
        LoginFailure.objects.filter(username=form.get_user().get_username().lower()).delete()
        return super().form_valid(form)
