"""Attacks on the record (progress, roadmap, completion) through the CLI: each is refused or detected.

See README.md, "Threat model". Each of these completed a milestone, showed a false status or crashed
llmpath (exit 3) before.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from llmpath.errors import EXIT_CHECK_FAILED, EXIT_GATE, EXIT_OK, EXIT_USAGE
from tests.clihelp import cli, commit_all, init_repo, toy_roadmap

FORGE = '''
import json, os
_p = os.path.join({ws!r}, ".llmpath", "progress.json")
_doc = json.load(open(_p))
for _i in range(1, 15):
    _doc["milestones"].setdefault(f"M{{_i}}", {{}})["completed_at"] = "2026-01-01T00:00:00Z"
json.dump(_doc, open(_p, "w"))
'''


def code_workspace(tmp_path: Path, validator: str = "tests.toy_validators:ANSWER", toy: str = "") -> Path:
    """A toy workspace whose M1.file criterion runs ``validator`` on milestones/M1/toy.py."""
    doc = yaml.safe_load(toy_roadmap())
    doc["phases"][0]["milestones"][0]["criteria"][0]["checks"] = [{"validator": validator, "timeout": 5}]
    source = tmp_path / "roadmap.yaml"
    source.write_text(yaml.safe_dump(doc, sort_keys=False))
    ws = tmp_path / "ws"
    assert cli("init", str(ws), "--roadmap", str(source)).code == 0
    (ws / "milestones" / "M1" / "toy.py").write_text(toy or "def answer():\n    return 42\n")
    cli("log", "journal", "-m", "M1", "three words here", cwd=ws)
    init_repo(ws)
    return ws


def _progress(ws: Path) -> dict:
    return json.loads((ws / ".llmpath" / "progress.json").read_text())


def test_state_written_by_the_learners_code_is_refused_and_the_true_state_kept(tmp_path):
    ws = tmp_path / "ws"
    toy = FORGE.format(ws=str(ws)) + "\ndef answer():\n    return 42\n"
    ws = code_workspace(tmp_path, toy=toy)
    res = cli("check", "M1", cwd=ws)
    assert "was changed while llmpath was running, and not by llmpath" in res.err
    assert "the change was refused" in res.err
    assert json.loads(cli("status", "--json", cwd=ws).out)["completed"] == 0
    assert _progress(ws)["milestones"]["M1"].get("completed_at") is None
    commit_all(ws)
    res = cli("unlock", "next", cwd=ws)  # no completion comes from a run that wrote llmpath's state
    assert res.code == EXIT_GATE and "cannot be completed from this run" in res.err
    assert json.loads(cli("status", "--json", cwd=ws).out)["completed"] == 0


def test_a_process_left_behind_cannot_rewrite_the_state_later(tmp_path):
    ws = tmp_path / "ws"
    forge = FORGE.format(ws=str(ws)).replace("\n", "\n    ")
    toy = (f"import os, time\ndef _forge():\n    {forge}\n"
           "def answer():\n    if os.fork() == 0:\n        os.setsid()\n        time.sleep(1.0)\n"
           "        _forge()\n        os._exit(0)\n    return 42\n")
    ws = code_workspace(tmp_path, toy=toy)
    res = cli("check", "M1", cwd=ws)
    assert res.code == EXIT_OK
    assert "your code left 1 process running; it was stopped" in res.out
    before = (ws / ".llmpath" / "progress.json").read_bytes()
    time.sleep(1.5)
    assert (ws / ".llmpath" / "progress.json").read_bytes() == before
    assert json.loads(cli("status", "--json", cwd=ws).out)["completed"] == 0


def test_completion_is_judged_again_on_a_fresh_seed(tmp_path):
    memorised = "def double(x):\n    return {22: 44}.get(x)\n"  # seed 7 -> x = 22
    ws = code_workspace(tmp_path, "tests.toy_validators:DOUBLE", memorised)
    assert json.loads(cli("check", "M1", "--seed", "7", "--json", cwd=ws).out)["status"] == "passed"
    commit_all(ws)
    res = cli("unlock", "next", cwd=ws)
    assert res.code == EXIT_GATE and "judged now, on seed" in res.err
    assert json.loads(cli("status", "--json", cwd=ws).out)["completed"] == 0
    (ws / "milestones" / "M1" / "toy.py").write_text("def double(x):\n    return 2 * x\n")
    commit_all(ws)
    res = cli("unlock", "next", "--json", cwd=ws)
    assert res.code == EXIT_OK, res.err
    seed = json.loads(res.out)["seed"]
    state = _progress(ws)["milestones"]["M1"]
    assert state["seed"] == seed and state["roadmap"] and state["fingerprint"]  # reproducible: check --seed


def test_a_hand_edited_record_is_refused_by_every_command(tmp_path):
    ws = code_workspace(tmp_path, toy="def answer():\n    return 41\n")
    cli("check", "M1", cwd=ws)
    commit_all(ws)
    path = ws / ".llmpath" / "progress.json"
    doc = _progress(ws)
    doc["milestones"]["M1"]["checks"]["M1.file"]["status"] = "passed"  # the right fingerprint is kept
    path.write_text(json.dumps(doc))
    for args in (["status"], ["status", "--json"], ["check", "M1"], ["unlock", "next"], ["hint", "M1"]):
        res = cli(*args, cwd=ws)
        assert res.code == EXIT_USAGE, (args, res.out, res.err)
        assert "seal: does not match the contents" in res.err and "git checkout" in res.err, args
        assert "milestones.M1.checks.M1.file.status: 'failed' -> 'passed' since the last commit" in res.err
    assert path.read_text() == json.dumps(doc)  # never reset silently


@pytest.mark.parametrize(
    "edit, words",
    [
        (lambda d: d["milestones"]["M1"].__setitem__("completed_at", "yesterday"), "milestones.M1.completed_at"),
        (lambda d: d["milestones"]["M1"].__setitem__("completed_at", 5), "milestones.M1.completed_at: 5"),
        (lambda d: d.__setitem__("version", 7), "written by a newer llmpath"),
        (lambda d: d["milestones"]["M1"].__setitem__("hints_revealed", 10**4000), "hints_revealed"),
        (lambda d: d["milestones"]["M1"].__setitem__("checks", {"x": []}), "milestones.M1.checks.x"),
    ],
)
def test_inconsistent_state_is_exit_2_naming_what_is_wrong(tmp_path, edit, words):
    ws = code_workspace(tmp_path)
    cli("check", "M1", cwd=ws)
    doc = _progress(ws)
    edit(doc)
    (ws / ".llmpath" / "progress.json").write_text(json.dumps(doc))
    for args in (["status"], ["unlock", "next"], ["check", "--all"]):
        res = cli(*args, cwd=ws)
        assert res.code == EXIT_USAGE, (args, res.err)
        assert words in res.err, (args, res.err)
    # the instant path applies the same rules: it declines, and the full path reports
    from llmpath.cli.fast import fast_status

    cli("status", cwd=ws)
    old = Path.cwd()
    import os

    os.chdir(ws)
    try:
        assert fast_status([]) is None
    finally:
        os.chdir(old)


@pytest.mark.parametrize("raw", [b"[" * 200_000 + b"]" * 200_000, b'{"version": ' + b"9" * 5000 + b"}",
                                 b'{"version": 2, "milestones": {}, "seal": 1e999}'])
def test_deeply_nested_or_huge_numbers_are_exit_2(tmp_path, raw):
    ws = code_workspace(tmp_path)
    (ws / ".llmpath" / "progress.json").write_bytes(raw)
    res = cli("status", cwd=ws)
    assert res.code == EXIT_USAGE and "progress.json" in res.err


def test_a_trimmed_roadmap_is_named_and_unlock_refuses_until_accepted(tmp_path):
    ws = code_workspace(tmp_path, toy="def answer():\n    return 41\n")  # M1.file fails
    roadmap = ws / "roadmap.yaml"
    doc = yaml.safe_load(roadmap.read_text())
    m1 = doc["phases"][0]["milestones"][0]
    m1["criteria"] = [c for c in m1["criteria"] if c["id"] == "M1.journal"]  # only the journal is left
    roadmap.write_text(yaml.safe_dump(doc, sort_keys=False))
    commit_all(ws)
    status = json.loads(cli("status", "--json", cwd=ws).out)
    assert status["roadmap_changes"]["removed"] == ["M1.file"]
    assert "roadmap accept" in status["next"]["command"]
    assert "criteria removed: M1.file" in cli("status", cwd=ws).out
    res = cli("unlock", "next", cwd=ws)
    assert res.code == EXIT_GATE and "criteria removed: M1.file" in res.err
    assert cli("roadmap", "accept", "--reason", "", cwd=ws).code == EXIT_USAGE  # a reason is required
    assert cli("roadmap", "accept", "--reason", "instructor dropped M1.file", cwd=ws).code == EXIT_OK
    log = _progress(ws)["roadmap_log"]
    assert log[0]["removed"] == ["M1.file"] and log[0]["reason"] == "instructor dropped M1.file"
    commit_all(ws)
    assert cli("unlock", "next", cwd=ws).code == EXIT_OK  # judged against the accepted roadmap
    assert "instructor dropped M1.file" in cli("roadmap", "diff", cwd=ws).out


def test_the_built_in_curriculum_is_compared_with_llmpaths_own(tmp_path):
    ws = tmp_path / "ws"
    assert cli("init", str(ws)).code == 0
    roadmap = ws / "roadmap.yaml"
    doc = yaml.safe_load(roadmap.read_text())
    m1 = doc["phases"][0]["milestones"][0]
    m1["criteria"] = [c for c in m1["criteria"] if c["id"] == "M1.journal"]
    roadmap.write_text(yaml.safe_dump(doc, sort_keys=False))
    status = json.loads(cli("status", "--json", cwd=ws).out)
    assert status["roadmap_changes"]["against"] == "llmpath's built-in curriculum"
    assert "M1.gradient" in status["roadmap_changes"]["removed"]
    res = cli("check", "--all", "--json", cwd=ws)
    assert "M1.gradient" in json.loads(res.out)["roadmap_changes"]["removed"]


def test_llmpath_never_imports_from_the_workspace(tmp_path):
    ws = code_workspace(tmp_path)
    marker = tmp_path / "shadowed.txt"
    for name in ("yaml", "filelock", "git", "winreg", "psutil", "rich", "typer", "pydantic", "numpy"):
        (ws / f"{name}.py").write_text(f"open({str(marker)!r}, 'a').write({name!r} + '\\n')\n")
    for args in (["status"], ["check", "M1"]):
        proc = subprocess.run([sys.executable, "-m", "llmpath", *args], cwd=ws, capture_output=True, text=True)
        assert proc.returncode in (EXIT_OK, EXIT_CHECK_FAILED), proc.stderr
    assert not marker.exists(), marker.read_text()


def test_the_seal_covers_everything_but_itself():
    from llmpath.workspace import state_doc

    doc = {"version": 2, "milestones": {}}
    doc["seal"] = state_doc.seal_of(doc)
    assert state_doc.parse(json.dumps(doc).encode()) == doc
    doc["milestones"]["M1"] = {"hints_revealed": 3}
    with pytest.raises(state_doc.Problems, match="seal: does not match"):
        state_doc.parse(json.dumps(doc).encode())


def test_the_workspaces_git_configuration_runs_nothing_when_llmpath_asks_git(tmp_path):
    ws = code_workspace(tmp_path)
    marker = tmp_path / "ran.txt"
    subprocess.run(["git", "config", "core.fsmonitor", f"touch {marker}; false"], cwd=ws, check=True)
    for args in (["check", "M1"], ["log", "journal", "-m", "M1", "a few more words"]):
        cli(*args, cwd=ws)
    assert not marker.exists()
