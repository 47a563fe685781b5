"""The import entry point: permission, reading, validation, planning and the one transaction.

Order of events (each step only runs if the previous one found nothing wrong):

1. ``viewer.require_admin()`` — imports are for programme administrators;
2. the brand (facility lists and orders) is resolved — an unknown code is :class:`NotFound`;
3. the file is read and every cell cleaned (:mod:`.reading`) — no database access;
4. inside ``engine.begin()``: the rows are checked against the database (factories, questions,
   suppliers, duplicates) and the writes are planned; any problem → :class:`ImportRejected`
   and the transaction is rolled back, so the database is exactly as before;
5. a dry run stops here (rolled back, nothing written) and returns the planned counts;
6. otherwise the plan is written, ``bump_data_version`` is called and an ``import_run`` row is
   added — all in the same transaction, committed together or not at all.

Validating inside the write transaction means the plan is computed against the data the write
will see. On PostgreSQL a transaction-scoped advisory lock serialises concurrent imports (two
admins, the page and the CLI), so their plans cannot interleave.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path
from types import MappingProxyType
from typing import Any, BinaryIO

import pandas as pd
from sqlalchemy import Connection, Engine, insert, select, text, update
from sqlalchemy.exc import SQLAlchemyError

from data_access import provenance
from data_access.dataset import bump_data_version
from data_access.db import describe_db_error, is_connection_error
from data_access.errors import ImportFailed, ImportRejected, NotFound
from data_access.framework import seed_framework
from data_access.gcpause import cyclic_gc_paused
from data_access.importing import assessments, facilities, orders, plans
from data_access.importing.common import ChangePlan, utcnow
from data_access.importing.reading import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_ROWS,
    FileSpec,
    ParsedFile,
    normalise_header,
    read_file,
    too_large,
)
from data_access.importing.report import (
    KINDS,
    STATUS_WORDS,
    ImportKind,
    ImportProblem,
    ImportReport,
    ProgressCallback,
)
from data_access.schema import Brand, ImportRun
from data_access.scope import apply_scope, system_connection, system_engine
from data_access.summaries import after_data_change
from data_access.viewer import Viewer

log = logging.getLogger(__name__)

SPECS: dict[str, FileSpec] = {
    "facilities": facilities.SPEC,
    "assessments": assessments.SPEC,
    "plans": plans.SPEC,
    "orders": orders.SPEC,
}
BRAND_KINDS = frozenset({"facilities", "orders"})
# Any constant shared by every importer; pg_advisory_xact_lock takes a bigint key.
_PG_IMPORT_LOCK = 5_000_001

Source = bytes | bytearray | str | os.PathLike | BinaryIO


class _DryRunFinished(Exception):  # control flow only: never escapes this module
    """Leaves ``engine.begin()`` by exception so the dry run's transaction is rolled back."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__("dry run")
        self.report = report


#: facility lists that are not a brand's: whose they are (import_csv's ``list_source``)
LIST_SOURCES = (provenance.BETTER_WORK, provenance.OPEN_SUPPLY_HUB)
#: what an import was, in words for the dataset's change log — never a file or brand name,
#: since every brand's pages may read that log (issue 14)
_CHANGE_WORDS = {"facilities": "a brand's facility list", "assessments": "assessments",
                 "plans": "improvement plans", "orders": "a brand's purchase orders",
                 provenance.BETTER_WORK: "Better Work's facility list",
                 provenance.OPEN_SUPPLY_HUB: "Open Supply Hub's facility list"}


def import_actor(viewer: Viewer, via: str | None) -> str:
    """Who imported, as the import log records it: "admin via upload page", "system:ana via
    command line". The one place this format is made (the CLI, the upload page and tests
    read it back)."""
    name = viewer.username if not via else f"{viewer.username} via {via}"
    return name[:80]


def import_csv(
    engine: Engine,
    viewer: Viewer,
    kind: ImportKind,
    source: Source,
    *,
    brand_code: str | None = None,
    list_source: str | None = None,
    file_name: str | None = None,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_rows: int = DEFAULT_MAX_ROWS,
    today: dt.date | None = None,
    sheet: str | None = None,
    via: str | None = None,
) -> ImportReport:
    """Validate a CSV file or an Excel workbook and, unless ``dry_run``, import it
    all-or-nothing.

    Args:
        engine: the database.
        viewer: the signed-in principal; must be an administrator.
        kind: "facilities", "assessments", "plans" or "orders".
        source: the file: bytes, a path, or a binary file object (e.g. Streamlit's upload).
            CSV (UTF-8) or an Excel workbook (.xlsx, .xls), recognised by its content.
        brand_code: the brand a facility list or an order file belongs to.
        list_source: for a facility list that is not a brand's: ``"better_work"`` or
            ``"open_supply_hub"`` (then no ``brand_code``).
        file_name: the name shown in problems and the log (default: the path as given, or the
            upload's name).
        dry_run: validate and count, write nothing.
        progress: ``progress(done_rows, total_rows, stage)`` during validation and writing.
        max_bytes / max_rows: refuse larger files.
        today: the date "in the future" is judged against (default: today, UTC).
        sheet: the worksheet of a workbook to read (default: the first).
        via: how the import was started ("upload page", "command line"), for the log.

    Returns:
        The report: rows inserted / updated / unchanged / merged, warnings, ignored columns.

    Raises:
        PermissionDenied: the viewer is not an administrator.
        NotFound: the brand code does not exist.
        ImportRejected: the file has problems (``exc.report.errors`` lists all of them);
            nothing was written.
        ImportFailed: the database refused the import or could not be reached; nothing was
            written.
        ValueError: unknown kind, or a brand (or list source) is missing or not allowed.
    """
    with cyclic_gc_paused():  # ≈ 25 % faster on 100 k rows (docs/performance.md)
        try:
            return _import_csv(engine, viewer, kind, source, brand_code=brand_code,
                               list_source=list_source, file_name=file_name, dry_run=dry_run,
                               progress=progress, max_bytes=max_bytes, max_rows=max_rows,
                               today=today, sheet=sheet, via=via)
        except SQLAlchemyError as exc:
            raise ImportFailed(describe_import_failure(engine, exc)) from exc
        except Exception as exc:
            # bulk loads use the driver's own cursor (COPY, multi-row INSERT): its errors
            # arrive unwrapped
            dbapi = engine.dialect.dbapi
            if dbapi is not None and isinstance(exc, dbapi.Error):
                raise ImportFailed(describe_import_failure(engine, exc)) from exc
            raise


def describe_import_failure(engine: Engine, exc: BaseException) -> str:
    """The database's refusal (or absence) in words, ending with "nothing was imported"."""
    dbapi = engine.dialect.dbapi
    if is_connection_error(exc) or (dbapi is not None
                                    and isinstance(exc, dbapi.OperationalError)
                                    and not isinstance(exc, dbapi.IntegrityError)):
        return f"{describe_db_error(engine, exc)} Nothing was imported."
    reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0][:300]
    return f"The database refused the import ({reason}). Nothing was imported."


def _import_csv(engine: Engine, viewer: Viewer, kind: ImportKind, source: Source, *,
                brand_code: str | None, list_source: str | None, file_name: str | None,
                dry_run: bool, progress: ProgressCallback | None, max_bytes: int,
                max_rows: int, today: dt.date | None, sheet: str | None,
                via: str | None) -> ImportReport:
    viewer.require_admin()
    if kind not in KINDS:
        raise ValueError(f"unknown import kind {kind!r}; choose one of {', '.join(KINDS)}")
    if list_source is not None:
        if kind != "facilities" or list_source not in LIST_SOURCES:
            raise ValueError("only a facility list can come from Better Work or Open Supply Hub")
        if brand_code:
            raise ValueError("a facility list is either a brand's or Better Work's / Open "
                             "Supply Hub's, not both")
    elif kind in BRAND_KINDS and not brand_code:
        raise ValueError(f"a {kind} import needs the brand (brand_code)")
    source_kind = (list_source or provenance.BRAND_LIST) if kind == "facilities" else None
    today = today or dt.datetime.now(dt.UTC).date()
    started = utcnow()
    brand_id = _brand_id(engine, brand_code) if brand_code and kind in BRAND_KINDS else None
    data, name, size = _read_source(source, file_name, max_bytes)

    with gc_paused():
        parsed = read_file(data, name, SPECS[kind], max_bytes=max_bytes, max_rows=max_rows,
                           progress=progress, sheet=sheet)
    if size > max_bytes and not parsed.problems:  # a path or upload read only in part
        parsed.fail(too_large(size, max_bytes))
    if parsed.fatal:
        _reject(kind, parsed, dry_run, brand_code, source_kind)

    try:
        with gc_paused(), system_engine(engine).begin() as conn:
            # an import reads and writes every brand's rows: the system engine's role and the
            # row-level-security scope of system operations (PostgreSQL; no-op on SQLite),
            # for this transaction only
            apply_scope(conn, scope="system")
            if not dry_run and conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                             {"key": _PG_IMPORT_LOCK})
            plan = _plan(conn, kind, parsed, brand_id, today, source_kind)
            if parsed.problems:
                _reject(kind, parsed, dry_run, brand_code, source_kind)
            report = ImportReport(
                kind=kind, file=name, rows=plan.rows, inserted=plan.inserted,
                updated=plan.updated, unchanged=plan.unchanged, merged=plan.merged,
                ignored_columns=parsed.ignored_columns, dry_run=dry_run,
                brand_code=brand_code, details=MappingProxyType(dict(plan.details)),
                warnings=tuple(sorted(parsed.warnings, key=_row_order)),
                notes=tuple(parsed.notes), source=source_kind)
            if dry_run:
                raise _DryRunFinished(report)
            # the log row first: the plan's writes record which import gave each value
            plan.import_run_id = conn.execute(insert(ImportRun).values(
                kind=kind, file_name=name, brand_id=brand_id,
                username=import_actor(viewer, via), started_at=started, finished_at=started,
                rows=plan.rows, inserted=plan.inserted, updated=plan.updated,
                unchanged=plan.unchanged,
                status="succeeded" if plan.inserted or plan.updated else "no_changes",
            ).returning(ImportRun.id)).scalar_one()
            plan.write(conn, progress)
            words = _CHANGE_WORDS[list_source or kind]
            bump_data_version(conn, source=f"import of {words}")
            conn.execute(update(ImportRun).where(ImportRun.id == plan.import_run_id)
                         .values(finished_at=utcnow()))
    except _DryRunFinished as finished:
        report = finished.report
    else:
        # all-brand aggregates (the stored purchasing benchmark) are recomputed now, right
        # after the transaction, not by the next page view (issue 17; data_access.summaries)
        after_data_change(engine)
    if progress:
        progress(report.rows, report.rows, "done")
    log.info("%s by %s: %s", "Dry-run import" if dry_run else "Import",
             import_actor(viewer, via), report.summary())
    return report


def _row_order(problem: ImportProblem) -> tuple[int, str]:
    return problem.row or 0, problem.column or ""


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a file is parsed, planned and written.

    Reading 100k rows allocates millions of objects, none of them in reference cycles; the
    collector, triggered by allocation counts, kept re-scanning them and took 40 % of the
    import's time. Reference counting still frees everything. Process-wide, so it is only
    re-enabled by the call that disabled it (concurrent imports cannot leave it off).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _plan(conn: Connection, kind: str, parsed: ParsedFile, brand_id: int | None,
          today: dt.date, source_kind: str | None) -> ChangePlan:
    if kind == "facilities":
        assert source_kind is not None
        return facilities.plan_facilities(conn, parsed, brand_id, today,
                                          source_kind=source_kind)
    if kind == "orders":
        assert brand_id is not None
        return orders.plan_orders(conn, parsed, brand_id, today)
    # Question codes refer to the framework; a database created without demo data may not
    # have it yet. Seeding here is part of the import's transaction (rolled back with it).
    seed_framework(conn)
    if kind == "assessments":
        return assessments.plan_assessments(conn, parsed, today)
    return plans.plan_plans(conn, parsed, today)


def _reject(kind: str, parsed: ParsedFile, dry_run: bool, brand_code: str | None,
            source_kind: str | None = None) -> None:
    # spreadsheet order: file-level problems first, then by row and the column's place
    position = {}
    for index, raw in enumerate(parsed.header):
        position.setdefault(raw.strip(), index)
        position.setdefault(normalise_header(raw), index)

    def order(problem: ImportProblem) -> tuple[int, int]:
        column = -1 if problem.column is None else position.get(problem.column,
                                                                len(parsed.header))
        return problem.row or 0, column

    errors = tuple(sorted(parsed.problems, key=order))
    report = ImportReport(kind=kind, file=parsed.file_name, rows=parsed.row_count,
                          errors=errors, ignored_columns=parsed.ignored_columns,
                          dry_run=dry_run, brand_code=brand_code,
                          warnings=tuple(sorted(parsed.warnings, key=order)),
                          notes=tuple(parsed.notes), source=source_kind)
    log.info("Import of %s rejected: %s", kind, report.summary())  # a user error, not ours
    raise ImportRejected(report)


def _brand_id(engine: Engine, brand_code: str | None) -> int:
    with engine.connect() as conn:
        brand_id = conn.execute(select(Brand.id).where(Brand.code == brand_code)).scalar()
    if brand_id is None:
        raise NotFound(f"No brand has the code {str(brand_code)[:60]!r}.")
    return brand_id


_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f]")


def clean_file_name(name: str) -> str:
    """A file's name as given — the path as typed on the command line, or an upload's name —
    without control characters, at most 255 characters. It is only ever shown and logged,
    never used to open or build a path."""
    return _UNSAFE_NAME.sub("", str(name))[:255] or "upload.csv"


def _read_source(source: Source, file_name: str | None,
                 max_bytes: int) -> tuple[bytes, str, int]:
    """(the bytes — at most ``max_bytes + 1`` of them —, the display name, the full size)."""
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        return data, clean_file_name(file_name or "upload.csv"), len(data)
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        size = path.stat().st_size
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
        return data, clean_file_name(file_name or os.fspath(source)), size
    data = source.read(max_bytes + 1)
    size = getattr(source, "size", None) or len(data)
    return data, clean_file_name(file_name or getattr(source, "name", "upload.csv")), size


def list_import_runs(engine: Engine, viewer: Viewer, limit: int = 200) -> pd.DataFrame:
    """The latest successful imports, newest first (administrators only).

    Columns: ``started_at, finished_at, kind, file_name, brand_code, username, rows, inserted,
    updated, unchanged, status`` — the status in words ("imported", "no changes").
    """
    viewer.require_admin()
    stmt = (select(ImportRun.started_at, ImportRun.finished_at, ImportRun.kind,
                   ImportRun.file_name, Brand.code.label("brand_code"), ImportRun.username,
                   ImportRun.rows, ImportRun.inserted, ImportRun.updated, ImportRun.unchanged,
                   ImportRun.status)
            .outerjoin(Brand, Brand.id == ImportRun.brand_id)
            .order_by(ImportRun.started_at.desc(), ImportRun.id.desc())
            .limit(limit))
    with system_connection(engine) as conn:
        result = conn.execute(stmt)
        frame = pd.DataFrame(result.all(), columns=list(result.keys()))
    frame["status"] = frame["status"].map(lambda s: STATUS_WORDS.get(s, s))
    return frame


def expected_columns(kind: ImportKind) -> list[dict[str, Any]]:
    """The columns a file of this kind may have, for upload-page help: ``name, required,
    aliases``. A group like ``factory_os_id``/``factory_id`` is required as "one of"."""
    spec = SPECS[kind]
    one_of = {name for group in spec.one_of for name in group}
    return [{"name": col.name, "required": "yes" if col.required else
             ("one of" if col.name in one_of else "no"), "aliases": ", ".join(col.aliases)}
            for col in spec.columns]


def problem_rows(problems: tuple[ImportProblem, ...]) -> list[tuple]:
    """Problems as ``(file, row, column, message)`` tuples, e.g. for a CSV of problems."""
    return [(p.file, p.row, p.column, p.message) for p in problems]
