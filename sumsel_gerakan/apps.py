"""Third-party apps under the names the admin's users read."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_tasks_db.apps import TasksAppConfig


class TaskQueueConfig(TasksAppConfig):
    """django-tasks' database queue (reminder e-mails, rebuilds) in the admin's sidebar:
    its own names ('Tasks Database Backend', 'Task Results') are English only. (Here, not
    in programs/apps.py: a second config there would leave `programs` without its own.)"""

    verbose_name = _("Antrean tugas latar")

    def ready(self):
        super().ready()
        model = self.get_model("DBTaskResult")
        # Its pages' heading and breadcrumb read "DBTaskResult object (48ebbe54-...)".
        model.__str__ = task_result_label
        meta = model._meta
        # Shown names only: the migration state reads the declared Meta, not these.
        meta.verbose_name = pgettext_lazy("satu", "hasil tugas")
        meta.verbose_name_plural = _("hasil tugas")
        # Its list and detail pages' labels too (sumsel_gerakan/task_admin.py).
        from sumsel_gerakan import task_admin

        task_admin.register()


def task_result_label(result) -> str:
    """'send_password_reset (Berhasil)': the task and how it went, in the page's language."""
    return f"{result.task_name} ({result.get_status_display()})"
