"""The brand's purchase orders, for the purchasing-practice indicators (DOMAIN.md §3)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, Float, Select, cast, delete, false, func, insert, select

from data_access.analyses import arrow_stream
from data_access.schema import BrandOrderSnapshot, Factory, PurchaseOrder, SourcingRelationship
from data_access.scope import scoped_connection, system_connection
from data_access.sqlutil import (
    iso_date,
    possible_ids,
    possible_texts,
    read_frame,
    read_rows_frame,
    read_rows_frame_on,
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
    unfiltered = factory_ids is None and not countries and since is None and until is None
    book = read_order_snapshot(engine, viewer) if unfiltered else None
    if book is None:
        book = _typed_order_columns(read_rows_frame(engine, stmt, SNAPSHOT_COLUMNS,
                                                    viewer=viewer))
    # the brand's factories (a superset of those it ordered from), in the brand's scope
    own = select(SourcingRelationship.factory_id).where(SourcingRelationship.brand_id == brand_id)
    frame = _with_factory_columns(engine, book, own_factories=own, viewer=viewer)
    return frame.sort_values(["confirmed_on", "po_id"], kind="stable").reset_index(drop=True)


def _typed_order_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """The order columns as read (:func:`_raw_columns`) converted to their types — the part of
    :func:`_with_factory_columns` that depends on the orders alone (what a snapshot holds)."""
    frame = frame.astype({"factory_id": "int64"})
    for col in DATE_COLUMNS:
        frame[col] = pd.to_datetime(frame[col])
    frame["changed_after_confirmation"] = frame["changed_after_confirmation"].astype(bool)
    for col in ("fob_price_usd", "cost_usd", "amount_paid_usd", "units_forecast"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
    return frame


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
#: the columns read from ``purchase_order`` itself (and held by a brand's order snapshot)
SNAPSHOT_COLUMNS = [c for c in ORDER_COLUMNS if c not in FACTORY_COLUMNS]


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


#: The feed is empty when fewer brands than this have orders: nothing could be published
#: (metrics.purchasing.published_benchmarks needs this many brands besides the viewer).
MIN_BRANDS_FOR_BENCHMARK = 5
#: columns of a relationships frame (metrics.purchasing.RELATIONSHIP_COLUMNS + country)
RELATIONSHIP_COLUMNS = ["factory_id", "country_code", "start_date", "end_date", "active",
                        "first_order_on"]


def _relationships_frame(engine: Engine, brand_id: int | None, *,
                         viewer: Viewer | None = None) -> pd.DataFrame:
    """One row per (brand, factory) the brand sources or sourced from, or ordered from: the
    relationship's start, end and active flag (NULL without a relationship row) and the first
    order *ever* with the factory. ``brand_id`` None: every brand (system read).

    Two plain reads merged here rather than one joined statement: the first orders come from a
    GROUP BY that walks the index on (brand_id, factory_id, confirmed_on) alone (0.1 s for every
    brand at Better Work scale, where a union joined to the relationships took 1.4 s)."""
    rel, po = SourcingRelationship, PurchaseOrder
    rel_stmt = (select(rel.brand_id, rel.factory_id, Factory.country_code,
                       iso_date(rel.start_date).label("start_date"),
                       iso_date(rel.end_date).label("end_date"), rel.active)
                .join(Factory, Factory.id == rel.factory_id))
    first_stmt = (select(po.brand_id, po.factory_id,
                         iso_date(func.min(po.confirmed_on)).label("first_order_on"))
                  .group_by(po.brand_id, po.factory_id))
    if brand_id is not None:
        rel_stmt = rel_stmt.where(rel.brand_id == brand_id)
        first_stmt = first_stmt.where(po.brand_id == brand_id)
    scope = {"viewer": viewer} if viewer is not None else {"system": True}
    rels = read_rows_frame(engine, rel_stmt, ["brand_id", "factory_id", "country_code",
                                              "start_date", "end_date", "active"], **scope)
    first = read_rows_frame(engine, first_stmt, ["brand_id", "factory_id", "first_order_on"],
                            **scope)
    keys = ["brand_id", "factory_id"]
    frame = rels.astype({k: "int64" for k in keys}).merge(
        first.astype({k: "int64" for k in keys}), on=keys, how="outer")
    missing = frame["country_code"].isna()
    if missing.any():  # ordered from without a relationship row (rare): look the country up
        ids = [int(i) for i in frame.loc[missing, "factory_id"].unique()]
        countries = dict(read_frame(engine, select(Factory.id, Factory.country_code)
                                    .where(Factory.id.in_(ids)), ["id", "country_code"],
                                    **scope).itertuples(index=False, name=None))
        frame.loc[missing, "country_code"] = frame.loc[missing, "factory_id"].map(countries)
    return frame.sort_values(keys, kind="stable").reset_index(drop=True)


def _typed_relationships(frame: pd.DataFrame) -> pd.DataFrame:
    for col in ("start_date", "end_date", "first_order_on"):
        frame[col] = pd.to_datetime(frame[col])
    # no relationship row (orders only): treat as current, its start is the first order
    frame["active"] = frame["active"].map(lambda v: True if v is None or pd.isna(v)
                                          else bool(v)).astype(bool)
    return frame.astype({"factory_id": "int64"})


def relationships(engine: Engine, viewer: Viewer) -> pd.DataFrame:
    """The viewer's brand's sourcing relationships, for relationship length: one row per
    factory it sources or sourced from (or ordered from without a relationship row), with
    ``start_date``, ``end_date``, ``active`` and ``first_order_on`` — its first order with the
    factory *ever*, not within a period. Columns: :data:`RELATIONSHIP_COLUMNS`."""
    frame = _relationships_frame(engine, viewer.require_brand(), viewer=viewer)
    return _typed_relationships(frame.drop(columns="brand_id"))[RELATIONSHIP_COLUMNS]


@dataclass(frozen=True)
class BenchmarkFeed:
    """Every brand's orders and relationships, **anonymised**, for the cross-brand benchmark.

    ``orders`` and ``relationships`` carry ``brand_key`` (an arbitrary number per brand, in
    random order) instead of the brand; ``order_dates`` is each key's order as-of date;
    ``key_of_brand`` maps a brand id to its key so the computation can leave each viewer's own
    brand out of the figure it publishes for that viewer. Nothing of it is shown, cached or
    stored: only the published figures (metrics.purchasing.published_benchmarks) leave the
    computation.
    """

    orders: pd.DataFrame
    relationships: pd.DataFrame
    order_dates: dict[int, dt.date]
    key_of_brand: dict[int, int]


def benchmark_feed(
    engine: Engine, *, since: dt.date | None = None, until: dt.date | None = None,
    country: str | None = None, order_dates: dict[int, dt.date] | None = None,
) -> BenchmarkFeed:
    """Every brand's orders confirmed between ``since`` and ``until`` (inclusive), in
    ``country`` when given, and every brand's relationships there; anonymised (see
    :class:`BenchmarkFeed`). Empty when fewer than :data:`MIN_BRANDS_FOR_BENCHMARK` brands have
    orders in it. ``order_dates``: each brand's order as-of date
    (``data_access.as_of.order_dates_by_brand``), re-keyed here."""
    po = PurchaseOrder
    columns = [c for c in ORDER_COLUMNS if c not in ("po_number", "season")]
    stmt = select(po.brand_id, po.id.label("po_id"), po.factory_id, *_raw_columns())
    if since is not None:
        stmt = stmt.where(po.confirmed_on >= since)
    if until is not None:
        stmt = stmt.where(po.confirmed_on <= until)
    in_country = None
    if country is not None:
        in_country = select(Factory.id).where(Factory.country_code == str(country).upper())
        stmt = stmt.where(po.factory_id.in_(in_country))
    frame = _feed_from_snapshots(engine, since, until, in_country)
    if frame is None:
        frame = read_rows_frame(engine, stmt, ["brand_id", *[c for c in columns
                                                             if c not in FACTORY_COLUMNS]],
                                system=True)
    empty = BenchmarkFeed(pd.DataFrame(columns=["brand_key", *columns]),
                          pd.DataFrame(columns=["brand_key", *RELATIONSHIP_COLUMNS]), {}, {})
    if frame["brand_id"].nunique() < MIN_BRANDS_FOR_BENCHMARK:
        return empty
    shuffled = pd.Series(frame["brand_id"].unique()).sample(frac=1).reset_index(drop=True)
    keys = {int(brand): key for key, brand in enumerate(shuffled)}
    frame.insert(0, "brand_key", frame.pop("brand_id").map(keys))
    orders = _with_factory_columns(engine, frame, ["brand_key", *columns])
    rel = _relationships_frame(engine, None)
    rel = rel[rel["brand_id"].isin(keys)]
    if country is not None:
        rel = rel[rel["country_code"] == str(country).upper()]
    rel = _typed_relationships(rel.assign(brand_key=rel["brand_id"].map(keys))
                               .drop(columns="brand_id").reset_index(drop=True))
    dates = {keys[b]: d for b, d in (order_dates or {}).items() if b in keys}
    return BenchmarkFeed(orders, rel[["brand_key", *RELATIONSHIP_COLUMNS]], dates, keys)


# ---- per-brand order snapshots (issue 17) --------------------------------------------------------

#: bump when the stored frame's layout changes: older snapshots are then ignored (and rebuilt
#: by the next refresh)
SNAPSHOT_FORMAT = 1


def _order_book_stmt(brand_id: int) -> Select:
    po = PurchaseOrder
    return (select(po.id.label("po_id"), po.factory_id, po.po_number, po.season,
                   *_raw_columns()).where(po.brand_id == brand_id).order_by(po.id))


def _encode(frame: pd.DataFrame) -> bytes:
    import pyarrow as pa

    return arrow_stream(pa.Table.from_pandas(frame, preserve_index=False))


def _decode(blob: bytes) -> pd.DataFrame:
    import pyarrow as pa

    return pa.ipc.open_stream(pa.py_buffer(blob)).read_all().to_pandas()


def refresh_order_snapshots(conn: Connection, brand_ids: Iterable[int] | None = None) -> int:
    """Rebuild the order snapshot of ``brand_ids`` (every brand with orders when None) from
    ``purchase_order``, on ``conn`` — **in the transaction that wrote the brands' orders**, after
    writing them (the orders importer and the demo generator do), so no reader ever sees a
    snapshot older than the orders. Returns how many snapshots were written.

    The snapshot is the brand's order book as :func:`purchase_orders` returns it without filters,
    minus the factory attributes (merged at read time: another brand's facility list may change
    them). A brand without orders gets no snapshot (readers then read ``purchase_order``)."""
    if brand_ids is None:
        ids = [int(b) for b in conn.execute(
            select(PurchaseOrder.brand_id).distinct()).scalars()]
        conn.execute(delete(BrandOrderSnapshot))
    else:
        ids = sorted({int(b) for b in brand_ids})
        if not ids:
            return 0
        conn.execute(delete(BrandOrderSnapshot).where(BrandOrderSnapshot.brand_id.in_(ids)))
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    written = 0
    for brand_id in ids:
        book = _typed_order_columns(read_rows_frame_on(conn, _order_book_stmt(brand_id),
                                                       SNAPSHOT_COLUMNS))
        if book.empty:
            continue
        book = book.sort_values(["confirmed_on", "po_id"], kind="stable").reset_index(drop=True)
        conn.execute(insert(BrandOrderSnapshot).values(
            brand_id=brand_id, order_count=len(book), max_order_id=int(book["po_id"].max()),
            format_version=SNAPSHOT_FORMAT, frame=_encode(book), built_at=now))
        written += 1
    return written


def read_order_snapshot(engine: Engine, viewer: Viewer) -> pd.DataFrame | None:
    """The viewer's brand's order snapshot (the order columns of :func:`purchase_orders`,
    typed), or None when there is none or it does not match ``purchase_order`` (another number
    of orders or another highest order id: a writer that did not refresh it)."""
    brand_id = viewer.require_brand()
    snap = BrandOrderSnapshot
    po = PurchaseOrder
    with scoped_connection(engine, viewer) as conn:
        row = conn.execute(
            select(snap.order_count, snap.max_order_id, snap.format_version, snap.frame)
            .where(snap.brand_id == brand_id)).one_or_none()
        if row is None or row.format_version != SNAPSHOT_FORMAT:
            return None
        count, newest = conn.execute(select(func.count(), func.max(po.id))
                                     .where(po.brand_id == brand_id)).one()
        if count != row.order_count or newest != row.max_order_id:
            return None
        blob = row.frame
    return _decode(blob)


def _feed_from_snapshots(engine: Engine, since: dt.date | None, until: dt.date | None,
                         in_country: Select | None) -> pd.DataFrame | None:
    """The benchmark feed's order columns (``brand_id`` first) from every brand's order
    snapshot instead of ``purchase_order`` (≈ 10× faster for 800 k orders), filtered like the
    SQL read; None unless every brand with orders has a snapshot that matches them (then the
    caller reads the table)."""
    snap, po = BrandOrderSnapshot, PurchaseOrder
    columns = [c for c in ORDER_COLUMNS if c not in ("po_number", "season", *FACTORY_COLUMNS)]
    with system_connection(engine) as conn:
        actual = {int(b): (int(n), m) for b, n, m in conn.execute(
            select(po.brand_id, func.count(), func.max(po.id)).group_by(po.brand_id))}
        stored = conn.execute(select(snap.brand_id, snap.order_count, snap.max_order_id,
                                     snap.format_version)).all()
        if {int(r.brand_id): (r.order_count, r.max_order_id) for r in stored
                if r.format_version == SNAPSHOT_FORMAT} != actual:
            return None
        factories = None
        if in_country is not None:
            factories = {int(i) for i in conn.execute(in_country).scalars()}
        parts = []
        for brand_id, blob in conn.execute(select(snap.brand_id, snap.frame)
                                           .order_by(snap.brand_id)):
            book = _decode(blob)
            keep = np.ones(len(book), dtype=bool)
            if since is not None:
                keep &= (book["confirmed_on"] >= pd.Timestamp(since)).to_numpy()
            if until is not None:
                keep &= (book["confirmed_on"] <= pd.Timestamp(until)).to_numpy()
            if factories is not None:
                keep &= book["factory_id"].isin(factories).to_numpy()
            book = book.loc[keep, columns]
            book.insert(0, "brand_id", int(brand_id))
            parts.append(book)
    if not parts:
        return None
    # in order id order, as the table is read (sums then add up in the same order)
    frame = pd.concat(parts, ignore_index=True)
    return frame.sort_values("po_id", kind="stable").reset_index(drop=True)
