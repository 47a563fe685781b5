"""Time the warm render of pages (every ``st.cache_data`` read a hit) and split it into the
page's own work and the conversions Streamlit does for its elements — a quick loop for work on
the warm path; ``python -m bench`` remains the record.

    python -m bench.warm --scale M                  # every page, median of 15
    python -m bench.warm --scale M --pages factory,compare --repeat 30
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager

from bench.dataset import CACHE_DIR


@contextmanager
def _timed_conversions(spent: list[float]) -> Iterator[None]:
    """Add the time of the bench pages' chart and frame conversions to ``spent``."""
    from bench import pages

    chart, frame = pages._chart, pages._frame

    def timed(function):
        def wrapper(value):
            start = time.perf_counter()
            function(value)
            spent.append(time.perf_counter() - start)
        return wrapper

    pages._chart, pages._frame = timed(chart), timed(frame)
    try:
        yield
    finally:
        pages._chart, pages._frame = chart, frame


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.warm", description=__doc__)
    parser.add_argument("--scale", default="M")
    parser.add_argument("--seed", type=int, default=20220227)
    parser.add_argument("--pages", help="comma-separated (default: every page)")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args(argv)
    url = f"sqlite:///{CACHE_DIR / f'{args.scale}-seed{args.seed}.sqlite3'}"
    os.environ["DASHBOARD_DATABASE_URL"] = url
    os.environ["DASHBOARD_DEMO"] = "true"

    from bench.pages import PAGES, largest_brand_context
    from bench.runner import _quiet_streamlit
    from ui.runtime import get_engine

    _quiet_streamlit()
    ctx = largest_brand_context(get_engine())
    names = args.pages.split(",") if args.pages else list(PAGES)
    print(f"{'page':<11} {'warm':>8} {'best':>8} {'conversions':>12}")
    for name in names:
        render = PAGES[name]
        render(ctx)
        totals, conversions = [], []
        for _ in range(args.repeat):
            spent: list[float] = []
            with _timed_conversions(spent):
                start = time.perf_counter()
                render(ctx)
                totals.append(time.perf_counter() - start)
            conversions.append(sum(spent))
        print(f"{name:<11} {statistics.median(totals):8.4f} {min(totals):8.4f} "
              f"{statistics.median(conversions):12.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
