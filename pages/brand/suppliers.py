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
from ui.i18n import _, current_language, framework_name, ngettext, pgettext
from ui.tables import ASSESSMENT_LABELS, GAP_LABELS, PLAN_LABELS

MAX_COMPARE = 6

viewer = state.viewer()
state.keep_only_params("q", "countries", "tiers", "assessment", "clusters", "gaps", "plan",
                       "former", "closed")
version = data.data_version()
today = reference.figures_date(viewer, version)

brand = brand_or_stop(viewer, version, title=_("Suppliers"))

st.title(_("Suppliers"))
st.caption(_("Every factory {brand} sources from, with its latest Better Work assessment, "
             "riskiest first. Select a row (the box at its left) to open the factory's profile; "
             "turn on *Compare several* to compare two to six.").format(
    brand=plain(brand["name"])))
reference.show_as_of(viewer, version, ("assessments", "facility_list", "orders"))

everything = data.supplier_directory(viewer, DirectoryFilters(include_inactive=True), today,
                                     version)
if everything.empty:
    empty_state(_("No suppliers yet."), _("An administrator can import your facility list to "
                                          "link factories to your brand."))
    st.stop()
countries = sorted(everything["country_code"].dropna().unique())
tiers = sorted(str(t) for t in everything["tier"].dropna().unique())
cluster_ref = data.clusters(version)
# the framework's own names of the clusters, in the session's language (codes stay the values)
cluster_names = {code: framework_name(code) for code in cluster_ref["cluster_code"]}
assessment_labels = ui_tables.labels(ASSESSMENT_LABELS)
plan_labels = ui_tables.labels(PLAN_LABELS)
gap_labels = ui_tables.labels(GAP_LABELS)

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
    top[0].text_input(_("Search"), key=state.filter_key("q"),
                      placeholder=_("Factory name or OS ID"),
                      help=_("Part of the factory's name or its Open Supply Hub id."))
    top[1].multiselect(_("Countries"), countries, key=state.filter_key("countries"),
                       format_func=country_label,
                       placeholder=_("All countries"))
    top[2].multiselect(_("Tier"), tiers, key=state.filter_key("tiers"),
                       placeholder=_("All tiers"))
    top[3].multiselect(_("Assessment"), ASSESSMENT_AGE_CHOICES,
                       key=state.filter_key("assessment"), format_func=assessment_labels.get,
                       placeholder=_("Any age"))
    bottom = st.columns([3, 2, 2, 2])
    bottom[0].multiselect(
        _("Non-compliant on"), list(cluster_names), key=state.filter_key("clusters"),
        format_func=cluster_names.get, placeholder=_("Any cluster"),
        help=_("Only factories non-compliant on every chosen cluster in their latest "
               "assessment."))
    bottom[1].selectbox(_("Improvement plan"), list(PLAN_LABELS), key=state.filter_key("plan"),
                        format_func=plan_labels.get)
    bottom[2].multiselect(_("Data gaps"), GAP_CHOICES, key=state.filter_key("gaps"),
                          format_func=gap_labels.get,
                          placeholder=pgettext("no data gap chosen", "None"))
    bottom[3].toggle(_("Former suppliers"), key=state.filter_key("former"),
                     help=_("Include factories you no longer source from."))
    bottom[3].toggle(_("Closed factories"), key=state.filter_key("closed"),
                     help=_("Include closed factories and factories that moved to another "
                            "site. They are left out of every active figure but stay findable "
                            "here."))

filters = state.directory_filters()
state.write_param("q", filters.search)
for name in ("countries", "tiers", "assessment", "clusters", "gaps"):
    state.write_list_param(name, st.session_state[state.filter_key(name)])
state.write_param("plan", filters.plan_status)
state.write_param("former", "1" if filters.include_inactive else "")
state.write_param("closed", "1" if filters.include_closed else "")

directory = data.supplier_directory(viewer, filters, today, version)
active_total = int(everything["active"].sum())
st.markdown(ngettext("**{n}** of {total} active supplier matches.",
                     "**{n}** of {total} active suppliers match.", active_total).format(
                n=fmt_int(len(directory)), total=fmt_int(active_total))
            if not filters.include_inactive else
            ngettext("**{n}** supplier (including former ones) matches.",
                     "**{n}** suppliers (including former ones) match.", len(directory)).format(
                n=fmt_int(len(directory))))
if directory.empty:
    empty_state(_("No supplier matches these filters."),
                _("Remove a filter above, or clear the search."))
    st.stop()

risk = insights.risk_table(viewer, today, version)
directory = ui_tables.with_risk(directory, risk)
table_tab, map_tab = st.tabs([_(":material/table: Table"), _(":material/map: Map")])
with table_tab:
    shown = directory.assign(country=directory["country_code"].map(country_name))
    options = st.columns([2, 2, 3])
    more = options[0].toggle(
        _("More columns"), key="directory_more_columns",
        help=_("Also show city, Open Supply Hub id, tier, facility type, share of women and "
               "assessment cycle."))
    comparing = options[1].toggle(
        _("Compare several"), key="directory_compare_mode",
        help=_("Select two to {max} rows, then press Compare. When off, selecting a row opens "
               "the factory's profile.").format(max=MAX_COMPARE))
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
                _("Risk"), width="medium",
                help=_("From the Risk ranking page, where each factory's reasons are given: "
                       "zero tolerance (a finding of child labour, forced labour, violence or "
                       "imminent danger not verified fixed), high, unknown (never assessed or "
                       "assessment too old), medium or low. Former and closed suppliers are "
                       "not ranked.")),
            "risk_score": bar_column(
                _("Risk score"), higher_is="worse", format="%.0f",
                help=_("0 to 100: orders factories within a risk level.")),
            "name": st.column_config.TextColumn(_("Factory"), width="medium"),
            "country": st.column_config.TextColumn(_("Country")),
            "city": st.column_config.TextColumn(_("City")),
            "os_id": st.column_config.TextColumn(_("OS ID"),
                                                 help=_("Open Supply Hub facility id")),
            "tier": st.column_config.NumberColumn(_("Tier"), format="%d"),
            "facility_type": st.column_config.TextColumn(_("Facility type")),
            "workers": st.column_config.NumberColumn(_("Workers"), format="localized"),
            "women_pct": st.column_config.NumberColumn(_("Women"), format="%.0f %%"),
            "latest_assessed_on": st.column_config.DateColumn(_("Last assessed"),
                                                              format="D MMM YYYY"),
            "latest_cycle": st.column_config.NumberColumn(_("Cycle"), format="%d"),
            "compliance_pct": bar_column(
                _("Compliance"), higher_is="better",
                help=_("Share of non-compliance questions found compliant in the latest "
                       "assessment.")),
            "non_compliant_cps": st.column_config.NumberColumn(
                _("Non-compliant points"), format="%d",
                help=_("Compliance points with at least one non-compliant question.")),
            "open_plan_items": st.column_config.NumberColumn(_("Open plan items"),
                                                             format="%d"),
            "overdue_plan_items": st.column_config.NumberColumn(_("Overdue"), format="%d"),
        },
    )
    chosen = [int(directory.iloc[i]["factory_id"]) for i in selection.selection.rows]
    if not comparing and chosen:
        st.switch_page("pages/brand/factory.py", query_params={"id": str(chosen[0])})
    if comparing:
        if st.button(_("Compare ({n})").format(n=fmt_int(len(chosen))),
                     icon=":material/compare_arrows:",
                     disabled=not 2 <= len(chosen) <= MAX_COMPARE,
                     help=_("Select two to {max} rows.").format(max=MAX_COMPARE)):
            st.session_state["compare_ids"] = chosen
            st.switch_page("pages/brand/compare.py",
                           query_params={"ids": ",".join(map(str, chosen))})
        if len(chosen) > MAX_COMPARE:
            st.warning(_("Select at most {max} factories to compare.").format(max=MAX_COMPARE))
    ctx = current_context(today)
    cols = st.columns(3)
    for column, key in zip(cols, ("supplier-list", "latest-findings", "improvement-plans"),
                           strict=True):
        with column:
            extract_button(viewer, brand["code"], key, ctx)

with map_tab:
    drawn = insights.supplier_map(viewer, filters, today, version, current_language())
    if drawn is None:
        empty_state(_("None of these suppliers has coordinates."),
                    _("Add lat/lng to your facility list (Open Supply Hub columns) and "
                      "re-import."))
    else:
        st.pydeck_chart(charts.prebuilt_deck(drawn.spec, charts.supplier_map_tooltip()),
                        height=520)
        st.caption(ngettext("{n} of {total} supplier has coordinates. Circle size: workers; "
                            "colour: compliance in the latest assessment (grey: never "
                            "assessed).",
                            "{n} of {total} suppliers have coordinates. Circle size: workers; "
                            "colour: compliance in the latest assessment (grey: never "
                            "assessed).", len(directory)).format(
            n=fmt_int(drawn.located), total=fmt_int(len(directory))))
