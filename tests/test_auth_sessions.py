"""Authentication and sessions: lockout, logout and revocation, cookies, configuration refusals,
admin-only pages and operations.

* Lockout: count and duration come from the settings (AppTest through the real form); expiry
  and the failure window are checked on the account functions with an explicit ``now`` on
  SQLite and PostgreSQL.
* Logout: the session state is emptied (AppTest); in a real browser the ``scd_auth`` cookie is
  deleted, and a copy of it taken before logout no longer signs anyone in (server-side
  revocation through ``app_user.sessions_valid_after``) — with the positive control that the
  same copy *did* sign in before logout.
* Cookies: a token signed with a wrong key, an edited payload, an ``alg`` other than HS256, an
  expired token and a token for an unknown user are all refused with the sign-in form; a token
  correctly signed with the server's key is accepted (the control that proves the forged ones
  were well-formed — and that the cookie key is the whole secret).
* Configuration: outside demo mode a server without a cookie key (or with a short one, the
  bundled demo users, a missing users file) refuses to start and says why.
* Admin-only: every page registered ``admin_only`` in ``app.py`` refuses a brand user when its
  script runs directly, and every administrator operation of ``data_access`` raises
  ``PermissionDenied`` for a brand viewer.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import secrets
import time
from pathlib import Path

import jwt
import pytest
import streamlit as st
from playwright.sync_api import expect
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from data_access import accounts, extracts, sessions
from data_access.accounts import LockoutPolicy
from data_access.admin import installation_summary
from data_access.errors import PermissionDenied
from data_access.importing import import_csv, list_import_runs
from data_access.viewer import Viewer
from tests.apphelpers import APP, ROOT, TIMEOUT, brand_id, figures_shown, sign_in
from tests.browserhelpers import EXCEPTION, StreamlitServer, sign_in_and_wait, sqlite_copy
from tests.browserhelpers import sign_in as sign_in_browser
from tests.e2e.conftest import wait_until_settled
from tests.pagespecs import admin_pages

COOKIE = "scd_auth"
COOKIE_KEY = secrets.token_urlsafe(48)  # this module's servers are started with it
LOCKED = "Too many failed sign-in attempts"
SESSIONS = sessions.SessionPolicy()


# ---- lockout ------------------------------------------------------------------------------------


def _attempt(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    at.button[0].click().run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize(("attempts", "minutes"), [(2, 7), (4, 1)])
def test_lockout_count_and_duration_come_from_the_settings(app_env, monkeypatch, attempts,
                                                           minutes):
    monkeypatch.setenv("DASHBOARD_LOCKOUT_ATTEMPTS", str(attempts))
    monkeypatch.setenv("DASHBOARD_LOCKOUT_MINUTES", str(minutes))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    for _ in range(attempts - 1):
        _attempt(at, "atlas", "wrong-password")
        assert [e.value for e in at.error] == ["Username or password is incorrect."]
    started = accounts.utcnow()
    _attempt(at, "atlas", "wrong-password")
    unit = "minute" if minutes == 1 else "minutes"
    assert [e.value for e in at.error] == [
        f"{LOCKED}. Try again in {minutes} {unit}, or ask an administrator to unlock the "
        "account."]

    # locked: even the right password is refused, and no data is shown
    _attempt(at, "atlas", "atlas-demo-2026")
    assert at.session_state["authentication_status"] is not True
    assert any(LOCKED in e.value for e in at.error)
    assert not figures_shown(at)
    with app_env.connect() as conn:
        count, locked_until = conn.execute(text(
            "SELECT failed_count, locked_until FROM login_throttle WHERE username = 'atlas' "
            "AND client = 'local'"
        )).one()
    locked_until = locked_until if isinstance(locked_until, dt.datetime) \
        else dt.datetime.fromisoformat(str(locked_until))
    assert count == attempts
    assert abs((locked_until - started).total_seconds() - 60 * minutes) < 30

    # once the lock has run out (moved into the past here), the right password works again
    with app_env.begin() as conn:
        conn.execute(text("UPDATE login_throttle SET locked_until = :t WHERE username = 'atlas' "
                          "AND client = 'local'"),
                     {"t": accounts.utcnow() - dt.timedelta(seconds=1)})
    _attempt(at, "atlas", "atlas-demo-2026")
    assert at.session_state["authentication_status"] is True
    assert at.title[0].value == "Atlas Outdoor — overview"


def test_lockout_expires_and_counts_only_failures_inside_the_window(writable_engine):
    engine = writable_engine
    policy = LockoutPolicy(max_attempts=3, window_minutes=15, lock_minutes=10)
    t0 = dt.datetime(2026, 3, 1, 9, 0, 0)
    minute = dt.timedelta(minutes=1)
    name = "someone"

    # failures spread wider than the window never lock
    for i in range(6):
        state = accounts.record_failed_login(engine, name, policy, now=t0 + i * 16 * minute)
        assert not state.locked and state.failed_count == 1

    t1 = t0 + dt.timedelta(days=1)
    assert not accounts.record_failed_login(engine, name, policy, now=t1).locked
    assert not accounts.record_failed_login(engine, name, policy, now=t1 + minute).locked
    third = accounts.record_failed_login(engine, name, policy, now=t1 + 2 * minute)
    assert third.locked and third.retry_after_seconds == 600
    locked_at = t1 + 2 * minute
    assert accounts.lock_state(engine, name, policy, now=locked_at + 9 * minute).locked
    almost = accounts.lock_state(engine, name, policy,
                                 now=locked_at + 10 * minute - dt.timedelta(seconds=1))
    assert almost.locked and almost.retry_after_seconds <= 2
    assert not accounts.lock_state(engine, name, policy, now=locked_at + 10 * minute).locked
    # after expiry the count starts again: one more failure does not re-lock
    again = accounts.record_failed_login(engine, name, policy, now=locked_at + 11 * minute)
    assert not again.locked and again.failed_count == 1

    # usernames are normalised, so case and spaces do not buy extra attempts
    for variant in ("Other", " other", "OTHER "):
        state = accounts.record_failed_login(engine, variant, policy, now=t1)
    assert state.locked
    assert accounts.lock_state(engine, "other", policy, now=t1 + minute).locked
    # a success clears the counter
    accounts.record_successful_login(engine, "other", now=t1 + 30 * minute)
    assert accounts.lock_state(engine, "other", policy, now=t1 + 30 * minute).failed_count == 0


# ---- sessions: logout, revocation, idle timeout (AppTest) ----------------------------------------


def _session_row(engine, session_id: str):
    with engine.connect() as conn:
        return conn.execute(text(
            "SELECT revoked_at, revoked_reason, last_seen_at FROM user_session "
            "WHERE id_hash = :h"), {"h": sessions.hash_session_id(session_id)}).one()


def test_logout_clears_every_session_key_and_revokes_the_sign_in(app_env):
    at = sign_in("nordwind", "nordwind-demo-2026")
    session_id = at.session_state["_auth_sid"]
    assert sessions.check_session(app_env, session_id, SESSIONS).live
    at.switch_page(str(ROOT / "pages" / "brand" / "suppliers.py")).run()
    at.text_input(key="filter_q").input("a").run()
    at.multiselect(key="filter_countries").set_value(["VN"]).run()
    assert not at.exception

    at.sidebar.button[0].click().run()
    assert not at.exception
    left = set(at.session_state.keys())
    assert not {k for k in left if k.startswith("filter_")}
    assert {"viewer", "profile_factory_id", "compare_ids", "_auth_sid"}.isdisjoint(left)
    assert at.session_state["authentication_status"] is None
    assert at.session_state["username"] is None
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    assert not figures_shown(at) and not at.dataframe

    at.run()  # a rerun (refresh, back button) of the same session stays signed out
    assert [t.label for t in at.text_input] == ["Username", "Password"]

    assert _session_row(app_env, session_id).revoked_reason == "signed_out"
    assert not sessions.check_session(app_env, session_id, SESSIONS).live
    fresh = sign_in("nordwind", "nordwind-demo-2026")  # a new sign-in is a new session
    assert fresh.title[0].value == "Nordwind Apparel — overview"
    assert fresh.session_state["_auth_sid"] != session_id


@pytest.fixture
def with_cookie(monkeypatch):
    """Give the app's requests a re-login cookie (AppTest has no cookie jar): every run reads
    ``st.context.cookies``, here replaced for the test."""
    jar: dict[str, str] = {}
    monkeypatch.setattr(type(st.context), "cookies", property(lambda self: dict(jar)))
    return jar


def test_a_signed_out_cookie_stays_refused_when_the_lifetime_setting_shrinks(
        app_env, monkeypatch, with_cookie):
    """Finding 7: the issue time was derived from the cookie's expiry minus the *current*
    lifetime setting, so shortening the setting after a sign-out made the signed-out cookie
    look newer than the sign-out and signed it in again. The cookie names its session now."""
    monkeypatch.setenv("DASHBOARD_COOKIE_KEY", COOKIE_KEY)  # the same key across restarts
    st.cache_resource.clear()
    at = sign_in("nordwind", "nordwind-demo-2026")
    token = at.session_state["_auth_set_cookie"]["token"]
    with_cookie[COOKIE] = token
    control = AppTest.from_file(APP, default_timeout=TIMEOUT).run()  # the cookie signs in
    assert control.title[0].value == "Nordwind Apparel — overview"

    at.sidebar.button[0].click().run()  # sign out
    assert any("signed out" in s.value for s in at.success)
    for days in ("1", "0.25", "0.01"):
        monkeypatch.setenv("DASHBOARD_COOKIE_EXPIRY_DAYS", days)
        st.cache_resource.clear()
        again = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
        assert not again.exception
        assert [t.label for t in again.text_input] == ["Username", "Password"], days
        assert not figures_shown(again)


def test_an_idle_sign_out_is_a_server_side_sign_out(app_env, monkeypatch, with_cookie):
    """Finding 2: after "signed out after N minutes without activity", a reload signed the
    user in again from the re-login cookie. The idle timeout now revokes the session."""
    monkeypatch.setenv("DASHBOARD_SESSION_IDLE_MINUTES", "2")
    at = sign_in("maple", "maple-demo-2026")
    session_id = at.session_state["_auth_sid"]
    with_cookie[COOKIE] = at.session_state["_auth_set_cookie"]["token"]
    control = AppTest.from_file(APP, default_timeout=TIMEOUT).run()  # the cookie signs in
    assert control.title[0].value == "Maple & Thread — overview"

    def idle_for(seconds: int) -> None:
        with app_env.begin() as conn:
            conn.execute(text("UPDATE user_session SET last_seen_at = :t WHERE id_hash = :h"),
                         {"t": accounts.utcnow() - dt.timedelta(seconds=seconds),
                          "h": sessions.hash_session_id(session_id)})

    idle_for(119)
    at.run()
    assert at.title[0].value == "Maple & Thread — overview"  # active within the limit
    idle_for(121)
    at.run()
    assert not at.exception
    assert any("2 minutes without activity" in i.value for i in at.info)
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    assert not figures_shown(at)
    assert _session_row(app_env, session_id).revoked_reason == "idle"

    reload = AppTest.from_file(APP, default_timeout=TIMEOUT).run()  # the cookie comes back
    assert [t.label for t in reload.text_input] == ["Username", "Password"]
    assert not figures_shown(reload)


def _cookie_slot_scripts(at: AppTest) -> list[str]:
    """The scripts in the cookie slot, which must be the first element of the main area."""
    slot = at.main.children[0]
    assert slot.type == "flex_container"
    assert slot.proto.id.endswith("-auth_cookie_slot")
    return [child.proto.body for child in slot.children.values()]


def test_the_cookie_script_sits_in_one_slot_first_in_every_run(app_env):
    """The re-login cookie is written and deleted by a script in a container that every run
    emits first in the main area, with or without a script in it: the page's elements never
    change position between runs (a moved element is re-created, and its old copy stays on
    screen until the run ends — the duplicated table of the suppliers page)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert _cookie_slot_scripts(at) == []  # signed out, nothing to write or delete

    at.text_input(key="login_username").input("nordwind")
    at.text_input(key="login_password").input("nordwind-demo-2026")
    at.button[0].click().run()
    token = at.session_state["_auth_set_cookie"]["token"]
    assert jwt.decode(token, options={"verify_signature": False})["username"] == "nordwind"
    [script] = _cookie_slot_scripts(at)
    assert f'"scd_auth" + \'=\' + "{token}"' in script
    assert "path=/" in script and "SameSite=Strict" in script
    assert "'; Secure'" in script  # added when the page is served over HTTPS

    # every later run of the session, on any page, keeps the same script in the same slot
    at.switch_page(str(ROOT / "pages" / "brand" / "suppliers.py")).run()
    assert not at.exception
    assert _cookie_slot_scripts(at) == [script]

    at.sidebar.button[0].click().run()  # log out
    [deleting] = _cookie_slot_scripts(at)
    assert "scd_auth" in deleting and "expires=Thu, 01 Jan 1970 00:00:00 GMT" in deleting
    assert token not in deleting
    at.run()
    assert _cookie_slot_scripts(at) == [deleting]


def test_cookie_script_values_cannot_close_the_script_element():
    from ui.auth import _js_string, _set_cookie_js

    hostile = 'x"</script><script>alert(1)</script>'
    literal = _js_string(hostile)
    assert "<" not in literal and ">" not in literal
    assert json.loads(literal) == hostile  # still the same string to JavaScript
    assert "</script" not in _set_cookie_js(hostile, hostile)


# ---- configuration refusals ---------------------------------------------------------------------


def _users_file(tmp_path: Path) -> str:
    path = tmp_path / "users.yaml"
    path.write_text((ROOT / "config" / "demo_users.yaml").read_text())
    return str(path)


@pytest.mark.parametrize("case", ["no-key", "short-key", "placeholder-key", "demo-users",
                                  "no-users-file", "missing-users-file"])
def test_outside_demo_mode_the_app_refuses_to_start_and_says_why(app_env, monkeypatch,
                                                                 tmp_path, case):
    env = {"DASHBOARD_DEMO": "false", "DASHBOARD_COOKIE_KEY": COOKIE_KEY,
           "DASHBOARD_USERS_FILE": _users_file(tmp_path)}
    reason = {
        "no-key": ("DASHBOARD_COOKIE_KEY", "", "no cookie key"),
        "short-key": ("DASHBOARD_COOKIE_KEY", "x" * 31, "at least 32 random characters"),
        "placeholder-key": ("DASHBOARD_COOKIE_KEY", "REPLACE-WITH-A-LONG-RANDOM-STRING",
                            "placeholder"),
        "demo-users": ("DASHBOARD_USERS_FILE", str(ROOT / "config" / "demo_users.yaml"),
                       "bundled demo users file cannot be used"),
        "no-users-file": ("DASHBOARD_USERS_FILE", "", "no users file"),
        "missing-users-file": ("DASHBOARD_USERS_FILE", str(tmp_path / "nope.yaml"),
                               "does not exist"),
    }[case]
    env[reason[0]] = reason[1]
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    message = " ".join(e.value for e in at.error)
    assert "refuses to start" in message and reason[2] in message
    assert not at.text_input  # no sign-in form, so no demo account can be tried


# ---- admin-only pages and operations ------------------------------------------------------------


def test_app_declares_admin_pages():
    """The parametrisation below reads app.py's PAGES: a new admin page is covered by itself."""
    assert admin_pages(), "app.py PAGES has no admin_only page: the test below is empty"


@pytest.mark.parametrize("script", [spec.script for spec in admin_pages()])
@pytest.mark.parametrize("who", ["nordwind", "maple-thread"])
def test_admin_pages_refuse_brand_users_even_when_run_directly(app_env, script, who):
    at = AppTest.from_file(str(ROOT / script), default_timeout=TIMEOUT)
    at.session_state["viewer"] = Viewer(who, "brand", brand_id(app_env, who))
    at.run()
    assert not at.exception
    assert any("only available to programme administrators" in e.value for e in at.error)
    assert not at.dataframe and not at.metric

    signed_out = AppTest.from_file(str(ROOT / script), default_timeout=TIMEOUT).run()
    assert not signed_out.exception
    assert any("not signed in" in e.value for e in signed_out.error)
    assert not signed_out.dataframe


def test_admin_operations_refuse_brand_viewers(engine):
    with engine.connect() as conn:
        brand = conn.execute(text("SELECT id FROM brand ORDER BY id LIMIT 1")).scalar_one()
    viewer = Viewer("brand-user", "brand", brand)
    calls = {
        "list_accounts": lambda: accounts.list_accounts(engine, viewer),
        "installation_summary": lambda: installation_summary(engine, viewer),
        "list_import_runs": lambda: list_import_runs(engine, viewer),
        "list_downloads": lambda: extracts.list_downloads(engine, viewer),
        "import_csv": lambda: import_csv(engine, viewer, "facilities", b"country,name\nVN,X\n",
                                         brand_code="nordwind"),
    }
    for name, call in calls.items():
        with pytest.raises(PermissionDenied):
            call()
        assert name  # (the loop names the operation in the traceback)


# ---- the re-login cookie in a real browser ------------------------------------------------------


@pytest.fixture(scope="module")
def browser_(browser):
    return browser  # the session's Chromium (tests/conftest.py)


@pytest.fixture(scope="module")
def keyed_server(sqlite_demo_path, browser_):
    """A server of this module's own, with a cookie key the tests know (to forge cookies).
    Warmed by one page load, as a server in use is (the first run imports the app)."""
    server = StreamlitServer(sqlite_copy(sqlite_demo_path),
                             env={"DASHBOARD_COOKIE_KEY": COOKIE_KEY,
                                  "DASHBOARD_COOKIE_EXPIRY_DAYS": "1"})
    context = browser_.new_context()
    context.new_page().goto(server.url)
    context.pages[0].get_by_label("Username").wait_for(timeout=60_000)
    context.close()
    yield server
    server.stop()


@pytest.fixture
def new_context(browser_):
    from playwright.sync_api import expect as expect_

    expect_.set_options(timeout=20_000)
    contexts = []

    def make():
        context = browser_.new_context(viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(30_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def _cookie_for(server: StreamlitServer, token: str) -> dict:
    return {"name": COOKIE, "value": token, "url": server.url}


def _signed_in_as(page, heading: str) -> None:
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    expect(page.locator(EXCEPTION)).to_have_count(0)


def _shows_only_the_sign_in_form(page) -> None:
    expect(page.get_by_label("Username")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("overview"))).to_have_count(0)
    expect(page.get_by_text("Active suppliers")).to_have_count(0)
    expect(page.locator(EXCEPTION)).to_have_count(0)


@pytest.mark.browser
def test_logout_deletes_the_cookie_and_a_copied_cookie_no_longer_signs_in(keyed_server,
                                                                        new_context):
    url = keyed_server.url
    page = new_context().new_page()
    sign_in_and_wait(page, url, "atlas", "atlas-demo-2026", "Atlas Outdoor — overview")
    _signed_in_as(page, "Atlas Outdoor — overview")
    page.wait_for_function(f"document.cookie.includes('{COOKIE}=')")
    copied = [c for c in page.context.cookies() if c["name"] == COOKIE]
    assert len(copied) == 1
    # set from JavaScript in the page: it cannot be HttpOnly (docs/security.md)
    assert copied[0]["httpOnly"] is False
    assert copied[0]["sameSite"] == "Strict"  # not sent with cross-site requests

    # a brand user typing the admin page's address does not get it
    page.goto(f"{url}/admin")
    expect(page.get_by_role("heading", name="Data & accounts")).to_have_count(0)
    page.goto(f"{url}/suppliers")
    expect(page.get_by_role("heading", name="Suppliers")).to_be_visible()

    # positive control: while the session is live, the copied cookie signs in elsewhere
    other = new_context()
    other.add_cookies([_cookie_for(keyed_server, copied[0]["value"])])
    stolen = other.new_page()
    stolen.goto(url)
    _signed_in_as(stolen, "Atlas Outdoor — overview")

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    page.wait_for_function(f"!document.cookie.includes('{COOKIE}=')")
    assert not [c for c in page.context.cookies() if c["name"] == COOKIE]
    page.go_back()  # the back button does not resume the session
    _shows_only_the_sign_in_form(page)

    # after logout the same copied cookie is worthless: revoked on the server. (The other
    # browser's own live session ended too: logout revokes every session of the account.)
    other.clear_cookies()
    other.add_cookies([_cookie_for(keyed_server, copied[0]["value"])])
    stolen.goto(url)
    _shows_only_the_sign_in_form(stolen)
    stolen.goto(f"{url}/suppliers")
    _shows_only_the_sign_in_form(stolen)


_COUNT_RUNS = """() => {
    window.__runs = 0;
    const app = document.querySelector('.stApp');
    new MutationObserver(() => {
        if (app.getAttribute('data-test-script-state') === 'running') window.__runs += 1;
    }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""


@pytest.mark.browser
def test_signing_in_starts_no_extra_run_and_a_click_right_after_is_acted_on(keyed_server,
                                                                            new_context):
    """Finding F7: the cookie component's value started one more script run after signing in,
    and a click that met that run was dropped (Streamlit folds rerun requests into the newest).
    Now the cookie is written by a script in the page: signing in is one run and nothing runs
    after it by itself; a click on a page as soon as the overview shows is acted on."""
    page = new_context().new_page()
    sign_in_browser(page, keyed_server.url, "maple", "maple-demo-2026",
                    before_submit=lambda p: p.evaluate(_COUNT_RUNS))
    expect(page.get_by_role("heading", name="Maple & Thread — overview")).to_be_visible()
    wait_until_settled(page)
    page.wait_for_timeout(1_500)  # the component's run came ≈ 1 s after signing in
    assert page.evaluate("window.__runs") == 1  # the sign-in's run, nothing after it
    page.wait_for_function(f"document.cookie.includes('{COOKIE}=')")  # the cookie is set
    expect(page.locator("iframe")).to_have_count(0)

    hurried = new_context().new_page()
    sign_in_browser(hurried, keyed_server.url, "maple", "maple-demo-2026")
    expect(hurried.get_by_role("heading", name="Maple & Thread — overview")).to_be_visible()
    hurried.get_by_role("link", name="Suppliers").click()  # no pause: as fast as a script can
    expect(hurried.get_by_role("heading", name="Suppliers", exact=True)).to_be_visible(
        timeout=10_000)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forged_tokens() -> dict[str, str]:
    now = time.time()
    good = {"username": "maple", "exp_date": now + 3_600, "iat": int(now),
            "sid": secrets.token_urlsafe(32)}
    valid = jwt.encode(good, COOKIE_KEY, algorithm="HS256")
    header, _, signature = valid.split(".")
    edited = ".".join([header, _b64(json.dumps({**good, "username": "nordwind"}).encode()),
                       signature])
    return {
        "wrong-key": jwt.encode(good, secrets.token_urlsafe(48), algorithm="HS256"),
        "edited-payload": edited,
        "alg-none": jwt.encode(good, None, algorithm="none"),
        "alg-hs512-right-key": jwt.encode(good, COOKIE_KEY * 2, algorithm="HS512"),
        "not-a-jwt": "not-a-jwt",
        "expired": jwt.encode({**good, "exp_date": now - 60}, COOKIE_KEY, algorithm="HS256"),
        "unknown-user": jwt.encode({**good, "username": "nobody"}, COOKIE_KEY,
                                   algorithm="HS256"),
        # signed with the server's key, but naming no session the server issued
        "unknown-session": jwt.encode(good, COOKIE_KEY, algorithm="HS256"),
        "no-session": jwt.encode({k: v for k, v in good.items() if k != "sid"}, COOKIE_KEY,
                                 algorithm="HS256"),
    }


@pytest.mark.browser
def test_tampered_or_expired_cookies_are_refused(keyed_server, new_context):
    """Every forged cookie gets the sign-in form — no data, and no error page. One browser
    context for all (its cache keeps the page loads short); every failing kind is reported."""
    context = new_context()
    page = context.new_page()
    failures = {}
    for kind, token in forged_tokens().items():
        context.clear_cookies()
        context.add_cookies([_cookie_for(keyed_server, token)])
        page.goto(keyed_server.url)
        try:
            _shows_only_the_sign_in_form(page)
        except AssertionError as exc:
            failures[kind] = str(exc).splitlines()[0]
    assert not failures, f"forged cookies not cleanly refused: {failures}"


@pytest.mark.browser
def test_a_cookie_is_accepted_with_the_servers_key_and_a_live_session_only(keyed_server,
                                                                          new_context):
    """The control for the test above: a token signed with the server's key and naming a
    session the server issued signs in (so the forged ones were well-formed); the same
    session under another username does not. The key alone no longer makes a login."""
    page = new_context().new_page()
    sign_in_and_wait(page, keyed_server.url, "maple", "maple-demo-2026",
                     "Maple & Thread — overview")
    page.wait_for_function(f"document.cookie.includes('{COOKIE}=')")
    issued = next(c["value"] for c in page.context.cookies() if c["name"] == COOKIE)
    claims = jwt.decode(issued, COOKIE_KEY, algorithms=["HS256"])
    assert set(claims) == {"username", "sid", "iat", "exp_date"}

    remade = jwt.encode({**claims, "exp_date": time.time() + 3_600}, COOKIE_KEY,
                        algorithm="HS256")
    context = new_context()
    context.add_cookies([_cookie_for(keyed_server, remade)])
    other = context.new_page()
    other.goto(keyed_server.url)
    _signed_in_as(other, "Maple & Thread — overview")

    as_someone_else = jwt.encode({**claims, "username": "nordwind"}, COOKIE_KEY,
                                 algorithm="HS256")
    context = new_context()
    context.add_cookies([_cookie_for(keyed_server, as_someone_else)])
    third = context.new_page()
    third.goto(keyed_server.url)
    _shows_only_the_sign_in_form(third)


@pytest.mark.browser
def test_links_to_pages_open_them_for_a_user_signed_in_by_cookie(keyed_server, new_context):
    """A shared link opened in a new tab of a signed-in browser: the page, no "Page not found"
    dialog. /overview is the landing page's address in the signed-out navigation (a deep link
    that leads through sign-in keeps it), so a signed-in browser gets such links too."""
    page = new_context().new_page()
    sign_in_and_wait(page, keyed_server.url, "maple", "maple-demo-2026",
                     "Maple & Thread — overview")
    page.wait_for_function(f"document.cookie.includes('{COOKIE}=')")
    for path, heading in (("suppliers?countries=VN", "Suppliers"),
                          ("overview?countries=VN", "Maple & Thread — overview")):
        page.goto(f"{keyed_server.url}/{path}")
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
        expect(page.get_by_text("Page not found")).to_have_count(0)
        expect(page.locator(EXCEPTION)).to_have_count(0)


@pytest.mark.browser
def test_a_real_server_without_cookie_key_outside_demo_mode_refuses_to_start(new_context,
                                                                            tmp_path):
    database = tmp_path / "never-created.sqlite3"
    server = StreamlitServer(f"sqlite:///{database}",
                             env={"DASHBOARD_DEMO": "", "DASHBOARD_COOKIE_KEY": "",
                                  "DASHBOARD_USERS_FILE": ""})
    try:
        page = new_context().new_page()
        page.goto(server.url)
        expect(page.get_by_text(re.compile("refuses to start"))).to_be_visible()
        expect(page.get_by_text(re.compile("no cookie key"))).to_be_visible()
        expect(page.get_by_label("Username")).to_have_count(0)
        expect(page.locator(EXCEPTION)).to_have_count(0)
    finally:
        server.stop()
    assert not database.exists()  # it refused before touching the database


# ---- findings 4, 5 and 6 through the real app ------------------------------------------------


def _users_yaml(path: Path, entries: dict[str, tuple[str, str, str | None]]) -> str:
    """A users file: username -> (password, role, brand code)."""
    from data_access.passwords import hash_password

    lines = ["credentials:", "  usernames:"]
    for name, (password, role, brand) in entries.items():
        lines += [f"    {name}:", f"      name: {name.title()}", f"      role: {role}",
                  f"      password: '{hash_password(password)}'"]
        if brand:
            lines.append(f"      brand: {brand}")
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def test_a_password_over_72_bytes_gets_the_same_answer_for_any_username(app_env):
    """Finding 6: an unknown username with a long password gave an error page (bcrypt 5
    raised) where a known one gave "incorrect" — and it was not counted towards lockout."""
    long = "correct horse battery staple " * 3  # 87 bytes
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    for name in ("maple", "no-such-user"):
        _attempt(at, name, long)
        assert [e.value for e in at.error] == ["Username or password is incorrect."], name
    with app_env.connect() as conn:
        counted = dict(conn.execute(text(
            "SELECT username, failed_count FROM login_throttle WHERE client = 'local'")).all())
    assert counted == {"maple": 1, "no-such-user": 1}


def test_a_changed_password_in_the_users_file_takes_effect_at_the_next_start(
        app_env, monkeypatch, tmp_path):
    """Finding 5: the users file only ever inserted accounts, so after a restart the old
    password still worked although the deployment guide said otherwise."""
    users = tmp_path / "users.yaml"
    monkeypatch.setenv("DASHBOARD_USERS_FILE", _users_yaml(
        users, {"j.doe": ("first passphrase here", "brand_manager", "nordwind")}))
    first = sign_in("j.doe", "first passphrase here")
    assert first.title[0].value == "Nordwind Apparel — overview"

    _users_yaml(users, {"j.doe": ("second passphrase now", "brand_manager", "nordwind")})
    st.cache_resource.clear()  # a restart of the app
    refused = sign_in("j.doe", "first passphrase here")
    assert [e.value for e in refused.error] == ["Username or password is incorrect."]
    first.run()  # the session signed in with the old password has ended
    assert [t.label for t in first.text_input] == ["Username", "Password"]
    assert sign_in("j.doe", "second passphrase now").title[0].value == \
        "Nordwind Apparel — overview"


def test_demo_accounts_do_not_outlive_demo_mode(app_env, monkeypatch, tmp_path):
    """Finding 4: after one demo start, a start outside demo mode with a users file that does
    not list the demo accounts still accepted their published passwords."""
    assert sign_in("nordwind", "nordwind-demo-2026").title[0].value == \
        "Nordwind Apparel — overview"  # the demo start
    monkeypatch.setenv("DASHBOARD_DEMO", "false")
    monkeypatch.setenv("DASHBOARD_COOKIE_KEY", COOKIE_KEY)
    monkeypatch.setenv("DASHBOARD_USERS_FILE", _users_yaml(
        tmp_path / "users.yaml", {"ops.admin": ("operations passphrase", "admin", None)}))
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    if at.text_input:  # if a sign-in form is offered at all, the demo password must fail
        _attempt(at, "nordwind", "nordwind-demo-2026")
    assert at.session_state.get("authentication_status") is not True
    assert not figures_shown(at)
    message = " ".join(e.value for e in at.error)
    assert "refuses to start" in message and "demo dataset" in message
