"""Shared UI pieces: number formatting, labels, KPI rows, empty states and error messages.

Widget format functions and callbacks live here (or in ``ui.state``), not in the pages: Streamlit
keeps every widget's metadata — its ``format_func`` and ``on_change`` included — for the rest of
the session, and a ``lambda`` written in a page script holds that script's globals (every
DataFrame the page read). Each session kept a copy of every page's data that way: ≈ 2.7 MB per
session on the demo data, growing with the brand's size (docs/performance.md, "Capacity").
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st

from metrics.countries import country_name


def fmt_int(value: float | int | None) -> str:
    """1234567 → '1,234,567'; missing → '—'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{round(value):,}"


def fmt_pct(value: float | None, digits: int = 0) -> str:
    """42.345 → '42 %'; missing → '—'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:.{digits}f} %"


def country_label(code: str) -> str:
    """'BD' → 'Bangladesh (BD)': the country filters' option labels."""
    return f"{country_name(code)} ({code})"


def name_of_id(names: dict[int, str], raw: str) -> str:
    """The name of the id ``raw`` (an option's text) in ``names``; ``raw`` if unknown. Bind
    ``names`` with ``functools.partial`` to make a format function."""
    return names.get(int(raw), raw)


def fmt_compact(value: float | int | None) -> str:
    """2_400_000 → '2.4 M'; 12_300 → '12.3 k'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    for limit, suffix in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= limit:
            return f"{value / limit:.1f} {suffix}"
    return f"{value:,.0f}"


@dataclass(frozen=True)
class Kpi:
    label: str
    value: str
    help: str
    delta: str | None = None


def kpi_row(kpis: Sequence[Kpi]) -> None:
    for column, kpi in zip(st.columns(len(kpis)), kpis, strict=True):
        column.metric(kpi.label, kpi.value, delta=kpi.delta, help=kpi.help, delta_color="off",
                      border=True)


def empty_state(message: str, hint: str) -> None:
    """What to show instead of an empty chart: what is missing and what to do."""
    st.info(f"**{message}**  \n{hint}", icon=":material/info:")


def not_found(message: str) -> None:
    st.error(message, icon=":material/search_off:")


def database_down(message: str) -> None:
    st.error(
        f"**The database is not available right now.**  \n{message}  \n"
        "Nothing was lost. The page will work again as soon as the database is back: "
        "press *Try again* or reload.",
        icon=":material/cloud_off:",
    )
    st.button("Try again", type="primary")


def data_source_caption(state: dict) -> None:
    updated = state.get("updated_at")
    when = f"{updated:%d %b %Y %H:%M} UTC" if updated else "unknown"
    st.caption(f"Data as of {when} · source: {state.get('source', 'unknown')}")


def brand_or_stop(viewer, version: int, *, title: str | None = None) -> dict:
    """The brand a page shows (``data.current_brand``). An administrator who has not chosen a
    brand gets the empty state saying so — after ``title``, for pages whose own title names
    the brand — and the run of the page ends there."""
    from data_access.errors import NoBrandSelected
    from ui import data

    try:
        return data.current_brand(viewer, version)
    except NoBrandSelected as exc:
        if title:
            st.title(title)
        empty_state("No brand chosen.", str(exc))
        st.stop()
        raise  # st.stop() ends the run; this line is for type checkers
