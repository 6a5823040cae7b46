"""Project-level views: health check, language switch and the header's account menu."""

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness and database check for load balancers and docker-compose."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        response = JsonResponse(
            {
                "status": "error",
                "database": "down",
                "detail": "Basis data sedang tidak dapat dihubungi.",
            },
            status=503,
        )
        response["Retry-After"] = "30"
        return response
    return JsonResponse({"status": "ok", "database": "ok"})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Remember the chosen language in a cookie, then go back where the user was."""
    language = request.POST.get("language", settings.LANGUAGE_CODE)
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=request.is_secure(),
            httponly=True,
        )
    return response


def _safe_next(request, next_url: str | None) -> str:
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return "/"


@never_cache
@require_GET
def account_menu(request):
    """The header's user-specific part (role menu, login/logout, language switch), loaded
    by htmx into cached pages (programs/pagecache.py); a plain page without JavaScript."""
    context = {"next": _safe_next(request, request.GET.get("next"))}
    if request.htmx:
        response = render(request, "_account_menu.html", context)
    else:
        response = render(request, "account_menu.html", context)
    patch_vary_headers(response, ["HX-Request", "Cookie"])
    return response
