"""Free text typed by users: what counts as nothing typed."""

import pytest

from programs.text import visible_text


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("  Rincian belum sesuai \n", "Rincian belum sesuai"),
        ("\u200b", ""),
        ("\ufeff\u200e \u200b\u00a0", ""),
        ("\u200bFoto kurang jelas\u200b", "Foto kurang jelas"),
        # Inside the text nothing is touched (a joiner in a name, an emoji sequence).
        ("Cek lagi \u200d👍", "Cek lagi \u200d👍"),
        (None, ""),
    ],
)
def test_visible_text_leaves_nothing_of_invisible_characters_at_the_ends(typed, kept):
    assert visible_text(typed) == kept
