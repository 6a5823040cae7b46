"""Password change for every logged-in user (/akun/sandi/), not only staff in the admin."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from regencies.models import UserScope
from tests.helpers import (
    attribute,
    element_text,
    error_messages,
    find,
    find_all,
    login,
    make_user,
    page,
)

PASSWORD = "rahasia-uji-123"  # tests.factories.UserFactory
NEW_PASSWORD = "Sandi-baru-Sumsel-2026"


@pytest.fixture
def operator(reference_data):
    return make_user("operator-1607", role=UserScope.Role.OPERATOR, regency="16.07")


def change(client, old=PASSWORD, new=NEW_PASSWORD, repeat=None):
    data = {"old_password": old, "new_password1": new, "new_password2": repeat or new}
    return client.post("/akun/sandi/", data)


def form_errors(response) -> list[str]:
    return error_messages(find(find(page(response), "main", id="konten"), "form"))


def logs_in(password: str) -> bool:
    response = Client().post("/akun/masuk/", {"username": "operator-1607", "password": password})
    return response.status_code == 302


def test_an_operator_changes_their_password_and_stays_logged_in(operator):
    client = login(operator)
    form = client.get("/akun/sandi/")
    assert form.status_code == 200
    assert element_text(find(page(form), "h1")) == "Ubah kata sandi"
    label = find(page(form), "label", for_="id_old_password")
    assert element_text(label) == "Kata sandi sekarang"
    done = change(client)
    assert done.status_code == 302 and done["Location"] == "/akun/sandi/selesai/"
    assert "berhasil" in element_text(find(page(client.get(done["Location"])), "main"))
    # Django's view renews the session hash: this session goes on, others do not.
    assert client.get("/laporan/").status_code == 200
    assert logs_in(NEW_PASSWORD)
    assert not logs_in(PASSWORD)


def test_a_wrong_old_password_is_refused_in_indonesian(operator):
    client = login(operator)
    response = change(client, old="bukan-sandinya")
    assert response.status_code == 200
    assert form_errors(response) == ["Sandi lama Anda yang dimasukkan salah. Masukkan sekali lagi."]
    assert logs_in(PASSWORD)


def test_a_weak_or_mismatched_new_password_gets_the_validators_messages_in_indonesian(operator):
    client = login(operator)
    weak = form_errors(change(client, new="12345678"))
    assert "Kata sandi ini terlalu umum." in weak
    assert "Kata sandi ini seluruhnya terdiri dari angka." in weak
    short = form_errors(change(client, new="Ab-1"))
    assert short == ["Kata sandi terlalu pendek. Harus mengandung setidaknya 8 karakter."]
    mismatch = form_errors(change(client, repeat=NEW_PASSWORD + "x"))
    assert mismatch == ["Dua bidang sandi tidak cocok."]
    assert logs_in(PASSWORD)


def test_anonymous_visitors_are_sent_to_the_login(db):
    response = Client().get("/akun/sandi/")
    assert response.status_code == 302
    assert response["Location"] == "/akun/masuk/?next=/akun/sandi/"
    post = Client().post("/akun/sandi/", {"old_password": "x"})
    assert post["Location"].startswith("/akun/masuk/")


def test_the_change_needs_the_csrf_token(operator):
    client = login(operator, enforce_csrf_checks=True)
    assert change(client).status_code == 403
    assert logs_in(PASSWORD)


def test_the_account_menu_links_to_the_password_change(operator):
    for headers in ({}, {"HX-Request": "true"}):  # the plain page and the header fragment
        menu = page(login(operator).get("/akun/menu/?next=/", headers=headers))
        link = find(menu, "a", id="nav-password")
        assert attribute(link, "href") == "/akun/sandi/"
        assert element_text(link) == "Ubah sandi"
    assert find_all(page(Client().get("/akun/menu/?next=/")), "a", id="nav-password") == []


def test_mistyped_old_passwords_do_not_count_as_login_failures(operator):
    client = login(operator)
    for _i in range(6):
        change(client, old="tebakan-salah")
    assert logs_in(PASSWORD)  # no lockout: login throttling counts logins only


def test_old_password_guesses_are_throttled_per_user_and_a_success_clears_them(operator):
    """A stolen session cannot guess the old password without limit: after five wrong
    ones (the login's limit) even the right one is refused, unchecked, with the reason,
    and the password stays; another user is not affected."""
    client = login(operator)
    for _i in range(4):
        change(client, old="tebakan-salah")
    assert change(client).status_code == 302  # the fifth try is right: changed, count cleared
    for _i in range(5):
        assert form_errors(change(client, old="tebakan-salah", new="Lain-lagi-2026")) == [
            "Sandi lama Anda yang dimasukkan salah. Masukkan sekali lagi."
        ]
    refused = change(client, old=NEW_PASSWORD, new="Lain-lagi-2026")
    assert refused.status_code == 200
    assert form_errors(refused) == [
        "Terlalu banyak percobaan dengan kata sandi sekarang yang salah. Demi keamanan akun, "
        "coba lagi setelah 15 menit. Kata sandi tidak diubah."
    ]
    assert logs_in(NEW_PASSWORD) and not logs_in("Lain-lagi-2026")
    other = make_user("operator-1601", role=UserScope.Role.OPERATOR, regency="16.01")
    assert change(login(other)).status_code == 302


def test_the_old_password_throttle_lasts_its_fifteen_minutes_on_the_database_cache(operator):
    """`make run`'s cache is the database's, whose `incr` rewrote the count with the
    cache's default timeout: after five wrong guesses the lock lifted after five minutes,
    not the fifteen the message names, and five more guesses were checked."""
    start = dt.datetime(2026, 11, 30, 19, 0, tzinfo=dt.UTC)
    client = login(operator)
    with time_machine.travel(start, tick=False):
        for _i in range(5):
            change(client, old="tebakan-salah")
    with time_machine.travel(start + dt.timedelta(minutes=6), tick=False):
        assert "Terlalu banyak percobaan" in form_errors(change(client))[0]
    with time_machine.travel(start + dt.timedelta(minutes=14), tick=False):
        assert "Terlalu banyak percobaan" in form_errors(change(client))[0]
    with time_machine.travel(start + dt.timedelta(minutes=16), tick=False):
        assert change(client).status_code == 302  # the window is over: checked, changed
    assert logs_in(NEW_PASSWORD)


def test_the_lock_lasts_its_fifteen_minutes_from_the_guess_that_reached_the_limit(operator):
    """One wrong guess, then four more ten minutes later: the lock counted from the first
    ended three minutes after the fifth, not the fifteen the message names."""
    start = dt.datetime(2026, 11, 30, 19, 0, tzinfo=dt.UTC)
    client = login(operator)
    with time_machine.travel(start, tick=False):
        change(client, old="tebakan-salah")
    with time_machine.travel(start + dt.timedelta(minutes=12), tick=False):
        for _i in range(4):
            change(client, old="tebakan-salah")
    with time_machine.travel(start + dt.timedelta(minutes=26), tick=False):
        assert "Terlalu banyak percobaan" in form_errors(change(client))[0]
    with time_machine.travel(start + dt.timedelta(minutes=28), tick=False):
        assert change(client).status_code == 302


def test_the_admins_password_change_is_the_throttled_one(operator):
    response = login(operator).get("/admin/password_change/")
    assert response.status_code == 302 and response["Location"] == "/akun/sandi/"


@pytest.fixture
def cache_server_down(settings):
    """The shared cache (Redis) cannot be reached: nothing listens on its port."""
    settings.CACHES = {
        "default": {
            "BACKEND": "sumsel_gerakan.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"socket_timeout": 1, "socket_connect_timeout": 1},
        }
    }


@pytest.mark.parametrize("old", [PASSWORD, "salah-sandi"], ids=["right", "wrong"])
def test_with_the_cache_server_down_a_change_is_refused_with_a_message(
    operator, cache_server_down, old
):
    """Redis down: the form answered 500 (its failure count lives in the cache). Now it
    says why nothing was changed; the password stays the old one."""
    client = login(operator)
    response = change(client, old=old)
    assert response.status_code == 200
    assert form_errors(response) == [
        "Ubah sandi sementara tidak dapat diproses (penghitung percobaan tidak dapat "
        "dihubungi). Coba lagi beberapa saat lagi. Kata sandi tidak diubah."
    ]
    assert logs_in(PASSWORD) and not logs_in(NEW_PASSWORD)
