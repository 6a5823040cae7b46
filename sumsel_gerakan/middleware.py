"""Language from an explicit choice only: Indonesian unless the user picked English.

Django's LocaleMiddleware follows the browser's Accept-Language, and officials' browsers
are often English; the dashboard must open in Bahasa Indonesia all the same.
"""

import re
import time
import uuid

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_noop


class ExplicitLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class BoundedRedirectMiddleware:
    """Keep every redirect's address (Location, htmx's HX-Redirect) within the request
    line limit the server takes, cutting a too-long `next` (accounts.redirects): Django's
    login_required and the admin send a visitor without a session to a login address
    holding the whole page address asked for, encoded once more, and one near the limit
    made a login address gunicorn refused with its bare English 400."""

    HEADERS = ("Location", "HX-Redirect")

    def __init__(self, get_response):
        self.get_response = get_response
        self.fast_limit = settings.REQUEST_LINE_LIMIT - len("GET  HTTP/1.1")

    def __call__(self, request):
        response = self.get_response(request)
        for header in self.HEADERS:
            url = response.headers.get(header)
            if url is not None and len(url) > self.fast_limit:
                from accounts.redirects import within_request_line

                response[header] = within_request_line(url)
        return response


class PermissionsPolicyMiddleware:
    """Send settings.PERMISSIONS_POLICY (browser features the app never uses) on responses.

    Django has settings for the other security headers but none for Permissions-Policy.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = getattr(settings, "PERMISSIONS_POLICY", "")

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy:
            response.headers.setdefault("Permissions-Policy", self.policy)
        return response


class AdminContentSecurityPolicyMiddleware:
    """Relax the Content-Security-Policy on the Django admin only, by exact hashes.

    Django 5.2's admin runs under the strict policy, but django-simple-history's object
    history page has one inline style attribute (`<p class="paginator" style="border-top:
    0">`). Allowing that one value by its hash keeps 'unsafe-inline' out of every policy.
    Must come after csp.middleware.CSPMiddleware in MIDDLEWARE (it reads `_csp_update`).
    """

    UPDATE = {
        # sha256 of "border-top: 0"
        "style-src-attr": ["'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='"],
    }

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path_info.startswith("/admin/"):
            response._csp_update = {**self.UPDATE, **(getattr(response, "_csp_update", None) or {})}
        return response


class DatabaseUnavailableMiddleware:
    """Answer 503 with a plain Indonesian page while the database cannot be reached.

    A connection refused, dropped or still starting up (OperationalError, InterfaceError)
    raised by a view or while rendering its template becomes "Layanan sementara tidak
    tersedia" with a Retry-After header instead of a 500, and no stack trace. The page is
    rendered without a request context (no context processor, no `request.user`), so it
    needs no query. Other database errors (integrity, programming) stay 500s: they are
    bugs, not outages. Django reconnects by itself once the database is back
    (CONN_HEALTH_CHECKS drops the broken persistent connection), without a restart.
    /healthz has its own JSON answer (sumsel_gerakan.views.healthz).
    """

    RETRY_AFTER_SECONDS = 30

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.db import InterfaceError, OperationalError

        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        session = getattr(request, "session", None)
        if session is not None and not hasattr(session, "_session_cache"):
            # A logged-in user's session could not be loaded. With SESSION_SAVE_EVERY_REQUEST
            # SessionMiddleware would read it again on the way out (and fail with a 500):
            # an empty cache stops that. Nothing is saved on a 5xx and the cookie is kept,
            # so the user is still logged in when the database is back.
            session._session_cache = {}
        return database_unavailable_response(request, exception, self.RETRY_AFTER_SECONDS)


def database_unavailable_response(request, exception=None, retry_after: int = 30):
    """The 503 answer of DatabaseUnavailableMiddleware (JSON under /api/, else HTML)."""
    import logging

    from django.http import HttpResponse, JsonResponse
    from django.template import loader
    from django.utils.cache import add_never_cache_headers

    logging.getLogger("sumsel_gerakan.database").warning(
        "Database unavailable on %s: %s", request.path, str(exception).strip() or exception
    )
    message = "Basis data sedang tidak dapat dihubungi, coba lagi beberapa saat lagi."
    if request.path_info.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=503)
    else:
        context = {"retry_after": retry_after, "path": request.get_full_path()}
        html = loader.render_to_string("503.html", context)
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(retry_after)
    add_never_cache_headers(response)
    return response


def mark_session_renewed(sender, request, user, **kwargs):
    """user_logged_in receiver: the session was just written, so it counts as renewed."""
    session = getattr(request, "session", None)
    if session is not None:
        session[SessionRenewalMiddleware.KEY] = int(time.time())


class SessionRenewalMiddleware:
    """Keep a logged-in session alive while it is used, writing it at most once every
    SESSION_RENEW_SECONDS instead of on every request (SESSION_SAVE_EVERY_REQUEST): the
    inactivity timeout stays (SESSION_COOKIE_AGE, give or take the renewal interval) and a
    page's background requests (the entry form's live check) write nothing."""

    KEY = "_renewed"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or response.status_code >= 500:
            return response
        try:
            if not session.get("_auth_user_id"):
                return response
        except Exception:  # noqa: BLE001 - an unreadable session is left to Django
            return response
        now = int(time.time())
        if now - int(session.get(self.KEY, 0)) >= settings.SESSION_RENEW_SECONDS:
            session[self.KEY] = now  # marks it modified: SessionMiddleware saves it
        return response


class RejectNulBytesMiddleware:
    """Answer 400 to a NUL byte in the path, the query string or a posted field's name.

    PostgreSQL refuses NUL in text ("A string literal cannot contain NUL"), so a filter
    like `?program=%00` reached the database as a 500 (and cut a streamed CSV mid-way).
    No legitimate address or field name contains one. A posted field's *value* is what
    the user typed (or pasted): the view's form refuses it on that field with the rest
    of the form kept (programs/text.py), and a value that reaches the database with one
    all the same (a hidden field altered by hand) is answered 400 here, never 500.
    Uploaded files are not inspected here (the import checks its own files).
    """

    MESSAGE = gettext_noop("Permintaan berisi karakter yang tidak sah (NUL).")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request):
            raise self._refusal()
        return self.get_response(request)

    def process_exception(self, request, exception):
        # psycopg2's refusal of a NUL in a query parameter, raised before anything is sent
        # (the view's transaction rolls back): a bad request, not a server error.
        if isinstance(exception, ValueError) and "NUL (0x00)" in str(exception):
            raise self._refusal() from exception
        return None

    @classmethod
    def _refusal(cls):
        from django.core.exceptions import BadRequest
        from django.utils.translation import gettext as _

        return BadRequest(_(cls.MESSAGE))

    @staticmethod
    def _has_nul(request) -> bool:
        if "\x00" in request.path or "\x00" in request.path_info:
            return True
        if any("\x00" in key or "\x00" in value for key, value in _items(request.GET)):
            return True
        content_type = request.META.get("CONTENT_TYPE", "")
        if request.method == "POST" and content_type.startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")
        ):
            return any("\x00" in key for key in request.POST)
        return False


def _items(querydict):
    for key, values in querydict.lists():
        for value in values:
            yield key, value if isinstance(value, str) else ""


class MethodNotAllowedPageMiddleware:
    """An Indonesian page in the site's layout for a 405 answered without a body.

    Django's require_POST / require_GET and its class-based views answer a wrong method
    with an empty 405: opening the logout address (`/akun/keluar/`, POST only) from the
    address bar, a bookmark or the browser history showed a blank white page. The Allow
    header is kept; the JSON API answers its own 405s (programs/api/urls.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code != 405
            or response.streaming
            or response.content
            or request.path_info.startswith("/api/")
        ):
            return response
        from sumsel_gerakan.views import method_not_allowed

        page = method_not_allowed(request)
        if "Allow" in response:
            page["Allow"] = response["Allow"]
        return page


class PrivateCacheMiddleware:
    """`Cache-Control: private, no-store` on every HTML page and every download
    (`Content-Disposition: attachment`) answered to a logged-in user: such a page holds
    that user's name, scope and provisional figures. `private` keeps it out of shared
    caches (a proxy, a CDN); `no-store` out of the browser's own cache, where on a shared
    office PC Back after logout showed the operator's or verifier's pages again. The
    anonymous pages of the page cache (programs/pagecache.py) keep their headers and
    ETags; htmx's history restores ask the server (`historyCacheSize: 0`), so they get
    the login page once the session is gone. Evidence files set their own headers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.utils.cache import patch_cache_control

        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and (
                response.get("Content-Type", "").startswith("text/html")
                or response.get("Content-Disposition", "").startswith("attachment")
            )
        ):
            patch_cache_control(response, private=True, no_store=True)
        return response


def milliseconds(seconds: float) -> float:
    """A span in seconds as milliseconds, to one decimal (the log's duration_ms)."""
    return round(seconds * 1000, 1)


class RequestLogMiddleware:
    """One log line per request on the `sumsel_gerakan.request` logger: request id, user
    id, method, path, status and duration in ms (time to the response; a streamed body is
    sent after). The id comes from a sane incoming X-Request-ID (set by a proxy) or is
    new, is sent back in X-Request-ID and is on `request.request_id` for other logs."""

    HEADER = "HTTP_X_REQUEST_ID"

    @staticmethod
    def clock() -> float:
        """Seconds from the machine's clock, read when called (a test sets its own)."""
        return time.perf_counter()

    def __init__(self, get_response):
        import logging

        self.get_response = get_response
        self.logger = logging.getLogger("sumsel_gerakan.request")

    def __call__(self, request):
        incoming = request.META.get(self.HEADER, "")
        request.request_id = (
            incoming if re.fullmatch(r"[A-Za-z0-9._-]{8,64}", incoming) else uuid.uuid4().hex
        )
        start = self.clock()
        response = self.get_response(request)
        duration = milliseconds(self.clock() - start)
        response["X-Request-ID"] = request.request_id
        status = response.status_code
        level = 40 if status >= 500 else 30 if status >= 400 else 20
        self.logger.log(
            level,
            "%s %s %s",
            request.method,
            request.path,
            status,
            extra={
                "request_id": request.request_id,
                "user_id": self._user_id(request),
                "method": request.method,
                "path": request.path,
                "status": status,
                "duration_ms": duration,
            },
        )
        return response

    @staticmethod
    def _user_id(request):
        user = getattr(request, "user", None)
        try:
            return user.pk if user is not None and user.is_authenticated else None
        except Exception:  # noqa: BLE001 - the database may be down (a 503); log anyway
            return None
