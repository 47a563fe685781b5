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
from sqlalchemy.exc import OperationalError

from data_access import accounts, sessions
from data_access.db import describe_db_error, prepare_database
from data_access.errors import DatabaseUnavailable
from data_access.settings import DEMO_USERS_FILE, ConfigurationError, Settings, load_settings
from data_access.startup import open_database
from demo import prepare_demo_database

# the refreshes after every import (data_access.summaries.after_data_change) register on import:
# the stored purchasing benchmark, every brand's stored analyses
from services import analysis as _analysis  # noqa: F401
from services import stored as _stored  # noqa: F401

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


@st.cache_resource(show_spinner="Preparing the database (first start creates the demo data)…")
def get_engine() -> Engine:
    """The shared engine, with migrations applied, demo data (demo mode) and accounts provisioned.

    The start-up steps and refusals are ``data_access.startup.open_database`` (shared with the
    HTTP API). An exception is not cached, so a database that was down at start is retried on
    the next run.
    """
    settings = get_settings()
    opened = open_database(settings, (lambda system: prepare_demo_database(
        system, size=settings.demo_size)) if settings.demo_mode else prepare_database)
    engine = opened.engine
    STARTUP_WARNINGS.clear()
    STARTUP_WARNINGS.extend(opened.warnings)
    try:
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
        opened.dispose()
        raise DatabaseUnavailable(describe_db_error(engine, exc)) from exc
    except Exception:
        opened.dispose()
        raise
    return engine
