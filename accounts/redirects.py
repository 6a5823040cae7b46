"""Sending a visitor without a session to log in, from a page or from an htmx request.

A page is redirected to the login page, as Django's login_required does. An htmx request
must not be: htmx follows the redirect and puts the login page inside the page it came
from (the import form, a dashboard's filtered table), whose form then posts the
password to that page's address, not the login's, and the visitor lands on an empty
login page having typed it for nothing. Such a request answers 401 and sends the whole
browser to the login page (HX-Redirect), back to the page after logging in. The entry
form does the same and also keeps what was typed (`reporting.views._session_ended`).
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse


def login_page_response(request: HttpRequest, next_path: str | None = None) -> HttpResponse:
    """The answer that sends `request`'s visitor to log in, then to `next_path` (default:
    the address asked for; an htmx request's own address is the page it was sent from)."""
    next_path = next_path or request.get_full_path()
    if not getattr(request, "htmx", False):
        return redirect_to_login(next_path)
    response = HttpResponse(status=401)
    response["HX-Redirect"] = redirect_to_login(next_path).url
    return response


def login_required_page(view):
    """login_required, answered by `login_page_response` (htmx requests included)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return login_page_response(request)
        return view(request, *args, **kwargs)

    return wrapper
