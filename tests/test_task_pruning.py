"""Queued mails keep their subject, body and recipients in the task results: the daily
pruning the README schedules deletes finished ones, with this project's task settings."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

pytestmark = pytest.mark.django_db

# The cron line in the README ("Notifications"), as arguments.
README_PRUNING = [
    "prune_db_task_results",
    "--queue-name",
    "*",
    "--min-age-days",
    "30",
    "--failed-min-age-days",
    "90",
]


def _mail_result(status: str, *, finished_days_ago: int | None):
    from django_tasks_db.models import DBTaskResult, get_date_max

    finished = (
        None if finished_days_ago is None else timezone.now() - dt.timedelta(finished_days_ago)
    )
    return DBTaskResult.objects.create(
        task_path="programs.tasks.send_email",
        args_kwargs={
            "args": [],
            "kwargs": {
                "subject": "Laporan dikembalikan",
                "body": "Laporan GBRSS Oktober 2026 dikembalikan: ...",
                "recipients": ["operator@banyuasinkab.go.id"],
            },
        },
        backend_name="default",
        run_after=get_date_max(),
        status=status,
        finished_at=finished,
    )


def test_readme_pruning_deletes_old_mail_results_and_keeps_queued_ones(settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # production
    sent_long_ago = _mail_result("SUCCESSFUL", finished_days_ago=31)
    sent_last_week = _mail_result("SUCCESSFUL", finished_days_ago=7)
    failed_two_months_ago = _mail_result("FAILED", finished_days_ago=60)
    failed_long_ago = _mail_result("FAILED", finished_days_ago=91)
    waiting = _mail_result("READY", finished_days_ago=None)

    call_command(*README_PRUNING, stdout=io.StringIO())

    left = set(DBTaskResult.objects.values_list("pk", flat=True))
    assert left == {sent_last_week.pk, failed_two_months_ago.pk, waiting.pk}
    assert sent_long_ago.pk not in left and failed_long_ago.pk not in left


def test_the_readme_schedules_exactly_the_tested_pruning(settings):
    readme = (settings.BASE_DIR / "README.md").read_text(encoding="utf-8")
    line = "python manage.py " + " ".join(
        f"'{arg}'" if arg == "*" else arg for arg in README_PRUNING
    )
    assert line in " ".join(readme.split())
