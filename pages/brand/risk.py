"""Risk ranking: where to look first, with each factory's reasons and the weights in the open."""

from __future__ import annotations

from dataclasses import asdict

import pandas as pd
import streamlit as st

from metrics.countries import country_name
from metrics.risk import (
    COMPONENT_INPUTS,
    HIGH,
    HIGH_RISK_MIN_SCORE,
    LOW,
    MEDIUM,
    MEDIUM_RISK_MIN_SCORE,
    RISK_CAPS,
    RISK_WEIGHTS,
)
from ui import data, insights, reference, state
from ui.components import Kpi, brand_or_stop, empty_state, fmt_int, kpi_row
from ui.downloads import current_context, extract_button

COMPONENT_LABELS = {
    "core_nc": "Open core-labour issues", "other_nc": "Other open issues",
    "assessment_age": "Assessment age", "country": "Country rate",
    "late_change": "Late changes", "below_cost": "Below-cost prices",
    "days_late": "Late payment", "leverage": "Your share of capacity",
}

viewer = state.viewer()
state.keep_only_params("level")
version = data.data_version()
today = reference.figures_date(viewer, version)

st.title("Risk ranking")
brand = brand_or_stop(viewer, version)
reference.show_as_of(viewer, version, ("assessments", "orders", "facility_list"))
st.caption("Where to look first: a transparent score from 0 to 100 combining open "
           "non-compliance (core labour standards weigh most), how old the last assessment "
           "is, the country's norm, your own purchasing pressure on the factory and your share "
           "of its capacity. Each factory shows the reasons behind its score.")

ranking = insights.risk_table(viewer, today, version)
if ranking.empty:
    empty_state("No active suppliers to rank.", "Import your facility list first.")
    st.stop()

counts = ranking["risk_level"].value_counts()
kpi_row([
    Kpi("High risk", fmt_int(counts.get(HIGH, 0)), f"Score ≥ {HIGH_RISK_MIN_SCORE:.0f}."),
    Kpi("Medium risk", fmt_int(counts.get(MEDIUM, 0)),
        f"Score {MEDIUM_RISK_MIN_SCORE:.0f}–{HIGH_RISK_MIN_SCORE:.0f}."),
    Kpi("Low risk", fmt_int(counts.get(LOW, 0)), f"Score < {MEDIUM_RISK_MIN_SCORE:.0f}."),
])

levels = [HIGH, MEDIUM, LOW]
state.list_filter("level", levels)
st.pills("Show", levels, selection_mode="multi", key=state.filter_key("level"),
         help="Leave empty to show every level.")
chosen = st.session_state[state.filter_key("level")] or []
state.write_list_param("level", chosen)
shown = ranking[ranking["risk_level"].isin(chosen)] if chosen else ranking
shown = shown.assign(country=shown["country_code"].map(country_name),
                     profile="/factory?id=" + shown["factory_id"].astype(str))
point_columns = [f"{c}_points" for c in COMPONENT_LABELS]
st.dataframe(
    shown, hide_index=True, width="stretch", height=min(700, 38 + 35 * len(shown)),
    column_order=["name", "country", "risk_score", "risk_level", "reasons", *point_columns,
                  "profile"],
    column_config={
        "name": st.column_config.TextColumn("Factory", pinned=True),
        "country": "Country",
        "risk_score": st.column_config.ProgressColumn("Score", format="%.0f", min_value=0,
                                                      max_value=100),
        "risk_level": "Level",
        "reasons": st.column_config.TextColumn("Why", width="large"),
        **{f"{c}_points": st.column_config.NumberColumn(
            label, format="%.1f",
            help=f"Points out of {getattr(RISK_WEIGHTS, c):.0f}: {COMPONENT_INPUTS[c]} ÷ "
                 f"{getattr(RISK_CAPS, c):g}, capped at 1, × the weight.")
           for c, label in COMPONENT_LABELS.items()},
        "profile": st.column_config.LinkColumn("Profile", display_text="Open"),
    },
)

extract_button(viewer, brand["code"], "risk-ranking", current_context(today),
               label="Download the ranking (CSV)")

with st.expander("How the score is built"):
    weights = pd.DataFrame({
        "component": [COMPONENT_LABELS[c] for c in asdict(RISK_WEIGHTS)],
        "weight (points)": list(asdict(RISK_WEIGHTS).values()),
        "full at": [asdict(RISK_CAPS)[c] for c in asdict(RISK_WEIGHTS)],
    })
    st.dataframe(weights, hide_index=True)
    st.markdown(
        "score = Σ weight × min(value ÷ cap, 1). A factory never assessed gets the full "
        "assessment-age points: not knowing is a risk. Your share of capacity is not a risk to "
        "workers in itself; it is where you can act and are most responsible, so it lifts the "
        "ranking a little. Weights and caps live in `metrics/risk.py`; see "
        "`docs/indicators.md`.")
