"""Outgoing mail names the site, not the machine: Django put socket.getfqdn() in every
Message-ID (<...@localhost> in the container), which spam filters count against a mail.
The site's public host name (DJANGO_EMAIL_DOMAIN, SITE_URL's host or the first public
name in DJANGO_ALLOWED_HOSTS) is used instead."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.mail.utils import DNS_NAME
from django.test import Client

from sumsel_gerakan.mail import use_email_domain
from sumsel_gerakan.settings import email_domain
from tests.factories import UserFactory
from tests.helpers import ROOT, run_python


@pytest.fixture
def restore_dns_name():
    before = vars(DNS_NAME).get("_fqdn")
    yield
    if before is None:
        vars(DNS_NAME).pop("_fqdn", None)
    else:
        DNS_NAME._fqdn = before


@pytest.mark.parametrize(
    ("explicit", "site_url", "hosts", "expected"),
    [
        ("mail.sumselprov.go.id", "https://dasbor.sumselprov.go.id", [], "mail.sumselprov.go.id"),
        ("", "https://dasbor.sumselprov.go.id", ["localhost"], "dasbor.sumselprov.go.id"),
        (
            "",
            "http://127.0.0.1:8000",
            ["localhost", "127.0.0.1", "[::1]", "testserver", "*", "dasbor.sumselprov.go.id"],
            "dasbor.sumselprov.go.id",
        ),
        ("", "http://127.0.0.1:8000", [".sumselprov.go.id"], "sumselprov.go.id"),
        ("", "http://localhost:8000", ["localhost", "10.0.0.5", "app.internal"], None),
    ],
    ids=["setting", "site-url", "allowed-hosts", "wildcard", "none"],
)
def test_the_mail_domain_is_the_sites_public_name(explicit, site_url, hosts, expected):
    assert email_domain(explicit, site_url, hosts) == expected


def test_a_password_reset_mail_names_the_site_in_its_message_id(db, settings, restore_dns_name):
    UserFactory(username="operator-1607", email="op1607@sumselprov.go.id")
    settings.EMAIL_DOMAIN = "dasbor.sumselprov.go.id"
    use_email_domain()
    Client().post("/akun/lupa-sandi/", {"email": "op1607@sumselprov.go.id"})
    assert len(mail.outbox) == 1
    message_id = mail.outbox[0].message()["Message-ID"]
    assert message_id.endswith("@dasbor.sumselprov.go.id>")


SEND = """
import django
django.setup()
from django.core import mail
mail.send_mail("Uji", "Isi", None, ["op@sumselprov.go.id"])
print(mail.outbox[0].message()["Message-ID"])
"""


def test_a_production_start_names_the_first_public_allowed_host(tmp_path):
    """As deployed: hosts from DJANGO_ALLOWED_HOSTS, no SITE_URL, the app started."""
    result = run_python(
        SEND,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="test-only-not-secret",
        DJANGO_ALLOWED_HOSTS="localhost,127.0.0.1,dasbor.sumselprov.go.id",
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        SITE_URL="",
        DJANGO_SETTINGS_MODULE="sumsel_gerakan.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        PYTHONPATH=str(ROOT),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("@dasbor.sumselprov.go.id>")
    assert "@localhost>" not in result.stdout
