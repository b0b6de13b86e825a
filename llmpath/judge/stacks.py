"""Where the learner's code was when the judge stopped it: faulthandler's dump, cut to their frames.

The child registers ``faulthandler`` on ``SIGUSR1`` (``STACK_SIGNAL``) with a file of its own; before
killing a child that is past its deadline or over its memory cap, the parent sends that signal and
reads the dump. faulthandler writes from a C signal handler, so the dump comes even from a tight
``while True: pass`` or from inside a long numpy call. Nothing here runs learner code: the learner's
source is only read (and parsed, never executed) to name the method a line belongs to.
"""

from __future__ import annotations

import ast
import linecache
import os
import re
import signal
import time
from pathlib import Path

STACK_SIGNAL = getattr(signal, "SIGUSR1", None)  # None on Windows: no dump, the plain message stays
WAIT_S = 0.5  # for the dump to appear after the signal; it takes a few milliseconds

_FRAME = re.compile(r'^\s*File "(?P<file>.+)", line (?P<line>\d+) in (?P<func>.+?)\s*$')

Frame = tuple[str, int, str]  # (absolute file, line, function name)


def request_dump(pid: int, path: Path) -> str:
    """Ask process ``pid`` for its stack (written to ``path``) and return the text ("" if none came)."""
    if STACK_SIGNAL is None:
        return ""
    try:
        os.kill(pid, STACK_SIGNAL)
    except (ProcessLookupError, PermissionError):
        return ""
    deadline = time.monotonic() + WAIT_S
    size = -1
    while time.monotonic() < deadline:
        time.sleep(0.02)
        try:
            now = path.stat().st_size
        except OSError:
            now = 0
        if now and now == size:  # non-empty and no longer growing
            break
        size = now
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _blocks(text: str) -> list[list[Frame]]:
    """Each thread's frames, most recent call first (faulthandler's order)."""
    blocks: list[list[Frame]] = []
    for line in text.splitlines():
        if "most recent call first" in line or not blocks:
            blocks.append([])
        match = _FRAME.match(line)
        if match:
            blocks[-1].append((match["file"], int(match["line"]), match["func"]))
    return [b for b in blocks if b]


def learner_frames(text: str, milestone_dir: Path) -> list[Frame]:
    """The learner's frames of the thread that ran the probe, outermost first (as a traceback reads)."""
    root = str(milestone_dir.resolve()) + os.sep
    mine = [[f for f in block if os.path.isfile(f[0]) and os.path.abspath(f[0]).startswith(root)]
            for block in _blocks(text)]
    # the probe runs on the child's main thread: the one whose stack starts in llmpath's child
    main = [m for m, block in zip(mine, _blocks(text)) if m and any(f[0].endswith("child.py") for f in block)]
    chosen = main[0] if main else next((m for m in mine if m), [])
    return list(reversed(chosen))


def qualname(path: str, line: int, func: str) -> str:
    """``Class.method`` for a method (from the source's syntax tree), else the function's own name."""
    try:
        tree = ast.parse(Path(path).read_text(encoding="utf-8", errors="replace"))
    except (OSError, SyntaxError, ValueError):
        return func
    best = func

    def visit(node: ast.AST, prefix: str) -> None:
        nonlocal best
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                end = getattr(child, "end_lineno", None) or child.lineno
                name = f"{prefix}{child.name}"
                if child.lineno <= line <= end:
                    if not isinstance(child, ast.ClassDef) and child.name == func:
                        best = name
                    visit(child, name + ".")

    visit(tree, "")
    return best


def describe(text: str, milestone_dir: Path) -> tuple[str, tuple[str, ...]]:
    """(" in `Momentum.step` (milestones/M3/optimizers.py:42)", traceback-style lines); ("", ()) if unknown."""
    frames = learner_frames(text, milestone_dir)
    if not frames:
        return "", ()
    workspace = milestone_dir.parent.parent
    lines = []
    for path, line, func in frames[-12:]:
        rel = os.path.relpath(path, workspace)
        lines.append(f'  File "{rel}", line {line}, in {qualname(path, line, func)}')
        linecache.checkcache(path)  # the learner edits these files between checks (watch mode)
        source = linecache.getline(path, line).strip()
        if source:
            lines.append(f"    {source}")
    path, line, func = frames[-1]
    where = f" in `{qualname(path, line, func)}` ({os.path.relpath(path, workspace)}:{line})"
    return where, tuple(lines)
