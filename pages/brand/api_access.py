"""API access: the brand's API tokens (issue and revoke) and how to call the API.

For brand managers (their own brand) and administrators (the brand chosen in the sidebar);
a brand viewer neither sees the page in the menu nor may run it (``manage_api_tokens``).
"""

from __future__ import annotations

import streamlit as st

from data_access.errors import PermissionDenied
from ui import data, state
from ui.api_tokens import api_address, token_management, usage_example
from ui.components import brand_or_stop, plain
from ui.formatting import fmt_int
from ui.i18n import _
from ui.runtime import get_engine, get_settings

viewer = state.viewer()
state.keep_only_params()
st.title(_("API access"))
try:
    viewer.require("manage_api_tokens")
except PermissionDenied as exc:
    st.error(_(str(exc)), icon=":material/lock:")
    st.stop()
version = data.data_version()
brand = brand_or_stop(viewer, version)
settings = get_settings()

st.caption(_("Your data team can pull {brand}'s figures into its own tools — a BI tool, an "
             "ERP, a due-diligence report — with an API token instead of clicking through "
             "these pages: the same extracts, with the same columns and data dictionaries, "
             "only your brand's data, read-only. Every call is recorded like a download.")
           .format(brand=plain(brand["name"])))
st.markdown(_("**Where**: {address}. **How**: send the token in the `Authorization` header. "
              "At most {limit} requests a minute per token; JSON in pages of up to {page} "
              "rows, or a whole extract as CSV.").format(
    address=plain(api_address(settings.api_public_url)),
    limit=fmt_int(settings.api_rate_limit_per_minute), page=fmt_int(1000)))
# plain text (highlighted tokens fell below 4.5:1 contrast), wrapped (no scrolling box on phones)
st.code(usage_example(settings.api_public_url), language=None, wrap_lines=True)

st.subheader(_("Tokens"))
token_management(get_engine(), viewer, {int(brand["id"]): str(brand["name"])},
                 key="brand", brand_id=int(brand["id"]))
