"""A new year before its targets are set: on 11 January 2027 the sourced targets are
2024's and the demo's copies reach 2026, so 2027 has none until the admin sets them
(Admin -> Target, "Salin target terpilih ke tahun berikutnya"). Its pages say so, tell
the admin where to set them, and never read as if everyone were on track."""

import datetime as dt

import pytest

from programs.models import Indicator
from regencies.models import Regency
from tests.factories import TargetFactory
from tests.helpers import attribute, element_text, find, find_all, login, make_user, page

pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture
def today():
    return dt.date(2027, 1, 11)  # December 2026's reports were due yesterday


@pytest.fixture
def leader(reference_data):
    return login(make_user("pimpinan-2027", "pimpinan"))


def behind_lines(response) -> dict[str, str]:
    items = find_all(find(page(response), "ul", id="behind-list"), "li")
    return {attribute(li, "data-behind"): element_text(li) for li in items}


@pytest.mark.parametrize("path", ["/", "/program/gbrss/", "/wilayah/16.07/"])
def test_a_year_without_targets_says_so_on_the_dashboards(leader, path):
    response = leader.get(path, {"tahun": 2027})
    assert response.status_code == 200
    notice = element_text(find(page(response), "div", id="targets-missing"))
    assert notice.startswith("Target 2027 belum ditetapkan.")
    # A leader is told why, not sent to an admin page they cannot open.
    assert "Admin" not in notice
    # A year with targets has no such notice.
    assert 'id="targets-missing"' not in leader.get(path, {"tahun": 2024}).content.decode()


def test_the_admin_is_shown_where_to_copy_last_years_targets(reference_data):
    admin = login(make_user("admin-2027", superuser=True))
    notice = find(page(admin.get("/", {"tahun": 2027})), "div", id="targets-missing")
    link = find(notice, "a")
    assert attribute(link, "href") == "/admin/programs/target/?year__exact=2026"
    assert "Salin target terpilih ke tahun berikutnya" in element_text(notice)


def test_nobody_reads_as_on_track_in_a_year_without_targets(leader):
    """Every program's line read "tidak ada yang tertinggal" in 2027, as if all
    seventeen regencies were on schedule: nobody could be judged at all."""
    lines = behind_lines(leader.get("/", {"tahun": 2027}))
    assert lines["gbrss"].endswith(": belum dapat dinilai: belum ada target")
    assert all("tidak ada yang tertinggal" not in text for text in lines.values())


def test_once_targets_are_set_the_notice_goes_and_the_list_says_nothing_is_reported(leader):
    """Banyuasin's 2027 allocation set, nothing reported yet: no notice, and GBRSS
    cannot be judged for want of figures, not of targets."""
    houses = Indicator.objects.get(code="rumah-dibedah")
    TargetFactory(indicator=houses, regency=Regency.objects.get(code="16.07"), year=2027)
    response = leader.get("/", {"tahun": 2027})
    assert 'id="targets-missing"' not in response.content.decode()
    lines = behind_lines(response)
    assert lines["gbrss"].endswith(": belum dapat dinilai: belum ada data")
    assert lines["gpsss"].endswith(": belum dapat dinilai: belum ada target")


def test_the_entry_form_of_a_month_without_targets_explains_why(operator):
    """January 2027, before the admin copies 2026's targets: the operator's form said only
    "Belum ada target" beside each indicator, with no word of why or of what follows."""
    client = login(operator)
    html = page(client.get("/laporan/16.07/gbrss/2027-01/"))
    notice = element_text(find(html, "div", id="targets-missing"))
    assert notice.startswith("Target 2027 belum ditetapkan.")
    assert "Admin" not in notice  # an operator cannot open the admin
    # A month of a year with targets (the sourced 2024 ones) has no such notice.
    past = client.get("/laporan/16.07/gbrss/2024-12/").content.decode()
    assert 'id="targets-missing"' not in past


def test_the_entry_form_shows_an_admin_where_to_copy_the_targets(reference_data):
    admin = login(make_user("admin-entry-2027", superuser=True))
    notice = find(page(admin.get("/laporan/16.07/gbrss/2027-01/")), "div", id="targets-missing")
    assert attribute(find(notice, "a"), "href") == "/admin/programs/target/?year__exact=2026"


def test_the_printable_summary_of_a_year_without_targets_says_so(leader):
    """The meeting summary printed "Belum ada target" on every line, unexplained."""
    response = leader.get("/ringkasan/cetak/", {"tahun": 2027})
    assert response.status_code == 200
    notice = element_text(find(page(response), "div", id="targets-missing"))
    assert notice.startswith("Target 2027 belum ditetapkan.")
    printed = leader.get("/ringkasan/cetak/", {"tahun": 2024}).content.decode()
    assert 'id="targets-missing"' not in printed


def test_the_notice_is_in_english_on_english_pages(operator):
    client = login(operator)
    client.cookies["bahasa"] = "en"
    html = page(client.get("/laporan/16.07/gbrss/2027-01/"))
    assert element_text(find(html, "div", id="targets-missing")).startswith(
        "The 2027 targets have not been set yet."
    )
