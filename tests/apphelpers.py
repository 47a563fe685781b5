"""Helpers for AppTest-based tests: sign in through the real form, read what was rendered."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from streamlit.testing.v1 import AppTest

TIMEOUT = 60
ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "pages"
APP = str(ROOT / "app.py")
ADMIN_PAGE = str(ROOT / "pages" / "admin" / "data_and_accounts.py")


def sign_in(username: str, password: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    at.button[0].click().run()
    assert not at.exception, at.exception
    return at


def registered_pages(at: AppTest) -> set[str]:
    """Script paths of the pages st.navigation registered in the last run."""
    return {str(info.get("script_path", "")).rsplit("/", 1)[-1]
            for info in at._registered_pages.values()}


def metric_values(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def brand_id(engine, code: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT id FROM brand WHERE code = :c"), {"c": code}).scalar_one()


def figures_shown(at: AppTest) -> list:
    """The metrics a run shows, leaving out the sign-in page's hidden, empty placeholder that
    only makes the browser load the metric element's code early (ui/auth.py)."""
    return [m for m in at.metric if (m.label, m.value) != ("—", "—")]
