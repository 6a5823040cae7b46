"""A target's baseline may be negative where its indicator may be (a deflation as the
year's starting point): its check constraint goes, as the realization value's did in
0014, and triggers take its place (programs/guards.py; `Target.clean` gives the message).

SQLite rebuilds programs_target for a constraint change, and a trigger that reads the
table (the indicator's, since this change) would fail the rebuild: the sign triggers are
dropped around it and installed again after it, both ways (and after every migrate,
post_migrate)."""

from django.db import migrations

from programs import guards


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0015_inflation_allows_negative"),
    ]

    operations = [
        # Going back, the last step: install the triggers again after the rebuild (0014's
        # state has them too). Left to post_migrate, they stayed dropped whenever a
        # migration further back refused to go (a deflation stored before 0014).
        migrations.RunPython(guards.drop_in_migration, guards.install_in_migration),
        migrations.RemoveConstraint(
            model_name="target",
            name="target_baseline_non_negative",
        ),
        migrations.RunPython(
            migrations.RunPython.noop,
            guards.refusing_negatives(
                "Target",
                "baseline",
                lambda t: f"{t.indicator.program.slug} {t.indicator.code} "
                f"{t.regency_id or 'provinsi'} {t.year}: {t.baseline}",
                before="0016",
                what="target(s) have a negative baseline",
            ),
        ),
        migrations.RunPython(guards.install_in_migration, guards.drop_in_migration),
    ]
