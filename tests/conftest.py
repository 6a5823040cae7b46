"""Test-only settings and shared fixtures.

Environment for the settings module comes from the Makefile (`make test`); what must
differ from production for tests is set here.
"""

import pytest
from django.core.management import call_command


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path_factory):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Emails run at once instead of through the database queue's worker.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # Attachments go to a throwaway folder, never the developer's media/.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path_factory.mktemp("lampiran"))},
        },
    }


FIXTURES = [
    "fixtures/regencies.json",
    "fixtures/programs.json",
    "fixtures/funding_sources.json",
    "fixtures/targets_2024.json",
]


@pytest.fixture
def reference_data(db):
    """The shipped reference fixtures (17 regencies, 7 programs, sources, 2024 targets)."""
    call_command("loaddata", *FIXTURES, verbosity=0)
