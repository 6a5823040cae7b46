"""A target's baseline may be negative where its indicator may be (a deflation as the
year's starting point): its check constraint goes, as the realization value's did in
0014, and triggers take its place (programs/guards.py; `Target.clean` gives the message).

SQLite rebuilds programs_target for a constraint change, and a trigger that reads the
table (the indicator's, since this change) would fail the rebuild: the sign triggers are
dropped around it and installed again after it (and after every migrate, post_migrate)."""

from django.db import migrations


def drop_sign_triggers(apps, schema_editor):
    from programs import guards

    for statement in guards.drop_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement)


def install_sign_triggers(apps, schema_editor):
    from programs import guards

    for statement in guards.trigger_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement)


def refuse_negative_baselines(apps, schema_editor):
    """Backwards: the check constraint put back refuses a negative baseline. Say which
    targets stand in the way, rather than fail on the constraint, and change nothing."""
    Target = apps.get_model("programs", "Target")
    negative = Target.objects.filter(baseline__lt=0).select_related("indicator__program")
    if negative.exists():
        examples = "; ".join(
            f"{t.indicator.program.slug} {t.indicator.code} {t.regency_id or 'provinsi'} "
            f"{t.year}: {t.baseline}"
            for t in negative.order_by("pk")[:5]
        )
        raise RuntimeError(
            f"Cannot go back before programs 0016: {negative.count()} target(s) have a "
            f"negative baseline, which that version refuses ({examples}). Change them "
            "first; nothing was changed."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0015_inflation_allows_negative"),
    ]

    operations = [
        migrations.RunPython(drop_sign_triggers, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name="target",
            name="target_baseline_non_negative",
        ),
        migrations.RunPython(migrations.RunPython.noop, refuse_negative_baselines),
        migrations.RunPython(install_sign_triggers, drop_sign_triggers),
    ]
