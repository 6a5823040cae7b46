"""The name the site gives itself in outgoing mail.

Django names the sender's machine in every mail's Message-ID (<...@name>) and in the
SMTP greeting (EHLO name) by socket.getfqdn(): in a container that is `localhost` or
the container's id, and a Message-ID ending in @localhost is counted against the mail by
spam filters. settings.EMAIL_DOMAIN (the site's public host name) is used instead.
"""

from __future__ import annotations

from django.conf import settings
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
