"""Cached analyses (``ui/analysis.py``) for the pages.

Like ``ui/data.py``, every function takes the whole :class:`Viewer` and the ``data_version``
(so an import refreshes it) and returns only the viewer's brand's figures — except
:func:`purchasing_benchmark`, which returns one anonymous median per indicator, and
:func:`country_benchmark`, which returns counts over all factories after disclosure control.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from data_access import factories
from data_access.viewer import Viewer
from metrics.purchasing import brand_summary, monthly_trend, order_measures
from ui import analysis, data
from ui.runtime import get_engine

TTL_SECONDS = 600
MAX_ENTRIES = 128


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def risk_table(viewer: Viewer, as_of: dt.date, version: int) -> pd.DataFrame:
    # the brand's orders from the cache the purchasing page fills too: read once per version
    return analysis.risk_table(get_engine(), viewer, as_of,
                               data.purchase_orders(viewer, None, None, None, None, version))


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def country_benchmark(viewer: Viewer, countries: tuple[str, ...], as_of: dt.date, level: str,
                      version: int) -> pd.DataFrame:
    """The country benchmark cells the viewer may see (``analysis.country_benchmark``: inside
    the reporting window, after disclosure control), per country and cluster or compliance
    point. Keyed by the viewer: what is suppressed depends on the brand's own factories."""
    _ = version
    return analysis.country_benchmark(get_engine(), viewer, countries, as_of, level=level)


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def practices_and_conditions(viewer: Viewer, as_of: dt.date, version: int) -> pd.DataFrame:
    return analysis.practices_and_conditions(
        get_engine(), viewer, as_of, data.purchase_orders(viewer, None, None, None, None, version))


@st.cache_data(ttl=TTL_SECONDS, max_entries=8, show_spinner=False)
def purchasing_benchmark(since: dt.date | None, until: dt.date | None, as_of: dt.date,
                         version: int) -> dict[str, float]:
    _ = version
    return analysis.purchasing_benchmark(get_engine(), since, until, as_of)


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def assessment_history(viewer: Viewer, version: int) -> pd.DataFrame:
    _ = version
    return factories.assessment_history(get_engine(), viewer)


# ---- the purchasing page's figures: metrics over the filtered orders, cached per filter -------


def _filtered_orders(viewer: Viewer, factory_ids: tuple[int, ...] | None,
                     countries: tuple[str, ...] | None, since: dt.date | None,
                     version: int) -> pd.DataFrame:
    return data.purchase_orders(viewer, factory_ids, countries, since, None, version)


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def order_summary(viewer: Viewer, factory_ids: tuple[int, ...] | None,
                  countries: tuple[str, ...] | None, since: dt.date | None, as_of: dt.date,
                  version: int) -> dict[str, float]:
    """``metrics.purchasing.brand_summary`` of the brand's orders under the page's filters."""
    return brand_summary(_filtered_orders(viewer, factory_ids, countries, since, version), as_of)


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def order_measures_for(viewer: Viewer, factory_ids: tuple[int, ...] | None,
                       countries: tuple[str, ...] | None, since: dt.date | None,
                       as_of: dt.date, version: int) -> pd.DataFrame:
    """``metrics.purchasing.order_measures`` of the same orders (the lead-time histogram)."""
    return order_measures(_filtered_orders(viewer, factory_ids, countries, since, version), as_of)


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def order_trend(viewer: Viewer, factory_ids: tuple[int, ...] | None,
                countries: tuple[str, ...] | None, since: dt.date | None, indicator: str,
                date_column: str, as_of: dt.date, version: int) -> pd.DataFrame:
    """``metrics.purchasing.monthly_trend`` of the same orders for one indicator."""
    return monthly_trend(_filtered_orders(viewer, factory_ids, countries, since, version),
                         indicator, as_of, date_column=date_column)


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def visibility_view(viewer: Viewer, version: int, today: dt.date,
                    countries: tuple[str, ...]) -> analysis.VisibilityView:
    """The Visibility page's figures, gaps and chart data for the brand's active suppliers
    (in ``countries``, or all): computed once per data version, day and country choice."""
    suppliers = data.suppliers(viewer, version)
    if countries:
        suppliers = suppliers[suppliers["country_code"].isin(countries)]
    return analysis.visibility_view(suppliers, assessment_history(viewer, version), today)
