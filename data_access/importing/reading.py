"""From uploaded bytes to cleaned rows: decoding, CSV parsing, header matching, cell cleaning.

Nothing here touches the database. The result keeps each row's raw cells beside its cleaned
values (Open Supply Hub keeps the raw row too), and collects every problem found — file-level
ones (encoding, size, missing columns) and cell-level ones (with row and column) — instead of
stopping at the first.

Row numbers are those a spreadsheet shows: the header is row 1, the first data row is row 2,
and a cell with line breaks inside quotes still counts as one row.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from data_access.importing import workbook
from data_access.importing.cleaners import Cleaner
from data_access.importing.report import ImportProblem, ProgressCallback
from reference.translation import N_

DEFAULT_MAX_BYTES = 25 * 1024 * 1024
DEFAULT_MAX_ROWS = 250_000
PROGRESS_EVERY = 5_000
# csv's default field limit (128 KiB) stays: a longer cell is a broken file ("not valid CSV").


@dataclass(frozen=True)
class Column:
    """A column an import understands.

    ``required``: the column must be in the header and every row needs a value in it.
    ``aliases``: other (normalised) header names accepted for it, e.g. ``latitude`` for ``lat``.
    """

    name: str
    cleaner: Cleaner
    required: bool = False
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class FileSpec:
    """The columns of one kind of file. ``one_of``: groups where at least one column must be
    present (e.g. ``factory_os_id`` or ``factory_id``)."""

    kind: str
    columns: tuple[Column, ...]
    one_of: tuple[tuple[str, ...], ...] = ()

    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


@dataclass(slots=True)
class Row:
    """One data row: its spreadsheet row number, the raw cells and the cleaned values.

    ``values`` has every column of the spec (``None`` when empty, absent or invalid);
    ``invalid`` names the columns whose cell could not be cleaned, so later checks that combine
    columns do not pile a second message on the same mistake.
    """

    number: int
    raw: list[str]
    values: dict[str, Any]
    invalid: set[str] | None = None

    def is_valid(self, *names: str) -> bool:
        return not self.invalid or not self.invalid.intersection(names)


@dataclass
class ParsedFile:
    """A file read against a spec. Cleaned values are kept column by column (fast for 100k
    rows); :attr:`rows` gives the same data row by row."""

    file_name: str
    header: list[str] = field(default_factory=list)
    #: spec column name -> the header text as written in the file (for messages)
    display: dict[str, str] = field(default_factory=dict)
    present: set[str] = field(default_factory=set)
    ignored_columns: tuple[str, ...] = ()
    #: spreadsheet row number of each data row (blank lines are skipped)
    numbers: list[int] = field(default_factory=list)
    #: the raw cells of each data row, as read
    raw: list[list[str]] = field(default_factory=list)
    #: spec column name -> cleaned value of each data row (None: empty, absent or invalid)
    columns: dict[str, list[Any]] = field(default_factory=dict)
    #: data row index -> names of the columns whose cell could not be cleaned
    invalid: dict[int, set[str]] = field(default_factory=dict)
    problems: list[ImportProblem] = field(default_factory=list)
    #: things the import did that the person should know about, but that are not problems
    #: (e.g. "merged with row 4"); they never reject the file
    warnings: list[ImportProblem] = field(default_factory=list)
    #: notes about the file as a whole, e.g. "read as semicolon-separated"
    notes: list[str] = field(default_factory=list)
    #: a file-level problem was found: rows were not (all) read
    fatal: bool = False
    #: row numbers with at least one problem
    bad_rows: set[int] = field(default_factory=set)
    _rows: list[Row] | None = None

    @property
    def row_count(self) -> int:
        return len(self.numbers)

    @property
    def rows(self) -> list[Row]:
        if self._rows is None:
            names = list(self.columns)
            self._rows = [
                Row(number, cells, dict(zip(names, values, strict=True)), self.invalid.get(i))
                for i, (number, cells, values) in enumerate(zip(
                    self.numbers, self.raw, zip(*self.columns.values(), strict=True),
                    strict=True))]
        return self._rows

    def problem(self, row: int | None, column: str | None, message: str) -> None:
        """Record a problem; ``column`` is a spec name, shown as the file's header text."""
        shown = self.display.get(column, column) if column else None
        self.problems.append(ImportProblem(self.file_name, row, shown, message))
        if row is not None:
            self.bad_rows.add(row)

    def warn(self, row: int | None, column: str | None, message: str) -> None:
        """Record a warning (like :meth:`problem`, but the file is still imported)."""
        shown = self.display.get(column, column) if column else None
        self.warnings.append(ImportProblem(self.file_name, row, shown, message))

    def fail(self, message: str) -> ParsedFile:
        self.problems.append(ImportProblem(self.file_name, None, None, message))
        self.fatal = True
        return self


def normalise_header(name: str) -> str:
    """"Number of Workers" → ``number_of_workers``; "OS ID" → ``os_id``; "FOB price (USD)" →
    ``fob_price_usd``."""
    folded = name.replace("\ufeff", "").strip().casefold()
    return re.sub(r"[^0-9a-z]+", "_", folded).strip("_")


def size_text(n_bytes: int) -> str:
    """371 bytes, 12.3 KB, 31.2 MB."""
    if n_bytes < 1024:
        return f"{n_bytes} bytes"
    if n_bytes < 1024 * 1024:
        return f"{n_bytes / 1024:.1f} KB"
    return f"{n_bytes / 1024 / 1024:.1f} MB"


def too_large(size: int, max_bytes: int) -> str:
    return (f"The file is {size_text(size)}; the limit is {size_text(max_bytes)}. Split it into "
            "smaller files.")


def show(cell: str, limit: int = 60) -> str:
    """The raw cell quoted for a message, shortened."""
    return repr(cell if len(cell) <= limit else cell[: limit - 1] + "…")


def decode(data: bytes, file_name: str) -> tuple[str | None, ImportProblem | None]:
    """UTF-8 with or without a byte-order mark; anything else is refused with a clear reason."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, ImportProblem(file_name, None, None,
                                   N_("The file is UTF-16 text. Save it from the spreadsheet "
                                      "as “CSV UTF-8 (comma delimited)” and upload it again."))
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start:exc.start + 1].hex().upper()
        return None, ImportProblem(file_name, None, None,
                                   f"The file is not UTF-8 text (byte 0x{byte} on line {line}). "
                                   "Save it from the spreadsheet as “CSV UTF-8” and upload "
                                   "it again.")


#: separators a spreadsheet's "CSV" may use, in words for the report
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}


def _delimiter(first_line: str) -> str:
    """The separator that splits the header line into the most columns (a comma on a tie).

    Spreadsheets in locales with a decimal comma write ";"-separated "CSV"; some tools write
    tabs or "|". A header with more semicolons than commas outside quotes is semicolon-separated.
    """
    best, best_count = ",", 0
    for candidate in DELIMITERS:
        try:
            count = len(next(csv.reader([first_line], delimiter=candidate)))
        except (csv.Error, StopIteration):
            continue
        if count > best_count:
            best, best_count = candidate, count
    return best


def read_file(
    data: bytes,
    file_name: str,
    spec: FileSpec,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_rows: int = DEFAULT_MAX_ROWS,
    progress: ProgressCallback | None = None,
    sheet: str | None = None,
) -> ParsedFile:
    """Read a CSV file or an Excel workbook (by its content) and clean it against ``spec``.
    Never raises for bad content: every problem is in the result."""
    parsed = ParsedFile(file_name)
    if len(data) > max_bytes:
        return parsed.fail(too_large(len(data), max_bytes))
    kind = workbook.sniff(data)
    if kind in ("xlsx", "xls"):
        try:
            name, header, records = workbook.read_rows(data, kind, sheet, max_rows)
        except workbook.WorkbookProblem as exc:
            return parsed.fail(str(exc))
        parsed.notes.append(f"sheet “{name}” of {workbook.kind_words(kind)}")
        if not _match_header(parsed, header, spec):
            return parsed
        _clean_rows(parsed, records, spec, progress)
        return parsed
    if kind in ("ods", "zip"):
        return parsed.fail(f"This is {workbook.kind_words(kind)}, not a CSV file or an Excel "
                           f"workbook. {workbook.SAVE_AS_CSV}")
    return read_csv(data, file_name, spec, max_bytes=max_bytes, max_rows=max_rows,
                    progress=progress, parsed=parsed)


def read_csv(
    data: bytes,
    file_name: str,
    spec: FileSpec,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_rows: int = DEFAULT_MAX_ROWS,
    progress: ProgressCallback | None = None,
    parsed: ParsedFile | None = None,
) -> ParsedFile:
    """Decode, parse and clean a CSV file against ``spec``. Never raises for bad content."""
    parsed = parsed or ParsedFile(file_name)
    if len(data) > max_bytes:
        return parsed.fail(too_large(len(data), max_bytes))
    text, problem = decode(data, file_name)
    if problem is not None:
        parsed.problems.append(problem)
        parsed.fatal = True
        return parsed
    assert text is not None
    if not text.strip():
        return parsed.fail(N_("The file is empty."))

    delimiter = _delimiter(text.split("\n", 1)[0].rstrip("\r"))
    if delimiter != ",":
        parsed.notes.append(f"read as {DELIMITERS[delimiter]}-separated")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[tuple[int, list[str]]] = []  # (spreadsheet row number, cells)
    try:
        header = next(reader)
        for number, record in enumerate(reader, start=2):
            if not "".join(record).strip():
                continue  # a blank line: spreadsheets leave them, nothing to import
            records.append((number, record))
            if len(records) > max_rows:
                return parsed.fail(f"The file has more than {max_rows:,} data rows; split "
                                   "it into smaller files.")
    except csv.Error as exc:
        return parsed.fail(f"The file is not valid CSV near line {reader.line_num}: {exc}.")

    if not _match_header(parsed, header, spec):
        return parsed
    _clean_rows(parsed, records, spec, progress)
    return parsed


def _match_header(parsed: ParsedFile, header: list[str], spec: FileSpec) -> bool:
    parsed.header = header
    if not any(h.strip() for h in header):
        parsed.fail(N_("The first row must be the header row with the column names."))
        return False
    by_name: dict[str, Column] = {}
    for column in spec.columns:
        by_name[column.name] = column
        for alias in column.aliases:
            by_name[alias] = column
    seen: dict[str, int] = {}
    ignored = []
    for position, raw_name in enumerate(header, start=1):
        key = normalise_header(raw_name)
        column = by_name.get(key)
        if column is None:
            if raw_name.strip():
                ignored.append(raw_name.strip())
            continue
        if column.name in seen:
            parsed.fail(f"Column {column.name!r} appears more than once (columns "
                        f"{seen[column.name]} and {position}).")
            continue
        seen[column.name] = position
        parsed.display[column.name] = raw_name.strip()
    parsed.present = set(seen)
    parsed.ignored_columns = tuple(ignored)
    missing = [c.name for c in spec.columns if c.required and c.name not in seen]
    missing += [" or ".join(group) for group in spec.one_of
                if not any(name in seen for name in group)]
    if missing:
        parsed.fail(f"Required columns are missing: {', '.join(missing)}.")
    return not parsed.fatal


def _clean_rows(parsed: ParsedFile, records: list[tuple[int, list[str]]], spec: FileSpec,
                progress: ProgressCallback | None) -> None:
    """Clean column by column (each distinct cell text once), keeping the values column-wise;
    :attr:`ParsedFile.rows` assembles rows only for the kinds that want them."""
    positions: dict[str, int] = {}
    for index, raw_name in enumerate(parsed.header):
        name = _spec_name(spec, normalise_header(raw_name))
        if name is not None and name not in positions:
            positions[name] = index
    plan = [c for c in spec.columns if c.name in positions]
    absent = [c.name for c in spec.columns if c.name not in positions]
    width = len(parsed.header)
    total = len(records)
    if progress:
        progress(0, total, "validating")
    if not records:
        parsed.fail("The file has no rows under its header.")
        return

    parsed.numbers = numbers = [number for number, _ in records]
    parsed.raw = [cells for _, cells in records]
    for number, cells in records:
        if len(cells) > width and "".join(cells[width:]).strip():
            parsed.problems.append(ImportProblem(
                parsed.file_name, number, None,
                f"has {len(cells)} cells but the header has {width} columns (a value "
                "containing a comma must be in double quotes)"))
    # transpose once, in C: pad short rows (a missing trailing cell is an empty cell)
    by_position = list(zip(*(cells if len(cells) >= width else cells + [""] * (width - len(cells))
                             for cells in parsed.raw), strict=False))
    found: list[tuple[int, int, str, str]] = []  # (row index, header position, column, why)
    for done, column in enumerate(plan, start=1):
        index = positions[column.name]
        values, errors = _clean_column(by_position[index], column.cleaner, column.required)
        parsed.columns[column.name] = values
        for i, why in errors:
            found.append((i, index, column.name, why))
            parsed.invalid.setdefault(i, set()).add(column.name)
        if progress and total >= PROGRESS_EVERY:
            progress(total * done // len(plan), total, "validating")
    for name in absent:
        parsed.columns[name] = [None] * total
    found.sort()
    display = parsed.display
    parsed.problems.extend(ImportProblem(parsed.file_name, numbers[i], display[name], why)
                           for i, _, name, why in found)
    parsed.bad_rows.update(p.row for p in parsed.problems if p.row is not None)


def _clean_column(cells: Sequence[str], cleaner: Cleaner,
                  required: bool) -> tuple[list[Any], list[tuple[int, str]]]:
    """Clean one column: (values, [(row index, message)]).

    Each distinct cell text is cleaned once (most columns repeat: dates, ids, yes/no); the
    lookups run in C through ``map``, only new texts reach Python.
    """
    failed: dict[str, str] = {}

    class Cache(dict):
        def __missing__(self, cell: str) -> Any:
            stripped = cell.strip()
            if not stripped:
                value, error = None, (N_("a value is required") if required else None)
            else:
                value, error = cleaner(stripped)
                if error is not None:
                    error = f"{show(stripped)} {error}"
            if error is not None:
                failed[cell] = error
            self[cell] = value
            return value

    values = list(map(Cache().__getitem__, cells))
    errors = [(i, failed[cell]) for i, cell in enumerate(cells) if cell in failed] if failed \
        else []
    return values, errors


def _spec_name(spec: FileSpec, key: str) -> str | None:
    for column in spec.columns:
        if key == column.name or key in column.aliases:
            return column.name
    return None
