"""English versions of the reference text English pages still showed in Indonesian: a
program's name and launch note, a ratio's numerator and denominator labels, a target
milestone's name. Blank: the Indonesian text (`programs.vocabulary.in_reader_language`).

SQLite rebuilds programs_indicator to add a NOT NULL column, and the sign triggers read
the table (programs/guards.py): they are dropped around the rebuilds and installed again
after them (and after every migrate, post_migrate), as in 0022."""

from django.db import migrations, models

from programs import guards


def english(verbose_name: str, max_length: int) -> models.CharField:
    return models.CharField(
        blank=True, help_text="kosongkan bila sama", max_length=max_length, verbose_name=verbose_name
    )


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0022_indicator_name_en"),
    ]

    operations = [
        migrations.RunPython(guards.drop_in_migration, guards.install_in_migration),
        migrations.AddField(
            model_name="program", name="name_en", field=english("nama (Inggris)", 200)
        ),
        migrations.AddField(
            model_name="program",
            name="launch_note_en",
            field=english("keterangan peluncuran (Inggris)", 200),
        ),
        migrations.AddField(
            model_name="indicator",
            name="numerator_label_en",
            field=english("label pembilang (Inggris)", 80),
        ),
        migrations.AddField(
            model_name="indicator",
            name="denominator_label_en",
            field=english("label penyebut (Inggris)", 80),
        ),
        migrations.AddField(
            model_name="targetmilestone",
            name="label_en",
            field=english("nama tahapan (Inggris)", 200),
        ),
        migrations.RunPython(guards.install_in_migration, guards.drop_in_migration),
    ]
