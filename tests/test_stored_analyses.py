"""Stored per-brand analyses (issue 17): ``services.stored`` over ``data_access.analyses``.

What must hold: a stored analysis is the very figure a view would compute (the pages cannot
tell them apart); it is read, not recomputed; it is never read after the data changed or by
other code; a brand reads only its own; the refresh after a data change fills every brand's,
in each mode; payloads are data (Arrow / JSON), never pickles.
"""

from __future__ import annotations

import datetime as dt
import math
import shutil

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select, text

from data_access import analyses, orders, summaries
from data_access.dataset import bump_data_version
from data_access.db import create_db_engine
from data_access.schema import Brand, BrandAnalysis
from data_access.scope import system_connection
from data_access.viewer import Viewer
from metrics.purchasing import TREND_INDICATORS, monthly_trend
from services import analysis, stored
from services.reference_dates import brand_reference_dates


def _brand_ids(engine) -> list[int]:
    with system_connection(engine) as conn:
        return list(conn.execute(select(Brand.id).order_by(Brand.id)).scalars())


def _assert_same_figures(got: dict, expected: dict) -> None:
    assert got.keys() == expected.keys()
    for name, value in expected.items():
        assert (math.isnan(value) and math.isnan(got[name])) or got[name] == value, name


def _no_orders():
    raise AssertionError("the brand's orders were read: the analysis was computed, not read")


@pytest.fixture
def private_engine(sqlite_demo_path, tmp_path):
    """A private copy of the SQLite demo database (its analyses stored, as after the refresh)."""
    path = tmp_path / "stored.sqlite3"
    shutil.copy(sqlite_demo_path, path)
    engine = create_db_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


def _rows(engine, **where) -> list:
    query = select(BrandAnalysis.brand_id, BrandAnalysis.kind, BrandAnalysis.key,
                   BrandAnalysis.data_version)
    for column, value in where.items():
        query = query.where(getattr(BrandAnalysis, column) == value)
    with system_connection(engine) as conn:
        return conn.execute(query).all()


def test_every_stored_analysis_is_the_figure_a_view_computes(engine):
    """On both backends, for every brand of the demo data: what the refresh stored is read
    back (no order read) and equals the direct computation, column types included."""
    brands = _brand_ids(engine)
    checked = 0
    for brand_id in brands:
        viewer = Viewer("t", "brand_viewer", brand_id)
        dates = brand_reference_dates(engine, viewer)
        risk = stored.risk_table(engine, viewer, dates.figures, _no_orders)
        pd.testing.assert_frame_equal(risk, analysis.risk_table(engine, viewer, dates.figures))
        all_orders = orders.purchase_orders(engine, viewer)
        if all_orders.empty:
            continue
        linked = analysis.practices_and_conditions(engine, viewer, all_orders)
        pd.testing.assert_frame_equal(
            stored.practices_and_conditions(engine, viewer, _no_orders), linked)
        pd.testing.assert_frame_equal(stored.link_comparisons(engine, viewer, _no_orders),
                                      analysis.link_comparisons(linked))
        view = analysis.OrderView(dates.order_figures, 12)
        summary = stored.order_summary(engine, viewer, view, _no_orders, _no_orders)
        expected = analysis.purchasing_summary(all_orders, orders.relationships(engine, viewer),
                                               view)
        _assert_same_figures(summary, expected)
        indicator = TREND_INDICATORS[0]
        column = analysis.trend_date_column(indicator)
        trend = stored.order_trend(engine, viewer, view, indicator, column, _no_orders)
        pd.testing.assert_frame_equal(trend, monthly_trend(
            analysis.orders_in_view(all_orders, view), indicator, view.as_of,
            date_column=column))
        checked += 1
    assert len(risk) > 0 or checked  # positive control: there were figures to compare
    assert checked >= len(brands) - 2


def test_a_stored_analysis_is_read_until_the_data_changes(private_engine, monkeypatch):
    engine = private_engine
    brand_id = _brand_ids(engine)[0]
    viewer = Viewer("t", "brand_viewer", brand_id)
    as_of = brand_reference_dates(engine, viewer).figures
    before = stored.risk_table(engine, viewer, as_of, _no_orders)
    calls = []

    def counted(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    real = analysis.risk_table
    monkeypatch.setattr(analysis, "risk_table", counted)
    stored.risk_table(engine, viewer, as_of)
    assert calls == []  # read, not computed
    with engine.begin() as conn:  # an import
        bump_data_version(conn, source="test import")
    version = summaries.current_data_version(engine)
    after = stored.risk_table(engine, viewer, as_of)
    assert len(calls) == 1  # the stored row of the old version was not used
    pd.testing.assert_frame_equal(after, before)  # (the data itself did not change)
    # the view stored it at the new version, and the brand's old-version rows are gone
    versions = {row.data_version for row in _rows(engine, brand_id=brand_id)}
    assert versions == {version}
    stored.risk_table(engine, viewer, as_of)
    assert len(calls) == 1


def test_rows_of_other_code_are_not_read(private_engine, monkeypatch):
    engine = private_engine
    viewer = Viewer("t", "brand_viewer", _brand_ids(engine)[0])
    as_of = brand_reference_dates(engine, viewer).figures
    monkeypatch.setattr(stored, "CODE_VERSION", "another-release")
    with pytest.raises(AssertionError, match="computed, not read"):
        stored.risk_table(engine, viewer, as_of, _no_orders)


def test_a_brand_reads_only_its_own_stored_analyses(engine):
    first, second = _brand_ids(engine)[:2]
    version = summaries.current_data_version(engine)
    marker = pd.DataFrame({"secret": ["brand one's figure"]})
    key = "isolation-test"
    assert analyses.store_analysis(engine, first, "test", key, version, stored.CODE_VERSION,
                                   marker)
    try:
        _, own = analyses.read_analysis(engine, Viewer("a", "brand_viewer", first), "test",
                                        key, stored.CODE_VERSION)
        _, other = analyses.read_analysis(engine, Viewer("b", "brand_viewer", second), "test",
                                          key, stored.CODE_VERSION)
        pd.testing.assert_frame_equal(own, marker)  # positive control
        assert other is None
    finally:
        with system_connection(engine) as conn:
            conn.execute(BrandAnalysis.__table__.delete().where(BrandAnalysis.kind == "test"))


def test_a_value_computed_from_older_data_is_not_stored(private_engine):
    engine = private_engine
    brand_id = _brand_ids(engine)[0]
    version = summaries.current_data_version(engine)
    with engine.begin() as conn:
        bump_data_version(conn, source="test import")
    assert not analyses.store_analysis(engine, brand_id, "test", "k", version,
                                       stored.CODE_VERSION, {"orders": 1})
    assert _rows(engine, kind="test") == []


@pytest.mark.parametrize("mode", ["wait", "background"])
def test_after_a_data_change_every_brand_gets_its_analyses(private_engine, monkeypatch, mode):
    engine = private_engine
    monkeypatch.setenv("DASHBOARD_PRECOMPUTE", mode)
    with engine.begin() as conn:
        bump_data_version(conn, source="test import")
    version = summaries.current_data_version(engine)
    summaries.after_data_change(engine)  # what every import runs after its commit
    assert stored.wait_for_refresh(timeout=120)
    rows = _rows(engine, data_version=version)
    brands = _brand_ids(engine)
    assert {row.brand_id for row in rows if row.kind == stored.RISK} == set(brands)
    with system_connection(engine) as conn:
        with_orders = set(conn.execute(text("SELECT DISTINCT brand_id FROM purchase_order"))
                          .scalars())
    for kind in (stored.ORDER_SUMMARY, stored.ORDER_TREND, stored.PRACTICES_AND_CONDITIONS,
                 stored.LINK_COMPARISONS):
        assert {row.brand_id for row in rows if row.kind == kind} == with_orders, kind
    # only rows of the current version remain
    assert {row.data_version for row in _rows(engine)} == {version}


def test_mode_off_leaves_the_views_to_compute(private_engine, monkeypatch):
    engine = private_engine
    monkeypatch.setenv("DASHBOARD_PRECOMPUTE", "off")
    with engine.begin() as conn:
        bump_data_version(conn, source="test import")
    summaries.after_data_change(engine)
    assert stored.wait_for_refresh(timeout=5)
    version = summaries.current_data_version(engine)
    assert _rows(engine, data_version=version) == []


def test_the_refresh_skips_what_is_stored_and_stops_when_the_data_changes(private_engine,
                                                                         monkeypatch):
    engine = private_engine
    assert stored.refresh_brand_analyses(engine) == 0  # all stored by the demo's refresh
    with engine.begin() as conn:
        bump_data_version(conn, source="test import")
    real = stored._refresh_brand
    seen = []

    def then_an_import(engine_, brand_id, *args):
        seen.append(brand_id)
        done = real(engine_, brand_id, *args)
        with engine_.begin() as conn:  # another import lands while the refresh runs
            bump_data_version(conn, source="another import")
        return done

    monkeypatch.setattr(stored, "_refresh_brand", then_an_import)
    assert stored.refresh_brand_analyses(engine) > 0
    assert len(seen) == 1  # stopped: the data changed, the next import's refresh follows


def test_only_unfiltered_views_are_stored(private_engine):
    engine = private_engine
    brand_id = _brand_ids(engine)[0]
    viewer = Viewer("t", "brand_viewer", brand_id)
    dates = brand_reference_dates(engine, viewer)
    all_orders = orders.purchase_orders(engine, viewer)
    country = str(all_orders["country_code"].iloc[0])
    before = len(_rows(engine, brand_id=brand_id))
    view = analysis.OrderView(dates.order_figures, 24, (country,))
    summary = stored.order_summary(engine, viewer, view)
    _assert_same_figures(summary, analysis.purchasing_summary(
        all_orders, orders.relationships(engine, viewer), view))
    assert summary["orders"] > 0
    assert len(_rows(engine, brand_id=brand_id)) == before
    stored.order_summary(engine, viewer, analysis.OrderView(dates.order_figures, 24))
    assert len(_rows(engine, brand_id=brand_id)) == before + 1


# ---- payloads ---------------------------------------------------------------------------------


def test_frames_round_trip_with_their_column_types():
    frame = pd.DataFrame({
        "factory_id": np.array([3, 1, 2], dtype="int64"),
        "name": pd.array(["A", None, "C"], dtype="str"),
        "reason_list": pd.Series([["zero tolerance", "old"], [], None], dtype=object),
        "mixed": pd.Series(["x", None, np.nan], dtype=object),
        "score": [1.5, math.nan, 0.0],
        "assessed_on": pd.to_datetime(["2026-01-02", None, "2025-05-06"]),
        "flag": [True, False, True],
    })
    payload_format, blob = analyses.encode(frame)
    assert payload_format == analyses.ARROW and not blob.startswith(b"\x80")  # not a pickle
    back = analyses.decode(payload_format, blob)
    pd.testing.assert_frame_equal(back, frame)
    assert back["reason_list"].iloc[0] == ["zero tolerance", "old"]
    empty = analyses.decode(*analyses.encode(pd.DataFrame()))
    assert empty.empty


def test_mappings_round_trip_as_json_and_other_objects_are_refused():
    value = {"orders": np.int64(12), "late_pct": np.float64(4.5), "gap": math.nan}
    payload_format, blob = analyses.encode(value)
    assert payload_format == analyses.JSON
    back = analyses.decode(payload_format, blob)
    assert back["orders"] == 12 and isinstance(back["orders"], int)
    assert back["late_pct"] == 4.5 and math.isnan(back["gap"])
    with pytest.raises(TypeError):
        analyses.encode({"when": object()})
    with pytest.raises(TypeError):
        analyses.encode({1, 2})
    with pytest.raises(ValueError, match="unknown payload format"):
        analyses.decode("pickle", b"\x80\x04")


def test_dates_in_keys_are_iso():
    view = analysis.OrderView(dt.date(2026, 10, 31), None)
    assert stored._view_key(view) == "2026-10-31|all"
    assert stored._view_key(analysis.OrderView(dt.date(2026, 10, 31), 12, ("BD",))) is None
