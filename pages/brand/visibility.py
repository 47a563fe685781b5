"""Supply-chain visibility: what the brand knows and discloses about its suppliers, and the gaps."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import charts, data, insights, reference, state
from ui.components import (
    Kpi,
    brand_or_stop,
    country_display_name,
    country_label,
    empty_state,
    fmt_compact,
    fmt_int,
    fmt_pct,
    gap_message,
    kpi_row,
    plain,
)
from ui.downloads import current_context, extract_button
from ui.i18n import _, ngettext
from ui.indicators import format_value

viewer = state.viewer()
state.keep_only_params("countries")
version = data.data_version()
today = reference.figures_date(viewer, version)

st.title(_("Visibility"))
brand = brand_or_stop(viewer, version)
st.caption(_("How well {brand} knows — and shows — its supplier base: the "
             "Transparency Pledge and Fashion Transparency Index ask brands to publish full, "
             "current supplier lists; Better Work assessments give a recent look inside each "
             "factory.").format(brand=plain(brand["name"])))
reference.show_as_of(viewer, version, ("facility_list", "assessments"))

all_suppliers = data.suppliers(viewer, version)
if all_suppliers.empty:
    empty_state(_("No active suppliers yet."),
                _("An administrator can import your facility list to link factories to your "
                  "brand."))
    st.stop()

countries = sorted(all_suppliers["country_code"].dropna().unique())
state.list_filter("countries", countries)
st.multiselect(_("Countries"), countries, key=state.filter_key("countries"),
               format_func=country_label, placeholder=_("All countries"),
               help=_("Shared with the other pages and kept in the page's link."))
chosen = st.session_state[state.filter_key("countries")]
state.write_list_param("countries", chosen)

view = insights.visibility_view(viewer, version, today, tuple(chosen))
figures = view.figures
newest = figures["newest_days"]
workers = figures["workers"]
kpi_row([
    Kpi(_("Suppliers"), fmt_int(figures["suppliers"]), _("Active sourcing relationships.")),
    Kpi(_("Recently assessed"), fmt_pct(figures["assessed_recently_pct"]),
        _("Share of suppliers whose latest Better Work assessment is at most 365 days old.")),
    Kpi(_("With an OS ID"), fmt_pct(figures["os_id_pct"]),
        _("Share of suppliers with an Open Supply Hub facility id.")),
    Kpi(_("Geolocated"), fmt_pct(figures["geolocated_pct"]),
        _("Share of suppliers with latitude and longitude.")),
])
kpi_row([
    Kpi(_("Publicly disclosed"), fmt_pct(figures["disclosed_pct"]),
        _("Share of suppliers on your published supplier list.")),
    Kpi(_("Pledge-complete"), fmt_pct(figures["pledge_complete_pct"]),
        _("Share of suppliers with all five Transparency Pledge fields: name, address, parent "
          "company, product type, number of workers.")),
    Kpi(_("Workers covered"), fmt_compact(workers),
        ngettext("{n} worker reported by these suppliers.",
                 "{n} workers reported by these suppliers.",
                 int(workers) if pd.notna(workers) else 0).format(n=fmt_int(workers))),
    Kpi(_("Women"), fmt_pct(figures["women_pct"]),
        _("Share of women among those workers, weighted by workers.")),
    Kpi(_("Facility list age"), format_value(newest, "days"),
        _("Days since your facility list was last updated (your latest facility-list import, "
          "or the latest start or end of one of your sourcing relationships), counted to the "
          "date the figures are computed as of. The Transparency Pledge asks for updates at "
          "least twice a year; the Fashion Transparency Index for lists updated within 6 "
          "months.")),
])

# ---- gaps: a to-do list linking to the filtered directory ----------------------------------
st.subheader(_("Gaps to close"))
found = view.gaps
if not found:
    st.success(_("No gaps: every supplier is recently assessed, identified, located, disclosed "
                 "and complete."))
for gap in found:
    left, right = st.columns([4, 1])
    left.markdown(f"- **{plain(gap_message(gap))}**")
    if right.button(_("Show them"), key=f"gap_{gap['key']}", icon=":material/arrow_forward:"):
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
    st.subheader(_("By tier and facility type"))
    st.altair_chart(charts.tier_and_type(view.tier_and_type),
                    width="stretch")
with right:
    st.subheader(_("Transparency Pledge fields"))
    st.altair_chart(charts.pledge_fields(view.pledge_per_field), width="stretch")

st.subheader(_("Assessment coverage by country"))
coverage = view.coverage.assign(
    country=[country_display_name(c) for c in view.coverage["country_code"]])
st.altair_chart(charts.coverage_by_country(coverage), width="stretch")
left, right, _spare = st.columns(3)
with left:
    extract_button(viewer, brand["code"], "visibility-by-country", current_context(today),
                   label=_("Download coverage by country (CSV)"))
with right:
    extract_button(viewer, brand["code"], "supplier-list", current_context(today),
                   label=_("Download supplier list (CSV)"))

st.subheader(_("Assessment coverage over time"))
st.altair_chart(charts.coverage_over_time(view.over_time), width="stretch")
st.caption(_("Share of today's suppliers whose latest assessment at each month's end was at "
             "most 12 months old."))
