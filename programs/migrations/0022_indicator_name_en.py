"""An indicator's English name, shown on English pages instead of the Indonesian one
where given (`Indicator.display_name`); blank: the Indonesian name.

SQLite rebuilds programs_indicator to add a NOT NULL column, and the sign triggers read
the table (programs/guards.py): they are dropped around the rebuild and installed again
after it (and after every migrate, post_migrate), as in 0016."""

from django.db import migrations, models

from programs import guards


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0021_notification_evidence_added"),
    ]

    operations = [
        migrations.RunPython(guards.drop_in_migration, guards.install_in_migration),
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
        migrations.RunPython(guards.install_in_migration, guards.drop_in_migration),
    ]
