"""Invariants of the purchasing figures on whole datasets: the demo data and a second seed.

* relationship length is the same for every period (the page's brand figure and the
  per-factory extract) — the 12-month view used to show "1 years" for every brand;
* the benchmark published to a brand is the band around the median of the *other* brands'
  figures, each computed as that brand's own page computes it (recomputed here brand by brand
  through each brand's own scoped reads).
"""

from __future__ import annotations

import csv
import io
import statistics
from collections.abc import Iterator

import pandas as pd
import pytest
from sqlalchemy import Engine, text

from data_access import orders
from data_access.as_of import data_dates
from data_access.db import create_db_engine, upgrade_schema
from data_access.viewer import Viewer
from demo import DEFAULT_SEED, generate_demo_data
from metrics.purchasing import INDICATORS, band_lower_edge, brand_summary, orders_known_on
from services.analysis import OrderView, purchasing_benchmark, purchasing_summary
from services.extract_catalogue import ExtractContext, write_extract
from tests.conftest import DEMO_AS_OF

PERIODS = (12, 24, 36, None)


@pytest.fixture(scope="module")
def second_seed_engine(tmp_path_factory) -> Iterator[Engine]:
    path = tmp_path_factory.mktemp("seed2") / "demo.sqlite3"
    engine = create_db_engine(f"sqlite:///{path}")
    upgrade_schema(engine)
    generate_demo_data(engine, size="demo", seed=DEFAULT_SEED + 1, as_of=DEMO_AS_OF)
    yield engine
    engine.dispose()


@pytest.fixture(params=["demo", "second seed"])
def dataset(request) -> Engine:
    name = "sqlite_engine" if request.param == "demo" else "second_seed_engine"
    return request.getfixturevalue(name)


def brand_viewers(engine: Engine) -> list[Viewer]:
    with engine.connect() as conn:
        ids = conn.execute(text("SELECT id FROM brand ORDER BY id")).scalars().all()
    return [Viewer(f"brand{i}", "brand", i) for i in ids]


def test_relationship_length_is_the_same_for_every_period(dataset):
    shown_12 = []
    for viewer in brand_viewers(dataset):
        all_orders = orders.purchase_orders(dataset, viewer)
        relationships = orders.relationships(dataset, viewer)
        as_of = data_dates(dataset, viewer).orders
        years = {months: purchasing_summary(all_orders, relationships,
                                            OrderView(as_of, months))["relationship_years"]
                 for months in PERIODS}
        assert len(set(years.values())) == 1, (viewer.brand_id, years)
        shown_12.append(years[12])
        # the same within one country (the filter applies, the period does not)
        country = all_orders["country_code"].iloc[0]
        in_country = {purchasing_summary(all_orders, relationships,
                                         OrderView(as_of, m, (country,)))["relationship_years"]
                      for m in PERIODS}
        assert len(in_country) == 1, (viewer.brand_id, in_country)
    # the old fault: years since the first order *of the 12 months* was ≤ 1 for every brand
    assert statistics.median(shown_12) > 1.5


def _extract_rows(engine: Engine, viewer: Viewer, ctx: ExtractContext) -> dict[str, str]:
    out = io.BytesIO()
    write_extract(engine, viewer, "purchasing-indicators", ctx, out)
    rows = csv.DictReader(io.StringIO(out.getvalue().decode("utf-8-sig")))
    return {row["factory_name"]: row["relationship_years"] for row in rows}


def test_per_factory_extract_relationship_length_is_the_same_for_every_period(dataset):
    for viewer in brand_viewers(dataset)[:3]:
        as_of = data_dates(dataset, viewer).orders
        by_period = []
        for months in PERIODS:
            since = None if months is None else (
                pd.Timestamp(as_of) - pd.DateOffset(months=months)).date()
            by_period.append(_extract_rows(dataset, viewer, ExtractContext(
                as_of=as_of, orders_since=since, orders_as_of=as_of)))
        everything = by_period[-1]
        for rows in by_period:
            assert rows and all(rows[name] == everything[name] for name in rows), viewer


def test_benchmark_is_the_band_around_the_median_of_the_other_brands(sqlite_engine):
    """Recomputed brand by brand through each brand's own scoped reads: its orders in the 12
    months up to its own order as-of date, as they stood that day, its relationships."""
    engine = sqlite_engine
    figures = {}
    for viewer in brand_viewers(engine):
        as_of = data_dates(engine, viewer).orders
        since = (pd.Timestamp(as_of) - pd.DateOffset(months=12)).date()
        mine = orders_known_on(orders.purchase_orders(engine, viewer, since=since, until=as_of),
                               as_of)
        figures[viewer.brand_id] = brand_summary(mine, as_of, orders.relationships(engine, viewer))
    for viewer in brand_viewers(engine)[:3]:
        published = purchasing_benchmark(engine, viewer.brand_id, 12, None, None)
        for key, spec in INDICATORS.items():
            others = [f[key] for b, f in figures.items()
                      if b != viewer.brand_id and not pd.isna(f[key])]
            assert len(others) >= 5
            expected = band_lower_edge(statistics.median(others), spec.unit)
            assert published[key] == pytest.approx(float(expected)), (viewer.brand_id, key)
