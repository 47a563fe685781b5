"""How recent each kind of data is, for the signed-in brand (the pages' as-of line).

Three kinds, each with its own as-of date (``metrics/reference.py`` turns them into the page's
reference date and flags old ones):

* **assessments** — the newest assessment date of *any* factory. Better Work's assessment data
  is shared by every brand and reaches the dashboard as one feed, so its as-of date is the
  feed's, not the brand's: the same neutral date for every brand, telling nothing about any
  brand or factory;
* **orders** — the newest event in the brand's own orders: the latest of confirmation,
  ex-factory, invoice and payment dates. An export made on day D holds no event after D, so
  this is the latest day the order data is known to cover (the import date would be later than
  the export, and judging invoices against it would count payments made in between as
  missing). Importers refuse dates in the future, so no event lies beyond the data;
* **facility list** — the date of the brand's newest facility-list import (a re-import without
  changes confirms the list too); a brand whose list never came through an import (the demo
  data, a list loaded by other means) gets the newest start or end date of its sourcing
  relationships.

Brand scope: the order and facility-list dates are read with the viewer's brand filter in SQL;
no other brand's import (its time, its file name) can reach them. The global ``dataset_state``
(the cache version, with the text of whatever import happened last) is never used here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, func, select

from data_access.schema import (
    FactoryLatestAssessment,
    ImportRun,
    PurchaseOrder,
    SourcingRelationship,
)
from data_access.scope import scoped_connection, system_connection
from data_access.viewer import Viewer

_EVENT_COLUMNS = ("confirmed_on", "ex_factory_on", "invoiced_on", "paid_on")


@dataclass(frozen=True)
class DataDates:
    """The as-of date of each kind of data a brand's pages use (None: no such data)."""

    assessments: dt.date | None
    orders: dt.date | None
    facility_list: dt.date | None
    #: True when ``facility_list`` is the date of a facility-list import of the brand
    facility_list_imported: bool = False


def _as_date(value) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return pd.Timestamp(value).date()  # SQLite may hand back ISO text


def _newest(*values) -> dt.date | None:
    dates = [d for d in (_as_date(v) for v in values) if d is not None]
    return max(dates) if dates else None


def data_dates(engine: Engine, viewer: Viewer) -> DataDates:
    """The as-of dates for the viewer's brand (see the module docstring).

    An administrator who has not chosen a brand gets the assessments' date only.
    """
    po, rel, run = PurchaseOrder, SourcingRelationship, ImportRun
    brand_id = viewer.brand_id
    with scoped_connection(engine, viewer) as conn:
        assessments = conn.execute(select(func.max(FactoryLatestAssessment.assessed_on))).scalar()
        if brand_id is None:
            return DataDates(_as_date(assessments), None, None)
        events = conn.execute(
            select(*(func.max(getattr(po, c)) for c in _EVENT_COLUMNS))
            .where(po.brand_id == brand_id)).one()
        imported = conn.execute(
            select(func.max(run.finished_at))
            .where(run.brand_id == brand_id, run.kind == "facilities")).scalar()
        starts, ends = conn.execute(
            select(func.max(rel.start_date), func.max(rel.end_date))
            .where(rel.brand_id == brand_id)).one()
    facility_list = _as_date(imported) if imported is not None else _newest(starts, ends)
    return DataDates(_as_date(assessments), _newest(*events), facility_list,
                     facility_list_imported=imported is not None)


def order_dates_by_brand(engine: Engine) -> dict[int, dt.date]:
    """Every brand's order as-of date (as :func:`data_dates`), for the anonymous cross-brand
    benchmark only: each brand's figure in it is computed as of its own order data, as that
    brand's own page computes it. Not a viewer read: never shown or returned to a page."""
    po = PurchaseOrder
    with system_connection(engine) as conn:
        rows = conn.execute(
            select(po.brand_id, *(func.max(getattr(po, c)) for c in _EVENT_COLUMNS))
            .group_by(po.brand_id)).all()
    return {int(row[0]): date for row in rows if (date := _newest(*row[1:])) is not None}
