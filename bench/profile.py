"""Profile one page's cold (or warm) render on a bench dataset with pyinstrument.

    pip install pyinstrument==5.1.3
    python -m bench.profile --scale M --page suppliers            # cold: caches cleared
    python -m bench.profile --scale M --page factory --warm        # the second render
    python -m bench.profile --scale M --page overview --html out.html

The page is :data:`bench.pages.PAGES`' version of it (the calls a full render makes), for the
largest brand, exactly as ``python -m bench`` times it; the dataset must exist already (made by
a ``python -m bench`` run of that scale). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from pathlib import Path

from bench.dataset import CACHE_DIR


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--scale", default="M")
    parser.add_argument("--seed", type=int, default=20220227)
    parser.add_argument("--database-url", help="profile on this database instead of the "
                        "scale's SQLite file")
    parser.add_argument("--page", required=True)
    parser.add_argument("--warm", action="store_true", help="profile the second render")
    parser.add_argument("--html", type=Path, help="write pyinstrument's HTML report here")
    args = parser.parse_args(argv)
    try:
        from pyinstrument import Profiler
    except ImportError:
        print("pyinstrument is not installed: pip install pyinstrument==5.1.3", file=sys.stderr)
        return 2
    url = args.database_url or f"sqlite:///{CACHE_DIR / f'{args.scale}-seed{args.seed}.sqlite3'}"
    os.environ["DASHBOARD_DATABASE_URL"] = url
    os.environ["DASHBOARD_DEMO"] = "true"
    import streamlit as st

    from bench.pages import PAGES, largest_brand_context
    from bench.runner import _quiet_streamlit
    from ui.runtime import get_engine

    _quiet_streamlit()
    engine = get_engine()
    ctx = largest_brand_context(engine)
    render = PAGES[args.page]
    render(ctx)  # imports and one-time work out of the way
    st.cache_data.clear()
    engine.dispose()
    if args.warm:
        render(ctx)
    gc.collect()
    profiler = Profiler(interval=0.0005)
    profiler.start()
    render(ctx)
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False, show_all=False))
    if args.html:
        args.html.write_text(profiler.output_html())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
