"""Watch mode re-runs the check after a change, with file events and with polling."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from tests.clihelp import toy_workspace


@pytest.mark.parametrize("poll", [False, True])
def test_watch_rechecks_after_a_change(tmp_path, poll):
    ws = toy_workspace(tmp_path, git_repo=False)
    args = [sys.executable, "-m", "llmpath", "watch", "M1", "--max-runs", "2"] + (["--poll"] if poll else [])
    # stdin off the terminal: no keys (and no terminal mode to restore if the test kills it)
    proc = subprocess.Popen(args, cwd=ws, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env={**__import__("os").environ, "COLUMNS": "200"})
    try:
        deadline = time.monotonic() + 30
        seen = ""
        while "watching milestones/M1" not in seen and time.monotonic() < deadline:
            seen += proc.stdout.readline()
        assert "watching milestones/M1" in seen, seen
        assert "done.txt is missing" in seen
        (ws / "milestones" / "M1" / "done.txt").write_text("done")
        out, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    assert "done.txt exists" in out
