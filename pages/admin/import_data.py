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
from ui.i18n import N_, _, ngettext
from ui.runtime import get_engine

KIND_LABELS = {"facilities": N_("Facility list (Open Supply Hub columns)"),
               "assessments": N_("Assessments with question-level findings"),
               "plans": N_("Improvement-plan items"), "orders": N_("Purchase orders")}
#: Better Work and Open Supply Hub are names, not translated
LIST_SOURCES = {"brand_list": N_("A brand's facility list"), "better_work": "Better Work",
                "open_supply_hub": "Open Supply Hub"}
#: the import's stages (data_access.importing.report.ProgressCallback)
STAGES = {"validating": N_("Validating"), "writing": N_("Writing"), "done": N_("Done")}
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


def _rows(n: int) -> str:
    return ngettext("{n} row", "{n} rows", n).format(n=fmt_int(n))


def _show_notes(report) -> None:
    """How the file was read, and what was merged or differs (not problems)."""
    if report.notes:
        st.caption(_("Read as: {notes}.").format(notes=plain("; ".join(report.notes))))
    if report.warnings:
        count = len(report.warnings)
        st.warning(ngettext("{n} note about rows (merged duplicates, values that differ "
                            "between them):",
                            "{n} notes about rows (merged duplicates, values that differ "
                            "between them):", count).format(n=fmt_int(count)),
                   icon=":material/info:")
        st.dataframe([{"row": w.row, "column": w.column, "note": _(w.message)}
                      for w in report.warnings[:5000]], hide_index=True, width="stretch",
                     column_config={"row": st.column_config.NumberColumn(_("Row")),
                                    "column": _("Column"), "note": _("Note")})


viewer = state.viewer()
state.keep_only_params()
st.title(_("Import data"))
try:
    viewer.require("import_data")
except PermissionDenied as exc:
    st.error(_(str(exc)), icon=":material/lock:")
    st.stop()
st.caption(_("Check a CSV file or an Excel workbook, then import it. Every problem is listed "
             "at once with its row and column; a file with any problem writes nothing. "
             "Importing the same file again changes nothing."))

version = data.data_version()
brands = data.visible_brands(viewer, version)
left, right = st.columns(2)
kind_labels = {code: _(label) for code, label in KIND_LABELS.items()}
kind = left.selectbox(_("What are you importing?"), list(KINDS), format_func=kind_labels.get,
                      key="import_kind")
list_source = "brand_list"
if kind == "facilities":
    source_labels = {code: _(label) for code, label in LIST_SOURCES.items()}
    list_source = left.radio(_("Whose list?"), list(LIST_SOURCES),
                             format_func=source_labels.get, key="import_list_source",
                             horizontal=True,
                             help=_("Better Work's and Open Supply Hub's lists describe "
                                    "factories for every brand; a brand's list also links the "
                                    "factories to that brand."))
brand_code = None
if kind in BRAND_KINDS and list_source == "brand_list":
    codes = list(brands["code"])
    names = dict(zip(brands["code"], brands["name"], strict=True))
    brand_code = right.selectbox(_("For brand"), codes, format_func=names.get, index=None,
                                 placeholder=_("Choose the brand…"), key="import_brand")
with st.expander(_("Expected columns")):
    st.dataframe(expected_columns(kind), hide_index=True, width="stretch",
                 column_config={"name": _("Column"), "required": _("Required"),
                                "aliases": _("Also accepted as")})
upload = st.file_uploader(_("File"), type=["csv", "txt", "xlsx", "xlsm", "xls"],
                          key="import_file",
                          help=_("CSV (UTF-8, with or without BOM; comma, semicolon or tab "
                                 "separated) or an Excel workbook (.xlsx, .xls). Up to 25 MB "
                                 "here; larger files: the command line."))
sheet = None
if upload is not None:
    sheets = sheet_names(upload.getvalue())
    if len(sheets) > 1:
        sheet = st.selectbox(_("Sheet"), sheets, key="import_sheet",
                             help=_("The worksheet that holds the rows (the first by "
                                    "default)."))
dry_run = st.toggle(_("Dry run: check and count only, write nothing"), value=True,
                    key="import_dry_run")
ready = upload is not None and (kind not in BRAND_KINDS or list_source != "brand_list"
                                or brand_code)
if st.button(_("Check file") if dry_run else _("Import file"), type="primary",
             disabled=not ready,
             icon=":material/fact_check:" if dry_run else ":material/upload:"):
    bar = st.progress(0.0, text=_("Reading the file…"))

    def progress(done: int, total: int, stage: str) -> None:
        bar.progress(min(1.0, done / total) if total else 1.0,
                     text=ngettext("{stage}: {done} of {total} row",
                                   "{stage}: {done} of {total} rows", total).format(
                         stage=_(STAGES[stage]) if stage in STAGES else stage.capitalize(),
                         done=fmt_int(done), total=fmt_int(total)))

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
        st.error(ngettext("**{file} was not imported**: {problems}. Nothing was written. Fix "
                          "it and upload the file again.",
                          "**{file} was not imported**: {problems}. Nothing was written. Fix "
                          "them all and upload the file again.", len(problems)).format(
                     file=name,
                     problems=rejected.problem_sentence(ngettext=ngettext, number=fmt_int)),
                 icon=":material/block:")
        # constant messages are marked in data_access.importing; the others stay as written
        st.dataframe([{"row": p.row, "column": p.column, "problem": _(p.message)}
                      for p in problems[:5000]], hide_index=True, width="stretch",
                     column_config={"row": st.column_config.NumberColumn(_("Row")),
                                    "column": _("Column"), "problem": _("Problem")})
        live = session_guard()

        def problems_file(problems: tuple = problems, excel: bool = False) -> bytes:
            live()  # refuses (no bytes) once the session has ended
            return _problems_xlsx(problems) if excel else _problems_csv(problems)

        left, right = st.columns(2)
        left.download_button(
            _("Download the list of problems (CSV)"),
            data=problems_file, file_name="import-problems.csv",
            mime="text/csv", on_click="ignore", icon=":material/download:")
        right.download_button(
            _("Download the list of problems (Excel)"),
            data=partial(problems_file, excel=True), file_name="import-problems.xlsx",
            mime=XLSX_MIME, on_click="ignore", icon=":material/table_view:")
        _show_notes(rejected)
    except (ImportFailed, DatabaseUnavailable) as exc:
        bar.empty()
        st.error(_("**{file} was not imported.** {reason}").format(file=name, reason=exc),
                 icon=":material/cloud_off:")
    except (NotFound, ValueError) as exc:
        bar.empty()
        st.error(plain(_(str(exc))))
    else:
        bar.empty()
        counts = {"file": name, "rows": _rows(report.rows),
                  "inserted": fmt_int(report.inserted), "updated": fmt_int(report.updated),
                  "unchanged": fmt_int(report.unchanged), "merged": fmt_int(report.merged)}
        if report.dry_run and report.merged:
            message = ngettext(
                "**{file}**: {rows} — would insert {inserted}, would update {updated}, "
                "unchanged {unchanged}, merged {merged} into an earlier row. Nothing was "
                "written (dry run).",
                "**{file}**: {rows} — would insert {inserted}, would update {updated}, "
                "unchanged {unchanged}, merged {merged} into an earlier row. Nothing was "
                "written (dry run).", report.merged)
        elif report.dry_run:
            message = _("**{file}**: {rows} — would insert {inserted}, would update "
                        "{updated}, unchanged {unchanged}. Nothing was written (dry run).")
        elif report.merged:
            message = ngettext(
                "**{file}**: {rows} — inserted {inserted}, updated {updated}, unchanged "
                "{unchanged}, merged {merged} into an earlier row.",
                "**{file}**: {rows} — inserted {inserted}, updated {updated}, unchanged "
                "{unchanged}, merged {merged} into an earlier row.", report.merged)
        else:
            message = _("**{file}**: {rows} — inserted {inserted}, updated {updated}, "
                        "unchanged {unchanged}.")
        st.success(message.format(**counts), icon=":material/check_circle:")
        if report.ignored_columns:
            st.warning(_("Ignored columns (not part of the format): {columns}").format(
                columns=plain(", ".join(report.ignored_columns))))
        if report.details:
            st.dataframe([{"what": k.replace("_", " "), "rows": v}
                          for k, v in report.details.items()], hide_index=True,
                         column_config={"what": _("What"),
                                        "rows": st.column_config.NumberColumn(_("Rows"))})
        _show_notes(report)

st.subheader(_("Recent imports"))
try:
    runs = list_import_runs(get_engine(), viewer)
except DatabaseUnavailable as exc:
    st.error(str(exc), icon=":material/cloud_off:")
    st.stop()
if runs.empty:
    st.caption(_("No import yet."))
else:
    st.dataframe(runs, hide_index=True, width="stretch", column_config={
        "started_at": st.column_config.DatetimeColumn(_("Started (UTC)"),
                                                      format="D MMM YYYY HH:mm"),
        "finished_at": None, "kind": _("Kind"), "file_name": _("File"), "brand_code": _("Brand"),
        "username": _("By"), "rows": _("Rows"), "inserted": _("Inserted"),
        "updated": _("Updated"), "unchanged": _("Unchanged"), "status": _("Status")})
