"""Run llmpath's CLI in-process (fast) and build toy workspaces with real git."""

from __future__ import annotations

import dataclasses
import io
import os
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import yaml

from llmpath.cli import output


@dataclasses.dataclass
class Run:
    code: int
    out: str
    err: str


def cli(*args: str, cwd: Path | None = None, stdin: str | None = None) -> Run:
    """Call ``llmpath.__main__.main`` with captured output (rich pinned to a wide, colourless console)."""
    from llmpath.__main__ import main

    out, err = io.StringIO(), io.StringIO()
    old_cwd = Path.cwd()
    old_stdin = sys.stdin
    output.stdout.file = out
    output.stderr.file = err
    output.stdout.width = output.stderr.width = 200
    output.stdout.no_color = output.stderr.no_color = True
    try:
        if cwd is not None:
            os.chdir(cwd)
        sys.stdin = io.StringIO(stdin or "")
        with redirect_stdout(out), redirect_stderr(err):
            code = main(list(args))
    finally:
        os.chdir(old_cwd)
        sys.stdin = old_stdin
        output.stdout.file = None  # back to sys.stdout
        output.stderr.file = None
    return Run(code, out.getvalue(), err.getvalue())


def git(cwd: Path, *args: str) -> str:
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.com")
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True, env=env).stdout


def init_repo(ws: Path) -> None:
    git(ws, "init", "-q", "-b", "main")
    git(ws, "config", "user.name", "t")
    git(ws, "config", "user.email", "t@example.com")
    git(ws, "add", "-A")
    git(ws, "commit", "-qm", "start")


def commit_all(ws: Path, message: str = "work") -> None:
    git(ws, "add", "-A")
    git(ws, "commit", "-qm", message)


def toy_roadmap(phases: int = 4, per_phase: tuple[int, ...] = (4, 3, 4, 3), journal_words: int = 3) -> str:
    """14 milestones like the real roadmap, judged by toy validators (no learner code runs)."""
    doc = {"version": 1, "title": "Toy roadmap", "description": "for tests", "phases": []}
    n = 0
    for p in range(phases):
        ms = []
        for _ in range(per_phase[p]):
            n += 1
            ms.append(
                {
                    "id": f"M{n}",
                    "title": f"Milestone {n}",
                    "summary": f"toy milestone {n}",
                    "hints": [f"a general hint for M{n}"],
                    "criteria": [
                        {
                            "id": f"M{n}.file",
                            "text": "done.txt exists",
                            "hints": [f"hint one for M{n}", f"hint two for M{n}"],
                            "checks": [{"validator": "tests.toy_validators:FILE"}],
                        },
                        {
                            "id": f"M{n}.journal",
                            "text": "a reflection is logged",
                            "checks": [{"validator": "docs.journal", "params": {"min_words": journal_words}}],
                        },
                    ],
                }
            )
        doc["phases"].append(
            {"id": f"phase-{p + 1}", "title": f"Phase {p + 1}", "description": "toy phase", "milestones": ms}
        )
    return yaml.safe_dump(doc, sort_keys=False)


def toy_workspace(tmp_path: Path, *, git_repo: bool = True) -> Path:
    ws = tmp_path / "ws"
    source = tmp_path / "toy_roadmap.yaml"
    source.write_text(toy_roadmap())
    res = cli("init", str(ws), "--roadmap", str(source))
    assert res.code == 0, res.err
    if git_repo:
        init_repo(ws)
    return ws
