"""Logging for operations (issue 12, item 9): one line per request with its id, user,
status and duration; JSON lines on request; failed notification mail is logged."""

import datetime as dt
import io
import json
import logging
import re
import runpy
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.test import Client

from programs.reporting import services
from tests.factories import UserFactory
from tests.reporting_helpers import report

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def request_lines():
    """What the request logger writes, formatted as with LOG_FORMAT=json."""
    from sumsel_gerakan.logging import JsonFormatter, logging_config

    assert logging_config("json")["handlers"]["console"]["formatter"] == "json"
    assert logging_config(None)["handlers"]["console"]["formatter"] == "text"
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("sumsel_gerakan.request")
    logger.addHandler(handler)
    previous = logger.level
    logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)
    logger.setLevel(previous)


class FakeClock:
    """The request logger's clock, replaced: it hands out the readings the fixture lists
    and keeps them, so nothing in these tests is read from the machine's clock."""

    def __init__(self, *readings: float):
        self.given: list[float] = []
        self._readings = iter(readings)

    def __call__(self) -> float:
        reading = next(self._readings)
        self.given.append(reading)
        return reading


# What the fake clock hands out (seconds): two requests, a reading at each end. Made up,
# not measured: no test here reads the machine's clock, so a busy machine changes nothing.
FAKE_READINGS = (100.0, 3700.0, 5000.0, 5000.00012)


@pytest.fixture
def fake_clock(monkeypatch):
    from sumsel_gerakan.middleware import RequestLogMiddleware

    clock = FakeClock(*FAKE_READINGS)
    monkeypatch.setattr(RequestLogMiddleware, "clock", staticmethod(clock))
    # The machine's clock, the one the middleware reads in production, is unplugged:
    # were the request log to read it, the test would fail here rather than depend on
    # how busy the machine is.
    monkeypatch.setattr(time, "perf_counter", _unplugged)
    return clock


def _unplugged() -> float:
    raise AssertionError("the request log read the machine's clock (time.perf_counter)")


def test_one_json_line_per_request_with_id_user_status_and_duration(
    people, request_lines, fake_clock
):
    client = Client()
    client.force_login(people["operator"])
    response = client.get("/laporan/")
    missing = Client().get("/tidak-ada/", HTTP_X_REQUEST_ID="dari-proksi-123")
    lines = request_lines()
    assert len(lines) == 2
    ok, not_found = lines
    assert ok["status"] == 200 and ok["user_id"] == people["operator"].pk
    assert ok["path"] == "/laporan/" and ok["method"] == "GET"
    assert ok["request_id"] == response["X-Request-ID"] and len(ok["request_id"]) >= 8
    # Nothing is timed: the middleware read the fake clock, and only it, once at each end
    # of each request, and logged the span between the two made-up readings each request
    # was given (3700 - 100 s and 5000,00012 - 5000 s), in milliseconds.
    assert fake_clock.given == list(FAKE_READINGS)
    start_1, end_1, start_2, end_2 = FAKE_READINGS
    made_up_spans = [(end_1 - start_1) * 1000, round((end_2 - start_2) * 1000, 1)]
    assert [line["duration_ms"] for line in lines] == made_up_spans
    assert not_found["status"] == 404 and not_found["user_id"] is None
    assert not_found["request_id"] == "dari-proksi-123" == missing["X-Request-ID"]


def test_text_lines_carry_the_same_fields(people):
    from sumsel_gerakan.logging import TextFormatter

    given = {"request_id": "abc12345", "status": 200, "duration_ms": 3.2}  # no time measured
    record = logging.LogRecord("sumsel_gerakan.request", 20, "", 0, "GET / 200", (), None)
    record.__dict__.update(given)
    line = TextFormatter().format(record)
    head, _sep, fields = line.partition("GET / 200 ")
    assert head.split()[2:] == ["INFO", "sumsel_gerakan.request"]
    # The record's own fields, in order, as key=value.
    assert fields.split() == [f"{key}={value}" for key, value in given.items()]


def test_failed_notification_mail_is_logged_not_dropped(
    people,
    settings,
    caplog,
    django_capture_on_commit_callbacks,
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    rep = report(services.Status.SUBMITTED)
    with (
        caplog.at_level(logging.ERROR, logger="sumsel_gerakan.mail"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.report_return(user=people["verifier"], report=rep, reason="Periksa lagi")
    rep.refresh_from_db()
    assert rep.status == services.Status.RETURNED  # the change stands
    failures = [r for r in caplog.records if r.name == "sumsel_gerakan.mail"]
    assert len(failures) == 1
    assert "dikembalikan" in failures[0].subject
    assert "op-banyuasin@sumselprov.go.id" in failures[0].recipients


def reset_link() -> str:
    """The path of a password-reset link as the mail gives it (the task runs at once)."""
    from django.core import mail

    UserFactory(username="operator-1607", email="op1607@sumselprov.go.id")
    Client().post("/akun/lupa-sandi/", {"email": "op1607@sumselprov.go.id"})
    body = mail.outbox[-1].body
    return re.search(r"https?://[^/\s]+(/akun/lupa-sandi/[^\s]+/)", body).group(1)


def test_a_password_reset_link_leaves_no_usable_token_in_the_log(db, caplog):
    """Opening the link from the mail wrote its token into every log line of the request
    (path=/akun/lupa-sandi/MTA/diwbh3-d02c.../): until the user chose a new password,
    anyone reading the logs could reset it and take over the account."""
    from sumsel_gerakan.logging import REDACTED, JsonFormatter, TextFormatter

    link = reset_link()
    token = link.rstrip("/").rsplit("/", 1)[1]
    with caplog.at_level(logging.INFO, logger="sumsel_gerakan.request"):
        caplog.clear()  # the request asking for the mail is logged too, without a token
        opened = Client().get(link)
    assert opened.status_code == 302  # to the form, the token kept in the session
    records = [r for r in caplog.records if r.name == "sumsel_gerakan.request"]
    assert records
    for formatter in (JsonFormatter(), TextFormatter()):
        for record in records:
            line = formatter.format(record)
            assert token not in line
            assert f"/akun/lupa-sandi/{link.split('/')[3]}/{REDACTED}/" in line


def test_gunicorns_access_line_leaves_no_usable_token_either(db):
    """gunicorn's own access line (gunicorn.conf.py) holds the request line and referrer."""
    from gunicorn.config import Config
    from gunicorn.glogging import SafeAtoms
    from gunicorn.util import load_class

    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    config = Config()
    config.set("access_log_format", conf["access_log_format"])
    config.set("logger_class", conf.get("logger_class", "gunicorn.glogging.Logger"))
    logger = load_class(config.logger_class)(config)
    link = reset_link()
    token = link.rstrip("/").rsplit("/", 1)[1]
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": link,
        "PATH_INFO": link,
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": f"https://dasbor.example.go.id{link}",
        "HTTP_USER_AGENT": "Firefox",
    }
    request = SimpleNamespace(headers=[("X-FORWARDED-FOR", "203.0.113.9"), ("REFERER", link)])
    response = SimpleNamespace(status="302 Found", sent=0, headers=[("LOCATION", "/")])
    atoms = logger.atoms(response, request, environ, dt.timedelta(milliseconds=6))
    line = config.access_log_format % SafeAtoms(atoms)
    assert f'"GET /akun/lupa-sandi/{link.split("/")[3]}/[token]/ HTTP/1.1" 302' in line
    assert token not in line and all(token not in str(value) for value in atoms.values())


def test_a_failed_login_writes_no_username_or_address_to_the_log(db):
    """django-axes logged every login attempt with the username typed, the address and
    the browser: a password typed into the username field by mistake (a common slip) sat
    in the logs in clear. Attempts and lockouts stay in Admin -> Axes; the request line
    says 200 or 429 without them."""
    from sumsel_gerakan.logging import TextFormatter

    stream = io.StringIO()
    console = logging.StreamHandler(stream)  # what the console handler would be given
    console.setFormatter(TextFormatter())
    root = logging.getLogger()
    root.addHandler(console)
    try:
        Client().post(
            "/akun/masuk/",
            {"username": "Rahasia-Sandi-2026", "password": "x"},
            HTTP_USER_AGENT="Peramban-Uji",
        )
    finally:
        root.removeHandler(console)
    written = stream.getvalue()
    assert "Rahasia-Sandi-2026" not in written and "Peramban-Uji" not in written


GUNICORN_LINES = """
import runpy, datetime as dt
from types import SimpleNamespace
from gunicorn.config import Config
from gunicorn.util import load_class

conf = runpy.run_path("gunicorn.conf.py")
config = Config()
for name in ("access_log_format", "accesslog", "errorlog", "logger_class", "logconfig_dict"):
    if name in conf:
        config.set(name, conf[name])
logger = load_class(config.logger_class)(config)
logger.info("Booting worker with pid: %s", 123)
environ = {"REQUEST_METHOD": "GET", "RAW_URI": "/", "PATH_INFO": "/", "QUERY_STRING": "",
           "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1"}
response = SimpleNamespace(status="200 OK", sent=10, headers=[])
logger.access(response, SimpleNamespace(headers=[]), environ, dt.timedelta(milliseconds=5))
"""


def test_with_json_logs_gunicorns_own_lines_are_json_too():
    """LOG_FORMAT=json made the app's lines JSON, while gunicorn's access and error lines
    stayed text in the same output: a log collector reading JSON lines failed on them."""
    from tests.helpers import run_python

    result = run_python(GUNICORN_LINES, LOG_FORMAT="json")
    assert result.returncode == 0, result.stderr
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    messages = [record["message"] for record in records]
    assert "Booting worker with pid: 123" in messages
    assert any('"GET / HTTP/1.1" 200 10 5ms' in message for message in messages)


def test_a_refused_host_is_one_log_line_not_a_traceback(db):
    """Every request with a foreign Host header (scanners probe the address all day)
    wrote Django's security error with a thirty-line traceback."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    from sumsel_gerakan.logging import TextFormatter

    stream = io.StringIO()
    config = settings.LOGGING  # the console handler as configured, writing to `stream`
    console = logging.StreamHandler(stream)
    console.setFormatter(TextFormatter())
    for name in config["handlers"]["console"].get("filters", []):
        console.addFilter(import_string(config["filters"][name]["()"])())
    root = logging.getLogger()
    root.addHandler(console)
    try:
        response = Client().get("/", HTTP_HOST="evil.example.com")
    finally:
        root.removeHandler(console)
    assert response.status_code == 400
    written = stream.getvalue()
    assert "Traceback" not in written
    security = [line for line in written.splitlines() if "django.security" in line]
    assert len(security) == 1
    assert "Invalid HTTP_HOST header: 'evil.example.com'" in security[0]
    # Beside it, only the request line: every line is a record of its own.
    assert all(re.match(r"\d{4}-\d\d-\d\d ", line) for line in written.splitlines())


TOO_MANY_FIELDS = """
import django
django.setup()
from django.test import Client
response = Client().post("/akun/masuk/", {f"f{n}": "1" for n in range(1100)})
print("status", response.status_code)
"""


@pytest.mark.parametrize("level", [None, "WARNING"], ids=["make-test-INFO", "WARNING"])
@pytest.mark.parametrize("log_format", ["text", "json"])
def test_a_form_with_too_many_fields_is_one_warning_line_not_an_error(tmp_path, level, log_format):
    """Django logged a POST over DATA_UPLOAD_MAX_NUMBER_FIELDS at ERROR (an alert for
    the server's own failures) with the request object: a client's refusal, answered
    400, is a warning line like the request's own."""
    from tests.helpers import run_python

    env = {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "test-only-not-secret",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_PLAIN_STATIC": "1",
        "DJANGO_SETTINGS_MODULE": "sumsel_gerakan.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_STATIC_ROOT": str(tmp_path),
        "LOG_FORMAT": log_format,
        "PYTHONPATH": str(ROOT),
    }
    if level:
        env["DJANGO_LOG_LEVEL"] = level
    result = run_python(TOO_MANY_FIELDS, **env)
    assert "status 400" in result.stdout, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert "Traceback" not in result.stderr and "WSGIRequest" not in result.stderr
    if log_format == "json":
        records = [json.loads(line) for line in lines]
    else:
        records = [
            {"level": line.split()[2], "logger": line.split()[3], "message": line}
            for line in lines
            if re.match(r"\d{4}-\d\d-\d\d ", line)
        ]
    assert len(records) == len(lines)  # every line is a record of its own
    assert [r["level"] for r in records if r["level"] in {"ERROR", "CRITICAL"}] == []
    refusals = [r for r in records if r["logger"] == "django.security.TooManyFieldsSent"]
    assert len(refusals) == 1
    assert refusals[0]["level"] == "WARNING"
    assert "DATA_UPLOAD_MAX_NUMBER_FIELDS" in refusals[0]["message"]
    requests = [r for r in records if r["logger"] == "sumsel_gerakan.request"]
    assert len(requests) == 1 and "POST /akun/masuk/ 400" in requests[0]["message"]
    if log_format == "json":  # the two lines are found together by the request id
        assert refusals[0]["request_id"] == requests[0]["request_id"]


# gunicorn as the Docker image starts it, each of its processes slow to free its memory
# on exit as a worker of the preloaded application is (seconds, on a busy machine), so
# that a signal arriving meanwhile reliably meets a worker that is already exiting.
SLOW_TO_EXIT_GUNICORN = """
import sys, time

class SlowToFree:
    def __del__(self, sleep=time.sleep):
        sleep(1.5)  # freed at exit, after Python gave signals their default action back

slow_to_free = SlowToFree()
sys.argv = ["gunicorn", "-c", "gunicorn.conf.py", "sumsel_gerakan.wsgi"]
from gunicorn.app.wsgiapp import run
run()
"""


def gunicorn_stopped(tmp_path, *, whole_group: bool) -> tuple[int, str]:
    """gunicorn started as the Docker image starts it (gunicorn.conf.py, two workers, on
    a SQLite database), then stopped with SIGTERM: to its master alone, or to its whole
    process group as systemd and most supervisors do. Its return code and output."""
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time

    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "test-only-not-secret",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_PLAIN_STATIC": "1",
        "DJANGO_STATIC_ROOT": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "CACHE_URL": "",
        "REDIS_URL": "",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
        "PYTHONPATH": str(ROOT),
    }
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-c", SLOW_TO_EXIT_GUNICORN],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, as under a supervisor
        )
        try:
            deadline = time.monotonic() + 30
            while log.read_text().count("Booting worker") < 2 and time.monotonic() < deadline:
                time.sleep(0.1)
            time.sleep(0.5)  # the workers past their boot, waiting for requests
            if whole_group:
                os.killpg(server.pid, signal.SIGTERM)
            else:
                server.send_signal(signal.SIGTERM)
            code = server.wait(timeout=60)
        finally:
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGKILL)
    return code, log.read_text()


@pytest.mark.parametrize("whole_group", [False, True], ids=["master", "process-group"])
def test_a_graceful_stop_logs_nothing_at_error(tmp_path, whole_group):
    """A normal shutdown logged "[ERROR] Worker (pid:...) was sent SIGTERM!" (twice a
    worker) when the SIGTERM reached the workers too: the alerting, which pages on
    ERROR, paged for every deployment."""
    code, output = gunicorn_stopped(tmp_path, whole_group=whole_group)
    assert "Booting worker" in output and "Shutting down: Master" in output, output
    assert code == 0
    assert "[ERROR]" not in output and "[CRITICAL]" not in output, output
