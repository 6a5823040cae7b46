"""Free text typed by a user (notes, reasons, comments, captions, addresses).

A NUL character cannot be stored (PostgreSQL refuses it in text) and no legitimate text
holds one; a pasted one is refused with this message on the field it was typed in, the
rest of the form kept. Every service that stores free text asks `has_nul` first; the
Django admin's form fields refuse it themselves (ProhibitNullCharactersValidator)."""

import re
import unicodedata

from django.utils.translation import gettext_noop

NUL_CHARACTER = gettext_noop(
    "Teks berisi karakter yang tidak sah (NUL, kode 0), biasanya ikut tersalin dari berkas "
    "lain: hapus karakter itu lalu kirim lagi."
)


def has_nul(*texts: str | None) -> bool:
    """Whether any of `texts` holds a NUL character."""
    return any("\x00" in (text or "") for text in texts)


def visible_text(text: str | None) -> str:
    """`text` without the spaces and invisible characters at its ends, "" when nothing
    visible is left. `str.strip` keeps a zero-width space (U+200B), a byte-order mark or a
    left-to-right mark pasted from a chat: a required reason made only of one was taken,
    and the operator read an empty reason."""
    text = (text or "").strip()
    start, end = 0, len(text)
    while start < end and _invisible(text[start]):
        start += 1
    while end > start and _invisible(text[end - 1]):
        end -= 1
    return text[start:end]


def _invisible(char: str) -> bool:
    # Separators (Z*), controls (Cc) and format characters (Cf: zero-width spaces and
    # joiners, direction marks, the BOM) show nothing by themselves.
    return char.isspace() or unicodedata.category(char) in ("Cf", "Cc", "Zs", "Zl", "Zp")


# At most 30 digits: more is no number a page sends, and int() refuses over 4,300.
_WHOLE_NUMBER = re.compile(r"\s*([+-]?[0-9]{1,30})\s*", re.ASCII)


def whole_number(text) -> int | None:
    """The whole number a request's parameter holds, written in ASCII digits (spaces
    around allowed), None otherwise: the one rule of every number a page or link sends
    (a version, a count, a page, a year). Python's int() also reads Arabic-Indic or
    full-width digits ("٣", "３") and underscores ("1_0"), and fails on others that
    str.isdigit() takes ("²")."""
    found = _WHOLE_NUMBER.fullmatch(text) if isinstance(text, str) else None
    return int(found[1]) if found else None


# A digit of another script than 0-9: Arabic-Indic "٣", full-width "３".
_OTHER_DIGIT = re.compile(r"(?![0-9])\d")


def other_digits(text) -> bool:
    """Whether `text` holds a digit other than 0-9, in which no number, date or month the
    site reads is written (`whole_number`): Python's \\d, int() and strptime read
    "٢٠٢٦-١١" as November 2026. Such a text is refused with the box's usual message, or
    taken as absent where a page takes bad input so."""
    return isinstance(text, str) and _OTHER_DIGIT.search(text) is not None
