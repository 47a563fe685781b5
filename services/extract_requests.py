"""An extract asked for outside the pages — by the HTTP API or the command line — turned into
the :class:`~services.extract_catalogue.ExtractContext` the catalogue's builders take.

The pages keep their filters in the session (``ui/downloads.py``); a script names them
instead: the supplier directory's filters, a confirmation-date range and factories for the
orders, and, for the purchasing indicators, the Purchasing page's period and month end. The
reference dates are the brand's own, from its data (``services.reference_dates``), as on the
pages — never the calendar.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from data_access.factories import DirectoryFilters
from data_access.viewer import Viewer
from metrics.reference import ReferenceDates
from services.analysis import OrderView
from services.extract_catalogue import ExtractContext
from services.reference_dates import order_reference

#: the Purchasing page's periods: months back from the order reference date (None: all)
PERIODS: dict[str, int | None] = {"12": 12, "24": 24, "36": 36, "all": None}


@dataclass(frozen=True)
class ExtractRequest:
    """The filters a script may give. Empty tuples and None mean "no filter"."""

    directory: DirectoryFilters = field(default_factory=DirectoryFilters)
    #: purchase orders confirmed on or after / on or before (inclusive)
    confirmed_from: dt.date | None = None
    confirmed_to: dt.date | None = None
    #: purchase orders and purchasing figures of these factories only
    factory_ids: tuple[int, ...] = ()
    #: purchasing figures: a key of :data:`PERIODS`
    period: str = "12"
    #: purchasing figures as of this month end (None: the latest order data)
    month_end: dt.date | None = None

    def describe(self) -> dict[str, Any]:
        return {"period": self.period, "month_end": self.month_end,
                "confirmed_from": self.confirmed_from, "confirmed_to": self.confirmed_to}


def order_view(engine: Engine, viewer: Viewer, dates: ReferenceDates,
               request: ExtractRequest) -> tuple[OrderView, dt.date | None]:
    """The Purchasing page's view for ``request`` and the month end chosen (None: latest).

    Raises:
        ValueError: an unknown period, or a month end the order data does not offer.
    """
    if request.period not in PERIODS:
        raise ValueError("period must be one of " + ", ".join(PERIODS))
    as_of, chosen = order_reference(engine, viewer, dates, request.month_end)
    return OrderView(as_of, PERIODS[request.period], request.directory.countries,
                     request.factory_ids), chosen


def context_for(engine: Engine, viewer: Viewer, key: str, request: ExtractRequest,
                dates: ReferenceDates) -> ExtractContext:
    """The context extract ``key`` is built with.

    The purchasing indicators follow the Purchasing page (its period counted back from the
    order reference date, or from the month end chosen); the purchase orders take the
    confirmation-date range as given (no range: every order); every other extract the
    directory's filters, as of the brand's reference date ``dates.figures``.
    """
    if key == "purchasing-indicators":
        view, _ = order_view(engine, viewer, dates, request)
        return ExtractContext(as_of=dates.figures,
                              directory=DirectoryFilters(countries=view.countries),
                              orders_since=view.since, order_factory_ids=view.factory_ids,
                              orders_as_of=view.as_of)
    if (request.confirmed_from and request.confirmed_to
            and request.confirmed_from > request.confirmed_to):
        raise ValueError("confirmed_from is after confirmed_to")
    return ExtractContext(as_of=dates.figures, directory=request.directory,
                          orders_since=request.confirmed_from,
                          order_factory_ids=request.factory_ids,
                          orders_as_of=request.confirmed_to)

