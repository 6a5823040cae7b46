"""Words of the reference data that are words, not names: indicators' units and the
generic funding sources ("Tidak dirinci", "Swadaya masyarakat"), shown in the reader's
language when stored exactly as the reference data (fixtures/) writes them. English pages
read "5.473 rumah" and "Tidak dirinci". A unit or a name an admin types otherwise is
shown as typed (data is entered in Indonesian), and proper names (agencies, companies,
regencies, Baznas Provinsi Sumsel) are never translated.

Reference text that is not a single word (a program's name and lead agency, a ratio's
labels, a milestone) has an optional English field beside it (`name_en`, ...) instead, read
through `in_reader_language`."""

from __future__ import annotations

from django.utils.translation import get_language, gettext, gettext_noop, override

DATA_WORDS = frozenset(
    {
        # Units (fixtures/programs.json).
        gettext_noop("rumah"),
        gettext_noop("rumah tangga"),
        gettext_noop("balita"),
        gettext_noop("kegiatan"),
        gettext_noop("unit"),
        # Generic funding sources (fixtures/funding_sources.json); the categories'
        # own labels where a source is named as its category.
        gettext_noop("Tidak dirinci"),
        gettext_noop("APBN"),
        gettext_noop("APBD Provinsi Sumatera Selatan"),
        gettext_noop("APBD Kabupaten/Kota"),
        gettext_noop("Dana Desa"),
        gettext_noop("Baznas Kabupaten/Kota"),
        gettext_noop("CSR perusahaan swasta (Forum CSR)"),
        gettext_noop("BUMN/BUMD (tidak dirinci)"),
        gettext_noop("Swadaya masyarakat"),
        gettext_noop("Lainnya"),
    }
)


def data_word(value: str, language: str | None = None) -> str:
    """`value` in the active language (`language` where given: rows written after the
    request's language is gone) when it is one of `DATA_WORDS`, else as stored."""
    if value not in DATA_WORDS:
        return value
    if language is None:
        return gettext(value)
    with override(language):
        return gettext(value)


def in_reader_language(text: str, text_en: str, language: str | None = None) -> str:
    """A reference field as shown: its English version (`text_en`) on an English page
    where one is given, else the stored Indonesian `text`. In `language` where given
    (rows written after the request's language is gone), else the active one."""
    english = (language or get_language() or "id").startswith("en")
    return text_en if english and text_en else text
