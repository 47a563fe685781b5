"""Write docs/extracts.md from the extract catalogue (run after changing an extract).

    python scripts/extract_docs.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ui.extract_catalogue import EXTRACTS  # noqa: E402

HEADER = """# CSV extracts and their data dictionaries

Generated from `ui/extract_catalogue.py` by `python scripts/extract_docs.py`; the same
dictionary downloads beside every extract. All extracts are UTF-8 with a header row, dates in
ISO-8601 (`YYYY-MM-DD`), booleans as `true`/`false`, empty cells for missing values, and file
names `<brand>_<extract>_<date>.csv`. Only the signed-in brand's rows are ever included. Text
cells that a spreadsheet would evaluate as a formula (starting with `=`, `+`, `-`, `@`, tab, CR
or LF, also after leading spaces) are prefixed with `'`; numeric columns are written as plain
numbers and never altered. Every download is recorded in the audit log (who, brand, extract,
filters, row count, time), which administrators can read in the app.
"""


def main() -> None:
    parts = [HEADER]
    for key, spec in EXTRACTS.items():
        parts.append(f"\n## {spec.title} (`{key}`)\n\n{spec.description}\n\n"
                     "| column | type | unit | meaning |\n|---|---|---|---|")
        for column in spec.columns:
            meaning = column.description.replace("|", "\\|")
            parts.append(f"| `{column.name}` | {column.type} | {column.unit} | {meaning} |")
    (ROOT / "docs" / "extracts.md").write_text("\n".join(parts) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
