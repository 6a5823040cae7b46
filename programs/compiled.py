"""Read queries the ORM builds once per process, then runs again with new values.

On a cold dashboard (a page cache miss at Sumsel scale) the ORM spent longer building and
compiling its dozen small queries (`filter()`, `as_sql()`) than PostgreSQL spent
answering them. A `CompiledQuery` lets the ORM build a `values_list()` query once, with
stand-in values for its parameters; it keeps the SQL, where each parameter goes, and the
ORM's converters for the columns (SQLite's decimals, booleans and dates). Each call then
executes that SQL through Django's cursor (query counting and execute wrappers see it)
with the call's values, and converts the rows as the ORM would.

Only values passed straight to a lookup can be parameters: a value derived from one (a
date computed from a year, say) would be frozen into the SQL. The query is therefore
built twice, with two sets of stand-ins, and refused when anything but the stand-ins
differs between the two. The SQL is kept per shape of the call: the length of each list
parameter (`code__in=...`), which parameters are None (the builder receives None and
leaves its filter out, say), and the value of each "key": any hashable value the builder
reads as it is, never a parameter of the SQL (a boolean choosing its filters, or a year
whose due dates a CASE compares with); the SQL is compiled once per value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet

from programs import prepared

KINDS = {"int": int, "str": str, "ints": int, "strs": str, "key": None}
LISTS = ("ints", "strs")
_EMPTY = object()  # the query can match nothing (an IN over an empty list)
# Stand-in numbers: two ranges of this size within a small positive integer (< 32,768).
_SPAN = 8192


class _Compiled:
    __slots__ = ("sql", "slots", "converters")

    def __init__(self, sql, slots, converters):
        self.sql = sql
        # Per SQL parameter: (name, index in a list parameter or None, None) for a value
        # of the call, (None, None, value) for a constant of the query.
        self.slots = slots
        self.converters = converters  # [(column position, [converter], column expression)]


class CompiledQuery:
    """`CompiledQuery(build, program="int", codes="strs", verified="key")`:
    `build(**stand_ins)` returns a `values_list()` queryset; `rows(program=7, codes=[...],
    verified=True)` returns its rows as tuples. Parameter kinds: "int", "str", lists of
    them ("ints", "strs"), and "key". Any parameter may be None."""

    def __init__(self, build: Callable[..., QuerySet], **kinds: str):
        unknown = {kind for kind in kinds.values() if kind not in KINDS}
        if unknown:
            raise ImproperlyConfigured(f"Unknown parameter kinds: {sorted(unknown)}")
        self._build = build
        self._kinds = kinds
        self._compiled: dict[tuple, _Compiled | object] = {}

    def rows(self, *, using: str = DEFAULT_DB_ALIAS, **values: Any) -> list[tuple]:
        if set(values) != set(self._kinds):
            raise TypeError(f"Expected the parameters {sorted(self._kinds)}, got {sorted(values)}")
        values = {name: self._coerce(name, value) for name, value in values.items()}
        connection = connections[using]
        key = (connection.alias, connection.vendor, self._shape(values))
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = self._compile(using, values)
        if compiled is _EMPTY:
            return []
        params = [
            value if name is None else values[name] if index is None else values[name][index]
            for name, index, value in compiled.slots
        ]
        with connection.cursor() as cursor:
            prepared.execute(connection, cursor, compiled.sql, params)
            rows = cursor.fetchall()
        if compiled.converters:
            rows = [_convert(row, compiled.converters, connection) for row in rows]
        return rows

    def _coerce(self, name: str, value):
        kind = self._kinds[name]
        cast = KINDS[kind]
        if kind == "key" or value is None:
            return value
        if kind in LISTS:
            return [cast(v) for v in value]
        return cast(value)

    def _shape(self, values: dict) -> tuple:
        """What the SQL depends on besides the values themselves (module docstring)."""
        shape = []
        for name, kind in sorted(self._kinds.items()):
            value = values[name]
            if kind == "key":
                shape.append(value)
            elif value is None:
                shape.append(None)
            else:
                shape.append(len(value) if kind in LISTS else "")
        return tuple(shape)

    def _stand_ins(self, seed: int, values: dict) -> tuple[dict, dict]:
        """Stand-ins for the values, and where each came from. Numbers stay within every
        integer column's range (a small positive integer's too): Django drops or empties
        a comparison with a number its column cannot hold, which would compile the wrong
        query. A constant of the query equal to a stand-in cannot go unnoticed either:
        the two builds then differ, and the query is refused."""
        stand_ins, origin = {}, {}
        counter = 0
        for name, kind in sorted(self._kinds.items()):
            if kind == "key" or values[name] is None:  # the builder's choice, not SQL
                stand_ins[name] = values[name]
                continue
            listed = kind in LISTS
            made = []
            for index in range(len(values[name]) if listed else 1):
                counter += 1
                if counter >= _SPAN:
                    raise ImproperlyConfigured("Too many parameters for a compiled query")
                if KINDS[kind] is int:
                    value = _SPAN * (1 + seed) + counter  # 16,385 and up, 24,577 and up
                else:
                    value = f"\x1f{seed}:{counter}\x1f"
                made.append(value)
                origin[(type(value), value)] = (name, index if listed else None)
            stand_ins[name] = made if listed else made[0]
        return stand_ins, origin

    def _compile_once(self, using: str, seed: int, values: dict):
        stand_ins, origin = self._stand_ins(seed, values)
        compiler = self._build(**stand_ins).query.get_compiler(using=using)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            if any(kind in LISTS and values[name] == [] for name, kind in self._kinds.items()):
                return _EMPTY, None  # an IN over an empty list: the ORM answers [] too
            raise ImproperlyConfigured(
                "A compiled query matched nothing for its stand-ins"
            ) from None
        keys = [(type(p), p) for p in params]
        if set(origin) - set(keys):
            raise ImproperlyConfigured(
                "A compiled query's parameter went missing from its SQL (dropped by the ORM, "
                "or used only through a derived value)"
            )
        slots = [(*origin[key], None) if key in origin else (None, None, key[1]) for key in keys]
        fields = [column[0] for column in compiler.select[: compiler.col_count]]
        converters = [
            (position, functions, expression)
            for position, (functions, expression) in compiler.get_converters(fields).items()
        ]
        return sql, (slots, converters)

    def _compile(self, using: str, values: dict) -> _Compiled | object:
        first, rest = self._compile_once(using, 1, values)
        second, other = self._compile_once(using, 2, values)
        if first is _EMPTY or second is _EMPTY:
            if first is second:
                return _EMPTY
        elif first == second and rest[0] == other[0]:
            slots, converters = rest
            return _Compiled(first, slots, converters)
        raise ImproperlyConfigured(
            "A compiled query's SQL depends on more than its parameters' places "
            "(a value derived from a parameter?); build it with the ORM instead."
        )


def _convert(row, converters, connection) -> tuple:
    row = list(row)
    for position, functions, expression in converters:
        value = row[position]
        for function in functions:
            value = function(value, expression, connection)
        row[position] = value
    return tuple(row)


class CompiledModelQuery(CompiledQuery):
    """A compiled query of whole model instances: `build(**stand_ins)` returns a queryset
    of `model` (filters and ordering only); `instances(**values)` returns the instances,
    made as the ORM makes them (`Model.from_db`)."""

    def __init__(self, model, build: Callable[..., QuerySet], **kinds: str):
        self._model = model
        self._names = [field.attname for field in model._meta.concrete_fields]
        super().__init__(lambda **stand_ins: build(**stand_ins).values_list(*self._names), **kinds)

    def instances(self, *, using: str = DEFAULT_DB_ALIAS, **values: Any) -> list:
        model, names = self._model, self._names
        return [model.from_db(using, names, row) for row in self.rows(using=using, **values)]
