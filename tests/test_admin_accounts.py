"""User management on the Data & accounts page, through AppTest: an administrator creates an
account (the temporary password is shown once), the new user must choose a password before
anything else, the administrator disables, resets and changes roles — each change takes
effect on the user's next run and is in the audit log in words. A brand user gets none of it.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from data_access.viewer import Viewer
from tests.apphelpers import (
    ADMIN_PAGE,
    ROOT,
    TIMEOUT,
    brand_id,
    figures_shown,
    registered_pages,
    sign_in,
)

AUDIT_PAGE = str(ROOT / "pages" / "admin" / "audit_log.py")


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def _admin_on_accounts_page() -> AppTest:
    admin = sign_in("admin", "admin-demo-2026")
    admin.switch_page(ADMIN_PAGE).run()
    assert not admin.exception
    return admin


def _apply(admin: AppTest, username: str, action: str, *, confirm: bool = True) -> AppTest:
    admin.selectbox(key="admin_account").set_value(username).run()
    admin.radio(key="admin_action").set_value(action)
    if confirm:
        admin.checkbox(key="admin_confirm").check()
    _button(admin, "Apply").click().run()
    assert not admin.exception, admin.exception
    return admin


def test_an_administrator_manages_an_account_from_creation_to_reset(app_env):
    admin = _admin_on_accounts_page()
    admin.text_input(key="new_username").input("Kim.Lee")
    admin.text_input(key="new_name").input("Kim Lee")
    admin.selectbox(key="new_role").set_value("brand_viewer")
    admin.selectbox(key="new_brand").set_value(brand_id(app_env, "maple-thread"))
    _button(admin, "Create account").click().run()
    assert not admin.exception
    assert any("Account kim.lee created" in s.value for s in admin.success)
    [shown] = [c.value for c in admin.code]
    assert len(shown) == 23 and shown.count("-") == 3  # 20 characters in groups of five
    assert "kim.lee" in set(admin.dataframe[0].value["username"])
    admin.run()
    assert not admin.code  # shown once

    # the new user: only the password page until the temporary password is replaced
    user = sign_in("kim.lee", shown)
    assert user.title[0].value == "Choose a new password"
    assert not figures_shown(user) and "overview.py" not in registered_pages(user)
    new, again = [t for t in user.text_input if t.label.startswith("New password")]
    new.input("kimlee2026")
    again.input("kimlee2026")
    _button(user, "Change password").click().run()
    assert any("too easy to guess" in e.value or "at least 12" in e.value for e in user.error)
    new, again = [t for t in user.text_input if t.label.startswith("New password")]
    new.input("marble canyon lantern")
    again.input("marble canyon lantern")
    _button(user, "Change password").click().run()
    assert not user.exception
    assert user.title[0].value == "Maple & Thread — overview"
    assert "Brand viewer" in " ".join(c.value for c in user.sidebar.caption)
    assert sign_in("kim.lee", "marble canyon lantern").title[0].value == \
        "Maple & Thread — overview"

    # not confirmed: nothing happens
    _apply(admin, "kim.lee", "disable", confirm=False)
    assert any("Tick the box" in w.value for w in admin.warning)
    user.run()
    assert user.title[0].value == "Maple & Thread — overview"

    # disabled: the user's very next run is signed out
    _apply(admin, "kim.lee", "disable")
    assert any("kim.lee was disabled" in s.value for s in admin.success)
    user.run()
    assert [t.label for t in user.text_input] == ["Username", "Password"]
    _apply(admin, "kim.lee", "enable")

    # role change: a brand manager of another brand, after signing in again
    admin.selectbox(key="admin_account").set_value("kim.lee").run()
    admin.selectbox(key="admin_role").set_value("brand_manager")
    admin.selectbox(key="admin_brand").set_value(brand_id(app_env, "atlas-outdoor"))
    _button(admin, "Save role and brand").click().run()
    assert any("Brand manager" in s.value for s in admin.success)
    moved = sign_in("kim.lee", "marble canyon lantern")
    assert moved.title[0].value == "Atlas Outdoor — overview"

    # reset: a new temporary password, shown once; the old password no longer works
    _apply(admin, "kim.lee", "reset")
    [reset] = [c.value for c in admin.code]
    assert reset != shown
    moved.run()
    assert [t.label for t in moved.text_input] == ["Username", "Password"]
    refused = sign_in("kim.lee", "marble canyon lantern")
    assert any("incorrect" in e.value for e in refused.error)
    assert sign_in("kim.lee", reset).title[0].value == "Choose a new password"

    # the audit log says it in words, and never holds a password
    admin.switch_page(AUDIT_PAGE).run()
    changes = admin.dataframe[-1].value
    mine = changes[changes["target"] == "kim.lee"]
    assert list(mine["change"])[::-1] == [
        "Created the account as Brand viewer",
        "Changed the password (replacing a temporary password)",
        "Disabled the account (by an administrator)",
        "Enabled the account",
        "Changed the role or brand: Brand viewer of Maple & Thread → Brand manager of "
        "Atlas Outdoor",
        "Reset the password (temporary password), valid 72 hours",
    ]
    assert set(mine["actor"]) == {"admin", "kim.lee"}
    rendered = changes.to_string()
    assert shown not in rendered and reset not in rendered


def test_unlock_and_sign_out_everywhere_from_the_page(app_env):
    victim = sign_in("atlas", "atlas-demo-2026")
    for _ in range(3):  # the fixture's lockout is 3 attempts
        locked = sign_in("atlas", "wrong password")
    assert any("Too many failed" in e.value for e in locked.error)
    admin = _admin_on_accounts_page()
    table = admin.dataframe[0].value.set_index("username")
    assert bool(table.loc["atlas", "locked"]) and table.loc["atlas", "sessions"] >= 1
    _apply(admin, "atlas", "unlock")
    assert sign_in("atlas", "atlas-demo-2026").title[0].value == "Atlas Outdoor — overview"
    _apply(admin, "atlas", "sign_out")
    assert any("signed out everywhere" in s.value for s in admin.success)
    victim.run()
    assert [t.label for t in victim.text_input] == ["Username", "Password"]
    assert any("administrator signed you out" in i.value for i in victim.info)


def test_administrators_cannot_lock_themselves_out_from_the_page(app_env):
    admin = _admin_on_accounts_page()
    _apply(admin, "admin", "disable")
    assert any("cannot disable your own account" in e.value for e in admin.error)
    with app_env.connect() as conn:
        assert not conn.execute(text("SELECT disabled FROM app_user WHERE username = 'admin'")
                                ).scalar_one()


@pytest.mark.parametrize(("who", "role"), [("lena", "brand_viewer"),
                                           ("nordwind", "brand_manager")])
def test_brand_users_get_no_account_management(app_env, who, role):
    """The page is not in their menu, refuses them when run directly (no form, no table),
    and the account changes themselves refuse them in data_access (tests/test_accounts.py)."""
    user = sign_in(who, f"{who}-demo-2026")
    assert "data_and_accounts.py" not in registered_pages(user)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        user.switch_page(ADMIN_PAGE)
    direct = AppTest.from_file(ADMIN_PAGE, default_timeout=TIMEOUT)
    direct.session_state["viewer"] = Viewer(who, role, brand_id(app_env, "nordwind"))
    direct.run()
    assert any("only available to programme administrators" in e.value for e in direct.error)
    assert not direct.text_input and not direct.dataframe and not direct.button
