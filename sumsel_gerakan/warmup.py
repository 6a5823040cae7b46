"""Work a gunicorn master does once before it forks its workers (gunicorn.conf.py).

Without it every new worker (at start, and after each `max_requests` recycling) pays on
its first requests for importing every view, compiling every template and reading the
translation catalogues: about a second of CPU on this machine, taken from the requests
the other workers are serving at that moment. Done once in the master, the forked
workers share the result.
"""

from __future__ import annotations

import logging
from pathlib import Path

logger = logging.getLogger(__name__)


def template_names() -> list[str]:
    """Every template the project's own template folders hold, as loader names."""
    from django.conf import settings

    folders = [Path(folder) for engine in settings.TEMPLATES for folder in engine["DIRS"]]
    base = Path(settings.BASE_DIR)
    folders += sorted(path for path in base.glob("*/templates") if path.is_dir())
    names = set()
    for folder in folders:
        for path in folder.rglob("*.html"):
            names.add(path.relative_to(folder).as_posix())
    return sorted(names)


def warm() -> int:
    """Import the URLconf (and with it every view), compile the templates, load the
    catalogues; close database connections so that no worker inherits a socket.
    Returns the number of templates compiled. Never raises: a failed warm-up only
    means slower first requests."""
    from django.conf import settings
    from django.db import connections
    from django.template.loader import get_template
    from django.urls import get_resolver
    from django.utils.translation import trans_real

    compiled = 0
    try:
        get_resolver().url_patterns  # noqa: B018 - importing the views is the point
        for name in template_names():
            get_template(name)
            compiled += 1
        for code, _name in settings.LANGUAGES:
            trans_real.translation(code)  # reads and keeps the language's catalogue
    except Exception:
        logger.warning("Warm-up before forking workers failed", exc_info=True)
    finally:
        connections.close_all()
    return compiled


def check_cache() -> bool:
    """Whether the shared cache answers at start-up; one warning line when it does not,
    naming the cache and its error (the breaker's own warning is not written beside it).
    Never stops the start: pages work without the cache (uncached, slower), and a Redis
    that comes up later is used from then on. Without this line a wrong REDIS_URL showed
    nowhere until a page was asked for. Call it before warm(), which closes the database
    connection the database cache may have opened."""
    from django.conf import settings

    from sumsel_gerakan import cache

    alias = settings.PAGE_CACHE_ALIAS
    with cache.unannounced():
        error = cache.failure(alias)
    if error is None:
        return True
    logger.warning(
        "Cache %s (CACHE_URL / REDIS_URL) not reachable at start-up (%s): pages are served "
        'uncached until it answers; /healthz reports "cache": "down"',
        cache.location(alias),
        error,
    )
    return False
