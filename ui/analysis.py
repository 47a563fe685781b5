"""Analyses that combine several brand-scoped reads with metric functions.

No Streamlit here: ``ui/insights.py`` caches these for the pages, and the extract catalogue
calls them for downloads, so a page and its CSV always agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from data_access import factories, orders, queries, summaries
from data_access.viewer import Viewer
from metrics import visibility as vis
from metrics import zero_tolerance
from metrics.countries import country_name
from metrics.disclosure import protect_cells
from metrics.portfolio import assessment_age_days, reporting_window_start
from metrics.purchasing import (
    benchmark_median,
    brand_summaries,
    order_measures,
    per_factory_practices,
    share_of_capacity_pct,
)
from metrics.risk import rank, relative_practices, risk_scores
from reference import zero_tolerance_issues

#: clusters research links to purchasing practices (DOMAIN.md §3)
LINKED_CLUSTERS = ("WT", "COMP", "CHR")


def factory_practices(engine: Engine, viewer: Viewer, as_of: dt.date,
                      all_orders: pd.DataFrame | None = None) -> pd.DataFrame:
    """The brand's purchasing practices per factory over all its orders (``all_orders``: the
    brand's orders when the caller already holds them, e.g. from a cache)."""
    if all_orders is None:
        all_orders = orders.purchase_orders(engine, viewer)
    return per_factory_practices(all_orders, as_of)


def risk_table(engine: Engine, viewer: Viewer, as_of: dt.date,
               all_orders: pd.DataFrame | None = None) -> pd.DataFrame:
    """The risk ranking of the brand's active suppliers (``metrics.risk``), most urgent first.

    Columns: ``factory_id, os_id, name, country_code, city, workers, tier,
    latest_assessed_on``, the risk inputs (:data:`metrics.risk.RISK_INPUT_COLUMNS` and
    :data:`metrics.risk.REASON_COLUMNS`), ``<component>_points``, ``risk_score``,
    ``risk_level``, ``level_rank``, ``reasons``, ``reason_list``.
    """
    suppliers = queries.suppliers(engine, viewer)
    if suppliers.empty:
        return pd.DataFrame()
    open_nc = factories.open_non_compliance(engine, viewer)
    zero = zero_tolerance.per_factory(zero_tolerance_states(
        factories.zero_tolerance_findings(engine, viewer, as_of)))
    if all_orders is None:
        all_orders = orders.purchase_orders(engine, viewer)
    base = suppliers[["factory_id", "os_id", "name", "country_code", "city", "workers", "tier",
                      "latest_assessed_on"]].copy()
    base["assessment_age_days"] = assessment_age_days(base["latest_assessed_on"], as_of)
    base = base.merge(open_nc, on="factory_id", how="left")
    assessed = base["latest_assessed_on"].notna()
    for col in ("open_nc_core", "open_nc_other", "reported_fixed_core", "reported_fixed_other"):
        # never assessed: unknown, not zero (the level says "Unknown — needs assessment")
        base[col] = np.where(assessed, base[col].fillna(0), np.nan)
    base = base.merge(zero, on="factory_id", how="left")
    for col in ("zt_open", "zt_reported_fixed", "zt_verified_fixed"):
        base[col] = base[col].fillna(0).astype("int64")
    if all_orders.empty:
        relative = relative_practices(all_orders, as_of)
        capacity = pd.Series(dtype="float64", name="share_of_capacity_pct")
    else:
        relative = relative_practices(order_measures(all_orders, as_of), as_of)
        capacity = share_of_capacity_pct(all_orders, as_of)
    base = base.merge(relative, on="factory_id", how="left")
    base["share_of_capacity_pct"] = base["factory_id"].map(capacity)
    return rank(risk_scores(base))


def zero_tolerance_states(findings: pd.DataFrame) -> pd.DataFrame:
    """``metrics.zero_tolerance.classify`` of the findings, each issue named in the framework's
    plain words (``reference``: "emergency exits locked during working hours")."""
    return zero_tolerance.classify(findings, zero_tolerance_issues())


def country_benchmark(engine: Engine, viewer: Viewer, countries: Sequence[str], as_of: dt.date,
                      *, level: str = "cluster") -> pd.DataFrame:
    """The country benchmark cells the viewer may see: every factory in ``countries`` whose
    latest assessment is inside the reporting window on ``as_of``, per country and cluster
    (``level="cluster"``) or compliance point (``"cp"``), after disclosure control
    (``metrics.disclosure.protect_cells``: suppressed, banded or exact). The raw counts never
    leave this function.

    Columns: ``country_code``, ``cluster_code`` or ``cp_code``, then
    :data:`metrics.disclosure.PROTECTED_COLUMNS`.
    """
    since = reporting_window_start(as_of)
    if level == "cluster":
        raw = queries.country_cluster_benchmark(engine, viewer, countries, since, as_of)
    elif level == "cp":
        raw = factories.country_compliance_point_benchmark(engine, viewer, countries, since,
                                                           as_of)
    else:
        raise ValueError(f"unknown benchmark level {level!r}")
    names = pd.Series({code: country_name(code) for code in raw["country_code"].unique()},
                      dtype="object")
    return protect_cells(raw, names)


def practices_and_conditions(engine: Engine, viewer: Viewer, as_of: dt.date,
                             all_orders: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per assessed factory: the brand's practices next to the factory's non-compliance on the
    clusters research links to them. Columns: ``factory_id, name, country_code, orders,
    late_change_share_pct, median_lead_time_days, below_cost_share_pct`` and, per linked
    cluster, ``<code>_nc_questions``."""
    suppliers = queries.suppliers(engine, viewer)
    status = queries.latest_cluster_status(engine, viewer)
    practices = factory_practices(engine, viewer, as_of, all_orders)
    linked = status[status["cluster_code"].isin(LINKED_CLUSTERS)].pivot_table(
        index="factory_id", columns="cluster_code", values="questions_non_compliant",
        aggfunc="sum")
    linked.columns = [f"{c}_nc_questions" for c in linked.columns]
    out = suppliers[["factory_id", "name", "country_code"]].merge(
        practices[["factory_id", "orders", "late_change_share_pct", "median_lead_time_days",
                   "below_cost_share_pct"]], on="factory_id")
    return out.merge(linked.reset_index(), on="factory_id")


def purchasing_benchmark(engine: Engine, since: dt.date | None, until: dt.date | None,
                         as_of: dt.date) -> dict[str, float]:
    """The median across all brands of each indicator (anonymous; NaN with fewer than
    ``MIN_BRANDS_FOR_BENCHMARK`` brands). The rows read to compute it never leave here.

    Computed once per period, reference date and data version for every process: the result
    is stored in the ``purchasing_benchmark`` summary table (data_access/summaries.py), since
    reading every brand's orders is the one expensive read of the app (issue 7).
    """
    key = summaries.benchmark_key(since, until, as_of)
    version, stored = summaries.stored_benchmark(engine, key)
    if stored is not None:
        return stored
    everything = orders.orders_for_benchmark(engine, since=since, until=until)
    result: dict[str, float] = {}
    if not everything.empty:
        per_brand = brand_summaries(everything, as_of, by="brand_key")
        result = benchmark_median(per_brand, min_brands=orders.MIN_BRANDS_FOR_BENCHMARK)
    summaries.store_benchmark(engine, key, version, result)
    return result


@dataclass(frozen=True)
class VisibilityView:
    """Everything the Visibility page shows for one set of suppliers (computed once per data
    version, day and country choice; the page only draws it)."""

    figures: dict[str, float]  # the KPIs, keyed as in the benchmark's equality check
    gaps: list[dict]
    pledge_per_field: pd.DataFrame
    tier_and_type: pd.DataFrame
    coverage: pd.DataFrame  # by country, with the country's name
    over_time: pd.DataFrame


def visibility_view(suppliers: pd.DataFrame, history: pd.DataFrame,
                    today: dt.date) -> VisibilityView:
    """The visibility indicators of ``suppliers`` (metrics/visibility.py), their gaps and the
    frames behind the page's charts; ``history`` is the brand's assessment history."""
    pledge = vis.pledge_completeness(suppliers)
    figures = {
        "suppliers": len(suppliers),
        "assessed_recently_pct": vis.share_assessed_recently_pct(suppliers, today),
        "os_id_pct": vis.share_with_os_id_pct(suppliers),
        "geolocated_pct": vis.share_geolocated_pct(suppliers),
        "disclosed_pct": vis.share_publicly_disclosed_pct(suppliers),
        "pledge_complete_pct": pledge.complete_pct,
        "workers": vis.workers_covered(suppliers),
        "women_pct": vis.women_pct(suppliers),
        "newest_days": vis.newest_data_age_days(suppliers, today),
    }
    coverage = vis.coverage_by_country(suppliers, today)
    coverage["country"] = coverage["country_code"].map(country_name)
    history = history[history["factory_id"].isin(suppliers["factory_id"])]
    months = vis.month_ends(pd.Timestamp(today) - pd.DateOffset(months=36), today)
    return VisibilityView(
        figures=figures,
        gaps=vis.gaps(suppliers, today),
        pledge_per_field=pledge.per_field,
        tier_and_type=vis.suppliers_by_tier_and_type(suppliers),
        coverage=coverage,
        over_time=vis.assessed_share_over_time(history, suppliers, months),
    )
