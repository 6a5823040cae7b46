"""Free text typed by a user (notes, reasons, comments, captions, addresses).

A NUL character cannot be stored (PostgreSQL refuses it in text) and no legitimate text
holds one; a pasted one is refused with this message on the field it was typed in, the
rest of the form kept. Every service that stores free text asks `has_nul` first; the
Django admin's form fields refuse it themselves (ProhibitNullCharactersValidator)."""

from django.utils.translation import gettext_noop

NUL_CHARACTER = gettext_noop(
    "Teks berisi karakter yang tidak sah (NUL, kode 0), biasanya ikut tersalin dari berkas "
    "lain: hapus karakter itu lalu kirim lagi."
)


def has_nul(*texts: str | None) -> bool:
    """Whether any of `texts` holds a NUL character."""
    return any("\x00" in (text or "") for text in texts)
