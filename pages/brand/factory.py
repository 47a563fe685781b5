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
)
from metrics.countries import country_name
from metrics.portfolio import REPORTING_WINDOW_MONTHS, within_reporting_window
from metrics.risk import HIGH, UNKNOWN, ZERO_TOLERANCE
from services import analysis
from ui import charts, data, insights, reference, state, tables
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
)
from ui.downloads import current_context, extract_button
from ui.engagement_panel import engagement_panel
from ui.formatting import fmt_date, fmt_month
from ui.i18n import _, framework_name, localise_framework_names, ngettext
from ui.provenance_panel import provenance_panel, status_banner
from ui.purchasing_panel import purchasing_relationship

viewer = state.viewer()
state.keep_only_params("id")
version = data.data_version()
today = reference.figures_date(viewer, version)

brand = brand_or_stop(viewer, version, title=_("Factory profile"))

suppliers = data.supplier_directory(
    viewer, DirectoryFilters(include_inactive=True, include_closed=True), today, version)
if suppliers.empty:
    st.title(_("Factory profile"))
    empty_state(_("No suppliers yet."), _("Import your facility list first."))
    st.stop()
names = dict(zip(suppliers["factory_id"], suppliers["name"] + " · "
                 + suppliers["country_code"].map(country_name), strict=True))

raw_id = st.query_params.get("id", st.session_state.get("profile_factory_id"))
if raw_id is None:
    st.title(_("Factory profile"))
    # choosing writes ?id= (a callback), and the next run shows the profile with its own
    # title and "Switch factory": one title and one picker on the page at any time
    st.selectbox(_("Factory"), list(names), format_func=names.get, index=None,
                 placeholder=_("Choose one of your suppliers…"), key="profile_pick",
                 on_change=state.param_from_widget, args=("id", "profile_pick"))
    empty_state(_("No factory chosen."),
                _("Pick a supplier above, or select one in the Suppliers table."))
    st.stop()
try:
    factory_id = parse_factory_id(raw_id)
    profile = data.factory_profile(viewer, factory_id, version)
except NotFound as exc:
    st.title(_("Factory profile"))
    not_found(_(str(exc)))
    st.page_link("pages/brand/suppliers.py", label=_("Back to your suppliers"),
                 icon=":material/arrow_back:")
    st.stop()
st.session_state["profile_factory_id"] = factory_id
st.query_params["id"] = str(factory_id)

# ---- header --------------------------------------------------------------------------------
st.title(plain(profile["name"]), anchor=False)
reference.show_as_of(viewer, version, ("assessments", "orders", "facility_list"))
badges = [_("Tier {tier}").format(tier=profile["tier"])
          if profile["tier"] is not None and not pd.isna(profile["tier"])
          else _("Tier not stated"), country_name(profile["country_code"])]
badges.append(_("Publicly disclosed") if profile["publicly_disclosed"] else _("Not disclosed"))
if not profile["active"]:
    badges.append(_("Former supplier"))
if profile["status"] != "active":
    badges.append(_("Closed") if profile["status"] == "closed" else _("Moved"))
st.caption(plain(" · ".join(badges)))
st.selectbox(_("Switch factory"), list(names), index=list(names).index(factory_id),
             format_func=names.get, key="profile_switch",
             on_change=state.param_from_widget, args=("id", "profile_switch"))
# ---- closed or moved (issue 14) -------------------------------------------------------------
status_banner(viewer, profile, set(names), version)

facts = {
    _("Address"): profile["address"] or "—",
    _("OS ID"): profile["os_id"] or _("— (not on Open Supply Hub)"),
    _("Parent company"): profile["parent_company"] or "—",
    _("Product type"): profile["product_type"] or "—",
    _("Facility type"): profile["facility_type"] or "—",
    _("Workers"): fmt_int(profile["workers"]),
    _("Women"): fmt_pct(profile["women_pct"]),
    _("Sourcing since"): fmt_date(profile["start_date"]) if profile["start_date"] else "—",
}
with st.expander(_("Factory facts"), expanded=True):
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
clusters = insights.factory_cluster_results(viewer, factory_id, version)
latest_clusters = (clusters[clusters["assessment_id"] == latest["assessment_id"]]
                   if latest is not None else clusters.iloc[0:0])
questions = int(latest_clusters["questions_assessed"].sum()) if latest is not None else 0
violations = int(latest_clusters["questions_non_compliant"].sum()) if latest is not None else 0
kpi_row([
    Kpi(_("Last assessed"), fmt_date(latest["assessed_on"]) if latest is not None
        else _("Never"),
        # Translators: {kind} is the assessment's kind as the data names it
        _("Cycle {cycle}, {kind}").format(cycle=latest["cycle"], kind=latest["kind"])
        if latest is not None else _("No Better Work assessment on record.")),
    Kpi(_("Compliance"),
        fmt_pct(100 * (questions - violations) / questions) if questions else "—",
        ngettext("{compliant} of {n} question compliant in the latest assessment.",
                 "{compliant} of {n} questions compliant in the latest assessment.",
                 questions).format(compliant=fmt_int(questions - violations),
                                   n=fmt_int(questions))),
    Kpi(_("Non-compliant points"),
        fmt_int(cp[(cp["assessment_id"] == latest["assessment_id"])]["non_compliant"].sum())
        if latest is not None else "—",
        _("Compliance points with at least one non-compliant question.")),
    Kpi(_("Open plan items"), fmt_int(len(open_plan)),
        _("{n} overdue (past due date and not completed).").format(n=fmt_int(len(overdue)))),
    Kpi(_("Other buyers"), fmt_int(others),
        _("Other brands sourcing from this factory (names are never shown). Several buyers "
          "can support remediation jointly.")),
])
if others:
    st.info(ngettext("{n} other brand sources from this factory: consider coordinating "
                     "remediation with them through Better Work.",
                     "{n} other brands source from this factory: consider coordinating "
                     "remediation with them through Better Work.",
                     others).format(n=fmt_int(others)),
            icon=":material/handshake:")

risk = insights.risk_table(viewer, today, version)
mine = risk[risk["factory_id"] == factory_id] if not risk.empty else risk
if not mine.empty:  # active suppliers only: the ranking covers those
    ranked = mine.iloc[0]
    urgent = ranked["risk_level"] in (ZERO_TOLERANCE, HIGH, UNKNOWN)
    level = str(ranked["risk_level"])
    with st.expander(_("Risk level: {level} — why").format(level=_(level)),
                     expanded=urgent,
                     icon=":material/priority_high:" if urgent else ":material/info:"):
        st.markdown("\n".join(f"- {plain(sentence)}"
                               for sentence in tables.localised_reasons(mine).iloc[0]))
        st.caption(_("The Risk ranking page lists every supplier this way."))

tab_latest, tab_trend, tab_plan, tab_orders = st.tabs(
    [_("Latest assessment"), _("Trend and changes"), _("Improvement plan"), _("Your orders")])

# ---- latest assessment ---------------------------------------------------------------------
with tab_latest:
    if latest is None:
        empty_state(_("This factory has not been assessed."),
                    _("Ask the factory to enrol in Better Work, or import an assessment."))
    else:
        country = country_name(profile["country_code"])
        no_cell = _("not shown: no factory in {country} assessed in the last {months} "
                    "months").format(country=country, months=REPORTING_WINDOW_MONTHS)
        if not within_reporting_window(pd.Series([latest["assessed_on"]]), today).iloc[0]:
            st.warning(
                _("This assessment is from {date}, more than {months} months ago: its findings "
                  "may no longer describe the factory. It is left out of rates and benchmarks, "
                  "and the factory's risk level is \u201cUnknown — needs assessment\u201d until "
                  "a new assessment.").format(date=fmt_date(latest["assessed_on"]),
                                              months=REPORTING_WINDOW_MONTHS),
                icon=":material/history:")
        findings_zt = analysis.zero_tolerance_states(
            data.zero_tolerance_findings(viewer, (factory_id,), today, version))
        if not findings_zt.empty:
            live = findings_zt[findings_zt["state"].isin(zero_tolerance.LIVE_STATES)]
            st.subheader(_("Zero-tolerance findings"))
            if not live.empty:
                st.error(
                    ngettext("{n} zero-tolerance finding is not verified fixed: child labour, "
                             "forced labour, violence or an imminent danger, which Better Work "
                             "acts on at once. Ask the factory and Better Work what is being "
                             "done now.",
                             "{n} zero-tolerance findings are not verified fixed: child labour, "
                             "forced labour, violence or an imminent danger, which Better Work "
                             "acts on at once. Ask the factory and Better Work what is being "
                             "done now.", len(live)).format(n=fmt_int(len(live))),
                    icon=":material/report:")
            st.caption(_("Open: no fix reported. Reported fixed: the factory marked its plan "
                         "item completed, but no assessment has checked it yet. Verified fixed: "
                         "a later assessment found the question compliant."))
            st.dataframe(
                findings_zt.assign(state=findings_zt["state"].map(_, na_action="ignore")),
                hide_index=True, width="stretch",
                column_order=["state", "issue", "question_text", "assessed_on",
                              "verified_on"],
                column_config={
                    "state": st.column_config.TextColumn(_("State"), width="large"),
                    "issue": st.column_config.TextColumn(_("Issue"), width="medium"),
                    "question_text": st.column_config.TextColumn(_("Question"),
                                                                 width="large"),
                    "assessed_on": st.column_config.DateColumn(
                        _("Found at the assessment of"), format="D MMM YYYY"),
                    "verified_on": st.column_config.DateColumn(_("Verified fixed on"),
                                                               format="D MMM YYYY"),
                },
            )
        cells = insights.country_benchmark(viewer, (profile["country_code"],), today,
                                           "cluster", version).set_index("cluster_code")
        table = localise_framework_names(latest_clusters).assign(
            status=latest_clusters["non_compliant"].map({1: _("Non-compliant"),
                                                         0: _("Compliant")}),
            country_value=[
                insights.published_rate(cells["rate_low_pct"].get(code),
                                        cells["rate_high_pct"].get(code),
                                        cells["publication"].get(code, "suppressed"),
                                        profile["country_code"], missing=no_cell)
                for code in latest_clusters["cluster_code"]],
            found=[_("{found} of {assessed}").format(found=fmt_int(f), assessed=fmt_int(a))
                   for f, a in zip(latest_clusters["questions_non_compliant"],
                                   latest_clusters["questions_assessed"], strict=True)],
        )
        st.subheader(_("By cluster, against the country"))
        st.caption(
            _("Country benchmark: share of all factories in {country} assessed in the last "
              "{months} months that are non-compliant on the cluster in their latest "
              "assessment (Better Work's method). A range is shown where an exact figure would "
              "let the results of other brands' factories be worked out.").format(
                country=country, months=REPORTING_WINDOW_MONTHS))
        st.dataframe(
            table, hide_index=True, width="stretch",
            column_order=["cluster_name", "status", "found", "compliance_pct",
                          "country_value"],
            column_config={
                "cluster_name": st.column_config.TextColumn(_("Cluster")),
                "status": st.column_config.TextColumn(_("This factory")),
                "found": st.column_config.TextColumn(_("Questions non-compliant")),
                "compliance_pct": bar_column(_("Compliance"), higher_is="better"),
                "country_value": st.column_config.TextColumn(
                    _("Country: factories non-compliant"), width="medium"),
            },
        )
        st.subheader(_("Non-compliant compliance points and questions"))
        cp_cells = insights.country_benchmark(viewer, (profile["country_code"],), today, "cp",
                                              version).set_index("cp_code")
        findings = data.question_findings(viewer, (int(latest["assessment_id"]),), True,
                                          version)
        latest_cp = cp[(cp["assessment_id"] == latest["assessment_id"])
                       & (cp["non_compliant"] == 1)]
        if latest_cp.empty:
            st.success(_("No non-compliance found in the latest assessment."))
        for cluster_code, group in latest_cp.groupby("cluster_code", sort=False):
            with st.expander(ngettext("{cluster} — {n} compliance point",
                                      "{cluster} — {n} compliance points", len(group)).format(
                    cluster=plain(framework_name(cluster_code)), n=fmt_int(len(group)))):
                for row in group.itertuples():
                    code = row.cp_code
                    published = (cp_cells["publication"].get(code, "suppressed")
                                 != "suppressed" and not pd.isna(
                                     cp_cells["rate_low_pct"].get(code)))
                    country_value = insights.published_rate(
                        cp_cells["rate_low_pct"].get(code), cp_cells["rate_high_pct"].get(code),
                        cp_cells["publication"].get(code, "suppressed"),
                        profile["country_code"], missing=no_cell)
                    st.markdown(ngettext(
                        "**{point}** — {found} of {n} question non-compliant · country: "
                        "{country}",
                        "**{point}** — {found} of {n} questions non-compliant · country: "
                        "{country}", int(row.questions_assessed)).format(
                        point=plain(framework_name(code)),
                        found=fmt_int(row.questions_non_compliant),
                        n=fmt_int(row.questions_assessed),
                        country=plain(_("{rate} of factories non-compliant").format(
                            rate=country_value) if published else _(country_value))))
                    for q in findings[findings["cp_code"] == code].itertuples():
                        marks = []
                        if q.zero_tolerance:
                            marks.append(_(":red-badge[zero tolerance]"))
                        if q.public_disclosure:
                            marks.append(_(":orange-badge[public disclosure]"))
                        mark = "".join(f" · {m}" for m in marks)
                        st.markdown(f"- {plain(q.question_text)}{mark}")
        st.caption(_(":red-badge[zero tolerance] marks child labour, forced labour, violence "
                     "and imminent dangers, which Better Work acts on at once; "
                     ":orange-badge[public disclosure] marks issues Better Work's Transparency "
                     "Portal publishes by factory name."))

# ---- trend and changes ---------------------------------------------------------------------
with tab_trend:
    if len(assessments) < 1:
        empty_state(_("No assessments yet."), _("The trend appears after the first assessment."))
    else:
        trend = clusters.merge(assessments[["assessment_id", "cycle", "assessed_on"]],
                               on="assessment_id")
        st.subheader(_("Compliance per cluster across assessment cycles"))
        st.altair_chart(charts.cluster_trend(trend), width="stretch")
        if len(assessments) < 2:
            st.info(_("Only one assessment so far: changes appear after the next cycle."))
        else:
            previous = assessments.iloc[-2]
            changes = insights.changes_since(viewer, int(previous["assessment_id"]),
                                             int(latest["assessment_id"]), version)
            st.subheader(_("Changes since cycle {cycle} ({month})").format(
                cycle=previous["cycle"], month=fmt_month(previous["assessed_on"])))
            new = changes[changes["change"] == CHANGE_NEW]
            fixed = changes[changes["change"] == CHANGE_REMEDIATED]
            left, right = st.columns(2)
            left.metric(_("Newly non-compliant"), fmt_int(len(new)), border=True)
            right.metric(_("Remediated"), fmt_int(len(fixed)), border=True)
            for title, frame in ((CHANGE_NEW, new), (CHANGE_REMEDIATED, fixed)):
                if not frame.empty:
                    st.markdown(f"**{_(title)}**")  # i18n: ignore
                    st.dataframe(
                        localise_framework_names(frame), hide_index=True, width="stretch",
                        column_order=["cp_name", "question_text", "public_disclosure"],
                        column_config={
                            "cp_name": st.column_config.TextColumn(_("Compliance point")),
                            "question_text": st.column_config.TextColumn(_("Question")),
                            "public_disclosure": st.column_config.CheckboxColumn(
                                _("Public disclosure"))})

# ---- improvement plan ----------------------------------------------------------------------
with tab_plan:
    if plan.empty:
        empty_state(_("No improvement-plan items."),
                    _("Items appear once the factory's improvement plan is imported."))
    else:
        done = int((plan["status"] == "Completed").sum())
        st.progress(done / len(plan),
                    text=ngettext("{done} of {n} item completed · {overdue} overdue",
                                  "{done} of {n} items completed · {overdue} overdue",
                                  len(plan)).format(done=fmt_int(done), n=fmt_int(len(plan)),
                                                    overdue=fmt_int(len(overdue))))
        shown = plan.assign(overdue=(plan["status"] != "Completed")
                            & (plan["due_date"] < pd.Timestamp(today)))
        st.dataframe(
            localise_framework_names(shown).assign(
                status=shown["status"].map(_, na_action="ignore")),
            hide_index=True, width="stretch",
            column_order=["cycle", "cp_name", "action", "status", "due_date", "overdue",
                          "completed_on"],
            column_config={
                "cycle": st.column_config.NumberColumn(_("Cycle"), format="%d"),
                "cp_name": st.column_config.TextColumn(_("Compliance point")),
                "action": st.column_config.TextColumn(_("Action")),
                "status": st.column_config.TextColumn(_("Status")),
                "due_date": st.column_config.DateColumn(_("Due"), format="D MMM YYYY"),
                "overdue": st.column_config.CheckboxColumn(_("Overdue")),
                "completed_on": st.column_config.DateColumn(_("Completed"),
                                                            format="D MMM YYYY"),
            },
        )
        only_this = DirectoryFilters(factory_ids=(factory_id,), include_inactive=True,
                                     include_closed=True)
        extract_button(viewer, brand["code"], "improvement-plans",
                       replace(current_context(today), directory=only_this),
                       label=_("Download this plan (CSV)"))

# ---- the brand's own orders ----------------------------------------------------------------
with tab_orders:
    purchasing_relationship(viewer, factory_id, profile, today, version)

# ---- the brand's engagement log (issue 16) --------------------------------------------------
engagement_panel(viewer, factory_id)
