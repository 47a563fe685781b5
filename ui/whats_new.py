"""The "What's new" page and its menu badge (issue 16).

The first time a session opens the page, the visit is recorded (``data_access.whats_new.
record_visit``): the stored last visit becomes the baseline the list is measured against, for
the rest of the session. Before that, the menu badge counts against the same stored visit, so
badge and list agree. Items can be marked as seen one by one or all at once; the list is paged
in the database.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from data_access import whats_new as wn
from data_access.db import DATABASE_DOWN_ERRORS
from data_access.errors import DataAccessError, NoBrandSelected
from data_access.viewer import Viewer
from services import whats_new
from ui import data, reference
from ui.components import brand_or_stop, empty_state, plain
from ui.formatting import fmt_date, fmt_int
from ui.i18n import N_, _, ngettext
from ui.runtime import get_engine

TITLE = N_("What's new")
PAGE_KEY = "whats_new_page"
KINDS_KEY = "whats_new_kinds"
SEEN_VERSION = "whats_new_seen_version"


def _base_key(viewer: Viewer) -> str:
    return f"whats_new_base_{viewer.username}_{viewer.brand_id}"


def _today() -> dt.date:
    return dt.date.today()  # the brand's own commitments: the calendar (docs/indicators.md)


def session_baseline(viewer: Viewer) -> wn.Baseline:
    """This session's baseline: the visit before this session's (recorded on first opening
    the page), or — before that — the last stored visit."""
    key = _base_key(viewer)
    if key in st.session_state:
        return st.session_state[key]
    return wn.baseline(get_engine(), viewer, recorded=False)


def menu_title(viewer: Viewer) -> str:
    """``What's new (12)``: the menu entry with the count of unseen items (no count for an
    administrator who has not chosen a brand, or when nothing is new)."""
    if viewer.brand_id is None:
        return _(TITLE)
    try:
        version = data.data_version()
        as_of = reference.figures_date(viewer, version)
        total = data.whats_new_count(viewer, session_baseline(viewer), as_of, _today(),
                                     int(st.session_state.get(SEEN_VERSION, 0)), version)
    except (DataAccessError, NoBrandSelected, *DATABASE_DOWN_ERRORS):
        return _(TITLE)  # the page itself says what is wrong
    return _("What's new ({n})").format(n=fmt_int(total)) if total else _(TITLE)


def _seen_changed() -> None:
    st.session_state[SEEN_VERSION] = int(st.session_state.get(SEEN_VERSION, 0)) + 1


def _mark(viewer: Viewer, keys: list[str]) -> None:
    wn.mark_seen(get_engine(), viewer, keys)
    _seen_changed()


def _mark_all(viewer: Viewer, base: wn.Baseline, as_of: dt.date, today: dt.date) -> None:
    wn.mark_all_seen(get_engine(), viewer, base, whats_new.window(as_of, today))
    st.session_state[PAGE_KEY] = 1
    _seen_changed()


def _turn(delta: int) -> None:
    st.session_state[PAGE_KEY] = max(1, int(st.session_state.get(PAGE_KEY, 1)) + delta)


def _words() -> whats_new.Words:
    """The sentences of the list in the session's language, dates in its format."""
    return whats_new.Words(translate=_, plural=ngettext, date=fmt_date)


def whats_new_page(viewer: Viewer) -> None:
    version = data.data_version()
    brand_or_stop(viewer, version, title=_(TITLE))
    engine = get_engine()
    as_of = reference.figures_date(viewer, version)
    today = _today()
    key = _base_key(viewer)
    if key not in st.session_state:
        st.session_state[key] = wn.record_visit(engine, viewer, as_of)
    base: wn.Baseline = st.session_state[key]

    words = _words()
    st.title(_(TITLE), anchor=False)
    reference.show_as_of(viewer, version, ("assessments", "facility_list"))
    st.caption(_("{since} New assessments are the ones loaded since then; your commitments are "
                 "judged on today's date.").format(since=whats_new.baseline_words(base, words)))
    counts = whats_new.counts(engine, viewer, base, as_of, today)
    total = sum(counts.values())
    if not total:
        empty_state(_("Nothing new since your last visit."),
                    _("New assessments, overdue items and your due commitments appear here."))
        return
    labels = {k: _("{kind} ({n})").format(kind=_(whats_new.KIND_LABELS[k]), n=fmt_int(n))
              for k, n in counts.items() if n}
    top = st.columns([4, 1])
    kinds = top[0].pills(_("Show"), list(labels), format_func=labels.get,
                         selection_mode="multi",
                         key=KINDS_KEY, on_change=lambda: st.session_state.update(
                             {PAGE_KEY: 1}))
    top[1].button(_("Mark all as seen"), icon=":material/done_all:", key="whats_new_all_seen",
                  on_click=_mark_all, args=(viewer, base, as_of, today))
    shown_total = sum(counts[k] for k in kinds) if kinds else total
    pages = max(1, -(-shown_total // whats_new.PAGE_SIZE))
    number = min(max(1, int(st.session_state.get(PAGE_KEY, 1))), pages)
    st.session_state[PAGE_KEY] = number
    items = whats_new.page(engine, viewer, base, as_of, today, number=number,
                           kinds=tuple(kinds or ()), words=words)
    st.caption(ngettext("{n} change · page {page} of {pages}",
                        "{n} changes · page {page} of {pages}", shown_total).format(
        n=fmt_int(shown_total), page=fmt_int(number), pages=fmt_int(pages)))
    for item in items:
        with st.container(border=True, key=f"whats_new_item_{item.key.replace(':', '_')}"):
            cols = st.columns([6, 1])
            badge = {"worse": " " + _(":red-badge[Worse]"),
                     "better": " " + _(":green-badge[Better]")}.get(item.direction, "")
            cols[0].markdown(f"**{plain(_(item.label))}** · {plain(item.factory_name)}{badge}")
            cols[0].caption(plain(item.message))
            cols[0].page_link("pages/brand/factory.py", label=_("Open the factory profile"),
                              icon=":material/domain:",
                              query_params={"id": str(item.factory_id)})
            cols[1].button(_("Seen"), key=f"seen_{item.key}", icon=":material/check:",
                           on_click=_mark, args=(viewer, [item.key]))
    nav = st.columns([1, 1, 4])
    nav[0].button(_("Previous"), disabled=number <= 1, on_click=_turn, args=(-1,),
                  icon=":material/chevron_left:", key="whats_new_prev")
    nav[1].button(_("Next"), disabled=number >= pages, on_click=_turn, args=(1,),
                  icon=":material/chevron_right:", key="whats_new_next")
    nav[2].button(_("Mark this page as seen"), key="whats_new_page_seen",
                  on_click=_mark, args=(viewer, [i.key for i in items]))
