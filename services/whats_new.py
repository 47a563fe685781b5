"""What's new since a user's last visit, in words (pages, the digest command): issue 16.

The items come from :mod:`data_access.whats_new` (brand-scoped SQL, paged); this module turns
each into a sentence and a link to the page that shows it (the factory profile, by id). The
definitions are in docs/indicators.md ("What's new since your last visit").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine

from data_access import whats_new as wn
from data_access.viewer import Viewer
from metrics.engagement import DUE_SOON_DAYS, change_direction
from metrics.portfolio import REPORTING_WINDOW_DAYS, REPORTING_WINDOW_MONTHS
from metrics.reference import fmt_date
from reference.translation import N_, Translate, english_ngettext, identity

#: chooses the singular or plural message for a count (``ui.i18n.ngettext`` in the interface)
Plural = Callable[[str, str, int], str]
#: writes a date for people (``ui.formatting.fmt_date`` in the interface)
DateWords = Callable[[dt.date], str]


#: an assessment listed as "about to lapse" leaves the reporting window within this many days
LAPSE_DAYS = 60
PAGE_SIZE = 25
#: the factory profile's address (app.py: url_path "factory"); the id is the only parameter
PROFILE_PATH = "factory"

#: (English; the interface translates them at display: ``_(label)``)
KIND_LABELS = {
    "zero_tolerance": N_("Zero-tolerance finding"),
    "commitment_overdue": N_("Your commitment is overdue"),
    "commitment_due": N_("Your commitment is due soon"),
    "plan_overdue": N_("Improvement-plan item overdue"),
    "new_assessment": N_("New assessment"),
    "factory_status": N_("Factory closed or moved"),
    "lapse": N_("Assessment about to lapse"),
    "supplier_new": N_("New supplier"),
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


@dataclass(frozen=True)
class Words:
    """How the sentences are written: ``translate`` and ``plural`` pick the language's
    messages, ``date`` writes a date (English by default: command line, digest, tests)."""

    translate: Translate = identity
    plural: Plural = english_ngettext
    date: DateWords = fmt_date

    def d(self, value) -> str:
        if value is None or pd.isna(value):
            return self.translate(N_("an unknown date"))
        return self.date(pd.Timestamp(value).date())


ENGLISH = Words()


def _message(row, words: Words = ENGLISH) -> tuple[str, str]:
    t, d = words.translate, words.d
    kind, date, label = row.kind, row.event_date, str(row.label or "")
    if kind == "zero_tolerance":
        return t(N_("Newly open in the assessment of {date}: {question}")).format(
            date=d(date), question=label), ""
    if kind == "commitment_overdue":
        return t(N_("Due {date}, not done yet: {title}")).format(date=d(date), title=label), ""
    if kind == "commitment_due":
        return t(N_("Due {date}: {title}")).format(date=d(date), title=label), ""
    if kind == "plan_overdue":
        return t(N_("Due {date} and not completed: {action}")).format(date=d(date),
                                                                     action=label), ""
    if kind == "new_assessment":
        now, before = row.non_compliant, row.non_compliant_before
        direction = change_direction(now, before)
        n = 0 if now is None or pd.isna(now) else int(now)
        ngettext = words.plural  # the name the catalogue extraction knows
        if direction == "first":
            return ngettext("Assessed {date}, its first assessment: {n} open non-compliance.",
                            "Assessed {date}, its first assessment: {n} open non-compliances.",
                            n).format(date=d(date), n=n), direction
        if direction == "better":
            text = ngettext("Assessed {date}, better than the previous one: {n} open "
                            "non-compliance, down from {before}.",
                            "Assessed {date}, better than the previous one: {n} open "
                            "non-compliances, down from {before}.", n)
        elif direction == "worse":
            text = ngettext("Assessed {date}, worse than the previous one: {n} open "
                            "non-compliance, up from {before}.",
                            "Assessed {date}, worse than the previous one: {n} open "
                            "non-compliances, up from {before}.", n)
        else:
            text = ngettext("Assessed {date}, the same as the previous one: {n} open "
                            "non-compliance.",
                            "Assessed {date}, the same as the previous one: {n} open "
                            "non-compliances.", n)
        return text.format(date=d(date), n=n, before=int(before)), direction
    if kind == "factory_status":
        if label == "closed":
            return t(N_("Recorded as closed (since {date}).")).format(date=d(date)), ""
        return t(N_("Recorded as moved to another site (since {date}).")).format(
            date=d(date)), ""
    if kind == "lapse":
        ends = pd.Timestamp(date).date() + dt.timedelta(days=REPORTING_WINDOW_DAYS)
        return t(N_("Its latest assessment ({date}) leaves the {months}-month reporting window "
                    "on {end}.")).format(date=d(date), months=REPORTING_WINDOW_MONTHS,
                                         end=d(ends)), ""
    if kind == "supplier_new":
        return t(N_("Added to your suppliers (sourcing since {date}).")).format(
            date=d(date)), ""
    return label, ""


def to_items(frame: pd.DataFrame, words: Words = ENGLISH) -> list[Item]:
    """The items of a frame of :mod:`data_access.whats_new`, their sentences written with
    ``words`` (English by default); ``label`` stays the English kind (:data:`KIND_LABELS`)."""
    out = []
    for row in frame.itertuples(index=False):
        message, direction = _message(row, words)
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
         *, number: int = 1, size: int = PAGE_SIZE, kinds: tuple[str, ...] = (),
         words: Words = ENGLISH) -> list[Item]:
    """Page ``number`` (from 1) of the unseen items (sentences written with ``words``)."""
    offset = (max(1, int(number)) - 1) * size
    return to_items(wn.list_items(engine, viewer, base, window(as_of, today), limit=size,
                                  offset=offset, kinds=kinds), words)


def baseline_words(base: wn.Baseline, words: Words = ENGLISH) -> str:
    if base.first:
        return words.translate(N_("This is your first visit: what changed in the last {days} "
                                  "days of data.")).format(days=wn.FIRST_VISIT_DAYS)
    assert base.visited_at is not None
    return words.translate(N_("Changes since your last visit on {date} at {time} UTC.")).format(
        date=words.d(base.visited_at), time=f"{base.visited_at:%H:%M}")
