"""Command-line extracts for operators and scheduled jobs: any extract of the catalogue, for one
brand, written to a file.

    python -m services.extract_cli --brand nordwind --extract purchase-orders --out orders.csv
    python -m services.extract_cli --brand nordwind --extract purchase-orders --format xlsx \\
        --confirmed-from 2026-01-01 --out orders.xlsx
    python -m services.extract_cli --brand nordwind --extract supplier-list --country VN \\
        --country KH --out suppliers.csv
    python -m services.extract_cli --brand nordwind --extract purchasing-indicators \\
        --period 24 --as-of 2026-06-30 --out indicators.csv
    python -m services.extract_cli --list

The rows, columns and formula neutralising are those of the Downloads page
(``services.extract_catalogue.write_extract``); the filters are named on the command line
(``services.extract_requests``). The database comes from the app's settings
(``DASHBOARD_DATABASE_URL`` or ``.streamlit/secrets.toml``) and is opened with the app's
start-up checks (``data_access.startup``). Whoever can run this with those settings holds the
database credentials already, so it acts as a *system administrator* principal; every extract
is recorded in the download audit as ``system:<OS user> via command line``, like the import
command line. ``--out -`` writes to standard output (CSV only).

Exit codes: 0 written, 2 usage error (bad arguments, unknown brand or extract, configuration),
3 the database could not be used.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import getpass
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from data_access import queries
from data_access.db import describe_db_error, prepare_database
from data_access.errors import DatabaseUnavailable, NotFound
from data_access.factories import (
    ASSESSMENT_AGE_CHOICES,
    GAP_CHOICES,
    PLAN_STATUS_CHOICES,
    DirectoryFilters,
)
from data_access.settings import ConfigurationError, load_settings
from data_access.startup import open_database
from data_access.viewer import Viewer
from services.extract_catalogue import EXTRACTS, write_extract
from services.extract_requests import PERIODS, ExtractRequest, context_for
from services.reference_dates import brand_reference_dates

EXIT_OK, EXIT_USAGE, EXIT_DATABASE = 0, 2, 3


def operator_viewer(brand_id: int | None = None) -> Viewer:
    """The principal the command line acts as, named as the audit records it."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        user = "unknown"
    return Viewer(f"system:{user} via command line"[:80], "admin", brand_id)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from exc


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m services.extract_cli",
        description="Write one extract of one brand's data to a file (docs/api.md, "
                    "docs/extracts.md).")
    parser.add_argument("--list", action="store_true", help="list the extracts and exit")
    parser.add_argument("--brand", help="brand code, e.g. nordwind")
    parser.add_argument("--extract", choices=sorted(EXTRACTS), help="which extract")
    parser.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    parser.add_argument("--out", help="the file to write ('-': standard output, CSV only)")
    directory = parser.add_argument_group("supplier filters (every factory-level extract)")
    directory.add_argument("--search", default="", help="name or OS ID contains")
    directory.add_argument("--country", action="append", default=[],
                           help="ISO country code (repeat for several)")
    directory.add_argument("--tier", action="append", type=int, default=[])
    directory.add_argument("--assessment-age", action="append", default=[],
                           choices=ASSESSMENT_AGE_CHOICES)
    directory.add_argument("--non-compliant-cluster", action="append", default=[],
                           help="cluster code, e.g. OSH")
    directory.add_argument("--plan-status", choices=PLAN_STATUS_CHOICES, default="")
    directory.add_argument("--gap", action="append", default=[], choices=GAP_CHOICES)
    directory.add_argument("--include-former", action="store_true",
                           help="also suppliers whose relationship ended")
    directory.add_argument("--include-closed", action="store_true",
                           help="also closed and moved factories")
    order = parser.add_argument_group("orders (purchase-orders, purchasing-indicators)")
    order.add_argument("--factory-id", action="append", type=int, default=[])
    order.add_argument("--confirmed-from", type=_date)
    order.add_argument("--confirmed-to", type=_date)
    order.add_argument("--period", choices=list(PERIODS), default="12",
                       help="purchasing indicators: months back from the reference date")
    order.add_argument("--as-of", type=_date, dest="month_end",
                       help="purchasing indicators: an earlier month end")
    return parser


def request_from(args: argparse.Namespace) -> ExtractRequest:
    return ExtractRequest(
        directory=DirectoryFilters(
            search=args.search, countries=tuple(c.upper() for c in args.country),
            tiers=tuple(args.tier), assessment_age=tuple(args.assessment_age),
            clusters_non_compliant=tuple(c.upper() for c in args.non_compliant_cluster),
            plan_status=args.plan_status, gaps=tuple(args.gap),
            include_inactive=args.include_former, include_closed=args.include_closed),
        confirmed_from=args.confirmed_from, confirmed_to=args.confirmed_to,
        factory_ids=tuple(args.factory_id), period=args.period, month_end=args.month_end)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors and 0 for --help
        return int(exc.code or 0)
    if args.list:
        for key, spec in EXTRACTS.items():
            print(f"{key:<24} {spec.title}")
        return EXIT_OK
    if not (args.brand and args.extract and args.out):
        parser.print_usage(sys.stderr)
        print("error: --brand, --extract and --out are required", file=sys.stderr)
        return EXIT_USAGE
    if args.out == "-" and args.format != "csv":
        print("error: an Excel workbook cannot go to standard output", file=sys.stderr)
        return EXIT_USAGE
    try:
        settings = load_settings()
        opened = open_database(settings, prepare_database)
    except ConfigurationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except DatabaseUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_DATABASE
    engine = opened.engine
    try:
        brand = queries.brand_by_code(engine, operator_viewer(), args.brand)
        viewer = operator_viewer(brand["id"])
        dates = brand_reference_dates(engine, viewer)
        ctx = context_for(engine, viewer, args.extract, request_from(args), dates)
        with contextlib.ExitStack() as stack:
            out = (sys.stdout.buffer if args.out == "-"
                   else stack.enter_context(Path(args.out).open("wb")))
            rows = write_extract(engine, viewer, args.extract, ctx, out, args.format)
    except (NotFound, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except SQLAlchemyError as exc:
        print(f"error: {describe_db_error(engine, exc)}", file=sys.stderr)
        return EXIT_DATABASE
    finally:
        opened.dispose()
    if args.out != "-":
        print(f"{rows:,} rows of {EXTRACTS[args.extract].title.lower()} for {brand['name']} "
              f"written to {args.out}.", file=sys.stderr)
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
