"""Concurrent sessions in CI: a reduced count (``LOAD_SESSIONS``, default 6) of the load test.

The full run (20 sessions, figures in docs/security.md) is ``python -m tests.load.run
--sessions 20``; it writes docs/results/load.json.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
from pathlib import Path

import pytest

from tests.browserhelpers import sqlite_copy
from tests.conftest import unavailable
from tests.e2e.conftest import CHROMIUM
from tests.load.run import cold_start, run_load
from tests.pagespecs import page_specs

pytestmark = pytest.mark.browser


def in_own_thread(function, *args, **kwargs):
    """Run ``function`` (which calls ``asyncio.run``) in a new thread: the session's sync
    Playwright (tests/conftest.py ``browser``) keeps an event loop running in this one."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


def test_concurrent_sessions_visit_every_page_of_their_role_without_errors(sqlite_demo_path):
    if not Path(CHROMIUM).exists():
        unavailable(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    sessions = int(os.environ.get("LOAD_SESSIONS", "6"))
    results = in_own_thread(run_load, sessions, database_url=sqlite_copy(sqlite_demo_path),
                            deadline_s=420, ramp_s=10)
    print(json.dumps({k: results[k] for k in (
        "sessions", "most_sessions_open_at_once", "sessions_completed", "page_visits",
        "page_time", "sign_in_time", "server_rss_mib", "server_cpu_s", "extra_login_clicks",
        "extra_nav_clicks",
        "wall_clock_s", "machine")}, indent=1))
    assert results["error_count"] == 0, results["errors"]
    assert results["sessions_completed"] == sessions
    brand_pages = sum(not s.admin_only and not s.permission for s in page_specs())
    # every session visited every page of its role (the landing page is timed as the sign-in)
    assert results["page_visits"] >= sessions * (brand_pages - 1)
    assert results["per_step"]["factory: profile of an own factory"]["count"] == sessions
    assert results["most_sessions_open_at_once"] == sessions
    assert results["blocked_non_loopback_requests"] >= 0  # counted, never let through


def test_sessions_opening_a_freshly_started_server_at_once_get_the_sign_in_form(
        sqlite_demo_path):
    """A restart under traffic: the first script runs of several sessions start together (each
    in its own thread, each importing the app's modules). Every one must get the sign-in form,
    and so must the sessions after them."""
    if not Path(CHROMIUM).exists():
        unavailable(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    first, later = in_own_thread(cold_start, sqlite_copy(sqlite_demo_path), sessions=4)
    assert first == ["form"] * 4, f"concurrent first sessions saw {first}; later ones {later}"
    assert later == ["form"] * 2, f"sessions after them saw {later}"
