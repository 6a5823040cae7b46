"""Indicators whose level may fall below zero (a deflation: -0,09 % year on year).

The realization value's non-negative check constraint goes: whether a value may be
negative depends on its indicator, which a check constraint cannot read. The entry rules
(`rules.check_value`) decide it at every entry point; numerators and denominators keep
their constraints."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0013_constraint_messages_exemption_unique"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="realization",
            name="realization_value_non_negative",
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
    ]
