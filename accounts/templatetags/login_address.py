"""The login page's address for a link, back to `next` after logging in."""

from django import template
from django.contrib.auth.views import redirect_to_login

from accounts.redirects import within_request_line

register = template.Library()


@register.filter
def login_address(next_url) -> str:
    """'/akun/masuk/?next=...' for the page `next_url`, kept within the server's request
    line limit (a too-long `next` is cut to the page without its query)."""
    return within_request_line(redirect_to_login(str(next_url or "/")).url)
