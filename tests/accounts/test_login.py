"""Login throttling (django-axes) on every login page, password reset, login messages."""

import json
import re

import pytest
from django.core import mail
from django.test import Client

from tests.factories import UserFactory
from tests.helpers import admin_column, element_text, error_messages, find, find_all, page

PASSWORD = "rahasia-uji-123"
LOCKED_TEXT = "Terlalu banyak percobaan masuk yang gagal"


@pytest.fixture
def admin(db):
    return UserFactory(
        username="admin-uji", email="admin@sumselprov.go.id", is_staff=True, is_superuser=True
    )


@pytest.fixture
def account(db):
    """A user without a scope: logging in needs no role."""
    return UserFactory(username="operator-1607", email="op1607@sumselprov.go.id")


def fail(path, username, client=None, **extra):
    client = client or Client()
    return client.post(path, {"username": username, "password": "salah"}, **extra)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def alert(response) -> str:
    """The text of the alert in the page's main content (the lockout notice)."""
    return element_text(find(find(page(response), "main", id="konten"), "p", role="alert"))


def main_text(response) -> str:
    """The visible text of the page's main content."""
    return element_text(find(page(response), "main", id="konten"))


def test_admin_login_locks_out_after_repeated_failures(admin):
    for _i in range(4):
        assert fail("/admin/login/", "admin-uji").status_code == 200
    assert fail("/admin/login/", "admin-uji").status_code == 429  # the fifth failure
    client = Client()
    locked = client.post("/admin/login/", {"username": "admin-uji", "password": PASSWORD})
    assert locked.status_code == 429
    assert alert(locked).startswith(LOCKED_TEXT)
    assert not logged_in(client)


def test_site_lockout_also_closes_the_admin_login(admin):
    for _i in range(5):
        fail("/akun/masuk/", "admin-uji")
    site = Client().post("/akun/masuk/", {"username": "admin-uji", "password": PASSWORD})
    assert site.status_code == 429
    client = Client()
    response = client.post("/admin/login/", {"username": "admin-uji", "password": PASSWORD})
    assert response.status_code == 429
    assert not logged_in(client)


def test_lockout_page_is_indonesian_in_the_site_layout(account):
    for _i in range(5):
        fail("/akun/masuk/", "operator-1607")
    response = Client().post("/akun/masuk/", {"username": "operator-1607", "password": PASSWORD})
    assert response.status_code == 429
    notice = alert(response)  # inside base.html's <main id="konten">
    assert notice.startswith(LOCKED_TEXT) and "15 menit" in notice


@pytest.mark.parametrize(
    "variants",
    [
        [" operator-1607", "operator-1607\t", "operator-1607 ", "\toperator-1607", "operator-1607"],
        ["ｏｐｅｒａｔｏｒ-１６０７", " operator-1607", "ｏｐｅｒａｔｏｒ-1607\t", "operator-1607"]
        * 2,
    ],
    ids=["spaces-and-tabs", "full-width"],
)
def test_username_variants_count_as_one_user(account, variants):
    for variant in variants[:5]:
        fail("/akun/masuk/", variant, REMOTE_ADDR=f"198.51.100.{len(variant)}")
    client = Client()
    response = client.post(
        "/akun/masuk/",
        {"username": "operator-1607", "password": PASSWORD},
        REMOTE_ADDR="192.0.2.77",
    )
    assert response.status_code == 429
    assert not logged_in(client)


def test_a_success_with_a_variant_does_not_reopen_the_guessing(account):
    for _i in range(4):
        fail("/akun/masuk/", "operator-1607 ", REMOTE_ADDR="203.0.113.1")
    ok = Client().post(
        "/akun/masuk/",
        {"username": "\toperator-1607", "password": PASSWORD},
        REMOTE_ADDR="192.0.2.5",
    )
    assert ok.status_code == 302
    fail("/akun/masuk/", "ｏｐｅｒａｔｏｒ-１６０７", REMOTE_ADDR="203.0.113.2")
    client = Client()
    locked = client.post(
        "/akun/masuk/", {"username": "operator-1607", "password": PASSWORD}, REMOTE_ADDR="192.0.2.5"
    )
    assert locked.status_code == 429
    assert not logged_in(client)


def test_other_users_are_not_locked_by_someone_elses_failures(account, admin):
    for _i in range(5):
        fail("/akun/masuk/", "operator-1607", REMOTE_ADDR="203.0.113.8")
    other = Client().post(
        "/akun/masuk/", {"username": "admin-uji", "password": PASSWORD}, REMOTE_ADDR="192.0.2.9"
    )
    assert other.status_code == 302


def test_colleagues_behind_one_address_are_not_locked_by_one_users_failures(account, admin):
    """A regency office (or the governor's building) reaches the internet through one
    address: five mistyped passwords of one operator locked every colleague out."""
    for _i in range(5):
        fail("/akun/masuk/", "operator-1607", REMOTE_ADDR="203.0.113.20")
    mistyped = Client().post(
        "/akun/masuk/",
        {"username": "operator-1607", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.20",
    )
    assert mistyped.status_code == 429  # their own account waits its 15 minutes
    colleague = Client()
    response = colleague.post(
        "/akun/masuk/",
        {"username": "admin-uji", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.20",
    )
    assert response.status_code == 302
    assert logged_in(colleague)


@pytest.mark.parametrize("path", ["/akun/masuk/", "/admin/login/"])
def test_an_address_guessing_across_accounts_is_locked_at_its_own_limit(admin, path):
    """One machine trying a password on many accounts (each under five failures) is
    stopped after LOGIN_MAX_FAILURES_PER_ADDRESS (20) failures from its address."""
    for n in range(19):
        fail(path, f"tebak{n % 4}", REMOTE_ADDR="203.0.113.30")
    still_open = Client().post(
        path, {"username": "admin-uji", "password": PASSWORD}, REMOTE_ADDR="203.0.113.30"
    )
    assert still_open.status_code == 302
    assert fail(path, "tebak9", REMOTE_ADDR="203.0.113.30").status_code == 429  # the 20th
    client = Client()
    locked = client.post(
        path, {"username": "admin-uji", "password": PASSWORD}, REMOTE_ADDR="203.0.113.30"
    )
    assert locked.status_code == 429
    assert not logged_in(client)
    elsewhere = Client().post(
        path, {"username": "admin-uji", "password": PASSWORD}, REMOTE_ADDR="198.51.100.30"
    )
    assert elsewhere.status_code == 302


def test_lockout_counts_the_address_the_trusted_proxy_saw(account, admin, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(settings.LOGIN_MAX_FAILURES_PER_ADDRESS):
        fail(
            "/akun/masuk/",
            f"tebak{n}",
            HTTP_X_FORWARDED_FOR="203.0.113.9",
            REMOTE_ADDR="10.0.0.2",
        )
    guessed = Client().post(
        "/akun/masuk/",
        {"username": "admin-uji", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.9",
        REMOTE_ADDR="10.0.0.2",
    )
    assert guessed.status_code == 429
    other = Client().post(
        "/akun/masuk/",
        {"username": "admin-uji", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.4",
        REMOTE_ADDR="10.0.0.2",
    )
    assert other.status_code == 302  # same proxy, different client: not locked out


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(account, admin, settings):
    for n in range(settings.LOGIN_MAX_FAILURES_PER_ADDRESS):
        fail("/akun/masuk/", f"tebak{n}", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    response = Client().post(
        "/akun/masuk/",
        {"username": "admin-uji", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="192.0.2.200",
    )
    assert response.status_code == 429  # spoofed header: still the same REMOTE_ADDR


def test_admin_sees_lockouts(admin, account):
    for _i in range(5):
        fail("/akun/masuk/", "operator-1607", REMOTE_ADDR="203.0.113.50")
    client = Client(REMOTE_ADDR="192.0.2.1")
    client.force_login(admin)
    attempts = client.get("/admin/axes/accessattempt/")
    assert attempts.status_code == 200
    assert "operator-1607" in admin_column(attempts, "username")


def test_login_error_says_it_once_in_indonesian(account):
    response = fail("/akun/masuk/", "operator-1607")
    [error] = error_messages(find(find(page(response), "main", id="konten"), "form"))
    assert error.startswith("Nama pengguna atau kata sandi salah")
    assert "nama pengguna nama pengguna" not in response.content.decode().lower()
    admin_response = fail("/admin/login/", "operator-1607")
    [admin_error] = find_all(page(admin_response), "p", class_="errornote")
    assert "nama pengguna nama pengguna" not in element_text(admin_error).lower()
    assert "nama pengguna nama pengguna" not in admin_response.content.decode().lower()


def test_login_page_links_to_password_reset(db):
    link = find(page(Client().get("/akun/masuk/")), "a", href="/akun/lupa-sandi/")
    assert element_text(link) == "Lupa sandi?"


def test_password_reset_by_email(account):
    form_page = Client().get("/akun/lupa-sandi/")
    assert form_page.status_code == 200
    assert element_text(find(page(form_page), "h1")) == "Atur ulang kata sandi"
    sent = Client().post("/akun/lupa-sandi/", {"email": "op1607@sumselprov.go.id"})
    assert sent.status_code == 302 and sent["Location"] == "/akun/lupa-sandi/terkirim/"
    assert "Periksa kotak masuk" in main_text(Client().get(sent["Location"]))
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "Atur ulang kata sandi" in message.subject
    assert "operator-1607" in message.body
    link = re.search(r"https?://[^/\s]+(/akun/lupa-sandi/[^\s]+/)", message.body).group(1)
    client = Client()
    form = client.get(link, follow=True)
    assert element_text(find(page(form), "label", for_="id_new_password1")) == "Kata sandi baru"
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "Sandi-baru-Sumsel-2025", "new_password2": "Sandi-baru-Sumsel-2025"},
    )
    assert done.status_code == 302
    assert "berhasil" in main_text(Client().get(done["Location"]))
    login = Client().post(
        "/akun/masuk/", {"username": "operator-1607", "password": "Sandi-baru-Sumsel-2025"}
    )
    assert login.status_code == 302


def test_password_reset_for_an_unknown_email_reveals_nothing(account):
    sent = Client().post("/akun/lupa-sandi/", {"email": "tidak-ada@contoh.id"})
    assert sent.status_code == 302 and sent["Location"] == "/akun/lupa-sandi/terkirim/"
    assert mail.outbox == []


def test_password_reset_answers_at_once_when_the_mail_server_is_down(account, settings):
    """The reset mail is queued like every other mail: a mail server that is down (or
    slow) neither fails the page nor tells a known address from an unknown one. The queue
    (a database table the admin shows) holds the user's id, never a working link: the
    worker makes the link when it sends."""
    from django_tasks_db.models import DBTaskResult

    from accounts.tasks import send_password_reset

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.EMAIL_BACKEND = "tests.programs.reporting.test_evidence.BrokenBackend"
    sent = Client().post("/akun/lupa-sandi/", {"email": "op1607@sumselprov.go.id"})
    assert sent.status_code == 302 and sent["Location"] == "/akun/lupa-sandi/terkirim/"
    unknown = Client().post("/akun/lupa-sandi/", {"email": "tidak-ada@contoh.id"})
    assert unknown["Location"] == "/akun/lupa-sandi/terkirim/"
    queued = DBTaskResult.objects.get()  # nothing queued for the unknown address
    assert queued.task_path == "accounts.tasks.send_password_reset"
    assert "lupa-sandi" not in json.dumps(queued.args_kwargs)
    # The worker sends it (here: called as the worker would, the mail server back up).
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_password_reset.call(**queued.args_kwargs["kwargs"]) == 1
    message = mail.outbox[0]
    assert message.to == ["op1607@sumselprov.go.id"]
    assert "Atur ulang kata sandi" in message.subject and "operator-1607" in message.body
    link = re.search(r"https?://[^/\s]+(/akun/lupa-sandi/[^\s]+/)", message.body).group(1)
    form = Client().get(link, follow=True)
    assert element_text(find(page(form), "label", for_="id_new_password1")) == "Kata sandi baru"


def test_password_reset_mails_to_one_account_are_limited(account):
    """Anyone who knew (or guessed) an address could ask for its reset link without end:
    eight requests sent eight mails. Three are sent in the window; the page answers the
    others as it answers any address, so the limit tells nobody the address exists."""
    for _i in range(5):
        sent = Client().post("/akun/lupa-sandi/", {"email": "op1607@sumselprov.go.id"})
        assert sent.status_code == 302 and sent["Location"] == "/akun/lupa-sandi/terkirim/"
    assert len(mail.outbox) == 3


def test_password_reset_requests_from_one_address_are_limited(account, settings):
    """One machine could ask for links to every address it can name, without end. After
    PASSWORD_RESET_MAX_PER_ADDRESS requests (known addresses or not) it is told to wait,
    in the form, and nothing more is sent."""
    settings.PASSWORD_RESET_MAX_PER_ADDRESS = 3
    for number in range(3):
        sent = Client().post("/akun/lupa-sandi/", {"email": f"tidak-ada-{number}@contoh.id"})
        assert sent.status_code == 302
    refused = Client().post("/akun/lupa-sandi/", {"email": "op1607@sumselprov.go.id"})
    assert refused.status_code == 429 and refused["Retry-After"] == "900"
    assert "Terlalu banyak permintaan tautan atur ulang sandi" in main_text(refused)
    assert "15 menit" in main_text(refused)
    assert mail.outbox == []
    elsewhere = Client(REMOTE_ADDR="10.1.2.3").post(
        "/akun/lupa-sandi/", {"email": "op1607@sumselprov.go.id"}
    )
    assert elsewhere.status_code == 302 and len(mail.outbox) == 1


def test_the_reset_link_goes_to_the_site_whatever_host_the_request_named(account, settings):
    """The link was built from the request's Host header: with a subdomain wildcard in
    ALLOWED_HOSTS, anyone asking for an official's reset as `palsu.sumselprov.go.id` had
    the mail carry the link, token and all, to that site. It goes to SITE_URL."""
    settings.ALLOWED_HOSTS = [".sumselprov.go.id", "testserver"]
    settings.SITE_URL = "https://dasbor.sumselprov.go.id"
    Client().post(
        "/akun/lupa-sandi/",
        {"email": "op1607@sumselprov.go.id"},
        HTTP_HOST="palsu.sumselprov.go.id",
    )
    [message] = mail.outbox
    assert "palsu" not in message.body
    assert "https://dasbor.sumselprov.go.id/akun/lupa-sandi/" in message.body


def test_a_refused_login_names_its_message_on_both_fields(account):
    """A wrong password: the page comes back focused on "Nama pengguna", and a screen
    reader said only that, the message above the form unread. Both fields are now
    marked invalid and described by the message, which is an alert."""
    html = page(fail("/akun/masuk/", "operator-1607"))
    message = find(html, id="login-error")
    assert dict(message.attributes)["role"] == "alert"
    assert "Nama pengguna atau kata sandi salah" in element_text(message)
    for name in ("username", "password"):
        field = find(html, "input", name=name)
        assert dict(field.attributes)["aria-invalid"] == "true"
        assert dict(field.attributes)["aria-describedby"] == "login-error"


@pytest.mark.parametrize("path", ["/akun/keluar/", "/admin/logout/"])
def test_logging_out_empties_the_browser_cache_of_the_site(admin, path):
    """Evidence photos stay minutes in the browser's cache: logging out, from the app or
    from the admin, tells the browser to drop that cache (on a shared office PC nothing
    of the session is left there). Neither logout said so."""
    client = Client()
    client.force_login(admin)
    response = client.post(path)
    assert response.status_code == 302 and response["Location"] == "/"
    assert response["Clear-Site-Data"] == '"cache"'
    assert "_auth_user_id" not in client.session
