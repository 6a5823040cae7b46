"""Every figure the dashboards build is one plotly accepts.

The app builds plain figure dicts (programs/dashboards/charts.py; fast, no plotly import at run
time) and the browser draws them with the plotly.js bundle in static/vendor. Here each
figure found in the pages (overview, every program page for every indicator, so every
measure, and regency pages) goes through `plotly.graph_objects.Figure`, which checks
every trace and layout property against plotly's schema, and its config through
plotly's list of config options. The Python package is pinned to the plotly.js version
of the bundle, so the schema is the one the browser runs.
"""

import json
import re
import warnings
from io import StringIO
from pathlib import Path

import plotly.graph_objects as go
import plotly.offline
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from plotly.offline.offline import _get_jconfig

from programs.models import Indicator, Program
from regencies.models import UserScope
from tests.factories import UserScopeFactory
from tests.helpers import json_scripts

BUNDLE = Path(settings.BASE_DIR) / "static/vendor/plotly-custom.min.js"
RECIPE = Path(settings.BASE_DIR) / "tools/plotly-bundle/package.json"


def figures_in(response) -> dict[str, dict]:
    assert response.status_code == 200
    return json_scripts(response)


def assert_plotly_accepts(figure: dict, where: str) -> None:
    assert set(figure) <= {"data", "layout", "config"}, where
    go.Figure({"data": figure["data"], "layout": figure.get("layout", {})})  # raises if invalid
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # plotly warns about config options it does not know
        _get_jconfig(figure.get("config", {}))


@pytest.fixture
def demo_year(reference_data, settings):
    settings.DEBUG = True  # seed_demo refuses to run in production
    call_command("seed_demo", year=[2024], stdout=StringIO())
    settings.DEBUG = False


def test_plotly_package_draws_with_the_bundles_plotly_js():
    bundled = re.match(r"/\*! plotly\.js v([0-9.]+) ", BUNDLE.read_text()[:200]).group(1)
    assert json.loads(RECIPE.read_text())["dependencies"]["plotly.js"] == bundled
    assert plotly.offline.get_plotlyjs_version() == bundled


def test_every_dashboard_figure_is_valid_plotly(demo_year):
    client = Client()
    client.force_login(_pimpinan())  # provisional figures too: more bars and months
    seen: dict[str, int] = {}
    measures = set()

    def check(url):
        for chart_id, figure in figures_in(client.get(url)).items():
            assert_plotly_accepts(figure, f"{url} #{chart_id}")
            kind = "trend" if chart_id.startswith("trend-") else chart_id
            seen[kind] = seen.get(kind, 0) + 1

    check("/?tahun=2024")
    for program in Program.objects.filter(active=True):
        for indicator in Indicator.objects.filter(program=program):
            check(f"/program/{program.slug}/?tahun=2024&indikator={indicator.code}")
            measures.add(indicator.measure)
    for code in ("16.07", "16.71"):  # a kabupaten; Palembang reports inflation (level)
        check(f"/wilayah/{code}/?tahun=2024")

    assert measures == set(Indicator.Measure.values)
    # Achievement bars and maps are drawn on the server (SVG), not by Plotly.
    for chart_id in ("chart-trend", "chart-sources", "chart-splits"):
        assert chart_id in seen, chart_id
    assert "trend" in seen  # the regency pages' indicator trends
    assert sum(seen.values()) >= 25, seen


def test_an_invalid_figure_is_refused():
    """The check above can fail: plotly refuses a property it does not know."""
    with pytest.raises(ValueError, match="colour"):
        assert_plotly_accepts({"data": [{"type": "bar", "colour": "red"}]}, "test")
    with pytest.raises(UserWarning, match="displayLogo"):
        assert_plotly_accepts({"data": [], "config": {"displayLogo": False}}, "test")


def _pimpinan():
    return UserScopeFactory(role=UserScope.Role.PIMPINAN).user
