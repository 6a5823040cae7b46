"""Every number and date box of every admin form, typed the Indonesian way and the
hostile way: read right or refused with a message, nothing changed on refusal, never a
500, and what was saved shown back as it was typed (8.600 saved shows 8.600, not 8,6).

The forms are found from the admin site itself (every registered model's change form,
or its add form when there is no row, the rows of its inlines and its list's editable
columns), their boxes by the kind of the form field behind them: a form or box added
later is covered without touching this file.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

import pytest
from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import RequestFactory
from django.urls import reverse

from programs.admin_numbers import (
    LocalizedDateField,
    LocalizedDecimalField,
    LocalizedIntegerField,
)
from programs.models import LockException, MonthlyReport, Program
from tests.helpers import element_text, find_all, make_user, page

pytestmark = pytest.mark.django_db

# What a person types the Indonesian way (each box on its own: read right, or refused).
TYPED_NUMBERS = [
    "8.600",
    "1.234,5",
    "8,6",
    "8.600,00",
    " 8 600 ",
    "8600.",
    "-0",
    "٣",  # an Arabic-Indic 3
    "８６００",  # full-width digits
    "١١.٢٠٢٦",  # a month box's November 2026 in Arabic-Indic digits
    "",
]
TYPED_DATES = [
    "25 Maret 2026",
    "31/02/2026",
    "2026-02-30",
    "0000-01-01",
    "9999-12-31",
    "10000-01-01",
    # Other scripts' digits, which Python's \d, int() and strptime read as 0-9.
    "٢٠٢٦-٠٣-٢٥",
    "25-03-٢٠٢٦",
    "25 Maret ２０２６",
    "٢٠٢٦-١١",  # a month box's November 2026
    "",
]
# What nobody types (an edited page, a script): every box of a form at once, refused.
HOSTILE = [
    "1e3",
    "1e309",
    "NaN",
    "Infinity",
    "9" * 400,
    "8\x00600",
    "8.600" * 200,
    "١٢/٠٣/٢٠٢٦",  # a date in Arabic-Indic digits
]
# A digit of another script than 0-9 (Arabic-Indic, full-width): the site reads numbers,
# dates and months in digits 0-9 only (`programs.text.whole_number`), as the entry form
# and the import do, and refuses the rest.
OTHER_DIGIT = re.compile(r"(?![0-9])\d")
# A lone surrogate as the bytes a broken client sends for it (UTF-8 of U+D800).
LONE_SURROGATE = "%ED%A0%80"

NUMBER_FIELDS = (forms.DecimalField, forms.IntegerField, forms.FloatField)
DATE_FIELDS = (forms.DateField, forms.DateTimeField, forms.SplitDateTimeField)
TEXT_FIELDS = (forms.CharField,)


@dataclass
class Surface:
    """One form of the admin: where it is posted, what it posts as shown, and its boxes
    by kind (box name -> the form field that reads it)."""

    name: str
    url: str
    data: dict[str, list[str]]
    numbers: dict[str, forms.Field] = field(default_factory=dict)
    dates: dict[str, forms.Field] = field(default_factory=dict)
    texts: dict[str, forms.Field] = field(default_factory=dict)
    models: tuple = ()
    form_id: str = "changelist-form"


def shown_data(form) -> dict[str, list[str]]:
    """What a browser posts of `form` as shown (checked boxes only, selected options)."""
    data: dict[str, list[str]] = {}
    for element in find_all(form):
        attrs = dict(element.attributes)
        name = attrs.get("name")
        if not name or element.name == "button" or "disabled" in attrs:
            continue
        if element.name == "input":
            kind = attrs.get("type", "text")
            if kind in ("submit", "file", "image", "reset"):
                continue
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                continue
            data.setdefault(name, []).append(
                attrs.get("value") or ("on" if kind == "checkbox" else "")
            )
        elif element.name == "select":
            chosen = [o for o in find_all(element, "option") if "selected" in dict(o.attributes)]
            if not chosen and "multiple" not in attrs:
                chosen = find_all(element, "option")[:1]
            data[name] = [dict(o.attributes).get("value", "") for o in chosen]
        elif element.name == "textarea":
            data[name] = [element_text(element)]
    return data


def classify(surface: Surface, prefix: str, form_fields: dict[str, forms.Field]) -> None:
    for name, form_field in form_fields.items():
        box = f"{prefix}{name}"
        if isinstance(form_field, forms.SplitDateTimeField):
            box += "_0"  # the date part; the time part is the admin's own
        if box not in surface.data:
            continue  # read-only on this page
        if isinstance(form_field, NUMBER_FIELDS):
            surface.numbers[box] = form_field
        elif isinstance(form_field, DATE_FIELDS):
            surface.dates[box] = form_field
        elif isinstance(form_field, TEXT_FIELDS) and not isinstance(
            form_field, forms.EmailField | forms.URLField | forms.SlugField
        ):
            surface.texts[box] = form_field


def admin_surfaces(client, user, model, model_admin) -> list[Surface]:
    request = RequestFactory().get("/")
    request.user = user
    info = model._meta.app_label, model._meta.model_name
    obj = model_admin.get_queryset(request).order_by("pk").first()
    surfaces = []
    if obj is not None and model_admin.has_change_permission(request, obj):
        url = reverse("admin:{}_{}_change".format(*info), args=[obj.pk])
    elif model_admin.has_add_permission(request):
        obj = None
        url = reverse("admin:{}_{}_add".format(*info))
    else:
        url = None
    if url is not None:
        shown = page(client.get(url))
        forms_shown = find_all(shown, "form", id=f"{model._meta.model_name}_form")
        if forms_shown:
            surface = Surface(f"{model._meta.label} form", url, shown_data(forms_shown[0]))
            surface.models = (model,)
            surface.form_id = f"{model._meta.model_name}_form"
            classify(surface, "", model_admin.get_form(request, obj).base_fields)
            for formset, inline in model_admin.get_formsets_with_inlines(request, obj):
                prefix = formset.get_default_prefix()
                classify(surface, f"{prefix}-0-", formset.form.base_fields)
                surface.models += (inline.model,)
            surfaces.append(surface)
    if model_admin.list_editable and model_admin.has_change_permission(request):
        url = reverse("admin:{}_{}_changelist".format(*info))
        shown = page(client.get(url))
        [changelist] = find_all(shown, "form", id="changelist-form")
        # Its first row only, as a list of one row is posted (the whole page of rows
        # would be read and checked again on every post).
        shown = shown_data(changelist)
        data = {
            k: v for k, v in shown.items() if not k.startswith("form-") or k.startswith("form-0-")
        }
        data |= {"form-TOTAL_FORMS": ["1"], "form-INITIAL_FORMS": ["1"]}
        data.pop("action", None)
        surface = Surface(f"{model._meta.label} list", url, data)
        surface.models = (model,)
        fields = model_admin.get_changelist_formset(request).form.base_fields
        classify(surface, "form-0-", {n: f for n, f in fields.items() if n != "id"})
        surfaces.append(surface)
    return surfaces


def snapshot(models) -> list:
    return [list(model._base_manager.order_by("pk").values_list()) for model in models]


def post(client, surface: Surface, changes: dict[str, str], raw: str = ""):
    data = {**surface.data, **{k: [v] for k, v in changes.items()}}
    data.setdefault("_save", ["Simpan"])
    data.setdefault("confirm_large_change", ["on"])  # a large change is not what is tested
    data.setdefault("change_reason", ["Uji ketikan"])
    body = urlencode([(k, v) for k, values in data.items() for v in values])
    if raw:
        body += "&" + raw
    return client.generic(
        "POST", surface.url, body, content_type="application/x-www-form-urlencoded"
    )


def shown_value(client, surface: Surface, box: str) -> str:
    """What `surface` shows in `box` once saved: on a list, the row of the same key
    (a saved order moves the row)."""
    if not surface.name.endswith(" list"):
        [form] = find_all(page(client.get(surface.url)), "form", id=surface.form_id)
        return (shown_data(form).get(box) or [""])[0]
    [changelist] = find_all(page(client.get(surface.url)), "form", id="changelist-form")
    shown = shown_data(changelist)
    row, _sep, name = box.removeprefix("form-").partition("-")
    key = surface.data[f"form-{row}-id"]
    for index in range(int(shown["form-TOTAL_FORMS"][0])):
        if shown.get(f"form-{index}-id") == key:
            return shown[f"form-{index}-{name}"][0]
    raise AssertionError(f"row {key} not listed")


LOCALIZED = (LocalizedDecimalField, LocalizedIntegerField, LocalizedDateField)


def reader(form_field: forms.Field) -> forms.Field:
    """What reads a box the site's way: the box's own field when it is one of the site's
    (a month box reads "Maret 2027"), else the site's rule for its kind, so that a box
    reading "8.600" as 8,6 is told from one reading it as 8.600."""
    if isinstance(form_field, forms.SplitDateTimeField):
        form_field = form_field.fields[0]
    if isinstance(form_field, LOCALIZED):
        return form_field
    if isinstance(form_field, NUMBER_FIELDS):
        return LocalizedDecimalField(required=form_field.required)
    return LocalizedDateField(required=form_field.required)


def own_reading(form_field: forms.Field, text: str):
    """What the box's own field makes of `text` (what the form saves)."""
    if isinstance(form_field, forms.SplitDateTimeField):
        form_field = form_field.fields[0]
    try:
        return form_field.clean(text)
    except ValidationError as error:
        return f"refused: {error.messages}"


def read(form_field: forms.Field, text: str):
    return reader(form_field).clean(text)


def problems_of(
    client, surface: Surface, changes: dict[str, str], raw: str = "", refused: bool = False
) -> list[str]:
    """What went wrong posting `changes` (box -> text) to `surface`, rolled back after."""
    said = []
    before = snapshot(surface.models)
    savepoint = transaction.savepoint()
    try:
        response = post(client, surface, changes, raw)
        typed = ", ".join(f"{box}={text!r}" for box, text in changes.items()) or raw
        if response.status_code >= 500:
            return [f"{surface.name}: {typed}: {response.status_code}"]
        if response.status_code == 302 and refused:
            said.append(f"{surface.name}: {typed}: saved what the site refuses")
        if response.status_code == 200:
            if snapshot(surface.models) != before:
                said.append(f"{surface.name}: {typed}: refused but changed")
            html = response.content.decode()
            if 'class="errorlist' not in html and "errornote" not in html:
                said.append(f"{surface.name}: {typed}: 200 without a message")
        elif response.status_code == 302 and len(changes) == 1:
            [(box, text)] = changes.items()
            form_field = {**surface.numbers, **surface.dates}.get(box)
            if form_field is not None and text.strip():
                shown = shown_value(client, surface, box)
                # As Indonesians read them: what was typed, what the box took (and
                # saved), what it shows, and what it takes again on the next Save.
                readings = [read(form_field, text), own_reading(form_field, text)]
                readings += [read(form_field, shown), own_reading(form_field, shown)]
                if len(set(readings)) != 1:
                    said.append(f"{surface.name}: {typed} saved shows {shown!r} ({readings})")
        elif response.status_code not in (302, 400):
            said.append(f"{surface.name}: {typed}: {response.status_code}")
    finally:
        transaction.savepoint_rollback(savepoint)
    return said


@pytest.fixture
def every_admin_has_a_row(gbrss_data):
    """A row of every model the admin edits, so that each change form is tried."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.auth.models import Group

    from regencies.models import UserScope

    make_user("op-banyuasin", UserScope.Role.OPERATOR, "16.07")
    Group.objects.create(name="Uji")
    now = dt.datetime(2025, 6, 1, 10, tzinfo=dt.UTC)
    common = {"ip_address": "10.0.0.1", "user_agent": "uji", "username": "x"}
    AccessAttempt.objects.create(
        **common, get_data="", post_data="", failures_since_start=3, attempt_time=now
    )
    AccessLog.objects.create(**common, attempt_time=now)
    AccessFailureLog.objects.create(**common, attempt_time=now, locked_out=False)
    LockException.objects.create(
        regency_id="16.07",
        program=Program.objects.get(slug="gbrss"),
        year=2024,
        month=3,
        until=dt.date(2099, 1, 1),
        reason="Uji",
    )
    assert MonthlyReport.objects.exists()


def registered():
    return sorted(admin.site._registry, key=lambda model: model._meta.label)


@pytest.mark.parametrize("model", registered(), ids=lambda model: model._meta.label)
def test_every_admin_box_reads_typed_input_or_refuses_it(
    admin_client, admin_user, every_admin_has_a_row, model
):
    surfaces = admin_surfaces(admin_client, admin_user, model, admin.site._registry[model])
    problems = []
    for surface in surfaces:
        refused: dict[str, dict[str, str]] = {}
        # Typed into one box of each kind of box of the form (each kind reads as its
        # field class and shows as its widget; the rules of single boxes have their own
        # tests), hostile values into every box at once below.
        kinds = {}
        for box, form_field in {**surface.numbers, **surface.dates}.items():
            if not isinstance(form_field.widget, forms.HiddenInput):
                kinds.setdefault((type(form_field), type(form_field.widget)), box)
        boxes = [
            (box, text)
            for box in kinds.values()
            if box in surface.numbers
            for text in TYPED_NUMBERS
        ]
        boxes += [
            (box, text) for box in kinds.values() if box in surface.dates for text in TYPED_DATES
        ]
        tried = set()
        for box, text in boxes:
            try:
                meant = read({**surface.numbers, **surface.dates}[box], text)
            except ValidationError:
                # Refused by the box itself: posted with every other box refusing it.
                refused.setdefault(text, {})[box] = text
                continue
            except Exception as error:  # a 500 once posted
                problems.append(f"{surface.name}: {box}={text!r}: {error!r}")
                continue
            if OTHER_DIGIT.search(text):
                problems.append(f"{surface.name}: {box}={text!r}: read as {meant!r}")
                continue
            # Read: posted on its own, saved (or refused by the form) and shown back,
            # once for each number or date meant ("8.600" and "8.600,00" are one).
            if (box, meant) in tried:
                continue
            tried.add((box, meant))
            problems += problems_of(admin_client, surface, {box: text})
        for changes in refused.values():
            problems += problems_of(admin_client, surface, changes, refused=True)
        boxes = [*surface.numbers, *surface.dates]
        if boxes:
            for text in HOSTILE:
                changes = dict.fromkeys(boxes, text)
                problems += problems_of(admin_client, surface, changes, refused=True)
        texts = [*surface.texts]
        if texts:
            problems += problems_of(admin_client, surface, dict.fromkeys(texts, "a\x00b"))
            raw = "&".join(f"{box}=a{LONE_SURROGATE}b" for box in texts)
            kept = {k: v for k, v in surface.data.items() if k not in texts}
            problems += problems_of(admin_client, replace(surface, data=kept), {}, raw)
    assert problems == []


def test_every_admin_form_with_boxes_is_found(admin_client, admin_user, every_admin_has_a_row):
    """The discovery above sees the forms known to hold numbers and dates (it would pass
    vacuously on a page it no longer parses)."""
    found = {}
    for model, model_admin in list(admin.site._registry.items()):
        for surface in admin_surfaces(admin_client, admin_user, model, model_admin):
            found[surface.name] = sorted([*surface.numbers, *surface.dates])
    assert "value" in found["programs.Target form"]
    assert "splits-0-value" in found["programs.Target form"]
    assert "form-0-value" in found["programs.Target list"]
    assert "realizations-0-value" in found["programs.MonthlyReport form"]
    assert "population" in found["regencies.Regency form"]
    assert "date_joined_0" in found["auth.User form"]
    assert "order" in found["programs.FundingSource form"]


def test_every_admin_number_and_date_box_reads_the_indonesian_way(
    admin_client, admin_user, every_admin_has_a_row
):
    """A box of Django's own reads "8.600" as 8,6 (or refuses "25 Maret 2026"): every
    number and date box of every admin form is one of the site's, which read them as
    Indonesians write them (`programs.admin_numbers`)."""
    stock = []
    for model, model_admin in list(admin.site._registry.items()):
        for surface in admin_surfaces(admin_client, admin_user, model, model_admin):
            for box, form_field in {**surface.numbers, **surface.dates}.items():
                if isinstance(form_field, forms.SplitDateTimeField):
                    form_field = form_field.fields[0]
                if isinstance(form_field.widget, forms.HiddenInput):
                    continue  # nobody types it (a version the form was opened at)
                if not isinstance(form_field, LOCALIZED):
                    stock.append(f"{surface.name}: {box} ({type(form_field).__name__})")
    assert stock == []
