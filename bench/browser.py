"""Real-browser timing: from clicking *Login* to the overview's first chart painted.

    python -m bench.browser --scale M            # uses (or generates) data/bench/M-…sqlite3
    python -m bench.browser --scale M --runs 5 --out bench/results/browser-M.json

Starts ``streamlit run app.py`` on loopback against a private copy of the scale's SQLite
dataset (sign-ins write to the database; the cached dataset stays as generated) and drives
Debian's Chromium with Playwright, as the largest brand's user (``nordwind``):

* **cold server** — the first sign-in after the server started: every ``st.cache_data``
  empty, the engine's connections new, the browser's cache empty;
* **warm server, first visit** — later sign-ins, each in a new browser context (new session,
  cookies and an empty HTTP cache: the browser downloads and compiles Streamlit's JavaScript
  and Vega); the server's caches hold the brand's figures, as for every user but the first of
  the day after an import;
* **warm server, returning browser** — sign-ins in one browser context whose cookies are
  cleared in between (the JavaScript is in the browser's cache, as for anyone who has used the
  dashboard before).

The clock starts at the click on *Login* and stops when the overview's first Altair chart has
its data marks drawn (Vega's SVG or canvas, with a size) — the sign-in (bcrypt), the
overview's queries and metrics, the websocket messages and Vega's rendering included. The
time to the page heading is reported beside it. The sign-in page is first left to settle (no
script run for 1.2 s), as a person typing would.
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

from bench.calibration import calibrate, describe
from bench.dataset import sqlite_dataset
from demo import DEFAULT_SEED, SCALES

USER, PASSWORD, BRAND = "nordwind", "nordwind-demo-2026", "Nordwind Apparel"
VIEWPORT = {"width": 1400, "height": 1000}
#: the overview's first chart, painted: Vega draws into SVG in Streamlit (canvas is accepted
#: too); painted = the chart's data marks (bars, lines, points) exist and have a size
PAINTED = """() => {
    const chart = document.querySelector("[data-testid='stVegaLiteChart']");
    if (!chart) return false;
    const canvas = chart.querySelector("canvas");
    if (canvas && canvas.width > 0 && canvas.height > 0) return true;
    const mark = chart.querySelector("svg.marks g.role-mark > *");
    if (!mark) return false;
    const box = mark.getBoundingClientRect();
    return box.width > 0 && box.height > 0;
}"""


def _sign_in_once(context, url: str) -> dict[str, float]:
    from tests.e2e.conftest import wait_until_settled

    context.clear_cookies()  # signed out; the browser's HTTP cache stays as it is
    page = context.new_page()
    try:
        page.goto(url)
        page.get_by_label("Username").wait_for(timeout=120_000)
        wait_until_settled(page)
        page.get_by_label("Username").fill(USER)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        started = time.perf_counter()
        page.get_by_role("button", name="Login").click()
        page.get_by_role("heading", name=f"{BRAND} — overview").wait_for(timeout=120_000)
        heading = time.perf_counter() - started
        page.wait_for_function(PAINTED, polling=50, timeout=120_000)
        chart = time.perf_counter() - started
        return {"to_heading_s": round(heading, 3), "to_first_chart_s": round(chart, 3)}
    finally:
        page.close()


def _series(browser, url: str, runs: int, *, returning: bool) -> list[dict[str, float]]:
    """``runs`` sign-ins: each in a new browser context (a first visit: empty HTTP cache), or
    all in one context whose cookies are cleared in between (a returning browser: Streamlit's
    JavaScript, Vega's included, already cached)."""
    results = []
    shared = browser.new_context(viewport=VIEWPORT) if returning else None
    try:
        for _ in range(runs):
            context = shared or browser.new_context(viewport=VIEWPORT)
            try:
                results.append(_sign_in_once(context, url))
            finally:
                if shared is None:
                    context.close()
    finally:
        if shared is not None:
            shared.close()
    return results


def _median(results: list[dict[str, float]]) -> dict[str, float]:
    return {key: round(statistics.median(r[key] for r in results), 3) for key in results[0]}


def measure(database: Path, runs: int) -> dict:
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, StreamlitServer

    with tempfile.TemporaryDirectory(prefix="bench-browser-") as folder:
        copy = Path(folder) / "app.sqlite3"
        shutil.copy(database, copy)
        server = StreamlitServer(f"sqlite:///{copy}")
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                            args=CHROMIUM_ARGS)
                try:
                    cold = _series(browser, server.url, 1, returning=False)[0]
                    first_visits = _series(browser, server.url, runs, returning=False)
                    returning = _series(browser, server.url, runs + 1, returning=True)[1:]
                finally:
                    browser.close()
        finally:
            server.stop()
    return {
        "cold_server_first_visit": cold,
        "warm_server_first_visit": {"runs": first_visits, "median": _median(first_visits)},
        "warm_server_returning_browser": {"runs": returning, "median": _median(returning)},
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
    calibration = calibrate()  # the machine's speed now (bench/calibration.py)
    print(describe(calibration), file=sys.stderr, flush=True)
    result = measure(Path(dataset.url.removeprefix("sqlite:///")), args.runs)
    result.update({"scale": args.scale, "database": "SQLite", "user": USER,
                   "calibration": calibration,
                   "load_average_before_after": [round(load_before, 2),
                                                 round(os.getloadavg()[0], 2)]})
    text = json.dumps(result, indent=1)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")
    chart = "to_first_chart_s"
    print(f"Login → first chart: cold server {result['cold_server_first_visit'][chart]:.2f} s; "
          f"warm server, first visit {result['warm_server_first_visit']['median'][chart]:.2f} "
          f"s, returning browser {result['warm_server_returning_browser']['median'][chart]:.2f}"
          " s (medians; target ≤ 2 s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
