"""At most 128 characters for a password, wherever one is set; a longer one at the login
is a failed login, counted by django-axes, and never hashed."""

import re
from unittest import mock

import pytest
from django.contrib.auth import hashers
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory
from tests.helpers import element_text, error_messages, find, login, page

PASSWORD = "rahasia-uji-123"  # tests.factories.UserFactory
LONGEST = "Sumsel-" + "x" * 121  # 128 characters
TOO_LONG = "Sumsel-" + "x" * 4993  # 5.000 characters
TOO_LONG_MESSAGE = (
    "Kata sandi terlalu panjang: paling banyak 128 karakter (sekarang 5.000 karakter)."
)
INVALID_LOGIN = "Nama pengguna atau kata sandi salah. Perhatikan huruf besar/kecil pada keduanya."

pytestmark = pytest.mark.django_db


@pytest.fixture
def user(db):
    return UserFactory(username="operator-1607", email="op1607@sumselprov.go.id")


@pytest.fixture
def superuser(db):
    return UserFactory(username="admin-uji", is_staff=True, is_superuser=True)


def main_form_errors(response) -> list[str]:
    return error_messages(find(find(page(response), "main", id="konten"), "form"))


def logs_in(password: str) -> bool:
    response = Client().post("/akun/masuk/", {"username": "operator-1607", "password": password})
    return response.status_code == 302


def test_the_password_change_refuses_a_password_of_5000_characters(user):
    client = login(user)

    response = client.post(
        "/akun/sandi/",
        {"old_password": PASSWORD, "new_password1": TOO_LONG, "new_password2": TOO_LONG},
    )

    assert response.status_code == 200
    assert main_form_errors(response) == [TOO_LONG_MESSAGE]
    assert logs_in(PASSWORD)


def test_the_password_change_takes_128_characters(user):
    client = login(user)

    response = client.post(
        "/akun/sandi/",
        {"old_password": PASSWORD, "new_password1": LONGEST, "new_password2": LONGEST},
    )

    assert response.status_code == 302
    assert logs_in(LONGEST)


def test_an_old_password_of_5000_characters_is_wrong_unhashed(user):
    client = login(user)
    data = {"old_password": TOO_LONG, "new_password1": LONGEST, "new_password2": LONGEST}

    with mock.patch.object(hashers, "identify_hasher", wraps=hashers.identify_hasher) as used:
        response = client.post("/akun/sandi/", data)

    assert main_form_errors(response) == [
        "Sandi lama Anda yang dimasukkan salah. Masukkan sekali lagi."
    ]
    assert not used.called
    assert logs_in(PASSWORD)


def test_a_reset_link_refuses_a_password_of_5000_characters(user):
    Client().post("/akun/lupa-sandi/", {"email": "op1607@sumselprov.go.id"})
    link = re.search(r"https?://[^/\s]+(/akun/lupa-sandi/[^\s]+/)", mail.outbox[0].body).group(1)
    client = Client()
    form = client.get(link, follow=True)

    response = client.post(
        form.redirect_chain[-1][0], {"new_password1": TOO_LONG, "new_password2": TOO_LONG}
    )

    assert response.status_code == 200
    assert main_form_errors(response) == [TOO_LONG_MESSAGE]
    assert logs_in(PASSWORD)


def test_the_admins_password_form_for_a_user_refuses_5000_characters(superuser, user):
    client = login(superuser)
    url = reverse("admin:auth_user_password_change", args=[user.pk])

    response = client.post(
        url, {"password1": TOO_LONG, "password2": TOO_LONG, "usable_password": "true"}
    )

    assert response.status_code == 200
    assert TOO_LONG_MESSAGE in error_messages(page(response))
    assert logs_in(PASSWORD)


def test_the_admins_new_user_form_refuses_5000_characters(superuser):
    from django.contrib.auth import get_user_model

    client = login(superuser)

    response = client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "operator-baru",
            "password1": TOO_LONG,
            "password2": TOO_LONG,
            "usable_password": "true",
            "scope-TOTAL_FORMS": "0",
            "scope-INITIAL_FORMS": "0",
            "_save": "Simpan",
        },
    )

    assert response.status_code == 200
    assert TOO_LONG_MESSAGE in error_messages(page(response))
    assert not get_user_model().objects.filter(username="operator-baru").exists()


@pytest.mark.parametrize("path", ["/akun/masuk/", "/admin/login/"])
def test_a_login_with_5000_characters_is_a_failed_login_never_hashed(superuser, path):
    """Refused before any hashing (ModelBackend hashes whatever it is given, a known user
    or not), as a failed login: the same message, counted towards the lockout."""
    from axes.models import AccessAttempt

    client = Client()
    with (
        mock.patch.object(hashers, "identify_hasher", wraps=hashers.identify_hasher) as checked,
        mock.patch.object(hashers, "get_hasher", wraps=hashers.get_hasher) as made,
    ):
        response = client.post(path, {"username": "admin-uji", "password": TOO_LONG})

    assert response.status_code == 200
    assert not (checked.called or made.called)
    assert "_auth_user_id" not in client.session
    assert "Nama pengguna atau kata sandi salah" in element_text(page(response))
    assert sum(a.failures_since_start for a in AccessAttempt.objects.all()) >= 1


def test_long_passwords_lock_a_username_out_as_other_failures_do(superuser):
    for _attempt in range(4):
        assert (
            Client()
            .post("/akun/masuk/", {"username": "admin-uji", "password": TOO_LONG})
            .status_code
            == 200
        )
    fifth = Client().post("/akun/masuk/", {"username": "admin-uji", "password": TOO_LONG})
    assert fifth.status_code == 429
    # Locked: the right password is refused too, as after any five failures.
    right = Client().post("/akun/masuk/", {"username": "admin-uji", "password": PASSWORD})
    assert right.status_code == 429


def test_a_login_with_128_characters_is_checked_as_usual(user):
    user.set_password(LONGEST)
    user.save()

    assert logs_in(LONGEST)
    response = Client().post(
        "/akun/masuk/", {"username": "operator-1607", "password": LONGEST[:-1]}
    )
    assert error_messages(page(response)) == [INVALID_LOGIN]
