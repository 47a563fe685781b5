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
from ui.i18n import N_, _

FLASH = "api_token_flash"
VALIDITY = {30: N_("30 days"), 90: N_("90 days"), 180: N_("6 months"), 365: N_("1 year")}


def _flash(key: str) -> None:
    shown = st.session_state.pop(f"{FLASH}_{key}", None)
    if not shown:
        return
    level, message, token = shown
    getattr(st, level)(message)
    if token:
        st.code(token, language=None)
        st.caption(_("Copy the token now: it is shown only this once and cannot be shown "
                     "again (the dashboard keeps only a fingerprint of it). Keep it in the "
                     "secret store of the tool that will use it, never in a shared file or an "
                     "e-mail. Anyone holding it can read this brand's data until it expires or "
                     "is revoked."))


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
        st.error(_(str(exc)), icon=":material/lock:")
        return
    if tokens.empty:
        st.info(_("No API tokens yet."), icon=":material/key_off:")
    else:
        shown = tokens.assign(token=api_tokens.TOKEN_MARK + "_" + tokens["prefix"] + "_…",
                              scope_label=tokens["scope_label"].map(_),
                              status=tokens["status"].map(_))
        columns = ["name", "token", "brand", "scope_label", "status", "created_by",
                   "created_at", "expires_at", "last_used_at", "revoked_by"]
        if brand_id is not None:
            columns.remove("brand")
        st.dataframe(
            shown, hide_index=True, width="stretch", column_order=columns,
            column_config={
                "name": _("Name"), "token": _("Token (start)"), "brand": _("Brand"),
                "scope_label": _("May read"), "status": _("Status"),
                "created_by": _("Issued by"),
                "created_at": st.column_config.DatetimeColumn(_("Issued (UTC)"),
                                                              format="D MMM YYYY"),
                "expires_at": st.column_config.DatetimeColumn(_("Expires (UTC)"),
                                                              format="D MMM YYYY"),
                "last_used_at": st.column_config.DatetimeColumn(_("Last used (UTC)"),
                                                                format="D MMM YYYY, HH:mm"),
                "revoked_by": _("Revoked by"),
            })

    issue, revoke = st.columns(2)
    with issue.form(f"api_issue_{key}", clear_on_submit=True):
        st.markdown(_("**Issue a token**"))
        name = st.text_input(_("Token name"), max_chars=api_tokens.MAX_NAME_LENGTH,
                             key=f"api_name_{key}",
                             placeholder=_("What it is for, e.g. Power BI refresh"))
        if brand_id is None:
            chosen = st.selectbox(_("Brand"), list(brands), format_func=brands.get, index=None,
                                  placeholder=_("Choose a brand…"), key=f"api_brand_{key}")
        else:
            chosen = brand_id
        scope_labels = {code: _(label) for code, label in api_tokens.SCOPE_LABELS.items()}
        scope = st.selectbox(_("May read"), list(api_tokens.TOKEN_SCOPES), index=1,
                             format_func=scope_labels.get, key=f"api_scope_{key}",
                             help=_("Summary extracts: supplier list, purchasing indicators, "
                                    "risk ranking, coverage by country, factory profiles. "
                                    "Every extract adds purchase orders, findings by "
                                    "compliance point and improvement-plan items."))
        validity = {days: _(label) for days, label in VALIDITY.items()}
        days = st.selectbox(_("Valid for"), list(validity), index=1,
                            format_func=validity.get, key=f"api_days_{key}")
        st.caption(_("Read-only: a token can never change anything. It reads one brand's data "
                     "and stops working when it expires or is revoked."))
        if st.form_submit_button(_("Issue token"), type="primary"):
            actor = require_live_session()
            try:
                if chosen is None:
                    raise api_tokens.TokenError(N_("Choose the brand the token belongs to."))
                issued = api_tokens.issue_token(engine, actor, int(chosen), name, scope=scope,
                                                days=int(days))
            except (api_tokens.TokenError, PermissionDenied) as exc:
                _done(key, plain(_(str(exc))), level="error")
            else:
                _done(key, _("Token “{name}” issued for {brand}, valid until {date}:").format(
                    name=plain(" ".join(name.split())), brand=plain(brands.get(int(chosen), "")),
                    date=fmt_date(issued.expires_at)), issued.token)

    live = tokens[tokens["status"] == "Active"] if not tokens.empty else tokens
    with revoke.form(f"api_revoke_{key}"):
        st.markdown(_("**Revoke a token**"))
        labels = {int(r.token_id): f"{r.name} ({api_tokens.TOKEN_MARK}_{r.prefix}_…)"
                  + ("" if brand_id is not None else f" — {r.brand}")
                  for r in live.itertuples()} if not live.empty else {}
        target = st.selectbox(_("Token"), list(labels), format_func=labels.get, index=None,
                              placeholder=_("Choose an active token…") if labels
                              else _("No active token"), key=f"api_revoke_choice_{key}")
        sure = st.checkbox(_("Yes, revoke it: it stops working at once"),
                           key=f"api_sure_{key}")
        if st.form_submit_button(_("Revoke token")):
            actor = require_live_session()
            if target is None:
                _done(key, _("Choose the token to revoke."), level="warning")
            if not sure:
                _done(key, _("Tick the box to confirm first."), level="warning")
            try:
                api_tokens.revoke_token(engine, actor, int(target))
            except (NotFound, PermissionDenied) as exc:
                _done(key, plain(_(str(exc))), level="error")
            else:
                _done(key, _("Token {token} revoked: it no longer works.").format(
                    token=plain(labels[int(target)])))


def api_address(public_url: str | None) -> str:
    """Where brand users call the API, as the page says it."""
    return public_url or _("the API address your programme administrator gives you")


def usage_example(public_url: str | None) -> str:
    base = public_url or "https://<API address>"
    return (f'curl -H "Authorization: Bearer $DASHBOARD_TOKEN" \\\n'
            f'     "{base}/v1/risk-ranking?limit=100"\n\n'
            f'curl -H "Authorization: Bearer $DASHBOARD_TOKEN" \\\n'
            f'     "{base}/v1/purchase-orders?format=csv&confirmed_from=2026-01-01" '
            f'-o orders.csv')
