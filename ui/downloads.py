"""Download buttons for the extracts — CSV and Excel side by side — built only when clicked,
with the filters in force, and only for a session that is still live at that moment.

The file is produced by a deferred callable (``st.download_button(data=callable)``): nothing is
computed or held in memory until the user asks, the rows stream from the database into a
spooled temporary file, and the download is written to the audit log at that moment. The
button does not rerun the page (``on_click="ignore"``).

Streamlit runs that callable on a worker thread, after the page and without its session checks
(a tab left open after the account signed out elsewhere, or idle past the timeout, would still
download). So the callable first asks :func:`ui.auth.session_guard` whether the session is
still live; if not, it raises, Streamlit answers the click with "Failed to generate file for
download", and no byte is built and no audit row written. The role is checked again as it is
at that moment (``data_access.extracts.require_download``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd
import streamlit as st

from data_access.extracts import (
    XLSX_MIME,
    data_dictionary,
    data_dictionary_csv,
    extract_filename,
    may_download,
)
from data_access.viewer import Viewer
from services.extract_catalogue import (
    CSV_BYTE_ORDER_MARK,
    EXTRACTS,
    ExtractContext,
    build_file,
)
from ui import data, reference, state
from ui.auth import SessionEnded, session_guard
from ui.i18n import N_, _
from ui.runtime import get_engine

PERIOD_MONTHS = {"12": 12, "24": 24, "36": 36}


def _chosen_order_date() -> dt.date | None:
    """The earlier month end chosen on the Purchasing page, if any (the page validated it)."""
    raw = st.session_state.get(state.filter_key(reference.AS_OF_FILTER), reference.LATEST)
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        return None


def current_context(today: dt.date) -> ExtractContext:
    """The filters in force in this session: the directory's and the purchasing page's.

    ``today``: the page's reference date. Order extracts follow the Purchasing page: its period
    counts back from its order reference date (the orders' own as-of date, or the month end
    chosen there), as the page does.
    """
    viewer = state.viewer()
    orders_as_of = _chosen_order_date() or reference.order_figures_date(
        viewer, data.data_version())
    period = st.session_state.get(state.filter_key("period"), "12")
    since = None
    if period in PERIOD_MONTHS:
        since = (pd.Timestamp(orders_as_of)
                 - pd.DateOffset(months=PERIOD_MONTHS[period])).date()
    factories = tuple(int(i) for i in st.session_state.get(state.filter_key("factories")) or [])
    return ExtractContext(as_of=today, directory=state.directory_filters(),
                          orders_since=since, order_factory_ids=factories,
                          orders_as_of=orders_as_of)


def guarded_file(viewer: Viewer, key: str, ctx: ExtractContext,
                 file_format: str = "csv") -> Callable[[], bytes]:
    """The download's file callable: re-checks the session (and that it is still the same
    user, with the same role) before building anything."""
    engine = get_engine()
    live = session_guard()

    def build() -> bytes:
        principal = live()  # raises SessionEnded: no bytes, no audit row
        if principal.username != viewer.username or principal.role != viewer.role:
            raise SessionEnded("The account behind this page changed: sign in again.")
        return build_file(engine, viewer, key, ctx, file_format)

    return build


def extract_button(viewer: Viewer, brand_code: str, key: str, ctx: ExtractContext, *,
                   label: str | None = None) -> None:
    """Two buttons that download extract ``key`` for the viewer's brand with ``ctx``'s
    filters: the CSV (``label``) and, beside it, the same rows as an Excel workbook; disabled,
    with the reason, when the viewer's role may not download it."""
    spec = EXTRACTS[key]
    allowed = may_download(viewer, key)
    title, description = _(spec.title).lower(), _(spec.description)
    st.download_button(
        label or _("Download {extract} (CSV)").format(extract=title),
        data=guarded_file(viewer, key, ctx) if allowed else b"",
        file_name=extract_filename(brand_code, key, ctx.as_of),
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:" if allowed else ":material/lock:",
        key=f"download_{key}",
        disabled=not allowed,
        help=description if allowed else _(
            "{description} Brand viewers can download summary extracts only; ask your brand's "
            "manager or a programme administrator for this one.").format(
            description=description),
    )
    st.download_button(
        _("Excel workbook") if label else _("Download {extract} (Excel)").format(extract=title),
        data=guarded_file(viewer, key, ctx, "xlsx") if allowed else b"",
        file_name=extract_filename(brand_code, key, ctx.as_of, "xlsx"),
        mime=XLSX_MIME,
        on_click="ignore",
        icon=":material/table_view:" if allowed else ":material/lock:",
        key=f"download_{key}_xlsx",
        disabled=not allowed,
        help=_("{description} The same rows as an Excel workbook: numbers and dates as such, the "
               "data dictionary on a second sheet.").format(description=description),
    )


#: a column type as people say it
TYPE_WORDS = {"text": N_("Text"), "int": N_("Whole number"), "float": N_("Number"),
              "date": N_("Date"), "datetime": N_("Date and time"), "bool": N_("Yes / no")}


def dictionary_table(key: str) -> None:
    """The extract's data dictionary on the page: every column, its kind, unit and meaning."""
    spec = EXTRACTS[key]
    # meanings in the session's language; column names (machine-readable) and units as written
    rows = pd.DataFrame(data_dictionary(spec.columns, translate=_))
    kinds = {code: _(word) for code, word in TYPE_WORDS.items()}
    rows["type"] = rows["type"].map(kinds).fillna(rows["type"])
    st.dataframe(rows, hide_index=True, width="stretch",
                 column_config={"column": st.column_config.TextColumn(_("Column")),
                                "type": st.column_config.TextColumn(_("Kind")),
                                "unit": st.column_config.TextColumn(_("Unit")),
                                "meaning": st.column_config.TextColumn(_("Meaning"),
                                                                       width="large")})


def dictionary_button(key: str) -> None:
    spec = EXTRACTS[key]
    st.download_button(
        # with a byte-order mark, like the extracts (services.extract_catalogue)
        _("Data dictionary"), data=(b"\xef\xbb\xbf" if CSV_BYTE_ORDER_MARK else b"")
        + data_dictionary_csv(spec.columns, translate=_),
        file_name=f"{key}_data-dictionary.csv", mime="text/csv", on_click="ignore",
        icon=":material/menu_book:", key=f"dictionary_{key}",
        help=_("Every column of the extract: type, unit and meaning."))
