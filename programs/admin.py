"""Django admin for programs, indicators, funding sources, targets and monthly reports.

Targets, reports and realizations keep their history (django-simple-history). A target
that already has realizations changes only with a reason (see `programs.forms_admin`).
"""

import datetime as dt
import re
from decimal import Decimal
from functools import partial
from typing import NamedTuple

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, router, transaction
from django.db.models import DecimalField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from simple_history.admin import SimpleHistoryAdmin

from programs import ytd
from programs.admin_numbers import (
    MONTH_NAMES,
    NUMBER_OVERRIDES,
    LocalizedMonthField,
    LocalizedMonthNumberField,
    LocalizedNumbersAdminMixin,
    NumberHistoryContextHelper,
    date_forms_help,
    month_of_other_year,
    shown_number,
    with_forms_help,
)
from programs.formats import date_label, month_label, month_year_label, number
from programs.forms_admin import (
    IndicatorAdminForm,
    IndicatorInlineFormSet,
    IndicatorPageForm,
    LimitedCharField,
    LockExceptionAdminForm,
    MonthlyReportAdminForm,
    ProgramAdminForm,
    RealizationAdminForm,
    RealizationInlineFormSet,
    TargetAdminForm,
    TargetChangelistForm,
    TargetChangelistFormSet,
    TargetPartsInlineFormSet,
    allocation_problems,
    headline_deletion_refusals,
    history_version,
    https_urls_formfield,
    lock_allocations,
    lock_exception_changed_since,
    parts_problems,
    target_has_realizations,
    target_has_realizations_expression,
    target_value_problems,
)
from programs.models import (
    LOCK_EXCEPTION_UNTIL_HELP,
    Attachment,
    Comment,
    FundingSource,
    Indicator,
    LockException,
    MonthlyReport,
    Notification,
    Program,
    Realization,
    ReportingExemption,
    Target,
    TargetMilestone,
    TargetSplit,
    lock_exception_longest,
)
from programs.reporting.notifications import site_text
from programs.reporting.services import province_reports_publish, province_reports_withdraw
from regencies.models import Regency

PROVINCE = "provinsi"
AMOUNT = DecimalField(max_digits=20, decimal_places=4)


SELECTION_NOT_KNOWN = _(
    "Pilihan tidak dikenali, tidak ada yang diubah: muat ulang daftar lalu pilih lagi."
)
STILL_REALIZED = _(
    "Masih dipakai oleh %(n)s baris realisasi (angka yang sudah dilaporkan), yang tidak "
    "pernah dihapus dari Admin: biarkan, atau nonaktifkan bila ada pilihan 'Aktif'."
)


class KnownKeysAutocomplete:
    """An autocomplete box re-shown after a refused save lists the posted choice only if
    it can be a key: "abc" posted for a user was looked up as an id while the page was
    drawn, a 500 in place of the form's "Pilih pilihan yang valid"."""

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        to_field = remote.model._meta.get_field(
            getattr(remote, "field_name", None) or remote.model._meta.pk.name
        )
        keys = []
        for key in value:
            try:
                to_field.to_python(key)
            except ValidationError:
                continue
            keys.append(key)
        return super().optgroups(name, keys, attr)


class KnownKeysAutocompleteSelect(KnownKeysAutocomplete, AutocompleteSelect):
    pass


class KnownKeysAutocompleteSelectMultiple(KnownKeysAutocomplete, AutocompleteSelectMultiple):
    pass


class RequestChecks:
    """What Django's admin answered with a 500, answered as a form: the rows an action is
    asked for are keys of the list's model (a selection that is none, "abc", "1.5", a
    NUL, from an old or edited page, is refused with a message, changing nothing); a
    save that meets the same row saved by another request since its form was checked (a
    double click on "Simpan", two admins adding the same target) is checked again and
    shows the form's message ("sudah ada"), where the database's refusal was a 500."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = KnownKeysAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = KnownKeysAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except IntegrityError:
            if request.method != "POST":
                raise
            # Rolled back whole (the view's transaction): the form, checked again, now
            # sees the row the other request committed.
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_changelist_instance(self, request):
        """A date hierarchy's year, month or day past Python's dates (the login logs'
        `?attempt_time__year=9999`, or twenty digits, from an edited or mistyped address)
        raised OverflowError or ValueError beyond Django's own check of them: a 500. It is
        answered as Django answers any other wrong filter: the list, unfiltered (?e=1)."""
        try:
            return super().get_changelist_instance(request)
        except (OverflowError, ValueError) as error:
            if not self.date_hierarchy:
                raise
            raise IncorrectLookupParameters(error) from error

    def get_deleted_objects(self, objs, request):
        """Realizations are never deleted from the admin (RealizationAdmin): a deletion
        that would take some with it is refused because they are reported figures, said
        as such, not as a permission the account lacks ("akun Anda tidak memiliki izin
        untuk menghapus ... realisasi" sent superusers to ask for rights they had)."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        name = Realization._meta.verbose_name
        if name in perms_needed:
            perms_needed = perms_needed - {name}
            # Protected rows come one line each ("Realisasi: ..."; 8.000 for a source in
            # use): one line says how many instead.
            prefix = f"{capfirst(name)}: "
            kept = [line for line in protected if not str(line).startswith(prefix)]
            realized = len(protected) - len(kept)
            realized += counts.get(Realization._meta.verbose_name_plural, 0)
            protected = [*kept, STILL_REALIZED % {"n": number(realized, 0)}]
        return deleted, counts, perms_needed, protected

    def response_action(self, request, queryset):
        try:
            for key in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME):
                if "\x00" in key:
                    raise ValidationError("NUL")
                self.model._meta.pk.to_python(key)
        except ValidationError:
            self.message_user(request, SELECTION_NOT_KNOWN, messages.ERROR)
            return None
        return super().response_action(request, queryset)


def check_every_admin(site) -> None:
    """The admins of other packages (users' groups, login lockouts) answer as the
    project's do (`RequestChecks`): each is registered again with it mixed in."""
    for model, model_admin in list(site._registry.items()):
        if isinstance(model_admin, RequestChecks):
            continue
        base = type(model_admin)
        checked = type(base.__name__, (RequestChecks, base), {"__module__": base.__module__})
        site.unregister(model)
        site.register(model, checked)


class RegencyOrProvinceFilter(admin.SimpleListFilter):
    """Filter on `regency`, with a "Provinsi" choice for the rows without a regency."""

    title = _("kabupaten/kota")
    parameter_name = "wilayah"

    def lookups(self, request, model_admin):
        regencies = Regency.objects.only("code", "name", "kind").order_by("code")
        return [(PROVINCE, _("Provinsi")), *((r.code, str(r)) for r in regencies)]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if value == PROVINCE:
            return queryset.filter(regency__isnull=True)
        return queryset.filter(regency_id=value)


class MonthFilter(admin.SimpleListFilter):
    title = _("bulan")
    parameter_name = "bulan"

    def lookups(self, request, model_admin):
        return [(str(month), name) for month, name in MONTHS.items()]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None or value not in {str(month) for month in MONTHS}:
            return queryset
        return queryset.filter(month=int(value))


def area_label(regency: Regency | None) -> str:
    return str(regency) if regency is not None else str(_("Provinsi"))


class MonthNamed:
    """A month-of-the-year field (`month`, 1-12, beside `year`) typed and shown by its
    name ("April"), its number still taken."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "month":
            kwargs["form_class"] = LocalizedMonthNumberField
            kwargs["widget"] = LocalizedMonthNumberField.widget
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_form(self, request, obj=None, **kwargs):
        """A month typed with its year ("11.2026") is taken when that year is the year
        box's, and refused saying so when it is another."""
        form = super().get_form(request, obj, **kwargs)

        class YearChecked(form):
            def clean(self):
                cleaned_data = super().clean()
                refused = month_of_other_year(cleaned_data.get("month"), cleaned_data.get("year"))
                if refused and not self.has_error("month"):
                    self.add_error("month", refused)
                return cleaned_data

        YearChecked.__name__ = form.__name__
        return YearChecked


class YearToDateMaintained:
    """Rebuild the year-to-date slices an admin write touched before its transaction
    commits (the admin's add, change and delete views run in one transaction)."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        ytd.flush(wait=False)  # a program another writer holds: that writer rebuilds it

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        ytd.flush(wait=False)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        ytd.flush(wait=False)


class HistoryIdsChecked:
    """A history address whose ids are no keys (.../target/abc/history/, .../history/x/)
    answers 404, as the change view does, instead of a 500 from the history views'
    int() and lookups."""

    def _check_history_ids(self, object_id, version_id=None) -> None:
        try:
            self.model._meta.pk.to_python(unquote(object_id))
            if version_id is not None:
                self.model.history.model._meta.pk.to_python(version_id)
        except ValidationError:
            raise Http404 from None

    def history_view(self, request, object_id, extra_context=None):
        self._check_history_ids(object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._check_history_ids(object_id, version_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


class HistoryNotReverted:
    """History is shown but never reverted: a reverted report would undo its workflow
    (status, verification) and a reverted realization would skip the entry rules; both
    change through the report's page and the application's services."""

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class IndicatorChoicesMixin:
    """Indicator choices are labelled with their program: fetch both in one query."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "indicator" and "queryset" not in kwargs:
            kwargs["queryset"] = Indicator.objects.select_related("program")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# Programs and indicators


class IndicatorInline(admin.TabularInline):
    model = Indicator
    form = IndicatorAdminForm
    formset = IndicatorInlineFormSet
    fields = (
        "order",
        "code",
        "name",
        "name_en",
        "unit",
        "decimals",
        "measure",
        "direction",
        "allows_negative",
        "is_headline",
    )
    formfield_overrides = NUMBER_OVERRIDES  # "1.000" is a thousand, never 1
    extra = 0
    show_change_link = True


@admin.register(Program)
class ProgramAdmin(RequestChecks, YearToDateMaintained, admin.ModelAdmin):
    form = ProgramAdminForm
    inlines = [IndicatorInline]
    # "21 Februari 2024" as the launch date; "1.000" as the order is a thousand, never 1
    formfield_overrides = NUMBER_OVERRIDES
    list_display = ("acronym", "name", "lead_agency", "launch_date", "active", "order")
    list_display_links = ("acronym", "name")
    list_editable = ("order", "active")
    list_filter = ("active",)
    search_fields = ("slug", "acronym", "name", "lead_agency")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "slug",
                    "acronym",
                    "name",
                    "name_en",
                    "description",
                    "lead_agency",
                    "lead_agency_en",
                )
            },
        ),
        (_("Peluncuran"), {"fields": ("launch_date", "launch_note", "launch_note_en")}),
        (_("Tampilan"), {"fields": ("colour", "order", "active")}),
        (_("Sumber"), {"fields": ("source_note",)}),
    )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "colour":
            kwargs["widget"] = forms.TextInput(attrs={"type": "color"})
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(Indicator)
class IndicatorAdmin(RequestChecks, YearToDateMaintained, admin.ModelAdmin):
    form = IndicatorPageForm
    formfield_overrides = NUMBER_OVERRIDES
    list_display = (
        "program",
        "code",
        "name",
        "unit",
        "measure",
        "direction",
        "is_headline",
        "requires_evidence",
    )
    list_display_links = ("code", "name")
    list_filter = (
        "program",
        "measure",
        "direction",
        "is_headline",
        "requires_evidence",
        "allows_negative",
    )
    list_select_related = ("program",)
    search_fields = ("code", "name", "program__name", "program__acronym")

    def get_deleted_objects(self, objs, request):
        """A program's headline indicator is not deleted while the program keeps others:
        listed as what protects the deletion, on the delete page and the bulk action."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        refusals = headline_deletion_refusals(list(objs))
        return deleted, counts, perms_needed, [*protected, *refusals]


@admin.register(FundingSource)
class FundingSourceAdmin(RequestChecks, admin.ModelAdmin):
    formfield_overrides = NUMBER_OVERRIDES
    list_display = ("name", "code", "category", "is_partner", "order", "active")
    list_filter = ("category", "is_partner", "active")
    search_fields = ("name", "code")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "active" in form.changed_data and not obj.active:
            self.message_user(request, *_retired_source_message(obj))

    def has_delete_permission(self, request, obj=None):
        """Never "Tidak dirinci" (FundingSource.clean): rates and levels are entered with it."""
        if obj is not None and obj.code == FundingSource.UNSPECIFIED:
            return False
        return super().has_delete_permission(request, obj)


SOURCE_RETIRED_IN_USE = _(
    "%(source)s dinonaktifkan, tetapi masih dipakai %(rows)s baris realisasi (di %(reports)s "
    "laporan): baris itu tetap tersimpan dan dihitung, dan hanya baris itu yang masih boleh "
    "memakainya. Sumber ini tidak lagi ditawarkan untuk baris baru."
)
SOURCE_RETIRED_UNUSED = _(
    "%(source)s dinonaktifkan dan tidak dipakai baris realisasi mana pun: sumber ini tidak "
    "lagi ditawarkan untuk baris baru."
)


def _retired_source_message(source: FundingSource) -> tuple[str, str]:
    """What retiring `source` leaves behind: its realizations, counted (one query)."""
    used = Realization.objects.filter(funding_source=source).aggregate(
        rows=models.Count("pk"), reports=models.Count("report", distinct=True)
    )
    if not used["rows"]:
        return SOURCE_RETIRED_UNUSED % {"source": source}, messages.SUCCESS
    counts = {"rows": number(used["rows"]), "reports": number(used["reports"])}
    return SOURCE_RETIRED_IN_USE % {"source": source, **counts}, messages.WARNING


# Targets


class TargetSplitInline(LocalizedNumbersAdminMixin, admin.TabularInline):
    model = TargetSplit
    formset = TargetPartsInlineFormSet
    fields = ("group", "value", "source_note")
    extra = 0


class TargetMilestoneInline(LocalizedNumbersAdminMixin, admin.TabularInline):
    model = TargetMilestone
    formset = TargetPartsInlineFormSet
    fields = ("label", "label_en", "due_date", "value", "source_note")
    extra = 0


REALIZED_TARGET_KEPT = _(
    "%(target)s: sudah memiliki realisasi. Ubah nilainya (dengan alasan) alih-alih menghapusnya."
)


@admin.register(Target)
class TargetAdmin(
    RequestChecks,
    HistoryIdsChecked,
    LocalizedNumbersAdminMixin,
    IndicatorChoicesMixin,
    SimpleHistoryAdmin,
):
    form = TargetAdminForm
    inlines = [TargetSplitInline, TargetMilestoneInline]
    list_display = (
        "year_label",
        "indicator",
        "area",
        "value",
        "baseline",
        "due_date",
        "allocation",
        "unallocated",
        "has_realizations",
    )
    list_display_links = ("indicator",)
    list_editable = ("value", "baseline", "due_date")
    list_filter = (
        "year",
        ("indicator__program", admin.RelatedOnlyFieldListFilter),
        RegencyOrProvinceFilter,
        "indicator__measure",
        "is_demo",
    )
    list_select_related = ("indicator__program", "regency")
    search_fields = ("indicator__name", "indicator__code", "regency__name", "source_note")
    ordering = (
        "-year",
        "indicator__program__order",
        "indicator__order",
        F("regency_id").asc(nulls_first=True),
    )
    history_list_display = ["value_shown", "baseline_shown", "due_date"]
    actions = ["copy_to_next_year"]
    value_shown = shown_number("value", _("nilai target"))
    baseline_shown = shown_number("baseline", _("nilai dasar (baseline)"))

    def get_fieldsets(self, request, obj=None):
        where = ("indicator", "regency", "year")
        if obj is not None:
            where = (*where, "seen_version")  # hidden: the version the form was opened on
        fieldsets = [
            (None, {"fields": where}),
            (
                _("Target"),
                {"fields": ("value", "baseline", "due_date", "confirm_large_change")},
            ),
            (_("Sumber"), {"fields": ("source_note", "source_url", "is_demo")}),
        ]
        if obj is not None:
            fieldsets.append((_("Perubahan"), {"fields": ("change_reason",)}))
        return fieldsets

    def get_queryset(self, request):
        regency_total = (
            Target.objects.filter(
                indicator=OuterRef("indicator"), year=OuterRef("year"), regency__isnull=False
            )
            .order_by()
            .values("indicator", "year")
            .annotate(total=Sum("value"))
            .values("total")
        )
        allocated = Coalesce(
            Subquery(regency_total, output_field=AMOUNT), Value(Decimal(0)), output_field=AMOUNT
        )
        return (
            super()
            .get_queryset(request)
            .annotate(
                allocated_to_regencies=allocated,
                unallocated_value=F("value") - allocated,
                realized=target_has_realizations_expression(),
            )
        )

    def changelist_view(self, request, extra_context=None):
        """The list's edited rows are checked and saved in one transaction: Django
        checks them before its own, so the allocations' sum (and each row's "changed
        since the list was opened") was read with no lock held until the save."""
        if request.method == "POST" and "_save" in request.POST:
            with transaction.atomic(using=router.db_for_write(self.model)):
                return super().changelist_view(request, extra_context)
        return super().changelist_view(request, extra_context)

    def get_changelist_form(self, request, **kwargs):
        kwargs.setdefault("form", TargetChangelistForm)
        return super().get_changelist_form(request, **kwargs)

    def get_changelist_formset(self, request, **kwargs):
        kwargs.setdefault("formset", TargetChangelistFormSet)
        return super().get_changelist_formset(request, **kwargs)

    def get_deleted_objects(self, objs, request):
        """A target with realizations is not deleted (alone or among the selected): its
        regency's progress would turn into "Belum ada target" with no reason kept; the
        confirmation page lists it as protected and offers no deletion."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        realized = [
            target
            for target in objs
            # annotated by get_queryset (the list, the delete page); else asked
            if (target.realized if hasattr(target, "realized") else target_has_realizations(target))
        ]
        protected = [*protected, *(REALIZED_TARGET_KEPT % {"target": t} for t in realized)]
        return deleted, counts, perms_needed, protected

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data.get("change_reason")
        if reason:
            obj._change_reason = reason
        super().save_model(request, obj, form, change)

    @admin.display(description=_("tahun"), ordering="year")
    def year_label(self, obj):
        return str(obj.year)  # not "2.024"

    @admin.display(description=_("wilayah"), ordering="regency_id")
    def area(self, obj):
        return area_label(obj.regency)

    @admin.display(description=_("Alokasi kab/kota"), ordering="allocated_to_regencies")
    def allocation(self, obj):
        if obj.regency_id is not None or not _adds_up(obj.indicator):
            return None
        return number(obj.allocated_to_regencies, obj.indicator.decimals)

    @admin.display(description=_("Belum dialokasikan"), ordering="unallocated_value")
    def unallocated(self, obj):
        # Only sums can be allocated: a ratio or a level has no "remainder".
        if obj.regency_id is not None or not _adds_up(obj.indicator):
            return None
        return number(obj.unallocated_value, obj.indicator.decimals)

    @admin.display(description=_("Sudah ada realisasi"), boolean=True, ordering="realized")
    def has_realizations(self, obj):
        return obj.realized

    @admin.action(description=_("Salin target terpilih ke tahun berikutnya"))
    def copy_to_next_year(self, request, queryset):
        """Province targets and regency allocations copied to the next year, with a reason
        kept in each new target's history; values stay editable afterwards."""
        form = CopyTargetsForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            try:
                done = targets_copy_to_next_year(
                    targets=queryset, user=request.user, reason=form.cleaned_data["reason"]
                )
            except ValidationError as refused:
                for message in refused.messages:
                    self.message_user(request, message, messages.ERROR)
                return None
            self.message_user(
                request,
                _(
                    "%(created)s target disalin ke tahun berikutnya; %(skipped)s dilewati "
                    "karena sudah ada. Periksa dan ubah nilainya bila perlu."
                )
                % {"created": number(done.created), "skipped": number(done.skipped)},
                messages.SUCCESS,
            )
            if done.renamed:
                changes = "; ".join(f"«{old}» → «{new}»" for old, new in done.renamed)
                self.message_user(request, MILESTONES_RENAMED % {"changes": changes}, messages.INFO)
            return None
        plan = targets_copy_preview(queryset)
        return TemplateResponse(
            request,
            "admin/programs/target/copy_to_next_year.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Salin target ke tahun berikutnya"),
                # What the copy will do to each selected target (skip it, rename its
                # milestones), worked out as the copy works it out.
                "plan": plan,
                "renaming": any(p.renamed for p in plan),
                "refused": any(p.problems for p in plan),
                "form": form,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )


def _adds_up(indicator) -> bool:
    return indicator.measure in (Indicator.Measure.INCREMENT, Indicator.Measure.RUNNING_TOTAL)


class CopyTargetsForm(forms.Form):
    reason = LimitedCharField(
        label=_("Alasan penyalinan"),
        max_length=500,
        widget=forms.TextInput(attrs={"size": 80}),
        help_text=_("Disimpan di riwayat setiap target baru, mis. 'Target awal 2027 (RKPD)'."),
    )


# Read by everyone with the target: in the site's language, not the admin's.
COPIED_FROM = gettext_noop("Disalin dari target %(year)s oleh %(user)s: %(reason)s")


def copied_source_note(target: Target, *, user, reason: str) -> str:
    """The copy's source note: the copied target's own source first (where its value came
    from still stands, the copy being that value), then when, by whom and why it was
    copied. It used to hold the second part only, the source lost."""
    copied = site_text(COPIED_FROM, {"year": target.year, "user": user, "reason": reason})
    original = target.source_note.strip()
    return f"{original}\n\n{copied}" if original else str(copied)


COPY_REFUSED = _("Tidak ada yang disalin: target %(target)s %(year)s: %(problem)s")
MILESTONES_RENAMED = _("Nama tahapan disesuaikan dengan tahun barunya, periksa: %(changes)s.")
MILESTONES_SAME_DAY = _(
    "tahapan %(labels)s jatuh pada tanggal yang sama (%(date)s) setelah dipindah satu tahun: "
    "ubah salah satu tanggalnya dahulu."
)


def one_year_on(day: dt.date) -> dt.date:
    """The same day a year later; 29 February, which the next year lacks, becomes the
    28th (the last day of that February, not 1 March: a month's deadline stays in it)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


# Years and numbers in digits 0-9 only ([0-9], not \d: `programs.text.other_digits`).
_YEAR = re.compile(r"(?<![0-9])([0-9]{4})(?![0-9])")
# "HUT ke-78", "HUT Sumsel ke-78", "Hari Jadi Kota Palembang ke-1341": an anniversary's
# number (up to four words between the occasion and its "ke-"), one more a year later.
_ANNIVERSARY = re.compile(
    r"(\b(?:HUT|hari\s+ulang\s+tahun|ulang\s+tahun|hari\s+jadi|dies\s+natalis)\b"
    r"(?:\s+(?!ke\b)\S+){0,4}?\s+ke-?\s*)([0-9]{1,4})(?![0-9])",
    re.IGNORECASE,
)


def label_one_year_on(label: str, *, year: int, due: dt.date) -> str:
    """A milestone's name for the copy a year later: the target's year and the
    milestone's (2024, and 2025 for one due in January 2025) one year on wherever they
    are written ("Triwulan I 2024", "30 Juni 2024", "2024/2025"), an anniversary's
    number one more ("HUT ke-78 Sumsel" is ke-79 on 15 May 2025), and a 29 February the
    28th as its date moves (`one_year_on`). Other years and numbers ("Sejak 2021", "Tahap
    ke-2") are kept."""
    moved = one_year_on(due)
    if moved.day != due.day:
        names = "|".join(re.escape(name) for name, n in MONTH_NAMES.items() if n == due.month)
        label = re.sub(
            rf"(?<![0-9])0?{due.day}(\s+(?:{names})\b)", rf"{moved.day}\1", label, flags=re.I
        )
        label = re.sub(
            rf"(?<![0-9])0?{due.day}([/.-]0?{due.month})(?![0-9])", rf"{moved.day:02d}\1", label
        )
    years = {year, due.year}
    label = _YEAR.sub(lambda m: str(int(m[1]) + 1) if int(m[1]) in years else m[1], label)
    return _ANNIVERSARY.sub(lambda m: f"{m[1]}{int(m[2]) + 1}", label)


# Kept with a renamed milestone, in the site's language (read by everyone).
MILESTONE_COPIED_FROM = gettext_noop("Disalin dari tahapan %(year)s «%(label)s».")


def _copied_milestones(target: Target) -> tuple[list[TargetMilestone], list[str]]:
    """The copy's milestones (unsaved, their target set on saving): the same values and
    sources, due a year later and named for it (`label_one_year_on`: a renamed one keeps
    its old name at the end of its source note); and what the target's milestone rules
    (`parts_problems`, one date each) find wrong with them."""
    milestones = []
    for m in target.milestones.all():
        label = label_one_year_on(m.label, year=target.year, due=m.due_date)
        note = m.source_note
        if label != m.label:
            copied = site_text(MILESTONE_COPIED_FROM, {"year": target.year, "label": m.label})
            note = f"{note.strip()}\n\n{copied}" if note.strip() else copied
        # The English name follows where the Indonesian one stays; a renamed one ("HUT
        # ke-79") leaves it blank, read as the Indonesian, rather than naming last year.
        copy = TargetMilestone(
            label=label,
            label_en=m.label_en if label == m.label else "",
            due_date=one_year_on(m.due_date),
            value=m.value,
            source_note=note,
        )
        copy.renamed_from = m.label if label != m.label else None
        milestones.append(copy)
    planned = [(m.label, m.due_date, m.value) for m in milestones]
    problems = [
        message
        for _index, message in parts_problems(target.indicator, target.value, milestones=planned)
    ]
    by_day: dict[dt.date, list[str]] = {}
    for milestone in milestones:
        by_day.setdefault(milestone.due_date, []).append(milestone.label)
    problems += [
        MILESTONES_SAME_DAY % {"labels": " & ".join(labels), "date": date_label(day)}
        for day, labels in by_day.items()
        if len(labels) > 1
    ]
    return milestones, problems


class CopiedTargets(NamedTuple):
    created: int
    skipped: int  # a target of the next year exists already
    renamed: list[tuple[str, str]]  # milestones named for the new year: (old, new)


class CopyPlan(NamedTuple):
    """What copying one target to the next year will do, shown before the copy."""

    target: Target
    skipped: bool  # a target of the next year exists already: not copied
    renamed: list[tuple[str, str]]  # its milestones named for the new year: (old, new)
    # Why the copy would be refused (`_copy_problems`: milestones falling on one day,
    # a value against its baseline or the next year's allocations), said beforehand.
    problems: tuple[str, ...] = ()


def _next_year_exists(target: Target) -> bool:
    return Target.objects.filter(
        indicator=target.indicator, regency=target.regency, year=target.year + 1
    ).exists()


def _renamed(milestones: list[TargetMilestone]) -> list[tuple[str, str]]:
    """(old name, new name) of the copied milestones (`_copied_milestones`) renamed."""
    return [(m.renamed_from, m.label) for m in milestones if m.renamed_from]


def targets_copy_preview(targets) -> list[CopyPlan]:
    """For the copy's confirmation page: per selected target, whether it will be skipped
    and which of its milestones will be renamed to what. The same functions as the copy
    (`_next_year_exists`, `_copied_milestones`), so the page cannot promise other names
    than the copy gives (before, only the message after the copy named them)."""
    selected = targets.select_related("indicator__program", "regency").prefetch_related(
        "milestones"
    )
    skipped, copied = [], []
    for target in selected:
        (skipped if _next_year_exists(target) else copied).append(target)
    milestones, problems = _copy_problems(copied)
    refused: dict[int, list[str]] = {}
    for target, problem in problems:
        refused.setdefault(target.pk, []).append(problem)
    plans = [CopyPlan(target, True, []) for target in skipped]
    plans += [
        CopyPlan(target, False, _renamed(milestones[target.pk]), tuple(refused.get(target.pk, ())))
        for target in copied
    ]
    order = {target.pk: index for index, target in enumerate(selected)}
    return sorted(plans, key=lambda plan: order[plan.target.pk])


def _copy_problems(copied: list[Target]) -> tuple[dict, list[tuple[Target, str]]]:
    """The copies' milestones (by target id) and what the targets' rules find wrong with
    the copies (`target_value_problems`, `allocation_problems` with the next year's stored
    targets, the milestones' `parts_problems` and same-day clashes), as (target, problem):
    the copy refuses them, and its confirmation page says so beforehand."""
    problems = [
        (target, problem)
        for target in copied
        for problem in target_value_problems(target.indicator, target.value, target.baseline)
    ]
    planned = [
        (None, target.indicator, target.regency_id, target.year + 1, target.value)
        for target in copied
    ]
    problems += [
        (copied[index], problem) for index, problem in allocation_problems(planned).items()
    ]
    milestones = {}
    for target in copied:
        milestones[target.pk], found = _copied_milestones(target)
        problems += [(target, problem) for problem in found]
    return milestones, problems


@transaction.atomic
def targets_copy_to_next_year(*, targets, user, reason: str) -> CopiedTargets:
    """Copy targets (with their funding splits, and their milestones a year later, named
    for it) to year + 1 where none exists yet. The copies keep the targets' rules
    (`target_value_problems`, `allocation_problems` with the next year's stored targets,
    the milestones' `parts_problems`): a copy that would break one refuses them all
    (ValidationError, one message per refused copy), before anything is written."""
    # Two copies at once (a double click on the confirmation, two admins): the second
    # waits for the first here, then finds its copies and skips them, where it failed
    # on the unique constraint (a 500). Locked in one order, so two never deadlock.
    # Their indicators first, as every writer of targets takes them (`lock_allocations`):
    # an allocation saved meanwhile is counted in the next year's sums.
    ids = list(targets.order_by().values_list("pk", flat=True))
    lock_allocations(Target.objects.filter(pk__in=ids).values_list("indicator_id", flat=True))
    locked = Target.objects.filter(pk__in=ids).order_by("pk").select_for_update()
    list(locked.values_list("pk", flat=True))
    targets = list(
        Target.objects.filter(pk__in=ids)
        .select_related("indicator__program", "regency")
        .prefetch_related("splits", "milestones")
    )
    copied = [target for target in targets if not _next_year_exists(target)]
    milestones, problems = _copy_problems(copied)
    if problems:
        raise ValidationError(
            [
                COPY_REFUSED
                % {
                    "target": f"{target.indicator} — {area_label(target.regency)}",
                    "year": target.year + 1,
                    "problem": problem,
                }
                for target, problem in problems
            ]
        )
    for target in copied:
        year = target.year + 1
        due = target.due_date
        if due is not None:
            due = one_year_on(due)
        copy = Target(
            indicator=target.indicator,
            regency=target.regency,
            year=year,
            value=target.value,
            baseline=target.baseline,
            due_date=due,
            source_note=copied_source_note(target, user=user, reason=reason),
            source_url=target.source_url,
            is_demo=target.is_demo,
        )
        copy._change_reason = reason
        copy.save()
        for split in target.splits.all():
            TargetSplit.objects.create(
                target=copy, group=split.group, value=split.value, source_note=split.source_note
            )
        for milestone in milestones[target.pk]:
            milestone.target = copy
            milestone.save()
    renamed = [pair for target in copied for pair in _renamed(milestones[target.pk])]
    return CopiedTargets(len(copied), len(targets) - len(copied), renamed)


# Monthly reports and realizations

WORKFLOW_FIELDS = (
    "status",
    "version",
    "created_at",
    "created_by",
    "updated_at",
    "submitted_at",
    "submitted_by",
    "first_submitted_at",
    "verified_at",
    "verified_by",
    "returned_at",
    "returned_by",
    "return_reason",
)


# Which report it is: fixed once created (moving it would move its figures to another
# regency or month, past that month's own rules).
REPORT_PLACE_FIELDS = ("regency", "program", "year", "month")
REPORT_PLACE_SHOWN = ("regency", "program", "year_shown", "month_shown")


class RealizationInline(LocalizedNumbersAdminMixin, IndicatorChoicesMixin, admin.TabularInline):
    model = Realization
    form = RealizationAdminForm
    formset = RealizationInlineFormSet
    fields = ("indicator", "funding_source", "value", "numerator", "denominator", "note")
    extra = 0
    formfield_overrides = {
        **NUMBER_OVERRIDES,
        # A one-line note keeps the table readable.
        models.TextField: {"widget": forms.TextInput(attrs={"size": 30})},
    }

    def get_formset(self, request, obj=None, **kwargs):
        kwargs["formfield_callback"] = partial(
            self.formfield_for_dbfield, request=request, report=obj
        )
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_dbfield(self, db_field, request, report=None, **kwargs):
        if db_field.name == "indicator" and report is not None:
            # An existing report offers only its own program's indicators.
            kwargs["queryset"] = Indicator.objects.filter(
                program_id=report.program_id
            ).select_related("program")
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(MonthlyReport)
class MonthlyReportAdmin(
    RequestChecks,
    HistoryIdsChecked,
    MonthNamed,
    LocalizedNumbersAdminMixin,
    YearToDateMaintained,
    HistoryNotReverted,
    SimpleHistoryAdmin,
):
    """Reports and their realizations; the workflow itself (submit, verify, return) runs
    through the application's services, so its fields are read-only here. Realizations
    follow the entry form's rules (`RealizationAdminForm`); a report stays in its place and
    month once created. "Lihat di situs" opens a regency report's entry page."""

    form = MonthlyReportAdminForm
    inlines = [RealizationInline]
    list_display = (
        "area",
        "program",
        "period",
        "status",
        "submitted_at",
        "verified_at",
        "is_demo",
    )
    list_display_links = ("area", "period")
    list_filter = (
        "year",
        MonthFilter,
        "status",
        "program",
        RegencyOrProvinceFilter,
        "is_demo",
    )
    list_select_related = ("regency", "program")
    search_fields = ("regency__name", "program__name", "program__acronym", "program__slug")
    fieldsets = (
        (None, {"fields": (*REPORT_PLACE_FIELDS, "is_demo")}),
        (
            _("Alur laporan"),
            {
                "fields": WORKFLOW_FIELDS,
                "description": _(
                    "Pengajuan, verifikasi dan pengembalian dilakukan melalui aplikasi, "
                    "bukan di sini. Laporan provinsi (tanpa kabupaten/kota) dihitung di "
                    "dasbor setelah diterbitkan: pilih di daftar laporan, lalu tindakan "
                    '"Terbitkan laporan provinsi terpilih".'
                ),
            },
        ),
    )
    history_list_display = ["status", "version"]
    actions = ["publish_province_reports", "withdraw_province_reports"]

    @admin.action(description=_("Terbitkan laporan provinsi terpilih (terverifikasi)"))
    def publish_province_reports(self, request, queryset):
        """The province's own reports have no operator nor queue: published here."""
        message = _("%(done)s laporan provinsi diterbitkan dan kini dihitung di dasbor.")
        self._province_action(request, queryset, province_reports_publish, message)

    @admin.action(description=_("Tarik laporan provinsi terpilih ke draf"))
    def withdraw_province_reports(self, request, queryset):
        message = _("%(done)s laporan provinsi ditarik ke draf dan tidak lagi dihitung di dasbor.")
        self._province_action(request, queryset, province_reports_withdraw, message)

    def _province_action(self, request, queryset, service, message):
        done, skipped = service(user=request.user, reports=queryset)
        self.message_user(request, message % {"done": number(done)}, messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                _(
                    "%(skipped)s laporan dilewati: laporan kabupaten/kota diverifikasi di "
                    "halaman Verifikasi, dan yang sudah berstatus itu tidak diubah."
                )
                % {"skipped": number(skipped)},
                messages.WARNING,
            )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        (name, options), *rest = fieldsets
        # hidden: the version the form was opened on (MonthlyReportAdminForm); the reason
        # and confirmation of a change to the realizations below
        fields = (
            *REPORT_PLACE_SHOWN,
            "is_demo",
            "change_reason",
            "confirm_large_change",
            "seen_version",
        )
        return [(name, {**options, "fields": fields}), *rest]

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if request.method == "POST" and isinstance(inline, RealizationInline):
            kwargs["reason"] = request.POST.get("change_reason", "").strip()
            kwargs["confirm"] = request.POST.get("confirm_large_change") in {"on", "true", "1"}
        return kwargs

    def save_formset(self, request, form, formset, change):
        """The report's reason goes to each changed realization's history too."""
        reason = form.cleaned_data.get("change_reason")
        if not reason:
            return super().save_formset(request, form, formset, change)
        for obj in formset.save(commit=False):
            obj._change_reason = reason
            obj.save()
        for obj in formset.deleted_objects:
            obj._change_reason = reason
            obj.delete()
        formset.save_m2m()
        return None

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return WORKFLOW_FIELDS
        return (*REPORT_PLACE_SHOWN, *WORKFLOW_FIELDS)

    # The fixed year and month as read: "2026" and "November", not the numbers' "2.026"
    # and "11" of a read-only number field.
    @admin.display(description=_("tahun"))
    def year_shown(self, obj):
        return str(obj.year)

    @admin.display(description=_("bulan"))
    def month_shown(self, obj):
        return month_label(obj.month)

    def save_model(self, request, obj, form, change):
        if form.cleaned_data.get("change_reason"):
            obj._change_reason = form.cleaned_data["change_reason"]
        if change:
            obj.version += 1  # an open entry form must not overwrite the admin's change
        elif obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("kabupaten/kota"), ordering="regency_id")
    def area(self, obj):
        return area_label(obj.regency)

    @admin.display(description=_("periode"), ordering="year")
    def period(self, obj):
        return obj.period_label


@admin.register(Realization)
class RealizationAdmin(
    RequestChecks,
    HistoryIdsChecked,
    LocalizedNumbersAdminMixin,
    HistoryNotReverted,
    SimpleHistoryAdmin,
):
    """Realizations listed and shown only: they change with their report, on the report's
    admin page (whose save checks the entry rules for the report as a whole and raises the
    report's version, so an entry form open on it cannot overwrite the change)."""

    list_display = (
        "report",
        "indicator",
        "funding_source",
        "value_shown",
        "numerator_shown",
        "denominator_shown",
    )
    value_shown = shown_number("value", _("nilai"))
    numerator_shown = shown_number("numerator", _("pembilang"))
    denominator_shown = shown_number("denominator", _("penyebut"))
    list_filter = (
        "report__year",
        "report__status",
        ("indicator__program", admin.RelatedOnlyFieldListFilter),
        "funding_source__category",
    )
    list_select_related = (
        "report__regency",
        "report__program",
        "indicator__program",
        "funding_source",
    )
    # The regency by name (its code too): joined in the list's one query, like the report.
    search_fields = (
        "report__regency__name",
        "report__regency__code",
        "indicator__name",
        "indicator__code",
        "funding_source__name",
        "note",
    )
    history_list_display = ["value_shown", "numerator_shown", "denominator_shown"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


LOCK_EXCEPTION_CHANGED_BEFORE_DELETE = _(
    "Pengecualian kunci %(exception)s sudah diubah orang lain sejak Anda membukanya (kini "
    "berlaku sampai %(until)s, oleh %(by)s). Tidak ada yang dihapus: periksa lalu hapus "
    "lagi bila memang tidak diperlukan."
)
# What decides an exception, beside its reason: whoever changes one of these grants it.
LOCK_EXCEPTION_GRANT_FIELDS = ("regency", "program", "year", "month", "until")


# The versions of the lock exceptions whose delete confirmation this session was last
# shown, by id: the confirmation is Django's own page, so what it was opened on is kept
# on the server, not in a hidden field of a copied template.
SEEN_FOR_DELETE = "lockexception-delete-seen"


def _remember_seen_for_delete(request, pks) -> None:
    seen = dict(request.session.get(SEEN_FOR_DELETE, {}))
    seen.update({str(pk): history_version(LockException, pk) for pk in pks})
    request.session[SEEN_FOR_DELETE] = seen


def _seen_for_delete(request, pk) -> int | None:
    """The version the confirmation of `pk` showed this session; None when it was never
    shown (a deletion posted without its page), which no stored exception matches."""
    return request.session.get(SEEN_FOR_DELETE, {}).get(str(pk))


@admin.action(permissions=["delete"])
def delete_selected_lock_exceptions(modeladmin, request, queryset):
    """Django's "delete selected", refusing the whole deletion when an exception was
    changed (a verifier lengthened it) since the confirmation page was opened: that page
    showed each one's version, as the change form does (kept in the session)."""
    from django.contrib.admin.actions import delete_selected

    if not request.POST.get("post"):
        response = delete_selected(modeladmin, request, queryset)
        if isinstance(response, TemplateResponse):
            _remember_seen_for_delete(request, queryset.values_list("pk", flat=True))
        return response
    with transaction.atomic(using=router.db_for_write(LockException)):
        changed = [
            stored
            for pk in queryset.order_by("pk").values_list("pk", flat=True)
            if (stored := lock_exception_changed_since(pk, _seen_for_delete(request, pk)))
        ]
        if not changed:
            return delete_selected(modeladmin, request, queryset)
    for stored in changed:
        modeladmin.message_user(
            request, LockExceptionAdmin.changed_before_delete(stored), messages.ERROR
        )
    return None


@admin.register(LockException)
class LockExceptionAdmin(
    RequestChecks, HistoryIdsChecked, MonthNamed, LocalizedNumbersAdminMixin, SimpleHistoryAdmin
):
    """Lets a regency edit one locked month of a program until a date; every grant and
    change is kept in history with the admin who made it."""

    form = LockExceptionAdminForm
    list_display = ["regency", "program", "period", "until", "granted_by", "granted_at"]
    list_filter = ["program", "year", MonthFilter, "regency"]
    search_fields = ["regency__name", "reason"]
    readonly_fields = ["granted_by", "granted_at"]

    def get_fields(self, request, obj=None):
        fields = ["regency", "program", "year", "month", "until", "reason"]
        if obj is not None:
            fields.append("seen_version")  # hidden: the version the form was opened on
        return [*fields, "granted_by", "granted_at"]

    # The month opened, as people name it: "September 2026", not "2.026" and "9".
    @admin.display(description=_("bulan"), ordering="year")
    def period(self, obj):
        return month_year_label(obj.year, obj.month)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "until" and field is not None:
            # Until the end of that day (inclusive), and the last day allowed, named
            # before the admin types one.
            longest = lock_exception_longest(timezone.localdate())
            field.help_text = with_forms_help(
                LOCK_EXCEPTION_UNTIL_HELP % {"date": date_label(longest)}, date_forms_help()
            )
        return field

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            actions["delete_selected"] = (
                delete_selected_lock_exceptions,
                "delete_selected",
                actions["delete_selected"][2],
            )
        return actions

    @staticmethod
    def changed_before_delete(stored: LockException) -> str:
        return LOCK_EXCEPTION_CHANGED_BEFORE_DELETE % {
            "exception": stored,
            "until": date_label(stored.until),
            "by": stored.granted_by or "–",
        }

    def delete_view(self, request, object_id, extra_context=None):
        """The confirmation page's version is kept in the session; a deletion confirmed
        after someone changed it (a verifier returning the month's report lengthens it)
        is refused, naming the date and who set it, and the page is shown again as it
        stands now. It used to remove the verifier's newer exception silently."""
        if request.method == "POST" and request.POST.get("post"):
            with transaction.atomic(using=router.db_for_write(self.model)):
                obj = self.get_object(request, unquote(object_id))
                changed = None
                if obj is not None and self.has_delete_permission(request, obj):
                    changed = lock_exception_changed_since(
                        obj.pk, _seen_for_delete(request, obj.pk)
                    )
                if changed is None:
                    return super().delete_view(request, object_id, extra_context)
            self.message_user(request, self.changed_before_delete(changed), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        response = super().delete_view(request, object_id, extra_context)
        if isinstance(response, TemplateResponse) and "object" in response.context_data:
            _remember_seen_for_delete(request, [response.context_data["object"].pk])
        return response

    def save_model(self, request, obj, form, change):
        if not change or any(name in form.changed_data for name in LOCK_EXCEPTION_GRANT_FIELDS):
            # Whoever sets the date (or the month) grants the exception: an admin's new
            # date on a verifier's exception is the admin's, and says so. The history
            # keeps who set each earlier one.
            obj.granted_by, obj.granted_at = request.user, timezone.now()
        obj._change_reason = obj.reason
        super().save_model(request, obj, form, change)


class MonthsHistoryContextHelper(NumberHistoryContextHelper):
    """An exemption's changes name its months ("Januari 2027 → November 2026"), not the
    first days they are kept as ("1 Januari 2027")."""

    MONTH_FIELDS = ("start", "end")

    def prepare_delta_change_value(self, change, value):
        if change.field in self.MONTH_FIELDS and isinstance(value, dt.date):
            return month_year_label(value.year, value.month)
        return super().prepare_delta_change_value(change, value)


class BeforeLaunchFilter(admin.SimpleListFilter):
    """Exemptions whose every month is before their program's launch month (stored before
    that rule, or before the launch date was moved later): they exempt nothing."""

    title = _("sebelum peluncuran program")
    parameter_name = "sebelum_peluncuran"
    YES, NO = "ya", "tidak"

    def lookups(self, request, model_admin):
        return [
            (self.YES, _("Ya: seluruhnya sebelum peluncuran")),
            (self.NO, _("Tidak")),
        ]

    def queryset(self, request, queryset):
        # The end is kept as its month's first day: wholly before the launch month
        # when it is before that month's first day (`ReportingExemption.lies_before_launch`).
        before = Q(
            end__isnull=False,
            program__launch_date__isnull=False,
            end__lt=TruncMonth("program__launch_date", output_field=models.DateField()),
        )
        if self.value() == self.YES:
            return queryset.filter(before)
        if self.value() == self.NO:
            return queryset.exclude(before)
        return queryset


class ReportingExemptionAdminForm(forms.ModelForm):
    """The rules an exemption is checked by span the regency's other exemptions (no two
    of the same months, not every indicator exempted one by one): two admins saving two
    of them at once each checked against the rows committed so far, and both were saved,
    overlapping. Inside the admin's transaction, the regencies' rows are held (FOR NO KEY
    UPDATE, in code order: a report or target that refers to a regency is still written
    meanwhile) before the model's checks, so the second save waits, then sees the first;
    the program's row too, so a launch date moved at the same time is seen."""

    class Meta:
        model = ReportingExemption
        fields = ("regency", "program", "indicator", "start", "end", "reason", "source_url")
        formfield_callback = https_urls_formfield

    def clean(self):
        cleaned_data = super().clean()
        if not transaction.get_connection(router.db_for_write(Regency)).in_atomic_block:
            return cleaned_data  # a form checked outside a save: nothing to hold
        # The program first, as its own page holds it (`ProgramAdminForm`): a launch date
        # moved later meanwhile is read, and this exemption refused if wholly before it.
        program = cleaned_data.get("program")
        programs = {self.instance.program_id, program.pk if program is not None else None}
        held = Program.objects.filter(pk__in=[pk for pk in programs if pk]).order_by("pk")
        list(held.select_for_update(no_key=True).values_list("pk", flat=True))
        if program is not None:
            program.refresh_from_db(fields=["launch_date"])  # read before it was held
        regency = cleaned_data.get("regency")
        codes = {self.instance.regency_id, regency.pk if regency is not None else None}
        rows = Regency.objects.filter(pk__in=[code for code in codes if code]).order_by("pk")
        list(rows.select_for_update(no_key=True).values_list("pk", flat=True))
        return cleaned_data


BEFORE_LAUNCH_IN_LIST = _(
    "Seluruhnya sebelum peluncuran program (%(first)s): tidak mengecualikan apa pun. Hapus, "
    "atau ubah agar berlaku sampai %(first)s atau sesudahnya."
)


@admin.register(ReportingExemption)
class ReportingExemptionAdmin(
    RequestChecks, HistoryIdsChecked, LocalizedNumbersAdminMixin, SimpleHistoryAdmin
):
    """Who does not have to report a program (or one indicator) and for which months;
    every change is kept in history with who made it and why. One wholly before its
    program's launch is marked in the list (column and filter) as on its page."""

    list_display = [
        "regency",
        "program",
        "indicator",
        "start_month",
        "end_month",
        "before_launch",
    ]
    list_filter = ["program", "regency", BeforeLaunchFilter]
    list_select_related = ["regency", "program", "indicator__program"]
    form = ReportingExemptionAdminForm
    search_fields = ["regency__name", "reason"]
    fields = ["regency", "program", "indicator", "start", "end", "reason", "source_url"]
    history_list_display = ["start_month", "end_month", "reason"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # Months, typed and shown as months ("Maret 2027", 03/2027, 2027-03): the
        # date boxes wanted a day, and their calendar offered days.
        if db_field.name in ("start", "end"):
            kwargs["form_class"] = LocalizedMonthField
            kwargs["widget"] = LocalizedMonthField.widget
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_historical_record_context_helper(self, request, historical_record):
        return MonthsHistoryContextHelper(self.model, historical_record)

    # Months, as the fields mean them: an end typed 30/11/2026 is kept as its month and
    # was listed "1 November 2026", which reads as ending on the 1st.
    @admin.display(description=_("tidak wajib mulai bulan"), ordering="start")
    def start_month(self, obj):
        return month_year_label(obj.start.year, obj.start.month)

    @admin.display(description=_("sampai bulan"), ordering="end")
    def end_month(self, obj):
        return month_year_label(obj.end.year, obj.end.month) if obj.end else "–"

    @admin.display(description=_("peringatan"))
    def before_launch(self, obj):
        """Said in the list as on the exemption's page, where it had to be opened to be
        seen: it exempts nothing, and is deleted or made to run into the launch month."""
        if not obj.lies_before_launch():
            return ""
        launch = obj.program.launch_date
        return format_html(
            '<span class="before-launch">{}</span>',
            BEFORE_LAUNCH_IN_LIST % {"first": month_year_label(launch.year, launch.month)},
        )

    def save_model(self, request, obj, form, change):
        obj._change_reason = obj.reason
        super().save_model(request, obj, form, change)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """An exemption wholly before its program's launch (stored before that rule, or
        before the launch date was moved later) says so when opened, with what to do:
        saved as it is, it is refused (`ReportingExemption.clean`); deleted, always."""
        if request.method == "GET":
            exemption = self.get_object(request, unquote(object_id))
            if exemption is not None and exemption.lies_before_launch():
                self.message_user(request, exemption.before_launch_message(), messages.WARNING)
        return super().change_view(request, object_id, form_url, extra_context)


# Evidence and conversation: written through the app's services (checked uploads, scope),
# so the admin only lists them.


class ReadOnlyAdmin(RequestChecks, admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ("original_name", "report", "indicator", "kind", "size", "is_public")
    list_filter = ("kind", "is_public")
    list_select_related = ("report__program", "report__regency", "indicator__program")
    search_fields = ("original_name", "caption")
    exclude = ("file", "thumbnail")


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ("report", "author", "kind", "created_at")
    list_filter = ("kind",)
    list_select_related = ("report__program", "report__regency", "author")


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("user", "kind", "sentence", "created_at", "read_at")
    list_filter = ("kind",)
    list_select_related = ("user", "report__program", "report__regency")

    @admin.display(description=_("isi"))
    def sentence(self, obj):
        return obj.display_text  # in the admin's language, as the bell reads it
