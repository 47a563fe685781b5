"""Every CSV extract of the catalogue: content matches the database, brand-scoped, filtered,
safe against formula injection, audited, documented."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from sqlalchemy import text

from data_access import factories
from data_access.factories import DirectoryFilters
from data_access.viewer import Viewer
from services.extract_catalogue import EXTRACTS, ExtractContext, build_file
from tests.conftest import DEMO_AS_OF

DOCS = Path(__file__).resolve().parent.parent / "docs" / "extracts.md"


def read(engine, viewer, key, ctx) -> list[dict[str, str]]:
    content = build_file(engine, viewer, key, ctx).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(content)))


def brands(engine) -> list[tuple[int, str]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text("SELECT id, code FROM brand ORDER BY id"))]


def names_of(engine, brand_id: int, active_only: bool = False) -> set[str]:
    sql = ("SELECT f.name FROM factory f JOIN sourcing_relationship r ON r.factory_id = f.id "
           "WHERE r.brand_id = :b")
    if active_only:
        sql += " AND r.active"
    with engine.connect() as conn:
        return set(conn.execute(text(sql), {"b": brand_id}).scalars())


def test_no_extract_contains_another_brands_factory(writable_engine):
    ctx = ExtractContext(as_of=DEMO_AS_OF)
    for brand_id, _code in brands(writable_engine):
        viewer = Viewer("u", "brand", brand_id)
        own = names_of(writable_engine, brand_id)
        for key in EXTRACTS:
            rows = read(writable_engine, viewer, key, ctx)
            column = "name" if key == "supplier-list" else "factory_name"
            found = {r[column] for r in rows if column in r}
            assert found <= own, key


def test_supplier_list_matches_the_filtered_directory(engine):
    with engine.connect() as conn:
        bid = conn.execute(text("SELECT id FROM brand WHERE code='nordwind'")).scalar_one()
    viewer = Viewer("u", "brand", bid)
    filters = DirectoryFilters(countries=("VN", "KH"), assessment_age=("recent",))
    rows = read(engine, viewer, "supplier-list", ExtractContext(as_of=DEMO_AS_OF,
                                                                directory=filters))
    expected = factories.supplier_directory(engine, viewer, filters, DEMO_AS_OF)
    assert [r["name"] for r in rows] == list(expected["name"])
    assert {r["country_code"] for r in rows} <= {"VN", "KH"}
    row = rows[0]
    first = expected.iloc[0]
    assert row["os_id"] == (first["os_id"] or "")
    assert row["latest_assessment_date"] == first["latest_assessed_on"].date().isoformat()
    assert row["workers_band"] in {"<1000", "1001–5000", "5001–10000", ">10000", ""}
    assert [c.name for c in EXTRACTS["supplier-list"].columns] == list(rows[0].keys())


def test_purchase_orders_extract_matches_the_database_with_a_period(engine):
    with engine.connect() as conn:
        bid = conn.execute(text("SELECT id FROM brand WHERE code='maple-thread'")).scalar_one()
        since = dt.date(2026, 1, 1)
        expected = conn.execute(text(
            "SELECT po_number, units_ordered FROM purchase_order WHERE brand_id = :b AND "
            "confirmed_on >= :s ORDER BY confirmed_on, po_number"), {"b": bid, "s": since}
        ).all()
    rows = read(engine, Viewer("u", "brand", bid), "purchase-orders",
                ExtractContext(as_of=DEMO_AS_OF, orders_since=since))
    assert [(r["po_number"], int(r["units_ordered"])) for r in rows] == [tuple(e)
                                                                         for e in expected]
    assert all(r["confirmed_on"] >= "2026-01-01" for r in rows)


def test_findings_extract_has_one_row_per_factory_and_compliance_point(engine):
    with engine.connect() as conn:
        bid = conn.execute(text("SELECT id FROM brand WHERE code='maple-thread'")).scalar_one()
        n_cps = conn.execute(text("SELECT COUNT(*) FROM compliance_point")).scalar_one()
    viewer = Viewer("u", "brand", bid)
    rows = read(engine, viewer, "latest-findings", ExtractContext(as_of=DEMO_AS_OF))
    assessed = factories.supplier_directory(engine, viewer, DirectoryFilters(), DEMO_AS_OF) \
        .dropna(subset=["latest_assessment_id"])
    assert len(rows) == len(assessed) * n_cps
    assert {r["non_compliant"] for r in rows} <= {"true", "false"}


def test_formula_cells_are_neutralised_in_a_real_extract(writable_engine):
    with writable_engine.begin() as conn:
        bid, fid = conn.execute(text(
            "SELECT brand_id, factory_id FROM sourcing_relationship WHERE active LIMIT 1")).one()
        conn.execute(text("UPDATE factory SET name = :n, parent_company = :p WHERE id = :f"),
                     {"n": '=HYPERLINK("http://evil.example","click")', "p": "@SUM(A1)",
                      "f": fid})
    rows = read(writable_engine, Viewer("u", "brand", bid), "supplier-list",
                ExtractContext(as_of=DEMO_AS_OF))
    row = next(r for r in rows if "HYPERLINK" in r["name"])
    assert row["name"].startswith("'=HYPERLINK")
    assert row["parent_company"] == "'@SUM(A1)"
    assert all(not r["lat"].startswith("'") for r in rows)  # numbers stay numbers


def test_every_download_is_audited(writable_engine):
    with writable_engine.connect() as conn:
        bid = conn.execute(text("SELECT MIN(brand_id) FROM sourcing_relationship")).scalar_one()
        before = conn.execute(text("SELECT COUNT(*) FROM extract_audit")).scalar_one()
    viewer = Viewer("someone", "brand", bid)
    ctx = ExtractContext(as_of=DEMO_AS_OF, directory=DirectoryFilters(countries=("BD",)))
    rows = read(writable_engine, viewer, "supplier-list", ctx)
    with writable_engine.connect() as conn:
        after = conn.execute(text("SELECT COUNT(*) FROM extract_audit")).scalar_one()
        last = conn.execute(text(
            "SELECT username, brand_id, extract, filters, row_count FROM extract_audit "
            "ORDER BY id DESC LIMIT 1")).one()
    assert after == before + 1
    assert (last.username, last.brand_id, last.extract, last.row_count) == (
        "someone", bid, "supplier-list", len(rows))
    assert '"BD"' in last.filters


def test_admin_must_choose_a_brand_for_extracts(engine):
    from data_access.errors import NoBrandSelected

    with pytest.raises(NoBrandSelected):
        build_file(engine, Viewer("a", "admin", None), "supplier-list",
                   ExtractContext(as_of=DEMO_AS_OF))


def test_docs_describe_every_extract_and_column():
    text_ = DOCS.read_text(encoding="utf-8")
    for key, spec in EXTRACTS.items():
        assert f"`{key}`" in text_, key
        for column in spec.columns:
            assert f"`{column.name}`" in text_, (key, column.name)


def test_csv_extracts_open_in_a_spreadsheet_with_stated_precision(engine):
    """Every CSV extract starts with a UTF-8 byte-order mark (a double-clicked file opens with
    its accents and dashes intact), and every number is rounded to the decimals its data
    dictionary entry states — nothing like 27.022654 or 9.874283."""
    import re as re_

    from services.extract_catalogue import decimals_of

    viewer = Viewer("u", "brand", brands(engine)[0][0])
    ctx = ExtractContext(as_of=DEMO_AS_OF)
    checked = 0
    for key, spec in EXTRACTS.items():
        raw = build_file(engine, viewer, key, ctx)
        assert raw.startswith(b"\xef\xbb\xbf"), key
        rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
        for column in spec.columns:
            places = decimals_of(column)
            if places is None:
                continue
            stated = re_.search(r"Rounded to (\d+) decimal place", column.description)
            assert stated and int(stated.group(1)) == places, (key, column.name)
            for row in rows[:300]:
                value = row[column.name]
                if value:
                    decimals = len(value.split(".")[1]) if "." in value else 0
                    assert decimals <= places, (key, column.name, value)
                    assert value != "-0.0", (key, column.name)
                    checked += 1
    assert checked > 100
