"""The factory profile's "Engagement" section (issue 16): the brand's own timeline of notes,
meetings, calls, visits, commitments and follow-ups about this supplier, a form to add one,
mark done / reopen / withdraw, edit with the history visible, and the shared-remediation
counts (how many other buyers also follow a finding — never who).

Everything users typed is shown as plain text: titles and names through
:func:`ui.components.plain`, texts with ``st.text``; nothing is rendered as Markdown or HTML.
Writes go through ``data_access.engagement`` (which checks the role); brand viewers see the
timeline without the forms. Overdue is judged on the calendar date (operational follow-up).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from data_access import engagement as eg
from data_access.errors import DataAccessError
from data_access.schema import ENGAGEMENT_KINDS
from data_access.viewer import Viewer
from metrics.engagement import MIN_OTHER_BRANDS
from services import engagement as engagement_service
from ui.components import plain
from ui.formatting import fmt_date, fmt_int
from ui.i18n import _, ngettext, pgettext
from ui.runtime import get_engine

FLASH = "engagement_flash"
ADD_KEYS = {"kind": "engagement_kind", "title": "engagement_title", "text": "engagement_text",
            "owner": "engagement_owner", "due": "engagement_due", "links": "engagement_links"}


def _flash(kind: str, message: str) -> None:
    st.session_state[FLASH] = (kind, message)


def _show_flash() -> None:
    kind, message = st.session_state.pop(FLASH, (None, None))
    if kind == "success":
        st.success(plain(message), icon=":material/check_circle:")
    elif kind == "error":
        st.error(plain(message), icon=":material/error:")


def _error_text(exc: DataAccessError) -> str:
    """An error of the data layer in the session's language (its English text when the
    catalogue does not know it)."""
    message = getattr(exc, "message", None)
    return message(_) if callable(message) else _(str(exc))


def _kind_labels() -> dict[str, str]:
    return {kind: _(label) for kind, label in eg.KIND_LABELS.items()}


def _option_label(options: pd.DataFrame):
    labels = {}
    for row in options.itertuples(index=False):
        text = " ".join(str(row.question).split())
        short = text if len(text) <= 90 else text[:89] + "…"
        if row.plan_item_id is None or pd.isna(row.plan_item_id):
            labels[row.option] = _("Finding {code}: {question}").format(
                code=row.question_code, question=short)
        else:
            labels[row.option] = _("Plan item {code} ({status}): {question}").format(
                code=row.question_code, status=row.plan_status, question=short)
    return labels


def _add(viewer: Viewer, factory_id: int) -> None:
    s = st.session_state
    findings, items = eg.parse_link_options(s.get(ADD_KEYS["links"]) or [])
    entry = eg.EntryInput(kind=s.get(ADD_KEYS["kind"]) or "note",
                          title=s.get(ADD_KEYS["title"]) or "",
                          text=s.get(ADD_KEYS["text"]) or "",
                          owner=s.get(ADD_KEYS["owner"]) or None,
                          due_date=s.get(ADD_KEYS["due"]))
    try:
        eg.add_entry(get_engine(), viewer, factory_id, entry, findings=findings,
                     plan_item_ids=items)
    except DataAccessError as exc:
        _flash("error", _error_text(exc))
        return
    _flash("success", _("The entry is saved in your engagement log."))


def _set_status(viewer: Viewer, entry_id: int, status: str) -> None:
    try:
        eg.set_status(get_engine(), viewer, entry_id, status)
    except DataAccessError as exc:
        _flash("error", _error_text(exc))
        return
    _flash("success", {"done": _("Marked done."), "open": _("Reopened."),
                       "withdrawn": _("Withdrawn: kept with its history, no longer open.")}[
                           status])


def _edit(viewer: Viewer, entry_id: int, version: int) -> None:
    s = st.session_state
    entry = eg.EntryInput(kind=s.get(f"edit_kind_{entry_id}") or "note",
                          title=s.get(f"edit_title_{entry_id}") or "",
                          text=s.get(f"edit_text_{entry_id}") or "",
                          owner=s.get(f"edit_owner_{entry_id}") or None,
                          due_date=s.get(f"edit_due_{entry_id}"))
    try:
        eg.edit_entry(get_engine(), viewer, entry_id, entry, expected_version=version)
    except DataAccessError as exc:
        _flash("error", _error_text(exc))
        return
    _flash("success", _("Your change is saved; the earlier version stays in the history."))


def _add_form(viewer: Viewer, factory_id: int, options: pd.DataFrame) -> None:
    labels = _option_label(options)
    kinds = _kind_labels()
    with st.expander(_("Add an entry"), icon=":material/add_comment:"), \
            st.form("engagement_add", clear_on_submit=True, border=False):
        st.selectbox(_("Kind"), ENGAGEMENT_KINDS, format_func=kinds.get,
                     key=ADD_KEYS["kind"])
        st.text_input(_("Title"), max_chars=eg.MAX_TITLE, key=ADD_KEYS["title"])
        st.text_area(_("Text"), max_chars=eg.MAX_TEXT, key=ADD_KEYS["text"],
                     help=_("Plain text: shown exactly as typed."))
        left, right = st.columns(2)
        left.text_input(_("Owner"), max_chars=eg.MAX_OWNER, key=ADD_KEYS["owner"],
                        help=_("Who in your team follows it up (needed for commitments and "
                               "follow-ups)."))
        right.date_input(_("Due date"), value=None, key=ADD_KEYS["due"], format="DD/MM/YYYY",
                         help=_("Needed for commitments and follow-ups."))
        st.multiselect(_("Linked findings and plan items"), list(labels),
                       format_func=labels.get, key=ADD_KEYS["links"],
                       placeholder=pgettext("linked items", "None"),
                       help=_("The non-compliant findings of the latest assessment and the "
                              "plan items not completed."))
        st.form_submit_button(_("Save entry"), type="primary", icon=":material/save:",
                              on_click=_add, args=(viewer, factory_id),
                              key="engagement_save")


def _status_line(row) -> str:
    parts = [_(row.shown_status)]
    if row.due_date is not None and not pd.isna(row.due_date):
        parts.append(_("due {date}").format(date=fmt_date(row.due_date)))
    if row.owner:
        parts.append(_("owner {name}").format(name=plain(row.owner)))
    written = pd.Timestamp(row.created_at)
    parts.append(_("written by {name} on {date}").format(name=plain(row.created_by),
                                                         date=fmt_date(written.date())))
    if int(row.version) > 1:
        parts.append(_("changed {n}× (last by {name})").format(
            n=fmt_int(int(row.version) - 1), name=plain(row.updated_by)))
    return " · ".join(parts)


def _entry(viewer: Viewer, row, links: pd.DataFrame, today: dt.date, can_write: bool) -> None:
    entry_id = int(row.entry_id)
    with st.container(border=True, key=f"engagement_entry_{entry_id}"):
        head = f"**{plain(_(row.kind_label))} · {plain(row.title)}**"
        if row.overdue:
            head += " " + _(":red-badge[Overdue]")
        st.markdown(head)
        st.caption(_status_line(row))
        if row.text:
            st.text(row.text)
        mine = links[links["entry_id"] == entry_id]
        if not mine.empty:
            st.caption(_("Linked: {items}").format(items="; ".join(
                plain((_("plan item {code}") if pd.notna(p) else _("finding {code}")).format(
                    code=c))
                for c, p in zip(mine["question_code"], mine["plan_item_id"], strict=True))))
        if can_write and row.status != "withdrawn":
            cols = st.columns(3)
            if row.status == "open":
                cols[0].button(_("Mark done"), key=f"engagement_done_{entry_id}",
                               icon=":material/task_alt:", on_click=_set_status,
                               args=(viewer, entry_id, "done"))
            else:
                cols[0].button(_("Reopen"), key=f"engagement_reopen_{entry_id}",
                               icon=":material/undo:", on_click=_set_status,
                               args=(viewer, entry_id, "open"))
            cols[1].button(_("Withdraw"), key=f"engagement_withdraw_{entry_id}",
                           icon=":material/block:", on_click=_set_status,
                           args=(viewer, entry_id, "withdrawn"),
                           help=_("Kept with its history, but no longer open or listed as due."))
            kinds = _kind_labels()
            with st.expander(_("Edit"), icon=":material/edit:"), \
                    st.form(f"engagement_edit_{entry_id}", border=False):
                st.selectbox(_("Kind"), ENGAGEMENT_KINDS, format_func=kinds.get,
                             index=ENGAGEMENT_KINDS.index(row.kind), key=f"edit_kind_{entry_id}")
                st.text_input(_("Title"), value=row.title, max_chars=eg.MAX_TITLE,
                              key=f"edit_title_{entry_id}")
                st.text_area(_("Text"), value=row.text or "", max_chars=eg.MAX_TEXT,
                             key=f"edit_text_{entry_id}")
                st.text_input(_("Owner"), value=row.owner or "", max_chars=eg.MAX_OWNER,
                              key=f"edit_owner_{entry_id}")
                due = None if row.due_date is None or pd.isna(row.due_date) else row.due_date
                st.date_input(_("Due date"), value=due, key=f"edit_due_{entry_id}",
                              format="DD/MM/YYYY")
                st.form_submit_button(_("Save changes"), on_click=_edit,
                                      args=(viewer, entry_id, int(row.version)),
                                      key=f"engagement_edit_save_{entry_id}")
        if int(row.version) > 1:
            versions = int(row.version)
            with st.expander(ngettext("History ({n} version)", "History ({n} versions)",
                                      versions).format(n=fmt_int(versions)),
                             icon=":material/history:"):
                history = engagement_service.history(get_engine(), viewer, entry_id)
                shown = history.assign(**{column: history[column].map(_, na_action="ignore")
                                          for column in ("change_label", "kind_label",
                                                         "status_label")})
                st.dataframe(
                    shown, hide_index=True, width="stretch",
                    column_order=["version", "change_label", "changed_by", "changed_at",
                                  "kind_label", "title", "text", "owner", "due_date",
                                  "status_label"],
                    column_config={
                        "version": st.column_config.NumberColumn(_("Version"), format="%d"),
                        "change_label": st.column_config.TextColumn(_("Change")),
                        "changed_by": st.column_config.TextColumn(_("By")),
                        "changed_at": st.column_config.DatetimeColumn(
                            _("When (UTC)"), format="D MMM YYYY, HH:mm"),
                        "kind_label": st.column_config.TextColumn(_("Kind")),
                        "title": st.column_config.TextColumn(_("Title")),
                        "text": st.column_config.TextColumn(_("Text")),
                        "owner": st.column_config.TextColumn(_("Owner")),
                        "due_date": st.column_config.DateColumn(_("Due"), format="D MMM YYYY"),
                        "status_label": st.column_config.TextColumn(_("Status"))})


def _shared(viewer: Viewer, factory_id: int, options: pd.DataFrame) -> None:
    questions = sorted({int(q) for q in options["question_id"]})
    if not questions:
        return
    counts = engagement_service.shared_remediation(get_engine(), viewer, factory_id, questions)
    first = options.drop_duplicates("question_id").set_index("question_id")
    if counts:
        st.markdown(_("**Shared remediation**"))
        for question, count in sorted(counts.items(), key=lambda kv: -kv[1]):
            st.caption(plain(ngettext(
                "{n} other buyer of this factory also follows finding {code}: {question}",
                "{n} other buyers of this factory also follow finding {code}: {question}",
                count).format(n=fmt_int(count), code=first.loc[question, "question_code"],
                              question=first.loc[question, "question"])))
    else:
        st.caption(_("Shared remediation: a count of other buyers following the same finding "
                     "is shown once at least {n} of them do (never which ones).").format(
                         n=fmt_int(MIN_OTHER_BRANDS)))


def engagement_panel(viewer: Viewer, factory_id: int) -> None:
    """The Engagement section of the factory profile."""
    engine = get_engine()
    today = dt.date.today()  # operational follow-up: the calendar date (docs/indicators.md)
    st.divider()
    st.subheader(_("Engagement"), anchor=False)
    st.caption(_("Your team's own record of what you did with this supplier: private to your "
                 "brand, kept with who wrote what and when. Overdue: open and due before "
                 "today's date."))
    can_write = viewer.can(eg.WRITE_ACTION)
    _show_flash()
    try:
        options = eg.link_options(engine, viewer, factory_id)
        if can_write:
            _add_form(viewer, factory_id, options)
        timeline = engagement_service.timeline(engine, viewer, factory_id, today)
        links = eg.entry_links(engine, viewer, factory_id)
        _shared(viewer, factory_id, options)
    except DataAccessError as exc:
        st.error(plain(_error_text(exc)), icon=":material/error:")
        return
    if timeline.empty:
        st.info(_("No entries yet. Add the first one above.") if can_write
                else _("No entries yet."), icon=":material/forum:")
        return
    open_count = int((timeline["status"] == "open").sum())
    overdue = int(timeline["overdue"].sum())
    st.caption(ngettext("{n} entry · {open} open · {overdue} overdue",
                        "{n} entries · {open} open · {overdue} overdue",
                        len(timeline)).format(n=fmt_int(len(timeline)),
                                              open=fmt_int(open_count),
                                              overdue=fmt_int(overdue)))
    for row in timeline.itertuples(index=False):
        _entry(viewer, row, links, today, can_write)
