"""The reference date of the brand pages and their as-of line (see ``metrics/reference.py``).

Every brand page takes its ``today`` — the date its figures are computed as of — from
:func:`figures_date`, never from the wall clock, and shows :func:`as_of_line`: the reference
date and the as-of date of each kind of data the page uses, for the signed-in brand only, with
the old ones flagged. The calendar date is read here (and only here) to judge how old the data
is; no figure depends on it.

The Purchasing page may be set to an earlier month end (:func:`purchasing_as_of`): kept in
session state and in the page's link (``?as_of=2026-09-30``) like the other filters, and
validated against the month ends the order data allows.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from data_access.viewer import Viewer
from metrics.reference import (
    ReferenceDates,
    as_of_line,
    month_end_choices,
    reference_dates,
)
from ui import data, state
from ui.formatting import fmt_date
from ui.i18n import _

#: the Purchasing page's reference-date filter (session state and URL)
AS_OF_FILTER = "as_of"
LATEST = "latest"


def dates(viewer: Viewer, version: int) -> ReferenceDates:
    """The viewer's brand's as-of dates and the reference date derived from them."""
    found = data.data_dates(viewer, version)
    return reference_dates(found.assessments, found.orders, found.facility_list,
                           fallback=dt.date.today(),
                           facility_list_imported=found.facility_list_imported)


def figures_date(viewer: Viewer, version: int) -> dt.date:
    """The page's reference date: the newest of the assessment and order as-of dates (the
    date nothing in the data is later than)."""
    return dates(viewer, version).figures


def show_as_of(viewer: Viewer, version: int, kinds: tuple[str, ...], *,
               figures: dt.date | None = None, chosen: bool = False) -> None:
    """The page's one line of dates; a warning instead of a caption when some data is older
    than its threshold. Only dates and fixed words: nothing from the data is rendered."""
    text, stale = as_of_line(dates(viewer, version), kinds, dt.date.today(), figures=figures,
                             chosen=chosen, translate=_, format_date=fmt_date)
    if stale:
        st.warning(text, icon=":material/schedule:")
    else:
        st.caption(text)


def purchasing_choices(viewer: Viewer, version: int, first_order: dt.date | None) -> dict[str, str]:
    """The Purchasing page's reference dates: the latest order data, then earlier month ends
    (ISO date → label)."""
    ref = dates(viewer, version)
    options = {LATEST: _("Latest order data ({date})").format(date=fmt_date(ref.order_figures))}
    for end in month_end_choices(first_order, ref.orders):
        options[end.isoformat()] = fmt_date(end)
    return options


def purchasing_as_of(viewer: Viewer, version: int,
                     choices: dict[str, str]) -> tuple[dt.date, dt.date | None]:
    """The Purchasing page's order reference date and, when the user chose an earlier month
    end, that month end (else None). Read from session state or the URL; an unknown value (a
    stale or edited link) falls back to the latest order data."""
    choice = state.choice_filter(AS_OF_FILTER, list(choices), LATEST)
    if choice == LATEST:
        return dates(viewer, version).order_figures, None
    chosen = dt.date.fromisoformat(choice)
    return chosen, chosen


def order_figures_date(viewer: Viewer, version: int) -> dt.date:
    """The date order figures are computed as of outside the Purchasing page: the brand's
    order as-of date (earlier than the page's reference date when orders lag)."""
    return dates(viewer, version).order_figures
