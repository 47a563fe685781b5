"""Risk ranking: where to look first, with each factory's level, reasons and the weights in the
open."""

from __future__ import annotations

from dataclasses import asdict

import pandas as pd
import streamlit as st

from metrics.countries import country_name
from metrics.portfolio import REPORTING_WINDOW_MONTHS
from metrics.risk import (
    COMPONENT_LABELS,
    HIGH,
    HIGH_RISK_MIN_SCORE,
    LEVELS,
    LOW,
    MEDIUM,
    MEDIUM_RISK_MIN_SCORE,
    RISK_CAPS,
    RISK_WEIGHTS,
    UNKNOWN,
    ZERO_TOLERANCE,
)
from ui import data, insights, reference, state
from ui.components import (
    Kpi,
    bar_column,
    brand_or_stop,
    empty_state,
    fmt_int,
    kpi_row,
    plain,
    risk_badge,
    risk_label,
)
from ui.downloads import current_context, extract_button
from ui.formatting import fmt_number
from ui.i18n import _
from ui.tables import level_label, localised_reasons

viewer = state.viewer()
state.keep_only_params("level")
version = data.data_version()
today = reference.figures_date(viewer, version)

st.title(_("Risk ranking"))
brand = brand_or_stop(viewer, version)
reference.show_as_of(viewer, version, ("assessments", "orders", "facility_list"))
st.caption(_(
    "Where to look first. A factory with a zero-tolerance finding (child labour, forced labour, "
    "violence, an imminent danger) not yet verified fixed comes first, whatever else is known. "
    "A factory never assessed, or last assessed more than {months} months ago, is "
    "\u201cunknown\u201d: a gap to close, never a low risk. The others are ranked by a "
    "transparent score from 0 to 100: open non-compliance (core labour standards weigh most), "
    "how old the assessment is, where you press this factory harder than your other suppliers, "
    "and your share of its capacity. Each factory shows the reasons behind its place.").format(
    months=REPORTING_WINDOW_MONTHS))

ranking = insights.risk_table(viewer, today, version)
if ranking.empty:
    empty_state(_("No active suppliers to rank."), _("Import your facility list first."))
    st.stop()

high_min, medium_min = fmt_number(HIGH_RISK_MIN_SCORE), fmt_number(MEDIUM_RISK_MIN_SCORE)
counts = ranking["risk_level"].value_counts()
kpi_row([
    Kpi(_("Zero tolerance"), fmt_int(counts.get(ZERO_TOLERANCE, 0)),
        _("Factories with a zero-tolerance finding that is open, or reported fixed by the "
          "factory but not yet verified by an assessment: act now.")),
    Kpi(_(HIGH), fmt_int(counts.get(HIGH, 0)),
        _("Score {high} or more.").format(high=high_min)),
    Kpi(_("Unknown"), fmt_int(counts.get(UNKNOWN, 0)),
        _("Never assessed, or the latest assessment is older than {months} months: needs an "
          "assessment.").format(months=REPORTING_WINDOW_MONTHS)),
    Kpi(_(MEDIUM), fmt_int(counts.get(MEDIUM, 0)),
        _("Score {medium} to under {high}.").format(medium=medium_min, high=high_min)),
    Kpi(_(LOW), fmt_int(counts.get(LOW, 0)),
        _("Score under {medium}.").format(medium=medium_min)),
])

levels = list(LEVELS)
level_labels = {level: level_label(level) for level in levels}
state.list_filter("level", levels)
st.pills(_("Show"), levels, selection_mode="multi", key=state.filter_key("level"),
         format_func=level_labels.__getitem__,
         help=_("Leave empty to show every level."))
chosen = st.session_state[state.filter_key("level")] or []
state.write_list_param("level", chosen)
shown = ranking[ranking["risk_level"].isin(chosen)] if chosen else ranking
shown = shown.reset_index(drop=True)
if shown.empty:
    empty_state(
        _("No factory at this level.") if len(chosen) == 1 else _("No factory at these levels."),
        _("Choose another level above, or clear the choice to see every factory."))
    st.stop()
reasons = localised_reasons(shown)
shown = shown.assign(
    rank=shown.index + 1,
    level=shown["risk_level"].map(level_labels).fillna(shown["risk_level"].map(risk_label)),
    country=shown["country_code"].map(country_name),
    main_reason=reasons.map(lambda sentences: sentences[0]),
    more=reasons.map(lambda sentences: len(sentences) - 1))
point_columns = [f"{c}_points" for c in COMPONENT_LABELS]
st.caption(_("The table shows each factory's most severe reason; select a row to read every "
             "reason in full below the table. The download has them all."))
selection = st.dataframe(
    shown, hide_index=True, width="stretch", height=min(720, 40 + 80 * len(shown)),
    row_height=80, key="risk_table", on_select="rerun", selection_mode="single-row",
    column_order=["rank", "name", "level", "risk_score", "main_reason", "more", "country",
                  *point_columns],
    column_config={
        # not pinned: Streamlit draws pinned columns in a pale, index-like grey
        "rank": st.column_config.NumberColumn("#", format="%d", width=40),
        "name": st.column_config.TextColumn(_("Factory"), width="medium"),
        "level": st.column_config.TextColumn(_("Level"), width="medium"),
        "main_reason": st.column_config.TextColumn(_("Most severe reason"), width="large"),
        "more": st.column_config.NumberColumn(
            _("More reasons"), format="%d", width="small",
            help=_("How many further reasons the factory has: select its row to read them.")),
        "risk_score": bar_column(
            _("Score"), higher_is="worse", format="%.0f", width="small",
            help=_("0 to 100; orders factories within a level (the level itself comes "
                   "first).")),
        "country": st.column_config.TextColumn(_("Country")),
        **{f"{c}_points": st.column_config.NumberColumn(
            _("{component} (points)").format(component=_(label)), format="%.1f",
            help=_("Points out of {weight}; full at {cap}.").format(
                weight=fmt_number(getattr(RISK_WEIGHTS, c)),
                cap=fmt_number(getattr(RISK_CAPS, c), 1 if getattr(RISK_CAPS, c) % 1 else 0)))
           for c, label in COMPONENT_LABELS.items()},
    },
)
rows = selection.selection.rows if selection else []
if rows:
    picked = shown.iloc[rows[0]]
    with st.container(border=True):
        badge = risk_badge(picked["risk_level"]).replace(
            plain(risk_label(picked["risk_level"])), plain(level_label(picked["risk_level"])))
        st.markdown(_("**{factory}** {level} score {score}").format(
            factory=plain(picked["name"]), level=badge, score=fmt_number(picked["risk_score"])))
        st.markdown("\n".join(f"- {plain(sentence)}"
                              for sentence in reasons.iloc[rows[0]]))
        st.page_link("pages/brand/factory.py", label=_("Open the factory's profile"),
                     query_params={"id": str(int(picked["factory_id"]))},
                     icon=":material/factory:")

extract_button(viewer, brand["code"], "risk-ranking", current_context(today),
               label=_("Download the ranking with every reason (CSV)"))

with st.expander(_("How the level and the score are built")):
    st.markdown(_(
        "1. **Zero tolerance — act now**: a zero-tolerance finding is open, or the factory "
        "reports it fixed but no later assessment has verified it.\n"
        "2. **Unknown — needs assessment**: never assessed, or the latest assessment is older "
        "than {months} months.\n"
        "3. Otherwise by score: **High** from {high}, **Medium** from {medium}, else **Low**."
        "\n\n"
        "The ranking lists zero tolerance, then high, then unknown, then medium and low: a "
        "factory known to be in a bad state comes before one about which nothing is known.")
        .format(months=REPORTING_WINDOW_MONTHS, high=high_min, medium=medium_min))
    weights = pd.DataFrame({
        "component": [_(COMPONENT_LABELS[c]) for c in asdict(RISK_WEIGHTS)],
        "weight": list(asdict(RISK_WEIGHTS).values()),
        "full_at": [asdict(RISK_CAPS)[c] for c in asdict(RISK_WEIGHTS)],
    })
    st.dataframe(weights, hide_index=True, column_config={
        "component": st.column_config.TextColumn(_("Component")),
        "weight": st.column_config.NumberColumn(_("Weight (points)"), format="localized"),
        "full_at": st.column_config.NumberColumn(_("Full at"), format="localized"),
    })
    st.markdown(_(
        "Each part gives its full weight in points once its value reaches the \u201cfull "
        "at\u201d value, and a proportional share below that; the score adds the parts up. "
        "Open issues count fully; an issue "
        "the factory reports fixed counts half until an assessment verifies it. Late changes "
        "and below-cost prices count only where they are clearly higher at this factory than "
        "at your other suppliers (percentage points, judged from the cautious end of the 95 % "
        "range so that a factory with few orders is not singled out by chance). Your share of "
        "capacity is not a risk to workers in itself: it is where you can act and are most "
        "responsible, so it lifts the ranking a little."))
