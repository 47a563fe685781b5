"""The server-side work of each brand page, as the page does it (the benchmark's fast path).

Each function performs, in the page's order, every call a full render of the page makes: the
cached reads of ``ui.data`` / ``ui.insights`` (so ``st.cache_data`` hits and misses are real),
the ``metrics`` functions, the chart builders of ``ui.charts`` and the conversions Streamlit
does on the server before sending an element (Altair → Vega-Lite spec with Arrow datasets,
DataFrame → Arrow bytes, pydeck → JSON). Only Streamlit's own delta/websocket transport is left
out. The default widget state is used (no filter chosen, 12-month period on the purchasing
page, first trend indicator, first practice/cluster pair). Each function returns the figures
the benchmark compares with the naive baseline.

Why not AppTest: it re-scans installed packages for components on every ``AppTest`` and polls
with sleeps — ≈ 1.3 s of harness per run at any data size, which would drown a 150 ms target.
``python -m bench`` still runs every page once through AppTest at the same scale (``--apptest``)
to check that the real pages render without an exception there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from data_access.factories import DirectoryFilters
from data_access.viewer import Viewer
from metrics.association import describe_link
from metrics.countries import country_name
from metrics.disclosure import format_published
from metrics.portfolio import (
    headline_figures,
    suppliers_by_country_status,
)
from metrics.purchasing import TREND_INDICATORS
from services import analysis
from services.analysis import OrderView
from services.reference_dates import brand_reference_dates
from ui import charts, data, insights
from ui.tables import attention_list


@dataclass(frozen=True)
class PageContext:
    """What a signed-in session brings to a page: the viewer, today and the page's ids."""

    viewer: Viewer
    today: dt.date  # the pages' reference date (metrics.reference), not the calendar date
    factory_id: int  # the factory profile's factory
    compare_ids: tuple[int, ...]  # the factories compared
    orders_as_of: dt.date | None = None  # the order figures' date (default: today)

    @property
    def order_date(self) -> dt.date:
        return self.orders_as_of or self.today


def largest_brand_context(engine: Engine) -> PageContext:
    """The pages' context for the brand with the most active suppliers, as it signs in: its
    reference dates from its data (``metrics.reference``), the factory profile's factory and
    the factories compared (``bench.dataset.page_factories``)."""
    from bench.dataset import largest_brand, page_factories

    brand_id = largest_brand(engine)
    factory_id, compare_ids = page_factories(engine, brand_id)
    viewer = Viewer("bench", "brand", brand_id)
    dates = brand_reference_dates(engine, viewer, dt.date.today())
    return PageContext(viewer, dates.figures, factory_id, compare_ids, dates.order_figures)


def _chart(chart: Any) -> None:
    """What ``st.altair_chart`` does on the server: the Vega-Lite spec with Arrow datasets."""
    try:
        from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec
    except ImportError:  # pragma: no cover - a Streamlit without the private helper
        chart.to_dict()
        return
    _convert_altair_to_vega_lite_spec(chart)


def _frame(frame: pd.DataFrame) -> None:
    """What ``st.dataframe`` does on the server: the frame as Arrow IPC bytes."""
    from streamlit import dataframe_util

    dataframe_util.convert_anything_to_arrow_bytes(frame)


def overview(ctx: PageContext) -> dict[str, Any]:
    version = data.data_version()
    data.current_brand(ctx.viewer, version)
    data.data_dates(ctx.viewer, version)  # the page's as-of line
    suppliers = data.suppliers(ctx.viewer, version)
    figures = headline_figures(suppliers, ctx.today)
    # "suppliers needing attention": the top of the risk ranking
    ranking = insights.risk_table(ctx.viewer, ctx.today, version)
    attention_list(ranking[ranking["factory_id"].isin(suppliers["factory_id"])])
    _, _, table = insights.portfolio_comparison(ctx.viewer, (), ctx.today, version)
    _chart(charts.cluster_comparison(table, "Your suppliers", "Same countries, all factories"))
    _frame(table)
    by_country = suppliers_by_country_status(suppliers, ctx.today)
    by_country["country"] = by_country["country_code"].map(country_name)
    _chart(charts.suppliers_by_country(by_country))
    return {"headline": figures, "cluster_table": table}


def suppliers(ctx: PageContext) -> dict[str, Any]:
    version = data.data_version()
    data.current_brand(ctx.viewer, version)
    data.data_dates(ctx.viewer, version)  # the page's as-of line
    everything = data.supplier_directory(ctx.viewer, DirectoryFilters(include_inactive=True),
                                         ctx.today, version)
    data.clusters(version)
    directory = data.supplier_directory(ctx.viewer, DirectoryFilters(), ctx.today, version)
    risk = insights.risk_table(ctx.viewer, ctx.today, version)
    if not risk.empty:
        directory = directory.merge(risk[["factory_id", "risk_score", "risk_level"]],
                                    on="factory_id", how="left")
    shown = directory.assign(country=directory["country_code"].map(country_name),
                             profile="/factory?id=" + directory["factory_id"].astype(str))
    _frame(shown)
    drawn = insights.supplier_map(ctx.viewer, DirectoryFilters(), ctx.today, version, "en")
    if drawn is not None:
        charts.prebuilt_deck(drawn.spec, charts.supplier_map_tooltip()).to_json()
    return {"directory": directory, "everything": everything}


def factory(ctx: PageContext) -> dict[str, Any]:
    version = data.data_version()
    data.current_brand(ctx.viewer, version)
    data.data_dates(ctx.viewer, version)  # the page's as-of line
    data.supplier_directory(ctx.viewer, DirectoryFilters(include_inactive=True), ctx.today,
                            version)
    factory_id = ctx.factory_id
    profile = data.factory_profile(ctx.viewer, factory_id, version)
    assessments = data.assessments_of(ctx.viewer, (factory_id,), version)
    plan = data.improvement_plans(ctx.viewer, (factory_id,), version)
    others = data.other_buyers_count(ctx.viewer, factory_id, version)
    open_plan = plan[plan["status"] != "Completed"]
    latest = assessments.iloc[-1] if not assessments.empty else None
    clusters = insights.factory_cluster_results(ctx.viewer, factory_id, version)
    latest_clusters = (clusters[clusters["assessment_id"] == latest["assessment_id"]]
                       if latest is not None else clusters.iloc[0:0])
    insights.risk_table(ctx.viewer, ctx.today, version)
    if latest is not None:
        analysis.zero_tolerance_states(
            data.zero_tolerance_findings(ctx.viewer, (factory_id,), ctx.today, version))
        cells = insights.country_benchmark(ctx.viewer, (profile["country_code"],), ctx.today,
                                           "cluster", version).set_index("cluster_code")
        _frame(latest_clusters.assign(country_value=latest_clusters["cluster_code"].map(
            cells["rate_pct"])))
        insights.country_benchmark(ctx.viewer, (profile["country_code"],), ctx.today, "cp",
                                   version)
        data.question_findings(ctx.viewer, (int(latest["assessment_id"]),), True, version)
        trend = clusters.merge(assessments[["assessment_id", "cycle", "assessed_on"]],
                               on="assessment_id")
        _chart(charts.cluster_trend(trend))
        if len(assessments) >= 2:
            previous = assessments.iloc[-2]
            changes = insights.changes_since(ctx.viewer, int(previous["assessment_id"]),
                                             int(latest["assessment_id"]), version)
            _frame(changes)
    _frame(plan)
    practices = insights.factory_purchasing(ctx.viewer, factory_id,
                                            min(ctx.today, ctx.order_date), version)
    practices = None if practices.empty else practices
    return {"latest_clusters": latest_clusters, "open_plan_items": len(open_plan),
            "other_buyers": others, "practices": practices}


def compare(ctx: PageContext) -> dict[str, Any]:
    version = data.data_version()
    data.current_brand(ctx.viewer, version)
    data.data_dates(ctx.viewer, version)  # the page's as-of line
    data.supplier_directory(ctx.viewer, DirectoryFilters(include_inactive=True), ctx.today,
                            version)
    chosen = ctx.compare_ids
    compared = insights.comparison(ctx.viewer, chosen, ctx.today, version)
    brief, labels, clusters = compared.brief, compared.labels, compared.clusters
    countries = tuple(sorted(brief["country_code"].unique()))
    cells = insights.country_benchmark(ctx.viewer, countries, ctx.today, "cluster", version)
    cells = cells.assign(country_rate=[
        format_published(lo, hi, pub, note) for lo, hi, pub, note in
        zip(cells["rate_low_pct"], cells["rate_high_pct"], cells["publication"], cells["note"],
            strict=True)])
    cluster_ref = data.clusters(version)
    summary = compared.summary
    _frame(summary.assign(country=summary["country_code"].map(country_name)))
    grid = pd.MultiIndex.from_product([list(chosen), list(cluster_ref["cluster_code"])],
                                      names=["factory_id", "cluster_code"]).to_frame(index=False)
    grid = grid.merge(cluster_ref, on="cluster_code").merge(
        clusters[["factory_id", "cluster_code", "non_compliant", "questions_non_compliant",
                  "questions_assessed"]], on=["factory_id", "cluster_code"], how="left")
    grid = grid.merge(brief[["factory_id", "country_code"]], on="factory_id").merge(
        cells[["country_code", "cluster_code", "country_rate"]],
        on=["country_code", "cluster_code"], how="left")
    grid["status"] = grid["non_compliant"].map({1: "Non-compliant", 0: "Compliant"}).fillna(
        "Not assessed")
    grid["factory"] = grid["factory_id"].map(labels)
    grid = grid.rename(columns={"sort_order": "cluster_order"})
    _chart(charts.comparison_heatmap(grid, [labels[i] for i in chosen]))
    _frame(grid.pivot_table(index="cluster_name", columns="factory", values="country_rate",
                            aggfunc="first", sort=False))
    wide = compared.latest_cp.pivot_table(index=["cluster_name", "cp_name"],
                                          columns="factory_id", values="non_compliant",
                                          aggfunc="max", sort=False)
    differing = wide[wide.nunique(axis=1) > 1]
    differing.columns = [labels[c] for c in differing.columns]  # the page labels them by name
    _frame(differing.reset_index())
    return {"summary": summary}


def visibility(ctx: PageContext) -> dict[str, Any]:
    version = data.data_version()
    data.current_brand(ctx.viewer, version)
    data.data_dates(ctx.viewer, version)  # the page's as-of line
    data.suppliers(ctx.viewer, version)  # the country filter's options
    view = insights.visibility_view(ctx.viewer, version, ctx.today, ())
    _chart(charts.tier_and_type(view.tier_and_type))
    _chart(charts.pledge_fields(view.pledge_per_field))
    _chart(charts.coverage_by_country(view.coverage))
    _chart(charts.coverage_over_time(view.over_time))
    return {"figures": view.figures, "over_time": view.over_time}


def purchasing_since(today: dt.date, months: int = 12) -> dt.date:
    """The purchasing page's default period: orders confirmed in the last ``months`` months."""
    return (pd.Timestamp(today) - pd.DateOffset(months=months)).date()


def purchasing(ctx: PageContext) -> dict[str, Any]:
    version = data.data_version()
    data.current_brand(ctx.viewer, version)
    all_orders = data.purchase_orders(ctx.viewer, None, None, None, None, version)
    if all_orders.empty:
        return {}
    data.suppliers(ctx.viewer, version)
    data.data_dates(ctx.viewer, version)
    sorted(all_orders["country_code"].dropna().unique())
    view = OrderView(ctx.order_date, 12)
    summary = insights.order_summary(ctx.viewer, view, version)
    benchmark = insights.purchasing_benchmark(ctx.viewer, 12, None, None, version)
    key = TREND_INDICATORS[0]
    trend = insights.order_trend(ctx.viewer, view, key, "confirmed_on", version)
    _chart(charts.monthly_trend(trend, key, "days", None))
    measures = insights.order_measures_for(ctx.viewer, view, version)
    required = insights.required_lead_time(ctx.viewer, view, version)
    _chart(charts.lead_time_histogram(measures, required))
    linked = insights.practices_and_conditions(ctx.viewer, version)
    if not linked.empty:
        x, y = "late_change_share_pct", "WT_nc_questions"
        _chart(charts.practice_scatter(linked, x, "Orders changed late (%)", y, "Working Time"))
        describe_link(linked, x, "x", y, "y",
                      comparisons=insights.link_comparisons(ctx.viewer, version))
    return {"summary": summary, "benchmark": benchmark, "linked": linked}


def risk(ctx: PageContext) -> dict[str, Any]:
    version = data.data_version()
    data.current_brand(ctx.viewer, version)
    data.data_dates(ctx.viewer, version)  # the page's as-of line
    ranking = insights.risk_table(ctx.viewer, ctx.today, version)
    if not ranking.empty:
        ranking["risk_level"].value_counts()
        _frame(ranking.assign(country=ranking["country_code"].map(country_name)))
    return {"ranking": ranking}


PAGES: dict[str, Callable[[PageContext], dict[str, Any]]] = {
    "overview": overview,
    "suppliers": suppliers,
    "factory": factory,
    "compare": compare,
    "visibility": visibility,
    "purchasing": purchasing,
    "risk": risk,
}
#: the page scripts, for the AppTest smoke run
SCRIPTS = {name: f"pages/brand/{name}.py" for name in PAGES}
