"""A signed-in user's own preferences, stored on their account row: the interface language.

Only the user themselves reads or writes these: every function takes the signed-in
:class:`~data_access.viewer.Viewer` and touches that username's row only (an administrator
acting for a brand is still themselves). Account rows are system data (``data_access.scope``).
"""

from __future__ import annotations

import re

from sqlalchemy import Engine, select, update

from data_access.schema import AppUser
from data_access.scope import system_connection
from data_access.viewer import Viewer

#: a language tag as the interface stores it: ``en``, ``es``, ``fr``, ``pt_BR``…
_LOCALE = re.compile(r"^[a-z]{2,3}(?:_[A-Z][A-Za-z0-9]{1,7})?$")


def own_locale(engine: Engine, viewer: Viewer) -> str | None:
    """The interface language the user chose, or None (never chose: the browser's applies)."""
    with system_connection(engine) as conn:
        return conn.execute(select(AppUser.locale)
                            .where(AppUser.username == viewer.username)).scalar_one_or_none()


def set_own_locale(engine: Engine, viewer: Viewer, locale: str | None) -> None:
    """Remember the user's interface language (None forgets it).

    Raises:
        ValueError: ``locale`` is not a language tag (the interface checks it is offered).
    """
    if locale is not None and not _LOCALE.match(locale):
        raise ValueError(f"not a language tag: {locale!r}")
    with system_connection(engine) as conn:
        conn.execute(update(AppUser).where(AppUser.username == viewer.username)
                     .values(locale=locale))
