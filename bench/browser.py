"""Real-browser timing: from clicking *Login* to the overview's first chart painted.

    python -m bench.browser --scale M            # uses (or generates) data/bench/M-…sqlite3
    python -m bench.browser --scale M --runs 5 --out bench/results/browser-M.json

Starts ``streamlit run app.py`` on loopback against a private copy of the scale's SQLite
dataset (sign-ins write to the database; the cached dataset stays as generated) and drives
Debian's Chromium with Playwright, as the largest brand's user (``nordwind``):

* **cold** — the first sign-in after the server started: every ``st.cache_data`` empty, the
  engine's connections new, the browser's cache empty;
* **warm** — each later sign-in in a fresh browser context (new session, cookies and browser
  cache; the server's caches hold the brand's figures, as for every user but the first of the
  day after an import).

The clock starts at the click on *Login* and stops when the overview's first Altair chart has
a painted canvas (width and height > 0) — the sign-in (bcrypt), the overview's queries and
metrics, the websocket messages and Vega's rendering included. The time to the page heading
is reported beside it. The page is first left to settle (no script run for 1.2 s) so that the
click is not lost to the cookie component's rerun (docs/security.md, F7).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.dataset import sqlite_dataset
from data_access.demo_data import DEFAULT_SEED, SCALES

USER, PASSWORD, BRAND = "nordwind", "nordwind-demo-2026", "Nordwind Apparel"
#: the overview's first chart, painted: a canvas with a size inside Streamlit's Vega element
PAINTED = """() => {
    const canvas = document.querySelector("[data-testid='stVegaLiteChart'] canvas");
    return !!canvas && canvas.width > 0 && canvas.height > 0;
}"""


def _sign_in_once(browser, url: str) -> dict[str, float]:
    from tests.e2e.conftest import wait_until_settled

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.goto(url)
        page.get_by_label("Username").wait_for(timeout=120_000)
        wait_until_settled(page)
        page.get_by_label("Username").fill(USER)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        started = time.perf_counter()
        page.get_by_role("button", name="Login").click()
        page.get_by_role("heading", name=f"{BRAND} — overview").wait_for(timeout=120_000)
        heading = time.perf_counter() - started
        page.wait_for_function(PAINTED, polling="raf", timeout=120_000)
        chart = time.perf_counter() - started
        return {"to_heading_s": round(heading, 3), "to_first_chart_s": round(chart, 3)}
    finally:
        context.close()


def measure(database: Path, runs: int) -> dict:
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, StreamlitServer

    with tempfile.TemporaryDirectory(prefix="bench-browser-") as folder:
        copy = Path(folder) / "app.sqlite3"
        shutil.copy(database, copy)
        server = StreamlitServer(f"sqlite:///{copy}")
        results: list[dict[str, float]] = []
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                            args=CHROMIUM_ARGS)
                try:
                    for _ in range(runs + 1):
                        results.append(_sign_in_once(browser, server.url))
                finally:
                    browser.close()
        finally:
            server.stop()
    cold, warm = results[0], results[1:]
    return {
        "cold": cold,
        "warm_runs": warm,
        "warm_median": {key: round(statistics.median(r[key] for r in warm), 3)
                        for key in cold} if warm else {},
        "target_s": 2.0,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.browser", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=list(SCALES), default="M")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--runs", type=int, default=5, help="warm sign-ins after the cold one")
    parser.add_argument("--out", help="also write the result as JSON to this file")
    args = parser.parse_args(argv)
    dataset = sqlite_dataset(args.scale, args.seed, regenerate=False)
    load_before = os.getloadavg()[0]
    result = measure(Path(dataset.url.removeprefix("sqlite:///")), args.runs)
    result.update({"scale": args.scale, "database": "SQLite", "user": USER,
                   "load_average_before_after": [round(load_before, 2),
                                                 round(os.getloadavg()[0], 2)]})
    text = json.dumps(result, indent=1)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")
    worst = max([result["cold"]["to_first_chart_s"],
                 *(r["to_first_chart_s"] for r in result["warm_runs"])])
    print(f"Login → first chart: cold {result['cold']['to_first_chart_s']:.2f} s, warm median "
          f"{result['warm_median'].get('to_first_chart_s', float('nan')):.2f} s, worst "
          f"{worst:.2f} s (target ≤ 2 s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
