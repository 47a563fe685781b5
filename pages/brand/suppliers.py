"""Supplier directory: every factory the brand sources from, filterable, on a table and a map."""

from __future__ import annotations

import streamlit as st

from data_access.factories import (
    ASSESSMENT_AGE_CHOICES,
    GAP_CHOICES,
    PLAN_STATUS_CHOICES,
    DirectoryFilters,
)
from metrics.countries import country_name
from ui import charts, data, insights, reference, state
from ui import tables as ui_tables
from ui.components import bar_column, brand_or_stop, country_label, empty_state, fmt_int, plain
from ui.downloads import current_context, extract_button
from ui.tables import ASSESSMENT_LABELS, GAP_LABELS, PLAN_LABELS

MAX_COMPARE = 6

viewer = state.viewer()
state.keep_only_params("q", "countries", "tiers", "assessment", "clusters", "gaps", "plan",
                       "former", "closed")
version = data.data_version()
today = reference.figures_date(viewer, version)

brand = brand_or_stop(viewer, version, title="Suppliers")

st.title("Suppliers")
st.caption(f"Every factory {plain(brand['name'])} sources from, with its latest Better Work "
           "assessment, riskiest first. Select a row (the box at its left) to open the factory's "
           "profile; turn on *Compare several* to compare two to six.")
reference.show_as_of(viewer, version, ("assessments", "facility_list", "orders"))

everything = data.supplier_directory(viewer, DirectoryFilters(include_inactive=True), today,
                                     version)
if everything.empty:
    empty_state("No suppliers yet.", "An administrator can import your facility list to link "
                "factories to your brand.")
    st.stop()
countries = sorted(everything["country_code"].dropna().unique())
tiers = sorted(str(t) for t in everything["tier"].dropna().unique())
cluster_ref = data.clusters(version)
cluster_names = dict(zip(cluster_ref["cluster_code"], cluster_ref["cluster_name"], strict=True))

# ---- filters (session state ↔ URL) --------------------------------------------------------
state.text_filter("q")
state.list_filter("countries", countries)
state.list_filter("tiers", tiers)
state.list_filter("assessment", ASSESSMENT_AGE_CHOICES)
state.list_filter("clusters", cluster_names)
state.list_filter("gaps", GAP_CHOICES)
state.choice_filter("plan", ["", *PLAN_STATUS_CHOICES], "")

with st.container(border=True):
    top = st.columns([2, 2, 1, 2])
    top[0].text_input("Search", key=state.filter_key("q"), placeholder="Factory name or OS ID",
                      help="Part of the factory's name or its Open Supply Hub id.")
    top[1].multiselect("Countries", countries, key=state.filter_key("countries"),
                       format_func=country_label,
                       placeholder="All countries")
    top[2].multiselect("Tier", tiers, key=state.filter_key("tiers"), placeholder="All tiers")
    top[3].multiselect("Assessment", ASSESSMENT_AGE_CHOICES,
                       key=state.filter_key("assessment"), format_func=ASSESSMENT_LABELS.get,
                       placeholder="Any age")
    bottom = st.columns([3, 2, 2, 2])
    bottom[0].multiselect(
        "Non-compliant on", list(cluster_names), key=state.filter_key("clusters"),
        format_func=cluster_names.get, placeholder="Any cluster",
        help="Only factories non-compliant on every chosen cluster in their latest assessment.")
    bottom[1].selectbox("Improvement plan", list(PLAN_LABELS), key=state.filter_key("plan"),
                        format_func=PLAN_LABELS.get)
    bottom[2].multiselect("Data gaps", GAP_CHOICES, key=state.filter_key("gaps"),
                          format_func=GAP_LABELS.get, placeholder="None")
    bottom[3].toggle("Former suppliers", key=state.filter_key("former"),
                     help="Include factories you no longer source from.")
    bottom[3].toggle("Closed factories", key=state.filter_key("closed"),
                     help="Include closed factories and factories that moved to another site. "
                          "They are left out of every active figure but stay findable here.")

filters = state.directory_filters()
state.write_param("q", filters.search)
for name in ("countries", "tiers", "assessment", "clusters", "gaps"):
    state.write_list_param(name, st.session_state[state.filter_key(name)])
state.write_param("plan", filters.plan_status)
state.write_param("former", "1" if filters.include_inactive else "")
state.write_param("closed", "1" if filters.include_closed else "")

directory = data.supplier_directory(viewer, filters, today, version)
st.markdown(f"**{fmt_int(len(directory))}** of {fmt_int(int(everything['active'].sum()))} "
            "active suppliers match." if not filters.include_inactive else
            f"**{fmt_int(len(directory))}** suppliers (including former ones) match.")
if directory.empty:
    empty_state("No supplier matches these filters.",
                "Remove a filter above, or clear the search.")
    st.stop()

risk = insights.risk_table(viewer, today, version)
directory = ui_tables.with_risk(directory, risk)
table_tab, map_tab = st.tabs([":material/table: Table", ":material/map: Map"])
with table_tab:
    shown = directory.assign(country=directory["country_code"].map(country_name))
    options = st.columns([2, 2, 3])
    more = options[0].toggle(
        "More columns", key="directory_more_columns",
        help="Also show city, Open Supply Hub id, tier, facility type, share of women and "
             "assessment cycle.")
    comparing = options[1].toggle(
        "Compare several", key="directory_compare_mode",
        help=f"Select two to {MAX_COMPARE} rows, then press Compare. When off, selecting a "
             "row opens the factory's profile.")
    selection = st.dataframe(
        shown,
        key="directory_table_compare" if comparing else "directory_table",
        on_select="rerun",
        selection_mode="multi-row" if comparing else "single-row",
        hide_index=True,
        width="stretch",
        height=min(640, 38 + 35 * len(shown)),
        column_order=ui_tables.DIRECTORY_COLUMNS + (ui_tables.DIRECTORY_MORE_COLUMNS
                                                    if more else []),
        column_config={
            "risk": st.column_config.TextColumn(
                "Risk", width="medium",
                help="From the Risk ranking page, where each factory's reasons are given: "
                     "zero tolerance (a finding of child labour, forced labour, violence or "
                     "imminent danger not verified fixed), high, unknown (never assessed or "
                     "assessment too old), medium or low. Former and closed suppliers are "
                     "not ranked."),
            "risk_score": bar_column(
                "Risk score", higher_is="worse", format="%.0f",
                help="0 to 100: orders factories within a risk level."),
            "name": st.column_config.TextColumn("Factory", width="medium"),
            "country": "Country",
            "city": "City",
            "os_id": st.column_config.TextColumn("OS ID", help="Open Supply Hub facility id"),
            "tier": st.column_config.NumberColumn("Tier", format="%d"),
            "facility_type": "Facility type",
            "workers": st.column_config.NumberColumn("Workers", format="localized"),
            "women_pct": st.column_config.NumberColumn("Women", format="%.0f %%"),
            "latest_assessed_on": st.column_config.DateColumn("Last assessed",
                                                              format="D MMM YYYY"),
            "latest_cycle": st.column_config.NumberColumn("Cycle", format="%d"),
            "compliance_pct": bar_column(
                "Compliance", higher_is="better",
                help="Share of non-compliance questions found compliant in the latest "
                     "assessment."),
            "non_compliant_cps": st.column_config.NumberColumn(
                "Non-compliant points", format="%d",
                help="Compliance points with at least one non-compliant question."),
            "open_plan_items": st.column_config.NumberColumn("Open plan items", format="%d"),
            "overdue_plan_items": st.column_config.NumberColumn("Overdue", format="%d"),
        },
    )
    chosen = [int(directory.iloc[i]["factory_id"]) for i in selection.selection.rows]
    if not comparing and chosen:
        st.switch_page("pages/brand/factory.py", query_params={"id": str(chosen[0])})
    if comparing:
        if st.button(f"Compare ({len(chosen)})", icon=":material/compare_arrows:",
                     disabled=not 2 <= len(chosen) <= MAX_COMPARE,
                     help=f"Select two to {MAX_COMPARE} rows."):
            st.session_state["compare_ids"] = chosen
            st.switch_page("pages/brand/compare.py",
                           query_params={"ids": ",".join(map(str, chosen))})
        if len(chosen) > MAX_COMPARE:
            st.warning(f"Select at most {MAX_COMPARE} factories to compare.")
    ctx = current_context(today)
    cols = st.columns(3)
    for column, key in zip(cols, ("supplier-list", "latest-findings", "improvement-plans"),
                           strict=True):
        with column:
            extract_button(viewer, brand["code"], key, ctx)

with map_tab:
    located = directory.dropna(subset=["lat", "lng"])
    if located.empty:
        empty_state("None of these suppliers has coordinates.",
                    "Add lat/lng to your facility list (Open Supply Hub columns) and re-import.")
    else:
        st.pydeck_chart(charts.supplier_map(located.assign(
            country=located["country_code"].map(country_name))), height=520)
        st.caption(f"{fmt_int(len(located))} of {fmt_int(len(directory))} suppliers have "
                   "coordinates. Circle size: workers; colour: compliance in the latest "
                   "assessment (grey: never assessed).")
