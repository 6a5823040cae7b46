"""A program without a launch date no longer stores "Tanggal peluncuran tidak diketahui"
as its launch note: the program page writes that sentence itself, in the reader's
language. The fixture's stored sentence is cleared (a note an admin wrote stays)."""

from django.db import migrations

UNKNOWN = "Tanggal peluncuran tidak diketahui"


def clear_unknown_launch_notes(apps, schema_editor):
    Program = apps.get_model("programs", "Program")
    Program.objects.filter(launch_date__isnull=True, launch_note=UNKNOWN).update(launch_note="")


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0019_saved_views_follow_the_calendar"),
    ]

    operations = [
        migrations.RunPython(clear_unknown_launch_notes, migrations.RunPython.noop),
    ]
