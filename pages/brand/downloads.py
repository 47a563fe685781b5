"""Downloads: every CSV extract of the brand's data, with the filters in force."""

from __future__ import annotations

import streamlit as st

from metrics.countries import country_name
from services.extract_catalogue import EXTRACTS
from ui import data, reference, state
from ui.components import brand_or_stop, plain
from ui.downloads import current_context, dictionary_button, dictionary_table, extract_button
from ui.formatting import fmt_date, fmt_int
from ui.i18n import _, framework_name, ngettext
from ui.tables import ASSESSMENT_LABELS, GAP_LABELS, PLAN_LABELS, labels

viewer = state.viewer()
state.keep_only_params()
version = data.data_version()
today = reference.figures_date(viewer, version)

st.title(_("Downloads"))
brand = brand_or_stop(viewer, version)
reference.show_as_of(viewer, version, ("assessments", "orders", "facility_list"))
st.caption(_("Extracts of {brand}'s data only, each as a CSV file (UTF-8 with a byte-order mark "
             "so that a spreadsheet opens it correctly, a header row, dates as year-month-day, "
             "numbers rounded as each column's description says) and as an Excel workbook "
             "(numbers and dates as such, the data dictionary on a second sheet). File names "
             "carry brand, extract and date. Cells a spreadsheet would run as a formula are "
             "neutralised in both. Every download is recorded (who, what, filters, "
             "rows).").format(brand=plain(brand["name"])))

ctx = current_context(today)
d = ctx.directory
# each filter in force as one phrase of the session's language (values: data, plain() below)
in_force = []
if d.countries:
    in_force.append(_("countries: {values}").format(
        values=", ".join(country_name(c) for c in d.countries)))
if d.search:
    in_force.append(_("search: “{text}”").format(text=d.search))
cluster_ref = data.clusters(version)
cluster_names = {code: framework_name(code) for code in cluster_ref["cluster_code"]}
for label, values, words in ((_("tier: {values}"), d.tiers, {}),
                             (_("assessment: {values}"), d.assessment_age,
                              labels(ASSESSMENT_LABELS)),
                             (_("non-compliant on: {values}"), d.clusters_non_compliant,
                              cluster_names),
                             (_("data gaps: {values}"), d.gaps, labels(GAP_LABELS))):
    if values:
        in_force.append(label.format(values=", ".join(str(words.get(v, v)) for v in values)))
if d.plan_status:
    in_force.append(_("improvement plan: {plan}").format(
        plan=labels(PLAN_LABELS).get(d.plan_status, d.plan_status).lower()))
if d.include_inactive:
    in_force.append(_("including former suppliers"))
if d.include_closed:
    in_force.append(_("including closed and moved factories"))
if ctx.orders_since:
    orders_scope = _("orders confirmed from {start} to {end}").format(
        start=fmt_date(ctx.orders_since), end=fmt_date(ctx.order_date))
else:
    orders_scope = _("all orders to {end}").format(end=fmt_date(ctx.order_date))
if ctx.order_factory_ids:
    orders_scope = ngettext("{orders}, {n} chosen factory", "{orders}, {n} chosen factories",
                            len(ctx.order_factory_ids)).format(
        orders=orders_scope, n=fmt_int(len(ctx.order_factory_ids)))
st.info(_("**Filters in force** — suppliers: {suppliers} · purchasing: {purchasing}.  \n"
          "Change them on the Suppliers and Purchasing pages; they are kept while you move "
          "between pages.").format(
            suppliers=plain("; ".join(in_force)) or _("none (all suppliers)"),
            purchasing=orders_scope),
        icon=":material/filter_alt:")

for key, spec in EXTRACTS.items():
    with st.container(border=True):
        left, middle, right = st.columns([3, 1.4, 1])
        left.markdown(f"**{_(spec.title)}**  \n{_(spec.description)}")
        with middle:
            extract_button(viewer, brand["code"], key, ctx, label=_("Download CSV"))
        with right:
            dictionary_button(key)
        with st.expander(ngettext("What the {n} column means", "What the {n} columns mean",
                                  len(spec.columns)).format(n=fmt_int(len(spec.columns)))):
            dictionary_table(key)
st.caption(_("Column meanings and units: the data dictionary beside each extract."))
