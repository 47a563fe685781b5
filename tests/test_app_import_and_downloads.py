"""Admin import page, audit log and Downloads page through AppTest."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from tests.apphelpers import PAGES, brand_id, sign_in

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "import"
IMPORT = str(PAGES / "admin" / "import_data.py")
AUDIT = str(PAGES / "admin" / "audit_log.py")
DOWNLOADS = str(PAGES / "brand" / "downloads.py")


def open_page(at, page):
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def counts(engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        return tuple(conn.execute(text(
            "SELECT (SELECT COUNT(*) FROM factory), (SELECT COUNT(*) FROM purchase_order), "
            "(SELECT COUNT(*) FROM sourcing_relationship)")).one())


def upload(at, name: str, kind: str, brand: str | None, dry_run: bool):
    at.selectbox(key="import_kind").set_value(kind).run()
    if brand:
        at.selectbox(key="import_brand").set_value(brand).run()
    at.file_uploader(key="import_file").set_value(
        (name, (FIXTURES / name).read_bytes(), "text/csv")).run()
    at.toggle(key="import_dry_run").set_value(dry_run).run()
    at.button[0].click().run()
    assert not at.exception, at.exception
    return at


def test_bad_file_lists_every_problem_and_writes_nothing(app_env):
    before = counts(app_env)
    at = open_page(sign_in("admin", "admin-demo-2026"), IMPORT)
    upload(at, "facilities_bad.csv", "facilities", "nordwind", dry_run=False)
    assert any("was not imported" in e.value and "Nothing was written" in e.value
               for e in at.error)
    problems = next(d.value for d in at.dataframe if "problem" in d.value.columns)
    assert len(problems) >= 2 and problems["row"].notna().any()
    assert counts(app_env) == before


def test_dry_run_then_import_then_reimport(app_env):
    at = open_page(sign_in("admin", "admin-demo-2026"), IMPORT)
    before = counts(app_env)
    upload(at, "facilities_good.csv", "facilities", "maple-thread", dry_run=True)
    assert any("Nothing was written (dry run)" in s.value for s in at.success)
    assert counts(app_env) == before
    upload(at, "facilities_good.csv", "facilities", "maple-thread", dry_run=False)
    assert any("inserted" in s.value for s in at.success)
    after = counts(app_env)
    assert after != before
    upload(at, "facilities_good.csv", "facilities", "maple-thread", dry_run=False)
    assert any("inserted 0, updated 0" in s.value for s in at.success)
    assert counts(app_env) == after
    runs = at.dataframe[-1].value  # recent imports
    assert "facilities_good.csv" in set(runs["file_name"])


def test_import_and_audit_pages_are_admin_only(app_env):
    at = sign_in("nordwind", "nordwind-demo-2026")
    from tests.apphelpers import registered_pages

    assert not {"import_data.py", "audit_log.py"} & registered_pages(at)


def test_downloads_page_lists_every_extract_for_the_brand(app_env):
    from services.extract_catalogue import EXTRACTS

    at = open_page(sign_in("maple", "maple-demo-2026"), DOWNLOADS)
    labels = [b.label for b in at.get("download_button")]
    assert labels.count("Download CSV") == len(EXTRACTS)
    assert labels.count("Excel workbook") == len(EXTRACTS)  # an XLSX beside every CSV
    assert labels.count("Data dictionary") == len(EXTRACTS)
    assert any("Filters in force" in i.value for i in at.info)


def test_downloads_show_the_filters_in_force(app_env):
    at = sign_in("nordwind", "nordwind-demo-2026")
    open_page(at, str(PAGES / "brand" / "suppliers.py"))
    at.multiselect(key="filter_countries").set_value(["KH"]).run()
    open_page(at, DOWNLOADS)
    assert any("Cambodia" in i.value for i in at.info)


def test_audit_log_shows_downloads(app_env):
    import datetime as dt

    from data_access.viewer import Viewer
    from services.extract_catalogue import ExtractContext, build_file

    build_file(app_env, Viewer("maple", "brand", brand_id(app_env, "maple-thread")),
               "supplier-list", ExtractContext(as_of=dt.date.today()))
    at = open_page(sign_in("admin", "admin-demo-2026"), AUDIT)
    log = at.dataframe[0].value
    assert (log["username"] == "maple").any()
    assert set(log["extract"]) >= {"supplier-list"}
