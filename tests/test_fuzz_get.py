"""Every page, partial, download and API address, and every admin list, asked with its
query parameters set to hostile values: never a 500.

The addresses come from the URL configuration, the parameters from the page itself:
those its view reads (recorded while it answers) and those its own links carry (the
admin's filters, search, date hierarchy, ordering and pages). A page or parameter added
later is covered without touching this file. Each address is asked as the first of
anonymous, operator, verifier, pimpinan and admin that it answers. The API's parameters
are read by django-ninja past what is recorded here: they are fuzzed against its schema
(tests/programs/api/test_api_schema.py).
"""

from __future__ import annotations

import re
import uuid
from urllib.parse import parse_qsl, quote

import pytest
from django.contrib import admin
from django.http import QueryDict
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from programs.models import Attachment, MonthlyReport, SavedView
from tests.helpers import attribute, find_all, login, page

pytestmark = pytest.mark.django_db

# Put in every parameter a page reads at once; then each one doubled (?x=1&x=2), and a
# NUL in each. The last is a lone surrogate as its bytes arrive (%ED%A0%80).
HOSTILE = ["9" * 30, "-1", "٣", "1e309", "NaN", "x" * 300 + "%ED%A0%80"]


def every_route(resolver=None, prefix="", namespace=""):
    """(name, kwargs' names) of every named route, namespaced."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from every_route(entry, prefix, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", tuple(entry.pattern.converters)


class Recorded:
    """The query parameters a view reads while it answers."""

    def __init__(self, monkeypatch):
        self.names: set[str] = set()
        names = self.names
        for method in ("__getitem__", "get", "getlist", "__contains__"):
            original = getattr(QueryDict, method)

            def recording(self, key, *args, _original=original, **kwargs):
                if isinstance(key, str):
                    names.add(key)
                return _original(self, key, *args, **kwargs)

            monkeypatch.setattr(QueryDict, method, recording)


def linked_names(response) -> set[str]:
    """The query parameters of the page's own links to itself."""
    if "html" not in response.get("Content-Type", ""):
        return set()
    names = set()
    for link in find_all(page(response), "a"):
        href = attribute(link, "href") or ""
        if href.startswith("?"):
            names |= {name for name, _value in parse_qsl(href[1:], keep_blank_values=True)}
    return names


@pytest.fixture
def world(gbrss_data, people):
    """A row behind every address that takes a key: an attachment, a saved view."""
    from tests.api_helpers import attach

    attach(MonthlyReport.objects.get(regency_id="16.07", year=2024, month=1), public=True)
    SavedView.objects.create(user=people["pimpinan"], title="Uji", path="/", query="tahun=2024")
    return people


def route_kwargs(name: str, converters: tuple[str, ...]) -> dict | None:
    values = {
        "slug": "gbrss",
        "code": "16.07",
        "period": (2024, 3),
        "fmt": "csv",
        "token": uuid.uuid4(),
        "uidb64": "MQ",
        "object_id": "1",
    }
    kwargs = {}
    for key in converters:
        if key == "pk":
            model = SavedView if "saved" in name else Attachment
            row = model.objects.order_by("pk").first()
            if row is None:
                return None
            kwargs[key] = row.pk
        elif key in values:
            kwargs[key] = values[key]
        else:
            return None
    return kwargs


def addresses() -> list[str]:
    found = []
    for name, converters in every_route():
        if name.startswith("admin:"):
            continue
        kwargs = route_kwargs(name, converters)
        if kwargs is None:
            continue
        try:
            found.append(reverse(name, kwargs=kwargs))
        except NoReverseMatch:  # a route these values do not fit
            continue
    for model in admin.site._registry:
        info = model._meta.app_label, model._meta.model_name
        found.append(reverse("admin:{}_{}_changelist".format(*info)))
    return found


def problems_of(client: Client, url: str, query: str) -> list[str]:
    response = client.get(f"{url}?{query}" if query else url)
    if response.status_code >= 500:
        return [f"{url}?{query[:80]}: {response.status_code}"]
    return []


def test_every_address_with_hostile_parameters_is_never_a_500(world, monkeypatch):
    clients = {
        "anonymous": Client(raise_request_exception=False),
        **{
            role: login(world[role], raise_request_exception=False)
            for role in ("operator", "verifier", "pimpinan", "admin")
        },
    }
    problems = []
    tried = 0
    for url in addresses():
        if "keluar" in url:
            continue
        for client in clients.values():
            recorded = Recorded(monkeypatch)
            response = client.get(url)
            monkeypatch.undo()
            if response.status_code != 200:
                continue
            names = (recorded.names | linked_names(response)) - {"csrfmiddlewaretoken"}
            names = {name for name in names if not re.search(r"[^\w.-]", name)} or {"q"}
            queries = [
                "&".join(f"{n}={quote(value, safe='%')}" for n in sorted(names))
                for value in HOSTILE
            ]
            queries.append("&".join(f"{n}=1&{n}=2" for n in sorted(names)))
            queries.append("&".join(f"{n}=%00" for n in sorted(names)))
            for query in queries:
                problems += problems_of(client, url, query)
            tried += len(names)
            break  # the first role the page answers is enough
    assert tried > 50
    assert problems == []
