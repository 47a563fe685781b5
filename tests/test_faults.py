"""Faults: the database going away (at start, mid-session, mid-transaction), an import killed
mid-way, and hostile input to the importer.

The outage tests run against a PostgreSQL cluster of this module's own (``PostgresServer``), so
stopping it does not disturb the session's shared server:

* data access during an outage fails with ``OperationalError`` in bounded time, and the same
  engine works again once the server is back (``pool_pre_ping`` replaces the dead connections);
  a transaction in flight when the server stops fails whole and is retried whole;
* a real ``streamlit run`` server, signed in through the browser: the database stops → the page
  says "The database is not available right now" (no stack trace); it starts → *Try again*
  brings the page back, with no server restart. Likewise when the database is down when the
  app starts;
* ``python -m services.import_cli orders`` on a large file is killed with SIGKILL while it
  writes: every table is exactly as before (row counts and a checksum of every row), and the
  same import then completes;
* hypothesis feeds random bytes and CSV-like text to ``import_csv`` for facility lists and
  orders: the only failure is the documented ``ImportRejected``, and a rejected file changes no
  table.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import random
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from playwright.sync_api import expect
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import OperationalError

from data_access import queries
from data_access.db import create_db_engine, describe_db_error, is_connection_error, upgrade_schema
from data_access.errors import DatabaseUnavailable, ImportRejected
from data_access.importing import expected_columns, import_csv
from data_access.schema import Base
from data_access.viewer import Viewer
from demo import generate_demo_data
from tests.browserhelpers import DB_DOWN, EXCEPTION, StreamlitServer, sign_in_and_wait
from tests.conftest import CASE_COUNTS, DEMO_AS_OF, PROJECT_ROOT, PostgresServer, unavailable

FUZZ_CASES: Counter[str] = CASE_COUNTS.setdefault("importer fuzzing", Counter())
ADMIN = Viewer("fault-tests", "admin", None)
PASSWORD = "not-shown-anywhere"  # trust auth ignores it; it must never appear in a message


# ---- a PostgreSQL cluster of this module's own ---------------------------------------------------


class Cluster:
    """This module's PostgreSQL server, with helpers to take it down and bring it back."""

    def __init__(self) -> None:
        try:
            self.server = PostgresServer()
        except (FileNotFoundError, subprocess.SubprocessError, KeyError, LookupError) as exc:
            unavailable(f"cannot start PostgreSQL: {exc}")
        self.up = True

    def url(self, database: str = "postgres") -> str:
        return (f"postgresql+psycopg://postgres:{PASSWORD}@127.0.0.1:{self.server.port}/"
                f"{database}")

    def stop(self) -> None:
        self.server.stop()
        self.up = False

    def start(self) -> None:
        if not self.up:
            self.server.start()
            self.up = True

    def new_database(self, name: str, *, size: str | None = "tiny") -> str:
        admin = create_db_engine(self.url())
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = self.url(name)
        if size:
            engine = create_db_engine(url)
            upgrade_schema(engine)
            generate_demo_data(engine, size=size, as_of=DEMO_AS_OF)
            engine.dispose()
        return url


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    own = Cluster()
    try:
        yield own
    finally:
        own.server.cleanup()


@pytest.fixture
def running(cluster) -> Cluster:
    """The cluster, up (a test that failed half-way may have left it stopped)."""
    cluster.start()
    return cluster


@pytest.fixture(scope="module")
def outage_url(cluster) -> str:
    return cluster.new_database("outage")


def nordwind(engine: Engine) -> Viewer:
    with engine.connect() as conn:
        brand = conn.execute(text("SELECT id FROM brand WHERE code = 'nordwind'")).scalar_one()
    return Viewer("nordwind", "brand", brand)


# ---- (a) data access during an outage ---------------------------------------------------------


@pytest.mark.postgres
def test_reads_fail_cleanly_during_an_outage_and_the_same_engine_recovers(running, outage_url):
    engine = create_db_engine(outage_url)
    try:
        viewer = nordwind(engine)
        before = queries.suppliers(engine, viewer)
        assert not before.empty
        pool = engine.pool

        running.stop()
        for _ in range(2):  # repeated calls keep failing the same clean way, quickly
            started = time.monotonic()
            with pytest.raises(OperationalError) as failure:
                queries.suppliers(engine, viewer)
            assert time.monotonic() - started < 10  # connect_timeout, not a hang
            assert is_connection_error(failure.value)
            message = describe_db_error(engine, failure.value)
            assert message.startswith("The database at postgresql+psycopg://postgres:***@")
            assert PASSWORD not in message

        running.start()
        after = queries.suppliers(engine, viewer)  # no new engine, no dispose(): pre-ping
        assert engine.pool is pool
        assert list(after["factory_id"]) == list(before["factory_id"])
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_a_transaction_in_flight_fails_whole_and_the_retry_succeeds(running, outage_url):
    engine = create_db_engine(outage_url)
    try:
        viewer = nordwind(engine)
        with engine.connect() as conn:
            versions = conn.execute(text("SELECT data_version FROM dataset_state")).scalar()
        with pytest.raises(OperationalError), engine.begin() as conn:
            conn.execute(text("UPDATE dataset_state SET source = 'half-done'"))
            running.stop()  # fast shutdown: the server ends the session mid-transaction
            conn.execute(text("UPDATE dataset_state SET data_version = data_version + 1"))
        running.start()
        with engine.connect() as conn:  # nothing of the interrupted transaction is there
            state = conn.execute(text("SELECT data_version, source FROM dataset_state")).one()
        assert state.data_version == versions and state.source != "half-done"
        assert not queries.suppliers(engine, viewer).empty
    finally:
        engine.dispose()


# ---- (b), (c) the app during an outage, in a real browser -------------------------------------


@pytest.fixture(scope="module")
def browser_(browser):
    return browser  # the session's Chromium (tests/conftest.py)


@pytest.fixture
def page(browser_):
    expect.set_options(timeout=30_000)
    context = browser_.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(30_000)
    yield context.new_page()
    context.close()


def _shows_database_down(page) -> None:
    expect(page.get_by_text(DB_DOWN)).to_be_visible()
    expect(page.get_by_role("button", name="Try again")).to_be_visible()
    expect(page.locator(EXCEPTION)).to_have_count(0)
    body = page.locator("body").inner_text()
    assert "Traceback" not in body and PASSWORD not in body
    assert "OperationalError" not in body


@pytest.mark.postgres
@pytest.mark.browser
def test_app_started_while_the_database_is_down_says_so_then_recovers(running, page):
    url = running.new_database("app_start")
    running.stop()
    server = StreamlitServer(url)  # demo mode: demo accounts provisioned once it can
    try:
        page.goto(server.url)
        _shows_database_down(page)
        page.get_by_role("button", name="Try again").click()  # still down: same message
        _shows_database_down(page)

        running.start()
        page.get_by_role("button", name="Try again").click()
        expect(page.get_by_label("Username")).to_be_visible()
        sign_in_and_wait(page, server.url, "maple", "maple-demo-2026",
                         "Maple & Thread — overview")
        assert server.process.poll() is None  # the same server process throughout
    finally:
        server.stop()


@pytest.mark.postgres
@pytest.mark.browser
def test_database_lost_mid_session_shows_a_message_and_try_again_recovers(running, page):
    url = running.new_database("mid_session")
    server = StreamlitServer(url)
    try:
        sign_in_and_wait(page, server.url, "nordwind", "nordwind-demo-2026",
                         "Nordwind Apparel — overview")
        page.wait_for_function("document.cookie.includes('scd_auth=')")

        running.stop()
        page.get_by_role("link", name="Suppliers").click()  # same session: sidebar navigation
        _shows_database_down(page)

        running.start()
        page.get_by_role("button", name="Try again").click()
        expect(page.get_by_role("heading", name="Suppliers")).to_be_visible()
        expect(page.locator(EXCEPTION)).to_have_count(0)
        expect(page.get_by_text(DB_DOWN)).to_have_count(0)
        # and the rest of the session carries on: another page, still signed in
        page.get_by_role("link", name="Overview").click()
        expect(page.get_by_role("heading", name="Nordwind Apparel — overview")).to_be_visible()
        assert server.process.poll() is None
    finally:
        server.stop()


# ---- (d) an import killed mid-way ----------------------------------------------------------------


def snapshot(engine: Engine) -> dict[str, tuple[int, str]]:
    """Row count and SHA-256 of every row of every table, in primary-key order."""
    out = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            rows = conn.execute(select(table).order_by(*table.primary_key.columns)).all()
            out[table.name] = (len(rows),
                               hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest())
    return out


def orders_file(path: Path, factory_ids: list[int], n: int) -> None:
    rng = random.Random(20261101)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["po_number", "factory_id", "confirmed_on", "ex_factory_on",
                         "invoiced_on", "paid_on", "payment_terms_days", "units_forecast",
                         "units_ordered", "fob_price_usd", "cost_usd", "amount_paid_usd",
                         "season"])
        start = dt.date(2024, 1, 1)
        for i in range(n):
            confirmed = start + dt.timedelta(days=rng.randrange(600))
            shipped = confirmed + dt.timedelta(days=rng.randrange(30, 120))
            units = rng.randrange(300, 50_000)
            writer.writerow([f"KILL-{i:07d}", rng.choice(factory_ids), confirmed, shipped,
                             shipped, shipped + dt.timedelta(days=60), 60, units, units,
                             f"{rng.uniform(3, 20):.2f}", f"{rng.uniform(3, 20):.2f}",
                             f"{units * 5.5:.2f}", f"SS{confirmed:%y}"])


class ProgressReader(threading.Thread):
    """Collects the CLI's progress lines (stderr) as they come."""

    def __init__(self, stream) -> None:
        super().__init__(daemon=True)
        self.stream = stream
        self.lines: list[str] = []

    def run(self) -> None:
        for line in self.stream:
            self.lines.append(line.rstrip())

    def writing(self) -> tuple[int, int] | None:
        for line in reversed(self.lines):
            match = re.match(r"\s*writing\s+([\d,]+) / ([\d,]+) rows", line)
            if match:
                return int(match[1].replace(",", "")), int(match[2].replace(",", ""))
        return None


def run_cli(url: str, path: Path, *extra: str) -> subprocess.Popen:
    env = {"DASHBOARD_DATABASE_URL": url, "DASHBOARD_DEMO": "true", "PATH": "/usr/bin:/bin",
           "PYTHONPATH": str(PROJECT_ROOT), "HOME": str(path.parent)}
    return subprocess.Popen(
        [sys.executable, "-m", "services.import_cli", "orders", "--brand", "nordwind",
         str(path), *extra],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_backends_to_end(engine: Engine, timeout: float = 60) -> None:
    """PostgreSQL rolls back a dead client's transaction when its backend notices; wait for
    that, so the re-import below is not queued behind the dead one's advisory lock."""
    if engine.dialect.name != "postgresql":
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            others = conn.execute(text(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()")).scalar_one()
        if not others:
            return
        time.sleep(0.2)
    raise AssertionError("the killed import's database session did not end")


@pytest.fixture(params=["postgresql", "sqlite"])
def import_target(request, tmp_path) -> Iterator[tuple[str, Engine]]:
    if request.param == "postgresql":
        url = request.getfixturevalue("running").new_database("import_kill")
    else:
        url = f"sqlite:///{tmp_path / 'import_kill.sqlite3'}"
        setup = create_db_engine(url)
        upgrade_schema(setup)
        generate_demo_data(setup, size="tiny", as_of=DEMO_AS_OF)
        setup.dispose()
    engine = create_db_engine(url)
    yield url, engine
    engine.dispose()


ROWS_TO_IMPORT = 120_000


def test_import_killed_mid_way_leaves_the_database_exactly_as_before(import_target, tmp_path):
    url, engine = import_target
    with engine.connect() as conn:
        factories = list(conn.execute(text(
            "SELECT r.factory_id FROM sourcing_relationship r JOIN brand b ON b.id = r.brand_id "
            "WHERE b.code = 'nordwind' ORDER BY r.factory_id")).scalars())
    path = tmp_path / "orders.csv"
    orders_file(path, factories, ROWS_TO_IMPORT)
    before = snapshot(engine)

    process = run_cli(url, path)
    reader = ProgressReader(process.stderr)
    reader.start()
    deadline = time.monotonic() + 180
    progress = None
    while time.monotonic() < deadline and process.poll() is None:
        progress = reader.writing()
        if progress and 0 < progress[0] < progress[1]:
            break
        time.sleep(0.05)
    assert process.poll() is None, (
        f"the import ended before it could be killed mid-write: {reader.lines[-5:]}")
    assert progress and 0 < progress[0] < progress[1], reader.lines[-5:]
    process.kill()  # SIGKILL: no cleanup, no rollback from the client side
    process.wait(timeout=30)
    assert process.returncode == -9

    wait_for_backends_to_end(engine)
    engine.dispose()  # forget pooled connections from before (SQLite: re-open the file)
    assert snapshot(engine) == before

    again = run_cli(url, path, "--quiet")
    out, err = again.communicate(timeout=300)
    assert again.returncode == 0, (out, err)
    with engine.connect() as conn:
        orders = conn.execute(text("SELECT COUNT(*) FROM purchase_order")).scalar_one()
    assert orders == before["purchase_order"][0] + ROWS_TO_IMPORT


# ---- importer fuzzing -------------------------------------------------------------------------


def _table_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in Base.metadata.sorted_tables}


def _header_names(kind: str) -> list[str]:
    names = []
    for column in expected_columns(kind):
        names.append(column["name"])
        names.extend(a.strip() for a in column["aliases"].split(",") if a.strip())
    return names


CELLS = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", " ", "VN", "Viet Nam", "KH", "XX", "2026-02-30", "2025-01-15",
                     "15/01/2025", "-1", "0", "1e9", "NaN", "inf", "12,5", "$12.50", "yes", "no",
                     "=HYPERLINK(\"http://x\")", "+1", "@SUM(A1)", "\x00", "\ufeff", "\"", "'",
                     "a\nb", "9" * 400, "CN2019312N2QK6F", "1", "2", "3", "1000000000000"]),
    st.integers(-10**12, 10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.dates().map(str),
)


@st.composite
def csv_like(draw, kind: str) -> bytes:
    names = _header_names(kind)
    header = draw(st.lists(st.one_of(st.sampled_from(names), st.text(max_size=12)),
                           min_size=1, max_size=12))
    header = [draw(st.sampled_from([h, h.upper(), f" {h} ", h.replace("_", " ")]))
              for h in header]
    rows = draw(st.lists(st.lists(CELLS, min_size=0, max_size=len(header) + 2), max_size=6))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=draw(st.sampled_from([",", ";", "\t"])))
    writer.writerow(header)
    writer.writerows(rows)
    body = buffer.getvalue()
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1"]))
    return body.encode(encoding, errors="replace")


def file_contents(kind: str):
    return st.one_of(st.binary(max_size=600), csv_like(kind),
                     csv_like(kind).map(lambda b: b[: len(b) // 2]))  # cut off mid-row


@settings(max_examples=150, derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(data=st.data())
def test_importer_rejects_hostile_files_cleanly_and_writes_nothing(writable_engine, request,
                                                                    data):
    FUZZ_CASES[request.node.name] += 1
    engine = writable_engine
    kind = data.draw(st.sampled_from(["facilities", "orders"]), label="kind")
    content = data.draw(file_contents(kind), label="file")
    before = _table_counts(engine)
    try:
        report = import_csv(engine, ADMIN, kind, content, brand_code="nordwind",
                            file_name="fuzz.csv", max_bytes=100_000)
    except ImportRejected as rejected:
        assert rejected.report.errors  # a rejection always says why
        assert _table_counts(engine) == before  # and wrote nothing
    else:
        # accepted: then it was a well-formed file; the write is complete and counted
        after = _table_counts(engine)
        assert after["import_run"] == before["import_run"] + 1
        assert report.rows == report.inserted + report.updated + report.unchanged


@pytest.mark.postgres
def test_database_unavailable_is_the_error_pages_catch(running, outage_url):
    """The app shell shows the outage message for OperationalError and DatabaseUnavailable;
    starting an engine while the server is down raises the latter (not cached, retried)."""
    from demo import prepare_demo_database

    running.stop()
    engine = create_db_engine(outage_url)
    try:
        with pytest.raises(DatabaseUnavailable) as failure:
            prepare_demo_database(engine, size="tiny")
        assert PASSWORD not in str(failure.value)
        assert "cannot be reached" in str(failure.value)
    finally:
        engine.dispose()
        running.start()
