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
