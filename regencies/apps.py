from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegenciesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "regencies"
    verbose_name = _("Wilayah dan pengguna")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from sumsel_gerakan.middleware import mark_session_renewed

        # A fresh login counts as a renewal: the first request after it writes nothing.
        user_logged_in.connect(mark_session_renewed, dispatch_uid="mark_session_renewed")
