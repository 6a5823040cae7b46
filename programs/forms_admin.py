"""Forms and rules used only by the Django admin of `programs`.

A target that already has realizations may only change together with a reason, which
django-simple-history keeps as the history record's change reason. The change form asks
for it; the changelist (list_editable) cannot, so there the change is refused.
"""

import hashlib
from collections import defaultdict
from decimal import Decimal
from functools import cache

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models, transaction
from django.db.models import BooleanField, Case, Exists, OuterRef, Q, QuerySet, When
from django.forms.boundfield import BoundField
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from programs import permissions
from programs.formats import date_label, number
from programs.models import (
    DUE_DATE_OUTSIDE_YEAR,
    Indicator,
    LockException,
    MonthlyReport,
    Program,
    Realization,
    Target,
    TargetSplit,
)
from programs.obligations import Obligations
from programs.reporting import rules
from programs.text import visible_text, whole_number

REASON_REQUIRED = _("Target ini sudah memiliki realisasi: isi alasan perubahan.")
REASON_HELP = _(
    "Wajib diisi bila target sudah memiliki realisasi dan nilai, nilai dasar, batas waktu, "
    "indikator, wilayah atau tahunnya diubah. Disimpan di riwayat target."
)
REASON_HELP_HAS_REALIZATIONS = _(
    "Target ini sudah memiliki realisasi: perubahan nilai, nilai dasar, batas waktu, "
    "indikator, wilayah atau tahun wajib disertai alasan. Disimpan di riwayat target."
)
LIST_EDIT_REFUSED = _(
    "Target ini sudah memiliki realisasi, sehingga perubahannya wajib disertai alasan. "
    "Tidak ada yang disimpan: ubah target ini melalui "
    '<a href="{url}">halaman ubah target</a> dan isi alasan perubahan.'
)
ONE_HEADLINE_PER_PROGRAM = _("Satu program hanya boleh punya satu indikator utama.")
INDICATOR_NOT_IN_PROGRAM = _("Indikator ini bukan bagian dari program laporan ini.")

# Changing any of these on a target with realizations needs a reason.
GUARDED_FIELDS = ("value", "baseline", "due_date", "indicator", "regency", "year")
REASON_MAX_LENGTH = 1000  # stored in a text field (SIMPLE_HISTORY_..._USE_TEXT_FIELD)
TEXT_TOO_LONG = _("Paling banyak %(limit)s karakter (sekarang %(length)s karakter).")


class TextMaxLengthValidator(MaxLengthValidator):
    """Django's length check with its counts written as the language writes numbers
    (paling banyak 1.000 karakter): Django's own message prints them with %d."""

    def __call__(self, value):
        if len(value) > self.limit_value:
            params = {"limit": number(self.limit_value), "length": number(len(value))}
            raise ValidationError(TEXT_TOO_LONG, code="max_length", params=params)


class LimitedCharField(forms.CharField):
    """A CharField (maxlength in its widget) whose length message uses the app's numbers."""

    def __init__(self, *, max_length: int, **kwargs):
        super().__init__(max_length=max_length, **kwargs)
        self.validators = [
            TextMaxLengthValidator(max_length) if isinstance(v, MaxLengthValidator) else v
            for v in self.validators
        ]


def target_realizations(*, indicator_id: int, regency_code: str | None, year: int) -> QuerySet:
    """Realizations counted against a target, whatever their report's status.

    Same indicator and year; for a regency target only that regency's reports, for a
    province target (no regency) every report, the province's own included.
    """
    realizations = Realization.objects.filter(indicator_id=indicator_id, report__year=year)
    if regency_code is not None:
        realizations = realizations.filter(report__regency_id=regency_code)
    return realizations


def target_has_realizations(target: Target) -> bool:
    return target_realizations(
        indicator_id=target.indicator_id, regency_code=target.regency_id, year=target.year
    ).exists()


def target_has_realizations_expression():
    """`target_has_realizations` as an expression for annotating a Target queryset."""
    same_indicator_year = Realization.objects.filter(
        indicator=OuterRef("indicator"), report__year=OuterRef("year")
    )
    return Case(
        When(regency__isnull=True, then=Exists(same_indicator_year)),
        default=Exists(same_indicator_year.filter(report__regency=OuterRef("regency"))),
        output_field=BooleanField(),
    )


def history_version(model, pk: int) -> int | None:
    """The id of a row's latest history record: every save of a row with history writes
    one, so it changes with each write. None for a row never saved since it was loaded
    from a fixture."""
    return (
        model.history.filter(id=pk)
        .order_by("-history_id")
        .values_list("history_id", flat=True)
        .first()
    )


def target_version(target_id: int) -> int | None:
    """A target's `history_version`: every writer of targets saves one (the admin, the
    changelist, the import, the copy to the next year)."""
    return history_version(Target, target_id)


class TargetGuardMixin:
    """Finds guarded changes against the row as stored now, not against the form's initial.

    Comparing with the database (rather than `changed_data`) also covers a revert from the
    history page, whose form starts from an old version of the target. A submitted form
    inside a transaction (the admin's add and change views) locks the row until the save.
    """

    @cached_property
    def stored_target(self) -> Target | None:
        if self.instance.pk is None:
            return None
        stored = Target.objects.filter(pk=self.instance.pk)
        if self.is_bound and transaction.get_connection(stored.db).in_atomic_block:
            # Its indicator first (and the one it moves to), as every writer of targets
            # takes them (`lock_allocations`), then the row.
            lock_allocations([self.instance.indicator_id, self._posted_indicator_id()])
            stored = stored.select_for_update()
        return stored.first()

    def _posted_indicator_id(self) -> int | None:
        if "indicator" not in self.fields:
            return None
        # None: the field's own error says so.
        return whole_number(self.data.get(self.add_prefix("indicator")))

    def guarded_changes(self) -> list[str]:
        stored = self.stored_target
        if stored is None:
            return []
        changed = []
        for name in GUARDED_FIELDS:
            if name not in self.fields or name not in self.cleaned_data:
                continue
            new = self.cleaned_data[name]
            field = Target._meta.get_field(name)
            old = getattr(stored, field.attname)
            if field.is_relation:
                new = new.pk if new is not None else None
            if new != old:
                changed.append(name)
        return changed

    def stored_target_has_realizations(self) -> bool:
        return self.stored_target is not None and target_has_realizations(self.stored_target)


def https_urls_formfield(db_field, **kwargs):
    """Links typed without a scheme become https:// (Django 6's default)."""
    if isinstance(db_field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return db_field.formfield(**kwargs)


LARGE_CHANGE = _(
    "Perubahan besar: dari %(old)s menjadi %(new)s. Periksa pemisah ribuan dan desimal "
    "(8.600 = delapan ribu enam ratus; 14,33 = empat belas koma tiga tiga), lalu centang "
    "'Ya, perubahan ini benar' untuk menyimpan."
)
LARGE_CHANGE_IN_LIST = _(
    "Perubahan besar (dari %(old)s menjadi %(new)s) tidak disimpan dari daftar: ubah "
    "target ini melalui halaman ubah target, yang meminta konfirmasi."
)


def confirm_large_change_field() -> forms.BooleanField:
    """The box that lets a large change of a stored number be saved (`refuse_large_changes`)."""
    return forms.BooleanField(
        label=_("Ya, perubahan ini benar"),
        required=False,
        help_text=_("Diminta bila nilai berubah lebih dari separuh atau berbeda orde besarnya."),
    )


def refuse_large_changes(form, stored, names, *, confirm, in_list=False) -> None:
    """A stored number changed by more than half or by an order of magnitude (8.391 ->
    83.910: a thousands dot typed as a decimal comma?) is refused beside its field until
    the change is confirmed (in a list, where nothing can be confirmed, it is refused)."""
    from programs.admin_numbers import large_change, show_number

    if stored is None:
        return
    for name in names:
        if name not in form.cleaned_data:
            continue
        old, new = getattr(stored, name), form.cleaned_data.get(name)
        if old is not None and new is not None:
            old, new = Decimal(old), Decimal(new)  # whole numbers too (a population)
        if large_change(old, new) and not confirm:
            params = {"old": show_number(old), "new": show_number(new)}
            message = LARGE_CHANGE_IN_LIST if in_list else LARGE_CHANGE
            form.add_error(name, ValidationError(message % params, code="large_change"))


CHANGED_SINCE_OPENED = _(
    "Target ini sudah diubah orang lain sejak Anda membukanya (nilai kini %(value)s). "
    "Muat ulang halaman lalu ulangi perubahan Anda."
)


def model_limits_first(form) -> None:
    """The model's own limits of the form's number fields (a target's value is never
    below 0) and its column's (`limits.column_range`: a population up to 2.147.483.647)
    checked by the form fields themselves, before the form's rules: a target typed -5
    was measured against its allocations ("Target provinsi (-5) lebih kecil dari jumlah
    alokasi"), the model's "at least 0" never said, and a population of 3.000.000.000
    was first called a large change to confirm."""
    from django.core.validators import MaxValueValidator, MinValueValidator

    from programs.limits import is_year

    model_fields = {field.name: field for field in form._meta.model._meta.concrete_fields}
    for name, field in form.fields.items():
        model_field = model_fields.get(name)  # none for the reason, the version
        if not isinstance(model_field, models.DecimalField | models.IntegerField):
            continue
        if model_field.is_relation or is_year(model_field):
            continue  # a year's own rule says more than its column's 32.767
        kinds = (MinValueValidator, MaxValueValidator)

        def limit(v):  # (whether a maximum, its value)
            return isinstance(v, MaxValueValidator), v.limit_value

        present = {limit(v) for v in field.validators if isinstance(v, kinds)}
        limits = [
            v
            for v in model_field.validators  # grouped at start (`limits.group_model_limits`)
            if isinstance(v, kinds) and limit(v) not in present
        ]
        field.validators = [*field.validators, *limits]


class TargetAdminForm(TargetGuardMixin, forms.ModelForm):
    """The target change form, with the reason a change of a realized target needs, a
    confirmation for large changes, whole numbers for count units, and optimistic
    locking: the form carries the target's version (`target_version`) it was opened on
    and is refused, saving nothing, when the target has been saved since (two tabs
    would otherwise overwrite each other, the later one restoring the values it opened)."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False, label="")

    confirm_large_change = confirm_large_change_field()
    change_reason = LimitedCharField(
        label=_("Alasan perubahan"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        help_text=REASON_HELP,
        widget=forms.TextInput(attrs={"size": 80}),
    )

    class Meta:
        model = Target
        fields = (
            "indicator",
            "regency",
            "year",
            "value",
            "baseline",
            "due_date",
            "source_note",
            "source_url",
            "is_demo",
        )
        formfield_callback = https_urls_formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        model_limits_first(self)
        if self.stored_target_has_realizations():
            self.fields["change_reason"].help_text = REASON_HELP_HAS_REALIZATIONS
        if self.instance.pk is not None and not self.is_bound:
            self.initial["seen_version"] = target_version(self.instance.pk)

    def clean(self):
        cleaned_data = super().clean()
        stored = self.stored_target  # locked until the save, in the admin's transaction
        if stored is not None and cleaned_data.get("seen_version") != target_version(stored.pk):
            from programs.admin_numbers import show_number

            message = CHANGED_SINCE_OPENED % {"value": show_number(stored.value)}
            raise ValidationError(message, code="changed_since_opened")
        _check_numbers(self, cleaned_data, confirm=cleaned_data.get("confirm_large_change"))
        self._check_target_rules(cleaned_data)
        if self.has_error("change_reason"):
            return cleaned_data  # given but refused (too long): not "missing" as well
        reason = visible_text(cleaned_data.get("change_reason"))
        cleaned_data["change_reason"] = reason
        if not reason and self.guarded_changes() and self.stored_target_has_realizations():
            self.add_error("change_reason", ValidationError(REASON_REQUIRED, code="reason"))
        return cleaned_data

    def _check_target_rules(self, cleaned_data) -> None:
        """The value against the baseline and the indicator, then against the province
        target or the allocations of the same indicator and year."""
        indicator = cleaned_data.get("indicator")
        value = cleaned_data.get("value")
        if value is None:
            return
        for message in target_value_problems(indicator, value, cleaned_data.get("baseline")):
            self.add_error("value", ValidationError(message, code="target_value"))
        for message in self._kept_parts_problems(indicator, value):
            self.add_error("value", ValidationError(message, code="parts"))
        regency = cleaned_data.get("regency")
        where = (indicator, regency.pk if regency else None, cleaned_data.get("year"), value)
        for message in allocation_problems([(self.instance.pk, *where)]).values():
            self.add_error("value", ValidationError(message, code="allocation"))

    def _kept_parts_problems(self, indicator, value) -> list[str]:
        """The stored splits and milestones that this post leaves as they are, against
        the new value (`stored_parts_problems`, the list's and the import's rule). The
        change page posts both inlines, checked by `TargetPartsInlineFormSet`; the
        history page's revert posts neither, and saved a value below them."""
        stored = self.stored_target
        if stored is None:
            return []
        posted = {
            prefix for prefix in ("splits", "milestones") if f"{prefix}-TOTAL_FORMS" in self.data
        }
        splits = [] if "splits" in posted else [split.value for split in stored.splits.all()]
        milestones = (
            []
            if "milestones" in posted
            else [(m.label, m.due_date, m.value) for m in stored.milestones.all()]
        )
        found = parts_problems(indicator, value, splits=splits, milestones=milestones)
        return [PARTS_NO_LONGER_FIT % {"problem": message} for _index, message in found]


CHANGED_SINCE_LIST_OPENED = _(
    "Target ini sudah diubah orang lain sejak daftar ini dibuka (nilai kini %(value)s). "
    "Tidak ada yang disimpan: muat ulang halaman lalu ulangi perubahan Anda."
)
LIST_FIELDS = ("value", "baseline", "due_date")


def list_values_digest(values: dict) -> str:
    """A short fingerprint of a target's changelist values (value, baseline, due date):
    equal numbers give the same one however many decimals they are written with."""

    def canonical(value) -> str:
        if value is None:
            return ""
        if isinstance(value, Decimal):
            return str(value.normalize())
        return value.isoformat() if hasattr(value, "isoformat") else str(value)

    text = "\x1f".join(canonical(values.get(name)) for name in LIST_FIELDS)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class _ValueWithShown(BoundField):
    """The changelist renders only the fields of `list_editable`: a row's fingerprint of
    what it showed is written after its value input, so that it is posted with the row."""

    def __str__(self):
        return super().__str__() + str(self.form["shown"])


class TargetChangelistForm(TargetGuardMixin, forms.ModelForm):
    """A changelist row: it cannot carry a reason, so a realized target is refused.

    Django saves a row whose posted values differ from the database, so a row showing
    values another admin has changed since the list was opened would write them back
    over that change. Each row therefore posts a fingerprint of the values it showed: a
    row left as shown is then not saved, and an edited one is refused (nothing saved)."""

    shown = forms.CharField(widget=forms.HiddenInput, required=False, label="")

    class Meta:
        model = Target
        fields = LIST_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        model_limits_first(self)
        self.fields["value"].bound_field_class = _ValueWithShown
        stored = {name: getattr(self.instance, name) for name in LIST_FIELDS}
        # Bound too: Django saves the rows whose posted data differs from their initial.
        self.initial["shown"] = list_values_digest(stored)

    def has_changed(self):
        if getattr(self, "_left_as_shown", False):
            return False  # showing older values, and not edited: nothing to save
        return super().has_changed()

    def clean(self):
        cleaned_data = super().clean()
        stored = self.stored_target
        shown = cleaned_data.get("shown")
        if stored is not None and shown and shown != self.initial["shown"]:
            if list_values_digest(cleaned_data) == shown:
                self._left_as_shown = True
                return cleaned_data
            from programs.admin_numbers import show_number

            message = CHANGED_SINCE_LIST_OPENED % {"value": show_number(stored.value)}
            raise ValidationError(message, code="changed_since_opened")
        _check_numbers(self, cleaned_data, confirm=False, in_list=True)
        if stored is not None and cleaned_data.get("value") is not None:
            for message in stored_parts_problems(stored, stored.indicator, cleaned_data["value"]):
                self.add_error("value", message)
        if stored is not None and "value" in cleaned_data and self.has_changed():
            baseline = cleaned_data.get("baseline", stored.baseline)
            for message in target_value_problems(stored.indicator, cleaned_data["value"], baseline):
                self.add_error("value", ValidationError(message, code="target_value"))
        if (
            self.instance.pk is not None
            and self.has_changed()
            and self.guarded_changes()
            and self.stored_target_has_realizations()
        ):
            url = reverse("admin:programs_target_change", args=[self.instance.pk])
            raise ValidationError(
                format_html(LIST_EDIT_REFUSED, url=url), code="reason_needs_change_form"
            )
        return cleaned_data


class TargetChangelistFormSet(forms.BaseModelFormSet):
    """The changelist's edited rows are saved together: a year's allocations are checked
    with every edited row's new value at once (`allocation_problems`), each refusal beside
    the value of a row that breaks it; nothing is saved then. Checked and saved in one
    transaction (`TargetAdmin.changelist_view`), the posted rows' indicators locked
    first, all at once (`lock_allocations`), before any row locks itself."""

    def full_clean(self):
        if self.is_bound:
            posted = self.get_queryset().order_by().values_list("indicator_id", flat=True)
            lock_allocations(posted)
        super().full_clean()

    def clean(self):
        super().clean()
        edited = [
            form
            for form in self.forms
            if form.instance.pk is not None
            and form.stored_target is not None
            and form.has_changed()
            and not form.errors
        ]
        planned = [
            (
                form.instance.pk,
                form.stored_target.indicator,
                form.stored_target.regency_id,
                form.stored_target.year,
                form.cleaned_data.get("value"),
            )
            for form in edited
        ]
        for index, message in allocation_problems(planned).items():
            edited[index].add_error("value", ValidationError(message, code="allocation"))


def _check_numbers(form, cleaned_data, *, confirm, in_list=False) -> None:
    """Whole numbers for count units; a large change of a stored value needs a confirmation
    (in the list, where nothing can be confirmed, it is refused)."""
    from programs.admin_numbers import whole_number_error

    indicator = cleaned_data.get("indicator") or (
        form.instance.indicator if form.instance.indicator_id else None
    )
    for name in ("value",):
        error = whole_number_error(indicator, cleaned_data.get(name))
        if error is not None:
            form.add_error(name, error)
    refuse_large_changes(
        form, form.stored_target, ("value", "baseline"), confirm=confirm, in_list=in_list
    )


class LabelledInlineFormSet(forms.BaseInlineFormSet):
    """Duplicate rows named by their fields' labels ("kelompok sumber dana"), where
    Django's message gives the field's code name ("group")."""

    def get_unique_error_message(self, unique_check):
        from django.utils.text import get_text_list
        from django.utils.translation import gettext

        labels = [str(self.model._meta.get_field(name).verbose_name) for name in unique_check]
        return gettext("Please correct the duplicate data for %(field)s, which must be unique.") % {
            "field": get_text_list(labels, gettext("and")),
        }


SPLITS_NOT_SUMMED = _(
    "Indikator rasio dan tingkat tidak dirinci menurut sumber dana: hapus rencana per sumber dana."
)
SPLITS_ABOVE_TARGET = _("Jumlah rencana per sumber dana (%(total)s) melebihi target (%(target)s).")
MILESTONE_ABOVE_TARGET = _("Tahapan %(label)s (%(value)s) melebihi target (%(target)s).")
MILESTONE_BELOW_EARLIER = _(
    "Tahapan %(label)s (%(value)s) lebih rendah dari tahapan sebelumnya (%(earlier)s): "
    "tahapan dihitung kumulatif."
)
PARTS_NO_LONGER_FIT = _("Rencana target ini tidak lagi cocok dengan nilai baru: %(problem)s")


def parts_problems(
    indicator, value, *, splits=None, milestones=None
) -> list[tuple[int | None, str]]:
    """What is wrong with a target's planned parts against its value, as (index of the
    milestone or None, message). `splits`: the planned values per funding group;
    `milestones`: (label, due date, value) in any order. Only sums and running totals
    have parts that add up to the year's figure: their splits cannot exceed it, nor can
    a milestone, and a later milestone is never below an earlier one; a rate or a level
    has no funding split at all. None of either: not checked."""
    from programs.admin_numbers import show_number

    if indicator is None or value is None:
        return []
    summed = indicator.measure in (Indicator.Measure.INCREMENT, Indicator.Measure.RUNNING_TOTAL)
    problems: list[tuple[int | None, str]] = []
    splits = [v for v in splits or [] if v is not None]
    if splits and not summed:
        problems.append((None, str(SPLITS_NOT_SUMMED)))
    elif splits and sum(splits) > value:
        params = {"total": show_number(sum(splits)), "target": show_number(value)}
        problems.append((None, SPLITS_ABOVE_TARGET % params))
    if not summed:
        return problems
    earlier = None
    dated = sorted(
        (due, index, label, v)
        for index, (label, due, v) in enumerate(milestones or [])
        if due is not None and v is not None
    )
    for _due, index, label, milestone in dated:
        params = {"label": label, "value": show_number(milestone), "target": show_number(value)}
        if milestone > value:
            problems.append((index, MILESTONE_ABOVE_TARGET % params))
        elif earlier is not None and milestone < earlier:
            problems.append(
                (index, MILESTONE_BELOW_EARLIER % {**params, "earlier": show_number(earlier)})
            )
        earlier = milestone if earlier is None else max(earlier, milestone)
    return problems


def stored_parts_problems(target: Target, indicator, value) -> list[str]:
    """`parts_problems` of a stored target's splits and milestones against a new value
    (the changelist and the import change a value without its parts)."""
    if target.pk is None:
        return []
    splits = [split.value for split in target.splits.all()]  # prefetched by an import
    milestones = [(m.label, m.due_date, m.value) for m in target.milestones.all()]
    found = parts_problems(indicator, value, splits=splits, milestones=milestones)
    return [PARTS_NO_LONGER_FIT % {"problem": message} for _index, message in found]


# A target's value against its baseline, and a rate's ceiling (`programs.progress`: a
# `down` indicator's achievement is (baseline - current) / (baseline - target), its path
# runs from the baseline down to the target; an `up` target is the level to rise to).
TARGET_NOT_BELOW_BASELINE = _(
    "Indikator ini makin rendah makin baik: target (%(target)s) harus lebih rendah dari "
    "nilai dasar (%(baseline)s). Capaian diukur sebagai penurunan dari nilai dasar menuju "
    "target, jadi target setinggi nilai dasar atau lebih membuat capaian tak bermakna."
)
TARGET_NOT_ABOVE_BASELINE = _(
    "Indikator ini makin tinggi makin baik: target (%(target)s) harus lebih tinggi dari "
    "nilai dasar (%(baseline)s). Target setinggi nilai dasar atau lebih rendah berarti "
    "tidak ada kemajuan yang ditargetkan."
)
RATIO_TARGET_ABOVE_HUNDRED = _(
    "Target rasio tidak dapat melebihi 100 (%(target)s): rasio dihitung sebagai "
    "pembilang/penyebut x 100, dan pembilang tidak pernah lebih besar dari penyebut."
)


def target_value_problems(indicator, value, baseline) -> list[str]:
    """What is wrong with a target's value against its indicator and baseline: a rate
    above 100, or a target that is no progress from its baseline in the indicator's
    direction (both given only). The admin's forms, the changelist, the copy to the
    next year and the spreadsheet import show these beside (or as) the target's value."""
    from programs.admin_numbers import show_number

    if indicator is None or value is None:
        return []
    problems = []
    params = {"target": show_number(value), "baseline": show_number(baseline)}
    if indicator.measure == Indicator.Measure.RATIO and value > 100:
        problems.append(RATIO_TARGET_ABOVE_HUNDRED % params)
    if baseline is not None:
        if indicator.direction == Indicator.Direction.DOWN and value >= baseline:
            problems.append(TARGET_NOT_BELOW_BASELINE % params)
        elif indicator.direction == Indicator.Direction.UP and value <= baseline:
            problems.append(TARGET_NOT_ABOVE_BASELINE % params)
    return problems


# A province target and its regency allocations (summed measures only).
PROVINCE_BELOW_ALLOCATIONS = _(
    "Target provinsi (%(target)s) lebih kecil dari jumlah alokasi kabupaten/kota tahun "
    "%(year)s (%(allocated)s). Isi target provinsi paling sedikit %(allocated)s, atau "
    "kurangi dulu alokasi kabupaten/kota."
)
ALLOCATIONS_ABOVE_PROVINCE = _(
    "Jumlah alokasi kabupaten/kota tahun %(year)s akan menjadi %(allocated)s, melebihi "
    "target provinsi (%(target)s) sebanyak %(excess)s. Naikkan dulu target provinsi, "
    "atau kurangi alokasi."
)


def adds_up(indicator) -> bool:
    """Only sums and running totals are allocated: their regency targets add up to the
    province's."""
    return indicator.measure in (Indicator.Measure.INCREMENT, Indicator.Measure.RUNNING_TOTAL)


def lock_allocations(indicator_ids) -> None:
    """Hold the indicators' rows until the transaction ends (FOR NO KEY UPDATE, in id
    order): every writer of targets takes them before it checks a year's allocations
    against the province target (`allocation_problems`) and saves, and before it locks
    any target row. Two admins saving two regencies of one indicator at once (the change
    form, the list, the import, the copy to the next year) each found room for their own
    allocation in the rows committed so far, and both were saved, together above the
    province target; the second now waits, then counts the first. Rows that only refer
    to the indicator (a realization, a new target) are written meanwhile. Outside a
    transaction (a form shown, not saved) nothing can be held: nothing is locked; SQLite
    runs one writing transaction at a time anyway."""
    ids = sorted({pk for pk in indicator_ids if pk is not None})
    if not ids:
        return
    rows = Indicator.objects.filter(pk__in=ids).order_by("pk")
    if not transaction.get_connection(rows.db).in_atomic_block:
        return
    list(rows.select_for_update(no_key=True).values_list("pk", flat=True))


def allocation_problems(planned: list[tuple]) -> dict[int, str]:
    """Targets about to be saved, as (pk or None, indicator, regency code or None, year,
    value), checked with the stored targets of their indicators and years (one query):
    the regency allocations of a summed indicator never add up to more than its province
    target. Returns {index in `planned`: message} for each planned target of a year that
    would break it, said as a province target too low or allocations too high. In a
    transaction, the indicators are locked first (`lock_allocations`; a writer that
    took them already keeps them), so the sum counts every save that came before."""
    from programs.admin_numbers import show_number

    groups = {
        (indicator.pk, year)
        for _pk, indicator, _regency, year, value in planned
        if indicator is not None and year is not None and value is not None and adds_up(indicator)
    }
    if not groups:
        return {}
    lock_allocations(indicator_id for indicator_id, _year in groups)
    condition = Q()
    for indicator_id, year in groups:
        condition |= Q(indicator_id=indicator_id, year=year)
    replaced = {row[0] for row in planned if row[0] is not None}
    province: dict[tuple, Decimal] = {}
    allocated: dict[tuple, Decimal] = defaultdict(Decimal)
    stored = Target.objects.filter(condition).exclude(pk__in=replaced).order_by()
    rows = list(stored.values_list("indicator_id", "regency_id", "year", "value"))
    rows += [
        (indicator.pk, regency, year, value)
        for _pk, indicator, regency, year, value in planned
        if (getattr(indicator, "pk", None), year) in groups and value is not None
    ]
    for indicator_id, regency, year, value in rows:
        if regency is None:
            province[(indicator_id, year)] = value
        else:
            allocated[(indicator_id, year)] += value
    problems = {}
    for index, (_pk, indicator, regency, year, value) in enumerate(planned):
        group = (getattr(indicator, "pk", None), year)
        if group not in groups or value is None:
            continue
        target, total = province.get(group), allocated[group]
        if target is None or total <= target:
            continue
        params = {
            "year": year,
            "target": show_number(target),
            "allocated": show_number(total),
            "excess": show_number(total - target),
        }
        message = PROVINCE_BELOW_ALLOCATIONS if regency is None else ALLOCATIONS_ABOVE_PROVINCE
        problems[index] = message % params
    return problems


class TargetPartsInlineFormSet(LabelledInlineFormSet):
    """A target's funding splits and milestones follow the target's own rules: whole
    numbers for count units (`whole_number_error`, as `_check_numbers` on the target's
    value), a milestone falls due within the target's year or the next
    (`Target.due_date_fits`, as the target's own due date), and the parts fit the
    target's value (`parts_problems`). The target is the one being saved, with the
    indicator, year and value the form gives it."""

    def clean(self):
        from programs.admin_numbers import whole_number_error

        super().clean()
        target = self.instance
        indicator = target.indicator if target.indicator_id else None
        kept = []
        for form in self.forms:
            cleaned_data = getattr(form, "cleaned_data", None) or {}
            if not cleaned_data or cleaned_data.get("DELETE"):
                continue
            kept.append(form)
            error = whole_number_error(indicator, cleaned_data.get("value"))
            if error is not None and not form.has_error("value"):
                form.add_error("value", error)
            due = cleaned_data.get("due_date")
            if due is not None and not Target.due_date_fits(target.year, due):
                form.add_error("due_date", DUE_DATE_OUTSIDE_YEAR % {"year": target.year})
        values = [form.cleaned_data.get("value") for form in kept]
        if target.value is not None and target.value < 0:
            return  # refused beside the target's value; its parts against it say nothing
        if self.model is TargetSplit:
            problems = parts_problems(indicator, target.value, splits=values)
        else:
            milestones = [
                (form.cleaned_data.get("label"), form.cleaned_data.get("due_date"), value)
                for form, value in zip(kept, values, strict=True)
            ]
            problems = parts_problems(indicator, target.value, milestones=milestones)
        for index, message in problems:
            if index is None:
                raise ValidationError(message, code="parts")
            if not kept[index].has_error("value"):
                kept[index].add_error("value", message)


MEASURE_LOCKED = _(
    "Ukuran tidak dapat diubah setelah ada realisasi (%(n)s baris): angka yang sudah "
    "masuk akan berubah arti."
)
DIRECTION_LOCKED = _(
    "Arah tidak dapat diubah setelah ada realisasi (%(n)s baris): capaian dan status "
    "angka yang sudah masuk, tahun-tahun lalu juga, akan terbalik."
)
DECIMALS_LOCKED = _(
    "Jumlah desimal tidak dapat dikurangi menjadi %(decimals)s: %(n)s baris realisasi "
    "sudah memakai lebih banyak desimal."
)
CODE_LOCKED = _(
    "Kode tidak dapat diubah setelah indikator memiliki realisasi atau target "
    "(%(realizations)s baris realisasi, %(targets)s target): tautan (?indikator=%(code)s), "
    "impor dan ekspor mengenali indikator dari kodenya."
)
# A program with indicators and no headline one leaves the overview, the scorecard and
# the meeting summary ("Belum ada indikator maupun target yang dipublikasikan").
HEADLINE_KEPT = _(
    "Ini indikator utama program {program}, dan program yang punya indikator harus punya "
    "satu indikator utama (tanpanya program hilang dari halaman depan dan ringkasan rapat). "
    'Pindahkan centangnya di <a href="{url}">halaman program</a>: centang indikator lain '
    "dan hapus centang ini dalam satu kali simpan."
)
HEADLINE_NEEDED = _(
    "Program %(program)s belum punya indikator utama: centang 'indikator utama' pada "
    "indikator ini (tanpanya program hilang dari halaman depan dan ringkasan rapat)."
)
HEADLINE_REQUIRED = _(
    "Program yang punya indikator harus punya satu indikator utama (tanpanya program hilang "
    "dari halaman depan dan ringkasan rapat): centang 'indikator utama' pada salah satu "
    "indikator."
)
TARGETS_NO_LONGER_FIT = _(
    "Tidak dapat diubah: %(n)s target indikator ini tidak lagi cocok dengan perubahan ini, "
    "misalnya target %(where)s: %(problem)s Ubah dulu targetnya."
)
HEADLINE_NOT_DELETED = _(
    "%(indicator)s adalah indikator utama program %(program)s: centang dulu indikator lain "
    "sebagai indikator utama di halaman program, lalu hapus indikator ini."
)

NEGATIVE_LOCKED = _(
    "'Boleh negatif' tidak dapat dimatikan: %(n)s baris realisasi sudah bernilai negatif "
    "(perbaiki dulu angkanya)."
)
NEGATIVE_BASELINE_LOCKED = _(
    "Indikator ini tidak dapat berhenti boleh negatif: %(n)s target sudah memiliki nilai "
    "dasar (baseline) negatif (perbaiki dulu nilai dasarnya)."
)


SLUG_LOCKED = _(
    "Kode (slug) tidak dapat diubah setelah program memiliki laporan atau target "
    "(%(reports)s laporan, %(targets)s target): alamat halamannya (%(url)s), tampilan "
    "tersimpan, tautan di notifikasi dan berkas impor mengenali program dari kodenya."
)


class ProgramAdminForm(forms.ModelForm):
    """A program's slug is its address (/program/gbrss/, the report pages), kept in
    saved views and notification links, and names it in import files: fixed once the
    program has reports or targets (renamed, they all led to 404s or import errors), as
    an indicator's code is (`CODE_LOCKED`)."""

    def clean(self):
        """The program's row is held until the save (in the admin's transaction) before
        the model's checks: a launch date moved later is checked against the exemptions
        stored, and an exemption saved at the same time waits for it (its form holds the
        program too), where both were saved, the exemption wholly before the launch."""
        cleaned_data = super().clean()
        stored = Program.objects.filter(pk=self.instance.pk)
        if self.instance.pk is not None and transaction.get_connection(stored.db).in_atomic_block:
            list(stored.select_for_update(no_key=True).values_list("pk", flat=True))
        return cleaned_data

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if self.instance.pk is None:
            return slug
        stored = Program.objects.filter(pk=self.instance.pk).values_list("slug", flat=True)
        stored = stored.first()
        if stored is None or slug == stored:
            return slug
        reports = MonthlyReport.objects.filter(program_id=self.instance.pk).count()
        targets = Target.objects.filter(indicator__program_id=self.instance.pk).count()
        if reports or targets:
            params = {
                "reports": number(reports, 0),
                "targets": number(targets, 0),
                "url": reverse("programs:program", args=[stored]),
            }
            raise ValidationError(SLUG_LOCKED % params, code="slug_locked")
        return slug


class IndicatorAdminForm(forms.ModelForm):
    """An indicator's measure fixes what every stored figure means (5.387 houses summed
    over months is not the latest month's 5.387), and its direction what each figure
    achieves (63 % of a house target would read 158 % "lower is better"): once it has
    realizations, both stay, and its decimals never drop below those of a stored value
    (the entry form would refuse each of them), nor is a negative value it holds left
    refused by unticking "boleh negatif". Its code names it in links, imports and exports: fixed
    once it has realizations or targets. Compared with the row as stored, on the
    indicator page and in the program page's inline alike (each admin gives the model
    and fields)."""

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk is None:
            return cleaned_data
        stored = Indicator.objects.filter(pk=self.instance.pk)
        stored = stored.values(
            "measure", "direction", "decimals", "code", "allows_negative"
        ).first()
        if stored is None:
            return cleaned_data
        realizations = Realization.objects.filter(indicator_id=self.instance.pk)
        realized = cache(realizations.count)  # counted once, only when something asks
        # What every stored figure means, and what it achieves: fixed once realized.
        for field, message in (("measure", MEASURE_LOCKED), ("direction", DIRECTION_LOCKED)):
            given = cleaned_data.get(field)
            if given and given != stored[field] and realized():
                self.add_error(field, message % {"n": number(realized(), 0)})
        measure = cleaned_data.get("measure")
        places = cleaned_data.get("decimals")
        if places is not None and places < stored["decimals"]:
            values = realizations.exclude(value=None).values_list("value", flat=True)
            count = sum(1 for value in values.iterator() if rules.decimals(value) > places)
            if count:
                params = {"decimals": places, "n": number(count, 0)}
                self.add_error("decimals", DECIMALS_LOCKED % params)
        if stored["allows_negative"] and cleaned_data.get("allows_negative") is False:
            count = realizations.filter(value__lt=0).count()
            if count:
                self.add_error("allows_negative", NEGATIVE_LOCKED % {"n": number(count, 0)})
        # A baseline below zero is stored only where the indicator may be negative: one
        # that stops being so (unticked, or no longer a level) would leave it refused.
        allowed = cleaned_data.get("allows_negative", stored["allows_negative"])
        level = (measure or stored["measure"]) == Indicator.Measure.LEVEL
        if stored["allows_negative"] and stored["measure"] == Indicator.Measure.LEVEL:
            count = 0 if allowed and level else self._negative_baselines()
            if count:
                field = "measure" if allowed else "allows_negative"
                self.add_error(field, NEGATIVE_BASELINE_LOCKED % {"n": number(count, 0)})
        code = cleaned_data.get("code")
        if code and code != stored["code"]:
            targets = Target.objects.filter(indicator_id=self.instance.pk).count()
            if realized() or targets:
                params = {
                    "realizations": number(realized(), 0),
                    "targets": number(targets, 0),
                    "code": stored["code"],
                }
                self.add_error("code", CODE_LOCKED % params)
        self._check_stored_targets(cleaned_data, stored)
        return cleaned_data

    def _negative_baselines(self) -> int:
        return Target.objects.filter(indicator_id=self.instance.pk, baseline__lt=0).count()

    def _check_stored_targets(self, cleaned_data, stored) -> None:
        """A new direction or measure keeps the indicator's stored targets meaningful: a
        target still on the right side of its baseline, a rate's target within 100, a
        year's allocations within the province target once they add up."""
        measure = cleaned_data.get("measure") or stored["measure"]
        direction = cleaned_data.get("direction") or stored["direction"]
        field = "measure" if measure != stored["measure"] else "direction"
        if (measure, direction) == (stored["measure"], stored["direction"]) or self.has_error(
            field
        ):
            return
        changed = Indicator(pk=self.instance.pk, measure=measure, direction=direction)
        targets = list(
            Target.objects.filter(indicator_id=self.instance.pk).select_related("regency")
        )
        problems = [
            (target, problem)
            for target in targets
            for problem in target_value_problems(changed, target.value, target.baseline)
        ]
        province = [target for target in targets if target.regency_id is None]
        planned = [(t.pk, changed, None, t.year, t.value) for t in province]
        problems += [(province[i], problem) for i, problem in allocation_problems(planned).items()]
        if problems:
            target, problem = problems[0]
            where = target.regency.name if target.regency_id else _("Provinsi")
            params = {
                "n": number(len({target.pk for target, _problem in problems}), 0),
                "where": f"{where} {target.year}",
                "problem": problem,
            }
            self.add_error(field, TARGETS_NO_LONGER_FIT % params)


class IndicatorPageForm(IndicatorAdminForm):
    """The indicator's own page also keeps its program's one headline indicator: the
    headline is neither unticked nor moved out of a program that keeps indicators (the
    program page moves the tick to another indicator in one save), and an indicator new
    to a program without one is ticked. `IndicatorInlineFormSet` checks the program page."""

    def clean(self):
        cleaned_data = super().clean()
        program = cleaned_data.get("program")
        if program is None or "is_headline" not in cleaned_data:
            return cleaned_data
        headline = cleaned_data["is_headline"]
        stored = self.instance  # before _post_clean: the row as stored
        moved = stored.pk is None or stored.program_id != program.pk
        if stored.pk is not None and stored.is_headline and (moved or not headline):
            stays = not moved or (
                Indicator.objects.filter(program_id=stored.program_id)
                .exclude(pk=stored.pk)
                .exists()
            )
            if stays:
                url = reverse("admin:programs_program_change", args=[stored.program_id])
                message = format_html(HEADLINE_KEPT, program=stored.program.label, url=url)
                self.add_error("is_headline", ValidationError(message, code="headline_kept"))
        elif (
            moved
            and not headline
            and not Indicator.objects.filter(program=program, is_headline=True).exists()
        ):
            message = HEADLINE_NEEDED % {"program": program.label}
            self.add_error("is_headline", ValidationError(message, code="headline_needed"))
        return cleaned_data


def headline_deletion_refusals(indicators) -> list[str]:
    """Why some of `indicators` cannot be deleted: a headline indicator whose program
    keeps other indicators (not deleted with it) would leave that program without one."""
    deleted = {indicator.pk for indicator in indicators}
    refusals = []
    for indicator in indicators:
        if not indicator.is_headline:
            continue
        others = Indicator.objects.filter(program_id=indicator.program_id).exclude(pk__in=deleted)
        if others.exists():
            params = {"indicator": indicator.name, "program": indicator.program.label}
            refusals.append(HEADLINE_NOT_DELETED % params)
    return refusals


class IndicatorInlineFormSet(LabelledInlineFormSet):
    """A program's indicators keep one headline indicator: two ticked in one save would
    break a database constraint, and none (unticked or deleted) would take the program
    off the overview. The tick moves from one indicator to another in one save."""

    def clean(self):
        super().clean()
        kept = [
            form
            for form in self.forms
            if not form.cleaned_data.get("DELETE")
            and not (form.instance.pk is None and not form.has_changed())
        ]
        headlines = [form for form in kept if form.cleaned_data.get("is_headline")]
        if len(headlines) > 1:
            raise ValidationError(ONE_HEADLINE_PER_PROGRAM, code="one_headline")
        if kept and not headlines:
            unticked = [form for form in kept if form.initial.get("is_headline")]
            if not unticked:
                raise ValidationError(HEADLINE_REQUIRED, code="headline_required")
            for form in unticked:
                form.add_error("is_headline", ValidationError(HEADLINE_REQUIRED, code="headline"))


# Monthly reports and their realizations: the entry form's rules (programs.reporting.rules),
# applied to what an admin types. The admin is the only way to enter the province's own
# reports (MonthlyReport.get_absolute_url) and to correct a report without sending it
# back to its operator, so it keeps the same rules rather than its own.


def _realization_field(indicator: Indicator, message: str) -> str:
    """The inline field an entry-rule message is about."""
    if message == rules.NOTE_TOO_LONG:
        return "note"
    if indicator.measure != Indicator.Measure.RATIO:
        return "value"
    return "denominator" if message == rules.DENOMINATOR_ZERO else "numerator"


class RealizationAdminForm(forms.ModelForm):
    """One realization row checked as the entry form checks it (`rules.check_numbers`,
    `rules.check_note`): whole counts, decimals, ratios given and numerator <= denominator,
    no numerator or denominator beside a value (`rules.parts_refusal`, the import's too);
    a retired funding source only on the row that already has it with its indicator
    (`rules.retired_source_refusal`), which is also the only row offering it."""

    class Meta:
        model = Realization
        fields = ("indicator", "funding_source", "value", "numerator", "denominator", "note")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("funding_source")
        if field is not None:
            # Offered: the active sources and the row's own. Accepted: any (a retired one
            # is refused in clean() with its name, not as an unknown choice).
            offered = field.iterator(field)
            offered.queryset = field.queryset.filter(
                Q(active=True) | Q(pk=self.instance.funding_source_id)
            )
            field.widget.choices = offered

    def clean(self):
        cleaned_data = super().clean()
        indicator = cleaned_data.get("indicator")
        source = cleaned_data.get("funding_source")
        if indicator is not None and source is not None:
            # Before _post_clean, the instance still holds the row as stored.
            stored = self.instance.pk is not None and (
                self.instance.indicator_id,
                self.instance.funding_source_id,
            ) == (indicator.pk, source.pk)
            refused = rules.retired_source_refusal(source, stored=stored)
            if refused:
                self.add_error("funding_source", refused)
        numbers = ("value", "numerator", "denominator", "note")
        if indicator is None or any(self.has_error(name) for name in numbers):
            return cleaned_data
        row = rules.EntryRow(
            key="admin",
            indicator=indicator,
            source_code="",
            value=cleaned_data.get("value"),
            numerator=cleaned_data.get("numerator"),
            denominator=cleaned_data.get("denominator"),
            note=cleaned_data.get("note") or "",
        )

        def error(_row, text, **params):
            field = _realization_field(indicator, text)
            if text == rules.NEGATIVE and field == "numerator" and row.numerator >= 0:
                # A negative denominator is said beside it, once: beside the numerator
                # the model's own "at least 0" was added under the denominator too.
                field = "denominator"
            self.add_error(field, rules.translated(text, **params))

        rules.check_note(row, error)
        rules.check_numbers(row, error)
        refused = rules.parts_refusal(row)
        if refused and not self.errors:
            # A house count kept with a "denominator" beside it: the raw export and the
            # API would show it, as if the figure were a rate.
            self.add_error("numerator" if row.numerator is not None else "denominator", refused)
        return cleaned_data


PROVINCE_LEVEL_ONLY = _(
    "Laporan provinsi hanya untuk indikator nilai tingkat (mis. inflasi): angka indikator ini "
    "dijumlah dari laporan kabupaten/kota."
)
LEVEL = Indicator.Measure.LEVEL


REPORT_REASON_REQUIRED = _(
    "Laporan ini sudah diajukan atau diverifikasi: isi alasan perubahan angkanya (disimpan "
    "di riwayat laporan)."
)


class RealizationInlineFormSet(LabelledInlineFormSet):
    """A report's realizations as the entry form has them: indicators of the report's
    program, one value for a level indicator, none for an indicator the regency is exempt
    from that month (rows stored before the exemption began may stay as they are).

    The report form's `change_reason` and `confirm_large_change` come in as `reason` and
    `confirm` (MonthlyReportAdmin.get_formset_kwargs): a submitted or verified report's
    figures change only with a reason, and a stored value changed by more than half (or
    an order of magnitude: 4 typed as 8.600) only once confirmed, as a target's value."""

    def __init__(self, *args, reason: str = "", confirm: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.reason, self.confirm = visible_text(reason), confirm

    def clean(self):
        super().clean()
        self._check_rows()
        self._check_changes()

    def _check_changes(self) -> None:
        from programs.admin_numbers import large_change, show_number

        report = self.instance
        if not (report.pk and self.has_changed()):
            return
        for form in self.initial_forms:
            cleaned_data = getattr(form, "cleaned_data", None) or {}
            if self.confirm or cleaned_data.get("DELETE") or form.has_error("value"):
                continue
            old, new = form.initial.get("value"), cleaned_data.get("value")
            if "value" in form.changed_data and large_change(old, new):
                params = {"old": show_number(old), "new": show_number(new)}
                form.add_error("value", ValidationError(LARGE_CHANGE % params, code="large"))
        status = MonthlyReport.objects.filter(pk=report.pk).values_list("status", flat=True)
        counted = (MonthlyReport.Status.SUBMITTED, MonthlyReport.Status.VERIFIED)
        if not self.reason and status.first() in counted:
            raise ValidationError(REPORT_REASON_REQUIRED, code="reason")

    def _check_rows(self) -> None:
        report = self.instance
        obligations = None
        if report.regency_id and report.year and report.month:
            # The regency's exemptions only (no programs given: no launch dates): a report
            # that exists is counted even before its program's launch.
            obligations = Obligations.load(regency_codes=[report.regency_id])
        levels = set()
        for form in self.forms:
            cleaned_data = getattr(form, "cleaned_data", None) or {}
            indicator = cleaned_data.get("indicator")
            if cleaned_data.get("DELETE") or indicator is None:
                continue
            if indicator.program_id != report.program_id:
                form.add_error("indicator", INDICATOR_NOT_IN_PROGRAM)
                continue
            if report.program_id and not report.regency_id and indicator.measure != LEVEL:
                # The dashboards sum such figures from the regencies' reports: a
                # province row of its own would count twice in every raw export.
                form.add_error("indicator", PROVINCE_LEVEL_ONLY)
                continue
            if indicator.measure == Indicator.Measure.LEVEL:
                if indicator.pk in levels:
                    form.add_error("indicator", rules.translated(rules.ONE_LEVEL_VALUE))
                levels.add(indicator.pk)
            if (
                obligations is not None
                and form.has_changed()
                and not obligations.indicator_required(
                    report.regency_id, indicator, report.year, report.month
                )
            ):
                form.add_error(
                    "indicator", rules.translated(rules.NOT_REQUIRED, name=indicator.name)
                )


REPORT_CHANGED_SINCE_OPENED = _(
    "Laporan ini sudah diubah orang lain sejak Anda membukanya (misalnya operator menyimpan "
    "atau mengajukannya). Tidak ada yang disimpan: muat ulang halaman lalu ulangi "
    "perubahan Anda."
)


class MonthlyReportAdminForm(forms.ModelForm):
    """A new report's month has begun, as in the entry form (an existing report's place
    and month are read-only: moving a report would move its figures). The form carries
    the report's version it was opened on and is refused, saving nothing, when the report
    was saved since: an operator's save or submit in between must not be overwritten by
    the values the admin's page still shows. Its reason and confirmation are for the
    realizations below it (`RealizationInlineFormSet`)."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False, label="")
    change_reason = LimitedCharField(
        label=_("Alasan perubahan"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        help_text=_(
            "Wajib diisi bila angka laporan yang sudah diajukan atau diverifikasi diubah. "
            "Disimpan di riwayat laporan."
        ),
        widget=forms.TextInput(attrs={"size": 80}),
    )
    confirm_large_change = confirm_large_change_field()

    class Meta:
        model = MonthlyReport
        fields = ("regency", "program", "year", "month", "is_demo")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and not self.is_bound:
            self.initial["seen_version"] = self.instance.version

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk is not None:
            from programs.reporting.services import locked_reports

            stored = MonthlyReport.objects.filter(pk=self.instance.pk)
            if transaction.get_connection(stored.db).in_atomic_block:
                stored = locked_reports(stored)  # until the admin's save commits
            version = next((report.version for report in stored), None)
            if version is not None and cleaned_data.get("seen_version") != version:
                raise ValidationError(REPORT_CHANGED_SINCE_OPENED, code="changed_since_opened")
        year, month = cleaned_data.get("year"), cleaned_data.get("month")
        if year and month and permissions.is_future(year, month):
            self.add_error("month", rules.translated(rules.FUTURE_MONTH))
        return cleaned_data


LOCK_EXCEPTION_CHANGED_SINCE_OPENED = _(
    "Pengecualian kunci ini sudah diubah orang lain sejak Anda membukanya (kini berlaku "
    "sampai %(until)s, oleh %(by)s). Tidak ada yang disimpan: muat ulang halaman lalu "
    "ulangi perubahan Anda."
)


class LockExceptionAdminForm(forms.ModelForm):
    """Optimistic locking, as the target's form: the form carries the exception's
    version (`history_version`) it was opened on and is refused, saving nothing, when
    the exception was saved since. A verifier returning a report of the locked month
    lengthens the exception (`services._open_for_correction`); an admin's page opened
    before that used to save its older date over it, closing the month the verifier had
    just opened for the operator. Inside the admin's transaction the row is locked
    before the comparison, so a verifier's change that commits meanwhile is seen."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False, label="")

    class Meta:
        model = LockException
        fields = ("regency", "program", "year", "month", "until", "reason")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and not self.is_bound:
            self.initial["seen_version"] = history_version(LockException, self.instance.pk)

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk is None:
            return cleaned_data
        changed = lock_exception_changed_since(self.instance.pk, cleaned_data.get("seen_version"))
        if changed is not None:
            params = {"until": date_label(changed.until), "by": changed.granted_by or "–"}
            raise ValidationError(
                LOCK_EXCEPTION_CHANGED_SINCE_OPENED % params, code="changed_since_opened"
            )
        return cleaned_data


def lock_exception_changed_since(pk, seen_version: int | None) -> LockException | None:
    """The exception `pk` as stored now when it was saved since the page that wrote
    `seen_version` was opened (its `history_version` differs); None when it was not, or
    is gone. Inside a transaction the row is locked first, until the caller's write
    commits, so a verifier's lengthening that commits meanwhile is seen (the change
    form's save and the delete page both ask here)."""
    stored = LockException.objects.filter(pk=pk)
    if transaction.get_connection(stored.db).in_atomic_block:
        # No join here: a row locked after a wait is read again as committed, but a
        # joined user is not (PostgreSQL gave the new row the old grantor's NULLs, "oleh
        # –"); the grantor is read afterwards, on its own.
        stored = stored.select_for_update()
    stored = stored.first()
    if stored is None or seen_version == history_version(LockException, pk):
        return None
    return stored


__all__ = [
    "GUARDED_FIELDS",
    "LIST_EDIT_REFUSED",
    "REASON_REQUIRED",
    "IndicatorAdminForm",
    "IndicatorInlineFormSet",
    "IndicatorPageForm",
    "LockExceptionAdminForm",
    "lock_exception_changed_since",
    "MonthlyReportAdminForm",
    "RealizationAdminForm",
    "RealizationInlineFormSet",
    "TargetAdminForm",
    "target_version",
    "TargetChangelistForm",
    "TargetPartsInlineFormSet",
    "target_has_realizations",
    "target_has_realizations_expression",
    "target_realizations",
]
