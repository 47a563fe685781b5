"""Journey in a real browser: supplier directory → factory profile → comparison."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browserhelpers import sign_in

pytestmark = pytest.mark.browser


def test_directory_to_profile_to_compare(page: Page, app_server):
    sign_in(page, app_server.url, "nordwind", "nordwind-demo-2026")
    expect(page.get_by_role("heading", name="Nordwind Apparel — overview")).to_be_visible()

    page.get_by_role("link", name="Suppliers").click()
    expect(page.get_by_role("heading", name="Suppliers", exact=True)).to_be_visible()
    expect(page.get_by_text(re.compile(r"of \d+ active suppliers match"))).to_be_visible()
    grid = page.locator("[data-testid='stDataFrame']").first
    expect(grid).to_be_visible()

    # selecting the first row (its selection box) opens its profile in the same tab
    pages_before = len(page.context.pages)
    grid.click(position={"x": 18, "y": 56})
    expect(page).to_have_url(re.compile(r"/factory\?id=\d+"))
    assert len(page.context.pages) == pages_before  # no new tab
    expect(page.get_by_text("Factory facts")).to_be_visible()
    expect(page.get_by_text("By cluster, against the country")).to_be_visible()
    factory_id = page.url.split("id=")[1]

    # compare: this factory and two more, chosen on the comparison page
    page.get_by_role("link", name="Compare factories").click()
    expect(page.get_by_role("heading", name="Compare factories", exact=True)).to_be_visible()
    page.get_by_test_id("stMain").get_by_role("combobox").first.click()
    for _ in range(3):  # the dropdown stays open while choosing several
        page.get_by_role("option", name=re.compile(" · ")).first.click()
    page.keyboard.press("Escape")
    expect(page.get_by_text("Clusters in the latest assessment")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/compare\?ids=\d+(%2C|,)\d+(%2C|,)\d+$"))
    assert factory_id.isdigit()

    # the comparison link restores the same selection in a new tab of the same session
    url = page.url
    page.goto(url)
    expect(page.get_by_text("Clusters in the latest assessment")).to_be_visible()
