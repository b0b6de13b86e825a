"""The workspace as git recorded it: tags, commits, and a commit's files laid out in a folder.

``llmpath verify`` re-judges each completed milestone at the commit it was completed at. It reads
the repository with git's plumbing only (``rev-parse``, ``cat-file``, ``ls-tree``, ``merge-base``,
``for-each-ref``): these never run hooks, filters, ``core.fsmonitor`` or anything else the
repository's configuration names, and never touch the learner's working tree or index. Blobs are
written out by llmpath itself, so no smudge filter or checkout attribute decides what lands there.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from llmpath.errors import UsageError

# ls-tree modes: regular file, executable file, symbolic link, submodule (a commit of another repo)
_FILE, _EXEC, _LINK, _GITLINK = "100644", "100755", "120000", "160000"


class GitFailed(Exception):
    """A git command failed; ``message`` is git's own words."""


@dataclasses.dataclass(frozen=True)
class Repo:
    """The git repository holding a workspace, and where the workspace lies inside it."""

    top: Path
    prefix: str  # the workspace's path inside the repository, "" or "a/b/" (git's --show-prefix)

    def run(self, *args: str, stdin: bytes | None = None) -> bytes:
        return _git(self.top, *args, stdin=stdin)

    def resolve(self, ref: str) -> str | None:
        """The commit ``ref`` names (a tag, a sha), or None when there is none in this repository."""
        try:
            out = self.run("rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
            return out.decode().strip()
        except GitFailed:
            return None

    def tag_commit(self, name: str) -> str | None:
        """The commit the tag ``name`` points at (through annotated tags), or None without such a tag."""
        return self.resolve(f"refs/tags/{name}")

    def tags(self, pattern: str) -> dict[str, str]:
        """Tags matching ``pattern`` (e.g. ``refs/tags/llmpath/``) by short name -> commit sha."""
        out = self.run("for-each-ref", "--format=%(refname:strip=2)%00%(*objectname)%00%(objectname)", pattern)
        found: dict[str, str] = {}
        for line in out.decode("utf-8", "replace").splitlines():
            name, peeled, direct = (line.split("\0") + ["", ""])[:3]
            found[name] = peeled or direct
        return found

    def head(self) -> str | None:
        return self.resolve("HEAD")

    def records_on(self, commit: str, judged: str, milestone: str) -> bool:
        """Whether ``commit`` is llmpath's records on top of ``judged``: its first parent, changing nothing
        of ``milestones/<milestone>/`` but the checklist README (what ``unlock`` commits and tags)."""
        if self.resolve(f"{commit}^1") != judged:
            return False
        changed = self.run("diff-tree", "--no-commit-id", "--name-only", "-r", judged, commit).decode()
        mine = f"{self.prefix}milestones/{milestone}/"
        return all(not p.startswith(mine) or p == f"{mine}README.md" for p in changed.splitlines() if p)

    def is_ancestor(self, older: str, newer: str) -> bool:
        try:
            self.run("merge-base", "--is-ancestor", older, newer)
            return True
        except GitFailed:
            return False

    def show(self, commit: str, rel: str) -> bytes | None:
        """The bytes of workspace-relative ``rel`` as committed in ``commit``, or None when absent."""
        try:
            return self.run("cat-file", "blob", f"{commit}:{self.prefix}{rel}")
        except GitFailed:
            return None


def open_repo(workspace: Path) -> Repo | None:
    """The repository the workspace lies in, or None when it is in none (or git is not installed)."""
    try:
        out = _git(Path(workspace), "rev-parse", "--show-toplevel", "--show-prefix").decode("utf-8")
    except (GitFailed, UsageError):
        return None
    lines = out.split("\n")
    if len(lines) < 2 or not lines[0]:
        return None
    return Repo(Path(lines[0]), lines[1])


@dataclasses.dataclass(frozen=True)
class Materialised:
    root: Path  # the workspace as committed
    files: int
    skipped: tuple[str, ...]  # entries not laid out, with the reason (symlinks leading outside, submodules)


def materialise(repo: Repo, commit: str, dest: Path) -> Materialised:
    """Write the workspace's files as committed in ``commit`` into the empty folder ``dest``.

    Only the workspace's own subtree is written. Symbolic links are recreated when they lead to a
    place inside ``dest``; others, and submodules, are skipped and listed. Raises GitFailed when
    the commit cannot be read.
    """
    dest.mkdir(parents=True, exist_ok=True)
    entries = list(_entries(repo, commit))
    blobs = [(mode, oid, rel) for mode, kind, oid, rel in entries if kind == "blob"]
    skipped = [f"{rel} (a submodule)" for mode, kind, _, rel in entries if kind != "blob" or mode == _GITLINK]
    links: list[tuple[str, bytes]] = []
    written = 0
    for (mode, _, rel), data in zip(blobs, _read_blobs(repo, [oid for _, oid, _ in blobs])):
        if not _safe(rel):
            skipped.append(f"{rel} (an unsafe path)")
            continue
        if mode == _LINK:
            links.append((rel, data))
            continue
        target = dest.joinpath(*PurePosixPath(rel).parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        if mode == _EXEC:
            target.chmod(0o755)
        written += 1
    # Links last: a file is never written through one, and each must lead somewhere inside dest.
    root = dest.resolve()
    for rel, data in links:
        link = dest.joinpath(*PurePosixPath(rel).parts)
        pointed = os.fsdecode(data)
        inside = os.path.normpath(os.path.join(root, os.path.dirname(rel), pointed))
        if os.path.isabs(pointed) or not (inside == str(root) or inside.startswith(str(root) + os.sep)):
            skipped.append(f"{rel} (a symbolic link leading outside the workspace)")
            continue
        link.parent.mkdir(parents=True, exist_ok=True)
        try:
            link.symlink_to(pointed)
        except OSError as exc:  # e.g. Windows without the right to create links
            skipped.append(f"{rel} (a symbolic link that cannot be created here: {exc.strerror or exc})")
            continue
        written += 1
    return Materialised(dest, written, tuple(skipped))


def _entries(repo: Repo, commit: str) -> Iterator[tuple[str, str, str, str]]:
    """(mode, type, object id, workspace-relative path) of every file under the workspace in ``commit``."""
    spec = [f"{repo.prefix}"] if repo.prefix else []
    out = repo.run("ls-tree", "-r", "-z", "--full-tree", commit, "--", *spec)
    for record in out.split(b"\0"):
        if not record:
            continue
        meta, _, path = record.partition(b"\t")
        mode, kind, oid = meta.decode().split(" ")
        name = os.fsdecode(path)
        yield mode, kind, oid, name[len(repo.prefix) :]


def _read_blobs(repo: Repo, oids: list[str]) -> list[bytes]:
    """Every blob's bytes in one ``git cat-file --batch`` (one process, not one per file)."""
    if not oids:
        return []
    out = repo.run("cat-file", "--batch", stdin="".join(f"{oid}\n" for oid in oids).encode())
    blobs: list[bytes] = []
    pos = 0
    for oid in oids:
        end = out.index(b"\n", pos)
        header = out[pos:end].split(b" ")
        if len(header) != 3:
            raise GitFailed(f"object {oid} is missing from the repository")
        size = int(header[2])
        blobs.append(out[end + 1 : end + 1 + size])
        pos = end + 1 + size + 1  # the content is followed by a newline
    return blobs


def _safe(rel: str) -> bool:
    parts = rel.split("/")
    return bool(rel) and all(p not in ("", ".", "..", ".git") for p in parts)


def _git(cwd: Path, *args: str, stdin: bytes | None = None) -> bytes:
    exe = shutil.which("git")
    if exe is None:
        raise UsageError("git is not installed", hint="install git; `llmpath verify` reads your history with it")
    # The caller's GIT_* variables (GIT_DIR, GIT_INDEX_FILE, ...) must not redirect what is read.
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") or k == "GIT_CEILING_DIRECTORIES"}
    env["GIT_TERMINAL_PROMPT"] = "0"
    proc = subprocess.run(
        [exe, "-c", "core.quotePath=false", *args], cwd=cwd, input=stdin, capture_output=True, env=env, check=False
    )
    if proc.returncode != 0:
        raise GitFailed(" ".join(proc.stderr.decode("utf-8", "replace").split()) or f"git {args[0]} failed")
    return proc.stdout
