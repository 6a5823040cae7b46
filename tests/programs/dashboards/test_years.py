"""Three years side by side: every page, export and API answer works for 2024, 2025 and
2026 of the live demo, and each shows its own year's numbers."""

import json

import pytest
from django.test import Client

from regencies.models import UserScope
from tests.factories import UserFactory
from tests.programs.conftest import seed_live_demo
from tests.shared_db import once_per_module

# The live demo is seeded once for this module (tests/shared_db.py).
live_demo_once = once_per_module(seed_live_demo)
YEARS = (2024, 2025, 2026)
PAGES = [
    "/",
    "/program/gbrss/",
    "/program/gpstss/",
    "/wilayah/16.07/",
    "/kelengkapan/",
    "/unduh/rapor.csv",
    "/unduh/program/gbrss.xlsx",
    "/unduh/wilayah/16.07.csv",
    "/unduh/kelengkapan.csv",
    "/unduh/realisasi.csv",
    "/api/v1/progress/",
    "/api/v1/targets/",
    "/api/v1/realizations/",
]


@pytest.fixture
def leader(live_demo):
    user = UserFactory(username="pimpinan-uji")
    UserScope.objects.create(user=user, role=UserScope.Role.PIMPINAN)
    client = Client()
    client.force_login(user)
    return client


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("path", PAGES)
def test_every_page_export_and_api_answers_for_each_year(leader, path):
    answers = {}
    for year in YEARS:
        response = leader.get(path, {"tahun": year})
        assert response.status_code == 200, (path, year)
        answers[year] = body(response)
    # Different years, different answers (not one year's data under three labels).
    assert len(set(answers.values())) == len(YEARS), path


def test_province_progress_of_each_year_uses_that_years_target(leader):
    seen = {}
    for year in YEARS:
        data = json.loads(leader.get("/api/v1/progress/", {"tahun": year}).content)
        assert data, year
        seen[year] = json.dumps(data, sort_keys=True)
    assert len(set(seen.values())) == 3
