"""Journey in a real browser (issue 14): an administrator uploads one brand's facility list as
an Excel workbook; another brand then sees no trace of it — no file name, no brand — except
the conflicting values on the shared factory's profile, as "another buyer's list"; and its
Downloads page gives an Excel workbook beside the CSV."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from playwright.sync_api import expect
from sqlalchemy import text

from data_access.db import create_db_engine
from data_access.viewer import Viewer
from tests.apphelpers import brand_id, reference_for
from tests.browserhelpers import StreamlitServer, sign_in, sqlite_copy
from tests.e2e.conftest import wait_until_settled

pytestmark = pytest.mark.browser
SECRET_FILE = "maple-confidential-2026.xlsx"


@pytest.fixture
def private_server(sqlite_demo_path):
    server = StreamlitServer(sqlite_copy(sqlite_demo_path))
    yield server
    server.stop()


def _shared_factory(url: str) -> tuple[int, str, str, str, str]:
    engine = create_db_engine(url)
    with engine.connect() as conn:
        row = conn.execute(text(
            "SELECT f.id, f.os_id, f.name, f.address, f.country_code FROM factory f JOIN "
            "sourcing_relationship r ON r.factory_id = f.id JOIN brand b ON b.id = r.brand_id "
            "WHERE b.code = 'nordwind' AND r.active AND f.status = 'active' AND f.os_id IS NOT "
            "NULL ORDER BY f.id LIMIT 1")).one()
    engine.dispose()
    return tuple(row)


def _workbook(os_id: str, name: str, address: str, country: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Suppliers"
    sheet.append(["Country", "Name", "Address", "Number of Workers", "OS ID"])
    sheet.append([country, name, f"{address} (rear building)", 4321, os_id])
    sheet.append(["VN", "Maple Only Knitting Co", "77 Secret Road, Bien Hoa", 300, None])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_one_brands_excel_import_leaves_no_trace_for_another(browser, private_server):
    fid, os_id, name, address, country = _shared_factory(private_server.database_url)
    admin = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = admin.new_page()
    page.set_default_timeout(30_000)
    expect.set_options(timeout=30_000)
    sign_in(page, private_server.url, "admin", "admin-demo-2026")
    page.get_by_role("link", name="Import data").click()
    expect(page.get_by_role("heading", name="Import data")).to_be_visible()
    wait_until_settled(page)
    page.get_by_role("combobox", name=re.compile("For brand")).click()
    page.get_by_role("option", name="Maple & Thread").click()
    wait_until_settled(page)
    page.locator("input[type='file']").set_input_files(files=[{
        "name": SECRET_FILE, "buffer": _workbook(os_id, name, address, country),
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
    expect(page.get_by_role("button", name="Check file")).to_be_enabled()  # file and brand
    wait_until_settled(page)
    page.get_by_text("Dry run: check and count only, write nothing").click()
    wait_until_settled(page)
    page.get_by_role("button", name="Import file").click()
    expect(page.get_by_text(re.compile(r"inserted 2, updated 0"))).to_be_visible()
    # the import log (a canvas grid: its cells are in the DOM for screen readers)
    expect(page.get_by_text("admin via upload page").first).to_be_attached()
    admin.close()

    brand = browser.new_context(viewport={"width": 1400, "height": 1000},
                                accept_downloads=True)
    page = brand.new_page()
    page.set_default_timeout(30_000)
    sign_in(page, private_server.url, "nordwind", "nordwind-demo-2026")
    expect(page.get_by_role("heading", name="Nordwind Apparel — overview")).to_be_visible()
    body = page.locator("section.main, [data-testid='stMain']").first
    expect(body).not_to_contain_text("maple", ignore_case=True)
    expect(body).not_to_contain_text("confidential")

    page.goto(f"{private_server.url}/factory?id={fid}")
    expect(page.get_by_text("Where this information comes from")).to_be_visible()
    page.get_by_text("Where this information comes from").click()
    expect(page.get_by_text(re.compile(r"by another buyer's list"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"\(rear building\) by another buyer's list"))) \
        .to_be_visible()
    expect(body).not_to_contain_text("maple", ignore_case=True)
    expect(body).not_to_contain_text(SECRET_FILE)

    page.get_by_role("link", name="Downloads").click()
    expect(page.get_by_role("heading", name="Downloads", exact=True)).to_be_visible()
    with page.expect_download() as info:
        page.get_by_role("button", name="Excel workbook").first.click()
    download = info.value
    # named by the date the figures are computed as of (the data's, not the calendar's)
    engine = create_db_engine(private_server.database_url)
    nordwind = Viewer("nordwind", "brand", brand_id(engine, "nordwind"))
    as_of = reference_for(engine, nordwind).figures.isoformat()
    engine.dispose()
    assert download.suggested_filename == f"nordwind_supplier-list_{as_of}.xlsx"
    book = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    assert book.sheetnames == ["Data", "Data dictionary"]
    header, *rows = book["Data"].iter_rows(values_only=True)
    names = {row[header.index("name")] for row in rows}
    assert name in names and "Maple Only Knitting Co" not in names
    brand.close()
