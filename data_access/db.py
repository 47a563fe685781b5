"""Engine creation, schema migration and first-start bootstrap.

The database is chosen by one setting (``database_url``): an embedded SQLite file by default,
PostgreSQL (psycopg 3) by a ``postgresql+psycopg://`` URL. The same code runs on both.
"""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, func, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from data_access.errors import DatabaseUnavailable
from data_access.framework import seed_framework, sync_framework
from data_access.schema import Brand

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def masked_url(url: str) -> str:
    """The URL with any password hidden, safe for logs and the admin page."""
    return make_url(url).render_as_string(hide_password=True)


def create_db_engine(url: str, *, echo: bool = False) -> Engine:
    """Create the engine for ``url``; SQLite files get their folder, WAL and foreign keys."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30}
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_engine(
        url,
        echo=echo,
        pool_pre_ping=True,  # replaces connections the server dropped while idle
        pool_size=5,
        max_overflow=10,
        # no JIT compilation: the pages' queries are short, but at registry scale the planner's
        # estimates pass jit_above_cost and compiling took 0.5–3 s of a cold page (issue 17)
        connect_args={"connect_timeout": 5, "options": "-c jit=off"},
    )


def alembic_config(engine: Engine | None = None) -> Config:
    """An Alembic config pointing at our migrations (no alembic.ini needed)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def upgrade_schema(engine: Engine) -> None:
    """Apply every pending Alembic migration (idempotent)."""
    command.upgrade(alembic_config(engine), "head")


def is_empty(engine: Engine) -> bool:
    """True when the database holds no brand yet (a fresh install)."""
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Brand)).scalar_one() == 0


def prepare_database(engine: Engine) -> None:
    """Migrate the schema and load the assessment framework if missing.

    Demo data is not data access: ``demo.prepare_demo_database`` calls this, then fills an
    empty database.

    Raises:
        DatabaseUnavailable: when the server cannot be reached.
    """
    try:
        upgrade_schema(engine)
        with engine.begin() as conn:  # reference data every installation needs
            if not seed_framework(conn):
                sync_framework(conn)
    except OperationalError as exc:
        raise DatabaseUnavailable(describe_db_error(engine, exc)) from exc


#: what "the database is not available" looks like to a caller: a driver error raised by a
#: read, or our own :class:`DatabaseUnavailable` (already worded for users)
DATABASE_DOWN_ERRORS = (OperationalError, DatabaseUnavailable)


def describe_db_error(engine: Engine, exc: BaseException) -> str:
    """A message for users: which database, what went wrong, without the password."""
    if isinstance(exc, DatabaseUnavailable):
        return str(exc)
    reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0][:200]
    return f"The database at {masked_url(str(engine.url))} cannot be reached ({reason})."


def is_connection_error(exc: BaseException) -> bool:
    """Errors that mean "the database is down or the connection dropped"."""
    if isinstance(exc, OperationalError):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


def table_names(engine: Engine) -> list[str]:
    return sorted(inspect(engine).get_table_names())
