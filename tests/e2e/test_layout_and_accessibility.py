"""Every page in a real browser, for each role, at desktop (1440×900) and phone (390×844)
width: no horizontal overflow of the page, no cut-off heading or figure title, no serious or
critical accessibility violation (axe-core), and a chart that stays readable under simulated
colour-vision deficiencies (Chromium's own emulation).

Cheap by design: the session's one server and browser, one signed-in tab per role and width,
the pages visited in a loop.
"""

from __future__ import annotations

import io
import itertools
import re

import numpy as np
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browserhelpers import EXCEPTION, sign_in
from tests.e2e.conftest import wait_until_settled
from tests.pagespecs import page_specs
from tests.test_palettes import lab, linear_rgb

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": (1440, 900), "phone": (390, 844)}
#: a phone as Streamlit recognises one (it closes its menu after a choice on mobile devices,
#: which it tells by the user agent)
PHONE = {"is_mobile": True, "has_touch": True,
         "user_agent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
                       "(KHTML, like Gecko) Chrome/140.0.0.0 Mobile Safari/537.36"}
USERS = {"brand": ("nordwind", "nordwind-demo-2026"), "admin": ("admin", "admin-demo-2026")}
#: Streamlit's own sidebar navigation puts section headings (<div>) inside its <ul>: the two
#: list rules are checked everywhere else on the page
STREAMLIT_NAV = "[data-testid='stSidebarNav']"
LIST_RULES = ["list", "listitem"]
LAYOUT = """() => {
    const cut = el => el.scrollWidth > el.clientWidth + 1;
    const shown = el => el.offsetParent !== null;
    return {
        pageWidth: document.documentElement.scrollWidth,
        viewport: window.innerWidth,
        headings: [...document.querySelectorAll('h1, h2, h3')]
            .filter(el => shown(el) && cut(el)).map(el => el.textContent.slice(0, 60)),
        labels: [...document.querySelectorAll(
                '[data-testid="stMetricLabel"] p, [data-testid="stWidgetLabel"] p')]
            .filter(el => shown(el) && cut(el)).map(el => el.textContent.slice(0, 60)),
    };
}"""


def width_context(browser, width_name: str):
    """A new browser context and page at one of :data:`WIDTHS` (a phone as Streamlit tells
    one), with the patience a cold page on a 2-core machine needs."""
    width, height = WIDTHS[width_name]
    context = browser.new_context(viewport={"width": width, "height": height},
                                  **(PHONE if width_name == "phone" else {}))
    page = context.new_page()
    page.set_default_timeout(60_000)
    expect.set_options(timeout=60_000)
    return context, page


def layout_problems(page, width_name: str) -> list[str]:
    """What does not fit on the page shown: a page wider than the window, a cut heading and,
    at desktop width, a cut metric or widget label."""
    layout = page.evaluate(LAYOUT)
    problems = []
    if layout["pageWidth"] > layout["viewport"]:
        problems.append(f"page {layout['pageWidth']} px wide in a {layout['viewport']} px window")
    if layout["headings"]:
        problems.append(f"cut headings {layout['headings']}")
    if width_name == "desktop" and layout["labels"]:
        problems.append(f"cut labels {layout['labels']}")
    return problems


def serious(results: dict) -> list[str]:
    return [f"{v['id']} ({len(v['nodes'])}×): {v['nodes'][0]['target']}"
            for v in results["violations"] if v["impact"] in ("serious", "critical")]


def axe_problems(axe: Axe, page) -> list[str]:
    everything = axe.run(page, options={"rules": {r: {"enabled": False} for r in LIST_RULES}})
    lists = axe.run(page, context={"exclude": [[STREAMLIT_NAV]]},
                    options={"runOnly": {"type": "rule", "values": LIST_RULES}})
    return serious(everything.response) + serious(lists.response)


def signed_in(page, base_url: str, role: str) -> None:
    sign_in(page, base_url, *USERS[role])
    # the landing page's title (the sign-in page's own title is the product's name)
    page.locator("h1").filter(has_not_text="Supply-chain conditions dashboard").first.wait_for()
    wait_until_settled(page)


def visit(page, base_url: str, url_path: str) -> None:
    page.goto(f"{base_url}/{url_path}")
    page.locator("h1").first.wait_for()
    wait_until_settled(page, quiet_ms=1_000, timeout_ms=60_000)
    assert not page.locator(EXCEPTION).count(), url_path


@pytest.mark.parametrize("role", sorted(USERS))
def test_every_page_fits_both_widths_and_passes_axe(browser, app_server, role):
    specs = [s for s in page_specs() if s.admin_only == (role == "admin")]
    axe = Axe()
    problems: dict[str, list[str]] = {}
    for width_name in WIDTHS:
        context, page = width_context(browser, width_name)
        signed_in(page, app_server.url, role)
        for spec in specs:
            visit(page, app_server.url, spec.url_path)
            where = f"{spec.url_path} at {width_name}"
            found = layout_problems(page, width_name) + axe_problems(axe, page)
            if found:
                problems.setdefault(where, []).extend(found)
            if width_name == "phone" and spec is specs[0]:
                # the menu starts closed on a phone, so the page itself is what one sees, and
                # closes again once a page is chosen in it
                sidebar = page.locator("[data-testid='stSidebar']")
                expect(sidebar).to_have_attribute("data-collapsed", "true")
                page.get_by_test_id("stExpandSidebarButton").click()
                expect(sidebar).to_have_attribute("data-collapsed", "false")
                # an entry may carry a count of unseen items after its name ("What's new (12)")
                entry = re.compile(rf"^{re.escape(specs[1].title)}( \(\d[\d,]*\))?$")
                sidebar.get_by_role("link", name=entry).click()
                expect(page.get_by_role("heading", level=1).first).to_be_visible()
                expect(page).to_have_url(re.compile(f"/{specs[1].url_path}"))
                expect(sidebar).to_have_attribute("data-collapsed", "true")
        context.close()
    assert not problems, problems


def _main_colours(png: bytes, min_share: float = 0.004) -> list[np.ndarray]:
    """The chart's saturated colours that cover a noticeable share of its pixels (text, axes
    and the white background left out), most common first, as CIELAB."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    pixels = np.asarray(image).reshape(-1, 3)
    spread = pixels.max(axis=1).astype(int) - pixels.min(axis=1).astype(int)
    colourful = pixels[spread > 40]
    values, counts = np.unique(colourful, axis=0, return_counts=True)
    keep = values[counts >= min_share * len(pixels)]
    order = np.argsort(-counts[counts >= min_share * len(pixels)])
    return [lab(linear_rgb("#" + "".join(f"{int(c):02x}" for c in keep[i]))) for i in order]


def test_status_colours_stay_apart_under_emulated_colour_blindness(page, app_server):
    """The overview's "where your suppliers are" chart (three assessment statuses) as Chromium
    renders it for protanopia, deuteranopia and tritanopia: its three bar colours stay
    clearly different (CIE ΔE ≥ 20)."""
    signed_in(page, app_server.url, "brand")
    page.get_by_role("heading", name="Where your suppliers are").wait_for()
    wait_until_settled(page)
    chart = page.locator("[data-testid='stVegaLiteChart']").last
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    cdp = page.context.new_cdp_session(page)
    seen = {}
    for deficiency in ("none", "protanopia", "deuteranopia", "tritanopia"):
        cdp.send("Emulation.setEmulatedVisionDeficiency", {"type": deficiency})
        page.wait_for_timeout(300)
        colours = _main_colours(chart.screenshot())
        assert len(colours) >= 3, (deficiency, len(colours))
        least = min(float(np.linalg.norm(a - b))
                    for a, b in itertools.combinations(colours[:3], 2))
        seen[deficiency] = round(least, 1)
    cdp.send("Emulation.setEmulatedVisionDeficiency", {"type": "none"})
    assert all(value >= 20 for value in seen.values()), seen
