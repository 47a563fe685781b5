"""Cached reads: the one seam between pages and ``data_access``.

``st.cache_data`` is shared by every session, so every cached function takes the whole
:class:`Viewer` (brand included) as an argument, plus the dataset's ``data_version`` so an import
invalidates everything at once. Entries are bounded by ``ttl`` and ``max_entries``.

Country benchmarks are not here: their raw counts must go through disclosure control first
(``ui.insights.country_benchmark``), so no page can read them as they are.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from data_access import as_of, factories, orders, provenance, queries
from data_access.viewer import Viewer
from data_access.whats_new import Baseline, count_items
from services.whats_new import window as whats_new_window
from ui.runtime import get_engine

TTL_SECONDS = 600
MAX_ENTRIES = 256


def data_version() -> int:
    """Read on every run (one tiny query), so caches never serve data older than an import."""
    return int(queries.dataset_state(get_engine())["data_version"])


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def data_dates(viewer: Viewer, version: int) -> as_of.DataDates:
    """How recent each kind of data is for the viewer's brand (never another brand's
    imports; the global data version's text is not read)."""
    _ = version
    return as_of.data_dates(get_engine(), viewer)


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def clusters(version: int) -> pd.DataFrame:
    _ = version
    return queries.clusters(get_engine())


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def visible_brands(viewer: Viewer, version: int) -> pd.DataFrame:
    _ = version
    return queries.visible_brands(get_engine(), viewer)


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def current_brand(viewer: Viewer, version: int) -> dict:
    _ = version
    return queries.current_brand(get_engine(), viewer)


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def suppliers(viewer: Viewer, version: int) -> pd.DataFrame:
    _ = version
    return queries.suppliers(get_engine(), viewer)


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def latest_cluster_status(viewer: Viewer, version: int) -> pd.DataFrame:
    _ = version
    return queries.latest_cluster_status(get_engine(), viewer)


# ---- supplier review (data_access.factories) -----------------------------------------------


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def supplier_directory(viewer: Viewer, filters: factories.DirectoryFilters, as_of: dt.date,
                       version: int) -> pd.DataFrame:
    _ = version
    return factories.supplier_directory(get_engine(), viewer, filters, as_of)


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def factory_profile(viewer: Viewer, factory_id: int, version: int) -> dict:
    _ = version
    return factories.factory_profile(get_engine(), viewer, factory_id)


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def other_buyers_count(viewer: Viewer, factory_id: int, version: int) -> int:
    _ = version
    return factories.other_buyers_count(get_engine(), viewer, factory_id)


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def factories_brief(viewer: Viewer, factory_ids: tuple[int, ...], version: int) -> pd.DataFrame:
    _ = version
    return factories.factories_brief(get_engine(), viewer, factory_ids)


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def assessments_of(viewer: Viewer, factory_ids: tuple[int, ...], version: int) -> pd.DataFrame:
    _ = version
    return factories.assessments_of(get_engine(), viewer, factory_ids)


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def compliance_point_results(viewer: Viewer, factory_ids: tuple[int, ...],
                             version: int) -> pd.DataFrame:
    _ = version
    return factories.compliance_point_results(get_engine(), viewer, factory_ids)


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def question_findings(viewer: Viewer, assessment_ids: tuple[int, ...], non_compliant_only: bool,
                      version: int) -> pd.DataFrame:
    _ = version
    return factories.question_findings(get_engine(), viewer, assessment_ids,
                                       non_compliant_only=non_compliant_only)


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def improvement_plans(viewer: Viewer, factory_ids: tuple[int, ...], version: int) -> pd.DataFrame:
    _ = version
    return factories.improvement_plans(get_engine(), viewer, factory_ids)


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def zero_tolerance_findings(viewer: Viewer, factory_ids: tuple[int, ...], as_of: dt.date,
                            version: int) -> pd.DataFrame:
    _ = version
    return factories.zero_tolerance_findings(get_engine(), viewer, as_of, factory_ids)


#: up to this many factories, their orders are read on their own (index on brand, factory)
FEW_FACTORIES = 10


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def _some_purchase_orders(viewer: Viewer, factory_ids: tuple[int, ...],
                          countries: tuple[str, ...] | None, since: dt.date | None,
                          until: dt.date | None, version: int) -> pd.DataFrame:
    _ = version
    return orders.purchase_orders(get_engine(), viewer, factory_ids=factory_ids,
                                  countries=countries, since=since, until=until)


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def _all_purchase_orders(viewer: Viewer, version: int) -> pd.DataFrame:
    _ = version
    return orders.purchase_orders(get_engine(), viewer)


def purchase_orders(viewer: Viewer, factory_ids: tuple[int, ...] | None,
                    countries: tuple[str, ...] | None, since: dt.date | None,
                    until: dt.date | None, version: int) -> pd.DataFrame:
    """The brand's orders, filtered like ``orders.purchase_orders`` — but from the cached
    frame of all its orders: a page asking for a period, some factories or countries costs a
    filter in memory, not another read of up to 100 k rows (issue 7). Orders of a few
    factories (a factory profile) are one indexed query of their own."""
    if factory_ids is not None and len(factory_ids) <= FEW_FACTORIES:
        return _some_purchase_orders(viewer, factory_ids, countries, since, until, version)
    frame = _all_purchase_orders(viewer, version)
    keep = pd.Series(True, index=frame.index)
    if factory_ids is not None:
        keep &= frame["factory_id"].isin([int(i) for i in factory_ids])
    if countries:
        keep &= frame["country_code"].isin([c.upper() for c in countries])
    if since is not None:
        keep &= frame["confirmed_on"] >= pd.Timestamp(since)
    if until is not None:
        keep &= frame["confirmed_on"] <= pd.Timestamp(until)
    return frame if keep.all() else frame[keep].reset_index(drop=True)


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def factory_provenance(viewer: Viewer, factory_id: int, version: int) -> pd.DataFrame:
    """Who gave each value of the factory's facts (other buyers anonymised): issue 14."""
    _ = version
    return provenance.factory_provenance(get_engine(), viewer, factory_id)


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def relationships(viewer: Viewer, version: int) -> pd.DataFrame:
    """The brand's sourcing relationships with their start and first order ever (for
    relationship length, whatever period the page shows)."""
    _ = version
    return orders.relationships(get_engine(), viewer)


# ---- what's new (issue 16) -------------------------------------------------------------------


@st.cache_data(ttl=60, max_entries=MAX_ENTRIES, show_spinner=False)
def whats_new_count(viewer: Viewer, base: Baseline, as_of: dt.date, today: dt.date,
                    seen_version: int, version: int) -> int:
    """How many unseen "what's new" items (the menu badge). ``seen_version`` changes when the
    session marks items as seen; the short time to live covers the log's own writes."""
    _ = (seen_version, version)
    return sum(count_items(get_engine(), viewer, base, whats_new_window(as_of, today)).values())
