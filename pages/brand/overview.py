"""Brand overview: headline figures and cluster non-compliance against the country benchmark."""

from __future__ import annotations

import contextlib

import streamlit as st
from streamlit.errors import StreamlitAPIException

from metrics.compliance import (
    COMPARE_HIGHER,
    COMPARE_LOWER,
    COMPARE_NO_BENCHMARK,
    COMPARE_TOO_FEW,
    COMPARE_UNCLEAR,
)
from metrics.countries import country_name
from metrics.disclosure import MIN_OTHER_FACTORIES, format_published
from metrics.portfolio import (
    REPORTING_WINDOW_MONTHS,
    headline_figures,
    suppliers_by_country_status,
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
    profile_link,
    risk_badge,
    risk_label,
)
from ui.i18n import _, localise_framework_names, ngettext
from ui.tables import attention_list, level_label

viewer = state.viewer()
state.keep_only_params("countries")
version = data.data_version()
today = reference.figures_date(viewer, version)

brand = brand_or_stop(viewer, version, title=_("Overview"))

st.title(_("{brand} — overview").format(brand=plain(brand["name"])), anchor=False)
reference.show_as_of(viewer, version, ("assessments", "facility_list"))

all_suppliers = data.suppliers(viewer, version)
if all_suppliers.empty:
    empty_state(
        _("No active suppliers yet."),
        _("An administrator can import your facility list (Open Supply Hub columns) to link "
          "factories to your brand."),
    )
    st.stop()

countries = sorted(all_suppliers["country_code"].dropna().unique())
selected = state.list_filter("countries", countries)
st.multiselect(
    _("Countries"),
    options=countries,
    format_func=country_label,
    key=state.filter_key("countries"),
    placeholder=_("All countries"),
    help=_("Limit every figure on this page to suppliers in these countries. The choice is "
           "kept when you move between pages and is part of the page's link."),
)
selected = st.session_state[state.filter_key("countries")]
state.write_list_param("countries", selected)
suppliers = (all_suppliers[all_suppliers["country_code"].isin(selected)] if selected
             else all_suppliers)

figures = headline_figures(suppliers, today)
kpi_row([
    Kpi(_("Active suppliers"), fmt_int(figures.active_suppliers),
        _("Factories with an active sourcing relationship with your brand.")),
    Kpi(_("Countries"), fmt_int(figures.countries), _("Countries where those factories are.")),
    Kpi(_("Workers"), fmt_compact(figures.workers),
        _("{workers} workers reported by your suppliers; {women} women (weighted by "
          "workers).").format(workers=fmt_int(figures.workers),
                              women=fmt_pct(figures.women_pct))),
    Kpi(_("Recently assessed"), fmt_pct(figures.assessed_recently_pct),
        ngettext("Assessed less than 12 months ago: {n} of {total} supplier has a Better Work "
                 "assessment less than 365 days old.",
                 "Assessed less than 12 months ago: {n} of {total} suppliers have a Better "
                 "Work assessment less than 365 days old.", figures.active_suppliers).format(
            n=fmt_int(figures.assessed_recently), total=fmt_int(figures.active_suppliers))),
    Kpi(_("Never assessed"), fmt_int(figures.never_assessed),
        _("Active suppliers with no assessment on record.")),
])

# ---- where to look first: the top of the risk ranking ---------------------------------------
st.subheader(_("Suppliers needing attention"))
ranking = insights.risk_table(viewer, today, version)
ranking = ranking[ranking["factory_id"].isin(suppliers["factory_id"])]
urgent = attention_list(ranking)
if urgent.empty:
    st.success(_("No supplier needs attention now: none has a zero-tolerance finding, a high "
                 "risk score or an assessment that is missing or too old."),
               icon=":material/check_circle:")
else:
    st.caption(ngettext("The first {n} supplier of the risk ranking, with the main reason for "
                        "each. Open a profile to see everything about the factory.",
                        "The first {n} suppliers of the risk ranking, with the main reason for "
                        "each. Open a profile to see everything about the factory.",
                        len(urgent)).format(n=fmt_int(len(urgent))))
    with st.container(border=True):
        for row in urgent.itertuples():
            left, right = st.columns([3, 7], vertical_alignment="center")
            profile_link(left, row.factory_id, plain(row.name))
            badge = risk_badge(row.risk_level).replace(plain(risk_label(row.risk_level)),
                                                       plain(level_label(row.risk_level)))
            right.markdown(f"{badge} {plain(row.main_reason)}")
    with contextlib.suppress(StreamlitAPIException):  # outside the app's navigation
        st.page_link("pages/brand/risk.py", label=_("See the whole risk ranking"),
                     icon=":material/arrow_forward:")

st.subheader(_("Non-compliance by cluster: your suppliers vs. their countries"))
st.caption(
    _("Share of factories non-compliant on at least one question of the cluster in their "
      "latest assessment, counting only assessments from the last {months} months. The "
      "benchmark pools every assessed factory in the same countries, whoever it sells to "
      "(Better Work's method). The line across each bar is its range: for your suppliers, where "
      "the rate could lie by chance alone (95 %); for the benchmark, a range shown instead of "
      "an exact figure so that no other brand's factory can be worked out from it.").format(
        months=REPORTING_WINDOW_MONTHS)
)
status, current, table = insights.portfolio_comparison(viewer, tuple(selected), today, version)
outdated = status.loc[~status.index.isin(current.index), "factory_id"].nunique()
if status.empty:
    empty_state(_("None of these suppliers has been assessed yet."),
                _("Assessment results appear here once Better Work assessments are imported."))
elif current.empty:
    empty_state(_("None of these suppliers has an assessment from the last {months} "
                  "months.").format(months=REPORTING_WINDOW_MONTHS),
                _("Older assessments may no longer describe the factories, so they are not "
                  "compared. Ask Better Work when they are next due."))
else:
    table = localise_framework_names(table)
    st.altair_chart(
        charts.cluster_comparison(table, _("Your suppliers"), _("Same countries, all factories")),
        width="stretch",
    )
    notes = []
    if outdated:
        notes.append(ngettext("{n} supplier with an assessment older than {months} months is "
                              "left out of both sides.",
                              "{n} suppliers with an assessment older than {months} months are "
                              "left out of both sides.", outdated).format(
            n=fmt_int(outdated), months=REPORTING_WINDOW_MONTHS))
    left_out = sorted({code for codes in table["benchmark_left_out"] for code in codes})
    if left_out:
        notes.append(_("Not in the benchmark, so that other brands' factories stay "
                       "confidential: {countries} (fewer than {min} assessed factories besides "
                       "yours).").format(countries=", ".join(country_name(c) for c in left_out),
                                         min=MIN_OTHER_FACTORIES))
    too_few = table["comparison"] == COMPARE_TOO_FEW
    if too_few.any():
        notes.append(_("Clusters with fewer than {min} of your factories assessed are not "
                       "compared: a rate over so few factories can move by tens of points by "
                       "chance.").format(min=MIN_GROUP_FOR_RATE))
    if notes:
        st.caption(" ".join(notes))
    # the verdicts are English values of metrics.compliance: in words of the session's language
    verdicts = {COMPARE_HIGHER: _("Higher than the benchmark"),
                COMPARE_LOWER: _("Lower than the benchmark"),
                COMPARE_UNCLEAR: _("No clear difference"),
                COMPARE_TOO_FEW: _("Too few to compare"),
                COMPARE_NO_BENCHMARK: _("No benchmark")}
    shown = table.assign(
        portfolio_range=[format_range(lo, hi) for lo, hi in
                         zip(table["portfolio_low_pct"], table["portfolio_high_pct"],
                             strict=True)],
        comparison=table["comparison"].map(verdicts).fillna(table["comparison"]),
        benchmark_value=[format_published(lo, hi, pub, _("not shown")) for lo, hi, pub in
                         zip(table["benchmark_low_pct"], table["benchmark_high_pct"],
                             table["benchmark_publication"], strict=True)],
    )
    with st.expander(_("Figures as a table")):
        st.dataframe(
            shown,
            hide_index=True,
            width="stretch",
            column_order=["cluster_name", "portfolio_assessed", "portfolio_non_compliant",
                          "portfolio_rate_pct", "portfolio_range", "benchmark_assessed",
                          "benchmark_value", "comparison", "difference_pct_points"],
            column_config={
                "cluster_name": st.column_config.TextColumn(_("Cluster")),
                "portfolio_assessed": st.column_config.NumberColumn(
                    _("Your factories assessed"), format="%d"),
                "portfolio_non_compliant": st.column_config.NumberColumn(
                    _("Your factories non-compliant"), format="%d"),
                "portfolio_rate_pct": st.column_config.NumberColumn(
                    _("Your rate"), format="%.0f %%"),
                "portfolio_range": st.column_config.TextColumn(
                    _("Your 95 % range"),
                    help=_("Where your rate could lie by chance alone (Wilson interval).")),
                "benchmark_assessed": st.column_config.NumberColumn(
                    _("Benchmark factories"), format="%d"),
                "benchmark_value": st.column_config.TextColumn(
                    _("Benchmark rate"),
                    help=_("A range where an exact figure would let the results of other "
                           "brands' factories be worked out.")),
                "comparison": st.column_config.TextColumn(
                    _("Compared with the benchmark"),
                    help=_("Higher or lower only when the benchmark lies outside your 95 % "
                           "range; fewer than {min} factories: too few to compare.").format(
                        min=MIN_GROUP_FOR_RATE)),
                "difference_pct_points": st.column_config.NumberColumn(
                    _("Difference (pct. points)"), format="%+.1f",
                    help=_("Your rate minus the benchmark (the middle of its range): negative "
                           "is better. Empty when the two cannot be compared.")),
            },
        )

st.subheader(_("Where your suppliers are"))
by_country = suppliers_by_country_status(suppliers, today)
by_country["country"] = by_country["country_code"].map(country_name)
st.altair_chart(charts.suppliers_by_country(by_country), width="stretch")
