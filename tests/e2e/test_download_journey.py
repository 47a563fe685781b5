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
from tests.browserhelpers import sign_in

pytestmark = pytest.mark.browser


def test_download_supplier_list_matches_the_database(page: Page, app_server):
    sign_in(page, app_server.url, "maple", "maple-demo-2026")
    expect(page.get_by_role("heading", name="Maple & Thread — overview")).to_be_visible()
    page.get_by_role("link", name="Downloads").click()
    expect(page.get_by_role("heading", name="Downloads", exact=True)).to_be_visible()
    with page.expect_download() as info:
        page.get_by_role("button", name="Download CSV").first.click()
    download = info.value
    today = dt.date.today().isoformat()
    assert download.suggested_filename == f"maple-thread_supplier-list_{today}.csv"
    content = Path(download.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(content)))

    engine = create_db_engine(app_server.database_url)
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
