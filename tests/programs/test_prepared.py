"""Prepared statements (programs/prepared.py): on PostgreSQL a dashboard's fixed query is
planned once per connection, answers exactly what its plain SQL answers, and recovers
when the statement disappears under it; elsewhere the SQL runs as it is."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from programs import prepared
from tests.factories import RegencyFactory
from tests.helpers import executed_sql

SQL = "SELECT code, name FROM regencies_regency WHERE code IN (%s, %s) ORDER BY code"
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)


def run(sql=SQL, params=("16.07", "16.71")):
    with connection.cursor() as cursor:
        prepared.execute(connection, cursor, sql, list(params) if params else None)
        return cursor.fetchall()


def plain(sql=SQL, params=("16.07", "16.71")):
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.fetchall()


def statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE name LIKE 'dq_%%'")
        return [row[0] for row in cursor.fetchall()]


@pytest.fixture
def regencies():
    RegencyFactory(code="16.07", name="Kabupaten Banyuasin")
    RegencyFactory(code="16.71", name="Kota Palembang")
    RegencyFactory(code="16.72", name="Kota Prabumulih")


@pytest.mark.django_db
def test_rows_are_the_plain_querys_and_the_plan_is_made_once(regencies):
    assert run() == plain() == [("16.07", "Kabupaten Banyuasin"), ("16.71", "Kota Palembang")]
    assert run(params=("16.72", "16.00")) == [("16.72", "Kota Prabumulih")]
    with CaptureQueriesContext(connection) as queries:
        run()
    executed = [q["sql"] for q in queries.captured_queries]
    if connection.vendor == "postgresql":
        # Prepared on the server, run by name: no PREPARE again.
        assert [s for s in statements() if "code IN ($1, $2)" in s]
        assert len(executed) == 1
        assert executed[0].startswith("EXECUTE dq_")
        assert executed_sql(queries) == [SQL.replace("%s", "$1", 1).replace("%s", "$2")]
    else:
        assert executed == [SQL.replace("%s", "'16.07'", 1).replace("%s", "'16.71'")]


@postgresql_only
@pytest.mark.django_db
def test_a_query_postgresql_cannot_prepare_runs_plain_and_keeps_its_transaction(regencies):
    """`$1 IS NULL` has no type PostgreSQL can infer: the PREPARE fails inside a savepoint,
    the query runs as plain SQL, and the test's transaction goes on."""
    sql = "SELECT %s IS NULL, COUNT(*) FROM regencies_regency"
    assert connection.in_atomic_block
    assert run(sql, params=("x",)) == [(False, 3)]
    assert run(sql, params=("y",)) == [(False, 3)]
    assert not [statement for statement in statements() if "$1 IS NULL" in statement]
    assert run() == plain()  # the transaction is still usable


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_statement_dropped_under_the_connection_is_prepared_again(regencies):
    assert run() == plain()
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # what a pooler or an operator may do
    assert run() == plain()  # outside a transaction: prepared again, at once
    assert len(statements()) == 1  # this query's, the others are gone


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_the_error_is_raised_and_the_next_use_recovers(regencies):
    assert run() == plain()
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    with pytest.raises(DatabaseError), transaction.atomic():
        run()
    with transaction.atomic():
        assert run() == plain()


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_column_changed_by_a_migration_is_read_with_a_new_plan():
    """A deployment that migrates while workers keep their connections: the prepared
    plan's result type no longer matches ("cached plan must not change result type")."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE prepared_probe (amount integer)")
        cursor.execute("INSERT INTO prepared_probe VALUES (7)")
    try:
        sql = "SELECT amount FROM prepared_probe WHERE amount > %s"
        assert run(sql, params=(1,)) == [(7,)]
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE prepared_probe ALTER amount TYPE numeric(12, 2)")
            cursor.execute("UPDATE prepared_probe SET amount = 7.5")
        assert [str(value) for (value,) in run(sql, params=(1,))] == ["7.50"]
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE prepared_probe")


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_new_connection_prepares_again(regencies):
    assert run() == plain()
    connection.close()
    assert statements() == []  # a new session has none
    assert run() == plain()
    assert len(statements()) == 1


@postgresql_only
@pytest.mark.django_db
def test_turned_off_the_sql_runs_as_it_is(regencies, settings):
    """`DATABASE_PREPARED_STATEMENTS=0`, for a pooler in transaction mode."""
    settings.PREPARED_STATEMENTS = False
    sql = "SELECT name FROM regencies_regency WHERE code = %s"
    with CaptureQueriesContext(connection) as queries:
        assert run(sql, params=("16.71",)) == [("Kota Palembang",)]
    assert [q["sql"] for q in queries.captured_queries] == [sql.replace("%s", "'16.71'")]
    assert not [statement for statement in statements() if "WHERE code = $1" in statement]


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_an_unpreparable_query_opening_a_transaction_leaves_it_usable(regencies):
    """First statement of an atomic block: the transaction has not begun yet (the driver
    begins it with the next statement), and a failed PREPARE there must not abort it."""
    sql = "SELECT %s IS NULL, COUNT(*) FROM regencies_regency WHERE code <> %s"
    with transaction.atomic():
        assert run(sql, params=("x", "00.00")) == [(False, 3)]
        assert run() == plain()


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_full_connection_makes_room_by_dropping_its_least_recently_run(regencies, monkeypatch):
    monkeypatch.setattr(prepared, "MAX_STATEMENTS", 2)
    one, two, three = (
        "SELECT name FROM regencies_regency WHERE code = %s AND 1 = 1",
        "SELECT name FROM regencies_regency WHERE code = %s AND 2 = 2",
        "SELECT name FROM regencies_regency WHERE code = %s AND 3 = 3",
    )
    assert run(one, params=("16.07",)) == run(two, params=("16.07",)) == [("Kabupaten Banyuasin",)]
    run(one, params=("16.71",))  # one is now the more recently run
    assert run(three, params=("16.72",)) == [("Kota Prabumulih",)]
    held = [s for s in statements() if "AND" in s]
    assert len(held) == 2 and not [s for s in held if "2 = 2" in s], held
    assert run(two, params=("16.71",)) == [("Kota Palembang",)]  # prepared again, answers
