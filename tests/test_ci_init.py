"""``llmpath ci init``: the workflows parse as YAML, and their llmpath commands run here as CI would run them."""

from __future__ import annotations

import os
import shlex
from pathlib import Path

import yaml
from junitparser import JUnitXml

from llmpath.errors import EXIT_CHECK_FAILED, EXIT_OK, EXIT_USAGE
from tests.clihelp import Run, cli, init_repo
from tests.verifyhelp import copy_workspace, pin

SPEC = "llmpath @ git+https://example.org/course/llmpath@v0.1.0"


def _load(path: Path) -> dict:
    doc = yaml.safe_load(path.read_text())
    doc["on"] = doc.pop(True, doc.get("on"))  # YAML 1.1 reads the bare key `on` as a boolean
    return doc


def _llmpath_lines(step: dict) -> list[list[str]]:
    """The llmpath commands of a `run:` step, split as bash would split them."""
    return [shlex.split(line) for line in step.get("run", "").splitlines() if line.strip().startswith("llmpath ")]


def _run_here(argv: list[str], cwd: Path, env: dict[str, str]) -> Run:
    """Run an llmpath command line of the workflow in-process, with the variables CI would set."""
    assert argv[0] == "llmpath"
    return cli(*[os.path.expandvars(a) if a.startswith("$") else a for a in argv[1:]], cwd=cwd)


def test_the_workflow_installs_a_cpu_torch_and_runs_verify_with_a_junit_report(verified_workspace, tmp_path):
    ws = copy_workspace(verified_workspace, tmp_path)
    res = cli("ci", "init", "--install", SPEC, cwd=ws)
    assert res.code == EXIT_OK, res.err
    path = ws / ".github" / "workflows" / "llmpath.yml"
    assert "git push --follow-tags" in res.out and f"accepts the roadmap(s) with sha256 {pin(ws)[:12]}" in res.out
    flow = _load(path)
    assert set(flow["on"]) >= {"push", "pull_request"}
    job = flow["jobs"]["verify"]
    steps = job["steps"]
    assert steps[0]["uses"].startswith("actions/checkout@") and steps[0]["with"]["fetch-depth"] == 0
    install = next(s["run"] for s in steps if "pip install" in s.get("run", ""))
    assert "pip install torch --index-url https://download.pytorch.org/whl/cpu" in install
    assert install.index("whl/cpu") < install.index(SPEC)  # the CPU torch first: llmpath's own pin is satisfied
    (command,) = [c for s in steps for c in _llmpath_lines(s)]
    assert command[:4] == ["llmpath", "verify", "--junit", "llmpath-report.xml"]
    assert command[-2:] == ["--roadmap-sha256", pin(ws)]  # an instructor's roadmap is pinned by itself
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["if"] == "always()" and upload["with"]["path"] == "llmpath-report.xml"
    assert any(s.get("uses", "").startswith("mikepenz/action-junit-report@") for s in steps)
    # the llmpath command, run here as CI runs it
    summary = tmp_path / "summary.md"
    os.environ["GITHUB_STEP_SUMMARY"] = str(summary)
    try:
        res = _run_here(command, ws / job["defaults"]["run"]["working-directory"], dict(os.environ))
    finally:
        del os.environ["GITHUB_STEP_SUMMARY"]
    assert res.code == EXIT_OK, res.out + res.err
    xml = JUnitXml.fromfile(str(ws / upload["with"]["path"]))
    assert xml.tests == 8 + 5 and xml.failures == xml.errors == 0
    assert "**4/4 milestones verified** (4/14 complete)" in summary.read_text()
    # never overwritten without --force
    path.write_text("# mine\n")
    res = cli("ci", "init", cwd=ws)
    assert res.code == EXIT_USAGE and "exists already" in res.err and path.read_text() == "# mine\n"
    assert cli("ci", "init", "--force", "--install", SPEC, cwd=ws).code == EXIT_OK
    assert "llmpath verify" in path.read_text()


def test_a_workspace_inside_a_larger_repository(tmp_path):
    top = tmp_path / "repo"
    assert cli("init", str(top / "course" / "ws")).code == EXIT_OK
    init_repo(top)
    res = cli("ci", "init", "--install", SPEC, "--python", "3.11", cwd=top / "course" / "ws")
    assert res.code == EXIT_OK, res.err
    flow = _load(top / ".github" / "workflows" / "llmpath.yml")
    job = flow["jobs"]["verify"]
    assert job["defaults"]["run"]["working-directory"] == "course/ws"
    assert next(s for s in job["steps"] if "setup-python" in s.get("uses", ""))["with"]["python-version"] == "3.11"
    upload = next(s for s in job["steps"] if "upload-artifact" in s.get("uses", ""))
    assert upload["with"]["path"] == "course/ws/llmpath-report.xml"
    (command,) = [c for s in job["steps"] for c in _llmpath_lines(s)]
    assert "--roadmap-sha256" not in command  # the built-in curriculum needs no pin
    res = _run_here([a for a in command if "GITHUB" not in a and a != "--summary"], top / "course" / "ws", {})
    assert res.code == EXIT_OK and "nothing to verify" in res.out
    assert JUnitXml.fromfile(str(top / upload["with"]["path"])).tests == 5


def test_classroom_autograding_gives_a_point_per_verified_milestone(verified_workspace, tmp_path):
    ws = copy_workspace(verified_workspace, tmp_path)
    res = cli("ci", "init", "--classroom", "--install", SPEC, cwd=ws)
    assert res.code == EXIT_OK, res.err
    flow = _load(ws / ".github" / "workflows" / "classroom.yml")
    job = flow["jobs"]["run-autograding-tests"]
    grader = "classroom-resources/autograding-command-grader@"
    graders = [s for s in job["steps"] if s.get("uses", "").startswith(grader)]
    assert [g["id"] for g in graders] == [f"m{n}" for n in range(1, 15)]
    assert all(g["with"]["max-score"] == 1 for g in graders)
    reporter = job["steps"][-1]
    assert reporter["uses"].startswith("classroom-resources/autograding-grading-reporter@")
    assert reporter["with"]["runners"] == ",".join(g["id"] for g in graders)
    assert reporter["env"]["M2_RESULTS"] == "${{steps.m2.outputs.result}}"
    by_id = {g["id"]: shlex.split(g["with"]["command"]) for g in graders}
    assert _run_here(by_id["m2"], ws, {}).code == EXIT_OK  # verified: the point
    res = _run_here(by_id["m5"], ws, {})
    assert res.code == EXIT_CHECK_FAILED and "M5 is not recorded as complete" in res.out  # no point


def test_the_install_source_is_checked_and_defaults_to_this_llmpath(tmp_path):
    ws = tmp_path / "ws"
    assert cli("init", str(ws), "--git").code == EXIT_OK
    res = cli("ci", "init", "--install", 'llmpath"; curl evil', cwd=ws)
    assert res.code == EXIT_USAGE and "without quotes" in res.err
    assert cli("ci", "init", "--python", "3", cwd=ws).code == EXIT_USAGE
    res = cli("ci", "init", cwd=ws)
    assert res.code == EXIT_OK, res.err
    text = (ws / ".github" / "workflows" / "llmpath.yml").read_text()
    # an editable or local install cannot be reached from CI: a pinned version and a warning instead
    assert 'pip install "llmpath @ git+' in text or ('pip install "llmpath==' in text and "--install" in res.out)
