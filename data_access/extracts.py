"""Safe CSV extracts: formula-injection neutralising, streaming writers, brand-scoped streams and
the download audit log. No Streamlit here; pages call these functions.

Formula injection (OWASP "CSV Injection", ASVS 1.2.10)
    A spreadsheet evaluates a cell that starts with ``=``, ``+``, ``-`` or ``@`` (also after a
    tab, CR or LF, and after leading spaces / non-breaking spaces), even when the CSV quotes it.
    Such *text* cells get a leading ``'``; spreadsheets show the text, not a formula result.
    The decision is taken by the column's declared type, never by trying to parse the text:
    a numeric column writes real numbers untouched (``-2.5`` stays ``-2.5``), while the text
    ``-2+3`` in a text column becomes ``'-2+3``. Tools that "escaped the minus" on every cell
    corrupted genuine negative numbers (Grafana, WooCommerce, Symfony, CsvHelper).

Pattern for a new extract (the page author adds more like :func:`iter_purchase_orders`):

1. a tuple of :class:`ExtractColumn` (name, type, unit, meaning) — the data dictionary;
2. a function ``iter_<extract>(engine, viewer, filters) -> Iterator[tuple]`` that checks the
   viewer *eagerly*, filters on ``viewer.require_brand()`` in SQL and streams with
   ``yield_per`` (a server-side cursor on PostgreSQL), so 100k+ rows never sit in memory;
3. :func:`export_csv` writes the rows with :func:`write_csv` and records the download.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import datetime as dt
import decimal
import io
import itertools
import json
import math
import numbers
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any, Literal

import pandas as pd
from sqlalchemy import Engine, String, and_, cast, false, insert, or_, select

from data_access.gcpause import cyclic_gc_paused
from data_access.schema import Brand, ExtractAudit, Factory, PurchaseOrder
from data_access.scope import scoped_connection, system_connection
from data_access.sqlutil import possible_ids, possible_texts
from data_access.viewer import Viewer
from reference.translation import N_, Translate, identity

ColumnType = Literal["text", "int", "float", "date", "datetime", "bool"]
NUMERIC_TYPES = frozenset({"int", "float"})

#: first characters that make a spreadsheet evaluate a cell (OWASP), plus LF
FORMULA_TRIGGERS = frozenset("=+-@\t\r\n")
#: characters a spreadsheet skips before looking for a formula trigger: spaces, no-break
#: spaces (U+00A0, U+2007, U+202F), the ideographic space and a stray BOM
_LEADING_BLANKS = " \u00a0\u2007\u202f\u3000\ufeff"
#: a plain decimal literal: what a numeric column may carry as text and still be a number
_PLAIN_NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)")
STREAM_BATCH = 5_000


@dataclass(frozen=True)
class ExtractColumn:
    """One column of an extract: its name in the header, its type (which decides how cells
    are written and whether they are neutralised), and its data-dictionary entry."""

    name: str
    type: ColumnType = "text"
    description: str = ""
    unit: str = ""
    #: the meaning as catalogue messages, when ``description`` was filled in from templates:
    #: ``(message, ((placeholder, value), …))`` pairs whose translations, filled in and joined
    #: by a space, are the meaning in the reader's language (:func:`data_dictionary`); empty:
    #: ``description`` itself is the message (marked ``N_`` where it is written)
    meaning: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = ()


def neutralise_cell(value: Any) -> Any:
    """Prefix ``'`` to a text that a spreadsheet would run as a formula; anything else as is.

    Looks at the first character after leading spaces / non-breaking spaces (the whole cell
    is one value: a trigger at the start of a later line of a multi-line cell does not make
    the cell a formula, a trigger at the very start does).
    """
    if not isinstance(value, str) or not value:
        return value
    first = value.lstrip(_LEADING_BLANKS)[:1]
    if first and first in FORMULA_TRIGGERS:
        return "'" + value
    return value


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def _text(value: Any) -> Any:
    if isinstance(value, str):
        return neutralise_cell(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, numbers.Number):
        return value  # a real number is data, never a formula
    return neutralise_cell(str(value))


def _number(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, decimal.Decimal):
        return str(value) if value.is_finite() else ""
    if isinstance(value, numbers.Real):
        number = float(value)
        if math.isinf(number):
            return ""
        return int(number) if number.is_integer() and abs(number) < 2**53 else repr(number)
    if isinstance(value, str) and _PLAIN_NUMBER.fullmatch(value.strip()):
        return value.strip()
    return _text(value)  # not a number after all: treat as text, neutralised


def _date(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return _text(value)


def _datetime(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return _text(value)


def _bool(value: Any) -> Any:
    if isinstance(value, bool) or type(value).__name__ == "bool_":  # numpy.bool_
        return "true" if value else "false"
    return _text(value)


_FORMATTERS: dict[str, Callable[[Any], Any]] = {
    "text": _text, "int": _number, "float": _number, "date": _date, "datetime": _datetime,
    "bool": _bool,
}


def format_cell(value: Any, column_type: ColumnType = "text") -> Any:
    """The cell as written: "" for missing, ISO-8601 dates, numbers as numbers, text
    neutralised (see the module docstring)."""
    if _is_missing(value):
        return ""
    return _FORMATTERS[column_type](value)


def _as_columns(columns: Sequence[ExtractColumn | str]) -> list[ExtractColumn]:
    return [c if isinstance(c, ExtractColumn) else ExtractColumn(str(c)) for c in columns]


@contextlib.contextmanager
def _text_stream(out: IO[Any]) -> Iterator[IO[str]]:
    """``out`` as a UTF-8 text stream (wrapping a binary stream without closing it)."""
    if isinstance(out, io.TextIOBase):
        yield out
        return
    wrapper = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    try:
        yield wrapper
    finally:
        wrapper.flush()
        wrapper.detach()


def write_csv(rows: Iterable[Sequence[Any] | Mapping[str, Any]],
              columns: Sequence[ExtractColumn | str], out: IO[Any], *,
              excel_bom: bool = False) -> int:
    """Stream ``rows`` to ``out`` as CSV: UTF-8, a header row, ISO-8601 dates, every text cell
    neutralised against formula injection. Returns the number of data rows written.

    Args:
        rows: tuples in ``columns`` order, or mappings keyed by column name; any iterable (a
            generator from an ``iter_*`` function is consumed lazily, in batches of
            :data:`STREAM_BATCH` rows).
        columns: :class:`ExtractColumn` (typed) or plain names (treated as text).
        out: a text stream opened with ``newline=""``, or a binary stream (UTF-8 is written).
        excel_bom: start with a byte-order mark, which Excel needs to detect UTF-8.
    """
    specs = _as_columns(columns)
    count = 0
    with _text_stream(out) as stream, cyclic_gc_paused():
        if excel_bom:
            stream.write("\ufeff")
        writer = csv.writer(stream, lineterminator="\r\n")
        writer.writerow([neutralise_cell(c.name) for c in specs])
        for batch in formatted_batches(rows, specs):
            writer.writerows(batch)
            count += len(batch)
    return count


def formatted_batches(rows: Iterable[Sequence[Any] | Mapping[str, Any]],
                      columns: Sequence[ExtractColumn]) -> Iterator[list[tuple]]:
    """``rows`` as CSV cells (:func:`format_cell` of each column's type: formula neutralising,
    ISO dates, numbers untouched), in lists of at most :data:`STREAM_BATCH` rows. The
    iterator is consumed lazily, one batch at a time."""
    names = [c.name for c in columns]
    formatters = [_COLUMN_FORMATTERS[c.type] for c in columns]
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, STREAM_BATCH)):
        if isinstance(batch[0], Mapping):
            batch = [[row.get(n) for n in names] for row in batch]
        # column by column: one type decision per column, not per cell (issue 7: the
        # 100 k-row extract spent most of its time in per-cell dispatch)
        by_column = list(zip(*batch, strict=True))
        if len(by_column) != len(columns):
            raise ValueError(f"rows have {len(by_column)} values, columns {len(columns)}")
        yield list(zip(*(f(col) for f, col in zip(formatters, by_column, strict=True)),
                       strict=True))


def csv_chunks(rows: Iterable[Sequence[Any] | Mapping[str, Any]],
               columns: Sequence[ExtractColumn | str], *, excel_bom: bool = False,
               counter: list[int] | None = None) -> Iterator[bytes]:
    """The CSV of :func:`write_csv` as UTF-8 chunks (the header, then one chunk per batch of
    :data:`STREAM_BATCH` rows), for a streamed HTTP response: the same cells, the same
    neutralising, never more than one batch in memory. ``counter[0]`` counts the data rows
    sent so far (for the audit row, also when the client stops reading half-way)."""
    specs = _as_columns(columns)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([neutralise_cell(c.name) for c in specs])
    head = buffer.getvalue()
    yield (("\ufeff" + head) if excel_bom else head).encode("utf-8")
    batches = formatted_batches(rows, specs)
    while True:
        # the collector paused while a batch is read, formatted and written (as write_csv
        # does: ≈ 25 % of the time otherwise), switched back on between chunks, while the
        # server sends one and other requests run
        with cyclic_gc_paused():
            batch = next(batches, None)
            if batch is None:
                return
            buffer = io.StringIO()  # a fresh one: StringIO appends fastest from empty
            csv.writer(buffer, lineterminator="\r\n").writerows(batch)
            chunk = buffer.getvalue().encode("utf-8")
        if counter is not None:
            counter[0] += len(batch)
        yield chunk


def json_value(value: Any, column_type: ColumnType = "text") -> Any:
    """A cell as a JSON value of its column's type (the HTTP API): ``None`` for missing
    (NaN, NaT, infinity too), ``int``/``float`` for numbers, ISO-8601 text for dates, ``bool``
    for yes/no, text as it is — JSON is data, not a spreadsheet, so nothing is neutralised
    (the API's CSV is, through :func:`csv_chunks`)."""
    if _is_missing(value):
        return None
    if column_type in NUMERIC_TYPES:
        if isinstance(value, bool) or type(value).__name__ == "bool_":
            return int(value)
        if isinstance(value, numbers.Integral):
            return int(value)
        if isinstance(value, numbers.Real | decimal.Decimal):
            number = float(value)
            if not math.isfinite(number):
                return None
            return int(number) if column_type == "int" and number.is_integer() else number
        if isinstance(value, str) and _PLAIN_NUMBER.fullmatch(value.strip()):
            number = float(value)
            return int(number) if column_type == "int" and number.is_integer() else number
        return str(value)
    if column_type == "bool":
        if isinstance(value, bool) or type(value).__name__ == "bool_":
            return bool(value)
        if isinstance(value, numbers.Integral):
            return bool(value)
        return str(value)
    if column_type in ("date", "datetime"):
        if hasattr(value, "to_pydatetime"):
            value = value.to_pydatetime()
        if isinstance(value, dt.datetime):
            return (value.date().isoformat() if column_type == "date"
                    else value.isoformat(timespec="seconds"))
        if isinstance(value, dt.date):
            return value.isoformat()
        return str(value)
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value) if math.isfinite(float(value)) else None
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def json_rows(rows: Iterable[Sequence[Any]], columns: Sequence[ExtractColumn]
              ) -> Iterator[dict[str, Any]]:
    """Rows (in ``columns`` order) as JSON objects keyed by column name (:func:`json_value`)."""
    names = [c.name for c in columns]
    types = [c.type for c in columns]
    for row in rows:
        yield {n: json_value(v, t) for n, t, v in zip(names, types, row, strict=True)}


# ---- column-wise formatting: the common cell type on a fast path, anything else per cell ----

#: a text cell needs a closer look when it is empty or starts with one of these
_LOOK_CLOSER = frozenset(FORMULA_TRIGGERS | set(_LEADING_BLANKS))


def _text_column(values: Sequence[Any]) -> list[Any]:
    return [v if type(v) is str and v and v[0] not in _LOOK_CLOSER else format_cell(v, "text")
            for v in values]


def _int_column(values: Sequence[Any]) -> list[Any]:
    return [v if type(v) is int else format_cell(v, "int") for v in values]


def _float_column(values: Sequence[Any]) -> list[Any]:
    decimal_type = decimal.Decimal
    # a finite float with a fraction is written as repr() (shortest round-trip form); ``v - v``
    # is 0.0 exactly when v is finite. Whole numbers, NaN, inf, numpy types: per cell
    return [repr(v) if type(v) is float and v - v == 0 and not v.is_integer()
            else str(v) if type(v) is decimal_type and v.is_finite()
            else v if type(v) is int else format_cell(v, "float") for v in values]


def _date_column(values: Sequence[Any]) -> list[Any]:
    date_type = dt.date
    # ISO text straight from the database (see iter_purchase_orders) is written as it is; any
    # text starting with a digit is (a digit never starts a formula), the rest per cell
    return [v if type(v) is str and v and v[0] not in _LOOK_CLOSER
            else v.isoformat() if type(v) is date_type else format_cell(v, "date")
            for v in values]


def _datetime_column(values: Sequence[Any]) -> list[Any]:
    return [format_cell(v, "datetime") for v in values]


def _bool_column(values: Sequence[Any]) -> list[Any]:
    return [("true" if v else "false") if type(v) is bool else format_cell(v, "bool")
            for v in values]


_COLUMN_FORMATTERS: dict[str, Callable[[Sequence[Any]], list[Any]]] = {
    "text": _text_column, "int": _int_column, "float": _float_column, "date": _date_column,
    "datetime": _datetime_column, "bool": _bool_column,
}


def infer_columns(frame: pd.DataFrame) -> list[ExtractColumn]:
    """Column types from a DataFrame's dtypes (object columns are text unless they hold
    dates)."""
    out = []
    for name in frame.columns:
        series = frame[name]
        kind: ColumnType = "text"
        if pd.api.types.is_bool_dtype(series):
            kind = "bool"
        elif pd.api.types.is_integer_dtype(series):
            kind = "int"
        elif pd.api.types.is_float_dtype(series):
            kind = "float"
        elif pd.api.types.is_datetime64_any_dtype(series):
            values = series.dropna()
            kind = "date" if (values == values.dt.normalize()).all() else "datetime"
        else:
            first = series.dropna().head(1).tolist()
            if first and isinstance(first[0], dt.datetime):
                kind = "datetime"
            elif first and isinstance(first[0], dt.date):
                kind = "date"
        out.append(ExtractColumn(str(name), kind))
    return out


def csv_bytes(frame: pd.DataFrame, columns: Sequence[ExtractColumn] | None = None, *,
              excel_bom: bool = False) -> bytes:
    """A small DataFrame as safe CSV bytes (for ``st.download_button``). ``columns`` chooses
    and types the columns; by default every column, typed from its dtype."""
    specs = list(columns) if columns is not None else infer_columns(frame)
    names = [c.name for c in specs]
    buffer = io.BytesIO()
    write_csv(frame[names].itertuples(index=False, name=None), specs, buffer,
              excel_bom=excel_bom)
    return buffer.getvalue()


# ---- Excel workbooks beside every CSV extract (issue 14) --------------------------------------

#: characters XML 1.0 cannot carry: dropped from text cells
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


#: Excel's last row; an extract longer than that can only be a CSV
XLSX_MAX_ROWS = 1_048_575


def write_xlsx(rows: Iterable[Sequence[Any] | Mapping[str, Any]],
               columns: Sequence[ExtractColumn | str], out: IO[bytes], *,
               sheet: str = "Data", dictionary: bool = True) -> int:
    """Stream ``rows`` into an Excel workbook written to ``out``: the same columns as the CSV,
    a header row, and (by default) a second sheet with the data dictionary. Returns the rows.

    Cells keep their type: numbers are numbers, dates are real dates (shown ``YYYY-MM-DD``),
    yes/no columns are booleans. **Formula injection**: every text cell is written as a text
    cell (XlsxWriter's ``write_string``: never a formula, whatever it starts with), and one
    that starts like a formula (``=``, ``+``, ``-``, ``@``, a tab or line break, after any
    leading spaces) is also marked "quote prefix" — Excel's own flag for "this is text, even if
    it looks like a formula" — so ``=HYPERLINK(…)`` or ``+1`` is shown as typed, is never
    evaluated, and stays text if someone edits the cell. Unlike the CSV, no ``'`` is added to
    the value: the workbook holds the data exactly. XlsxWriter's constant-memory mode writes
    row by row to a temporary file, so memory stays flat.
    """
    import xlsxwriter

    specs = _as_columns(columns)
    names = [c.name for c in specs]
    book = xlsxwriter.Workbook(out, {
        "constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
        "strings_to_urls": False, "nan_inf_to_errors": False})
    header = book.add_format({"bold": True})
    quoted = book.add_format({"quote_prefix": True})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    sheet_ = book.add_worksheet(sheet[:31])

    def write(row: int, col: int, value: Any) -> None:
        if value is None:
            return
        if isinstance(value, str):
            text = _XML_ILLEGAL.sub("", value)
            if text and text.lstrip(_LEADING_BLANKS)[:1] in FORMULA_TRIGGERS:
                sheet_.write_string(row, col, text, quoted)
            else:
                sheet_.write_string(row, col, text)
        elif isinstance(value, bool):
            sheet_.write_boolean(row, col, value)
        elif isinstance(value, dt.datetime):
            sheet_.write_datetime(row, col, value, stamp)
        elif isinstance(value, dt.date):
            sheet_.write_datetime(row, col, value, date)
        else:
            sheet_.write_number(row, col, value)

    convert = [_XLSX_CONVERTERS[c.type] for c in specs]
    write_string, write_number = sheet_.write_string, sheet_.write_number
    for col, name in enumerate(names):
        sheet_.write_string(0, col, name, header)
    count = 0
    with cyclic_gc_paused():
        for row in rows:
            values = [row.get(n) for n in names] if isinstance(row, Mapping) else list(row)
            if len(values) != len(specs):
                raise ValueError(f"rows have {len(values)} values, columns {len(specs)}")
            count += 1
            if count > XLSX_MAX_ROWS:
                raise ValueError(f"more than {XLSX_MAX_ROWS:,} rows: Excel cannot hold them; "
                                 "download the CSV instead")
            for col, value in enumerate(values):
                kind = type(value)
                if kind is str and value and value[0] not in _LOOK_CLOSER \
                        and value.isprintable():
                    if specs[col].type == "text":
                        write_string(count, col, value)  # the common case, directly
                        continue
                elif (kind is int or kind is float) and specs[col].type in NUMERIC_TYPES \
                        and value - value == 0:
                    write_number(count, col, value)
                    continue
                write(count, col, None if _is_missing(value) else convert[col](value))
        if dictionary:
            sheet_ = book.add_worksheet("Data dictionary")
            for col, name in enumerate(("column", "type", "unit", "meaning")):
                sheet_.write_string(0, col, name, header)
            for row_number, entry in enumerate(data_dictionary(specs), start=1):
                for col, value in enumerate(entry.values()):
                    write(row_number, col, str(value) or None)
        book.close()
    return count


def _xlsx_text(value: Any) -> Any:
    if isinstance(value, str):
        return value
    if isinstance(value, dt.datetime | dt.date):
        return value  # a date in a text column is still a date
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return bool(value)
    if isinstance(value, numbers.Number):
        return _xlsx_number(value)
    return str(value)


def _xlsx_number(value: Any) -> Any:
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return int(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, decimal.Decimal):
        return float(value) if value.is_finite() else None
    if isinstance(value, numbers.Real):
        number = float(value)
        return None if math.isinf(number) else number
    if isinstance(value, str) and _PLAIN_NUMBER.fullmatch(value.strip()):
        number = float(value)
        return int(number) if number.is_integer() and "." not in value else number
    return _xlsx_text(value)


def _xlsx_date(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp
        return value.to_pydatetime().date()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    return _xlsx_text(value)


def _xlsx_datetime(value: Any) -> Any:
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime()
    if isinstance(value, dt.date):
        return value
    return _xlsx_text(value)


def _xlsx_bool(value: Any) -> Any:
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return bool(value)
    return _xlsx_text(value)


_XLSX_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "text": _xlsx_text, "int": _xlsx_number, "float": _xlsx_number, "date": _xlsx_date,
    "datetime": _xlsx_datetime, "bool": _xlsx_bool,
}


def xlsx_bytes(frame: pd.DataFrame, columns: Sequence[ExtractColumn] | None = None, *,
               dictionary: bool = False) -> bytes:
    """A small DataFrame as an Excel workbook (the XLSX twin of :func:`csv_bytes`)."""
    specs = list(columns) if columns is not None else infer_columns(frame)
    buffer = io.BytesIO()
    write_xlsx(frame[[c.name for c in specs]].itertuples(index=False, name=None), specs,
               buffer, dictionary=dictionary)
    return buffer.getvalue()


def data_dictionary(columns: Sequence[ExtractColumn],
                    translate: Translate = identity) -> list[dict[str, str]]:
    """The data dictionary of an extract: ``column, type, unit, meaning`` per column. Column
    names and types are stable machine-readable names, never translated; ``translate`` (the
    interface's ``gettext``) turns each meaning into the reader's language — meanings are
    marked with ``N_`` where they are written."""
    return [{"column": c.name, "type": c.type, "unit": c.unit,
             "meaning": _meaning(c, translate)} for c in columns]


def _meaning(column: ExtractColumn, translate: Translate) -> str:
    """A column's meaning through ``translate``: its description, or its template messages
    filled in (a text value is itself a message, e.g. an indicator's name)."""
    if not column.meaning:
        return translate(column.description) if column.description else ""
    return " ".join(
        translate(message).format(**{name: translate(value) if isinstance(value, str) and value
                                     else value for name, value in values})
        for message, values in column.meaning)


def data_dictionary_csv(columns: Sequence[ExtractColumn],
                        translate: Translate = identity) -> bytes:
    """The data dictionary as CSV, to download beside the extract (meanings through
    ``translate``, see :func:`data_dictionary`)."""
    spec = [ExtractColumn("column"), ExtractColumn("type"), ExtractColumn("unit"),
            ExtractColumn("meaning")]
    buffer = io.BytesIO()
    write_csv(data_dictionary(columns, translate), spec, buffer)
    return buffer.getvalue()


_SLUG = re.compile(r"[^a-z0-9]+")


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _SLUG.sub("-", ascii_text.lower()).strip("-")[:60].strip("-")


def extract_filename(brand_code: str, extract: str, date: dt.date | None = None,
                     extension: str = "csv") -> str:
    """``nordwind_purchase-orders_2026-11-26.csv`` (or ``.xlsx``): brand, extract and date, in
    safe characters only (a–z, 0–9, ``-``, ``_``, ``.``), whatever the inputs contain."""
    date = date or dt.datetime.now(dt.UTC).date()
    ext = "xlsx" if extension == "xlsx" else "csv"
    return (f"{_slug(brand_code) or 'brand'}_{_slug(extract) or 'extract'}_"
            f"{date.isoformat()}.{ext}")


# ---- the download audit log ------------------------------------------------------------------


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    if isinstance(value, tuple):
        return list(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return str(value)


def filters_json(filters: Mapping[str, Any] | Any | None) -> str:
    """Filters as compact JSON with sorted keys (dataclasses, dates and sets allowed)."""
    if filters is not None and dataclasses.is_dataclass(filters) and not isinstance(filters, type):
        filters = dataclasses.asdict(filters)
    return json.dumps(filters or {}, sort_keys=True, default=_json_default,
                      separators=(",", ":"))


#: extracts of figures per factory or country, which every brand role may download; every
#: other extract — order-, finding- and plan-level rows — needs ``download_raw_extracts``
#: (brand managers and administrators). An extract not listed here counts as raw: deny by
#: default.
SUMMARY_EXTRACTS = frozenset({"supplier-list", "purchasing-indicators", "risk-ranking",
                              "visibility-by-country"})


def extract_permission(extract: str) -> str:
    """The action (``data_access.viewer.ACTIONS``) downloading ``extract`` needs."""
    return ("download_summary_extracts" if extract in SUMMARY_EXTRACTS
            else "download_raw_extracts")


def may_download(viewer: Viewer, extract: str) -> bool:
    return viewer.can(extract_permission(extract))


def require_download(viewer: Viewer, extract: str) -> None:
    """Raise :class:`PermissionDenied` unless ``viewer``'s role may download ``extract``."""
    viewer.require(extract_permission(extract))


def record_download(engine: Engine, viewer: Viewer, extract: str,
                    filters: Mapping[str, Any] | Any | None, row_count: int) -> None:
    """Record that ``viewer`` downloaded ``row_count`` rows of ``extract`` with ``filters``
    (in the viewer's brand scope: on PostgreSQL the row must name the viewer's brand)."""
    with scoped_connection(engine, viewer) as conn:
        conn.execute(insert(ExtractAudit).values(
            username=viewer.username[:80], brand_id=viewer.brand_id, extract=extract[:80],
            filters=filters_json(filters), row_count=int(row_count),
            created_at=dt.datetime.now(dt.UTC).replace(tzinfo=None)))


def list_downloads(engine: Engine, viewer: Viewer, *, limit: int = 500,
                   brand_id: int | None = None) -> pd.DataFrame:
    """The download audit log, newest first (administrators only).

    Columns: ``created_at, username, brand_code, brand_name, extract, filters, row_count``.
    """
    viewer.require_admin()
    stmt = (select(ExtractAudit.created_at, ExtractAudit.username,
                   Brand.code.label("brand_code"), Brand.name.label("brand_name"),
                   ExtractAudit.extract, ExtractAudit.filters, ExtractAudit.row_count)
            .outerjoin(Brand, Brand.id == ExtractAudit.brand_id)
            .order_by(ExtractAudit.created_at.desc(), ExtractAudit.id.desc())
            .limit(limit))
    if brand_id is not None:
        stmt = stmt.where(ExtractAudit.brand_id == brand_id)
    with system_connection(engine) as conn:
        result = conn.execute(stmt)
        return pd.DataFrame(result.all(), columns=list(result.keys()))


def export_xlsx(engine: Engine, viewer: Viewer, extract: str,
                rows: Iterable[Sequence[Any] | Mapping[str, Any]],
                columns: Sequence[ExtractColumn | str], out: IO[bytes],
                filters: Mapping[str, Any] | Any | None = None) -> int:
    """:func:`export_csv` for an Excel workbook: written with :func:`write_xlsx`, recorded in
    the audit log with ``"format": "xlsx"`` among the filters. The same role check first."""
    require_download(viewer, extract)
    count = write_xlsx(rows, columns, out)
    recorded = dict(json.loads(filters_json(filters)), format="xlsx")
    record_download(engine, viewer, extract, recorded, count)
    return count


def export_csv(engine: Engine, viewer: Viewer, extract: str,
               rows: Iterable[Sequence[Any] | Mapping[str, Any]],
               columns: Sequence[ExtractColumn | str], out: IO[Any],
               filters: Mapping[str, Any] | Any | None = None, *,
               excel_bom: bool = False) -> int:
    """Write an extract with :func:`write_csv` and record the download; returns the row count.

    The viewer's role must be allowed the extract (:func:`require_download`), checked before
    the first row. The audit row is written after the last row, so a failed extract is not
    logged as done.
    """
    require_download(viewer, extract)
    count = write_csv(rows, columns, out, excel_bom=excel_bom)
    record_download(engine, viewer, extract, filters, count)
    return count


# ---- purchase orders ---------------------------------------------------------------------------

PURCHASE_ORDER_COLUMNS: tuple[ExtractColumn, ...] = (
    ExtractColumn("po_number", "text", N_("The brand's purchase-order number.")),
    ExtractColumn("factory_id", "int", N_("The factory's id in this dashboard.")),
    ExtractColumn("factory_os_id", "text", N_("The factory's Open Supply Hub ID (OS ID).")),
    ExtractColumn("factory_name", "text", N_("The factory's name.")),
    ExtractColumn("country_code", "text", N_("The factory's country (ISO 3166 alpha-2).")),
    ExtractColumn("season", "text", N_("Selling season, e.g. SS26 or AW25.")),
    ExtractColumn("confirmed_on", "date", N_("Date the order was confirmed to the factory."),
                  "date"),
    ExtractColumn("ex_factory_on", "date", N_("Date the goods left the factory (empty: not yet)."),
                  "date"),
    ExtractColumn("invoiced_on", "date", N_("Date the factory invoiced the order."), "date"),
    ExtractColumn("paid_on", "date", N_("Date the brand paid the invoice (empty: not paid)."),
                  "date"),
    ExtractColumn("payment_terms_days", "int", N_("Agreed payment terms after invoice."), "days"),
    ExtractColumn("units_forecast", "int", N_("Units forecast (reserved) before the order."),
                  "units"),
    ExtractColumn("units_ordered", "int", N_("Units in the confirmed order."), "units"),
    ExtractColumn("units_changed_after_confirmation", "int",
                  N_("Units added or removed after confirmation."), "units"),
    ExtractColumn("changed_after_confirmation", "bool",
                  N_("The order (quantity, style or date) changed after confirmation.")),
    ExtractColumn("fob_price_usd", "float", N_("Free-on-board price per unit."), "USD"),
    ExtractColumn("cost_usd", "float",
                  N_("Costed production cost per unit incl. legal minimum wage."), "USD"),
    ExtractColumn("amount_paid_usd", "float", N_("Amount paid for the order."), "USD"),
)


@dataclass(frozen=True)
class PurchaseOrderFilters:
    """Filters of the purchase-order extract. ``None`` means "no filter"; an empty tuple
    matches nothing. ``confirmed_to`` is inclusive."""

    confirmed_from: dt.date | None = None
    confirmed_to: dt.date | None = None
    factory_ids: tuple[int, ...] | None = None
    country_codes: tuple[str, ...] | None = None
    #: keyset paging (the HTTP API): only orders after this (confirmed_on, po_number) in the
    #: extract's order — confirmation date, then PO number (unique within a brand)
    after: tuple[dt.date, str] | None = None


def iter_purchase_orders(engine: Engine, viewer: Viewer,
                         filters: PurchaseOrderFilters | None = None, *,
                         limit: int | None = None) -> Iterator[tuple]:
    """Stream the viewer's brand's purchase orders as rows (tuple-like, in
    :data:`PURCHASE_ORDER_COLUMNS` order), ordered by confirmation date and PO number.

    The brand scope is applied in SQL from ``viewer.require_brand()`` (checked now, not at the
    first ``next()``). Rows arrive in batches of 5,000 through a server-side cursor on
    PostgreSQL (``yield_per``), so memory stays flat however many orders there are. The
    connection is held until the iterator is exhausted or closed: consume it fully or use
    ``contextlib.closing(...)``. ``filters.after`` and ``limit`` give one keyset page (the
    HTTP API).

    Raises:
        NoBrandSelected: an administrator has not chosen a brand.
    """
    brand_id = viewer.require_brand()
    require_download(viewer, "purchase-orders")
    filters = filters or PurchaseOrderFilters()
    po = PurchaseOrder
    # dates as ISO text: parsing 400 k dates into objects only to format them back was a
    # third of the 100 k-row extract's time (issue 7); the sort still uses the DATE column
    stmt = (select(po.po_number, Factory.id, Factory.os_id, Factory.name, Factory.country_code,
                   po.season, *(cast(col, String) for col in (
                       po.confirmed_on, po.ex_factory_on, po.invoiced_on, po.paid_on)),
                   po.payment_terms_days, po.units_forecast, po.units_ordered,
                   po.units_changed_after_confirmation, po.changed_after_confirmation,
                   po.fob_price_usd, po.cost_usd, po.amount_paid_usd)
            .join(Factory, Factory.id == po.factory_id)
            .where(po.brand_id == brand_id)
            .order_by(po.confirmed_on, po.po_number))
    if filters.confirmed_from is not None:
        stmt = stmt.where(po.confirmed_on >= filters.confirmed_from)
    if filters.confirmed_to is not None:
        stmt = stmt.where(po.confirmed_on <= filters.confirmed_to)
    if filters.factory_ids is not None:
        # ids outside INTEGER cannot exist; PostgreSQL would reject them as out of range
        ids = possible_ids(filters.factory_ids)
        stmt = stmt.where(po.factory_id.in_(ids) if ids else false())
    if filters.country_codes is not None:
        stmt = stmt.where(Factory.country_code.in_(
            [c.upper() for c in possible_texts(filters.country_codes)]))
    if filters.after is not None:
        day, number = filters.after[0], (possible_texts([filters.after[1]]) or [""])[0]
        # the first condition is implied by the second; it lets the index range start at
        # ``day`` (without it SQLite merged two index scans and sorted: 0.47 s a page at M,
        # 0.007 s with it)
        stmt = stmt.where(po.confirmed_on >= day,
                          or_(po.confirmed_on > day,
                              and_(po.confirmed_on == day, po.po_number > number)))
    if limit is not None:
        stmt = stmt.limit(max(0, int(limit)))

    def stream() -> Iterator[tuple]:
        # the brand scope for row-level security (PostgreSQL) too: defence in depth
        with scoped_connection(engine, viewer) as conn:
            result = conn.execution_options(yield_per=STREAM_BATCH).execute(stmt)
            for batch in result.partitions():
                yield from batch  # Row objects: sequences, compared and indexed like tuples

    return stream()


def purchase_orders_csv(engine: Engine, viewer: Viewer, out: IO[Any],
                        filters: PurchaseOrderFilters | None = None, *,
                        excel_bom: bool = False) -> int:
    """The purchase-order extract written to ``out`` and recorded in the audit log."""
    filters = filters or PurchaseOrderFilters()
    return export_csv(engine, viewer, "purchase-orders",
                      iter_purchase_orders(engine, viewer, filters), PURCHASE_ORDER_COLUMNS,
                      out, filters, excel_bom=excel_bom)
