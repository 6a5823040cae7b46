from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_save
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "programs"
    verbose_name = _("Program Gerakan Serentak")

    def ready(self):
        from programs import dataversion, guards
        from programs.limits import group_model_limits
        from programs.models import DataVersion

        group_model_limits()  # "paling besar 2.147.483.647", not "2147483647"

        # Tables added to VERSIONED_TABLES after migration 0006 get their trigger here.
        post_migrate.connect(dataversion.install_all, sender=self)
        post_migrate.connect(guards.install_all, sender=self)
        pre_save.connect(dataversion.new_epoch_on_restore, sender=DataVersion)
