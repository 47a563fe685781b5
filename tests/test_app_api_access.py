"""API tokens in the app, through AppTest: a brand manager issues a token for its own brand on
the API access page (shown once, then never again; only a digest stored), it works, the
manager revokes it and it stops working; a brand viewer neither sees the page nor may run it;
an administrator issues one for any brand on the Data & accounts page; the audit log says it
in words."""

from __future__ import annotations

import re

from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from data_access import api_tokens
from data_access.viewer import Viewer
from tests.apphelpers import ADMIN_PAGE, ROOT, TIMEOUT, brand_id, registered_pages, seeded_sign_in

API_PAGE = str(ROOT / "pages" / "brand" / "api_access.py")
AUDIT_PAGE = str(ROOT / "pages" / "admin" / "audit_log.py")
TOKEN = re.compile(r"scd_[0-9a-f]{12}_[A-Za-z0-9_-]{43}")


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def _tokens_shown(at: AppTest) -> list[str]:
    return [c.value for c in at.code if TOKEN.fullmatch(c.value)]


def test_a_brand_manager_issues_and_revokes_its_brands_token(app_env):
    nordwind = brand_id(app_env, "nordwind")
    at = seeded_sign_in(app_env, "nordwind")
    at.run()
    assert "api_access.py" in registered_pages(at)
    at.switch_page(API_PAGE).run()
    assert not at.exception, at.exception
    assert at.title[0].value == "API access"
    assert any("No API tokens yet" in i.value for i in at.info)

    at.text_input(key="api_name_brand").input("Power BI refresh")
    at.selectbox(key="api_scope_brand").set_value("brand_viewer")
    at.selectbox(key="api_days_brand").set_value(30)
    _button(at, "Issue token").click().run()
    assert not at.exception, at.exception
    [token] = _tokens_shown(at)
    assert any("Power BI refresh" in s.value and "Nordwind" in s.value for s in at.success)
    at.run()
    assert _tokens_shown(at) == []  # shown once
    table = at.dataframe[0].value
    assert list(table["name"]) == ["Power BI refresh"]
    assert list(table["status"]) == ["Active"] and token not in table.to_string()

    principal = api_tokens.authenticate(app_env, token)
    assert principal is not None and principal.brand_id == nordwind
    assert principal.scope == "brand_viewer"
    with app_env.connect() as conn:
        stored = conn.execute(text("SELECT secret_sha256, created_by FROM api_token")).one()
    assert stored.created_by == "nordwind" and stored.secret_sha256 == api_tokens.digest(token)
    assert token.split("_")[-1] not in stored.secret_sha256

    at.selectbox(key="api_revoke_choice_brand").set_value(principal.token_id)
    _button(at, "Revoke token").click().run()
    assert any("Tick the box" in w.value for w in at.warning)
    assert api_tokens.authenticate(app_env, token) is not None
    at.selectbox(key="api_revoke_choice_brand").set_value(principal.token_id)
    at.checkbox(key="api_sure_brand").check()
    _button(at, "Revoke token").click().run()
    assert any("revoked" in s.value for s in at.success), [s.value for s in at.success]
    assert api_tokens.authenticate(app_env, token) is None
    assert list(at.dataframe[0].value["status"]) == ["Revoked"]


def test_a_brand_viewer_gets_no_api_access(app_env):
    at = seeded_sign_in(app_env, "lena")
    at.run()
    assert "api_access.py" not in registered_pages(at)
    direct = AppTest.from_file(API_PAGE, default_timeout=TIMEOUT)
    direct.session_state["viewer"] = Viewer("lena", "brand_viewer", brand_id(app_env, "nordwind"))
    direct.run()
    assert any("cannot issue and revoke the brand's API tokens" in e.value for e in direct.error)
    assert not direct.dataframe and not direct.text_input and not direct.button


def test_an_administrator_issues_for_any_brand_and_the_audit_says_so(app_env):
    maple = brand_id(app_env, "maple-thread")
    at = seeded_sign_in(app_env, "admin")
    at.run()
    at.switch_page(ADMIN_PAGE).run()
    assert not at.exception, at.exception
    at.text_input(key="api_name_admin").input("Due-diligence report")
    _button(at, "Issue token").click().run()
    assert any("Choose the brand" in e.value for e in at.error)
    assert _tokens_shown(at) == []
    at.text_input(key="api_name_admin").input("Due-diligence report")
    at.selectbox(key="api_brand_admin").set_value(maple)
    _button(at, "Issue token").click().run()
    [token] = _tokens_shown(at)
    principal = api_tokens.authenticate(app_env, token)
    assert principal is not None and principal.brand_code == "maple-thread"
    assert principal.scope == "brand_manager"  # the form's default

    at.switch_page(AUDIT_PAGE).run()
    changes = at.dataframe[-1].value
    issued = changes[changes["target"].str.startswith(f"API token {principal.prefix}")]
    assert list(issued["actor"]) == ["admin"]
    assert list(issued["brand"]) == ["Maple & Thread"]
    assert issued["change"].iloc[0].startswith(
        "Issued the API token for every extract (as a brand manager), valid until ")
    assert token not in changes.to_string()
