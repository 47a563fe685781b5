"""Figures kept up to date when the data changes (issue 17), on SQLite and PostgreSQL.

* The per-brand order snapshot (``data_access.orders.refresh_order_snapshots``) must give the
  very frame the ``purchase_order`` table gives — after generation, after an orders import that
  inserts and updates, and never when a writer forgot to rebuild it.
* The stored cross-brand purchasing benchmark is computed right after an import (not by a page
  view) and equals the figures computed from the orders at that moment.
"""

from __future__ import annotations

import datetime as dt
import math
import shutil
from collections.abc import Iterator

import pandas as pd
import pytest
from sqlalchemy import Engine, text

from data_access import orders, summaries
from data_access.db import create_db_engine, upgrade_schema
from data_access.importing import import_csv
from data_access.viewer import Viewer
from demo import generate_demo_data
from metrics.purchasing import OUTSIDE_BRAND
from services import analysis
from tests.conftest import DEMO_AS_OF, new_postgres_database
from tests.test_import import generated_orders, orders_csv

ADMIN = Viewer("admin", "admin", None)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo_writable(request, sqlite_demo_path, tmp_path_factory) -> Iterator[Engine]:
    """A demo-size database (12 brands: enough for a benchmark) this module may write to."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("precomputed") / "demo.sqlite3"
        shutil.copy(sqlite_demo_path, path)
        engine = create_db_engine(f"sqlite:///{path}")
    else:
        server = request.getfixturevalue("postgres_server")
        engine = create_db_engine(new_postgres_database(server, "precomputed"))
        upgrade_schema(engine)
        generate_demo_data(engine, size="demo", as_of=DEMO_AS_OF)
    yield engine
    engine.dispose()


def brands_with_orders(engine: Engine) -> list[tuple[int, str]]:
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT set_config('app.scope', 'system', false)"))
        return [tuple(r) for r in conn.execute(text(
            "SELECT b.id, b.code FROM brand b WHERE EXISTS (SELECT 1 FROM purchase_order p "
            "WHERE p.brand_id = b.id) ORDER BY b.id"))]


def from_table(engine: Engine, viewer: Viewer, monkeypatch) -> pd.DataFrame:
    """``purchase_orders`` as read from ``purchase_order`` itself (no snapshot)."""
    with monkeypatch.context() as patch:
        patch.setattr(orders, "read_order_snapshot", lambda *_: None)
        return orders.purchase_orders(engine, viewer)


def assert_snapshot_is_the_table(engine: Engine, brand: int, monkeypatch) -> pd.DataFrame:
    viewer = Viewer("u", "brand", brand)
    assert orders.read_order_snapshot(engine, viewer) is not None  # the snapshot is read
    fast = orders.purchase_orders(engine, viewer)
    pd.testing.assert_frame_equal(fast, from_table(engine, viewer, monkeypatch))
    return fast


def test_every_brands_snapshot_gives_the_orders_table(demo_writable, monkeypatch):
    brands = brands_with_orders(demo_writable)
    assert len(brands) >= 5
    for brand, _code in brands:
        frame = assert_snapshot_is_the_table(demo_writable, brand, monkeypatch)
        assert len(frame) > 0 and frame["confirmed_on"].is_monotonic_increasing


def test_an_orders_import_rebuilds_the_snapshot_and_the_benchmark(demo_writable, monkeypatch):
    engine = demo_writable
    brand, code = brands_with_orders(engine)[0]
    viewer = Viewer("u", "brand", brand)
    before = orders.purchase_orders(engine, viewer)
    factories = sorted(before["factory_id"].unique().tolist())[:5]
    rows = generated_orders(factories, 40, prefix="SNAP")
    # one order the brand already had, changed: the import updates it
    changed = before.iloc[0]
    rows.append([changed["po_number"], int(changed["factory_id"]),
                 changed["confirmed_on"].date(), "", "", "", 30, 10, 999_999, 0, "no",
                 "5.00", "4.00", "", changed["season"]])
    with engine.begin() as conn:  # what no page view may have to do: compute it itself
        conn.execute(text("DELETE FROM purchasing_benchmark"))
    report = import_csv(engine, ADMIN, "orders", orders_csv(rows), brand_code=code)
    assert (report.inserted, report.updated) == (40, 1)

    after = assert_snapshot_is_the_table(engine, brand, monkeypatch)
    assert len(after) == len(before) + 40
    assert after.loc[after["po_number"] == changed["po_number"], "units_ordered"].item() \
        == 999_999

    # the benchmark of every period was stored right after the import, for the new data
    def not_in_a_page_view(*_args, **_kwargs):
        raise AssertionError("a page view computed the benchmark")

    version = summaries.current_data_version(engine)
    for months in analysis.BENCHMARK_PERIODS:
        expected = analysis.compute_published_benchmarks(engine, months, None, None)
        assert expected, months
        key = summaries.benchmark_key(months, None, None)
        for other, _ in brands_with_orders(engine):
            found_version, stored = summaries.stored_benchmark(engine, key, other)
            assert found_version == version and stored is not None
            want = expected.get(other, expected.get(OUTSIDE_BRAND, {}))
            assert stored.keys() == want.keys()
            for name, value in want.items():
                assert (math.isnan(value) and math.isnan(stored[name])) or \
                    math.isclose(stored[name], value, rel_tol=1e-12), (months, other, name)
    monkeypatch.setattr(analysis, "compute_published_benchmarks", not_in_a_page_view)
    monkeypatch.setattr(analysis, "compute_published_benchmarks_for", not_in_a_page_view)
    assert analysis.purchasing_benchmark(engine, brand, 12, None, None)


def test_a_snapshot_older_than_the_orders_is_not_read(demo_writable, monkeypatch):
    engine = demo_writable
    brand, _code = brands_with_orders(engine)[1]
    viewer = Viewer("u", "brand", brand)
    before = orders.purchase_orders(engine, viewer)
    row = before.iloc[-1]
    with engine.begin() as conn:  # a writer that does not rebuild the snapshot
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT set_config('app.scope', 'system', true)"))
        conn.execute(text(
            "INSERT INTO purchase_order (brand_id, factory_id, po_number, confirmed_on, "
            "payment_terms_days, units_ordered, units_changed_after_confirmation, "
            "changed_after_confirmation, fob_price_usd) "
            "VALUES (:b, :f, 'STALE-1', :d, 30, 5, 0, false, 4.5)"),
            {"b": brand, "f": int(row["factory_id"]), "d": dt.date(2024, 1, 2)})
    assert orders.read_order_snapshot(engine, viewer) is None
    after = orders.purchase_orders(engine, viewer)
    assert "STALE-1" in set(after["po_number"]) and len(after) == len(before) + 1
    pd.testing.assert_frame_equal(after, from_table(engine, viewer, monkeypatch))


def test_one_read_for_several_periods_gives_each_periods_figures(engine):
    together = analysis.compute_published_benchmarks_for(engine, (12, None), None, None)
    for months in (12, None):
        alone = analysis.compute_published_benchmarks_for(engine, (months,), None, None)[months]
        assert alone and together[months].keys() == alone.keys()
        for brand, figures in alone.items():
            for name, value in figures.items():
                got = together[months][brand][name]
                assert (math.isnan(value) and math.isnan(got)) or \
                    math.isclose(got, value, rel_tol=1e-12), (months, brand, name)


@pytest.mark.parametrize("country", [None, "VN"])
def test_the_benchmark_feed_from_snapshots_is_the_feed_from_the_table(engine, monkeypatch,
                                                                      country):
    def by_brand(feed: orders.BenchmarkFeed) -> pd.DataFrame:
        brand_of = {k: b for b, k in feed.key_of_brand.items()}
        frame = feed.orders.assign(brand_key=feed.orders["brand_key"].map(brand_of))
        return frame.sort_values("po_id").reset_index(drop=True)

    since, until = dt.date(2024, 3, 1), DEMO_AS_OF
    fast = orders.benchmark_feed(engine, since=since, until=until, country=country)
    assert orders._feed_from_snapshots(engine, since, until, None) is not None
    monkeypatch.setattr(orders, "_feed_from_snapshots", lambda *_: None)
    slow = orders.benchmark_feed(engine, since=since, until=until, country=country)
    assert len(fast.orders) > 100
    pd.testing.assert_frame_equal(by_brand(fast), by_brand(slow))
