"""Write docs/extracts.md from the extract catalogue (run after changing an extract).

    python scripts/extract_docs.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services.extract_catalogue import EXTRACTS  # noqa: E402

HEADER = """# Extracts (CSV and Excel) and their data dictionaries

Generated from `services/extract_catalogue.py` by `python scripts/extract_docs.py`; the same
dictionary downloads beside every extract and is shown under it on the Downloads page. All
CSV extracts are UTF-8 **with a byte-order mark** (so that a spreadsheet opened by a double
click, Excel in particular, reads accents and dashes correctly; other programs skip it — the
setting is `CSV_BYTE_ORDER_MARK` in `services/extract_catalogue.py`, and the Downloads page,
the command line and the HTTP API's CSV all follow it), with a header row, dates in ISO-8601
(`YYYY-MM-DD`), booleans as `true`/`false`, empty cells for missing values, and file names
`<brand>_<extract>_<date>.csv`. Only the signed-in brand's rows are ever included. Text cells
that a spreadsheet would evaluate as a formula (starting with `=`, `+`, `-`, `@`, tab, CR or
LF, also after leading spaces) are prefixed with `'`; numeric columns are written as plain
numbers, each decimal column rounded to the places its dictionary entry states (percentages
and points 1, money 2, coordinates 6, others 2), in every format. Every download is recorded
in the audit log (who, brand, extract, filters, row count, time), which administrators can read
in the app. The HTTP API serves the
same extracts, with the same columns, as JSON pages or CSV (docs/api.md).

**Excel workbooks.** Every extract also downloads as an Excel workbook
(`<brand>_<extract>_<date>.xlsx`, written by XlsxWriter): the same columns and rows on a sheet
*Data*, the data dictionary on a sheet *Data dictionary*. Numbers are numbers, dates are real
dates shown `YYYY-MM-DD`, yes/no columns are booleans. Every text cell is written as text —
never a formula, whatever it starts with — and one that starts like a formula is also marked
"quote prefix" (Excel's flag for "this is text"), so it stays text even when someone edits the
cell; unlike the CSV, no `'` is added, so the workbook holds the values exactly. An Excel
extract takes longer to build than the CSV (100,000 purchase orders: about 25 s against 1.3 s
on the 2-core development machine under load) and holds at most 1,048,575 rows (Excel's limit).
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
