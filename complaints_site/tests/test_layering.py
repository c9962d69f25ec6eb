"""The layout the README draws, read again from the imports: floors site → apps → core, no cycles."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("complaints_site", "api", "complaints", "companies", "core", "devtools")
# What each package may import of the others (beside itself, Django and the libraries).
ALLOWED = {
    "complaints_site": {"api", "complaints", "companies", "core"},
    "api": {"complaints", "companies", "core"},
    "complaints": {"companies", "core"},
    "companies": {"core"},
    "core": set(),
    "devtools": {"complaints", "companies", "core"},
}


def _modules():
    """Every runtime module (no tests, no migrations): its dotted name and parsed source."""
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "tests" in parts or "migrations" in parts:
                continue
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            yield name, path, ast.parse(path.read_text())


def _imports(tree):
    """(imported module, line, inside a function) for each import of one of our packages."""
    functions = [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)]
    inside = {id(child) for function in functions for child in ast.walk(function) if child is not function}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            if name.split(".")[0] in PACKAGES:
                yield name, node.lineno, id(node) in inside


MODULES = list(_modules())
KNOWN = {name for name, _path, _tree in MODULES}


def _module_of(name: str) -> str | None:
    while name and name not in KNOWN:
        name = name.rpartition(".")[0]
    return name or None


def test_the_layout_is_read_from_real_modules():
    assert {"complaints.services.lifecycle", "complaints.models.thread", "complaints.views.thread",
            "core.visitor_cache", "companies.models", "devtools.generate"} <= KNOWN


@pytest.mark.parametrize("name,path,tree", MODULES, ids=[name for name, _p, _t in MODULES])
def test_each_module_imports_only_its_floor_and_below(name, path, tree):
    package = name.split(".")[0]
    upward = sorted({imported.split(".")[0] for imported, _line, _inner in _imports(tree)}
                    - ALLOWED[package] - {package})
    assert not upward, f"{path.relative_to(ROOT)} imports {upward}"


@pytest.mark.parametrize("name,path,tree", MODULES, ids=[name for name, _p, _t in MODULES])
def test_imports_sit_at_the_top_but_in_app_ready(name, path, tree):
    late = [(imported, line) for imported, line, inner in _imports(tree) if inner]
    if path.name == "apps.py":  # Django's own rule: models load after every app's module
        return
    assert not late, f"{path.relative_to(ROOT)} imports inside a function: {late}"


@pytest.mark.parametrize("name,path,tree", MODULES, ids=[name for name, _p, _t in MODULES])
def test_each_module_says_what_it_owns(name, path, tree):
    if not path.read_text().strip():  # an empty package marker (management/, templatetags/)
        return
    assert ast.get_docstring(tree), f"{path.relative_to(ROOT)} has no docstring"


def test_no_import_cycles_between_modules():
    graph = {name: set() for name in KNOWN}
    for name, _path, tree in MODULES:
        for imported, _line, inner in _imports(tree):
            target = _module_of(imported)
            if target and target != name and not inner:
                graph[name].add(target)
    cycles = []
    state = {}

    def visit(node, trail):
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycles.append(trail[trail.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []
