"""gunicorn settings for production (the Docker image runs `gunicorn -c gunicorn.conf.py`).

Sync workers: dashboard pages are CPU-bound (figures built in Python), and on a 2-core
machine 2-3 sync workers beat gthread on tail latency. Workers default to 2 x CPUs + 1,
counting the CPUs this container may really use, capped by GUNICORN_MAX_WORKERS.
Every value can be overridden from the environment.
"""

import os
import signal


def usable_cpus() -> int:
    """CPUs available to this process: the affinity mask, lowered by a cgroup v2 quota
    (`docker run --cpus=2` leaves the host's CPU count visible to os.cpu_count())."""
    try:
        count = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        count = os.cpu_count() or 1
    try:
        with open("/sys/fs/cgroup/cpu.max", encoding="ascii") as handle:
            quota, period = handle.read().split()[:2]
        if quota != "max":
            count = min(count, max(1, -(-int(quota) // int(period))))
    except (OSError, ValueError):
        pass
    return max(1, count)


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")  # noqa: S104 - inside the container
worker_class = "sync"
workers = env_int(
    "GUNICORN_WORKERS", min(2 * usable_cpus() + 1, env_int("GUNICORN_MAX_WORKERS", 9))
)
timeout = env_int("GUNICORN_TIMEOUT", 30)  # a worker silent this long is killed and replaced
graceful_timeout = 30
keepalive = 5  # behind a reverse proxy / load balancer that reuses connections
# The longest request line gunicorn takes (method, path, query string, version): its
# default 4094 refused a longer one with its own bare English 400 page. 8190 is the
# most gunicorn allows; longer lines still get gunicorn's page (nginx's default buffer,
# 8 KB, stops them first behind a proxy). Shorter ones reach the app, which answers them.
limit_request_line = 8190
# The longest header line ("Name: value"). htmx sends the page's whole address, scheme
# and host included, in HX-Current-URL with every request: from a page whose request line
# was near the limit above, that header passed gunicorn's default 8190 and each of the
# page's htmx requests (filters, the entry form's checks) got gunicorn's bare 400. Room
# for the header's name, "https://" and a host name (253 characters at most) on top.
limit_request_field_size = limit_request_line + 512
# Recycle workers now and then so that a slow leak can never take a server down.
max_requests = env_int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = 200
# Load the application once in the master and fork the workers from it, warmed up
# (sumsel_gerakan/warmup.py): a worker that replaces a recycled one serves at once instead
# of spending its first requests importing views and compiling templates. Measured with
# tests/perf/load.py: without it the pages timed after ~10,000 requests (when recycling
# starts) lost half their throughput and had p95 in seconds at one connection.
preload_app = True


def when_ready(server):
    """In the master, after the application is loaded and before the workers fork."""
    from sumsel_gerakan.warmup import check_cache, warm

    check_cache()  # a warning only: pages work without the cache
    server.log.info("Warm-up: %d templates compiled before forking", warm())


def worker_exit(server, worker):
    """In a worker, once it has left its loop ("Worker exiting"): a stop signal arriving
    now is ignored. The worker still takes seconds to exit (Python frees the preloaded
    application's memory), and Python gives stop signals back their default action
    while it does: a SIGTERM then killed the worker, and the master logged "Worker
    (pid:...) was sent SIGTERM!" at ERROR on every normal stop whose SIGTERM reached
    the workers as well as the master (systemd and most supervisors signal the whole
    process group; the master passes it on), paging the operators' alerting."""
    for stop in (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT):
        signal.signal(stop, signal.SIG_IGN)


# Access and error logs to stdout/stderr: the container runtime collects them.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Client address as the proxy saw it, then the proxy's; request; status; size; duration.
access_log_format = '%({x-forwarded-for}i)s %(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
# A password-reset link's token never reaches the log (sumsel_gerakan/gunicorn_logger.py).
logger_class = "sumsel_gerakan.gunicorn_logger.AccessLogger"
# LOG_FORMAT=json (the app's lines, sumsel_gerakan/logging.py): gunicorn's own lines,
# access and error, are JSON objects too, so a log collector reads every line of the
# container's output. The formatter is named, not imported: it is loaded when gunicorn
# sets its logging up, with the project on sys.path.
if os.environ.get("LOG_FORMAT", "").strip().lower() == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "root": {"level": "INFO", "handlers": ["error_console"]},
        "formatters": {"json": {"()": "sumsel_gerakan.logging.JsonFormatter"}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stdout",
            },
            "error_console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            },
        },
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
        },
    }
