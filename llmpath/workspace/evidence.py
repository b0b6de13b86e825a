"""Evidence from git: the commit a result belongs to, and whether the files judged were committed.

gitpython is imported inside the functions: ``llmpath status`` imports this module and must stay fast.
The workspace may be a sub-folder of a larger repository.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from llmpath.errors import UsageError
from llmpath.workspace import checklist

if TYPE_CHECKING:
    import git


@dataclasses.dataclass(frozen=True)
class Evidence:
    in_repo: bool
    commit: str | None  # HEAD's sha; None outside a repository or before the first commit
    dirty: bool  # uncommitted changes (modified, staged or untracked and not ignored) under the paths
    dirty_files: tuple[str, ...]  # workspace-relative posix paths


# Files llmpath writes itself, never uncommitted *work*: the logs and .llmpath/ change with every
# command, and `llmpath check` ticks the checklist in each milestone's README.
LLMPATH_FILES = ("experiments_log.md", "learning_journal.md", ".llmpath/")


def completion_paths(mid: str) -> tuple[str, ...]:
    """What completing ``mid`` rests on: the learner's files, their pictures, the logs, the rules, the record.

    The commit that ``unlock`` judges should hold all of them, so that the ``llmpath/M#`` tag proves
    the completion on its own.
    """
    return (f"milestones/{mid}", "visualizations", "experiments_log.md", "learning_journal.md", "roadmap.yaml",
            ".llmpath/progress.json")


def commit_command(mid: str, title: str, dirty_files: Iterable[str]) -> str | None:
    """The exact ``git add ... && git commit -m ...`` for the uncommitted part of ``completion_paths``.

    None when every one of them is committed already. Paths are relative to the workspace root.
    """
    import shlex

    dirty = list(dirty_files)
    paths = [p for p in completion_paths(mid) if any(f == p or f.startswith(p + "/") for f in dirty)]
    if not paths:
        return None
    return f"git add {' '.join(shlex.quote(p) for p in paths)} && git commit -m {shlex.quote(f'{mid}: {title}')}"


def learner_changes(dirty_files: Iterable[str]) -> list[str]:
    """The workspace-relative dirty files that are the learner's work, not llmpath's own writing."""
    return [f for f in dirty_files if not f.startswith(LLMPATH_FILES) and not _is_checklist(f)]


def _is_checklist(path: str) -> bool:
    parts = path.split("/")
    return len(parts) == 3 and parts[0] == "milestones" and parts[2] == checklist.README


def _repo(workspace: Path) -> git.Repo | None:
    import git

    try:
        return git.Repo(Path(workspace), search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return None
    except git.GitCommandNotFound:  # pragma: no cover - depends on the machine
        return None


def _head(repo: git.Repo) -> str | None:
    try:
        return repo.head.commit.hexsha
    except ValueError:  # HEAD points at a branch with no commits yet
        return None


def is_repo(workspace: Path) -> bool:
    """True when the workspace is inside a git work tree."""
    repo = _repo(workspace)
    if repo is None:
        return False
    try:
        return not repo.bare
    finally:
        repo.close()


def init_repo(workspace: Path) -> None:
    """``git init`` the workspace (does nothing when it already lies inside a repository)."""
    import git

    if is_repo(workspace):
        return
    git.Repo.init(Path(workspace)).close()


def current(workspace: Path, paths: Sequence[Path] | None = None) -> Evidence:
    """HEAD and the uncommitted changes under ``paths`` (the whole workspace when None).

    Changes count as uncommitted when ``git status`` shows them: modified or deleted in the work
    tree, staged, or untracked and not ignored. Paths may be absolute or workspace-relative.
    """
    workspace = Path(workspace).resolve()
    repo = _repo(workspace)
    if repo is None:
        return Evidence(False, None, False, ())
    try:
        top = Path(repo.working_tree_dir or workspace).resolve()
        specs: list[str] = []
        if paths is None:
            specs.append(":/")  # the whole repository
        for p in paths or ():
            full = _resolve_keep_missing(Path(p) if Path(p).is_absolute() else workspace / p)
            try:
                rel = full.relative_to(top).as_posix()
            except ValueError:
                continue  # outside this repository: nothing git can say about it
            # git runs in the top folder; literal: a name with `*` or `?` is not a glob
            specs.append(":/" if rel == "." else f":(literal){rel}")
        changed: set[Path] = set()
        if specs:
            # -z: NUL-separated, names never quoted; -uall: each untracked file, not its folder
            # core.fsmonitor names a program git runs on status: the workspace's .git/config must not
            # decide what runs when llmpath asks git a question (see README.md, "Threat model")
            out = repo.git(c="core.fsmonitor=false").status("--porcelain=v1", "-z", "-uall", "--", *specs)
            entries = out.split("\0")
            i = 0
            while i < len(entries):
                entry = entries[i]
                i += 1
                if len(entry) < 4:
                    continue
                code, name = entry[:2], entry[3:]
                changed.add(top / name)
                if code[0] in "RC" and i < len(entries):  # a rename/copy is followed by its source
                    if code[0] == "R" and entries[i]:
                        changed.add(top / entries[i])
                    i += 1
        dirty_files = tuple(sorted(_rel(f, workspace) for f in changed))
        return Evidence(True, _head(repo), bool(dirty_files), dirty_files)
    finally:
        repo.close()


def committed(workspace: Path, path: Path) -> bytes | None:
    """The bytes of ``path`` as HEAD has them (None when unknown: no repository, not committed)."""
    repo = _repo(workspace)
    if repo is None:
        return None
    try:
        top = Path(repo.working_tree_dir or workspace).resolve()
        rel = Path(path).resolve().relative_to(top).as_posix()
        return repo.git(c="core.fsmonitor=false").show(f"HEAD:{rel}", stdout_as_string=False)
    except Exception:  # noqa: BLE001 - best effort, for a message only
        return None
    finally:
        repo.close()


def has_tag(workspace: Path, name: str) -> bool:
    """True when the repository has a tag called ``name``."""
    repo = _repo(workspace)
    if repo is None:
        return False
    try:
        return any(t.name == name for t in repo.tags)
    finally:
        repo.close()


def tag(workspace: Path, name: str, message: str) -> bool:
    """An annotated tag ``name`` on HEAD; False when the tag exists already or there is no commit."""
    import git

    repo = _repo(workspace)
    if repo is None:
        return False
    try:
        if _head(repo) is None:
            return False
        if any(t.name == name for t in repo.tags):
            return False
        try:
            repo.create_tag(name, ref="HEAD", message=message)
        except git.GitCommandError as exc:
            if "already exists" in f"{exc.stderr or ''} {exc.stdout or ''}":
                return False
            raise _git_refused(f"create the tag {name!r}", exc) from None
        return True
    finally:
        repo.close()


def commit_paths(workspace: Path, paths: Sequence[Path] | None, message: str) -> str | None:
    """``git add`` and ``git commit`` exactly ``paths`` (the whole workspace when None); the new HEAD.

    Only those paths are committed, whatever else is staged. Returns None outside a repository or
    when they hold no change; UsageError (saying how to fix it) when git refuses, e.g. without
    ``user.name``/``user.email``. Hooks run as for any commit.
    """
    import git

    workspace = Path(workspace).resolve()
    repo = _repo(workspace)
    if repo is None:
        return None
    try:
        top = Path(repo.working_tree_dir or workspace).resolve()
        specs = []
        for p in [workspace] if paths is None else paths:
            full = _resolve_keep_missing(Path(p) if Path(p).is_absolute() else workspace / p)
            try:
                rel = full.relative_to(top).as_posix()
            except ValueError:
                continue
            spec = ":/" if rel == "." else f":(literal){rel}"
            # a path that neither exists nor is tracked would stop `git add`; a deleted tracked one is a change
            if full.exists() or repo.git.ls_files("--", spec):
                specs.append(spec)
        if not specs:
            return None
        try:
            repo.git.add("-A", "--", *specs)
            if not repo.git.diff("--cached", "--name-only", "--", *specs).strip():
                return None
            repo.git.commit("-q", "-m", message, "--", *specs)
        except git.GitCommandError as exc:
            raise _git_refused("commit", exc) from None
        return _head(repo)
    finally:
        repo.close()


def _git_refused(what: str, exc: Exception) -> UsageError:
    text = f"{getattr(exc, 'stderr', '') or ''} {getattr(exc, 'stdout', '') or ''}"
    detail = " ".join(text.split()) or str(exc)
    identity = "who you are" in text or "identity" in text or "user.email" in text
    return UsageError(
        f"git could not {what}: {detail}",
        hint="git needs your name and email once: `git config --global user.name \"Your Name\"` and "
        "`git config --global user.email you@example.com`" if identity else None,
    )


def _resolve_keep_missing(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:
        return path.absolute()


def _rel(path: Path, workspace: Path) -> str:
    try:
        return path.relative_to(workspace).as_posix()
    except ValueError:
        import os

        return Path(os.path.relpath(path, workspace)).as_posix()
