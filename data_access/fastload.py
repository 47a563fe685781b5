"""Columnar bulk loading for large generated datasets (the demo generator at scales M and L).

:func:`insert_columns` takes one numpy array per column instead of Python tuples, so a chunk of a
million rows is never a million Python objects on the way to PostgreSQL:

* PostgreSQL, every column of a fixed-width type and no NULL → ``COPY … (FORMAT BINARY)``, the
  rows encoded by numpy as one structured array (≈ 50 M rows/s to encode; the server's parsing
  is the limit). Otherwise → text ``COPY`` through psycopg's ``write_row``. Tables where
  row-level security applies to the connecting role (COPY refuses them) go through
  :func:`data_access.bulk.bulk_insert`, which knows the fallback. (``fastload`` builds on
  ``bulk``, never the other way round.)
* SQLite → multi-row ``INSERT … VALUES (…), (…), …`` statements: on this machine 3–4× faster
  than ``executemany`` of one-row statements, because the per-statement cost of the driver
  dominates (measured in docs/performance.md).

:func:`relaxed_constraints` is for filling *empty* tables: on PostgreSQL it drops the tables'
keys, foreign keys and indexes and re-creates them afterwards with their exact stored
definitions, so the server validates a foreign key with one join instead of a trigger call per
row (2 M findings: 47 s with the constraints in place, 4.6 s dropped and re-added). On SQLite
it drops and re-creates the plain indexes (a primary key cannot be dropped there).

Column data conventions: a missing value is ``NaN`` in a float array, ``NaT`` in a datetime64
array and ``None`` in an object array. Dates are ``datetime64[D]``, timestamps
``datetime64[s]``.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
from sqlalchemy import (
    BigInteger,
    Boolean,
    Connection,
    Date,
    DateTime,
    Float,
    Integer,
    Numeric,
    SmallInteger,
    Table,
    text,
)

from data_access.bulk import bulk_insert, row_security_applies, sqlite_insert_rows

#: rows converted to Python values at once (bounds the transient memory of a big chunk)
PYTHON_BATCH_ROWS = 100_000

_PG_EPOCH = np.datetime64("2000-01-01", "D")
_PG_BINARY_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
_PG_BINARY_TRAILER = struct.pack(">h", -1)


ColumnData = np.ndarray | Sequence[Any]


def _binary_format(column_type: Any) -> str | None:
    """The big-endian numpy format of a column type in PostgreSQL's binary COPY, if fixed."""
    if isinstance(column_type, SmallInteger):
        return ">i2"
    if isinstance(column_type, BigInteger):
        return ">i8"
    if isinstance(column_type, Integer):
        return ">i4"
    if isinstance(column_type, Boolean):
        return "i1"
    if isinstance(column_type, Date):
        return ">i4"
    if isinstance(column_type, Float) and not isinstance(column_type, Numeric):
        return ">f8"
    return None


def _has_missing(values: np.ndarray) -> bool:
    if values.dtype.kind == "f":
        return bool(np.isnan(values).any())
    if values.dtype.kind == "M":
        return bool(np.isnat(values).any())
    if values.dtype.kind == "O":
        return any(v is None for v in values)
    return False


def _python_values(values: ColumnData, column_type: Any) -> list[Any]:
    """One column as Python values the drivers accept (None for missing)."""
    if not isinstance(values, np.ndarray):
        return list(values)
    kind = values.dtype.kind
    if kind == "M":
        if isinstance(column_type, DateTime):
            strings = np.datetime_as_string(values.astype("datetime64[s]"), unit="s")
            strings = np.char.replace(strings, "T", " ")
        else:
            strings = np.datetime_as_string(values.astype("datetime64[D]"), unit="D")
        out = strings.tolist()
        if np.isnat(values).any():
            missing = np.isnat(values)
            out = [None if m else s for s, m in zip(out, missing.tolist(), strict=True)]
        return out
    if kind == "f":
        integral = isinstance(column_type, Integer | Boolean)
        missing = np.isnan(values)
        if integral:
            ints = np.where(missing, 0, values).astype(np.int64).tolist()
            if isinstance(column_type, Boolean):
                ints = [bool(v) for v in ints]
        else:
            ints = values.tolist()
        if missing.any():
            return [None if m else v for v, m in zip(ints, missing.tolist(), strict=True)]
        return ints
    return values.tolist()


def _row_count(data: Mapping[str, ColumnData]) -> int:
    lengths = {len(v) for v in data.values()}
    if len(lengths) != 1:
        raise ValueError(f"columns of different lengths: {sorted(lengths)}")
    return lengths.pop()


def insert_columns(conn: Connection, table: Table, data: Mapping[str, ColumnData]) -> int:
    """Insert one chunk given column by column (``{column name: array}``); returns the rows.

    Runs in the caller's transaction. See the module docstring for the conventions.
    """
    n = _row_count(data)
    if n == 0:
        return 0
    columns = list(data)
    types = [table.c[name].type for name in columns]
    if conn.dialect.name == "postgresql":
        if row_security_applies(conn, table.name):
            return bulk_insert(conn, table, columns, _python_rows(data, types))
        formats = [_binary_format(t) for t in types]
        arrays = [np.asarray(v) if isinstance(v, np.ndarray) else None for v in data.values()]
        if all(f is not None for f in formats) and all(
            a is not None and a.dtype.kind in "biufM" and not _has_missing(a) for a in arrays
        ):
            return _copy_binary(conn, table, columns, arrays, formats, types)
        return _copy_text(conn, table, columns, _python_rows(data, types))
    return sqlite_insert_rows(conn, table.name, columns, _python_rows(data, types))


def _python_rows(data: Mapping[str, ColumnData], types: Sequence[Any]) -> Iterator[tuple]:
    n = _row_count(data)
    values = list(data.values())
    for start in range(0, n, PYTHON_BATCH_ROWS):
        stop = min(n, start + PYTHON_BATCH_ROWS)
        columns = [_python_values(v[start:stop], t) for v, t in zip(values, types, strict=True)]
        yield from zip(*columns, strict=True)


def _copy_binary(conn: Connection, table: Table, columns: Sequence[str],
                 arrays: Sequence[np.ndarray], formats: Sequence[str], types: Sequence[Any]) -> int:
    n = len(arrays[0])
    fields: list[tuple[str, str]] = [("n", ">i2")]
    for i, fmt in enumerate(formats):
        fields += [(f"l{i}", ">i4"), (f"v{i}", fmt)]
    record = np.empty(n, dtype=np.dtype(fields))
    record["n"] = len(columns)
    for i, (values, fmt, column_type) in enumerate(zip(arrays, formats, types, strict=True)):
        record[f"l{i}"] = np.dtype(fmt).itemsize
        if isinstance(column_type, Date):
            values = (values.astype("datetime64[D]") - _PG_EPOCH).astype(np.int64)
        record[f"v{i}"] = values
    cols = ", ".join(f'"{c}"' for c in columns)
    dbapi_conn = conn.connection.driver_connection
    with dbapi_conn.cursor() as cur, cur.copy(
        f'COPY "{table.name}" ({cols}) FROM STDIN (FORMAT BINARY)'
    ) as copy:
        copy.write(_PG_BINARY_HEADER)
        view = memoryview(record.view(np.uint8))
        step = 8 << 20
        for start in range(0, len(view), step):
            copy.write(view[start:start + step])
        copy.write(_PG_BINARY_TRAILER)
    return n


def _copy_text(conn: Connection, table: Table, columns: Sequence[str],
               rows: Iterable[Sequence[Any]]) -> int:
    count = 0
    cols = ", ".join(f'"{c}"' for c in columns)
    dbapi_conn = conn.connection.driver_connection
    with dbapi_conn.cursor() as cur, cur.copy(f'COPY "{table.name}" ({cols}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


# ---- constraints and statistics --------------------------------------------------------------


def _pg_may_alter(conn: Connection, tables: Sequence[str]) -> bool:
    """True when the current role owns every table (or is a superuser)."""
    row = conn.execute(text(
        "SELECT bool_and(pg_get_userbyid(c.relowner) = current_user) OR "
        "(SELECT rolsuper FROM pg_roles WHERE rolname = current_user) "
        "FROM pg_class c WHERE c.oid = ANY(CAST(:oids AS regclass[]))"
    ), {"oids": list(tables)}).scalar()
    return bool(row)


@contextmanager
def relaxed_constraints(conn: Connection, tables: Sequence[str]) -> Iterator[None]:
    """Drop the keys, foreign keys and indexes of (empty) ``tables`` for a bulk load and
    re-create them, exactly as they were, when the block ends without error.

    PostgreSQL: primary keys, unique constraints, foreign keys (of these tables and referring to
    them) and other indexes; only when the role owns the tables, else a no-op. SQLite: plain
    indexes only. Everything happens in the caller's transaction: an error rolls it all back.
    """
    if conn.dialect.name == "postgresql":
        if not tables or not _pg_may_alter(conn, tables):
            yield
            return
        oids = {"oids": list(tables)}
        constraints = conn.execute(text(
            "SELECT c.conname, c.conrelid::regclass::text, c.contype, "
            "pg_get_constraintdef(c.oid) FROM pg_constraint c "
            "WHERE c.contype IN ('p', 'u', 'f') AND (c.conrelid = ANY(CAST(:oids AS regclass[])) "
            "OR c.confrelid = ANY(CAST(:oids AS regclass[]))) ORDER BY c.contype, c.conname"
        ), oids).all()
        indexes = conn.execute(text(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid = ANY(CAST(:oids AS regclass[])) AND NOT EXISTS ("
            "SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1"
        ), oids).all()
        foreign = [c for c in constraints if c[2] == "f"]
        keys = [c for c in constraints if c[2] != "f"]
        for name, table, _kind, _definition in foreign + keys:
            conn.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
        for name, _definition in indexes:
            conn.execute(text(f"DROP INDEX {name}"))
        yield
        for name, table, _kind, definition in keys + foreign:
            conn.execute(text(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'))
        for _name, definition in indexes:
            conn.execute(text(definition))
        return
    if conn.dialect.name == "sqlite":
        found = conn.execute(text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "AND tbl_name IN (SELECT value FROM json_each(:tables))"
        ), {"tables": _json_list(tables)}).all()
        for name, _sql in found:
            conn.execute(text(f'DROP INDEX "{name}"'))
        yield
        for _name, sql in found:
            conn.execute(text(sql))
        return
    yield


def _json_list(values: Sequence[str]) -> str:
    import json

    return json.dumps(list(values))


def analyze(conn: Connection, tables: Sequence[str]) -> None:
    """Refresh the planner's statistics after a bulk load (both backends plan with them)."""
    for table in tables:
        conn.execute(text(f'ANALYZE "{table}"'))
