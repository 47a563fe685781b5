"""Supply-chain visibility: what the brand knows and discloses about its suppliers, and the gaps."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import charts, data, insights, reference, state
from ui.components import (
    Kpi,
    brand_or_stop,
    country_label,
    empty_state,
    fmt_compact,
    fmt_int,
    fmt_pct,
    kpi_row,
    plain,
)
from ui.downloads import current_context, extract_button

viewer = state.viewer()
state.keep_only_params("countries")
version = data.data_version()
today = reference.figures_date(viewer, version)

st.title("Visibility")
brand = brand_or_stop(viewer, version)
st.caption(f"How well {plain(brand['name'])} knows — and shows — its supplier base: the "
           "Transparency Pledge and Fashion Transparency Index ask brands to publish full, "
           "current supplier lists; Better Work assessments give a recent look inside each "
           "factory.")
reference.show_as_of(viewer, version, ("facility_list", "assessments"))

all_suppliers = data.suppliers(viewer, version)
if all_suppliers.empty:
    empty_state("No active suppliers yet.",
                "An administrator can import your facility list to link factories to your brand.")
    st.stop()

countries = sorted(all_suppliers["country_code"].dropna().unique())
state.list_filter("countries", countries)
st.multiselect("Countries", countries, key=state.filter_key("countries"),
               format_func=country_label, placeholder="All countries",
               help="Shared with the other pages and kept in the page's link.")
chosen = st.session_state[state.filter_key("countries")]
state.write_list_param("countries", chosen)

view = insights.visibility_view(viewer, version, today, tuple(chosen))
figures = view.figures
newest = figures["newest_days"]
kpi_row([
    Kpi("Suppliers", fmt_int(figures["suppliers"]), "Active sourcing relationships."),
    Kpi("Recently assessed", fmt_pct(figures["assessed_recently_pct"]),
        "Share of suppliers whose latest Better Work assessment is at most 365 days old."),
    Kpi("With an OS ID", fmt_pct(figures["os_id_pct"]),
        "Share of suppliers with an Open Supply Hub facility id."),
    Kpi("Geolocated", fmt_pct(figures["geolocated_pct"]),
        "Share of suppliers with latitude and longitude."),
])
kpi_row([
    Kpi("Publicly disclosed", fmt_pct(figures["disclosed_pct"]),
        "Share of suppliers on your published supplier list."),
    Kpi("Pledge-complete", fmt_pct(figures["pledge_complete_pct"]),
        "Share of suppliers with all five Transparency Pledge fields: name, address, parent "
        "company, product type, number of workers."),
    Kpi("Workers covered", fmt_compact(figures["workers"]),
        f"{fmt_int(figures['workers'])} workers reported by these suppliers."),
    Kpi("Women", fmt_pct(figures["women_pct"]),
        "Share of women among those workers, weighted by workers."),
    Kpi("Facility list age", f"{fmt_int(newest)} day{'' if newest == 1 else 's'}"
        if pd.notna(newest) else "—",
        "Days since your facility list was last updated (your latest facility-list import, or "
        "the latest start or end of one of your sourcing relationships), counted to the date "
        "the figures are computed as of. The Transparency Pledge asks for updates at least "
        "twice a year; the Fashion Transparency Index for lists updated within 6 months."),
])

# ---- gaps: a to-do list linking to the filtered directory ----------------------------------
st.subheader("Gaps to close")
found = view.gaps
if not found:
    st.success("No gaps: every supplier is recently assessed, identified, located, disclosed "
               "and complete.")
for gap in found:
    left, right = st.columns([4, 1])
    left.markdown(f"- **{plain(gap['message'])}**")
    if right.button("Show them", key=f"gap_{gap['key']}", icon=":material/arrow_forward:"):
        for name in ("assessment", "gaps", "clusters", "tiers"):
            st.session_state[state.filter_key(name)] = list(gap["filter"].get(name, []))
        st.session_state[state.filter_key("q")] = ""
        st.session_state[state.filter_key("plan")] = ""
        params = {k: ",".join(v) for k, v in gap["filter"].items()}
        if chosen:
            params["countries"] = ",".join(chosen)
        st.switch_page("pages/brand/suppliers.py", query_params=params)

# ---- structure -----------------------------------------------------------------------------
left, right = st.columns(2)
with left:
    st.subheader("By tier and facility type")
    st.altair_chart(charts.tier_and_type(view.tier_and_type),
                    width="stretch")
with right:
    st.subheader("Transparency Pledge fields")
    st.altair_chart(charts.pledge_fields(view.pledge_per_field), width="stretch")

st.subheader("Assessment coverage by country")
st.altair_chart(charts.coverage_by_country(view.coverage), width="stretch")
left, right, _ = st.columns(3)
with left:
    extract_button(viewer, brand["code"], "visibility-by-country", current_context(today),
                   label="Download coverage by country (CSV)")
with right:
    extract_button(viewer, brand["code"], "supplier-list", current_context(today),
                   label="Download supplier list (CSV)")

st.subheader("Assessment coverage over time")
st.altair_chart(charts.coverage_over_time(view.over_time), width="stretch")
st.caption("Share of today's suppliers whose latest assessment at each month's end was at most "
           "12 months old.")
