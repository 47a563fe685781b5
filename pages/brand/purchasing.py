"""Purchasing practices: the brand's own conduct towards its suppliers, against other brands, and
its association with working conditions in those factories."""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from metrics.association import describe_link
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
from ui.components import (
    brand_or_stop,
    country_display_name,
    country_label,
    empty_state,
    fmt_int,
    name_of_id,
    plain,
)
from ui.downloads import current_context, extract_button
from ui.formatting import fmt_date, fmt_number, fmt_signed
from ui.i18n import N_, _, framework_name, ngettext
from ui.indicators import band_text, compare_with_band, format_value, unit_word

PERIODS = {"12": N_("Last 12 months"), "24": N_("Last 24 months"), "36": N_("Last 36 months"),
           "all": N_("All orders")}
KINDS = ("orders", "assessments", "facility_list")

viewer = state.viewer()
state.keep_only_params("countries", "period", "factories", reference.AS_OF_FILTER)
version = data.data_version()

st.title(_("Purchasing practices"))
brand = brand_or_stop(viewer, version)
st.caption(_(
    "{brand}'s own conduct as a buyer, computed from its purchase orders and grouped "
    "by Better Buying's categories. Research links late changes, short lead times and "
    "below-cost prices to excessive overtime and lower wages in factories. Each figure is "
    "shown next to the typical range of other brands in the programme (anonymous, and never "
    "including your own figure).").format(brand=plain(brand["name"])))

all_orders = data.purchase_orders(viewer, None, None, None, None, version)
if all_orders.empty:
    reference.show_as_of(viewer, version, KINDS)
    empty_state(_("No purchase orders yet."),
                _("An administrator can import your purchase orders (CSV). Until then this page "
                  "has nothing to measure."))
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
period_labels = {code: _(label) for code, label in PERIODS.items()}
cols[0].selectbox(_("Period"), list(PERIODS), key=state.filter_key("period"),
                  format_func=period_labels.get, help=_("Orders confirmed in this period, up to "
                                                        "the date the figures are computed as "
                                                        "of."))
cols[1].selectbox(_("Figures as of"), list(as_of_options),
                  key=state.filter_key(reference.AS_OF_FILTER), format_func=as_of_options.get,
                  help=_("The latest order data, or an earlier month end: figures are then "
                         "computed from your orders as they stood that day (later orders, "
                         "shipments, invoices and payments left out). A change to an order "
                         "recorded later still counts: the data does not say when a change was "
                         "made."))
cols[2].multiselect(_("Countries"), countries, key=state.filter_key("countries"),
                    format_func=country_label,
                    placeholder=_("All countries"))
cols[3].multiselect(_("Factories"), [str(i) for i in factory_names],
                    key=state.filter_key("factories"),
                    format_func=partial(name_of_id, factory_names),
                    placeholder=_("All factories"))
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
    empty_state(_("No orders match these filters."),
                _("Choose a longer period or fewer filters."))
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
        if country:
            st.caption(_("Other brands: their own orders in {country}, over the same period and "
                         "computed the same way, each as of its own latest order data (or the "
                         "month end you chose). Shown as the range around their median, only "
                         "where at least five other brands have a figure.").format(
                country=plain(country_display_name(country))))
        else:
            st.caption(_("Other brands: their own orders in all countries, over the same period "
                         "and computed the same way, each as of its own latest order data (or "
                         "the month end you chose). Shown as the range around their median, only "
                         "where at least five other brands have a figure."))
since = view.since
counts = {
    "orders": ngettext("**{n}** order", "**{n}** orders", int(summary["orders"])).format(
        n=fmt_int(summary["orders"])),
    "units": ngettext("**{n}** unit", "**{n}** units", int(summary["units"])).format(
        n=fmt_int(summary["units"])),
    "factories": ngettext("**{n}** factory", "**{n}** factories",
                          int(summary["factories"])).format(n=fmt_int(summary["factories"])),
}
if since:
    # Translators: "**120** orders, **45,000** units with **12** factories from 1 Nov 2025 to …"
    st.markdown(_("{orders}, {units} with {factories} from {since} to {until}.").format(
        **counts, since=fmt_date(since), until=fmt_date(as_of)))
else:
    st.markdown(_("{orders}, {units} with {factories} to {until}.").format(
        **counts, until=fmt_date(as_of)))
ctx = current_context(as_of)
left, right, _spare = st.columns([1, 1, 1])
with left:
    extract_button(viewer, brand["code"], "purchase-orders", ctx,
                   label=_("Download these orders (CSV)"))
with right:
    extract_button(viewer, brand["code"], "purchasing-indicators", ctx,
                   label=_("Download indicators by factory (CSV)"))
if no_benchmark:
    st.caption(_(no_benchmark))

for category in BETTER_BUYING_CATEGORIES:
    keys = [k for k, spec in INDICATORS.items() if spec.category == category]
    if not keys:
        continue
    with st.container(border=True):
        st.markdown(f"**{_(category)}**")
        for column, key in zip(st.columns(max(3, len(keys))), keys, strict=False):
            spec = INDICATORS[key]
            compared = compare_with_band(key, summary.get(key), benchmark.get(key))
            direction = {"lower": _("lower is better"), "higher": _("higher is better"),
                         "target": _("closest to {target} is best").format(
                             target=fmt_number(spec.target or 0, 0)),
                         "neutral": _("neither high nor low is better in itself")}[spec.better]
            others = band_text(benchmark.get(key), spec.unit)
            column.metric(
                _(spec.label), format_value(summary.get(key, float("nan")), spec.unit),
                delta=compared.text, delta_color=compared.colour, delta_arrow=compared.arrow,
                border=False,
                help=_("{formula}; {direction}. Other brands (typical range): {others}. "
                       "Source: {source}. CFRPP principle: {principle}.").format(
                    formula=_(spec.formula), direction=direction, others=others,
                    source=_(spec.source), principle=_(spec.cfrpp_principle)))
st.caption(_("Design & Development has no order-level indicator yet: it needs the sample and "
             "tech-pack dates that the order data does not carry."))


# ---- trends ----------------------------------------------------------------------------------
@st.fragment
def trend_section() -> None:
    st.subheader(_("Trend by month"))
    labels = {key: _(spec.label) for key, spec in INDICATORS.items()}
    key = st.selectbox(_("Indicator"), list(TREND_INDICATORS),
                       format_func=labels.get, key="trend_indicator")
    spec = INDICATORS[key]
    date_column = analysis.trend_date_column(key)
    trend = insights.order_trend(viewer, view, key, date_column, version)
    if trend["value"].notna().sum() == 0:
        empty_state(_("No values in this period."), _("Choose a longer period."))
        return
    lower = benchmark.get(key)
    band = None if lower is None or pd.isna(lower) else benchmark_band(lower, spec.unit)
    st.altair_chart(charts.monthly_trend(trend, _(spec.label), unit_word(spec.unit), band),
                    width="stretch")
    placed = (_("Payments are placed in the month of the invoice.")
              if date_column == "invoiced_on"
              else _("Orders are placed in their confirmation month."))
    stage = FINAL_WHEN[key]
    incomplete = int((~trend["complete"] & trend["value"].notna()).sum())
    if stage is None:
        note = _("Price and costing are fixed when an order is confirmed: every month is final.")
    else:
        pct, date = fmt_number(COMPLETE_COHORT_PCT, 0), fmt_date(as_of)
        hollow = {
            "shipped": _("Hollow triangles: months not yet complete — fewer than {pct} % of "
                         "their orders have shipped by {date}, so their value will still change "
                         "(the quickest orders come in first)."),
            "paid": _("Hollow triangles: months not yet complete — fewer than {pct} % of their "
                      "orders have been paid by {date}, so their value will still change (the "
                      "quickest orders come in first)."),
            "paid_or_due": _("Hollow triangles: months not yet complete — fewer than {pct} % of "
                             "their orders have been paid or fallen due by {date}, so their "
                             "value will still change (the quickest orders come in first)."),
        }[stage].format(pct=pct, date=date)
        compare_note = (ngettext("Compare only the filled points; {n} month not yet complete.",
                                 "Compare only the filled points; {n} months not yet complete.",
                                 incomplete).format(n=fmt_int(incomplete))
                        if incomplete else
                        _("Compare only the filled points; every month shown is complete."))
        note = f"{hollow} {compare_note}"
    parts = [_("{formula}.").format(formula=_(spec.formula)), placed, note]
    if band:
        parts.append(_("Shaded: the typical range of other brands over the whole period."))
    st.caption(" ".join(parts))


trend_section()

st.subheader(_("Lead times"))
measures = insights.order_measures_for(viewer, view, version)
required = insights.required_lead_time(viewer, view, version)
st.altair_chart(charts.lead_time_histogram(measures, required), width="stretch")
st.caption(_("Shipped orders only. Red dashed line: the median lead time your factories say "
             "they need. Orders to the left of it leave the factory less time than it asked "
             "for."))

# ---- linkage ---------------------------------------------------------------------------------
st.subheader(_("Your practices and conditions in your factories"))
st.caption(_("One point per assessed factory you ordered from: your practice towards it — only "
           "orders placed in the year before its latest assessment, so the practice comes "
           "before the conditions found — against the number of non-compliant questions in "
           "that assessment, for the clusters research links to purchasing practices. "
           "Factories with fewer than three such orders are left out. All your orders count, "
           "whatever period, country or factories are chosen above."))
linked = insights.practices_and_conditions(viewer, version)
practices = {"late_change_share_pct": _("Orders changed late (%)"),
             "median_lead_time_days": _("Median lead time (days)"),
             "below_cost_share_pct": _("Orders below cost (%)")}
# the clusters' names come from the framework data, in the session's language
clusters = {"WT_nc_questions": framework_name("WT"), "COMP_nc_questions": framework_name("COMP"),
            "CHR_nc_questions": framework_name("CHR")}
if linked.empty:
    empty_state(_("No assessed factory with enough orders before its assessment."),
                _("The link appears once factories you ordered from have assessments."))
else:
    left, right = st.columns(2)
    x = left.selectbox(_("Your practice"), list(practices), format_func=practices.get)
    y = right.selectbox(_("Non-compliant questions in"), list(clusters),
                        format_func=clusters.get)
    st.altair_chart(charts.practice_scatter(
        linked, x, practices[x], y,
        _("{cluster}: non-compliant questions").format(cluster=clusters[y])),
        width="stretch")
    comparisons = insights.link_comparisons(viewer, version)
    shares = linked.dropna(subset=[x, y])["share_of_capacity_pct"]
    # the statement's words for the figures (services.analysis.LINK_PRACTICES / LINK_OUTCOMES,
    # in the session's language)
    link_practices = {"late_change_share_pct": _("share of orders changed late"),
                      "median_lead_time_days": _("median lead time"),
                      "below_cost_share_pct": _("share of orders below cost")}
    link_outcomes = {key: _("{cluster} non-compliance").format(cluster=name)
                     for key, name in clusters.items()}
    st.info(describe_link(linked, x, link_practices.get(x, analysis.LINK_PRACTICES[x]), y,
                          link_outcomes.get(y, analysis.LINK_OUTCOMES[y]),
                          comparisons=comparisons,
                          capacity_share_pct=float(shares.median()) if len(shares) else None,
                          translate=_, signed=partial(fmt_signed, decimals=2)),
            icon=":material/insights:")
