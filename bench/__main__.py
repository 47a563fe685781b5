"""Command line: ``python -m bench --scale M --backend sqlite`` (see :mod:`bench`)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import time
from collections.abc import Sequence
from contextlib import nullcontext

from bench.calibration import calibrate, describe
from bench.dataset import postgres_dataset, sqlite_dataset
from bench.pages import PAGES
from bench.report import evaluate_targets, print_table, write_files
from bench.runner import run
from demo import DEFAULT_SEED, SCALES


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Time every brand page (cold and warm), a 100k-row extract, a 100k-row "
                    "import and a naive pandas baseline on a generated dataset; fail if the "
                    "fast path and the baseline disagree.")
    parser.add_argument("--scale", choices=list(SCALES), default="M")
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--database-url", help="PostgreSQL: use this database instead of a "
                        "throwaway server (filled when empty, reused otherwise)")
    parser.add_argument("--regenerate", action="store_true",
                        help="generate the dataset even when a cached one exists")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--repeat", type=int, default=3, help="warm runs per page (median)")
    parser.add_argument("--pages", default=",".join(PAGES),
                        help=f"comma-separated subset of: {', '.join(PAGES)}")
    parser.add_argument("--skip-baseline", action="store_true",
                        help="no naive baseline (and so no equality check)")
    parser.add_argument("--no-apptest", action="store_true",
                        help="skip the AppTest smoke run of the real page scripts")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    pages = [p.strip() for p in args.pages.split(",") if p.strip()]
    unknown = [p for p in pages if p not in PAGES]
    if unknown:
        print(f"unknown page(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    if args.backend == "sqlite" and args.database_url:
        print("--database-url is for --backend postgresql", file=sys.stderr)
        return 2
    started = dt.datetime.now().isoformat(timespec="seconds")
    load_before = os.getloadavg()
    clock = time.perf_counter()
    # the machine's speed now, timed before anything else runs (bench/calibration.py)
    calibration = calibrate()
    print(describe(calibration), flush=True)
    print(f"preparing scale {args.scale} on {args.backend} …", flush=True)
    if args.backend == "sqlite":
        context = nullcontext(sqlite_dataset(args.scale, args.seed, regenerate=args.regenerate))
    else:
        context = postgres_dataset(args.scale, args.seed, database_url=args.database_url,
                                   regenerate=args.regenerate)
    with context as dataset:
        print(f"dataset {dataset.display_url}: "
              f"{'generated' if dataset.generated else 'reused'}"
              + (f" in {dataset.generation_seconds:.1f} s {dataset.stage_seconds}"
                 if dataset.generation_seconds else "") + f"; rows {dataset.counts}", flush=True)
        result = run(dataset, repeat=args.repeat, pages=pages,
                     with_baseline=not args.skip_baseline, with_apptest=not args.no_apptest,
                     log=lambda line: print(line, flush=True))
    meta = {"scale": args.scale, "backend": args.backend, "seed": args.seed,
            "started": started, "total_seconds": round(time.perf_counter() - clock, 1),
            "generated": dataset.generated, "generation_seconds": dataset.generation_seconds,
            "generation_stage_seconds": dataset.stage_seconds, "rows": dataset.counts,
            "dataset_as_of": dataset.as_of, "database": dataset.display_url,
            "calibration": calibration,
            "machine": {"cpus": _cpus(), "python": platform.python_version(),
                        "platform": platform.platform(),
                        # other work on the machine inflates every figure: say how busy it was
                        "load_average_1m_at_start": round(load_before[0], 2),
                        "load_average_1m_at_end": round(os.getloadavg()[0], 2)}}
    targets = evaluate_targets(args.scale, args.backend, result)
    print_table(meta, result, targets)
    json_path, csv_path = write_files(meta, result, targets)
    print(f"results: {json_path} and {csv_path} (total {meta['total_seconds']} s)")
    if result["mismatches"]:
        return 1
    errors = [p for p, r in result["apptest"].items() if r["errors"]]
    return 1 if errors else 0


def _cpus() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


if __name__ == "__main__":
    sys.exit(main())
