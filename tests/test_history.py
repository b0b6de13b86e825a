"""llmpath.workspace.history: a commit's workspace laid out with git's plumbing, nothing else touched."""

from __future__ import annotations

import os

from llmpath.workspace import history
from tests.clihelp import commit_all, git, init_repo


def _repo(tmp_path):
    top = tmp_path / "top"
    ws = top / "course" / "ws"
    (ws / "milestones" / "M1").mkdir(parents=True)
    (ws / "roadmap.yaml").write_text("v1\n")
    (ws / "milestones" / "M1" / "a.py").write_text("print('a')\n")
    (ws / "run.sh").write_text("#!/bin/sh\n")
    (ws / "run.sh").chmod(0o755)
    (ws / "inside").symlink_to("milestones/M1/a.py")
    (ws / "outside").symlink_to("../../../secret.txt")
    (top / "elsewhere.txt").write_text("not the workspace\n")
    # a smudge filter in the repository's config must never run
    init_repo(top)
    git(top, "config", "filter.evil.smudge", f"touch {tmp_path / 'smudged'}; cat")
    (top / ".gitattributes").write_text("*.py filter=evil\n")
    commit_all(top, "first")
    return top, ws


def test_a_commit_is_laid_out_without_touching_the_repository(tmp_path):
    top, ws = _repo(tmp_path)
    first = git(top, "rev-parse", "HEAD").strip()
    (ws / "roadmap.yaml").write_text("v2\n")
    commit_all(top, "second")
    (ws / "roadmap.yaml").write_text("uncommitted\n")
    index = (top / ".git" / "index").read_bytes()
    repo = history.open_repo(ws)
    assert repo is not None and repo.top == top.resolve() and repo.prefix == "course/ws/"
    out = history.materialise(repo, first, tmp_path / "out")
    assert (out.root / "roadmap.yaml").read_text() == "v1\n"
    assert (out.root / "milestones" / "M1" / "a.py").read_text() == "print('a')\n"
    assert os.access(out.root / "run.sh", os.X_OK)
    assert (out.root / "inside").is_symlink() and (out.root / "inside").read_text() == "print('a')\n"
    assert not (out.root / "outside").exists() and not (out.root / "elsewhere.txt").exists()
    assert out.skipped == ("outside (a symbolic link leading outside the workspace)",)
    assert not (tmp_path / "smudged").exists()
    assert (ws / "roadmap.yaml").read_text() == "uncommitted\n"
    assert (top / ".git" / "index").read_bytes() == index
    assert repo.show(first, "roadmap.yaml") == b"v1\n" and repo.show(first, "nothing") is None


def test_refs_tags_and_ancestry(tmp_path):
    top, ws = _repo(tmp_path)
    first = git(top, "rev-parse", "HEAD").strip()
    git(top, "tag", "-a", "-m", "done", "llmpath/M1")
    (ws / "x").write_text("x")
    commit_all(top, "more")
    second = git(top, "rev-parse", "HEAD").strip()
    repo = history.open_repo(ws)
    assert repo.tag_commit("llmpath/M1") == first and repo.tag_commit("llmpath/M2") is None
    assert repo.tags("refs/tags/llmpath/") == {"llmpath/M1": first}
    assert repo.head() == second and repo.is_ancestor(first, second) and not repo.is_ancestor(second, first)
    assert repo.resolve("0" * 40) is None and repo.resolve("--help") is None
