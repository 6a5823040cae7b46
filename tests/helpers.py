"""Helpers shared by the tests: dates relative to the (frozen) clock, users and their
clients, reading pages through an HTML parser instead of slicing strings, and running
Python in a fresh process."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.test import Client
from django.test.html import Element, parse_html
from django.utils import timezone

from programs.models import FundingSource, Indicator, Program, Target
from regencies.models import UserScope
from tests.factories import (
    MonthlyReportFactory,
    RealizationFactory,
    RegencyFactory,
    UserFactory,
)

ROOT = Path(__file__).resolve().parent.parent


def run_python(code: str, **env) -> subprocess.CompletedProcess:
    """Run `code` in a new Python process at the project's root, with `env` in place of
    the DJANGO_* variables of the test run (its settings are not the ones under test)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def previous_month(months_back: int = 1, today: dt.date | None = None) -> tuple[int, int]:
    """(year, month) `months_back` months before today's month. Under the frozen clock
    (`frozen_clock` in conftest) one month back is open for editing, two or more are
    past their lock date."""
    today = today or timezone.localdate()
    year, month = today.year, today.month
    for _i in range(months_back):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return year, month


def make_user(name, role=None, regency=None, programs=(), superuser=False):
    """A user with an email, and a scope when `role` is given (`programs`: slugs)."""
    user = UserFactory(
        username=name, email=f"{name}@sumselprov.go.id", is_superuser=superuser, is_staff=superuser
    )
    if role:
        scope = UserScope.objects.create(user=user, role=role, regency_id=regency)
        scope.programs.set(Program.objects.filter(slug__in=programs))
    return user


def login(user=None, **client_options) -> Client:
    """A test client with a session of `user`, anonymous when `user` is None;
    `client_options` go to the Client (default headers, `enforce_csrf_checks`, ...)."""
    client = Client(**client_options)
    if user is not None:
        client.force_login(user)
    return client


def formset_data(prefix: str, row: dict, *, initial: int, max_num: int = 1000) -> dict:
    """The POST of a one-form formset (admin inline or changelist): its management
    form and the row's fields under `prefix`-0-."""
    return {
        f"{prefix}-TOTAL_FORMS": "1",
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": str(max_num),
        **{f"{prefix}-0-{name}": value for name, value in row.items()},
    }


def flat_html(response) -> str:
    """The response's HTML with every run of whitespace made one space."""
    return re.sub(r"\s+", " ", response.content.decode())


def page(response) -> Element:
    """The response's HTML as a tree (django.test.html: whitespace normalised)."""
    return parse_html(response.content.decode())


def is_whole_page(response) -> bool:
    """Whether the response is a whole document (<html> at its root), not an htmx partial."""
    return page(response).name == "html"


def figure_text(response, name: str) -> str:
    """The text of the page's element marked `data-figure="name"` (a headline number)."""
    return element_text(find(page(response), data_figure=name))


def json_scripts(response) -> dict[str, Any]:
    """The page's `<script type="application/json" id=...>` blocks (Django's json_script:
    the charts' figures), parsed, by id. Like every text the parser reads, a run of
    whitespace becomes one space: JSON writes line breaks and tabs inside strings as
    escapes, so only a run of spaces inside a string would read shorter."""
    return {
        attribute(script, "id"): json.loads(element_text(script))
        for script in find_all(page(response), "script", type="application/json")
    }


def _matches(element: Element, tag: str | None, attrs: dict[str, str]) -> bool:
    if tag is not None and element.name != tag:
        return False
    present = dict(element.attributes)
    for name, value in attrs.items():
        name = name.rstrip("_").replace("_", "-")
        if name == "class":
            if value not in (present.get("class") or "").split():
                return False
        elif present.get(name) != value:
            return False
    return True


def _walk(element: Element) -> Iterator[Element]:
    for child in element.children:
        if not isinstance(child, str):
            yield child
            yield from _walk(child)


def find_all(root: Element, tag: str | None = None, **attrs: str) -> list[Element]:
    """Elements under `root` by tag and attributes: `data_regency="16.07"` matches
    data-regency, `class_="num"` matches one of the classes."""
    return [e for e in _walk(root) if _matches(e, tag, attrs)]


def find(root: Element, tag: str | None = None, **attrs: str) -> Element:
    """The first element that `find_all` finds; fails the test when there is none."""
    found = find_all(root, tag, **attrs)
    assert found, f"no <{tag or '*'}> with {attrs}"
    return found[0]


def attribute(element: Element, name: str) -> str | None:
    """The value of an element's attribute, None when it has none."""
    return dict(element.attributes).get(name)


def element_text(element: Element | str) -> str:
    """The text of an element and its descendants, whitespace collapsed."""
    if isinstance(element, str):
        return element
    parts = [element_text(child) for child in element.children]
    return " ".join(p for p in parts if p).strip()


def cells(row: Element) -> list[str]:
    """The texts of a table row's cells (th and td, in order)."""
    return [
        element_text(c) for c in row.children if not isinstance(c, str) and c.name in ("th", "td")
    ]


def form_fields(response, form_id: str = "entry-form") -> dict[str, str]:
    """What a page's form would post as shown: its inputs, selected options and text
    areas by name (buttons left out: the test says which action it posts)."""
    form = find(page(response), "form", id=form_id)
    fields = {}
    for element in find_all(form):
        attrs = dict(element.attributes)
        name = attrs.get("name")
        if not name or element.name == "button":
            continue
        if element.name == "input":
            fields[name] = attrs.get("value") or ""
        elif element.name == "select":
            options = find_all(element, "option")
            chosen = [o for o in options if "selected" in dict(o.attributes)] or options
            fields[name] = dict(chosen[0].attributes).get("value", "")
        elif element.name == "textarea":
            fields[name] = element_text(element)
    return fields


def flash_messages(response) -> list[str]:
    """The texts of the page's one-time messages (base.html's `ul.messages`)."""
    lists = find_all(page(response), "ul", class_="messages")
    return [element_text(item) for found in lists for item in find_all(found, "li")]


def row_messages(response, key: str) -> list[str]:
    """The entry form's checks beside an indicator or a row (`#msg-<key>`), as texts."""
    return [element_text(p) for p in find_all(find(page(response), id=f"msg-{key}"), "p")]


def table_row(response, table_id: str, regency_code: str) -> Element:
    """A regency's row (`data-regency`) of the table (or any block) with id `table_id`."""
    return find(find(page(response), id=table_id), "tr", data_regency=regency_code)


def unread(client) -> str:
    """The notification bell's count of unread notifications."""
    bell = page(client.get("/notifikasi/lonceng/"))  # the fragment is the bell itself
    assert attribute(bell, "id") == "notification-bell"
    return attribute(bell, "data-unread")


def import_preview_rows(response) -> list[dict[str, str]]:
    """The spreadsheet import preview's rows, each as its cells' texts by column heading,
    with its state (new, changed, unchanged, error) under "state"."""
    table = find(page(response), "table", id="preview-table")
    headings = [element_text(th) for th in find_all(find(table, "thead"), "th")]
    return [
        dict(zip(headings, cells(tr), strict=True)) | {"state": attribute(tr, "data-state")}
        for tr in find_all(find(table, "tbody"), "tr")
    ]


def error_messages(root: Element) -> list[str]:
    """The texts of the form errors under `root` (the items of every `ul.errorlist`)."""
    return [
        element_text(item)
        for found in find_all(root, "ul", class_="errorlist")
        for item in find_all(found, "li")
    ]


def admin_row(response, change_url: str) -> dict[str, Element]:
    """The cells of the admin changelist row linking to `change_url`, by column name
    (the `field-<name>` class the admin gives each cell)."""
    rows = [
        columns
        for row in find_all(find(page(response), "table", id="result_list"), "tr")
        if find_all(row, "a", href=change_url)
        and (columns := _admin_cells(row))  # not a row of errors linking to the object
    ]
    assert len(rows) == 1, f"no single changelist row linking to {change_url}"
    return rows[0]


def _admin_cells(row: Element) -> dict[str, Element]:
    return {
        name.removeprefix("field-"): cell
        for cell in row.children
        if not isinstance(cell, str)
        for name in (attribute(cell, "class") or "").split()
        if name.startswith("field-")
    }


def admin_column(response, name: str) -> list[str]:
    """The texts of one column (`field-<name>`) of the admin changelist, row by row."""
    table = find(page(response), "table", id="result_list")
    return [element_text(cell) for cell in find_all(table, class_=f"field-{name}")]


def admin_headers(response) -> list[str]:
    """The texts of the admin changelist's column headers."""
    return [
        element_text(th)
        for th in find_all(find(page(response), "table", id="result_list"), "th", scope="col")
    ]


def add_synthetic_regencies(count: int) -> None:
    """`count` more regencies (99.01, ...) with GBRSS and stunting reports for Jan-Feb 2024:
    query counts must not grow with them."""
    houses = Indicator.objects.get(code="rumah-dibedah")
    stunting = Indicator.objects.get(code="prevalensi-stunting")
    source = FundingSource.objects.get(code="tidak-dirinci")
    for n in range(1, count + 1):
        regency = RegencyFactory(code=f"99.{n:02d}", bps_code=f"99{n:02d}")
        Target.objects.create(indicator=houses, regency=regency, year=2024, value=Decimal(10))
        for month in (1, 2):
            rep = MonthlyReportFactory(program=houses.program, regency=regency, month=month)
            RealizationFactory(report=rep, indicator=houses, funding_source=source)
            rep = MonthlyReportFactory(program=stunting.program, regency=regency, month=month)
            RealizationFactory(
                report=rep,
                indicator=stunting,
                funding_source=source,
                value=None,
                numerator=Decimal(1),
                denominator=Decimal(4),
            )


def executed_sql(queries) -> list[str]:
    """The SQL of a CaptureQueriesContext's queries, an `EXECUTE dq_...` (a prepared
    statement, programs/prepared.py) read back as the statement PostgreSQL prepared
    under that name, so that a test can look for the tables a page read."""
    from django.db import connection

    executed = [query["sql"] for query in queries.captured_queries]
    if connection.vendor != "postgresql":
        return executed
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, statement FROM pg_prepared_statements")
        # "PREPARE dq_... AS SELECT ...": the query itself, with $1, $2 for its values
        prepared = {name: text.split(" AS ", 1)[1] for name, text in cursor.fetchall()}
    return [
        prepared.get(sql.split("(")[0].removeprefix("EXECUTE ").strip(), sql)
        if sql.startswith("EXECUTE dq_")
        else sql
        for sql in executed
    ]
