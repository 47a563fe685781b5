"""The Streamlit app through ``AppTest``: sign-in, navigation by role, the overview's figures.

These tests drive the real sign-in form (streamlit-authenticator's credential model underneath)
against a copy of the SQLite demo database.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from data_access import queries
from data_access.viewer import Viewer
from metrics.portfolio import headline_figures
from tests.apphelpers import (
    ADMIN_PAGE,
    APP,
    TIMEOUT,
    brand_id,
    figures_shown,
    metric_values,
    reference_for,
    registered_pages,
    sign_in,
)
from ui.components import fmt_int, fmt_pct


def test_signed_out_visitor_sees_only_the_form(app_env):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    assert not figures_shown(at)
    assert "overview.py" not in registered_pages(at)


def test_sign_in_success_shows_own_brand_overview(app_env):
    at = sign_in("nordwind", "nordwind-demo-2026")
    assert at.title[0].value == "Nordwind Apparel — overview"
    assert at.session_state["authentication_status"] is True
    with app_env.connect() as conn:
        active = conn.execute(text(
            "SELECT COUNT(*) FROM sourcing_relationship r JOIN brand b ON b.id = r.brand_id "
            "JOIN factory f ON f.id = r.factory_id "
            "WHERE b.code = 'nordwind' AND r.active AND f.status = 'active'")).scalar_one()
    assert metric_values(at)["Active suppliers"] == fmt_int(active)


def test_overview_figures_are_the_brands_own(app_env):
    """The small brand's numbers are its own, not the large brand's."""
    at = sign_in("maple", "maple-demo-2026")
    assert at.title[0].value == "Maple & Thread — overview"
    viewer = Viewer("maple", "brand", brand_id(app_env, "maple-thread"))
    # computed as of the data's reference date, not the calendar date
    today = reference_for(app_env, viewer).figures
    assert today < dt.date.today()  # the demo data is older than the test run
    expected = headline_figures(queries.suppliers(app_env, viewer), today)
    shown = metric_values(at)
    assert shown["Active suppliers"] == fmt_int(expected.active_suppliers)
    assert shown["Countries"] == fmt_int(expected.countries)
    assert shown["Never assessed"] == fmt_int(expected.never_assessed)
    assert shown["Recently assessed"] == fmt_pct(expected.assessed_recently_pct)
    nordwind = headline_figures(
        queries.suppliers(app_env, Viewer("n", "brand", brand_id(app_env, "nordwind"))),
        today)
    assert shown["Active suppliers"] != fmt_int(nordwind.active_suppliers)


def test_wrong_password_is_refused_with_a_generic_message(app_env):
    at = sign_in("nordwind", "not-the-password")
    assert at.session_state["authentication_status"] is not True
    assert any("incorrect" in e.value for e in at.error)
    assert not figures_shown(at)
    unknown = sign_in("nobody-here", "whatever-password")
    assert [e.value for e in unknown.error] == [e.value for e in at.error]  # no enumeration


def test_repeated_failures_lock_the_account_even_for_the_right_password(app_env):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    for _ in range(3):  # DASHBOARD_LOCKOUT_ATTEMPTS=3 in this test
        at.text_input(key="login_username").input("maple")
        at.text_input(key="login_password").input("wrong-password")
        at.button[0].click().run()
    assert any("Too many failed sign-in attempts" in e.value for e in at.error)
    at.text_input(key="login_username").input("maple")
    at.text_input(key="login_password").input("maple-demo-2026")
    at.button[0].click().run()
    assert at.session_state["authentication_status"] is not True
    assert any("Too many failed sign-in attempts" in e.value for e in at.error)
    assert not figures_shown(at)


def test_admin_sees_admin_navigation_and_brand_user_does_not(app_env):
    admin = sign_in("admin", "admin-demo-2026")
    assert {"overview.py", "data_and_accounts.py"} <= registered_pages(admin)
    admin.switch_page(ADMIN_PAGE).run()
    assert not admin.exception
    assert admin.title[0].value == "Data & accounts"
    assert "nordwind" in set(admin.dataframe[0].value["username"])

    brand = sign_in("nordwind", "nordwind-demo-2026")
    assert "data_and_accounts.py" not in registered_pages(brand)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        brand.switch_page(ADMIN_PAGE)


def test_admin_page_refuses_a_brand_user_even_when_run_directly(app_env):
    at = AppTest.from_file(ADMIN_PAGE, default_timeout=TIMEOUT)
    at.session_state["viewer"] = Viewer("nordwind", "brand", brand_id(app_env, "nordwind"))
    at.run()
    assert not at.exception
    assert any("only available to programme administrators" in e.value for e in at.error)
    assert not at.dataframe


def test_admin_chooses_a_brand_in_the_sidebar(app_env):
    at = sign_in("admin", "admin-demo-2026")
    assert any("Choose a brand" in i.value for i in at.info)
    at.sidebar.selectbox(key="admin_brand_id").set_value(
        brand_id(app_env, "maple-thread")).run()
    assert at.title[0].value == "Maple & Thread — overview"
    assert at.query_params["brand"] == "maple-thread"
    # a second choice wins over the link written for the first one
    at.sidebar.selectbox(key="admin_brand_id").set_value(brand_id(app_env, "atlas-outdoor")).run()
    assert at.title[0].value == "Atlas Outdoor — overview"
    assert at.query_params["brand"] == "atlas-outdoor"


def test_admin_link_with_a_brand_opens_that_brand(app_env):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["brand"] = "riverstone"
    at.run()
    at.text_input(key="login_username").input("admin")
    at.text_input(key="login_password").input("admin-demo-2026")
    at.button[0].click().run()
    assert at.title[0].value == "Riverstone Denim — overview"
    at.query_params["brand"] = "no-such-brand"
    at.run()
    assert any("No brand with code" in w.value for w in at.warning)


def test_brand_link_to_another_brand_is_ignored_for_brand_users(app_env):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["brand"] = "nordwind"
    at.run()
    at.text_input(key="login_username").input("maple")
    at.text_input(key="login_password").input("maple-demo-2026")
    at.button[0].click().run()
    assert at.title[0].value == "Maple & Thread — overview"
    assert any("do not have access" in w.value for w in at.warning)


def test_country_filter_changes_figures_and_the_link(app_env):
    at = sign_in("nordwind", "nordwind-demo-2026")
    before = metric_values(at)["Active suppliers"]
    countries = at.multiselect(key="filter_countries")
    countries.set_value(["VN"]).run()
    after = metric_values(at)["Active suppliers"]
    viewer = Viewer("n", "brand", brand_id(app_env, "nordwind"))
    suppliers = queries.suppliers(app_env, viewer)
    assert after == fmt_int((suppliers["country_code"] == "VN").sum())
    assert after != before
    assert at.query_params["countries"] == "VN"


def test_logout_clears_the_session(app_env):
    at = sign_in("nordwind", "nordwind-demo-2026")
    at.multiselect(key="filter_countries").set_value(["BD"]).run()
    at.sidebar.button[0].click().run()
    assert not at.exception
    assert at.session_state["authentication_status"] is None
    assert "filter_countries" not in at.session_state
    assert "viewer" not in at.session_state
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    assert any("signed out" in s.value for s in at.success)
    # the session of that sign-in is revoked in the database, as a sign-out
    with app_env.connect() as conn:
        revoked = conn.execute(text(
            "SELECT revoked_at, revoked_reason FROM user_session WHERE username='nordwind'"
        )).one()
    assert revoked.revoked_at is not None and revoked.revoked_reason == "signed_out"
