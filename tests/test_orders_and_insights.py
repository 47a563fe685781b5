"""Order reads, the anonymous benchmark feed and the risk inputs, on SQLite and PostgreSQL."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import text

from data_access import factories, orders
from data_access.viewer import Viewer
from metrics.purchasing import brand_summary
from tests.conftest import DEMO_AS_OF


def viewer_for(engine, code: str) -> Viewer:
    with engine.connect() as conn:
        bid = conn.execute(text("SELECT id FROM brand WHERE code = :c"), {"c": code}).scalar_one()
    return Viewer(code, "brand", bid)


def test_purchase_orders_are_the_brands_own(engine):
    for code in ("nordwind", "maple-thread"):
        viewer = viewer_for(engine, code)
        frame = orders.purchase_orders(engine, viewer)
        with engine.connect() as conn:
            expected = set(conn.execute(text(
                "SELECT id FROM purchase_order WHERE brand_id = :b"), {"b": viewer.brand_id}
            ).scalars())
        assert set(frame["po_id"]) == expected and expected
        assert list(frame.columns) == orders.ORDER_COLUMNS


def test_purchase_order_filters(engine):
    viewer = viewer_for(engine, "nordwind")
    everything = orders.purchase_orders(engine, viewer)
    since = (pd.Timestamp(DEMO_AS_OF) - pd.DateOffset(months=12)).date()
    recent = orders.purchase_orders(engine, viewer, since=since)
    assert (recent["confirmed_on"] >= pd.Timestamp(since)).all()
    assert len(recent) == (everything["confirmed_on"] >= pd.Timestamp(since)).sum()
    one = int(everything["factory_id"].iloc[0])
    assert set(orders.purchase_orders(engine, viewer, factory_ids=[one])["factory_id"]) == {one}
    vn = orders.purchase_orders(engine, viewer, countries=["vn"])
    assert set(vn["country_code"]) == {"VN"}
    first, last = orders.order_date_range(engine, viewer)
    assert pd.Timestamp(first) == everything["confirmed_on"].min()
    assert pd.Timestamp(last) == everything["confirmed_on"].max()


def test_benchmark_feed_is_anonymous_and_complete(engine):
    feed = orders.benchmark_feed(engine)
    assert "brand_id" not in feed.orders.columns and "po_number" not in feed.orders.columns
    assert "brand_id" not in feed.relationships.columns
    with engine.connect() as conn:
        total, brands = conn.execute(text(
            "SELECT COUNT(*), COUNT(DISTINCT brand_id) FROM purchase_order")).one()
    assert len(feed.orders) == total
    assert feed.orders["brand_key"].nunique() == brands
    # the per-brand summaries computed from the feed are exactly the brands' own summaries
    viewer = viewer_for(engine, "maple-thread")
    own = brand_summary(orders.purchase_orders(engine, viewer), DEMO_AS_OF,
                        orders.relationships(engine, viewer))
    key = feed.key_of_brand[viewer.brand_id]
    mine = feed.orders[feed.orders["brand_key"] == key]
    rel = feed.relationships[feed.relationships["brand_key"] == key]
    assert brand_summary(mine, DEMO_AS_OF, rel) == pytest.approx(own, nan_ok=True)


def test_benchmark_feed_of_one_country_is_like_for_like(engine):
    feed = orders.benchmark_feed(engine, country="vn")
    assert set(feed.orders["country_code"]) == {"VN"}
    assert set(feed.relationships["country_code"]) == {"VN"}


def test_benchmark_feed_refuses_fewer_than_five_brands(writable_engine):
    """The tiny dataset has four brands: nothing could be published."""
    assert orders.benchmark_feed(writable_engine).orders.empty


def test_relationships_carry_the_first_order_ever(engine):
    viewer = viewer_for(engine, "maple-thread")
    rel = orders.relationships(engine, viewer).set_index("factory_id")
    assert list(orders.relationships(engine, viewer).columns) == orders.RELATIONSHIP_COLUMNS
    with engine.connect() as conn:
        own = conn.execute(text(
            "SELECT factory_id, start_date, active FROM sourcing_relationship "
            "WHERE brand_id = :b"), {"b": viewer.brand_id}).all()
        first = dict(conn.execute(text(
            "SELECT factory_id, MIN(confirmed_on) FROM purchase_order WHERE brand_id = :b "
            "GROUP BY factory_id"), {"b": viewer.brand_id}).all())
    assert set(rel.index) == {f for f, _, _ in own} | set(first)
    for factory, start, active in own:
        assert rel.loc[factory, "start_date"] == (pd.Timestamp(start) if start else pd.NaT) \
            or (pd.isna(rel.loc[factory, "start_date"]) and start is None)
        assert bool(rel.loc[factory, "active"]) == bool(active)
    for factory, day in first.items():
        assert rel.loc[factory, "first_order_on"] == pd.Timestamp(day)


def test_open_non_compliance_counts_unremediated_findings(engine):
    viewer = viewer_for(engine, "nordwind")
    frame = factories.open_non_compliance(engine, viewer)
    row = frame.iloc[0]
    with engine.connect() as conn:
        latest = conn.execute(text(
            "SELECT id FROM assessment WHERE factory_id = :f ORDER BY assessed_on DESC, "
            "cycle DESC LIMIT 1"), {"f": int(row["factory_id"])}).scalar_one()
        core, other = conn.execute(text(
            "SELECT SUM(CASE WHEN c.core_labour_standard THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN c.core_labour_standard THEN 0 ELSE 1 END) FROM finding f "
            "JOIN question q ON q.id = f.question_id "
            "JOIN compliance_point cp ON cp.id = q.compliance_point_id "
            "JOIN cluster c ON c.id = cp.cluster_id "
            "LEFT JOIN improvement_plan_item i ON i.assessment_id = f.assessment_id "
            "AND i.question_id = f.question_id "
            "WHERE f.assessment_id = :a AND f.non_compliant AND q.kind = 'non_compliance' "
            "AND NOT q.zero_tolerance "  # counted apart, with their own states
            "AND (i.id IS NULL OR i.status <> 'Completed')"), {"a": latest}).one()
    assert (row["open_nc_core"], row["open_nc_other"]) == (core or 0, other or 0)
    with engine.connect() as conn:
        own = set(conn.execute(text(
            "SELECT factory_id FROM sourcing_relationship WHERE brand_id = :b AND active"),
            {"b": viewer.brand_id}).scalars())
    assert set(frame["factory_id"]) <= own


def test_assessment_history_is_scoped(engine):
    viewer = viewer_for(engine, "maple-thread")
    history = factories.assessment_history(engine, viewer)
    with engine.connect() as conn:
        own = set(conn.execute(text(
            "SELECT factory_id FROM sourcing_relationship WHERE brand_id = :b AND active"),
            {"b": viewer.brand_id}).scalars())
        n = conn.execute(text(
            "SELECT COUNT(*) FROM assessment WHERE factory_id IN (SELECT factory_id FROM "
            "sourcing_relationship WHERE brand_id = :b AND active)"), {"b": viewer.brand_id}
        ).scalar_one()
    assert set(history["factory_id"]) <= own and len(history) == n
