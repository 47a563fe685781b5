"""A brand's reference dates outside Streamlit (the HTTP API, the command line): the same
as-of dates (``data_access.as_of``) turned into the same reference date
(``metrics.reference``) as the pages' ``ui/reference.py``, and the Purchasing page's choice of
an earlier month end, validated the same way."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from data_access import as_of as data_as_of
from data_access import orders
from data_access.viewer import Viewer
from metrics.reference import ReferenceDates, month_end_choices, reference_dates


def brand_reference_dates(engine: Engine, viewer: Viewer,
                          today: dt.date | None = None) -> ReferenceDates:
    """The viewer's brand's as-of dates and the reference date derived from them (``today``,
    the calendar date, only for a brand without any data)."""
    found = data_as_of.data_dates(engine, viewer)
    return reference_dates(found.assessments, found.orders, found.facility_list,
                           fallback=today or dt.date.today(),
                           facility_list_imported=found.facility_list_imported)


def month_ends(engine: Engine, viewer: Viewer, dates: ReferenceDates) -> list[dt.date]:
    """The earlier month ends the order figures may be computed as of (newest first)."""
    first, _ = orders.order_date_range(engine, viewer)
    if isinstance(first, str):
        first = dt.date.fromisoformat(first[:10])
    return month_end_choices(first, dates.orders)


def order_reference(engine: Engine, viewer: Viewer, dates: ReferenceDates,
                    month_end: dt.date | None) -> tuple[dt.date, dt.date | None]:
    """The order figures' reference date and the chosen month end (None: the latest order
    data), as on the Purchasing page.

    Raises:
        ValueError: ``month_end`` is not one of :func:`month_ends` (the message lists the
            first few allowed).
    """
    if month_end is None:
        return dates.order_figures, None
    allowed = month_ends(engine, viewer, dates)
    if month_end not in allowed:
        shown = ", ".join(d.isoformat() for d in allowed[:3])
        raise ValueError("as_of must be the end of a month between your first order and your "
                         "latest order data" + (f" (e.g. {shown})" if shown else
                                                " (there is none: leave it out)"))
    return month_end, month_end
