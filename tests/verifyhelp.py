"""A toy workspace with real git whose first milestones are completed the way a learner does it.

Used by the ``llmpath verify`` and ``llmpath ci init`` tests. M1's file criterion runs a probe in
the sandbox (``toy.py``'s ``answer()``); every other criterion is judged from files and logs.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from tests.clihelp import cli, commit_all, git, init_repo, toy_roadmap

TOY_M1 = "def answer():\n    return 42\n"


def pin(ws: Path) -> str:
    """The sha256 an instructor pins for the workspace's (toy) roadmap."""
    return hashlib.sha256((ws / "roadmap.yaml").read_bytes()).hexdigest()


def new_workspace(tmp: Path, roadmap: str | None = None) -> Path:
    source = tmp / "course.yaml"
    text = roadmap or toy_roadmap()
    source.write_text(text.replace("tests.toy_validators:FILE", "tests.toy_validators:ANSWER", 1))
    ws = tmp / "ws"
    res = cli("init", str(ws), "--roadmap", str(source))
    assert res.code == 0, res.err
    init_repo(ws)
    return ws


def complete(ws: Path, mid: str, *, commit_logs: bool = True) -> None:
    """Do the toy work, log a reflection, commit, ``unlock next`` (which commits the record)."""
    folder = ws / "milestones" / mid
    (folder / "done.txt").write_text("done\n")
    if mid == "M1":
        (folder / "toy.py").write_text(TOY_M1)
    if commit_logs:
        assert cli("log", "journal", "-m", mid, f"what I learned in {mid}", cwd=ws).code == 0
    commit_all(ws, f"{mid} done")
    if not commit_logs:  # logged after the work was committed: the completion commit lacks it
        assert cli("log", "journal", "-m", mid, f"what I learned in {mid}", cwd=ws).code == 0
    res = cli("unlock", "next", cwd=ws)
    assert res.code == 0, res.err  # unlock commits its records on top of the judged commit and tags them
    assert not git(ws, "status", "--porcelain").strip(), "unlock leaves the work tree clean"


def completed_workspace(tmp: Path, upto: int = 4) -> Path:
    ws = new_workspace(tmp)
    for n in range(1, upto + 1):
        complete(ws, f"M{n}")
    return ws


def copy_workspace(source: Path, tmp: Path) -> Path:
    ws = tmp / "ws"
    shutil.copytree(source, ws, symlinks=True)
    return ws


def edit_record(ws: Path, mid: str, *, seal: bool = True, **fields: object) -> None:
    """Edit ``.llmpath/progress.json`` by hand and, as a determined forger would, seal it again.

    The seal's key is no secret (llmpath is open source): it tells an edit from llmpath's own writing,
    it cannot stop a forger. ``llmpath verify`` must catch the forgery from git. ``seal=False``: a
    plain edit, as with a text editor.
    """
    from llmpath.workspace import state_doc

    path = ws / ".llmpath" / "progress.json"
    doc = json.loads(path.read_text())
    doc["milestones"].setdefault(mid, {}).update(fields)
    if seal:
        doc["seal"] = state_doc.seal_of(doc)
    path.write_text(json.dumps(doc, indent=2))


def head(ws: Path) -> str:
    return git(ws, "rev-parse", "HEAD").strip()


def verify(ws: Path, *args: str, pinned: bool = True) -> tuple[int, dict]:
    """``llmpath verify --json`` (pinned to the toy roadmap unless told otherwise): exit code and document."""
    extra = ("--roadmap-sha256", pin(ws)) if pinned else ()
    res = cli("verify", "--json", *extra, *args, cwd=ws)
    assert res.out.strip(), res.err
    return res.code, json.loads(res.out)


def by_id(doc: dict) -> dict[str, dict]:
    return {m["id"]: m for m in doc["milestones"]}


def problems(doc: dict) -> dict[str, list[str]]:
    return {
        c["check"]: [f["message"] for f in c["findings"] if f["level"] == "problem"]
        for c in doc["consistency"]
        if c["status"] != "passed"
    }


def assert_verify_green(ws: Path, report: Path, *pins: str) -> dict:
    """End of a walk: `llmpath verify --junit REPORT` re-judges every completion from git and all are verified.

    Checks the exit code, the JSON document (every completed milestone ``verified``, every consistency
    check passed) and the JUnit file (parsed: a case per criterion, none failed or errored). Returns
    the document. ``pins``: the roadmap sha256s to accept (none for the built-in curriculum).
    """
    from junitparser import JUnitXml

    args = [a for p in pins for a in ("--roadmap-sha256", p)]
    res = cli("verify", "--json", "--junit", str(report), *args, cwd=ws)
    doc = json.loads(res.out) if res.out.strip() else {}
    bad = [f"{m['id']}: {m['status']}: {m['reason']}" for m in doc.get("milestones", []) if m["status"] != "verified"]
    bad += [f["message"] for c in doc.get("consistency", []) for f in c["findings"] if f["level"] == "problem"]
    assert res.code == 0 and not bad, "\n".join(bad) or res.err
    xml = JUnitXml.fromfile(str(report))
    criteria = sum(len(m["criteria"]) for m in doc["milestones"])
    assert xml.tests == criteria + len(doc["consistency"]) and xml.failures == xml.errors == 0
    return doc
