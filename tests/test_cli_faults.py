"""Through `llmpath check`: hostile learner code gives clear errors and leaves the progress file intact."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from llmpath.errors import EXIT_CHECK_FAILED
from tests.clihelp import cli, toy_workspace

HOSTILE = '''
import ctypes, os, sys
def answer(): return 42
def hang():
    while True: pass
def huge():
    import numpy as np
    return np.ones(int(20e9 / 8)).sum()
def segfault(): return ctypes.string_at(0)
def hard_exit(): os._exit(0)
def flood():
    print("x" * 10_000_000)
    return 41
def cheat():
    import numpy as np
    np.allclose = lambda *a, **k: True
    return [9.0] * 5
'''


def test_hostile_code_gives_errors_and_progress_survives(tmp_path: Path):
    ws = toy_workspace(tmp_path, git_repo=False)
    roadmap = yaml.safe_load((ws / "roadmap.yaml").read_text())
    m1 = roadmap["phases"][0]["milestones"][0]
    faults = ["answer", "hang", "huge", "segfault", "hard_exit", "flood"]
    m1["criteria"] = [
        {
            "id": f"M1.{fn}",
            "text": f"{fn} behaves",
            "checks": [
                {"validator": "tests.toy_validators:ANSWER", "params": {"function": fn}, "timeout": 3, "memory_mb": 700}
            ],
        }
        for fn in faults
    ] + [
        {
            "id": "M1.cheat",
            "text": "cheat",
            "checks": [{"validator": "tests.toy_validators:VECTOR", "params": {"function": "cheat"}}],
        }
    ]
    (ws / "roadmap.yaml").write_text(yaml.safe_dump(roadmap, sort_keys=False))
    (ws / "milestones" / "M1" / "toy.py").write_text(HOSTILE)
    res = cli("check", "M1", "--json", cwd=ws)
    assert res.code == EXIT_CHECK_FAILED
    doc = json.loads(res.out)
    got = {c["id"]: (c["status"], c["checks"][0]["summary"]) for c in doc["criteria"]}
    assert got["M1.answer"][0] == "passed"
    assert got["M1.hang"][0] == "error" and "time limit" in got["M1.hang"][1]
    assert got["M1.huge"][0] == "error" and "memory" in got["M1.huge"][1]
    assert got["M1.segfault"][0] == "error" and "segmentation fault" in got["M1.segfault"][1]
    assert got["M1.hard_exit"][0] == "error" and "before returning a result" in got["M1.hard_exit"][1]
    assert got["M1.flood"][0] == "failed"
    assert got["M1.cheat"][0] == "failed"
    progress = json.loads((ws / ".llmpath" / "progress.json").read_text())
    assert progress["milestones"]["M1"]["checks"]["M1.answer"]["status"] == "passed"
    assert progress["milestones"]["M1"]["checks"]["M1.hang"]["status"] == "error"
    status = cli("status", "--json", cwd=ws)
    assert status.code == 0 and json.loads(status.out)["current"] == "M1"
