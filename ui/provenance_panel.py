"""The factory profile's status banner and its "Where this information comes from" panel
(issue 14): which source gave each fact and when, which value is shown, and which values
disagree. Other buyers appear only as "another buyer's list" (data_access.provenance)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data_access.viewer import Viewer
from ui import data
from ui.components import plain
from ui.formatting import fmt_date


def _day(value) -> str:
    return "" if value is None or pd.isna(value) else f"{fmt_date(pd.Timestamp(value))}"


def _shown_source(frame: pd.DataFrame, attribute: str) -> str | None:
    rows = frame[(frame["attribute"] == attribute) & frame["shown"]]
    return None if rows.empty else str(rows.iloc[0]["source"])


def status_banner(viewer: Viewer, profile: dict, own_factory_ids: set[int],
                  version: int) -> None:
    """A banner on a closed or moved factory's profile: since when, says who, and for a moved
    factory a link to the new site when it is one of the brand's suppliers."""
    status = profile.get("status") or "active"
    if status == "active":
        return
    frame = data.factory_provenance(viewer, int(profile["factory_id"]), version)
    source = _shown_source(frame, "status")
    when = f" on {_day(profile['status_since'])}" if _day(profile.get("status_since")) else ""
    said = f" (source: {plain(source)})" if source else ""
    if status == "closed":
        st.warning(f"**This factory closed{when}**{said}. It is left out of your active "
                   "figures; its assessments, plan and orders stay here.", icon=":material/block:")
        return
    st.warning(f"**This factory moved to another site{when}**{said}. It is left out of your "
               "active figures; its history stays with this profile.",
               icon=":material/move_location:")
    target = profile.get("moved_to_factory_id")
    if target is not None and not pd.isna(target) and int(target) in own_factory_ids:
        st.page_link("pages/brand/factory.py", label="Open the new site's profile",
                     icon=":material/arrow_forward:", query_params={"id": str(int(target))})
    else:
        st.caption("The new site is not on your facility list yet.")


def provenance_panel(viewer: Viewer, factory_id: int, version: int) -> None:
    """Every source's value of each fact, the value shown, and the values that disagree."""
    frame = data.factory_provenance(viewer, factory_id, version)
    with st.expander("Where this information comes from"):
        if frame.empty:
            st.caption("No source is recorded for this factory's facts yet.")
            return
        st.caption(
            "Each fact as Better Work, Open Supply Hub, your facility list and other buyers' "
            "lists give it (other buyers are never named). The value shown comes from Better "
            "Work for the name, address and workforce, and from Open Supply Hub for the OS ID, "
            "location and status; otherwise from the value most buyers' lists agree on — on a "
            "tie the value already shown stays. Differing values are kept, never overwritten.")
        disagreeing = frame[~frame["agrees_with_shown"]]
        if not disagreeing.empty:
            facts = disagreeing["label"].nunique()
            st.warning(f"{facts} fact{'s' if facts != 1 else ''} "
                       f"{'have' if facts != 1 else 'has'} differing values between sources.",
                       icon=":material/compare_arrows:")
            st.text("\n".join(conflict_lines(frame)))
        st.dataframe(
            frame, hide_index=True, width="stretch",
            column_order=["label", "value", "source", "observed_at", "shown"],
            column_config={
                "label": "Fact", "value": "Value", "source": "From",
                "observed_at": st.column_config.DateColumn("Given on", format="D MMM YYYY"),
                "shown": st.column_config.CheckboxColumn("Shown"),
            })


def conflict_lines(frame: pd.DataFrame) -> list[str]:
    """"Address: 12 Road X (Better Work, 3 Mar 2026); also given as 12 Rd X by another buyer's
    list (5 Jun 2026)" — one line per fact whose sources disagree (plain text)."""
    lines = []
    for _attribute, rows in frame.groupby("attribute", sort=False):
        others = rows[~rows["agrees_with_shown"]]
        shown = rows[rows["shown"]]
        if others.empty or shown.empty:
            continue
        first = shown.iloc[0]
        line = (f"{first['label']}: {first['value']} ({first['source']}, "
                f"{_day(first['observed_at'])})")
        line += "; also given as " + "; ".join(
            f"{o['value']} by {o['source']} ({_day(o['observed_at'])})"
            for _, o in others.iterrows())
        lines.append(line)
    return lines
