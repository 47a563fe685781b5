"""Administration: the installation's database, data version and accounts."""

from __future__ import annotations

import streamlit as st

from data_access import accounts
from data_access.admin import installation_summary
from data_access.errors import PermissionDenied
from ui import state
from ui.components import fmt_int
from ui.runtime import get_engine

viewer = state.viewer()
st.title("Data & accounts")
try:
    summary = installation_summary(get_engine(), viewer)
    users = accounts.list_accounts(get_engine(), viewer)
except PermissionDenied as exc:
    st.error(str(exc), icon=":material/lock:")
    st.stop()

left, right = st.columns(2)
with left:
    st.subheader("Database")
    st.markdown(f"`{summary['database']}` ({summary['dialect']})")
    state_ = summary["state"]
    st.markdown(
        f"Data version **{fmt_int(state_['data_version'])}**, last changed "
        f"{state_['updated_at']:%d %b %Y %H:%M} UTC — {state_['source']}"
        if state_["updated_at"] else "No data loaded yet."
    )
    st.dataframe(summary["row_counts"], hide_index=True, width="stretch",
                 column_config={"table": "Table",
                                "rows": st.column_config.NumberColumn("Rows", format="localized")})
with right:
    st.subheader("Accounts")
    st.caption("Accounts are provisioned from the users file; their state (lockout, last "
               "sign-in) is kept in the database.")
    st.dataframe(
        users,
        hide_index=True,
        width="stretch",
        column_order=["username", "display_name", "role", "brand", "disabled", "locked",
                      "failed_count", "last_login_at"],
        column_config={
            "username": "Username", "display_name": "Name", "role": "Role", "brand": "Brand",
            "disabled": "Disabled", "locked": "Locked out",
            "failed_count": st.column_config.NumberColumn("Recent failed sign-ins"),
            "last_login_at": st.column_config.DatetimeColumn("Last sign-in (UTC)",
                                                             format="D MMM YYYY, HH:mm"),
        },
    )
