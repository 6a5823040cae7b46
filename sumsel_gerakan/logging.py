"""Logging fit for operations: one line per request, as text or as JSON.

`LOG_FORMAT=json` (environment) writes every log record as one JSON object per line
(time, level, logger, message and the record's extra fields such as request_id, user_id,
status, duration_ms), ready for a log collector; otherwise plain text with the same fields.
"""

from __future__ import annotations

import json
import logging
import re
import time

# Attributes every LogRecord has: anything else on a record came from `extra=`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}

# A password-reset token as Django makes it (PasswordResetTokenGenerator: the time in
# base 36, a dash, 32 hex digits of an HMAC), in the link a user opens
# (/akun/lupa-sandi/<uid>/<token>/). Until it is used it resets that user's password, so
# no log line may hold it: whoever reads the logs could take over the account.
_RESET_TOKEN = re.compile(r"\b[0-9a-z]{1,13}-[0-9a-f]{20,64}\b")
REDACTED = "[token]"


def redact(text: str) -> str:
    """`text` with every password-reset token replaced by REDACTED."""
    return _RESET_TOKEN.sub(REDACTED, text)


def _extra(record: logging.LogRecord) -> dict:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_extra(record),
        }
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return redact(json.dumps(data, ensure_ascii=False, default=str))


class TextFormatter(logging.Formatter):
    """`time level logger message key=value ...`."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extra = _extra(record)
        if extra:
            line += " " + " ".join(f"{k}={v}" for k, v in extra.items())
        return redact(line)


class ClientRefusalFilter(logging.Filter):
    """Django's refusals of a client's request (`django.security.*`: a Host not in
    ALLOWED_HOSTS, a body too large, too many fields) are logged with the traceback of
    where Django raised them, some thirty lines for each scanner's probe. Their message
    says what was refused; the line keeps it and drops the traceback. They come at ERROR
    with the request object beside it: a refusal answered 4xx is the client's doing, not
    a server error to be alerted on, so its line is a WARNING as the request's own line,
    with the request id (to find that line) instead of the request object."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith("django.security."):
            return True
        if record.exc_info:
            record.exc_info = None
            record.exc_text = None
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            if record.levelno > logging.WARNING:
                if logging.getLogger().getEffectiveLevel() > logging.WARNING:
                    return False  # DJANGO_LOG_LEVEL=ERROR: warnings are not written
                record.levelno = logging.WARNING
                record.levelname = logging.getLevelName(logging.WARNING)
            request = vars(record).pop("request", None)
            request_id = getattr(request, "request_id", None)
            if request_id:
                record.request_id = request_id
        return True


def logging_config(log_format: str | None, level: str = "INFO") -> dict:
    """The LOGGING setting: JSON lines when `log_format` is "json", text otherwise."""
    formatter = "json" if (log_format or "").strip().lower() == "json" else "text"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {"()": "sumsel_gerakan.logging.JsonFormatter"},
            "text": {"()": "sumsel_gerakan.logging.TextFormatter"},
        },
        "filters": {"client_refusals": {"()": "sumsel_gerakan.logging.ClientRefusalFilter"}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": formatter,
                "filters": ["client_refusals"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Our request line replaces Django's own "Not Found: /x" warnings for 4xx.
            "django.request": {"level": "ERROR"},
            # django-axes writes every login attempt with the username typed (often a
            # password typed in the wrong field), the address and the browser. They are
            # kept in Admin -> Axes; a lockout is a 429 in the request line.
            "axes": {"level": "ERROR"},
        },
    }
