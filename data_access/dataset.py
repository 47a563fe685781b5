"""The dataset's version: bumped by every write of data, read by the caches to refresh."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, select

from data_access.schema import DatasetState


def bump_data_version(conn: Connection, source: str) -> None:
    """Record that the data changed, so caches keyed on the version refresh (imports call it)."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    state = conn.execute(select(DatasetState).where(DatasetState.id == 1)).first()
    if state is None:
        conn.execute(
            DatasetState.__table__.insert().values(
                id=1, data_version=1, updated_at=now, source=source
            )
        )
    else:
        conn.execute(
            DatasetState.__table__.update()
            .where(DatasetState.id == 1)
            .values(data_version=DatasetState.data_version + 1, updated_at=now, source=source)
        )
