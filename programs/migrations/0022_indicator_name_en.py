"""An indicator's English name, shown on English pages instead of the Indonesian one
where given (`Indicator.display_name`); blank: the Indonesian name.

SQLite rebuilds programs_indicator to add a NOT NULL column, and the sign triggers read
the table (programs/guards.py): they are dropped around the rebuild and installed again
after it (and after every migrate, post_migrate), as in 0016."""

from django.db import migrations, models


def drop_sign_triggers(apps, schema_editor):
    from programs import guards

    for statement in guards.drop_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement)


def install_sign_triggers(apps, schema_editor):
    from programs import guards

    for statement in guards.trigger_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0021_notification_evidence_added"),
    ]

    operations = [
        migrations.RunPython(drop_sign_triggers, install_sign_triggers),
        migrations.AddField(
            model_name="indicator",
            name="name_en",
            field=models.CharField(
                blank=True,
                help_text="kosongkan bila sama",
                max_length=250,
                verbose_name="nama (Inggris)",
            ),
        ),
        migrations.RunPython(install_sign_triggers, drop_sign_triggers),
    ]
