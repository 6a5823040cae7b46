"""Whole-page cache of dashboards, their htmx partials and exports, keyed by the data
version (programs/dataversion.py).

A body is stored per (path with the dashboard's query parameters, who is asking,
language, htmx partial or full page, today's date, data version, code fingerprint):

- who: "anon" for visitors without login; for a logged-in user their id and role. Roles
  decide what a body shows (provisional figures, export links), and bodies of one user
  are never served to another.
- today's date: "expected to date", days left and reporting states change at midnight.
- the data version changes in the same transaction as any write that can change a figure,
  so a cached body is never older than the data it shows; old versions are simply never
  asked for again and expire.

Nothing user-specific is rendered into a cached body: the header's account part (user
name, logout, role menu, language switch) is a separate, never-cached fragment
(/akun/menu/, loaded by htmx, with a plain link without JavaScript), and scripts read the
CSRF token from its cookie. Requests carrying one-time messages are not cached.

Bodies are stored gzip-compressed and sent as they are to clients that accept gzip
(decompressed otherwise). They hold no secret (no CSRF token, no session data), so
serving them compressed exposes nothing to BREACH-style attacks; other responses go
through Django's GZipMiddleware, which masks CSRF tokens per response and adds random
padding ("Heal The Breach"). Each response carries a weak ETag from the key and data
version; If-None-Match answers 304 without a body.

The cache is Django's default cache: Redis in production (REDIS_URL / CACHE_URL), the
database cache when no server is configured; never a per-process memory cache. While
Redis fails, pages are rendered and served uncached: the backend's circuit breaker
(sumsel_gerakan/cache.py) skips it for CACHE_RETRY_SECONDS after a failure, so a hung
server costs one socket timeout per window and process, not one per page, and logs one
warning line per window, not a traceback per request.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import re
from functools import wraps
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import caches
from django.http import HttpResponse, HttpResponseNotModified, StreamingHttpResponse
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from programs import dataversion, permissions
from sumsel_gerakan.cache import CacheUnavailable

# Query parameters that change what a dashboard or export shows; others are ignored in
# the key (and by the views), so junk parameters cannot fill the cache.
PARAMETERS = ("tahun", "bulan", "indikator", "terverifikasi", "urutkan", "program", "lengkap")
STORED_HEADERS = ("Content-Type", "Content-Disposition", "Content-Language", "Cache-Control")
VARY = ("Cookie", "HX-Request", "Accept-Encoding")
_GZIP = re.compile(r"\bgzip\b")
logger = logging.getLogger(__name__)


def _fingerprint() -> str:
    """Changes when templates or code change, so a deploy never serves old markup."""
    base = Path(settings.BASE_DIR)
    digest = hashlib.sha256()
    for folder in ("templates", "programs", "locale"):
        for path in sorted((base / folder).rglob("*")):
            if path.suffix in {".html", ".py", ".mo"}:
                stat = path.stat()
                digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:12]


FINGERPRINT = _fingerprint()


def _who(request) -> str:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return "anon"
    return f"u{user.pk}:{permissions.role_of(user) or '-'}"


def page_key(request, version: str) -> str:
    # Each parameter's value as the views read it: QueryDict.get gives the last of a
    # repeated one (?tahun=2024&tahun=2025 is a 2025 page, and must not be stored as the
    # 2024 one for everyone).
    params = sorted((k, v) for k in PARAMETERS for v in request.GET.getlist(k)[-1:])
    partial = bool(request.htmx and not request.htmx.history_restore_request)
    parts = [
        request.path,
        urlencode(params),
        _who(request),
        getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE),
        "hx" if partial else "page",
        timezone.localdate().isoformat(),
        version,
        FINGERPRINT,
    ]
    return "page:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _has_messages(request) -> bool:
    return hasattr(request, "_messages") and len(get_messages(request)) > 0


def _accepts_gzip(request) -> bool:
    return bool(_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")))


def _store(response) -> tuple[dict, bytes]:
    """The cache entry of a rendered response, and its body as rendered."""
    if response.streaming:
        body = b"".join(response.streaming_content)
        # The view's file (an XLSX export) is not handed to the server: close it here
        # (response.close() would also end the request and its database connection).
        stream = getattr(response, "file_to_stream", None)
        if stream is not None:
            stream.close()
    else:
        body = response.content
    entry = {
        "headers": {name: response[name] for name in STORED_HEADERS if name in response},
        # Level 5: measured on the 81 KB overview, 16.9 KB in 1.6 ms against level 6's
        # 16.4 KB in 2.7 ms; every miss pays the compression, so the faster one wins.
        "body": gzip.compress(body, compresslevel=5, mtime=0),
        "streaming": response.streaming,
    }
    return entry, body


def _chunks(body: bytes, size: int = 64 * 1024):
    for start in range(0, len(body), size):
        yield body[start : start + size]


def _respond(request, entry: dict, etag: str, state: str, plain: bytes | None = None):
    """The stored entry as a response; `plain`: the body as rendered (a miss), sent as it
    is to a client that does not accept gzip instead of decompressing the entry."""
    if etag in request.META.get("HTTP_IF_NONE_MATCH", ""):
        response = HttpResponseNotModified()
    else:
        if _accepts_gzip(request):
            body = entry["body"]
        else:
            body = gzip.decompress(entry["body"]) if plain is None else plain
        if entry.get("streaming"):  # downloads stay streamed, as the views send them
            response = StreamingHttpResponse(_chunks(body))
        else:
            response = HttpResponse(body)
        if body is entry["body"]:
            response["Content-Encoding"] = "gzip"
    for name, value in entry["headers"].items():
        if response.status_code == 200 or name == "Cache-Control":
            response[name] = value
    response["ETag"] = etag
    response["X-Page-Cache"] = state
    patch_vary_headers(response, VARY)
    return response


def cached_page(view):
    """Serve a GET view from the page cache; on a miss, render and store its 200 answer."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if (
            not settings.PAGE_CACHE
            or request.method not in ("GET", "HEAD")  # HEAD: the GET's entry, no body
            or _has_messages(request)
            or (version := dataversion.current()) is None
        ):
            return view(request, *args, **kwargs)
        cache = caches[settings.PAGE_CACHE_ALIAS]
        key = page_key(request, version)
        etag = f'W/"{key[5:29]}"'
        try:
            entry = cache.get(key)
        except CacheUnavailable:  # Redis failed or is skipped: logged by its breaker
            return view(request, *args, **kwargs)
        except Exception:  # another backend failing: serve fresh pages meanwhile
            logger.warning("Page cache unavailable (get)", exc_info=True)
            return view(request, *args, **kwargs)
        if entry is not None:
            return _respond(request, entry, etag, "hit")
        response = view(request, *args, **kwargs)
        if response.status_code != 200 or response.cookies:
            return response
        entry, body = _store(response)
        try:
            cache.set(key, entry, settings.PAGE_CACHE_SECONDS)
        except CacheUnavailable:
            pass  # logged by the breaker; the page is served all the same
        except Exception:
            logger.warning("Page cache unavailable (set)", exc_info=True)
        return _respond(request, entry, etag, "miss", plain=body)

    return wrapper
