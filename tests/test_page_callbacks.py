"""Pages pass no function of their own to a widget (format function or callback).

Streamlit keeps every widget's metadata — ``format_func``, ``on_change``/``on_click`` — for the
rest of the session. A ``lambda`` (or a ``def``) in a page script holds that script's globals,
so each session kept a copy of every DataFrame of every page it had visited: ≈ 2.7 MB per
session on the demo data (docs/performance.md, "Capacity"). Pages use functions from ``ui``
(``ui.components.country_label``, ``ui.state.param_from_widget``…) or a dict's ``.get``.
"""

from __future__ import annotations

import ast
from pathlib import Path

PAGES = Path(__file__).resolve().parent.parent / "pages"
WIDGET_FUNCTION_ARGUMENTS = {"format_func", "on_change", "on_click", "on_select", "on_submit"}


def offenders(source: str) -> list[str]:
    """Widget arguments in ``source`` that are a lambda or a function the script defines."""
    tree = ast.parse(source)
    own = {node.name for node in ast.walk(tree)
           if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        for keyword in node.keywords:
            if keyword.arg not in WIDGET_FUNCTION_ARGUMENTS:
                continue
            for part in ast.walk(keyword.value):
                if isinstance(part, ast.Lambda) or (isinstance(part, ast.Name)
                                                    and part.id in own):
                    found.append(f"line {node.lineno}: {keyword.arg}={ast.unparse(part)}")
    return found


def test_the_check_finds_lambdas_and_page_functions():
    source = ("import streamlit as st\nfrom functools import partial\n"
              "def pick(v):\n    return v\n"
              "st.selectbox('a', [1], format_func=lambda v: str(v))\n"
              "st.button('b', on_click=pick)\n"
              "st.selectbox('c', [1], format_func=partial(pick, 1))\n"
              "st.selectbox('d', [1], format_func={1: 'one'}.get, on_change=st.rerun)\n")
    assert [o.split(":")[0] for o in offenders(source)] == ["line 5", "line 6", "line 7"]


def test_no_page_passes_its_own_function_to_a_widget():
    problems = {str(path.relative_to(PAGES)): found for path in sorted(PAGES.rglob("*.py"))
                if (found := offenders(path.read_text()))}
    assert problems == {}


def test_the_profiles_factory_switch_still_writes_the_link(app_env):
    """The one callback moved out of a page (``ui.state.param_from_widget``) does its job:
    switching the factory on a profile shows that factory and puts it in the link."""
    from tests.apphelpers import sign_in
    from tests.test_app_supplier_review import FACTORY, open_page, own_directory

    assessed = own_directory(app_env, "nordwind").dropna(subset=["latest_assessment_id"])
    first, second = assessed.iloc[0], assessed.iloc[1]
    at = open_page(sign_in("nordwind", "nordwind-demo-2026"), FACTORY,
                   id=str(first["factory_id"]))
    assert at.title[0].value == first["name"]
    at.selectbox(key="profile_switch").set_value(int(second["factory_id"])).run()
    assert not at.exception
    assert at.query_params["id"] == str(second["factory_id"])
    assert at.title[0].value == second["name"]
