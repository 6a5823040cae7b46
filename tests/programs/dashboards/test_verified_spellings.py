"""`terverifikasi` in any case: ON, True and TRUE turn "verified only" on everywhere.

Pages, their exports and saved views read 1, on and true in lower case only, so
?terverifikasi=ON or TRUE (written by users and other sites) quietly showed provisional
figures, while the API already takes on and true; one rule now reads them all alike
(programs.filters.verified_only_from)."""

import json

import pytest

from programs.models import SavedView
from tests.helpers import find, page

pytestmark = pytest.mark.usefixtures("gbrss_data", "pimpinan")

SPELLINGS = ["ON", "True", "TRUE", "On", "1"]
OFF = {"ON": "OFF", "True": "False", "TRUE": "FALSE", "On": "Off", "1": "0"}


@pytest.mark.parametrize("value", SPELLINGS)
def test_pages_read_every_spelling(client, value):
    html = page(client.get("/program/gbrss/", {"tahun": 2024, "terverifikasi": value}))
    assert "checked" in dict(find(html, "input", id="filter-terverifikasi").attributes)
    # The page's links say so too.
    breadcrumb = find(find(html, "nav", class_="breadcrumb"), "a")
    assert "terverifikasi=1" in dict(breadcrumb.attributes)["href"]


@pytest.mark.parametrize("value", SPELLINGS)
def test_exports_read_every_spelling(client, value):
    response = client.get("/unduh/rapor.csv", {"tahun": 2024, "terverifikasi": value})
    assert response.status_code == 200
    assert "terverifikasi" in response["Content-Disposition"]


@pytest.mark.parametrize("value", SPELLINGS)
def test_saved_views_keep_every_spelling(client, value):
    client.post("/tersimpan/", {"url": f"/program/gbrss/?tahun=2024&terverifikasi={value}"})
    assert SavedView.objects.get().query.endswith("terverifikasi=1")


@pytest.mark.parametrize("value", SPELLINGS)
def test_the_api_reads_every_spelling(client, value):
    response = client.get("/api/v1/progress/", {"tahun": 2024, "terverifikasi": value})
    assert response.status_code == 200
    assert json.loads(response.content)["filters"]["terverifikasi"] is True
    off = client.get("/api/v1/progress/", {"tahun": 2024, "terverifikasi": OFF[value]})
    assert json.loads(off.content)["filters"]["terverifikasi"] is False


def test_the_api_still_refuses_other_words(client):
    response = client.get("/api/v1/progress/", {"terverifikasi": "ya"})
    assert response.status_code == 400
    assert "1, true atau on" in json.loads(response.content)["detail"]
