"""Alembic environment: uses the engine handed over by data_access.db, or the configured URL."""

from __future__ import annotations

import os

from alembic import context

from data_access.schema import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    """``alembic -x url=…``, else ``DASHBOARD_DATABASE_URL`` as it is (migrations run with the
    owner role, which needs no cookie key or users file), else the app's settings."""
    given = context.get_x_argument(as_dictionary=True).get("url") or os.environ.get(
        "DASHBOARD_DATABASE_URL")
    if given:
        return given
    from data_access.settings import load_settings

    return load_settings().database_url


def _engine():
    engine = config.attributes.get("engine")
    if engine is not None:
        return engine
    from data_access.db import create_db_engine

    return create_db_engine(_url())


def run_migrations_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = _engine()
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
