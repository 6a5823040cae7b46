"""The year menu offers the years with data, and a year it does not offer (before the
programs' launch) is answered as the default year by every page, export and the API."""

import json

import pytest
from django.test import Client


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


HEADED = ["/", "/program/gbrss/", "/wilayah/16.07/", "/kelengkapan/", "/ringkasan/cetak/"]
EXPORTED = [
    "/unduh/rapor.csv",
    "/unduh/program/gbrss.xlsx",
    "/unduh/wilayah/16.07.csv",
    "/unduh/kelengkapan.csv",
    "/unduh/program/gbrss/kinerja.xlsx",
]


def heading(response) -> str:
    from tests.helpers import element_text, find, page

    assert response.status_code == 200
    return element_text(find(page(response), "h1"))


@pytest.mark.usefixtures("frozen_clock")  # 27 June 2025: 2024 is the one year with data
@pytest.mark.parametrize("path", HEADED)
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_a_year_the_menu_does_not_offer_is_the_default_year(gbrss_data, path, htmx):
    """?tahun=2023, a year before the programs' launch (2024), opened an empty 2023 page
    (and put 2023 in the year menu for it): like the operators' reports list, a page
    shows its default year instead, 2024 up to its default month, and a month asked
    with it is kept, as with no year at all. The menu offers the years with data."""
    from tests.helpers import attribute, find, find_all, page

    headers = {"HX-Request": "true"} if htmx and path != "/ringkasan/cetak/" else {}
    client = Client(headers=headers)
    for year in (2023, 2022):
        text = heading(client.get(path, {"tahun": year}))
        assert "2024" in text and "Desember" in text and str(year) not in text
    june = heading(client.get(path, {"tahun": 2023, "bulan": 6}))
    assert june == heading(client.get(path, {"bulan": 6})) and "2024" in june and "Juni" in june
    if path != "/ringkasan/cetak/":
        menu = find(page(client.get(path, {"tahun": 2023})), "select", id="filter-tahun")
        options = find_all(menu, "option")
        assert [attribute(o, "value") for o in options] == ["2024"]
        assert ["selected" in dict(o.attributes) for o in options] == [True]


@pytest.mark.usefixtures("frozen_clock")
@pytest.mark.parametrize("path", EXPORTED)
def test_an_export_of_a_year_the_menu_does_not_offer_is_the_default_years(
    client, gbrss_data, pimpinan, path
):
    before_launch = client.get(path, {"tahun": 2023})
    default = client.get(path, {"tahun": 2024, "bulan": 12})
    assert before_launch.status_code == default.status_code == 200
    name = before_launch["Content-Disposition"]
    assert "2024-12" in name and "2023" not in name
    assert name == default["Content-Disposition"]


@pytest.mark.usefixtures("frozen_clock")
def test_the_api_answers_a_year_the_menu_does_not_offer_for_the_default_year(
    client, gbrss_data, pimpinan
):
    """/api/v1/progress/ answers a period not begun for the latest begun (the `filters`
    say which) and a malformed year with a 400; a well-formed year before the launch is
    answered, like a page, for the default year. Raw rows (`/realizations/`, targets)
    stay filtered by the year asked: 2023 has none."""
    before_launch = json.loads(client.get("/api/v1/progress/", {"tahun": 2023}).content)
    default = json.loads(client.get("/api/v1/progress/", {"tahun": 2024}).content)
    assert (
        before_launch["filters"]
        == default["filters"]
        == {
            "tahun": 2024,
            "bulan": 12,
            "terverifikasi": False,
        }
    )
    assert before_launch["results"] == default["results"]
    assert client.get("/api/v1/progress/", {"tahun": 1999}).status_code == 400
    rows = json.loads(client.get("/api/v1/realizations/", {"tahun": 2023}).content)
    assert rows["count"] == 0
