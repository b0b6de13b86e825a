"""Bad input never crashes llmpath (exit 3 is for llmpath's own bugs): each gets a clear error, nothing is lost."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from llmpath.errors import EXIT_CHECK_FAILED, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE
from tests.clihelp import cli, toy_workspace
from tests.test_attacks_state import code_workspace


def test_a_visualization_name_over_255_bytes_is_a_usage_error(tmp_path):
    ws = toy_workspace(tmp_path, git_repo=False)
    res = cli("log", "experiment", "-m", "M1", "--objective", "o", "--setup", "s", "--metric", "a=1",
              "--visualization", "x" * 300, cwd=ws)
    assert res.code == EXIT_USAGE and "cannot be used" in res.err


def test_a_metric_of_5000_digits_is_refused_in_one_short_line(tmp_path):
    ws = toy_workspace(tmp_path, git_repo=False)
    res = cli("log", "experiment", "-m", "M1", "--objective", "o", "--setup", "s", "--metric", "a=" + "1" * 5000,
              cwd=ws)
    assert res.code == EXIT_USAGE and "5000 characters" in res.err and len(res.err) < 600


def test_log_list_with_undecodable_text_prints_instead_of_crashing(tmp_path):
    ws = toy_workspace(tmp_path, git_repo=False)
    # a lone surrogate: what Python makes of an argument that is not UTF-8 (kept exact in the log)
    assert cli("log", "journal", "-m", "M1", "bad \udcff byte in a reflection", cwd=ws).code == EXIT_OK
    with open(ws / "experiments_log.md", "ab") as handle:
        handle.write(b"\n\xff\xfe a person's note in another encoding\n")
    env = dict(os.environ, PYTHONIOENCODING="utf-8")  # strict: a lone surrogate cannot be printed as is
    outputs = []
    for args in (["log", "list", "--json"], ["log", "list"]):
        proc = subprocess.run([sys.executable, "-m", "llmpath", *args], cwd=ws, capture_output=True, env=env)
        assert proc.returncode == EXIT_OK, proc.stderr
        outputs.append(proc.stdout)
    assert "bad \udcff byte" in json.loads(outputs[0])["journal"][0]["text"]


@pytest.mark.parametrize("damage", ["delete_marker", "bad_base64", "indent"])
def test_a_damaged_log_entry_is_shown_with_its_raw_text_and_place(tmp_path, damage):
    ws = toy_workspace(tmp_path, git_repo=False)
    cli("log", "journal", "-m", "M1", "words that must never vanish", cwd=ws)
    path = ws / "learning_journal.md"
    lines = path.read_text().split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("<!-- llmpath:entry"))
    if damage == "delete_marker":
        del lines[at]
    elif damage == "bad_base64":
        lines[at] = lines[at].replace("entry:v1 ", "entry:v1 !!")
    else:
        lines[at] = "    " + lines[at]
    path.write_text("\n".join(lines))
    doc = json.loads(cli("log", "list", "--json", cwd=ws).out)
    if damage == "indent":  # an editor's indentation: read back as it was
        assert doc["journal"][0]["text"] == "words that must never vanish" and doc["damaged"] == []
        return
    assert doc["journal"] == []
    (damaged,) = doc["damaged"]
    assert damaged["file"] == "learning_journal.md" and damaged["line"] == at + 1
    assert "words that must never vanish" in damaged["text"]
    text = cli("log", "list", cwd=ws).out
    assert "damaged entry" in text and "words that must never vanish" in text
    res = cli("check", "M1", "--json", cwd=ws)
    journal = next(c for c in json.loads(res.out)["criteria"] if c["id"] == "M1.journal")
    assert "damaged entry" in " ".join(journal["checks"][0]["details"])


@pytest.mark.parametrize("name", ["experiments_log.md", "learning_journal.md", ".llmpath", "papers_notes"])
def test_a_symlink_leading_outside_is_never_written_through(tmp_path, name):
    ws = toy_workspace(tmp_path, git_repo=False)
    outside = tmp_path / "outside"
    outside.mkdir()
    target = outside / name
    src = ws / name
    if src.is_dir():
        src.rename(target)
    else:
        target.write_text(src.read_text())
        src.unlink()
    src.symlink_to(target)
    before = {p: p.read_bytes() for p in outside.rglob("*") if p.is_file()}
    commands = {
        "experiments_log.md": ["log", "experiment", "-m", "M1", "--objective", "o", "--setup", "s", "--metric", "a=1"],
        "learning_journal.md": ["log", "journal", "-m", "M1", "some words"],
        ".llmpath": ["hint", "M1"],
        "papers_notes": ["paper", "add", "A paper"],
    }
    res = cli(*commands[name], cwd=ws)
    assert res.code == EXIT_USAGE, res.err
    assert "symbolic link" in res.err and name in res.err
    assert {p: p.read_bytes() for p in outside.rglob("*") if p.is_file()} == before


def test_a_huge_roadmap_is_refused_before_parsing(tmp_path):
    ws = toy_workspace(tmp_path, git_repo=False)
    with open(ws / "roadmap.yaml", "a") as handle:
        handle.write("# padding\n" * 300_000)  # 3 MB
    res = cli("status", cwd=ws)
    assert res.code == EXIT_USAGE and "over 2 MB" in res.err


def test_terminal_codes_in_the_learners_output_are_made_visible(tmp_path):
    toy = ('def answer():\n    print("\\x1b[2J\\x1b[H\\u2713 passed\\x00\\rall good")\n'
           '    raise ValueError("\\x1b[32mok")\n')
    ws = code_workspace(tmp_path, toy=toy)
    res = cli("check", "M1", cwd=ws)
    assert res.code == EXIT_CHECK_FAILED
    assert "\x1b" not in res.out and "\x00" not in res.out and "\r" not in res.out
    # a screen clear is shown, not obeyed; a colour code is dropped (it changes only the look)
    assert "␛[2J" in res.out and "ValueError: ok (in the call answer())" in res.out


def test_the_crash_log_is_new_and_never_follows_a_link(tmp_path, monkeypatch):
    import tempfile

    import llmpath.commands.status as status_mod

    ws = toy_workspace(tmp_path, git_repo=False)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    old = Path(tempfile.gettempdir()) / "llmpath-crash.log"  # the fixed name llmpath used to write
    planted = not old.exists() and not old.is_symlink()
    if planted:
        old.symlink_to(victim)
    monkeypatch.setattr(status_mod, "status", lambda ctx, changes=None: 1 / 0)
    try:
        res = cli("status", cwd=ws)
    finally:
        if planted:
            old.unlink()
    assert res.code == EXIT_INTERNAL
    log = Path(res.err.split("The details are in ", 1)[1].split(".log", 1)[0] + ".log")
    assert log.name.startswith("llmpath-crash-") and "ZeroDivisionError" in log.read_text()
    assert victim.read_text() == "keep me"
    log.unlink()
