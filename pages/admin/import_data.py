"""Administration: import CSV files (facility lists, assessments, improvement plans, orders)."""

from __future__ import annotations

import io

import streamlit as st

from data_access.errors import ImportRejected, NotFound, PermissionDenied
from data_access.extracts import ExtractColumn, write_csv
from data_access.importing import KINDS, expected_columns, import_csv, list_import_runs
from ui import data, state
from ui.auth import require_live_session, session_guard
from ui.components import fmt_int, plain
from ui.runtime import get_engine

KIND_LABELS = {"facilities": "Facility list (Open Supply Hub columns)",
               "assessments": "Assessments with question-level findings",
               "plans": "Improvement-plan items", "orders": "Purchase orders"}
BRAND_KINDS = {"facilities", "orders"}
PROBLEM_COLUMNS = (ExtractColumn("file"), ExtractColumn("row", "int"),
                   ExtractColumn("column"), ExtractColumn("message"))


def _problems_csv(problems: tuple) -> bytes:
    out = io.BytesIO()
    write_csv(((p.file, p.row, p.column, p.message) for p in problems), PROBLEM_COLUMNS, out)
    return out.getvalue()


viewer = state.viewer()
state.keep_only_params()
st.title("Import data")
try:
    viewer.require("import_data")
except PermissionDenied as exc:
    st.error(str(exc), icon=":material/lock:")
    st.stop()
st.caption("Validate a CSV file, then import it. Every problem is listed at once with its row "
           "and column; a file with any problem writes nothing. Importing the same file again "
           "changes nothing. Formats: docs/import.md.")

version = data.data_version()
brands = data.visible_brands(viewer, version)
left, right = st.columns(2)
kind = left.selectbox("What are you importing?", list(KINDS), format_func=KIND_LABELS.get,
                      key="import_kind")
brand_code = None
if kind in BRAND_KINDS:
    codes = list(brands["code"])
    names = dict(zip(brands["code"], brands["name"], strict=True))
    brand_code = right.selectbox("For brand", codes, format_func=names.get, index=None,
                                 placeholder="Choose the brand…", key="import_brand")
with st.expander("Expected columns"):
    st.dataframe(expected_columns(kind), hide_index=True, width="stretch",
                 column_config={"name": "Column", "required": "Required",
                                "aliases": "Also accepted as"})
upload = st.file_uploader("CSV file", type=["csv"], key="import_file",
                          help="UTF-8 (with or without BOM), comma-separated, header row. "
                               "Up to 25 MB here; larger files: the command line "
                               "(python -m data_access.importing).")
dry_run = st.toggle("Dry run: check and count only, write nothing", value=True,
                    key="import_dry_run")
ready = upload is not None and (kind not in BRAND_KINDS or brand_code)
if st.button("Check file" if dry_run else "Import file", type="primary", disabled=not ready,
             icon=":material/fact_check:" if dry_run else ":material/upload:"):
    bar = st.progress(0.0, text="Reading the file…")

    def progress(done: int, total: int, stage: str) -> None:
        bar.progress(min(1.0, done / total) if total else 1.0,
                     text=f"{stage.capitalize()}: {fmt_int(done)} of {fmt_int(total)} rows")

    require_live_session()  # the session may have ended since the page was drawn
    try:
        report = import_csv(get_engine(), viewer, kind, upload, brand_code=brand_code,
                            file_name=upload.name, dry_run=dry_run, progress=progress)
    except ImportRejected as exc:
        bar.empty()
        problems = exc.report.errors
        st.error(f"**{plain(upload.name)} was not imported**: {len(problems)} problem"
                 f"{'s' if len(problems) != 1 else ''} in {fmt_int(exc.report.rejected)} of "
                 f"{fmt_int(exc.report.rows)} rows. Nothing was written. Fix them all and "
                 "upload the file again.", icon=":material/block:")
        st.dataframe([{"row": p.row, "column": p.column, "problem": p.message}
                      for p in problems[:5000]], hide_index=True, width="stretch")
        live = session_guard()

        def problems_file(problems: tuple = problems) -> bytes:
            live()  # refuses (no bytes) once the session has ended
            return _problems_csv(problems)

        st.download_button(
            "Download the list of problems (CSV)",
            data=problems_file, file_name="import-problems.csv",
            mime="text/csv", on_click="ignore", icon=":material/download:")
    except (NotFound, ValueError) as exc:
        bar.empty()
        st.error(plain(str(exc)))
    else:
        bar.empty()
        verb = "would insert" if report.dry_run else "inserted"
        st.success(f"**{plain(upload.name)}**: {fmt_int(report.rows)} rows — {verb} "
                   f"{fmt_int(report.inserted)}, {'would update' if report.dry_run else 'updated'}"
                   f" {fmt_int(report.updated)}, unchanged {fmt_int(report.unchanged)}."
                   + (" Nothing was written (dry run)." if report.dry_run else ""),
                   icon=":material/check_circle:")
        if report.ignored_columns:
            st.warning("Ignored columns (not part of the format): "
                       + plain(", ".join(report.ignored_columns)))
        if report.details:
            st.dataframe([{"what": k.replace("_", " "), "rows": v}
                          for k, v in report.details.items()], hide_index=True)

st.subheader("Recent imports")
runs = list_import_runs(get_engine(), viewer)
if runs.empty:
    st.caption("No import yet.")
else:
    st.dataframe(runs, hide_index=True, width="stretch", column_config={
        "started_at": st.column_config.DatetimeColumn("Started (UTC)", format="D MMM YYYY HH:mm"),
        "finished_at": None, "kind": "Kind", "file_name": "File", "brand_code": "Brand",
        "username": "By", "rows": "Rows", "inserted": "Inserted", "updated": "Updated",
        "unchanged": "Unchanged", "status": "Status"})

