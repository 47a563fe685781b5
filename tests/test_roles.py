"""Roles: the matrices of docs/users.md against the permission table and the running app.

Every cell is tested: each role on each page (AppTest, signed in with a live session: the page
opens, or it is neither registered nor willing to run directly), and each action through the
function in ``data_access`` that performs it (it works, or raises ``PermissionDenied``).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from streamlit.testing.v1 import AppTest

from data_access import accounts, extracts
from data_access.errors import PermissionDenied
from data_access.importing import import_csv, list_import_runs
from data_access.viewer import ACTIONS, PERMISSIONS, ROLE_LABELS, Viewer
from services.extract_catalogue import EXTRACTS, ExtractContext, build_file
from tests.apphelpers import ROOT, TIMEOUT, brand_id, registered_pages, seeded_sign_in
from tests.pagespecs import page_specs

GUIDE = ROOT / "docs" / "users.md"
USERS = {"brand_viewer": "lena", "brand_manager": "nordwind", "admin": "admin"}
ROLE_COLUMNS = ["brand_viewer", "brand_manager", "admin"]


def guide_matrix(name: str) -> dict[str, dict[str, bool]]:
    """``{row label: {role: yes?}}`` from the table after ``<!-- matrix: name -->``."""
    block = re.search(rf"<!-- matrix: {name} -->\n(.*?)\n\n", GUIDE.read_text(), re.S)
    assert block, f"docs/users.md has no matrix {name!r}"
    rows = [line.strip("|").split("|") for line in block.group(1).splitlines()[2:]]
    return {cells[0].strip(): dict(zip(ROLE_COLUMNS, (c.strip() == "yes" for c in cells[1:]),
                                       strict=True)) for cells in rows}


def test_the_guides_action_matrix_is_the_permission_table():
    matrix = guide_matrix("actions")
    assert set(matrix) == set(ACTIONS.values())
    for action, label in ACTIONS.items():
        for role in ROLE_COLUMNS:
            assert matrix[label][role] == (action in PERMISSIONS[role]), (label, role)


def test_the_guides_page_matrix_is_the_apps_page_list():
    matrix = guide_matrix("pages")
    specs = {spec.title: spec for spec in page_specs()}
    assert set(matrix) == set(specs) | {"Your account (password)"}
    for title, spec in specs.items():
        if spec.permission:  # e.g. API access: the roles allowed its action
            expected = {role: spec.permission in PERMISSIONS[role] for role in ROLE_COLUMNS}
        else:
            expected = {"brand_viewer": not spec.admin_only,
                        "brand_manager": not spec.admin_only, "admin": True}
        assert matrix[title] == expected, title


@pytest.fixture
def demo_app(app_env):
    AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()  # provisions
    return app_env


@pytest.mark.parametrize("role", ROLE_COLUMNS)
def test_every_role_on_every_page(demo_app, role):
    """The page matrix, cell by cell, in the running app."""
    matrix = guide_matrix("pages")
    user = USERS[role]
    at = seeded_sign_in(demo_app, user)
    at.query_params["brand"] = "nordwind"  # an administrator looks at a brand
    at.run()
    assert not at.exception
    registered = registered_pages(at)
    for spec in page_specs():
        allowed = matrix[spec.title][role]
        assert (spec.script.rsplit("/", 1)[-1] in registered) == allowed, (role, spec.title)
        if allowed:
            at.switch_page(str(ROOT / spec.script)).run()
            assert not at.exception, (role, spec.title, at.exception)
            refused = [e.value for e in at.error if "only available" in e.value]
            assert not refused, (role, spec.title)
        else:
            direct = AppTest.from_file(str(ROOT / spec.script), default_timeout=TIMEOUT)
            direct.session_state["viewer"] = Viewer(user, role, brand_id(demo_app, "nordwind"))
            direct.run()
            refusal = (ACTIONS[spec.permission] if spec.permission
                       else "only available to programme administrators")
            assert any(refusal in e.value for e in direct.error), (role, spec.title)
            assert not direct.dataframe and not direct.text_input
    at.switch_page(str(ROOT / "pages" / "brand" / "overview.py")).run()
    sidebar = " ".join(c.value for c in at.sidebar.caption)
    assert ROLE_LABELS[role] in sidebar


@pytest.mark.parametrize("role", ROLE_COLUMNS)
def test_each_role_downloads_exactly_the_extracts_it_may(demo_app, role):
    """On the Downloads page the buttons a role may not use are greyed out; in data_access
    the extract itself is refused (a crafted request gets nothing) or built and audited."""
    nordwind = brand_id(demo_app, "nordwind")
    at = seeded_sign_in(demo_app, USERS[role])
    at.query_params["brand"] = "nordwind"
    at.switch_page(str(ROOT / "pages" / "brand" / "downloads.py")).run()
    assert not at.exception
    buttons = [b.proto for b in at.get("download_button") if b.proto.label == "Download CSV"]
    enabled = [not b.disabled for b in buttons]
    expected = [extracts.may_download(Viewer("x", role, nordwind), key) for key in EXTRACTS]
    assert enabled == expected and len(buttons) == len(EXTRACTS)

    viewer = Viewer(USERS[role], role, nordwind)
    ctx = ExtractContext(as_of=dt.date(2026, 11, 1))
    for key in EXTRACTS:
        raw = key not in extracts.SUMMARY_EXTRACTS
        before = len(extracts.list_downloads(demo_app, Viewer("a", "admin", None)))
        if raw and role == "brand_viewer":
            with pytest.raises(PermissionDenied, match="order-, finding- and plan-level"):
                build_file(demo_app, viewer, key, ctx)
            added = 0
        else:
            header = build_file(demo_app, viewer, key, ctx).splitlines()[0].decode("utf-8-sig")
            assert header.split(",")[0] == EXTRACTS[key].columns[0].name
            added = 1
        after = len(extracts.list_downloads(demo_app, Viewer("a", "admin", None)))
        assert after - before == added, (role, key)


@pytest.mark.parametrize("role", ROLE_COLUMNS)
def test_each_role_can_use_exactly_its_administration_actions(demo_app, role):
    """The administrator-only cells of the action matrix, through data_access."""
    viewer = Viewer(USERS[role], role, None if role == "admin" else
                    brand_id(demo_app, "nordwind"))
    calls = {
        "import_data": lambda: import_csv(demo_app, viewer, "facilities",
                                          b"name,address,country\nX,1 Road,VN\n",
                                          brand_code="nordwind", dry_run=True),
        "manage_accounts": lambda: accounts.list_accounts(demo_app, viewer),
        "view_audit_log": lambda: (extracts.list_downloads(demo_app, viewer),
                                   accounts.list_account_changes(demo_app, viewer),
                                   list_import_runs(demo_app, viewer)),
        "choose_any_brand": lambda: viewer.acting_for(brand_id(demo_app, "maple-thread")),
    }
    for action, call in calls.items():
        if action in PERMISSIONS[role]:
            call()
        else:
            with pytest.raises(PermissionDenied):
                call()
