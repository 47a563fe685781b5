"""The date figures are computed as of, the as-of date of each kind of data, and when data is
too old to rely on.

Every time-dependent figure (an invoice "overdue", an assessment "less than 12 months old", a
relationship's length, the 12 months of a period) needs a reference date. The wall clock is the
wrong one: when order or assessment data arrives late, unpaid invoices would count as late and
assessments would age although nothing is known about the days in between. So:

* each kind of data has its own **as-of date** — the newest data of that kind (read by
  ``data_access.as_of``): Better Work **assessments** (the newest assessment date, shared by
  every brand), the brand's **orders** (its newest order event: confirmation, ex-factory,
  invoice or payment date) and the brand's **facility list** (its newest facility-list import,
  else the newest start or end of one of its sourcing relationships);
* the **reference date** of a page (:attr:`ReferenceDates.figures`) is the newest of the
  assessment and order as-of dates: no data lies after it. Order figures use the orders' own
  as-of date when it is earlier (:attr:`ReferenceDates.order_figures`), so an invoice whose
  payment has not reached the data yet is never counted late;
* the Purchasing page may be set to an earlier month end (:func:`month_end_choices`): its order
  figures are then computed from the orders as they stood that day;
* each as-of date older than :data:`STALE_AFTER_DAYS` (counted to the calendar date the page is
  viewed) is flagged in the page's as-of line (:func:`as_of_line`).

Pure: the caller passes today's calendar date; nothing here reads the clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from reference.translation import N_, Translate, identity

KINDS = ("assessments", "orders", "facility_list")
#: An as-of date older than this many days (to the day the page is viewed) is flagged.
#: * assessments: Better Work assesses each of ~1,700 factories about once a year, i.e.
#:   several assessments a week across the programme; reports reach brands some weeks after
#:   the visit. No new assessment in 90 days means the assessment data is not being updated.
#: * orders: a brand's order data is typically exported monthly; 45 days allows one missed
#:   half-month before saying the figures may no longer describe current practice.
#: * facility list: the Transparency Pledge asks for supplier lists updated at least twice a
#:   year (the Fashion Transparency Index scores "updated within 6 months"): 183 days.
STALE_AFTER_DAYS: dict[str, int] = {"assessments": 90, "orders": 45, "facility_list": 183}
#: what each kind of data's part of the as-of line says: (dated, dated and stale, no date)
AS_OF_PARTS: dict[str, tuple[str, str, str]] = {
    "assessments": (N_("assessments to {date}"),
                    N_("assessments to {date} (more than 90 days old)"),
                    N_("no assessments on record yet")),
    "orders": (N_("your orders to {date}"),
               N_("your orders to {date} (more than 45 days old)"),
               N_("no orders of yours yet")),
    "facility_list": (N_("your facility list updated {date}"),
                      N_("your facility list updated {date} (more than 6 months old)"),
                      N_("no facility list of yours yet")),
}
FIGURES_AS_OF = N_("Figures as of {date}")
FIGURES_AS_OF_CHOSEN = N_("Figures as of {date} (the date you chose)")
#: how far back the Purchasing page's month-end choice goes (its longest period is 36 months)
MAX_MONTH_END_CHOICES = 36


@dataclass(frozen=True)
class ReferenceDates:
    """The as-of dates of one brand's data and the reference date derived from them.

    Attributes:
        figures: the reference date of the page's figures.
        assessments: newest assessment date (all factories); None without assessments.
        orders: the brand's newest order event; None without orders.
        facility_list: the brand's facility list date; None without relationships.
        facility_list_imported: True when ``facility_list`` is the date of an import.
    """

    figures: dt.date
    assessments: dt.date | None = None
    orders: dt.date | None = None
    facility_list: dt.date | None = None
    facility_list_imported: bool = False

    @property
    def order_figures(self) -> dt.date:
        """The date order figures are computed as of: the orders' own as-of date, never later
        than :attr:`figures` (no orders → :attr:`figures`)."""
        return min(self.figures, self.orders) if self.orders else self.figures


def reference_dates(assessments: dt.date | None, orders: dt.date | None,
                    facility_list: dt.date | None, *, fallback: dt.date,
                    facility_list_imported: bool = False) -> ReferenceDates:
    """The reference date: the newest of the assessment and order as-of dates; without either,
    the facility list date; without any data at all, ``fallback`` (the caller's calendar
    date — figures of an empty dataset do not depend on it)."""
    known = [d for d in (assessments, orders) if d is not None]
    figures = max(known) if known else (facility_list or fallback)
    return ReferenceDates(figures, assessments, orders, facility_list, facility_list_imported)


def age_days(date: dt.date | None, today: dt.date) -> int | None:
    """Whole days from ``date`` to ``today`` (None for no date)."""
    return None if date is None else (today - date).days


def is_stale(kind: str, date: dt.date | None, today: dt.date) -> bool:
    """True when ``date`` (the as-of date of ``kind``) is more than :data:`STALE_AFTER_DAYS`
    days before ``today``. No date is not "stale" (the line says "none yet" instead)."""
    age = age_days(date, today)
    return age is not None and age > STALE_AFTER_DAYS[kind]


def fmt_date(date: dt.date | pd.Timestamp) -> str:
    """1 Nov 2026 (no leading zero, English month abbreviation)."""
    return f"{date.day} {date:%b %Y}"


def as_of_line(dates: ReferenceDates, kinds: tuple[str, ...], today: dt.date, *,
               figures: dt.date | None = None, chosen: bool = False,
               translate: Translate = identity,
               format_date: Callable[[dt.date], str] = fmt_date) -> tuple[str, bool]:
    """The page's one line about dates, e.g. "Figures as of 1 Nov 2026 · assessments to
    19 Oct 2026 · your orders to 1 Nov 2026 · your facility list updated 3 Sep 2026 (more than
    6 months old)".

    Args:
        dates: the brand's as-of dates.
        kinds: the kinds of data the page uses, in the order to show them.
        today: the calendar date the page is viewed (staleness is counted to it).
        figures: the reference date to show, when the page uses another one than
            ``dates.figures`` (the Purchasing page: its order figures' date).
        chosen: the reference date was chosen by the user.
        translate: turns each part into the reader's language (the interface's ``gettext``;
            default English); ``format_date`` writes the dates (default :func:`fmt_date`).

    Returns:
        The text (plain: dates and fixed words only, nothing from the data) and whether any
        part is stale.
    """
    shown = figures or dates.figures
    parts = [translate(FIGURES_AS_OF_CHOSEN if chosen else FIGURES_AS_OF).format(
        date=format_date(shown))]
    stale_any = False
    for kind in kinds:
        if kind not in KINDS:
            raise ValueError(f"unknown kind of data {kind!r}; one of {KINDS}")
        date = getattr(dates, kind)
        dated, dated_stale, missing = AS_OF_PARTS[kind]
        stale = is_stale(kind, date, today)
        stale_any = stale_any or stale
        if date:
            text = translate(dated_stale if stale else dated).format(date=format_date(date))
        else:
            text = translate(missing)
        parts.append(text)
    return " · ".join(parts), stale_any


def month_end_choices(first: dt.date | None, last: dt.date | None,
                      limit: int = MAX_MONTH_END_CHOICES) -> list[dt.date]:
    """Earlier reference dates the Purchasing page offers: month ends before ``last`` (the
    orders' as-of date), newest first, not before the month of ``first`` (the first order),
    at most ``limit``. Month ends only: reports use them, and a few fixed dates (rather than
    any day) keep the cross-brand comparison from being recomputed for each day — day-by-day
    differences would tell more about individual brands' orders than a monthly figure."""
    if first is None or last is None:
        return []
    ends = pd.date_range(pd.Timestamp(first), pd.Timestamp(last), freq="ME")
    ends = [d.date() for d in ends if d.date() < last]
    return ends[::-1][:limit]
