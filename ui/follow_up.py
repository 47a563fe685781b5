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
from ui.components import brand_or_stop, empty_state, plain, plural
from ui.runtime import get_engine

PARAMS = ("fu_factories", "fu_owner", "fu_due", "fu_overdue")


def _file(viewer: Viewer, filters: FollowUpFilters, today: dt.date, file_format: str):
    engine = get_engine()
    live = session_guard()

    def build() -> bytes:
        principal = live()  # raises SessionEnded: no bytes, no audit row
        if principal.username != viewer.username or principal.role != viewer.role:
            raise SessionEnded("The account behind this page changed: sign in again.")
        return engagement_service.follow_up_file(engine, viewer, filters, today, file_format)

    return build


def follow_up_page(viewer: Viewer) -> None:
    state.keep_only_params(*PARAMS)
    version = data.data_version()
    brand = brand_or_stop(viewer, version, title="Follow-up")
    today = dt.date.today()  # operational follow-up: the calendar date (docs/indicators.md)
    st.title("Follow-up", anchor=False)
    reference.show_as_of(viewer, version, ("assessments", "facility_list"))
    st.caption("Your team's open commitments and follow-ups across every supplier, earliest "
               "due first. Overdue: open and due before today's date (the calendar, not the "
               "data's date above: this is your team's own follow-up).")
    engine = get_engine()
    suppliers = data.suppliers(viewer, version)
    names = dict(zip(suppliers["factory_id"].astype(int).astype(str), suppliers["name"],
                     strict=True))
    try:
        owner_names = eg.owners(engine, viewer)
    except DataAccessError as exc:
        st.error(plain(str(exc)))
        return
    state.list_filter("fu_factories", names)
    state.choice_filter("fu_owner", ["", *owner_names], "")
    state.choice_filter("fu_due", list(DUE_WINDOWS), "")
    key = state.filter_key("fu_overdue")
    if key not in st.session_state:
        st.session_state[key] = st.query_params.get("fu_overdue") == "1"
    cols = st.columns([3, 2, 2, 1])
    cols[0].multiselect("Factories", list(names), format_func=names.get,
                        key=state.filter_key("fu_factories"), placeholder="All suppliers")
    cols[1].selectbox("Owner", ["", *owner_names], key=state.filter_key("fu_owner"),
                      format_func=lambda o: o or "Anyone")
    cols[2].selectbox("Due", list(DUE_WINDOWS), key=state.filter_key("fu_due"),
                      format_func=DUE_WINDOWS.get)
    cols[3].toggle("Overdue only", key=key)
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
        empty_state("Nothing to follow up with these filters.",
                    "Commitments and follow-ups are written on each factory's profile, in its "
                    "Engagement section.")
        return
    overdue = int(frame["overdue"].sum())
    st.caption(f"{plural(len(frame), 'open item')} · {overdue} overdue")
    st.dataframe(
        frame.assign(link="factory?id=" + frame["factory_id"].astype(str)),
        hide_index=True, width="stretch",
        column_order=["factory", "kind", "title", "owner", "due_date", "status",
                      "days_overdue", "link"],
        column_config={
            "factory": "Factory", "kind": "Kind", "title": "Title", "owner": "Owner",
            "due_date": st.column_config.DateColumn("Due", format="D MMM YYYY"),
            "status": "Status",
            "days_overdue": st.column_config.NumberColumn("Days overdue", format="%d"),
            "link": st.column_config.LinkColumn("Profile", display_text="Open profile"),
        },
    )
    left, right = st.columns(2)
    left.download_button(
        "Download this list (CSV)", data=_file(viewer, filters, today, "csv"),
        file_name=extract_filename(brand["code"], "follow-up", today), mime="text/csv",
        on_click="ignore", icon=":material/download:", key="download_follow_up")
    right.download_button(
        "Excel workbook", data=_file(viewer, filters, today, "xlsx"),
        file_name=extract_filename(brand["code"], "follow-up", today, "xlsx"), mime=XLSX_MIME,
        on_click="ignore", icon=":material/table_view:", key="download_follow_up_xlsx")
