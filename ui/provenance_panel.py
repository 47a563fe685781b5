"""The factory profile's status banner and its "Where this information comes from" panel
(issue 14): which source gave each fact and when, which value is shown, and which values
disagree. Other buyers appear only as "another buyer's list" (data_access.provenance)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data_access import provenance as pv
from data_access.viewer import Viewer
from ui import data
from ui.components import plain
from ui.formatting import fmt_date, fmt_int
from ui.i18n import _, ngettext


def _day(value) -> str:
    return "" if value is None or pd.isna(value) else f"{fmt_date(pd.Timestamp(value))}"


def source_words(row) -> str:
    """Where a value comes from, in the session's language ("your facility list (x.csv)",
    "another buyer's list", "2 other buyers' lists", "Better Work", …)."""
    lists = int(row["source_lists"] or 0) if "source_lists" in row else 0
    if lists == 1:
        return _(pv.OTHER_LIST)
    if lists > 1:
        return ngettext("{n} other buyer's list", "{n} other buyers' lists", lists).format(
            n=fmt_int(lists))
    file_name = row.get("source_file")
    if bool(row.get("own")):
        return (_(pv.OWN_LIST_FILE).format(file=file_name)
                if isinstance(file_name, str) and file_name else _(pv.OWN_LIST))
    return _(str(row["source"]))


def _localised(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with its fact names and sources in the session's language (values are data)."""
    if frame.empty:
        return frame
    return frame.assign(label=frame["label"].map(_),
                        source=[source_words(row) for _i, row in frame.iterrows()])


def _shown_source(frame: pd.DataFrame, attribute: str) -> str | None:
    rows = frame[(frame["attribute"] == attribute) & frame["shown"]]
    return None if rows.empty else source_words(rows.iloc[0])


def status_banner(viewer: Viewer, profile: dict, own_factory_ids: set[int],
                  version: int) -> None:
    """A banner on a closed or moved factory's profile: since when, says who, and for a moved
    factory a link to the new site when it is one of the brand's suppliers."""
    status = profile.get("status") or "active"
    if status == "active":
        return
    frame = data.factory_provenance(viewer, int(profile["factory_id"]), version)
    source = _shown_source(frame, "status")
    day = _day(profile.get("status_since"))
    said = _(" (source: {source})").format(source=plain(source)) if source else ""
    if status == "closed":
        heading = (_("**This factory closed on {date}**").format(date=day) if day
                   else _("**This factory closed**"))
        st.warning(_("{heading}{source}. It is left out of your active figures; its "
                     "assessments, plan and orders stay here.").format(heading=heading,
                                                                       source=said),
                   icon=":material/block:")
        return
    heading = (_("**This factory moved to another site on {date}**").format(date=day) if day
               else _("**This factory moved to another site**"))
    st.warning(_("{heading}{source}. It is left out of your active figures; its history stays "
                 "with this profile.").format(heading=heading, source=said),
               icon=":material/move_location:")
    target = profile.get("moved_to_factory_id")
    if target is not None and not pd.isna(target) and int(target) in own_factory_ids:
        st.page_link("pages/brand/factory.py", label=_("Open the new site's profile"),
                     icon=":material/arrow_forward:", query_params={"id": str(int(target))})
    else:
        st.caption(_("The new site is not on your facility list yet."))


def provenance_panel(viewer: Viewer, factory_id: int, version: int) -> None:
    """Every source's value of each fact, the value shown, and the values that disagree."""
    frame = _localised(data.factory_provenance(viewer, factory_id, version))
    with st.expander(_("Where this information comes from")):
        if frame.empty:
            st.caption(_("No source is recorded for this factory's facts yet."))
            return
        st.caption(
            _("Each fact as Better Work, Open Supply Hub, your facility list and other buyers' "
              "lists give it (other buyers are never named). The value shown comes from Better "
              "Work for the name, address and workforce, and from Open Supply Hub for the OS "
              "ID, location and status; otherwise from the value most buyers' lists agree on "
              "— on a tie the value already shown stays. Differing values are kept, never "
              "overwritten."))
        disagreeing = frame[~frame["agrees_with_shown"]]
        if not disagreeing.empty:
            facts = disagreeing["label"].nunique()
            st.warning(ngettext("{n} fact has differing values between sources.",
                                "{n} facts have differing values between sources.",
                                facts).format(n=fmt_int(facts)),
                       icon=":material/compare_arrows:")
            st.text("\n".join(conflict_lines(frame)))
        st.dataframe(
            frame, hide_index=True, width="stretch",
            column_order=["label", "value", "source", "observed_at", "shown"],
            column_config={
                "label": st.column_config.TextColumn(_("Fact")),
                "value": st.column_config.TextColumn(_("Value")),
                "source": st.column_config.TextColumn(_("From")),
                "observed_at": st.column_config.DateColumn(_("Given on"), format="D MMM YYYY"),
                "shown": st.column_config.CheckboxColumn(_("Shown")),
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
        # Translators: one fact whose sources disagree, e.g. "Address: 12 Road X (Better
        # Work, 3 Mar 2026); also given as 12 Rd X by another buyer's list (5 Jun 2026)"
        lines.append(_("{fact}: {value} ({source}, {date}); also given as {others}").format(
            fact=first["label"], value=first["value"], source=first["source"],
            date=_day(first["observed_at"]),
            others="; ".join(_("{value} by {source} ({date})").format(
                value=o["value"], source=o["source"], date=_day(o["observed_at"]))
                for _i, o in others.iterrows())))
    return lines
