from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegenciesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "regencies"
    verbose_name = _("Wilayah dan pengguna")
