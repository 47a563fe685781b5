"""What an import tells its caller: the report, its problems, and the progress callback type."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from reference.translation import Ngettext, english_ngettext

ImportKind = Literal["facilities", "assessments", "plans", "orders"]
KINDS: tuple[ImportKind, ...] = ("facilities", "assessments", "plans", "orders")

#: ``progress(done_rows, total_rows, stage)``; stage is "validating", "writing" or "done".
#: Raising from it aborts the import; the transaction is rolled back.
ProgressCallback = Callable[[int, int, str], None]


@dataclass(frozen=True, order=True)
class ImportProblem:
    """One reason a file cannot be imported.

    ``row`` is the row number a spreadsheet shows (the header is row 1, the first data row is
    row 2); ``None`` for a problem with the whole file. ``column`` is the column name as written
    in the file's header (``None`` when the problem is not about one column).
    """

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}"


@dataclass(frozen=True)
class ImportReport:
    """The outcome of an import or a dry run.

    Each data row is counted once: ``inserted`` (it created a record), ``updated`` (it changed
    one) or ``unchanged``; ``rows == inserted + updated + unchanged`` when there are no errors.
    A rejected file has ``errors`` and zero counts. ``details`` breaks the counts down by table
    (e.g. ``factories_inserted``, ``relationships_updated``).
    """

    kind: ImportKind
    file: str
    rows: int
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: tuple[ImportProblem, ...] = ()
    ignored_columns: tuple[str, ...] = ()
    dry_run: bool = False
    brand_code: str | None = None
    details: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    #: rows merged into an earlier row describing the same facility (facility lists)
    merged: int = 0
    #: not problems, but worth knowing: merged rows, values that differ between them, …
    warnings: tuple[ImportProblem, ...] = ()
    #: how the file was read, in words: "read as semicolon-separated", "sheet “Suppliers”"
    notes: tuple[str, ...] = ()
    #: whose facility list: "brand_list", "better_work" or "open_supply_hub" (None otherwise)
    source: str | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def rejected(self) -> int:
        """Rows with at least one problem (file-level problems count as every row)."""
        if any(p.row is None for p in self.errors):
            return self.rows
        return len({p.row for p in self.errors})

    @property
    def file_problem(self) -> bool:
        """A problem with the whole file (its encoding, size, header…), not with rows."""
        return any(p.row is None for p in self.errors)

    def problem_sentence(self, *, ngettext: Ngettext = english_ngettext,
                         number: Callable[[int], str] = "{:,}".format) -> str:
        """What went wrong, in words that fit: "1 problem with the file as a whole", "3
        problems in 2 of 40 rows". English by default; the import page passes its language's
        ``ngettext`` and number format."""
        n = len(self.errors)

        def rows(k: int) -> str:
            return ngettext("{n} row", "{n} rows", k).format(n=number(k))

        if self.file_problem:
            bad_rows = len({p.row for p in self.errors if p.row is not None})
            if not bad_rows:
                return ngettext("{n} problem with the file as a whole",
                                "{n} problems with the file as a whole", n).format(n=number(n))
            return ngettext("{n} problem, with the file as a whole and in {rows}",
                            "{n} problems, with the file as a whole and in {rows}", n).format(
                n=number(n), rows=rows(bad_rows))
        return ngettext("{n} problem in {rejected} of {rows}",
                        "{n} problems in {rejected} of {rows}", n).format(
            n=number(n), rejected=number(self.rejected), rows=rows(self.rows))

    def summary(self) -> str:
        """One sentence for a page message or the CLI."""
        read = f" ({'; '.join(self.notes)})" if self.notes else ""
        if self.errors:
            return (f"{self.file}{read} was rejected: {self.problem_sentence()}; nothing was "
                    "imported.")
        verb = "would be" if self.dry_run else "were"
        head = "Dry run — nothing was written. " if self.dry_run else ""
        text = (f"{head}{plural(self.rows, 'row')} in {self.file}{read}: "
                f"{self.inserted:,} {verb} inserted, {self.updated:,} {verb} updated, "
                f"{self.unchanged:,} unchanged")
        if self.merged:
            text += f", {self.merged:,} merged with an earlier row of the same facility"
        text += "."
        if self.ignored_columns:
            text += f" Ignored columns: {', '.join(self.ignored_columns)}."
        if self.warnings:
            text += f" {plural(len(self.warnings), 'note')} below."
        return text


def plural(n: int, word: str) -> str:
    """1 row, 2 rows, 1,200 rows."""
    return f"{n:,} {word}{'' if n == 1 else 's'}"


#: import statuses in words (the ``import_run.status`` codes are for the database only)
STATUS_WORDS = {"succeeded": "imported", "no_changes": "no changes"}
#: whose facility list, in words
SOURCE_WORDS = {"brand_list": "the brand's facility list", "better_work": "Better Work",
                "open_supply_hub": "Open Supply Hub"}
