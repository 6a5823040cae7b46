"""Language from an explicit choice only: Indonesian unless the user picked English.

Django's LocaleMiddleware follows the browser's Accept-Language, and officials' browsers
are often English; the dashboard must open in Bahasa Indonesia all the same.
"""

from django.conf import settings
from django.utils import translation


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
