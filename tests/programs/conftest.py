"""Fixtures shared by the tests of several capability packages."""

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

LIVE_DEMO_NOW = dt.datetime(2026, 11, 29, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock():
    """29 November 2026, 16:00 in Jakarta, standing still: the live demo's "today"."""
    with time_machine.travel(LIVE_DEMO_NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def live_demo(reference_data, settings, clock):
    """`seed_demo --until 2026-10` on that day: the demo as `make run` shows it then.
    Returns what the command printed."""
    settings.DEBUG = True
    out = StringIO()
    call_command("seed_demo", "--until", "2026-10", stdout=out)
    return out.getvalue()
