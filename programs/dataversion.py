"""The data version: one number that changes in the same transaction as any write that
can change a figure on a dashboard, an export or the API.

Database triggers do the bumping, so no write escapes it: services, the admin, imports,
management commands, `QuerySet.update()`, `bulk_create()` and raw SQL alike. On
PostgreSQL each table in `VERSIONED_TABLES` has one statement-level trigger (INSERT,
UPDATE, DELETE, TRUNCATE); SQLite has only row-level triggers, so each table gets three.
The bump is an UPDATE of the single `programs_dataversion` row: it becomes visible exactly
when the write commits, never before (a sequence would be visible at once and let a
reader store old figures under the new version).

Readers read the version *before* the figures: if a write commits in between, the newer
figures are stored under the older version (harmless: the next reader sees the new
version and misses). `epoch` is random per row, so a table emptied and recreated (tests
flush it) never reuses an old key.

`PROGRESS_TABLES` get a second kind of trigger that marks the (regency, program, year)
slices a write touches as dirty for the year-to-date table (programs/ytd.py).

To make another table change the version, add its name to `VERSIONED_TABLES`: the
triggers are (re)installed after every `migrate` (`install_all`, post_migrate signal).
"""

from __future__ import annotations

from django.db import connection as default_connection

from programs import prepared

# Every table whose rows a dashboard figure reads. Add tables of new features here
# (reporting obligations, attachments shown publicly, ...): one line each.
VERSIONED_TABLES: tuple[str, ...] = (
    "programs_program",
    "programs_indicator",
    "programs_fundingsource",
    "programs_target",
    "programs_targetsplit",
    "programs_targetmilestone",
    "programs_monthlyreport",
    "programs_realization",
    "programs_reportingexemption",  # "tidak wajib" cells and completeness rates
    "regencies_regency",
    # Public photos appear in the galleries; the raw export lists attachments.
    "programs_attachment",
)

TRIGGER = "programs_data_version"
FUNCTION = "programs_bump_data_version"

_PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO programs_dataversion (id, version, epoch)
        VALUES (1, 0, md5(random()::text)) ON CONFLICT (id) DO NOTHING;
    UPDATE programs_dataversion SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END $$;
"""

_SQLITE_BODY = """
    INSERT OR IGNORE INTO programs_dataversion (id, version, epoch)
        VALUES (1, 0, lower(hex(randomblob(8))));
    UPDATE programs_dataversion SET version = version + 1 WHERE id = 1;
"""


def trigger_sql(vendor: str, table: str) -> list[str]:
    """Statements that (re)create the version trigger(s) on `table`."""
    if vendor == "postgresql":
        return [
            f'DROP TRIGGER IF EXISTS {TRIGGER} ON "{table}"',
            f'CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
            f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()",
        ]
    if vendor == "sqlite":
        statements = []
        for event in ("INSERT", "UPDATE", "DELETE"):
            name = f"{TRIGGER}_{table}_{event.lower()}"
            statements.append(f'DROP TRIGGER IF EXISTS "{name}"')
            statements.append(
                f'CREATE TRIGGER "{name}" AFTER {event} ON "{table}" BEGIN {_SQLITE_BODY} END'
            )
        return statements
    raise NotImplementedError(f"No data version triggers for {vendor}")


def drop_sql(vendor: str, table: str) -> list[str]:
    if vendor == "postgresql":
        return [f'DROP TRIGGER IF EXISTS {TRIGGER} ON "{table}"']
    return [
        f'DROP TRIGGER IF EXISTS "{TRIGGER}_{table}_{event}"'
        for event in ("insert", "update", "delete")
    ]


def install(connection, tables) -> None:
    """Create the bump function (PostgreSQL) and the triggers on `tables`."""
    from programs import ytd

    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_PG_FUNCTION)
        for table in tables:
            if table in existing:
                for statement in trigger_sql(connection.vendor, table):
                    cursor.execute(statement)
        if "programs_progressdirty" in existing:
            for statement in ytd.dirty_trigger_sql(connection.vendor):
                cursor.execute(statement)


def install_all(sender=None, using="default", **kwargs) -> None:
    """post_migrate: make sure every table in VERSIONED_TABLES has its trigger, and give
    the data version a new epoch. A database restored with pg_restore (README "Cadangan
    dan pemulihan", which runs `migrate` after it) holds the version row of its dump:
    the numbers it then bumps through had been cached already, with the figures of the
    timeline the restore undid, and the pages served them as current. A new epoch costs
    one miss per page after a migrate (a deployment changes the code fingerprint of every
    key anyway)."""
    import secrets

    from django.db import connections

    connection = connections[using]
    if "programs_dataversion" not in connection.introspection.table_names():
        return
    install(connection, VERSIONED_TABLES)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE programs_dataversion SET epoch = %s WHERE id = 1", [secrets.token_hex(8)]
        )


def current(connection=None) -> str | None:
    """The data version as a string (epoch.version), None when no row exists yet."""
    connection = connection or default_connection
    with connection.cursor() as cursor:
        prepared.execute(
            connection, cursor, "SELECT epoch, version FROM programs_dataversion WHERE id = 1"
        )
        row = cursor.fetchone()
    return f"{row[0]}.{row[1]}" if row else None


def new_epoch_on_restore(sender, instance, raw=False, **kwargs) -> None:
    """pre_save of DataVersion: a row restored by loaddata gets a fresh epoch, so that the
    version numbers the restore then bumps through never repeat keys cached before."""
    if raw:
        import secrets

        instance.epoch = secrets.token_hex(8)
