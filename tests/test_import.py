"""CSV imports (issue 5): cleaners, good files, every kind of error, all-or-nothing, idempotence,
dry runs, permissions, interruption, a large file and the CLI — on SQLite and PostgreSQL.

"Nothing written" is checked with a checksum of every table (all rows, in primary-key order),
taken before and after, not just row counts.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import random
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text

from data_access.errors import ImportRejected, NotFound, PermissionDenied
from data_access.importing import cleaners, import_csv, list_import_runs
from data_access.importing.matching import facility_key, normalise_address, normalise_name
from data_access.importing.reading import normalise_header
from data_access.schema import Base
from data_access.viewer import Viewer
from services.import_cli import main as cli_main

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "import"
ADMIN = Viewer("programme-admin", "admin", None)
#: bookkeeping, and what is recomputed after every import whatever it changed (the stored
#: cross-brand benchmark is keyed by the data version every import bumps)
BOOKKEEPING = {"import_run", "dataset_state", "alembic_version", "purchasing_benchmark"}


# ---- helpers ---------------------------------------------------------------------------------


def snapshot(engine: Engine, *, include_bookkeeping: bool = True) -> dict[str, tuple[int, str]]:
    """Row count and SHA-256 of every row of every table, in primary-key order."""
    out = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if not include_bookkeeping and table.name in BOOKKEEPING:
                continue
            rows = conn.execute(select(table).order_by(*table.primary_key.columns)).all()
            digest = hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest()
            out[table.name] = (len(rows), digest)
    return out


def scalar(engine: Engine, sql: str, **params):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def rows_of(engine: Engine, sql: str, **params) -> list:
    with engine.connect() as conn:
        return conn.execute(text(sql), params).all()


def brand_id(engine: Engine, code: str) -> int:
    return scalar(engine, "SELECT id FROM brand WHERE code = :c", c=code)


def run(engine: Engine, kind: str, name: str, **kwargs):
    """Import a fixture file; facilities and orders go to nordwind unless told otherwise."""
    if kind in ("facilities", "orders"):
        kwargs.setdefault("brand_code", "nordwind")
    return import_csv(engine, ADMIN, kind, FIXTURES / name, **kwargs)


def load_all_good(engine: Engine) -> None:
    run(engine, "facilities", "facilities_good.csv")
    run(engine, "assessments", "assessments_good.csv")
    run(engine, "plans", "plans_good.csv")
    run(engine, "orders", "orders_good.csv")


def factory(engine: Engine, os_id: str):
    return rows_of(engine, "SELECT * FROM factory WHERE os_id = :o", o=os_id)[0]


def orders_csv(rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["po_number", "factory_id", "confirmed_on", "ex_factory_on", "invoiced_on",
                     "paid_on", "payment_terms_days", "units_forecast", "units_ordered",
                     "units_changed_after_confirmation", "changed_after_confirmation",
                     "fob_price_usd", "cost_usd", "amount_paid_usd", "season"])
    writer.writerows(rows)
    return buffer.getvalue().encode()


def generated_orders(factory_ids: list[int], n: int, prefix: str = "GEN",
                     seed: int = 7) -> list[list]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        confirmed = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(900))
        ex_factory = confirmed + dt.timedelta(days=rng.randrange(30, 120))
        invoiced = ex_factory + dt.timedelta(days=rng.randrange(0, 5))
        paid = invoiced + dt.timedelta(days=rng.randrange(30, 90))
        units = rng.randrange(300, 50_000)
        changed = rng.random() < 0.2
        out.append([f"{prefix}-{i:07d}", rng.choice(factory_ids), confirmed, ex_factory,
                    invoiced, paid, 60, units + rng.randrange(-200, 200), units,
                    rng.randrange(1, 500) if changed else 0, "yes" if changed else "no",
                    f"{rng.uniform(3, 20):.2f}", f"{rng.uniform(3, 20):.2f}",
                    f"{units * 5.5:.2f}", f"SS{confirmed:%y}"])
    return out


def supplier_ids(engine: Engine, code: str) -> list[int]:
    return [r[0] for r in rows_of(
        engine, "SELECT factory_id FROM sourcing_relationship WHERE brand_id = :b "
        "ORDER BY factory_id", b=brand_id(engine, code))]


# ---- cleaners, one field at a time (no database) ---------------------------------------------


@pytest.mark.parametrize("text_, code", [
    ("viet nam", "VN"), ("VNM", "VN"), ("vietnam", "VN"), ("VIETNAM", "VN"),
    (" Viet  Nam ", "VN"), ("vn", "VN"), ("KH", "KH"), ("khm", "KH"), ("Cambodia", "KH"),
    ("BANGLADESH", "BD"), ("Sri Lanka", "LK"), ("Turkey", "TR"), ("Türkiye", "TR"),
    ("Niger", "NE"),  # exact lookup: never fuzzily "Nigeria"
])
def test_country_accepts_codes_and_names_in_any_case(text_, code):
    assert cleaners.country(" ".join(text_.split())) == (code, None)


@pytest.mark.parametrize("text_", ["Narnia", "Korea", "Viet", "XX"])
def test_country_refuses_unknown_or_ambiguous_names(text_):
    value, error = cleaners.country(text_)
    assert value is None and "countr" in error  # unknown, or "could mean several countries"


@pytest.mark.parametrize("text_, stored, low, high", [
    ("2500", 2500, 2500, 2500), ("2,500", 2500, 2500, 2500),
    ("1001-5000", 3000, 1001, 5000), ("1001 – 5000", 3000, 1001, 5000),
    ("1001 to 5000", 3000, 1001, 5000), ("5001-10000", 7500, 5001, 10000),
    ("<1000", 500, 1, 999), (">10000", 10001, 10001, None), ("10000+", 10000, 10000, None),
])
def test_worker_counts_and_ranges(text_, stored, low, high):
    value, error = cleaners.workers(text_)
    assert error is None
    assert (value.value, value.low, value.high) == (stored, low, high)
    if high is not None:  # the stored count falls back into the band it came from
        assert low <= value.value <= high


@pytest.mark.parametrize("text_, why", [
    ("lots", "not a worker count"), ("-5", "negative"), ("5000-1001", "lower end"),
    ("2000000", "more than"),
])
def test_worker_count_errors(text_, why):
    value, error = cleaners.workers(text_)
    assert value is None and why in error


def test_dates_are_iso_8601_and_slashes_are_refused_as_ambiguous():
    assert cleaners.iso_date("2026-01-02") == (dt.date(2026, 1, 2), None)
    assert cleaners.iso_date("2026-01-02T00:00:00") == (dt.date(2026, 1, 2), None)
    assert cleaners.iso_date("2026-01-02 00:00") == (dt.date(2026, 1, 2), None)
    assert "ambiguous" in cleaners.iso_date("03/04/2025")[1]
    assert "ambiguous" in cleaners.iso_date("3.4.2025")[1]
    assert "calendar" in cleaners.iso_date("2026-02-30")[1]
    for bad in ["20260102", "2026-1-2", "next week", "2026-01-02T10:30:00"]:
        assert cleaners.iso_date(bad)[0] is None


def test_numbers_refuse_what_float_would_accept():
    assert cleaners.integer(0)("1,200") == (1200, None)
    assert cleaners.integer(0)("1200.0") == (1200, None)
    assert cleaners.decimal()("-2.5") == (-2.5, None)
    for bad in ["nan", "inf", "1e5", "1_000", "12,50", "0x10", ""]:
        assert cleaners.decimal()(bad)[0] is None, bad
    assert cleaners.integer(0)("-3")[1] == "must not be negative"
    assert cleaners.percent("62.5%") == (62.5, None)
    assert cleaners.percent("120")[1] == "must be between 0 and 100"
    assert cleaners.latitude("-90") == (-90.0, None)
    assert "outside" in cleaners.latitude("90.5")[1]


def test_findings_and_booleans():
    for text_ in ["non_compliant", "Non-Compliant", "NC", "yes", "TRUE", "1"]:
        assert cleaners.finding(text_) == (True, None)
    for text_ in ["compliant", "no", "false", "0"]:
        assert cleaners.finding(text_) == (False, None)
    assert cleaners.finding("maybe")[0] is None
    assert cleaners.boolean("Y") == (True, None)


def test_os_ids_are_validated_and_upper_cased():
    assert cleaners.os_id("bd2019067x1k87e") == ("BD2019067X1K87E", None)
    for bad in ["BD2019", "BD2019400X1K87E", "BD2019067X1K8IE", "12345"]:
        assert cleaners.os_id(bad)[0] is None, bad


def test_header_names_are_normalised():
    assert normalise_header("\ufeffNumber of Workers ") == "number_of_workers"
    assert normalise_header("OS ID") == "os_id"
    assert normalise_header("FOB price (USD)") == "fob_price_usd"


def test_names_match_across_legal_forms_punctuation_and_case():
    same = ["Golden Thread Co., Ltd.", "GOLDEN THREAD CO LTD", "golden  thread",
            "PT. Golden Thread", "Golden Thread (Pvt) Ltd.", "Golden Thread L.L.C.",
            "Golden Thread S.A.E.", "Golden Thread PLC"]
    assert {normalise_name(n) for n in same} == {"golden thread"}
    assert normalise_name("Golden, Star & Sons") == normalise_name("golden star and sons")
    assert normalise_name("Ltd.") == "ltd"  # never empty
    assert normalise_address("No. 45, Katugastota Rd, Kandy") == normalise_address(
        "no 45 katugastota road kandy")
    assert facility_key("A Ltd", "vn", "x") == facility_key("A", "VN", "X")


# ---- good files ------------------------------------------------------------------------------


def test_facility_list_lands_with_every_messy_detail_cleaned(writable_engine):
    engine = writable_engine
    before_factories = scalar(engine, "SELECT COUNT(*) FROM factory")
    version = scalar(engine, "SELECT data_version FROM dataset_state")
    report = run(engine, "facilities", "facilities_good.csv")

    assert (report.rows, report.inserted, report.updated, report.unchanged) == (8, 8, 0, 0)
    assert report.ignored_columns == ("Contact Email",)  # extra column reported
    assert report.errors == () and report.ok and not report.dry_run
    assert scalar(engine, "SELECT COUNT(*) FROM factory") == before_factories + 8

    saigon = factory(engine, "VN2020112K3M9QX")  # BOM, padded header, "viet nam", a range
    assert saigon.name == "Saigon Apparel Co., Ltd."  # whitespace stripped, comma kept
    assert saigon.country_code == "VN"
    assert saigon.address == "Lot 12, Road 3, Tan Thuan EPZ, District 7, Ho Chi Minh City"
    assert (saigon.workers, saigon.lat, saigon.lng) == (3000, 10.7563, 106.7218)
    assert (saigon.women_pct, saigon.processing_type) == (72.5, "Cut, make and trim")
    assert factory(engine, "VN2019045ABCDE7").workers == 2350  # lower-case OS ID, "2,350"
    assert factory(engine, "VN2019045ABCDE7").facility_type == "Final Product Assembly"
    assert factory(engine, "KH2018200PQRST3").workers == 10001  # ">10000"
    dhaka = factory(engine, "BD2017033MNPQR9")
    assert (dhaka.workers, dhaka.facility_type) == (7500, "Textile or Material Production")
    named = {r.name: r for r in rows_of(engine, "SELECT * FROM factory WHERE os_id IS NULL")}
    assert named["Hanoi Garment Joint Stock Company"].workers == 500  # "<1000"
    assert named["Golden, Star & Sons Garment Factory"].country_code == "KH"
    assert named["PT Sinar Jaya Textile"].country_code == "ID"  # "IDN"
    assert named["Kandy Lanka (Pvt) Ltd."].lat is None

    rel = rows_of(engine, "SELECT r.* FROM sourcing_relationship r JOIN factory f "
                  "ON f.id = r.factory_id WHERE f.os_id = 'VN2020112K3M9QX'")
    assert len(rel) == 1
    assert rel[0].brand_id == brand_id(engine, "nordwind")
    assert (rel[0].tier, str(rel[0].start_date), bool(rel[0].active),
            bool(rel[0].publicly_disclosed)) == (1, "2021-03-01", True, True)
    hanoi_tier = scalar(engine, "SELECT r.tier FROM sourcing_relationship r JOIN factory f ON "
                        "f.id = r.factory_id WHERE f.name = 'Hanoi Garment Joint Stock Company'")
    assert hanoi_tier == 1  # "Tier 1"

    # bookkeeping in the same transaction
    assert scalar(engine, "SELECT data_version FROM dataset_state") == version + 1
    runs = list_import_runs(engine, ADMIN)
    assert runs.iloc[0][["kind", "file_name", "brand_code", "username", "rows", "inserted",
                         "status"]].tolist() == [
        "facilities", str(FIXTURES / "facilities_good.csv"), "nordwind", "programme-admin", 8, 8,
        "imported"]


def test_assessments_plans_and_orders_land_correctly(writable_engine):
    engine = writable_engine
    run(engine, "facilities", "facilities_good.csv")
    report = run(engine, "assessments", "assessments_good.csv")
    assert (report.rows, report.inserted) == (14, 14)
    assert dict(report.details) == {"assessments_inserted": 3, "assessments_updated": 0,
                                    "findings_inserted": 14, "findings_updated": 0}
    saigon = factory(engine, "VN2020112K3M9QX").id
    cycles = rows_of(engine, "SELECT cycle, assessed_on, kind FROM assessment WHERE factory_id "
                     "= :f ORDER BY cycle", f=saigon)
    assert [(c.cycle, str(c.assessed_on), c.kind) for c in cycles] == [
        (1, "2024-03-12", "on-site"), (2, "2025-03-20", "on-site")]
    findings = dict(rows_of(engine, "SELECT q.code, f.non_compliant FROM finding f JOIN "
                            "assessment a ON a.id = f.assessment_id JOIN question q ON q.id = "
                            "f.question_id WHERE a.factory_id = :f AND a.cycle = 1", f=saigon))
    assert {k: bool(v) for k, v in findings.items()} == {
        "CL.1.01": False, "OSH.2.01": True, "OSH.2.06": True, "WT.2.01": True,
        "COMP.7.01": False}
    assert scalar(engine, "SELECT kind FROM assessment a JOIN factory f ON f.id = a.factory_id "
                  "WHERE f.os_id = 'KH2018200PQRST3'") == "hybrid"

    report = run(engine, "plans", "plans_good.csv")
    assert (report.rows, report.inserted) == (5, 5)
    items = rows_of(engine, "SELECT q.code, a.cycle, p.status, p.completed_on FROM "
                    "improvement_plan_item p JOIN assessment a ON a.id = p.assessment_id JOIN "
                    "question q ON q.id = p.question_id WHERE a.factory_id = :f ORDER BY "
                    "a.cycle, q.code", f=saigon)
    assert [(i.code, i.cycle, i.status, str(i.completed_on)) for i in items] == [
        ("OSH.2.01", 1, "Completed", "2024-04-15"), ("OSH.2.06", 1, "Completed", "2024-06-20"),
        ("OSH.2.06", 2, "In Progress", "None"), ("WT.2.01", 2, "In Progress", "None")]

    report = run(engine, "orders", "orders_good.csv")
    assert (report.rows, report.inserted) == (5, 5)
    po = {r.po_number: r for r in rows_of(engine, "SELECT * FROM purchase_order WHERE "
                                          "po_number LIKE 'NW-24-%'")}
    assert set(po) == {f"NW-24-000{i}" for i in range(1, 6)}
    assert float(po["NW-24-0002"].amount_paid_usd) == 66700.0  # "66,700.00"
    assert float(po["NW-24-0005"].fob_price_usd) == 9.99  # "$9.99"
    assert bool(po["NW-24-0004"].changed_after_confirmation)  # derived from 2500 units
    assert po["NW-24-0003"].units_changed_after_confirmation == 0  # empty → 0
    assert po["NW-24-0003"].paid_on is None
    assert {p.brand_id for p in po.values()} == {brand_id(engine, "nordwind")}


def test_another_brands_list_matches_the_stored_factories(writable_engine):
    engine = writable_engine
    run(engine, "facilities", "facilities_good.csv")
    factories = scalar(engine, "SELECT COUNT(*) FROM factory")
    report = run(engine, "facilities", "facilities_other_brand.csv", brand_code="maple-thread")
    assert (report.inserted, report.updated, report.unchanged) == (4, 0, 0)
    assert report.details["factories_inserted"] == 0  # all four matched, none duplicated
    assert scalar(engine, "SELECT COUNT(*) FROM factory") == factories
    assert factory(engine, "VN2020112K3M9QX").workers == 2400  # matched by name + address
    assert factory(engine, "KH2018200PQRST3").workers == 12000
    kandy = factory(engine, "LK2021150WXYZ01")  # matched by name, OS ID added
    assert kandy.name == "Kandy Lanka (Pvt) Ltd."  # a re-spelling is not a change
    assert kandy.workers == 1200  # "1001-5000" contains the stored exact count: kept
    maple = supplier_ids(engine, "maple-thread")
    assert kandy.id in maple and factory(engine, "VN2020112K3M9QX").id in maple


# ---- idempotence and dry runs ----------------------------------------------------------------


def test_reimporting_every_kind_changes_nothing(writable_engine):
    engine = writable_engine
    load_all_good(engine)
    before = snapshot(engine, include_bookkeeping=False)
    for kind, name, rows in [("facilities", "facilities_good.csv", 8),
                             ("assessments", "assessments_good.csv", 14),
                             ("plans", "plans_good.csv", 5), ("orders", "orders_good.csv", 5)]:
        report = run(engine, kind, name)
        assert (report.inserted, report.updated, report.unchanged) == (0, 0, rows), kind
    assert snapshot(engine, include_bookkeeping=False) == before
    runs = list_import_runs(engine, ADMIN)
    assert runs["status"].head(4).tolist() == ["no changes"] * 4  # words, not codes


def test_changed_values_are_updated_and_counted(writable_engine):
    engine = writable_engine
    load_all_good(engine)
    orders = (FIXTURES / "orders_good.csv").read_text().replace(
        "NW-24-0003,VN2019045ABCDE7,2024-03-05,2024-05-30,2024-06-01,,",
        "NW-24-0003,VN2019045ABCDE7,2024-03-05,2024-05-30,2024-06-01,2024-07-31,")
    report = import_csv(engine, ADMIN, "orders", orders.encode(), brand_code="nordwind",
                        file_name="orders_paid.csv")
    assert (report.inserted, report.updated, report.unchanged) == (0, 1, 4)
    assert str(scalar(engine, "SELECT paid_on FROM purchase_order WHERE po_number = "
                      "'NW-24-0003'")) == "2024-07-31"

    findings = (FIXTURES / "assessments_good.csv").read_text().replace(
        "KH2018200PQRST3,2025-06-02,1,Hybrid,OSH.2.01,1", "KH2018200PQRST3,2025-06-02,1,Hybrid,"
        "OSH.2.01,0")
    report = import_csv(engine, ADMIN, "assessments", findings.encode(), file_name="a.csv")
    assert (report.inserted, report.updated, report.unchanged) == (0, 1, 13)

    plans = (FIXTURES / "plans_good.csv").read_text().replace(
        "Overtime register introduced and audited monthly\",Pending,2025-08-31,",
        "Overtime register introduced and audited monthly\",Completed,2025-08-31,2025-08-20")
    report = import_csv(engine, ADMIN, "plans", plans.encode(), file_name="p.csv")
    assert (report.inserted, report.updated, report.unchanged) == (0, 1, 4)


@pytest.mark.parametrize("kind, name", [
    ("facilities", "facilities_good.csv"), ("assessments", "assessments_good.csv"),
    ("plans", "plans_good.csv"), ("orders", "orders_good.csv")])
def test_dry_run_writes_nothing_and_predicts_the_real_run(writable_engine, kind, name):
    engine = writable_engine
    prerequisites = ["facilities", "assessments", "plans", "orders"]
    for earlier in prerequisites[:prerequisites.index(kind)]:
        run(engine, earlier, f"{earlier}_good.csv")
    before = snapshot(engine)
    dry = run(engine, kind, name, dry_run=True)
    assert dry.dry_run and dry.inserted == dry.rows > 0
    assert "would be inserted" in dry.summary()
    assert snapshot(engine) == before  # not even the import log or the data version
    real = run(engine, kind, name)
    assert (real.inserted, real.updated, real.unchanged) == (dry.inserted, dry.updated,
                                                             dry.unchanged)
    assert dict(real.details) == dict(dry.details)


# ---- errors: every problem, with row and column; nothing written ----------------------------


BAD_FILES = {
    "facilities": ("facilities_bad.csv", {
        (3, "country"), (4, "name"), (5, "lat"), (6, "women_pct"), (7, "start_date"),
        (8, "number_of_workers"), (8, "tier"), (10, "number_of_workers"),
        (10, "lng"), (10, "os_id")}),
    "assessments": ("assessments_bad.csv", {
        (3, "question_code"), (4, "finding"), (5, "factory_os_id"), (6, "question_code"),
        (7, "assessment_date"), (8, "cycle"), (9, "kind")}),
    "plans": ("plans_bad.csv", {
        (2, "status"), (3, "cycle"), (4, "question_code"), (5, "completed_on"), (6, "due_date"),
        (6, "completed_on"), (7, "assessment_date"), (8, "question_code")}),
    "orders": ("orders_bad.csv", {
        (3, "units_ordered"), (4, "ex_factory_on"), (5, "paid_on"), (6, "po_number"),
        (7, "factory_os_id"), (8, "confirmed_on"), (8, "fob_price_usd")}),
}


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_bad_file_reports_every_problem_and_writes_nothing(writable_engine, kind):
    engine = writable_engine
    run(engine, "facilities", "facilities_good.csv")
    if kind == "plans":
        run(engine, "assessments", "assessments_good.csv")
    name, expected = BAD_FILES[kind]
    before = snapshot(engine)
    with pytest.raises(ImportRejected) as caught:
        run(engine, kind, name)
    report = caught.value.report
    assert {(p.row, p.column) for p in report.errors} == expected
    # problems name the file as it was given (here an absolute path), not only its base name
    assert all(p.file == str(FIXTURES / name) and p.message for p in report.errors)
    assert [p.row for p in report.errors] == sorted(p.row for p in report.errors)
    assert (report.inserted, report.updated, report.unchanged) == (0, 0, 0)
    rows = len({row for row, _ in expected})
    assert str(caught.value) == (f"{FIXTURES / name} was rejected: {len(expected)} problems in "
                                 f"{rows} of {report.rows} rows; nothing was imported.")
    assert snapshot(engine) == before


def test_problem_messages_say_what_is_wrong(writable_engine):
    engine = writable_engine
    run(engine, "facilities", "facilities_good.csv")
    with pytest.raises(ImportRejected) as caught:
        run(engine, "orders", "orders_bad.csv")
    text_ = "\n".join(str(p) for p in caught.value.report.errors)
    assert "orders_bad.csv, row 3, column units_ordered: '-200' must not be negative" in text_
    assert "row 4, column ex_factory_on: 2024-02-28 is before the order was confirmed" in text_
    assert "row 5, column paid_on: 2024-08-03 is before the invoice date (2024-08-30)" in text_
    assert "row 6, column po_number: 'NW-24-0101' is already on row 2" in text_
    assert "row 8, column confirmed_on: '11/06/2024' is ambiguous" in text_


def _file_cases() -> list[tuple[str, bytes, dict, str]]:
    header = "country,name,address\n"
    return [
        ("missing columns", b"country,sector\nVN,Apparel\n", {},
         "Required columns are missing: name, address."),
        ("empty", b"", {}, "The file is empty."),
        ("only a BOM and blanks", b"\xef\xbb\xbf \r\n\r\n", {}, "The file is empty."),
        ("header only", header.encode(), {}, "The file has no rows under its header."),
        ("too large", (header + "VN,A,B\n" * 50).encode(), {"max_bytes": 100},
         "The file is 371 bytes; the limit is 100 bytes. Split it into smaller files."),
        ("too many rows", (header + "VN,A,B\n" * 5).encode(), {"max_rows": 3},
         "The file has more than 3 data rows; split it into smaller files."),
        ("latin-1", (header + "VN,Café Ltd,Rue 1\n").encode("latin-1"), {},
         "The file is not UTF-8 text (byte 0xE9 on line 2). Save it from the spreadsheet as "
         "“CSV UTF-8” and upload it again."),
        ("utf-16", (header + "VN,A,B\n").encode("utf-16"), {}, "The file is UTF-16 text."),
        ("duplicate column", b"country,name,Name,address\nVN,A,A,B\n", {},
         "Column 'name' appears more than once (columns 2 and 3)."),
    ]


def test_file_level_problems_are_reported_clearly(writable_engine):
    engine = writable_engine
    before = snapshot(engine)
    for label, data, kwargs, message in _file_cases():
        with pytest.raises(ImportRejected) as caught:
            import_csv(engine, ADMIN, "facilities", data, brand_code="nordwind",
                       file_name="list.csv", **kwargs)
        errors = caught.value.report.errors
        assert len(errors) == 1, label
        assert errors[0].row is None and errors[0].file == "list.csv", label
        assert errors[0].message.startswith(message), (label, errors[0].message)
    # a row with an unquoted comma has more cells than the header: a row-level problem
    with pytest.raises(ImportRejected) as caught:
        import_csv(engine, ADMIN, "facilities",
                   b"country,name,address\nVN,Saigon Apparel Co., Ltd.,Road 3\n",
                   brand_code="nordwind", file_name="list.csv")
    (problem,) = caught.value.report.errors
    assert problem.row == 2 and "double quotes" in problem.message
    assert snapshot(engine) == before


def test_semicolons_crlf_bom_and_blank_lines_are_accepted(writable_engine):
    data = ("\ufeffCountry;Name;Address;Number of Workers\r\n\r\n"
            " Viet Nam ; Lotus Knit Co., Ltd. ;\"12 Road 5, Bien Hoa\";1001-5000\r\n"
            ";;;\r\n").encode()
    report = import_csv(writable_engine, ADMIN, "facilities", data, brand_code="riverstone",
                        file_name="semicolons.csv")
    assert (report.rows, report.inserted) == (1, 1)
    row = rows_of(writable_engine, "SELECT * FROM factory WHERE name = 'Lotus Knit Co., Ltd.'")
    assert row[0].country_code == "VN" and row[0].workers == 3000


def test_factory_references_by_id_and_os_id_must_agree(writable_engine):
    engine = writable_engine
    run(engine, "facilities", "facilities_good.csv")
    saigon, dong_nai = factory(engine, "VN2020112K3M9QX").id, factory(engine,
                                                                        "VN2019045ABCDE7").id
    not_supplier = next(f for f in range(1, 100) if f not in supplier_ids(engine, "nordwind"))
    data = ("po_number,factory_id,factory_os_id,confirmed_on,payment_terms_days,units_ordered,"
            f"fob_price_usd\nA-1,{saigon},,2024-01-01,30,100,5\n"
            f"A-2,{dong_nai},VN2020112K3M9QX,2024-01-01,30,100,5\n"
            f"A-3,999999,,2024-01-01,30,100,5\nA-4,{not_supplier},,2024-01-01,30,100,5\n"
            "A-5,,,2024-01-01,30,100,5\n")
    with pytest.raises(ImportRejected) as caught:
        import_csv(engine, ADMIN, "orders", data.encode(), brand_code="nordwind",
                   file_name="refs.csv")
    problems = {(p.row, p.column): p.message for p in caught.value.report.errors}
    assert set(problems) == {(3, "factory_id"), (4, "factory_id"), (5, "factory_id"),
                             (6, "factory_os_id")}
    assert "but OS ID VN2020112K3M9QX is factory" in problems[(3, "factory_id")]
    assert "no factory has the id 999999" in problems[(4, "factory_id")]
    assert "not a supplier of this brand" in problems[(5, "factory_id")]
    assert "a factory is required" in problems[(6, "factory_os_id")]


# ---- permission --------------------------------------------------------------------------------


def test_brand_users_cannot_import(writable_engine):
    engine = writable_engine
    user = Viewer("buyer", "brand", brand_id(engine, "nordwind"))
    before = snapshot(engine)
    for kind, name in [("facilities", "facilities_good.csv"), ("orders", "orders_good.csv")]:
        with pytest.raises(PermissionDenied):
            import_csv(engine, user, kind, FIXTURES / name, brand_code="nordwind")
        with pytest.raises(PermissionDenied):
            import_csv(engine, user, kind, FIXTURES / name, brand_code="nordwind",
                       dry_run=True)
    with pytest.raises(PermissionDenied):
        list_import_runs(engine, user)
    with pytest.raises(NotFound):
        run(engine, "facilities", "facilities_good.csv", brand_code="no-such-brand")
    with pytest.raises(ValueError, match="brand"):
        import_csv(engine, ADMIN, "orders", FIXTURES / "orders_good.csv")
    assert snapshot(engine) == before


# ---- all-or-nothing under interruption, progress, scale --------------------------------------


class Interrupted(RuntimeError):
    pass


@pytest.mark.parametrize("kind", ["orders", "facilities"])
def test_import_interrupted_half_way_leaves_the_database_exactly_as_before(writable_engine,
                                                                          kind):
    """The progress callback raises after half the rows were written: everything is rolled
    back — on SQLite too, whose driver opens transactions lazily."""
    engine = writable_engine
    if kind == "orders":
        run(engine, "facilities", "facilities_good.csv")
        factories = supplier_ids(engine, "nordwind")
        rows = generated_orders(factories, 2_000, prefix="HALF")
        import_csv(engine, ADMIN, "orders", orders_csv(rows[:1_000]), brand_code="nordwind",
                   file_name="first-half.csv")
        for row in rows[:1_000]:
            row[8] += 1  # units_ordered changed: these rows are updates
        data, expected = orders_csv(rows), (1_000, 1_000)
    else:
        lines = ["country,name,address,number_of_workers"] + [
            f"VN,Interrupt Garment {i} Co. Ltd.,\"{i} Road 9, Bien Hoa\",{100 + i}"
            for i in range(300)]
        data, expected = "\n".join(lines).encode(), (300, 0)
    before = snapshot(engine)
    seen: list[tuple[int, int, str]] = []

    def progress(done: int, total: int, stage: str) -> None:
        seen.append((done, total, stage))
        if stage == "writing" and done > total / 2:
            raise Interrupted("stopped half-way")

    with pytest.raises(Interrupted):
        import_csv(engine, ADMIN, kind, data, brand_code="nordwind", file_name="x.csv",
                   progress=progress)
    assert any(stage == "writing" and 0 < done < total for done, total, stage in seen)
    assert snapshot(engine) == before
    # the connection pool is healthy and the same file imports completely afterwards
    report = import_csv(engine, ADMIN, kind, data, brand_code="nordwind", file_name="x.csv")
    assert (report.inserted, report.updated) == expected


def test_progress_reports_validation_writing_and_done(writable_engine):
    engine = writable_engine
    run(engine, "facilities", "facilities_good.csv")
    seen: list[tuple[int, int, str]] = []
    data = orders_csv(generated_orders(supplier_ids(engine, "nordwind"), 12_000))
    import_csv(engine, ADMIN, "orders", data, brand_code="nordwind", file_name="p.csv",
               progress=lambda *args: seen.append(args))
    stages = [s for _, _, s in seen]
    assert stages[0] == "validating" and stages[-1] == "done"
    assert stages.index("writing") > stages.index("validating")
    for stage in ("validating", "writing"):
        done = [d for d, t, s in seen if s == stage]
        assert done == sorted(done) and len(done) > 2
        assert all(t == 12_000 for _, t, s in seen)
    assert seen[-1] == (12_000, 12_000, "done")


def test_large_order_file_imports_and_reimports(writable_engine):
    """50,000 generated orders: timed (printed, not asserted), counted, then re-imported."""
    engine = writable_engine
    factories = supplier_ids(engine, "nordwind")
    n = 50_000
    data = orders_csv(generated_orders(factories, n, prefix="BIG"))
    before = scalar(engine, "SELECT COUNT(*) FROM purchase_order")
    started = time.perf_counter()
    report = import_csv(engine, ADMIN, "orders", data, brand_code="nordwind", file_name="big.csv")
    seconds = time.perf_counter() - started
    print(f"\n[{engine.dialect.name}] imported {n:,} orders ({len(data) / 1e6:.1f} MB) in "
          f"{seconds:.2f} s = {n / seconds:,.0f} rows/s")
    assert (report.inserted, report.updated, report.unchanged) == (n, 0, 0)
    assert scalar(engine, "SELECT COUNT(*) FROM purchase_order") == before + n
    started = time.perf_counter()
    again = import_csv(engine, ADMIN, "orders", data, brand_code="nordwind", file_name="big.csv")
    seconds = time.perf_counter() - started
    print(f"[{engine.dialect.name}] re-imported unchanged in {seconds:.2f} s = "
          f"{n / seconds:,.0f} rows/s")
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, n)


def test_order_file_mixing_new_changed_and_unchanged_orders(writable_engine):
    """The planner reads back only the stored orders a file names (by id, in chunks of 5,000):
    12,000 stored; a file with 11,000 of them (500 with a new price) and 1,000 new ones."""
    engine = writable_engine
    factories = supplier_ids(engine, "nordwind")
    first = generated_orders(factories, 12_000, prefix="MIX")
    import_csv(engine, ADMIN, "orders", orders_csv(first), brand_code="nordwind")
    second = [list(row) for row in first[1_000:]]  # 1,000 stored orders are not in the file
    for row in second[:500]:
        row[11] = "99.99"  # fob_price_usd
    second += generated_orders(factories, 1_000, prefix="MIXNEW", seed=8)
    report = import_csv(engine, ADMIN, "orders", orders_csv(second), brand_code="nordwind")
    assert (report.inserted, report.updated, report.unchanged) == (1_000, 500, 10_500)
    prices = dict(rows_of(engine, "SELECT po_number, fob_price_usd FROM purchase_order "
                          "WHERE po_number LIKE 'MIX-%'"))
    assert len(prices) == 12_000
    changed = {row[0] for row in second[:500]}
    assert all(float(prices[po]) == 99.99 for po in changed)
    assert float(prices[first[0][0]]) == float(first[0][11])  # not in the file: kept


# ---- command line ------------------------------------------------------------------------------


def test_cli_imports_reports_and_uses_exit_codes(writable_engine, monkeypatch, capsys):
    engine = writable_engine
    monkeypatch.setenv("DASHBOARD_DATABASE_URL",
                       engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("DASHBOARD_DEMO", "1")
    path = str(FIXTURES / "facilities_good.csv")

    assert cli_main(["facilities", "--brand", "nordwind", path, "--dry-run"]) == 0
    out = capsys.readouterr()
    assert "Dry run" in out.out and "8 would be inserted" in out.out
    assert "validating" in out.err  # progress goes to stderr
    assert cli_main(["facilities", "--brand", "nordwind", path, "--quiet"]) == 0
    assert "8 were inserted" in capsys.readouterr().out
    runs = list_import_runs(engine, ADMIN)
    assert runs.iloc[0]["username"].startswith("system:")

    assert cli_main(["orders", "--brand", "nordwind", str(FIXTURES / "orders_bad.csv"),
                     "--quiet"]) == 1
    out = capsys.readouterr().out
    assert "rejected: 7 problems" in out
    assert out.count("orders_bad.csv, row ") == 7

    assert cli_main(["orders", str(FIXTURES / "orders_good.csv")]) == 2  # no --brand
    assert cli_main(["orders", "--brand", "nope", str(FIXTURES / "orders_good.csv")]) == 2
    assert cli_main(["shoes", path]) == 2
    assert cli_main(["plans", str(FIXTURES / "does-not-exist.csv")]) == 2
    capsys.readouterr()


# ---- row-level security (PostgreSQL): imports run in the system scope ------------------------

IMPORT_ROLE = "dashboard_import_test"


def unprivileged(engine: Engine) -> Engine:
    """The same database as production sees it: pages read through a LOGIN role that is
    neither superuser, BYPASSRLS nor owner, and system work (imports) runs through a second
    role in ``dashboard_system`` (data_access.scope); SQLite has no roles, so there it is the
    same engine."""
    if engine.dialect.name != "postgresql":
        return engine
    from data_access.db import create_db_engine
    from data_access.scope import SYSTEM_ROLE, use_system_engine

    roles = {IMPORT_ROLE: "LOGIN NOSUPERUSER NOBYPASSRLS", SYSTEM_ROLE: "NOLOGIN",
             f"{IMPORT_ROLE}_sys": f"LOGIN NOSUPERUSER NOBYPASSRLS IN ROLE {SYSTEM_ROLE}"}
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for role, options in roles.items():
            if not conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"),
                                {"r": role}).scalar():
                conn.execute(text(f"CREATE ROLE {role} {options}"))
        for role in (IMPORT_ROLE, f"{IMPORT_ROLE}_sys"):
            conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {role}"))
            conn.execute(text("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "
                              f"public TO {role}"))
            conn.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "
                              f"{role}"))

    def as_role(role: str) -> Engine:
        return create_db_engine(engine.url.set(username=role)
                                .render_as_string(hide_password=False))

    reader = as_role(IMPORT_ROLE)
    use_system_engine(reader, as_role(f"{IMPORT_ROLE}_sys"))
    return reader


def test_imports_and_extracts_work_for_the_unprivileged_app_role(writable_engine):
    from data_access.extracts import iter_purchase_orders
    from data_access.scope import system_engine

    app = unprivileged(writable_engine)
    try:
        load_all_good(app)
        for kind in ("facilities", "orders"):  # tenant tables: planning must see stored rows
            report = run(app, kind, f"{kind}_good.csv")
            assert report.inserted == report.updated == 0 and report.unchanged > 0
        nordwind = Viewer("buyer", "brand", brand_id(app, "nordwind"))
        streamed = {r[0] for r in iter_purchase_orders(app, nordwind)}
        assert {f"NW-24-000{i}" for i in range(1, 6)} <= streamed
        expected = {r[0] for r in rows_of(writable_engine, "SELECT po_number FROM "
                                          "purchase_order WHERE brand_id = :b",
                                          b=nordwind.brand_id)}
        assert streamed == expected
    finally:
        if app is not writable_engine:
            system_engine(app).dispose()
            app.dispose()
