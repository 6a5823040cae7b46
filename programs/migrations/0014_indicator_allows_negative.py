"""Indicators whose level may fall below zero (a deflation: -0,09 % year on year).

The realization value's non-negative check constraint goes: whether a value may be
negative depends on its indicator, which a check constraint cannot read. Triggers take
its place (programs/guards.py, installed after every migrate); numerators and
denominators keep their constraints."""

from django.db import migrations, models


def drop_sign_triggers(apps, schema_editor):
    """Backwards: the triggers read the column this migration adds."""
    from programs import guards

    for statement in guards.drop_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement)


def refuse_negative_values(apps, schema_editor):
    """Backwards: the check constraint put back refuses a negative value. Say which ones
    stand in the way, rather than fail on the constraint, and change nothing."""
    Realization = apps.get_model("programs", "Realization")
    negative = Realization.objects.filter(value__lt=0).select_related("report__program")
    if negative.exists():
        examples = "; ".join(
            f"{r.report.program.slug} {r.report.regency_id or 'provinsi'} "
            f"{r.report.year}-{r.report.month:02d}: {r.value}"
            for r in negative.order_by("pk")[:5]
        )
        raise RuntimeError(
            f"Cannot go back before programs 0014: {negative.count()} realization(s) hold "
            f"a negative value (a deflation), which that version refuses ({examples}). "
            "Change or delete them first; nothing was changed."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0013_constraint_messages_exemption_unique"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="realization",
            name="realization_value_non_negative",
        ),
        migrations.RunPython(migrations.RunPython.noop, refuse_negative_values),
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
        migrations.RunPython(migrations.RunPython.noop, drop_sign_triggers),
    ]
