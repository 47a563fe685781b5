"""Accounts and sessions in a real browser (issue 13), on one server whose idle timeout is one
minute, with a factory whose imported fields are Markdown bait:

1. a tab left open after its session was signed out elsewhere downloads nothing, and no
   download is audited (the download's file callable checks the session itself);
2. after the idle timeout a reload does not sign the user in again, nor does a copy of the
   cookie (the idle sign-out is revoked on the server);
8. a factory's name, address and parent company are shown as text: no link, no image, no
   request to the image's address;
and the administrator's user management: create an account, the new user's forced password
change, a brand user's attempt at the administration page, disabling.

The idle session starts first and is checked last, so the minute it must wait is spent on the
other journeys (≈ 75 s for the module).
"""

from __future__ import annotations

import http.server
import re
import secrets
import sqlite3
import threading
import time

import pytest
from playwright.sync_api import expect

from tests.browserhelpers import (
    EXCEPTION,
    StreamlitServer,
    sign_in,
    sign_in_and_wait,
    sqlite_copy,
)
from tests.conftest import free_port

pytestmark = pytest.mark.browser
COOKIE = "scd_auth"
WORD_JOINER = "\u2060"


class PixelServer:
    """A loopback HTTP server that records every request: the image a Markdown renderer
    would fetch."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        seen = self.requests

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                seen.append(self.path)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.port = free_port()
        self.httpd = http.server.HTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.httpd.shutdown()


@pytest.fixture(scope="module")
def pixel():
    server = PixelServer()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def bait(sqlite_demo_path, pixel):
    """A private copy of the demo database in which one of nordwind's factories has imported
    text that Markdown would turn into a link, an image, bold and an icon."""
    url = sqlite_copy(sqlite_demo_path)
    path = url.removeprefix("sqlite:///")
    values = {
        "name": "Knit **Co** [click me](http://evil.example/name) :material/home:",
        "address": f"![x](http://127.0.0.1:{pixel.port}/pixel.png)",
        "parent_company": "[Verify your account](http://evil.example)",
    }
    with sqlite3.connect(path) as conn:
        factory_id = conn.execute(
            "SELECT r.factory_id FROM sourcing_relationship r JOIN brand b ON b.id = r.brand_id "
            "WHERE b.code = 'nordwind' AND r.active ORDER BY r.factory_id LIMIT 1").fetchone()[0]
        conn.execute("UPDATE factory SET name = ?, address = ?, parent_company = ? WHERE id = ?",
                     (values["name"], values["address"], values["parent_company"], factory_id))
    return {"url": url, "path": path, "factory_id": factory_id, **values}


@pytest.fixture(scope="module")
def server(bait, browser):
    server = StreamlitServer(bait["url"], env={
        "DASHBOARD_COOKIE_KEY": secrets.token_urlsafe(48),
        "DASHBOARD_SESSION_IDLE_MINUTES": "1"})
    warm = browser.new_context()
    warm.new_page().goto(server.url)
    warm.pages[0].get_by_label("Username").wait_for(timeout=60_000)
    warm.close()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def contexts(browser):
    made = []

    def make():
        context = browser.new_context(viewport={"width": 1400, "height": 1000},
                                      accept_downloads=True)
        context.set_default_timeout(30_000)
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()


@pytest.fixture(scope="module")
def idle_session(server, contexts):
    """Signed in first: its minute without activity runs while the other tests work."""
    expect.set_options(timeout=30_000)
    context = contexts()
    page = context.new_page()
    sign_in_and_wait(page, server.url, "maple", "maple-demo-2026", "Maple & Thread — overview")
    page.wait_for_function(f"document.cookie.includes('{COOKIE}=')")
    second_tab = context.new_page()  # another tab of the same session, left open
    second_tab.goto(f"{server.url}/suppliers")
    expect(second_tab.get_by_role("heading", name="Suppliers", exact=True)).to_be_visible()
    cookie = next(c for c in context.cookies() if c["name"] == COOKIE)
    return {"page": page, "second_tab": second_tab, "cookie": cookie,
            "last_active": time.monotonic()}


def _audited(bait) -> int:
    with sqlite3.connect(bait["path"]) as conn:
        return conn.execute("SELECT COUNT(*) FROM extract_audit").fetchone()[0]


def _signed_out(page) -> None:
    expect(page.get_by_label("Username")).to_be_visible()
    expect(page.get_by_text("Active suppliers")).to_have_count(0)
    expect(page.locator(EXCEPTION)).to_have_count(0)


def test_a_tab_whose_session_ended_downloads_nothing(server, bait, contexts, idle_session):
    """Finding 1. Tab A stays on Downloads; tab B (the same browser, so the same session)
    signs out. A's click then produces no file and no audit row — while before the sign-out
    the same click downloaded and was audited (positive control)."""
    context = contexts()
    tab_a = context.new_page()
    sign_in_and_wait(tab_a, server.url, "nordwind", "nordwind-demo-2026",
                     "Nordwind Apparel — overview")
    tab_a.wait_for_function(f"document.cookie.includes('{COOKIE}=')")
    tab_a.get_by_role("link", name="Downloads").click()
    expect(tab_a.get_by_role("heading", name="Downloads", exact=True)).to_be_visible()
    button = tab_a.get_by_role("button", name="Download CSV").first

    before = _audited(bait)
    with tab_a.expect_download() as info:
        button.click()
    assert info.value.suggested_filename.startswith("nordwind_supplier-list_")
    assert _audited(bait) == before + 1

    tab_b = context.new_page()
    tab_b.goto(server.url)  # resumes the session from the re-login cookie
    expect(tab_b.get_by_role("heading", name="Nordwind Apparel — overview")).to_be_visible()
    tab_b.get_by_role("button", name="Log out").click()
    expect(tab_b.get_by_text("You have signed out.")).to_be_visible()

    downloads = []
    tab_a.on("download", lambda d: downloads.append(d))
    button.click()
    tab_a.wait_for_timeout(6_000)
    assert downloads == []
    assert _audited(bait) == before + 1


def test_imported_text_is_shown_as_text(server, bait, pixel, contexts, idle_session):
    """Finding 8. The factory profile shows the bait literally: no element links to the
    planted addresses, no image loads from the pixel server, which received nothing — while
    an image the test itself adds does reach it (positive control)."""
    page = contexts().new_page()
    outside = []
    page.on("request", lambda r: outside.append(r.url) if str(server.port) not in r.url
            else None)
    sign_in_and_wait(page, server.url, "nordwind", "nordwind-demo-2026",
                     "Nordwind Apparel — overview")
    page.goto(f"{server.url}/factory?id={bait['factory_id']}")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(r"Knit \*\*Co\*\*"))
    page.get_by_text("Factory facts").wait_for()
    page.wait_for_timeout(1_500)

    text = page.evaluate("document.body.innerText").replace(WORD_JOINER, "")
    for field in ("name", "address", "parent_company"):
        assert bait[field] in text, field
    planted = ("evil.example", f"127.0.0.1:{pixel.port}")
    links = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    images = page.eval_on_selector_all("img", "els => els.map(e => e.src)")
    assert not [u for u in links + images if any(p in u for p in planted)]
    assert page.locator("[data-testid='stMain'] :is(strong, em, code, h2, h3)").filter(
        has_text=re.compile(r"^\s*(Co|click me|Verify your account|x)\s*$")).count() == 0
    assert pixel.requests == [] and not [u for u in outside if any(p in u for p in planted)]

    page.evaluate(f"new Image().src = 'http://127.0.0.1:{pixel.port}/control.png'")
    page.wait_for_timeout(1_000)
    assert pixel.requests == ["/control.png"]


def _choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the visible select box labelled ``label`` (typed, then Enter)."""
    box = page.locator("[data-testid='stSelectbox']:visible").filter(
        has=page.get_by_text(label, exact=True))
    box.locator("input").click()
    box.locator("input").press_sequentially(option)
    page.keyboard.press("Enter")
    expect(box.locator("input")).to_have_value(re.compile(re.escape(option)))


def test_administrator_creates_an_account_the_user_replaces_the_password(server, contexts,
                                                                       idle_session):
    admin = contexts().new_page()
    sign_in(admin, server.url, "admin", "admin-demo-2026")
    admin.get_by_role("link", name="Data & accounts").click()
    expect(admin.get_by_role("heading", name="Data & accounts")).to_be_visible()
    admin.get_by_role("tab", name="Create an account").click()
    admin.get_by_role("textbox", name="Username").fill("e2e.viewer")
    admin.get_by_role("textbox", name="Name", exact=True).fill("Eve Example")
    _choose(admin, "Role", "Brand viewer")
    _choose(admin, "Brand (for brand roles)", "Nordwind Apparel")
    admin.get_by_role("button", name="Create account").click()
    expect(admin.get_by_text("Account e2e.viewer created")).to_be_visible()
    temporary = admin.locator("[data-testid='stCode'] code").inner_text().strip()
    assert re.fullmatch(r"[A-Za-z0-9]{5}(-[A-Za-z0-9]{5}){3}", temporary)

    user = contexts().new_page()
    sign_in_and_wait(user, server.url, "e2e.viewer", temporary, "Choose a new password")
    user.get_by_label("New password", exact=True).fill("harbour violet compass")
    user.get_by_label("New password again").fill("harbour violet compass")
    user.get_by_role("button", name="Change password").click()
    expect(user.get_by_role("heading", name="Nordwind Apparel — overview")).to_be_visible()
    expect(user.get_by_text("Brand viewer")).to_be_visible()

    # the brand user typing the administration page's address does not get it
    user.goto(f"{server.url}/admin")
    expect(user.get_by_role("heading", name="Data & accounts")).to_have_count(0)
    expect(user.get_by_role("link", name="Data & accounts")).to_have_count(0)
    user.goto(f"{server.url}/downloads")
    expect(user.get_by_role("heading", name="Downloads", exact=True)).to_be_visible()

    # the administrator disables the account: the user's next click signs them out
    admin.reload()
    expect(admin.get_by_role("heading", name="Data & accounts")).to_be_visible()
    _choose(admin, "Account", "e2e.viewer")
    admin.get_by_text("Disable the account").click()
    admin.get_by_text("Yes, do this to e2e.viewer").click()
    admin.get_by_role("button", name="Apply").click()
    expect(admin.get_by_text("e2e.viewer was disabled.")).to_be_visible()
    user.get_by_role("link", name="Suppliers").click()
    _signed_out(user)


def test_an_idle_sign_out_survives_a_reload(server, contexts, idle_session):
    """Finding 2. After a minute without activity a reload — which used to sign the user in
    again from the re-login cookie — shows the sign-in form with the reason, and so does a
    copy of the cookie in another browser; the other tab left open is signed out too."""
    remaining = 62 - (time.monotonic() - idle_session["last_active"])
    if remaining > 0:
        time.sleep(remaining)
    page = idle_session["page"]
    page.reload()
    _signed_out(page)
    expect(page.get_by_text("signed out after 1 minute without activity")).to_be_visible()

    tab = idle_session["second_tab"]
    tab.get_by_role("link", name="Overview").click()
    _signed_out(tab)

    thief = contexts()
    thief.add_cookies([idle_session["cookie"]])
    stolen = thief.new_page()
    stolen.goto(server.url)
    _signed_out(stolen)
