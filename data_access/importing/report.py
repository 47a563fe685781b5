"""What an import tells its caller: the report, its problems, and the progress callback type."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

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

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def rejected(self) -> int:
        """Rows with at least one problem (file-level problems count as every row)."""
        if any(p.row is None for p in self.errors):
            return self.rows
        return len({p.row for p in self.errors})

    def summary(self) -> str:
        """One sentence for a page message or the CLI."""
        if self.errors:
            n = len(self.errors)
            return (f"{self.file} was rejected: {n} problem{'s' if n != 1 else ''}; "
                    "nothing was imported.")
        verb = "would be" if self.dry_run else "were"
        head = "Dry run — nothing was written. " if self.dry_run else ""
        text = (f"{head}{self.rows} row{'s' if self.rows != 1 else ''} in {self.file}: "
                f"{self.inserted} {verb} inserted, {self.updated} {verb} updated, "
                f"{self.unchanged} unchanged.")
        if self.ignored_columns:
            text += f" Ignored columns: {', '.join(self.ignored_columns)}."
        return text
