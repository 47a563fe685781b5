"""Spreadsheets as uploads: Excel workbooks (.xlsx / .xlsm with openpyxl, .xls with
python-calamine) read into the same rows of text a CSV file gives.

What is read, and how:

* The file's *content* decides, not its name: a ZIP with ``xl/workbook.xml`` is an Excel
  workbook, an OLE2 compound file is a legacy ``.xls`` (or a password-protected workbook,
  which cannot be read), anything else is text (CSV).
* The first worksheet, or the one named. The first non-empty row is the header; row numbers are
  those the spreadsheet shows (header on row 1 → first data row 2; blank rows are skipped but
  keep their numbers).
* Formulas are never evaluated: a formula cell reads as the value the spreadsheet last
  calculated and saved (openpyxl ``data_only``; calamine reads the same cache). A workbook
  written by a program that saved no such value reads the cell as empty.
* Dates stay dates (written ``YYYY-MM-DD``; a date with a time of day keeps it, and a date
  column then refuses it as not a date). Whole numbers lose the ``.0`` a spreadsheet adds;
  a cell formatted as a percentage (``72.5%`` stored as 0.725) is read as 72.5 in ``.xlsx``
  (``.xls`` files do not say which cells are percentages: write the number).
* ZIP bombs: an ``.xlsx`` is a ZIP archive; one that would unpack to more than
  :data:`MAX_UNCOMPRESSED_BYTES` or has more than :data:`MAX_ENTRIES` parts is refused before
  anything is unpacked. XML is parsed through defusedxml (openpyxl uses it when installed).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from typing import Any, Literal

FileType = Literal["xlsx", "xls", "ods", "zip", "text"]
MAX_UNCOMPRESSED_BYTES = 256 * 1024 * 1024
MAX_ENTRIES = 10_000
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SAVE_AS_CSV = "Save it from the spreadsheet as “CSV UTF-8” and upload it again."


class WorkbookProblem(Exception):
    """The workbook cannot be read; the message says why, in words."""


def sniff(data: bytes) -> FileType:
    """What the bytes are: an Excel workbook (new or legacy), an OpenDocument spreadsheet,
    another ZIP archive, or text."""
    if data.startswith(_OLE2):
        return "xls"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist()[:MAX_ENTRIES])
                if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
                    return "xlsx"
                if "mimetype" in names and b"spreadsheet" in archive.read("mimetype")[:100]:
                    return "ods"
        except (zipfile.BadZipFile, OSError, KeyError):
            return "zip"
        return "zip"
    return "text"


def kind_words(kind: FileType) -> str:
    return {"xlsx": "an Excel workbook", "xls": "an Excel 97–2003 workbook (.xls)",
            "ods": "an OpenDocument spreadsheet", "zip": "a ZIP archive",
            "text": "a text file"}[kind]


def _check_archive(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise WorkbookProblem(f"The Excel workbook is damaged ({exc}). {SAVE_AS_CSV}") from exc
    if len(infos) > MAX_ENTRIES:
        raise WorkbookProblem(f"The workbook has more than {MAX_ENTRIES:,} parts; it is not a "
                              f"spreadsheet this import can read. {SAVE_AS_CSV}")
    unpacked = sum(info.file_size for info in infos)
    if unpacked > MAX_UNCOMPRESSED_BYTES:
        raise WorkbookProblem(
            f"The workbook would unpack to {unpacked / 1024 / 1024:,.0f} MB; the limit is "
            f"{MAX_UNCOMPRESSED_BYTES // 1024 // 1024} MB. Split it into smaller files.")
    if any(info.filename == "xl/workbook.bin" for info in infos):
        raise WorkbookProblem("This is an Excel binary workbook (.xlsb). Save it as an Excel "
                              "workbook (.xlsx) or as “CSV UTF-8” and upload it again.")


def sheet_names(data: bytes) -> list[str]:
    """The worksheets of a workbook, in order ([] for a file that is not one)."""
    kind = sniff(data)
    try:
        if kind == "xlsx":
            _check_archive(data)
            import openpyxl

            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                return [sheet.title for sheet in book.worksheets]
            finally:
                book.close()
        if kind == "xls":
            import python_calamine

            return list(python_calamine.CalamineWorkbook.from_filelike(
                io.BytesIO(data)).sheet_names)
    except Exception:  # noqa: BLE001 - a damaged file has no sheets; reading it says why
        return []
    return []


def read_rows(data: bytes, kind: FileType, sheet: str | None,
              max_rows: int) -> tuple[str, list[str], list[tuple[int, list[str]]]]:
    """``(sheet name, header, [(row number, cells)])`` of a workbook's sheet, cells as text.

    Raises:
        WorkbookProblem: damaged, protected, too large, no such sheet, too many rows.
    """
    if kind == "xlsx":
        _check_archive(data)
        name, rows = _xlsx_rows(data, sheet)
    elif kind == "xls":
        name, rows = _xls_rows(data, sheet)
    else:  # pragma: no cover - callers check the kind
        raise WorkbookProblem(f"This is {kind_words(kind)}. {SAVE_AS_CSV}")
    header: list[str] | None = None
    records: list[tuple[int, list[str]]] = []
    for number, cells in rows:
        while cells and not cells[-1].strip():
            cells.pop()  # trailing empty cells: a sheet is as wide as its widest row
        if not "".join(cells).strip():
            continue
        if header is None:
            header = cells
            continue
        records.append((number, cells))
        if len(records) > max_rows:
            raise WorkbookProblem(f"The sheet has more than {max_rows:,} data rows; split it "
                                  "into smaller files.")
    if header is None:
        raise WorkbookProblem(f"The sheet “{name}” is empty.")
    return name, header, records


def _pick(names: list[str], sheet: str | None) -> str:
    if not names:
        raise WorkbookProblem("The workbook has no worksheet.")
    if sheet is None:
        return names[0]
    if sheet not in names:
        raise WorkbookProblem(f"The workbook has no sheet named “{sheet}”; its sheets are: "
                              + ", ".join(f"“{n}”" for n in names) + ".")
    return sheet


def _xlsx_rows(data: bytes, sheet: str | None) -> tuple[str, Iterator[tuple[int, list[str]]]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise WorkbookProblem(f"The Excel workbook could not be read ({type(exc).__name__}: "
                              f"{str(exc)[:120]}). {SAVE_AS_CSV}") from exc
    name = _pick([s.title for s in book.worksheets], sheet)
    worksheet = book[name]

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for number, row in enumerate(worksheet.iter_rows(min_row=1), start=1):
                yield number, [cell_text(cell.value,
                                         percent="%" in str(getattr(cell, "number_format", "")))
                               for cell in row]
        finally:
            book.close()

    return name, rows()


def _xls_rows(data: bytes, sheet: str | None) -> tuple[str, Iterator[tuple[int, list[str]]]]:
    import python_calamine

    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        name = _pick(list(book.sheet_names), sheet)
        worksheet = book.get_sheet_by_name(name)
        values = worksheet.to_python(skip_empty_area=False)
        first_row = worksheet.start[0] if worksheet.start else 0
    except WorkbookProblem:
        raise
    except Exception as exc:
        words = str(exc)[:120]
        if "password" in words.lower() or "encrypt" in words.lower() \
                or type(exc).__name__ == "PasswordError":
            raise WorkbookProblem("The workbook is password-protected. Remove the password "
                                  f"or {SAVE_AS_CSV[0].lower()}{SAVE_AS_CSV[1:]}") from exc
        raise WorkbookProblem("The file could not be read as an Excel 97–2003 workbook "
                              f"({words}). {SAVE_AS_CSV}") from exc
    return name, ((first_row + i + 1, [cell_text(v) for v in row])
                  for i, row in enumerate(values))


def cell_text(value: Any, *, percent: bool = False) -> str:
    """A cell's value as the text a CSV export would hold: whole numbers without ".0",
    dates as ``YYYY-MM-DD``, percentages (by their format) as their number of percent."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        number = float(value) * 100 if percent else value
        if isinstance(number, float):
            if number.is_integer() and abs(number) < 2**53:
                return str(int(number))
            return f"{round(number, 10):.10g}" if percent else repr(number)
        return str(number)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat(timespec="seconds")
    return str(value)
