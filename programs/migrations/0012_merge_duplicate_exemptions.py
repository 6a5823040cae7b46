"""Before 0013's unique constraint on whole-program exemptions: merge the rows it would
refuse. A separate migration: on PostgreSQL the rows' data-version trigger events must be
committed before 0013 creates the index."""

from django.db import migrations


def merge_duplicate_program_exemptions(apps, schema_editor):
    """Whole-program exemptions saved more than once before the constraint below (same
    regency, program and first month, indicator empty) become one, so the constraint can
    be added: the first row keeps the latest end (open-ended if any is), every reason and
    a source link; nothing an admin wrote is lost."""
    Exemption = apps.get_model("programs", "ReportingExemption")
    first_of = {}
    for row in Exemption.objects.filter(indicator__isnull=True).order_by("pk"):
        key = (row.regency_id, row.program_id, row.start)
        first = first_of.setdefault(key, row)
        if first is row:
            continue
        if first.end is not None and (row.end is None or row.end > first.end):
            first.end = row.end
        if row.reason and row.reason not in first.reason:
            first.reason = f"{first.reason}\n{row.reason}"
        first.source_url = first.source_url or row.source_url
        first.save(update_fields=["end", "reason", "source_url"])
        row.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0011_target_year_index"),
    ]

    operations = [
        migrations.RunPython(merge_duplicate_program_exemptions, migrations.RunPython.noop),
    ]
