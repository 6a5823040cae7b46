"""Rows built once for a whole test module.

Some tests read one large state, a whole demo seeded and then topped up weeks later, and
built it again for every test: the demo tests were most of CI's time. `once_per_module`
turns a function into a module-scoped fixture that builds the state once, inside a
transaction held open for the module. Each test runs in a savepoint within it (Django's
TestCase atomics, which pytest-django's `db` opens), so it reads the state as built, its
own writes are rolled back after it, and the next test starts from the same state. When
the module is done the transaction is rolled back: nothing reaches other modules.

Every test of such a module must use the state (a test that did not would find its rows
and take them for its own); collection stops on one that does not. Each xdist worker that
runs a module's tests builds its state once.
"""

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import override_settings
from django.utils import translation

from tests.conftest import testing_settings


def once_per_module(build):
    """A module-scoped fixture returning `build()`, run with the test settings and
    DEBUG on (the demo commands refuse to run without it)."""

    @pytest.fixture(scope="module")
    def fixture(django_db_setup, django_db_blocker, tmp_path_factory):
        atomic = transaction.atomic()
        with django_db_blocker.unblock():
            atomic.__enter__()
            try:
                with (
                    override_settings(
                        DEBUG=True, **testing_settings(tmp_path_factory.mktemp("lampiran"))
                    ),
                    translation.override(settings.LANGUAGE_CODE),
                ):
                    built = build()
            except BaseException:
                transaction.set_rollback(True)
                atomic.__exit__(None, None, None)
                raise
        try:
            yield built
        finally:
            with django_db_blocker.unblock():
                transaction.set_rollback(True)
                atomic.__exit__(None, None, None)
                assert not connection.in_atomic_block

    fixture.__doc__ = build.__doc__
    fixture.once_per_module = True
    return fixture


def check_every_test_uses_it(items) -> None:
    """Every test of a module with a state built once runs inside its transaction: one
    that does not ask for the state would find its rows and take them for its own."""
    for item in items:
        module = getattr(item, "module", None)
        shared = {
            name for name, value in vars(module).items() if getattr(value, "once_per_module", False)
        }
        if shared and not shared & set(item.fixturenames):
            raise pytest.UsageError(
                f"{item.nodeid} does not use {', '.join(sorted(shared))}, which its module "
                "builds once for all its tests (tests/shared_db.py): move it to another module"
            )
