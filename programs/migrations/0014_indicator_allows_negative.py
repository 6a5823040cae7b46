"""Indicators whose level may fall below zero (a deflation: -0,09 % year on year).

The realization value's non-negative check constraint goes: whether a value may be
negative depends on its indicator, which a check constraint cannot read. Triggers take
its place (programs/guards.py, installed after every migrate); numerators and
denominators keep their constraints."""

from django.db import migrations, models

from programs import guards


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0013_constraint_messages_exemption_unique"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="realization",
            name="realization_value_non_negative",
        ),
        migrations.RunPython(
            migrations.RunPython.noop,
            guards.refusing_negatives(
                "Realization",
                "value",
                lambda r: f"{r.report.program.slug} {r.report.regency_id or 'provinsi'} "
                f"{r.report.year}-{r.report.month:02d}: {r.value}",
                before="0014",
                what="realization(s) hold a negative value (a deflation)",
            ),
        ),
        migrations.AddField(
            model_name="indicator",
            name="allows_negative",
            field=models.BooleanField(
                default=False,
                help_text=(
                    "Untuk nilai tingkat yang dapat di bawah nol, mis. inflasi tahunan: "
                    "deflasi ditulis -0,09. Hanya untuk cara agregasi 'nilai tingkat': "
                    "jumlah, kumulatif dan rasio tidak pernah negatif."
                ),
                verbose_name="boleh negatif",
            ),
        ),
        migrations.AlterField(
            model_name="historicalrealization",
            name="value",
            field=models.DecimalField(
                blank=True, decimal_places=4, max_digits=16, null=True, verbose_name="nilai"
            ),
        ),
        migrations.AlterField(
            model_name="realization",
            name="value",
            field=models.DecimalField(
                blank=True, decimal_places=4, max_digits=16, null=True, verbose_name="nilai"
            ),
        ),
        migrations.AddConstraint(
            model_name="indicator",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("allows_negative", False), ("measure", "level"), _connector="OR"
                ),
                name="indicator_negative_only_for_level",
                violation_error_message=(
                    "Hanya indikator dengan cara agregasi 'nilai tingkat' yang boleh negatif: "
                    "penambahan, kumulatif dan rasio tidak pernah di bawah nol."
                ),
            ),
        ),
        migrations.RunPython(migrations.RunPython.noop, guards.drop_in_migration),
    ]
