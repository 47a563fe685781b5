"""One benchmark run: prepare the dataset, time every page, the extract, the import and the
naive baseline, compare their numbers, and report.

Definitions (docs/performance.md):

* **cold** — ``st.cache_data`` cleared and the engine's connection pool disposed: the page opens
  new database connections (empty SQLite page cache / new PostgreSQL backend) and computes
  everything. The operating system's file cache and PostgreSQL's shared buffers stay warm.
* **warm (cache)** — the same page again: every ``st.cache_data`` read is a hit, as for the
  next rerun of any session of the process (the usual case).
* **warm DB** — ``st.cache_data`` cleared again but connections kept: every query runs on a warm
  connection pool and warm caches (another brand's first visit, or after an import).
* **memory** — the process's peak resident set (``VmHWM``) after the pages, i.e. an app process
  holding every page's cache entries for the largest brand; measured before the baseline runs.

Every figure is the median of ``--repeat`` runs (cold ones included, each after clearing the
caches again); the best of them is recorded too (``*_best_s``): on a machine shared with other
work the best run is the closest to the code's own cost, the median the more conservative.
"""

from __future__ import annotations

import gc
import logging
import os
import statistics
import time
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bench import baseline as naive
from bench import checks, extras
from bench.dataset import Dataset
from bench.pages import PAGES, SCRIPTS, PageContext, largest_brand_context

ROOT = Path(__file__).resolve().parent.parent


def memory_mb() -> dict[str, float]:
    """Current and peak resident set size of this process, in MB (Linux)."""
    values = {}
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, amount, _unit = line.split()
                values[key.rstrip(":")] = round(int(amount) / 1024, 1)
    return {"rss_mb": values.get("VmRSS", float("nan")),
            "peak_rss_mb": values.get("VmHWM", float("nan"))}


def _quiet_streamlit() -> None:
    """Outside ``streamlit run`` every cached call warns "no runtime"; the bench knows."""
    from streamlit import logger

    logger.set_log_level("error")
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("streamlit"):
            logging.getLogger(name).setLevel(logging.ERROR)


def run(dataset: Dataset, *, repeat: int, pages: list[str], with_baseline: bool,
        with_apptest: bool, log: Any = print) -> dict[str, Any]:
    """Time everything on a prepared dataset; returns the results (see :mod:`bench.report`)."""
    os.environ["DASHBOARD_DATABASE_URL"] = dataset.url
    os.environ["DASHBOARD_DEMO"] = "true"  # the demo accounts; the data is already there
    import streamlit as st

    from ui.runtime import get_engine

    _quiet_streamlit()
    st.cache_resource.clear()
    st.cache_data.clear()
    start = time.perf_counter()
    engine = get_engine()  # migrations check, account provisioning: once per process
    startup = time.perf_counter() - start
    # the pages' reference dates: from the data (metrics.reference), not the calendar
    ctx = largest_brand_context(engine)
    viewer, today = ctx.viewer, ctx.today
    brand_id, factory_id, compare_ids = viewer.require_brand(), ctx.factory_id, ctx.compare_ids
    with engine.connect() as conn:
        brand_code, brand_name = conn.execute(
            text("SELECT code, name FROM brand WHERE id = :b"), {"b": brand_id}).one()
        active = conn.execute(text(
            "SELECT COUNT(*) FROM sourcing_relationship WHERE brand_id = :b AND active"),
            {"b": brand_id}).scalar_one()
    log(f"largest brand: {brand_name} ({brand_code}, id {brand_id}), {active} active suppliers;"
        f" factory profile {factory_id}; compare {list(compare_ids)}")

    # The cross-brand purchasing benchmark is stored in the database by the first view of the
    # day (any process); pages are timed as every later view sees it. The first view's cost is
    # timed separately below ("cold, benchmark not stored yet").
    from data_access import summaries
    from services import analysis

    start = time.perf_counter()
    analysis.purchasing_benchmark(engine, brand_id, 12, None, None)
    first_benchmark = time.perf_counter() - start
    log(f"purchasing benchmark (12 months, every brand): {first_benchmark:.2f} s (stored, or "
        "found stored)")

    # Every brand's stored analyses (services.stored: the risk ranking, the Purchasing page's
    # default figures), as the background job after an import computes them: timed from
    # nothing stored, the largest brand first. Pages are timed as every view after it sees
    # them ("cold"), and with nothing stored ("cold, not stored": the view computes them).
    from services import stored

    with engine.begin() as conn:
        conn.execute(text("DELETE FROM brand_analysis"))
    start = time.perf_counter()
    stored_largest = stored.refresh_brand_analyses(engine, [brand_id])
    largest_s = time.perf_counter() - start
    start = time.perf_counter()
    stored_all = stored_largest + stored.refresh_brand_analyses(engine)
    all_s = largest_s + time.perf_counter() - start
    precompute = {"largest_brand_s": largest_s, "largest_brand_analyses": stored_largest,
                  "all_brands_s": all_s, "all_brands_analyses": stored_all}
    log(f"stored analyses: largest brand {largest_s:.2f} s ({stored_largest}); every brand "
        f"{all_s:.1f} s ({stored_all})")

    results: dict[str, dict[str, Any]] = {}
    fast_outputs: dict[str, dict[str, Any]] = {}
    for page in pages:
        render = PAGES[page]
        colds = []
        for _ in range(repeat):
            st.cache_data.clear()
            engine.dispose()
            gc.collect()
            start = time.perf_counter()
            fast_outputs[page] = render(ctx)
            colds.append(time.perf_counter() - start)
        cold = statistics.median(colds)
        warm = []
        for _ in range(repeat):
            start = time.perf_counter()
            render(ctx)
            warm.append(time.perf_counter() - start)
        warm_db = []
        for _ in range(repeat):
            st.cache_data.clear()
            start = time.perf_counter()
            render(ctx)
            warm_db.append(time.perf_counter() - start)
        unstored = []
        for _ in range(repeat):
            with engine.begin() as conn:  # the brand's stored analyses gone (the view stores)
                conn.execute(text("DELETE FROM brand_analysis WHERE brand_id = :b"),
                             {"b": brand_id})
            st.cache_data.clear()
            engine.dispose()
            gc.collect()
            start = time.perf_counter()
            render(ctx)
            unstored.append(time.perf_counter() - start)
        stored.refresh_brand_analyses(engine, [brand_id])  # as the refresh leaves them
        render(ctx)  # leave the page's entries in the cache, as a serving process would
        results[page] = {"cold_s": cold, "warm_cache_s": statistics.median(warm),
                         "warm_db_s": statistics.median(warm_db), "cold_best_s": min(colds),
                         "warm_cache_best_s": min(warm), "warm_db_best_s": min(warm_db),
                         "cold_unstored_s": statistics.median(unstored),
                         "cold_unstored_best_s": min(unstored), **memory_mb()}
        log(f"  {page:<11} cold {cold:7.3f} s   warm (cache) {results[page]['warm_cache_s']:7.3f}"
            f" s   warm DB {results[page]['warm_db_s']:7.3f} s   cold, not stored "
            f"{results[page]['cold_unstored_s']:7.3f} s   RSS {results[page]['rss_mb']:.0f} MB")
    app_memory = memory_mb()
    if "purchasing" in pages:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM purchasing_benchmark"))
        st.cache_data.clear()
        engine.dispose()
        start = time.perf_counter()
        PAGES["purchasing"](ctx)
        miss = time.perf_counter() - start
        results["purchasing"]["cold_benchmark_miss_s"] = miss
        log(f"  purchasing  cold, benchmark not stored (had the refresh after the import "
            f"failed): {miss:.3f} s")
        # what an import does now (issue 17): the benchmark is refreshed right after its
        # transaction, so the first view after it is an ordinary cold view
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM purchasing_benchmark"))
        start = time.perf_counter()
        summaries.after_data_change(engine)
        refresh = time.perf_counter() - start
        st.cache_data.clear()
        engine.dispose()
        start = time.perf_counter()
        PAGES["purchasing"](ctx)
        first = time.perf_counter() - start
        results["purchasing"]["benchmark_refresh_s"] = refresh
        results["purchasing"]["cold_first_after_import_s"] = first
        log(f"  refresh after an import (stored benchmark, every period): {refresh:.3f} s; "
            f"purchasing, first cold view after it: {first:.3f} s")

    apptest: dict[str, Any] = {}
    if with_apptest:
        apptest = _apptest_smoke(pages, viewer, factory_id, compare_ids, log)

    extract = extras.time_extract(engine, viewer)
    log(f"extract: {extract}")
    imported = extras.time_import(engine, brand_id, brand_code)
    log(f"import: {imported}")

    mismatches: list[str] = []
    baseline: dict[str, Any] = {}
    if with_baseline:
        baseline, mismatches = _baseline(engine, brand_id, ctx, pages, fast_outputs, results,
                                         log)
    engine.dispose()
    return {
        "brand": {"id": brand_id, "code": brand_code, "name": brand_name,
                  "active_suppliers": int(active)},
        "factory_id": factory_id, "compare_ids": list(compare_ids),
        "today": today.isoformat(), "startup_s": startup, "pages": results,
        "stored_analyses": precompute,
        "app_memory": app_memory, "apptest": apptest, "extract": extract,
        "import": imported, "baseline": baseline, "mismatches": mismatches,
    }


def _baseline(engine, brand_id: int, ctx: PageContext, pages: list[str],
              fast_outputs: dict[str, dict[str, Any]], results: dict[str, dict[str, Any]],
              log: Any) -> tuple[dict[str, Any], list[str]]:
    log("naive baseline: reading whole tables with pandas …")
    model = naive.NaiveBaseline(engine, brand_id, ctx.today, ctx.order_date)
    model.load()
    log("  read seconds: " + ", ".join(f"{t} {s:.1f}" for t, s in model.read_seconds.items())
        + f"; RSS now {memory_mb()['rss_mb']:.0f} MB")
    computations = {
        "overview": model.overview,
        "suppliers": model.suppliers_page,
        "factory": lambda: model.factory_page(ctx.factory_id),
        "compare": lambda: model.compare_page(ctx.compare_ids),
        "visibility": model.visibility_page,
        "purchasing": lambda: model.purchasing_page(12),
        "risk": model.risk_page,
    }
    mismatches: list[str] = []
    for page in pages:
        start = time.perf_counter()
        output = computations[page]()
        compute = time.perf_counter() - start
        read = model.page_read_seconds(page)
        total = read + compute
        problems = checks.compare_page(page, fast_outputs[page], output)
        mismatches += problems
        results[page].update({
            "baseline_read_s": read, "baseline_compute_s": compute, "baseline_s": total,
            "ratio_vs_cold": total / results[page]["cold_s"],
            "ratio_vs_warm_db": total / results[page]["warm_db_s"],
            "same_numbers": not problems,
        })
        log(f"  {page:<11} baseline {total:7.2f} s (read {read:.2f} + compute {compute:.2f})"
            f"  ×{results[page]['ratio_vs_cold']:.0f} vs cold  "
            f"{'same numbers' if not problems else 'DIFFERENT: ' + problems[0]}")
    return {"read_s": model.read_seconds, "memory_after_load": memory_mb()}, mismatches


def _apptest_smoke(pages: list[str], viewer, factory_id: int, compare_ids: tuple[int, ...],
                   log: Any) -> dict[str, Any]:
    """Each real page script once through AppTest: must render without an exception."""
    from streamlit.testing.v1 import AppTest

    out: dict[str, Any] = {}
    for page in pages:
        at = AppTest.from_file(str(ROOT / SCRIPTS[page]), default_timeout=600)
        at.session_state["viewer"] = viewer
        if page == "factory":
            at.query_params["id"] = str(factory_id)
        if page == "compare":
            at.query_params["ids"] = ",".join(map(str, compare_ids))
        start = time.perf_counter()
        at.run()
        seconds = time.perf_counter() - start
        errors = [e.message[:300] for e in at.exception]
        out[page] = {"seconds_incl_harness": round(seconds, 2), "errors": errors}
        log(f"  AppTest {page:<11} {'ok' if not errors else 'EXCEPTION ' + errors[0]}"
            f" ({seconds:.1f} s incl. ≈1.3 s harness)")
    return out
