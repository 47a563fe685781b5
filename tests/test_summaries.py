"""Summary tables and the stored benchmark (issue 7), on SQLite and PostgreSQL.

The summaries are derived data: whatever they hold must equal what the raw tables say, after
generation, after a partial refresh, and the vectorised benchmark must equal the per-brand one.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import text

from data_access import orders
from data_access.dataset import bump_data_version
from data_access.summaries import (
    OUTSIDE,
    benchmark_key,
    refresh_summaries,
    store_benchmark,
    stored_benchmark,
)
from metrics.purchasing import brand_summaries, brand_summary
from tests.conftest import DEMO_AS_OF

SUMMARIES = ("factory_latest_assessment", "latest_cluster_result", "latest_cp_result",
             "factory_open_plan_items")


def snapshot(engine) -> dict[str, pd.DataFrame]:
    out = {}
    with engine.connect() as conn:
        for table in SUMMARIES:
            frame = pd.DataFrame(conn.execute(text(f"SELECT * FROM {table}")).mappings().all())
            frame = frame.drop(columns=["id"], errors="ignore")
            out[table] = frame.sort_values(list(frame.columns)).reset_index(drop=True)
    return out


def test_latest_assessment_summary_matches_the_raw_tables(writable_engine):
    with writable_engine.connect() as conn:
        raw = pd.DataFrame(conn.execute(text(
            "SELECT a.factory_id, a.id AS assessment_id, "
            "SUM(CASE WHEN q.kind = 'non_compliance' THEN 1 ELSE 0 END) AS questions, "
            "SUM(CASE WHEN q.kind = 'non_compliance' AND f.non_compliant THEN 1 ELSE 0 END) "
            "AS violations FROM assessment a JOIN finding f ON f.assessment_id = a.id "
            "JOIN question q ON q.id = f.question_id "
            "WHERE NOT EXISTS (SELECT 1 FROM assessment b WHERE b.factory_id = a.factory_id "
            "AND (b.assessed_on > a.assessed_on OR (b.assessed_on = a.assessed_on "
            "AND b.cycle > a.cycle))) GROUP BY a.factory_id, a.id")).mappings().all())
        summary = pd.DataFrame(conn.execute(text(
            "SELECT factory_id, assessment_id, questions_assessed AS questions, "
            "questions_non_compliant AS violations FROM factory_latest_assessment"
        )).mappings().all())
    key = ["factory_id", "assessment_id", "questions", "violations"]
    assert len(raw) > 10
    pd.testing.assert_frame_equal(
        raw[key].astype(int).sort_values("factory_id").reset_index(drop=True),
        summary[key].astype(int).sort_values("factory_id").reset_index(drop=True))


def test_a_partial_refresh_picks_up_a_new_assessment(writable_engine):
    everything_before = snapshot(writable_engine)
    with writable_engine.begin() as conn:
        factory = conn.execute(text(
            "SELECT factory_id FROM factory_latest_assessment ORDER BY factory_id LIMIT 1")
        ).scalar_one()
        cycle = conn.execute(text("SELECT MAX(cycle) + 1 FROM assessment WHERE factory_id = :f"),
                             {"f": factory}).scalar_one()
        conn.execute(text(
            "INSERT INTO assessment (id, factory_id, assessed_on, cycle, kind) "
            "VALUES (999001, :f, :d, :c, 'on-site')"), {"f": factory, "d": DEMO_AS_OF, "c": cycle})
        conn.execute(text(
            "INSERT INTO finding (assessment_id, question_id, non_compliant) "
            "SELECT 999001, id, :nc FROM question"), {"nc": True})
        refresh_summaries(conn, [factory])
    with writable_engine.connect() as conn:
        latest = conn.execute(text(
            "SELECT assessment_id, questions_assessed, questions_non_compliant "
            "FROM factory_latest_assessment WHERE factory_id = :f"), {"f": factory}).one()
    assert latest[0] == 999001 and latest[1] == latest[2] > 200  # every question non-compliant
    after = snapshot(writable_engine)
    with writable_engine.begin() as conn:
        refresh_summaries(conn)  # a full rebuild agrees with the partial one
    for table in SUMMARIES:
        pd.testing.assert_frame_equal(after[table], snapshot(writable_engine)[table])
    # only the changed factory's rows moved
    mine = everything_before["latest_cluster_result"]
    assert len(mine[mine["factory_id"] != factory]) == len(
        after["latest_cluster_result"][after["latest_cluster_result"]["factory_id"] != factory])


def test_vectorised_brand_summaries_equal_one_call_per_brand(engine):
    feed = orders.benchmark_feed(engine, since=dt.date(2024, 1, 1))
    vectorised = brand_summaries(feed.orders, DEMO_AS_OF, feed.relationships)
    for key, group in feed.orders.groupby("brand_key"):
        rel = feed.relationships[feed.relationships["brand_key"] == key]
        expected = brand_summary(group, DEMO_AS_OF, rel)
        for name, value in expected.items():
            got = vectorised.loc[key, name]
            assert (np.isnan(value) and np.isnan(got)) or np.isclose(got, value, rtol=1e-9), \
                (key, name, got, value)


def test_stored_benchmark_is_keyed_by_the_data_version(writable_engine):
    key = benchmark_key(12, None, None)
    assert key == "12|latest|*" and benchmark_key(None, dt.date(2026, 9, 30), "VN") == \
        "all|2026-09-30|VN"
    with writable_engine.begin() as conn:  # stored after the generation (issue 17): start over
        conn.execute(text("DELETE FROM purchasing_benchmark"))
    version, found = stored_benchmark(writable_engine, key, 1)
    assert found is None
    published = {1: {"median_lead_time_days": 80.0, "order_volatility_cv": float("nan")},
                 2: {"median_lead_time_days": 85.0, "order_volatility_cv": 1.05},
                 OUTSIDE: {"median_lead_time_days": 80.0, "order_volatility_cv": 1.0}}
    assert store_benchmark(writable_engine, key, version, published)
    # each brand gets its own published row, never another brand's
    mine = stored_benchmark(writable_engine, key, 1)[1]
    assert mine["median_lead_time_days"] == 80.0 and np.isnan(mine["order_volatility_cv"])
    assert stored_benchmark(writable_engine, key, 2)[1]["median_lead_time_days"] == 85.0
    # a brand without orders in the choice gets the row for outsiders
    assert stored_benchmark(writable_engine, key, 99)[1]["order_volatility_cv"] == 1.0
    assert store_benchmark(writable_engine, "other", version, {}) is True
    assert stored_benchmark(writable_engine, "other", 1)[1] == {}  # "no benchmark" is stored
    with writable_engine.begin() as conn:
        bump_data_version(conn, "test: an import")
    new_version, gone = stored_benchmark(writable_engine, key, 1)
    assert new_version == version + 1 and gone is None
    # a value computed from the old version is not stored under the new one
    assert not store_benchmark(writable_engine, key, version,
                               {1: {"median_lead_time_days": 1.0}})
