"""Shared pieces for real-browser tests outside ``tests/e2e`` (auth, faults, load).

Every browser test uses the session's one Chromium (``browser`` in ``tests/conftest.py``:
Playwright's sync API allows one instance per thread).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.e2e.conftest import StreamlitServer, wait_until_settled

EXCEPTION = "[data-testid='stException']"
DB_DOWN = "The database is not available right now"
RUNNING = "[data-testid='stStatusWidget']"  # Streamlit's "running" indicator

__all__ = ["DB_DOWN", "EXCEPTION", "StreamlitServer", "sign_in", "sign_in_and_wait",
           "sqlite_copy"]


def form_labels(language: str = "en") -> tuple[str, str, str]:
    """The sign-in form's username and password labels and button, in ``language`` (from its
    catalogue: the form is in the browser's language)."""
    from ui.i18n import _, use_locale

    with use_locale(language):
        return _("Username"), _("Password"), _("Login")


def sign_in(page, base_url: str, username: str, password: str, *,
            before_submit: Callable[[Any], None] | None = None, language: str = "en") -> None:
    """Open the app and submit the sign-in form (the caller waits for what it expects).
    ``before_submit(page)`` runs once the form has settled, before it is filled in;
    ``language`` is the one the browser asks for (the form's labels are in it)."""
    user_label, password_label, button = form_labels(language)
    page.goto(base_url)
    page.get_by_label(user_label).wait_for()
    wait_until_settled(page)
    if before_submit is not None:
        before_submit(page)
    page.get_by_label(user_label).fill(username)
    page.get_by_label(password_label, exact=True).fill(password)
    page.get_by_role("button", name=button).click()


def sign_in_and_wait(page, base_url: str, username: str, password: str, heading: str,
                     *, patience_ms: int = 10_000, language: str = "en") -> int:
    """Sign in and wait for ``heading``; returns how many extra clicks on *Login* it took.

    A click the app never acts on (no run of the form's callback, no message) was seen on
    freshly started servers while a component's rerun could fold it away (docs/security.md,
    F7). The app renders no component now and 5 of 5 fresh servers took the first click, but
    tests that are about something else still click once more in that case rather than fail
    on it; the load test counts such clicks (``extra_login_clicks``: 0 in the last run).
    """
    sign_in(page, base_url, username, password, language=language)
    target = page.get_by_role("heading", name=heading)
    for _ in range(6):
        try:
            target.wait_for(state="visible", timeout=patience_ms)
            return 0
        except PlaywrightTimeout:
            if page.get_by_text("incorrect").count() or page.locator(EXCEPTION).count():
                raise
            if not page.locator(RUNNING).count():  # idle with the form still there: lost
                break
    page.get_by_role("button", name=form_labels(language)[2]).click()
    target.wait_for(state="visible")
    return 1


def sqlite_copy(source: Path, name: str = "app.sqlite3") -> str:
    """A private copy of a SQLite database (so a server's writes stay its own); its URL."""
    target = Path(tempfile.mkdtemp(prefix="sqlite-copy-")) / name
    shutil.copy(source, target)
    return f"sqlite:///{target}"
