"""The name the site gives itself in outgoing mail.

Django names the sender's machine in every mail's Message-ID (<...@name>) and in the
SMTP greeting (EHLO name) by socket.getfqdn(): in a container that is `localhost` or
the container's id, and a Message-ID ending in @localhost is counted against the mail by
spam filters. settings.EMAIL_DOMAIN (the site's public host name) is used instead.
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.core.mail.utils import DNS_NAME
from django.utils.encoding import punycode


def use_email_domain(domain: str | None = None) -> None:
    """Name the site `domain` (default settings.EMAIL_DOMAIN) in the mail sent from now
    on; without one, Django's own lookup of the machine's name stays."""
    domain = domain or settings.EMAIL_DOMAIN
    if domain:
        DNS_NAME._fqdn = punycode(domain)
    elif hasattr(DNS_NAME, "_fqdn"):
        del DNS_NAME._fqdn  # looked up again on the next mail


@checks.register(checks.Tags.security, deploy=True)
def check_site_url(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """`manage.py check --deploy`: the links in e-mails (reminders, returned reports,
    comments) start with SITE_URL, whose default is the development server's address; a
    production left with it, or with .env.example's host, mailed every operator links to
    http://127.0.0.1:8000 that open nothing."""
    from urllib.parse import urlsplit

    from sumsel_gerakan.settings import host_name

    host = urlsplit(settings.SITE_URL).hostname or ""
    if host_name(host) and not host.endswith("example.go.id"):
        return []
    return [
        checks.Warning(
            f"SITE_URL is {settings.SITE_URL!r}: links in e-mails (reminders, returned "
            "reports, comments) would open nothing for their readers.",
            hint="Set SITE_URL to the site's public address, e.g. https://dasbor.sumselprov.go.id.",
            id="sumsel.W001",
        )
    ]
