"""Capacity in CI: a short run of the protocol load driver (``tests/load/capacity.py``).

Ten sessions on SQLite, and six on two replicas sharing one PostgreSQL database with an import
through one replica, each session signed in by its re-login cookie and visiting every page of
its role. They assert what must hold at any load: no error, no foreign row, every session
completed and connected at once, the import seen on the other replica. Latency and memory are
not asserted (timed assertions do not belong in tests): the full run
(``python -m tests.load.capacity --sessions 50``) reports them against issue 17's targets.
"""

from __future__ import annotations

from collections import Counter

import pytest

from tests.browserhelpers import sqlite_copy
from tests.conftest import new_postgres_database
from tests.load import capacity
from tests.load.test_load import in_own_thread
from tests.pagespecs import admin_pages, brand_pages


def _run(*args: str) -> dict:
    """A short run, in a thread of its own: the test session's sync Playwright may hold an
    event loop in this one (``tests.load.test_load.in_own_thread``)."""
    options = capacity.parser().parse_args([*args, "--no-probe", "--settle", "0",
                                            "--calibrate-repeat", "1", "--out", "-"])
    return in_own_thread(capacity.run_capacity, options)


def _assert_clean_run(result: dict, sessions: int) -> None:
    assert result["error_count"] == 0, result["errors"]
    assert result["foreign_row_count"] == 0, result["foreign_rows"]
    assert result["sessions_completed"] == sessions
    assert result["sessions_open_at_end"] == sessions
    assert result["most_sessions_open_at_once"] == sessions
    # the foreign-row search finds another brand's names when they are there
    assert result["detector_self_check"]["names_found"] > 0
    assert result["calibration"]["calibration_s"] > 0


def _views_per_step(result: dict) -> Counter:
    return Counter({step: stats["count"]
                    for step, stats in result["response_time"]["per_step"].items()})


def test_ten_sessions_visit_every_page_of_their_role_without_errors_or_foreign_rows(
        sqlite_demo_path):
    sessions = 10
    result = _run("--sessions", str(sessions), "--ramp", "3", "--think", "0.2", "0.8",
                  "--database", sqlite_copy(sqlite_demo_path))
    _assert_clean_run(result, sessions)
    counts = _views_per_step(result)
    admins = 1  # sessions take the accounts in turn: the fourth is an administrator
    assert counts["sign-in"] == sessions
    assert counts["admin: choose a brand"] == admins
    for spec in brand_pages()[1:]:
        assert counts[spec.url_path] == sessions, spec.url_path
    for spec in admin_pages():
        assert counts[spec.url_path] == admins, spec.url_path
    assert counts["factory: profile of an own factory"] == sessions
    assert counts["compare: 3 own factories"] == sessions
    assert len(result["config"]["brands"]) >= sessions - admins  # one brand per brand user
    assert result["server"]["replica 1"]["rss_mib"]["all_sessions_open"] > 0


@pytest.mark.postgres
def test_two_replicas_on_postgresql_serve_sessions_and_show_an_import_on_the_other(
        postgres_server):
    url = new_postgres_database(postgres_server, "capacity_replicas")
    capacity.fill_database(url)
    sessions = 6
    result = _run("--sessions", str(sessions), "--replicas", "2", "--backend", "postgresql",
                  "--ramp", "3", "--think", "0.2", "0.8", "--database", url)
    _assert_clean_run(result, sessions)
    check = result["import_check"]
    assert check["visible_on_next_view"], check
    assert "inserted 1" in check["import_message"], check
    assert check["import_replica"] != check["viewing_replica"]
    assert len(result["server"]) == 2

