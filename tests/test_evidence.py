import subprocess
from pathlib import Path

import pytest

from llmpath.workspace import evidence
from llmpath.workspace.evidence import Evidence


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def make_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q")
    git(path, "config", "user.name", "Learner")
    git(path, "config", "user.email", "learner@example.com")
    git(path, "config", "commit.gpgsign", "false")
    git(path, "config", "tag.gpgsign", "false")
    return path


def commit_all(path: Path, message: str = "work") -> str:
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", message)
    return git(path, "rev-parse", "HEAD")


def test_outside_a_repository(tmp_path):
    assert evidence.current(tmp_path) == Evidence(False, None, False, ())
    assert evidence.is_repo(tmp_path) is False
    assert evidence.tag(tmp_path, "M1-done", "done") is False


def test_init_repo(tmp_path):
    evidence.init_repo(tmp_path)
    assert (tmp_path / ".git").is_dir()
    assert evidence.is_repo(tmp_path)
    evidence.init_repo(tmp_path)  # idempotent


def test_repository_without_commits(tmp_path):
    ws = make_repo(tmp_path / "ws")
    (ws / "a.py").write_text("x")
    ev = evidence.current(ws)
    assert ev == Evidence(True, None, True, ("a.py",))
    assert evidence.tag(ws, "M1-done", "done") is False


def test_clean_modified_staged_untracked_and_ignored(tmp_path):
    ws = make_repo(tmp_path / "ws")
    m1 = ws / "milestones" / "M1"
    m1.mkdir(parents=True)
    (m1 / "logreg.py").write_text("v1")
    (ws / ".gitignore").write_text("*.log\n")
    sha = commit_all(ws)

    assert evidence.current(ws) == Evidence(True, sha, False, ())

    (ws / "notes.log").write_text("ignored")
    assert evidence.current(ws).dirty is False

    (m1 / "logreg.py").write_text("v2")  # modified
    assert evidence.current(ws) == Evidence(True, sha, True, ("milestones/M1/logreg.py",))

    git(ws, "add", "milestones/M1/logreg.py")  # staged
    assert evidence.current(ws).dirty_files == ("milestones/M1/logreg.py",)

    (m1 / "new file [1].py").write_text("u")  # untracked, odd name
    (ws / "other.txt").write_text("o")
    ev = evidence.current(ws, [Path("milestones/M1")])
    assert ev.dirty_files == ("milestones/M1/logreg.py", "milestones/M1/new file [1].py")
    assert evidence.current(ws).dirty_files == (
        "milestones/M1/logreg.py",
        "milestones/M1/new file [1].py",
        "other.txt",
    )
    assert evidence.current(ws, [ws / "milestones" / "M2"]) == Evidence(True, sha, False, ())
    assert evidence.current(ws, []) == Evidence(True, sha, False, ())

    sha2 = commit_all(ws)
    assert evidence.current(ws) == Evidence(True, sha2, False, ())
    (m1 / "logreg.py").unlink()  # deleted
    assert evidence.current(ws, [m1]).dirty_files == ("milestones/M1/logreg.py",)
    git(ws, "mv", "milestones/M1/new file [1].py", "milestones/M1/renamed.py")
    assert set(evidence.current(ws, [m1]).dirty_files) == {
        "milestones/M1/logreg.py",
        "milestones/M1/new file [1].py",
        "milestones/M1/renamed.py",
    }


def test_workspace_inside_a_larger_repository(tmp_path):
    top = make_repo(tmp_path / "repo")
    ws = top / "course" / "ws"
    (ws / "milestones" / "M1").mkdir(parents=True)
    (ws / "milestones" / "M1" / "a.py").write_text("1")
    (top / "README.md").write_text("top")
    sha = commit_all(top)
    assert evidence.is_repo(ws)
    assert evidence.current(ws) == Evidence(True, sha, False, ())
    (top / "README.md").write_text("changed")
    (ws / "milestones" / "M1" / "a.py").write_text("2")
    # the whole repository when no paths are given; names relative to the workspace
    assert evidence.current(ws).dirty_files == ("../../README.md", "milestones/M1/a.py")
    assert evidence.current(ws, [Path("milestones/M1")]).dirty_files == ("milestones/M1/a.py",)


def test_tag(tmp_path):
    ws = make_repo(tmp_path / "ws")
    (ws / "a").write_text("1")
    sha = commit_all(ws)
    assert evidence.tag(ws, "llmpath/M1", "M1 complete") is True
    assert git(ws, "rev-parse", "llmpath/M1^{commit}") == sha
    assert git(ws, "cat-file", "-t", "llmpath/M1") == "tag"  # annotated
    assert git(ws, "tag", "-l", "--format=%(contents:subject)", "llmpath/M1") == "M1 complete"
    assert evidence.tag(ws, "llmpath/M1", "again") is False


def test_bad_tag_name_is_a_usage_error(tmp_path):
    from llmpath.errors import UsageError

    ws = make_repo(tmp_path / "ws")
    (ws / "a").write_text("1")
    commit_all(ws)
    with pytest.raises(UsageError):
        evidence.tag(ws, "bad name..", "x")
