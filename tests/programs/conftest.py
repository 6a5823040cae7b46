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


def seed_live_demo() -> str:
    """`seed_demo --until 2026-10` on 29 November 2026: the demo as `make run` shows it
    then. Returns what the command printed. A module reads it through `live_demo` after
    binding `live_demo_once = once_per_module(seed_live_demo)` (tests/shared_db.py): the
    demo is seeded once for the module."""
    out = StringIO()
    with time_machine.travel(LIVE_DEMO_NOW, tick=False):
        call_command("seed_demo", "--until", "2026-10", stdout=out)
    return out.getvalue()


@pytest.fixture
def live_demo(live_demo_once, db, settings, clock):
    """The live demo on its day (the clock stands still), seeded once for the module;
    each test's writes are undone after it. Returns what the seed printed."""
    settings.DEBUG = True
    return live_demo_once
