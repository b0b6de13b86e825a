"""What a learner sees at a real terminal (a pseudo-terminal, through pexpect): watch's keys, prompts, Ctrl-C.

Each test runs ``python -m llmpath`` in a toy workspace whose checks read files only, so a run takes
well under a second and the waits below are for the terminal, not for the judge.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from llmpath.errors import EXIT_DECLINED, EXIT_INTERRUPTED
from tests.clihelp import cli, commit_all, toy_workspace

pexpect = pytest.importorskip("pexpect")
ROOT = Path(__file__).resolve().parent.parent


def _spawn(ws: Path, *args: str, **env: str):
    base = {k: v for k, v in os.environ.items() if k not in ("EDITOR", "VISUAL")}
    full = {**base, "COLUMNS": "160", "LINES": "50", "PYTHONPATH": str(ROOT), **env}
    return pexpect.spawn(sys.executable, ["-m", "llmpath", *args], cwd=str(ws), env=full, encoding="utf-8",
                         timeout=30, dimensions=(50, 160))


def test_watch_keys_hint_rerun_unlock_and_quit(tmp_path):
    ws = toy_workspace(tmp_path)
    child = _spawn(ws, "watch")
    try:
        child.expect("run 1")
        child.expect("done.txt is missing")
        child.expect("h.* hint .*r.* re-run .*q.* quit")
        child.expect("watching milestones/M1, experiments_log.md, learning_journal.md")
        child.send("h")
        child.expect("hint one for M1")  # the first failing criterion's hint
        (ws / "milestones" / "M1" / "done.txt").write_text("x")
        child.expect("\x1b\\[2J")  # rich's clear: each run starts on a clean screen
        child.expect("run 2")
        child.expect("watching")
        with pytest.raises(pexpect.TIMEOUT):  # llmpath's own checklist tick does not trigger a second run
            child.expect("run 3", timeout=1.5)
        assert cli("log", "journal", "-m", "M1", "three words here", cwd=ws).code == 0  # another terminal
        child.expect("run 3")  # the journal is watched too
        child.expect("All 2 criteria of M1 passed")
        child.expect("git add milestones/M1 .*&& git commit -m 'M1: Milestone 1'")  # the exact command
        child.expect("u.* unlock now")
        child.expect("watching")
        child.send("u")
        child.expect("uncommitted changes")  # refused, and says how to commit
        commit_all(ws)
        child.send("u")
        child.expect("M1 complete")
        child.expect("unlocked M2")
        child.expect("run 4")  # on to the next milestone
        child.expect("M2 · Milestone 2")
        child.expect("watching milestones/M2")
        child.send("r")
        child.expect("run 5")
        child.expect("watching")
        child.send("q")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0


def test_ctrl_c_prints_interrupted_and_exits_130(tmp_path):
    ws = toy_workspace(tmp_path)
    child = _spawn(ws, "watch")
    try:
        child.expect("watching")
        child.sendintr()
        child.expect("interrupted")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == EXIT_INTERRUPTED


def test_answering_no_to_reset_exits_1(tmp_path):
    ws = toy_workspace(tmp_path)
    child = _spawn(ws, "reset", "M1")
    try:
        child.expect(r"\[y/N\]")
        child.sendline("n")
        child.expect("nothing was reset")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == EXIT_DECLINED
    assert (ws / "milestones" / "M1" / "README.md").is_file()


def test_journal_without_an_editor_reads_the_terminal(tmp_path):
    ws = toy_workspace(tmp_path)
    child = _spawn(ws, "log", "journal", "-m", "M1")
    try:
        child.expect("No \\$VISUAL or \\$EDITOR is set")
        child.expect("Ctrl-D")
        child.send("typed at the terminal\r")
        time.sleep(0.2)
        child.sendeof()
        child.expect("logged J0001")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
    assert "typed at the terminal" in (ws / "learning_journal.md").read_text()


def test_a_long_check_shows_which_check_runs_and_what_it_is_doing(tmp_path):
    ws = toy_workspace(tmp_path, git_repo=False)
    roadmap = ws / "roadmap.yaml"
    roadmap.write_text(roadmap.read_text().replace("tests.toy_validators:FILE", "tests.toy_validators:SLOW", 1))
    child = _spawn(ws, "check", "M1")
    try:
        child.expect("M1.file: step [23] of 3")  # after a second: the criterion and what its probe says
        child.expect("0/2|1/2")  # how far the run is
        child.expect("slow, but done")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
