"""Sign-in, re-login cookie, session checks and sign-out, around streamlit-authenticator.

streamlit-authenticator provides the credential model and the session-state keys
(``AuthenticationController``: password check, sign-in from a token, sign-out). The signed
re-login cookie keeps its format (an HS256 JWT of ``username`` and ``exp_date``), read from the
request's cookies (``st.context.cookies``, as streamlit-authenticator 0.4.2 does). It is written
and deleted by one line of JavaScript in the page (``st.html``), not by the cookie component
streamlit-authenticator's ``CookieModel`` renders on every run: that component is an iframe
whose value triggers an extra script run, and a click that met that run was lost
(docs/security.md, F7/F8); it also delayed the first chart after signing in
(docs/performance.md).

We add what its 0.4.x lacks (see ../shared/DESIGN.md, "Known pitfalls"):

* lockout with a time window, stored in the database (its own counter is broken, #237);
* the same bcrypt work for unknown usernames (no user enumeration by timing);
* server-side revocation: a sign-in or cookie issued before the account's
  ``sessions_valid_after`` is refused, so logout ends copied cookies and other tabs (#91);
* an idle timeout;
* logout clears every brand-scoped key of ``st.session_state``, not only five (#166).

The form's submit is handled in a callback, so by the time ``app.py`` runs, the navigation is
already built for the signed-in user (no "form above the page" rerun glitch). The cookie script
follows in the same run and in every later one until the next sign-in or sign-out (see
``AuthGate._write_pending_cookie``).
"""

from __future__ import annotations

import datetime as dt
import json
import time

import altair as alt
import jwt
import pandas as pd
import streamlit as st
from sqlalchemy import Engine
from streamlit_authenticator.controllers import AuthenticationController

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


#: the container that holds the cookie script: emitted on every run, first in the main area,
#: so that every element after it keeps the same position from run to run
COOKIE_SLOT_KEY = "auth_cookie_slot"


def _hide(container_key: str) -> None:
    """Hide the keyed container and its layout wrapper, so that it takes no space (no gap)."""
    st.html(f"<style>.st-key-{container_key}, [data-testid='stLayoutWrapper']:has(> "
            f".st-key-{container_key}) {{display: none;}}</style>")


def _cookie_script(statement: str) -> str:
    return f"<script>{statement}</script>"


def _js_string(value: str) -> str:
    """``value`` as a JavaScript string literal that cannot close the ``<script>`` around it."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e")


def _set_cookie_js(token: str, expires_iso: str) -> str:
    """JavaScript that stores the re-login token (``Secure`` when the page is served over HTTPS).

    ``token`` is an HS256 JWT (base64url and dots) and ``expires_iso`` an ISO timestamp, both
    made by this module; they are still written as escaped string literals, never spliced
    raw."""
    return (f"document.cookie = {_js_string(COOKIE_NAME)} + '=' + {_js_string(token)}"
            f" + '; path=/; expires=' + new Date({_js_string(expires_iso)}).toUTCString()"
            " + '; SameSite=Strict' + (location.protocol === 'https:' ? '; Secure' : '');")


def _delete_cookie_js() -> str:
    return (f"document.cookie = {_js_string(COOKIE_NAME)}"
            " + '=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT; SameSite=Strict';")


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
    """Built once per script run in ``app.py``, before anything else in the main area: the
    cookie slot it emits must be the area's first element in every run."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine
        self.policy = policy_from(settings)
        self.auth = AuthenticationController(accounts.authenticator_credentials(engine),
                                             auto_hash=False, secret_key=settings.cookie_key)
        self._write_pending_cookie()

    # ---- the re-login cookie ---------------------------------------------------------------

    def _new_cookie(self, username: str) -> dict[str, str]:
        """A re-login token for ``username`` (streamlit-authenticator's format) and its expiry."""
        expires = time.time() + self.settings.cookie_expiry_days * 86_400
        token = jwt.encode({"username": username, "exp_date": expires},
                           self.settings.cookie_key, algorithm="HS256")
        return {"token": token,
                "expires": dt.datetime.fromtimestamp(expires, dt.UTC).isoformat()}

    def _write_pending_cookie(self) -> None:
        """Write or delete the re-login cookie with a line of JavaScript in the page.

        The script sits in a container emitted on every run (hidden, first in the main area):
        with or without a script in it, the page's elements keep their positions, so no run
        re-creates them. It is emitted on every run of the session until the next sign-in or
        sign-out: Streamlit keeps an unchanged element as it is (the script runs once), and a
        run superseded before the browser got it cannot lose the cookie. No component, so no
        value comes back and no extra script run starts (docs/security.md, F7)."""
        _hide(COOKIE_SLOT_KEY)
        slot = st.container(key=COOKIE_SLOT_KEY)
        pending = st.session_state.get(SET_COOKIE)
        if isinstance(pending, dict) and st.session_state.get("authentication_status"):
            script = _set_cookie_js(pending["token"], pending["expires"])
        elif st.session_state.get(DELETE_COOKIE):
            script = _delete_cookie_js()
        else:
            return
        with slot:
            st.html(_cookie_script(script), unsafe_allow_javascript=True)

    def _cookie_token(self) -> dict | None:
        """The request's re-login token if it is genuine and unexpired, else None.

        Signed with the cookie key, HS256 only (``alg: none`` and other algorithms are
        refused), naming a user and an expiry in the future. After a sign-out in this session
        the browser's request headers still carry the old cookie: it is ignored."""
        if st.session_state.get("logout"):
            return None
        raw = st.context.cookies.get(COOKIE_NAME)
        if not raw:
            return None
        try:
            token = jwt.decode(raw, self.settings.cookie_key, algorithms=["HS256"])
            expires = float(token["exp_date"])
        except (jwt.InvalidTokenError, KeyError, TypeError, ValueError):
            return None
        if not isinstance(token.get("username"), str) or expires <= time.time():
            return None
        return token

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
        token = self._cookie_token()
        if token is None:
            return
        issued = float(token["exp_date"]) - self.settings.cookie_expiry_days * 86_400
        viewer = accounts.principal_for_session(
            self.engine, token["username"],
            dt.datetime.fromtimestamp(issued, dt.UTC).replace(tzinfo=None),
        )
        if viewer is None:
            return  # revoked, disabled or unknown: the cookie is worthless
        try:
            self.auth.login(token=token)
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
        known = username in self.auth.authentication_model.credentials["usernames"]
        ok = False
        if known:
            ok = bool(self.auth.login(username, password))
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
        st.session_state[SET_COOKIE] = self._new_cookie(username)
        st.session_state.pop(DELETE_COOKIE, None)
        st.session_state.pop(LOGIN_MESSAGE, None)

    def logout(self) -> None:
        """Sign-out callback: revoke server-side, clear the session, delete the cookie."""
        username = st.session_state.get("username")
        if username:
            accounts.revoke_sessions(self.engine, username)
        self._end_session("You have signed out.", level="success")

    def _end_session(self, message: str, level: str = "info") -> None:
        self.auth.logout()
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
        _load_landing_page_code()


#: the container that loads the landing page's element code on the sign-in page (never shown)
PREFETCH_KEY = "signin_prefetch"


def _load_landing_page_code() -> None:
    """Have the browser load the code of the overview's elements while the user types.

    Streamlit's front end loads the code of an element type (metric, multiselect, Vega chart)
    the first time a page shows one. The sign-in page shows none, so after signing in the
    browser spent ≈ 1 s fetching and compiling that code before the overview's figures and
    chart appeared (docs/performance.md). One tiny element of each type, with no data, in a
    container hidden with ``display: none`` (so it is neither seen nor read out), makes the
    browser do that work on the sign-in page instead.
    """
    _hide(PREFETCH_KEY)
    with st.container(key=PREFETCH_KEY):
        st.metric("—", "—", label_visibility="collapsed")
        st.multiselect("—", [], key=f"{PREFETCH_KEY}_select", label_visibility="collapsed",
                       disabled=True)
        st.altair_chart(alt.Chart(pd.DataFrame({"x": [0]})).mark_bar().encode(x="x:Q"))
