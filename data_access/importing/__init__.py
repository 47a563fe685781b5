"""Import of CSV files by administrators: facility lists, assessments, improvement plans, orders.

Public API (everything a page or the CLI needs)::

    from data_access.importing import import_csv, ImportReport, ImportProblem
    from data_access.errors import ImportRejected

    report = import_csv(engine, viewer, "orders", uploaded_file, brand_code="nordwind",
                        dry_run=True, progress=lambda done, total, stage: ...)

Every import is validated completely before anything is written and is all-or-nothing (one
transaction); re-importing the same file changes nothing. File formats, matching rules and
messages: docs/import.md. Modules: :mod:`.reading` (bytes → cleaned rows), :mod:`.cleaners`
(one per field), :mod:`.matching` (same facility?), one module per kind (validation against
the database and the change plan), :mod:`.runner` (permission and transaction).
"""

from __future__ import annotations

from data_access.errors import ImportRejected
from data_access.importing.reading import DEFAULT_MAX_BYTES, DEFAULT_MAX_ROWS
from data_access.importing.report import (
    KINDS,
    ImportKind,
    ImportProblem,
    ImportReport,
    ProgressCallback,
)
from data_access.importing.runner import (
    expected_columns,
    import_csv,
    list_import_runs,
    problem_rows,
)

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_ROWS",
    "KINDS",
    "ImportKind",
    "ImportProblem",
    "ImportRejected",
    "ImportReport",
    "ProgressCallback",
    "expected_columns",
    "import_csv",
    "list_import_runs",
    "problem_rows",
]
