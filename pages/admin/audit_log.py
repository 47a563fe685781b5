"""Administration: the download audit log (who downloaded which extract, with which filters)."""

from __future__ import annotations

import streamlit as st

from data_access.errors import PermissionDenied
from data_access.extracts import list_downloads
from ui import data, state
from ui.runtime import get_engine

viewer = state.viewer()
state.keep_only_params()
st.title("Audit log")
try:
    viewer.require_admin()
except PermissionDenied as exc:
    st.error(str(exc), icon=":material/lock:")
    st.stop()
st.caption("Every CSV extract downloaded, newest first: who, for which brand, which extract, "
           "the filters in force and how many rows.")

brands = data.visible_brands(viewer, data.data_version())
names = dict(zip(brands["brand_id"], brands["name"], strict=True))
only = st.selectbox("Brand", [None, *names], format_func={None: "All brands", **names}.get,
                    key="audit_brand")
log = list_downloads(get_engine(), viewer, brand_id=only)
if log.empty:
    st.info("No downloads recorded yet.", icon=":material/info:")
else:
    st.dataframe(log, hide_index=True, width="stretch", column_config={
        "created_at": st.column_config.DatetimeColumn("When (UTC)", format="D MMM YYYY HH:mm"),
        "username": "Who", "brand_code": None, "brand_name": "Brand", "extract": "Extract",
        "filters": st.column_config.TextColumn("Filters", width="large"),
        "row_count": st.column_config.NumberColumn("Rows", format="localized")})
