"""Journey in a real browser (issue 16): a brand manager writes an engagement entry on a
factory profile and sees it in the timeline, exactly as typed (plain text: no Markdown, no
HTML), and the "What's new" entry in the menu."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import text

from data_access.db import create_db_engine
from tests.browserhelpers import sign_in
from tests.e2e.conftest import wait_until_settled

pytestmark = pytest.mark.browser
TITLE = "Visit *planned* <b>with</b> [HR](http://x.example)"


def test_a_manager_writes_an_entry_and_sees_it(page: Page, app_server):
    engine = create_db_engine(app_server.database_url)
    with engine.connect() as conn:
        factory = conn.execute(text(
            "SELECT MIN(r.factory_id) FROM sourcing_relationship r JOIN brand b ON "
            "b.id = r.brand_id WHERE b.code = 'atlas-outdoor' AND r.active")).scalar_one()
    engine.dispose()
    sign_in(page, app_server.url, "atlas", "atlas-demo-2026")
    expect(page.get_by_role("link", name=re.compile(r"^What's new"))).to_be_visible()
    page.goto(f"{app_server.url}/factory?id={factory}")
    expect(page.get_by_role("heading", name="Engagement")).to_be_visible()
    wait_until_settled(page)
    page.get_by_text("Add an entry").click()
    page.get_by_role("textbox", name="Title").fill(TITLE)
    page.get_by_role("textbox", name="Text").fill("Second line\n**not bold**")
    page.get_by_role("button", name="Save entry").click()
    expect(page.get_by_text("The entry is saved in your engagement log.")).to_be_visible()
    # exactly as typed (an invisible word joiner keeps "http:" from becoming a link)
    shown = re.compile(r"^Note · Visit \*planned\* <b>with</b> \[HR\]\(http\u2060?://x\.example\)$")
    expect(page.get_by_text(shown)).to_be_visible()
    expect(page.get_by_test_id("stText").get_by_text("**not bold**")).to_be_visible()
    # nothing of it became markup: no bold element, no link to the typed address
    assert page.locator("a[href='http://x.example']").count() == 0
    assert page.locator("strong", has_text="not bold").count() == 0
