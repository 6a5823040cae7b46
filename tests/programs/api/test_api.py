"""Read-only JSON API (/api/v1/): shapes, the pages' numbers, who sees what, pagination,
errors, caching headers, query counts and the OpenAPI description."""

from decimal import Decimal

import pytest

from programs.models import FundingSource, Indicator, MonthlyReport, Program
from regencies.models import Regency, UserScope
from tests.api_helpers import get_json, queries, user_with
from tests.factories import (
    MonthlyReportFactory,
    RealizationFactory,
    UserFactory,
)
from tests.helpers import add_synthetic_regencies, element_text, find, login, page

D = Decimal
R = UserScope.Role
PERIOD = "tahun=2024&bulan=12"


@pytest.fixture
def pimpinan_client(db):
    return login(user_with(R.PIMPINAN))


def all_rows(client, url) -> list[dict]:
    rows, next_url = [], url
    while next_url:
        body = get_json(client, next_url)
        rows += body["results"]
        next_url = body["next"]
    return rows


def province(rows, indicator="rumah-dibedah"):
    (row,) = [r for r in rows if r["indicator"] == indicator and r["regency"] is None]
    return row


# --- Every endpoint's shape -------------------------------------------------------------


def test_index_links_every_endpoint(client, reference_data):
    body = get_json(client, "/api/v1/")
    assert set(body["links"]) == {
        "programs",
        "regencies",
        "targets",
        "progress",
        "realizations",
        "attachments",
    }
    assert body["links"]["progress"] == "http://testserver/api/v1/progress/"
    assert body["openapi"] == "http://testserver/api/v1/openapi.json"
    assert body["caller"] == {
        "authenticated": False,
        "role": None,
        "provisional": False,
        "public_dashboard": True,
    }
    for url in body["links"].values():
        assert client.get(url).status_code == 200


def test_programs_with_their_indicators(client, reference_data):
    body = get_json(client, "/api/v1/programs/")
    assert body["count"] == 7 and body["next"] is None and body["previous"] is None
    slugs = [p["slug"] for p in body["results"]]
    assert slugs == ["gpiss", "gpmss", "gpsss", "gpstss", "gbrss", "gsmp", "mandiri-energi"]
    gbrss = body["results"][4]
    assert gbrss["acronym"] == "GBRSS" and gbrss["page_url"] == "http://testserver/program/gbrss/"
    (houses,) = gbrss["indicators"]
    assert houses == {
        "code": "rumah-dibedah",
        "name": houses["name"],
        "unit": "rumah",
        "decimals": 0,
        "measure": "increment",
        "direction": "up",
        "headline": True,
        "description": houses["description"],
    }
    stunting = body["results"][3]["indicators"]
    assert [i["code"] for i in stunting] == ["prevalensi-stunting", "balita-didampingi"]
    assert stunting[0]["measure"] == "ratio" and stunting[0]["direction"] == "down"
    assert body["results"][6]["acronym"] is None and body["results"][6]["indicators"] == []
    assert get_json(client, "/api/v1/programs/gbrss/") == gbrss


def test_inactive_programs_are_not_listed(client, reference_data):
    Program.objects.filter(slug="gsmp").update(active=False)
    assert "gsmp" not in [p["slug"] for p in get_json(client, "/api/v1/programs/")["results"]]
    assert get_json(client, "/api/v1/programs/gsmp/", 404)["detail"] == (
        "Program 'gsmp' tidak ditemukan."
    )
    assert client.get("/api/v1/progress/?program=gsmp").status_code == 404


def test_regencies(client, reference_data):
    body = get_json(client, "/api/v1/regencies/")
    assert body["count"] == 17
    codes = [r["code"] for r in body["results"]]
    assert codes == sorted(codes) and codes[0] == "16.01"
    banyuasin = next(r for r in body["results"] if r["code"] == "16.07")
    assert banyuasin["display_name"] == "Kab. Banyuasin" and banyuasin["kind"] == "kabupaten"
    assert banyuasin["synthetic"] is False
    assert banyuasin["page_url"] == "http://testserver/wilayah/16.07/"
    assert isinstance(banyuasin["population"], int)


def test_targets_province_row_first_then_regencies(client, gbrss_data):
    body = get_json(client, "/api/v1/targets/?tahun=2024&program=gbrss")
    assert [(t["regency"], t["value"]) for t in body["results"]] == [
        (None, 8391),
        ("16.01", 50),
        ("16.07", 100),
    ]
    assert body["results"][0]["due_date"] == "2024-12-31"
    assert body["results"][0]["indicator"] == "rumah-dibedah"
    province_only = get_json(client, "/api/v1/targets/?wilayah=provinsi")["results"]
    assert len(province_only) == 6 and all(t["regency"] is None for t in province_only)
    stunting = get_json(client, "/api/v1/targets/?indikator=prevalensi-stunting")["results"]
    assert [(t["value"], t["baseline"]) for t in stunting] == [(14.33, 20.3)]
    banyuasin = get_json(client, "/api/v1/targets/?wilayah=16.07")["results"]
    assert [t["value"] for t in banyuasin] == [100]
    assert get_json(client, "/api/v1/targets/?tahun=2023")["count"] == 0


# --- Progress: the pages' numbers -------------------------------------------------------


def test_progress_is_what_the_program_page_shows(client, gbrss_data, pimpinan_client):
    url = f"/api/v1/progress/?{PERIOD}&program=gbrss&wilayah=provinsi"
    public = get_json(client, url)
    assert public["filters"] == {"tahun": 2024, "bulan": 12, "terverifikasi": True}
    (row,) = public["results"]
    assert row["realization"] == 30 and row["provisional"] is False
    assert row["target"] == 8391 and row["status"] == "behind" and row["latest_month"] == 2
    shown = find(page(client.get(f"/program/gbrss/?{PERIOD}")), data_figure="realization")
    assert element_text(shown) == "30"

    official = get_json(pimpinan_client, url)
    assert official["filters"]["terverifikasi"] is False
    (row,) = official["results"]
    assert row["realization"] == 50 and row["provisional"] is True
    assert row["achievement"] == pytest.approx(50 / 8391 * 100, abs=1e-4)
    assert row["expected"] == 100 and row["expected_value"] == 8391
    shown = find(page(pimpinan_client.get(f"/program/gbrss/?{PERIOD}")), data_figure="realization")
    assert element_text(shown) == "50*"  # * marks a provisional figure

    verified = get_json(pimpinan_client, url + "&terverifikasi=1")
    assert verified["results"][0]["realization"] == 30
    assert verified["filters"]["terverifikasi"] is True


@pytest.mark.parametrize(
    "spelling, verified_only",
    [("1", True), ("true", True), ("on", True), ("0", False), ("false", False), ("off", False)],
)
def test_progress_takes_the_pages_spellings_of_verified_only(
    gbrss_data, pimpinan_client, spelling, verified_only
):
    """A page's link with terverifikasi=on (the pages take it) works on the API too; it
    was refused with 'harus 1 atau 0' while 'true' was taken."""
    url = f"/api/v1/progress/?{PERIOD}&program=gbrss&wilayah=provinsi&terverifikasi={spelling}"
    body = get_json(pimpinan_client, url)
    assert body["filters"]["terverifikasi"] is verified_only
    assert body["results"][0]["realization"] == (30 if verified_only else 50)
    # The page reads the same spelling the same way.
    shown = find(
        page(pimpinan_client.get(f"/program/gbrss/?{PERIOD}&terverifikasi={spelling}")),
        data_figure="realization",
    )
    assert element_text(shown) == ("30" if verified_only else "50*")


def test_a_refused_verified_only_value_names_the_accepted_spellings(client, reference_data):
    body = get_json(client, "/api/v1/progress/?terverifikasi=ya", 400)
    assert body["parameter"] == "terverifikasi"
    for spelling in ("1", "true", "on", "0", "false", "off"):
        assert f"{spelling}" in body["detail"]
    assert "'ya'" in body["detail"]


def test_progress_regency_rows_and_month(gbrss_data, pimpinan_client):
    rows = get_json(pimpinan_client, f"/api/v1/progress/?{PERIOD}&program=gbrss")["results"]
    assert len(rows) == 18  # the province, then the 17 regencies by code
    assert rows[0]["regency"] is None
    assert [r["regency"] for r in rows[1:]] == sorted(r["regency"] for r in rows[1:])
    banyuasin = next(r for r in rows if r["regency"] == "16.07")
    assert (banyuasin["target"], banyuasin["realization"], banyuasin["achievement"]) == (
        100,
        25,
        25,
    )
    oku = next(r for r in rows if r["regency"] == "16.01")
    assert oku["realization"] == 25 and oku["provisional"] is True and oku["achievement"] == 50
    empty = next(r for r in rows if r["regency"] == "16.02")
    assert empty["status"] == "no_target" and empty["realization"] is None

    january = get_json(pimpinan_client, "/api/v1/progress/?tahun=2024&bulan=1&program=gbrss")
    assert province(january["results"])["realization"] == 15
    one = get_json(
        pimpinan_client, f"/api/v1/progress/?{PERIOD}&indikator=rumah-dibedah&wilayah=16.07"
    )
    assert one["count"] == 1 and one["results"][0]["realization"] == 25


GPISS_EXEMPT = {
    *("16.01", "16.04", "16.05", "16.06", "16.07", "16.08", "16.09"),
    *("16.10", "16.11", "16.12", "16.13", "16.72", "16.74"),
}


def test_progress_rows_hold_hand_computed_numbers(client, gbrss_data, pimpinan_client):
    """Every row of the 8 indicators x (province + 17 regencies) grid, by hand: only
    GBRSS has realizations (see gbrss_data); December's expected path is the whole target."""

    def houses(rows, regency):
        (row,) = [r for r in rows if r["indicator"] == "rumah-dibedah" and r["regency"] == regency]
        return row

    def numbers(row):
        keys = ("target", "realization", "achievement", "expected", "expected_value")
        return tuple(row[k] for k in keys) + (row["status"], row["provisional"])

    for caller, province_total, oku_total, provisional in [
        (client, 30, 5, False),  # verified only: Banyuasin 10 + 15, OKU 5
        (pimpinan_client, 50, 25, True),  # + OKU's submitted 20
    ]:
        rows = all_rows(caller, f"/api/v1/progress/?{PERIOD}&page_size=7")
        assert len(rows) == 8 * 18
        assert [r["regency"] for r in rows[:3]] == [None, "16.01", "16.02"]
        # 30 / 8391 = 0.35753...%, 50 / 8391 = 0.59587...%: rounded half-up to 4 places
        achievement = {30: 0.3575, 50: 0.5959}[province_total]
        assert numbers(houses(rows, None)) == (
            8391,
            province_total,
            achievement,
            100,
            8391,
            "behind",
            provisional,
        )
        assert houses(rows, None)["latest_month"] == 2
        oku = houses(rows, "16.01")  # target 50: 5 -> 10 %, 25 -> 50 %
        assert numbers(oku) == (50, oku_total, oku_total * 2, 100, 50, "behind", provisional)
        banyuasin = houses(rows, "16.07")  # target 100, 25 verified: 25 %
        assert numbers(banyuasin) == (100, 25, 25, 100, 100, "behind", False)
        others = [r for r in rows if r["indicator"] == "rumah-dibedah"][1:]
        assert sum(r["status"] == "no_target" for r in others) == 15
        no_gbrss = [r for r in rows if r["program"] != "gbrss"]
        assert all(r["realization"] is None and not r["provisional"] for r in no_gbrss)
        assert {r["status"] for r in no_gbrss} == {"no_target", "no_data", "not_required"}
        # fixtures/reporting_exemptions.json: only the four cities with BPS inflation
        # figures report GPISS; the others are "tidak wajib" there, as on the pages.
        exempt = {(r["program"], r["regency"]) for r in rows if r["required"] is False}
        assert exempt == {("gpiss", code) for code in GPISS_EXEMPT}
        assert all(r["status"] == "not_required" for r in rows if r["required"] is False)
        stunting = next(
            r for r in rows if r["indicator"] == "prevalensi-stunting" and r["regency"] is None
        )
        assert (stunting["target"], stunting["baseline"], stunting["status"]) == (
            14.33,
            20.3,
            "no_data",
        )


def test_ratio_progress_is_rounded_to_four_places(client, reference_data):
    stunting = Indicator.objects.get(code="prevalensi-stunting")
    source = FundingSource.objects.get(code="tidak-dirinci")
    for code, num, den in [("16.07", 30, 200), ("16.01", 1, 10)]:
        report = MonthlyReportFactory(
            program=stunting.program, regency=Regency.objects.get(code=code), month=3
        )
        RealizationFactory(
            report=report,
            indicator=stunting,
            funding_source=source,
            value=None,
            numerator=D(num),
            denominator=D(den),
        )
    url = f"/api/v1/progress/?{PERIOD}&indikator=prevalensi-stunting&wilayah=provinsi"
    (row,) = get_json(client, url)["results"]
    # 31 / 210 = 14.76190..., never the 12.5 an average of percentages would give
    assert row["realization"] == 14.7619
    assert (row["numerator"], row["denominator"]) == (31, 210)
    assert row["baseline"] == 20.3 and row["target"] == 14.33


# --- Who sees what ----------------------------------------------------------------------


def test_anonymous_never_sees_provisional_data(client, gbrss_data):
    rows = all_rows(client, f"/api/v1/progress/?{PERIOD}&terverifikasi=0")
    assert rows and not any(r["provisional"] for r in rows)
    oku = next(r for r in rows if r["indicator"] == "rumah-dibedah" and r["regency"] == "16.01")
    assert oku["realization"] == 5
    realizations = get_json(client, "/api/v1/realizations/?tahun=2024")
    assert [r["value"] for r in realizations["results"]] == [5, 10, 15]
    assert {r["status"] for r in realizations["results"]} == {"verified"}
    assert not any(r["provisional"] for r in realizations["results"])
    assert all("note" not in r for r in realizations["results"])
    assert get_json(client, "/api/v1/realizations/?status=submitted")["count"] == 0


def test_realization_rows_shape_and_order(gbrss_data, pimpinan_client):
    body = get_json(pimpinan_client, "/api/v1/realizations/?tahun=2024")
    rows = body["results"]
    assert [(r["month"], r["regency"], r["value"]) for r in rows] == [
        (1, "16.01", 5),
        (1, "16.07", 10),
        (2, "16.01", 20),
        (2, "16.07", 15),
    ]  # the draft (March, 99) never shows
    oku_february = rows[2]
    assert oku_february == {
        "id": oku_february["id"],
        "program": "gbrss",
        "indicator": "rumah-dibedah",
        "regency": "16.01",
        "year": 2024,
        "month": 2,
        "status": "submitted",
        "provisional": True,
        "funding_source": "apbn",
        "funding_category": "apbn",
        "value": 20,
        "numerator": None,
        "denominator": None,
        "demo": False,
        "note": "",
    }
    assert body["filters"] == {"tahun": 2024, "bulan": None, "terverifikasi": False}
    january = get_json(pimpinan_client, "/api/v1/realizations/?tahun=2024&bulan=1")
    assert [r["value"] for r in january["results"]] == [5, 10]
    default_year = get_json(pimpinan_client, "/api/v1/realizations/?bulan=1")
    assert default_year["filters"]["tahun"] == 2024  # the pages' default year
    assert default_year["results"] == january["results"]
    submitted = get_json(pimpinan_client, "/api/v1/realizations/?status=submitted")
    assert [r["value"] for r in submitted["results"]] == [20]
    oku = get_json(pimpinan_client, "/api/v1/realizations/?wilayah=16.01&program=gbrss")
    assert [r["value"] for r in oku["results"]] == [5, 20]


@pytest.mark.parametrize(
    "role, regency, programs, values",
    [
        (R.OPERATOR, "16.07", (), [10, 15]),  # own regency only; own draft never counts
        (R.OPERATOR, "16.01", (), [5, 20]),  # provisional rows of its own regency
        (R.OPERATOR, "16.07", ("gpsss",), []),  # another program only
        (R.VERIFIKATOR, None, ("gbrss",), [5, 10, 20, 15]),
        (R.VERIFIKATOR, None, ("gpsss",), []),
        (R.PIMPINAN, None, (), [5, 10, 20, 15]),
        (R.ADMIN, None, (), [5, 10, 20, 15]),
    ],
)
def test_realization_rows_follow_the_reporting_scope(gbrss_data, role, regency, programs, values):
    caller = login(user_with(role, regency, programs))
    rows = get_json(caller, "/api/v1/realizations/?tahun=2024")["results"]
    assert [r["value"] for r in rows] == values


def test_operator_reads_every_regencys_verified_progress(gbrss_data):
    operator = login(user_with(R.OPERATOR, "16.07"))
    rows = get_json(operator, f"/api/v1/progress/?{PERIOD}&program=gbrss")["results"]
    # as on the pages: operators see verified figures on dashboards (README, roles)
    assert province(rows)["realization"] == 30
    assert next(r for r in rows if r["regency"] == "16.01")["realization"] == 5


def test_account_without_role_reads_public_data_only(gbrss_data):
    caller = login(UserFactory(username="tanpa-peran"))
    url = f"/api/v1/progress/?{PERIOD}&program=gbrss&wilayah=provinsi"
    assert get_json(caller, url)["results"][0]["realization"] == 30
    rows = get_json(caller, "/api/v1/realizations/?tahun=2024")["results"]
    assert [r["value"] for r in rows] == [5, 10, 15]


ENDPOINTS = [
    "/api/v1/programs/",
    "/api/v1/programs/gbrss/",
    "/api/v1/regencies/",
    "/api/v1/targets/",
    f"/api/v1/progress/?{PERIOD}",
    "/api/v1/realizations/",
    "/api/v1/attachments/",
]


@pytest.mark.parametrize("url", ENDPOINTS)
def test_private_dashboard_refuses_anonymous_callers(client, gbrss_data, settings, url):
    settings.PUBLIC_DASHBOARD = False
    response = client.get(url)
    assert response.status_code == 401
    assert response.json() == {"detail": "Silakan masuk terlebih dahulu untuk memakai API ini."}
    assert response["WWW-Authenticate"]
    assert login(user_with(R.PIMPINAN)).get(url).status_code == 200


def test_private_dashboard_keeps_index_and_description_open(client, reference_data, settings):
    settings.PUBLIC_DASHBOARD = False
    assert get_json(client, "/api/v1/")["caller"]["public_dashboard"] is False
    assert client.get("/api/v1/openapi.json").status_code == 200
    no_role = login(UserFactory(username="tanpa-peran"))
    assert get_json(no_role, "/api/v1/realizations/")["count"] == 0


# --- Pagination -------------------------------------------------------------------------


def test_pagination_links_and_page_size_cap(client, reference_data):
    first = get_json(client, "/api/v1/regencies/?page_size=5")
    assert (first["count"], first["page"], first["page_size"]) == (17, 1, 5)
    assert first["previous"] is None
    assert first["next"] == "http://testserver/api/v1/regencies/?page_size=5&page=2"
    last = get_json(client, "/api/v1/regencies/?page_size=5&page=4")
    assert [r["code"] for r in last["results"]] == ["16.73", "16.74"]
    assert last["next"] is None
    assert last["previous"] == "http://testserver/api/v1/regencies/?page_size=5&page=3"
    codes = [r["code"] for r in all_rows(client, "/api/v1/regencies/?page_size=5")]
    assert len(set(codes)) == 17 and codes == sorted(codes)
    capped = get_json(client, "/api/v1/regencies/?page_size=5000")
    assert capped["page_size"] == 1000 and len(capped["results"]) == 17
    assert get_json(client, "/api/v1/regencies/?page_size=5&page=5", 404)["parameter"] == "page"


def test_progress_pages_split_the_grid_without_gaps(gbrss_data, pimpinan_client):
    whole = get_json(pimpinan_client, f"/api/v1/progress/?{PERIOD}&page_size=1000")
    paged = all_rows(pimpinan_client, f"/api/v1/progress/?{PERIOD}&page_size=25")
    assert whole["count"] == 144 and whole["next"] is None
    assert paged == whole["results"]
    second = get_json(pimpinan_client, f"/api/v1/progress/?{PERIOD}&page_size=25&page=2")
    assert second["previous"].endswith("page_size=25&page=1")


# --- Errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, parameter, words",
    [
        ("/api/v1/progress/?tahun=dua-ribu", "tahun", "harus bilangan bulat"),
        ("/api/v1/progress/?tahun=1999", "tahun", "2000–2100"),
        ("/api/v1/progress/?bulan=13", "bulan", "1–12"),
        ("/api/v1/progress/?terverifikasi=ya", "terverifikasi", "harus 1, true atau on"),
        ("/api/v1/progress/?wilayah=banyuasin", "wilayah", "kode Kemendagri"),
        ("/api/v1/progress/?year=2024", "year", "tidak dikenal"),
        ("/api/v1/progress/?tahun=2024&tahun=2023", "tahun", "hanya boleh diisi sekali"),
        ("/api/v1/targets/?tahun=x", "tahun", "harus bilangan bulat"),
        ("/api/v1/realizations/?status=draft", "status", "verified, submitted"),
        ("/api/v1/progress/?tahun=", "tahun", "harus bilangan bulat"),  # empty is malformed
        ("/api/v1/progress/?tahun=2024.0", "tahun", "harus bilangan bulat"),
        ("/api/v1/progress/?wilayah=PROVINSI", "wilayah", "atau 'provinsi'"),
        ("/api/v1/progress/?program=", "program", "slug program"),
        ("/api/v1/programs/gbrss.x/", "slug", "slug program"),
        ("/api/v1/regencies/?page=0", "page", "minimal 1"),
        ("/api/v1/regencies/?page=1000000000", "page", "paling banyak 9 angka"),
        ("/api/v1/regencies/?page_size=banyak", "page_size", "harus bilangan bulat"),
        ("/api/v1/programs/gbrss/?page=2", "page", "tidak dikenal"),
    ],
)
def test_bad_parameters_are_400_in_indonesian(client, reference_data, url, parameter, words):
    body = get_json(client, url, 400)
    assert body["parameter"] == parameter
    assert words in body["detail"]
    assert f"'{parameter}'" in body["detail"] or parameter == "slug"


@pytest.mark.parametrize(
    "url, detail",
    [
        ("/api/v1/progress/?program=tidak-ada", "Program 'tidak-ada' tidak ditemukan."),
        ("/api/v1/targets/?program=tidak-ada", "Program 'tidak-ada' tidak ditemukan."),
        ("/api/v1/progress/?indikator=tidak-ada", "Indikator 'tidak-ada' tidak ditemukan."),
        (
            "/api/v1/progress/?program=gbrss&indikator=prevalensi-stunting",
            "Indikator 'prevalensi-stunting' tidak ditemukan.",
        ),
        ("/api/v1/realizations/?wilayah=99.99", "Kabupaten/kota '99.99' tidak ditemukan."),
        ("/api/v1/programs/tidak-ada/", "Program 'tidak-ada' tidak ditemukan."),
        ("/api/v1/tidak-ada/", "Alamat API tidak ditemukan. Lihat /api/v1/."),
    ],
)
def test_unknown_things_are_404_in_json(client, reference_data, url, detail):
    assert get_json(client, url, 404)["detail"] == detail


def test_a_nul_byte_is_refused_as_json(client, reference_data):
    response = client.get("/api/v1/progress/?program=gb%00rss")
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    assert "NUL" in response.json()["detail"]


def test_missing_trailing_slash_redirects(client, reference_data):
    response = client.get("/api/v1/progress?tahun=2024")
    assert response.status_code == 301
    assert response["Location"] == "/api/v1/progress/?tahun=2024"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("url", ["/api/v1/", "/api/v1/openapi.json", *ENDPOINTS])
def test_api_is_read_only(gbrss_data, url, method):
    caller = login(user_with(R.ADMIN), enforce_csrf_checks=True)
    before = MonthlyReport.objects.count()
    response = getattr(caller, method)(url, data={}, content_type="application/json")
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert "hanya-baca" in response.json()["detail"]
    assert MonthlyReport.objects.count() == before


# --- Caching headers ----------------------------------------------------------------------


def test_cache_headers(client, gbrss_data, pimpinan_client):
    public = client.get(f"/api/v1/progress/?{PERIOD}")
    assert "public" in public["Cache-Control"] and "max-age=60" in public["Cache-Control"]
    assert "Cookie" in public["Vary"]
    private = pimpinan_client.get(f"/api/v1/progress/?{PERIOD}")
    assert "private" in private["Cache-Control"] and "public" not in private["Cache-Control"]
    assert "Cookie" in private["Vary"]
    error = client.get("/api/v1/progress/?tahun=x")
    assert "private" in error["Cache-Control"] and "Cookie" in error["Vary"]


# --- Query counts -----------------------------------------------------------------------

COUNTED_URLS = [
    "/api/v1/programs/",
    "/api/v1/regencies/",
    "/api/v1/targets/?tahun=2024",
    f"/api/v1/progress/?{PERIOD}",
    f"/api/v1/progress/?{PERIOD}&page=2",
    f"/api/v1/progress/?{PERIOD}&page_size=1000",
    f"/api/v1/progress/?{PERIOD}&program=gbrss",
    "/api/v1/realizations/?tahun=2024",
    "/api/v1/realizations/?tahun=2024&page_size=1000",
]


@pytest.mark.parametrize("role", [None, R.PIMPINAN, R.OPERATOR])
@pytest.mark.parametrize("url", COUNTED_URLS)
def test_query_count_does_not_grow_with_rows(gbrss_data, url, role):
    caller = login(user_with(role, "16.07" if role == R.OPERATOR else None) if role else None)
    at_sumsel_scale = queries(caller, url)
    add_synthetic_regencies(50)
    assert Regency.objects.count() == 67
    assert queries(caller, url) == at_sumsel_scale


def test_every_progress_page_costs_the_same(gbrss_data, pimpinan_client):
    add_synthetic_regencies(50)
    base = f"/api/v1/progress/?{PERIOD}&page_size=30"
    counts = {queries(pimpinan_client, f"{base}&page={n}") for n in range(1, 20)}
    assert len(counts) == 1
