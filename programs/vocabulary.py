"""Words of the reference data that are words, not names: indicators' units and the
generic funding sources ("Tidak dirinci", "Swadaya masyarakat"), shown in the reader's
language when stored exactly as the reference data (fixtures/) writes them. English pages
read "5.473 rumah" and "Tidak dirinci". A unit or a name an admin types otherwise is
shown as typed (data is entered in Indonesian), and proper names (programs, agencies,
companies, regencies, Baznas Provinsi Sumsel) are never translated."""

from __future__ import annotations

from django.utils.translation import gettext, gettext_noop

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


def data_word(value: str) -> str:
    """`value` in the active language when it is one of `DATA_WORDS`, else as stored."""
    return gettext(value) if value in DATA_WORDS else value
