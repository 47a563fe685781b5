"""Load test: N concurrent real browser sessions against one local ``streamlit run`` server.

    python -m tests.load.run --sessions 20            # writes docs/results/load.json
    python -m tests.load.run --sessions 6 --out -     # print the JSON instead

What it does (Streamlit's own load harness does the same: Playwright sessions, RSS sampled):

* starts ``streamlit run app.py`` on a free loopback port against a private SQLite copy of the
  demo dataset (generated into a temporary directory unless ``--database`` names one), and
  warms it with one page load (the first script run imports the app; concurrent *first* runs
  on a cold server are a separate test, see test_load.py);
* opens N browser contexts in one headless Chromium (async Playwright: one process, N
  independent cookie jars, caches and websocket sessions), spread over the demo users (brand
  users and the administrator) and arriving over ``--ramp`` seconds (default 30). Their first
  page loads (a cold browser cache compiling Streamlit's JavaScript: on a 2-core machine that
  costs more than the server's work) happen one at a time; after that all sessions work at
  once;
* each session visits every page of its role as read from ``app.py``'s ``PAGES`` through the
  sidebar; on the factory profile it picks one of its own factories and on the comparison
  three (the page then writes ``?id=`` / ``?ids=`` to the URL), timed apart. A page's time runs
  from the click to its page-specific heading being visible; then the session waits for the
  run to finish and checks the page: an exception element, the "database is not available"
  message or a "Page not found" dialog is an error;
* a session that has seen all its pages stays open (signed in, websocket connected) until every
  session has, so all N are open at once (``most_sessions_open_at_once``); requests to anything
  but the loopback server are refused and counted;
* the server's resident memory (``VmRSS`` from ``/proc/<pid>/status``) is read when it has
  started, after the warm-up, at the peak and at the end; its CPU time from ``/proc/<pid>/stat``.

The browser and the server share the machine's cores, so page times include the browser's own
rendering; the server's CPU time is reported beside them, and the machine's load average.

Bounded: loopback only, one server, a global deadline (``--deadline``, default 900 s) after
which unfinished sessions count as failed.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import math
import os
import platform
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import text

from data_access.db import create_db_engine, upgrade_schema
from demo import generate_demo_data
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, StreamlitServer
from tests.pagespecs import page_specs

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "docs" / "results" / "load.json"
EXCEPTION = "[data-testid='stException']"
RUNNING = "[data-testid='stStatusWidget']"
DB_DOWN = "The database is not available right now"
NOT_FOUND = "Page not found"

#: demo users (README): username -> (password, brand code or None for the administrator)
USERS = {
    "nordwind": ("nordwind-demo-2026", "nordwind"),
    "maple": ("maple-demo-2026", "maple-thread"),
    "atlas": ("atlas-demo-2026", "atlas-outdoor"),
    "admin": ("admin-demo-2026", None),
}
#: the brand an administrator's session looks at (chosen in the sidebar)
ADMIN_BRAND = "atlas-outdoor"
#: pages whose content is chosen with a widget after arriving: the timing's name for that step
WIDGET_PAGES = {"factory": "factory: profile of an own factory",
                "compare": "compare: three own factories"}


@dataclass
class SessionResult:
    user: str
    timings: dict[str, float] = field(default_factory=dict)  # step -> seconds
    errors: list[str] = field(default_factory=list)
    extra_login_clicks: int = 0
    extra_nav_clicks: int = 0
    cookie_written: bool = False  # the re-login cookie was in the browser after the visit
    finished: bool = False
    step: str = "start"  # what the session was doing (named in an error)


@dataclass(frozen=True)
class BrandFacts:
    name: str
    factory_name: str
    compare_names: tuple[str, ...]


@dataclass
class Shared:
    """What the sessions of one run share."""

    base_url: str
    facts: dict[str, BrandFacts]
    shots: Path
    sessions: int
    open_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    all_done: asyncio.Event = field(default_factory=asyncio.Event)
    pending: int = 0
    open_now: int = 0
    most_open: int = 0
    blocked_requests: int = 0

    def arrived(self) -> None:
        """A session finished (or failed); the last one releases every session."""
        self.pending -= 1
        if self.pending <= 0:
            self.all_done.set()


# ---- measurements from /proc ------------------------------------------------------------------


def rss_kib(pid: int) -> int:
    """Resident set size of a process in KiB (psutil is not a dependency)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load_average() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100): always a value that was actually measured."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1]


# ---- the data a session needs -------------------------------------------------------------------


def make_demo_database(directory: Path) -> str:
    url = f"sqlite:///{directory / 'load.sqlite3'}"
    engine = create_db_engine(url)
    upgrade_schema(engine)
    generate_demo_data(engine, size="demo")
    engine.dispose()
    return url


def brand_facts(database_url: str) -> dict[str, BrandFacts]:
    """Per brand code: its name, and three of its active, assessed factories."""
    engine = create_db_engine(database_url)
    facts = {}
    try:
        with engine.connect() as conn:
            for code in {c for _, c in USERS.values() if c} | {ADMIN_BRAND}:
                brand_id, name = conn.execute(text(
                    "SELECT id, name FROM brand WHERE code = :c"), {"c": code}).one()
                names = list(conn.execute(text(
                    "SELECT f.name FROM factory f JOIN sourcing_relationship r "
                    "ON r.factory_id = f.id WHERE r.brand_id = :b AND r.active AND EXISTS "
                    "(SELECT 1 FROM assessment a WHERE a.factory_id = f.id) ORDER BY f.id "
                    "LIMIT 3"), {"b": brand_id}).scalars())
                facts[code] = BrandFacts(name, names[0], tuple(names))
    finally:
        engine.dispose()
    return facts


# ---- one session --------------------------------------------------------------------------------


async def _idle(page, timeout_ms: int = 120_000) -> None:
    """Wait until no script run is in progress (Streamlit's running indicator is gone)."""
    await page.wait_for_function(
        f"!document.querySelector(\"{RUNNING}\")", timeout=timeout_ms, polling=100)


async def _check(page, label: str, result: SessionResult) -> None:
    if await page.locator(EXCEPTION).count():
        result.errors.append(f"{label}: exception element")
    if await page.get_by_text(DB_DOWN).count():
        result.errors.append(f"{label}: database-not-available message")
    if await page.get_by_text(NOT_FOUND).count():
        result.errors.append(f"{label}: 'Page not found' dialog")


async def _open(page, shared: Shared, result: SessionResult) -> None:
    """The first page load of a new browser context, one context at a time."""
    async with shared.open_lock:
        started = time.perf_counter()
        await page.goto(shared.base_url)
        await page.get_by_label("Username").wait_for(state="visible")
        result.timings["first page load"] = time.perf_counter() - started


async def _click_until_visible(page, button, target, *, what: str,
                               click_was_lost=None) -> int:
    """Click ``button`` and wait for ``target``; a click the app never acted on is repeated.

    "Never acted on" = after 15 s the target is not there and no script run is in progress
    (a slow run under load is waited for, not clicked again), and ``click_was_lost()`` agrees
    when given. Why clicks could get lost: Streamlit folds rerun requests that arrive during a
    run into one and takes the page from the newest request, so a component's rerun that
    lands just after a click cancels it (docs/security.md, finding F7: the app no longer
    renders a component; the count stays as a check). Returns the extra clicks."""
    started = time.perf_counter()
    await button.click()
    extra, waited = 0, 0.0
    while not await target.count() or not await target.first.is_visible():
        await asyncio.sleep(0.25)
        waited += 0.25
        if waited >= 15 and not await page.locator(RUNNING).count() \
                and (click_was_lost is None or await click_was_lost()):
            extra += 1
            await button.click()
            waited = 0.0
        if time.perf_counter() - started > 300:
            raise TimeoutError(f"no {what} 300 s after the click")
    return extra


async def _sign_in(page, user: str, heading: str, result: SessionResult) -> None:
    """Submit the form and wait for ``heading``; lost clicks are counted and repeated (only
    while the form is still there and says nothing)."""
    password, _ = USERS[user]
    await page.get_by_label("Username").fill(user)
    await page.get_by_label("Password", exact=True).fill(password)
    login = page.get_by_role("button", name="Login")

    async def form_untouched() -> bool:
        return bool(await login.count()) and not await page.get_by_text("incorrect").count()

    started = time.perf_counter()
    result.extra_login_clicks += await _click_until_visible(
        page, login, page.get_by_role("heading", name=heading), what="signed-in page",
        click_was_lost=form_untouched)
    result.timings["sign-in"] = time.perf_counter() - started


async def _navigate(page, title: str, result: SessionResult) -> None:
    """Click the page's sidebar link and wait for its heading; lost clicks are counted and
    repeated."""
    result.extra_nav_clicks += await _click_until_visible(
        page, page.get_by_test_id("stSidebarNav").get_by_role("link", name=title),
        page.get_by_role("heading", name=title, exact=True), what=f"{title!r} heading")


async def _choose_factories(page, url_path: str, brand: BrandFacts) -> None:
    """Pick the brand's own factory (profile) or three of them (comparison) in the page's
    widget, and wait for the result: the profile's heading, or the comparison's chart."""
    main = page.get_by_test_id("stMain")
    if url_path == "factory":
        await main.get_by_test_id("stSelectbox").first.click()
        await page.keyboard.type(brand.factory_name)
        await page.keyboard.press("Enter")
        await page.get_by_role("heading", name=brand.factory_name, exact=True) \
            .wait_for(state="visible")
        return
    for name in brand.compare_names:
        await main.get_by_test_id("stMultiSelect").first.click()
        await page.keyboard.type(name)
        await page.keyboard.press("Enter")
        await page.keyboard.press("Escape")
        await _idle(page)
    await page.get_by_role("heading", name="Clusters in the latest assessment") \
        .wait_for(state="visible")


async def _visit(page, user: str, shared: Shared, result: SessionResult) -> None:
    _, code = USERS[user]
    brand = shared.facts[code or ADMIN_BRAND]
    overview = f"{brand.name} — overview"
    await _open(page, shared, result)
    result.step = "sign-in"
    if code is None:  # the administrator signs in, then chooses a brand in the sidebar
        await _sign_in(page, user, "Overview", result)
        result.step = "admin: choose a brand"
        await _idle(page)
        started = time.perf_counter()
        # the first select box: the brand (the language picker comes after it)
        await page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").first.click()
        await page.get_by_role("option", name=brand.name).click()
        await page.get_by_role("heading", name=overview).wait_for(state="visible")
        result.timings[result.step] = time.perf_counter() - started
    else:
        await _sign_in(page, user, overview, result)
    await _idle(page)
    await _check(page, "overview", result)
    for spec in page_specs():
        if spec.url_path == "overview" or spec.permission or (spec.admin_only
                                                              and code is not None):
            continue
        result.step = spec.url_path
        started = time.perf_counter()
        await _navigate(page, spec.title, result)
        result.timings[spec.url_path] = time.perf_counter() - started
        await _idle(page)
        await _check(page, spec.url_path, result)
        if spec.url_path in WIDGET_PAGES:
            result.step = WIDGET_PAGES[spec.url_path]
            started = time.perf_counter()
            await _choose_factories(page, spec.url_path, brand)
            result.timings[result.step] = time.perf_counter() - started
            await _idle(page)
            await _check(page, result.step, result)
    result.cookie_written = "scd_auth=" in await page.evaluate("document.cookie")


async def run_session(browser, user: str, shared: Shared, result: SessionResult) -> None:
    """One user's visit in a browser context of its own; it then stays open until every
    session has finished."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900})

    async def loopback_only(route) -> None:
        if route.request.url.startswith(shared.base_url):
            await route.continue_()
        else:
            shared.blocked_requests += 1
            await route.abort()

    await context.route("**/*", loopback_only)
    page = await context.new_page()
    page.set_default_timeout(180_000)
    result.step = "first page load"
    try:
        await _visit(page, user, shared, result)
        result.finished = True
        shared.arrived()
        await shared.all_done.wait()
        await _check(page, "still open at the end", result)
    except Exception as exc:  # noqa: BLE001 - every failure is a counted error, not a crash
        message = f"{result.step}: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
        shot = shared.shots / f"{result.user}-{id(result)}.png"
        try:  # what the session saw, for the report
            await page.screenshot(path=str(shot))
            message += f" (screenshot {shot})"
        except Exception:  # noqa: BLE001, S110 - the screenshot is a courtesy
            pass
        result.errors.append(message)
        if not result.finished:
            shared.arrived()
    finally:
        await context.close()


# ---- the run ------------------------------------------------------------------------------------


async def _drive(shared: Shared, pid: int, deadline_s: float, ramp_s: float,
                 results: list[SessionResult], marks: dict) -> None:
    from playwright.async_api import async_playwright

    users = list(USERS)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                          args=CHROMIUM_ARGS)
        try:
            warm = await browser.new_context()  # the server's first run imports the app
            page = await warm.new_page()
            await page.goto(shared.base_url)
            await page.get_by_label("Username").wait_for(state="visible", timeout=120_000)
            await warm.close()
            marks["rss_ready"] = rss_kib(pid)
            marks["cpu_start"] = cpu_seconds(pid)

            results.extend(SessionResult(users[i % len(users)]) for i in range(shared.sessions))
            shared.pending = shared.sessions

            async def staggered(i: int, result: SessionResult) -> None:
                await asyncio.sleep(i * ramp_s / max(shared.sessions, 1))
                shared.open_now += 1
                shared.most_open = max(shared.most_open, shared.open_now)
                try:
                    await run_session(browser, result.user, shared, result)
                finally:
                    shared.open_now -= 1

            tasks = [asyncio.create_task(staggered(i, r)) for i, r in enumerate(results)]
            ends = time.monotonic() + deadline_s
            peak = 0
            while not all(t.done() for t in tasks) and time.monotonic() < ends:
                peak = max(peak, rss_kib(pid))
                await asyncio.sleep(0.25)
            marks["rss_peak"] = peak
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            await browser.close()
    for r in results:
        if not r.finished and not r.errors:
            r.errors.append(f"{r.step}: did not finish before the deadline")


def _summary(values: list[float]) -> dict:
    if not values:
        return {"count": 0}
    return {"count": len(values), "p50_s": round(percentile(values, 50), 2),
            "p95_s": round(percentile(values, 95), 2), "max_s": round(max(values), 2),
            "mean_s": round(statistics.fmean(values), 2)}


def run_load(sessions: int, *, database_url: str | None = None, deadline_s: float = 900,
             ramp_s: float = 30) -> dict:
    """Run the load test; returns the results (see the module docstring)."""
    workdir = Path(tempfile.mkdtemp(prefix="loadtest-"))
    if database_url is None:
        database_url = make_demo_database(workdir)
    facts = brand_facts(database_url)
    load_before = load_average()
    server = StreamlitServer(database_url)
    results: list[SessionResult] = []
    marks: dict = {}
    shared = Shared(base_url=server.url, facts=facts, shots=workdir, sessions=sessions)
    try:
        pid = server.process.pid
        rss_started = rss_kib(pid)
        started = time.perf_counter()
        asyncio.run(_drive(shared, pid, deadline_s, ramp_s, results, marks))
        wall = time.perf_counter() - started
        rss_end = rss_kib(pid)
        server_cpu = cpu_seconds(pid) - marks.get("cpu_start", 0.0)
    finally:
        server.stop()

    not_pages = {"first page load", "sign-in"}
    page_times = [t for r in results for k, t in r.timings.items() if k not in not_pages]
    per_step: dict[str, list[float]] = {}
    for r in results:
        for k, t in r.timings.items():
            per_step.setdefault(k, []).append(t)
    errors = [f"session {i} ({r.user}): {e}" for i, r in enumerate(results) for e in r.errors]
    rss_ready = marks.get("rss_ready", 0)
    return {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform(),
                    # other work on the machine inflates the times: recorded, not subtracted
                    "load_average_before_after": [load_before, load_average()]},
        "database": "SQLite, demo dataset (300 factories, 12 brands)",
        "sessions": sessions,
        "users": {u: sum(r.user == u for r in results) for u in USERS},
        "ramp_up_s": ramp_s,
        "most_sessions_open_at_once": shared.most_open,
        "sessions_completed": sum(r.finished and not r.errors for r in results),
        "error_count": len(errors),
        "errors": errors,
        "extra_login_clicks": sum(r.extra_login_clicks for r in results),
        "extra_nav_clicks": sum(r.extra_nav_clicks for r in results),
        "blocked_non_loopback_requests": shared.blocked_requests,
        # the re-login cookie is written by a component in the script run after the sign-in
        # (ui/auth.py); a session whose browser never got it is signed out by a reload
        "sessions_with_relogin_cookie": sum(r.cookie_written for r in results),
        "wall_clock_s": round(wall, 1),
        "server_cpu_s": round(server_cpu, 1),
        "page_visits": len(page_times),
        "page_time": _summary(page_times),
        "sign_in_time": _summary(per_step.get("sign-in", [])),
        "first_page_load_time": _summary(per_step.get("first page load", [])),
        "per_step": {k: _summary(v) for k, v in sorted(per_step.items())},
        "server_rss_mib": {"started": round(rss_started / 1024, 1),
                           "ready": round(rss_ready / 1024, 1),
                           "peak": round(marks.get("rss_peak", 0) / 1024, 1),
                           "end": round(rss_end / 1024, 1),
                           "growth_under_load": round((rss_end - rss_ready) / 1024, 1)},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.load.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--database", help="a database URL with the demo data (default: a "
                        "fresh SQLite demo database in a temporary directory)")
    parser.add_argument("--deadline", type=float, default=900, help="seconds (default 900)")
    parser.add_argument("--ramp", type=float, default=30,
                        help="seconds over which the sessions arrive (default 30)")
    parser.add_argument("--out", default=str(RESULTS), help="JSON file, or - for stdout")
    args = parser.parse_args(argv)
    results = run_load(args.sessions, database_url=args.database, deadline_s=args.deadline,
                       ramp_s=args.ramp)
    body = json.dumps(results, indent=2, ensure_ascii=False) + "\n"
    if args.out == "-":
        sys.stdout.write(body)
    else:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(body)
        print(f"wrote {args.out}")
    page = results["page_time"]
    print(f"{results['sessions_completed']}/{results['sessions']} sessions "
          f"({results['most_sessions_open_at_once']} open at once), "
          f"{results['page_visits']} page visits, {results['error_count']} errors; page p50 "
          f"{page.get('p50_s')} s, p95 {page.get('p95_s')} s; server RSS "
          f"{results['server_rss_mib']}, server CPU {results['server_cpu_s']} s")
    return 0 if results["error_count"] == 0 else 1


# ---- a freshly started server, opened by several sessions at once -------------------------------


async def _first_page(browser, base_url: str) -> str:
    """Open the app in a new context: "form" (the sign-in form), "exception" or "nothing"."""
    context = await browser.new_context()
    try:
        page = await context.new_page()
        await page.goto(base_url)
        for _ in range(240):
            if await page.get_by_label("Username").count():
                return "form"
            if await page.locator(EXCEPTION).count():
                return "exception"
            await asyncio.sleep(0.25)
        return "nothing"
    finally:
        await context.close()


async def _cold_start(base_url: str, sessions: int) -> tuple[list[str], list[str]]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                          args=CHROMIUM_ARGS)
        try:
            first = await asyncio.gather(*[_first_page(browser, base_url)
                                           for _ in range(sessions)])
            later = await asyncio.gather(*[_first_page(browser, base_url) for _ in range(2)])
        finally:
            await browser.close()
    return list(first), list(later)


def cold_start(database_url: str, sessions: int) -> tuple[list[str], list[str]]:
    """Several sessions opening a freshly started server at the same moment, then two more:
    what each one saw ("form", "exception" or "nothing")."""
    server = StreamlitServer(database_url)
    try:
        return asyncio.run(_cold_start(server.url, sessions))
    finally:
        server.stop()


if __name__ == "__main__":
    raise SystemExit(main())
