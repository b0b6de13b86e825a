"""``llmpath verify``: every completed milestone re-judged from git (toy roadmap, real git, real sandbox for M1)."""

from __future__ import annotations

import json
import os

import pytest
from junitparser import Error, Failure, JUnitXml

from llmpath.errors import EXIT_CHECK_FAILED, EXIT_OK, EXIT_USAGE
from tests.clihelp import cli, commit_all, git
from tests.verifyhelp import (
    by_id,
    complete,
    copy_workspace,
    edit_record,
    head,
    new_workspace,
    pin,
    problems,
    verify,
)


@pytest.fixture
def done(verified_workspace):
    """M1..M4 completed (a whole phase), each tagged and its record committed. Copy before changing it."""
    return verified_workspace


def _snapshot(ws):
    """Everything verify must leave alone: the work tree's files, the index, refs, worktrees."""
    tree = [p for p in ws.rglob("*") if p.is_file() and ".git" not in p.parts]
    files = {p.relative_to(ws).as_posix(): p.read_bytes() for p in tree}

    return files, (ws / ".git" / "index").read_bytes(), git(ws, "show-ref"), git(ws, "worktree", "list")


def test_every_completed_milestone_is_verified_at_its_commit(done, tmp_path):
    ws = copy_workspace(done, tmp_path)
    # After completion the work changes (uncommitted, and committed): verify judges the tagged commits.
    (ws / "milestones" / "M1" / "toy.py").write_text("def answer():\n    return 41\n")
    (ws / "milestones" / "M2" / "done.txt").unlink()
    commit_all(ws, "later work")
    (ws / "milestones" / "M3" / "done.txt").unlink()
    before = _snapshot(ws)
    report = tmp_path / "out" / "report.xml"
    summary = tmp_path / "summary.md"
    code, doc = verify(ws, "--junit", str(report), "--summary", str(summary))
    assert code == EXIT_OK, doc
    assert _snapshot(ws) == before
    assert doc["status"] == "verified" and doc["counts"] == {"verified": 4, "failed": 0, "unverifiable": 0}
    assert [m["id"] for m in doc["milestones"]] == ["M1", "M2", "M3", "M4"]
    m1 = by_id(doc)["M1"]
    assert m1["commit"] == git(ws, "rev-list", "-n", "1", "llmpath/M1").strip() and m1["tag"] == "llmpath/M1"
    checks = [c for crit in m1["criteria"] for c in crit["checks"]]
    assert {c["seed"] for c in checks} == {doc["seed"]}  # one fresh seed for the run, reported
    assert all(c["status"] == "passed" for c in checks)
    assert [c["status"] for c in doc["consistency"]] == ["passed"] * 5
    # JUnit: a suite per milestone with a case per criterion, and the consistency suite
    xml = JUnitXml.fromfile(str(report))
    suites = {s.name: s for s in xml}
    assert list(suites) == ["M1 Milestone 1", "M2 Milestone 2", "M3 Milestone 3", "M4 Milestone 4", "consistency"]
    assert [c.name.split(":")[0] for c in suites["M1 Milestone 1"]] == ["M1.file", "M1.journal"]
    assert sum(1 for s in xml for _ in s) == 8 + 5 and xml.failures == xml.errors == 0
    assert "| M4 Milestone 4 | ✓ verified |" in summary.read_text()


def test_seed_repeats_a_run_and_the_table_reports_it(done, tmp_path):
    ws = copy_workspace(done, tmp_path)
    code, doc = verify(ws, "--seed", "1234", "-m", "M3", "-m", "m2")
    assert code == EXIT_OK and doc["seed"] == 1234 and [m["id"] for m in doc["milestones"]] == ["M2", "M3"]
    assert doc["completed"] == 4
    res = cli("verify", "--roadmap-sha256", pin(ws).upper(), "--seed", "77", "-m", "M2", cwd=ws)
    assert res.code == EXIT_OK, res.out + res.err
    assert "seed 77 (repeat with --seed 77)" in res.out and "✓ verified" in res.out
    assert "1/1 milestones verified, 0 failed now, 0 not verifiable (4/14 complete" in res.out


def test_the_built_in_curriculum_is_the_default_course(done, tmp_path):
    ws = copy_workspace(done, tmp_path)
    code, doc = verify(ws, "-m", "M2", pinned=False)
    assert code == EXIT_CHECK_FAILED
    m2 = by_id(doc)["M2"]
    assert m2["status"] == "unverifiable" and "completed under another roadmap" in m2["reason"]
    assert "not the built-in curriculum" in m2["reason"] and "removed M2.gradients" in m2["reason"]
    assert [c["id"] for c in m2["expected_criteria"]][0] == "M2.gradients"  # what the course asks
    assert "is not the built-in curriculum" in problems(doc)["roadmap"][0]
    assert f"--roadmap-sha256 {pin(ws)}" in problems(doc)["roadmap"][0]


def test_a_hand_edited_record_is_caught_milestone_by_milestone(done, tmp_path):
    ws = copy_workspace(done, tmp_path)
    now = "2030-01-01T00:00:00Z"
    edit_record(ws, "M5", completed_at=now, commit=head(ws))  # "completed" on code that never did M5
    edit_record(ws, "M6", completed_at=now)  # no commit at all
    edit_record(ws, "M7", completed_at=now, commit="HEAD")  # not a commit id
    edit_record(ws, "M9", completed_at=now, commit="0" * 40)  # skipping M8, on a commit that does not exist
    code, doc = verify(ws)
    assert code == EXIT_CHECK_FAILED and doc["status"] == "failed"
    ms = by_id(doc)
    assert [ms[m]["status"] for m in ("M1", "M2", "M3", "M4")] == ["verified"] * 4
    assert ms["M5"]["status"] == "failed"
    assert ms["M5"]["reason"].startswith("failed now: M5.file (failed: done.txt is missing); M5.journal (failed:")
    assert ms["M6"]["status"] == "unverifiable" and "records no commit for M6" in ms["M6"]["reason"]
    assert ms["M7"]["status"] == "unverifiable" and "is not a commit id" in ms["M7"]["reason"]
    assert ms["M9"]["status"] == "unverifiable" and "is not in this repository" in ms["M9"]["reason"]
    assert problems(doc)["order"] == [
        "M9 is recorded complete while M8 (before it) is not: milestones complete strictly in order, so the "
        "record was edited or the roadmap changed"
    ]


def test_an_unsealed_record_is_reported_and_every_completion_still_judged(done, tmp_path):
    ws = copy_workspace(done, tmp_path)
    edit_record(ws, "M5", seal=False, completed_at="2030-01-01T00:00:00Z", commit=head(ws))
    code, doc = verify(ws)
    assert code == EXIT_CHECK_FAILED
    assert "was changed outside llmpath (its seal does not match" in problems(doc)["state"][0]
    assert by_id(doc)["M5"]["status"] == "failed" and by_id(doc)["M4"]["status"] == "verified"


def test_a_completion_with_uncommitted_files_is_judged_as_committed(done, tmp_path):
    ws = copy_workspace(done, tmp_path)
    assert cli("log", "journal", "-m", "M5", "what I learned in M5", cwd=ws).code == EXIT_OK
    commit_all(ws, "M5 journal")
    (ws / "milestones" / "M5" / "done.txt").write_text("done\n")  # never committed
    assert cli("unlock", "next", "--allow-dirty", cwd=ws).code == EXIT_OK
    code, doc = verify(ws, "-m", "M5")
    m5 = by_id(doc)["M5"]
    assert code == EXIT_CHECK_FAILED and m5["reason"] == "failed now: M5.file (failed: done.txt is missing)"
    assert any("are not the ones judged at completion" in n for n in m5["notes"])


def test_a_milestone_broken_later_and_retagged_is_caught(done, tmp_path):
    ws = copy_workspace(done, tmp_path)
    (ws / "milestones" / "M2" / "done.txt").unlink()
    commit_all(ws, "M2 broken")
    git(ws, "tag", "-f", "-a", "-m", "moved", "llmpath/M2", "HEAD")
    code, doc = verify(ws, "-m", "M2")
    m2 = by_id(doc)["M2"]
    assert code == EXIT_CHECK_FAILED and m2["status"] == "unverifiable"
    assert f"the tag llmpath/M2 points at {head(ws)[:12]} but progress.json records" in m2["reason"]
    edit_record(ws, "M2", commit=head(ws))  # the record edited to match the moved tag
    code, doc = verify(ws, "-m", "M2")
    m2 = by_id(doc)["M2"]
    assert code == EXIT_CHECK_FAILED and m2["status"] == "failed"
    assert m2["reason"] == "failed now: M2.file (failed: done.txt is missing)"
    assert m2["commit"] == head(ws)


def test_a_missing_tag_is_not_verifiable_and_says_how_to_fix_it(done, tmp_path):
    ws = copy_workspace(done, tmp_path)
    git(ws, "tag", "-d", "llmpath/M3")
    res = cli("verify", "--roadmap-sha256", pin(ws), "--junit", str(tmp_path / "r.xml"), cwd=ws)
    assert res.code == EXIT_CHECK_FAILED
    assert "? not verifiable" in res.out and "the tag llmpath/M3 recorded at completion is missing" in res.out
    assert "git push --tags" in res.out and "fetch-depth: 0" in res.out
    cases = {c.name.split(":")[0]: c for s in JUnitXml.fromfile(str(tmp_path / "r.xml")) for c in s}
    assert isinstance(cases["M3.file"].result[0], Error) and "not verifiable" in cases["M3.file"].result[0].message
    assert cases["M2.file"].result == []


def test_documentation_is_judged_as_committed_at_completion(done, tmp_path):
    ws = copy_workspace(done, tmp_path)
    complete(ws, "M5", commit_logs=False)  # the reflection was logged after the work was committed...
    code, doc = verify(ws, "-m", "M5")
    assert code == EXIT_OK and by_id(doc)["M5"]["status"] == "verified"  # ...and unlock's records commit holds it
    # a log that never reached the tagged commit does not count: drop the reflection from that commit
    git(ws, "tag", "-d", "llmpath/M5")
    git(ws, "checkout", "-q", "HEAD~1", "--", "learning_journal.md")
    git(ws, "commit", "-q", "--amend", "-m", "llmpath's records, without the reflection")
    git(ws, "tag", "llmpath/M5")
    code, doc = verify(ws, "-m", "M5")
    m5 = by_id(doc)["M5"]
    assert code == EXIT_CHECK_FAILED and m5["status"] == "failed", m5
    assert m5["reason"].startswith("failed now: M5.journal (failed:")


def test_code_that_writes_the_record_while_judged_is_reported(done, tmp_path):
    ws = copy_workspace(done, tmp_path)
    record = ws / ".llmpath" / "progress.json"
    (ws / "milestones" / "M1" / "toy.py").write_text(
        "def answer():\n"
        "    print('\\x1b[2J\\x00 fake: all passed')\n"
        f"    with open({str(record)!r}, 'a') as f:\n"
        "        f.write(' ')\n"
        "    return 41\n"
    )
    commit_all(ws, "M1 rewritten")
    git(ws, "tag", "-f", "-a", "-m", "moved", "llmpath/M1", "HEAD")
    edit_record(ws, "M1", commit=head(ws))
    code, doc = verify(ws, "-m", "M1", "--junit", str(tmp_path / "r.xml"))
    assert code == EXIT_CHECK_FAILED
    assert by_id(doc)["M1"]["reason"].startswith("failed now: M1.file (failed: answer() returned 41, expected 42)")
    assert "changed while verify ran your code" in problems(doc)["state"][0]
    xml = JUnitXml.fromfile(str(tmp_path / "r.xml"))  # control characters of the output cannot break it
    case = next(c for s in xml for c in s if c.name.startswith("M1.file"))
    assert isinstance(case.result[0], Failure) and "\\x1b[2J\\x00 fake" in case.system_out


def test_a_roadmap_changed_in_one_milestone_fails_only_that_one(done, tmp_path):
    ws = copy_workspace(done, tmp_path)
    course = pin(ws)
    roadmap = ws / "roadmap.yaml"
    text = roadmap.read_text()
    start = text.index("- id: M6.file")  # cut M6's file criterion (a later milestone)
    roadmap.write_text(text[:start] + text[text.index("- id: M6.journal") :])
    assert cli("roadmap", "accept", "--reason", "an easier M6", cwd=ws).code == EXIT_OK
    commit_all(ws, "easier M6")
    complete(ws, "M5")  # completed under the changed roadmap, but M5's criteria are the course's
    complete(ws, "M6")
    res = cli("verify", "--json", "--roadmap-sha256", course, "-m", "M5", "-m", "M6", cwd=ws)
    doc = json.loads(res.out)
    ms = by_id(doc)
    assert res.code == EXIT_CHECK_FAILED
    assert ms["M5"]["status"] == "verified" and "but not in M5's criteria" in ms["M5"]["notes"][0]
    assert ms["M6"]["status"] == "unverifiable" and ms["M6"]["reason"].endswith("(sha256 " + ms["M6"][
        "roadmap_sha256"][:12] + ", not a pinned one): removed M6.file")
    assert problems(doc)["roadmap"][0].endswith(": removed M6.file")
    notes = [f["message"] for c in doc["consistency"] for f in c["findings"] if f["level"] == "note"]
    accepted = [n for n in notes if n.startswith("a roadmap change was accepted")]
    assert len(accepted) == 1 and accepted[0].endswith("(removed M6.file): 'an easier M6'")


def test_nothing_to_verify_outside_git_or_before_any_completion(tmp_path):
    ws = new_workspace(tmp_path)
    code, doc = verify(ws)
    assert code == EXIT_OK and doc["milestones"] == [] and doc["completed"] == 0 and doc["total"] == 14
    code, doc = verify(ws, "-m", "M1")
    assert code == EXIT_CHECK_FAILED and by_id(doc)["M1"]["reason"] == "M1 is not recorded as complete"
    res = cli("verify", "--roadmap-sha256", "abc", cwd=ws)
    assert res.code == EXIT_USAGE and "is not a sha256" in res.err
    plain = tmp_path / "plain"
    assert cli("init", str(plain)).code == EXIT_OK
    env = os.environ.get("GIT_CEILING_DIRECTORIES")
    os.environ["GIT_CEILING_DIRECTORIES"] = str(tmp_path)  # the test's own folder may lie in a repository
    try:
        res = cli("verify", cwd=plain)
    finally:
        if env is None:
            del os.environ["GIT_CEILING_DIRECTORIES"]
        else:
            os.environ["GIT_CEILING_DIRECTORIES"] = env
    assert res.code == EXIT_USAGE and "not inside a git repository" in res.err


def test_a_roadmap_that_is_not_the_course_never_has_its_validators_imported(done, tmp_path):
    ws = copy_workspace(done, tmp_path)
    course = pin(ws)
    marker = tmp_path / "imported"
    sneaky = f"open({str(marker)!r}, 'w').close()\nfrom tests.toy_validators import FILE as CHECK\n"
    (ws / "sneaky.py").write_text(sneaky)
    roadmap = ws / "roadmap.yaml"
    original = roadmap.read_text()
    roadmap.write_text(original.replace("tests.toy_validators:FILE", "sneaky:CHECK", 1))  # M2's file criterion
    commit_all(ws, "M2 judged by my own validator")
    git(ws, "tag", "-f", "-a", "-m", "moved", "llmpath/M2", "HEAD")
    edit_record(ws, "M2", commit=head(ws))
    roadmap.write_text(original)  # the working tree shows the course's roadmap
    code, doc = verify(ws, "-m", "M2", "--roadmap-sha256", course, pinned=False)
    m2 = by_id(doc)["M2"]
    assert code == EXIT_CHECK_FAILED and m2["status"] == "unverifiable"
    assert m2["reason"].endswith("not a pinned one): changed M2.file")
    assert not marker.exists()
