"""Data-access layer on SQLite and a real PostgreSQL server (every test runs on both)."""

from __future__ import annotations

import pandas as pd
import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text

from data_access import queries
from data_access.db import alembic_config, masked_url, upgrade_schema
from data_access.errors import NoBrandSelected, NotFound, PermissionDenied
from data_access.viewer import Viewer


def brand_id(engine, code: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT id FROM brand WHERE code = :c"), {"c": code}).scalar_one()


def test_migrations_are_idempotent(engine):
    upgrade_schema(engine)  # already at head: a no-op, no error
    with engine.connect() as conn:
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head


def test_framework_has_eight_clusters_and_about_250_questions(engine):
    clusters = queries.clusters(engine)
    assert list(clusters["cluster_code"]) == ["CL", "DISC", "FL", "FOA", "COMP", "CHR", "OSH", "WT"]
    assert clusters["core_labour_standard"].tolist() == [True] * 4 + [False] * 4
    with engine.connect() as conn:
        n_questions = conn.execute(text("SELECT COUNT(*) FROM question")).scalar_one()
        public = conn.execute(
            text("SELECT COUNT(*) FROM question WHERE public_disclosure")).scalar_one()
    assert 240 <= n_questions <= 260
    assert 21 <= public <= 29


def test_suppliers_match_the_brands_active_relationships(engine):
    bid = brand_id(engine, "nordwind")
    frame = queries.suppliers(engine, Viewer("t", "brand", bid))
    with engine.connect() as conn:
        expected = set(conn.execute(text(
            "SELECT r.factory_id FROM sourcing_relationship r JOIN factory f ON f.id = "
            "r.factory_id WHERE r.brand_id = :b AND r.active AND f.status = 'active'"
        ), {"b": bid}).scalars())
    assert set(frame["factory_id"]) == expected
    assert frame["factory_id"].is_unique
    assert len(frame) > 100  # the large demo brand


def test_suppliers_include_inactive_on_request(engine):
    bid = brand_id(engine, "nordwind")
    viewer = Viewer("t", "brand", bid)
    active = queries.suppliers(engine, viewer)
    everything = queries.suppliers(engine, viewer, include_inactive=True)
    assert len(everything) > len(active)
    assert everything["active"].sum() == len(active)


def test_latest_assessment_is_the_most_recent_one(engine):
    bid = brand_id(engine, "nordwind")
    frame = queries.suppliers(engine, Viewer("t", "brand", bid))
    assessed = frame.dropna(subset=["latest_assessment_id"])
    with engine.connect() as conn:
        latest = dict(conn.execute(text(
            "SELECT factory_id, MAX(assessed_on) FROM assessment GROUP BY factory_id"
        )).all())
    for row in assessed.itertuples():
        assert row.latest_assessed_on.date() == pd.Timestamp(latest[row.factory_id]).date()


def test_cluster_status_follows_the_any_question_rule(engine):
    """Recompute one factory's cluster flags from raw findings, independently of the query."""
    bid = brand_id(engine, "nordwind")
    status = queries.latest_cluster_status(engine, Viewer("t", "brand", bid))
    assert set(status.groupby("factory_id").size()) == {8}  # every cluster, every factory
    sample = status["assessment_id"].iloc[0]
    with engine.connect() as conn:
        raw = pd.DataFrame(conn.execute(text(
            "SELECT c.code AS cluster_code, f.non_compliant, q.kind FROM finding f "
            "JOIN question q ON q.id = f.question_id "
            "JOIN compliance_point cp ON cp.id = q.compliance_point_id "
            "JOIN cluster c ON c.id = cp.cluster_id WHERE f.assessment_id = :a"
        ), {"a": int(sample)}).all(), columns=["cluster_code", "non_compliant", "kind"])
    raw = raw[raw["kind"] == "non_compliance"]
    expected = raw.groupby("cluster_code")["non_compliant"].any().astype(int)
    got = status[status["assessment_id"] == sample].set_index("cluster_code")["non_compliant"]
    assert got.sort_index().tolist() == expected.sort_index().tolist()


def test_country_benchmark_counts_every_factory_in_the_country(engine):
    bench = queries.country_cluster_benchmark(engine, ["VN", "kh"])
    assert set(bench["country_code"]) == {"VN", "KH"}
    with engine.connect() as conn:
        assessed_vn = conn.execute(text(
            "SELECT COUNT(DISTINCT a.factory_id) FROM assessment a "
            "JOIN factory f ON f.id = a.factory_id WHERE f.country_code = 'VN'"
        )).scalar_one()
    vn = bench[bench["country_code"] == "VN"]
    assert set(vn["factories_assessed"]) == {assessed_vn}
    assert (bench["factories_non_compliant"] <= bench["factories_assessed"]).all()
    assert queries.country_cluster_benchmark(engine, []).empty


def test_demo_magnitudes_are_realistic(engine):
    """DOMAIN.md §2: OSH and Working Time widespread, child and forced labour rare."""
    codes = ["BD", "KH", "VN", "ID", "JO", "HT", "NI", "PK", "LK", "EG", "ET"]
    bench = queries.country_cluster_benchmark(engine, codes)
    rates = bench.groupby("cluster_code")[["factories_non_compliant", "factories_assessed"]].sum()
    pct = 100 * rates["factories_non_compliant"] / rates["factories_assessed"]
    assert pct["OSH"] > 70 and pct["WT"] > 60
    assert pct["CL"] < 20 and pct["FL"] < 30
    with engine.connect() as conn:
        below_cost = conn.execute(text(
            "SELECT AVG(CASE WHEN fob_price_usd < cost_usd THEN 1.0 ELSE 0 END) "
            "FROM purchase_order")).scalar_one()
        shared = conn.execute(text(
            "SELECT COUNT(*) FROM (SELECT factory_id FROM sourcing_relationship "
            "GROUP BY factory_id HAVING COUNT(*) > 1) s")).scalar_one()
    assert 0.03 < float(below_cost) < 0.5
    assert shared > 30  # factories shared between brands


def test_admin_must_choose_a_brand(engine):
    admin = Viewer("boss", "admin", None)
    with pytest.raises(NoBrandSelected):
        queries.suppliers(engine, admin)
    assert len(queries.visible_brands(engine, admin)) == 12
    chosen = admin.acting_for(brand_id(engine, "maple-thread"))
    assert queries.current_brand(engine, chosen)["code"] == "maple-thread"


def test_brand_user_cannot_switch_brand():
    viewer = Viewer("u", "brand", 1)
    assert viewer.acting_for(1) is viewer
    with pytest.raises(PermissionDenied):
        viewer.acting_for(2)
    with pytest.raises(ValueError):
        Viewer("u", "brand", None)


def test_unknown_and_foreign_brand_codes_are_not_found(engine):
    viewer = Viewer("u", "brand", brand_id(engine, "maple-thread"))
    assert queries.brand_by_code(engine, viewer, "maple-thread")["code"] == "maple-thread"
    for code in ["nordwind", "does-not-exist", "' OR 1=1 --", "x" * 5000]:
        with pytest.raises(NotFound):
            queries.brand_by_code(engine, viewer, code)


def test_password_is_masked_in_urls():
    assert "secret" not in masked_url("postgresql+psycopg://app:secret@db:5432/x")
