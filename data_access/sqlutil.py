"""Small SQL building blocks shared by the query modules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
from sqlalchemy import Connection, Engine, Select, String, case, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from data_access.schema import FactoryLatestAssessment, Finding
from data_access.scope import scoped_connection, system_connection
from data_access.viewer import Viewer


def _connection(engine: Engine, viewer: Viewer | None, system: bool):
    """The connection a read runs on: the viewer's tenant scope, the all-brands scope, or
    neither (then tenant tables read as empty on PostgreSQL; see :mod:`data_access.scope`)."""
    if viewer is not None:
        return scoped_connection(engine, viewer)
    if system:
        return system_connection(engine)
    return engine.connect()


def read_frame(
    engine: Engine,
    stmt: Select,
    columns: Sequence[str] | None = None,
    *,
    viewer: Viewer | None = None,
    system: bool = False,
) -> pd.DataFrame:
    """Run a SELECT and return a DataFrame (with ``columns`` even when there are no rows).

    ``viewer`` runs it in the viewer's tenant scope, ``system`` in the all-brands scope; with
    neither, tenant tables read as empty on PostgreSQL (see :mod:`data_access.scope`).
    """
    with _connection(engine, viewer, system) as conn:
        result = conn.execute(stmt)
        names = list(columns or result.keys())
        rows = result.all()
    # Column by column: pandas building a frame from a list of SQLAlchemy Row objects probes
    # each row for namedtuple attributes (≈ 25 % of a large read; docs/performance.md).
    values = list(zip(*rows, strict=True)) if rows else [()] * len(names)
    return pd.DataFrame({name: list(col) for name, col in zip(names, values, strict=True)},
                        columns=names)


#: rows fetched at a time by :func:`read_rows_frame`
READ_BLOCK_ROWS = 50_000


def read_rows_frame(
    engine: Engine,
    stmt: Select,
    columns: Sequence[str],
    *,
    viewer: Viewer | None = None,
    system: bool = False,
) -> pd.DataFrame:
    """Like :func:`read_frame` for large reads, without SQLAlchemy's per-value result
    processing: the driver's tuples go straight into ``DataFrame.from_records`` (≈ 2× faster
    for 100 k orders; docs/performance.md). Values come as the driver returns them (SQLite:
    dates as ISO text, booleans as 0/1; PostgreSQL: ``date``, ``Decimal``→float): the caller
    converts the types it needs. Same scoping rules as :func:`read_frame`.
    """
    with _connection(engine, viewer, system) as conn:
        return read_rows_frame_on(conn, stmt, columns)


def read_rows_frame_on(conn: Connection, stmt: Select, columns: Sequence[str]) -> pd.DataFrame:
    """:func:`read_rows_frame` on an open connection (e.g. inside an import's transaction)."""
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    if conn.dialect.paramstyle == "qmark":
        params: object = tuple(_sqlite_param(compiled.params[name])
                               for name in compiled.positiontup or ())
    else:
        params = dict(compiled.params)
    cursor = conn.exec_driver_sql(compiled.string, params).cursor
    # in blocks, so that the Python tuples of a large read never exist all at once
    frames = []
    while rows := cursor.fetchmany(READ_BLOCK_ROWS):
        frames.append(pd.DataFrame.from_records(rows, columns=list(columns),
                                                coerce_float=True, nrows=len(rows)))
    if not frames:
        return pd.DataFrame.from_records([], columns=list(columns))
    return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)


def _sqlite_param(value: object) -> object:
    """Dates as SQLAlchemy stores them in SQLite (ISO text)."""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


class iso_date(FunctionElement):
    """A DATE column as ``'YYYY-MM-DD'`` text, whatever the server's DateStyle: SQLite stores
    dates as that text already; PostgreSQL gets ``to_char`` (text transfers faster than
    ``date`` objects, and pandas parses it in C)."""

    type = String()
    inherit_cache = True


@compiles(iso_date)
def _iso_date_default(element, compiler, **kw):
    return compiler.process(element.clauses, **kw)


@compiles(iso_date, "postgresql")
def _iso_date_postgresql(element, compiler, **kw):
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM-DD')"


def non_compliant_int():
    """1 for a non-compliant finding, else 0 (PostgreSQL has no MAX/SUM over booleans)."""
    return case((Finding.non_compliant.is_(True), 1), else_=0)


def latest_assessment_subquery():
    """Each factory's latest assessment (by date, then cycle): ``factory_id, assessment_id,
    assessed_on, cycle``.

    Read from the ``factory_latest_assessment`` summary table (data_access/summaries.py), kept
    up to date by ``refresh_summaries``: ranking every assessment on each page view was the
    first cost of every page at scale (issue 7).
    """
    latest = FactoryLatestAssessment
    return (
        select(latest.factory_id, latest.assessment_id, latest.assessed_on, latest.cycle)
        .subquery("latest")
    )


#: primary keys are INTEGER columns: anything outside 1 … 2**31 - 1 cannot name a row, and
#: PostgreSQL rejects such a parameter ("integer out of range") instead of matching nothing
ID_MIN, ID_MAX = 1, 2**31 - 1


def possible_ids(values) -> list[int]:
    """The values that could be primary keys (in INTEGER range), as ints, in order, deduplicated."""
    seen: dict[int, None] = {}
    for value in values:
        number = int(value)
        if ID_MIN <= number <= ID_MAX:
            seen.setdefault(number, None)
    return list(seen)


def possible_texts(values) -> list[str]:
    """The values that could equal a stored text: NUL never occurs in stored text, and
    PostgreSQL refuses a parameter containing it, so such values are dropped (match nothing)."""
    return [str(v) for v in values if "\x00" not in str(v)]
