"""Cached combinations of brand-scoped reads and metric functions used by several pages.

Like ``ui/data.py``, every function takes the whole :class:`Viewer` and the ``data_version``
(so an import refreshes it), and returns only the viewer's brand's figures — except
:func:`purchasing_benchmark`, which returns one anonymous median per indicator.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import streamlit as st

from data_access import factories, orders
from data_access.viewer import Viewer
from metrics.compliance import pooled_rate
from metrics.portfolio import assessment_age_days
from metrics.purchasing import benchmark_median, brand_summary, per_factory_practices
from metrics.risk import risk_scores
from ui import data
from ui.runtime import get_engine

TTL_SECONDS = 600
MAX_ENTRIES = 128

#: clusters research links to purchasing practices (DOMAIN.md §3)
LINKED_CLUSTERS = ("WT", "COMP", "CHR")


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def factory_practices(viewer: Viewer, as_of: dt.date, version: int) -> pd.DataFrame:
    """The brand's purchasing practices per factory over all its orders."""
    frame = data.purchase_orders(viewer, None, None, None, None, version)
    return per_factory_practices(frame, as_of)


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def risk_table(viewer: Viewer, as_of: dt.date, version: int) -> pd.DataFrame:
    """The risk ranking of the brand's active suppliers (metrics.risk), highest first.

    Columns: the supplier fields (``factory_id, name, country_code, workers, tier``), the risk
    inputs, ``<component>_points``, ``risk_score``, ``risk_level``, ``reasons``.
    """
    engine = get_engine()
    suppliers = data.suppliers(viewer, version)
    if suppliers.empty:
        return pd.DataFrame()
    open_nc = factories.open_non_compliance(engine, viewer)
    status = data.latest_cluster_status(viewer, version)
    countries = tuple(sorted(suppliers["country_code"].dropna().unique()))
    bench = pooled_rate(data.country_cluster_benchmark(countries, version),
                        ["country_code", "cluster_code"])
    country_rate = bench.groupby("country_code")["non_compliance_rate_pct"].mean()
    practices = factory_practices(viewer, as_of, version)
    base = suppliers[["factory_id", "name", "country_code", "city", "workers", "tier",
                      "latest_assessed_on"]].copy()
    base["assessment_age_days"] = assessment_age_days(base["latest_assessed_on"], as_of)
    base["country_benchmark_rate_pct"] = base["country_code"].map(country_rate)
    base = base.merge(open_nc, on="factory_id", how="left")
    assessed = set(status["factory_id"])
    for col in ("open_nc_core", "open_nc_other"):
        # never assessed: unknown, not zero (the assessment-age component carries the risk)
        base[col] = np.where(base["factory_id"].isin(assessed), base[col].fillna(0), np.nan)
    base = base.merge(
        practices[["factory_id", "late_change_share_pct", "below_cost_share_pct",
                   "median_days_late", "share_of_capacity_pct"]],
        on="factory_id", how="left")
    scored = risk_scores(base)
    return scored.sort_values(["risk_score", "name"], ascending=[False, True]) \
        .reset_index(drop=True)


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def practices_and_conditions(viewer: Viewer, as_of: dt.date, version: int) -> pd.DataFrame:
    """Per assessed factory: the brand's practices next to the factory's non-compliance on the
    clusters research links to them. Columns: ``factory_id, name, country_code, orders,
    late_change_share_pct, median_lead_time_days, below_cost_share_pct`` and, per linked
    cluster, ``<code>_nc_questions``."""
    suppliers = data.suppliers(viewer, version)
    status = data.latest_cluster_status(viewer, version)
    practices = factory_practices(viewer, as_of, version)
    linked = status[status["cluster_code"].isin(LINKED_CLUSTERS)].pivot_table(
        index="factory_id", columns="cluster_code", values="questions_non_compliant",
        aggfunc="sum")
    linked.columns = [f"{c}_nc_questions" for c in linked.columns]
    out = suppliers[["factory_id", "name", "country_code"]].merge(
        practices[["factory_id", "orders", "late_change_share_pct", "median_lead_time_days",
                   "below_cost_share_pct"]], on="factory_id")
    return out.merge(linked.reset_index(), on="factory_id")


@st.cache_data(ttl=TTL_SECONDS, max_entries=8, show_spinner=False)
def purchasing_benchmark(since: dt.date | None, until: dt.date | None, as_of: dt.date,
                         version: int) -> dict[str, float]:
    """The median across all brands of each indicator (anonymous; NaN with fewer than
    ``MIN_BRANDS_FOR_BENCHMARK`` brands). The rows read to compute it never leave here."""
    everything = orders.orders_for_benchmark(get_engine(), since=since, until=until)
    if everything.empty:
        return {}
    per_brand = pd.DataFrame([brand_summary(group, as_of)
                              for _, group in everything.groupby("brand_key")])
    return benchmark_median(per_brand, min_brands=orders.MIN_BRANDS_FOR_BENCHMARK)


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def assessment_history(viewer: Viewer, version: int) -> pd.DataFrame:
    _ = version
    return factories.assessment_history(get_engine(), viewer)

