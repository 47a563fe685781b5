"""Properties the risk levels and the country benchmarks must have on realistic data — the demo
dataset and a second seed — checked against an independent recomputation from the raw rows
(pandas over whole tables, not the app's queries or summary tables):

* no factory with an open (or reported-fixed but unverified) zero-tolerance finding is below
  the top level, and only those are at it;
* no never-assessed factory, and no factory whose latest assessment is outside the reporting
  window, is "Low" (they are "Unknown — needs assessment" unless a zero-tolerance finding puts
  them higher);
* no benchmark cell any brand can see reveals the result of a factory it does not source from,
  once the brand subtracts its own factories; and pooled benchmarks add up only published cells.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import pytest
from sqlalchemy import Engine

from data_access.db import create_db_engine, upgrade_schema
from data_access.viewer import Viewer
from demo import generate_demo_data
from metrics.compliance import portfolio_vs_benchmark
from metrics.disclosure import MIN_OTHER_FACTORIES, SUPPRESSED
from metrics.portfolio import REPORTING_WINDOW_DAYS
from metrics.risk import LOW, UNKNOWN, ZERO_TOLERANCE
from services import analysis
from tests.conftest import DEMO_AS_OF

SECOND_SEED = 7


@dataclass
class Dataset:
    engine: Engine
    tables: dict[str, pd.DataFrame]
    _risk: dict[int, pd.DataFrame] = field(default_factory=dict)

    def risk(self, viewer: Viewer) -> pd.DataFrame:
        """The brand's risk ranking as the app computes it (once per brand and dataset)."""
        if viewer.brand_id not in self._risk:
            self._risk[viewer.brand_id] = analysis.risk_table(self.engine, viewer, DEMO_AS_OF)
        return self._risk[viewer.brand_id]


def _read(engine: Engine, sql: str) -> pd.DataFrame:
    """A whole query as a frame, through the driver's plain tuples (fast for 180 k rows)."""
    with engine.connect() as conn:
        cursor = conn.exec_driver_sql(sql).cursor
        columns = [d[0] for d in cursor.description]
        return pd.DataFrame.from_records(cursor.fetchall(), columns=columns)


def _load(engine: Engine) -> Dataset:
    tables = {
        "brand": _read(engine, "SELECT id, code FROM brand"),
        "factory": _read(engine, "SELECT id AS factory_id, country_code FROM factory"),
        "relationship": _read(engine, "SELECT brand_id, factory_id, active "
                                      "FROM sourcing_relationship"),
        "assessment": _read(engine, "SELECT id AS assessment_id, factory_id, assessed_on, "
                                    "cycle FROM assessment"),
        "finding": _read(engine, "SELECT assessment_id, question_id, non_compliant "
                                 "FROM finding"),
        "question": _read(engine, "SELECT q.id AS question_id, q.code, q.kind, cp.code AS "
                                  "cp_code, c.code AS cluster_code FROM question q "
                                  "JOIN compliance_point cp ON cp.id = q.compliance_point_id "
                                  "JOIN cluster c ON c.id = cp.cluster_id"),
        "plan": _read(engine, "SELECT assessment_id, question_id, status "
                              "FROM improvement_plan_item"),
    }
    tables["assessment"]["assessed_on"] = pd.to_datetime(tables["assessment"]["assessed_on"])
    tables["finding"]["non_compliant"] = tables["finding"]["non_compliant"].astype(bool)
    tables["relationship"]["active"] = tables["relationship"]["active"].astype(bool)
    return Dataset(engine, tables)


@pytest.fixture(scope="module", params=["demo data", "second seed"])
def dataset(request, sqlite_demo_path, tmp_path_factory):
    if request.param == "demo data":
        engine = create_db_engine(f"sqlite:///{sqlite_demo_path}")
    else:
        path = tmp_path_factory.mktemp("seed") / f"seed{SECOND_SEED}.sqlite3"
        engine = create_db_engine(f"sqlite:///{path}")
        upgrade_schema(engine)
        generate_demo_data(engine, size="demo", seed=SECOND_SEED, as_of=DEMO_AS_OF)
    yield _load(engine)
    engine.dispose()


def _viewers(data: Dataset) -> list[Viewer]:
    return [Viewer(code, "brand", int(bid)) for bid, code in
            zip(data.tables["brand"]["id"], data.tables["brand"]["code"], strict=True)]


def _live_zero_tolerance(data: Dataset) -> set[int]:
    """Factories with a zero-tolerance finding that no later assessment found fixed —
    recomputed from the raw rows and the reference marks (not the database's flag): for some
    zero-tolerance question, the factory's latest answer (up to the reference date) is
    "non-compliant" (open, or reported fixed by the factory only)."""
    from reference import iter_questions

    marked = {q.code for _, _, q in iter_questions() if q.zero_tolerance}
    t = data.tables
    questions = t["question"][t["question"]["code"].isin(marked)]
    rows = t["finding"].merge(questions[["question_id"]], on="question_id").merge(
        t["assessment"], on="assessment_id")
    rows = rows[rows["assessed_on"] <= pd.Timestamp(DEMO_AS_OF)]
    latest = rows.sort_values(["factory_id", "question_id", "assessed_on", "cycle"]) \
        .groupby(["factory_id", "question_id"]).tail(1)
    return set(latest.loc[latest["non_compliant"], "factory_id"].astype(int))


def test_zero_tolerance_findings_put_a_factory_at_the_top_level(dataset):
    live = _live_zero_tolerance(dataset)
    seen = 0
    for viewer in _viewers(dataset):
        risk = dataset.risk(viewer)
        if risk.empty:
            continue
        top = set(risk.loc[risk["risk_level"] == ZERO_TOLERANCE, "factory_id"])
        expected = live & set(risk["factory_id"])
        assert top == expected, viewer.username
        first = risk.head(len(expected))  # and they come first, named first in the reasons
        assert set(first["factory_id"]) == expected
        assert first["reasons"].str.contains("zero-tolerance finding").all()
        seen += len(expected)
    assert seen > 0  # the demo data has some, so the property is not vacuous


def test_unknown_is_never_low(dataset):
    t = dataset.tables
    latest = t["assessment"][t["assessment"]["assessed_on"] <= pd.Timestamp(DEMO_AS_OF)]\
        .groupby("factory_id")["assessed_on"].max()
    age = (pd.Timestamp(DEMO_AS_OF) - latest).dt.days
    outdated = set(age[age > REPORTING_WINDOW_DAYS].index)
    live = _live_zero_tolerance(dataset)
    never_seen = outdated_seen = 0
    for viewer in _viewers(dataset):
        risk = dataset.risk(viewer)
        if risk.empty:
            continue
        never = risk[~risk["factory_id"].isin(latest.index)]
        assert (never["risk_level"] == UNKNOWN).all(), viewer.username
        old = risk[risk["factory_id"].isin(outdated) & ~risk["factory_id"].isin(live)]
        assert (old["risk_level"] == UNKNOWN).all(), viewer.username
        assert not ((risk["risk_level"] == LOW)
                    & ~risk["factory_id"].isin(latest.index)).any()
        never_seen += len(never)
        outdated_seen += len(old)
    assert never_seen > 0 and outdated_seen > 0


def _raw_cells(data: Dataset, level: str) -> pd.DataFrame:
    """Per country and cluster (or compliance point): factories whose latest assessment is in
    the reporting window, and how many are non-compliant — from the raw findings."""
    t = data.tables
    a = t["assessment"].sort_values(["factory_id", "assessed_on", "cycle"])
    latest = a.groupby("factory_id").tail(1)
    end = pd.Timestamp(DEMO_AS_OF)
    latest = latest[(latest["assessed_on"] <= end)
                    & (latest["assessed_on"] >= end - pd.Timedelta(days=REPORTING_WINDOW_DAYS))]
    unit = "cluster_code" if level == "cluster" else "cp_code"
    questions = t["question"][t["question"]["kind"] == "non_compliance"]
    found = t["finding"].merge(latest[["assessment_id", "factory_id"]], on="assessment_id") \
        .merge(questions[["question_id", unit]], on="question_id")
    status = found.groupby(["factory_id", unit], as_index=False)["non_compliant"].max()
    return status.merge(t["factory"], on="factory_id")


def test_no_benchmark_cell_reveals_a_non_suppliers_status(dataset):
    t = dataset.tables
    countries = sorted(t["factory"]["country_code"].unique())
    counts = {"shown": 0, "banded": 0, "suppressed": 0}
    for level, unit in (("cluster", "cluster_code"), ("cp", "cp_code")):
        status = _raw_cells(dataset, level)
        for viewer in _viewers(dataset):
            own = set(t["relationship"].loc[t["relationship"]["brand_id"] == viewer.brand_id,
                                            "factory_id"])
            is_own = status["factory_id"].isin(own)
            truth = status.assign(own=is_own, own_nc=is_own & status["non_compliant"]).groupby(
                ["country_code", unit]).agg(n=("factory_id", "size"), x=("non_compliant", "sum"),
                                            n_own=("own", "sum"), x_own=("own_nc", "sum"))
            cells = analysis.country_benchmark(dataset.engine, viewer, countries, DEMO_AS_OF,
                                               level=level).set_index(["country_code", unit])
            assert set(cells.index) == set(truth.index)
            c = cells.join(truth)
            assert (c["factories_assessed"] == c["n"]).all()
            n_other, x_other = c["n"] - c["n_own"], c["x"] - c["x_own"]
            suppressed = c["publication"] == SUPPRESSED
            for kind in counts:
                counts[kind] += int((c["publication"] == kind).sum())
            assert (n_other[suppressed] < MIN_OTHER_FACTORIES).all()
            assert c.loc[suppressed, "rate_pct"].isna().all()
            shown = c[~suppressed]
            n_o, x_o = n_other[~suppressed], x_other[~suppressed]
            assert (n_o >= MIN_OTHER_FACTORIES).all()
            # what the brand can deduce about the others: x_o lies in [low − own, high − own]
            low = (shown["non_compliant_low"] - shown["x_own"]).clip(lower=0)
            high = (shown["non_compliant_high"] - shown["x_own"]).clip(upper=n_o)
            assert ((low <= x_o) & (x_o <= high)).all()
            determined = ((low == 0) & (high == 0)) | ((low == n_o) & (high == n_o))
            assert not determined.any(), (viewer.username, list(shown.index[determined]))
    # exact and banded cells both occur here; suppression is covered by hand-made cells
    # (tests/test_metrics_disclosure.py): every demo country has 3 factories besides any brand's
    assert counts["shown"] > 0 and counts["banded"] > 0, counts


def test_pooled_benchmarks_add_up_only_published_cells(dataset):
    """Complementary suppression: the overview's pooled benchmark is the sum of the published
    country cells, so no suppressed or banded cell can be worked out from it."""
    t = dataset.tables
    clusters = _read(dataset.engine, "SELECT code AS cluster_code, name AS cluster_name, "
                                     "sort_order FROM cluster")
    from data_access import queries

    for viewer in _viewers(dataset)[:4]:
        status = queries.latest_cluster_status(dataset.engine, viewer)
        if status.empty:
            continue
        countries = tuple(sorted(status["country_code"].unique()))
        cells = analysis.country_benchmark(dataset.engine, viewer, countries, DEMO_AS_OF)
        table = portfolio_vs_benchmark(status, cells, clusters).set_index("cluster_code")
        published = cells[cells["publication"] != SUPPRESSED]
        sums = published.groupby("cluster_code")[["factories_assessed", "non_compliant_low",
                                                  "non_compliant_high"]].sum()
        for code, row in table.iterrows():
            if code not in sums.index:
                assert row["benchmark_publication"] == SUPPRESSED
                continue
            n = sums.loc[code, "factories_assessed"]
            assert row["benchmark_assessed"] == n
            assert row["benchmark_low_pct"] == pytest.approx(
                100 * sums.loc[code, "non_compliant_low"] / n)
            assert row["benchmark_high_pct"] == pytest.approx(
                100 * sums.loc[code, "non_compliant_high"] / n)
            left_out = set(cells.loc[(cells["cluster_code"] == code)
                                     & (cells["publication"] == SUPPRESSED), "country_code"])
            assert set(row["benchmark_left_out"]) == left_out
    assert len(t["brand"]) == 12
