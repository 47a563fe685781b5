"""Command-line importer.

    python -m services.import_cli facilities --brand nordwind suppliers.csv [--dry-run]
    python -m services.import_cli facilities --brand nordwind suppliers.xlsx --sheet Tier1
    python -m services.import_cli facilities --source better-work bw_factories.csv
    python -m services.import_cli assessments findings.csv
    python -m services.import_cli plans plan_items.csv
    python -m services.import_cli orders --brand nordwind orders.csv

The database comes from the app's settings (``DASHBOARD_DATABASE_URL`` or
``.streamlit/secrets.toml``, see :func:`data_access.settings.load_settings`); run it in the same
environment as the app. Whoever can run this command with those settings already holds the
database credentials, so it acts as a *system administrator* principal named
``system:<OS user>``; the import log records it as ``system:<OS user> via command line``
(:func:`data_access.importing.runner.import_actor`).

Exit codes: 0 imported (or dry run passed), 1 rejected (every problem is printed),
2 usage error (bad arguments, unknown brand, unreadable file, configuration), 3 the database
could not be used.
"""

from __future__ import annotations

import argparse
import getpass
import sys
import time
from collections.abc import Sequence

from sqlalchemy.exc import SQLAlchemyError

from data_access.db import create_db_engine, describe_db_error, is_connection_error
from data_access.errors import ImportFailed, ImportRejected, NotFound
from data_access.importing.report import KINDS, ImportReport
from data_access.importing.runner import import_csv
from data_access.scope import use_system_engine
from data_access.settings import ConfigurationError, load_settings
from data_access.viewer import Viewer

# the command line is an entry point like the app: importing these registers the refreshes run
# after an import (data_access.summaries.after_data_change): the stored purchasing benchmark,
# every brand's stored analyses
from services import analysis as _analysis  # noqa: F401
from services import stored

EXIT_OK, EXIT_REJECTED, EXIT_USAGE, EXIT_DATABASE = 0, 1, 2, 3
#: --source values -> the list source of import_csv
SOURCES = {"better-work": "better_work", "open-supply-hub": "open_supply_hub"}


def system_viewer() -> Viewer:
    """The principal the CLI acts as (see the module docstring)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        user = "unknown"
    return Viewer(username=f"system:{user}"[:80], role="admin", brand_id=None)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m services.import_cli",
        description="Validate and import a CSV file (all-or-nothing). See docs/import.md.")
    parser.add_argument("kind", choices=KINDS, help="what the file contains")
    parser.add_argument("path", help="the file: CSV (UTF-8) or an Excel workbook (.xlsx, .xls)")
    parser.add_argument("--brand", help="brand code (required for orders, and for a brand's "
                                        "facility list)")
    parser.add_argument("--source", choices=sorted(SOURCES),
                        help="a facility list that is not a brand's: whose it is")
    parser.add_argument("--sheet", help="the worksheet of a workbook (default: the first)")
    parser.add_argument("--dry-run", action="store_true",
                        help="validate and report what would change; write nothing")
    parser.add_argument("--quiet", action="store_true", help="no progress output")
    return parser


class _Progress:
    """Prints "validating 45,000 / 100,000" lines at most twice a second (stderr)."""

    def __init__(self) -> None:
        self.last = 0.0

    def __call__(self, done: int, total: int, stage: str) -> None:
        now = time.monotonic()
        if stage == "done" or now - self.last >= 0.5 or done in (0, total):
            self.last = now
            print(f"  {stage:<10} {done:>9,} / {total:,} rows", file=sys.stderr, flush=True)


def _print_report(report: ImportReport) -> None:
    print(report.summary())
    for key, value in report.details.items():
        print(f"  {key.replace('_', ' ')}: {value}")
    for warning in report.warnings:
        print(f"  note: {warning}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors and 0 for --help
        return int(exc.code or 0)
    if args.source and (args.kind != "facilities" or args.brand):
        parser.print_usage(sys.stderr)
        print("error: --source is for a facility list that is not a brand's (no --brand)",
              file=sys.stderr)
        return EXIT_USAGE
    if args.kind in ("facilities", "orders") and not args.brand and not args.source:
        parser.print_usage(sys.stderr)
        needs = "--brand CODE or --source" if args.kind == "facilities" else "--brand CODE"
        print(f"error: {args.kind} need {needs}", file=sys.stderr)
        return EXIT_USAGE
    try:
        settings = load_settings()
    except ConfigurationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    engine = create_db_engine(settings.database_url)
    # the import's system work (brand-crossing writes, the import log) goes through the system
    # role when one is configured, exactly as in the app (data_access.startup)
    system = create_db_engine(settings.system_database_url) if settings.system_database_url \
        else engine
    if system is not engine:
        use_system_engine(engine, system)
    try:
        report = import_csv(engine, system_viewer(), args.kind, args.path,
                            brand_code=args.brand if args.kind in ("facilities", "orders")
                            else None,
                            list_source=SOURCES.get(args.source or ""), sheet=args.sheet,
                            dry_run=args.dry_run, progress=None if args.quiet else _Progress(),
                            via="command line")
        # every brand's stored analyses are refreshed in the background: finish before exiting
        stored.wait_for_refresh()
    except ImportRejected as exc:
        print(exc.report.summary())
        for problem in exc.report.errors:
            print(f"  {problem}")
        for warning in exc.report.warnings:
            print(f"  note: {warning}")
        return EXIT_REJECTED
    except (NotFound, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ImportFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_DATABASE
    except SQLAlchemyError as exc:  # reading the brand, before the import's transaction
        message = describe_db_error(engine, exc) if is_connection_error(exc) else str(exc)
        print(f"error: {message[:300]} Nothing was imported.", file=sys.stderr)
        return EXIT_DATABASE
    finally:
        engine.dispose()
        if system is not engine:
            system.dispose()
    _print_report(report)
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
