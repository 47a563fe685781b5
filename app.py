"""Entry point: page config, configuration check, sign-in, role-aware navigation, sidebar.

Run with ``streamlit run app.py``. Pages live in ``pages/`` and are registered here with
``st.navigation``; a signed-out visitor only ever gets the sign-in page.
"""

from __future__ import annotations

import streamlit as st
from sqlalchemy.exc import OperationalError

from data_access.db import describe_db_error
from data_access.errors import DatabaseUnavailable
from data_access.settings import ConfigurationError
from ui import components, data, state
from ui.auth import AuthGate
from ui.runtime import get_engine, get_settings

st.set_page_config(
    page_title="Supply-chain conditions dashboard",
    page_icon=":material/factory:",
    layout="wide",
    initial_sidebar_state="expanded",
)

try:
    settings = get_settings()
    engine = get_engine()
except ConfigurationError as exc:
    st.error(f"**The dashboard cannot start.** {exc}", icon=":material/gpp_bad:")
    st.stop()
except DatabaseUnavailable as exc:
    components.database_down(str(exc))
    st.stop()

try:
    gate = AuthGate(settings, engine)
    principal = gate.current_viewer()
    if principal is None:
        st.navigation(
            [st.Page(gate.render_login, title="Sign in", icon=":material/login:",
                     url_path="login")],
            position="hidden",
        ).run()
        st.stop()

    version = data.data_version()
    brands = data.visible_brands(principal, version)
    viewer = state.resolve_brand(engine, principal, brands)
    state.set_viewer(viewer)
    state.keep_filters_alive()
except OperationalError as exc:
    components.database_down(describe_db_error(engine, exc))
    st.stop()

with st.sidebar:
    st.markdown(f"**{st.session_state.get('name') or viewer.username}**")
    if viewer.is_admin:
        st.caption("Programme administrator")
        ids = list(brands["brand_id"])
        st.selectbox(
            "Brand",
            options=ids,
            index=ids.index(viewer.brand_id) if viewer.brand_id in ids else None,
            format_func=dict(zip(brands["brand_id"], brands["name"], strict=True)).get,
            placeholder="Choose a brand…",
            key=state.BRAND_KEY,
            help="Administrators can look at any brand's dashboard.",
        )
        viewer = principal.acting_for(st.session_state.get(state.BRAND_KEY))
        state.set_viewer(viewer)
    else:
        st.caption(f"Brand: {brands['name'].iloc[0]}")
    st.button("Log out", on_click=gate.logout, icon=":material/logout:",
              width="stretch")
state.sync_brand_param(brands, viewer)

pages = {
    "Your supply chain": [
        st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:",
                url_path="overview", default=True),
    ],
}
if viewer.is_admin:
    pages["Administration"] = [
        st.Page("pages/admin_status.py", title="Data & accounts",
                icon=":material/admin_panel_settings:", url_path="admin"),
    ]
st.navigation(pages).run()
