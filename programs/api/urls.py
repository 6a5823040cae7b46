"""Routes of the read-only JSON API, included under /api/v1/ (namespace `api`).

Around ninja's views: anything but GET is a JSON 405 (the API is read-only), every
answer gets its caching headers, and an unknown path is a JSON 404 (a missing trailing
slash is added, GET only).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, URLPattern, re_path, resolve, reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from programs.api.endpoints import api, error_body

app_name = "api"
PUBLIC_MAX_AGE = 60  # seconds an anonymous (public, verified-only) answer may be cached


def json_error(status: int, detail: str) -> JsonResponse:
    return JsonResponse(
        error_body(detail), status=status, json_dumps_params={"ensure_ascii": False}
    )


def cache_headers(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """`Vary: Cookie` always; public for a minute only for anonymous 200s."""
    patch_vary_headers(response, ["Cookie"])
    if request.user.is_authenticated or response.status_code != 200:
        patch_cache_control(response, private=True)
    else:
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    return response


def read_only(view: Callable) -> Callable:
    """GET only (a JSON 405 otherwise), with the caching headers. CSRF-exempt so that a
    POST gets its 405 rather than a CSRF page: nothing here writes."""

    @csrf_exempt
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method == "GET":
            response = view(request, *args, **kwargs)
        else:
            response = json_error(
                405,
                _("Metode %(method)s tidak diizinkan; API ini hanya-baca (GET).")
                % {"method": request.method},
            )
            response["Allow"] = "GET"
        return cache_headers(request, response)

    return wrapper


@csrf_exempt
def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    """JSON 404 for unknown API paths; a missing trailing slash is added (GET only)."""
    if request.method == "GET" and not request.path_info.endswith("/"):
        try:
            match = resolve(request.path_info + "/")
        except Resolver404:
            match = None
        if match is not None and match.url_name != "not_found":
            query = request.GET.urlencode()
            return HttpResponsePermanentRedirect(
                request.path + "/" + (f"?{query}" if query else "")
            )
    response = json_error(
        404, _("Alamat API tidak ditemukan. Lihat %(index)s.") % {"index": reverse("api:index")}
    )
    patch_vary_headers(response, ["Cookie"])
    patch_cache_control(response, private=True)
    return response


def _ninja_patterns() -> list[URLPattern]:
    patterns, _app, _namespace = api.urls
    # ninja's own `api-root` (it reverses it for the OpenAPI paths) comes after `index`,
    # which answers at the same path.
    return [URLPattern(p.pattern, read_only(p.callback), p.default_args, p.name) for p in patterns]


urlpatterns = [
    *_ninja_patterns(),
    re_path(r"^(?P<path>.*)$", not_found, name="not_found"),
]
