"""Data-access layer on SQLite and a real PostgreSQL server (every test runs on both)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text

from data_access import queries
from data_access.db import alembic_config, masked_url, upgrade_schema
from data_access.errors import NoBrandSelected, NotFound, PermissionDenied
from data_access.viewer import Viewer
from tests.conftest import DEMO_AS_OF


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


WHOLE_HISTORY = (dt.date(1900, 1, 1), dt.date(2100, 1, 1))


def test_country_benchmark_counts_every_factory_in_the_window(engine):
    viewer = Viewer("t", "brand", brand_id(engine, "nordwind"))
    since, until = DEMO_AS_OF - dt.timedelta(days=548), DEMO_AS_OF
    bench = queries.country_cluster_benchmark(engine, viewer, ["VN", "kh"], since, until)
    assert set(bench["country_code"]) == {"VN", "KH"}
    with engine.connect() as conn:
        in_window, own = conn.execute(text(
            "SELECT COUNT(*), SUM(CASE WHEN l.factory_id IN (SELECT factory_id FROM "
            "sourcing_relationship WHERE brand_id = :b) THEN 1 ELSE 0 END) "
            "FROM factory_latest_assessment l JOIN factory f ON f.id = l.factory_id "
            "WHERE f.country_code = 'VN' AND l.assessed_on BETWEEN :s AND :u"
        ), {"b": viewer.brand_id, "s": since, "u": until}).one()
    vn = bench[bench["country_code"] == "VN"]
    assert set(vn["factories_assessed"]) == {in_window}
    assert set(vn["own_assessed"]) == {own} and 0 < own < in_window
    assert (bench["factories_non_compliant"] <= bench["factories_assessed"]).all()
    assert (bench["own_non_compliant"] <= bench["factories_non_compliant"]).all()
    everything = queries.country_cluster_benchmark(engine, viewer, ["VN"], *WHOLE_HISTORY)
    assert everything["factories_assessed"].max() > in_window  # outdated ones are left out
    assert queries.country_cluster_benchmark(engine, viewer, [], since, until).empty


def test_demo_magnitudes_are_realistic(engine):
    """DOMAIN.md §2: OSH and Working Time widespread, child and forced labour rare."""
    codes = ["BD", "KH", "VN", "ID", "JO", "HT", "NI", "PK", "LK", "EG", "ET"]
    viewer = Viewer("t", "brand", brand_id(engine, "nordwind"))
    bench = queries.country_cluster_benchmark(engine, viewer, codes, *WHOLE_HISTORY)
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
        # zero tolerance: a handful of factories (child and forced labour 0-5 %), some open,
        # some reported fixed, some verified fixed at a later assessment
        assessed = conn.execute(text("SELECT COUNT(*) FROM factory_latest_assessment"))\
            .scalar_one()
        with_zt = conn.execute(text(
            "SELECT COUNT(DISTINCT l.factory_id) FROM factory_latest_assessment l "
            "JOIN finding f ON f.assessment_id = l.assessment_id "
            "JOIN question q ON q.id = f.question_id WHERE q.zero_tolerance AND f.non_compliant"
        )).scalar_one()
        verified = conn.execute(text(
            "SELECT COUNT(*) FROM finding f JOIN assessment a ON a.id = f.assessment_id "
            "JOIN question q ON q.id = f.question_id "
            "JOIN assessment b ON b.factory_id = a.factory_id AND b.cycle = a.cycle + 1 "
            "JOIN finding g ON g.assessment_id = b.id AND g.question_id = f.question_id "
            "WHERE q.zero_tolerance AND f.non_compliant AND NOT g.non_compliant")).scalar_one()
    assert 0.03 < float(below_cost) < 0.5
    assert shared > 30  # factories shared between brands
    assert 0.02 * assessed <= with_zt <= 0.10 * assessed
    assert verified >= 3


def test_zero_tolerance_marks_follow_the_reference(engine):
    from reference import iter_questions

    marked = {q.code for _, _, q in iter_questions() if q.zero_tolerance}
    with engine.connect() as conn:
        stored = set(conn.execute(text(
            "SELECT code FROM question WHERE zero_tolerance")).scalars())
    assert stored == marked and len(marked) == 13


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


def test_sync_framework_restores_marks_and_wording(fresh_engine):
    from data_access.db import prepare_database

    with fresh_engine.begin() as conn:
        conn.execute(text("UPDATE question SET zero_tolerance = NOT zero_tolerance, "
                          "text = 'edited' WHERE code IN ('CL.1.01', 'CL.3.01')"))
    prepare_database(fresh_engine)  # every start brings the reference data back
    with fresh_engine.connect() as conn:
        rows = dict(conn.execute(text(
            "SELECT code, zero_tolerance FROM question WHERE code IN ('CL.1.01', 'CL.3.01')"
        )).all())
        edited = conn.execute(text("SELECT COUNT(*) FROM question WHERE text = 'edited'"))\
            .scalar_one()
    assert {k: bool(v) for k, v in rows.items()} == {"CL.1.01": True, "CL.3.01": False}
    assert edited == 0


def test_migration_0006_sets_marks_on_an_existing_database(tmp_path):
    """A database migrated to 0004 with the framework in it gets the column and its marks."""
    from alembic import command

    from data_access.db import create_db_engine
    from data_access.framework import seed_framework

    engine = create_db_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    command.upgrade(alembic_config(engine), "0004")
    with engine.begin() as conn:
        # the framework as a 0004 database holds it (no zero_tolerance column yet)
        conn.execute(text("INSERT INTO cluster (id, code, name, core_labour_standard, "
                          "sort_order) VALUES (1, 'CL', 'Child Labour', 1, 1), "
                          "(2, 'CHR', 'Contracts', 0, 2)"))
        conn.execute(text("INSERT INTO compliance_point (id, cluster_id, code, name, "
                          "sort_order) VALUES (1, 1, 'CL.1', 'Child Labourers', 1), "
                          "(2, 2, 'CHR.2', 'Dialogue', 1)"))
        conn.execute(text(
            "INSERT INTO question (id, compliance_point_id, code, text, kind, "
            "public_disclosure) VALUES (1, 1, 'CL.1.01', 'a', 'non_compliance', 1), "
            "(2, 1, 'CL.1.02', 'b', 'non_compliance', 0), (3, 2, 'CHR.2.05', :old, "
            "'non_compliance', 0)"),
            {"old": "Does the employer use corporal punishment or physical violence against "
                    "workers?"})
    upgrade_schema(engine)
    with engine.connect() as conn:
        marks = dict(conn.execute(text("SELECT code, zero_tolerance FROM question")).all())
        chr_text = conn.execute(text("SELECT text FROM question WHERE code = 'CHR.2.05'"))\
            .scalar_one()
        assert not seed_framework(conn)  # the framework is there: nothing inserted
    assert {k: bool(v) for k, v in marks.items()} == \
        {"CL.1.01": True, "CL.1.02": False, "CHR.2.05": True}
    assert "sexual violence" in chr_text
    command.downgrade(alembic_config(engine), "0004")
    with engine.connect() as conn:
        columns = [row[1] for row in conn.execute(text("PRAGMA table_info(question)"))]
    assert "zero_tolerance" not in columns
    engine.dispose()
