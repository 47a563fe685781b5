"""The sidebar's language picker and where the session's language comes from.

Which language a session shows, in order:

1. the language the signed-in user picked before, stored on their account
   (``data_access.preferences``), read once per sign-in;
2. a language picked in this browser session (the sign-in page has the picker too);
3. the browser's language when it is one of ours (``st.context.locale``, else the request's
   ``Accept-Language``);
4. English.

Picking a language while signed in stores it for the next sign-in. ``app.py`` calls
:func:`start_session_locale` first thing, :func:`load_user_locale` once it knows who is
signed in, and :func:`language_picker` in the sidebar.
"""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

from data_access import preferences
from data_access.viewer import Viewer
from ui.i18n import (
    LANGUAGE_NAMES,
    LOCALE_KEY,
    _,
    available_locales,
    browser_locale,
    current_language,
    normalise_locale,
    set_locale,
)

#: the picker widget's key (its value is copied from the session's language every run)
PICKER_KEY = "language_picker"
#: the username whose stored language this session has applied (cleared at sign-out)
LOADED_FOR = "_locale_loaded_for"


def language_name(code: str) -> str:
    """A language's name in itself (``es`` → ``Español``): the picker's format function."""
    return LANGUAGE_NAMES.get(code, code)


def start_session_locale() -> str:
    """A new session's language: the browser's when we have it, else English. A session that
    already has one keeps it. Returns the session's language."""
    if normalise_locale(st.session_state.get(LOCALE_KEY)) is None:
        set_locale(browser_locale() or "en")
    return current_language()


def load_user_locale(engine: Engine, principal: Viewer) -> str:
    """Once per sign-in: apply the language ``principal`` picked before, if any and still
    offered (otherwise the session keeps its language). Returns the session's language."""
    if st.session_state.get(LOADED_FOR) != principal.username:
        stored = normalise_locale(preferences.own_locale(engine, principal))
        if stored is not None:
            set_locale(stored)
        st.session_state[LOADED_FOR] = principal.username
    return current_language()


def _picked() -> None:
    """The picker's callback: switch the session's language; signed in, remember it."""
    choice = normalise_locale(st.session_state.get(PICKER_KEY))
    if choice is None:
        return
    set_locale(choice)
    if st.session_state.get(LOADED_FOR):
        from ui.auth import require_live_session
        from ui.runtime import get_engine

        viewer = require_live_session(pending_password_change=True)
        preferences.set_own_locale(get_engine(), viewer, choice)


def language_picker() -> None:
    """The language select box (call it inside ``with st.sidebar``). Language names are shown
    in their own language, so anyone finds theirs whatever the current one."""
    options = available_locales()
    st.session_state[PICKER_KEY] = current_language()
    st.selectbox(
        ":material/translate: " + _("Language"),
        options=options,
        format_func=language_name,
        key=PICKER_KEY,
        on_change=_picked,
        help=_("The language of the dashboard. Your choice is remembered for your next "
               "sign-in."),
    )
