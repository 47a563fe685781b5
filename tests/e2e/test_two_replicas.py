"""Two app processes against one PostgreSQL database, as behind a load balancer.

Both ``streamlit run`` servers share the database and the cookie key (docs/deployment.md). They
serve the same figures for the same brand; a data change made through a third path (here: the
data layer in the test process, with the data-version bump every import makes) is visible in
the other process on its next rerun — no restart, no cache clearing: each process's caches are
keyed by the data version it reads on every run.
"""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import text

from data_access.dataset import bump_data_version
from data_access.db import create_db_engine, upgrade_schema
from demo import generate_demo_data
from tests.browserhelpers import sign_in_and_wait
from tests.conftest import new_postgres_database
from tests.e2e.conftest import StreamlitServer

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

HEADING = "Nordwind Apparel — overview"


@pytest.fixture(scope="module")
def shared_database(postgres_server):
    url = new_postgres_database(postgres_server, "two_replicas")
    engine = create_db_engine(url)
    upgrade_schema(engine)
    generate_demo_data(engine, size="demo")
    yield url, engine
    engine.dispose()


@pytest.fixture(scope="module")
def replicas(shared_database):
    url, _engine = shared_database
    env = {"DASHBOARD_COOKIE_KEY": secrets.token_urlsafe(48)}  # the same key on every replica
    first = StreamlitServer(url, env)
    try:
        second = StreamlitServer(url, env)
    except Exception:
        first.stop()
        raise
    yield first, second
    first.stop()
    second.stop()


def active_suppliers(page: Page) -> int:
    metric = page.locator("[data-testid='stMetric']").filter(has_text="Active suppliers")
    expect(metric).to_be_visible()
    value = metric.locator("[data-testid='stMetricValue']").inner_text()
    return int(re.sub(r"[^0-9]", "", value))


def open_overview(browser, server: StreamlitServer) -> Page:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    sign_in_and_wait(page, server.url, "nordwind", "nordwind-demo-2026", HEADING)
    return page


def rerun_overview(page: Page) -> None:
    """Another run of the same session: away to another page and back, through the sidebar."""
    page.get_by_role("link", name="Visibility").click()
    expect(page.get_by_role("heading", name="Visibility")).to_be_visible()
    page.get_by_role("link", name="Overview").click()
    expect(page.get_by_role("heading", name=HEADING)).to_be_visible()


def test_two_processes_serve_the_same_figures_and_see_a_change_at_once(
        browser, replicas, shared_database):
    from playwright.sync_api import expect as expect_

    expect_.set_options(timeout=30_000)
    first, second = replicas
    _url, engine = shared_database
    on_first = open_overview(browser, first)
    on_second = open_overview(browser, second)
    before = active_suppliers(on_first)
    assert active_suppliers(on_second) == before
    assert first.process.pid != second.process.pid

    with engine.begin() as conn:  # e.g. an import through the other replica or the CLI
        brand = conn.execute(text("SELECT id FROM brand WHERE code = 'nordwind'")).scalar_one()
        factory = conn.execute(text(
            "SELECT id FROM factory WHERE id NOT IN (SELECT factory_id FROM "
            "sourcing_relationship WHERE brand_id = :b) ORDER BY id LIMIT 1"), {"b": brand}
        ).scalar_one()
        conn.execute(text("SELECT set_config('app.scope', 'system', true)"))
        conn.execute(text(
            "INSERT INTO sourcing_relationship (brand_id, factory_id, tier, active, "
            "publicly_disclosed) VALUES (:b, :f, 1, true, false)"), {"b": brand, "f": factory})
        bump_data_version(conn, "test: a supplier added by another process")

    # both replicas had cached the overview; each shows the new figure on its next rerun
    rerun_overview(on_second)
    expect(on_second.locator("[data-testid='stMetric']").filter(has_text="Active suppliers")
           .locator("[data-testid='stMetricValue']")).to_have_text(re.compile(str(before + 1)))
    assert active_suppliers(on_second) == before + 1
    rerun_overview(on_first)
    assert active_suppliers(on_first) == before + 1
    on_first.context.close()
    on_second.context.close()
