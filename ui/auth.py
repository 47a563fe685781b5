"""Sign-in, re-login cookie, session checks and sign-out, around streamlit-authenticator.

streamlit-authenticator provides the credential model (``authentication_controller``), the
session-state keys and the signed re-login cookie (``cookie_controller``). We add what its 0.4.x
lacks (see ../shared/DESIGN.md, "Known pitfalls"):

* lockout with a time window, stored in the database (its own counter is broken, #237);
* the same bcrypt work for unknown usernames (no user enumeration by timing);
* server-side revocation: a sign-in or cookie issued before the account's
  ``sessions_valid_after`` is refused, so logout ends copied cookies and other tabs (#91);
* an idle timeout;
* logout clears every brand-scoped key of ``st.session_state``, not only five (#166).

The form's submit is handled in a callback, so by the time ``app.py`` runs, the navigation is
already built for the signed-in user (no "form above the page" rerun glitch). Setting and
deleting the cookie happens in the next script run, where the cookie component is rendered.
"""

from __future__ import annotations

import datetime as dt
import time

import jwt
import streamlit as st
import streamlit_authenticator as stauth
from sqlalchemy import Engine

from data_access import accounts
from data_access.settings import Settings
from data_access.viewer import Viewer

COOKIE_NAME = "scd_auth"
# session-state keys owned by this module
ISSUED_AT = "_auth_issued_at"
LAST_SEEN = "_auth_last_seen"
SET_COOKIE = "_auth_set_cookie"
DELETE_COOKIE = "_auth_delete_cookie"
LOGIN_MESSAGE = "_auth_message"
FORM_USER = "login_username"
FORM_PASSWORD = "login_password"  # noqa: S105 - a widget key, not a password
# keys streamlit-authenticator owns; everything else is cleared at logout too
_STAUTH_KEYS = ("name", "username", "authentication_status", "email", "roles", "logout")


def policy_from(settings: Settings) -> accounts.LockoutPolicy:
    return accounts.LockoutPolicy(
        max_attempts=settings.lockout_attempts,
        window_minutes=settings.lockout_window_minutes,
        lock_minutes=settings.lockout_minutes,
    )


def _minutes(seconds: int) -> str:
    minutes = max(1, round(seconds / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


class AuthGate:
    """Built once per script run in ``app.py`` (one cookie component per run, #156)."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine
        self.policy = policy_from(settings)
        self.authenticator = stauth.Authenticate(
            accounts.authenticator_credentials(engine),
            cookie_name=COOKIE_NAME,
            cookie_key=settings.cookie_key,
            cookie_expiry_days=settings.cookie_expiry_days,
            auto_hash=False,
        )
        if st.session_state.pop(SET_COOKIE, False) and st.session_state.get(
            "authentication_status"
        ):
            self.authenticator.cookie_controller.set_cookie()
        if st.session_state.pop(DELETE_COOKIE, False):
            self.authenticator.cookie_controller.delete_cookie()

    # ---- who is signed in ----------------------------------------------------------------

    def current_viewer(self) -> Viewer | None:
        """The signed-in principal, after every server-side check; None when signed out."""
        if not st.session_state.get("authentication_status"):
            self._restore_from_cookie()
        if not st.session_state.get("authentication_status"):
            return None
        username = st.session_state.get("username") or ""
        issued_at = st.session_state.get(ISSUED_AT)
        now = time.time()
        last_seen = st.session_state.get(LAST_SEEN, now)
        if now - last_seen > self.settings.session_idle_minutes * 60:
            self._end_session("You were signed out after "
                              f"{self.settings.session_idle_minutes} minutes without activity.")
            return None
        viewer = None
        if issued_at is not None:
            viewer = accounts.principal_for_session(
                self.engine, username, dt.datetime.fromtimestamp(issued_at, dt.UTC)
                .replace(tzinfo=None)
            )
        if viewer is None:
            self._end_session("Your session has ended. Please sign in again.")
            return None
        st.session_state[LAST_SEEN] = now
        return viewer

    def _restore_from_cookie(self) -> None:
        try:
            token = self.authenticator.cookie_controller.get_cookie()
        except jwt.InvalidTokenError:
            # streamlit-authenticator catches a bad signature but not a token with another
            # algorithm ("none", HS512…): a forged cookie is worthless, never an error page
            return
        if not isinstance(token, dict) or "exp_date" not in token:
            return
        try:
            issued = float(token["exp_date"]) - self.settings.cookie_expiry_days * 86_400
        except (TypeError, ValueError):  # a signed token of another shape
            return
        viewer = accounts.principal_for_session(
            self.engine, str(token.get("username", "")),
            dt.datetime.fromtimestamp(issued, dt.UTC).replace(tzinfo=None),
        )
        if viewer is None:
            return  # revoked, disabled or unknown: the cookie is worthless
        try:
            self.authenticator.authentication_controller.login(token=token)
        except Exception:  # noqa: BLE001 - stauth raises LoginError for unknown users
            return
        st.session_state[ISSUED_AT] = issued
        st.session_state[LAST_SEEN] = time.time()

    # ---- sign in / sign out --------------------------------------------------------------

    def submit_login(self) -> None:
        """Form callback: lockout check, password check (via streamlit-authenticator), audit."""
        username = accounts.normalise_username(str(st.session_state.get(FORM_USER, "")))
        password = str(st.session_state.get(FORM_PASSWORD, ""))
        st.session_state[FORM_PASSWORD] = ""
        if not username or not password:
            st.session_state[LOGIN_MESSAGE] = ("warning", "Enter your username and password.")
            return
        lock = accounts.lock_state(self.engine, username, self.policy)
        if lock.locked:
            st.session_state[LOGIN_MESSAGE] = (
                "error",
                "Too many failed sign-in attempts. Try again in "
                f"{_minutes(lock.retry_after_seconds)}, or ask an administrator to unlock "
                "the account.",
            )
            return
        known = username in self.authenticator.authentication_controller.\
            authentication_model.credentials["usernames"]
        ok = False
        if known:
            ok = bool(self.authenticator.authentication_controller.login(username, password))
        else:
            accounts.verify_password(self.engine, username, password)  # same bcrypt work
        if not ok:
            st.session_state["authentication_status"] = None
            lock = accounts.record_failed_login(self.engine, username, self.policy)
            if lock.locked:
                message = ("Too many failed sign-in attempts. Try again in "
                           f"{_minutes(lock.retry_after_seconds)}.")
            else:
                message = "Username or password is incorrect."
            st.session_state[LOGIN_MESSAGE] = ("error", message)
            return
        accounts.record_successful_login(self.engine, username)
        st.session_state[ISSUED_AT] = time.time()
        st.session_state[LAST_SEEN] = time.time()
        st.session_state["logout"] = None
        st.session_state[SET_COOKIE] = True
        st.session_state.pop(LOGIN_MESSAGE, None)

    def logout(self) -> None:
        """Sign-out callback: revoke server-side, clear the session, delete the cookie."""
        username = st.session_state.get("username")
        if username:
            accounts.revoke_sessions(self.engine, username)
        self._end_session("You have signed out.", level="success")

    def _end_session(self, message: str, level: str = "info") -> None:
        self.authenticator.authentication_controller.logout()
        for key in list(st.session_state.keys()):
            if key not in _STAUTH_KEYS:
                del st.session_state[key]
        st.session_state["logout"] = True
        st.session_state[DELETE_COOKIE] = True
        st.session_state[LOGIN_MESSAGE] = (level, message)

    # ---- the sign-in page ----------------------------------------------------------------

    def render_login(self) -> None:
        """The only page a signed-out visitor can reach."""
        left, centre, right = st.columns([1, 2, 1])
        with centre:
            st.title("Supply-chain conditions dashboard")
            st.caption(
                "Visibility, factory compliance and purchasing practices for your brand's "
                "suppliers, from Better Work assessments and your own orders."
            )
            message = st.session_state.get(LOGIN_MESSAGE)
            if message:
                getattr(st, message[0])(message[1])
            with st.form("login", clear_on_submit=False, enter_to_submit=True):
                st.subheader("Sign in")
                st.text_input("Username", key=FORM_USER, autocomplete="username")
                st.text_input("Password", type="password", key=FORM_PASSWORD,
                              autocomplete="current-password")
                st.form_submit_button("Login", type="primary", on_click=self.submit_login,
                                      width="stretch")
            if self.settings.demo_mode:
                st.info(
                    "**Demo mode.** Sign in as `nordwind` / `nordwind-demo-2026` (a large "
                    "brand), `maple` / `maple-demo-2026` (a small brand) or `admin` / "
                    "`admin-demo-2026` (programme administrator). More in the README.",
                    icon=":material/science:",
                )
        _ = (left, right)
