"""Each command through the CLI: output, exit codes, JSON, help."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from llmpath.errors import EXIT_GATE, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE
from tests.clihelp import cli, toy_workspace


def test_status_shows_m1_in_progress_and_the_next_command(tmp_path):
    ws = toy_workspace(tmp_path)
    res = cli("status", cwd=ws)
    assert res.code == EXIT_OK
    assert "in progress" in res.out and "locked" in res.out
    assert "llmpath check M1" in res.out
    doc = json.loads(cli("status", "--json", cwd=ws).out)
    assert doc["current"] == "M1" and doc["total"] == 14
    assert [m["state"] for p in doc["phases"] for m in p["milestones"]][:2] == ["in_progress", "locked"]


def test_status_outside_a_workspace_says_what_to_do(tmp_path):
    res = cli("status", cwd=tmp_path)
    assert res.code == EXIT_USAGE
    assert "no roadmap.yaml" in res.err and "llmpath init" in res.err


def test_unknown_milestone_is_usage_error(tmp_path):
    ws = toy_workspace(tmp_path)
    res = cli("check", "M99", cwd=ws)
    assert res.code == EXIT_USAGE and "M99" in res.err


def test_locked_check_says_what_blocks_it_and_how_to_preview(tmp_path):
    ws = toy_workspace(tmp_path)
    res = cli("check", "M3", cwd=ws)
    assert res.code == EXIT_GATE
    assert "M3" in res.err and "M1" in res.err and "--preview" in res.err


def test_crossing_a_phase_needs_the_whole_previous_phase(tmp_path):
    ws = toy_workspace(tmp_path)
    res = cli("check", "M5", cwd=ws)  # first milestone of phase 2
    assert res.code == EXIT_GATE and "opens only when phase phase-1" in res.err


def test_check_records_fingerprint_and_ticks_checklist(tmp_path):
    ws = toy_workspace(tmp_path)
    (ws / "milestones" / "M1" / "done.txt").write_text("x")
    res = cli("check", "M1", "--json", cwd=ws)
    doc = json.loads(res.out)
    assert doc["criteria"][0]["status"] == "passed" and doc["criteria"][1]["status"] == "failed"
    assert "llmpath log journal" in " ".join(
        doc["criteria"][1]["checks"][0]["details"] + [doc["criteria"][1]["checks"][0]["summary"]]
    )
    progress = json.loads((ws / ".llmpath" / "progress.json").read_text())
    rec = progress["milestones"]["M1"]["checks"]["M1.file"]
    assert rec["status"] == "passed" and rec["fingerprint"] == doc["fingerprint"]
    readme = (ws / "milestones" / "M1" / "README.md").read_text()
    assert "- [x] done.txt exists" in readme and "- [ ] a reflection is logged" in readme


def test_log_experiment_validates_fields_and_parses_back(tmp_path):
    ws = toy_workspace(tmp_path)
    (ws / "visualizations" / "curve.png").write_bytes(b"\x89PNG")
    res = cli(
        "log", "experiment", "-m", "M1", "--objective", "## not a heading", "--setup", "lr=0.1",
        "--metric", "acc=0.9", "--metric", "loss=1e-3", "--visualization", "visualizations/curve.png", "--json", cwd=ws,
    )
    assert res.code == EXIT_OK, res.err
    entry = json.loads(res.out)
    assert entry["metrics"] == {"acc": 0.9, "loss": 0.001}
    listed = json.loads(cli("log", "list", "--json", cwd=ws).out)["experiments"]
    assert listed[0]["objective"] == "## not a heading"
    # non-interactive and missing fields -> exit 2
    assert cli("log", "experiment", "--setup", "x", "--metric", "a=1", cwd=ws).code == EXIT_USAGE
    assert cli("log", "experiment", "--objective", "o", "--setup", "x", "--metric", "a=b", cwd=ws).code == EXIT_USAGE
    res = cli(
        "log",
        "experiment",
        "--objective",
        "o",
        "--setup",
        "s",
        "--metric",
        "a=1",
        "--visualization",
        "../x.png",
        cwd=ws,
    )
    assert res.code == EXIT_USAGE


def test_log_journal_reads_stdin(tmp_path):
    ws = toy_workspace(tmp_path)
    res = cli("log", "journal", "-", cwd=ws, stdin="from stdin\n## with a heading line\n")
    assert res.code == EXIT_OK, res.err
    entries = json.loads(cli("log", "list", "--kind", "journal", "--json", cwd=ws).out)["journal"]
    assert entries[0]["text"].startswith("from stdin\n## with a heading line")
    assert cli("log", "journal", cwd=ws).code == EXIT_USAGE  # no text, not interactive


def test_hints_are_revealed_one_at_a_time(tmp_path):
    ws = toy_workspace(tmp_path)
    first = cli("hint", "M1", cwd=ws)
    assert "hint one for M1" in first.out and "hint two" not in first.out
    second = cli("hint", cwd=ws)  # the milestone in progress
    assert "hint one" in second.out and "hint two for M1" in second.out
    third = cli("hint", "M1", cwd=ws)
    assert "every hint for M1.file" in third.out
    assert cli("hint", "M2", cwd=ws).code == EXIT_GATE


def test_hint_follows_the_first_failing_criterion(tmp_path):
    """With only the journal failing, `hint` speaks of the journal, not of the code's hints."""
    ws = toy_workspace(tmp_path)
    (ws / "milestones" / "M1" / "done.txt").write_text("x")
    cli("check", "M1", cwd=ws)
    res = cli("hint", cwd=ws)
    assert res.code == EXIT_OK
    assert "M1.journal" in res.out and "hint one" not in res.out and "general hint" not in res.out
    assert "no reflection for M1" in res.out and "llmpath log journal" in res.out  # judged afresh: what it needs
    named = cli("hint", "M1.file", cwd=ws)
    assert "hint one for M1" in named.out
    every = cli("hint", "--all", cwd=ws)
    assert all(h in every.out for h in ("hint one for M1", "hint two for M1", "a general hint for M1"))
    cli("log", "journal", "-m", "M1", "three words here", cwd=ws)
    cli("check", "M1", cwd=ws)
    assert "no hint needed" in cli("hint", cwd=ws).out


def test_paper_add_creates_a_note_linked_from_status(tmp_path):
    ws = toy_workspace(tmp_path)
    res = cli(
        "paper", "add", "Attention Is All You Need", "--url", "https://arxiv.org/abs/1706.03762", "-m", "M1", cwd=ws
    )
    assert res.code == EXIT_OK
    note = ws / "papers_notes" / "attention-is-all-you-need.md"
    assert "https://arxiv.org/abs/1706.03762" in note.read_text()
    doc = json.loads(cli("status", "--json", cwd=ws).out)
    assert doc["phases"][0]["milestones"][0]["papers"] == ["papers_notes/attention-is-all-you-need.md"]
    assert cli("paper", "add", "Attention Is All You Need", cwd=ws).code == EXIT_USAGE


def test_reset_backs_up_and_restores_starters(tmp_path):
    ws = toy_workspace(tmp_path)
    mine = ws / "milestones" / "M1" / "mine.py"
    mine.write_text("my precious code")
    assert cli("reset", "M1", cwd=ws).code == EXIT_USAGE  # needs --yes when not interactive
    res = cli("reset", "M1", "--yes", cwd=ws)
    assert res.code == EXIT_OK
    assert not mine.exists()
    backups = list((ws / ".llmpath" / "backups").glob("M1-*/mine.py"))
    assert backups and backups[0].read_text() == "my precious code"
    assert (ws / "milestones" / "M1" / "README.md").exists()


def test_init_never_overwrites(tmp_path):
    ws = toy_workspace(tmp_path)
    res = cli("init", str(ws))
    assert res.code == EXIT_USAGE and "already" in res.err


def test_schema_is_json_schema():
    res = cli("schema")
    doc = json.loads(res.out)
    assert res.code == EXIT_OK and "properties" in doc and "phases" in doc["properties"]


def test_every_command_has_help_with_an_example():
    import typer.main

    from llmpath.cli.app import app

    group = typer.main.get_command(app)
    seen = 0

    def walk(cmd, path):
        nonlocal seen
        if hasattr(cmd, "commands"):
            for name, sub in cmd.commands.items():
                walk(sub, path + [name])
        else:
            seen += 1
            assert cmd.help and "Example" in cmd.help, f"`llmpath {' '.join(path)}` has no help with an example"
            res = cli(*path, "--help")
            assert res.code == EXIT_OK and "Usage" in res.out

    walk(group, [])
    assert seen >= 13


def test_internal_errors_exit_3_with_a_pointer(tmp_path, monkeypatch):
    ws = toy_workspace(tmp_path)
    import llmpath.commands.status as status_mod

    monkeypatch.setattr(status_mod, "status", lambda ctx: 1 / 0)
    res = cli("status", cwd=ws)
    assert res.code == EXIT_INTERNAL
    assert "bug in llmpath" in res.err and "ZeroDivisionError" not in res.out


def test_corrupt_progress_is_reported_not_reset(tmp_path):
    ws = toy_workspace(tmp_path)
    path = ws / ".llmpath" / "progress.json"
    path.write_text("{ broken")
    res = cli("status", cwd=ws)
    assert res.code == EXIT_USAGE and "progress.json" in res.err
    assert path.read_text() == "{ broken"


def test_console_script_runs(tmp_path):
    ws = toy_workspace(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "llmpath", "status", "--json"], cwd=ws, capture_output=True, text=True)
    assert proc.returncode == 0 and json.loads(proc.stdout)["current"] == "M1"


def test_status_imports_neither_torch_nor_numpy_nor_git(tmp_path):
    ws = toy_workspace(tmp_path)
    code = (
        "import sys\n"
        "from llmpath.__main__ import main\n"
        "rc = main(['status'])\n"
        "heavy = sorted(m for m in ('torch', 'numpy', 'git') if m in sys.modules)\n"
        "print('HEAVY=' + ','.join(heavy))\n"
        "raise SystemExit(rc)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ws, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "HEAVY=\n" in proc.stdout


def test_unlock_without_reruns_imports_neither_torch_nor_numpy(tmp_path):
    ws = toy_workspace(tmp_path, git_repo=False)
    (ws / "milestones" / "M1" / "done.txt").write_text("x")
    cli("log", "journal", "-m", "M1", "three words here", cwd=ws)
    code = (
        "import sys\n"
        "from llmpath.__main__ import main\n"
        "rc = main(['unlock', 'next'])\n"
        "heavy = sorted(m for m in ('torch', 'numpy') if m in sys.modules)\n"
        "print('HEAVY=' + ','.join(heavy))\n"
        "raise SystemExit(rc)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ws, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    assert "HEAVY=\n" in proc.stdout


def test_instant_status_path_matches_the_full_path(tmp_path):
    ws = toy_workspace(tmp_path)
    (ws / "milestones" / "M1" / "done.txt").write_text("x")
    cli("check", "M1", cwd=ws)
    cli("paper", "add", "A paper", "-m", "M1", cwd=ws)
    full = json.loads(cli("status", "--json", cwd=ws).out)  # writes the roadmap cache
    assert (ws / ".llmpath" / "cache" / "roadmap.json").is_file()
    code = (
        "import sys\n"
        "from llmpath.cli.fast import fast_status\n"
        "rc = fast_status(['--json'])\n"
        "assert rc == 0, rc\n"
        "heavy = sorted(m for m in ('torch', 'numpy', 'pydantic', 'yaml', 'typer', 'git') if m in sys.modules)\n"
        "sys.stderr.write('HEAVY=' + ','.join(heavy) + '\\n')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ws, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == full
    assert "HEAVY=\n" in proc.stderr


def test_instant_path_declines_when_the_roadmap_changed(tmp_path):
    from llmpath.cli.fast import fast_status

    ws = toy_workspace(tmp_path)
    cli("status", cwd=ws)
    roadmap = ws / "roadmap.yaml"
    roadmap.write_text(roadmap.read_text().replace("Toy roadmap", "Changed roadmap"))
    import os

    old = Path.cwd()
    os.chdir(ws)
    try:
        assert fast_status(["--json"]) is None
    finally:
        os.chdir(old)
    assert json.loads(cli("status", "--json", cwd=ws).out)["roadmap"] == "Changed roadmap"


def test_status_filters(tmp_path):
    ws = toy_workspace(tmp_path)
    doc = json.loads(cli("status", "--json", "--state", "locked", cwd=ws).out)
    assert sum(len(p["milestones"]) for p in doc["phases"]) == 13
    doc = json.loads(cli("status", "--json", "--phase", "phase-2", cwd=ws).out)
    assert [p["id"] for p in doc["phases"]] == ["phase-2"]
    assert cli("status", "--state", "nope", cwd=ws).code == EXIT_USAGE
    assert cli("status", "--phase", "nope", cwd=ws).code == EXIT_USAGE


def test_a_ticked_checklist_does_not_make_log_entries_dirty(tmp_path):
    """`llmpath check` ticks the milestone README; that is llmpath's writing, not uncommitted work."""
    from tests.clihelp import commit_all

    ws = toy_workspace(tmp_path)
    (ws / "milestones" / "M1" / "done.txt").write_text("x")
    commit_all(ws)
    cli("check", "M1", cwd=ws)  # ticks milestones/M1/README.md
    entry = json.loads(cli("log", "journal", "-m", "M1", "after the check", "--json", cwd=ws).out)
    assert entry["dirty"] is False
    (ws / "milestones" / "M1" / "mine.py").write_text("work in progress")
    entry = json.loads(cli("log", "journal", "-m", "M1", "with work in progress", "--json", cwd=ws).out)
    assert entry["dirty"] is True
