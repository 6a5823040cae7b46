"""Hand-made attachments of the GBRSS reports, for the API tests (metadata only)."""

import pytest

from programs.models import Attachment, Indicator, MonthlyReport
from tests.api_helpers import attach


@pytest.fixture
def gbrss_attachments(gbrss_data) -> dict[str, Attachment]:
    """On the GBRSS 2024 reports of `gbrss_data`:

    banyuasin_public: Banyuasin January (verified), a public photo with GPS, per indicator;
    banyuasin_pdf: Banyuasin January, a PDF for the whole report;
    oku_photo: OKU January (verified), a photo with GPS, not public;
    oku_submitted: OKU February (submitted), a photo marked public (not yet verified);
    banyuasin_draft: Banyuasin March (draft), a photo without GPS.
    """
    reports = {(r.regency_id, r.month): r for r in MonthlyReport.objects.filter(program=gbrss_data)}
    houses = Indicator.objects.get(code="rumah-dibedah")
    return {
        "oku_photo": attach(reports["16.01", 1], name="oku.jpg"),
        "banyuasin_public": attach(
            reports["16.07", 1], public=True, indicator=houses, name="sesudah.jpg"
        ),
        "banyuasin_pdf": attach(reports["16.07", 1], "pdf", gps=False, name="ba.pdf"),
        "oku_submitted": attach(reports["16.01", 2], public=True, name="oku-feb.jpg"),
        "banyuasin_draft": attach(reports["16.07", 3], gps=False, name="draf.jpg"),
    }
