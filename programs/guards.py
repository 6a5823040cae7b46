"""The database's own refusal of a negative realization value or target baseline where
its indicator does not allow one (`Indicator.may_be_negative`: a deflation, -0,09 %, for
year-on-year inflation).

A check constraint sees only its own row, so it cannot ask the indicator: triggers do
instead, so that no write escapes the rule (services, the admin, imports, `bulk_create()`,
`QuerySet.update()` and raw SQL alike). The entry rules (`rules.check_value`) refuse the
value first with a message; a trigger is the last line of defence and fails the write
with an IntegrityError, as the check constraint it replaces did:

- a realization whose value is below zero, unless its indicator is a level that allows
  it (BEFORE INSERT/UPDATE on programs_realization, only for a negative value);
- a target whose baseline is below zero, on the same condition (BEFORE INSERT/UPDATE on
  programs_target; `Target.clean` refuses it first with a message);
- an indicator no longer allowing it (unticked, or no longer a level) while one of its
  realizations or targets' baselines is negative (BEFORE UPDATE on programs_indicator).

Like the data-version triggers (`dataversion`), they are (re)installed after every
`migrate` (`install_all`, post_migrate signal): SQLite drops a table's triggers when a
migration rebuilds the table.
"""

from __future__ import annotations

NEGATIVE_VALUE = "realization_value_non_negative"
NEGATIVE_STORED = "indicator_negative_values_stored"
NEGATIVE_BASELINE = "target_baseline_non_negative"

# When a realization's value may be negative (its indicator is `ref`'s).
_ALLOWED = (
    "EXISTS (SELECT 1 FROM programs_indicator i WHERE i.id = {ref}.indicator_id "
    "AND i.allows_negative AND i.measure = 'level')"
)
_NEGATIVE_STORED = (
    "(EXISTS (SELECT 1 FROM programs_realization r WHERE r.indicator_id = NEW.id AND r.value < 0)"
    " OR EXISTS (SELECT 1 FROM programs_target t WHERE t.indicator_id = NEW.id"
    " AND t.baseline < 0))"
)
_STILL_ALLOWED = "(NEW.allows_negative AND NEW.measure = 'level')"


def trigger_sql(vendor: str) -> list[str]:
    """Statements that (re)create the triggers."""
    if vendor == "postgresql":
        allowed = _ALLOWED.format(ref="NEW")
        return [
            "CREATE OR REPLACE FUNCTION programs_realization_sign() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            f"IF NOT {allowed} THEN RAISE EXCEPTION '{NEGATIVE_VALUE}' "
            "USING ERRCODE = 'check_violation'; END IF; RETURN NEW; END $$",
            "DROP TRIGGER IF EXISTS programs_realization_sign ON programs_realization",
            "CREATE TRIGGER programs_realization_sign BEFORE INSERT OR UPDATE "
            "ON programs_realization FOR EACH ROW WHEN (NEW.value < 0) "
            "EXECUTE FUNCTION programs_realization_sign()",
            "CREATE OR REPLACE FUNCTION programs_target_sign() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            f"IF NOT {allowed} THEN RAISE EXCEPTION '{NEGATIVE_BASELINE}' "
            "USING ERRCODE = 'check_violation'; END IF; RETURN NEW; END $$",
            "DROP TRIGGER IF EXISTS programs_target_sign ON programs_target",
            "CREATE TRIGGER programs_target_sign BEFORE INSERT OR UPDATE "
            "ON programs_target FOR EACH ROW WHEN (NEW.baseline < 0) "
            "EXECUTE FUNCTION programs_target_sign()",
            "CREATE OR REPLACE FUNCTION programs_indicator_sign() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            f"IF {_NEGATIVE_STORED} THEN RAISE EXCEPTION '{NEGATIVE_STORED}' "
            "USING ERRCODE = 'check_violation'; END IF; RETURN NEW; END $$",
            "DROP TRIGGER IF EXISTS programs_indicator_sign ON programs_indicator",
            "CREATE TRIGGER programs_indicator_sign BEFORE UPDATE ON programs_indicator "
            f"FOR EACH ROW WHEN (NOT {_STILL_ALLOWED}) "
            "EXECUTE FUNCTION programs_indicator_sign()",
        ]
    if vendor == "sqlite":
        allowed = _ALLOWED.format(ref="NEW")
        statements = []
        for event in ("INSERT", "UPDATE"):
            name = f"programs_realization_sign_{event.lower()}"
            statements += [
                f'DROP TRIGGER IF EXISTS "{name}"',
                f'CREATE TRIGGER "{name}" BEFORE {event} ON programs_realization '
                f"WHEN NEW.value < 0 AND NOT {allowed} "
                f"BEGIN SELECT RAISE(ABORT, '{NEGATIVE_VALUE}'); END",
            ]
            name = f"programs_target_sign_{event.lower()}"
            statements += [
                f'DROP TRIGGER IF EXISTS "{name}"',
                f'CREATE TRIGGER "{name}" BEFORE {event} ON programs_target '
                f"WHEN NEW.baseline < 0 AND NOT {allowed} "
                f"BEGIN SELECT RAISE(ABORT, '{NEGATIVE_BASELINE}'); END",
            ]
        return [
            *statements,
            'DROP TRIGGER IF EXISTS "programs_indicator_sign"',
            'CREATE TRIGGER "programs_indicator_sign" BEFORE UPDATE ON programs_indicator '
            f"WHEN NOT {_STILL_ALLOWED} AND {_NEGATIVE_STORED} "
            f"BEGIN SELECT RAISE(ABORT, '{NEGATIVE_STORED}'); END",
        ]
    raise NotImplementedError(f"No sign triggers for {vendor}")


def drop_sql(vendor: str) -> list[str]:
    """Statements that remove the triggers (migration 0014 backwards: before its column)."""
    if vendor == "postgresql":
        return [
            "DROP TRIGGER IF EXISTS programs_realization_sign ON programs_realization",
            "DROP TRIGGER IF EXISTS programs_indicator_sign ON programs_indicator",
            "DROP TRIGGER IF EXISTS programs_target_sign ON programs_target",
            "DROP FUNCTION IF EXISTS programs_realization_sign()",
            "DROP FUNCTION IF EXISTS programs_target_sign()",
            "DROP FUNCTION IF EXISTS programs_indicator_sign()",
        ]
    return [
        'DROP TRIGGER IF EXISTS "programs_realization_sign_insert"',
        'DROP TRIGGER IF EXISTS "programs_realization_sign_update"',
        'DROP TRIGGER IF EXISTS "programs_indicator_sign"',
        'DROP TRIGGER IF EXISTS "programs_target_sign_insert"',
        'DROP TRIGGER IF EXISTS "programs_target_sign_update"',
    ]


def drop_in_migration(apps, schema_editor) -> None:
    """RunPython: drop the triggers before SQLite rebuilds a table they read (or before
    the column they read goes, migrating back)."""
    for statement in drop_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement)


def install_in_migration(apps, schema_editor) -> None:
    """RunPython: install the triggers again after such a rebuild."""
    for statement in trigger_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement)


def install_all(sender=None, using="default", **kwargs) -> None:
    """post_migrate: (re)create the triggers once both tables exist."""
    from django.db import connections

    connection = connections[using]
    tables = set(connection.introspection.table_names())
    if not {"programs_indicator", "programs_realization", "programs_target"} <= tables:
        return
    with connection.cursor() as cursor:
        description = connection.introspection.get_table_description(cursor, "programs_indicator")
        if "allows_negative" not in {column.name for column in description}:
            return  # migrated back before 0014
        for statement in trigger_sql(connection.vendor):
            cursor.execute(statement)


def refusing_negatives(model: str, field: str, describe, *, before: str, what: str):
    """The backwards step of migration `before`, whose check constraint, put back,
    refuses a negative `field` of `model`: name the rows in the way (the first five, by
    `describe`) and stop, changing nothing, rather than fail on the constraint."""

    def refuse(apps, schema_editor):
        negative = apps.get_model("programs", model).objects.filter(**{f"{field}__lt": 0})
        if negative.exists():
            examples = "; ".join(describe(row) for row in negative.order_by("pk")[:5])
            raise RuntimeError(
                f"Cannot go back before programs {before}: {negative.count()} {what}, "
                f"which that version refuses ({examples}). Change them first; nothing "
                "was changed."
            )

    return refuse
