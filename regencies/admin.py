"""Django admin for the kabupaten/kota and for users with their scope (role, regency,
programs)."""

from collections import defaultdict

from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import CASCADE, Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from programs.admin import RequestChecks
from programs.admin_numbers import (
    NUMBER_OVERRIDES,
    YEAR_LIMITED_DATE_OVERRIDES,
    GroupedIntegerField,
)
from programs.formats import number
from programs.forms_admin import (
    confirm_large_change_field,
    model_limits_first,
    refuse_large_changes,
)
from regencies.models import Regency, UserScope

User = get_user_model()
ALL_PROGRAMS = _("Semua program")
BPS_CODE_TAKEN = _("Kode BPS %(code)s sudah dipakai %(regency)s.")


REGENCY_FIELDS = (
    "bps_code",
    "name",
    "kind",
    "capital",
    "area_km2",
    "population",
    "population_year",
    "is_synthetic",
    "source_note",
)


class RegencyAdminForm(forms.ModelForm):
    """Area and population changed by more than half or by an order of magnitude (12.258
    km² -> 2,5: a decimal comma for a thousands dot?) are saved only once confirmed, as
    a target's value is."""

    confirm_large_change = confirm_large_change_field()

    class Meta:
        model = Regency
        fields = REGENCY_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        model_limits_first(self)  # 3.000.000.000 is past the column, not a large change

    def clean_bps_code(self):
        code = self.cleaned_data["bps_code"]
        other = Regency.objects.filter(bps_code=code).exclude(pk=self.instance.pk).first()
        if other is not None:
            raise forms.ValidationError(
                BPS_CODE_TAKEN % {"code": code, "regency": other}, code="unique"
            )
        return code

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk is not None:
            stored = Regency.objects.filter(pk=self.instance.pk).first()
            confirm = cleaned_data.get("confirm_large_change")
            # Zero or less has its own message (the model's validator), not this one.
            names = [
                name
                for name in ("area_km2", "population")
                if cleaned_data.get(name) is None or cleaned_data[name] > 0
            ]
            refuse_large_changes(self, stored, names, confirm=confirm)
        return cleaned_data


@admin.register(Regency)
class RegencyAdmin(RequestChecks, admin.ModelAdmin):
    form = RegencyAdminForm
    # Area (km², 3 decimals) and population typed in the active language (1.234.567), like
    # every admin number.
    formfield_overrides = NUMBER_OVERRIDES
    list_display = ("code", "bps_code", "name", "kind", "capital", "population")
    list_display_links = ("code", "name")
    list_filter = ("kind", "is_synthetic")
    search_fields = ("code", "bps_code", "name", "capital")
    fields = ("code", *REGENCY_FIELDS[:7], "confirm_large_change", *REGENCY_FIELDS[7:])

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "population":
            # Shown grouped (955.000), unlike a year (2025).
            kwargs["form_class"] = GroupedIntegerField
            # Zero or less is the model's one message ("harus lebih dari 0"), not the
            # form's "at least 0" of a positive integer field, which 0 passes.
            kwargs["min_value"] = None
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        # The Kemendagri code is the primary key: editing it would create a new regency.
        return ("code",) if obj is not None else ()


class UserScopeInline(admin.StackedInline):
    model = UserScope
    fields = ("role", "regency", "programs")
    filter_horizontal = ("programs",)
    can_delete = False
    extra = 1
    max_num = 1
    verbose_name_plural = pgettext_lazy("jamak", "lingkup pengguna")


def _scope_of(user) -> UserScope | None:
    try:
        return user.scope
    except ObjectDoesNotExist:
        return None


AUDIT_KEPT = _(
    "%(user)s tercatat dalam jejak audit (%(count)s catatan: laporan yang dibuat, diajukan, "
    "diverifikasi atau dikembalikan, riwayat perubahan, pengecualian kunci, lampiran, "
    "komentar atau log admin). Menghapus akun ini menghapus namanya dari catatan itu: "
    "nonaktifkan saja akunnya (hapus centang 'Aktif') agar tidak dapat masuk lagi."
)


def _audit_fields() -> list[tuple[type, str]]:
    """(model, field) of every record naming a user as the one who did something: the
    references a deletion would empty (SET_NULL, and DO_NOTHING on history copies), and
    the admin's own log, which Django deletes with the user. What belongs to the user
    alone (scope, notifications, saved views, import previews) goes with them."""
    found = []
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if not (field.many_to_one and field.concrete and field.related_model is User):
                continue
            if field.remote_field.on_delete is not CASCADE or model is LogEntry:
                found.append((model, field.name))
    return found


def audit_records(users) -> dict[int, int]:
    """How many audit records (`_audit_fields`) name each of `users`, by user id."""
    ids = [user.pk for user in users]
    counts: dict[int, int] = defaultdict(int)
    for model, name in _audit_fields():
        rows = (
            model._default_manager.filter(**{f"{name}__in": ids})
            .order_by()
            .values(name)
            .annotate(records=Count("pk"))
        )
        for row in rows:
            counts[row[name]] += row["records"]
    return counts


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(RequestChecks, BaseUserAdmin):
    # "date joined" typed day first, like every date, in the years the site keeps
    formfield_overrides = YEAR_LIMITED_DATE_OVERRIDES
    inlines = [UserScopeInline]
    list_display = (*BaseUserAdmin.list_display, "role", "scope_regency")
    list_filter = ("scope__role", *BaseUserAdmin.list_filter)
    list_select_related = ("scope__regency",)

    def get_deleted_objects(self, objs, request):
        """A user named in the audit trail (who entered, submitted, verified or returned a
        report, changed a target, granted an exception...) is not deleted, alone or among
        the selected: the trail would lose who did it (the reports read "Diverifikasi
        oleh: -"). The confirmation page lists why and offers no deletion; deactivating
        the account stops its logins and keeps the name."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        users = list(objs)
        records = audit_records(users)
        protected = [
            *protected,
            *(
                AUDIT_KEPT % {"user": user.get_username(), "count": number(records[user.pk])}
                for user in users
                if records.get(user.pk)
            ),
        ]
        return deleted, counts, perms_needed, protected

    @admin.display(description=_("peran"), ordering="scope__role")
    def role(self, obj):
        scope = _scope_of(obj)
        return scope.get_role_display() if scope else None

    @admin.display(description=_("kabupaten/kota"), ordering="scope__regency_id")
    def scope_regency(self, obj):
        scope = _scope_of(obj)
        return str(scope.regency) if scope and scope.regency_id else None


@admin.register(UserScope)
class UserScopeAdmin(RequestChecks, admin.ModelAdmin):
    list_display = ("user", "role", "regency", "program_list")
    list_filter = ("role", "regency")
    list_select_related = ("user", "regency")
    search_fields = ("user__username", "user__first_name", "user__last_name", "user__email")
    filter_horizontal = ("programs",)
    autocomplete_fields = ("user",)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("programs")

    @admin.display(description=_("program"))
    def program_list(self, obj):
        programs = obj.programs.all()
        return ", ".join(p.label for p in programs) if programs else ALL_PROGRAMS
