"""Purchasing practices: the brand's own conduct towards its suppliers, against all brands, and
its association with working conditions in those factories."""

from __future__ import annotations

import datetime as dt
from functools import partial

import pandas as pd
import streamlit as st

from metrics.association import rank_correlation
from metrics.purchasing import (
    BETTER_BUYING_CATEGORIES,
    INDICATORS,
    TREND_INDICATORS,
)
from ui import charts, data, insights, state
from ui.components import brand_or_stop, country_label, empty_state, fmt_int, name_of_id
from ui.downloads import current_context, extract_button

PERIODS = {"12": "Last 12 months", "24": "Last 24 months", "36": "Last 36 months",
           "all": "All orders"}
PAYMENT_INDICATORS = {"median_days_late", "on_time_in_full_pct"}
#: format functions of widgets must not be defined in the page (see ui/components.py)
INDICATOR_LABELS = {key: spec.label for key, spec in INDICATORS.items()}
UNITS = {"days": "days", "%": "%", "ratio": "", "CV": "", "years": "years"}

viewer = state.viewer()
state.keep_only_params("countries", "period", "factories")
version = data.data_version()
today = dt.date.today()

st.title("Purchasing practices")
brand = brand_or_stop(viewer, version)
st.caption(
    f"{brand['name']}'s own conduct as a buyer, computed from its purchase orders and grouped "
    "by Better Buying's categories. Research links late changes, short lead times and "
    "below-cost prices to excessive overtime and lower wages in factories (DOMAIN.md §3). "
    "Each figure is shown next to the median of all brands in the programme (anonymous).")

all_orders = data.purchase_orders(viewer, None, None, None, None, version)
if all_orders.empty:
    empty_state("No purchase orders yet.",
                "An administrator can import your purchase orders (CSV). Until then this page "
                "has nothing to measure.")
    st.stop()

# ---- filters ---------------------------------------------------------------------------------
suppliers = data.suppliers(viewer, version)
countries = sorted(all_orders["country_code"].dropna().unique())
factory_names = dict(zip(suppliers["factory_id"], suppliers["name"], strict=True))
state.list_filter("countries", countries)
state.choice_filter("period", list(PERIODS), "12")
state.list_filter("factories", [str(i) for i in factory_names])
cols = st.columns([1, 2, 3])
cols[0].selectbox("Period", list(PERIODS), key=state.filter_key("period"),
                  format_func=PERIODS.get, help="Orders confirmed in this period.")
cols[1].multiselect("Countries", countries, key=state.filter_key("countries"),
                    format_func=country_label,
                    placeholder="All countries")
cols[2].multiselect("Factories", [str(i) for i in factory_names],
                    key=state.filter_key("factories"),
                    format_func=partial(name_of_id, factory_names),
                    placeholder="All factories")
period = st.session_state[state.filter_key("period")]
chosen_countries = tuple(st.session_state[state.filter_key("countries")])
chosen_factories = tuple(int(i) for i in st.session_state[state.filter_key("factories")])
state.write_param("period", period, default="12")
state.write_list_param("countries", list(chosen_countries))
state.write_list_param("factories", [str(i) for i in chosen_factories])

since = None if period == "all" else today - pd.DateOffset(months=int(period))
since = since.date() if since is not None else None
orders = data.purchase_orders(viewer, chosen_factories or None, chosen_countries or None, since,
                              None, version)
if orders.empty:
    empty_state("No orders match these filters.", "Choose a longer period or fewer filters.")
    st.stop()

summary = insights.order_summary(viewer, chosen_factories or None, chosen_countries or None,
                                 since, today, version)
benchmark = insights.purchasing_benchmark(since, None, today, version)
st.markdown(f"**{fmt_int(summary['orders'])}** orders, **{fmt_int(summary['units'])}** units "
            f"with **{fmt_int(summary['factories'])}** factories"
            + (f" since {since:%d %b %Y}." if since else "."))
ctx = current_context(today)
left, right, _ = st.columns([1, 1, 1])
with left:
    extract_button(viewer, brand["code"], "purchase-orders", ctx,
                   label="Download these orders (CSV)")
with right:
    extract_button(viewer, brand["code"], "purchasing-indicators", ctx,
                   label="Download indicators by factory (CSV)")
if not benchmark:
    st.caption("No cross-brand benchmark: fewer than five brands have orders in this period.")


def _format(value: float, unit: str) -> str:
    if pd.isna(value):
        return "—"
    if unit == "%":
        return f"{value:.0f} %"
    if unit in ("ratio", "CV"):
        return f"{value:.2f}"
    return f"{value:,.0f} {UNITS[unit]}".strip()


def _delta(key: str) -> tuple[str | None, str]:
    spec = INDICATORS[key]
    mine, other = summary.get(key), benchmark.get(key)
    if other is None or pd.isna(other) or pd.isna(mine):
        return None, "off"
    diff = mine - other
    text = f"{diff:+.2f}" if spec.unit in ("ratio", "CV") else f"{diff:+.0f}"
    unit = "pts" if spec.unit == "%" else UNITS[spec.unit]  # a difference of % is in points
    text += f" {unit} vs all brands".replace("  ", " ")
    colour = {"lower": "inverse", "higher": "normal"}.get(spec.better, "off")
    if spec.better == "target":
        colour = "off"
    return text, colour


for category in BETTER_BUYING_CATEGORIES:
    keys = [k for k, spec in INDICATORS.items() if spec.category == category]
    if not keys:
        continue
    with st.container(border=True):
        st.markdown(f"**{category}**")
        for column, key in zip(st.columns(max(3, len(keys))), keys, strict=False):
            spec = INDICATORS[key]
            delta, colour = _delta(key)
            bench = benchmark.get(key, float("nan"))
            direction = {"lower": "lower is better", "higher": "higher is better",
                         "target": f"closest to {spec.target or 0:.0f} is best",
                         "neutral": "neither high nor low is better in itself"}[spec.better]
            column.metric(
                spec.label, _format(summary.get(key, float("nan")), spec.unit),
                delta=delta, delta_color=colour, border=False,
                help=f"{spec.formula}; {direction}. Median of all brands: "
                     f"{_format(bench, spec.unit)}. Source: {spec.source}. "
                     f"CFRPP principle: {spec.cfrpp_principle}.")
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
    trend = insights.order_trend(viewer, chosen_factories or None, chosen_countries or None,
                                 since, key, date_column, today, version)
    if trend["value"].notna().sum() == 0:
        empty_state("No values in this period.", "Choose a longer period.")
        return
    st.altair_chart(charts.monthly_trend(trend, spec.label, UNITS[spec.unit] or spec.unit,
                                         benchmark.get(key)), width="stretch")
    st.caption(f"{spec.formula}. Dashed line: median of all brands over the same period. "
               + ("Payment indicators are placed in the month of the invoice."
                  if key in PAYMENT_INDICATORS else "Orders placed in their confirmation month."))


trend_section()

st.subheader("Lead times")
measures = insights.order_measures_for(viewer, chosen_factories or None,
                                      chosen_countries or None, since, today, version)
required = orders.drop_duplicates("factory_id")["required_lead_time_days"].median()
st.altair_chart(charts.lead_time_histogram(measures, required), width="stretch")
st.caption("Red dashed line: the median lead time your factories say they need. Orders to the "
           "left of it leave the factory less time than it asked for.")

# ---- linkage ---------------------------------------------------------------------------------
st.subheader("Your practices and conditions in your factories")
st.caption("One point per assessed factory you ordered from: your practice towards it (all "
           "your orders) against the number of non-compliant questions in its latest "
           "assessment, for the clusters research links to purchasing practices.")
linked = insights.practices_and_conditions(viewer, today, version)
practices = {"late_change_share_pct": "Orders changed late (%)",
             "median_lead_time_days": "Median lead time (days)",
             "below_cost_share_pct": "Orders below cost (%)"}
clusters = {"WT_nc_questions": "Working Time", "COMP_nc_questions": "Compensation",
            "CHR_nc_questions": "Contracts and Human Resources"}
if linked.empty:
    empty_state("No assessed factory with orders.",
                "The link appears once your ordering factories have assessments.")
else:
    left, right = st.columns(2)
    x = left.selectbox("Your practice", list(practices), format_func=practices.get)
    y = right.selectbox("Non-compliant questions in", list(clusters), format_func=clusters.get)
    st.altair_chart(charts.practice_scatter(linked, x, practices[x], y,
                                            f"{clusters[y]}: non-compliant questions"),
                    width="stretch")
    result = rank_correlation(linked[x], linked[y], x_label=practices[x].lower(),
                              y_label=f"{clusters[y]} non-compliance")
    rho = "—" if pd.isna(result.rho) else f"{result.rho:+.2f}"
    p = "" if result.p_value is None else f", p = {result.p_value:.3f}"
    st.info(f"Spearman's rank correlation ρ = **{rho}** over **{result.n}** factories{p}. "
            f"{result.interpretation}", icon=":material/insights:")
