"""The brand's purchase orders, for the purchasing-practice indicators (DOMAIN.md §3)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
from sqlalchemy import Engine, Float, Select, cast, false, func, select

from data_access.schema import Factory, PurchaseOrder, SourcingRelationship
from data_access.scope import scoped_connection
from data_access.sqlutil import (
    iso_date,
    possible_ids,
    possible_texts,
    read_frame,
    read_rows_frame,
)
from data_access.viewer import Viewer

ORDER_COLUMNS = [
    "po_id", "factory_id", "country_code", "po_number", "season", "confirmed_on",
    "ex_factory_on", "invoiced_on", "paid_on", "payment_terms_days", "units_forecast",
    "units_ordered", "units_changed_after_confirmation", "changed_after_confirmation",
    "fob_price_usd", "cost_usd", "amount_paid_usd", "required_lead_time_days",
    "annual_output_units",
]
DATE_COLUMNS = ("confirmed_on", "ex_factory_on", "invoiced_on", "paid_on")


def purchase_orders(
    engine: Engine,
    viewer: Viewer,
    *,
    factory_ids: Sequence[int] | None = None,
    countries: Sequence[str] | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> pd.DataFrame:
    """The viewer's brand's orders (confirmed between ``since`` and ``until`` inclusive),
    optionally for some factories or countries. Columns: :data:`ORDER_COLUMNS`."""
    po = PurchaseOrder
    brand_id = viewer.require_brand()
    stmt = (
        select(po.id.label("po_id"), po.factory_id, po.po_number, po.season, *_raw_columns())
        .where(po.brand_id == brand_id)
        # in table order (sequential pages), sorted by date below: reading 100 k orders in
        # date order hops between pages and is ≈ 1.5× slower on SQLite (issue 7)
        .order_by(po.id)
    )
    if factory_ids is not None:
        ids = possible_ids(factory_ids)  # out-of-range ids match nothing
        stmt = stmt.where(po.factory_id.in_(ids) if ids else false())
    if countries:
        stmt = stmt.where(po.factory_id.in_(
            select(Factory.id).where(Factory.country_code.in_(
                [c.upper() for c in possible_texts(countries)]))))
    if since is not None:
        stmt = stmt.where(po.confirmed_on >= since)
    if until is not None:
        stmt = stmt.where(po.confirmed_on <= until)
    frame = read_rows_frame(engine, stmt,
                            [c for c in ORDER_COLUMNS if c not in FACTORY_COLUMNS], viewer=viewer)
    # the brand's factories (a superset of those it ordered from), in the brand's scope
    own = select(SourcingRelationship.factory_id).where(SourcingRelationship.brand_id == brand_id)
    frame = _with_factory_columns(engine, frame, own_factories=own, viewer=viewer)
    return frame.sort_values(["confirmed_on", "po_id"], kind="stable").reset_index(drop=True)


def _raw_columns() -> list:
    """The order columns after ``po_id, factory_id`` (and PO number, season), cast for a fast
    transfer: dates as ISO text and money as floats (PostgreSQL would send ``date`` and
    ``Decimal`` objects, ≈ 40 % of reading 100 k orders there); the types are restored in
    pandas by :func:`_with_factory_columns`."""
    po = PurchaseOrder
    return [
        *(iso_date(c).label(c.key) for c in (po.confirmed_on, po.ex_factory_on,
                                             po.invoiced_on, po.paid_on)),
        po.payment_terms_days, po.units_forecast, po.units_ordered,
        po.units_changed_after_confirmation, po.changed_after_confirmation,
        *(cast(c, Float).label(c.key) for c in (po.fob_price_usd, po.cost_usd,
                                                po.amount_paid_usd)),
    ]


#: factory attributes repeated on each order row
FACTORY_COLUMNS = ("country_code", "required_lead_time_days", "annual_output_units")
def _with_factory_columns(engine: Engine, frame: pd.DataFrame,
                          columns: Sequence[str] = ORDER_COLUMNS, *,
                          own_factories: Select | None = None,
                          viewer: Viewer | None = None) -> pd.DataFrame:
    """Add the factory attributes and convert the types. The factories are read apart and
    merged here: on SQLite a join looks the factory up once per order (≈ 40 % of reading
    100 k orders, issue 7), while the orders come from a few thousand factories
    (``own_factories``: a query of their ids; every factory when None)."""
    factory = Factory
    attributes = pd.DataFrame(columns=["factory_id", *FACTORY_COLUMNS])
    if len(frame):
        stmt = select(factory.id.label("factory_id"), factory.country_code,
                      factory.required_lead_time_days, factory.annual_output_units)
        if own_factories is not None:
            stmt = stmt.where(factory.id.in_(own_factories))
        attributes = read_frame(engine, stmt, ["factory_id", *FACTORY_COLUMNS], viewer=viewer)
    frame = frame.astype({"factory_id": "int64"}).merge(
        attributes.astype({"factory_id": "int64"}), on="factory_id", how="left",
        validate="many_to_one")
    frame = frame[list(columns)]
    for col in DATE_COLUMNS:
        frame[col] = pd.to_datetime(frame[col])
    frame["changed_after_confirmation"] = frame["changed_after_confirmation"].astype(bool)
    for col in ("fob_price_usd", "cost_usd", "amount_paid_usd", "units_forecast",
                "required_lead_time_days", "annual_output_units"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
    return frame


def order_date_range(engine: Engine, viewer: Viewer) -> tuple[dt.date | None, dt.date | None]:
    """First and last confirmation date of the brand's orders (for the period filter)."""
    po = PurchaseOrder
    with scoped_connection(engine, viewer) as conn:
        first, last = conn.execute(
            select(func.min(po.confirmed_on), func.max(po.confirmed_on))
            .where(po.brand_id == viewer.require_brand())
        ).one()
    return first, last


MIN_BRANDS_FOR_BENCHMARK = 5


def orders_for_benchmark(
    engine: Engine, *, since: dt.date | None = None, until: dt.date | None = None
) -> pd.DataFrame:
    """Every brand's orders, **anonymised**, for computing cross-brand medians only.

    Not a viewer read: it must never be shown or cached as rows. The caller reduces it to one
    median per indicator at once (``ui/data.py``). Brand ids are replaced by an arbitrary
    ``brand_key`` (a dense rank in random order), and PO numbers and seasons are dropped.
    Returns an empty frame when fewer than :data:`MIN_BRANDS_FOR_BENCHMARK` brands have orders
    in the period, so a median cannot single out a brand.
    """
    po = PurchaseOrder
    columns = [c for c in ORDER_COLUMNS if c not in ("po_number", "season")]
    stmt = select(po.brand_id, po.id.label("po_id"), po.factory_id, *_raw_columns())
    if since is not None:
        stmt = stmt.where(po.confirmed_on >= since)
    if until is not None:
        stmt = stmt.where(po.confirmed_on <= until)
    frame = read_rows_frame(engine, stmt, ["brand_id", *[c for c in columns
                                                         if c not in FACTORY_COLUMNS]],
                            system=True)
    if frame["brand_id"].nunique() < MIN_BRANDS_FOR_BENCHMARK:
        return pd.DataFrame(columns=["brand_key", *columns])
    shuffled = pd.Series(frame["brand_id"].unique()).sample(frac=1).reset_index(drop=True)
    keys = {brand: key for key, brand in enumerate(shuffled)}
    frame.insert(0, "brand_key", frame.pop("brand_id").map(keys))
    return _with_factory_columns(engine, frame, ["brand_key", *columns])
