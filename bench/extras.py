"""Extract and import timings: a 100 k-row purchase-order CSV out, and 100 k orders in.

* Extract: :func:`data_access.extracts.iter_purchase_orders` streamed into
  :func:`data_access.extracts.write_csv` (what the download button does, minus the audit row)
  for the largest brand's orders, the first 100,000 in the extract's order.
* Import: a 100,000-row orders CSV (the brand's own orders under new PO numbers) imported with
  :func:`data_access.importing.import_csv`, validation included. On SQLite into a copy of the
  database file (so the cached dataset stays as generated); on PostgreSQL into the database,
  the rows being deleted again afterwards.
* The write floor (SQLite): the same 100,000 rows inserted once more, already parsed and
  checked, by the importer's own fastest statement (multi-row ``INSERT … VALUES``) into the same
  copy, commit included — what SQLite alone needs for the table's foreign keys and three
  indexes, so the import's own overhead is the difference.
"""

from __future__ import annotations

import contextlib
import csv
import itertools
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from data_access import summaries
from data_access.db import create_db_engine
from data_access.viewer import Viewer

ROWS = 100_000
IMPORT_PREFIX = "BENCH-IMPORT-"
IMPORT_COLUMNS = ["po_number", "factory_id", "confirmed_on", "ex_factory_on", "invoiced_on",
                  "paid_on", "payment_terms_days", "units_forecast", "units_ordered",
                  "units_changed_after_confirmation", "changed_after_confirmation",
                  "fob_price_usd", "cost_usd", "amount_paid_usd", "season"]


def time_extract(engine: Engine, viewer: Viewer) -> dict[str, Any]:
    """Seconds to stream up to 100 k of the brand's orders into a CSV file."""
    try:
        from data_access.extracts import PURCHASE_ORDER_COLUMNS, iter_purchase_orders, write_csv
    except ImportError as exc:  # the extracts module is another issue's work
        return {"status": f"pending ({exc})"}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "orders.csv"
        start = time.perf_counter()
        rows = iter_purchase_orders(engine, viewer)
        with contextlib.closing(rows), path.open("w", newline="", encoding="utf-8") as out:
            count = write_csv(itertools.islice(rows, ROWS), PURCHASE_ORDER_COLUMNS, out)
        seconds = time.perf_counter() - start
        size = path.stat().st_size
    return {"status": "ok", "rows": count, "seconds": round(seconds, 3),
            "rows_per_second": round(count / seconds), "megabytes": round(size / 1e6, 1)}


def _import_file(engine: Engine, brand_id: int, folder: Path) -> Path:
    """The brand's first 100 k orders under new PO numbers, as an orders CSV."""
    path = folder / "orders-import.csv"
    with engine.connect() as conn, path.open("w", newline="", encoding="utf-8") as out:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT set_config('app.scope', 'system', false)"))
        result = conn.execute(text(
            f"SELECT {', '.join(IMPORT_COLUMNS)} FROM purchase_order "  # noqa: S608
            "WHERE brand_id = :b ORDER BY id LIMIT :n"), {"b": brand_id, "n": ROWS})
        writer = csv.writer(out)
        writer.writerow(IMPORT_COLUMNS)
        for row in result:
            values = list(row)
            values[0] = IMPORT_PREFIX + str(values[0])
            values[10] = "yes" if values[10] else "no"
            writer.writerow(["" if v is None else v for v in values])
    return path


def time_import(engine: Engine, brand_id: int, brand_code: str) -> dict[str, Any]:
    """Rows per second of a 100 k-row orders import (validation and writing)."""
    try:
        from data_access.importing import import_csv
    except ImportError as exc:
        return {"status": f"pending ({exc})"}
    admin = Viewer("bench", "admin", None)
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        csv_path = _import_file(engine, brand_id, folder)
        target = engine
        url = make_url(str(engine.url))
        if url.get_backend_name() == "sqlite":
            copy = folder / "import-copy.sqlite3"
            shutil.copy(url.database, copy)
            target = create_db_engine(f"sqlite:///{copy}")
        floor: dict[str, Any] = {}
        try:
            with summaries.after_data_change_paused():
                start = time.perf_counter()
                report = import_csv(target, admin, "orders", csv_path, brand_code=brand_code)
                seconds = time.perf_counter() - start
            # what runs right after the import's transaction: the stored purchasing benchmark
            start = time.perf_counter()
            summaries.after_data_change(target)
            refresh = time.perf_counter() - start
            if target is not engine:
                floor = _sqlite_write_floor(target)
        finally:
            if target is engine:
                _remove_imported(engine)
            else:
                target.dispose()
    return {"status": "ok", "rows": report.rows, "inserted": report.inserted,
            "seconds": round(seconds, 3), "rows_per_second": round(report.rows / seconds),
            "refresh_after_import_s": round(refresh, 3), **floor}


def _sqlite_write_floor(engine: Engine) -> dict[str, Any]:
    """Seconds for SQLite alone to write the imported rows again (see the module docstring)."""
    from data_access.bulk import sqlite_insert_rows
    from data_access.importing.orders import STORED

    columns = ["brand_id", "po_number", *STORED]
    with engine.connect() as conn:
        rows = [(r[0], "FLOOR-" + r[1], *r[2:]) for r in conn.execute(text(
            f"SELECT {', '.join(columns)} FROM purchase_order "  # noqa: S608 - our names
            "WHERE po_number LIKE :p"), {"p": IMPORT_PREFIX + "%"})]
    start = time.perf_counter()
    with engine.begin() as conn:
        sqlite_insert_rows(conn, "purchase_order", columns, rows)
    seconds = time.perf_counter() - start
    return {"sqlite_write_floor_s": round(seconds, 3),
            "sqlite_write_floor_rows_per_second": round(len(rows) / seconds)}


def _remove_imported(engine: Engine) -> None:
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT set_config('app.scope', 'system', true)"))
        conn.execute(text("DELETE FROM purchase_order WHERE po_number LIKE :p"),
                     {"p": IMPORT_PREFIX + "%"})
        conn.execute(text("DELETE FROM import_run WHERE username = 'bench'"))
