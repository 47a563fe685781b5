"""Capacity at the server: concurrent sessions that speak Streamlit's own protocol (issue 17).

    python -m tests.load.capacity --sessions 50                   # SQLite, demo dataset
    python -m tests.load.capacity --sessions 50 --replicas 2 --backend postgresql
    python -m tests.load.capacity --help                          # think time, ramp, seed, …

Writes ``docs/results/capacity-<backend>-<replicas>x.json`` (``--out``) and prints a summary.
The browser load test (``python -m tests.load.run``) stays as the end-to-end check; this one
measures the server: each session is a :class:`tests.load.protocol.StreamlitClient` (a
websocket and protobuf messages, no browser), so 50+ sessions cost the load generator little
CPU and the figures are the server's.

What a run does:

1. **Calibration** — the fixed CPU + SQLite workload of ``bench/calibration.py``, timed first,
   so the figures of runs on machines of different speed compare as ratios.
2. **Data and accounts** — a database with the demo dataset (SQLite file in a temporary
   folder, or a database on a throwaway PostgreSQL server); a users file with one brand user
   per brand and two administrators (bcrypt hashes of random passwords: nobody signs in with
   a password); the app runs in demo mode (``DASHBOARD_DEMO=true``: outside demo mode it
   refuses a database that holds the public demo dataset) with this users file and its own
   cookie key, shared by every replica. Every session is signed in by a valid re-login cookie
   made by :func:`relogin_cookie`.
3. **Servers** — ``streamlit run app.py`` (``--replicas`` of them on one database, sessions
   spread round-robin as by a load balancer); one warm-up session opens the sign-in page on
   each (the first script run of a process imports the app).
4. **Probe** (serial, ``--no-probe`` to skip) — one session per brand (and an administrator)
   visits every page of its role with no think time and nothing else running: the server's
   CPU time is read from ``/proc`` before and after every view, so each view's CPU cost is its
   own. The first pass is **cold** (the first view of that page for that brand since the
   server started: every cached read of that brand misses), the second **warm**.
5. **Load** — ``--sessions`` sessions arrive over ``--ramp`` seconds; each signs in with its
   cookie, an administrator chooses a brand in the sidebar, and each visits every page of its
   role (``app.py``'s ``PAGES``), choosing one of its own factories on the profile and three on
   the comparison, with a seeded random think time between views (``--think``, default 2–8 s).
   A session that has seen everything stays connected until all have, so all are open at
   once. With two replicas an administrator imports a facility list through one replica
   while the load runs, and a user of that brand on the other replica must see one supplier
   more on its next view.
6. **Checks**, on every view: the run finished (``script_finished`` within ``--timeout``), no
   exception element, no error alert, no "page not found", the page's own heading, and no
   **foreign row**: every text the server sent (markdown, labels, options, chart data, the
   string cells of every dataframe) is searched for the names of factories that belong only to
   other brands (and, for brand users, other brands' names). The search is shown to work on
   every run: one view is checked against another brand's names and must find some
   (``detector_self_check``).
7. **Server metrics** from ``/proc/<pid>``: resident memory (after start, after the warm-up,
   after the probe, peak, with every session open, after they closed) and CPU time; per view:
   ``server CPU-seconds ÷ views`` for the load phase, per-view deltas in the probe. The load
   generator's own CPU time is reported beside them.

Response time = from sending a view's request to its ``script_finished`` message, over
loopback: the server's work and its messages, no browser rendering.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import platform
import random
import re
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import bcrypt
import yaml
from sqlalchemy import Engine, text

from bench.calibration import calibrate, describe
from data_access import sessions
from data_access.db import create_db_engine, upgrade_schema
from data_access.scope import system_connection
from data_access.settings import Settings, load_settings
from tests.e2e.conftest import StreamlitServer
from tests.load.protocol import ProtocolError, StreamlitClient, View, compile_names
from tests.load.run import cpu_seconds, load_average, percentile, rss_kib
from tests.pagespecs import Spec, page_specs
from ui.auth import COOKIE_NAME, AuthGate, session_policy_from

ROOT = Path(__file__).resolve().parents[2]
RESULTS_DIR = ROOT / "docs" / "results"
#: issue 17's targets on the 2-core machine
TARGETS = {"sessions": 50, "errors": 0, "p95_s": 1.0, "rss_mib_per_50_sessions": 60.0}
#: what the comparison page shows once two or more factories are chosen
COMPARE_READY = "Clusters in the latest assessment"
IMPORT_LABEL = "Facility list (Open Supply Hub columns)"
DRY_RUN_LABEL = "Dry run: check and count only, write nothing"


def fill_database(url: str, size: str = "demo") -> None:
    """Migrate an empty database and fill it with the demo dataset.

    The one place this driver uses the demo generator."""
    from demo import generate_demo_data

    engine = create_db_engine(url)
    try:
        upgrade_schema(engine)
        generate_demo_data(engine, size=size)
    finally:
        engine.dispose()


def make_database(directory: Path, backend: str, size: str) -> tuple[str, object | None]:
    """A new database with the demo dataset: its URL, and the throwaway PostgreSQL server to
    stop afterwards (None for SQLite)."""
    server = None
    if backend == "sqlite":
        url = f"sqlite:///{directory / 'capacity.sqlite3'}"
    else:
        from tests.conftest import PostgresServer, new_postgres_database

        server = PostgresServer()
        url = new_postgres_database(server, "capacity")
    fill_database(url, size)
    return url, server


def relogin_cookie(settings: Settings, engine: Engine, username: str) -> dict[str, str]:
    """The cookies of a browser that signed in as ``username``: the app's re-login cookie.

    The one place the load driver makes a cookie. It calls the app's own cookie code
    (``AuthGate._new_cookie``) with the settings the servers resolve from the same
    environment, so the token is exactly what a sign-in would have written. ``engine`` is the
    app's database, for a cookie that needs a server-side record."""
    # a real server-side session, as a sign-in starts one (the cookie names it)
    session_id, issued, session_end = sessions.start_session(
        engine, username, session_policy_from(settings), client="load driver")
    gate = AuthGate.__new__(AuthGate)  # the cookie code needs the settings only, no page
    gate.settings = settings
    gate.engine = engine
    return {COOKIE_NAME: gate._new_cookie(username, session_id, issued, session_end)["token"]}


def postgres_cpu(server) -> Callable[[], float]:
    """The CPU time of a throwaway PostgreSQL server (``tests.conftest.PostgresServer``): its
    postmaster, the backends it has reaped and the backends alive now."""
    postmaster = int((server.dir / "data" / "postmaster.pid").read_text().split()[0])

    def read() -> float:
        fields = Path(f"/proc/{postmaster}/stat").read_text().rsplit(")", 1)[1].split()
        total = sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # the process ended meanwhile
            if int(stat[1]) == postmaster:
                total += int(stat[11]) + int(stat[12])
        return total / os.sysconf("SC_CLK_TCK")

    return read


# ---- who signs in, and what each brand may see --------------------------------------------------


@dataclass(frozen=True)
class Account:
    username: str
    brand_code: str | None  # None: an administrator

    @property
    def is_admin(self) -> bool:
        return self.brand_code is None


@dataclass(frozen=True)
class Brand:
    code: str
    name: str
    factories: frozenset[str]  # every factory the brand has (or had) a relationship with
    sample: tuple[str, ...]  # three active, assessed factories: profile and comparison


@dataclass
class Checker:
    """Names a session of one brand must never see (foreign rows)."""

    foreign: frozenset[str]
    pattern: re.Pattern[str]  # every own and foreign name, longest first

    def foreign_names(self, view: View) -> list[str]:
        return sorted({m.group(0) for m in self.pattern.finditer(view.text())
                       if m.group(0) in self.foreign})


@dataclass
class World:
    brands: dict[str, Brand]
    accounts: list[Account]

    def checker(self, code: str, *, brand_names: bool) -> Checker:
        own = self.brands[code]
        names = set().union(*(b.factories for b in self.brands.values()))
        foreign = names - own.factories
        if brand_names:
            foreign |= {b.name for b in self.brands.values()} - {own.name}
            names |= {b.name for b in self.brands.values()}
        return Checker(frozenset(foreign), compile_names(names))


def read_world(engine: Engine) -> dict[str, Brand]:
    """Every brand with its factory names, straight from the database."""
    brands = {}
    with system_connection(engine) as conn:
        rows = conn.execute(text("SELECT id, code, name FROM brand ORDER BY id")).all()
        for brand_id, code, name in rows:
            factories = frozenset(conn.execute(text(
                "SELECT f.name FROM factory f JOIN sourcing_relationship r ON r.factory_id = "
                "f.id WHERE r.brand_id = :b"), {"b": brand_id}).scalars())
            sample = tuple(conn.execute(text(
                "SELECT f.name FROM factory f JOIN sourcing_relationship r ON r.factory_id = "
                "f.id WHERE r.brand_id = :b AND r.active AND EXISTS (SELECT 1 FROM assessment "
                "a WHERE a.factory_id = f.id) ORDER BY f.id LIMIT 3"), {"b": brand_id})
                .scalars())
            brands[code] = Brand(code, name, factories, sample)
    return brands


def write_users_file(path: Path, brands: dict[str, Brand]) -> list[Account]:
    """One brand user per brand with three or more assessed suppliers, and two
    administrators; passwords are random and thrown away (sessions sign in by cookie)."""
    accounts = [Account(f"load-{code}", code) for code, b in brands.items()
                if len(b.sample) == 3]
    # sessions take the accounts in turn: an administrator among the first four and later on
    accounts.insert(3, Account("load-admin-1", None))
    accounts.insert(min(10, len(accounts)), Account("load-admin-2", None))
    usernames = {}
    for account in accounts:
        password = secrets.token_urlsafe(16).encode()
        usernames[account.username] = {
            "name": f"Load {account.brand_code or 'administrator'}",
            "email": f"{account.username}@load.example",
            "role": "admin" if account.is_admin else "brand",
            **({"brand": account.brand_code} if account.brand_code else {}),
            "password": bcrypt.hashpw(password, bcrypt.gensalt(rounds=4)).decode(),
        }
    path.write_text(yaml.safe_dump({"credentials": {"usernames": usernames}}))
    return accounts


# ---- measurements -------------------------------------------------------------------------------


@dataclass
class ViewRecord:
    session: int
    user: str
    brand: str
    replica: int
    step: str
    seconds: float
    at_s: float  # when the view ended, seconds since the load phase started
    cold: bool
    phase: str  # probe-cold | probe-warm | load
    cpu_s: float | None = None  # the app server's CPU time for this view (probe only)
    db_cpu_s: float | None = None  # the database server's (probe on PostgreSQL only)
    errors: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)


class Replica:
    """One server process and what has been measured on it."""

    def __init__(self, index: int, server: StreamlitServer) -> None:
        self.index = index
        self.server = server
        self.pid = server.process.pid
        self.seen: set[tuple[str, str]] = set()  # (brand or admin@brand, step): cold until seen
        self.rss: dict[str, float] = {"started": rss_kib(self.pid) / 1024}
        self.peak_kib = 0

    @property
    def url(self) -> str:
        return self.server.url

    def rss_mib(self) -> float:
        return rss_kib(self.pid) / 1024

    def cpu(self) -> float:
        return cpu_seconds(self.pid)

    def mark_cold(self, key: tuple[str, str]) -> bool:
        cold = key not in self.seen
        self.seen.add(key)
        return cold


@dataclass
class Run:
    """Everything one run shares."""

    world: World
    settings: Settings
    engine: Engine
    replicas: list[Replica]
    timeout_s: float
    records: list[ViewRecord] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    clients: list[StreamlitClient] = field(default_factory=list)  # the load phase's tabs
    most_open: int = 0
    pending: int = 0
    all_done: asyncio.Event | None = None
    self_check: dict = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)  # failures outside a view
    cpu_samples: list[tuple[float, float]] = field(default_factory=list)  # (at_s, server cpu)
    database_cpu: Callable[[], float] | None = None  # a PostgreSQL server's CPU time, if known
    checkers: dict[tuple[str, bool], Checker] = field(default_factory=dict)

    def checker(self, code: str, *, admin: bool) -> Checker:
        key = (code, admin)
        if key not in self.checkers:
            self.checkers[key] = self.world.checker(code, brand_names=not admin)
        return self.checkers[key]


# ---- one session --------------------------------------------------------------------------------


def _heading_of(spec: Spec, brand: Brand) -> str:
    return f"{brand.name} — overview" if spec.url_path == "overview" else spec.title


def check(view: View, *, expect: str | None, checker: Checker | None) -> tuple[list[str],
                                                                              list[str]]:
    """The problems a person would see on this view, and the foreign names on it."""
    errors = []
    if not view.ok:
        errors.append(f"no finished run ({view.status} after {view.seconds:.1f} s)")
    errors += [f"exception: {e[:200]}" for e in view.exceptions()]
    errors += [f"error message: {e[:200]}" for e in view.alerts("error")]
    if view.page_not_found:
        errors.append("'page not found'")
    # the sign-in form: its Username field *and* its Login button (the administration page has
    # a Username field of its own, in the form that creates an account)
    if view.widget("text_input", "Username") is not None \
            and view.widget("button", "Login") is not None:
        said = [t for kind in ("info", "warning", "error", "success") for t in view.alerts(kind)]
        errors.append("signed out: the sign-in form is shown"
                      + (f" ({'; '.join(said)[:200]})" if said else ""))
    if view.ok and expect is not None and expect not in view.headings():
        errors.append(f"heading {expect!r} missing (headings: {view.headings()[:4]})")
    foreign = checker.foreign_names(view) if checker is not None else []
    return errors, foreign


def _option(view: View, kind: str, label: str, factory: str) -> str:
    """The option of a factory picker that names ``factory`` ("<name> · <country>")."""
    element = view.widget(kind, label)
    if element is None:
        raise ProtocolError(f"no {kind} labelled {label!r}")
    for option in element.body.options:
        if option.split(" · ")[0] == factory:
            return option
    raise ProtocolError(f"{factory!r} is not among the options of {label!r}")


class Session:
    """One user's visit: sign in by cookie, every page of the role, think time between views."""

    def __init__(self, run: Run, number: int, account: Account, brand: Brand, replica: Replica,
                 think: Callable[[], float], phase: str) -> None:
        self.run, self.number, self.account, self.brand = run, number, account, brand
        self.replica, self.think, self.phase = replica, think, phase
        self.client = StreamlitClient(replica.url, relogin_cookie(
            run.settings, run.engine, account.username), timeout_s=run.timeout_s)
        self.brand_checker = run.checker(brand.code, admin=account.is_admin)
        self.views: list[View] = []
        self.finished = False

    async def _pause(self, seconds: float | None = None) -> None:
        wait = self.think() if seconds is None else seconds
        if wait > 0:
            await asyncio.sleep(wait)

    async def view(self, action, step: str, *, expect: str | None,
                   brand_page: bool = True) -> View:
        """Do ``action`` (a coroutine making one request), record and check its view."""
        probe = self.phase.startswith("probe")
        cpu_before = self.replica.cpu() if probe else None
        db = self.run.database_cpu if probe else None
        db_before = db() if db else None
        try:
            view = await action
        except ProtocolError as exc:
            view = View(step=step, status=f"protocol error: {exc}")
        key = ((f"admin@{self.brand.code}" if self.account.is_admin else self.brand.code), step)
        errors, foreign = check(view, expect=expect,
                                checker=self.brand_checker if brand_page else None)
        record = ViewRecord(
            session=self.number, user=self.account.username, brand=self.brand.code,
            replica=self.replica.index, step=step, seconds=view.seconds,
            at_s=time.monotonic() - self.run.started, cold=self.replica.mark_cold(key),
            phase=self.phase, errors=errors, foreign=foreign,
            cpu_s=None if cpu_before is None else self.replica.cpu() - cpu_before,
            db_cpu_s=None if db_before is None else db() - db_before)
        self.run.records.append(record)
        self.views.append(view)
        if errors or foreign:
            problems = [*errors, *([f"foreign names: {foreign}"] if foreign else [])]
            raise SessionFailed(f"{step}: {'; '.join(problems)}")
        return view

    async def visit(self, pages: list[Spec]) -> None:
        c, brand = self.client, self.brand
        await c.connect()
        overview = f"{brand.name} — overview"
        if self.account.is_admin:
            view = await self.view(c.open(step="sign-in"), "sign-in", expect="Overview",
                                   brand_page=False)
            await self._pause()
            view = await self.view(
                c.choose(view, "selectbox", "Brand", brand.name, step="admin: choose a brand"),
                "admin: choose a brand", expect=overview)
        else:
            view = await self.view(c.open(step="sign-in"), "sign-in", expect=overview)
        for spec in pages:
            if spec.url_path == "overview":
                continue
            await self._pause()
            view = await self.view(c.navigate(spec.title, step=spec.url_path), spec.url_path,
                                   expect=_heading_of(spec, brand),
                                   brand_page=not spec.admin_only)
            if spec.url_path == "factory":
                await self._pause()
                option = _option(view, "selectbox", "Factory", brand.sample[0])
                step = "factory: profile of an own factory"
                view = await self.view(c.choose(view, "selectbox", "Factory", option,
                                                step=step), step, expect=brand.sample[0])
            elif spec.url_path == "compare":
                chosen: list[str] = []
                for k, name in enumerate(brand.sample, start=1):
                    await self._pause(self.think() / 3)  # picking from a list: quicker
                    chosen.append(_option(view, "multiselect", "Factories", name))
                    step = f"compare: {k} own factor{'y' if k == 1 else 'ies'}"
                    view = await self.view(
                        c.choose(view, "multiselect", "Factories", list(chosen), step=step),
                        step, expect=COMPARE_READY if k >= 2 else "Compare factories")
        self.finished = True


class SessionFailed(RuntimeError):
    """A view showed an error or a foreign row: the session stops there (like a user would)."""


# ---- the import through one replica, seen on the other -----------------------------------------


#: the import check's views are named "import check: …" in the report
STEP = "import check:"


def facility_csv(run_id: str) -> bytes:
    return ("country,name,address,number_of_workers,tier,publicly_disclosed\n"
            f"Vietnam,Capacity Check Garments {run_id},\"1 Load Road, Ho Chi Minh City\","
            "1200,1,no\n").encode()


async def import_check(run: Run, brand: Brand, viewer: Account, admin: Account,
                       at_s: float) -> dict:
    """An administrator on replica 1 imports one new supplier for ``brand``; a user of that
    brand on replica 2, whose overview showed N active suppliers before, must see N + 1 on
    the very next view."""
    source, target = run.replicas[0], run.replicas[-1]
    think = random.Random(7).random
    watcher = Session(run, 10_000, viewer, brand, target, lambda: 0.0, "load")
    importer = Session(run, 10_001, admin, brand, source, lambda: 0.0, "load")
    result: dict = {"brand": brand.name, "import_replica": source.index,
                    "viewing_replica": target.index}
    try:
        await asyncio.sleep(at_s)
        c = watcher.client
        await c.connect()
        view = await watcher.view(c.open(step=f"{STEP} viewer signs in"),
                                  f"{STEP} viewer signs in",
                                  expect=f"{brand.name} — overview")
        before = view.metric("Active suppliers")
        result["active_suppliers_before"] = before
        a = importer.client
        await a.connect()
        view = await importer.view(a.open(step=f"{STEP} admin signs in"),
                                   f"{STEP} admin signs in", expect="Overview",
                                   brand_page=False)
        view = await importer.view(a.navigate("Import data", step=f"{STEP} page"),
                                   f"{STEP} page",
                                   expect="Import data", brand_page=False)
        view = await importer.view(
            a.choose(view, "selectbox", "What are you importing?", IMPORT_LABEL,
                     step=f"{STEP} kind"), f"{STEP} kind", expect="Import data",
            brand_page=False)
        view = await importer.view(
            a.choose(view, "selectbox", "For brand", brand.name, step=f"{STEP} brand"),
            f"{STEP} brand", expect="Import data", brand_page=False)
        name = f"capacity-{int(time.time())}.csv"
        view = await importer.view(
            a.upload(view, "File", name, facility_csv(str(int(time.time()))),
                     step=f"{STEP} upload"), f"{STEP} upload", expect="Import data",
            brand_page=False)
        view = await importer.view(
            a.choose(view, "checkbox", DRY_RUN_LABEL, False, step=f"{STEP} not a dry run"),
            f"{STEP} not a dry run", expect="Import data", brand_page=False)
        view = await importer.view(a.click(view, "Import file", step=f"{STEP} import"),
                                   f"{STEP} import", expect="Import data", brand_page=False)
        result["import_message"] = (view.alerts("success") or view.alerts("error") or [""])[0]
        result["imported_at_s"] = round(time.monotonic() - run.started, 1)
        await asyncio.sleep(1 + think())
        view = await watcher.view(c.navigate("Overview", step=f"{STEP} viewer's next view"),
                                  f"{STEP} viewer's next view",
                                  expect=f"{brand.name} — overview")
        after = view.metric("Active suppliers")
        result["active_suppliers_next_view"] = after
        result["visible_on_next_view"] = (
            before is not None and after is not None
            and int(after.replace(",", "")) == int(before.replace(",", "")) + 1)
    except Exception as exc:  # noqa: BLE001 - a failed check is reported, not raised
        result["error"] = f"{type(exc).__name__}: {str(exc)[:300]}"
        if not isinstance(exc, SessionFailed):
            run.failures.append(f"import check: {result['error']}")
        result["visible_on_next_view"] = False
    finally:
        await watcher.client.close()
        await importer.client.close()
    return result


# ---- the phases ---------------------------------------------------------------------------------


def pages_for(account: Account) -> list[Spec]:
    return [s for s in page_specs() if account.is_admin or not s.admin_only]


def brand_of(world: World, account: Account, number: int) -> Brand:
    """A brand user's own brand; an administrator looks at the brands in turn."""
    if account.brand_code:
        return world.brands[account.brand_code]
    codes = sorted(world.brands)
    return world.brands[codes[number % len(codes)]]


def load_plan(world: World, sessions: int) -> list[tuple[Account, Brand]]:
    """Who session ``i`` of the load phase is, and which brand it looks at."""
    accounts = world.accounts
    return [(accounts[i % len(accounts)], brand_of(world, accounts[i % len(accounts)], i))
            for i in range(sessions)]


def probe_plan(world: World, sessions: int) -> list[tuple[str, Account, Brand]]:
    """The probe's serial visits: **cold**, every (account, brand) the load phase will use —
    so that the load phase starts with the caches it needs and its memory growth is the
    sessions' own; **warm**, again for the largest, a middle and the smallest brand and one
    administrator."""
    combos = list(dict.fromkeys(load_plan(world, sessions)))
    users = sorted((c for c in combos if not c[0].is_admin), key=lambda c: len(c[1].factories))
    warm = [users[-1], users[len(users) // 2], users[0]] if users else []
    warm += [c for c in combos if c[0].is_admin][:1]
    return [("probe-cold", *c) for c in combos] + [("probe-warm", *c)
                                                   for c in dict.fromkeys(warm)]


async def _probe(run: Run, sessions: int) -> None:
    """Serial visits (``probe_plan``), one at a time with no think time: each view's server
    CPU time is its own. Cold visits go to every replica (each has its own caches), warm ones
    to the first."""
    visits = [(phase, account, brand, replica)
              for phase, account, brand in probe_plan(run.world, sessions)
              for replica in (run.replicas if phase == "probe-cold" else run.replicas[:1])]
    for phase, account, brand, replica in visits:
        session = Session(run, -1, account, brand, replica, lambda: 0.0, phase)
        try:
            await session.visit(pages_for(account))
        except SessionFailed:
            pass  # recorded with its view
        except Exception as exc:  # noqa: BLE001 - every failure is counted, none hidden
            run.failures.append(f"probe {account.username}: {type(exc).__name__}: "
                                f"{str(exc)[:300]}")
        finally:
            await session.client.close()


async def _load(run: Run, sessions: int, ramp_s: float, think_s: tuple[float, float],
                seed: int, with_import: bool) -> dict:
    accounts = run.world.accounts
    run.all_done = asyncio.Event()
    run.pending = sessions
    done: list[Session] = []

    plan = load_plan(run.world, sessions)

    async def one(number: int) -> None:
        account, brand = plan[number]
        replica = run.replicas[number % len(run.replicas)]
        rng = random.Random(seed * 1000 + number)
        session = Session(run, number, account, brand, replica,
                          lambda: rng.uniform(*think_s), "load")
        run.clients.append(session.client)
        await asyncio.sleep(number * ramp_s / max(sessions, 1))
        try:
            await session.visit(pages_for(account))
            done.append(session)
        except SessionFailed:
            pass  # recorded with its view
        except Exception as exc:  # noqa: BLE001 - every failure is counted, none hidden
            run.failures.append(f"session {number} ({account.username} on replica "
                                f"{replica.index}) after {len(session.views)} views: "
                                f"{type(exc).__name__}: {str(exc)[:300]}")
        finally:
            run.pending -= 1
            if run.pending <= 0:
                run.all_done.set()
        await run.all_done.wait()  # stay connected until every session has finished

    tasks = [asyncio.create_task(one(i)) for i in range(sessions)]
    import_task = None
    if with_import:
        brand = min((b for b in run.world.brands.values() if len(b.sample) == 3),
                    key=lambda b: len(b.factories))
        viewer = next(a for a in accounts if a.brand_code == brand.code)
        admin = next(a for a in accounts if a.is_admin)
        import_task = asyncio.create_task(import_check(run, brand, viewer, admin,
                                                       at_s=ramp_s * 0.75))
    await asyncio.gather(*tasks)
    import_result = await import_task if import_task else None
    # every session is still connected: the memory of N open sessions
    for replica in run.replicas:
        replica.rss["all_sessions_open"] = replica.rss_mib()
    open_at_end = sum(1 for c in run.clients if c.connected)
    run.most_open = max(run.most_open, open_at_end)
    for client in run.clients:
        await client.close()
    if done:
        _self_check(run, done)
    return {"import_check": import_result, "sessions_completed": len(done),
            "open_at_end": open_at_end}


def _self_check(run: Run, sessions: list[Session]) -> None:
    """Show that the foreign-row search finds names when there are some: a brand user's
    supplier directory, searched for the names another brand must not see."""
    for session in sessions:
        if session.account.is_admin:
            continue
        view = next((v for v in session.views if v.step == "suppliers"), None)
        other = next(c for c in run.world.brands if c != session.brand.code)
        if view is None:
            continue
        found = run.checker(other, admin=False).foreign_names(view)
        run.self_check.update({"view": f"{session.brand.code}: suppliers",
                               "searched_as": other, "names_found": len(found)})
        return


async def _sample(run: Run, stop: asyncio.Event) -> None:
    while not stop.is_set():
        for replica in run.replicas:
            replica.peak_kib = max(replica.peak_kib, rss_kib(replica.pid))
        run.most_open = max(run.most_open, sum(1 for c in run.clients if c.connected))
        run.cpu_samples.append((time.monotonic() - run.started,
                                sum(r.cpu() for r in run.replicas)))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.25)


async def _warm_up(replica: Replica, timeout_s: float) -> float:
    """The first page load on a server: the sign-in form (the process imports the app)."""
    client = StreamlitClient(replica.url, timeout_s=timeout_s)
    try:
        await client.connect()
        view = await client.open(step="warm-up")
        if view.widget("text_input", "Username") is None:
            raise RuntimeError(f"replica {replica.index}: no sign-in form on the first page "
                               f"({view.status}; {view.headings()}; {view.exceptions()})")
        return view.seconds
    finally:
        await client.close()


async def _drive(run: Run, args: argparse.Namespace) -> dict:
    out: dict = {}
    out["warm_up_s"] = [round(await _warm_up(r, run.timeout_s), 2) for r in run.replicas]
    for replica in run.replicas:
        replica.rss["after_warm_up"] = replica.rss_mib()
    if args.probe:
        cpu_idle = [r.cpu() for r in run.replicas]
        await asyncio.sleep(3)
        out["idle_cpu_s_per_s"] = round(
            sum(r.cpu() - c for r, c in zip(run.replicas, cpu_idle, strict=True)) / 3, 4)
        await _probe(run, args.sessions)
    for replica in run.replicas:
        replica.rss["before_load"] = replica.rss_mib()
    stop = asyncio.Event()
    sampler = asyncio.create_task(_sample(run, stop))
    cpu_before = [r.cpu() for r in run.replicas]
    db_before = run.database_cpu() if run.database_cpu else None
    driver_before = time.process_time()
    run.started = time.monotonic()
    out.update(await _load(run, args.sessions, args.ramp, tuple(args.think), args.seed,
                           args.replicas > 1 and not args.no_import))
    out["load_wall_s"] = round(time.monotonic() - run.started, 1)
    out["load_server_cpu_s"] = round(sum(r.cpu() - c for r, c in
                                         zip(run.replicas, cpu_before, strict=True)), 1)
    out["driver_cpu_s"] = round(time.process_time() - driver_before, 1)
    out["database_cpu_s"] = (None if db_before is None
                             else round(run.database_cpu() - db_before, 1))
    await asyncio.sleep(args.settle)  # closed sessions: what memory the server gives back
    stop.set()
    await sampler
    for replica in run.replicas:
        replica.rss["peak"] = replica.peak_kib / 1024
        replica.rss["after_sessions_closed"] = replica.rss_mib()
    return out


# ---- the report ---------------------------------------------------------------------------------


def _stats(values: list[float]) -> dict:
    if not values:
        return {"count": 0}
    return {"count": len(values), "p50_s": round(percentile(values, 50), 3),
            "p95_s": round(percentile(values, 95), 3), "p99_s": round(percentile(values, 99), 3),
            "max_s": round(max(values), 3), "mean_s": round(statistics.fmean(values), 3)}


def _cpu_between(samples: list[tuple[float, float]], start: float, end: float) -> float | None:
    inside = [cpu for at, cpu in samples if start <= at <= end]
    return round(inside[-1] - inside[0], 1) if len(inside) > 1 else None


def _timeline(records: list[ViewRecord], samples: list[tuple[float, float]],
              window_s: float = 10.0) -> list[dict]:
    """Per ``window_s`` of the load phase: the views that ended in it (how many, how fast)
    and the servers' CPU time in it."""
    out = []
    end = max((r.at_s for r in records), default=0.0)
    start = 0.0
    while start <= end:
        inside = [r.seconds for r in records if start <= r.at_s < start + window_s]
        if inside:
            out.append({"from_s": start, "views": len(inside),
                        "p50_s": round(percentile(inside, 50), 2),
                        "p95_s": round(percentile(inside, 95), 2),
                        "server_cpu_s": _cpu_between(samples, start, start + window_s)})
        start += window_s
    return out


def _cpu_stats(records: list[ViewRecord]) -> dict:
    values = [r.cpu_s for r in records if r.cpu_s is not None]
    if not values:
        return {"count": 0}
    db = [r.db_cpu_s for r in records if r.db_cpu_s is not None]
    return {"count": len(values), "mean_cpu_s": round(statistics.fmean(values), 3),
            "median_cpu_s": round(statistics.median(values), 3),
            "max_cpu_s": round(max(values), 3),
            "database_mean_cpu_s": round(statistics.fmean(db), 3) if db else None,
            "response_p50_s": round(percentile([r.seconds for r in records], 50), 3)}


def report(run: Run, drive: dict, args: argparse.Namespace, calibration: dict,
           dataset: dict, load_before: float) -> dict:
    load = [r for r in run.records if r.phase == "load"]
    steps = sorted({r.step for r in load}, key=lambda s: min(r.at_s for r in load
                                                              if r.step == s))
    errors = [f"session {r.session} ({r.user}, replica {r.replica}) {r.step}: {e}"
              for r in run.records for e in r.errors]
    errors += run.failures
    foreign = [f"session {r.session} ({r.user}) {r.step}: {r.foreign}" for r in run.records
               if r.foreign]
    probe = {phase: {step: _cpu_stats([r for r in run.records if r.phase == phase
                                       and r.step == step])
                     for step in dict.fromkeys(r.step for r in run.records if r.phase == phase)}
             for phase in ("probe-cold", "probe-warm")}
    probe_all = {phase: _cpu_stats([r for r in run.records if r.phase == phase])
                 for phase in ("probe-cold", "probe-warm")}
    replicas = {f"replica {r.index}": {"pid": r.pid,
                                      "rss_mib": {k: round(v, 1) for k, v in r.rss.items()}}
                for r in run.replicas}
    growth = sum(r.rss["all_sessions_open"] - r.rss["before_load"] for r in run.replicas)
    per_session = growth / max(args.sessions, 1)
    views = len(load)
    all_stats = _stats([r.seconds for r in load])
    import_result = drive.get("import_check")
    if import_result and import_result.get("imported_at_s") is not None:
        # the import changed the data version: every cached read of every session misses
        cut = import_result["imported_at_s"]
        others = [r for r in load if not r.step.startswith(STEP)]
        import_result["views_before_import"] = _stats([r.seconds for r in others
                                                       if r.at_s < cut])
        import_result["views_after_import"] = _stats([r.seconds for r in others
                                                      if r.at_s >= cut])
    out = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": "python -m tests.load.capacity " + " ".join(sys.argv[1:]),
        "calibration": calibration,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform(),
                    "load_average_before_after": [load_before, load_average()]},
        "dataset": dataset,
        "config": {"backend": args.backend, "replicas": args.replicas,
                   "sessions": args.sessions, "ramp_s": args.ramp, "think_s": args.think,
                   "seed": args.seed, "probe": args.probe, "timeout_s": args.timeout,
                   "accounts": len(run.world.accounts),
                   "brands": sorted({r.brand for r in load})},
        "sessions": args.sessions,
        "sessions_completed": drive["sessions_completed"],
        "most_sessions_open_at_once": run.most_open,
        "sessions_open_at_end": drive["open_at_end"],
        "page_views": views,
        "error_count": len(errors),
        "errors": errors[:50],
        "foreign_row_count": len(foreign),
        "foreign_rows": foreign[:50],
        "detector_self_check": run.self_check,
        "timeline": _timeline(load, run.cpu_samples),
        "response_time": {"all_views": all_stats,
                          "per_step": {s: _stats([r.seconds for r in load if r.step == s])
                                       for s in steps}},
        "load_phase": {
            "wall_s": drive["load_wall_s"], "server_cpu_s": drive["load_server_cpu_s"],
            "server_cpu_s_per_view": round(drive["load_server_cpu_s"] / max(views, 1), 4),
            "database_cpu_s": drive.get("database_cpu_s"),
            "database_cpu_s_per_view": (None if drive.get("database_cpu_s") is None
                                        else round(drive["database_cpu_s"] / max(views, 1), 4)),
            "cold_views": sum(r.cold for r in load),
            "driver_cpu_s": drive["driver_cpu_s"],
            "driver_cpu_ms_per_view": round(1000 * drive["driver_cpu_s"] / max(views, 1), 1),
            "views_per_s": round(views / max(drive["load_wall_s"], 0.1), 2)},
        "probe": {"all_views": probe_all, "per_step": probe,
                  "idle_server_cpu_s_per_s": drive.get("idle_cpu_s_per_s")},
        "warm_up_s": drive["warm_up_s"],
        "server": replicas,
        "rss_growth_mib": {"all_replicas": round(growth, 1),
                           "per_session": round(per_session, 2),
                           "per_50_sessions": round(per_session * 50, 1)},
        "import_check": import_result,
    }
    targets = [
        ("concurrent sessions", run.most_open, TARGETS["sessions"], True),
        ("errors (incl. foreign rows)", len(errors) + len(foreign), TARGETS["errors"], False),
        ("p95 server response (s), all views", all_stats.get("p95_s"), TARGETS["p95_s"],
         False),
        ("RSS growth per 50 sessions (MiB)", out["rss_growth_mib"]["per_50_sessions"],
         TARGETS["rss_mib_per_50_sessions"], False),
    ]
    out["targets"] = [{"target": name, "limit": limit, "measured": value,
                       "met": None if value is None else (value >= limit if higher
                                                          else value <= limit)}
                      for name, value, limit, higher in targets]
    if import_result is not None:
        out["targets"].append({"target": "import via one replica visible on the other on "
                                         "the next view", "limit": True,
                               "measured": import_result.get("visible_on_next_view"),
                               "met": bool(import_result.get("visible_on_next_view"))})
    return out


def print_summary(result: dict) -> None:
    print(describe(result["calibration"]))
    cfg = result["config"]
    print(f"{cfg['backend']}, {cfg['replicas']} replica(s): {result['sessions_completed']}/"
          f"{result['sessions']} sessions completed, {result['most_sessions_open_at_once']} "
          f"open at once, {result['page_views']} views in {result['load_phase']['wall_s']} s; "
          f"{result['error_count']} errors, {result['foreign_row_count']} foreign rows")
    print(f"{'step':<38}{'n':>5}{'p50':>8}{'p95':>8}{'p99':>8}{'max':>8}")
    rows = {"all views": result["response_time"]["all_views"],
            **result["response_time"]["per_step"]}
    for step, s in rows.items():
        if s.get("count"):
            print(f"{step[:37]:<38}{s['count']:>5}{s['p50_s']:>8.3f}{s['p95_s']:>8.3f}"
                  f"{s['p99_s']:>8.3f}{s['max_s']:>8.3f}")
    lp = result["load_phase"]
    database = ("" if lp["database_cpu_s_per_view"] is None
                else f"; database CPU {lp['database_cpu_s_per_view']} s per view")
    print(f"server CPU {lp['server_cpu_s']} s = {lp['server_cpu_s_per_view']} s per view "
          f"({lp['cold_views']} cold views){database}; driver CPU "
          f"{lp['driver_cpu_ms_per_view']} ms per view")
    for phase, s in result["probe"]["all_views"].items():
        if s.get("count"):
            print(f"{phase}: {s['count']} views, server CPU per view mean {s['mean_cpu_s']} s"
                  f", median {s['median_cpu_s']} s")
    for name, replica in result["server"].items():
        print(f"{name} RSS MiB: {replica['rss_mib']}")
    print(f"RSS growth: {result['rss_growth_mib']}")
    if result["import_check"] is not None:
        print(f"import check: {result['import_check']}")
    for t in result["targets"]:
        verdict = {True: "met", False: "MISSED", None: "not measured"}[t["met"]]
        print(f"  {t['target']:<52} {t['measured']} vs {t['limit']}: {verdict}")
    for line in result["errors"][:10] + result["foreign_rows"][:10]:
        print(f"  ! {line}")


def run_capacity(args: argparse.Namespace) -> dict:
    """One run (see the module docstring); returns the report."""
    load_before = load_average()
    calibration = calibrate(args.calibrate_repeat)
    print(describe(calibration), flush=True)
    workdir = Path(tempfile.mkdtemp(prefix="capacity-"))
    pg_server = None
    if args.database:
        url = args.database
    else:
        url, pg_server = make_database(workdir, args.backend, args.size)
    engine = create_db_engine(url)
    servers: list[StreamlitServer] = []
    try:
        brands = read_world(engine)
        accounts = write_users_file(workdir / "users.yaml", brands)
        env = {"DASHBOARD_COOKIE_KEY": secrets.token_urlsafe(48),
               "DASHBOARD_USERS_FILE": str(workdir / "users.yaml"), "DASHBOARD_DEMO": "true"}
        settings = load_settings({}, {**env, "DASHBOARD_DATABASE_URL": url})
        for _ in range(args.replicas):
            servers.append(StreamlitServer(url, env))
        replicas = [Replica(i + 1, s) for i, s in enumerate(servers)]
        run = Run(World(brands, accounts), settings, engine, replicas, args.timeout)
        if pg_server is not None:
            run.database_cpu = postgres_cpu(pg_server)
        drive = asyncio.run(_drive(run, args))
        dataset = {"backend": args.backend, "size": args.size if not args.database else None,
                   "brands": len(brands),
                   "factories": len(set().union(*(b.factories for b in brands.values())))}
        return report(run, drive, args, calibration, dataset, load_before)
    finally:
        for server in servers:
            server.stop()
        engine.dispose()
        if pg_server is not None:
            pg_server.cleanup()
        shutil.rmtree(workdir, ignore_errors=True)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m tests.load.capacity", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sessions", type=int, default=50)
    p.add_argument("--replicas", type=int, default=1, help="app processes on one database")
    p.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    p.add_argument("--database", help="a database URL holding the demo data (default: a new "
                   "one: a SQLite file, or a throwaway PostgreSQL server)")
    p.add_argument("--size", default="demo", help="demo dataset size (default demo)")
    p.add_argument("--ramp", type=float, default=30.0,
                   help="seconds over which the sessions arrive (default 30)")
    p.add_argument("--think", type=float, nargs=2, default=[2.0, 8.0], metavar=("MIN", "MAX"),
                   help="think time between views, seconds (default 2 8)")
    p.add_argument("--seed", type=int, default=17)
    p.add_argument("--timeout", type=float, default=60.0,
                   help="seconds a view may take before it counts as an error (default 60)")
    p.add_argument("--no-probe", dest="probe", action="store_false",
                   help="skip the serial cold/warm CPU probe")
    p.add_argument("--settle", type=float, default=5.0, help="seconds to wait after the "
                   "sessions closed before reading the servers' memory (default 5)")
    p.add_argument("--calibrate-repeat", type=int, default=3,
                   help="repetitions of the calibration workload (default 3; fastest counts)")
    p.add_argument("--no-import", action="store_true",
                   help="with replicas: skip the import through one replica")
    p.add_argument("--out", help="JSON file, or - for stdout only (default "
                   "docs/results/capacity-<backend>-<replicas>x.json)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.backend == "postgresql" and args.database and "postgresql" not in args.database:
        print("--database must be a PostgreSQL URL with --backend postgresql", file=sys.stderr)
        return 2
    result = run_capacity(args)
    body = json.dumps(result, indent=1, ensure_ascii=False) + "\n"
    out = args.out or str(RESULTS_DIR / f"capacity-{args.backend}-{args.replicas}x.json")
    if out != "-":
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(body)
        print(f"wrote {out}")
    print_summary(result)
    return 0 if result["error_count"] == 0 and result["foreign_row_count"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
