"""Cached reads: the one seam between pages and ``data_access``.

``st.cache_data`` is shared by every session, so every cached function takes the whole
:class:`Viewer` (brand included) as an argument, plus the dataset's ``data_version`` so an import
invalidates everything at once. Entries are bounded by ``ttl`` and ``max_entries``.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data_access import queries
from data_access.viewer import Viewer
from ui.runtime import get_engine

TTL_SECONDS = 600
MAX_ENTRIES = 256


def data_version() -> int:
    """Read on every run (one tiny query), so caches never serve data older than an import."""
    return int(queries.dataset_state(get_engine())["data_version"])


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def dataset_state(version: int) -> dict:
    _ = version
    return queries.dataset_state(get_engine())


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


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def country_cluster_benchmark(countries: tuple[str, ...], version: int) -> pd.DataFrame:
    """Aggregates over all factories in the countries: not brand data, so no viewer in the key."""
    _ = version
    return queries.country_cluster_benchmark(get_engine(), countries)
