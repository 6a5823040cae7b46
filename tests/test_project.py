"""Project-level behaviour: settings, health check, language, fixtures."""

import json
import subprocess
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

from programs.models import FundingSource, Indicator, Program, Target
from regencies.models import Regency
from tests.conftest import FIXTURES
from tests.helpers import element_text, find, page, run_python

ROOT = Path(__file__).resolve().parent.parent


def test_production_refuses_to_start_without_secret_key():
    result = run_python(
        "import django; django.setup()", DJANGO_SETTINGS_MODULE="sumsel_gerakan.settings"
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required" in result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [("REPORT_DUE_DAY", "31"), ("REPORT_DUE_DAY", "0"), ("REPORT_LOCK_DAYS", "-1")],
)
def test_a_deadline_setting_out_of_range_stops_the_start(name, value):
    """A due day of 31 does not exist in February: every page counting due months
    answered 500. The app refuses to start instead, naming the setting."""
    result = run_python(
        "import django; django.setup()",
        DJANGO_SETTINGS_MODULE="sumsel_gerakan.settings",
        DJANGO_SECRET_KEY="test-only-not-secret",
        DJANGO_ALLOWED_HOSTS="dasbor.sumselprov.go.id",
        **{name: value},
    )
    assert result.returncode != 0
    assert f"{name} must be between" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    """DEBUG off and no DJANGO_ALLOWED_HOSTS: gunicorn started and answered every request,
    the health check too, with 400. Now the start stops and names the setting."""
    result = run_python(
        "import django; django.setup()",
        DJANGO_SETTINGS_MODULE="sumsel_gerakan.settings",
        DJANGO_SECRET_KEY="a-long-random-production-secret-" + "x" * 40,
    )
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS is required" in result.stderr


def test_production_refuses_the_placeholder_secret_key_of_the_env_example():
    """`cp .env.example .env` with the secret left as it is started the site with a key
    everyone who read the file knows."""
    placeholder = next(
        line.split("=", 1)[1]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line.startswith("DJANGO_SECRET_KEY=")
    )
    result = run_python(
        "import django; django.setup()",
        DJANGO_SETTINGS_MODULE="sumsel_gerakan.settings",
        DJANGO_SECRET_KEY=placeholder,
        DJANGO_ALLOWED_HOSTS="dasbor.sumselprov.go.id",
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is still the placeholder of .env.example" in result.stderr


@pytest.mark.parametrize(
    "url", ["redis//:S3cret-pw@cache:6379/0", "memcached://sumsel:S3cret-pw@cache:11211"]
)
def test_a_cache_url_not_understood_stops_the_start_without_printing_its_password(url):
    result = run_python(
        "import django; django.setup()",
        DJANGO_SETTINGS_MODULE="sumsel_gerakan.settings",
        DJANGO_SECRET_KEY="a-long-random-production-secret-" + "x" * 40,
        DJANGO_ALLOWED_HOSTS="dasbor.sumselprov.go.id",
        CACHE_URL=url,
    )
    assert result.returncode != 0
    assert "CACHE_URL / REDIS_URL not understood" in result.stderr
    assert "@cache" in result.stderr and "S3cret-pw" not in result.stderr + result.stdout


def check_deploy(**env) -> subprocess.CompletedProcess:
    """`manage.py check --deploy` failing on warnings, with production settings."""
    return run_python(
        "import sys; from django.core.management import execute_from_command_line;"
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])",
        DJANGO_SETTINGS_MODULE="sumsel_gerakan.settings",
        DJANGO_SECRET_KEY="a-long-random-production-secret-" + "x" * 40,
        DJANGO_ALLOWED_HOSTS="dasbor.sumselprov.go.id",
        **env,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = check_deploy(SITE_URL="https://dasbor.sumselprov.go.id")
    assert result.returncode == 0, result.stderr + result.stdout


@pytest.mark.parametrize("site_url", ["http://127.0.0.1:8000", "https://dasbor.example.go.id"])
def test_check_deploy_warns_of_a_site_url_e_mail_links_cannot_use(site_url):
    """Without SITE_URL (its default is the first) or with .env.example's, reminders and
    other e-mails linked every operator to a page that opens nothing: check --deploy
    says so."""
    result = check_deploy(SITE_URL=site_url)
    assert result.returncode != 0
    assert "sumsel.W001" in result.stderr and "SITE_URL" in result.stderr


@pytest.mark.django_db
def test_healthz_reports_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


@pytest.mark.django_db
def test_healthz_reports_database_down(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def broken(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"


@pytest.mark.django_db(transaction=True)
def test_healthz_is_not_ready_before_the_release_is_migrated(client):
    """New code started on a database its `migrate` has not reached yet (or failed on)
    answers most pages 500; /healthz said ok, so a load balancer sent users there."""
    executor = MigrationExecutor(connection)
    leaf = next(key for key in executor.loader.graph.leaf_nodes() if key[0] == "programs")
    parents = executor.loader.graph.node_map[leaf].parents
    before = next(node.key for node in parents if node.key[0] == "programs")
    executor.migrate([before])
    try:
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json()["migrations"] == "pending"
    finally:
        MigrationExecutor(connection).migrate([leaf])
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_pages_are_indonesian_even_for_an_english_browser(client, reference_data):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.headers["Content-Language"] == "id"
    assert element_text(find(page(response), "h1")).startswith("Capaian Gerakan Serentak ")


@pytest.mark.django_db
def test_english_is_an_explicit_remembered_choice(client, reference_data):
    response = client.post("/bahasa/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies["bahasa"].value == "en"
    assert client.get("/").headers["Content-Language"] == "en"


@pytest.mark.django_db
def test_language_switch_refuses_outside_redirects(client):
    response = client.post("/bahasa/", {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_fixtures_hold_the_sourced_reference_data(reference_data):
    assert Regency.objects.count() == 17
    banyuasin = Regency.objects.get(code="16.07")
    assert (banyuasin.name, banyuasin.bps_code, banyuasin.population) == (
        "Banyuasin",
        "1607",
        888324,
    )
    # The Kemendagri and BPS orders differ for OKU Timur and the cities.
    assert Regency.objects.get(code="16.08").bps_code == "1609"
    assert Regency.objects.get(code="16.74").name == "Prabumulih"
    assert Program.objects.count() == 7
    energy = Program.objects.get(slug="mandiri-energi")
    assert energy.acronym is None and not energy.indicators.exists()
    gbrss = Target.objects.get(indicator__program__slug="gbrss", regency=None, year=2024)
    assert gbrss.value == 8391 and gbrss.source_note
    assert sum(s.value for s in gbrss.splits.all()) == 6724
    assert gbrss.milestones.get().value == 1778
    assert Target.objects.get(indicator__code="unit-sanitasi").value == 6984
    stunting = Indicator.objects.get(code="prevalensi-stunting")
    assert (stunting.measure, stunting.direction) == ("ratio", "down")
    assert Indicator.objects.get(code="inflasi-yoy").measure == "level"
    assert Indicator.objects.get(code="rumah-dibedah").measure == "increment"
    assert FundingSource.objects.filter(code="tidak-dirinci").exists()
    assert all(t.source_note for t in Target.objects.all())
    for program in Program.objects.exclude(slug="mandiri-energi"):
        assert program.indicators.filter(is_headline=True).count() == 1


@pytest.mark.django_db
def test_loading_fixtures_twice_changes_nothing(reference_data):
    def dump():
        out = StringIO()
        call_command(
            "dumpdata",
            "regencies",
            "programs",
            "--natural-foreign",
            "--natural-primary",
            # Derived data kept by triggers (programs.dataversion, programs.ytd).
            "--exclude=programs.dataversion",
            "--exclude=programs.progressdirty",
            "--exclude=programs.progressytd",
            "--exclude=programs.progresssourceytd",
            stdout=out,
        )
        return json.loads(out.getvalue())

    before = dump()
    history = Target.history.count()
    call_command("loaddata", *FIXTURES, verbosity=0)
    assert dump() == before
    assert Target.history.count() == history


def test_boundaries_ship_with_their_licence():
    geo = json.loads((ROOT / "static/geo/sumsel_kabkota.geojson").read_text())
    assert len(geo["features"]) == 17
    licence = (ROOT / "static/geo/LICENSE-wilayah_boundaries.txt").read_text()
    assert "Cahya DSN" in licence and "MIT License" in licence


@pytest.mark.django_db
def test_malformed_fixture_fails_loudly_and_writes_nothing(tmp_path, reference_data):

    bad = tmp_path / "rusak.json"
    bad.write_text(
        json.dumps(
            [
                {
                    "model": "programs.fundingsource",
                    "fields": {
                        "code": "baru",
                        "category": "apbn",
                        "name": "Sumber baru",
                        "is_partner": False,
                        "order": 1,
                        "active": True,
                        "source_note": "",
                    },
                },
                {
                    "model": "programs.target",
                    "fields": {
                        "indicator": ["gbrss", "rumah-dibedah"],
                        "regency": None,
                        "year": 2024,
                        "value": "-5",
                        "baseline": None,
                        "due_date": None,
                        "source_note": "",
                        "source_url": "",
                        "is_demo": False,
                    },
                },
            ]
        )
    )
    with pytest.raises(Exception) as error:  # IntegrityError, wrapped by loaddata
        call_command("loaddata", str(bad), verbosity=0)
    assert "target" in str(error.value).lower() or "constraint" in str(error.value).lower()
    assert not FundingSource.objects.filter(code="baru").exists()  # all or nothing


@pytest.mark.django_db
def test_constraints_are_the_last_line_of_defence(reference_data):
    from django.db import IntegrityError, transaction

    from programs.models import MonthlyReport, Realization

    report = MonthlyReport.objects.create(
        regency=Regency.objects.get(code="16.07"),
        program=Program.objects.get(slug="gbrss"),
        year=2024,
        month=3,
    )
    houses = Indicator.objects.get(code="rumah-dibedah")
    source = FundingSource.objects.get(code="apbn")
    for bad in (
        {"value": -1},
        {"value": None, "numerator": 5, "denominator": 3},
        {"value": None, "numerator": 1, "denominator": 0},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Realization.objects.create(
                report=report, indicator=houses, funding_source=source, **bad
            )
    Realization.objects.create(report=report, indicator=houses, funding_source=source, value=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Realization.objects.create(report=report, indicator=houses, funding_source=source, value=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        MonthlyReport.objects.create(
            regency=report.regency, program=report.program, year=2024, month=3
        )
    assert Realization.objects.count() == 1


@pytest.mark.django_db
def test_the_database_allows_a_negative_value_only_where_its_indicator_does(reference_data):
    """A check constraint cannot see the indicator: triggers (programs/guards.py) refuse a
    negative value unless its indicator is a level that allows it (a deflation), and an
    indicator that stops allowing it while a negative value is stored."""
    from django.db import IntegrityError, transaction

    from programs.models import MonthlyReport, Realization

    program = Program.objects.get(slug="gpiss")
    inflation = Indicator.objects.get(program=program, code="inflasi-yoy")
    price = Indicator.objects.create(
        program=program, code="harga", name="Harga", unit="Rp", measure="level"
    )
    report = MonthlyReport.objects.create(
        regency=Regency.objects.get(code="16.71"), program=program, year=2025, month=2
    )
    source = FundingSource.objects.get(code="tidak-dirinci")
    deflation = Realization.objects.create(
        report=report, indicator=inflation, funding_source=source, value=-0.09
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Realization.objects.create(report=report, indicator=price, funding_source=source, value=-1)
    allowed_price = Realization.objects.create(
        report=report, indicator=price, funding_source=source, value=1
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Realization.objects.filter(pk=allowed_price.pk).update(value=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Realization.objects.filter(pk=deflation.pk).update(indicator=price)
    for change in ({"allows_negative": False}, {"measure": "increment"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Indicator.objects.filter(pk=inflation.pk).update(**change)
    with pytest.raises(IntegrityError), transaction.atomic():  # only a level may
        Indicator.objects.filter(code="rumah-dibedah").update(allows_negative=True)
    # A target's baseline likewise (a deflation as the year's starting point).
    Target.objects.create(indicator=price, year=2026, value=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Target.objects.filter(indicator=price).update(baseline=-1)
    start = Target.objects.create(indicator=inflation, year=2026, value=0, baseline=-0.09)
    Realization.objects.filter(pk=deflation.pk).update(value=0.09)
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.filter(pk=inflation.pk).update(allows_negative=False)
    Target.objects.filter(pk=start.pk).update(baseline=0.09)
    Indicator.objects.filter(pk=inflation.pk).update(allows_negative=False)
    values = sorted(Realization.objects.values_list("value", flat=True))
    assert values == [Decimal("0.09"), Decimal(1)]


def test_gunicorn_forks_workers_from_a_warmed_master():
    """A worker replacing a recycled one must not compile templates while requests wait:
    the master loads the app and compiles every template once before forking."""
    import runpy

    from django.template import engines

    from sumsel_gerakan.warmup import template_names, warm

    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["preload_app"] is True
    assert callable(config["when_ready"])
    names = template_names()
    pages = {"base.html", "programs/dashboards/overview.html", "programs/reporting/entry.html"}
    assert pages <= set(names)
    assert warm() == len(names)
    loader = engines["django"].engine.template_loaders[0]
    while not hasattr(loader, "get_template_cache"):  # template_partials wraps the cache
        loader = loader.loaders[0]
    cached = {key.split("-")[0] for key in loader.get_template_cache}
    assert set(names) <= cached


def test_a_static_file_missing_from_the_manifest_does_not_break_the_page(
    db, settings, tmp_path, caplog
):
    """Code deployed without `collectstatic` run again (or a template naming a file that
    is not there): the production storage raised for the missing manifest entry and
    every page using it answered 500. The page renders; the miss is logged."""
    import json

    from django.test import Client

    production = run_python(
        "import django; django.setup(); from django.conf import settings;"
        "print(settings.STORAGES['staticfiles']['BACKEND'])",
        DJANGO_SETTINGS_MODULE="sumsel_gerakan.settings",
        DJANGO_SECRET_KEY="a-long-random-production-secret-" + "x" * 40,
        DJANGO_ALLOWED_HOSTS="dasbor.sumselprov.go.id",
    )
    assert production.returncode == 0, production.stderr
    backend = production.stdout.strip()
    manifest = {"version": "1.1", "hash": "0", "paths": {"css/app.css": "css/app.0123.css"}}
    (tmp_path / "staticfiles.json").write_text(json.dumps(manifest))
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": backend}}
    response = Client(raise_request_exception=False).get("/akun/masuk/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/css/app.0123.css" in html  # what the manifest has stays hashed
    assert "/static/js/csrf.js" in html  # what it lacks is linked as it is
    assert any(
        "'js/csrf.js' is not in the manifest" in record.getMessage() for record in caplog.records
    )
