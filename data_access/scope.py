"""Connections that carry the tenant scope into the database (PostgreSQL row-level security).

The brand filter in every query of ``data_access`` is the control. On PostgreSQL, row-level
security on the tenant tables is a second, independent one (defence in depth): each read runs in
a transaction that first sets ``app.brand_id`` (and ``app.scope``) with ``set_config(..., true)``
— transaction-local, so the setting can never leak to the next user of a pooled connection.
The policies (migrations 0004, 0008) let a row through only when its ``brand_id`` equals the
setting, or when the scope is ``system`` (imports, demo generation, the anonymous benchmark, the
administrator's installation summary). No setting at all matches nothing: fail closed — except
the shared rows of :data:`SHARED_ROW_TABLES` (no brand at all), which any scope may read.

On SQLite there is no row-level security; the same functions simply open a transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, text

from data_access.viewer import Viewer

#: tables whose rows belong to one brand; row-level security applies to them on PostgreSQL
TENANT_TABLES = ("sourcing_relationship", "purchase_order", "factory_attribute_source")
#: tenant tables that also hold shared rows (``brand_id`` NULL: Better Work's and Open Supply
#: Hub's values of a factory's attributes), which every scope may read (migration 0008)
SHARED_ROW_TABLES = ("factory_attribute_source",)

_SET_SCOPE = text(
    "SELECT set_config('app.scope', :scope, true), set_config('app.brand_id', :brand, true)"
)


def apply_scope(conn: Connection, *, scope: str, brand_id: int | None = None) -> None:
    """Set the tenant scope for the current transaction (no-op on SQLite)."""
    if conn.dialect.name != "postgresql":
        return
    conn.execute(_SET_SCOPE, {"scope": scope, "brand": "" if brand_id is None else str(brand_id)})


@contextmanager
def scoped_connection(engine: Engine, viewer: Viewer) -> Iterator[Connection]:
    """A read transaction limited to the viewer's (chosen) brand."""
    with engine.begin() as conn:
        apply_scope(conn, scope="brand", brand_id=viewer.brand_id)
        yield conn


@contextmanager
def system_connection(engine: Engine) -> Iterator[Connection]:
    """A transaction that may touch every brand's rows: imports, generation, benchmarks."""
    with engine.begin() as conn:
        apply_scope(conn, scope="system")
        yield conn
