"""The production static files storage: whitenoise's hashed, compressed files, with a
page that still renders when one of its files is missing from the manifest."""

from __future__ import annotations

import logging

from whitenoise.storage import CompressedManifestStaticFilesStorage

logger = logging.getLogger("sumsel_gerakan.static")


class ManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """`{% static %}` of a name the manifest lacks (code deployed without running
    `collectstatic` again, a static root left from the previous release, a template's
    typo) raised ValueError, and every page using it answered 500. The name is linked
    unhashed instead (the browser gets a 404 for that one file, the page works) and the
    miss is logged as an error naming the file, so the deployment gets fixed."""

    def stored_name(self, name):
        try:
            return super().stored_name(name)
        except ValueError:
            logger.error(
                "Static file %r is not in the manifest of %s: run collectstatic",
                name,
                self.location,
            )
            return name
