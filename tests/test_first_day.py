"""A learner's first day, end to end, exactly as README.md's "60-second tour" shows it.

init with git, write M1 with a bug, check (the bug is named), a hint, the fix, a reflection, the
commit that `check` suggests, unlock. Afterwards the work tree is clean and the `llmpath/M1` tag
holds the work, the logs and the recorded state that prove the completion.

The tour in the README is a transcript: every ``$ command`` line must be one of the steps below, in
order, and every output line it shows must appear in what that step printed (``…`` marks lines left
out; commit ids, timings and the workspace's path are normalized).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.clihelp import cli, git
from tests.judgeutil import SOLUTIONS, apply_bug

ROOT = Path(__file__).resolve().parent.parent
M1 = SOLUTIONS / "M1" / "reference"
REFLECTION = (
    "The gradient of the mean binary cross-entropy with respect to the logits is sigmoid(z) - y divided "
    "by N, so dw is X.T times that error and db is its sum. Summing instead of averaging made the "
    "gradient N times too large, which llmpath named at once."
)
COMMIT = (
    "git add milestones/M1 learning_journal.md .llmpath/progress.json "
    "&& git commit -m 'M1: Logistic regression from scratch'"
)


def _tour_block() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- tour:begin -->", 1)[1].split("<!-- tour:end -->", 1)[0]
    lines = block.strip().splitlines()
    assert lines[0].startswith("```") and lines[-1] == "```", "the tour is one code block"
    return lines[1:-1]


def _normalize(line: str, ws: Path) -> str:
    """The workspace's path, commit ids, timings and fingerprints differ from run to run."""
    line = line.replace(str(ws), "~/llm-path").rstrip()
    line = re.sub(r"(committed as|complete at) [0-9a-f]{7,40}", r"\1 <commit>", line)
    line = re.sub(r"\d+\.\d\d s\)", "… s)", line)
    line = re.sub(r"on seed \d+", "on seed <seed>", line)  # unlock draws a fresh one
    return re.sub(r"fingerprint [0-9a-f]{12}", "fingerprint …", line)


def _steps(ws: Path) -> list[tuple[str, Callable[[], str]]]:
    """(the command as the README shows it, what it does here and prints)."""
    buggy = apply_bug((M1 / "logistic_regression.py").read_text(), _bug("grad_sum_not_mean"))

    def run(*args: str, code: int | None = 0) -> str:
        res = cli(*args, cwd=ws)
        assert code is None or res.code == code, f"llmpath {' '.join(args)}: {res.code}\n{res.out}{res.err}"
        return res.out + res.err

    def init() -> str:
        res = cli("init", str(ws), "--git")
        assert res.code == 0, res.err
        return res.out

    def write(name: str, text: str) -> Callable[[], str]:
        return lambda: (ws / "milestones" / "M1" / name).write_text(text) and ""

    def shell(command: str) -> Callable[[], str]:
        return lambda: subprocess.run(command, shell=True, cwd=ws, check=True, capture_output=True, text=True).stdout

    return [
        ("llmpath init ~/llm-path --git && cd ~/llm-path", init),
        ("llmpath status", lambda: run("status")),
        ("$EDITOR milestones/M1/derivation.md", write("derivation.md", (M1 / "derivation.md").read_text())),
        ("$EDITOR milestones/M1/logistic_regression.py", write("logistic_regression.py", buggy)),
        ("llmpath check", lambda: run("check", code=1)),
        ("llmpath hint", lambda: run("hint")),
        ("$EDITOR milestones/M1/logistic_regression.py", write("logistic_regression.py",
                                                              (M1 / "logistic_regression.py").read_text())),
        (f'llmpath log journal "{REFLECTION}"', lambda: run("log", "journal", REFLECTION)),
        ("llmpath check", lambda: run("check")),
        (COMMIT, shell(COMMIT)),
        ("llmpath unlock next", lambda: run("unlock", "next")),
        ("git status --short", shell("git status --short")),
    ]


def _bug(name: str):
    import importlib

    bugs = importlib.import_module("tests.solutions.M1.bugs").BUGS
    return next(b for b in bugs if b.name == name)


@pytest.fixture
def identity(monkeypatch):
    """A git identity for the commits (a learner has one; a test machine may not)."""
    for who in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{who}_NAME", "Ada Learner")
        monkeypatch.setenv(f"GIT_{who}_EMAIL", "ada@example.com")


def test_first_day_as_the_readme_tour_shows_it(tmp_path, identity):
    ws = tmp_path / "llm-path"
    steps = _steps(ws)
    shown: list[tuple[str, list[str]]] = []
    for line in _tour_block():
        if line.startswith("$ "):
            shown.append((line[2:].split("  # ")[0].rstrip(), []))
        else:
            shown[-1][1].append(line)
    assert [cmd for cmd, _ in shown] == [cmd for cmd, _ in steps], "the tour's commands are the first day's"
    for (command, expected), (_, action) in zip(shown, steps):
        printed = [_normalize(line, ws) for line in (action() or "").splitlines()]
        for line in expected:
            if line.strip() != "…":
                assert _normalize(line, ws) in printed, f"`{command}` did not print {line!r}:\n" + "\n".join(printed)

    # the evidence: a clean tree, and a tag holding the work, the logs and the state that prove it
    assert git(ws, "status", "--porcelain") == ""
    state = json.loads(git(ws, "show", "llmpath/M1:.llmpath/progress.json"))["milestones"]["M1"]
    assert state["completed_at"] and state["tag"] == "llmpath/M1"
    assert state["commit"] == git(ws, "rev-parse", "llmpath/M1^{commit}~1").strip()  # the judged commit
    assert all(rec["status"] == "passed" for rec in state["checks"].values()) and len(state["checks"]) == 5
    assert REFLECTION in git(ws, "show", "llmpath/M1:learning_journal.md")
    tree = git(ws, "ls-tree", "-r", "--name-only", "llmpath/M1").split()
    assert {"milestones/M1/logistic_regression.py", "milestones/M1/derivation.md", "roadmap.yaml",
            "experiments_log.md", "milestones/M2/mlp.py"} <= set(tree)
    assert git(ws, "show", "llmpath/M1:milestones/M1/logistic_regression.py") == (
        M1 / "logistic_regression.py").read_text()
    assert shutil.which("git")
