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

viewer = state.viewer()
state.keep_only_params("level")
version = data.data_version()
today = reference.figures_date(viewer, version)

st.title("Risk ranking")
brand = brand_or_stop(viewer, version)
reference.show_as_of(viewer, version, ("assessments", "orders", "facility_list"))
st.caption(
    "Where to look first. A factory with a zero-tolerance finding (child labour, forced labour, "
    "violence, an imminent danger) not yet verified fixed comes first, whatever else is known. "
    f"A factory never assessed, or last assessed more than {REPORTING_WINDOW_MONTHS} months ago, "
    "is \u201cunknown\u201d: a gap to close, never a low risk. The others are ranked by a "
    "transparent score from 0 to 100: open non-compliance (core labour standards weigh most), "
    "how old the assessment is, where you press this factory harder than your other suppliers, "
    "and your share of its capacity. Each factory shows the reasons behind its place.")

ranking = insights.risk_table(viewer, today, version)
if ranking.empty:
    empty_state("No active suppliers to rank.", "Import your facility list first.")
    st.stop()

counts = ranking["risk_level"].value_counts()
kpi_row([
    Kpi("Zero tolerance", fmt_int(counts.get(ZERO_TOLERANCE, 0)),
        "Factories with a zero-tolerance finding that is open, or reported fixed by the factory "
        "but not yet verified by an assessment: act now."),
    Kpi("High", fmt_int(counts.get(HIGH, 0)), f"Score {HIGH_RISK_MIN_SCORE:.0f} or more."),
    Kpi("Unknown", fmt_int(counts.get(UNKNOWN, 0)),
        f"Never assessed, or the latest assessment is older than {REPORTING_WINDOW_MONTHS} "
        "months: needs an assessment."),
    Kpi("Medium", fmt_int(counts.get(MEDIUM, 0)),
        f"Score {MEDIUM_RISK_MIN_SCORE:.0f} to under {HIGH_RISK_MIN_SCORE:.0f}."),
    Kpi("Low", fmt_int(counts.get(LOW, 0)), f"Score under {MEDIUM_RISK_MIN_SCORE:.0f}."),
])

levels = list(LEVELS)
state.list_filter("level", levels)
st.pills("Show", levels, selection_mode="multi", key=state.filter_key("level"),
         format_func=risk_label,
         help="Leave empty to show every level.")
chosen = st.session_state[state.filter_key("level")] or []
state.write_list_param("level", chosen)
shown = ranking[ranking["risk_level"].isin(chosen)] if chosen else ranking
shown = shown.reset_index(drop=True)
if shown.empty:
    empty_state(
        "No factory at " + ("this level" if len(chosen) == 1 else "these levels") + ".",
        "Choose another level above, or clear the choice to see every factory.")
    st.stop()
shown = shown.assign(
    rank=shown.index + 1,
    level=shown["risk_level"].map(risk_label),
    country=shown["country_code"].map(country_name),
    main_reason=shown["reason_list"].map(lambda sentences: sentences[0]),
    more=shown["reason_list"].map(lambda sentences: len(sentences) - 1))
point_columns = [f"{c}_points" for c in COMPONENT_LABELS]
st.caption("The table shows each factory's most severe reason; select a row to read every "
           "reason in full below the table. The download has them all.")
selection = st.dataframe(
    shown, hide_index=True, width="stretch", height=min(720, 40 + 80 * len(shown)),
    row_height=80, key="risk_table", on_select="rerun", selection_mode="single-row",
    column_order=["rank", "name", "level", "risk_score", "main_reason", "more", "country",
                  *point_columns],
    column_config={
        # not pinned: Streamlit draws pinned columns in a pale, index-like grey
        "rank": st.column_config.NumberColumn("#", format="%d", width=40),
        "name": st.column_config.TextColumn("Factory", width="medium"),
        "level": st.column_config.TextColumn("Level", width="medium"),
        "main_reason": st.column_config.TextColumn("Most severe reason", width="large"),
        "more": st.column_config.NumberColumn(
            "More reasons", format="%d", width="small",
            help="How many further reasons the factory has: select its row to read them."),
        "risk_score": bar_column(
            "Score", higher_is="worse", format="%.0f", width="small",
            help="0 to 100; orders factories within a level (the level itself comes first)."),
        "country": "Country",
        **{f"{c}_points": st.column_config.NumberColumn(
            f"{label} (points)", format="%.1f",
            help=f"Points out of {getattr(RISK_WEIGHTS, c):.0f}; full at "
                 f"{getattr(RISK_CAPS, c):g}.")
           for c, label in COMPONENT_LABELS.items()},
    },
)
rows = selection.selection.rows if selection else []
if rows:
    picked = shown.iloc[rows[0]]
    with st.container(border=True):
        st.markdown(f"**{plain(picked['name'])}** {risk_badge(picked['risk_level'])} "
                    f"score {fmt_number(picked['risk_score'])}")
        st.markdown("\n".join(f"- {plain(sentence)}"
                              for sentence in picked["reason_list"]))
        st.page_link("pages/brand/factory.py", label="Open the factory's profile",
                     query_params={"id": str(int(picked["factory_id"]))},
                     icon=":material/factory:")

extract_button(viewer, brand["code"], "risk-ranking", current_context(today),
               label="Download the ranking with every reason (CSV)")

with st.expander("How the level and the score are built"):
    st.markdown(
        "1. **Zero tolerance — act now**: a zero-tolerance finding is open, or the factory "
        "reports it fixed but no later assessment has verified it.\n"
        f"2. **Unknown — needs assessment**: never assessed, or the latest assessment is older "
        f"than {REPORTING_WINDOW_MONTHS} months.\n"
        f"3. Otherwise by score: **High** from {HIGH_RISK_MIN_SCORE:.0f}, **Medium** from "
        f"{MEDIUM_RISK_MIN_SCORE:.0f}, else **Low**.\n\n"
        "The ranking lists zero tolerance, then high, then unknown, then medium and low: a "
        "factory known to be in a bad state comes before one about which nothing is known.")
    weights = pd.DataFrame({
        "Component": [COMPONENT_LABELS[c] for c in asdict(RISK_WEIGHTS)],
        "Weight (points)": list(asdict(RISK_WEIGHTS).values()),
        "Full at": [asdict(RISK_CAPS)[c] for c in asdict(RISK_WEIGHTS)],
    })
    st.dataframe(weights, hide_index=True)
    st.markdown(
        "Each part gives its full weight in points once its value reaches the \u201cfull "
        "at\u201d value, and a proportional share below that; the score adds the parts up. "
        "Open issues count fully; an issue "
        "the factory reports fixed counts half until an assessment verifies it. Late changes "
        "and below-cost prices count only where they are clearly higher at this factory than "
        "at your other suppliers (percentage points, judged from the cautious end of the 95 % "
        "range so that a factory with few orders is not singled out by chance). Your share of "
        "capacity is not a risk to workers in itself: it is where you can act and are most "
        "responsible, so it lifts the ranking a little.")
