"""Administration: the audit logs — every CSV extract downloaded (who, for which brand, which
extract, with which filters) and every change to an account (who changed what, when)."""

from __future__ import annotations

import streamlit as st

from data_access import accounts
from data_access.errors import PermissionDenied
from data_access.extracts import list_downloads
from ui import data, state
from ui.i18n import _, ngettext
from ui.runtime import get_engine

viewer = state.viewer()
state.keep_only_params()
st.title(_("Audit log"))
try:
    viewer.require("view_audit_log")
except PermissionDenied as exc:
    st.error(_(str(exc)), icon=":material/lock:")
    st.stop()

downloads_tab, accounts_tab = st.tabs([_("Downloads"), _("Account changes")])
with downloads_tab:
    st.caption(_("Every CSV extract downloaded, newest first: who, for which brand, which "
                 "extract, the filters in force and how many rows."))
    brands = data.visible_brands(viewer, data.data_version())
    names = dict(zip(brands["brand_id"], brands["name"], strict=True))
    only = st.selectbox(_("Brand"), [None, *names],
                        format_func={None: _("All brands"), **names}.get, key="audit_brand")
    log = list_downloads(get_engine(), viewer, brand_id=only)
    if log.empty:
        st.info(_("No downloads recorded yet."), icon=":material/info:")
    else:
        st.dataframe(log, hide_index=True, width="stretch", column_config={
            "created_at": st.column_config.DatetimeColumn(_("When (UTC)"),
                                                          format="D MMM YYYY HH:mm"),
            "username": _("Who"), "brand_code": None, "brand_name": _("Brand"),
            "extract": _("Extract"), "filters": st.column_config.TextColumn(_("Filters"),
                                                                            width="large"),
            "row_count": st.column_config.NumberColumn(_("Rows"), format="localized")})
with accounts_tab:
    st.caption(_("Every change to an account, newest first: accounts created, roles and "
                 "brands changed, accounts disabled or enabled, unlocked, signed out "
                 "everywhere, passwords reset or changed — by an administrator, by the users "
                 "file at start, or by the person themself. Passwords never appear here."))
    changes = accounts.list_account_changes(get_engine(), viewer, translate=_,
                                            ngettext=ngettext)
    if changes.empty:
        st.info(_("No account changes recorded yet."), icon=":material/info:")
    else:
        st.dataframe(changes, hide_index=True, width="stretch", column_config={
            "created_at": st.column_config.DatetimeColumn(_("When (UTC)"),
                                                          format="D MMM YYYY HH:mm"),
            "actor": _("Who"), "target": _("Account"), "brand": _("Brand"),
            "change": st.column_config.TextColumn(_("What"), width="large")})
