"""The learner's progress: ``.llmpath/progress.json``, meant to be committed with their work.

Written atomically (temp file + fsync + ``os.replace``) under a file lock, so that a crash or a
second ``llmpath`` running at the same time never leaves a half-written file, and sealed (see
``state_doc``). A corrupt, hand-edited or unsealed file is an error that says what is wrong and how to
recover; it is never reset silently, and a change made while llmpath runs is refused.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Literal

import filelock
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from llmpath.errors import StateError
from llmpath.fsutil import atomic_write_text, refuse_outside
from llmpath.workspace import state_doc

STATE_DIR = ".llmpath"
PROGRESS_FILE = "progress.json"
LOCK_TIMEOUT_S = 10.0

_RECOVER = (
    "restore it with `git checkout -- .llmpath/progress.json` (the last committed state; "
    "`git log -p -- .llmpath/progress.json` shows older ones) or delete it to start over (you will lose "
    "recorded progress)"
)


class CheckRecord(BaseModel):
    """The last result of one exit criterion, and the state of the files it was judged on."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["passed", "failed", "error"]
    summary: str
    at: str
    fingerprint: str
    commit: str | None = None
    seed: int = 0
    metrics: dict[str, float] = Field(default_factory=dict)


class MilestoneState(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unlocked_at: str | None = None
    completed_at: str | None = None
    commit: str | None = None
    tag: str | None = None
    last_check_at: str | None = None
    checks: dict[str, CheckRecord] = Field(default_factory=dict)  # keyed by criterion id
    hints_revealed: int = 0  # of the milestone's general hints
    criterion_hints: dict[str, int] = Field(default_factory=dict)  # hints revealed per criterion id
    # recorded with a completion: the seed its checks were re-run on, the roadmap it was judged
    # against (state_doc / roadmap_hash), and the fingerprint of the files it was judged on
    seed: int | None = None
    roadmap: str | None = None
    fingerprint: str | None = None


class RoadmapRef(BaseModel):
    """The roadmap this workspace's progress is judged against (``llmpath roadmap accept`` changes it)."""

    model_config = ConfigDict(extra="forbid")

    hash: str
    criteria: dict[str, str]  # criterion id -> hash of its checks
    origin: Literal["builtin", "file"]
    at: str | None = None


class RoadmapChange(BaseModel):
    """One ``llmpath roadmap accept``: the log of changes to what is judged."""

    model_config = ConfigDict(extra="forbid")

    at: str
    commit: str | None
    reason: str
    hash: str
    added: list[str]
    removed: list[str]
    changed: list[str]


class Progress(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = state_doc.FORMAT
    milestones: dict[str, MilestoneState] = Field(default_factory=dict)
    roadmap: RoadmapRef | None = None
    roadmap_log: list[RoadmapChange] = Field(default_factory=list)

    def state(self, mid: str) -> MilestoneState:
        """The milestone's state, or a fresh default (not inserted) when nothing is recorded."""
        found = self.milestones.get(mid)
        return found if found is not None else MilestoneState()

    def completed(self) -> set[str]:
        return {mid for mid, st in self.milestones.items() if st.completed_at is not None}


class ProgressStore:
    """Loads and updates ``WORKSPACE/.llmpath/progress.json``.

    The store remembers the bytes it read first. If the file changed since then by anything but
    llmpath (its seal does not verify: the learner's code, a process it left behind, an editor), the
    next write refuses that change: it keeps the state llmpath had read, applies its own update to
    it, and says so in ``warnings``.
    """

    def __init__(self, workspace: Path) -> None:
        self.workspace = Path(workspace)
        self.path = self.workspace / STATE_DIR / PROGRESS_FILE
        self.lock_path = self.workspace / STATE_DIR / (PROGRESS_FILE + ".lock")
        self.warnings: list[str] = []
        self._known: bytes | None = None  # what llmpath last read or wrote (b"" for "no file")

    def _read(self) -> bytes:
        """The file's bytes (b"" when it does not exist), at most a little over the size limit."""
        try:
            with open(self.path, "rb") as handle:
                return handle.read(state_doc.MAX_BYTES + 1)
        except FileNotFoundError:
            return b""
        except OSError as exc:
            raise StateError(f"cannot read {self.path}: {exc.strerror or exc}; {_RECOVER}") from None

    def load(self) -> Progress:
        """The recorded progress; an empty Progress when the file does not exist yet."""
        raw = self._read()
        progress = self._parse(raw)
        if self._known is None:
            self._known = raw
        return progress

    def _parse(self, raw: bytes) -> Progress:
        if not raw and not self.path.exists():
            return Progress()
        try:
            doc = state_doc.parse(raw)
        except state_doc.Problems as exc:
            problems = exc.problems
            if any(p.startswith("seal:") for p in problems):
                problems = problems + _edits_since_commit(self.workspace, self.path, raw)
            raise StateError(_problem_message(self.path, problems)) from None
        doc.pop("seal", None)
        try:
            return Progress.model_validate(doc)
        except ValidationError as exc:  # state_doc is stricter than the models: a bug if this happens
            problems = [
                f"{'.'.join(str(p) for p in err['loc']) or '(top level)'}: {err['msg']}" for err in exc.errors()[:5]
            ]
            raise StateError(_problem_message(self.path, problems)) from None

    def update(self, fn: Callable[[Progress], None]) -> Progress:
        """Load, let ``fn`` mutate the Progress, write it back atomically; all under the lock."""
        refuse_outside(self.workspace, self.path.parent, self.path, self.lock_path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock = filelock.FileLock(str(self.lock_path), timeout=LOCK_TIMEOUT_S)
        try:
            with lock:
                progress = self._current()
                fn(progress)
                # re-validate: fn may have assigned something of the wrong type
                progress = Progress.model_validate(progress.model_dump(warnings=False))
                self._remove_stale_temps()
                text = dumps(progress)
                state_doc.parse(text.encode("utf-8"))  # llmpath never writes what it would refuse to read
                if not self._holds(text):  # unchanged: leave the file (and its mtime) alone
                    atomic_write_text(self.path, text)
                self._known = text.encode("utf-8")
                return progress
        except filelock.Timeout:
            raise StateError(
                f"{self.lock_path} has been locked for {LOCK_TIMEOUT_S:.0f} s: is another llmpath "
                "command running? Wait for it to finish, or delete the lock file if none is running",
            ) from None

    def _current(self) -> Progress:
        """The state to update: the file as it is, unless something other than llmpath changed it."""
        raw = self._read()
        if self._known is None or raw == self._known:
            self._known = raw if self._known is None else self._known
            return self._parse(raw)
        try:
            return self._parse(raw)  # sealed: another llmpath command wrote it meanwhile
        except StateError as exc:
            why = "it was deleted" if not raw else exc.message.split(" (", 1)[-1].split(";")[0]
        self.warnings.append(
            f"{self.path} was changed while llmpath was running, and not by llmpath ({why.rstrip(')')}): "
            "the change was refused and the state llmpath had read is kept. The code llmpath judges must "
            "not write llmpath's state"
        )
        return self._parse(self._known)

    def _holds(self, text: str) -> bool:
        try:
            return self.path.read_bytes() == text.encode("utf-8")
        except OSError:
            return False

    def _remove_stale_temps(self) -> None:
        # Temp files of writers killed mid-write; every writer holds the lock, so any left now are stale.
        for stale in self.path.parent.glob(f".{PROGRESS_FILE}.*.tmp"):
            try:
                stale.unlink()
            except OSError:
                pass


def _edits_since_commit(workspace: Path, path: Path, raw: bytes) -> list[str]:
    """What differs from the committed file, field by field (for the message; best effort)."""
    from llmpath.workspace import evidence

    old = evidence.committed(workspace, path)
    if old is None:
        return []
    try:
        before, after = _flat(json.loads(old)), _flat(json.loads(raw))
    except (ValueError, RecursionError):
        return []
    keys = [k for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k) and k != "seal"]
    shown = [f"{k}: {before.get(k, '(absent)')!r} -> {after.get(k, '(absent)')!r} since the last commit" for k in keys]
    return shown[:4] + ([f"and {len(keys) - 4} more changes"] if len(keys) > 4 else [])


def _flat(obj: object, prefix: str = "") -> dict[str, object]:
    if isinstance(obj, dict):
        out: dict[str, object] = {}
        for key, value in obj.items():
            out |= _flat(value, f"{prefix}.{key}" if prefix else str(key))
        return out
    return {prefix: obj} if prefix else {}


def _problem_message(path: Path, problems: list[str]) -> str:
    shown = "; ".join(problems[:6]) + (f"; and {len(problems) - 6} more" if len(problems) > 6 else "")
    if any(p.startswith("version:") and "newer llmpath" in p for p in problems):
        return f"{path} was written by a newer llmpath ({shown})"
    return f"{path} is not a progress file llmpath can trust ({shown}); {_RECOVER}"


def dumps(progress: Progress) -> str:
    """Sorted, indented JSON with a final newline (git diffs read well), sealed (see state_doc)."""
    doc = progress.model_dump(mode="json")
    doc["version"] = state_doc.FORMAT
    doc["seal"] = state_doc.seal_of(doc)
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


_IGNORED_DIRS = {"__pycache__", ".ipynb_checkpoints"}
_IGNORED_FILES = {".DS_Store"}
_IGNORED_SUFFIXES = (".pyc", ".pyo")


def _ignored(name: str) -> bool:
    return name in _IGNORED_DIRS or name in _IGNORED_FILES or name.endswith(_IGNORED_SUFFIXES)


def _walk(path: Path) -> Iterable[Path]:
    if path.is_symlink() and not path.exists():
        return
    if path.is_file():
        yield path
    elif path.is_dir():
        for dirpath, dirnames, filenames in os.walk(path):
            dirnames[:] = sorted(d for d in dirnames if not _ignored(d))
            for name in filenames:
                if not _ignored(name):
                    yield Path(dirpath) / name


def fingerprint(paths: Iterable[Path], root: Path) -> str:
    """sha256 over the relative paths and bytes of every file under ``paths`` (files or folders).

    Caches (``__pycache__``, ``*.pyc``, ``.ipynb_checkpoints``, ``.DS_Store``) are ignored, so the
    fingerprint changes only when the learner's files do. Missing paths contribute nothing.
    """
    root = Path(root)
    files: dict[str, Path] = {}
    for top in paths:
        top = Path(top)
        if not top.is_absolute():
            top = root / top
        if _ignored(top.name):
            continue
        for file in _walk(top):
            try:
                rel = file.relative_to(root).as_posix()
            except ValueError:
                rel = file.as_posix()
            files[rel] = file
    digest = hashlib.sha256()
    for rel in sorted(files):
        try:
            data = files[rel].read_bytes()
        except OSError:  # vanished or unreadable while we walked: count it as absent
            continue
        name = rel.encode("utf-8", "surrogateescape")
        # length-prefixed, so that no choice of names and contents can collide with another
        digest.update(len(name).to_bytes(8, "big") + name)
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()
