"""Issue 14 through the pages (AppTest): another brand's import leaves no trace on a brand's
pages, the factory profile shows where its facts come from, closed factories, and the upload
page's Excel workbooks, database refusals and whole-file messages."""

from __future__ import annotations

import io

from openpyxl import Workbook
from sqlalchemy import text

from tests.apphelpers import PAGES
from tests.pagespecs import brand_pages
from tests.test_isolation_properties import rendered_text, seeded_app

IMPORT = str(PAGES / "admin" / "import_data.py")
FACTORY = str(PAGES / "brand" / "factory.py")
SUPPLIERS = str(PAGES / "brand" / "suppliers.py")
SECRET_FILE = "maple-confidential-2026.csv"


def open_page(engine, user: str, page: str, **params):
    at = seeded_app(engine, user)
    if user == "admin":  # administration pages exist once the first run built the menu
        at.run()
    at.switch_page(page)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def upload(at, name: str, data: bytes, kind: str = "facilities", brand: str | None = None,
           dry_run: bool = False, sheet: str | None = None):
    at.selectbox(key="import_kind").set_value(kind).run()
    if brand:
        at.selectbox(key="import_brand").set_value(brand).run()
    at.file_uploader(key="import_file").set_value((name, data, "text/csv")).run()
    if sheet:
        at.selectbox(key="import_sheet").set_value(sheet).run()
    at.toggle(key="import_dry_run").set_value(dry_run).run()
    at.button[0].click().run()
    assert not at.exception, at.exception
    return at


def shared_factory(engine) -> tuple[int, str, str]:
    """A factory nordwind sources from that has an OS ID: (id, OS ID, address)."""
    with engine.connect() as conn:
        return tuple(conn.execute(text(
            "SELECT f.id, f.os_id, f.address FROM factory f JOIN sourcing_relationship r ON "
            "r.factory_id = f.id JOIN brand b ON b.id = r.brand_id WHERE b.code = 'nordwind' "
            "AND r.active AND f.status = 'active' AND f.os_id IS NOT NULL ORDER BY f.id "
            "LIMIT 1")).one())


def test_another_brands_import_leaves_no_trace_on_a_brands_pages(app_env):
    fid, os_id, address = shared_factory(app_env)
    with app_env.connect() as conn:
        name, country = conn.execute(text("SELECT name, country_code FROM factory WHERE id = :f"),
                                     {"f": fid}).one()
    data = (f'country,name,address,number_of_workers,os_id\n{country},"{name}",'
            f'"{address} (rear building)",4321,{os_id}\n'
            'VN,Maple Only Knitting Co,"77 Secret Road, Bien Hoa",300,\n').encode()
    at = open_page(app_env, "admin", IMPORT)
    upload(at, SECRET_FILE, data, brand="maple-thread")
    assert any("inserted 2" in s.value for s in at.success), [s.value for s in at.success]

    for spec in brand_pages():
        params = {"id": str(fid)} if spec.stem == "factory" else {}
        page = open_page(app_env, "nordwind", str(PAGES / "brand" / f"{spec.stem}.py"), **params)
        shown = rendered_text(page)
        for trace in (SECRET_FILE, "maple-confidential", "Maple & Thread", "maple-thread",
                      "Maple Only Knitting", "maple"):
            assert trace not in shown, (spec.stem, trace)
        if spec.stem != "factory":  # only the profile lists other buyers' values, unnamed
            assert "rear building" not in shown, spec.stem

    profile = open_page(app_env, "nordwind", FACTORY, id=str(fid))
    panel = rendered_text(profile)
    assert "Where this information comes from" in [e.label for e in profile.expander]
    assert "another buyer's list" in panel  # maple's values, anonymously
    conflicts = "\n".join(t.value for t in profile.text)
    assert "Workers:" in conflicts and "by another buyer's list" in conflicts
    assert "(rear building) by another buyer's list" in conflicts

    # maple itself sees its own list named, with the file it came from
    own = open_page(app_env, "maple", FACTORY, id=str(fid))
    assert f"your facility list ({SECRET_FILE})" in rendered_text(own)


def test_closed_factory_profile_and_the_directory_toggle(app_env):
    with app_env.connect() as conn:
        fid, _status = conn.execute(text(
            "SELECT f.id, f.status FROM factory f JOIN sourcing_relationship r ON r.factory_id "
            "= f.id JOIN brand b ON b.id = r.brand_id WHERE b.code = 'nordwind' AND "
            "f.status = 'closed' ORDER BY f.id LIMIT 1")).one()
    profile = open_page(app_env, "nordwind", FACTORY, id=str(fid))
    banner = [w.value for w in profile.warning if "This factory closed" in w.value]
    assert banner and "left out of your active figures" in banner[0]
    assert any(c.value.startswith("Closed") or " Closed" in c.value for c in profile.caption)

    directory = open_page(app_env, "nordwind", SUPPLIERS)
    listed = set(directory.dataframe[0].value["factory_id"]) \
        if "factory_id" in directory.dataframe[0].value else None
    directory.toggle(key="filter_closed").set_value(True).run()
    assert not directory.exception
    shown = rendered_text(directory)
    with app_env.connect() as conn:
        name = conn.execute(text("SELECT name FROM factory WHERE id = :f"), {"f": fid}).scalar()
    assert name in shown
    if listed is not None:
        assert fid not in listed


def _workbook(sheets: dict[str, list[list]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_upload_page_imports_a_chosen_sheet_of_a_workbook_and_logs_who(app_env):
    data = _workbook({
        "Read me": [["This list was exported from our sourcing system"]],
        "Tier 1": [["Country", "Name", "Address", "Number of Workers"],
                   ["Cambodia", "Workbook Garment Co", "8 Sheet Street, Phnom Penh", 640],
                   ["Cambodia", "Workbook Garment Co.", "8 Sheet St, Phnom Penh", 650]],
    })
    at = open_page(app_env, "admin", IMPORT)
    upload(at, "tier-1.xlsx", data, brand="nordwind", sheet="Tier 1")
    success = " ".join(s.value for s in at.success)
    assert "inserted 1" in success and "merged 1 into an earlier row" in success
    assert any("sheet “Tier 1” of an Excel workbook" in c.value.replace("\\", "")
               for c in at.caption)
    notes = next(d.value for d in at.dataframe if "note" in d.value.columns)
    assert "merged with row 2 (the same facility)" in set(notes["note"])
    runs = at.dataframe[-1].value
    latest = runs.iloc[0]
    assert (latest["file_name"], latest["username"], latest["status"]) == (
        "tier-1.xlsx", "admin via upload page", "imported")


def test_upload_page_words_whole_file_problems_and_database_refusals(app_env):
    at = open_page(app_env, "admin", IMPORT)
    upload(at, "header-only.csv", b"country,name,address\n", brand="nordwind")
    error = " ".join(e.value for e in at.error)
    assert "1 problem with the file as a whole" in error and "0 of 0" not in error
    problems = next(d.value for d in at.dataframe if "problem" in d.value.columns)
    assert problems["problem"].tolist() == ["The file has no rows under its header."]
    labels = [b.label for b in at.get("download_button")]
    assert {"Download the list of problems (CSV)",
            "Download the list of problems (Excel)"} <= set(labels)

    with app_env.begin() as conn:
        conn.execute(text("CREATE TRIGGER frozen BEFORE INSERT ON sourcing_relationship BEGIN "
                          "SELECT RAISE(ABORT, 'relationships are frozen'); END"))
        before = conn.execute(text("SELECT (SELECT COUNT(*) FROM factory), "
                                   "(SELECT COUNT(*) FROM import_run)")).one()
    upload(at, "refused.csv", b"country,name,address\nVN,Refused Co,1 Road\n", brand="nordwind")
    error = " ".join(e.value for e in at.error)
    assert "was not imported" in error and "The database refused the import" in error
    assert "relationships are frozen" in error and "Nothing was imported." in error
    with app_env.connect() as conn:
        after = conn.execute(text("SELECT (SELECT COUNT(*) FROM factory), "
                                  "(SELECT COUNT(*) FROM import_run)")).one()
    assert tuple(after) == tuple(before)
