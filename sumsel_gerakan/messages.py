"""One-time messages ("Draf tersimpan (versi 1).") shown once each.

A double click sends a form twice; the browser shows the answer to the second post, and
the first post's message, never displayed, waits in the store beside the second's. Both
say the same (a resend is answered as the first post was: programs/reporting/services.py
`resent_save`), and the page read "Draf tersimpan (versi 1)." twice. A message equal in
level and text to one still waiting is not added again.
"""

from django.contrib.messages.storage.fallback import FallbackStorage


class DistinctMessagesStorage(FallbackStorage):
    def add(self, level, message, extra_tags=""):
        text = str(message)
        waiting = [*self._loaded_messages, *self._queued_messages]
        if any(m.level == level and str(m.message) == text for m in waiting):
            return
        super().add(level, message, extra_tags)
