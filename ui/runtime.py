"""Process-wide resources: settings and the database engine (``st.cache_resource``)."""

from __future__ import annotations

import logging
from typing import Any

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from data_access import accounts
from data_access.db import create_db_engine, describe_db_error, prepare_database
from data_access.errors import DatabaseUnavailable
from data_access.settings import ConfigurationError, Settings, load_settings
from demo import prepare_demo_database

log = logging.getLogger(__name__)


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

    An exception is not cached, so a database that was down at start is retried on the next run.
    """
    settings = get_settings()
    engine = create_db_engine(settings.database_url)
    try:
        if settings.demo_mode:
            prepare_demo_database(engine, size=settings.demo_size)
        else:
            prepare_database(engine)
        try:
            users = accounts.read_users_file(settings.users_file)
        except accounts.UsersFileError as exc:
            raise ConfigurationError(str(exc)) from exc
        report = accounts.provision_users(engine, users)
        if report["added"]:
            log.info("Provisioned accounts: %s", ", ".join(report["added"]))
        for problem in report["skipped"]:
            log.warning("Account not provisioned: %s", problem)
    except OperationalError as exc:
        engine.dispose()
        raise DatabaseUnavailable(describe_db_error(engine, exc)) from exc
    except Exception:
        engine.dispose()
        raise
    return engine
