"""Sign-in, server-side sessions, the re-login cookie, password changes and sign-out.

streamlit-authenticator provides the session-state keys (``AuthenticationController``:
``authentication_status``, ``username``, ``name``…; its sign-in from a token and sign-out).
Everything that decides *whether* someone is signed in is ours, in ``data_access``:

* the password check, throttling per username and client, and the back-off
  (``accounts.authenticate``: the same work for unknown users, never an error page);
* a **server-side session** per sign-in (``data_access.sessions``): the re-login cookie is an
  HS256 JWT of ``username``, ``sid`` (the session id), ``iat`` and ``exp_date``, and every run
  — and every server-side action that does not rerun the page, through :func:`session_guard`
  and :func:`require_live_session` — checks that session: not signed out, not idle, not past
  its absolute end, not revoked by an administrator, account enabled. Sign-out and an idle
  timeout revoke the session in the database, so no copy of the cookie, no other tab and no
  reload brings it back;
* a temporary password (new account, reset) leads to the change-password screen and nowhere
  else until it is changed.

The form's submit is handled in a callback, so by the time ``app.py`` builds the navigation
the user is signed in (no "form above the page" rerun). The cookie is written and deleted by
one line of JavaScript in a hidden container that every run emits first in the main area, so
elements never move between runs (see :meth:`AuthGate._write_pending_cookie`; a component did
this before and cost extra runs, lost clicks and a duplicated table: docs/security.md F7–F9).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable

import altair as alt
import jwt
import pandas as pd
import streamlit as st
from sqlalchemy import Engine
from streamlit_authenticator.controllers import AuthenticationController

from data_access import accounts, passwords, sessions
from data_access.settings import Settings
from data_access.viewer import ROLE_LABELS, Viewer
from ui.components import plain
from ui.formatting import fmt_int, fmt_number
from ui.i18n import LOCALE_KEY, _, ngettext

COOKIE_NAME = "scd_auth"
# session-state keys owned by this module
SESSION_ID = "_auth_sid"
ISSUED_AT = "_auth_issued_at"
SET_COOKIE = "_auth_set_cookie"
DELETE_COOKIE = "_auth_delete_cookie"
LOGIN_MESSAGE = "_auth_message"
PASSWORD_MESSAGE = "_auth_password_message"  # noqa: S105 - a session-state key
FORM_USER = "login_username"
FORM_PASSWORD = "login_password"  # noqa: S105 - a widget key, not a password
# keys streamlit-authenticator owns; everything else is cleared at logout too
_STAUTH_KEYS = ("name", "username", "authentication_status", "email", "roles", "logout")

#: the container that holds the cookie script: emitted on every run, first in the main area,
#: so that every element after it keeps the same position from run to run
COOKIE_SLOT_KEY = "auth_cookie_slot"


class SessionEnded(RuntimeError):
    """The session behind a server-side action is no longer live: the action is refused."""


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
        backoff_after=settings.backoff_after_failures,
        backoff_max_seconds=settings.backoff_max_seconds,
    )


def session_policy_from(settings: Settings) -> sessions.SessionPolicy:
    return sessions.SessionPolicy(idle_minutes=settings.session_idle_minutes,
                                  max_hours=settings.session_max_hours)


def _minutes(seconds: int) -> str:
    minutes = max(1, round(seconds / 60))
    return ngettext("{n} minute", "{n} minutes", minutes).format(n=fmt_int(minutes))


def _wait(seconds: int) -> str:
    if seconds >= 90:
        return _minutes(seconds)
    return ngettext("{n} second", "{n} seconds", seconds).format(n=fmt_int(seconds))


def client_address(settings: Settings) -> str:
    """Who is asking, as far as the server can tell: the configured proxy header's last entry
    (the address the proxy itself saw), else the connection's address; 'local' for loopback
    and tests. Used to throttle failed sign-ins per client (data_access.throttle)."""
    if settings.client_ip_header:
        value = st.context.headers.get(settings.client_ip_header)
        last = value.split(",")[-1].strip() if isinstance(value, str) else ""
        if last:
            return last[:100]
    address = st.context.ip_address
    return address[:100] if isinstance(address, str) and address else "local"


def _end_message(reason: str, settings: Settings) -> tuple[str, str]:
    if reason == "idle":
        return ("info", _("You were signed out after {duration} without activity.").format(
            duration=_minutes(settings.session_idle_minutes * 60)))
    if reason == "expired":
        hours = settings.session_max_hours
        shown = ngettext("{n} hour", "{n} hours", 1 if hours == 1 else 2).format(
            n=fmt_number(hours, 0 if float(hours).is_integer() else 1))
        return ("info", _("Sessions last at most {duration}. Please sign in again.").format(
            duration=shown))
    if reason in sessions.REASONS:
        return ("info", _(sessions.REASONS[reason]))
    return ("info", _("Your session has ended. Please sign in again."))


# ---- server-side actions outside a script run ----------------------------------------------


def session_guard(*, pending_password_change: bool = False) -> Callable[[], Viewer]:
    """A check to call *inside* a server-side action that does not rerun the page (a download
    button's file callable runs on a worker thread, after the page, without session state):
    it captures this session now and, when called, raises :class:`SessionEnded` unless the
    session is still live (not signed out, not idle, not past its end, account enabled, no
    temporary password pending, unless ``pending_password_change`` — the password form
    itself). Returns the principal as it is *then*."""
    from ui.runtime import get_engine, get_settings

    session_id = st.session_state.get(SESSION_ID)
    engine, settings = get_engine(), get_settings()

    def check() -> Viewer:
        result = sessions.check_session(engine, session_id, session_policy_from(settings),
                                        allow_demo=settings.demo_mode)
        if not result.live or (result.must_change_password and not pending_password_change):
            raise SessionEnded("The session has ended: sign in again.")
        assert result.viewer is not None
        return result.viewer

    return check


def require_live_session(*, pending_password_change: bool = False) -> Viewer:
    """For a form callback or an action in the page: the live principal, or the run stops
    with the sign-in message (the session was ended in the meantime)."""
    try:
        return session_guard(pending_password_change=pending_password_change)()
    except SessionEnded:
        st.error(_("Your session has ended. Reload the page and sign in again."),
                 icon=":material/lock:")
        st.stop()
        raise


# ---- the gate --------------------------------------------------------------------------------


class AuthGate:
    """Built once per script run in ``app.py``, before anything else in the main area: the
    cookie slot it emits must be the area's first element in every run."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine
        self.policy = policy_from(settings)
        self.session_policy = session_policy_from(settings)
        self.must_change_password = False
        # streamlit-authenticator keeps the session-state keys; it is given only the account
        # being signed in (never the whole user table) and never checks a password itself
        self.auth = AuthenticationController({"usernames": {}}, auto_hash=False,
                                             secret_key=settings.cookie_key)
        self._write_pending_cookie()

    # ---- the re-login cookie ---------------------------------------------------------------

    def _new_cookie(self, username: str, session_id: str, issued: dt.datetime,
                    session_end: dt.datetime) -> dict[str, str]:
        """A re-login token naming the session, and its expiry: the cookie lifetime setting,
        but never later than the session's absolute end."""
        issued_ts = issued.replace(tzinfo=dt.UTC).timestamp()
        expires = min(issued_ts + self.settings.cookie_expiry_days * 86_400,
                      session_end.replace(tzinfo=dt.UTC).timestamp())
        token = jwt.encode({"username": username, "sid": session_id, "iat": int(issued_ts),
                            "exp_date": expires}, self.settings.cookie_key, algorithm="HS256")
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
        """The request's re-login token if it is genuine, unexpired and names a session.

        Signed with the cookie key, HS256 only (``alg: none`` and other algorithms are
        refused). After a sign-out in this session the browser's request headers still carry
        the old cookie: it is ignored (and its session is revoked anyway)."""
        if st.session_state.get("logout"):
            return None
        raw = st.context.cookies.get(COOKIE_NAME)
        if not raw:
            return None
        try:
            token = jwt.decode(raw, self.settings.cookie_key, algorithms=["HS256"],
                               options={"verify_iat": False})
            expires = float(token["exp_date"])
        except (jwt.InvalidTokenError, KeyError, TypeError, ValueError):
            return None
        if not isinstance(token.get("username"), str) or not isinstance(token.get("sid"), str) \
                or expires <= time.time():
            return None
        return token

    def _sign_in_as(self, username: str, display_name: str, email: str, role: str) -> None:
        """Set streamlit-authenticator's session-state keys for an account we verified."""
        self.auth.authentication_model.credentials["usernames"][username] = {
            "name": display_name, "email": email, "password": "", "roles": [role]}
        self.auth.login(token={"username": username})

    # ---- who is signed in ----------------------------------------------------------------

    def current_viewer(self) -> Viewer | None:
        """The signed-in principal after every server-side check; None when signed out.
        ``self.must_change_password`` says whether only the password screen may be shown."""
        if not st.session_state.get("authentication_status"):
            self._restore_from_cookie()
        if not st.session_state.get("authentication_status"):
            return None
        result = sessions.check_session(self.engine, st.session_state.get(SESSION_ID),
                                        self.session_policy, allow_demo=self.settings.demo_mode)
        if not result.live:
            self._end_session(*reversed(_end_message(result.reason, self.settings)))
            return None
        st.session_state["name"] = result.display_name
        self.must_change_password = result.must_change_password
        return result.viewer

    def _restore_from_cookie(self) -> None:
        token = self._cookie_token()
        if token is None:
            return
        result = sessions.check_session(self.engine, token["sid"], self.session_policy,
                                        allow_demo=self.settings.demo_mode)
        if not result.live or result.viewer is None \
                or result.viewer.username != accounts.normalise_username(token["username"]):
            # ended, revoked, idle, disabled or not this user's: the cookie is worthless; say
            # why the session ended (a genuine cookie of ours) and delete it from the browser
            if result.reason not in ("", "unknown"):
                st.session_state[LOGIN_MESSAGE] = _end_message(result.reason, self.settings)
                st.session_state[DELETE_COOKIE] = True
            return
        self._sign_in_as(result.viewer.username, result.display_name, "", result.viewer.role)
        st.session_state[SESSION_ID] = token["sid"]
        st.session_state[ISSUED_AT] = token.get("iat")

    # ---- sign in / sign out --------------------------------------------------------------

    def submit_login(self) -> None:
        """Form callback: throttling, password check, a new server-side session, the cookie."""
        username = accounts.normalise_username(str(st.session_state.get(FORM_USER, "")))
        password = str(st.session_state.get(FORM_PASSWORD, ""))
        st.session_state[FORM_PASSWORD] = ""
        if not username or not password:
            st.session_state[LOGIN_MESSAGE] = ("warning",
                                               _("Enter your username and password."))
            return
        client = client_address(self.settings)
        outcome = accounts.authenticate(self.engine, username, password, self.policy,
                                        client=client, allow_demo=self.settings.demo_mode)
        if outcome.status != "ok" or outcome.viewer is None:
            st.session_state["authentication_status"] = None
            st.session_state[LOGIN_MESSAGE] = ("error", self._failure_message(outcome))
            return
        session_id, issued, end = sessions.start_session(
            self.engine, outcome.viewer.username, self.session_policy, client=client)
        self._sign_in_as(outcome.viewer.username, outcome.display_name, outcome.email,
                         outcome.viewer.role)
        st.session_state[SESSION_ID] = session_id
        st.session_state[ISSUED_AT] = int(issued.replace(tzinfo=dt.UTC).timestamp())
        st.session_state["logout"] = None
        st.session_state[SET_COOKIE] = self._new_cookie(outcome.viewer.username, session_id,
                                                        issued, end)
        st.session_state.pop(DELETE_COOKIE, None)
        st.session_state.pop(LOGIN_MESSAGE, None)

    def _failure_message(self, outcome: accounts.SignIn) -> str:
        if outcome.status == "locked":
            return _("Too many failed sign-in attempts. Try again in {duration}, or ask an "
                     "administrator to unlock the account.").format(
                duration=_minutes(outcome.lock.retry_after_seconds))
        if outcome.status == "backoff":
            return _("Too many failed sign-in attempts for this username. Wait {duration} "
                     "before trying again.").format(
                duration=_wait(outcome.lock.retry_after_seconds))
        if outcome.status == "expired":
            return _("This temporary password has expired. Ask an administrator for a new "
                     "one.")
        return _("Username or password is incorrect.")

    def logout(self) -> None:
        """Sign-out callback: revoke this session server-side, clear the session, delete the
        cookie."""
        self._end_session(_("You have signed out."), level="success")

    def _end_session(self, message: str, level: str = "info") -> None:
        sessions.end_session(self.engine, st.session_state.get(SESSION_ID), "signed_out")
        self.auth.logout()
        for key in list(st.session_state.keys()):
            # the interface language outlives the sign-out (the sign-in page stays readable)
            if key not in _STAUTH_KEYS and key != LOCALE_KEY:
                del st.session_state[key]
        st.session_state["logout"] = True
        st.session_state[DELETE_COOKIE] = True
        st.session_state[LOGIN_MESSAGE] = (level, message)

    # ---- the sign-in page ----------------------------------------------------------------

    def render_login(self) -> None:
        """The only page a signed-out visitor can reach."""
        left, centre, right = st.columns([1, 2, 1])
        with centre:
            st.title(_("Supply-chain conditions dashboard"), anchor=False)
            st.caption(_(
                "Visibility, factory compliance and purchasing practices for your brand's "
                "suppliers, from Better Work assessments and your own orders."
            ))
            message = st.session_state.get(LOGIN_MESSAGE)
            if message:
                getattr(st, message[0])(message[1])
            with st.form("login", clear_on_submit=False, enter_to_submit=True):
                st.subheader(_("Sign in"), anchor=False)
                st.text_input(_("Username"), key=FORM_USER, autocomplete="username",
                              max_chars=200)
                st.text_input(_("Password"), type="password", key=FORM_PASSWORD,
                              autocomplete="current-password",
                              max_chars=passwords.MAX_SIGN_IN_LENGTH)
                st.form_submit_button(_("Login"), type="primary", on_click=self.submit_login,
                                      width="stretch")
            if self.settings.demo_mode:
                st.info(_(
                    "**Demo mode.** Sign in as `nordwind` / `nordwind-demo-2026` (a large "
                    "brand's manager), `lena` / `lena-demo-2026` (the same brand, view only), "
                    "`maple` / `maple-demo-2026` (a small brand) or `admin` / "
                    "`admin-demo-2026` (programme administrator). More in the README."),
                    icon=":material/science:",
                )
        del left, right
        _load_landing_page_code()

    # ---- changing one's password ---------------------------------------------------------

    def render_password_page(self) -> None:
        """Choose a new password: forced after signing in with a temporary password (then it
        is the only page), or from the sidebar's *Your account* link."""
        forced = self.must_change_password
        username = st.session_state.get("username") or ""
        left, centre, right = st.columns([1, 2, 1])
        del left, right
        with centre:
            st.title(_("Choose a new password") if forced else _("Your account"), anchor=False)
            if not forced:
                role = ROLE_LABELS.get(str((st.session_state.get("roles") or [""])[0]), "")
                st.caption(_("Signed in as {name} ({username}) · {role}").format(
                    name=plain(st.session_state.get("name") or username),
                    username=plain(username), role=_(role) if role else ""))
            else:
                st.info(_("You signed in with a temporary password. Choose your own password "
                          "to continue."), icon=":material/key:")
            message = st.session_state.pop(PASSWORD_MESSAGE, None)
            if message:
                getattr(st, message[0])(message[1])
            with st.form("change_password", clear_on_submit=True):
                if not forced:
                    st.subheader(_("Change your password"), anchor=False)
                    current = st.text_input(_("Current password"), type="password",
                                            autocomplete="current-password",
                                            max_chars=passwords.MAX_SIGN_IN_LENGTH)
                else:
                    current = None
                new = st.text_input(_("New password"), type="password",
                                    autocomplete="new-password",
                                    max_chars=passwords.MAX_LENGTH + 1)
                repeat = st.text_input(_("New password again"), type="password",
                                       autocomplete="new-password",
                                       max_chars=passwords.MAX_LENGTH + 1)
                st.caption(_("At least {min} characters — a few unrelated words are easy to "
                             "remember and hard to guess. Any characters, up to {max}; no rules "
                             "about digits or symbols. Common passwords and your own name are "
                             "refused.").format(min=fmt_int(passwords.MIN_LENGTH),
                                                max=fmt_int(passwords.MAX_LENGTH)))
                submitted = st.form_submit_button(_("Change password"), type="primary")
            if submitted:
                self._change_password(current, new, repeat, forced)

    def _change_password(self, current: str | None, new: str, repeat: str,
                         forced: bool) -> None:
        # the session may have ended while the form was open
        require_live_session(pending_password_change=forced)
        if new != repeat:
            st.session_state[PASSWORD_MESSAGE] = ("error", _("The two new passwords differ."))
            st.rerun()
        problems = accounts.change_own_password(
            self.engine, str(st.session_state.get("username") or ""), new,
            current_password=current, session_id=st.session_state.get(SESSION_ID),
            translate=_)
        if problems:
            st.session_state[PASSWORD_MESSAGE] = ("error", " ".join(problems))
        else:
            st.session_state[PASSWORD_MESSAGE] = (
                "success", _("Your password was changed. Your other sessions were signed out."))
        st.rerun()


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
