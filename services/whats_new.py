"""What's new since a user's last visit, in words (pages, the digest command): issue 16.

The items come from :mod:`data_access.whats_new` (brand-scoped SQL, paged); this module turns
each into a sentence and a link to the page that shows it (the factory profile, by id). The
definitions are in docs/indicators.md ("What's new since your last visit").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine

from data_access import whats_new as wn
from data_access.viewer import Viewer
from metrics.engagement import DUE_SOON_DAYS, change_direction
from metrics.portfolio import REPORTING_WINDOW_DAYS, REPORTING_WINDOW_MONTHS
from metrics.reference import fmt_date

#: an assessment listed as "about to lapse" leaves the reporting window within this many days
LAPSE_DAYS = 60
PAGE_SIZE = 25
#: the factory profile's address (app.py: url_path "factory"); the id is the only parameter
PROFILE_PATH = "factory"

KIND_LABELS = {
    "zero_tolerance": "Zero-tolerance finding",
    "commitment_overdue": "Your commitment is overdue",
    "commitment_due": "Your commitment is due soon",
    "plan_overdue": "Improvement-plan item overdue",
    "new_assessment": "New assessment",
    "factory_status": "Factory closed or moved",
    "lapse": "Assessment about to lapse",
    "supplier_new": "New supplier",
}


@dataclass(frozen=True)
class Item:
    key: str
    kind: str
    label: str  # the kind in words
    factory_id: int
    factory_name: str
    date: dt.date | None
    message: str  # one sentence, plain text (may quote data: show it as plain text)
    link: str  # the page that shows it, relative to the app's address
    direction: str = ""  # new assessments: better, worse, same, first


def window(as_of: dt.date, today: dt.date) -> wn.Window:
    """The dates of a list: ``as_of`` the data's reference date, ``today`` the calendar."""
    return wn.Window(as_of=as_of, today=today, reporting_window_days=REPORTING_WINDOW_DAYS,
                     lapse_days=LAPSE_DAYS, due_soon_days=DUE_SOON_DAYS)


def profile_link(factory_id: int) -> str:
    return f"{PROFILE_PATH}?id={int(factory_id)}"


def _d(value) -> str:
    if value is None or pd.isna(value):
        return "an unknown date"
    return fmt_date(pd.Timestamp(value).date())


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _message(row) -> tuple[str, str]:
    kind, date, label = row.kind, row.event_date, str(row.label or "")
    if kind == "zero_tolerance":
        return f"Newly open in the assessment of {_d(date)}: {label}", ""
    if kind == "commitment_overdue":
        return f"Due {_d(date)}, not done yet: {label}", ""
    if kind == "commitment_due":
        return f"Due {_d(date)}: {label}", ""
    if kind == "plan_overdue":
        return f"Due {_d(date)} and not completed: {label}", ""
    if kind == "new_assessment":
        now, before = row.non_compliant, row.non_compliant_before
        direction = change_direction(now, before)
        n = 0 if now is None or pd.isna(now) else int(now)
        found = _plural(n, "open non-compliance")
        if direction == "first":
            return f"Assessed {_d(date)}, its first assessment: {found}.", direction
        b = int(before)
        words = {"better": f"better than the previous one: {found}, down from {b}",
                 "worse": f"worse than the previous one: {found}, up from {b}",
                 "same": f"the same as the previous one: {found}"}[direction]
        return f"Assessed {_d(date)}, {words}.", direction
    if kind == "factory_status":
        state = "closed" if label == "closed" else "moved to another site"
        return f"Recorded as {state} (since {_d(date)}).", ""
    if kind == "lapse":
        ends = pd.Timestamp(date).date() + dt.timedelta(days=REPORTING_WINDOW_DAYS)
        return (f"Its latest assessment ({_d(date)}) leaves the {REPORTING_WINDOW_MONTHS}-month "
                f"reporting window on {_d(ends)}."), ""
    if kind == "supplier_new":
        return f"Added to your suppliers (sourcing since {_d(date)}).", ""
    return label, ""


def to_items(frame: pd.DataFrame) -> list[Item]:
    out = []
    for row in frame.itertuples(index=False):
        message, direction = _message(row)
        link = profile_link(row.factory_id)
        date = None if row.event_date is None or pd.isna(row.event_date) \
            else pd.Timestamp(row.event_date).date()
        out.append(Item(str(row.item_key), str(row.kind), KIND_LABELS.get(row.kind, row.kind),
                        int(row.factory_id), str(row.factory_name), date, message, link,
                        direction))
    return out


def counts(engine: Engine, viewer: Viewer, base: wn.Baseline, as_of: dt.date,
           today: dt.date) -> dict[str, int]:
    """Unseen items per kind (every kind of :data:`KIND_LABELS`, zeros included)."""
    found = wn.count_items(engine, viewer, base, window(as_of, today))
    return {kind: found.get(kind, 0) for kind in KIND_LABELS}


def page(engine: Engine, viewer: Viewer, base: wn.Baseline, as_of: dt.date, today: dt.date,
         *, number: int = 1, size: int = PAGE_SIZE, kinds: tuple[str, ...] = ()) -> list[Item]:
    """Page ``number`` (from 1) of the unseen items."""
    offset = (max(1, int(number)) - 1) * size
    return to_items(wn.list_items(engine, viewer, base, window(as_of, today), limit=size,
                                  offset=offset, kinds=kinds))


def baseline_words(base: wn.Baseline) -> str:
    if base.first:
        return (f"This is your first visit: what changed in the last {wn.FIRST_VISIT_DAYS} days "
                "of data.")
    assert base.visited_at is not None
    return f"Changes since your last visit on {_d(base.visited_at)} at {base.visited_at:%H:%M} UTC."
