"""The English name of a program's lead agency, which English program pages still showed
in Indonesian ("Biro Perekonomian Setda Prov. Sumsel (bersama TPID)"). Blank: the
Indonesian one (`programs.vocabulary.in_reader_language`), as the fields of 0023."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0023_english_reference_text"),
    ]

    operations = [
        migrations.AddField(
            model_name="program",
            name="lead_agency_en",
            field=models.CharField(
                blank=True,
                help_text="kosongkan bila sama",
                max_length=200,
                verbose_name="OPD penanggung jawab (Inggris)",
            ),
        ),
    ]
