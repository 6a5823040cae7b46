"""GPISS's year-on-year inflation may be negative: BPS recorded a national deflation of
-0,09 % in February 2025, which a regency must be able to report. A separate migration
from 0014's schema change, as 0012 is from 0013 (the data-version trigger events of the
update are committed on their own)."""

from django.db import migrations


def allow_deflation(apps, schema_editor):
    Indicator = apps.get_model("programs", "Indicator")
    Indicator.objects.filter(program__slug="gpiss", code="inflasi-yoy", measure="level").update(
        allows_negative=True
    )


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0014_indicator_allows_negative"),
    ]

    operations = [
        migrations.RunPython(allow_deflation, migrations.RunPython.noop),
    ]
