"""Issue 14 at the data layer: provenance kept and the documented rule applied when two brands
(and Better Work, Open Supply Hub) give conflicting values; closed and moved factories; rows of
the same facility merged with a report; Excel workbooks read and written; the import's
messages. Every test runs on SQLite and PostgreSQL (``writable_engine``: the tiny demo)."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import Engine, text

from data_access import factories, provenance, queries
from data_access.errors import ImportFailed, ImportRejected
from data_access.extracts import write_xlsx
from data_access.factories import DirectoryFilters
from data_access.importing import import_csv, list_import_runs
from data_access.viewer import Viewer
from demo.generator import DEFAULT_SEED
from services.extract_catalogue import ExtractContext, write_extract
from services.import_cli import main as cli_main
from tests.conftest import DEMO_AS_OF

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "import"
ADMIN = Viewer("programme-admin", "admin", None)
HEADER = "country,name,address,number_of_workers,lat,lng,os_id"


def rows_of(engine: Engine, sql: str, **params) -> list:
    with engine.connect() as conn:
        return conn.execute(text(sql), params).all()


def scalar(engine: Engine, sql: str, **params):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def brand_id(engine: Engine, code: str) -> int:
    return scalar(engine, "SELECT id FROM brand WHERE code = :c", c=code)


def facilities(engine: Engine, lines: list[str], *, brand: str | None = None,
               source: str | None = None, name: str = "list.csv", header: str = HEADER,
               **kwargs):
    data = "\n".join([header, *lines]).encode()
    return import_csv(engine, ADMIN, "facilities", data, brand_code=brand, list_source=source,
                      file_name=name, **kwargs)


def factory(engine: Engine, os_id: str):
    return rows_of(engine, "SELECT * FROM factory WHERE os_id = :o", o=os_id)[0]


SAIGON = 'VN,Saigon Knit Co. Ltd,"12 Road 3, Tan Thuan EPZ",{workers},{lat},{lng},VN2020112K3M9QX'


# ---- provenance: two brands' conflicting lists --------------------------------------------------


def test_two_brands_conflicting_lists_keep_both_values_and_the_rule_picks_one(writable_engine):
    engine = writable_engine
    nordwind, maple = brand_id(engine, "nordwind"), brand_id(engine, "maple-thread")
    facilities(engine, [SAIGON.format(workers="2400", lat="10.7563", lng="106.7218")],
               brand="nordwind", name="nordwind-suppliers-2026.csv")
    # maple's list: other coordinates, another worker count, the name re-spelled
    report = facilities(engine, [
        'Vietnam,SAIGON KNIT CO LTD,"12 Rd 3, Tan Thuan EPZ",3100,10.9000,106.9000,'
        "VN2020112K3M9QX"], brand="maple-thread", name="maple-private-list.csv")
    assert (report.inserted, report.updated) == (1, 0)  # a new relationship for maple

    saigon = factory(engine, "VN2020112K3M9QX")
    # nothing silently overwritten: one list against one, the value already shown stays
    assert (saigon.lat, saigon.lng, saigon.workers) == (10.7563, 106.7218, 2400)
    assert saigon.name == "Saigon Knit Co. Ltd"
    kept = {(r.attribute, r.brand_id): r.value for r in rows_of(
        engine, "SELECT attribute, brand_id, value FROM factory_attribute_source WHERE "
        "factory_id = :f", f=saigon.id)}
    assert kept[("coordinates", nordwind)] == "10.7563,106.7218"
    assert kept[("coordinates", maple)] == "10.9,106.9"
    assert kept[("workers", maple)] == "3100"

    # a third list agreeing with maple outvotes nordwind's coordinates (most lists agree)
    facilities(engine, [SAIGON.format(workers="", lat="10.9", lng="106.9")], brand="riverstone")
    assert (factory(engine, "VN2020112K3M9QX").lat,
            factory(engine, "VN2020112K3M9QX").lng) == (10.9, 106.9)

    # Open Supply Hub ranks first for the location, Better Work for the workforce
    facilities(engine, [SAIGON.format(workers="", lat="10.7600", lng="106.7200")],
               source="open_supply_hub", name="osh-export.csv")
    facilities(engine, [SAIGON.format(workers="2750", lat="", lng="")], source="better_work")
    saigon = factory(engine, "VN2020112K3M9QX")
    assert (saigon.lat, saigon.lng, saigon.workers) == (10.76, 106.72, 2750)
    # sources that are not brands link no brand to the factory
    assert scalar(engine, "SELECT COUNT(*) FROM sourcing_relationship WHERE factory_id = :f",
                  f=saigon.id) == 3


def test_the_profile_names_the_brands_own_list_and_others_only_anonymously(writable_engine):
    engine = writable_engine
    facilities(engine, [SAIGON.format(workers="2400", lat="10.7563", lng="106.7218")],
               brand="nordwind", name="nordwind-suppliers-2026.csv")
    facilities(engine, ['VN,Saigon Knit Co. Ltd,"12 Road 3, Tan Thuan EPZ",3100,,,'
                        "VN2020112K3M9QX"], brand="maple-thread",
               name="maple-private-list.csv")
    fid = factory(engine, "VN2020112K3M9QX").id
    nordwind = Viewer("n", "brand", brand_id(engine, "nordwind"))
    maple = Viewer("m", "brand", brand_id(engine, "maple-thread"))

    seen_by_nordwind = provenance.factory_provenance(engine, nordwind, fid)
    workers = seen_by_nordwind[seen_by_nordwind["attribute"] == "workers"]
    assert set(workers["source"]) == {"your facility list (nordwind-suppliers-2026.csv)",
                                      "another buyer's list"}
    assert workers.loc[workers["shown"], "value"].tolist() == ["2,400"]
    conflict = provenance.conflicts(seen_by_nordwind)
    assert conflict[["label", "value", "source"]].values.tolist() == [
        ["Workers", "3,100", "another buyer's list"]]
    everything = " ".join(seen_by_nordwind.astype(str).to_numpy().ravel())
    assert "maple" not in everything.casefold() and "Maple" not in everything

    seen_by_maple = provenance.factory_provenance(engine, maple, fid)
    text_ = " ".join(seen_by_maple.astype(str).to_numpy().ravel())
    assert "maple-private-list.csv" in text_ and "nordwind" not in text_.casefold()
    # the change log every page may read names no file and no brand
    source = scalar(engine, "SELECT source FROM dataset_state")
    assert source == "import of a brand's facility list"


def test_a_same_source_respelling_or_a_range_is_no_change(writable_engine):
    engine = writable_engine
    facilities(engine, [SAIGON.format(workers="2400", lat="", lng="")], brand="nordwind")
    again = facilities(engine, ['VN,SAIGON KNIT CO LTD,"12 Rd 3, Tan Thuan EPZ",1001-5000,,,'
                                "VN2020112K3M9QX"], brand="nordwind")
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 1)
    assert factory(engine, "VN2020112K3M9QX").workers == 2400


# ---- closed and moved factories -----------------------------------------------------------------


def test_closed_and_moved_factories_leave_the_active_figures_but_stay_findable(writable_engine):
    engine = writable_engine
    header = HEADER + ",status,status_date,moved_to_os_id"
    facilities(engine, [
        'VN,Old Site Garment Co,"1 Road A, Bien Hoa",800,,,VN2019045ABCDE7,,,',
        'VN,New Site Garment Co,"9 Road B, Bien Hoa",900,,,VN2023100NEWST5,,,',
        'KH,Gone Garment Co,"2 Street 4, Phnom Penh",500,,,KH2018200PQRST3,,,',
    ], brand="nordwind", header=header)
    viewer = Viewer("n", "brand", brand_id(engine, "nordwind"))
    old, new, gone = (factory(engine, o).id for o in (
        "VN2019045ABCDE7", "VN2023100NEWST5", "KH2018200PQRST3"))
    before = set(queries.suppliers(engine, viewer)["factory_id"])
    assert {old, new, gone} <= before

    report = facilities(engine, [
        'VN,Old Site Garment Co,"1 Road A, Bien Hoa",,,,VN2019045ABCDE7,moved,2026-03-01,'
        "VN2023100NEWST5",
        'KH,Gone Garment Co,"2 Street 4, Phnom Penh",,,,KH2018200PQRST3,Permanently closed,'
        "2026-02-15,",
    ], source="open_supply_hub", header=header, today=DEMO_AS_OF)
    assert report.updated == 2
    moved, closed = factory(engine, "VN2019045ABCDE7"), factory(engine, "KH2018200PQRST3")
    assert (moved.status, str(moved.status_since), moved.moved_to_factory_id) == (
        "moved", "2026-03-01", new)
    assert (closed.status, str(closed.status_since)) == ("closed", "2026-02-15")

    active = set(queries.suppliers(engine, viewer)["factory_id"])
    assert active == before - {old, gone}
    directory = factories.supplier_directory(engine, viewer, DirectoryFilters(), DEMO_AS_OF)
    assert {old, gone}.isdisjoint(directory["factory_id"])
    findable = factories.supplier_directory(engine, viewer, DirectoryFilters(include_closed=True),
                                            DEMO_AS_OF)
    assert {old, gone} <= set(findable["factory_id"])
    assert set(findable.loc[findable["factory_id"].isin([old, gone]), "status"]) == {
        "moved", "closed"}
    profile = factories.factory_profile(engine, viewer, old)  # history stays reachable
    assert (profile["status"], profile["moved_to_factory_id"]) == ("moved", new)
    status = provenance.factory_provenance(engine, viewer, old)
    shown = status[(status["attribute"] == "status") & status["shown"]]
    assert shown[["value", "source"]].values.tolist() == [
        ["moved on 01 Mar 2026 (to the site with OS ID VN2023100NEWST5)", "Open Supply Hub"]]

    # a brand's list that still lists the closed factory gets a note, and it stays closed
    again = facilities(engine, ['KH,Gone Garment Co,"2 Street 4, Phnom Penh",,,,'
                                "KH2018200PQRST3,,,"], brand="nordwind", header=header)
    assert any("recorded as closed since 15 Feb 2026" in w.message for w in again.warnings)
    assert factory(engine, "KH2018200PQRST3").status == "closed"


def test_status_columns_are_checked(writable_engine):
    header = HEADER + ",status,status_date,moved_to_os_id"
    with pytest.raises(ImportRejected) as caught:
        facilities(writable_engine, [
            'VN,A Co,"1 Road",,,,,demolished,,',
            'VN,B Co,"2 Road",,,,,active,2026-01-01,',
            'VN,C Co,"3 Road",,,,VN2023100NEWST5,moved,2099-01-01,VN2023100NEWST5',
        ], brand="nordwind", header=header, today=DEMO_AS_OF)
    problems = {(p.row, p.column): p.message for p in caught.value.report.errors}
    assert "is not a facility status" in problems[(2, "status")]
    assert "the status says neither" in problems[(3, "status_date")]
    assert "in the future" in problems[(4, "status_date")]
    assert "own OS ID" in problems[(4, "moved_to_os_id")]


def test_demo_data_has_closed_and_moved_factories_and_values_the_rule_chooses(writable_engine):
    engine = writable_engine
    statuses = dict(rows_of(engine, "SELECT status, COUNT(*) FROM factory GROUP BY status"))
    assert statuses.get("closed", 0) >= 1 and statuses.get("moved", 0) >= 1
    stored = {r.id: dict(r._mapping) for r in rows_of(engine, "SELECT * FROM factory")}
    found: dict[int, list[provenance.Observation]] = {}
    for r in rows_of(engine, "SELECT * FROM factory_attribute_source"):
        found.setdefault(r.factory_id, []).append(provenance.Observation(
            r.attribute, r.value, r.source_kind, r.brand_id, r.observed_at, r.id))
    mismatches = []
    for fid, row in stored.items():
        for column, value in provenance.chosen_columns(found.get(fid, []), row).items():
            have = row[column]
            if column == "status_since" and have is not None:
                have = dt.date.fromisoformat(str(have)[:10])
            if value != have:
                mismatches.append((fid, column, value, have))
    assert not mismatches  # every stored value is the one the documented rule picks
    assert DEFAULT_SEED  # the demo's seed: the same rows every run


# ---- rows of the same facility within one file --------------------------------------------------


def test_duplicate_rows_are_merged_with_a_report(writable_engine):
    engine = writable_engine
    report = facilities(engine, [
        'VN,Lotus Knit Co. Ltd,"12 Road 5, Bien Hoa",1200,,,',            # row 2
        'KH,Mekong Sewing Co,"4 Street 9, Phnom Penh",900,11.5,104.9,',   # row 3
        'VN,LOTUS KNIT CO LTD,"12 Rd 5, Bien Hoa",1500,10.95,106.82,',    # row 4: same as 2
        'KH,Mekong Sewing,"4 Street 9, Phnom Penh",,,,',                  # row 5: same as 3
    ], brand="nordwind", name="lists/with-duplicates.csv")
    assert (report.rows, report.inserted, report.merged) == (4, 2, 2)
    assert report.details["rows_merged"] == 2
    notes = {(w.row, w.column): w.message for w in report.warnings}
    assert notes[(4, None)] == ("merged with row 2 (the same facility); it adds lat, lng")
    assert notes[(4, "number_of_workers")] == "'1,500' differs from row 2's '1,200', which is kept"
    assert notes[(5, None)] == "merged with row 3 (the same facility)"
    assert all(w.file == "lists/with-duplicates.csv" for w in report.warnings)
    lotus = rows_of(engine, "SELECT * FROM factory WHERE name = 'Lotus Knit Co. Ltd'")[0]
    assert (lotus.workers, lotus.lat, lotus.lng) == (1200, 10.95, 106.82)  # first row wins
    assert "2 merged with an earlier row of the same facility" in report.summary()


# ---- Excel workbooks ----------------------------------------------------------------------------


def _workbook(rows: list[list], *, title: str = "Suppliers", before: int = 0,
              extra_sheet: bool = False) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    if extra_sheet:
        book.create_sheet("Notes", 0).append(["not the list"])
    for _ in range(before):
        sheet.append([])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@functools.cache
def _zip_bomb() -> bytes:
    """An "xlsx" whose sheet unpacks to 300 MB of zeros (streamed in, never held whole)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(300):
                sheet.write(chunk)
    return buffer.getvalue()


def test_excel_workbook_imports_with_the_rows_the_sheet_shows(writable_engine):
    engine = writable_engine
    header = ["Country", "Name", "Address", "Number of Workers", "women_pct", "Start Date",
              "Publicly disclosed"]
    data = _workbook([
        header,
        ["Viet Nam", "Excel Garment Co", "1 Sheet Road", 2350, 0.725,
         dt.datetime(2021, 3, 1), True],
        [],  # a blank row keeps its number
        ["KH", "Formula Sewing Co", "=CONCAT(\"x\",\"y\")", "1001-5000", None, None, False],
        ["Narnia", "Bad Row Co", "3 Road", 10, None, None, None],
    ])
    book = load_workbook(io.BytesIO(data))
    book.active["E2"].number_format = "0.0%"  # 72.5 % as Excel stores it: 0.725
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(ImportRejected) as caught:
        import_csv(engine, ADMIN, "facilities", buffer.getvalue(), brand_code="nordwind",
                   file_name="suppliers.xlsx")
    report = caught.value.report
    # the formula is never evaluated: with no saved result it is an empty (required) cell
    assert {(p.row, p.column) for p in report.errors} == {(4, "Address"), (5, "Country")}
    assert report.notes == ("sheet “Suppliers” of an Excel workbook",)

    data = _workbook([header, ["Viet Nam", "Excel Garment Co", "1 Sheet Road", 2350, 72.5,
                               dt.datetime(2021, 3, 1), True]], extra_sheet=True)
    done = import_csv(engine, ADMIN, "facilities", data, brand_code="nordwind",
                      file_name="suppliers.xlsx", sheet="Suppliers")
    assert (done.rows, done.inserted) == (1, 1)
    row = rows_of(engine, "SELECT f.workers, f.women_pct, r.start_date, r.publicly_disclosed "
                  "FROM factory f JOIN sourcing_relationship r ON r.factory_id = f.id "
                  "WHERE f.name = 'Excel Garment Co'")[0]
    assert (row.workers, row.women_pct, str(row.start_date), bool(row.publicly_disclosed)) == (
        2350, 72.5, "2021-03-01", True)


def test_percent_cells_read_as_percent(writable_engine):
    data = _workbook([["country", "name", "address", "women_pct"],
                      ["VN", "Percent Co", "5 Road", 0.725]])
    book = load_workbook(io.BytesIO(data))
    book.active["D2"].number_format = "0.0%"
    buffer = io.BytesIO()
    book.save(buffer)
    import_csv(writable_engine, ADMIN, "facilities", buffer.getvalue(), brand_code="nordwind",
               file_name="p.xlsx")
    assert scalar(writable_engine, "SELECT women_pct FROM factory WHERE name = 'Percent Co'") \
        == 72.5


def test_legacy_xls_workbook_imports(writable_engine):
    """A real .xls file (BIFF8, written by xlwt) read with python-calamine."""
    report = import_csv(writable_engine, ADMIN, "facilities", FIXTURES / "facilities_good.xls",
                        brand_code="nordwind")
    assert (report.rows, report.inserted) == (3, 3)
    assert report.notes == ("sheet “Suppliers” of an Excel 97–2003 workbook (.xls)",)
    row = rows_of(writable_engine, "SELECT * FROM factory WHERE os_id = 'VN2020112K3M9QX'")[0]
    assert (row.workers, row.country_code, row.lat) == (3000, "VN", 10.7563)


@pytest.mark.parametrize("label, data, sheet, message", [
    ("missing sheet", "workbook", "Tier 2", "The workbook has no sheet named “Tier 2”; its "
     "sheets are: “Notes”, “Suppliers”."),
    ("empty sheet", "empty", None, "The sheet “Suppliers” is empty."),
    ("zip bomb", "bomb", None, "The workbook would unpack to"),
    ("opendocument", "ods", None, "This is an OpenDocument spreadsheet, not a CSV file or an "
     "Excel workbook. Save it from the spreadsheet as “CSV UTF-8”"),
    ("damaged xls", "ole2", None, "The file could not be read as an Excel 97–2003 workbook"),
])
def test_workbook_problems_are_worded_for_what_they_are(writable_engine, label, data, sheet,
                                                        message):
    if data == "workbook":
        data = _workbook([["country", "name", "address"], ["VN", "A", "B"]], extra_sheet=True)
    elif data == "empty":
        data = _workbook([])
    elif data == "bomb":
        data = _zip_bomb()
        assert len(data) < 1024 * 1024  # under a megabyte packed
    elif data == "ods":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        data = buffer.getvalue()
    else:
        data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600
    with pytest.raises(ImportRejected) as caught:
        import_csv(writable_engine, ADMIN, "facilities", data, brand_code="nordwind",
                   file_name="list.xlsx", sheet=sheet)
    (problem,) = caught.value.report.errors
    assert problem.row is None and problem.message.startswith(message), (label, problem)
    assert "byte 0x" not in problem.message  # never an encoding message for a workbook
    summary = caught.value.report.summary()
    assert "1 problem with the file as a whole" in summary and "0 of 0" not in summary


def test_excel_export_round_trip_reimports_with_no_change(writable_engine, tmp_path):
    """The purchase-order extract as an Excel workbook: the same rows and typed cells as the
    CSV, a formula-looking text is text — and the workbook re-imports with nothing changed."""
    engine = writable_engine
    viewer = Viewer("n", "brand", brand_id(engine, "nordwind"))
    ctx = ExtractContext(as_of=DEMO_AS_OF)
    with (tmp_path / "orders.csv").open("wb") as out:
        n_csv = write_extract(engine, viewer, "purchase-orders", ctx, out)
    with (tmp_path / "orders.xlsx").open("wb") as out:
        n_xlsx = write_extract(engine, viewer, "purchase-orders", ctx, out, "xlsx")
    assert n_csv == n_xlsx > 0
    book = load_workbook(tmp_path / "orders.xlsx")
    assert book.sheetnames == ["Data", "Data dictionary"]
    sheet = book["Data"]
    header = [c.value for c in sheet[1]]
    with (tmp_path / "orders.csv").open(encoding="utf-8-sig") as handle:
        csv_rows = list(csv.reader(handle))
    assert header == csv_rows[0]
    first = {h: c for h, c in zip(header, sheet[2], strict=True)}
    assert isinstance(first["confirmed_on"].value, dt.datetime)  # a real date
    assert first["confirmed_on"].number_format == "yyyy-mm-dd"
    assert first["units_ordered"].data_type == "n"
    assert first["changed_after_confirmation"].data_type == "b"
    assert sheet.max_row - 1 == n_csv
    audit = rows_of(engine, "SELECT filters FROM extract_audit WHERE extract = "
                    "'purchase-orders' ORDER BY id")
    assert '"format":"xlsx"' in audit[-1].filters and '"format"' not in audit[-2].filters

    report = import_csv(engine, ADMIN, "orders", tmp_path / "orders.xlsx", brand_code="nordwind")
    assert (report.inserted, report.updated, report.unchanged) == (0, 0, n_xlsx)


def test_xlsx_text_cells_are_never_formulas(tmp_path):
    from data_access.extracts import ExtractColumn

    columns = [ExtractColumn("name"), ExtractColumn("units", "int"),
               ExtractColumn("price", "float"), ExtractColumn("day", "date")]
    rows = [("=HYPERLINK(\"http://x\",\"click\")", -3, -2.5, "2026-01-02"),
            ("  +1+2", 4, 1.25, dt.date(2026, 2, 3)), ("@SUM(A1)", None, None, None)]
    path = tmp_path / "x.xlsx"
    with path.open("wb") as out:
        assert write_xlsx(rows, columns, out) == 3
    with zipfile.ZipFile(path) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")  # no formula anywhere
    sheet = load_workbook(path)["Data"]
    cells = [[c for c in row] for row in sheet.iter_rows(min_row=2)]
    assert [row[0].value for row in cells] == [r[0] for r in rows]  # the text, exactly
    assert all(row[0].data_type == "s" and row[0].quotePrefix for row in cells)
    assert (cells[0][1].value, cells[0][2].value) == (-3, -2.5)  # numbers stay numbers
    assert cells[1][3].value == dt.datetime(2026, 2, 3)


# ---- messages ------------------------------------------------------------------------------------


def test_separator_file_name_and_statuses_are_reported_in_words(writable_engine, monkeypatch,
                                                                capsys, tmp_path):
    engine = writable_engine
    report = import_csv(engine, ADMIN, "facilities",
                        b"country;name;address\nVN;Semi Co;1 Road\n", brand_code="nordwind",
                        file_name="semi.csv")
    assert report.notes == ("read as semicolon-separated",)
    assert "(read as semicolon-separated)" in report.summary()
    tabbed = import_csv(engine, ADMIN, "facilities", b"country\tname\taddress\nKH\tTab Co\t2 Rd\n",
                        brand_code="nordwind", file_name="tab.csv")
    assert tabbed.notes == ("read as tab-separated",)

    monkeypatch.setenv("DASHBOARD_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("DASHBOARD_DEMO", "1")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lists").mkdir()
    (tmp_path / "lists" / "bad.csv").write_text("country,name,address\nNarnia,X,Y\n")
    assert cli_main(["facilities", "--brand", "nordwind", "lists/bad.csv", "--quiet"]) == 1
    out = capsys.readouterr().out
    assert "lists/bad.csv, row 2, column country: 'Narnia' is not a country name" in out
    assert "1 problem in 1 of 1 row;" in out
    (tmp_path / "lists" / "header.csv").write_text("country,name,address\n")
    assert cli_main(["facilities", "--brand", "nordwind", "lists/header.csv", "--quiet"]) == 1
    out = capsys.readouterr().out
    assert "1 problem with the file as a whole" in out
    assert "The file has no rows under its header." in out
    assert cli_main(["facilities", "--source", "better-work", "lists/bad.csv"]) == 1
    capsys.readouterr()

    runs = list_import_runs(engine, ADMIN)
    assert set(runs["status"]) <= {"imported", "no changes"}
    assert runs.iloc[0]["username"] == "programme-admin"
    (tmp_path / "lists" / "good.csv").write_text("country,name,address\nVN,CLI Co,3 Road\n")
    assert cli_main(["facilities", "--brand", "nordwind", "lists/good.csv", "--quiet"]) == 0
    assert "1 row in lists/good.csv" in capsys.readouterr().out
    latest = list_import_runs(engine, ADMIN).iloc[0]
    assert latest["file_name"] == "lists/good.csv"
    assert latest["username"].startswith("system:") and \
        latest["username"].endswith(" via command line")


def test_a_database_refusal_is_a_message_and_nothing_is_written(writable_engine, monkeypatch,
                                                                 capsys):
    engine = writable_engine
    if engine.dialect.name == "sqlite":
        trigger = ("CREATE TRIGGER frozen BEFORE INSERT ON factory BEGIN "
                   "SELECT RAISE(ABORT, 'factories are frozen for an audit'); END")
    else:
        with engine.begin() as conn:
            conn.execute(text(
                "CREATE FUNCTION frozen() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "RAISE EXCEPTION 'factories are frozen for an audit'; END $$"))
        trigger = ("CREATE TRIGGER frozen BEFORE INSERT ON factory FOR EACH ROW "
                   "EXECUTE FUNCTION frozen()")
    with engine.begin() as conn:
        conn.execute(text(trigger))
    before = scalar(engine, "SELECT COUNT(*) FROM factory_attribute_source"), \
        scalar(engine, "SELECT COUNT(*) FROM import_run")
    with pytest.raises(ImportFailed) as caught:
        facilities(engine, ['VN,Frozen Co,"1 Road",,,,'], brand="nordwind")
    assert str(caught.value).startswith("The database refused the import (")
    assert "factories are frozen for an audit" in str(caught.value)
    assert str(caught.value).endswith("Nothing was imported.")
    after = scalar(engine, "SELECT COUNT(*) FROM factory_attribute_source"), \
        scalar(engine, "SELECT COUNT(*) FROM import_run")
    assert after == before

    monkeypatch.setenv("DASHBOARD_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("DASHBOARD_DEMO", "1")
    assert cli_main(["facilities", "--brand", "nordwind",
                     str(FIXTURES / "facilities_good.csv"), "--quiet"]) == 3
    err = capsys.readouterr().err
    assert "factories are frozen for an audit" in err and "Nothing was imported." in err
