"""Language: Bahasa Indonesia whatever the browser says, English only on an
explicit and remembered choice, every user-facing string translated, numbers and dates in
the chosen language's format."""

import ast
import csv
import gettext
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from programs.models import Indicator, Program, TargetMilestone
from tests.helpers import element_text, find, flat_html, page, previous_month

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}

# The entry form's month must be open for editing: these tests run on the frozen clock.
pytestmark = pytest.mark.usefixtures("frozen_clock")

# Indonesian strings that must not survive on an English page (and do appear in Indonesian).
INDONESIAN = ["Belum ada data", "Sesuai jadwal", "Ringkasan", "Kelengkapan laporan"]


def english_client(**extra) -> Client:
    client = Client(**extra)
    response = client.post("/bahasa/", {"language": "en", "next": "/"}, **ENGLISH_BROWSER)
    assert response.status_code == 302
    return client


def entry_url(suffix="") -> str:
    year, month = previous_month()
    return f"/laporan/16.07/gbrss/{year}-{month:02d}/{suffix}"


# --- Default and switch ------------------------------------------------------------------


@pytest.mark.django_db
def test_indonesian_by_default_even_for_an_english_browser(client, reference_data):
    response = client.get("/?tahun=2024&bulan=3", **ENGLISH_BROWSER)
    html = flat_html(response)
    assert response.headers["Content-Language"] == "id"
    assert '<html lang="id">' in html
    for phrase in [*INDONESIAN, "Capaian Gerakan Serentak 2024", "s.d. Maret"]:
        assert phrase in html, phrase
    assert "On track" not in html and "Overview" not in html
    # the switch to English is offered (in the header's account part, loaded by htmx)
    assert 'value="en"' in flat_html(client.get("/akun/menu/", **ENGLISH_BROWSER))


@pytest.mark.django_db
def test_overview_in_english_after_the_switch(reference_data):
    client = english_client()
    response = client.get("/?tahun=2024&bulan=3", **ENGLISH_BROWSER)
    html = flat_html(response)
    assert response.headers["Content-Language"] == "en"
    assert '<html lang="en">' in html
    for phrase in [
        "Gerakan Serentak progress 2024 <small>through March</small>",
        "Overview",
        "Regency/city scorecard",
        "On track",
        "No data yet",
        "Reporting completeness",
        "Skip to content",
        "Account & language",  # the header's account part, loaded by htmx
    ]:
        assert phrase in html, phrase
    for phrase in INDONESIAN:
        assert phrase not in html, phrase
    assert "Bahasa Indonesia" in flat_html(client.get("/akun/menu/"))  # the way back


@pytest.mark.django_db
def test_program_page_in_english(gbrss_data):
    html = flat_html(english_client().get("/program/gbrss/?tahun=2024&bulan=12"))
    for phrase in [
        "Province target",
        "Achievement by regency/city",
        "Achievement map",
        "Table by regency/city",
        "2024, through December",
        "December last year (2023)",  # the year-over-year figure
        "Dark line: 100.0% expected by 31 December.",  # the bars, from charts.py
        "Highest achievement first.",  # their caption (views.BARS_SORTED)
        # The table's months due without a (verified, for a visitor) report, explained.
        "Months not verified</th>",
        "Months not verified: months due up to December without a verified report",
        "A month's report is due on day 10 of the following month.",
    ]:
        assert phrase in html, phrase
    for phrase in [
        *INDONESIAN,
        "Target provinsi",
        "Peta capaian",
        "Capaian (%)",
        "Bulan belum terverifikasi",
    ]:
        assert phrase not in html, phrase


@pytest.mark.django_db
def test_words_of_the_reference_data_in_english(gbrss_data, operator):
    """Units and generic funding sources are words of the reference data, not names:
    English pages read "8,391 rumah", "Tidak dirinci" and "Value (rumah)". Proper names
    stay as they are (PT Bukit Asam, Baznas Provinsi Sumsel); Indonesian pages are
    unchanged."""
    program = flat_html(english_client().get("/program/gbrss/?tahun=2024&bulan=12"))
    assert "(houses; " in program and "(rumah; " not in program
    assert "Houses</th>" in program  # the funding table's column
    assert "South Sumatra provincial budget (APBD)" in program
    assert "PT Bukit Asam (PTBA)" in program
    overview = flat_html(english_client().get("/?tahun=2024&bulan=12"))
    assert "8,391 houses" in overview and " rumah<" not in overview
    client = english_client()
    client.force_login(operator)
    entry = flat_html(client.get(entry_url()))
    assert ">Not itemized</option>" in entry and "Tidak dirinci" not in entry
    assert "Value (houses)" in entry and "(rumah" not in entry
    indonesian = Client()
    indonesian.force_login(operator)
    entry = flat_html(indonesian.get(entry_url()))
    assert ">Tidak dirinci</option>" in entry and "Nilai (rumah)" in entry


@pytest.mark.django_db
def test_regency_download_names_units_as_its_page(gbrss_data):
    """The regency export is what the regency page shows: its Unit column reads the
    reference data's units in the reader's language, "houses" beside the English page's
    "houses" (it read "rumah"), and "rumah" in Indonesian."""
    url = "/unduh/wilayah/16.07.csv?tahun=2024&bulan=12"

    def unit_of_gbrss(response, delimiter):
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        header = next(
            row
            for row in rows
            if row[:2] in (["Program", "Indicator code"], ["Program", "Kode indikator"])
        )
        row = next(row for row in rows if row[:2] == ["GBRSS", "rumah-dibedah"])
        return row[header.index("Unit" if delimiter == "," else "Satuan")]

    assert unit_of_gbrss(english_client().get(url), ",") == "houses"
    assert unit_of_gbrss(Client().get(url), ";") == "rumah"


HOUSES_ID = "Rumah tidak layak huni dibedah"
HOUSES_EN = "Uninhabitable houses renovated"


def program_csv_indicator(response) -> str:
    """The indicator named in the program download's header lines."""
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter="," if "Indicator" in text else ";"))
    return next(row[1] for row in rows if row[:1] in (["Indicator"], ["Indikator"]))


@pytest.mark.django_db
def test_indicator_names_in_the_readers_language(gbrss_data):
    """An indicator's name is the thing an English-reading leader reads most: English
    pages and downloads name it in English where it has an English name (the reference
    indicators do); they read "Rumah tidak layak huni dibedah". Indonesian unchanged."""
    url = "/program/gbrss/?tahun=2024&bulan=12"
    english = english_client()
    program = page(english.get(url))
    assert element_text(find(program, "h2", class_="indicator-title")).startswith(HOUSES_EN)
    regency = flat_html(english.get("/wilayah/16.07/?tahun=2024&bulan=12"))
    assert f">{HOUSES_EN} <small>" in regency and HOUSES_ID not in regency
    assert f"Monthly chart of {HOUSES_EN};" in regency  # the chart's label
    csv_url = "/unduh/program/gbrss.csv?tahun=2024&bulan=12"
    assert program_csv_indicator(english.get(csv_url)) == f"{HOUSES_EN} (houses)"
    overview = flat_html(english.get("/?tahun=2024&bulan=12"))
    assert f'<p class="indicator-name">{HOUSES_EN}</p>' in overview

    indonesian = Client()
    program = page(indonesian.get(url))
    assert element_text(find(program, "h2", class_="indicator-title")).startswith(HOUSES_ID)
    regency = flat_html(indonesian.get("/wilayah/16.07/?tahun=2024&bulan=12"))
    assert f">{HOUSES_ID} <small>" in regency and HOUSES_EN not in regency
    assert program_csv_indicator(indonesian.get(csv_url)) == f"{HOUSES_ID} (rumah)"


@pytest.mark.django_db
def test_indicator_without_an_english_name_reads_as_entered(gbrss_data):
    """An indicator an admin gave no English name reads in Indonesian on English pages."""
    Indicator.objects.filter(code="rumah-dibedah").update(name_en="")
    program = page(english_client().get("/program/gbrss/?tahun=2024&bulan=12"))
    assert element_text(find(program, "h2", class_="indicator-title")).startswith(HOUSES_ID)


@pytest.mark.django_db
def test_regency_and_completeness_pages_in_english(reference_data):
    client = english_client()
    html = flat_html(client.get("/wilayah/16.07/?tahun=2024&bulan=12"))
    assert "Banyuasin Regency" in html and "Kab. Banyuasin" not in html
    assert "Reporting status" in html and "Status pelaporan" not in html
    html = flat_html(client.get("/kelengkapan/?tahun=2024"))
    # An anonymous visitor's legend: verified or not, never the internal states.
    for phrase in ["Reporting completeness and timeliness", "Not yet due", "Not verified yet"]:
        assert phrase in html, phrase
    assert "Belum jatuh tempo" not in html and "Belum terverifikasi" not in html


@pytest.mark.django_db
def test_login_page_in_english(reference_data):
    client = english_client()
    html = flat_html(client.get("/akun/masuk/"))
    assert "Log in" in html and "Username" in html and "Password" in html
    assert "Kata sandi" not in html and "Nama pengguna" not in html
    html = flat_html(client.post("/akun/masuk/", {"username": "nobody", "password": "wrong"}))
    assert "Wrong username or password" in html  # accounts.forms.INVALID_LOGIN


@pytest.mark.django_db
def test_entry_form_in_english_for_an_operator(operator):
    client = english_client()
    client.force_login(operator)
    html = flat_html(client.get(entry_url()))
    for phrase in [
        "Banyuasin Regency",
        "Save draft",
        "Submit for verification",
        "Funding source",
        "Deadline",
        "Not started",
        "Add a funding source or partner",
        "Reports",  # navigation
    ]:
        assert phrase in html, phrase
    for phrase in ["Simpan draf", "Ajukan untuk verifikasi", "Sumber dana", "Belum diisi"]:
        assert phrase not in html, phrase

    # Messages from services (constants marked with gettext_noop) are translated too.
    data = {
        "versi": "0",
        "aksi": "simpan",
        "r-rumah-dibedah-0-source": "apbn",
        "r-rumah-dibedah-0-value": "-3",
    }
    html = flat_html(client.post(entry_url(), data))
    assert "The value cannot be negative." in html
    assert "Some entries are not valid yet" in html
    assert "Nilai tidak boleh negatif" not in html
    data["r-rumah-dibedah-0-value"] = "dua"
    html = flat_html(client.post(entry_url("periksa/"), data))
    assert "Not a valid number" in html and "Bukan angka yang sah" not in html

    html = flat_html(client.get("/laporan/"))
    assert "Monthly reports" in html and "Laporan bulanan" not in html


@pytest.mark.django_db
def test_operator_pages_stay_indonesian_without_the_switch(operator):
    client = Client()
    client.force_login(operator)
    html = flat_html(client.get(entry_url(), **ENGLISH_BROWSER))
    assert "Kab. Banyuasin" in html and "Simpan draf" in html and "Save draft" not in html


@pytest.mark.django_db
def test_the_choice_is_remembered_in_a_cookie_and_can_be_undone(reference_data):
    client = Client()
    response = client.post("/bahasa/", {"language": "en", "next": "/program/gbrss/"})
    assert response["Location"] == "/program/gbrss/"
    cookie = response.cookies["bahasa"]
    assert cookie.value == "en"
    assert int(cookie["max-age"]) >= 365 * 24 * 3600
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    for path in ["/", "/program/gbrss/", "/kelengkapan/", "/akun/masuk/"]:
        response = client.get(path, **ENGLISH_BROWSER)
        assert response.headers["Content-Language"] == "en", path
    # An unknown language changes nothing; choosing Indonesian switches back.
    client.post("/bahasa/", {"language": "fr", "next": "/"})
    assert client.get("/").headers["Content-Language"] == "en"
    client.post("/bahasa/", {"language": "id", "next": "/"})
    response = client.get("/", **ENGLISH_BROWSER)
    assert response.headers["Content-Language"] == "id"
    assert "Ringkasan" in flat_html(response)


@pytest.mark.django_db
def test_a_forged_cookie_falls_back_to_indonesian(client, reference_data):
    client.cookies["bahasa"] = "xx"
    assert client.get("/").headers["Content-Language"] == "id"


# --- Numbers and dates -------------------------------------------------------------------


def gbrss_card(response) -> str:
    """The text of the overview's GBRSS card."""
    return element_text(find(page(response), "article", data_program="gbrss"))


@pytest.mark.django_db
def test_numbers_follow_the_language(client, reference_data):
    card = gbrss_card(client.get("/?tahun=2024&bulan=12"))
    assert "8.391 rumah" in card
    assert "8,391" not in card
    card = gbrss_card(english_client().get("/?tahun=2024&bulan=12"))
    assert "8,391 houses" in card
    assert "8.391" not in card


@pytest.mark.django_db
def test_decimals_and_charts_follow_the_language(client, reference_data):
    indonesian = flat_html(client.get("/program/gbrss/?tahun=2024&bulan=12"))
    english = flat_html(english_client().get("/program/gbrss/?tahun=2024&bulan=12"))
    assert '"separators": ",."' in indonesian
    assert '"separators": ".,"' in english
    assert '"locale": "en"' in english


@pytest.mark.django_db
def test_month_names_and_dates_follow_the_language(client, operator):
    html = flat_html(client.get("/?tahun=2024&bulan=8"))
    assert "Agustus" in html and "August" not in html
    en = english_client()
    html = flat_html(en.get("/?tahun=2024&bulan=8"))
    assert "through August" in html and "Agustus" not in html
    assert '<option value="1">January</option>' in html
    en.force_login(operator)
    html = flat_html(en.get(entry_url()))
    year, month = previous_month()
    due_month = 1 if month == 12 else month + 1
    english_month = [
        "January", "February", "March", "April", "May", "June", "July",
        "August", "September", "October", "November", "December",
    ][due_month - 1]  # fmt: skip
    assert english_month in html  # the due date, e.g. "10 April 2024"


# --- The catalogue -----------------------------------------------------------------------


def parse_po(path: Path) -> list[dict]:
    """A minimal .po reader: msgctxt, msgid, msgid_plural, msgstr[n] and flags."""
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8").strip()):
        entry = {"flags": set(), "ctxt": None, "plural": None, "str": {}, "obsolete": False}
        parts, current = {}, None
        for line in block.splitlines():
            if line.startswith("#~"):
                entry["obsolete"] = True
            elif line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif match := re.match(
                r"(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (\".*\")$", line
            ):
                current = match.group(1)
                parts[current] = [match.group(2)]
            elif line.startswith('"') and current:
                parts[current].append(line)
        if "msgid" not in parts:
            continue
        value = {k: "".join(ast.literal_eval(p) for p in v) for k, v in parts.items()}
        entry["id"] = value["msgid"]
        entry["ctxt"] = value.get("msgctxt")
        entry["plural"] = value.get("msgid_plural")
        entry["str"] = {
            int(k[7:-1]) if "[" in k else 0: v for k, v in value.items() if k.startswith("msgstr")
        }
        entries.append(entry)
    return entries


PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|\{[a-z_]+\}")


def untranslated(entries: list[dict]) -> list[str]:
    return [
        e["id"]
        for e in entries
        if e["id"] and not e["obsolete"] and ("fuzzy" in e["flags"] or not all(e["str"].values()))
    ]


def test_english_catalogue_is_complete_and_keeps_placeholders():
    entries = parse_po(PO)
    assert len(entries) > 300
    header = entries[0]
    assert header["id"] == "" and "fuzzy" not in header["flags"]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header["str"][0]
    assert untranslated(entries) == []
    for e in entries[1:]:
        wanted = sorted(PLACEHOLDER.findall(e["id"]))
        for translation in e["str"].values():
            assert sorted(PLACEHOLDER.findall(translation)) == wanted, e["id"]


def test_compiled_catalogue_matches_the_po_file():
    """django.mo is committed (running the app needs no gettext): it must hold exactly
    what django.po says."""
    with MO.open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)._catalog
    expected = {}
    for e in parse_po(PO):
        if e["obsolete"] or not e["id"] or "fuzzy" in e["flags"]:
            continue
        key = f"{e['ctxt']}\x04{e['id']}" if e["ctxt"] else e["id"]
        if e["plural"]:
            for n, translation in e["str"].items():
                expected[(key, n)] = translation
        else:
            expected[key] = e["str"][0]
    actual = {k: v for k, v in catalog.items() if k != ""}
    assert actual == expected


@pytest.mark.skipif(not shutil.which("msgfmt"), reason="GNU gettext (msgfmt) not installed")
def test_po_file_passes_msgfmt_check(tmp_path):
    result = subprocess.run(
        [
            shutil.which("msgfmt"),
            "--check",
            "--statistics",
            "-o",
            str(tmp_path / "django.mo"),
            str(PO),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


def fresh_catalogue(tmp_path) -> list[dict]:
    """The English catalogue makemessages makes from a copy of the source, keeping the
    translations of django.po for the strings the source still uses."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "migrations")
    for name in ["accounts", "programs", "regencies", "sumsel_gerakan", "templates", "locale"]:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=ignore)
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    env = {**os.environ, "DJANGO_DEBUG": "1", "DJANGO_SETTINGS_MODULE": "sumsel_gerakan.settings"}
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--no-obsolete"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return parse_po(tmp_path / "locale" / "en" / "LC_MESSAGES" / "django.po")


@pytest.mark.skipif(not shutil.which("xgettext"), reason="GNU gettext (xgettext) not installed")
def test_every_string_in_the_source_is_translated(tmp_path):
    """makemessages over a copy of the source: a string added without an English
    translation (or changed, leaving a fuzzy entry) fails here."""
    fresh = fresh_catalogue(tmp_path)
    missing = untranslated(fresh)
    assert missing == [], (
        "Strings without an English translation: run `manage.py makemessages -l en "
        "--ignore=.venv --ignore=tools --ignore=staticfiles`, translate them in "
        f"{PO.relative_to(ROOT)}, then `manage.py compilemessages -l en`: {missing}"
    )


@pytest.mark.skipif(not shutil.which("xgettext"), reason="GNU gettext (xgettext) not installed")
def test_the_catalogue_holds_no_string_the_source_no_longer_uses(tmp_path):
    """An entry nothing uses any more (exports' "Dibuat", now "Data per"; 33 older
    leftovers, mostly reworded help texts, a deleted model's field names and API
    messages) is only something a translator keeps up for nothing: delete it from
    django.po by hand (makemessages would rewrite the whole file)."""
    used = {(e["ctxt"], e["id"]) for e in fresh_catalogue(tmp_path)}
    unused = {e["id"] for e in parse_po(PO) if e["id"] and (e["ctxt"], e["id"]) not in used}
    assert unused == set()


@pytest.mark.django_db
def test_english_operator_can_resave_a_stored_value_of_a_thousand_or_more(operator):
    from decimal import Decimal

    from programs.models import FundingSource, Indicator, MonthlyReport, Realization
    from regencies.models import Regency
    from tests.factories import MonthlyReportFactory, RealizationFactory

    year, month = previous_month()
    report = MonthlyReportFactory(
        program=Program.objects.get(slug="gbrss"),
        regency=Regency.objects.get(code="16.07"),
        year=year,
        month=month,
        status=MonthlyReport.Status.DRAFT,
        verified_at=None,
    )
    RealizationFactory(
        report=report,
        indicator=Indicator.objects.get(code="rumah-dibedah"),
        funding_source=FundingSource.objects.get(code="apbn"),
        value=Decimal(1250),
    )
    client = english_client()
    client.force_login(operator)
    html = client.get(entry_url()).content.decode()
    shown = re.search(r'name="r-rumah-dibedah-0-value"[^>]*value="([^"]*)"', html).group(1)
    data = {
        "versi": "1",
        "aksi": "simpan",
        "r-rumah-dibedah-0-source": "apbn",
        "r-rumah-dibedah-0-value": shown,
    }
    response = client.post(entry_url(), data)
    assert response.status_code == 302
    assert Realization.objects.get(report=report).value == Decimal(1250)


@pytest.mark.django_db
def test_the_english_admin_names_many_targets_in_the_plural(admin_user, reference_data):
    """Indonesian says "target" for one and many; the English admin said "Select all 3
    target" and listed "Monthly report" among its models."""
    client = english_client()
    client.force_login(admin_user)
    index = flat_html(client.get("/admin/"))
    for plural in ["Targets", "Monthly reports", "Regencies/cities", "Reporting exemptions"]:
        assert plural in index, plural
    listing = flat_html(client.get("/admin/programs/program/"))
    assert "Select program to change" in listing
    assert re.search(r"\b\d+ programs\b", listing)
    indonesian = Client()
    indonesian.force_login(admin_user)
    assert "Laporan bulanan" in flat_html(indonesian.get("/admin/"))


MILESTONE_EN = "Ahead of South Sumatra&#x27;s 78th anniversary: 1,778 houses by 15 May 2024"
MILESTONE_ID = "Menjelang HUT ke-78 Sumsel: 5.473 rumah"
GBRSS_EN = "South Sumatra Simultaneous Home Renovation Movement"
GBRSS_ID = "Gerakan Bedah Rumah Secara Serentak se-Sumatera Selatan"
GSMP_LAUNCH_EN = "Since 2021 (Goes to School/Office since 25 February 2024)"
GSMP_LAUNCH_ID = "Sejak 2021 (Goes to School/Office sejak 25 Februari 2024)"


def ratio_entry_url() -> str:
    year, month = previous_month()
    return f"/laporan/16.07/gpstss/{year}-{month:02d}/"


def raw_rows(response, delimiter) -> list[dict]:
    """The raw realization download's rows, by column name."""
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    at = next(i for i, row in enumerate(rows) if row[:2] in (["Year", "Month"], ["Tahun", "Bulan"]))
    return [dict(zip(rows[at], row, strict=False)) for row in rows[at + 1 :] if row]


@pytest.mark.django_db
def test_reference_text_in_the_readers_language(gbrss_data, operator, pimpinan):
    """What English pages still showed in Indonesian from the reference data: the
    programs' names (overview, program, regency and completeness pages, downloads), the
    1,778-house HUT milestone, GSMP's launch note, a ratio's numerator and denominator
    on the entry form, and the raw download's units and generic funding sources. They
    read in English now; the Indonesian pages are unchanged."""
    english = english_client()
    overview = flat_html(english.get("/?tahun=2024&bulan=4"))
    assert MILESTONE_EN in overview and "Menjelang HUT" not in overview
    assert f'<p class="card-name">{GBRSS_EN}</p>' in overview and GBRSS_ID not in overview
    program = flat_html(english.get("/program/gsmp/?tahun=2024&bulan=12"))
    assert GSMP_LAUNCH_EN in program and "Sejak 2021" not in program
    assert "<h1>South Sumatra Food Self-Reliance Movement (GSMP)" in program
    regency = flat_html(english.get("/wilayah/16.07/?tahun=2024&bulan=12"))
    assert f"<small>{GBRSS_EN}</small>" in regency and GBRSS_ID not in regency
    csv_url = "/unduh/program/gbrss.csv?tahun=2024&bulan=12"
    text = b"".join(english.get(csv_url).streaming_content).decode("utf-8-sig")
    assert f"Program,{GBRSS_EN} (GBRSS)" in text

    english.force_login(operator)
    entry = flat_html(english.get(ratio_entry_url()))
    assert "Stunted children under five<input" in entry
    assert "Children under five measured<input" in entry
    assert "Balita stunting<input" not in entry

    raw_url = "/unduh/realisasi.csv?tahun=2024&bulan=12&program=gbrss"
    english.force_login(pimpinan)
    row = next(
        r
        for r in raw_rows(english.get(raw_url), ",")
        if r["Month"] == "1" and r["Funding source code"] == "apbd-prov"
    )
    assert row["Unit"] == "houses"
    assert row["Funding source / partner"] == "South Sumatra provincial budget (APBD)"

    indonesian = Client()
    overview = flat_html(indonesian.get("/?tahun=2024&bulan=4"))
    assert "Menjelang HUT ke-78 Sumsel: " in overview and "Ahead of" not in overview
    assert f'<p class="card-name">{GBRSS_ID}</p>' in overview
    program = flat_html(indonesian.get("/program/gsmp/?tahun=2024&bulan=12"))
    assert GSMP_LAUNCH_ID in program
    indonesian.force_login(operator)
    entry = flat_html(indonesian.get(ratio_entry_url()))
    assert "Balita stunting<input" in entry and "Balita diukur<input" in entry
    indonesian.force_login(pimpinan)
    row = next(
        r
        for r in raw_rows(indonesian.get(raw_url), ";")
        if r["Bulan"] == "1" and r["Kode sumber dana"] == "apbd-prov"
    )
    assert (row["Satuan"], row["Sumber dana / mitra"]) == (
        "rumah",
        "APBD Provinsi Sumatera Selatan",
    )


GSMP_AGENCY_EN = "South Sumatra Provincial Food Security and Livestock Office"
GSMP_AGENCY_ID = "Dinas Ketahanan Pangan dan Peternakan Prov. Sumsel"


@pytest.mark.django_db
def test_a_programs_lead_agency_in_the_readers_language(gbrss_data):
    """English program pages named the lead agency in Indonesian ("Dinas Ketahanan Pangan
    dan Peternakan Prov. Sumsel", "... (bersama TPID)"): its English name now, the
    Indonesian one on Indonesian pages and where an admin gave no English name."""
    url = "/program/gsmp/?tahun=2024&bulan=12"
    english = flat_html(english_client().get(url))
    assert f"{GSMP_AGENCY_EN} · " in english and GSMP_AGENCY_ID not in english
    assert f"{GSMP_AGENCY_ID} · " in flat_html(Client().get(url))
    Program.objects.update(lead_agency_en="")
    assert f"{GSMP_AGENCY_ID} · " in flat_html(english_client().get(url))


@pytest.mark.django_db
def test_reference_text_without_english_reads_as_entered(gbrss_data, operator):
    """Reference text an admin gave no English version reads as entered (Indonesian)
    on English pages."""
    Program.objects.update(name_en="", launch_note_en="")
    Indicator.objects.update(numerator_label_en="", denominator_label_en="")
    TargetMilestone.objects.update(label_en="")
    english = english_client()
    overview = flat_html(english.get("/?tahun=2024&bulan=4"))
    assert "Menjelang HUT ke-78 Sumsel: 1,778 houses" in overview
    assert f'<p class="card-name">{GBRSS_ID}</p>' in overview
    program = flat_html(english.get("/program/gsmp/?tahun=2024&bulan=12"))
    assert GSMP_LAUNCH_ID in program
    english.force_login(operator)
    entry = flat_html(english.get(ratio_entry_url()))
    assert "Balita stunting<input" in entry
