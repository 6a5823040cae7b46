"""Server-side prepared statements for the dashboards' fixed read queries (PostgreSQL).

On a page cache miss at Sumsel scale, PostgreSQL spent more time planning the dozen small
queries of a page than running them: the year list took 0.84 ms a run, 0.20 ms prepared;
the program page's 14 queries 5.5 ms, 2.9 ms prepared (one connection, repeated runs).
A prepared statement is planned once per database connection: `execute()` prepares a
query the first time a connection runs it (`PREPARE`), then runs it by name (`EXECUTE`),
with the same parameters and the same rows. Django keeps connections open
(`CONN_MAX_AGE`), so a gunicorn worker prepares each query once.

Only for SQL whose text is fixed by the code (compiled queries, the year list, the data
version), never for text that varies with user input. A compiled query's text still
depends on the length of its list parameters, so a connection keeps at most
MAX_STATEMENTS and deallocates the least recently run one to make room. SQLite, and any
other database, runs the SQL as it is; so does PostgreSQL with `PREPARED_STATEMENTS` off
(behind PgBouncer in transaction mode).

Prepared statements belong to the driver's connection and survive rollbacks; they vanish
with the connection (a new one starts with none). A query PostgreSQL cannot prepare
(a parameter whose type it cannot infer) runs as plain SQL from then on. When an
`EXECUTE` fails (the statement was deallocated by someone else, or a migration changed a
table under it), the connection's statements are deallocated and forgotten: outside a
transaction the query is prepared again and run at once; inside one, whose transaction
the error has aborted, the error is raised and the statements are dropped at the next use.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict

from django.conf import settings
from django.db import DatabaseError

MAX_STATEMENTS = 200  # per connection
# "prepared statement does not exist", "cached plan must not change result type"
STALE_CODES = {"26000", "0A000"}
_PLACEHOLDER = re.compile(r"%%|%s")
_UNPREPARABLE = object()


class _Statements:
    """What one driver connection has prepared: SQL -> its name (or _UNPREPARABLE), the
    least recently run first."""

    __slots__ = ("driver_connection", "names", "stale")

    def __init__(self, driver_connection):
        self.driver_connection = driver_connection
        self.names: OrderedDict[str, str | object] = OrderedDict()
        self.stale = False


def _statements(connection) -> _Statements:
    state = getattr(connection, "_prepared_statements", None)
    if state is None or state.driver_connection is not connection.connection:
        state = _Statements(connection.connection)
        connection._prepared_statements = state
    return state


def _in_failed_transaction(connection) -> bool:
    from psycopg2.extensions import TRANSACTION_STATUS_INERROR

    return connection.connection.get_transaction_status() == TRANSACTION_STATUS_INERROR


def _numbered(sql: str) -> str:
    """Django's `%s` placeholders as PostgreSQL's `$1, $2, ...` (and `%%` as `%`)."""
    count = 0

    def number(match):
        nonlocal count
        if match.group() == "%%":
            return "%"
        count += 1
        return f"${count}"

    return _PLACEHOLDER.sub(number, sql)


def _prepare(connection, cursor, state: _Statements, sql: str) -> str | object:
    """PREPARE through the driver's own cursor: like the session setup Django runs when
    it connects, it is not one of the page's queries, and query logs and counts (tests
    assert a page's count) show the `EXECUTE` alone."""
    from psycopg2 import Error

    driver = cursor.cursor
    if len(state.names) >= MAX_STATEMENTS:
        _sql, oldest = state.names.popitem(last=False)
        if oldest is not _UNPREPARABLE:
            driver.execute(f"DEALLOCATE {oldest}")
    name = "dq_" + hashlib.sha1(sql.encode()).hexdigest()[:20]  # noqa: S324 (a name, not a secret)
    # Outside autocommit (in an atomic block, even before its first statement has begun
    # the transaction) a savepoint: a query PostgreSQL refuses to prepare must not abort it.
    savepoint = not connection.connection.autocommit
    try:
        if savepoint:
            driver.execute("SAVEPOINT dq_prepare")
        driver.execute(f"PREPARE {name} AS {_numbered(sql)}")
    except Error:
        if savepoint:
            driver.execute("ROLLBACK TO SAVEPOINT dq_prepare")
        state.names[sql] = _UNPREPARABLE
        return _UNPREPARABLE
    finally:
        if savepoint:
            driver.execute("RELEASE SAVEPOINT dq_prepare")
    state.names[sql] = name
    return name


def _forget(cursor, state: _Statements) -> None:
    cursor.cursor.execute("DEALLOCATE ALL")
    state.names.clear()
    state.stale = False


def execute(connection, cursor, sql: str, params=None) -> None:
    """`cursor.execute(sql, params)`, through a prepared statement on PostgreSQL."""
    if connection.vendor != "postgresql" or not settings.PREPARED_STATEMENTS:
        cursor.execute(sql, params)
        return
    state = _statements(connection)
    if state.stale and not _in_failed_transaction(connection):
        _forget(cursor, state)
    try:
        _run(connection, cursor, state, sql, params)
    except DatabaseError as error:
        if getattr(error.__cause__, "pgcode", None) not in STALE_CODES:
            raise
        if connection.in_atomic_block:  # the transaction is aborted: no second try
            state.stale = True
            raise
        _forget(cursor, state)  # autocommit: nothing to undo, prepare again
        _run(connection, cursor, state, sql, params)


def _run(connection, cursor, state: _Statements, sql: str, params) -> None:
    name = state.names.get(sql)
    if name is None:
        name = _prepare(connection, cursor, state, sql)
    else:
        state.names.move_to_end(sql)
    if name is _UNPREPARABLE:
        cursor.execute(sql, params)
    elif params:
        cursor.execute(f"EXECUTE {name}({', '.join(['%s'] * len(params))})", params)
    else:
        cursor.execute(f"EXECUTE {name}")
