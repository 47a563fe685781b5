"""Shared UI pieces: number formatting, KPI rows, empty states and error messages."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st

_MARKDOWN_SPECIALS = "\\`*_{}[]<>()#+-.!|~$:"


def escape_markdown(text: object) -> str:
    """Text to show through ``st.markdown``/``st.caption`` as it is: every character Markdown
    (or Streamlit's extensions: colours, icons, maths) could read as markup is escaped."""
    return "".join("\\" + ch if ch in _MARKDOWN_SPECIALS else ch for ch in str(text))


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


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """"1 supplier", "3 suppliers" (``nouns`` when the plural is not noun + "s")."""
    return f"{count:,} {noun if count == 1 else (nouns or noun + 's')}"


def fmt_compact(value: float | int | None) -> str:
    """2_400_000 → '2.4 M'; 12_300 → '12.3 k'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    for limit, suffix in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= limit:
            return f"{value / limit:.1f} {suffix}"
    return f"{value:,.0f}"


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def literal(text: str) -> str:
    """Text from data (a file name, a factory name) made literal inside a Markdown message:
    every character Markdown or Streamlit's directives could read is escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


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
