"""Helpers shared by the API tests (tests/programs/api): scoped users, JSON answers,
query counts and hand-made attachments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from programs.models import Attachment, Program
from tests.factories import UserFactory, UserScopeFactory


def user_with(role, regency=None, programs=(), name=None):
    """A user with a scope of `role` (`programs`: slugs), named after it unless `name`."""
    user = UserFactory(username=name or f"{role}-{regency or 'prov'}-{'-'.join(programs)}")
    scope = UserScopeFactory(user=user, role=role, regency_id=regency)
    scope.programs.set(Program.objects.filter(slug__in=programs))
    return user


def get_json(client, url, status=200):
    """The JSON body of `url`, after checking its status and content type."""
    response = client.get(url)
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


def queries(caller, url) -> int:
    """How many database queries one successful request of `url` takes."""
    with CaptureQueriesContext(connection) as ctx:
        assert caller.get(url).status_code == 200
    return len(ctx.captured_queries)


def attach(report, kind="photo", *, public=False, gps=True, indicator=None, name="foto.jpg"):
    """An attachment of `report` made by hand: metadata only, no file is stored."""
    photo = kind == Attachment.Kind.PHOTO
    return Attachment.objects.create(
        report=report,
        indicator=indicator,
        kind=kind,
        file=f"lampiran/uji/{name}",
        thumbnail="lampiran/uji/kecil.jpg" if photo else "",
        content_type="image/jpeg" if photo else "application/pdf",
        original_name=name,
        caption=f"keterangan {name}",
        size=1234,
        width=40 if photo else None,
        height=20 if photo else None,
        taken_at=dt.datetime(2024, 3, 14, 9, 30, tzinfo=dt.UTC) if photo else None,
        latitude=Decimal("-2.833333") if gps else None,
        longitude=Decimal("104.750000") if gps else None,
        sha256="0" * 64,
        is_public=public,
    )
