"""Administration: the installation's database and data version, user management and every
brand's API tokens (``ui.api_tokens``).

Administrators create accounts (a temporary password, shown once, which must be changed at the
first sign-in), change role and brand, disable and enable, unlock, sign an account out
everywhere and reset passwords. Every change goes through ``data_access.accounts`` (which
checks the permission and writes the account audit) after the session is checked again.
"""

from __future__ import annotations

import streamlit as st

from data_access import accounts
from data_access.admin import installation_summary
from data_access.errors import NotFound, PermissionDenied
from data_access.viewer import ROLE_LABELS, ROLES
from ui import data, state
from ui.api_tokens import token_management
from ui.auth import require_live_session, session_policy_from
from ui.components import accounts_brand_column, fmt_int, plain, table_label
from ui.formatting import fmt_date
from ui.i18n import N_, _, ngettext
from ui.runtime import STARTUP_WARNINGS, get_engine, get_settings

FLASH = "admin_accounts_flash"
ACTIONS = {
    "unlock": N_("Clear the failed sign-ins (unlock)"),
    "sign_out": N_("Sign the account out everywhere"),
    "reset": N_("Reset the password (a temporary password, shown once)"),
    "disable": N_("Disable the account (signs it out at once)"),
    "enable": N_("Enable the account"),
}

viewer = state.viewer()
state.keep_only_params()
st.title(_("Data & accounts"))
try:
    viewer.require("manage_accounts")
    engine = get_engine()
    summary = installation_summary(engine, viewer)
    users = accounts.list_accounts(engine, viewer, session_policy_from(get_settings()))
except PermissionDenied as exc:
    st.error(_(str(exc)), icon=":material/lock:")
    st.stop()

for warning in STARTUP_WARNINGS:
    st.warning(plain(warning), icon=":material/warning:")

flash = st.session_state.pop(FLASH, None)
if flash:
    level, message, secret = flash
    getattr(st, level)(message)
    if secret:
        st.code(secret, language=None)
        st.caption(_("Give this temporary password to the person by a separate channel. It "
                     "is shown only now, works for {hours} hours and must be changed at the "
                     "first sign-in.").format(hours=fmt_int(accounts.TEMPORARY_PASSWORD_HOURS)))


def _done(message: str, secret: str | None = None, level: str = "success") -> None:
    st.session_state[FLASH] = (level, message, secret)
    st.rerun()


def _attempt(action, success: str, *, secret: bool = False) -> None:
    """Run an account change after checking the session again; report the outcome."""
    actor = require_live_session()
    try:
        result = action(actor)
    except accounts.AccountError as exc:
        _done(plain(exc.translated(_)), level="error")
    except (NotFound, PermissionDenied) as exc:
        _done(plain(_(str(exc))), level="error")
    else:
        _done(success, result if secret else None)


brands = data.visible_brands(viewer, data.data_version())
brand_names = dict(zip(brands["brand_id"], brands["name"], strict=True))

role_labels = {code: _(label) for code, label in ROLE_LABELS.items()}
source_labels = {code: _(label) for code, label in accounts.SOURCE_LABELS.items()}
st.subheader(_("Accounts"))
st.caption(_("Accounts come from the users file (applied at every start) or are created here. "
             "Changes made here to a users-file account stay until its entry in the file "
             "changes; accounts created here are never changed by the file."))
st.dataframe(
    users.assign(brand=accounts_brand_column(users), role_label=users["role"].map(role_labels),
                 source=users["provisioned_from"].map(source_labels)),
    hide_index=True, width="stretch",
    column_order=["username", "display_name", "role_label", "brand", "source", "disabled",
                  "locked", "must_change_password", "sessions", "last_login_at"],
    column_config={
        "username": _("Username"), "display_name": _("Name"), "role_label": _("Role"),
        "brand": _("Brand"), "source": _("Source"), "disabled": _("Disabled"),
        "locked": _("Locked out"), "must_change_password": _("Temporary password"),
        "sessions": st.column_config.NumberColumn(_("Signed in (sessions)")),
        "last_login_at": st.column_config.DatetimeColumn(_("Last sign-in (UTC)"),
                                                         format="D MMM YYYY, HH:mm"),
    },
)

manage, create = st.tabs([_("Manage an account"), _("Create an account")])

with manage:
    names = dict(zip(users["username"], users["display_name"], strict=True))
    chosen = st.selectbox(_("Account"), list(names), index=None, key="admin_account",
                          format_func={u: f"{u} — {n}" for u, n in names.items()}.get,
                          placeholder=_("Choose an account…"))
    if chosen is not None:
        row = users.loc[users["username"] == chosen].iloc[0]
        sessions = int(row["sessions"])
        facts = [_("Role: {role}").format(role=role_labels.get(row["role"], row["role"])),
                 _("Source: {source}").format(source=source_labels.get(row["provisioned_from"],
                                                                       "—")),
                 ngettext("Signed in now: {n} session", "Signed in now: {n} sessions",
                          sessions).format(n=fmt_int(sessions))]
        if row["brand"]:
            facts.insert(1, _("Brand: {brand}").format(brand=row["brand"]))
        if row["disabled"]:
            facts.append(_("Disabled"))
        if row["locked"]:
            facts.append(_("Locked out after failed sign-ins"))
        st.text(" · ".join(facts))

        left, right = st.columns(2)
        with left.form("admin_role"):
            st.markdown(_("**Role and brand**"))
            role = st.selectbox(_("Role"), ROLES, index=ROLES.index(row["role"]),
                                format_func=role_labels.get, key="admin_role")
            brand_ids = list(brand_names)
            current = row["brand_id"] if row["brand_id"] in brand_names else None
            brand_id = st.selectbox(_("Brand (for brand roles)"), brand_ids,
                                    index=brand_ids.index(current) if current is not None
                                    else None, format_func=brand_names.get,
                                    placeholder=_("Choose a brand…"), key="admin_brand")
            st.caption(_("Changing the role or brand signs the account out; it signs in again "
                         "as what it now is."))
            if st.form_submit_button(_("Save role and brand")):
                _attempt(lambda actor: accounts.change_role(
                    engine, actor, chosen, role, None if role == "admin" else brand_id),
                    _("Saved: {account} is now {role}.").format(account=plain(chosen),
                                                                 role=role_labels[role]))
        with right.form("admin_action"):
            st.markdown(_("**Other changes**"))
            action_labels = {code: _(label) for code, label in ACTIONS.items()}
            action = st.radio(_("What to do"), list(ACTIONS), format_func=action_labels.get,
                              label_visibility="collapsed", key="admin_action")
            sure = st.checkbox(_("Yes, do this to {account}").format(account=plain(chosen)),
                               key="admin_confirm")
            if st.form_submit_button(_("Apply"), type="primary"):
                if not sure:
                    _done(_("Tick the box to confirm first."), level="warning")
                if action == "unlock":
                    _attempt(lambda actor: accounts.unlock_account(engine, actor, chosen),
                             _("The failed sign-ins of {account} were cleared.").format(
                                 account=plain(chosen)))
                elif action == "sign_out":
                    _attempt(lambda actor: accounts.force_sign_out(engine, actor, chosen),
                             _("{account} was signed out everywhere.").format(
                                 account=plain(chosen)))
                elif action == "reset":
                    _attempt(lambda actor: accounts.reset_password(engine, actor, chosen),
                             _("New temporary password for {account} (every session was "
                               "signed out):").format(account=plain(chosen)), secret=True)
                elif action in ("disable", "enable"):
                    _attempt(lambda actor: accounts.set_disabled(
                        engine, actor, chosen, action == "disable"),
                        (_("{account} was disabled.") if action == "disable"
                         else _("{account} was enabled.")).format(account=plain(chosen)))

with create, st.form("admin_create", clear_on_submit=True):
    st.markdown(_("**A new account**"))
    username = st.text_input(_("Username"), max_chars=80, key="new_username",
                             help=_("Letters a–z, digits and . _ @ - (not case-sensitive)."))
    display_name = st.text_input(_("Name"), max_chars=200, key="new_name")
    email = st.text_input(_("E-mail (optional)"), max_chars=200, key="new_email")
    new_role = st.selectbox(_("Role"), ROLES, index=0, format_func=role_labels.get,
                            key="new_role")
    new_brand = st.selectbox(_("Brand (for brand roles)"), list(brand_names), index=None,
                             format_func=brand_names.get, placeholder=_("Choose a brand…"),
                             key="new_brand")
    st.caption(_("Brand viewers see their brand's pages and download summary extracts; brand "
                 "managers also download order-, finding- and plan-level extracts."))
    if st.form_submit_button(_("Create account"), type="primary"):
        _attempt(lambda actor: accounts.create_account(
            engine, actor, username, display_name, email, new_role,
            None if new_role == "admin" else new_brand),
            _("Account {account} created. Its temporary password:").format(
                account=plain(accounts.normalise_username(username))), secret=True)

st.subheader(_("API tokens"))
st.caption(_("Read-only tokens for the HTTP API, one brand each, shown once when issued. Brand "
             "managers issue and revoke their own brand's on the API access page. Disabling "
             "an account, or changing its role or brand, revokes the tokens it issued."))
token_management(engine, viewer, {int(k): str(v) for k, v in brand_names.items()}, key="admin")

st.subheader(_("Database"))
st.text(f"{summary['database']} ({summary['dialect']})")
state_ = summary["state"]
if state_["updated_at"]:
    st.text(_("Data version {version}, last changed {date} {time} UTC — {source}").format(
        version=fmt_int(state_["data_version"]), date=fmt_date(state_["updated_at"]),
        time=f"{state_['updated_at']:%H:%M}", source=state_["source"]))
else:
    st.text(_("No data loaded yet."))
st.dataframe(summary["row_counts"].assign(table=lambda f: f["table"].map(table_label)),
             hide_index=True, width="stretch",
             column_config={"table": _("Table"),
                            "rows": st.column_config.NumberColumn(_("Rows"),
                                                                  format="localized")})
