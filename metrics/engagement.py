"""The engagement log's derived figures (issue 16): overdue, due soon, shared remediation.

Operational follow-up runs on the calendar: an entry is overdue when its due date is before
today's calendar date — not the data's as-of date, which can lag by weeks (docs/indicators.md).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from metrics.disclosure import MIN_OTHER_FACTORIES
from reference.translation import N_

#: other brands following the same finding are counted only from this many up (the disclosure
#: minimum of metrics/disclosure.py, applied to brands instead of factories)
MIN_OTHER_BRANDS = MIN_OTHER_FACTORIES
#: "due soon": due within this many days from today
DUE_SOON_DAYS = 7


def is_overdue(status: str, due_date: dt.date | None, today: dt.date) -> bool:
    """An open entry whose due date is before ``today`` (the calendar date)."""
    return status == "open" and due_date is not None and not pd.isna(due_date) \
        and pd.Timestamp(due_date).date() < today


def overdue_flags(frame: pd.DataFrame, today: dt.date) -> pd.Series:
    """:func:`is_overdue` of every row of a frame with ``status`` and ``due_date``."""
    if frame.empty:
        return pd.Series([], dtype=bool, index=frame.index)
    return pd.Series([is_overdue(s, d, today) for s, d in
                      zip(frame["status"], frame["due_date"], strict=True)],
                     index=frame.index, dtype=bool)


def shown_status(status: str, due_date: dt.date | None, today: dt.date) -> str:
    """The status a user sees: Open, Overdue, Done or Withdrawn (English, also in extracts;
    the interface translates it at display)."""
    if is_overdue(status, due_date, today):
        return N_("Overdue")
    return {"open": N_("Open"), "done": N_("Done"),
            "withdrawn": N_("Withdrawn")}.get(status, status)


def days_overdue(due_date: dt.date | None, today: dt.date) -> int:
    """Whole days past the due date (0 when not past, or no due date)."""
    if due_date is None or pd.isna(due_date):
        return 0
    return max(0, (today - pd.Timestamp(due_date).date()).days)


def published_followers(count: int) -> int | None:
    """The number of other brands following a finding, as it may be shown: the count when it
    is at least :data:`MIN_OTHER_BRANDS`, else None (not shown — a small count would let a
    brand guess who the others are from what it knows of the factory's buyers)."""
    return int(count) if int(count) >= MIN_OTHER_BRANDS else None


def change_direction(non_compliant: float | None, before: float | None) -> str:
    """A new assessment against the previous one by open non-compliance count: ``better``
    (fewer), ``worse`` (more), ``same``, or ``first`` (no previous assessment)."""
    if before is None or pd.isna(before):
        return "first"
    if non_compliant is None or pd.isna(non_compliant):
        return "same"
    if non_compliant < before:
        return "better"
    return "worse" if non_compliant > before else "same"
