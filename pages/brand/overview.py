"""Brand overview: headline figures and cluster non-compliance against the country benchmark."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from metrics.compliance import portfolio_vs_benchmark
from metrics.countries import country_name
from metrics.portfolio import headline_figures, suppliers_by_country_status
from ui import charts, data, state
from ui.components import (
    Kpi,
    brand_or_stop,
    country_label,
    data_source_caption,
    empty_state,
    fmt_compact,
    fmt_int,
    fmt_pct,
    kpi_row,
)

viewer = state.viewer()
state.keep_only_params("countries")
version = data.data_version()
today = dt.date.today()

brand = brand_or_stop(viewer, version, title="Overview")

st.title(f"{brand['name']} — overview")
data_source_caption(data.dataset_state(version))

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
    Kpi("Assessed < 12 months ago", fmt_pct(figures.assessed_recently_pct),
        f"{fmt_int(figures.assessed_recently)} of {fmt_int(figures.active_suppliers)} suppliers "
        "have a Better Work assessment less than 365 days old."),
    Kpi("Never assessed", fmt_int(figures.never_assessed),
        "Active suppliers with no assessment on record."),
])

st.subheader("Non-compliance by cluster: your suppliers vs. their countries")
st.caption(
    "Share of factories non-compliant on at least one question of the cluster in their latest "
    "assessment. The benchmark pools every assessed factory in the same countries, whoever it "
    "sells to (Better Work's method)."
)
status = data.latest_cluster_status(viewer, version)
status = status[status["factory_id"].isin(suppliers["factory_id"])]
if status.empty:
    empty_state("None of these suppliers has been assessed yet.",
                "Assessment results appear here once Better Work assessments are imported.")
else:
    assessed_countries = tuple(sorted(status["country_code"].unique()))
    bench = data.country_cluster_benchmark(assessed_countries, version)
    table = portfolio_vs_benchmark(status, bench, data.clusters(version))
    st.altair_chart(
        charts.cluster_comparison(table, "Your suppliers", "Same countries, all factories"),
        width="stretch",
    )
    with st.expander("Figures as a table"):
        st.dataframe(
            table,
            hide_index=True,
            width="stretch",
            column_order=["cluster_name", "portfolio_assessed", "portfolio_non_compliant",
                          "portfolio_rate_pct", "benchmark_assessed", "benchmark_rate_pct",
                          "difference_pct_points"],
            column_config={
                "cluster_name": "Cluster",
                "portfolio_assessed": st.column_config.NumberColumn("Your factories assessed",
                                                                    format="%d"),
                "portfolio_non_compliant": st.column_config.NumberColumn(
                    "Your factories non-compliant", format="%d"),
                "portfolio_rate_pct": st.column_config.ProgressColumn(
                    "Your rate", format="%.0f %%", min_value=0, max_value=100),
                "benchmark_assessed": st.column_config.NumberColumn(
                    "Benchmark factories", format="%d"),
                "benchmark_rate_pct": st.column_config.ProgressColumn(
                    "Benchmark rate", format="%.0f %%", min_value=0, max_value=100),
                "difference_pct_points": st.column_config.NumberColumn(
                    "Difference (pct. points)", format="%+.1f",
                    help="Your rate minus the benchmark: negative is better."),
            },
        )

st.subheader("Where your suppliers are")
by_country = suppliers_by_country_status(suppliers, today)
by_country["country"] = by_country["country_code"].map(country_name)
st.altair_chart(charts.suppliers_by_country(by_country), width="stretch")
