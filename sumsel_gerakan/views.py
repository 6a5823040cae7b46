"""Project-level views: health check, language switch and the header's account menu."""

import functools

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST, require_safe

from sumsel_gerakan.cache import reachable as cache_reachable


@never_cache
@require_safe  # HEAD too: uptime monitors ask with it
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness and readiness for load balancers and docker-compose: 503 only when the
    database is down, since no page works without it, or lacks this release's
    migrations, since most pages would answer 500.

    The shared cache (Redis) is reported, "cache": "ok" or "down", for monitoring, but
    never makes the answer a 503: pages work without it (rendered uncached, a little
    slower), and every server shares the one Redis, so a check failing on it would take
    all of them out of the load balancer at once, turning slower pages into none. A Redis
    skipped by its breaker (sumsel_gerakan/cache.py) is "down" without being asked, so
    a hung one costs this check at most one socket timeout per CACHE_RETRY_SECONDS."""
    try:
        pending = migrations_pending()
    except DatabaseError:
        if _database_reachable():  # reachable, without the migrations table: never migrated
            pending = True
        else:
            response = JsonResponse(
                {
                    "status": "error",
                    "database": "down",
                    "cache": "ok" if cache_reachable(settings.PAGE_CACHE_ALIAS) else "down",
                    "detail": "Basis data sedang tidak dapat dihubungi.",
                },
                status=503,
            )
            response["Retry-After"] = "30"
            return response
    cache = "ok" if cache_reachable(settings.PAGE_CACHE_ALIAS) else "down"
    if pending:
        response = JsonResponse(
            {
                "status": "error",
                "database": "ok",
                "migrations": "pending",
                "cache": cache,
                "detail": "Basis data belum diperbarui ke versi aplikasi ini (migrate).",
            },
            status=503,
        )
        response["Retry-After"] = "30"
        return response
    return JsonResponse({"status": "ok", "database": "ok", "cache": cache})


def migrations_pending() -> bool:
    """Whether the database lacks a migration of this code: a release started before its
    `migrate` ran (or after it failed) answers most pages with a 500 (a column it reads
    is missing), so it is not ready for traffic. The one query of the check, in place of
    a bare SELECT 1: whether each app's last migration is recorded (Django applies an
    app's migrations in order, so its last one recorded means all are). The release's
    last migrations are read from disk once per process (the code does not change)."""
    leaves = _release_leaves()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM django_migrations WHERE "  # noqa: S608 (placeholders only)
            + " OR ".join(["(app = %s AND name = %s)"] * len(leaves)),
            [part for leaf in leaves for part in leaf],
        )
        (applied,) = cursor.fetchone()
    return applied < len(leaves)


def _database_reachable() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return False
    return True


@functools.cache
def _release_leaves() -> tuple[tuple[str, str], ...]:
    from django.db.migrations.loader import MigrationLoader

    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    return tuple(sorted(graph.leaf_nodes()))


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


# --- Error pages (handler400/403/404/500 in urls.py) ------------------------------------


def _error_page(request, template: str, status: int, message: str = ""):
    """An error page in the site's layout; plain text if even that cannot be rendered."""
    import logging

    from django.http import HttpResponse
    from django.template import loader

    if request.path_info.startswith("/api/"):
        return _api_error(status, message)
    try:
        html = loader.render_to_string(template, {"message": message}, request=request)
    except Exception:  # noqa: BLE001 - the error page itself must never fail
        logging.getLogger("sumsel_gerakan.errors").exception("Error page %s failed", template)
        html = f"<!doctype html><title>{status}</title><p>{status}</p>"
    response = HttpResponse(html, status=status)
    response["Cache-Control"] = "private, no-store"
    return response


def _api_error(status: int, message: str):
    """The JSON API answers errors raised before its views (a NUL byte, a crash) as JSON
    too, with the same Indonesian `detail` shape as its own errors."""
    titles = {
        400: _("Permintaan tidak dapat diproses"),
        403: _("Akses ditolak"),
        404: _("Halaman tidak ditemukan"),
        413: _("Permintaan tidak dapat diproses"),
        500: _("Terjadi kesalahan"),
    }
    detail = message or str(titles.get(status, titles[500]))
    response = JsonResponse(
        {"detail": detail}, status=status, json_dumps_params={"ensure_ascii": False}
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _message(exception) -> str:
    """The message the code raised (PermissionDenied(_("...")), Http404(...)), if any.
    Only strings the code wrote reach users: Django's resolver puts its own dict there."""
    if exception is None or not exception.args:
        return ""
    first = exception.args[0]
    return str(first) if isinstance(first, str) else ""


def _refusal(exception) -> tuple[int, str]:
    """Status and message of a request Django refused before any view ran.

    Django's own refusals (SuspiciousOperation: a Host not in ALLOWED_HOSTS, a body over
    DATA_UPLOAD_MAX_MEMORY_SIZE, too many fields or files; a malformed multipart body)
    carry English text written for the server's log, naming settings ("You may need to
    add 'x' to ALLOWED_HOSTS"): users read an Indonesian message instead, and a body too
    large is a 413. A BadRequest is what the code raised, with its own message."""
    from django.core.exceptions import (
        BadRequest,
        DisallowedHost,
        RequestDataTooBig,
        SuspiciousOperation,
        TooManyFieldsSent,
        TooManyFilesSent,
    )
    from django.http.multipartparser import MultiPartParserError

    if isinstance(exception, RequestDataTooBig):
        return 413, _(
            "Data yang dikirim terlalu besar untuk diproses. Kurangi isiannya, lalu kirim lagi."
        )
    if isinstance(exception, TooManyFieldsSent):
        return 400, _(
            "Formulir berisi terlalu banyak isian untuk diproses sekaligus. "
            "Kirim dalam beberapa bagian."
        )
    if isinstance(exception, TooManyFilesSent):
        return 400, _("Terlalu banyak berkas dikirim sekaligus. Kirim dalam beberapa bagian.")
    if isinstance(exception, DisallowedHost):
        return 400, _("Alamat situs pada permintaan ini tidak dikenal oleh server ini.")
    if isinstance(exception, SuspiciousOperation | MultiPartParserError):
        return 400, ""
    if isinstance(exception, BadRequest):
        return 400, _message(exception)
    return 400, ""


def bad_request(request, exception=None):
    status, message = _refusal(exception)
    return _error_page(request, "400.html", status, message)


def permission_denied(request, exception=None):
    return _error_page(request, "403.html", 403, _message(exception))


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a form sent with a token that no longer matches (logged in or
    out in another tab, a page left open for days). Django's own page was English-like,
    outside the site's layout, and said nothing of the values typed; this one says why
    and how to keep them. CsrfViewMiddleware has already logged the reason."""
    return _error_page(request, "403_csrf.html", 403)


def method_not_allowed(request):
    """The body of an empty 405 (sumsel_gerakan.middleware.MethodNotAllowedPageMiddleware)."""
    return _error_page(request, "405.html", 405)


def page_not_found(request, exception=None):
    return _error_page(request, "404.html", 404, _message(exception))


def server_error(request):
    return _error_page(request, "500.html", 500)
