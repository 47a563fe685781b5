"""Compare two to six factories side by side, each against its own country benchmark."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from data_access.errors import NotFound
from data_access.factories import DirectoryFilters
from metrics.countries import country_name
from metrics.portfolio import REPORTING_WINDOW_MONTHS
from ui import charts, data, insights, reference, state
from ui.components import (
    bar_column,
    brand_or_stop,
    empty_state,
    fmt_int,
    not_found,
    plain,
    risk_label,
)
from ui.downloads import current_context, extract_button
from ui.i18n import _, localise_framework_names, ngettext

MIN_FACTORIES, MAX_FACTORIES = 2, 6
KEY = "compare_ids"

viewer = state.viewer()
state.keep_only_params("ids")
version = data.data_version()
today = reference.figures_date(viewer, version)

st.title(_("Compare factories"))
brand = brand_or_stop(viewer, version)
reference.show_as_of(viewer, version, ("assessments", "facility_list"))

suppliers = data.supplier_directory(viewer, DirectoryFilters(include_inactive=True,
                                                             include_closed=True), today,
                                    version)
names = dict(zip(suppliers["factory_id"], suppliers["name"] + " · "
                 + suppliers["country_code"].map(country_name), strict=True))

if KEY not in st.session_state:
    requested, malformed = state.id_list_param("ids", MAX_FACTORIES + 1)
    unknown = [i for i in requested if i not in names]
    if unknown or malformed:
        not_found(_("Some factories in this link were not found among your suppliers; they "
                    "are left out."))
    st.session_state[KEY] = [i for i in requested if i in names][:MAX_FACTORIES]
st.session_state[KEY] = [i for i in st.session_state[KEY] if i in names]

st.multiselect(
    _("Factories"), list(names), key=KEY, format_func=names.get, max_selections=MAX_FACTORIES,
    placeholder=_("Choose two to six of your suppliers…"),
    help=_("Choose factories here, or select rows in the Suppliers table and press Compare."),
)
chosen: list[int] = list(st.session_state[KEY])
state.write_param("ids", ",".join(map(str, chosen)))
if len(chosen) < MIN_FACTORIES:
    empty_state(_("Choose at least two factories."),
                _("Comparing is most useful for factories making similar products, e.g. when "
                  "deciding where to place a style."))
    st.stop()

try:
    compared = insights.comparison(viewer, tuple(chosen), today, version)
except NotFound as exc:
    not_found(_(str(exc)))
    st.stop()
brief, labels, latest, latest_cp, clusters, summary = (
    compared.brief, compared.labels, compared.latest, compared.latest_cp, compared.clusters,
    compared.summary)
countries = tuple(sorted(brief["country_code"].unique()))
cells = insights.country_benchmark(viewer, countries, today, "cluster", version)
cells = cells.assign(country_rate=[
    insights.published_rate(lo, hi, pub, code)
    for lo, hi, pub, code in
    zip(cells["rate_low_pct"], cells["rate_high_pct"], cells["publication"],
        cells["country_code"], strict=True)])
cluster_ref = data.clusters(version)
order = [labels[i] for i in chosen]

# ---- summary table -------------------------------------------------------------------------
summary["risk"] = summary["risk_level"].map(risk_label, na_action=None)
summary["country"] = summary["country_code"].map(country_name)
st.dataframe(
    summary, hide_index=True, width="stretch",
    column_order=["factory", "risk", "risk_score", "zero_tolerance", "compliance_pct",
                  "late_change_share_pct", "below_cost_share_pct", "share_of_capacity_pct",
                  "country", "tier", "workers", "women_pct", "assessed_on", "outdated", "cycle",
                  "clusters_nc", "non_compliant_cps", "open_items", "overdue_items",
                  "plan_done_pct"],
    column_config={
        "factory": st.column_config.TextColumn(_("Factory")),
        "risk": st.column_config.TextColumn(
            _("Risk"), width="medium",
            help=_("The factory's level on the Risk ranking page (former and closed suppliers "
                   "are not ranked).")),
        "risk_score": bar_column(_("Risk score"), higher_is="worse", format="%.0f",
                                 help=_("0 to 100: orders factories within a risk level.")),
        "late_change_share_pct": st.column_config.NumberColumn(
            _("Orders changed late"), format="%.0f %%",
            help=_("Your orders at this factory changed after confirmation in the last two "
                   "years.")),
        "below_cost_share_pct": st.column_config.NumberColumn(
            _("Orders below cost"), format="%.0f %%",
            help=_("Your orders at this factory priced below its stated cost.")),
        "share_of_capacity_pct": st.column_config.NumberColumn(
            _("Your share of its output"), format="%.0f %%",
            help=_("Your orders as a share of the factory's annual output.")),
        "country": st.column_config.TextColumn(_("Country")),
        "tier": st.column_config.NumberColumn(_("Tier"), format="%d"),
        "workers": st.column_config.NumberColumn(_("Workers"), format="localized"),
        "women_pct": st.column_config.NumberColumn(_("Women"), format="%.0f %%"),
        "assessed_on": st.column_config.DateColumn(_("Last assessed"), format="D MMM YYYY"),
        "outdated": st.column_config.CheckboxColumn(
            _("Older than {months} months").format(months=REPORTING_WINDOW_MONTHS),
            help=_("Its latest assessment is outside the reporting window: its figures may no "
                   "longer describe the factory.")),
        "cycle": st.column_config.NumberColumn(_("Cycle"), format="%d"),
        "zero_tolerance": st.column_config.NumberColumn(
            _("Zero-tolerance findings"), format="%d",
            help=_("Child labour, forced labour, violence or imminent danger found and not yet "
                   "verified fixed by a later assessment (open, or reported fixed by the "
                   "factory). See the factory's profile.")),
        "compliance_pct": bar_column(_("Compliance"), higher_is="better"),
        "clusters_nc": st.column_config.NumberColumn(_("Clusters non-compliant"),
                                                     format="%d"),
        "non_compliant_cps": st.column_config.NumberColumn(_("Points non-compliant"),
                                                           format="%d"),
        "open_items": st.column_config.NumberColumn(_("Open plan items"), format="%d"),
        "overdue_items": st.column_config.NumberColumn(_("Overdue"), format="%d"),
        "plan_done_pct": bar_column(
            _("Plan completed"), higher_is="better",
            help=_("Share of all improvement-plan items completed.")),
    },
)
never = [labels[i] for i in chosen if i not in set(latest["factory_id"])]
if never:
    st.warning(_("Never assessed (their cells show as not assessed): {factories}").format(
        factories=", ".join(plain(n) for n in never)))
old_ones = summary.loc[summary["outdated"], "factory"].tolist()
if old_ones:
    st.warning(ngettext("{n} of {total} factories' figures rests on an assessment older than "
                        "{months} months, which may no longer describe them: {factories}",
                        "{n} of {total} factories' figures rest on an assessment older than "
                        "{months} months, which may no longer describe them: {factories}",
                        len(old_ones)).format(
        n=fmt_int(len(old_ones)), total=fmt_int(len(chosen)), months=REPORTING_WINDOW_MONTHS,
        factories=", ".join(plain(n) for n in old_ones)),
               icon=":material/history:")

# ---- clusters: heat map + country benchmark ------------------------------------------------
st.subheader(_("Clusters in the latest assessment"))
st.caption(_("✗ non-compliant on at least one question of the cluster (the number is how many "
             "questions), ✓ compliant, – not assessed. Hover a cell for the country benchmark."))
grid = pd.MultiIndex.from_product([chosen, list(cluster_ref["cluster_code"])],
                                  names=["factory_id", "cluster_code"]).to_frame(index=False)
grid = grid.merge(localise_framework_names(cluster_ref), on="cluster_code").merge(
    clusters[["factory_id", "cluster_code", "non_compliant", "questions_non_compliant",
              "questions_assessed"]], on=["factory_id", "cluster_code"], how="left")
grid = grid.merge(brief[["factory_id", "country_code"]], on="factory_id").merge(
    cells[["country_code", "cluster_code", "country_rate"]],
    on=["country_code", "cluster_code"], how="left")
grid["country_rate"] = grid["country_rate"].fillna(
    _("not shown: no factory in the country assessed in the last {months} months").format(
        months=REPORTING_WINDOW_MONTHS))
grid["status"] = grid["non_compliant"].map({1: "Non-compliant", 0: "Compliant"}).fillna(
    "Not assessed")
grid["factory"] = grid["factory_id"].map(labels)
grid = grid.rename(columns={"sort_order": "cluster_order"})
st.altair_chart(charts.comparison_heatmap(grid, order), width="stretch")
with st.expander(_("Country benchmarks")):
    bench_table = grid.pivot_table(index="cluster_name", columns="factory",
                                   values="country_rate", aggfunc="first", sort=False
                                   ).reindex(columns=order)
    st.caption(_("Share of the factories in each factory's country assessed in the last "
                 "{months} months that are non-compliant on the cluster. A range is shown "
                 "where an exact figure would let the results of other brands' factories be "
                 "worked out.").format(months=REPORTING_WINDOW_MONTHS))
    st.dataframe(bench_table, width="stretch")

# ---- where they differ, by compliance point -----------------------------------------------
st.subheader(_("Compliance points where they differ"))
if latest_cp.empty:
    empty_state(_("None of these factories has been assessed."), _("Nothing to compare yet."))
else:
    wide = localise_framework_names(latest_cp).pivot_table(
        index=["cluster_name", "cp_name"], columns="factory_id", values="non_compliant",
        aggfunc="max", sort=False)
    wide = wide.reindex(columns=[i for i in chosen if i in wide.columns])
    differing = wide[wide.nunique(axis=1) > 1]
    if differing.empty:
        st.success(_("Their latest assessments agree on every compliance point."))
    else:
        marked = _("✗ non-compliant")
        shown = differing.map(lambda v: marked if v == 1 else ("✓" if v == 0 else "—"))
        shown.columns = [labels[c] for c in shown.columns]
        st.caption(ngettext("{n} of {total} compliance point differs between these factories.",
                            "{n} of {total} compliance points differ between these factories.",
                            len(wide)).format(n=fmt_int(len(differing)),
                                              total=fmt_int(len(wide))))
        # the frame's columns are the factories' names (data): headers come from the frame
        st.dataframe(shown.reset_index().rename(columns={"cluster_name": _("Cluster"),
                                                         "cp_name": _("Compliance point")}),
                     hide_index=True, width="stretch")

these = DirectoryFilters(factory_ids=tuple(chosen), include_inactive=True, include_closed=True)
ctx = replace(current_context(today), directory=these)
left, right = st.columns(2)
with left:
    extract_button(viewer, brand["code"], "supplier-list", ctx,
                   label=_("Download these factories (CSV)"))
with right:
    extract_button(viewer, brand["code"], "latest-findings", ctx,
                   label=_("Download their latest findings (CSV)"))
