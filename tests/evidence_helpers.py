"""Helpers shared by the evidence tests (tests/programs/reporting/test_evidence.py and
the browser's tests/browser/test_evidence_browser.py): photos as phones write them."""

from __future__ import annotations

import io

from PIL import Image

# Banyuasin's position as EXIF GPS tags: 2°50' S, 104°45' E.
BANYUASIN_GPS = {1: "S", 2: (2.0, 50.0, 0.0), 3: "E", 4: (104.0, 45.0, 0.0)}


def phone_photo(orientation=6, gps=True, size=(40, 20), taken="2024:03:14 09:30:00") -> bytes:
    """A JPEG as a phone writes it: sideways pixels with an EXIF orientation, capture
    time (`taken`, local time as EXIF writes it) and GPS position (Banyuasin's, or the
    tags given as `gps`)."""
    image = Image.new("RGB", size, (200, 30, 30))
    image.paste((20, 20, 200), (0, 0, size[0] // 2, size[1]))
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "PonselUji"
    exif.get_ifd(0x8769)[36867] = taken
    if gps:
        exif.get_ifd(0x8825).update(BANYUASIN_GPS if gps is True else gps)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()
