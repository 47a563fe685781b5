"""The dataset's version: bumped by every write of data, read by the caches to refresh; and
whether the generated demo dataset was ever loaded (a non-demo start refuses such a database)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, Engine, select

from data_access.schema import DatasetState

#: the ``source`` the demo generator records: such a database is marked as holding demo data
DEMO_SOURCE_PREFIX = "demo data"


def bump_data_version(conn: Connection, source: str) -> None:
    """Record that the data changed, so caches keyed on the version refresh (imports call it).

    ``source`` is for administrators only (never shown to a brand: it may describe another
    brand's import)."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    demo = source.startswith(DEMO_SOURCE_PREFIX)
    state = conn.execute(select(DatasetState).where(DatasetState.id == 1)).first()
    if state is None:
        conn.execute(
            DatasetState.__table__.insert().values(
                id=1, data_version=1, updated_at=now, source=source, holds_demo_data=demo
            )
        )
    else:
        values = {"data_version": DatasetState.data_version + 1, "updated_at": now,
                  "source": source}
        if demo:
            values["holds_demo_data"] = True
        conn.execute(
            DatasetState.__table__.update().where(DatasetState.id == 1).values(**values)
        )


def holds_demo_data(engine: Engine) -> bool:
    """Was the generated demo dataset ever loaded into this database?"""
    with engine.connect() as conn:
        return bool(conn.execute(select(DatasetState.holds_demo_data)
                                 .where(DatasetState.id == 1)).scalar())
