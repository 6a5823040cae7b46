from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_save
from django.http import multipartparser
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "programs"
    verbose_name = _("Program Gerakan Serentak")

    # The bytes Django's multipart parser reads of one part's headers. Its own 1,024
    # (MAX_TOTAL_HEADER_SIZE, a module constant no setting changes) refused an upload
    # named in 255 emoji (1,020 bytes of name alone) with a bare 400 page, the photo or
    # sheet lost; the name is only a label, shortened where it is kept
    # (evidence.safe_name, UploadedFile's 255 characters). Still a bound on the headers.
    upload_part_header_bytes = 8 * 1024

    def ready(self):
        from programs import dataversion, guards
        from programs.limits import group_model_limits
        from programs.models import DataVersion

        group_model_limits()  # "paling besar 2.147.483.647", not "2147483647"
        multipartparser.MAX_TOTAL_HEADER_SIZE = self.upload_part_header_bytes

        # Tables added to VERSIONED_TABLES after migration 0006 get their trigger here.
        post_migrate.connect(dataversion.install_all, sender=self)
        post_migrate.connect(guards.install_all, sender=self)
        pre_save.connect(dataversion.new_epoch_on_restore, sender=DataVersion)
