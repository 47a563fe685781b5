"""Opening the database at the start of a process: the same steps and refusals for the app
(``ui/runtime.py``) and the HTTP API (``api/runtime.py``).

1. the reading engine on ``database_url`` and, when configured, the system engine on
   ``system_database_url`` (``data_access.scope.use_system_engine``);
2. ``prepare`` — migrations and reference data (``data_access.db.prepare_database``), or in
   demo mode ``demo.prepare_demo_database``, passed in by the caller (``data_access`` does not
   know the demo generator);
3. the database roles (``data_access.scope.check_database_roles``): a problem refuses the start
   outside demo mode, warnings are returned;
4. outside demo mode, a database that holds the generated demo dataset is refused.

Refusals raise :class:`ConfigurationError` with a message that says what to do; a database
that cannot be reached raises :class:`DatabaseUnavailable`. The engines are disposed of on any
failure.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError, ProgrammingError

from data_access.dataset import holds_demo_data
from data_access.db import create_db_engine, describe_db_error
from data_access.errors import DatabaseUnavailable
from data_access.scope import check_database_roles, use_system_engine
from data_access.settings import ConfigurationError, Settings

log = logging.getLogger(__name__)


@dataclass
class OpenDatabase:
    engine: Engine
    system: Engine
    #: what the role check found that administrators should see (not a reason to refuse)
    warnings: list[str] = field(default_factory=list)

    def dispose(self) -> None:
        self.engine.dispose()
        if self.system is not self.engine:
            self.system.dispose()


def role_warnings(engine: Engine, settings: Settings) -> list[str]:
    """The database-role check: raises outside demo mode on a problem, returns the warnings
    (problems too, in demo mode) as sentences."""
    report = check_database_roles(engine)
    if report.problems and not settings.demo_mode:
        raise ConfigurationError(
            "The dashboard is not in demo mode and refuses to start: "
            + "; ".join(report.problems)
            + ". The deployment guide lists the database roles and grants to use.")
    found = []
    for message in report.problems + report.warnings:
        log.warning("Database roles: %s", message)
        found.append(message[0].upper() + message[1:] + ".")
    return found


def open_database(settings: Settings, prepare: Callable[[Engine], object]) -> OpenDatabase:
    """Steps 1–4 of the module docstring; ``prepare`` runs on the system engine."""
    engine = create_db_engine(settings.database_url)
    system = engine
    if settings.system_database_url:
        system = create_db_engine(settings.system_database_url)
        use_system_engine(engine, system)
    opened = OpenDatabase(engine, system)
    try:
        try:
            prepare(system)
        except ProgrammingError as exc:
            raise ConfigurationError(
                "The database schema could not be brought up to date with the app's database "
                "role (" + str(exc.orig).strip().splitlines()[0][:160] + "). Apply the "
                "migrations with the owner role first (alembic upgrade head: see the "
                "deployment guide).") from exc
        opened.warnings = role_warnings(engine, settings)
        if not settings.demo_mode and holds_demo_data(engine):
            raise ConfigurationError(
                "The dashboard is not in demo mode and refuses to start: this database holds "
                "the generated demo dataset, whose brands and sign-in passwords are public. "
                "Use a new, empty database for real data, or set DASHBOARD_DEMO=true.")
    except OperationalError as exc:
        opened.dispose()
        raise DatabaseUnavailable(describe_db_error(engine, exc)) from exc
    except Exception:
        opened.dispose()
        raise
    return opened
