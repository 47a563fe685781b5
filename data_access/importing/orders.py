"""A brand's purchase orders (one row per PO), for the purchasing-practice indicators (DOMAIN §3).

A PO is keyed by (brand, ``po_number``). The factory must be one of the brand's suppliers (a
sourcing relationship, active or ended) — import the brand's facility list first.

Order rows are complete records: a column present in the file replaces the stored value, an
empty cell included (an empty ``paid_on`` means "not paid yet"); a column absent from the file
keeps stored values. Empty ``units_changed_after_confirmation`` is 0; empty
``changed_after_confirmation`` is "yes" exactly when units were changed. Money is rounded to
cents, as stored (``NUMERIC(10,2)``), so a re-import compares equal on every database.

Row outcome: ``inserted`` (new PO), ``updated`` (any stored field changed) or ``unchanged``.
The hot path avoids per-row database work and pandas: 100k rows validate and load in seconds.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from data_access.importing import cleaners as c
from data_access.importing.common import (
    FACTORY_REFERENCE_COLUMNS,
    INT_MAX,
    ChangePlan,
    execute_many,
    insert_rows,
    load_factory_refs,
    lookup_factory,
)
from data_access.importing.reading import Column, FileSpec, ParsedFile
from data_access.orders import refresh_order_snapshots
from data_access.schema import PurchaseOrder, SourcingRelationship


def money(maximum: float) -> c.Cleaner:
    """A non-negative amount in USD, rounded to cents."""
    number = c.decimal(0, maximum)

    def clean(value: str) -> c.Cleaned:
        amount, error = number(value.removeprefix("$").strip())
        return (None, error) if error else (round(amount, 2), None)

    return clean


SPEC = FileSpec(
    kind="orders",
    columns=(
        Column("po_number", c.text(40), required=True, aliases=("po", "order_number")),
        *FACTORY_REFERENCE_COLUMNS,
        Column("confirmed_on", c.iso_date, required=True),
        Column("ex_factory_on", c.iso_date),
        Column("invoiced_on", c.iso_date),
        Column("paid_on", c.iso_date),
        Column("payment_terms_days", c.integer(0, 365), required=True),
        Column("units_forecast", c.integer(0, INT_MAX)),
        Column("units_ordered", c.integer(0, INT_MAX), required=True),
        Column("units_changed_after_confirmation", c.integer(0, INT_MAX)),
        Column("changed_after_confirmation", c.boolean),
        Column("fob_price_usd", money(99_999_999.99), required=True),
        Column("cost_usd", money(99_999_999.99)),
        Column("amount_paid_usd", money(999_999_999_999.99)),
        Column("season", c.text(8)),
    ),
    one_of=(("factory_os_id", "factory_id"),),
)

#: file columns in the order the planning loop unpacks them
_READ = ("po_number", "factory_os_id", "factory_id", "confirmed_on", "ex_factory_on",
         "invoiced_on", "paid_on", "payment_terms_days", "units_forecast", "units_ordered",
         "units_changed_after_confirmation", "changed_after_confirmation", "fob_price_usd",
         "cost_usd", "amount_paid_usd", "season")
_FACTORY_COLUMNS = frozenset({"factory_os_id", "factory_id"})

#: stored columns in the order of the tuples compared and written below
STORED = ("factory_id", "season", "confirmed_on", "ex_factory_on", "invoiced_on", "paid_on",
          "payment_terms_days", "units_forecast", "units_ordered",
          "units_changed_after_confirmation", "changed_after_confirmation", "fob_price_usd",
          "cost_usd", "amount_paid_usd")


def plan_orders(conn: Connection, parsed: ParsedFile, brand_id: int,
                today: dt.date) -> ChangePlan:
    refs = load_factory_refs(conn)
    suppliers = set(conn.execute(select(SourcingRelationship.factory_id)
                                 .where(SourcingRelationship.brand_id == brand_id)).scalars())
    plan = ChangePlan(rows=parsed.row_count)
    present = parsed.present | {"factory_id"}  # the factory is always known once resolved
    if "units_changed_after_confirmation" in present:
        present.add("changed_after_confirmation")  # derived from the units when empty
    compared = [i for i, col in enumerate(STORED) if col in present]
    problem = parsed.problem
    bad_rows = parsed.bad_rows  # the same set object: problems found below are added to it
    seen: dict[str, int] = {}
    records: list[tuple[str, tuple]] = []  # (po_number, values in STORED order)

    factory_cache: dict[tuple[Any, Any], tuple[int | None, str | None, str | None]] = {}
    invalid = parsed.invalid
    columns = [parsed.columns[name] for name in _READ]
    for i, (number, po, factory_os_id, factory_ref, confirmed, ex_factory, invoiced, paid,
            terms, forecast, ordered, changed_units, changed, fob, cost, amount, season,
            ) in enumerate(zip(parsed.numbers, *columns, strict=True)):
        factory_id = None
        if i not in invalid or not invalid[i] & _FACTORY_COLUMNS:
            key = (factory_os_id, factory_ref)
            found = factory_cache.get(key)
            if found is None:
                found = factory_cache[key] = lookup_factory(factory_os_id, factory_ref, refs)
            factory_id, column, message = found
            if message is not None:
                problem(number, column or _factory_column(parsed), message)
            elif factory_id not in suppliers:
                problem(number, "factory_os_id" if factory_os_id else "factory_id",
                        f"factory {factory_id} is not a supplier of this brand; import the "
                        "brand's facility list first")
                factory_id = None
        if po is not None:
            if po in seen:
                problem(number, "po_number", f"{po!r} is already on row {seen[po]}")
            else:
                seen[po] = number
        if confirmed is not None:
            if confirmed > today:
                problem(number, "confirmed_on", f"{confirmed} is in the future")
            if ex_factory is not None and ex_factory < confirmed:
                problem(number, "ex_factory_on",
                        f"{ex_factory} is before the order was confirmed ({confirmed})")
            if invoiced is not None and invoiced < confirmed:
                problem(number, "invoiced_on",
                        f"{invoiced} is before the order was confirmed ({confirmed})")
        if invoiced is not None and invoiced > today:
            problem(number, "invoiced_on", f"{invoiced} is in the future")
        if paid is not None:
            if paid > today:
                problem(number, "paid_on", f"{paid} is in the future")
            if invoiced is not None and paid < invoiced:
                problem(number, "paid_on", f"{paid} is before the invoice date ({invoiced})")
        if changed is False and changed_units:
            problem(number, "changed_after_confirmation",
                    f"is 'no' but units_changed_after_confirmation is {changed_units}")
        if factory_id is None or number in bad_rows:
            continue
        if changed is None:
            changed = bool(changed_units)
        records.append((po, (factory_id, season, confirmed, ex_factory, invoiced, paid, terms,
                             forecast, ordered, changed_units or 0, changed, fob, cost,
                             amount)))
    if parsed.problems:
        return plan

    stored = _stored_orders(conn, brand_id, [po for po, _ in records])
    inserts: list[tuple] = []
    updates: list[dict[str, Any]] = []
    everything_compared = len(compared) == len(STORED)
    for po, record in records:
        old = stored.get(po)
        if old is None:
            inserts.append((brand_id, po, *record))
            plan.inserted += 1
            continue
        old_id, old_record = old
        if everything_compared:
            same = record == old_record
        else:
            same = all(record[i] == old_record[i] for i in compared)
        if same:
            plan.unchanged += 1
        else:
            params = {f"b_{STORED[i]}": record[i] for i in compared}
            params["b_id"] = old_id
            updates.append(params)
            plan.updated += 1

    plan.details = {"orders_inserted": len(inserts), "orders_updated": len(updates)}
    plan.step(len(inserts), insert_rows(PurchaseOrder.__table__,
                                        ["brand_id", "po_number", *STORED], inserts))
    table = PurchaseOrder.__table__
    stmt = (update(table).where(table.c.id == bindparam("b_id"))
            .values({STORED[i]: bindparam(f"b_{STORED[i]}") for i in compared}))
    plan.step(len(updates), execute_many(stmt, updates))
    if inserts or updates:
        def refresh(conn: Connection, advance) -> None:
            # the pages read the brand's orders from its snapshot: rebuild it in the same
            # transaction (data_access.orders.refresh_order_snapshots)
            refresh_order_snapshots(conn, [brand_id])
            advance(1)

        plan.step(1, refresh)
    return plan


#: ids per ``IN (…)`` list when reading the stored orders a file names
_ID_CHUNK = 5_000


def _stored_orders(conn: Connection, brand_id: int,
                   po_numbers: list[str]) -> dict[str, tuple[int, tuple]]:
    """The brand's stored orders that the file names: po_number → (id, values in STORED order).

    First every (po_number, id) of the brand — read from the unique index alone — then the
    full rows of only those the file names, by id. A file of new orders (the usual monthly
    upload) reads no order row at all; before, every import read all of the brand's orders."""
    ids = {po: id_ for po, id_ in conn.execute(
        select(PurchaseOrder.po_number, PurchaseOrder.id)
        .where(PurchaseOrder.brand_id == brand_id))}
    wanted = sorted(ids[po] for po in po_numbers if po in ids)
    columns = [getattr(PurchaseOrder, col) for col in STORED]
    stored: dict[str, tuple[int, tuple]] = {}
    for start in range(0, len(wanted), _ID_CHUNK):
        rows = conn.execute(select(PurchaseOrder.id, PurchaseOrder.po_number, *columns)
                            .where(PurchaseOrder.brand_id == brand_id,
                                   PurchaseOrder.id.in_(wanted[start:start + _ID_CHUNK])))
        stored.update((r[1], (r[0], tuple(r[2:]))) for r in rows)
    return stored


def _factory_column(parsed: ParsedFile) -> str:
    return "factory_os_id" if "factory_os_id" in parsed.present else "factory_id"
