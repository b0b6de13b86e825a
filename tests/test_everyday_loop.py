"""The learner's everyday loop through the CLI: evidence in git, hints, retractions, the small things.

Toy workspaces (no learner code runs unless a test says so) keep these fast; the terminal-only
behaviours (watch's keys, prompts, Ctrl-C) are in ``test_terminal.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys

from llmpath.errors import EXIT_CHECK_FAILED, EXIT_GATE, EXIT_OK, EXIT_USAGE
from tests.clihelp import cli, commit_all, git, toy_workspace


def _done(ws, mid: str = "M1") -> None:
    (ws / "milestones" / mid / "done.txt").write_text("done\n")
    assert cli("log", "journal", "-m", mid, f"what I learned in {mid}", cwd=ws).code == EXIT_OK


# 1. Commits and evidence


def test_init_git_commits_the_fresh_workspace(tmp_path):
    res = cli("init", str(tmp_path / "ws"), "--git")
    assert res.code == EXIT_OK, res.err
    ws = tmp_path / "ws"
    assert "committed as" in res.out
    assert git(ws, "status", "--porcelain") == ""
    files = git(ws, "ls-files").split()
    assert {"roadmap.yaml", ".llmpath/progress.json", "learning_journal.md", "milestones/M1/README.md"} <= set(files)


def test_a_check_that_changes_no_result_leaves_tracked_files_alone(tmp_path):
    ws = toy_workspace(tmp_path)
    (ws / "milestones" / "M1" / "done.txt").write_text("x")
    assert cli("check", "M1", cwd=ws).code == EXIT_CHECK_FAILED  # the journal is missing
    commit_all(ws, "work and its record")
    for _ in range(2):
        cli("check", "M1", cwd=ws)
        assert git(ws, "status", "--porcelain") == ""  # no timestamp churn in progress.json
    status = json.loads(cli("status", "--json", cwd=ws).out)
    assert status["phases"][0]["milestones"][0]["last_check_at"]  # the time of the last run is still known
    assert (ws / ".llmpath" / "cache" / "last_checks.json").is_file()
    assert ".llmpath/cache/" in (ws / ".gitignore").read_text()


def test_the_suggested_commit_makes_unlock_leave_a_clean_tree_and_a_tag_with_the_evidence(tmp_path):
    ws = toy_workspace(tmp_path)
    _done(ws)
    res = cli("check", "M1", "--json", cwd=ws)
    command = json.loads(res.out)["next"]["command"]
    assert command.startswith("git add ") and command.endswith(" && llmpath unlock next")
    for path in ("milestones/M1", "learning_journal.md", ".llmpath/progress.json"):
        assert path in command
    refused = cli("unlock", "next", cwd=ws)
    assert refused.code == EXIT_GATE and command in refused.err  # the refusal gives the same command
    subprocess.run(command.removesuffix(" && llmpath unlock next"), shell=True, cwd=ws, check=True,
                   capture_output=True)
    judged = git(ws, "rev-parse", "HEAD").strip()
    res = cli("unlock", "next", "--json", cwd=ws)
    assert res.code == EXIT_OK, res.err
    doc = json.loads(res.out)
    assert doc["commit"] == judged and doc["tag"] == "llmpath/M1" and doc["records_commit"]
    assert git(ws, "status", "--porcelain") == ""
    assert git(ws, "rev-parse", "llmpath/M1^{commit}").strip() == doc["records_commit"]
    tagged = json.loads(git(ws, "show", "llmpath/M1:.llmpath/progress.json"))["milestones"]["M1"]
    assert tagged["completed_at"] and tagged["commit"] == judged
    assert {c["status"] for c in tagged["checks"].values()} == {"passed"}
    assert "what I learned in M1" in git(ws, "show", "llmpath/M1:learning_journal.md")
    assert "done.txt" in git(ws, "ls-tree", "-r", "--name-only", "llmpath/M1", "milestones/M1")


def test_unlock_no_commit_leaves_the_records_to_the_learner(tmp_path):
    ws = toy_workspace(tmp_path)
    _done(ws)
    commit_all(ws)
    doc = json.loads(cli("unlock", "next", "--no-commit", "--json", cwd=ws).out)
    assert doc["records_commit"] is None and doc["tag"] == "llmpath/M1"
    assert ".llmpath/progress.json" in git(ws, "status", "--porcelain")


# 3. Hints tied to criteria: tests/test_cli_commands.py::test_hint_follows_the_first_failing_criterion


# 6. init inside a workspace


def test_init_inside_a_workspace_is_refused_unless_forced(tmp_path):
    ws = toy_workspace(tmp_path)
    res = cli("init", str(ws / "milestones" / "inner"))
    assert res.code == EXIT_USAGE and str(ws) in res.err and "--force" in res.err
    assert not (ws / "milestones" / "inner").exists()
    assert cli("init", str(ws / "milestones" / "inner"), "--force").code == EXIT_OK


# 7. Retractions


def test_a_retracted_entry_stops_counting_and_its_words_stay(tmp_path):
    ws = toy_workspace(tmp_path)
    (ws / "milestones" / "M1" / "done.txt").write_text("x")
    res = cli("log", "journal", "-m", "M2", "meant for M1 really", cwd=ws)
    assert res.code == EXIT_OK and "M2 is locked" in res.err  # a warning, not a refusal
    assert cli("log", "journal", "-m", "M1", "three words here", cwd=ws).code == EXIT_OK
    assert cli("check", "M1", cwd=ws).code == EXIT_OK
    res = cli("log", "retract", "J0002", "--reason", "a test entry", cwd=ws)
    assert res.code == EXIT_OK and "R0001" in res.out
    assert cli("check", "M1", cwd=ws).code == EXIT_CHECK_FAILED  # the journal criterion no longer passes
    doc = json.loads(cli("log", "list", "--json", cwd=ws).out)
    assert [e["id"] for e in doc["journal"]] == ["J0001"]
    assert doc["retracted"][0]["entry"] == "J0002" and doc["retracted"][0]["reason"] == "a test entry"
    text = (ws / "learning_journal.md").read_text()
    assert "three words here" in text and "Retracts J0002" in text
    again = cli("log", "retract", "J0002", "--reason", "twice", cwd=ws)
    assert again.code == EXIT_USAGE and "already retracted by R0001" in again.err
    assert cli("log", "retract", "E0042", "--reason", "x", cwd=ws).code == EXIT_USAGE


# 9. Small things


def test_version_and_json_errors(tmp_path):
    from llmpath import __version__

    res = cli("--version")
    assert res.code == EXIT_OK and res.out.strip() == f"llmpath {__version__}"
    res = cli("status", "--json", cwd=tmp_path)  # not a workspace
    assert res.code == EXIT_USAGE
    doc = json.loads(res.out)
    assert doc["error"]["exit_code"] == EXIT_USAGE and "roadmap.yaml" in doc["error"]["message"]
    ws = toy_workspace(tmp_path)
    doc = json.loads(cli("check", "M3", "--json", cwd=ws).out)  # locked: a gate
    assert doc["error"]["exit_code"] == EXIT_GATE and doc["error"]["missing"]
    doc = json.loads(cli("check", "--json", "--nope", cwd=ws).out)  # bad usage, from click
    assert doc["error"]["exit_code"] == EXIT_USAGE and "--nope" in doc["error"]["message"]


def test_help_shows_no_placeholder_after_flags():
    res = cli("check", "--help")
    assert res.code == EXIT_OK and "--preview" in res.out
    assert "<bool>" not in res.out and "<int>" in res.out  # flags take no value; --seed does


def test_piped_output_is_not_wrapped_at_80_columns(tmp_path):
    ws = toy_workspace(tmp_path)
    env = {k: v for k, v in __import__("os").environ.items() if k != "COLUMNS"}
    proc = subprocess.run([sys.executable, "-m", "llmpath", "check", "M1"], cwd=ws, capture_output=True, text=True,
                          env=env)
    long_lines = [line for line in proc.stdout.splitlines() if len(line) > 80]
    assert long_lines, proc.stdout  # e.g. the journal check's advice, on one line
    assert "llmpath log journal --milestone M1" in proc.stdout


def test_a_passing_check_prints_the_next_command(tmp_path):
    ws = toy_workspace(tmp_path)
    _done(ws)
    commit_all(ws)
    cli("check", "M1", cwd=ws)
    commit_all(ws)  # the record too
    res = cli("check", "M1", cwd=ws)
    assert res.code == EXIT_OK and "next: llmpath unlock next" in res.out
    failing = cli("check", "M2", "--preview", cwd=ws)
    assert "next:" not in failing.out  # a preview records nothing and suggests nothing


# 13. No dead ends


def test_status_and_unlock_say_where_the_path_ends(tmp_path):
    ws = toy_workspace(tmp_path)
    roadmap = ws / "roadmap.yaml"
    text = roadmap.read_text()
    roadmap.write_text(text.replace("tests.toy_validators:FILE", "tests.toy_validators:FUTURE").replace(
        "tests.toy_validators:FUTURE", "tests.toy_validators:FILE", 1))  # M1 judged, M2 onwards not
    assert cli("roadmap", "accept", "--reason", "M2 onwards is not judged yet", cwd=ws).code == EXIT_OK
    commit_all(ws)
    _done(ws)
    commit_all(ws)
    res = cli("unlock", "next", "--json", cwd=ws)
    assert res.code == EXIT_OK, res.err
    assert "M2" in json.loads(res.out)["path_ends"]
    for args in (["status", "--json"],):
        doc = json.loads(cli(*args, cwd=ws).out)
        assert doc["current"] == "M2" and "cannot be judged" in doc["next"]["why"]
        assert doc["next"]["command"] == "llmpath check --all"
        assert [m["judged"] for m in doc["phases"][0]["milestones"][:2]] == [True, False]
    shown = subprocess.run([sys.executable, "-m", "llmpath", "status"], cwd=ws, capture_output=True, text=True)
    assert "cannot be judged" in shown.stdout and "not judged by this version yet" in shown.stdout  # instant path
    refused = cli("unlock", "next", cwd=ws)
    assert refused.code == EXIT_GATE and "path ends here" in refused.err


# 8. plot M3 prints what it measured and the command that records it


def test_plot_m3_prints_the_final_losses_and_the_log_command(tmp_path, monkeypatch):
    import shlex
    import shutil

    import llmpath.plotting.m3 as m3
    from tests.judgeutil import SOLUTIONS

    # the drawing itself is tested in test_plot_m3.py; matplotlib's import is not needed here
    monkeypatch.setattr(m3, "_draw", lambda curves, hyper, target: target.write_bytes(b"\x89PNG\r\n\x1a\n"))
    ws = toy_workspace(tmp_path, git_repo=False)
    (ws / "milestones" / "M3").mkdir()
    shutil.copy(SOLUTIONS / "M3" / "reference" / "optimizers.py", ws / "milestones" / "M3" / "optimizers.py")
    res = cli("plot", "M3", cwd=ws)
    assert res.code == EXIT_OK, res.err
    assert "wrote visualizations/M3_convergence.png" in res.out
    assert "final_loss_sgd = " in res.out and "final_loss_adam = " in res.out
    command = next(line.strip() for line in res.out.splitlines() if line.strip().startswith("llmpath log experiment"))
    assert "--visualization visualizations/M3_convergence.png" in command
    args = shlex.split(command)[1:]
    logged = cli(*args, "--json", cwd=ws)
    assert logged.code == EXIT_OK, logged.err
    entry = json.loads(logged.out)
    assert entry["milestone"] == "M3" and entry["visualization"] == "visualizations/M3_convergence.png"
    assert {"final_loss_sgd", "final_loss_momentum", "final_loss_adam"} <= set(entry["metrics"])


# 11. Every judged milestone's README states its gates the same way; M7 gives a CPU recipe


def test_milestone_readmes_state_every_gate_in_one_table():
    from llmpath.templates import template_root
    from llmpath.workspace.roadmap_yaml import load_roadmap

    roadmap = load_roadmap(template_root() / "roadmap.yaml")
    for n in range(1, 9):
        milestone = roadmap.milestone(f"M{n}")
        text = (template_root() / "milestones" / milestone.id / "README.md").read_text(encoding="utf-8")
        gates = text.split("## Gates", 1)[1].split("\n## ", 1)[0]
        assert "| criterion | passes when |" in gates, milestone.id
        for criterion in milestone.criteria:
            assert f"| `{criterion.id}` |" in gates, f"{milestone.id}'s README has no gate for {criterion.id}"
    m7 = (template_root() / "milestones" / "M7" / "README.md").read_text(encoding="utf-8")
    assert "## A recipe that passes on a CPU" in m7 and "minutes" in m7
    assert "0.398 nats/char" in m7 and "Why the judge's number differs from yours" in m7
