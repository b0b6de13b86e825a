"""A walk through a whole 14-milestone roadmap (toy validators): every gate, in order."""

from __future__ import annotations

import json

from llmpath.errors import EXIT_CHECK_FAILED, EXIT_GATE, EXIT_OK
from tests.clihelp import cli, commit_all, git, toy_workspace


def test_walk_unlocks_m1_to_m14_in_order_and_refuses_every_out_of_order_step(tmp_path):
    ws = toy_workspace(tmp_path)
    for n in range(1, 15):
        mid, nxt = f"M{n}", f"M{n + 1}"
        status = json.loads(cli("status", "--json", cwd=ws).out)
        assert status["current"] == mid
        assert status["completed"] == n - 1
        # not done yet: refused, with the exact missing criteria
        res = cli("unlock", "next", cwd=ws)
        assert res.code == EXIT_GATE
        assert f"{mid}.file" in res.err and f"{mid}.journal" in res.err
        if n < 14:
            # a later milestone is locked for check and for unlock, but previewable
            assert cli("check", nxt, cwd=ws).code == EXIT_GATE
            assert cli("unlock", nxt, cwd=ws).code == EXIT_GATE
            before = (ws / ".llmpath" / "progress.json").read_text()
            preview = cli("check", nxt, "--preview", "--json", cwd=ws)
            assert preview.code == EXIT_CHECK_FAILED
            assert json.loads(preview.out)["recorded"] is False
            assert (ws / ".llmpath" / "progress.json").read_text() == before
        # do the work
        (ws / "milestones" / mid / "done.txt").write_text("done\n")
        assert cli("log", "journal", "--milestone", mid, f"what I learned in {mid}", cwd=ws).code == EXIT_OK
        res = cli("check", mid, cwd=ws)
        assert res.code == EXIT_OK, res.out + res.err
        # uncommitted milestone files refuse completion
        res = cli("unlock", "next", cwd=ws)
        assert res.code == EXIT_GATE and "uncommitted" in res.err
        commit_all(ws, f"{mid} done")
        judged = git(ws, "rev-parse", "HEAD").strip()
        res = cli("unlock", "next", cwd=ws)
        assert res.code == EXIT_OK, res.out + res.err
        # unlock commits its own records on top of the judged commit and tags that: a clean tree
        head = git(ws, "rev-parse", "HEAD").strip()
        assert git(ws, "rev-list", "-n", "1", f"llmpath/{mid}").strip() == head
        assert git(ws, "rev-parse", "HEAD~1").strip() == judged and git(ws, "status", "--porcelain") == ""
        progress = json.loads((ws / ".llmpath" / "progress.json").read_text())
        assert progress["milestones"][mid]["commit"] == judged
        readme = (ws / "milestones" / mid / "README.md").read_text()
        assert (
            "- [x] done.txt exists" in readme
            and "- [ ]" not in readme.split("llmpath:checklist:begin")[1].split("llmpath:checklist:end")[0]
        )
        if n < 14:
            assert (ws / "milestones" / nxt / "README.md").is_file()
    status = json.loads(cli("status", "--json", cwd=ws).out)
    assert status["completed"] == 14 and status["current"] is None
    assert status["next"]["command"] == "llmpath check --all"
    assert cli("unlock", "next", cwd=ws).code == EXIT_GATE
    # the end-of-course re-check: all still pass; break one and it is reported
    assert cli("check", "--all", cwd=ws).code == EXIT_OK
    (ws / "milestones" / "M5" / "done.txt").unlink()
    res = cli("check", "--all", cwd=ws)
    assert res.code == EXIT_CHECK_FAILED and "No longer passing: M5" in res.out
    # logs were written and parse back
    entries = json.loads(cli("log", "list", "--json", cwd=ws).out)["journal"]
    assert [e["milestone"] for e in entries] == [f"M{n}" for n in range(1, 15)]


def test_unlock_reruns_checks_whose_files_changed(tmp_path):
    ws = toy_workspace(tmp_path)
    (ws / "milestones" / "M1" / "done.txt").write_text("done\n")
    cli("log", "journal", "-m", "M1", "three words here", cwd=ws)
    assert cli("check", "M1", cwd=ws).code == EXIT_OK
    (ws / "milestones" / "M1" / "done.txt").unlink()  # files changed after the recorded pass
    commit_all(ws)
    res = cli("unlock", "next", cwd=ws)
    assert res.code == EXIT_GATE and "M1.file" in res.err


def test_allow_dirty_completes_and_says_so(tmp_path):
    ws = toy_workspace(tmp_path)
    (ws / "milestones" / "M1" / "done.txt").write_text("done\n")
    cli("log", "journal", "-m", "M1", "three words here", cwd=ws)
    res = cli("unlock", "next", "--allow-dirty", cwd=ws)
    assert res.code == EXIT_OK, res.err
    assert "uncommitted" in res.out


def test_workspace_without_git_still_works(tmp_path):
    ws = toy_workspace(tmp_path, git_repo=False)
    (ws / "milestones" / "M1" / "done.txt").write_text("done\n")
    cli("log", "journal", "-m", "M1", "three words here", cwd=ws)
    res = cli("unlock", "next", "--json", cwd=ws)
    assert res.code == EXIT_OK, res.err
    doc = json.loads(res.out)
    assert doc["completed"] == "M1" and doc["unlocked"] == "M2" and doc["tag"] is None


def test_checklist_ticks_neither_change_the_fingerprint_nor_block_unlock(tmp_path):
    """llmpath edits the milestone README itself: that must not force re-runs or count as dirty."""
    ws = toy_workspace(tmp_path)
    roadmap = ws / "roadmap.yaml"  # M1.file judged by a probe (runs code in the sandbox)
    roadmap.write_text(roadmap.read_text().replace("tests.toy_validators:FILE", "tests.toy_validators:ANSWER", 1))
    assert cli("roadmap", "accept", "--reason", "M1.file runs code", cwd=ws).code == 0
    (ws / "milestones" / "M1" / "toy.py").write_text("def answer():\n    return 42\n")
    commit_all(ws)
    first = json.loads(cli("check", "M1", "--json", cwd=ws).out)["fingerprint"]
    cli("log", "journal", "-m", "M1", "three words here", cwd=ws)
    second = json.loads(cli("check", "M1", "--json", cwd=ws).out)["fingerprint"]
    assert first == second  # the README was re-ticked in between
    res = cli("unlock", "next", "--json", cwd=ws)
    assert res.code == EXIT_OK, res.err
    # unlock judges every criterion again, on a seed of its own (the README's ticks force nothing extra)
    assert [c["id"] for c in json.loads(res.out)["rerun"]] == ["M1.file", "M1.journal"]
    assert json.loads(res.out)["seed"] > 0
