"""Seeded mutations of the capstone's code: a small AST transformer (stdlib ``ast`` only).

Each mutant changes one node of one file: a comparison negated (``<`` -> ``>=``, ``==`` -> ``!=``,
``in`` -> ``not in``), a number changed (``n`` -> ``n + 1``, ``True`` <-> ``False``), a ``return``
that returns ``None`` instead, an arithmetic operator swapped (``+`` <-> ``-``, ``*`` <-> ``/``), a
boolean operator swapped (``and`` <-> ``or``), or a ``not`` / unary minus dropped. Sites are found by
one pre-order walk; a mutant is the site's index in that walk, so applying it re-walks the same
source and changes the same node. The file is written back with ``ast.unparse`` (its comments and
layout are lost; its meaning is not, except for the one change).

Only code inside function bodies is mutated (module- and class-level code runs at import, where any
change crashes every test at once and says nothing about them). Left alone there too, because
changing them says nothing about the tests: the ``if __name__ == "__main__":`` block, annotations,
decorators, f-strings, docstrings and other strings, and the arguments of ``print``,
``warnings.warn``, logging calls and ``raise``.
"""

from __future__ import annotations

import ast
import dataclasses
import random

_NEGATE = {
    ast.Lt: ast.GtE,
    ast.GtE: ast.Lt,
    ast.Gt: ast.LtE,
    ast.LtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
}
_ARITH = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.FloorDiv: ast.Mult,
    ast.Pow: ast.Mult,
}
_BOOL = {ast.And: ast.Or, ast.Or: ast.And}
_QUIET_CALLS = {"print", "warn", "debug", "info", "warning", "error", "exception", "critical", "log"}
_SKIP_FIELDS = frozenset({"decorator_list", "returns", "annotation", "type_comment"})
KINDS = ("comparison", "constant", "return", "arithmetic", "boolean", "unary")


@dataclasses.dataclass(frozen=True)
class Site:
    """One possible mutant: node ``index`` of the walk of ``file``, on line ``at`` of the statement
    that starts on line ``line`` (the line coverage reports, and the tests that ran it are chosen by)."""

    file: str
    index: int
    line: int
    kind: str
    before: str
    after: str
    at: int = 0

    def describe(self) -> str:
        return f"{self.file}:{self.at or self.line}: `{self.before}` -> `{self.after}` ({self.kind})"


def _short(node: ast.AST) -> str:
    text = " ".join(ast.unparse(node).split())
    return text if len(text) <= 60 else text[:57] + "..."


def _mutant(node: ast.AST) -> tuple[str, ast.AST] | None:
    """The kind and the mutated replacement of ``node``, or None when it has no mutant."""
    if isinstance(node, ast.Compare) and type(node.ops[0]) in _NEGATE:
        return "comparison", ast.Compare(node.left, [_NEGATE[type(node.ops[0])](), *node.ops[1:]], node.comparators)
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool):
            return "constant", ast.Constant(not value)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return "constant", ast.Constant(value + 1)
        return None
    if isinstance(node, ast.Return) and node.value is not None:
        if isinstance(node.value, ast.Constant) and node.value.value is None:
            return None
        return "return", ast.Return(ast.Constant(None))
    if isinstance(node, ast.BinOp) and type(node.op) in _ARITH:
        return "arithmetic", ast.BinOp(node.left, _ARITH[type(node.op)](), node.right)
    if isinstance(node, ast.AugAssign) and type(node.op) in _ARITH:
        return "arithmetic", ast.AugAssign(node.target, _ARITH[type(node.op)](), node.value)
    if isinstance(node, ast.BoolOp) and type(node.op) in _BOOL:
        return "boolean", ast.BoolOp(_BOOL[type(node.op)](), node.values)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.USub)):
        return "unary", node.operand
    return None


def _quiet(node: ast.AST) -> bool:
    """Subtrees whose mutants would say nothing about the tests (see the module docstring)."""
    if isinstance(node, (ast.JoinedStr, ast.Raise)):
        return True
    if isinstance(node, ast.If):
        test = node.test
        return (
            isinstance(test, ast.Compare)
            and isinstance(test.left, ast.Name)
            and test.left.id == "__name__"
            and any(isinstance(c, ast.Constant) and c.value == "__main__" for c in test.comparators)
        )
    if isinstance(node, ast.Call):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        return name in _QUIET_CALLS
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        return True  # docstrings and bare constants
    return False


class _Walk(ast.NodeTransformer):
    """Pre-order walk that numbers nodes; finds sites, or replaces node ``target``."""

    def __init__(self, file: str, target: int | None = None) -> None:
        self.file, self.target = file, target
        self.count = 0
        self.line = 0
        self.in_function = False  # only code inside function bodies is mutated (as mutmut 3 does)
        self.sites: list[Site] = []

    def visit(self, node: ast.AST) -> ast.AST:
        if _quiet(node):
            return node
        index = self.count
        self.count += 1
        outer = self.line
        if isinstance(node, ast.stmt):
            self.line = node.lineno
        found = _mutant(node)
        if found is not None and index == self.target:
            self.line = outer
            return ast.copy_location(found[1], node)
        if found is not None and self.target is None and self.in_function:
            at = getattr(node, "lineno", self.line)
            self.sites.append(Site(self.file, index, self.line, found[0], _short(node), _short(found[1]), at))
        result = self.generic_visit(node)
        self.line = outer
        return result

    def generic_visit(self, node: ast.AST) -> ast.AST:
        """NodeTransformer's, skipping annotations and decorators."""
        for field, old in ast.iter_fields(node):
            if field in _SKIP_FIELDS:
                continue
            outer = self.in_function
            if field == "body" and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.in_function = True
            if isinstance(old, list):
                new = []
                for value in old:
                    if isinstance(value, ast.AST):
                        value = self.visit(value)
                    new.append(value)
                old[:] = new
            elif isinstance(old, ast.AST):
                setattr(node, field, self.visit(old))
            self.in_function = outer
        return node


def find_sites(source: str, file: str) -> list[Site]:
    """Every mutant of ``source`` (empty when it does not parse)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    walk = _Walk(file)
    walk.visit(tree)
    return walk.sites


def apply(source: str, site: Site) -> str:
    """``source`` with ``site``'s mutation applied."""
    tree = ast.parse(source)
    walk = _Walk(site.file, site.index)
    tree = walk.visit(tree)
    return ast.unparse(ast.fix_missing_locations(tree))


def choose(sites: list[Site], n: int, seed: int) -> list[Site]:
    """``n`` sites drawn with ``seed``, taking kinds in turn so that every kind present is tried."""
    rng = random.Random(f"m14-mutants-{seed}")
    by_kind = {kind: [s for s in sites if s.kind == kind] for kind in KINDS}
    for group in by_kind.values():
        rng.shuffle(group)
    order = [k for k in KINDS if by_kind[k]]
    rng.shuffle(order)
    chosen: list[Site] = []
    while len(chosen) < n and any(by_kind[k] for k in order):
        for kind in order:
            if by_kind[kind] and len(chosen) < n:
                chosen.append(by_kind[kind].pop())
    return chosen
