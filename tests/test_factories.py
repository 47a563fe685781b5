"""Supplier-review reads (directory, profile, comparison) on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import text

from data_access import factories, queries
from data_access.errors import NotFound
from data_access.factories import DirectoryFilters
from data_access.viewer import Viewer
from tests.conftest import DEMO_AS_OF


def viewer_for(engine, code: str) -> Viewer:
    with engine.connect() as conn:
        bid = conn.execute(text("SELECT id FROM brand WHERE code = :c"), {"c": code}).scalar_one()
    return Viewer(code, "brand", bid)


def foreign_factory(engine, viewer: Viewer) -> int:
    """A factory the viewer's brand has no relationship with."""
    with engine.connect() as conn:
        return conn.execute(text(
            "SELECT id FROM factory WHERE id NOT IN (SELECT factory_id FROM "
            "sourcing_relationship WHERE brand_id = :b) ORDER BY id LIMIT 1"
        ), {"b": viewer.brand_id}).scalar_one()


def test_directory_lists_active_suppliers_with_latest_figures(engine):
    viewer = viewer_for(engine, "nordwind")
    directory = factories.supplier_directory(engine, viewer, DirectoryFilters(), DEMO_AS_OF)
    with engine.connect() as conn:
        own = set(conn.execute(text(
            "SELECT r.factory_id FROM sourcing_relationship r JOIN factory f ON f.id = "
            "r.factory_id WHERE r.brand_id = :b AND r.active AND f.status = 'active'"),
            {"b": viewer.brand_id}).scalars())
    assert set(directory["factory_id"]) == own
    assessed = directory.dropna(subset=["latest_assessment_id"])
    row = assessed.iloc[0]
    with engine.connect() as conn:
        questions, violations = conn.execute(text(
            "SELECT COUNT(*), SUM(CASE WHEN f.non_compliant THEN 1 ELSE 0 END) FROM finding f "
            "JOIN question q ON q.id = f.question_id WHERE q.kind = 'non_compliance' "
            "AND f.assessment_id = :a"), {"a": int(row["latest_assessment_id"])}).one()
        open_items = conn.execute(text(
            "SELECT COUNT(*) FROM improvement_plan_item i JOIN assessment a "
            "ON a.id = i.assessment_id WHERE a.factory_id = :f AND i.status <> 'Completed'"),
            {"f": int(row["factory_id"])}).scalar_one()
    assert row["questions_assessed"] == questions
    assert row["compliance_pct"] == pytest.approx(100 * (questions - violations) / questions)
    assert row["open_plan_items"] == open_items
    never = directory[directory["latest_assessment_id"].isna()]
    assert never["compliance_pct"].isna().all()


def test_directory_filters_narrow_in_sql(engine):
    viewer = viewer_for(engine, "nordwind")
    everything = factories.supplier_directory(engine, viewer, DirectoryFilters(), DEMO_AS_OF)
    vn = factories.supplier_directory(engine, viewer, DirectoryFilters(countries=("VN",)),
                                      DEMO_AS_OF)
    assert len(vn) == (everything["country_code"] == "VN").sum() > 0
    never = factories.supplier_directory(
        engine, viewer, DirectoryFilters(assessment_age=("never",)), DEMO_AS_OF)
    assert len(never) == everything["latest_assessment_id"].isna().sum() > 0
    older = factories.supplier_directory(
        engine, viewer, DirectoryFilters(assessment_age=("older",)), DEMO_AS_OF)
    cutoff = pd.Timestamp(DEMO_AS_OF - dt.timedelta(days=365))
    assert (older["latest_assessed_on"] < cutoff).all() and len(older) > 0
    name = everything.iloc[3]["name"]
    found = factories.supplier_directory(
        engine, viewer, DirectoryFilters(search=name.upper()[:12]), DEMO_AS_OF)
    assert name in set(found["name"])
    assert all(name.upper()[:12] in n.upper() for n in found["name"])
    fl = factories.supplier_directory(
        engine, viewer, DirectoryFilters(clusters_non_compliant=("FL",)), DEMO_AS_OF)
    assert 0 < len(fl) < len(everything)
    overdue = factories.supplier_directory(
        engine, viewer, DirectoryFilters(plan_status="overdue"), DEMO_AS_OF)
    assert (overdue["overdue_plan_items"] > 0).all()
    no_os = factories.supplier_directory(
        engine, viewer, DirectoryFilters(gaps=("no_os_id",)), DEMO_AS_OF)
    assert no_os["os_id"].isna().all() and len(no_os) == everything["os_id"].isna().sum()


def test_search_treats_wildcards_and_quotes_as_text(engine):
    viewer = viewer_for(engine, "nordwind")
    for term in ["%", "_", "' OR 1=1 --", "\\", "x" * 500]:
        found = factories.supplier_directory(engine, viewer, DirectoryFilters(search=term),
                                             DEMO_AS_OF)
        assert found.empty, term


def test_profile_of_own_factory_and_not_found_for_others(engine):
    viewer = viewer_for(engine, "maple-thread")
    own = factories.supplier_directory(engine, viewer, DirectoryFilters(), DEMO_AS_OF)
    profile = factories.factory_profile(engine, viewer, int(own.iloc[0]["factory_id"]))
    assert profile["name"] == own.iloc[0]["name"]
    for bad in [foreign_factory(engine, viewer), 10**9]:
        with pytest.raises(NotFound, match="Factory not found"):
            factories.factory_profile(engine, viewer, bad)
        for call in (factories.assessments_of, factories.compliance_point_results,
                     factories.improvement_plans, factories.factories_brief):
            with pytest.raises(NotFound):
                call(engine, viewer, [bad])
        with pytest.raises(NotFound):
            factories.other_buyers_count(engine, viewer, bad)


def test_parse_factory_id_rejects_junk():
    assert factories.parse_factory_id(" 42 ") == 42
    for junk in ["", "abc", "-1", "0", "1; DROP TABLE factory", "9" * 40, "1e3", None]:
        with pytest.raises(NotFound):
            factories.parse_factory_id(junk)


def test_question_findings_refuse_foreign_assessments(engine):
    viewer = viewer_for(engine, "maple-thread")
    foreign = foreign_factory(engine, viewer)
    with engine.connect() as conn:
        assessment = conn.execute(text(
            "SELECT id FROM assessment WHERE factory_id NOT IN (SELECT factory_id FROM "
            "sourcing_relationship WHERE brand_id = :b) LIMIT 1"), {"b": viewer.brand_id}
        ).scalar_one()
    with pytest.raises(NotFound):
        factories.question_findings(engine, viewer, [assessment], non_compliant_only=True)
    assert foreign > 0


def test_compliance_point_results_match_raw_findings(engine):
    viewer = viewer_for(engine, "nordwind")
    directory = factories.supplier_directory(engine, viewer, DirectoryFilters(), DEMO_AS_OF)
    fid = int(directory.dropna(subset=["latest_assessment_id"]).iloc[0]["factory_id"])
    cp = factories.compliance_point_results(engine, viewer, [fid])
    assessments = factories.assessments_of(engine, viewer, [fid])
    assert set(cp["assessment_id"]) == set(assessments["assessment_id"])
    latest_id = int(assessments.iloc[-1]["assessment_id"])
    findings = factories.question_findings(engine, viewer, [latest_id], non_compliant_only=False)
    per_cp = findings.groupby("cp_code")["non_compliant"].any().astype(int)
    got = cp[cp["assessment_id"] == latest_id].set_index("cp_code")["non_compliant"]
    assert got.sort_index().tolist() == per_cp.sort_index().tolist()
    assert cp[cp["assessment_id"] == latest_id]["questions_assessed"].sum() == len(findings)


def test_other_buyers_are_counted_not_named(engine):
    with engine.connect() as conn:
        brand_id, factory_id, n_brands = conn.execute(text(
            "SELECT MIN(brand_id), factory_id, COUNT(*) FROM sourcing_relationship "
            "WHERE active GROUP BY factory_id HAVING COUNT(*) > 2 ORDER BY factory_id LIMIT 1"
        )).one()
    viewer = Viewer("u", "brand", brand_id)
    assert factories.other_buyers_count(engine, viewer, factory_id) == n_brands - 1


def test_country_cp_benchmark_counts(engine):
    viewer = viewer_for(engine, "nordwind")
    since = DEMO_AS_OF - dt.timedelta(days=548)
    bench = factories.country_compliance_point_benchmark(engine, viewer, ["KH"], since,
                                                         DEMO_AS_OF)
    assert set(bench["country_code"]) == {"KH"}
    assert bench["cp_code"].is_unique
    assert (bench["factories_non_compliant"] <= bench["factories_assessed"]).all()
    assert (bench["own_assessed"] <= bench["factories_assessed"]).all()
    assert (bench["own_non_compliant"] <= bench["own_assessed"]).all()
    clusters = queries.country_cluster_benchmark(engine, viewer, ["KH"], since, DEMO_AS_OF)
    # every factory in the window has a result on every point and cluster
    assert set(bench["factories_assessed"]) == set(clusters["factories_assessed"])
    assert set(bench["own_assessed"]) == set(clusters["own_assessed"])


def test_open_non_compliance_splits_open_reported_and_zero_tolerance(engine):
    viewer = viewer_for(engine, "nordwind")
    split = factories.open_non_compliance(engine, viewer).set_index("factory_id")
    with engine.connect() as conn:
        raw = pd.DataFrame(conn.execute(text(
            "SELECT l.factory_id, c.core_labour_standard AS core, q.zero_tolerance AS zt, "
            "i.status FROM factory_latest_assessment l "
            "JOIN finding f ON f.assessment_id = l.assessment_id AND f.non_compliant "
            "JOIN question q ON q.id = f.question_id AND q.kind = 'non_compliance' "
            "JOIN compliance_point cp ON cp.id = q.compliance_point_id "
            "JOIN cluster c ON c.id = cp.cluster_id "
            "LEFT JOIN improvement_plan_item i ON i.assessment_id = f.assessment_id "
            "AND i.question_id = f.question_id "
            "WHERE l.factory_id IN (SELECT factory_id FROM sourcing_relationship "
            "WHERE brand_id = :b AND active) "
            "AND l.factory_id IN (SELECT id FROM factory WHERE status = 'active')"),
            {"b": viewer.brand_id}).all(),
            columns=["factory_id", "core", "zt", "status"])
    raw = raw[~raw["zt"].astype(bool)]
    done = raw["status"] == "Completed"
    core = raw["core"].astype(bool)
    expected = pd.DataFrame({
        "open_nc_core": (~done & core).groupby(raw["factory_id"]).sum(),
        "open_nc_other": (~done & ~core).groupby(raw["factory_id"]).sum(),
        "reported_fixed_core": (done & core).groupby(raw["factory_id"]).sum(),
        "reported_fixed_other": (done & ~core).groupby(raw["factory_id"]).sum(),
    })
    got = split.loc[expected.index, expected.columns]
    assert (got.to_numpy() == expected.to_numpy()).all()
    assert split["reported_fixed_other"].sum() > 0 and split["open_nc_core"].sum() > 0


def test_zero_tolerance_findings_and_their_facts(engine):
    viewer = viewer_for(engine, "nordwind")
    found = factories.zero_tolerance_findings(engine, viewer, DEMO_AS_OF)
    assert not found.empty
    with engine.connect() as conn:
        own = set(conn.execute(text("SELECT factory_id FROM sourcing_relationship WHERE "
                                    "brand_id = :b"), {"b": viewer.brand_id}).scalars())
        history = pd.DataFrame(conn.execute(text(
            "SELECT a.factory_id, a.assessed_on, q.code, f.non_compliant FROM finding f "
            "JOIN assessment a ON a.id = f.assessment_id JOIN question q ON q.id = "
            "f.question_id WHERE q.zero_tolerance")).all(),
            columns=["factory_id", "assessed_on", "code", "non_compliant"])
    assert set(found["factory_id"]) <= own
    history["assessed_on"] = pd.to_datetime(history["assessed_on"])
    for row in found.itertuples():
        later = history[(history["factory_id"] == row.factory_id)
                        & (history["code"] == row.question_code)
                        & (history["assessed_on"] > row.assessed_on)]
        fixed = later[~later["non_compliant"].astype(bool)]["assessed_on"]
        again = later[later["non_compliant"].astype(bool)]["assessed_on"]
        assert (pd.isna(row.verified_on) and fixed.empty) or row.verified_on == fixed.min()
        assert (pd.isna(row.found_again_on) and again.empty) or row.found_again_on == again.min()
    one = int(found.iloc[0]["factory_id"])
    only = factories.zero_tolerance_findings(engine, viewer, DEMO_AS_OF, [one])
    assert set(only["factory_id"]) == {one}
    foreign = next(iter(set(range(1, 301)) - own))
    with pytest.raises(NotFound):
        factories.zero_tolerance_findings(engine, viewer, DEMO_AS_OF, [foreign])


def test_directory_gap_filters_agree_with_the_visibility_metrics(engine):
    """The visibility page counts gaps with metrics.visibility and links to the directory,
    which filters in SQL: both must select the same factories."""
    from data_access import queries
    from metrics.visibility import GAPS, gap_mask

    viewer = viewer_for(engine, "nordwind")
    suppliers = queries.suppliers(engine, viewer)
    for gap in GAPS:
        expected = set(suppliers[gap_mask(suppliers, gap.key, DEMO_AS_OF)]["factory_id"])
        filters = DirectoryFilters(
            assessment_age=tuple(gap.filter.get("assessment", ())),
            gaps=tuple(gap.filter.get("gaps", ())),
        )
        listed = factories.supplier_directory(engine, viewer, filters, DEMO_AS_OF)
        assert set(listed["factory_id"]) == expected, gap.key


def test_out_of_range_tiers_and_nul_bytes_are_harmless(engine):
    """Found by fuzzing: a huge tier overflowed SMALLINT and a NUL byte broke the query on
    PostgreSQL. Both now simply match nothing (or are ignored)."""
    viewer = viewer_for(engine, "nordwind")
    for filters in (DirectoryFilters(tiers=(2**40,)), DirectoryFilters(tiers=(-7, 0))):
        assert factories.supplier_directory(engine, viewer, filters, DEMO_AS_OF).empty
    everything = factories.supplier_directory(engine, viewer, DirectoryFilters(), DEMO_AS_OF)
    name = everything.iloc[0]["name"]
    found = factories.supplier_directory(
        engine, viewer, DirectoryFilters(search=name[:6] + "\x00"), DEMO_AS_OF)
    assert name in set(found["name"])
