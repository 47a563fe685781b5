"""Downloads: every CSV extract of the brand's data, with the filters in force."""

from __future__ import annotations

import streamlit as st

from metrics.countries import country_name
from services.extract_catalogue import EXTRACTS
from ui import data, reference, state
from ui.components import brand_or_stop, plain
from ui.downloads import current_context, dictionary_button, dictionary_table, extract_button
from ui.formatting import fmt_date
from ui.tables import ASSESSMENT_LABELS, GAP_LABELS, PLAN_LABELS

viewer = state.viewer()
state.keep_only_params()
version = data.data_version()
today = reference.figures_date(viewer, version)

st.title("Downloads")
brand = brand_or_stop(viewer, version)
reference.show_as_of(viewer, version, ("assessments", "orders", "facility_list"))
st.caption(f"Extracts of {plain(brand['name'])}'s data only, each as a CSV file (UTF-8 with a "
           "byte-order mark so that a spreadsheet opens it correctly, a header row, dates as "
           "year-month-day, numbers rounded as each column's description says) and as an Excel "
           "workbook (numbers and dates as such, "
           "the data dictionary on a second sheet). File names carry brand, extract and date. "
           "Cells a spreadsheet would run as a formula are neutralised in both. Every download "
           "is recorded (who, what, filters, rows).")

ctx = current_context(today)
d = ctx.directory
in_force = []
if d.countries:
    in_force.append("countries: " + ", ".join(country_name(c) for c in d.countries))
if d.search:
    in_force.append(f"search: “{d.search}”")
cluster_ref = data.clusters(version)
cluster_names = dict(zip(cluster_ref["cluster_code"], cluster_ref["cluster_name"], strict=True))
for label, values, words in (("tier", d.tiers, {}),
                             ("assessment", d.assessment_age, ASSESSMENT_LABELS),
                             ("non-compliant on", d.clusters_non_compliant, cluster_names),
                             ("data gaps", d.gaps, GAP_LABELS)):
    if values:
        in_force.append(f"{label}: " + ", ".join(str(words.get(v, v)) for v in values))
if d.plan_status:
    in_force.append(f"improvement plan: {PLAN_LABELS.get(d.plan_status, d.plan_status).lower()}")
if d.include_inactive:
    in_force.append("including former suppliers")
if d.include_closed:
    in_force.append("including closed and moved factories")
orders_scope = (f"orders confirmed from {fmt_date(ctx.orders_since)}" if ctx.orders_since
                else "all orders") + f" to {fmt_date(ctx.order_date)}"
if ctx.order_factory_ids:
    orders_scope += f", {len(ctx.order_factory_ids)} chosen factories"
st.info("**Filters in force** — suppliers: "
        + (plain("; ".join(in_force)) or "none (all suppliers)")
        + f" · purchasing: {orders_scope}.  \nChange them on the Suppliers and Purchasing "
        "pages; they are kept while you move between pages.", icon=":material/filter_alt:")

for key, spec in EXTRACTS.items():
    with st.container(border=True):
        left, middle, right = st.columns([3, 1.4, 1])
        left.markdown(f"**{spec.title}**  \n{spec.description}")
        with middle:
            extract_button(viewer, brand["code"], key, ctx, label="Download CSV")
        with right:
            dictionary_button(key)
        with st.expander(f"What the {len(spec.columns)} columns mean"):
            dictionary_table(key)
st.caption("Column meanings and units: the data dictionary beside each extract.")
