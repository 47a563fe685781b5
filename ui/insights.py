"""Cached analyses (``services/analysis.py``) for the pages.

Like ``ui/data.py``, every function takes the whole :class:`Viewer` and the ``data_version``
(so an import refreshes it) and returns only the viewer's brand's figures — except
:func:`purchasing_benchmark`, which returns the figures published to the viewer's brand (per
indicator, the band around the median of the *other* brands), and :func:`country_benchmark`,
which returns counts over all factories after disclosure control.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial

import pandas as pd
import streamlit as st

from data_access import factories
from data_access.factories import DirectoryFilters
from data_access.viewer import Viewer
from metrics import disclosure, zero_tolerance
from metrics.compliance import changes_between, cluster_results, portfolio_vs_benchmark
from metrics.countries import country_name
from metrics.portfolio import within_reporting_window
from metrics.purchasing import order_measures, orders_known_on, per_factory_practices
from services import analysis, stored
from ui import charts, data
from ui.components import country_display_name
from ui.formatting import fmt_number, fmt_pct
from ui.i18n import _
from ui.runtime import get_engine

TTL_SECONDS = 600
MAX_ENTRIES = 128


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def risk_table(viewer: Viewer, as_of: dt.date, version: int) -> pd.DataFrame:
    """The risk ranking (``services.stored.risk_table``: stored once per data version, so a
    first view reads it instead of computing it)."""
    return stored.risk_table(get_engine(), viewer, as_of, partial(_all_orders, viewer, version))


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def country_benchmark(viewer: Viewer, countries: tuple[str, ...], as_of: dt.date, level: str,
                      version: int) -> pd.DataFrame:
    """The country benchmark cells the viewer may see (``analysis.country_benchmark``: inside
    the reporting window, after disclosure control), per country and cluster or compliance
    point. Keyed by the viewer: what is suppressed depends on the brand's own factories."""
    _ = version
    return analysis.country_benchmark(get_engine(), viewer, countries, as_of, level=level)


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def portfolio_comparison(viewer: Viewer, countries: tuple[str, ...], as_of: dt.date,
                         version: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    """The overview's cluster comparison for the brand's active suppliers (in ``countries``,
    or all): ``(status, current, table)`` — their latest cluster results, those inside the
    reporting window, and ``metrics.compliance.portfolio_vs_benchmark`` of the current ones
    against their countries' benchmark (None when none is current)."""
    suppliers = data.suppliers(viewer, version)
    if countries:
        suppliers = suppliers[suppliers["country_code"].isin(countries)]
    status = data.latest_cluster_status(viewer, version)
    status = status[status["factory_id"].isin(suppliers["factory_id"])]
    current = status[within_reporting_window(status["assessed_on"], as_of)]
    if current.empty:
        return status, current, None
    assessed = tuple(sorted(current["country_code"].unique()))
    cells = country_benchmark(viewer, assessed, as_of, "cluster", version)
    return status, current, portfolio_vs_benchmark(current, cells, data.clusters(version))


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def practices_and_conditions(viewer: Viewer, version: int) -> pd.DataFrame:
    return stored.practices_and_conditions(get_engine(), viewer,
                                           partial(_all_orders, viewer, version))


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def link_comparisons(viewer: Viewer, version: int) -> pd.DataFrame:
    """The nine practice × cluster comparisons, corrected for their number."""
    return stored.link_comparisons(get_engine(), viewer, partial(_all_orders, viewer, version))


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def purchasing_benchmark(viewer: Viewer, months: int | None, chosen: dt.date | None,
                         country: str | None, version: int) -> dict[str, float]:
    """The benchmark published to the viewer's brand for this choice (never a figure that
    includes the brand itself)."""
    _ = version
    return analysis.purchasing_benchmark(get_engine(), viewer.require_brand(), months, chosen,
                                         country)


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def assessment_history(viewer: Viewer, version: int) -> pd.DataFrame:
    _ = version
    return factories.assessment_history(get_engine(), viewer)


# ---- the purchasing page's figures: metrics over the orders in view, cached per view ---------


def _all_orders(viewer: Viewer, version: int) -> pd.DataFrame:
    """The brand's whole order book, from the cache the purchasing page fills too (read once
    per version, and only when a figure is not stored)."""
    return data.purchase_orders(viewer, None, None, None, None, version)


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def order_summary(viewer: Viewer, view: analysis.OrderView, version: int) -> dict[str, float]:
    """``metrics.purchasing.brand_summary`` of the brand's orders in ``view``; relationship
    length from its relationships in the view's countries and factories (not its period)."""
    return stored.order_summary(get_engine(), viewer, view, partial(_all_orders, viewer, version),
                                partial(data.relationships, viewer, version))


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def order_measures_for(viewer: Viewer, view: analysis.OrderView, version: int) -> pd.DataFrame:
    """``metrics.purchasing.order_measures`` of the same orders (the lead-time histogram)."""
    # not stored: one row per order in view (≈ 0.05 s from the orders the page holds anyway)
    return order_measures(analysis.orders_in_view(_all_orders(viewer, version), view),
                          view.as_of)


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def required_lead_time(viewer: Viewer, view: analysis.OrderView, version: int) -> float:
    """The median lead time the factories of the orders in ``view`` say they need (days; NaN
    when none says) — the line across the lead-time histogram."""
    orders = analysis.orders_in_view(_all_orders(viewer, version), view)
    return float(orders.drop_duplicates("factory_id")["required_lead_time_days"].median())


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def order_trend(viewer: Viewer, view: analysis.OrderView, indicator: str, date_column: str,
                version: int) -> pd.DataFrame:
    """``metrics.purchasing.monthly_trend`` of the same orders for one indicator, with each
    month's completeness."""
    return stored.order_trend(get_engine(), viewer, view, indicator, date_column,
                              partial(_all_orders, viewer, version))


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def factory_purchasing(viewer: Viewer, factory_id: int, as_of: dt.date,
                       version: int) -> pd.DataFrame:
    """The brand's purchasing practices with one factory over all its orders with it, as of
    ``as_of`` (``metrics.purchasing.per_factory_practices``: one row; empty without orders) —
    the factory profile's purchasing panel, computed once per factory, date and version."""
    orders = data.purchase_orders(viewer, (factory_id,), None, None, None, version)
    if orders.empty:
        return pd.DataFrame()
    return per_factory_practices(orders_known_on(orders, as_of), as_of,
                                 data.relationships(viewer, version))


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def zero_tolerance_per_factory(viewer: Viewer, factory_ids: tuple[int, ...], as_of: dt.date,
                               version: int) -> pd.DataFrame:
    """Per factory: its zero-tolerance issues by state (``metrics.zero_tolerance.per_factory``
    of the findings' states as of ``as_of``) — the comparison's column."""
    return zero_tolerance.per_factory(analysis.zero_tolerance_states(
        data.zero_tolerance_findings(viewer, factory_ids, as_of, version)))


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def comparison(viewer: Viewer, chosen: tuple[int, ...], as_of: dt.date,
               version: int) -> analysis.Comparison:
    """``services.analysis.compare_factories`` of the cached reads for ``chosen`` (words left
    to the page, which writes them in the session's language).

    Raises:
        NotFound: a factory that is not one of the brand's suppliers.
    """
    return analysis.compare_factories(
        chosen, as_of,
        brief=data.factories_brief(viewer, chosen, version),
        assessments=data.assessments_of(viewer, chosen, version),
        cp=data.compliance_point_results(viewer, chosen, version),
        plans=data.improvement_plans(viewer, chosen, version),
        zero=zero_tolerance_per_factory(viewer, chosen, as_of, version),
        ranking=risk_table(viewer, as_of, version))


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def factory_cluster_results(viewer: Viewer, factory_id: int, version: int) -> pd.DataFrame:
    """Every assessment of the factory per cluster (``metrics.compliance.cluster_results`` of
    its compliance-point results) — the factory profile's figures and trend."""
    return cluster_results(data.compliance_point_results(viewer, (factory_id,), version))


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def changes_since(viewer: Viewer, previous_id: int, latest_id: int,
                  version: int) -> pd.DataFrame:
    """The questions that changed between two assessments of a factory
    (``metrics.compliance.changes_between``: newly non-compliant, remediated)."""
    both = data.question_findings(viewer, (previous_id, latest_id), False, version)
    return changes_between(both[both["assessment_id"] == previous_id],
                           both[both["assessment_id"] == latest_id])


@dataclass(frozen=True)
class SupplierMap:
    """The supplier map as Streamlit sends it (the deck's JSON) and how many suppliers it
    shows."""

    spec: str
    located: int


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def supplier_map(viewer: Viewer, filters: DirectoryFilters, as_of: dt.date, version: int,
                 language: str) -> SupplierMap | None:
    """The map of the suppliers the directory shows with these filters (``ui.charts.
    supplier_map``; None when none has coordinates), built once per choice, version and
    ``language`` (its labels are written in the session's language): thousands of labelled
    points are too many to build on every run."""
    _ = language
    directory = data.supplier_directory(viewer, filters, as_of, version)
    located = directory.dropna(subset=["lat", "lng"])
    if located.empty:
        return None
    deck = charts.supplier_map(located.assign(country=located["country_code"].map(country_name)))
    return SupplierMap(deck.to_json(), len(located))


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def visibility_view(viewer: Viewer, version: int, today: dt.date,
                    countries: tuple[str, ...]) -> analysis.VisibilityView:
    """The Visibility page's figures, gaps and chart data for the brand's active suppliers
    (in ``countries``, or all): computed once per data version, day and country choice."""
    suppliers = data.suppliers(viewer, version)
    if countries:
        suppliers = suppliers[suppliers["country_code"].isin(countries)]
    return analysis.visibility_view(suppliers, assessment_history(viewer, version), today,
                                    data.data_dates(viewer, version).facility_list)


def published_rate(low_pct: float, high_pct: float, publication: str, country_code: str,
                   missing: str | None = None) -> str:
    """A benchmark cell as the page shows it, in the session's language: "42 %" or
    "41–43 %" (numbers in the locale's format), else why it is not shown — the disclosure
    note for the country, or ``missing`` (default "not shown") when there is no cell."""
    if publication == disclosure.SUPPRESSED or pd.isna(low_pct):
        note = disclosure.note(publication, country_display_name(country_code), translate=_) \
            if publication == disclosure.SUPPRESSED else ""
        return note or (missing if missing is not None else _("not shown"))
    low, high = round(float(low_pct)), round(float(high_pct))
    return fmt_pct(low) if low == high else f"{fmt_number(low)}–{fmt_pct(high)}"
