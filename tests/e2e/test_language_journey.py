"""Journey in a real browser: the browser's language is the first guess, the picked one is
remembered for the account (issue 19). ``st.context.locale`` only exists in a browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browserhelpers import sign_in_and_wait
from tests.e2e.conftest import wait_until_settled

pytestmark = pytest.mark.browser


def _picker(page):
    return page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").filter(
        has_text=re.compile(r"Language|Idioma|Langue"))


def _choose(page, language: str) -> None:
    box = _picker(page)
    box.locator("input").click()
    page.get_by_role("option", name=language, exact=True).click()
    expect(box.locator("input")).to_have_value(language)
    wait_until_settled(page)


def test_browser_language_first_then_the_users_choice(browser, app_server):
    expect.set_options(timeout=30_000)
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="es-ES")
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        # a Spanish browser gets the sign-in page in Spanish
        page.goto(app_server.url)
        expect(_picker(page).locator("input")).to_have_value("Español")
        expect(_picker(page)).to_contain_text("Idioma")

        # its sign-in form too
        expect(page.get_by_label("Nombre de usuario")).to_be_visible()
        sign_in_and_wait(page, app_server.url, "maple", "maple-demo-2026",
                         re.compile(": resumen$"), language="es")
        expect(_picker(page).locator("input")).to_have_value("Español")
        _choose(page, "Français")
        expect(_picker(page)).to_contain_text("Langue")
        expect(page.get_by_role("heading", name=re.compile("— vue d'ensemble$"))).to_be_visible()

        # a new session of the same account (the re-login cookie) comes back in French,
        # whatever the browser says
        page.reload()
        expect(page.get_by_role("heading", name=re.compile("— vue d'ensemble$"))).to_be_visible()
        expect(_picker(page).locator("input")).to_have_value("Français")
        _choose(page, "English")  # leave the shared demo account as it was
    finally:
        context.close()
