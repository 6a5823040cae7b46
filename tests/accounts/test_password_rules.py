"""A new password's rules are on the page before it is sent: the password change
(/akun/sandi/) and the reset link's "Kata sandi baru" list what AUTH_PASSWORD_VALIDATORS
ask (at least 8 characters, at most 128, ...), in the chosen language, beside the box.
Before, the rules appeared only as refusals after a password had been sent."""

import re

import pytest
from django.core import mail
from django.test import Client

from tests.factories import UserFactory
from tests.helpers import attribute, element_text, find, find_all, login, page

pytestmark = pytest.mark.django_db

RULES = [
    "Kata sandi Anda tidak boleh terlalu mirip dengan data pribadi Anda (nama pengguna, nama, "
    "alamat email).",
    "Kata sandi Anda harus memuat setidaknya 8 karakter.",
    "Kata sandi Anda paling banyak 128 karakter.",
    "Kata sandi Anda tidak boleh kata sandi yang umum dipakai.",
    "Kata sandi Anda tidak boleh hanya berisi angka.",
]
RULES_EN = [
    "Your password can’t be too similar to your other personal information.",
    "Your password must contain at least 8 characters.",
    "Your password can be at most 128 characters.",
    "Your password can’t be a commonly used password.",
    "Your password can’t be entirely numeric.",
]


@pytest.fixture
def user(db):
    return UserFactory(username="operator-1607", email="op1607@sumselprov.go.id")


def rules_of(response) -> list[str]:
    """The rules listed with the new password's box, as a screen reader reaches them from
    the box (its aria-describedby)."""
    form = find(find(page(response), "main", id="konten"), "form")
    box = find(form, "input", name="new_password1")
    described = find(form, id=attribute(box, "aria-describedby"))
    return [element_text(item) for item in find_all(described, "li")]


def reset_link_page(client: Client):
    Client().post("/akun/lupa-sandi/", {"email": "op1607@sumselprov.go.id"})
    link = re.search(r"https?://[^/\s]+(/akun/lupa-sandi/[^\s]+/)", mail.outbox[-1].body)
    response = client.get(link.group(1), follow=True)  # Django keeps the token in the session
    assert response.status_code == 200
    return response


def test_the_password_change_lists_the_rules_before_a_password_is_sent(user):
    response = login(user).get("/akun/sandi/")

    assert response.status_code == 200
    assert rules_of(response) == RULES


def test_the_reset_links_form_lists_the_rules(user):
    assert rules_of(reset_link_page(Client())) == RULES


def test_the_rules_in_english_when_english_is_chosen(user):
    client = login(user)
    client.cookies["bahasa"] = "en"
    assert rules_of(client.get("/akun/sandi/")) == RULES_EN
    anonymous = Client()
    anonymous.cookies["bahasa"] = "en"
    assert rules_of(reset_link_page(anonymous)) == RULES_EN


def test_the_rules_are_the_configured_validators(user, settings):
    """Written from AUTH_PASSWORD_VALIDATORS, not by hand: another minimum is shown as it
    is enforced."""
    settings.AUTH_PASSWORD_VALIDATORS = [
        {
            "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
            "OPTIONS": {"min_length": 12},
        },
        {"NAME": "accounts.passwords.MaximumLengthValidator", "OPTIONS": {"max_length": 64}},
    ]

    assert rules_of(login(user).get("/akun/sandi/")) == [
        "Kata sandi Anda harus memuat setidaknya 12 karakter.",
        "Kata sandi Anda paling banyak 64 karakter.",
    ]
