"""Factory profile: facts, latest assessment against the country, trend, changes, plan, orders."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from data_access.errors import NotFound
from data_access.factories import DirectoryFilters, parse_factory_id
from metrics import zero_tolerance
from metrics.compliance import (
    CHANGE_NEW,
    CHANGE_REMEDIATED,
    changes_between,
    cluster_results,
)
from metrics.countries import country_name
from metrics.disclosure import format_published
from metrics.portfolio import REPORTING_WINDOW_MONTHS, within_reporting_window
from metrics.risk import HIGH, UNKNOWN, ZERO_TOLERANCE
from services import analysis
from ui import charts, data, insights, reference, state
from ui.components import (
    Kpi,
    bar_column,
    brand_or_stop,
    empty_state,
    fmt_int,
    fmt_pct,
    kpi_row,
    not_found,
    plain,
    plural,
)
from ui.downloads import current_context, extract_button
from ui.engagement_panel import engagement_panel
from ui.formatting import fmt_date, fmt_month
from ui.provenance_panel import provenance_panel, status_banner
from ui.purchasing_panel import purchasing_relationship

viewer = state.viewer()
state.keep_only_params("id")
version = data.data_version()
today = reference.figures_date(viewer, version)

brand = brand_or_stop(viewer, version, title="Factory profile")

suppliers = data.supplier_directory(
    viewer, DirectoryFilters(include_inactive=True, include_closed=True), today, version)
if suppliers.empty:
    st.title("Factory profile")
    empty_state("No suppliers yet.", "Import your facility list first.")
    st.stop()
names = dict(zip(suppliers["factory_id"], suppliers["name"] + " · "
                 + suppliers["country_code"].map(country_name), strict=True))

raw_id = st.query_params.get("id", st.session_state.get("profile_factory_id"))
if raw_id is None:
    st.title("Factory profile")
    # choosing writes ?id= (a callback), and the next run shows the profile with its own
    # title and "Switch factory": one title and one picker on the page at any time
    st.selectbox("Factory", list(names), format_func=names.get, index=None,
                 placeholder="Choose one of your suppliers…", key="profile_pick",
                 on_change=state.param_from_widget, args=("id", "profile_pick"))
    empty_state("No factory chosen.",
                "Pick a supplier above, or select one in the Suppliers table.")
    st.stop()
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
st.title(plain(profile["name"]), anchor=False)
reference.show_as_of(viewer, version, ("assessments", "orders", "facility_list"))
badges = [f"Tier {profile['tier']}" if profile["tier"] is not None and not pd.isna(profile["tier"])
          else "Tier not stated", country_name(profile["country_code"])]
badges.append("Publicly disclosed" if profile["publicly_disclosed"] else "Not disclosed")
if not profile["active"]:
    badges.append("Former supplier")
if profile["status"] != "active":
    badges.append("Closed" if profile["status"] == "closed" else "Moved")
st.caption(plain(" · ".join(badges)))
st.selectbox("Switch factory", list(names), index=list(names).index(factory_id),
             format_func=names.get, key="profile_switch",
             on_change=state.param_from_widget, args=("id", "profile_switch"))
# ---- closed or moved (issue 14) -------------------------------------------------------------
status_banner(viewer, profile, set(names), version)

facts = {
    "Address": profile["address"] or "—",
    "OS ID": profile["os_id"] or "— (not on Open Supply Hub)",
    "Parent company": profile["parent_company"] or "—",
    "Product type": profile["product_type"] or "—",
    "Facility type": profile["facility_type"] or "—",
    "Workers": fmt_int(profile["workers"]),
    "Women": fmt_pct(profile["women_pct"]),
    "Sourcing since": f"{fmt_date(profile['start_date'])}" if profile["start_date"] else "—",
}
with st.expander("Factory facts", expanded=True):
    cols = st.columns(4)
    for i, (label, value) in enumerate(facts.items()):
        cols[i % 4].markdown(f"**{label}**  \n{plain(value)}")
provenance_panel(viewer, factory_id, version)  # where each fact comes from (issue 14)

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
    Kpi("Last assessed", f"{fmt_date(latest['assessed_on'])}" if latest is not None else "Never",
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
    st.info(f"{plural(others, 'other brand')} source{'s' if others == 1 else ''} from this "
            "factory: "
            "consider coordinating remediation with them through Better Work.",
            icon=":material/handshake:")

risk = insights.risk_table(viewer, today, version)
mine = risk[risk["factory_id"] == factory_id] if not risk.empty else risk
if not mine.empty:  # active suppliers only: the ranking covers those
    ranked = mine.iloc[0]
    urgent = ranked["risk_level"] in (ZERO_TOLERANCE, HIGH, UNKNOWN)
    with st.expander(f"Risk level: {ranked['risk_level']} — why", expanded=urgent,
                     icon=":material/priority_high:" if urgent else ":material/info:"):
        st.markdown("\n".join(f"- {plain(sentence)}"
                               for sentence in ranked["reason_list"]))
        st.caption("The Risk ranking page lists every supplier this way.")

tab_latest, tab_trend, tab_plan, tab_orders = st.tabs(
    ["Latest assessment", "Trend and changes", "Improvement plan", "Your orders"])

# ---- latest assessment ---------------------------------------------------------------------
with tab_latest:
    if latest is None:
        empty_state("This factory has not been assessed.",
                    "Ask the factory to enrol in Better Work, or import an assessment.")
    else:
        country = country_name(profile["country_code"])
        no_cell = (f"not shown: no factory in {country} assessed in the last "
                   f"{REPORTING_WINDOW_MONTHS} months")
        if not within_reporting_window(pd.Series([latest["assessed_on"]]), today).iloc[0]:
            st.warning(
                f"This assessment is from {fmt_date(latest['assessed_on'])}, more than "
                f"{REPORTING_WINDOW_MONTHS} months ago: its findings may no longer describe the "
                "factory. It is left out of rates and benchmarks, and the factory's risk level "
                "is \u201cUnknown — needs assessment\u201d until a new assessment.",
                icon=":material/history:")
        findings_zt = analysis.zero_tolerance_states(
            data.zero_tolerance_findings(viewer, (factory_id,), today, version))
        if not findings_zt.empty:
            live = findings_zt[findings_zt["state"].isin(zero_tolerance.LIVE_STATES)]
            st.subheader("Zero-tolerance findings")
            if not live.empty:
                st.error(
                    f"{plural(len(live), 'zero-tolerance finding')} "
                    f"{'is' if len(live) == 1 else 'are'} not verified fixed: child labour, "
                    "forced labour, violence or an imminent danger, which Better Work acts on "
                    "at once. Ask the factory and Better Work what is being done now.",
                    icon=":material/report:")
            st.caption("Open: no fix reported. Reported fixed: the factory marked its plan item "
                       "completed, but no assessment has checked it yet. Verified fixed: a "
                       "later assessment found the question compliant.")
            st.dataframe(
                findings_zt, hide_index=True, width="stretch",
                column_order=["state", "issue", "question_text", "assessed_on",
                              "verified_on"],
                column_config={
                    "state": st.column_config.TextColumn("State", width="large"),
                    "issue": st.column_config.TextColumn("Issue", width="medium"),
                    "question_text": st.column_config.TextColumn("Question", width="large"),
                    "assessed_on": st.column_config.DateColumn("Found at the assessment of",
                                                               format="D MMM YYYY"),
                    "verified_on": st.column_config.DateColumn("Verified fixed on",
                                                               format="D MMM YYYY"),
                },
            )
        cells = insights.country_benchmark(viewer, (profile["country_code"],), today,
                                           "cluster", version).set_index("cluster_code")
        table = latest_clusters.assign(
            status=latest_clusters["non_compliant"].map({1: "Non-compliant", 0: "Compliant"}),
            country_value=[
                format_published(cells["rate_low_pct"].get(code), cells["rate_high_pct"].get(code),
                                 cells["publication"].get(code, "suppressed"),
                                 cells["note"].get(code, no_cell))
                for code in latest_clusters["cluster_code"]],
            found=latest_clusters["questions_non_compliant"].astype(str) + " of "
            + latest_clusters["questions_assessed"].astype(str),
        )
        st.subheader("By cluster, against the country")
        st.caption(
            f"Country benchmark: share of all factories in {country} assessed in the last "
            f"{REPORTING_WINDOW_MONTHS} months that are non-compliant on the cluster in their "
            "latest assessment (Better Work's method). A range is shown where an exact figure "
            "would let the results of other brands' factories be worked out.")
        st.dataframe(
            table, hide_index=True, width="stretch",
            column_order=["cluster_name", "status", "found", "compliance_pct",
                          "country_value"],
            column_config={
                "cluster_name": "Cluster", "status": "This factory",
                "found": "Questions non-compliant",
                "compliance_pct": bar_column("Compliance", higher_is="better"),
                "country_value": st.column_config.TextColumn(
                    "Country: factories non-compliant", width="medium"),
            },
        )
        st.subheader("Non-compliant compliance points and questions")
        cp_cells = insights.country_benchmark(viewer, (profile["country_code"],), today, "cp",
                                              version).set_index("cp_code")
        findings = data.question_findings(viewer, (int(latest["assessment_id"]),), True,
                                          version)
        latest_cp = cp[(cp["assessment_id"] == latest["assessment_id"])
                       & (cp["non_compliant"] == 1)]
        if latest_cp.empty:
            st.success("No non-compliance found in the latest assessment.")
        for cluster_name, group in latest_cp.groupby("cluster_name", sort=False):
            with st.expander(f"{plain(cluster_name)} — {len(group)} compliance point"
                             f"{'s' if len(group) != 1 else ''}"):
                for row in group.itertuples():
                    code = row.cp_code
                    country_value = format_published(
                        cp_cells["rate_low_pct"].get(code), cp_cells["rate_high_pct"].get(code),
                        cp_cells["publication"].get(code, "suppressed"),
                        cp_cells["note"].get(code, no_cell))
                    st.markdown(
                        f"**{plain(row.cp_name)}** — {row.questions_non_compliant} of "
                        f"{row.questions_assessed} questions non-compliant · country: "
                        + plain(country_value if "not shown" in country_value else
                                          f"{country_value} of factories non-compliant"))
                    for q in findings[findings["cp_code"] == code].itertuples():
                        marks = []
                        if q.zero_tolerance:
                            marks.append(":red-badge[zero tolerance]")
                        if q.public_disclosure:
                            marks.append(":orange-badge[public disclosure]")
                        mark = "".join(f" · {m}" for m in marks)
                        st.markdown(f"- {plain(q.question_text)}{mark}")
        st.caption(":red-badge[zero tolerance] marks child labour, forced labour, violence and "
                   "imminent dangers, which Better Work acts on at once; "
                   ":orange-badge[public disclosure] marks issues Better Work's Transparency "
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
                         f"({fmt_month(previous['assessed_on'])})")
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
        only_this = DirectoryFilters(factory_ids=(factory_id,), include_inactive=True,
                                     include_closed=True)
        extract_button(viewer, brand["code"], "improvement-plans",
                       replace(current_context(today), directory=only_this),
                       label="Download this plan (CSV)")

# ---- the brand's own orders ----------------------------------------------------------------
with tab_orders:
    purchasing_relationship(viewer, factory_id, profile, today, version)

# ---- the brand's engagement log (issue 16) --------------------------------------------------
engagement_panel(viewer, factory_id)
