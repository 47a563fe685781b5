"""Pieces every kind of import shares: the change plan, factory references, progress while
writing, chunked reads and writes.

A *change plan* is computed from the validated rows and the database's current content before
anything is written: it knows which rows insert, update or leave a record unchanged, so a dry
run and a real run report exactly the same numbers, and an unchanged row is never written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Connection, Date, Table, select

from data_access.bulk import bulk_insert
from data_access.importing.cleaners import integer, os_id
from data_access.importing.reading import Column, ParsedFile, Row
from data_access.importing.report import ProgressCallback
from data_access.schema import Factory, Question

T = TypeVar("T")

#: PostgreSQL's INTEGER / SMALLINT ranges: a value beyond them would fail mid-write, so the
#: cleaners refuse it during validation instead.
INT_MAX = 2_147_483_647
SMALLINT_MAX = 32_767
#: IN-lists are read in chunks (SQLite allows 32,766 bound parameters per statement).
IN_CHUNK = 900

FACTORY_REFERENCE_COLUMNS = (
    Column("factory_os_id", os_id),
    Column("factory_id", integer(1, INT_MAX)),
)


def utcnow() -> dt.datetime:
    """Naive UTC now, like every timestamp column of the schema."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def select_in(conn: Connection, make_stmt: Callable[[Sequence[Any]], Any],
              values: Iterable[Any]) -> list[Any]:
    """Run ``make_stmt(chunk)`` for chunks of ``values`` and concatenate the rows."""
    ordered = sorted(set(values))
    out: list[Any] = []
    for chunk in chunks(ordered, IN_CHUNK):
        out.extend(conn.execute(make_stmt(chunk)).all())
    return out


def write_chunk_size(total: int) -> int:
    """Small enough that progress moves about 20 times, large enough to stay fast."""
    return max(100, min(5_000, total // 20 or 1))


@dataclass
class ChangePlan:
    """What an import would do. ``steps`` are run in order inside the import's transaction;
    each is ``(weight, function)`` where ``function(conn, advance)`` calls ``advance(n)`` as it
    completes ``n`` of its ``weight`` units, so progress is reported while writing."""

    rows: int
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    #: rows merged into an earlier row of the same file (facility lists)
    merged: int = 0
    #: the ``import_run`` row of this import, known once writing starts (steps may read it)
    import_run_id: int | None = None
    details: dict[str, int] = field(default_factory=dict)
    steps: list[tuple[int, Callable[[Connection, Callable[[int], None]], None]]] = field(
        default_factory=list)

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def step(self, weight: int,
             function: Callable[[Connection, Callable[[int], None]], None]) -> None:
        if weight:
            self.steps.append((weight, function))

    def write(self, conn: Connection, progress: ProgressCallback | None) -> None:
        total_weight = sum(weight for weight, _ in self.steps) or 1
        done = 0

        def advance(n: int) -> None:
            nonlocal done
            done += n
            if progress:
                progress(min(self.rows, round(self.rows * done / total_weight)), self.rows,
                         "writing")

        if progress:
            progress(0, self.rows, "writing")
        for _weight, function in self.steps:
            function(conn, advance)


def insert_rows(table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]):
    """A plan step that bulk-inserts ``rows`` (COPY on PostgreSQL) in progress-sized chunks."""
    date_positions = [i for i, name in enumerate(columns)
                      if isinstance(table.c[name].type, Date)]

    def run(conn: Connection, advance: Callable[[int], None]) -> None:
        sqlite = conn.dialect.name == "sqlite"
        for chunk in chunks(rows, write_chunk_size(len(rows))):
            if sqlite and date_positions:
                # SQLite stores a DATE as 'YYYY-MM-DD' text (as SQLAlchemy writes it); doing it
                # here avoids the sqlite3 module's per-value adapter, deprecated in Python 3.12.
                chunk = [_iso_dates(row, date_positions) for row in chunk]
            bulk_insert(conn, table, columns, chunk)
            advance(len(chunk))

    return run


def _iso_dates(row: Sequence[Any], positions: list[int]) -> tuple[Any, ...]:
    out = list(row)
    for i in positions:
        if out[i] is not None:
            out[i] = out[i].isoformat()
    return tuple(out)


def execute_many(stmt: Any, params: Sequence[dict[str, Any]]):
    """A plan step that runs ``stmt`` (an UPDATE with bind parameters) for every dict."""

    def run(conn: Connection, advance: Callable[[int], None]) -> None:
        for chunk in chunks(params, write_chunk_size(len(params))):
            conn.execute(stmt, list(chunk))
            advance(len(chunk))

    return run


# ---- factories referenced by assessments, plans and orders ----------------------------------


@dataclass(frozen=True)
class FactoryRefs:
    by_os_id: dict[str, int]
    ids: set[int]


def load_factory_refs(conn: Connection) -> FactoryRefs:
    by_os_id: dict[str, int] = {}
    ids: set[int] = set()
    for factory_id, factory_os_id in conn.execute(select(Factory.id, Factory.os_id)):
        ids.add(factory_id)
        if factory_os_id:
            by_os_id[factory_os_id] = factory_id
    return FactoryRefs(by_os_id, ids)


def resolve_factory(parsed: ParsedFile, row: Row, refs: FactoryRefs) -> int | None:
    """The factory a row refers to by ``factory_os_id`` and/or ``factory_id``; a problem is
    recorded on the row when it is unknown, the two columns disagree or neither is given."""
    if not row.is_valid("factory_os_id", "factory_id"):
        return None
    factory_id, column, message = lookup_factory(
        row.values.get("factory_os_id"), row.values.get("factory_id"), refs)
    if message is not None:
        if column is None:
            column = "factory_os_id" if "factory_os_id" in parsed.present else "factory_id"
        parsed.problem(row.number, column, message)
    return factory_id


def lookup_factory(os_value: str | None, id_value: int | None,
                   refs: FactoryRefs) -> tuple[int | None, str | None, str | None]:
    """``(factory id, None, None)`` or ``(None, column, message)`` — a pure function of the two
    cells, so callers with many rows can cache it."""
    if os_value is None and id_value is None:
        return None, None, "a factory is required (factory_os_id or factory_id)"
    by_os = None
    if os_value is not None:
        by_os = refs.by_os_id.get(os_value)
        if by_os is None:
            return None, "factory_os_id", (f"no factory has the OS ID {os_value}; import the "
                                           "facility list first")
    if id_value is not None:
        if id_value not in refs.ids:
            return None, "factory_id", f"no factory has the id {id_value}"
        if by_os is not None and by_os != id_value:
            return None, "factory_id", (f"is factory {id_value}, but OS ID {os_value} is "
                                        f"factory {by_os}")
        return id_value, None, None
    return by_os, None, None


def load_question_ids(conn: Connection) -> dict[str, int]:
    """Question code (upper case) → id."""
    return {code.upper(): qid for qid, code in conn.execute(select(Question.id, Question.code))}


def question_code(value: str) -> tuple[Any, str | None]:
    """A question code as written in the framework, e.g. ``OSH.3.04`` (any case)."""
    code = value.strip().upper()
    if len(code) > 20:
        return None, "is not a question code"
    return code, None
