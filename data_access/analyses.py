"""Stored per-brand analyses: read and write ``brand_analysis`` (issue 17).

A brand's risk ranking and its Purchasing page's figures are computed from its orders *and*
the shared assessment data, ≈ 0.3–0.5 s each for the largest brand at Better Work scale. The
services layer (``services.stored``) computes them once per data version — for every brand
after each import, and in the first view that finds one missing — and stores them here, so a
first view reads one row.

A stored analysis is keyed by brand, ``kind`` (e.g. ``risk``) and ``key`` (the choice it was
computed for, e.g. the reference date), and is used only while both the **data version** it
was computed from is the current one (every import bumps it: nothing stale is ever shown) and
the **code version** is the running code's (another release may compute it differently).
Reads go through the viewer's scoped connection (row-level security on PostgreSQL: a brand
reads only its own rows); writes through the system connection, for the brand the caller
names, and are best effort (a read-only replica, or two processes storing the same row, only
means the value is not stored — it is still correct).

Payloads are data, never code: a DataFrame as an LZ4-compressed Arrow IPC stream (the object
columns — text, lists — restored to what they were), a mapping as JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, and_, delete, insert, or_, select
from sqlalchemy.exc import DBAPIError

from data_access.schema import BrandAnalysis, DatasetState
from data_access.scope import scoped_connection, system_connection
from data_access.viewer import Viewer

log = logging.getLogger(__name__)

ARROW = "arrow"
JSON = "json"
#: Arrow schema metadata: the columns that were ``object`` dtype (text, lists, mixed)
_OBJECT_COLUMNS = b"dashboard.object_columns"

Payload = pd.DataFrame | dict[str, Any]


def read_analysis(engine: Engine, viewer: Viewer, kind: str, key: str,
                  code_version: str) -> tuple[int, Payload | None]:
    """The current data version and the viewer's brand's stored ``kind``/``key`` analysis
    computed at that version by ``code_version`` (None when there is none)."""
    brand_id = viewer.require_brand()
    row_ = BrandAnalysis
    with scoped_connection(engine, viewer) as conn:
        version = int(conn.execute(select(DatasetState.data_version)).scalar() or 0)
        row = conn.execute(
            select(row_.payload_format, row_.payload)
            .where(row_.brand_id == brand_id, row_.kind == kind, row_.key == key,
                   row_.data_version == version, row_.code_version == code_version)
        ).one_or_none()
    if row is None:
        return version, None
    return version, decode(row.payload_format, row.payload)


def store_analysis(engine: Engine, brand_id: int, kind: str, key: str, version: int,
                   code_version: str, value: Payload) -> bool:
    """Store ``value`` as ``brand_id``'s ``kind``/``key`` analysis computed from the data at
    ``version`` (only if that is still the current version), replacing the brand's rows of
    other versions. Returns whether it was stored (best effort: a database error is logged)."""
    payload_format, payload = encode(value)
    row_ = BrandAnalysis
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    try:
        with system_connection(engine) as conn:
            current = conn.execute(select(DatasetState.data_version)).scalar() or 0
            if current != version:
                return False
            conn.execute(delete(row_).where(
                row_.brand_id == int(brand_id),
                or_(row_.data_version != version, row_.code_version != code_version,
                    and_(row_.kind == kind, row_.key == key))))
            conn.execute(insert(row_).values(
                brand_id=int(brand_id), kind=kind, key=key, data_version=version,
                code_version=code_version, payload_format=payload_format, payload=payload,
                computed_at=now))
        return True
    except DBAPIError as exc:
        log.info("analysis %s/%s of brand %s not stored (%s)", kind, key, brand_id,
                 str(exc).splitlines()[0][:200])
        return False


def stored_keys(engine: Engine, version: int, code_version: str) -> set[tuple[int, str, str]]:
    """(brand id, kind, key) of every analysis stored at ``version`` by ``code_version``
    (the refresh skips them)."""
    row_ = BrandAnalysis
    with system_connection(engine) as conn:
        return {(int(b), k, key) for b, k, key in conn.execute(
            select(row_.brand_id, row_.kind, row_.key)
            .where(row_.data_version == version, row_.code_version == code_version))}


# ---- payloads: data, never code --------------------------------------------------------------


def encode(value: Payload) -> tuple[str, bytes]:
    """``(payload_format, bytes)`` of a DataFrame (Arrow IPC) or a mapping (JSON)."""
    if isinstance(value, pd.DataFrame):
        return ARROW, _encode_frame(value)
    if isinstance(value, Mapping):
        return JSON, json.dumps({str(k): _plain(v) for k, v in value.items()},
                                allow_nan=True).encode()
    raise TypeError(f"cannot store a {type(value).__name__}")


def decode(payload_format: str, payload: bytes) -> Payload:
    if payload_format == ARROW:
        return _decode_frame(payload)
    if payload_format == JSON:
        return json.loads(payload)
    raise ValueError(f"unknown payload format {payload_format!r}")


def _plain(value: Any) -> Any:
    """A JSON value of a mapping's value (numpy scalars as Python numbers; NaN stays NaN)."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"cannot store a {type(value).__name__} value")


def _encode_frame(frame: pd.DataFrame) -> bytes:
    import pyarrow as pa

    # object columns (text, lists, mixed), with where they held NaN rather than None: Arrow
    # has one null for both
    objects = {str(c): [i for i, v in enumerate(frame[c].tolist())
                        if isinstance(v, float) and math.isnan(v)]
               for c in frame.columns if frame[c].dtype == object}
    table = pa.Table.from_pandas(frame, preserve_index=None)
    metadata = dict(table.schema.metadata or {})
    metadata[_OBJECT_COLUMNS] = json.dumps(objects).encode()
    return arrow_stream(table.replace_schema_metadata(metadata))


def arrow_stream(table: Any) -> bytes:
    """``table`` (a ``pyarrow.Table``) as one LZ4-compressed Arrow IPC stream."""
    import pyarrow as pa

    sink = pa.BufferOutputStream()
    options = pa.ipc.IpcWriteOptions(compression="lz4")
    with pa.ipc.new_stream(sink, table.schema, options=options) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def _decode_frame(blob: bytes) -> pd.DataFrame:
    import pyarrow as pa

    table = pa.ipc.open_stream(pa.py_buffer(blob)).read_all()
    objects = json.loads((table.schema.metadata or {}).get(_OBJECT_COLUMNS, b"{}"))
    frame = table.to_pandas()
    for name, nan_rows in objects.items():
        # text stays object dtype (not pandas' string dtype), lists stay lists, and a missing
        # value is the NaN or None it was
        values = table.column(name).to_pylist()
        for row in nan_rows:
            values[row] = math.nan
        frame[name] = pd.Series(values, index=frame.index, dtype=object)
    return frame
