"""CSV extracts (issue 5): formula-injection neutralising, the streaming writer, the brand-scoped
purchase-order stream (checked against independent SQL) and the download audit log — the
database parts on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pandas as pd
import pytest
from sqlalchemy import event, text

from data_access.errors import NoBrandSelected, PermissionDenied
from data_access.extracts import (
    PURCHASE_ORDER_COLUMNS,
    ExtractColumn,
    PurchaseOrderFilters,
    csv_bytes,
    data_dictionary,
    data_dictionary_csv,
    extract_filename,
    iter_purchase_orders,
    list_downloads,
    neutralise_cell,
    purchase_orders_csv,
    write_csv,
)
from data_access.importing import import_csv
from data_access.viewer import Viewer

ADMIN = Viewer("programme-admin", "admin", None)


def brand_id(engine, code: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT id FROM brand WHERE code = :c"), {"c": code}).scalar_one()


def parse(data: bytes | str) -> list[list[str]]:
    if isinstance(data, bytes):
        data = data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(data, newline="")))


# ---- neutralising (no database) ----------------------------------------------------------------


@pytest.mark.parametrize("value", [
    '=HYPERLINK("http://x","y")', "+1+1", "@SUM(A1)", "-2+3", "\t=1", "\r=1", "\n=1",
    " =1", "\u00a0=1", "  \u00a0 +1", "=1\nsecond line", "-", "=",
    "=cmd|' /C calc'!A0",
])
def test_formula_triggers_are_prefixed_with_a_quote(value):
    assert neutralise_cell(value) == "'" + value


@pytest.mark.parametrize("value", [
    "Golden Thread Co., Ltd.", "a-b", "name@example.org", "", "   ", "5",
    "first line\n=1+1",  # a trigger inside the cell, not at its start, is not a formula
    -2.5, 0, None, dt.date(2026, 1, 1),
])
def test_safe_values_are_unchanged(value):
    assert neutralise_cell(value) == value


def test_write_csv_neutralises_text_by_column_type_and_keeps_real_numbers():
    columns = [ExtractColumn("name"), ExtractColumn("delta", "float"),
               ExtractColumn("units", "int"), ExtractColumn("day", "date"),
               ExtractColumn("at", "datetime"), ExtractColumn("flag", "bool")]
    rows = [
        ("-2+3", -2.5, -3, dt.date(2026, 1, 2), dt.datetime(2026, 1, 2, 9, 30), True),
        ('=HYPERLINK("http://x","y")', "-2.5", "=1+1", "@x", None, False),
        ("line one\n=cmd|' /C calc'!A0", float("nan"), None, None, None, None),
        ("\u00a0=1", 1e-7, 10**12, dt.datetime(2026, 3, 4, 0, 0), "",
         "yes"),
    ]
    out = io.StringIO(newline="")
    assert write_csv(rows, columns, out) == 4
    header, *cells = parse(out.getvalue())
    assert header == ["name", "delta", "units", "day", "at", "flag"]
    assert cells[0] == ["'-2+3", "-2.5", "-3", "2026-01-02", "2026-01-02T09:30:00", "true"]
    # a numeric column keeps a plain numeric text, but neutralises anything else
    assert cells[1] == ["'=HYPERLINK(\"http://x\",\"y\")", "-2.5", "'=1+1", "'@x", "", "false"]
    assert cells[2] == ["line one\n=cmd|' /C calc'!A0", "", "", "", "", ""]  # one cell
    assert cells[3] == ["'\u00a0=1", "1e-07", "1000000000000", "2026-03-04", "", "yes"]


def test_write_csv_to_a_binary_stream_with_mappings_and_a_bom():
    out = io.BytesIO()
    count = write_csv([{"a": "=1", "b": 2}, {"a": "ok", "b": -2}],
                      ["a", ExtractColumn("b", "int")], out, excel_bom=True)
    assert count == 2
    assert out.getvalue().startswith(b"\xef\xbb\xbfa,b\r\n")
    assert parse(out.getvalue()) == [["a", "b"], ["'=1", "2"], ["ok", "-2"]]


def test_csv_bytes_types_columns_from_the_frame():
    frame = pd.DataFrame({
        "name": ["=cmd", "Lotus Knit"],
        "share": [-1.5, float("nan")],
        "units": pd.array([-3, None], dtype="Int64"),
        "day": pd.to_datetime(["2026-01-01", None]),
        "stamp": pd.to_datetime(["2026-01-01 10:00", "2026-01-02 00:00"]),
        "flag": [True, False],
    })
    assert parse(csv_bytes(frame)) == [
        ["name", "share", "units", "day", "stamp", "flag"],
        ["'=cmd", "-1.5", "-3", "2026-01-01", "2026-01-01T10:00:00", "true"],
        ["Lotus Knit", "", "", "", "2026-01-02T00:00:00", "false"],
    ]
    chosen = csv_bytes(frame, [ExtractColumn("units", "int"), ExtractColumn("name")])
    assert parse(chosen)[1] == ["-3", "'=cmd"]


def test_extract_file_names_carry_brand_extract_and_date_in_safe_characters():
    day = dt.date(2026, 11, 26)
    assert extract_filename("nordwind", "purchase-orders", day) == \
        "nordwind_purchase-orders_2026-11-26.csv"
    assert extract_filename("Maple & Thread", "Latest findings by CP", day) == \
        "maple-thread_latest-findings-by-cp_2026-11-26.csv"
    hostile = extract_filename("../../etc/passwd", 'a"b\r\n<c>', day)
    assert hostile == "etc-passwd_a-b-c_2026-11-26.csv"
    assert extract_filename("", "", day) == "brand_extract_2026-11-26.csv"


def test_data_dictionary_lists_every_column_with_unit_and_meaning():
    entries = data_dictionary(PURCHASE_ORDER_COLUMNS)
    assert [e["column"] for e in entries] == [c.name for c in PURCHASE_ORDER_COLUMNS]
    assert all(e["meaning"] for e in entries)
    assert {e["unit"] for e in entries} >= {"USD", "days", "units", "date"}
    assert parse(data_dictionary_csv(PURCHASE_ORDER_COLUMNS))[0] == [
        "column", "type", "unit", "meaning"]


# ---- the purchase-order stream (demo data, both backends) -------------------------------------


def _independent_orders(engine, brand: int, where: str = "", **params) -> dict[str, tuple]:
    sql = ("SELECT p.po_number, p.factory_id, p.confirmed_on, p.units_ordered, p.fob_price_usd "
           "FROM purchase_order p JOIN factory f ON f.id = p.factory_id "
           f"WHERE p.brand_id = :b {where}")
    with engine.connect() as conn:
        return {r[0]: (r[1], str(r[2]), r[3], float(r[4]))
                for r in conn.execute(text(sql), {"b": brand, **params})}


def _streamed(rows) -> dict[str, tuple]:
    names = [c.name for c in PURCHASE_ORDER_COLUMNS]
    at = {n: names.index(n) for n in ("po_number", "factory_id", "confirmed_on",
                                       "units_ordered", "fob_price_usd")}
    return {r[at["po_number"]]: (r[at["factory_id"]], str(r[at["confirmed_on"]]),
                                 r[at["units_ordered"]], float(r[at["fob_price_usd"]]))
            for r in rows}


def test_purchase_order_stream_holds_exactly_the_brands_orders(engine):
    with engine.connect() as conn:
        brands = dict(conn.execute(text("SELECT code, id FROM brand")).all())
    everything = _independent_orders(engine, -1, "OR 1 = 1")  # every brand's orders
    for code in ["nordwind", "maple-thread", "verde-active"]:
        viewer = Viewer(f"user-{code}", "brand", brands[code])
        rows = list(iter_purchase_orders(engine, viewer))
        assert all(len(r) == len(PURCHASE_ORDER_COLUMNS) for r in rows)
        expected = _independent_orders(engine, brands[code])
        assert len(expected) > 0
        assert _streamed(rows) == expected  # contents, not just keys
        assert len(rows) == len(expected)  # no duplicates
        foreign = set(everything) - set(expected)
        assert not foreign & {r[0] for r in rows}
        confirmed = [r[6] for r in rows]
        assert confirmed == sorted(confirmed)


def test_purchase_order_stream_respects_every_filter(engine):
    bid = brand_id(engine, "nordwind")
    viewer = Viewer("buyer", "brand", bid)
    with engine.connect() as conn:
        factories = [r[0] for r in conn.execute(text(
            "SELECT DISTINCT factory_id FROM purchase_order WHERE brand_id = :b "
            "ORDER BY factory_id"), {"b": bid}).all()][:5]
    start, end = dt.date(2025, 1, 1), dt.date(2025, 6, 30)
    filters = PurchaseOrderFilters(confirmed_from=start, confirmed_to=end,
                                   factory_ids=tuple(factories), country_codes=("vn", "KH"))
    got = _streamed(iter_purchase_orders(engine, viewer, filters))
    expected = _independent_orders(
        engine, bid, "AND p.confirmed_on >= :s AND p.confirmed_on <= :e "
        f"AND p.factory_id IN ({', '.join(str(int(f)) for f in factories)}) "
        "AND f.country_code IN ('VN', 'KH')", s=start, e=end)
    assert got == expected
    only_dates = _streamed(iter_purchase_orders(
        engine, viewer, PurchaseOrderFilters(confirmed_from=start, confirmed_to=end)))
    assert only_dates == _independent_orders(
        engine, bid, "AND p.confirmed_on BETWEEN :s AND :e", s=start, e=end)
    assert len(only_dates) > len(got) > 0
    # another brand's factory id as a filter does not widen the scope
    assert list(iter_purchase_orders(engine, viewer, PurchaseOrderFilters(
        factory_ids=(999_999,)))) == []
    assert list(iter_purchase_orders(engine, viewer, PurchaseOrderFilters(
        factory_ids=()))) == []
    assert list(iter_purchase_orders(engine, viewer, PurchaseOrderFilters(
        factory_ids=(2**31, -(2**40), 10**30)))) == []  # no "integer out of range" error


def test_purchase_order_stream_needs_a_brand_before_iterating(engine):
    with pytest.raises(NoBrandSelected):
        iter_purchase_orders(engine, ADMIN)  # raised at the call, not at the first next()
    chosen = ADMIN.acting_for(brand_id(engine, "maple-thread"))
    assert len(list(iter_purchase_orders(engine, chosen))) > 0


def test_purchase_order_stream_uses_yield_per_and_a_server_side_cursor(engine):
    seen = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if "purchase_order" in statement:
            seen.append((context.execution_options.get("yield_per"), type(cursor).__name__))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        viewer = Viewer("buyer", "brand", brand_id(engine, "nordwind"))
        stream = iter_purchase_orders(engine, viewer)
        first = next(stream)
        stream.close()  # abandoning a stream returns its connection
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert len(first) == len(PURCHASE_ORDER_COLUMNS)
    assert seen and seen[0][0] == 5_000
    if engine.dialect.name == "postgresql":
        assert seen[0][1] == "ServerCursor"  # rows stay on the server until fetched


# ---- export, audit and round trip (writable database, both backends) --------------------------


def test_export_is_audited_neutralised_and_reimports_unchanged(writable_engine):
    engine = writable_engine
    bid = brand_id(engine, "nordwind")
    viewer = Viewer("buyer", "brand", bid)
    with engine.begin() as conn:  # a hostile factory name among the brand's suppliers
        target = conn.execute(text("SELECT factory_id FROM purchase_order WHERE brand_id = :b "
                                   "ORDER BY id LIMIT 1"), {"b": bid}).scalar_one()
        conn.execute(text("UPDATE factory SET name = :n WHERE id = :f"),
                     {"n": '=HYPERLINK("http://x","y")', "f": target})

    filters = PurchaseOrderFilters(confirmed_from=dt.date(2025, 1, 1))
    out = io.BytesIO()
    count = purchase_orders_csv(engine, viewer, out, filters)
    with engine.connect() as conn:
        expected = conn.execute(text("SELECT COUNT(*) FROM purchase_order WHERE brand_id = :b "
                                     "AND confirmed_on >= :d"),
                                {"b": bid, "d": dt.date(2025, 1, 1)}).scalar_one()
    assert count == expected > 0
    header, *cells = parse(out.getvalue())
    assert header == [c.name for c in PURCHASE_ORDER_COLUMNS] and len(cells) == count
    names = {row[header.index("factory_name")] for row in cells
             if row[header.index("factory_id")] == str(target)}
    assert names <= {'\'=HYPERLINK("http://x","y")'}

    log = list_downloads(engine, ADMIN)
    assert log.iloc[0][["username", "brand_code", "extract", "row_count"]].tolist() == [
        "buyer", "nordwind", "purchase-orders", count]
    assert json.loads(log.iloc[0]["filters"])["confirmed_from"] == "2025-01-01"
    with pytest.raises(PermissionDenied):
        list_downloads(engine, viewer)

    # the full extract is a valid order file: importing it back changes nothing
    full = io.BytesIO()
    total = purchase_orders_csv(engine, viewer, full)
    report = import_csv(engine, ADMIN, "orders", full.getvalue(), brand_code="nordwind",
                        file_name=extract_filename("nordwind", "purchase-orders"))
    assert (report.inserted, report.updated, report.unchanged) == (0, 0, total)
    assert set(report.ignored_columns) == {"factory_name", "country_code"}
    assert len(list_downloads(engine, ADMIN)) == 2


def test_write_csv_pauses_the_cyclic_gc_only_while_writing_and_restores_it():
    """The collector is off during the write (issue 7: ≈ 20 % of a 100 k-row extract) and back
    on afterwards — also when the rows fail mid-way, and not switched on if it was off."""
    import gc

    seen = []

    def rows():
        seen.append(gc.isenabled())
        yield ("a", 1)
        raise RuntimeError("the database went away")

    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        write_csv(rows(), ["name", ExtractColumn("n", "int")], io.StringIO())
    assert seen == [False]
    assert gc.isenabled()
    gc.disable()
    try:
        write_csv([("b", 2)], ["name", ExtractColumn("n", "int")], io.StringIO())
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()
