"""What django-axes counts login failures by: the normalised username and the client address.

Django's login form strips the username and applies NFKC (so " operator-1607", "operator-1607\t"
and full-width "ｏｐｅｒａｔｏｒ-１６０７" all log in as operator-1607): failures are counted under
that same name, so variants cannot each get their own allowance. Case is kept, as Django
keeps it when it looks the user up.
"""

from __future__ import annotations

import unicodedata

from django.conf import settings


def normalise_username(username: object) -> str:
    """The name Django's login form would look up (strip, NFKC, strip again)."""
    text = str(username or "").strip()
    return unicodedata.normalize("NFKC", text).strip()[:150]


def username_for_lockout(request, credentials) -> str:
    """AXES_USERNAME_CALLABLE: the normalised username from the credentials or the POST."""
    from axes.conf import settings as axes_settings

    field = axes_settings.AXES_USERNAME_FORM_FIELD
    if credentials and credentials.get(field) is not None:
        return normalise_username(credentials.get(field))
    data = getattr(request, "POST", None) or {}
    return normalise_username(data.get(field))


def client_ip(request) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the client's address. Behind TRUSTED_PROXY_COUNT proxies,
    the address the nearest trusted proxy saw (each proxy appends to X-Forwarded-For);
    without trusted proxies the header is ignored (a client could write anything there)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: an Indonesian page in the site's layout, status 429."""
    from django.shortcuts import render

    minutes = settings.LOGIN_LOCKOUT_MINUTES
    response = render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response
