"""gunicorn's logger with its access lines redacted (gunicorn.conf.py `logger_class`).

The access line holds the request line and the referrer: a password-reset link opened
from the mail put its token in the log, where it stayed usable until the user chose a
new password. The same rule as the app's own log lines (sumsel_gerakan.logging.redact).
"""

from __future__ import annotations

from gunicorn.glogging import Logger

from sumsel_gerakan.logging import redact


class AccessLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        """Every text atom redacted: the request line, path, query and referrer, and the
        headers (`%({name}i)s`) a format may name."""
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()
        }
