"""The task queue's admin pages (django-tasks' DBTaskResult) in the page's language.

The package's field labels are English gettext strings: locale/id/LC_MESSAGES/django.po
gives them in Indonesian. Three of its labels are no gettext strings at all (the task's
name, its traceback and "run after"): this subclass of the package's admin names them, and
changes nothing else."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from programs.admin import RequestChecks


class TaskResultAdmin(RequestChecks, DBTaskResultAdmin):
    @admin.display(description=_("nama tugas"))
    def task_name(self, obj: DBTaskResult) -> str:
        return obj.task_name

    @admin.display(description=_("jejak galat"))
    def formatted_traceback(self, obj: DBTaskResult) -> str:
        return super().formatted_traceback(obj)

    @admin.display(description=_("dijalankan setelah"))
    def display_run_after(self, obj: DBTaskResult):
        return super().display_run_after(obj)


def register() -> None:
    """Put TaskResultAdmin in the package's place (whether the admin has read the
    package's admin module yet or not: importing it above registered it)."""
    if admin.site.is_registered(DBTaskResult):
        admin.site.unregister(DBTaskResult)
    admin.site.register(DBTaskResult, TaskResultAdmin)
