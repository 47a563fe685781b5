"""Brand isolation: for every demo brand, no read returns a row that belongs to another brand.

The expected sets are computed with independent SQL straight from the tables, on SQLite and on
PostgreSQL.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from data_access import queries
from data_access.errors import NotFound
from data_access.viewer import Viewer


def _brands(engine) -> list[tuple[int, str]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text("SELECT id, code FROM brand ORDER BY id"))]


def _own_factories(engine, brand_id: int, active_only: bool = True) -> set[int]:
    """The brand's factories; active only: its active suppliers — an active relationship with
    a factory that is operating (closed and moved factories leave the active figures)."""
    sql = ("SELECT r.factory_id FROM sourcing_relationship r JOIN factory f "
           "ON f.id = r.factory_id WHERE r.brand_id = :b")
    if active_only:
        sql += " AND r.active AND f.status = 'active'"
    with engine.connect() as conn:
        return set(conn.execute(text(sql), {"b": brand_id}).scalars())


def test_every_brand_sees_only_its_own_rows(engine):
    brands = _brands(engine)
    assert len(brands) == 12
    for brand_id, code in brands:
        viewer = Viewer(f"user-{code}", "brand", brand_id)
        own = _own_factories(engine, brand_id)
        own_any = _own_factories(engine, brand_id, active_only=False)

        visible = queries.visible_brands(engine, viewer)
        assert list(visible["brand_id"]) == [brand_id]
        assert queries.current_brand(engine, viewer)["id"] == brand_id

        suppliers = queries.suppliers(engine, viewer)
        assert set(suppliers["factory_id"]) == own
        assert set(queries.suppliers(engine, viewer, include_inactive=True,
                                     include_closed=True)["factory_id"]) == own_any

        status = queries.latest_cluster_status(engine, viewer)
        assert set(status["factory_id"]) <= own
        with engine.connect() as conn:
            foreign_assessments = set(conn.execute(text(
                "SELECT a.id FROM assessment a WHERE a.factory_id NOT IN "
                "(SELECT factory_id FROM sourcing_relationship WHERE brand_id = :b)"
            ), {"b": brand_id}).scalars())
        assert not (set(status["assessment_id"]) & foreign_assessments)

        for other_id, other_code in brands:
            if other_id != brand_id:
                with pytest.raises(NotFound):
                    queries.brand_by_code(engine, viewer, other_code)


def test_brands_with_shared_factories_see_them_but_not_each_other(engine):
    """A factory two brands source from appears for both; the relationship rows stay apart."""
    with engine.connect() as conn:
        pair = conn.execute(text(
            "SELECT a.brand_id, b.brand_id, a.factory_id FROM sourcing_relationship a "
            "JOIN sourcing_relationship b ON a.factory_id = b.factory_id "
            "AND a.brand_id < b.brand_id WHERE a.active AND b.active LIMIT 1"
        )).one()
    first, second, factory = pair
    for brand in (first, second):
        frame = queries.suppliers(engine, Viewer("u", "brand", brand))
        assert factory in set(frame["factory_id"])
        assert _own_factories(engine, brand) == set(frame["factory_id"])
