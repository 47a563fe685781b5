"""Shared UI pieces: plain text for data values, number formatting, labels, KPI rows, empty
states and error messages.

Widget format functions and callbacks live here (or in ``ui.state``), not in the pages: Streamlit
keeps every widget's metadata — its ``format_func`` and ``on_change`` included — for the rest of
the session, and a ``lambda`` written in a page script holds that script's globals (every
DataFrame the page read). Each session kept a copy of every page's data that way: ≈ 2.7 MB per
session on the demo data, growing with the brand's size (docs/performance.md, "Capacity").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import babel
import pandas as pd
import streamlit as st

from metrics.countries import country_name
from metrics.risk import HIGH, LOW, MEDIUM, UNKNOWN, ZERO_TOLERANCE

# the formatters live in ui.formatting; pages may import them from here too
from ui.formatting import fmt_compact, fmt_date, fmt_int, fmt_pct  # noqa: F401
from ui.i18n import _, current_language, current_locale, ngettext

#: the characters that start Markdown (or Streamlit's extensions of it) anywhere in a line:
#: links and images ``[`` ``]``, autolinks and HTML ``<`` ``>``, emphasis ``*`` ``_`` ``~``,
#: code, tables, headings, colours / icons / emoji ``:``, maths ``$``, and the backslash itself
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#~:$|])")
#: an HTML character reference (``&amp;``, ``&#58;``) would be decoded: escape its ``&``
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
#: what starts a list, a quote or a heading at the beginning of the text
_BLOCK_START = re.compile(r"^(\d+)([.)])|^([-+=])")
_WHITESPACE = re.compile(r"\s+")
# what GitHub-flavoured Markdown turns into a link even when its punctuation is escaped (its
# autolink step runs on the decoded text): "http://", "https://", "www.", and an e-mail
# address; a WORD JOINER (U+2060, invisible) before the ":", the "." or the "@" breaks them
# Streamlit's icon and logo shortcodes (``:material/home:``, ``:streamlit:``) are likewise
# found in the decoded text: a word joiner after their opening ":"
_AUTOLINK = re.compile(r"(?i)(?<=https)(?=:)|(?<=http)(?=:)|(?<=www)(?=\.)|(?=@)"
                       r"|(?<=:)(?=material/)|(?<=:)(?=streamlit:)")
WORD_JOINER = "\u2060"


def plain(value: object) -> str:
    """``value`` as Markdown that shows exactly its text: never a link, an image, emphasis, a
    heading, a list, a colour, an icon, maths or HTML.

    Every element that renders Markdown — ``st.markdown``, ``st.caption``, ``st.title``,
    ``st.info`` and the other messages, metric labels *and values*, tab, expander, radio,
    button and checkbox labels, progress text, ``help`` tooltips — gets a value that came from
    data (a factory's name or address, a brand, a file name, a person's name, a URL parameter)
    through this function; or the value is shown with ``st.text``, a dataframe or a select
    box, which never render Markdown. Runs of white space (line breaks included) become one
    space; the characters that start Markdown anywhere in a line are backslash-escaped (and an
    ``&`` that would start a character reference), as is what starts a block at the very
    beginning (``1.``, ``-``, ``+``); automatic links and icon shortcodes get an invisible
    word joiner. Ordinary
    punctuation (``&``, ``.``, ``,``, ``(``, ``'``) is left as it is. Checked in a real
    browser: tests/e2e/test_plain_text_journey.py.
    """
    text = _WHITESPACE.sub(" ", str(value)).strip()
    text = _AUTOLINK.sub(WORD_JOINER, text)
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    text = _ENTITY.sub(r"\\&", text)
    return _BLOCK_START.sub(lambda m: (f"{m.group(1)}\\{m.group(2)}" if m.group(1)
                                       else f"\\{m.group(3)}"), text)



@cache
def _territories(locale: str) -> dict[str, str]:
    return dict(babel.Locale.parse(locale).territories)


def country_display_name(code: str) -> str:
    """A country's name (by ISO code) in the session's language: English names come from
    :func:`metrics.countries.country_name` (the product's own spelling, "Viet Nam"), the other
    languages' from Babel (CLDR); a code neither knows is shown as it is."""
    if current_language() == "en" or not isinstance(code, str):
        return country_name(code)
    return _territories(current_locale()).get(code.upper()) or country_name(code)


def country_label(code: str) -> str:
    """'BD' → 'Bangladesh (BD)' ('Bangladés (BD)' in Spanish): the country filters' option
    labels."""
    return f"{country_display_name(code)} ({code})"


def gap_message(gap: dict) -> str:
    """A visibility gap (:func:`metrics.visibility.gaps`) as the to-do list says it, in the
    session's language: "41 suppliers never assessed", "1 supplier without geolocation"."""
    count = int(gap["count"])
    messages = {
        "never_assessed": ngettext("{count} supplier never assessed",
                                   "{count} suppliers never assessed", count),
        "assessment_outdated": ngettext(
            "{count} supplier last assessed more than 12 months ago",
            "{count} suppliers last assessed more than 12 months ago", count),
        "no_os_id": ngettext("{count} supplier without an Open Supply Hub ID",
                             "{count} suppliers without an Open Supply Hub ID", count),
        "no_geolocation": ngettext("{count} supplier without geolocation",
                                   "{count} suppliers without geolocation", count),
        "not_disclosed": ngettext("{count} supplier not publicly disclosed",
                                  "{count} suppliers not publicly disclosed", count),
        "pledge_incomplete": ngettext(
            "{count} supplier with incomplete Transparency Pledge fields",
            "{count} suppliers with incomplete Transparency Pledge fields", count),
    }
    message = messages.get(gap["key"])
    return message.format(count=fmt_int(count)) if message else str(gap["message"])


def name_of_id(names: dict[int, str], raw: str) -> str:
    """The name of the id ``raw`` (an option's text) in ``names``; ``raw`` if unknown. Bind
    ``names`` with ``functools.partial`` to make a format function."""
    return names.get(int(raw), raw)


#: each risk level's symbol: shown with the level's words, so neither colour nor shape is the
#: only signal (a level is never told apart by red against green)
#: (plain Unicode shapes every system font has, not emoji)
RISK_ICONS = {ZERO_TOLERANCE: "‼", HIGH: "▲", UNKNOWN: "?", MEDIUM: "◆", LOW: "▽"}
#: the badge colour of each level where Markdown is shown (with the symbol and the words)
RISK_BADGE_COLOURS = {ZERO_TOLERANCE: "red", HIGH: "orange", UNKNOWN: "violet",
                      MEDIUM: "blue", LOW: "gray"}


def risk_label(level: object) -> str:
    """"🔺 High", "❔ Unknown — needs assessment"; no level (not ranked) → "Not ranked"."""
    if level is None or (isinstance(level, float) and level != level) or level is pd.NA:
        return _("Not ranked")
    text = str(level)
    icon = RISK_ICONS.get(text)
    return f"{icon} {_(text)}" if icon else _(text)


def risk_badge(level: object) -> str:
    """The level as a coloured Markdown badge with its symbol and words (app text only)."""
    colour = RISK_BADGE_COLOURS.get(str(level), "gray")
    return f":{colour}-badge[{plain(risk_label(level))}]"


def profile_link(container, factory_id: int, label: str) -> None:
    """A link to a factory's profile that opens in the same tab (``label``: app text or data
    through :func:`plain`). A page run on its own, outside the app's navigation (a test of
    one page), gets the label as text instead."""
    from streamlit.errors import StreamlitAPIException

    try:
        container.page_link("pages/brand/factory.py", label=label,
                            query_params={"id": str(int(factory_id))},
                            icon=":material/factory:")
    except StreamlitAPIException:
        container.markdown(label)


#: bars in tables: "higher is better" and "higher is worse" never look alike
BAR_HIGHER_BETTER = "#0072B2"  # Okabe–Ito blue
BAR_HIGHER_WORSE = "#D55E00"  # Okabe–Ito vermillion


def bar_column(label: str, *, higher_is: str, help: str | None = None,
               format: str = "%.0f %%", min_value: float = 0, max_value: float = 100,
               **kwargs):
    """A bar (progress) column whose colour says which way is good: ``higher_is`` "better"
    (blue) or "worse" (vermillion). Every bar in a table goes through this function."""
    if higher_is not in ("better", "worse"):
        raise ValueError("higher_is must be 'better' or 'worse'")
    colour = BAR_HIGHER_BETTER if higher_is == "better" else BAR_HIGHER_WORSE
    if higher_is == "better":
        text = (_("{help} Higher is better.").format(help=help) if help
                else _("Higher is better."))
    else:
        text = (_("{help} Higher is worse.").format(help=help) if help
                else _("Higher is worse."))
    return st.column_config.ProgressColumn(
        label, format=format, min_value=min_value, max_value=max_value, color=colour,
        help=text, **kwargs)


def accounts_brand_column(users: pd.DataFrame) -> pd.Series:
    """The accounts table's brand column as people read it: an administrator's is "All brands
    (administrator)", an account without a brand "No brand" (never "None")."""
    is_admin = users["role"] == "admin"
    brand = users["brand"].astype("object").where(users["brand"].notna(), None)
    all_brands, no_brand = _("All brands (administrator)"), _("No brand")
    return pd.Series([(all_brands if admin else (str(b) if b not in (None, "") else no_brand))
                      for admin, b in zip(is_admin, brand, strict=True)], index=users.index)


def table_label(name: str) -> str:
    """A database table's name as words: "factory_assessment" → "Factory assessment"."""
    return str(name).replace("_", " ").capitalize()


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
    """What to show instead of an empty chart: what is missing and what to do (both are the
    app's own words; a data value inside them must have gone through :func:`plain`)."""
    st.info(f"**{message}**  \n{hint}", icon=":material/info:")


def not_found(message: str) -> None:
    st.error(plain(message), icon=":material/search_off:")


def database_down(message: str) -> None:
    st.error(
        _("**The database is not available right now.**  \n{message}  \n"
          "Nothing was lost. The page will work again as soon as the database is back: "
          "press *Try again* or reload.").format(message=plain(message)),
        icon=":material/cloud_off:",
    )
    st.button(_("Try again"), type="primary")


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
        empty_state(_("No brand chosen."), str(exc))
        st.stop()
        raise  # st.stop() ends the run; this line is for type checkers
