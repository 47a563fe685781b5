"""The house rules of docs/architecture.md, checked on the source: layers point one way and no
module of ours imports itself through others (import circles)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("data_access", "metrics", "reference", "demo", "services", "ui", "pages", "bench",
            "api")

#: package → top-level names it must never import (directly or inside a function)
FORBIDDEN = {
    "data_access": {"streamlit", "ui", "pages", "metrics", "services", "demo", "bench", "api"},
    "metrics": {"streamlit", "sqlalchemy", "data_access", "ui", "pages", "demo", "api"},
    "reference": {"streamlit", "sqlalchemy", "data_access", "metrics", "ui", "pages", "demo",
                  "api"},
    "demo": {"streamlit", "ui", "pages", "services", "api"},
    "services": {"streamlit", "ui", "pages", "demo", "bench", "api"},
    "pages": {"sqlalchemy", "api"},
    "ui": {"api"},
    # the HTTP API: services, data_access, metrics, reference — and demo, only to prepare the
    # demo database at a demo-mode start, as ui/runtime.py does
    "api": {"streamlit", "ui", "pages", "bench"},
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every module named by an import statement anywhere in the file (functions included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    package = _module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" \
        else _module_name(path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1]
                                + ([base] if base else []))
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def _sources() -> dict[str, Path]:
    files = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            files[_module_name(path)] = path
    return files


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_layers_point_one_way(package):
    offenders = []
    for name, path in _sources().items():
        if name.split(".")[0] != package:
            continue
        for imported in _imports(path):
            if imported.split(".")[0] in FORBIDDEN[package]:
                offenders.append(f"{name} imports {imported}")
    assert offenders == []


def test_no_import_circles_between_our_modules():
    modules = _sources()
    graph = {name: {m for m in _imports(path) if m in modules and m != name}
             for name, path in modules.items()}
    # a package's __init__ re-exporting its own submodules is not a circle worth reporting
    for name in graph:
        graph[name] = {m for m in graph[name] if not name.startswith(m + ".")}
    circles: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                circles.append([*trail[trail.index(nxt):], nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    assert circles == [], "import circles: " + "; ".join(" → ".join(c) for c in circles)


def test_the_framework_is_data_and_complete():
    """The reference data loads with its checks: 8 clusters, about 250 questions, every
    zero-tolerance question a non-compliance question in a core cluster or a safety point."""
    from reference import CLUSTERS, question_count

    assert [c.code for c in CLUSTERS] == ["CL", "DISC", "FL", "FOA", "COMP", "CHR", "OSH", "WT"]
    assert [c.core for c in CLUSTERS] == [True] * 4 + [False] * 4
    assert 200 < question_count() <= 260
    zero_tolerance = [(c.code, q) for c in CLUSTERS for cp in c.compliance_points
                      for q in cp.questions if q.zero_tolerance]
    # child and forced labour, corporal punishment / violence (CHR), locked exits (OSH);
    # sexual harassment in general (DISC) is not zero tolerance, sexual violence is (CHR.2.05)
    assert {code for code, _ in zero_tolerance} == {"CL", "FL", "CHR", "OSH"}
    assert all(q.kind == "non_compliance" and q.issue for _, q in zero_tolerance)
