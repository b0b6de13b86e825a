"""The learner's progress: ``.llmpath/progress.json``, meant to be committed with their work.

Written atomically (temp file + fsync + ``os.replace``) under a file lock, so that a crash or a
second ``llmpath`` running at the same time never leaves a half-written file. A corrupt or
hand-broken file is an error that says how to recover; it is never reset silently.
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
from llmpath.fsutil import atomic_write_text

STATE_DIR = ".llmpath"
PROGRESS_FILE = "progress.json"
LOCK_TIMEOUT_S = 10.0

_RECOVER = (
    "restore it with `git checkout -- .llmpath/progress.json` (if you committed it) "
    "or delete it to start over (you will lose recorded progress)"
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


class Progress(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = 1
    milestones: dict[str, MilestoneState] = Field(default_factory=dict)

    def state(self, mid: str) -> MilestoneState:
        """The milestone's state, or a fresh default (not inserted) when nothing is recorded."""
        found = self.milestones.get(mid)
        return found if found is not None else MilestoneState()

    def completed(self) -> set[str]:
        return {mid for mid, st in self.milestones.items() if st.completed_at is not None}


class ProgressStore:
    """Loads and updates ``WORKSPACE/.llmpath/progress.json``."""

    def __init__(self, workspace: Path) -> None:
        self.workspace = Path(workspace)
        self.path = self.workspace / STATE_DIR / PROGRESS_FILE
        self.lock_path = self.workspace / STATE_DIR / (PROGRESS_FILE + ".lock")

    def load(self) -> Progress:
        """The recorded progress; an empty Progress when the file does not exist yet."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return Progress()
        except OSError as exc:
            raise StateError(f"cannot read {self.path}: {exc.strerror or exc}; {_RECOVER}") from None
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise StateError(f"{self.path} is corrupt (not valid JSON: {exc}); {_RECOVER}") from None
        try:
            return Progress.model_validate(data)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or '(top level)'}: {err['msg']}"
                for err in exc.errors()[:5]
            )
            raise StateError(f"{self.path} does not have the expected structure ({problems}); {_RECOVER}") from None

    def update(self, fn: Callable[[Progress], None]) -> Progress:
        """Load, let ``fn`` mutate the Progress, write it back atomically; all under the lock."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock = filelock.FileLock(str(self.lock_path), timeout=LOCK_TIMEOUT_S)
        try:
            with lock:
                progress = self.load()
                fn(progress)
                # re-validate: fn may have assigned something of the wrong type
                progress = Progress.model_validate(progress.model_dump(warnings=False))
                self._remove_stale_temps()
                text = dumps(progress)
                if not self._holds(text):  # unchanged: leave the file (and its mtime) alone
                    atomic_write_text(self.path, text)
                return progress
        except filelock.Timeout:
            raise StateError(
                f"{self.lock_path} has been locked for {LOCK_TIMEOUT_S:.0f} s: is another llmpath "
                "command running? Wait for it to finish, or delete the lock file if none is running",
            ) from None

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


def dumps(progress: Progress) -> str:
    """Sorted, indented JSON with a final newline, so that git diffs of the file read well."""
    return json.dumps(progress.model_dump(mode="json"), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


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
