"""Journey in a real browser: download an extract and compare it with the database."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import text

from data_access.db import create_db_engine
from data_access.importing import import_csv
from data_access.viewer import Viewer
from metrics.reference import fmt_date
from tests.apphelpers import brand_id, reference_for
from tests.browserhelpers import sign_in
from tests.e2e.conftest import wait_until_settled

pytestmark = pytest.mark.browser


TELLING_NAME = "nordwind-confidential-supplier-list-q4.csv"


def _import_for_another_brand(engine) -> dt.datetime:
    """An administrator re-imports one of Nordwind's factories (nothing changes, but the import
    is logged with its file name and time, and the data version moves)."""
    with engine.connect() as conn:
        row = conn.execute(text(
            "SELECT f.country_code, f.name, f.address, f.os_id FROM factory f "
            "JOIN sourcing_relationship r ON r.factory_id = f.id JOIN brand b ON "
            "b.id = r.brand_id WHERE b.code = 'nordwind' AND f.os_id IS NOT NULL "
            "ORDER BY f.id LIMIT 1")).one()
    lines = io.StringIO()
    csv.writer(lines).writerows([["country", "name", "address", "os_id"], list(row)])
    import_csv(engine, Viewer("admin", "admin", None), "facilities",
               lines.getvalue().encode(), brand_code="nordwind", file_name=TELLING_NAME)
    with engine.connect() as conn:
        finished = conn.execute(text("SELECT MAX(finished_at) FROM import_run WHERE "
                                     "file_name = :f"), {"f": TELLING_NAME}).scalar_one()
    return dt.datetime.fromisoformat(str(finished))


def test_download_supplier_list_matches_the_database(page: Page, app_server):
    engine = create_db_engine(app_server.database_url)
    finished = _import_for_another_brand(engine)
    sign_in(page, app_server.url, "maple", "maple-demo-2026")
    expect(page.get_by_role("heading", name="Maple & Thread — overview")).to_be_visible()
    # Maple's overview states its own as-of dates, and nothing of Nordwind's import
    expect(page.get_by_text("Figures as of").first).to_be_visible()
    shown = page.locator("[data-testid='stMain']").inner_text()
    assert TELLING_NAME not in shown and "import of facilities" not in shown
    for when in (f"{finished:%d %b %Y %H:%M}", f"{finished:%H:%M}", fmt_date(finished)):
        assert when not in shown, when
    maple = Viewer("maple", "brand", brand_id(engine, "maple-thread"))
    reference = reference_for(engine, maple)
    assert f"your facility list updated {fmt_date(reference.facility_list)}" in shown

    page.get_by_role("link", name="Downloads").click()
    expect(page.get_by_role("heading", name="Downloads", exact=True)).to_be_visible()
    wait_until_settled(page)  # the data dictionaries under each extract have been drawn
    # the supplier list's own box (its title, then its buttons), not whichever button the
    # page happens to hold first while it is still being drawn
    box = page.get_by_test_id("stHorizontalBlock").filter(
        has=page.get_by_text("Supplier list", exact=True))
    button = box.get_by_role("button", name="Download CSV")
    expect(button).to_be_enabled()
    with page.expect_download() as info:
        button.click()
    download = info.value
    # named by the date the figures are computed as of, not the calendar date
    as_of = reference.figures.isoformat()
    assert download.suggested_filename == f"maple-thread_supplier-list_{as_of}.csv"
    raw = Path(download.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark: opens in a spreadsheet
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))

    with engine.connect() as conn:
        expected = set(conn.execute(text(
            "SELECT f.name FROM factory f JOIN sourcing_relationship r ON r.factory_id = f.id "
            "JOIN brand b ON b.id = r.brand_id WHERE b.code = 'maple-thread' AND r.active "
            "AND f.status = 'active'"
        )).scalars())
        audited = conn.execute(text(
            "SELECT row_count FROM extract_audit WHERE username = 'maple' AND "
            "extract = 'supplier-list' ORDER BY id DESC LIMIT 1")).scalar_one()
    engine.dispose()
    assert {r["name"] for r in rows} == expected
    assert audited == len(rows)
