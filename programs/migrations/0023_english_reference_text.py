"""English versions of the reference text English pages still showed in Indonesian: a
program's name and launch note, a ratio's numerator and denominator labels, a target
milestone's name. Blank: the Indonesian text (`programs.vocabulary.in_reader_language`).

SQLite rebuilds programs_indicator to add a NOT NULL column, and the sign triggers read
the table (programs/guards.py): they are dropped around the rebuilds and installed again
after them (and after every migrate, post_migrate), as in 0022."""

from django.db import migrations, models

from programs import guards

# (model, field, verbose name, max length): each beside its Indonesian field.
FIELDS = [
    ("program", "name_en", "nama (Inggris)", 200),
    ("program", "launch_note_en", "keterangan peluncuran (Inggris)", 200),
    ("indicator", "numerator_label_en", "label pembilang (Inggris)", 80),
    ("indicator", "denominator_label_en", "label penyebut (Inggris)", 80),
    ("targetmilestone", "label_en", "nama tahapan (Inggris)", 200),
]


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0022_indicator_name_en"),
    ]

    operations = [
        migrations.RunPython(guards.drop_in_migration, guards.install_in_migration),
        *(
            migrations.AddField(
                model_name=model,
                name=name,
                field=models.CharField(
                    blank=True,
                    help_text="kosongkan bila sama",
                    max_length=length,
                    verbose_name=verbose_name,
                ),
            )
            for model, name, verbose_name, length in FIELDS
        ),
        migrations.RunPython(guards.install_in_migration, guards.drop_in_migration),
    ]
