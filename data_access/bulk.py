"""Fast bulk loading shared by the demo generator and the importers.

PostgreSQL gets ``COPY ... FROM STDIN`` (psycopg 3) — or a multi-row INSERT where row-level
security applies to the connecting role; SQLite gets multi-row ``INSERT … VALUES``.
Both run inside the caller's transaction, so a failure leaves nothing behind.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Table, text

from data_access.scope import apply_scope

#: rows per SQLite statement are bounded by SQLite's limit on host parameters (32,766)
SQLITE_MAX_PARAMETERS = 32_000
SQLITE_MAX_ROWS_PER_STATEMENT = 500


def bulk_insert(
    conn: Connection, table: Table, columns: Sequence[str], rows: Iterable[Sequence]
) -> int:
    """Insert ``rows`` (tuples in ``columns`` order) into ``table``; returns the row count."""
    count = 0
    if conn.dialect.name == "postgresql":
        # bulk loads are system operations: they may write any brand's rows (data_access.scope)
        apply_scope(conn, scope="system")
        cols = ", ".join(f'"{c}"' for c in columns)
        if row_security_applies(conn, table.name):
            # PostgreSQL refuses COPY FROM into a table whose row-level security applies to
            # the current role (the app's roles): COPY into a temporary table of the same
            # columns, then one INSERT … SELECT, which the policies check (issue 17: COPY-class
            # loading for every role, not only the owner).
            return _copy_via_temporary_table(conn, table, columns, cols, rows)
        dbapi_conn = conn.connection.driver_connection
        with dbapi_conn.cursor() as cur, cur.copy(
            f'COPY "{table.name}" ({cols}) FROM STDIN'
        ) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    # multi-row INSERT … VALUES statements: 3–4× the rows/s of executemany (issue 7)
    return sqlite_insert_rows(conn, table.name, columns, rows)


def row_security_applies(conn: Connection, table_name: str) -> bool:
    return bool(conn.execute(text(
        "SELECT c.relrowsecurity AND NOT (r.rolsuper OR r.rolbypassrls) "
        "FROM pg_class c, pg_roles r "
        "WHERE c.oid = to_regclass(:t) AND r.rolname = current_user"
    ), {"t": table_name}).scalar())


def _copy_via_temporary_table(conn: Connection, table: Table, columns: Sequence[str],
                              cols: str, rows: Iterable[Sequence]) -> int:
    staging = f"bulk_{table.name}"
    dbapi_conn = conn.connection.driver_connection
    count = 0
    with dbapi_conn.cursor() as cur:
        cur.execute(f'DROP TABLE IF EXISTS pg_temp."{staging}"')
        # the columns' types, no constraints; dropped at the end of the transaction at latest
        cur.execute(f'CREATE TEMPORARY TABLE "{staging}" ON COMMIT DROP AS '  # noqa: S608
                    f'SELECT {cols} FROM "{table.name}" WITH NO DATA')
        with cur.copy(f'COPY "{staging}" ({cols}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        cur.execute(f'INSERT INTO "{table.name}" ({cols}) '  # noqa: S608 - our names
                    f'SELECT {cols} FROM "{staging}"')
        cur.execute(f'DROP TABLE pg_temp."{staging}"')
    return count


def reset_sequences(conn: Connection, tables: Sequence[Table]) -> None:
    """After inserting explicit ids on PostgreSQL, move each id sequence past the maximum."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        if "id" not in table.c:
            continue
        conn.execute(
            text(
                "SELECT setval(pg_get_serial_sequence(:t, 'id'), "  # noqa: S608 - our table names
                f'COALESCE((SELECT MAX(id) FROM "{table.name}"), 0) + 1, false)'
            ),
            {"t": table.name},
        )


def sqlite_insert_rows(conn: Connection, table_name: str, columns: Sequence[str],
                       rows: Iterable[Sequence[Any]]) -> int:
    """Insert tuples into a SQLite table with multi-row ``INSERT … VALUES`` statements."""
    per_statement = max(1, min(SQLITE_MAX_ROWS_PER_STATEMENT,
                               SQLITE_MAX_PARAMETERS // max(1, len(columns))))
    cols = ", ".join(f'"{c}"' for c in columns)
    one = "(" + ", ".join("?" for _ in columns) + ")"
    head = f'INSERT INTO "{table_name}" ({cols}) VALUES '  # noqa: S608 - names are ours
    full_sql = head + ", ".join([one] * per_statement)
    cursor = conn.connection.driver_connection.cursor()
    count = 0
    try:
        iterator = iter(rows)
        while True:
            batch = list(itertools.islice(iterator, per_statement))
            if not batch:
                break
            if len(batch) == per_statement:
                cursor.execute(full_sql, list(itertools.chain.from_iterable(batch)))
            else:
                cursor.executemany(head + one, batch)
            count += len(batch)
    finally:
        cursor.close()
    return count
