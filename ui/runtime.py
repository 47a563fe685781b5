"""Process-wide resources: settings and the database engines (``st.cache_resource``).

Start-up refuses, with a message that says what to do (outside demo mode):

* unsafe settings (``data_access.settings``: cookie key, users file);
* a database whose reading role escapes row-level security — superuser, BYPASSRLS, owner of
  the tables, allowed the system scope beside a separate system role
  (``data_access.scope.check_database_roles``); a single role for both is a warning;
* a database that holds the generated demo dataset (fictional, published brands and users).

Then the users file is applied (``data_access.accounts.provision_users``): accounts not in it
are disabled, and demo accounts are disabled outside demo mode.
"""

from __future__ import annotations

import logging
from typing import Any

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError, ProgrammingError

from data_access import accounts, sessions
from data_access.dataset import holds_demo_data
from data_access.db import create_db_engine, describe_db_error, prepare_database
from data_access.errors import DatabaseUnavailable
from data_access.scope import check_database_roles, use_system_engine
from data_access.settings import DEMO_USERS_FILE, ConfigurationError, Settings, load_settings
from demo import prepare_demo_database

log = logging.getLogger(__name__)

#: what the start-up check found that administrators should see (not a reason to refuse)
STARTUP_WARNINGS: list[str] = []


def _secrets_mapping() -> dict[str, Any]:
    """``.streamlit/secrets.toml`` as a plain dict; empty when there is no secrets file."""
    try:
        return {key: st.secrets[key] for key in st.secrets}
    except Exception:  # noqa: BLE001 - Streamlit raises several types when no file exists
        return {}


@st.cache_resource(show_spinner=False)
def get_settings() -> Settings:
    """Resolved once per process. Raises :class:`ConfigurationError` (not cached) if unsafe."""
    return load_settings(_secrets_mapping())


def _check_roles(engine: Engine, settings: Settings) -> None:
    report = check_database_roles(engine)
    STARTUP_WARNINGS.clear()
    if report.problems and not settings.demo_mode:
        raise ConfigurationError(
            "The dashboard is not in demo mode and refuses to start: "
            + "; ".join(report.problems)
            + ". The deployment guide lists the database roles and grants to use.")
    for message in report.problems + report.warnings:
        log.warning("Database roles: %s", message)
        STARTUP_WARNINGS.append(message[0].upper() + message[1:] + ".")


@st.cache_resource(show_spinner="Preparing the database (first start creates the demo data)…")
def get_engine() -> Engine:
    """The shared engine, with migrations applied, demo data (demo mode) and accounts provisioned.

    An exception is not cached, so a database that was down at start is retried on the next run.
    """
    settings = get_settings()
    engine = create_db_engine(settings.database_url)
    system = engine
    if settings.system_database_url:
        system = create_db_engine(settings.system_database_url)
        use_system_engine(engine, system)
    try:
        try:
            if settings.demo_mode:
                prepare_demo_database(system, size=settings.demo_size)
            else:
                prepare_database(system)
        except ProgrammingError as exc:
            raise ConfigurationError(
                "The database schema could not be brought up to date with the app's database "
                "role (" + str(exc.orig).strip().splitlines()[0][:160] + "). Apply the "
                "migrations with the owner role first (alembic upgrade head: see the "
                "deployment guide).") from exc
        _check_roles(engine, settings)
        if not settings.demo_mode and holds_demo_data(engine):
            raise ConfigurationError(
                "The dashboard is not in demo mode and refuses to start: this database holds "
                "the generated demo dataset, whose brands and sign-in passwords are public. "
                "Use a new, empty database for real data, or set DASHBOARD_DEMO=true.")
        try:
            users = accounts.read_users_file(settings.users_file)
        except accounts.UsersFileError as exc:
            raise ConfigurationError(str(exc)) from exc
        source = "demo" if (settings.demo_mode and settings.users_file.resolve()
                            == DEMO_USERS_FILE.resolve()) else "users_file"
        report = accounts.provision_users(engine, users, demo_mode=settings.demo_mode,
                                          source=source)
        for kind in ("added", "updated", "enabled", "disabled"):
            if report[kind]:
                log.info("Accounts %s from the users file: %s", kind, ", ".join(report[kind]))
        for problem in report["skipped"]:
            log.warning("Account not provisioned: %s", problem)
        sessions.purge_sessions(engine)
    except OperationalError as exc:
        engine.dispose()
        raise DatabaseUnavailable(describe_db_error(engine, exc)) from exc
    except Exception:
        engine.dispose()
        if system is not engine:
            system.dispose()
        raise
    return engine
