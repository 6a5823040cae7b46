"""Three years side by side: every page, export and API answer works for 2024, 2025 and
2026 of the live demo, and each shows its own year's numbers."""

import json

import pytest
from django.test import Client

from regencies.models import UserScope
from tests.factories import UserFactory

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


def test_year_list_has_years_with_targets_or_counted_reports_up_to_this_year(
    reference_data, django_assert_num_queries
):
    """The year menu of every page: a year with only a regency's target counts, a year
    with only a draft does not, nor does a year after this one; one query."""
    import datetime as dt

    from programs.dashboards.selectors import available_years
    from programs.models import Indicator, MonthlyReport, Program, Target
    from regencies.models import Regency

    houses = Indicator.objects.get(code="rumah-dibedah")
    banyuasin = Regency.objects.get(code="16.07")
    gbrss = Program.objects.get(slug="gbrss")
    Target.objects.create(indicator=houses, regency=banyuasin, year=2021, value=5)
    Target.objects.create(indicator=houses, year=2030, value=5)
    moment = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    for year, status in [(2019, "draft"), (2022, "submitted"), (2023, "verified")]:
        MonthlyReport.objects.create(
            program=gbrss,
            regency=banyuasin,
            year=year,
            month=3,
            status=status,
            first_submitted_at=moment if status != "draft" else None,
            verified_at=moment if status == "verified" else None,
        )
    with django_assert_num_queries(1):
        years = available_years(today=dt.date(2026, 11, 29))
    assert years == [2021, 2022, 2023, 2024]


@pytest.mark.parametrize("path", ["/", "/program/gbrss/", "/wilayah/16.07/", "/kelengkapan/"])
def test_a_year_without_data_is_the_one_selected_in_the_year_menu(gbrss_data, path):
    """?tahun=2022 (no data): the heading says 2022 and so does the menu, which used to
    fall back to another year while the page showed 2022."""
    from tests.helpers import attribute, element_text, find, find_all, page

    html = page(Client().get(path, {"tahun": 2022}))
    options = find_all(find(html, "select", id="filter-tahun"), "option")
    chosen = [element_text(o) for o in options if "selected" in dict(o.attributes)]
    assert chosen == ["2022"]
    assert [attribute(o, "value") for o in options] == ["2022", "2024"]
