"""Shared fixtures: real SQLite and PostgreSQL databases filled with the demo dataset.

PostgreSQL: a throwaway cluster is started for the test session from Debian's ``postgresql``
binaries (``initdb``/``pg_ctl``), or ``DASHBOARD_TEST_POSTGRES_URL`` points at an existing server.
A test that needs a server skips on a laptop without one, but **fails** when ``CI`` is set: in
CI every test must run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import Engine, text

from data_access.db import create_db_engine, prepare_database, upgrade_schema
from demo import generate_demo_data
from services.stored import refresh_brand_analyses

# No background refresh of the stored analyses after the tests' imports (a thread outliving its
# test's database): the demo databases get theirs once, below; tests/test_stored_analyses.py
# runs the refresh in each mode.
os.environ.setdefault("DASHBOARD_PRECOMPUTE", "off")

IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}
DEMO_AS_OF = dt.date(2026, 11, 1)
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def unavailable(reason: str) -> None:
    """Skip locally, fail in CI: a missing server must never hide a test there."""
    if IN_CI:
        pytest.fail(f"required test dependency unavailable in CI: {reason}")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresServer:
    """A throwaway PostgreSQL cluster on a free loopback port (started and stopped by tests)."""

    def __init__(self) -> None:
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not found:
            raise FileNotFoundError("Debian's postgresql package is not installed")
        self.bin = Path(found[-1]).parent
        self.dir = Path(tempfile.mkdtemp(prefix="pgtest-"))
        self.port = free_port()
        self.as_postgres = os.geteuid() == 0  # initdb refuses to run as root
        if self.as_postgres:
            shutil.chown(self.dir, "postgres")
        self._run("initdb", "-D", str(self.dir / "data"), "-A", "trust", "-U", "postgres",
                  "--no-sync")
        self.start()

    def _run(self, tool: str, *args: str) -> None:
        cmd = [str(self.bin / tool), *args]
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.dir / "data"), "-l", str(self.dir / "log"), "-o",
                  f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                  "-c full_page_writes=off -c synchronous_commit=off", "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.dir / "data"), "-m", "fast", "-w", "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def cleanup(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError):
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer | str]:
    """A running server: our own throwaway cluster, or an external URL from the environment."""
    external = os.environ.get("DASHBOARD_TEST_POSTGRES_URL")
    if external:
        yield external
        return
    try:
        server = PostgresServer()
    except (FileNotFoundError, subprocess.SubprocessError, KeyError, LookupError) as exc:
        unavailable(f"cannot start PostgreSQL: {exc}")
        return
    try:
        yield server
    finally:
        server.cleanup()


def new_postgres_database(server: PostgresServer | str, name: str) -> str:
    """Create an empty database on the server and return its URL."""
    base = server if isinstance(server, str) else server.url()
    admin = create_db_engine(base)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.rsplit("/", 1)[0] + "/" + name


def _fill(engine: Engine) -> Engine:
    upgrade_schema(engine)
    generate_demo_data(engine, size="demo", as_of=DEMO_AS_OF)
    refresh_brand_analyses(engine)  # as the app's background job leaves them after a change
    return engine


@pytest.fixture(scope="session")
def sqlite_demo_path(tmp_path_factory) -> Path:
    """A SQLite file with the demo dataset (as of DEMO_AS_OF), generated once per session."""
    path = tmp_path_factory.mktemp("sqlite") / "demo.sqlite3"
    engine = _fill(create_db_engine(f"sqlite:///{path}"))
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def sqlite_engine(sqlite_demo_path) -> Iterator[Engine]:
    engine = create_db_engine(f"sqlite:///{sqlite_demo_path}")
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def postgres_engine(postgres_server) -> Iterator[Engine]:
    engine = _fill(create_db_engine(new_postgres_database(postgres_server, "demo")))
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request) -> Engine:
    """The demo database on each backend: every data-layer test runs on both."""
    name = "postgres_engine" if request.param == "postgresql" else "sqlite_engine"
    return request.getfixturevalue(name)


@pytest.fixture
def fresh_engine(tmp_path) -> Iterator[Engine]:
    """An empty, migrated SQLite database for tests that write."""
    engine = create_db_engine(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    prepare_database(engine)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def writable_engine(request, tmp_path) -> Iterator[Engine]:
    """A small fresh database (``tiny`` demo data) on each backend, for tests that write."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'tiny.sqlite3'}"
    else:
        server = request.getfixturevalue("postgres_server")
        url = new_postgres_database(server, f"tiny_{int(time.time() * 1000) % 10**9}")
    engine = create_db_engine(url)
    upgrade_schema(engine)
    generate_demo_data(engine, size="tiny", as_of=DEMO_AS_OF)
    yield engine
    engine.dispose()


@pytest.fixture
def app_env(sqlite_demo_path, tmp_path, monkeypatch):
    """Point the app at a private copy of the demo database, in demo mode."""
    db = tmp_path / "app.sqlite3"
    shutil.copy(sqlite_demo_path, db)
    url = f"sqlite:///{db}"
    monkeypatch.setenv("DASHBOARD_DATABASE_URL", url)
    monkeypatch.setenv("DASHBOARD_DEMO", "true")
    monkeypatch.setenv("DASHBOARD_LOCKOUT_ATTEMPTS", "3")
    st.cache_resource.clear()
    st.cache_data.clear()
    engine = create_db_engine(url)
    yield engine
    engine.dispose()
    st.cache_resource.clear()
    st.cache_data.clear()



def pytest_sessionfinish(session, exitstatus) -> None:
    """In CI a skipped test counts as a failure: every test there must run."""
    if not IN_CI:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped and exitstatus == 0:
        reporter.write_line(f"CI: {skipped} test(s) skipped; in CI every test must run.",
                            red=True)
        session.exitstatus = 1


# ---- generated-case counts (property-based tests report how many cases they ran) -----------

#: suite name -> Counter(test id -> executed hypothesis cases); filled by property tests
CASE_COUNTS: dict[str, Counter] = {}


def pytest_terminal_summary(terminalreporter) -> None:
    """Print how many generated cases each property-based suite executed."""
    # Test modules import this file as ``tests.conftest`` while pytest loads it as ``conftest``
    # (no tests/__init__.py): read the counts from the copy the tests filled.
    from tests import conftest as shared

    for suite, counts in shared.CASE_COUNTS.items():
        if counts:
            terminalreporter.write_sep("-", f"{suite}: {sum(counts.values()):,} generated cases")
            for test, n in sorted(counts.items()):
                terminalreporter.write_line(f"  {n:>6,}  {test}")


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium for every browser test of the session (Playwright's sync
    API allows one instance per thread: a second ``sync_playwright()`` in the same run fails,
    so every module shares this one; the async load test runs in a thread of its own)."""
    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    if not Path(CHROMIUM).exists():
        unavailable(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover
        unavailable(f"playwright not installed: {exc}")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
