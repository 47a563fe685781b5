"""Journey in a real browser: sign in through the form, see the overview, sign out."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browserhelpers import sign_in
from tests.e2e.conftest import wait_until_settled

pytestmark = pytest.mark.browser


def test_sign_in_see_overview_and_sign_out(page: Page, app_server):
    sign_in(page, app_server.url, "nordwind", "nordwind-demo-2026")
    expect(page.get_by_role("heading", name="Nordwind Apparel — overview")).to_be_visible()
    expect(page.get_by_text("Active suppliers").first).to_be_visible()
    # the Altair chart is painted (Vega renders into a canvas or svg inside the chart element)
    expect(page.locator("[data-testid='stVegaLiteChart']").first).to_be_visible()
    expect(page.get_by_text("Brand: Nordwind Apparel")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    expect(page.get_by_label("Username")).to_be_visible()
    expect(page.get_by_text("Active suppliers")).to_have_count(0)

    # a reload after logout does not bring the session back (cookie deleted and revoked)
    page.reload()
    expect(page.get_by_label("Username")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("overview"))).to_have_count(0)


def test_wrong_password_shows_a_message_and_no_data(page: Page, app_server):
    sign_in(page, app_server.url, "maple", "definitely-wrong")
    expect(page.get_by_text("Username or password is incorrect.")).to_be_visible()
    expect(page.get_by_text("Active suppliers")).to_have_count(0)


def test_filter_survives_a_reload_through_the_url(page: Page, app_server):
    """A filtered view is a shareable link: the URL carries the filter and restores it."""
    sign_in(page, app_server.url, "maple", "maple-demo-2026")
    expect(page.get_by_role("heading", name="Maple & Thread — overview")).to_be_visible()
    page.wait_for_function("document.cookie.includes('scd_auth=')")  # re-login cookie set
    page.goto(f"{app_server.url}/overview?countries=VN")
    expect(page.get_by_role("heading", name="Maple & Thread — overview")).to_be_visible()
    expect(page.locator("[data-testid='stMultiSelect']").get_by_text("Vietnam (VN)")) \
        .to_be_visible()


def test_deep_link_leads_through_sign_in_to_the_page(page: Page, app_server):
    """A signed-out visitor opening a shared link signs in and lands on that view."""
    page.goto(f"{app_server.url}/overview?countries=KH")
    expect(page.get_by_text("Page not found")).to_have_count(0)
    page.get_by_label("Username").wait_for()
    wait_until_settled(page)
    page.get_by_label("Username").fill("nordwind")
    page.get_by_label("Password", exact=True).fill("nordwind-demo-2026")
    page.get_by_role("button", name="Login").click()
    expect(page.get_by_role("heading", name="Nordwind Apparel — overview")).to_be_visible()
    expect(page.locator("[data-testid='stMultiSelect']").get_by_text("Cambodia (KH)")) \
        .to_be_visible()


def test_the_sign_in_address_is_a_page_before_and_after_signing_in(page: Page, app_server):
    """A bookmarked /login shows the form (no "Page not found") and then the landing page."""
    page.goto(f"{app_server.url}/login")
    page.get_by_label("Username").wait_for()
    wait_until_settled(page)
    expect(page.get_by_text("Page not found")).to_have_count(0)
    page.get_by_label("Username").fill("maple")
    page.get_by_label("Password", exact=True).fill("maple-demo-2026")
    page.get_by_role("button", name="Login").click()
    expect(page.get_by_role("heading", name="Maple & Thread — overview")).to_be_visible()
    wait_until_settled(page)
    expect(page.get_by_text("Page not found")).to_have_count(0)
