"""The brand-wide Follow-up page (issue 16): open commitments and follow-ups of every supplier,
filtered by factory, owner, due window and overdue — the filters kept in the page's URL — and
downloadable as CSV or Excel (formula-neutralised, recorded in the download audit).

Overdue is judged on the calendar date: this is the team's operational follow-up.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from data_access import engagement as eg
from data_access.errors import DataAccessError
from data_access.extracts import XLSX_MIME, extract_filename
from data_access.viewer import Viewer
from services import engagement as engagement_service
from services.engagement import DUE_WINDOWS, FollowUpFilters
from ui import data, reference, state
from ui.auth import SessionEnded, session_guard
from ui.components import brand_or_stop, empty_state, plain
from ui.formatting import fmt_int
from ui.i18n import _, ngettext
from ui.runtime import get_engine

PARAMS = ("fu_factories", "fu_owner", "fu_due", "fu_overdue")


def _file(viewer: Viewer, filters: FollowUpFilters, today: dt.date, file_format: str):
    engine = get_engine()
    live = session_guard()

    def build() -> bytes:
        principal = live()  # raises SessionEnded: no bytes, no audit row
        if principal.username != viewer.username or principal.role != viewer.role:
            raise SessionEnded(_("The account behind this page changed: sign in again."))
        return engagement_service.follow_up_file(engine, viewer, filters, today, file_format)

    return build


def follow_up_page(viewer: Viewer) -> None:
    state.keep_only_params(*PARAMS)
    version = data.data_version()
    brand = brand_or_stop(viewer, version, title=_("Follow-up"))
    today = dt.date.today()  # operational follow-up: the calendar date (docs/indicators.md)
    st.title(_("Follow-up"), anchor=False)
    reference.show_as_of(viewer, version, ("assessments", "facility_list"))
    st.caption(_("Your team's open commitments and follow-ups across every supplier, earliest "
                 "due first. Overdue: open and due before today's date (the calendar, not the "
                 "data's date above: this is your team's own follow-up)."))
    engine = get_engine()
    suppliers = data.suppliers(viewer, version)
    names = dict(zip(suppliers["factory_id"].astype(int).astype(str), suppliers["name"],
                     strict=True))
    try:
        owner_names = eg.owners(engine, viewer)
    except DataAccessError as exc:
        st.error(plain(_(str(exc))))
        return
    state.list_filter("fu_factories", names)
    state.choice_filter("fu_owner", ["", *owner_names], "")
    state.choice_filter("fu_due", list(DUE_WINDOWS), "")
    key = state.filter_key("fu_overdue")
    if key not in st.session_state:
        st.session_state[key] = st.query_params.get("fu_overdue") == "1"
    owner_labels = {"": _("Anyone"), **{o: o for o in owner_names if o}}
    due_labels = {window: _(label) for window, label in DUE_WINDOWS.items()}
    cols = st.columns([3, 2, 2, 1])
    cols[0].multiselect(_("Factories"), list(names), format_func=names.get,
                        key=state.filter_key("fu_factories"), placeholder=_("All suppliers"))
    cols[1].selectbox(_("Owner"), ["", *owner_names], key=state.filter_key("fu_owner"),
                      format_func=owner_labels.get)
    cols[2].selectbox(_("Due"), list(DUE_WINDOWS), key=state.filter_key("fu_due"),
                      format_func=due_labels.get)
    cols[3].toggle(_("Overdue only"), key=key)
    filters = FollowUpFilters(
        factory_ids=tuple(int(i) for i in st.session_state[state.filter_key("fu_factories")]),
        owner=str(st.session_state[state.filter_key("fu_owner")] or ""),
        due_within=str(st.session_state[state.filter_key("fu_due")] or ""),
        overdue_only=bool(st.session_state[key]))
    state.write_list_param("fu_factories", [str(i) for i in filters.factory_ids])
    state.write_param("fu_owner", filters.owner)
    state.write_param("fu_due", filters.due_within)
    state.write_param("fu_overdue", "1" if filters.overdue_only else "")

    frame = engagement_service.follow_up_list(engine, viewer, filters, today)
    if frame.empty:
        empty_state(_("Nothing to follow up with these filters."),
                    _("Commitments and follow-ups are written on each factory's profile, in "
                      "its Engagement section."))
        return
    overdue = int(frame["overdue"].sum())
    st.caption(ngettext("{n} open item · {overdue} overdue", "{n} open items · {overdue} overdue",
                        len(frame)).format(n=fmt_int(len(frame)), overdue=fmt_int(overdue)))
    st.dataframe(
        frame.assign(link="factory?id=" + frame["factory_id"].astype(str),
                     kind=frame["kind"].map(_, na_action="ignore"),
                     status=frame["status"].map(_, na_action="ignore")),
        hide_index=True, width="stretch",
        column_order=["factory", "kind", "title", "owner", "due_date", "status",
                      "days_overdue", "link"],
        column_config={
            "factory": st.column_config.TextColumn(_("Factory")),
            "kind": st.column_config.TextColumn(_("Kind")),
            "title": st.column_config.TextColumn(_("Title")),
            "owner": st.column_config.TextColumn(_("Owner")),
            "due_date": st.column_config.DateColumn(_("Due"), format="D MMM YYYY"),
            "status": st.column_config.TextColumn(_("Status")),
            "days_overdue": st.column_config.NumberColumn(_("Days overdue"), format="%d"),
            "link": st.column_config.LinkColumn(_("Profile"), display_text=_("Open profile")),
        },
    )
    left, right = st.columns(2)
    left.download_button(
        _("Download this list (CSV)"), data=_file(viewer, filters, today, "csv"),
        file_name=extract_filename(brand["code"], "follow-up", today), mime="text/csv",
        on_click="ignore", icon=":material/download:", key="download_follow_up")
    right.download_button(
        _("Excel workbook"), data=_file(viewer, filters, today, "xlsx"),
        file_name=extract_filename(brand["code"], "follow-up", today, "xlsx"), mime=XLSX_MIME,
        on_click="ignore", icon=":material/table_view:", key="download_follow_up_xlsx")
