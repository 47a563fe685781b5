"""Import every module the app needs, once, before any session's script touches them.

Streamlit runs each session's script in a thread of its own. On a freshly started server the
first scripts of several sessions run at the same time, and each one imports SQLAlchemy,
pandas, Altair… for the first time. SQLAlchemy's modules import each other in cycles; two
threads entering such a cycle from different ends make Python hand one of them a partially
initialised module ("cannot import name … (most likely due to a circular import)"), and the
failed import leaves the process broken for every later session (found by the load test:
``test_sessions_opening_a_freshly_started_server_at_once_get_the_sign_in_form``).

``app.py`` imports this module before anything else. Python holds a module's import lock
while it runs, so the first session imports everything here and the others wait for it,
holding no other import lock — no cycle between threads, no partial module. After that every
import is a dictionary lookup.
"""

from __future__ import annotations

import importlib
import pkgutil

# third-party libraries first, in dependency order (pandas' SQL and Arrow paths are lazy)
import altair  # noqa: F401
import numpy  # noqa: F401
import pandas
import pandas.io.sql  # noqa: F401
import pyarrow  # noqa: F401
import pydeck  # noqa: F401
import sqlalchemy
import sqlalchemy.orm  # noqa: F401
import streamlit_authenticator  # noqa: F401
import yaml  # noqa: F401
from alembic import command  # noqa: F401
from alembic.config import Config  # noqa: F401

#: the project's own packages: every module in them (the command-line entry points aside)
PACKAGES = ("data_access", "metrics", "ui")
SKIP = {"__main__", "preload"}


def _import_project_modules() -> list[str]:
    loaded = []
    for name in PACKAGES:
        package = importlib.import_module(name)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{name}."):
            if info.name.rsplit(".", 1)[-1] in SKIP or ".migrations" in info.name:
                continue
            importlib.import_module(info.name)
            loaded.append(info.name)
    return loaded


#: what was imported (for the test that checks this module covers the project)
LOADED = _import_project_modules()
