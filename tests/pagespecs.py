"""The app's pages as declared in ``app.py``'s ``PAGES`` (read from the source with ``ast``).

Importing ``app.py`` would run the Streamlit app; reading its source keeps tests in step with
the page list: a page added there is covered by the isolation, admin-only and load tests
without editing them.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

APP_SOURCE = Path(__file__).resolve().parent.parent / "app.py"


@dataclass(frozen=True)
class Spec:
    script: str  # e.g. "pages/brand/overview.py"
    title: str  # the menu title
    url_path: str
    admin_only: bool
    #: the action a role needs to see the page (None: every role that sees brand pages)
    permission: str | None = None

    @property
    def stem(self) -> str:
        return Path(self.script).stem


def _unmarked(node: ast.expr) -> ast.expr:
    """``N_("Overview")`` → the literal ``"Overview"``; anything else unchanged."""
    if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "N_" and node.args:
        return node.args[0]
    return node


def page_specs() -> list[Spec]:
    specs = []
    for node in ast.walk(ast.parse(APP_SOURCE.read_text())):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "PageSpec":
            # a title or section marked for translation, N_("…"), is read as its text
            args = [a.value for a in map(_unmarked, node.args) if isinstance(a, ast.Constant)]
            flags = {k.arg: k.value for k in node.keywords}
            admin = flags.get("admin_only")
            permission = flags.get("permission")
            specs.append(Spec(script=args[0], title=args[1], url_path=args[3],
                              admin_only=isinstance(admin, ast.Constant) and admin.value is True,
                              permission=permission.value if isinstance(permission, ast.Constant)
                              else None))
    assert specs, "app.py declares no PageSpec: the page list could not be read"
    return specs


def brand_pages() -> list[Spec]:
    """The pages every brand role sees (not admin-only, no particular permission)."""
    return [s for s in page_specs() if not s.admin_only and s.permission is None]


def admin_pages() -> list[Spec]:
    return [s for s in page_specs() if s.admin_only]
