"""Issuing and revoking API tokens (issue 18): one section, used by the *API access* page (a
brand manager, for its own brand; an administrator, for the brand chosen) and the *Data &
accounts* page (an administrator, for any brand).

A new token is shown once, in a code block with a copy button, and never again: only its
digest is stored. Every action checks the session again (``require_live_session``) and goes
through ``data_access.api_tokens``, which checks the permission and the brand and writes the
account audit.
"""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

from data_access import api_tokens
from data_access.errors import NotFound, PermissionDenied
from data_access.viewer import Viewer
from ui.auth import require_live_session
from ui.components import plain
from ui.formatting import fmt_date

FLASH = "api_token_flash"
VALIDITY = {30: "30 days", 90: "90 days", 180: "6 months", 365: "1 year"}


def _flash(key: str) -> None:
    shown = st.session_state.pop(f"{FLASH}_{key}", None)
    if not shown:
        return
    level, message, token = shown
    getattr(st, level)(message)
    if token:
        st.code(token, language=None)
        st.caption("Copy the token now: it is shown only this once and cannot be shown again "
                   "(the dashboard keeps only a fingerprint of it). Keep it in the secret store "
                   "of the tool that will use it, never in a shared file or an e-mail. Anyone "
                   "holding it can read this brand's data until it expires or is revoked.")


def _done(key: str, message: str, token: str | None = None, level: str = "success") -> None:
    st.session_state[f"{FLASH}_{key}"] = (level, message, token)
    st.rerun()


def token_management(engine: Engine, viewer: Viewer, brands: dict[int, str], *,
                     key: str, brand_id: int | None = None) -> None:
    """The list of tokens, a form to issue one and a form to revoke one.

    ``brands``: the brands tokens may be issued for (id → name); ``brand_id``: show and issue
    for that brand only (the API access page), None for every brand in ``brands`` (the
    administrator's page). ``key`` keeps the widgets of two uses apart.
    """
    _flash(key)
    try:
        tokens = api_tokens.list_tokens(engine, viewer, brand_id)
    except PermissionDenied as exc:
        st.error(str(exc), icon=":material/lock:")
        return
    if tokens.empty:
        st.info("No API tokens yet.", icon=":material/key_off:")
    else:
        shown = tokens.assign(token=api_tokens.TOKEN_MARK + "_" + tokens["prefix"] + "_…")
        columns = ["name", "token", "brand", "scope_label", "status", "created_by",
                   "created_at", "expires_at", "last_used_at", "revoked_by"]
        if brand_id is not None:
            columns.remove("brand")
        st.dataframe(
            shown, hide_index=True, width="stretch", column_order=columns,
            column_config={
                "name": "Name", "token": "Token (start)", "brand": "Brand",
                "scope_label": "May read", "status": "Status", "created_by": "Issued by",
                "created_at": st.column_config.DatetimeColumn("Issued (UTC)",
                                                              format="D MMM YYYY"),
                "expires_at": st.column_config.DatetimeColumn("Expires (UTC)",
                                                              format="D MMM YYYY"),
                "last_used_at": st.column_config.DatetimeColumn("Last used (UTC)",
                                                                format="D MMM YYYY, HH:mm"),
                "revoked_by": "Revoked by",
            })

    issue, revoke = st.columns(2)
    with issue.form(f"api_issue_{key}", clear_on_submit=True):
        st.markdown("**Issue a token**")
        name = st.text_input("Token name", max_chars=api_tokens.MAX_NAME_LENGTH,
                             key=f"api_name_{key}",
                             placeholder="What it is for, e.g. Power BI refresh")
        if brand_id is None:
            chosen = st.selectbox("Brand", list(brands), format_func=brands.get, index=None,
                                  placeholder="Choose a brand…", key=f"api_brand_{key}")
        else:
            chosen = brand_id
        scope = st.selectbox("May read", list(api_tokens.TOKEN_SCOPES), index=1,
                             format_func=api_tokens.SCOPE_LABELS.get, key=f"api_scope_{key}",
                             help="Summary extracts: supplier list, purchasing indicators, "
                                  "risk ranking, coverage by country, factory profiles. Every "
                                  "extract adds purchase orders, findings by compliance point "
                                  "and improvement-plan items.")
        days = st.selectbox("Valid for", list(VALIDITY), index=1, format_func=VALIDITY.get,
                            key=f"api_days_{key}")
        st.caption("Read-only: a token can never change anything. It reads one brand's data "
                   "and stops working when it expires or is revoked.")
        if st.form_submit_button("Issue token", type="primary"):
            actor = require_live_session()
            try:
                if chosen is None:
                    raise api_tokens.TokenError("Choose the brand the token belongs to.")
                issued = api_tokens.issue_token(engine, actor, int(chosen), name, scope=scope,
                                                days=int(days))
            except (api_tokens.TokenError, PermissionDenied) as exc:
                _done(key, plain(str(exc)), level="error")
            else:
                _done(key, f"Token “{plain(' '.join(name.split()))}” issued for "
                      f"{plain(brands.get(int(chosen), ''))}, valid until "
                      f"{fmt_date(issued.expires_at)}:", issued.token)

    live = tokens[tokens["status"] == "Active"] if not tokens.empty else tokens
    with revoke.form(f"api_revoke_{key}"):
        st.markdown("**Revoke a token**")
        labels = {int(r.token_id): f"{r.name} ({api_tokens.TOKEN_MARK}_{r.prefix}_…)"
                  + ("" if brand_id is not None else f" — {r.brand}")
                  for r in live.itertuples()} if not live.empty else {}
        target = st.selectbox("Token", list(labels), format_func=labels.get, index=None,
                              placeholder="Choose an active token…" if labels
                              else "No active token", key=f"api_revoke_choice_{key}")
        sure = st.checkbox("Yes, revoke it: it stops working at once", key=f"api_sure_{key}")
        if st.form_submit_button("Revoke token"):
            actor = require_live_session()
            if target is None:
                _done(key, "Choose the token to revoke.", level="warning")
            if not sure:
                _done(key, "Tick the box to confirm first.", level="warning")
            try:
                api_tokens.revoke_token(engine, actor, int(target))
            except (NotFound, PermissionDenied) as exc:
                _done(key, plain(str(exc)), level="error")
            else:
                _done(key, f"Token {plain(labels[int(target)])} revoked: it no longer works.")


def api_address(public_url: str | None) -> str:
    """Where brand users call the API, as the page says it."""
    return public_url or "the API address your programme administrator gives you"


def usage_example(public_url: str | None) -> str:
    base = public_url or "https://<API address>"
    return (f'curl -H "Authorization: Bearer $DASHBOARD_TOKEN" \\\n'
            f'     "{base}/v1/risk-ranking?limit=100"\n\n'
            f'curl -H "Authorization: Bearer $DASHBOARD_TOKEN" \\\n'
            f'     "{base}/v1/purchase-orders?format=csv&confirmed_from=2026-01-01" '
            f'-o orders.csv')
