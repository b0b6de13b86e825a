"""The house rules of the package, read from the code's own imports (module- and function-level).

* Layers: a module imports only from its own package or from a package on a lower floor
  (``FLOORS``, top first). Data flows down; nothing below knows what is above it.
* No cycles between modules, even through imports inside functions.
* Each package has one public surface, its ``__init__``'s ``__all__``: another package imports
  the package itself or a submodule named there, and never an underscore name.
* Size: no function over ``MAX_FUNCTION_LINES`` lines and no file over ``MAX_FILE_LINES`` lines,
  unless the line before it (or the file's first lines) says why with ``# size:``.
"""

from __future__ import annotations

import ast
import importlib
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "llmpath"

# Top floor first. A unit is a subpackage of llmpath ("llmpath.cli") or a base module.
FLOORS: tuple[tuple[str, ...], ...] = (
    ("llmpath.__main__",),
    ("llmpath.cli",),
    ("llmpath.commands",),
    ("llmpath.plotting",),
    ("llmpath.workspace",),
    ("llmpath.judge",),
    ("llmpath.validators",),
    ("llmpath.notebook",),
    ("llmpath.agents",),
    ("llmpath.datasets",),
    ("llmpath.templates", "llmpath.errors", "llmpath.fsutil", "llmpath"),
)
MAX_FUNCTION_LINES = 80
MAX_FILE_LINES = 350


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def _sources() -> dict[str, Path]:
    # The templates' .py files are the learner's starter code, not llmpath's.
    starters = PACKAGE / "templates"
    return {
        _module_name(p): p
        for p in sorted(PACKAGE.rglob("*.py"))
        if p.parent != starters and starters not in p.parents or p == starters / "__init__.py"
    }


def _unit(module: str) -> str:
    """The unit a module belongs to: its subpackage under llmpath, or itself for a base module."""
    parts = module.split(".")
    return ".".join(parts[:2])


def _floor(unit: str) -> int:
    for level, units in enumerate(FLOORS):
        if unit in units:
            return level
    raise AssertionError(f"{unit} is on no floor of FLOORS: add it where it belongs")


def _resolve(importer: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = importer.split(".")
    is_package = _sources()[importer].name == "__init__.py"
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


@cache
def _imports() -> dict[str, list[tuple[str, str | None, int]]]:
    """module -> [(imported module, imported name or None, line)] for every llmpath import."""
    modules = _sources()
    found: dict[str, list[tuple[str, str | None, int]]] = {}
    for name, path in modules.items():
        edges: list[tuple[str, str | None, int]] = []
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                edges += [(a.name, None, node.lineno) for a in node.names if a.name.split(".")[0] == "llmpath"]
            elif isinstance(node, ast.ImportFrom):
                target = _resolve(name, node)
                if target.split(".")[0] != "llmpath":
                    continue
                for alias in node.names:
                    sub = f"{target}.{alias.name}"
                    edges.append((sub, None, node.lineno) if sub in modules else (target, alias.name, node.lineno))
        found[name] = edges
    return found


def test_every_import_runs_down_the_floors():
    upward = []
    for importer, edges in _imports().items():
        for target, _, line in edges:
            a, b = _unit(importer), _unit(target)
            if a != b and _floor(b) < _floor(a):
                upward.append(f"{importer}:{line} imports {target} ({b} is above {a})")
    assert not upward, "imports that run upward:\n" + "\n".join(upward)


def test_no_import_cycles():
    graph = {m: sorted({t for t, _, _ in edges if t in _sources() and t != m}) for m, edges in _imports().items()}
    # Tarjan's strongly connected components, iteratively (no recursion limit worries).
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    cycles.append(sorted(component))
    assert not cycles, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in cycles)


@cache
def _public(unit: str) -> tuple[str, ...] | None:
    """The ``__all__`` of a package's ``__init__`` (None for a base module, which is all public)."""
    path = _sources().get(unit)
    if path is None or path.name != "__init__.py" or unit == "llmpath":
        return None
    return tuple(getattr(importlib.import_module(unit), "__all__", ()))


def test_packages_are_entered_through_their_public_surface():
    problems = []
    for importer, edges in _imports().items():
        for target, name, line in edges:
            a, b = _unit(importer), _unit(target)
            if a == b:
                continue
            if name is not None and name.startswith("_") and not name.startswith("__"):
                problems.append(f"{importer}:{line} imports the private name {target}.{name}")
            public = _public(b)
            if public is None:
                continue
            if target == b:
                if name is not None and name not in public:
                    problems.append(f"{importer}:{line} imports {b}.{name}, which {b}.__all__ does not list")
            elif target[len(b) + 1 :] not in public:
                problems.append(f"{importer}:{line} imports {target}, which is not {b}'s public surface ({b}.__all__)")
    assert not problems, "\n".join(problems)


def test_every_package_documents_its_public_surface():
    missing = []
    for unit in {_unit(m) for m in _sources()}:
        path = _sources().get(unit)
        if path is None or path.name != "__init__.py" or unit == "llmpath":
            continue
        tree = ast.parse(path.read_text())
        if not ast.get_docstring(tree) or _public(unit) == ():
            missing.append(unit)
    assert not missing, f"packages without a docstring and __all__ in their __init__: {sorted(missing)}"


def _waived(lines: list[str], lineno: int) -> bool:
    """A ``# size: <why>`` comment on the line above a definition (or its decorators) waives the limit."""
    return lineno >= 2 and lines[lineno - 2].strip().startswith("# size:")


@pytest.mark.parametrize("limit", [MAX_FUNCTION_LINES])
def test_functions_stay_short(limit):
    long = []
    for name, path in _sources().items():
        text = path.read_text()
        lines = text.splitlines()
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                length = node.end_lineno - node.lineno + 1
                if length > limit and not _waived(lines, start):
                    long.append(f"{name}:{node.lineno} {node.name} is {length} lines")
    assert not long, f"functions over {limit} lines:\n" + "\n".join(long)


def test_files_stay_small():
    big = []
    for name, path in _sources().items():
        lines = path.read_text().splitlines()
        if len(lines) > MAX_FILE_LINES and not any(line.startswith("# size:") for line in lines[:30]):
            big.append(f"{name}: {len(lines)} lines")
    assert not big, f"files over {MAX_FILE_LINES} lines:\n" + "\n".join(big)


def test_the_graph_is_read_at_all():
    # A walker that silently finds nothing would pass every rule above.
    edges = sum(len(e) for e in _imports().values())
    assert len(_sources()) > 100 and edges > 300
    assert any(t == "llmpath.validators.api" for es in _imports().values() for t, _, _ in es)
