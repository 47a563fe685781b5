"""Administration: import facility lists, assessments, improvement plans and purchase orders
(CSV files or Excel workbooks)."""

from __future__ import annotations

import io
from functools import partial

import streamlit as st

from data_access.errors import (
    DatabaseUnavailable,
    ImportFailed,
    ImportRejected,
    NotFound,
    PermissionDenied,
)
from data_access.extracts import XLSX_MIME, ExtractColumn, write_csv, write_xlsx
from data_access.importing import KINDS, expected_columns, import_csv, list_import_runs
from data_access.importing.workbook import sheet_names
from ui import data, state
from ui.auth import require_live_session, session_guard
from ui.components import fmt_int, plain
from ui.runtime import get_engine

KIND_LABELS = {"facilities": "Facility list (Open Supply Hub columns)",
               "assessments": "Assessments with question-level findings",
               "plans": "Improvement-plan items", "orders": "Purchase orders"}
LIST_SOURCES = {"brand_list": "A brand's facility list", "better_work": "Better Work",
                "open_supply_hub": "Open Supply Hub"}
BRAND_KINDS = {"facilities", "orders"}
PROBLEM_COLUMNS = (ExtractColumn("file"), ExtractColumn("row", "int"),
                   ExtractColumn("column"), ExtractColumn("message"))
#: how this page is named in the import log (data_access.importing.runner.import_actor)
VIA = "upload page"


def _problem_rows(problems: tuple) -> list[tuple]:
    return [(p.file, p.row, p.column, p.message) for p in problems]


def _problems_csv(problems: tuple) -> bytes:
    out = io.BytesIO()
    write_csv(_problem_rows(problems), PROBLEM_COLUMNS, out)
    return out.getvalue()


def _problems_xlsx(problems: tuple) -> bytes:
    out = io.BytesIO()
    write_xlsx(_problem_rows(problems), PROBLEM_COLUMNS, out, sheet="Problems",
               dictionary=False)
    return out.getvalue()


def _show_notes(report) -> None:
    """How the file was read, and what was merged or differs (not problems)."""
    if report.notes:
        st.caption("Read as: " + plain("; ".join(report.notes)) + ".")
    if report.warnings:
        st.warning(f"{fmt_int(len(report.warnings))} note{'s' if len(report.warnings) != 1 else ''}"
                   " about rows (merged duplicates, values that differ between them):",
                   icon=":material/info:")
        st.dataframe([{"row": w.row, "column": w.column, "note": w.message}
                      for w in report.warnings[:5000]], hide_index=True, width="stretch")


viewer = state.viewer()
state.keep_only_params()
st.title("Import data")
try:
    viewer.require("import_data")
except PermissionDenied as exc:
    st.error(str(exc), icon=":material/lock:")
    st.stop()
st.caption("Check a CSV file or an Excel workbook, then import it. Every problem is listed at "
           "once with its row and column; a file with any problem writes nothing. Importing "
           "the same file again changes nothing.")

version = data.data_version()
brands = data.visible_brands(viewer, version)
left, right = st.columns(2)
kind = left.selectbox("What are you importing?", list(KINDS), format_func=KIND_LABELS.get,
                      key="import_kind")
list_source = "brand_list"
if kind == "facilities":
    list_source = left.radio("Whose list?", list(LIST_SOURCES), format_func=LIST_SOURCES.get,
                             key="import_list_source", horizontal=True,
                             help="Better Work's and Open Supply Hub's lists describe factories "
                                  "for every brand; a brand's list also links the factories "
                                  "to that brand.")
brand_code = None
if kind in BRAND_KINDS and list_source == "brand_list":
    codes = list(brands["code"])
    names = dict(zip(brands["code"], brands["name"], strict=True))
    brand_code = right.selectbox("For brand", codes, format_func=names.get, index=None,
                                 placeholder="Choose the brand…", key="import_brand")
with st.expander("Expected columns"):
    st.dataframe(expected_columns(kind), hide_index=True, width="stretch",
                 column_config={"name": "Column", "required": "Required",
                                "aliases": "Also accepted as"})
upload = st.file_uploader("File", type=["csv", "txt", "xlsx", "xlsm", "xls"], key="import_file",
                          help="CSV (UTF-8, with or without BOM; comma, semicolon or tab "
                               "separated) or an Excel workbook (.xlsx, .xls). Up to 25 MB "
                               "here; larger files: the command line.")
sheet = None
if upload is not None:
    sheets = sheet_names(upload.getvalue())
    if len(sheets) > 1:
        sheet = st.selectbox("Sheet", sheets, key="import_sheet",
                             help="The worksheet that holds the rows (the first by default).")
dry_run = st.toggle("Dry run: check and count only, write nothing", value=True,
                    key="import_dry_run")
ready = upload is not None and (kind not in BRAND_KINDS or list_source != "brand_list"
                                or brand_code)
if st.button("Check file" if dry_run else "Import file", type="primary", disabled=not ready,
             icon=":material/fact_check:" if dry_run else ":material/upload:"):
    bar = st.progress(0.0, text="Reading the file…")

    def progress(done: int, total: int, stage: str) -> None:
        bar.progress(min(1.0, done / total) if total else 1.0,
                     text=f"{stage.capitalize()}: {fmt_int(done)} of {fmt_int(total)} rows")

    require_live_session()  # the session may have ended since the page was drawn
    name = plain(upload.name)
    try:
        report = import_csv(get_engine(), viewer, kind, upload, brand_code=brand_code,
                            list_source=None if list_source == "brand_list" else list_source,
                            file_name=upload.name, dry_run=dry_run, progress=progress,
                            sheet=sheet, via=VIA)
    except ImportRejected as exc:
        bar.empty()
        rejected = exc.report
        problems = rejected.errors
        st.error(f"**{name} was not imported**: {rejected.problem_sentence()}. Nothing was "
                 "written. Fix "
                 + ("it" if len(problems) == 1 else "them all")
                 + " and upload the file again.", icon=":material/block:")
        st.dataframe([{"row": p.row, "column": p.column, "problem": p.message}
                      for p in problems[:5000]], hide_index=True, width="stretch")
        live = session_guard()

        def problems_file(problems: tuple = problems, excel: bool = False) -> bytes:
            live()  # refuses (no bytes) once the session has ended
            return _problems_xlsx(problems) if excel else _problems_csv(problems)

        left, right = st.columns(2)
        left.download_button(
            "Download the list of problems (CSV)",
            data=problems_file, file_name="import-problems.csv",
            mime="text/csv", on_click="ignore", icon=":material/download:")
        right.download_button(
            "Download the list of problems (Excel)",
            data=partial(problems_file, excel=True), file_name="import-problems.xlsx",
            mime=XLSX_MIME, on_click="ignore", icon=":material/table_view:")
        _show_notes(rejected)
    except (ImportFailed, DatabaseUnavailable) as exc:
        bar.empty()
        st.error(f"**{name} was not imported.** {exc}", icon=":material/cloud_off:")
    except (NotFound, ValueError) as exc:
        bar.empty()
        st.error(plain(str(exc)))
    else:
        bar.empty()
        verb = "would insert" if report.dry_run else "inserted"
        merged = (f", merged {fmt_int(report.merged)} into an earlier row"
                  if report.merged else "")
        st.success(f"**{name}**: {fmt_int(report.rows)} row{'s' if report.rows != 1 else ''} "
                   f"— {verb} {fmt_int(report.inserted)}, "
                   f"{'would update' if report.dry_run else 'updated'} "
                   f"{fmt_int(report.updated)}, unchanged {fmt_int(report.unchanged)}{merged}."
                   + (" Nothing was written (dry run)." if report.dry_run else ""),
                   icon=":material/check_circle:")
        if report.ignored_columns:
            st.warning("Ignored columns (not part of the format): "
                       + plain(", ".join(report.ignored_columns)))
        if report.details:
            st.dataframe([{"what": k.replace("_", " "), "rows": v}
                          for k, v in report.details.items()], hide_index=True)
        _show_notes(report)

st.subheader("Recent imports")
try:
    runs = list_import_runs(get_engine(), viewer)
except DatabaseUnavailable as exc:
    st.error(str(exc), icon=":material/cloud_off:")
    st.stop()
if runs.empty:
    st.caption("No import yet.")
else:
    st.dataframe(runs, hide_index=True, width="stretch", column_config={
        "started_at": st.column_config.DatetimeColumn("Started (UTC)", format="D MMM YYYY HH:mm"),
        "finished_at": None, "kind": "Kind", "file_name": "File", "brand_code": "Brand",
        "username": "By", "rows": "Rows", "inserted": "Inserted", "updated": "Updated",
        "unchanged": "Unchanged", "status": "Status"})
