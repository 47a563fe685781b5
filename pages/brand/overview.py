"""Brand overview: headline figures and cluster non-compliance against the country benchmark."""

from __future__ import annotations

import contextlib

import streamlit as st
from streamlit.errors import StreamlitAPIException

from metrics.compliance import COMPARE_TOO_FEW, portfolio_vs_benchmark
from metrics.countries import country_name
from metrics.disclosure import MIN_OTHER_FACTORIES, format_published
from metrics.portfolio import (
    REPORTING_WINDOW_MONTHS,
    headline_figures,
    suppliers_by_country_status,
    within_reporting_window,
)
from metrics.stats import MIN_GROUP_FOR_RATE, format_range
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
    plural,
    profile_link,
    risk_badge,
)
from ui.tables import attention_list

viewer = state.viewer()
state.keep_only_params("countries")
version = data.data_version()
today = reference.figures_date(viewer, version)

brand = brand_or_stop(viewer, version, title="Overview")

st.title(f"{plain(brand['name'])} — overview", anchor=False)
reference.show_as_of(viewer, version, ("assessments", "facility_list"))

all_suppliers = data.suppliers(viewer, version)
if all_suppliers.empty:
    empty_state(
        "No active suppliers yet.",
        "An administrator can import your facility list (Open Supply Hub columns) to link "
        "factories to your brand.",
    )
    st.stop()

countries = sorted(all_suppliers["country_code"].dropna().unique())
selected = state.list_filter("countries", countries)
st.multiselect(
    "Countries",
    options=countries,
    format_func=country_label,
    key=state.filter_key("countries"),
    placeholder="All countries",
    help="Limit every figure on this page to suppliers in these countries. The choice is kept "
    "when you move between pages and is part of the page's link.",
)
selected = st.session_state[state.filter_key("countries")]
state.write_list_param("countries", selected)
suppliers = (all_suppliers[all_suppliers["country_code"].isin(selected)] if selected
             else all_suppliers)

figures = headline_figures(suppliers, today)
kpi_row([
    Kpi("Active suppliers", fmt_int(figures.active_suppliers),
        "Factories with an active sourcing relationship with your brand."),
    Kpi("Countries", fmt_int(figures.countries), "Countries where those factories are."),
    Kpi("Workers", fmt_compact(figures.workers),
        f"{fmt_int(figures.workers)} workers reported by your suppliers; "
        f"{fmt_pct(figures.women_pct)} women (weighted by workers)."),
    Kpi("Recently assessed", fmt_pct(figures.assessed_recently_pct),
        f"Assessed less than 12 months ago: {fmt_int(figures.assessed_recently)} of "
        f"{fmt_int(figures.active_suppliers)} suppliers have a Better Work assessment less "
        "than 365 days old."),
    Kpi("Never assessed", fmt_int(figures.never_assessed),
        "Active suppliers with no assessment on record."),
])

# ---- where to look first: the top of the risk ranking ---------------------------------------
st.subheader("Suppliers needing attention")
ranking = insights.risk_table(viewer, today, version)
ranking = ranking[ranking["factory_id"].isin(suppliers["factory_id"])]
urgent = attention_list(ranking)
if urgent.empty:
    st.success("No supplier needs attention now: none has a zero-tolerance finding, a high "
               "risk score or an assessment that is missing or too old.",
               icon=":material/check_circle:")
else:
    st.caption(f"The first {plural(len(urgent), 'supplier')} of the risk ranking, with the "
               "main reason for each. Open a profile to see everything about the factory.")
    with st.container(border=True):
        for row in urgent.itertuples():
            left, right = st.columns([3, 7], vertical_alignment="center")
            profile_link(left, row.factory_id, plain(row.name))
            right.markdown(f"{risk_badge(row.risk_level)} {plain(row.main_reason)}")
    with contextlib.suppress(StreamlitAPIException):  # outside the app's navigation
        st.page_link("pages/brand/risk.py", label="See the whole risk ranking",
                     icon=":material/arrow_forward:")

st.subheader("Non-compliance by cluster: your suppliers vs. their countries")
st.caption(
    "Share of factories non-compliant on at least one question of the cluster in their latest "
    f"assessment, counting only assessments from the last {REPORTING_WINDOW_MONTHS} months. "
    "The benchmark pools every assessed factory in the same countries, whoever it sells to "
    "(Better Work's method). The line across each bar is its range: for your suppliers, where "
    "the rate could lie by chance alone (95 %); for the benchmark, a range shown instead of an "
    "exact figure so that no other brand's factory can be worked out from it."
)
status = data.latest_cluster_status(viewer, version)
status = status[status["factory_id"].isin(suppliers["factory_id"])]
current = status[within_reporting_window(status["assessed_on"], today)]
outdated = status.loc[~status.index.isin(current.index), "factory_id"].nunique()
if status.empty:
    empty_state("None of these suppliers has been assessed yet.",
                "Assessment results appear here once Better Work assessments are imported.")
elif current.empty:
    empty_state(f"None of these suppliers has an assessment from the last "
                f"{REPORTING_WINDOW_MONTHS} months.",
                "Older assessments may no longer describe the factories, so they are not "
                "compared. Ask Better Work when they are next due.")
else:
    assessed_countries = tuple(sorted(current["country_code"].unique()))
    cells = insights.country_benchmark(viewer, assessed_countries, today, "cluster", version)
    table = portfolio_vs_benchmark(current, cells, data.clusters(version))
    st.altair_chart(
        charts.cluster_comparison(table, "Your suppliers", "Same countries, all factories"),
        width="stretch",
    )
    notes = []
    if outdated:
        notes.append(f"{plural(outdated, 'supplier')} with an assessment older than "
                     f"{REPORTING_WINDOW_MONTHS} months {'is' if outdated == 1 else 'are'} left "
                     "out of both sides.")
    left_out = sorted({code for codes in table["benchmark_left_out"] for code in codes})
    if left_out:
        notes.append("Not in the benchmark, so that other brands' factories stay confidential: "
                     + ", ".join(country_name(c) for c in left_out) + " (fewer than "
                     f"{MIN_OTHER_FACTORIES} assessed factories besides yours).")
    too_few = table["comparison"] == COMPARE_TOO_FEW
    if too_few.any():
        notes.append(f"Clusters with fewer than {MIN_GROUP_FOR_RATE} of your factories assessed "
                     "are not compared: a rate over so few factories can move by tens of "
                     "points by chance.")
    if notes:
        st.caption(" ".join(notes))
    shown = table.assign(
        portfolio_range=[format_range(lo, hi) for lo, hi in
                         zip(table["portfolio_low_pct"], table["portfolio_high_pct"],
                             strict=True)],
        benchmark_value=[format_published(lo, hi, pub, "not shown") for lo, hi, pub in
                         zip(table["benchmark_low_pct"], table["benchmark_high_pct"],
                             table["benchmark_publication"], strict=True)],
    )
    with st.expander("Figures as a table"):
        st.dataframe(
            shown,
            hide_index=True,
            width="stretch",
            column_order=["cluster_name", "portfolio_assessed", "portfolio_non_compliant",
                          "portfolio_rate_pct", "portfolio_range", "benchmark_assessed",
                          "benchmark_value", "comparison", "difference_pct_points"],
            column_config={
                "cluster_name": "Cluster",
                "portfolio_assessed": st.column_config.NumberColumn("Your factories assessed",
                                                                    format="%d"),
                "portfolio_non_compliant": st.column_config.NumberColumn(
                    "Your factories non-compliant", format="%d"),
                "portfolio_rate_pct": st.column_config.NumberColumn(
                    "Your rate", format="%.0f %%"),
                "portfolio_range": st.column_config.TextColumn(
                    "Your 95 % range",
                    help="Where your rate could lie by chance alone (Wilson interval)."),
                "benchmark_assessed": st.column_config.NumberColumn(
                    "Benchmark factories", format="%d"),
                "benchmark_value": st.column_config.TextColumn(
                    "Benchmark rate",
                    help="A range where an exact figure would let the results of other "
                         "brands' factories be worked out."),
                "comparison": st.column_config.TextColumn(
                    "Compared with the benchmark",
                    help="Higher or lower only when the benchmark lies outside your 95 % "
                         f"range; fewer than {MIN_GROUP_FOR_RATE} factories: too few to "
                         "compare."),
                "difference_pct_points": st.column_config.NumberColumn(
                    "Difference (pct. points)", format="%+.1f",
                    help="Your rate minus the benchmark (the middle of its range): negative "
                         "is better. Empty when the two cannot be compared."),
            },
        )

st.subheader("Where your suppliers are")
by_country = suppliers_by_country_status(suppliers, today)
by_country["country"] = by_country["country_code"].map(country_name)
st.altair_chart(charts.suppliers_by_country(by_country), width="stretch")
