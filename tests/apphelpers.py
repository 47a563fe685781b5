"""Helpers for AppTest-based tests: sign in through the real form, read what was rendered."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select, text
from streamlit.testing.v1 import AppTest

from data_access.as_of import data_dates
from data_access.viewer import Viewer
from metrics.reference import ReferenceDates, reference_dates

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


def active_supplier_ids(engine, code: str, n: int = 1) -> list[int]:
    """The ids of the first ``n`` factories brand ``code`` actively sources from."""
    with engine.connect() as conn:
        return list(conn.execute(text(
            "SELECT r.factory_id FROM sourcing_relationship r JOIN brand b ON b.id = r.brand_id "
            "WHERE b.code = :c AND r.active ORDER BY r.factory_id LIMIT :n"),
            {"c": code, "n": n}).scalars())


def figures_shown(at: AppTest) -> list:
    """The metrics a run shows, leaving out the sign-in page's hidden, empty placeholder that
    only makes the browser load the metric element's code early (ui/auth.py)."""
    return [m for m in at.metric if (m.label, m.value) != ("—", "—")]


def reference_for(engine, viewer: Viewer) -> ReferenceDates:
    """The as-of dates and reference date the pages use for ``viewer`` (as ui.reference)."""
    found = data_dates(engine, viewer)
    return reference_dates(found.assessments, found.orders, found.facility_list,
                           fallback=dt.date.today(),
                           facility_list_imported=found.facility_list_imported)


def texts_shown(at: AppTest) -> list[str]:
    """Every piece of text a run rendered (titles, captions, Markdown, alerts, metrics, …)."""
    out: list[str] = []
    for kind in ("title", "header", "subheader", "caption", "markdown", "text", "info",
                 "warning", "error", "success"):
        out += [str(el.value) for el in getattr(at, kind)]
    for metric in at.metric:
        out += [str(metric.label), str(metric.value), str(metric.proto.delta),
                str(metric.proto.help)]
    return out


def seeded_sign_in(engine, username: str) -> AppTest:
    """The app with ``username`` signed in as a real sign-in leaves it — the session-state
    keys and a live server-side session — without the form's bcrypt check and round trip."""
    from data_access import sessions
    from data_access.schema import AppUser

    with engine.connect() as conn:
        row = conn.execute(select(AppUser.display_name, AppUser.role)
                           .where(AppUser.username == username)).first()
    if row is None:  # the app provisions accounts at its first run
        AppTest.from_file(APP, default_timeout=TIMEOUT).run()
        with engine.connect() as conn:
            row = conn.execute(select(AppUser.display_name, AppUser.role)
                               .where(AppUser.username == username)).one()
    session_id, *_ = sessions.start_session(engine, username, sessions.SessionPolicy())
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in {"authentication_status": True, "username": username,
                       "name": row.display_name, "roles": [row.role],
                       "_auth_sid": session_id}.items():
        at.session_state[key] = value
    return at
