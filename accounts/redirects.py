"""Sending a visitor without a session to log in, from a page or from an htmx request.

A page is redirected to the login page, as Django's login_required does. An htmx request
must not be: htmx follows the redirect and puts the login page inside the page it came
from (the import form, a dashboard's filtered table), whose form then posts the
password to that page's address, not the login's, and the visitor lands on an empty
login page having typed it for nothing. Such a request answers 401 and sends the whole
browser to the login page (HX-Redirect), back to the page after logging in. The entry
form does the same and also keeps what was typed (`reporting.views._session_ended`).

Every login address the app sends (Django's login_required, the admin's, the ones below)
carries the page asked for in `next`, percent-encoded once more. An address near the
request line limit (a shared link with an 8 KB query) made a login address over it,
which gunicorn refused with its bare English 400: `within_request_line` cuts `next` to
the page without its query, or drops it, so the login page always opens
(sumsel_gerakan.middleware.BoundedRedirectMiddleware applies it to every redirect).
"""

from functools import wraps
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, QueryDict

# "GET <target> HTTP/1.1": what a request line holds besides the address's target.
REQUEST_LINE_OVERHEAD = len("GET  HTTP/1.1")


def request_target(url: str) -> str:
    """The part of `url` a browser puts in its request line (path and query)."""
    parts = urlsplit(url)
    return urlunsplit(("", "", parts.path or "/", parts.query, ""))


def fits_request_line(url: str) -> bool:
    limit = settings.REQUEST_LINE_LIMIT
    return len(request_target(url)) + REQUEST_LINE_OVERHEAD <= limit


def within_request_line(url: str) -> str:
    """`url` (an address the browser is sent to), with its `next` parameter shortened
    until opening it fits the server's request line limit: first to the next page's
    path without its query, then left out (the login goes to the home page). Any other
    address is returned unchanged."""
    if fits_request_line(url):
        return url
    parts = urlsplit(url)
    query = QueryDict(parts.query, mutable=True)
    next_url = query.get(REDIRECT_FIELD_NAME)
    if next_url is None:
        return url
    next_parts = urlsplit(next_url)
    shorter = urlunsplit((next_parts.scheme, next_parts.netloc, next_parts.path, "", ""))
    query[REDIRECT_FIELD_NAME] = shorter
    candidate = parts._replace(query=query.urlencode(safe="/")).geturl()
    if shorter and fits_request_line(candidate):
        return candidate
    del query[REDIRECT_FIELD_NAME]
    return parts._replace(query=query.urlencode(safe="/")).geturl()


def login_page_response(request: HttpRequest, next_path: str | None = None) -> HttpResponse:
    """The answer that sends `request`'s visitor to log in, then to `next_path` (default:
    the address asked for; an htmx request's own address is the page it was sent from)."""
    next_path = next_path or request.get_full_path()
    if not getattr(request, "htmx", False):
        response = redirect_to_login(next_path)
        response["Location"] = within_request_line(response.url)
        return response
    response = HttpResponse(status=401)
    response["HX-Redirect"] = within_request_line(redirect_to_login(next_path).url)
    return response


def login_required_page(view):
    """login_required, answered by `login_page_response` (htmx requests included)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return login_page_response(request)
        return view(request, *args, **kwargs)

    return wrapper
