"""One-time messages ("Draf tersimpan (versi 1).") shown once each.

A double click sends a form twice; the browser shows the answer to the second post, and
the first post's message, never displayed, waits in the store beside the second's. Both
say the same (a resend is answered as the first post was: programs/reporting/services.py
`resent_save`), and the page read "Draf tersimpan (versi 1)." twice. The answer to a
resend (tagged RESENT, see `resent_tag`) is therefore not added again when a message of
the same level and text still waits. Only a resend's: two different reports verified one
after the other both say "1 laporan diverifikasi.", and each is shown.
"""

from django.contrib.messages.storage.fallback import FallbackStorage

RESENT = "resent"


def resent_tag(*answers) -> str:
    """RESENT when every object a service answered with was a resend's (the service set
    `resent` on it), else no tag."""
    return RESENT if answers and all(getattr(a, "resent", False) for a in answers) else ""


class DistinctMessagesStorage(FallbackStorage):
    def add(self, level, message, extra_tags=""):
        tags = (extra_tags or "").split()
        if RESENT in tags:
            extra_tags = " ".join(tag for tag in tags if tag != RESENT)
            text = str(message)
            waiting = [*self._loaded_messages, *self._queued_messages]
            if any(m.level == level and str(m.message) == text for m in waiting):
                return
        super().add(level, message, extra_tags)
