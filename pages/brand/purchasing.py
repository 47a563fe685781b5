"""Purchasing practices: the brand's own conduct towards its suppliers, against other brands, and
its association with working conditions in those factories."""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from metrics.association import describe_link
from metrics.countries import country_name
from metrics.purchasing import (
    BETTER_BUYING_CATEGORIES,
    COMPLETE_COHORT_PCT,
    FINAL_WHEN,
    INDICATORS,
    TREND_INDICATORS,
    benchmark_band,
)
from services import analysis
from ui import charts, data, insights, reference, state
from ui.components import brand_or_stop, country_label, empty_state, fmt_int, name_of_id
from ui.downloads import current_context, extract_button
from ui.formatting import fmt_date
from ui.indicators import UNIT_WORDS, band_text, compare_with_band, format_value

PERIODS = {"12": "Last 12 months", "24": "Last 24 months", "36": "Last 36 months",
           "all": "All orders"}
PAYMENT_INDICATORS = {"median_days_late", "on_time_in_full_pct"}
KINDS = ("orders", "assessments", "facility_list")
NOT_FINAL = {"shipped": "shipped", "paid": "been paid",
             "paid_or_due": "been paid or fallen due"}
#: format functions of widgets must not be defined in the page (see ui/components.py)
INDICATOR_LABELS = {key: spec.label for key, spec in INDICATORS.items()}

viewer = state.viewer()
state.keep_only_params("countries", "period", "factories", reference.AS_OF_FILTER)
version = data.data_version()

st.title("Purchasing practices")
brand = brand_or_stop(viewer, version)
st.caption(
    f"{brand['name']}'s own conduct as a buyer, computed from its purchase orders and grouped "
    "by Better Buying's categories. Research links late changes, short lead times and "
    "below-cost prices to excessive overtime and lower wages in factories. Each figure is "
    "shown next to the typical range of other brands in the programme (anonymous, and never "
    "including your own figure).")

all_orders = data.purchase_orders(viewer, None, None, None, None, version)
if all_orders.empty:
    reference.show_as_of(viewer, version, KINDS)
    empty_state("No purchase orders yet.",
                "An administrator can import your purchase orders (CSV). Until then this page "
                "has nothing to measure.")
    st.stop()

# ---- filters ---------------------------------------------------------------------------------
suppliers = data.suppliers(viewer, version)
countries = sorted(all_orders["country_code"].dropna().unique())
factory_names = dict(zip(suppliers["factory_id"], suppliers["name"], strict=True))
as_of_options = reference.purchasing_choices(
    viewer, version, all_orders["confirmed_on"].min().date())
state.list_filter("countries", countries)
state.choice_filter("period", list(PERIODS), "12")
state.list_filter("factories", [str(i) for i in factory_names])
as_of, chosen = reference.purchasing_as_of(viewer, version, as_of_options)
cols = st.columns([3, 4, 3, 4])  # wide enough for "Last 12 months", "Latest order data (…)"
cols[0].selectbox("Period", list(PERIODS), key=state.filter_key("period"),
                  format_func=PERIODS.get, help="Orders confirmed in this period, up to the "
                  "date the figures are computed as of.")
cols[1].selectbox("Figures as of", list(as_of_options),
                  key=state.filter_key(reference.AS_OF_FILTER), format_func=as_of_options.get,
                  help="The latest order data, or an earlier month end: figures are then "
                  "computed from your orders as they stood that day (later orders, shipments, "
                  "invoices and payments left out). A change to an order recorded later still "
                  "counts: the data does not say when a change was made.")
cols[2].multiselect("Countries", countries, key=state.filter_key("countries"),
                    format_func=country_label,
                    placeholder="All countries")
cols[3].multiselect("Factories", [str(i) for i in factory_names],
                    key=state.filter_key("factories"),
                    format_func=partial(name_of_id, factory_names),
                    placeholder="All factories")
period = st.session_state[state.filter_key("period")]
chosen_countries = tuple(st.session_state[state.filter_key("countries")])
chosen_factories = tuple(int(i) for i in st.session_state[state.filter_key("factories")])
state.write_param("period", period, default="12")
state.write_param(reference.AS_OF_FILTER, st.session_state[state.filter_key(
    reference.AS_OF_FILTER)], default=reference.LATEST)
state.write_list_param("countries", list(chosen_countries))
state.write_list_param("factories", [str(i) for i in chosen_factories])
reference.show_as_of(viewer, version, KINDS, figures=as_of, chosen=chosen is not None)

months = None if period == "all" else int(period)
view = analysis.OrderView(as_of, months, chosen_countries, chosen_factories)
summary = insights.order_summary(viewer, view, version)
if not summary["orders"]:
    empty_state("No orders match these filters.", "Choose a longer period or fewer filters.")
    st.stop()

# like for like: the same period and reference date, and the same country (or all) for the
# other brands; no comparison for a choice of factories or of several countries
compare, country, no_benchmark = analysis.benchmark_choice(view)
benchmark: dict[str, float] = {}
if compare:
    benchmark = insights.purchasing_benchmark(viewer, months, chosen, country, version)
    no_benchmark = ("" if any(pd.notna(v) for v in benchmark.values()) else
                    analysis.NO_BENCHMARK_TOO_FEW)
    if not no_benchmark:
        where = f"in {country_name(country)}" if country else "in all countries"
        st.caption(f"Other brands: their own orders {where}, over the same period and computed "
                   "the same way, each as of its own latest order data (or the month end you "
                   "chose). Shown as the range around their median, only where at least five "
                   "other brands have a figure.")
since = view.since
st.markdown(f"**{fmt_int(summary['orders'])}** orders, **{fmt_int(summary['units'])}** units "
            f"with **{fmt_int(summary['factories'])}** factories"
            + (f" from {fmt_date(since)}" if since else "") + f" to {fmt_date(as_of)}.")
ctx = current_context(as_of)
left, right, _ = st.columns([1, 1, 1])
with left:
    extract_button(viewer, brand["code"], "purchase-orders", ctx,
                   label="Download these orders (CSV)")
with right:
    extract_button(viewer, brand["code"], "purchasing-indicators", ctx,
                   label="Download indicators by factory (CSV)")
if no_benchmark:
    st.caption(no_benchmark)

for category in BETTER_BUYING_CATEGORIES:
    keys = [k for k, spec in INDICATORS.items() if spec.category == category]
    if not keys:
        continue
    with st.container(border=True):
        st.markdown(f"**{category}**")
        for column, key in zip(st.columns(max(3, len(keys))), keys, strict=False):
            spec = INDICATORS[key]
            compared = compare_with_band(key, summary.get(key), benchmark.get(key))
            direction = {"lower": "lower is better", "higher": "higher is better",
                         "target": f"closest to {spec.target or 0:.0f} is best",
                         "neutral": "neither high nor low is better in itself"}[spec.better]
            others = band_text(benchmark.get(key), spec.unit)
            column.metric(
                spec.label, format_value(summary.get(key, float("nan")), spec.unit),
                delta=compared.text, delta_color=compared.colour, delta_arrow=compared.arrow,
                border=False,
                help=f"{spec.formula}; {direction}. Other brands (typical range): {others}. "
                     f"Source: {spec.source}. CFRPP principle: {spec.cfrpp_principle}.")
st.caption("Design & Development has no order-level indicator yet: it needs the sample and "
           "tech-pack dates that the order data does not carry.")


# ---- trends ----------------------------------------------------------------------------------
@st.fragment
def trend_section() -> None:
    st.subheader("Trend by month")
    key = st.selectbox("Indicator", list(TREND_INDICATORS),
                       format_func=INDICATOR_LABELS.get, key="trend_indicator")
    spec = INDICATORS[key]
    date_column = "invoiced_on" if key in PAYMENT_INDICATORS else "confirmed_on"
    trend = insights.order_trend(viewer, view, key, date_column, version)
    if trend["value"].notna().sum() == 0:
        empty_state("No values in this period.", "Choose a longer period.")
        return
    lower = benchmark.get(key)
    band = None if lower is None or pd.isna(lower) else benchmark_band(lower, spec.unit)
    st.altair_chart(charts.monthly_trend(trend, spec.label, UNIT_WORDS[spec.unit], band),
                    width="stretch")
    placed = ("Payments are placed in the month of the invoice."
              if key in PAYMENT_INDICATORS else "Orders are placed in their confirmation month.")
    stage = FINAL_WHEN[key]
    incomplete = int((~trend["complete"] & trend["value"].notna()).sum())
    if stage is None:
        note = "Price and costing are fixed when an order is confirmed: every month is final."
    else:
        note = (f"Hollow triangles: months not yet complete — fewer than "
                f"{COMPLETE_COHORT_PCT:.0f} % of their orders have {NOT_FINAL[stage]} by "
                f"{fmt_date(as_of)}, so their value will still change (the quickest orders come "
                "in first). Compare only the filled points"
                + (f"; {incomplete} month{'s' if incomplete != 1 else ''} not yet complete."
                   if incomplete else "; every month shown is complete."))
    band_note = " Shaded: the typical range of other brands over the whole period." \
        if band else ""
    st.caption(f"{spec.formula}. {placed} {note}{band_note}")


trend_section()

st.subheader("Lead times")
measures = insights.order_measures_for(viewer, view, version)
orders = analysis.orders_in_view(all_orders, view)
required = orders.drop_duplicates("factory_id")["required_lead_time_days"].median()
st.altair_chart(charts.lead_time_histogram(measures, required), width="stretch")
st.caption("Shipped orders only. Red dashed line: the median lead time your factories say they "
           "need. Orders to the left of it leave the factory less time than it asked for.")

# ---- linkage ---------------------------------------------------------------------------------
st.subheader("Your practices and conditions in your factories")
st.caption("One point per assessed factory you ordered from: your practice towards it — only "
           "orders placed in the year before its latest assessment, so the practice comes "
           "before the conditions found — against the number of non-compliant questions in "
           "that assessment, for the clusters research links to purchasing practices. "
           "Factories with fewer than three such orders are left out. All your orders count, "
           "whatever period, country or factories are chosen above.")
linked = insights.practices_and_conditions(viewer, version)
practices = {"late_change_share_pct": "Orders changed late (%)",
             "median_lead_time_days": "Median lead time (days)",
             "below_cost_share_pct": "Orders below cost (%)"}
clusters = {"WT_nc_questions": "Working Time", "COMP_nc_questions": "Compensation",
            "CHR_nc_questions": "Contracts and Human Resources"}
if linked.empty:
    empty_state("No assessed factory with enough orders before its assessment.",
                "The link appears once factories you ordered from have assessments.")
else:
    left, right = st.columns(2)
    x = left.selectbox("Your practice", list(practices), format_func=practices.get)
    y = right.selectbox("Non-compliant questions in", list(clusters), format_func=clusters.get)
    st.altair_chart(charts.practice_scatter(linked, x, practices[x], y,
                                            f"{clusters[y]}: non-compliant questions"),
                    width="stretch")
    comparisons = insights.link_comparisons(viewer, version)
    shares = linked.dropna(subset=[x, y])["share_of_capacity_pct"]
    st.info(describe_link(linked, x, analysis.LINK_PRACTICES[x], y, analysis.LINK_OUTCOMES[y],
                          comparisons=comparisons,
                          capacity_share_pct=float(shares.median()) if len(shares) else None),
            icon=":material/insights:")
