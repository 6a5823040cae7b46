"""/api/v1/attachments/: report attachments' metadata, listed for exactly those who may
download the file, GPS positions for officials of the report only."""

import pytest
from django.contrib.auth.models import AnonymousUser

from programs import permissions
from programs.models import Attachment, MonthlyReport
from regencies.models import UserScope
from tests.api_helpers import attach, get_json, queries, user_with
from tests.helpers import add_synthetic_regencies, login

R = UserScope.Role
URL = "/api/v1/attachments/"
ORDER = ["oku_photo", "banyuasin_public", "banyuasin_pdf", "oku_submitted", "banyuasin_draft"]


def listed(caller, url=URL) -> list[dict]:
    return get_json(caller, url)["results"]


def names(rows, attachments) -> list[str]:
    by_pk = {a.pk: name for name, a in attachments.items()}
    return [by_pk[row["id"]] for row in rows]


def test_row_shape_for_a_leader(gbrss_attachments):
    rows = listed(login(user_with(R.PIMPINAN)))
    assert names(rows, gbrss_attachments) == ORDER  # period, place, upload order
    photo = gbrss_attachments["banyuasin_public"]
    assert rows[1] == {
        "id": photo.pk,
        "report": {
            "regency": "16.07",
            "program": "gbrss",
            "year": 2024,
            "month": 1,
            "status": "verified",
        },
        "indicator": "rumah-dibedah",
        "kind": "photo",
        "content_type": "image/jpeg",
        "caption": "keterangan sesudah.jpg",
        "original_name": "sesudah.jpg",
        "size": 1234,
        "width": 40,
        "height": 20,
        "taken_at": "2024-03-14T09:30:00Z",
        "has_location": True,
        "latitude": -2.833333,
        "longitude": 104.75,
        "is_public": True,
        "uploaded_at": rows[1]["uploaded_at"],
        "url": f"http://testserver/lampiran/{photo.pk}/",
        "thumbnail_url": f"http://testserver/lampiran/{photo.pk}/kecil/",
    }
    pdf = rows[2]
    assert pdf["indicator"] is None and pdf["kind"] == "pdf" and pdf["thumbnail_url"] is None
    assert pdf["has_location"] is False and pdf["latitude"] is None
    assert (pdf["width"], pdf["taken_at"]) == (None, None)
    assert "file" not in pdf and "sha256" not in pdf  # metadata only, never bytes


@pytest.mark.parametrize(
    "role, regency, programs, expected, located",
    [
        # an operator: every attachment of its regency (its draft too), plus photos
        # another regency made public on a verified report, without their position
        (
            R.OPERATOR,
            "16.07",
            (),
            ["banyuasin_public", "banyuasin_pdf", "banyuasin_draft"],
            {"banyuasin_public", "banyuasin_pdf", "banyuasin_draft"},
        ),
        (
            R.OPERATOR,
            "16.01",
            (),
            ["oku_photo", "banyuasin_public", "oku_submitted"],
            {"oku_photo", "oku_submitted"},
        ),
        # a verifier of another program: nothing of GBRSS's but the public photo
        (R.VERIFIKATOR, None, ("gpsss",), ["banyuasin_public"], set()),
        (R.VERIFIKATOR, None, ("gbrss",), ORDER, set(ORDER)),
        (R.ADMIN, None, (), ORDER, set(ORDER)),
        (None, None, (), ["banyuasin_public"], set()),  # anonymous
    ],
)
def test_listed_exactly_where_the_file_may_be_downloaded(
    gbrss_attachments, role, regency, programs, expected, located
):
    user = user_with(role, regency, programs) if role else None
    rows = listed(login(user))
    assert names(rows, gbrss_attachments) == expected
    assert {n for n, row in zip(expected, rows, strict=True) if "latitude" in row} == located
    for row in rows:
        assert ("latitude" in row) == ("longitude" in row)
    # the same rule as the download views (programs.permissions.can_view_attachment)
    caller = user or AnonymousUser()
    everything = Attachment.objects.select_related("report")
    downloadable = {a.pk for a in everything if permissions.can_view_attachment(caller, a)}
    assert {row["id"] for row in rows} == downloadable


def test_anonymous_callers_get_public_photos_of_verified_reports_without_position(
    client, gbrss_attachments
):
    (row,) = listed(client)
    assert row["id"] == gbrss_attachments["banyuasin_public"].pk
    assert row["report"]["status"] == "verified" and row["kind"] == "photo"
    assert row["has_location"] is True
    assert "latitude" not in row and "longitude" not in row
    body = client.get(URL)
    assert "public" in body["Cache-Control"] and "Cookie" in body["Vary"]
    # once the report is opened again (submitted, not verified), the photo is not public
    report = gbrss_attachments["banyuasin_public"].report_id
    MonthlyReport.objects.filter(pk=report).update(status=MonthlyReport.Status.SUBMITTED)
    assert listed(client) == []


def test_private_dashboard_hides_public_photos_from_anonymous(client, gbrss_attachments, settings):
    settings.PUBLIC_DASHBOARD = False
    assert client.get(URL).status_code == 401


def test_filters(gbrss_attachments):
    leader = login(user_with(R.PIMPINAN))
    found = lambda query: names(listed(leader, f"{URL}?{query}"), gbrss_attachments)  # noqa: E731
    assert found("tahun=2024&bulan=1&wilayah=16.01") == ["oku_photo"]
    assert found("tahun=2024&bulan=2") == ["oku_submitted"]  # that month only
    assert found("program=gbrss&indikator=rumah-dibedah") == ["banyuasin_public"]
    assert found("wilayah=16.07") == ["banyuasin_public", "banyuasin_pdf", "banyuasin_draft"]
    assert found("wilayah=provinsi") == []
    assert found("tahun=2023") == []
    assert found("program=gpsss") == []


@pytest.mark.parametrize(
    "query, status, parameter",
    [
        ("jenis=photo", 400, "jenis"),
        ("status=verified", 400, "status"),
        ("bulan=13", 400, "bulan"),
        ("tahun=2024&tahun=2025", 400, "tahun"),
        ("program=tidak-ada", 404, "program"),
        ("wilayah=99.99", 404, "wilayah"),
    ],
)
def test_bad_parameters(client, gbrss_attachments, query, status, parameter):
    assert get_json(client, f"{URL}?{query}", status)["parameter"] == parameter


@pytest.mark.parametrize("role", [None, R.PIMPINAN, R.OPERATOR, R.VERIFIKATOR])
def test_query_count_does_not_grow_with_attachments(gbrss_attachments, role):
    user = user_with(role, "16.07" if role == R.OPERATOR else None) if role else None
    caller = login(user)
    few = queries(caller, URL)
    for report in MonthlyReport.objects.all():
        for n in range(3):
            attach(report, public=report.status == "verified", name=f"lagi-{n}.jpg")
            attach(report, "pdf", gps=False, name=f"lagi-{n}.pdf")
    add_synthetic_regencies(5)
    assert get_json(caller, URL)["count"] > len(ORDER) - 3
    assert queries(caller, URL) == few
