"""Per-brand analyses computed once per data version and stored (issue 17: every first view
fast).

The risk ranking (overview, suppliers, factory profile, comparison and risk pages) and the
Purchasing page's figures for a brand's whole order book take ≈ 0.2–0.4 s each to compute for
the largest brand at Better Work scale — most of a first view. They depend on the brand's
orders and on the shared assessment data, so any import can change them for many brands. So:

* **after every import** (and after the demo data is made) :func:`refresh_brand_analyses`
  computes them for every brand, for the choices a first view shows (the brand's reference
  date; the Purchasing page's default: last 12 months, latest order data, all countries and
  factories, the first trend indicator), and stores them (``data_access.analyses``). At scale
  M (250 brands) this takes about a minute, so after an import through the app it runs in a
  **background thread** (:func:`schedule_refresh`; ``DASHBOARD_PRECOMPUTE=wait`` runs it
  inside the import, ``off`` not at all); the import command line waits for it;
* a view that finds one missing (the refresh has not reached the brand yet, another reference
  date, another period) computes it and stores it, so every other session, process and
  replica reads it from then on.

A stored analysis is exactly as fresh as the pages' in-process cache: both are keyed by the
data version, which every import bumps; rows computed by other code (another release) are never
read (:data:`CODE_VERSION`). Only unfiltered views are stored (a choice of countries or
factories is computed by the view and cached in its process), so the table stays small:
a few rows per brand.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from functools import cache, partial
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine, func, select

from data_access import analyses, orders, summaries
from data_access.schema import Brand, PurchaseOrder
from data_access.scope import system_connection
from data_access.viewer import Viewer
from metrics.purchasing import TREND_INDICATORS, monthly_trend
from services import analysis
from services.reference_dates import brand_reference_dates

log = logging.getLogger(__name__)

#: what the analyses are computed by: a row stored by other code is not read
_CODE_PACKAGES = ("data_access", "metrics", "reference", "services")

Orders = Callable[[], pd.DataFrame]

#: ``DASHBOARD_PRECOMPUTE``: what happens after an import
BACKGROUND, WAIT, OFF = "background", "wait", "off"
MODES = (BACKGROUND, WAIT, OFF)


def _code_version() -> str:
    """A fingerprint of the Python sources the analyses are computed by."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for package in _CODE_PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


CODE_VERSION = _code_version()

RISK = "risk"
PRACTICES_AND_CONDITIONS = "practices_conditions"
LINK_COMPARISONS = "link_comparisons"
ORDER_SUMMARY = "order_summary"
ORDER_TREND = "order_trend"


def _stored_or_computed(engine: Engine, viewer: Viewer, kind: str, key: str,
                        compute: Callable[[], Any]) -> Any:
    version, value = analyses.read_analysis(engine, viewer, kind, key, CODE_VERSION)
    if value is not None:
        return value
    value = compute()
    analyses.store_analysis(engine, viewer.require_brand(), kind, key, version, CODE_VERSION,
                            value)
    return value


def _orders_reader(engine: Engine, viewer: Viewer, all_orders: Orders | None) -> Orders:
    return all_orders or (lambda: orders.purchase_orders(engine, viewer))


def risk_table(engine: Engine, viewer: Viewer, as_of: dt.date,
               all_orders: Orders | None = None) -> pd.DataFrame:
    """``services.analysis.risk_table`` of the viewer's brand as of ``as_of``, stored.
    ``all_orders``: how to get the brand's orders if it has to be computed."""
    read = _orders_reader(engine, viewer, all_orders)
    return _stored_or_computed(engine, viewer, RISK, as_of.isoformat(),
                               lambda: analysis.risk_table(engine, viewer, as_of, read()))


def practices_and_conditions(engine: Engine, viewer: Viewer,
                             all_orders: Orders | None = None) -> pd.DataFrame:
    """``services.analysis.practices_and_conditions`` of the viewer's brand, stored."""
    read = _orders_reader(engine, viewer, all_orders)
    return _stored_or_computed(
        engine, viewer, PRACTICES_AND_CONDITIONS, "",
        lambda: analysis.practices_and_conditions(engine, viewer, read()))


def link_comparisons(engine: Engine, viewer: Viewer,
                     all_orders: Orders | None = None) -> pd.DataFrame:
    """``services.analysis.link_comparisons`` of the brand's practices and conditions, stored."""
    return _stored_or_computed(
        engine, viewer, LINK_COMPARISONS, "",
        lambda: analysis.link_comparisons(practices_and_conditions(engine, viewer, all_orders)))


def _view_key(view: analysis.OrderView) -> str | None:
    """The stored key of an unfiltered view (None: a choice of countries or factories, which
    is not stored)."""
    if view.countries or view.factory_ids:
        return None
    return f"{view.as_of.isoformat()}|{view.months or 'all'}"


def _for_view(engine: Engine, viewer: Viewer, kind: str, view: analysis.OrderView,
              compute: Callable[[], Any], extra: str = "") -> Any:
    key = _view_key(view)
    if key is None:
        return compute()
    return _stored_or_computed(engine, viewer, kind, key + extra, compute)


def order_summary(engine: Engine, viewer: Viewer, view: analysis.OrderView,
                  all_orders: Orders | None = None,
                  relationships: Callable[[], pd.DataFrame] | None = None) -> dict[str, float]:
    """The Purchasing page's headline figures (``analysis.purchasing_summary``) for ``view``."""
    read = _orders_reader(engine, viewer, all_orders)
    rels = relationships or (lambda: orders.relationships(engine, viewer))
    return _for_view(engine, viewer, ORDER_SUMMARY, view,
                     lambda: analysis.purchasing_summary(read(), rels(), view))


def order_trend(engine: Engine, viewer: Viewer, view: analysis.OrderView, indicator: str,
                date_column: str, all_orders: Orders | None = None) -> pd.DataFrame:
    """``metrics.purchasing.monthly_trend`` of the orders in ``view`` for one indicator."""
    read = _orders_reader(engine, viewer, all_orders)
    return _for_view(
        engine, viewer, ORDER_TREND, view,
        lambda: monthly_trend(analysis.orders_in_view(read(), view), indicator, view.as_of,
                              date_column=date_column),
        extra=_trend_suffix(indicator, date_column))


def _trend_suffix(indicator: str, date_column: str) -> str:
    """What a trend's key adds to its view's key: the indicator and the date placing orders."""
    return f"|{indicator}|{date_column}"


# ---- the refresh after every data change ---------------------------------------------------------


def refresh_brand_analyses(engine: Engine, brand_ids: Iterable[int] | None = None, *,
                           today: dt.date | None = None) -> int:
    """Compute and store the analyses a first view shows, for ``brand_ids`` (every brand when
    None, those with the most orders first), at the current data version; those already stored
    are skipped. Stops early when
    the data changes meanwhile (another import: its own refresh follows). Returns how many
    analyses were stored."""
    version = summaries.current_data_version(engine)
    done = analyses.stored_keys(engine, version, CODE_VERSION)
    if brand_ids is None:
        # the brands with the most orders first: their views are the slowest to compute
        orders_of = (select(PurchaseOrder.brand_id, func.count().label("n"))
                     .group_by(PurchaseOrder.brand_id).subquery())
        with system_connection(engine) as conn:
            brand_ids = list(conn.execute(
                select(Brand.id).outerjoin(orders_of, orders_of.c.brand_id == Brand.id)
                .order_by(func.coalesce(orders_of.c.n, 0).desc(), Brand.id)).scalars())
    stored = 0
    for brand_id in brand_ids:
        if summaries.current_data_version(engine) != version:
            log.info("data changed during the refresh of stored analyses: stopped")
            break
        stored += _refresh_brand(engine, int(brand_id), version, done, today)
    return stored


def _refresh_brand(engine: Engine, brand_id: int, version: int,
                   done: set[tuple[int, str, str]], today: dt.date | None) -> int:
    viewer = Viewer("system:analyses", "brand_viewer", brand_id)
    dates = brand_reference_dates(engine, viewer, today)
    # the brand's orders: read once, and only if something is computed
    all_orders = cache(partial(orders.purchase_orders, engine, viewer))

    view = analysis.OrderView(dates.order_figures, 12)
    indicator = next(iter(TREND_INDICATORS))
    date_column = analysis.trend_date_column(indicator)
    view_key = _view_key(view)
    wanted: list[tuple[str, str, Callable[[], object]]] = [
        (RISK, dates.figures.isoformat(),
         lambda: risk_table(engine, viewer, dates.figures, all_orders))]
    if orders.order_date_range(engine, viewer)[0] is not None:  # the Purchasing page's figures
        wanted += [
            (ORDER_SUMMARY, view_key,
             lambda: order_summary(engine, viewer, view, all_orders)),
            (ORDER_TREND, view_key + _trend_suffix(indicator, date_column),
             lambda: order_trend(engine, viewer, view, indicator, date_column, all_orders)),
            (PRACTICES_AND_CONDITIONS, "",
             lambda: practices_and_conditions(engine, viewer, all_orders)),
            (LINK_COMPARISONS, "", lambda: link_comparisons(engine, viewer, all_orders)),
        ]
    computed = 0
    for kind, key, compute in wanted:
        if (brand_id, kind, key) not in done:
            compute()  # computes and stores it
            computed += 1
    return computed


def precompute_mode() -> str:
    """``DASHBOARD_PRECOMPUTE``: ``background`` (default), ``wait`` or ``off``."""
    mode = os.environ.get("DASHBOARD_PRECOMPUTE", BACKGROUND).strip().lower() or BACKGROUND
    if mode not in MODES:
        log.warning("DASHBOARD_PRECOMPUTE=%r is not one of %s: using %s", mode, MODES,
                    BACKGROUND)
        return BACKGROUND
    return mode


def refresh_after_data_change(engine: Engine) -> None:
    """Registered with ``data_access.summaries.after_data_change``: the refresh of every
    brand's stored analyses, as :func:`precompute_mode` says."""
    mode = precompute_mode()
    if mode == WAIT:
        _timed_refresh(engine)
    elif mode == BACKGROUND:
        schedule_refresh(engine)


summaries.register_after_data_change(refresh_after_data_change)


def _timed_refresh(engine: Engine) -> None:
    started = time.perf_counter()
    stored = refresh_brand_analyses(engine)
    log.info("stored analyses refreshed: %s computed in %.1f s", stored,
             time.perf_counter() - started)


# one worker thread per process; an import while it runs queues one more pass
_lock = threading.Lock()
_pending: dict[int, Engine] = {}
_worker: threading.Thread | None = None
_idle = threading.Event()
_idle.set()


def schedule_refresh(engine: Engine) -> None:
    """Run :func:`refresh_brand_analyses` for ``engine`` in this process's background worker
    (started if needed); returns at once."""
    global _worker
    with _lock:
        _pending[id(engine)] = engine
        _idle.clear()
        if _worker is None:
            _worker = threading.Thread(target=_work, name="stored-analyses", daemon=True)
            _worker.start()


def _work() -> None:
    global _worker
    while True:
        with _lock:
            if not _pending:
                _worker = None
                _idle.set()
                return
            _, engine = _pending.popitem()
        try:
            _timed_refresh(engine)
        except Exception:  # a failed refresh costs speed, never correctness: views compute
            log.exception("refresh of the stored analyses failed")


def wait_for_refresh(timeout: float | None = None) -> bool:
    """Wait until the background refresh has nothing left to do (the import command line
    does, before it exits). Returns False on timeout."""
    return _idle.wait(timeout)
