"""m14.builds_on: the capstone runs the learner's own code from an earlier milestone.

Reuse is found in the code and confirmed at run time, in ``evaluate(seed)`` run with a hook that
records which functions are called (``runner._Calls``):

* by import: a function (or a method of a class) of ``milestones/M1..M13`` called during ``evaluate``;
* by copy: a function or class in the capstone's code that is a copy of one in an earlier milestone
  (the same lines once docstrings, comments and layout are normalized away, at least ``min_similarity``
  of them) and which is called during ``evaluate`` (a class: one of its methods).

Only the learner's own work counts: a definition equal to the packaged starter's (a stub) does not,
and a copy must have at least ``min_statements`` statements. Nothing here executes the learner's code:
the files are parsed with ``ast``.
"""

from __future__ import annotations

import ast
import copy
import dataclasses
import difflib
from pathlib import Path

from llmpath.validators.api import Verdict, VerdictContext
from llmpath.validators.m14_capstone import evaluation as ev
from llmpath.validators.m14_capstone import layout
from llmpath.validators.m14_capstone.params import BuildsOnParams
from llmpath.validators.m14_capstone.probes import earlier_milestones, judge_seed

_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


@dataclasses.dataclass(frozen=True)
class Definition:
    """A top-level function or class: where it is, its normalized lines, the lines of its body."""

    file: str  # workspace-relative posix path
    name: str
    kind: str  # "function" or "class"
    lines: tuple[str, ...]
    statements: int
    entries: frozenset[int]  # first lines of its code objects (see _entry_lines)

    @property
    def milestone(self) -> str:
        return self.file.split("/")[1] if self.file.count("/") >= 2 else self.file


def _strip_docstrings(node: ast.AST) -> ast.AST:
    for sub in ast.walk(node):
        body = getattr(sub, "body", None)
        if (
            isinstance(sub, _DEFS)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
        ):
            sub.body = body[1:] or [ast.Pass()]
    return node


def _is_stub(node: ast.AST) -> bool:
    """Only ``pass``, ``...``, ``return None`` or ``raise NotImplementedError`` (in every method of a class)."""
    if isinstance(node, ast.ClassDef):
        methods = [n for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        return bool(methods) and all(_is_stub(m) for m in methods)
    for stmt in getattr(node, "body", []):
        if isinstance(stmt, ast.Pass) or (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)):
            continue
        if isinstance(stmt, ast.Return) and (
            stmt.value is None or (isinstance(stmt.value, ast.Constant) and stmt.value.value is None)
        ):
            continue
        if isinstance(stmt, ast.Raise) and "NotImplementedError" in ast.unparse(stmt):
            continue
        return False
    return True


def _entry_lines(node: ast.AST) -> frozenset[int]:
    """First lines of the code objects that run only when the definition is *used*: the function's,
    or for a class, its methods' (a decorated function's code starts at its first decorator)."""
    functions = (
        [node]
        if not isinstance(node, ast.ClassDef)
        else [n for n in ast.walk(node) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    )
    return frozenset(min([fn.lineno, *(d.lineno for d in fn.decorator_list)]) for fn in functions)


def definitions(source: str, file: str) -> list[Definition]:
    """The top-level functions and classes of ``source`` that are not stubs (none when it does not parse)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    found = []
    for node in tree.body:
        if not isinstance(node, _DEFS) or _is_stub(node):
            continue
        clean = _strip_docstrings(copy.deepcopy(node))
        statements = sum(isinstance(n, ast.stmt) for n in ast.walk(clean)) - 1
        entries = _entry_lines(node)
        kind = "class" if isinstance(node, ast.ClassDef) else "function"
        found.append(Definition(file, node.name, kind, tuple(ast.unparse(clean).splitlines()), statements, entries))
    return found


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def learner_definitions(workspace: Path, folder: str) -> list[Definition]:
    """Definitions in a milestone folder's code, less those equal to the packaged starter's."""
    from llmpath.templates import template_root

    starter_root = template_root() / "milestones" / Path(folder).name
    out = []
    for rel in layout.code_files(Path(workspace) / folder):
        starter = {d.lines for d in definitions(_read(starter_root / rel), rel)}
        out += [
            d for d in definitions(_read(Path(workspace) / folder / rel), f"{folder}/{rel}") if d.lines not in starter
        ]
    return out


def similarity(a: Definition, b: Definition) -> float:
    """Share of matching normalized lines (difflib's ratio over lines)."""
    if a.lines == b.lines:
        return 1.0
    matcher = difflib.SequenceMatcher(None, a.lines, b.lines, autojunk=False)
    return matcher.ratio() if matcher.real_quick_ratio() >= 0.5 else 0.0


def _copies(
    mine: list[Definition], theirs: list[Definition], p: BuildsOnParams
) -> list[tuple[Definition, Definition, float]]:
    found = []
    for m in mine:
        best = max(
            ((t, similarity(m, t)) for t in theirs if t.kind == m.kind and t.statements >= p.min_statements),
            key=lambda pair: pair[1],
            default=None,
        )
        if best is not None and best[1] >= p.min_similarity and m.statements >= p.min_statements:
            found.append((m, best[0], best[1]))
    return found


def verdict_builds_on(raw: dict, ctx: VerdictContext) -> Verdict:
    p: BuildsOnParams = ctx.params
    mid, s0 = ctx.milestone, judge_seed(ctx.seed)
    run = ev.run_for(raw, s0)
    error = ev.problem(run, s0, p.timeout_s, mid)
    if error is not None:  # also when run is None: "evaluate(...) was not run"
        return error
    called = {f: set(lines) for f, lines in (run["result"].get("called") or {}).items()}
    workspace = Path(ctx.workspace)
    folders = earlier_milestones(workspace, mid)
    theirs = [d for folder in folders for d in learner_definitions(workspace, folder)]
    try:
        own = Path(ctx.milestone_dir).resolve().relative_to(workspace.resolve()).as_posix()
    except ValueError:
        own = f"milestones/{mid}"
    mine = [
        d
        for rel in layout.code_files(Path(ctx.milestone_dir))
        for d in definitions(_read(Path(ctx.milestone_dir) / rel), f"{own}/{rel}")
    ]
    imported = [d for d in theirs if called.get(d.file, set()) & d.entries]
    copies = _copies(mine, theirs, p)
    used_copies = [(m, t, r) for m, t, r in copies if called.get(m.file, set()) & m.entries]
    evidence = [f"{d.milestone}: {d.file}: `{d.name}` ran during evaluate({s0}) (imported)" for d in imported]
    evidence += [
        f"{t.milestone}: {m.file}: `{m.name}` is a copy of {t.file}: `{t.name}` ({r:.0%} of its lines) "
        f"and ran during evaluate({s0})"
        for m, t, r in used_copies
    ]
    reused = sorted(
        {d.milestone for d in imported} | {t.milestone for _, t, _ in used_copies}, key=lambda m: int(m[1:] or 0)
    )
    if reused:
        return Verdict.passed(
            f"the capstone runs your own work from {', '.join(reused)}",
            *evidence[:10],
            metrics={"milestones_reused": float(len(reused))},
        )
    idle = [
        f"{m.file}: `{m.name}` is a copy of {t.file}: `{t.name}` but did not run during evaluate({s0})"
        for m, t, _ in copies
    ]
    names = ", ".join(f.split("/")[-1] for f in folders) or "none found"
    return Verdict.failed(
        f"evaluate({s0}) runs none of your work from earlier milestones ({names})",
        *idle[:5],
        f"Import your modules (e.g. `from milestones.M8.bpe import BPETokenizer`) or copy them into milestones/{mid}/, "
        "and use them in evaluate: the roadmap asks the capstone to build on what you made.",
        f"(Looked for: {len(theirs)} functions and classes of yours in {len(folders)} earlier milestone folder(s), "
        f"{len(mine)} in the capstone; starter stubs do not count.)",
    )
