"""Factory profile: facts, latest assessment against the country, trend, changes, plan, orders."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pandas as pd
import streamlit as st

from data_access.errors import NotFound
from data_access.factories import DirectoryFilters, parse_factory_id
from metrics.compliance import (
    CHANGE_NEW,
    CHANGE_REMEDIATED,
    changes_between,
    cluster_results,
    pooled_rate,
)
from metrics.countries import country_name
from ui import charts, data, state
from ui.components import Kpi, brand_or_stop, empty_state, fmt_int, fmt_pct, kpi_row, not_found
from ui.downloads import current_context, extract_button
from ui.purchasing_panel import purchasing_relationship

viewer = state.viewer()
state.keep_only_params("id")
version = data.data_version()
today = dt.date.today()

brand = brand_or_stop(viewer, version, title="Factory profile")

suppliers = data.supplier_directory(viewer, DirectoryFilters(include_inactive=True), today,
                                    version)
if suppliers.empty:
    st.title("Factory profile")
    empty_state("No suppliers yet.", "Import your facility list first.")
    st.stop()
names = dict(zip(suppliers["factory_id"], suppliers["name"] + " · "
                 + suppliers["country_code"].map(country_name), strict=True))

raw_id = st.query_params.get("id", st.session_state.get("profile_factory_id"))
if raw_id is None:
    st.title("Factory profile")
    choice = st.selectbox("Factory", list(names), format_func=names.get, index=None,
                          placeholder="Choose one of your suppliers…")
    if choice is None:
        empty_state("No factory chosen.",
                    "Pick a supplier above, or select one in the Suppliers table.")
        st.stop()
    raw_id = choice
try:
    factory_id = parse_factory_id(raw_id)
    profile = data.factory_profile(viewer, factory_id, version)
except NotFound as exc:
    st.title("Factory profile")
    not_found(str(exc))
    st.page_link("pages/brand/suppliers.py", label="Back to your suppliers",
                 icon=":material/arrow_back:")
    st.stop()
st.session_state["profile_factory_id"] = factory_id
st.query_params["id"] = str(factory_id)

# ---- header --------------------------------------------------------------------------------
st.title(profile["name"])
badges = [f"Tier {profile['tier']}", country_name(profile["country_code"])]
badges.append("Publicly disclosed" if profile["publicly_disclosed"] else "Not disclosed")
if not profile["active"]:
    badges.append("Former supplier")
st.caption(" · ".join(badges))
st.selectbox("Switch factory", list(names), index=list(names).index(factory_id),
             format_func=names.get, key="profile_switch",
             on_change=state.param_from_widget, args=("id", "profile_switch"))

facts = {
    "Address": profile["address"] or "—",
    "OS ID": profile["os_id"] or "— (not on Open Supply Hub)",
    "Parent company": profile["parent_company"] or "—",
    "Product type": profile["product_type"] or "—",
    "Facility type": profile["facility_type"] or "—",
    "Workers": fmt_int(profile["workers"]),
    "Women": fmt_pct(profile["women_pct"]),
    "Sourcing since": f"{profile['start_date']:%d %b %Y}" if profile["start_date"] else "—",
}
with st.expander("Factory facts", expanded=True):
    cols = st.columns(4)
    for i, (label, value) in enumerate(facts.items()):
        cols[i % 4].markdown(f"**{label}**  \n{value}")

assessments = data.assessments_of(viewer, (factory_id,), version)
plan = data.improvement_plans(viewer, (factory_id,), version)
others = data.other_buyers_count(viewer, factory_id, version)
open_plan = plan[plan["status"] != "Completed"]
overdue = open_plan[open_plan["due_date"] < pd.Timestamp(today)]

latest = assessments.iloc[-1] if not assessments.empty else None
cp = data.compliance_point_results(viewer, (factory_id,), version)
clusters = cluster_results(cp)
latest_clusters = (clusters[clusters["assessment_id"] == latest["assessment_id"]]
                   if latest is not None else clusters.iloc[0:0])
questions = int(latest_clusters["questions_assessed"].sum()) if latest is not None else 0
violations = int(latest_clusters["questions_non_compliant"].sum()) if latest is not None else 0
kpi_row([
    Kpi("Last assessed", f"{latest['assessed_on']:%d %b %Y}" if latest is not None else "Never",
        f"Cycle {latest['cycle']}, {latest['kind']}" if latest is not None
        else "No Better Work assessment on record."),
    Kpi("Compliance", fmt_pct(100 * (questions - violations) / questions) if questions else "—",
        f"{fmt_int(questions - violations)} of {fmt_int(questions)} questions compliant in the "
        "latest assessment."),
    Kpi("Non-compliant points",
        fmt_int(cp[(cp["assessment_id"] == latest["assessment_id"])]["non_compliant"].sum())
        if latest is not None else "—",
        "Compliance points with at least one non-compliant question."),
    Kpi("Open plan items", fmt_int(len(open_plan)),
        f"{fmt_int(len(overdue))} overdue (past due date and not completed)."),
    Kpi("Other buyers", fmt_int(others),
        "Other brands sourcing from this factory (names are never shown). Several buyers can "
        "support remediation jointly."),
])
if others:
    st.info(f"{others} other brand{'s' if others != 1 else ''} source from this factory: "
            "consider coordinating remediation with them through Better Work.",
            icon=":material/handshake:")

tab_latest, tab_trend, tab_plan, tab_orders = st.tabs(
    ["Latest assessment", "Trend and changes", "Improvement plan", "Your orders"])

# ---- latest assessment ---------------------------------------------------------------------
with tab_latest:
    if latest is None:
        empty_state("This factory has not been assessed.",
                    "Ask the factory to enrol in Better Work, or import an assessment.")
    else:
        bench = data.country_cluster_benchmark((profile["country_code"],), version)
        bench_rate = pooled_rate(bench, ["cluster_code"]).set_index("cluster_code")
        table = latest_clusters.assign(
            status=latest_clusters["non_compliant"].map({1: "Non-compliant", 0: "Compliant"}),
            country_rate_pct=latest_clusters["cluster_code"].map(
                bench_rate["non_compliance_rate_pct"]),
            found=latest_clusters["questions_non_compliant"].astype(str) + " of "
            + latest_clusters["questions_assessed"].astype(str),
        )
        st.subheader("By cluster, against the country")
        st.caption(
            f"Country benchmark: share of all assessed factories in "
            f"{country_name(profile['country_code'])} non-compliant on the cluster in their "
            "latest assessment (Better Work's method).")
        st.dataframe(
            table, hide_index=True, width="stretch",
            column_order=["cluster_name", "status", "found", "compliance_pct",
                          "country_rate_pct"],
            column_config={
                "cluster_name": "Cluster", "status": "This factory",
                "found": "Questions non-compliant",
                "compliance_pct": st.column_config.ProgressColumn(
                    "Compliance", format="%.0f %%", min_value=0, max_value=100),
                "country_rate_pct": st.column_config.ProgressColumn(
                    "Country: factories non-compliant", format="%.0f %%", min_value=0,
                    max_value=100),
            },
        )
        st.subheader("Non-compliant compliance points and questions")
        cp_bench = data.country_compliance_point_benchmark((profile["country_code"],), version)
        cp_rate = pooled_rate(cp_bench, ["cp_code"]).set_index("cp_code")
        findings = data.question_findings(viewer, (int(latest["assessment_id"]),), True,
                                          version)
        latest_cp = cp[(cp["assessment_id"] == latest["assessment_id"])
                       & (cp["non_compliant"] == 1)]
        if latest_cp.empty:
            st.success("No non-compliance found in the latest assessment.")
        for cluster_name, group in latest_cp.groupby("cluster_name", sort=False):
            with st.expander(f"{cluster_name} — {len(group)} compliance point"
                             f"{'s' if len(group) != 1 else ''}"):
                for row in group.itertuples():
                    country = cp_rate["non_compliance_rate_pct"].get(row.cp_code)
                    st.markdown(
                        f"**{row.cp_name}** — {row.questions_non_compliant} of "
                        f"{row.questions_assessed} questions non-compliant · country: "
                        f"{fmt_pct(country)} of factories non-compliant")
                    for q in findings[findings["cp_code"] == row.cp_code].itertuples():
                        mark = " · :orange-badge[public disclosure]" if q.public_disclosure \
                            else ""
                        st.markdown(f"- {q.question_text}{mark}")
        st.caption(":orange-badge[public disclosure] marks issues Better Work's Transparency "
                   "Portal publishes by factory name.")

# ---- trend and changes ---------------------------------------------------------------------
with tab_trend:
    if len(assessments) < 1:
        empty_state("No assessments yet.", "The trend appears after the first assessment.")
    else:
        trend = clusters.merge(assessments[["assessment_id", "cycle", "assessed_on"]],
                               on="assessment_id")
        st.subheader("Compliance per cluster across assessment cycles")
        st.altair_chart(charts.cluster_trend(trend), width="stretch")
        if len(assessments) < 2:
            st.info("Only one assessment so far: changes appear after the next cycle.")
        else:
            previous = assessments.iloc[-2]
            both = data.question_findings(
                viewer, (int(previous["assessment_id"]), int(latest["assessment_id"])), False,
                version)
            changes = changes_between(
                both[both["assessment_id"] == previous["assessment_id"]],
                both[both["assessment_id"] == latest["assessment_id"]])
            st.subheader(f"Changes since cycle {previous['cycle']} "
                         f"({previous['assessed_on']:%b %Y})")
            new = changes[changes["change"] == CHANGE_NEW]
            fixed = changes[changes["change"] == CHANGE_REMEDIATED]
            left, right = st.columns(2)
            left.metric("Newly non-compliant", fmt_int(len(new)), border=True)
            right.metric("Remediated", fmt_int(len(fixed)), border=True)
            for title, frame in ((CHANGE_NEW, new), (CHANGE_REMEDIATED, fixed)):
                if not frame.empty:
                    st.markdown(f"**{title}**")
                    st.dataframe(frame, hide_index=True, width="stretch",
                                 column_order=["cp_name", "question_text", "public_disclosure"],
                                 column_config={"cp_name": "Compliance point",
                                                "question_text": "Question",
                                                "public_disclosure": "Public disclosure"})

# ---- improvement plan ----------------------------------------------------------------------
with tab_plan:
    if plan.empty:
        empty_state("No improvement-plan items.",
                    "Items appear once the factory's improvement plan is imported.")
    else:
        done = int((plan["status"] == "Completed").sum())
        st.progress(done / len(plan),
                    text=f"{done} of {len(plan)} items completed · {len(overdue)} overdue")
        shown = plan.assign(overdue=(plan["status"] != "Completed")
                            & (plan["due_date"] < pd.Timestamp(today)))
        st.dataframe(
            shown, hide_index=True, width="stretch",
            column_order=["cycle", "cp_name", "action", "status", "due_date", "overdue",
                          "completed_on"],
            column_config={
                "cycle": st.column_config.NumberColumn("Cycle", format="%d"),
                "cp_name": "Compliance point", "action": "Action", "status": "Status",
                "due_date": st.column_config.DateColumn("Due", format="D MMM YYYY"),
                "overdue": st.column_config.CheckboxColumn("Overdue"),
                "completed_on": st.column_config.DateColumn("Completed", format="D MMM YYYY"),
            },
        )
        only_this = DirectoryFilters(factory_ids=(factory_id,), include_inactive=True)
        extract_button(viewer, brand["code"], "improvement-plans",
                       replace(current_context(today), directory=only_this),
                       label="Download this plan (CSV)")

# ---- the brand's own orders ----------------------------------------------------------------
with tab_orders:
    purchasing_relationship(viewer, factory_id, profile, today, version)
