"""The lab notebook: ``experiments_log.md`` and ``learning_journal.md``, append-only.

Each entry is Markdown a person enjoys reading (a heading, the commit, the fields as block quotes,
metrics as a table, the plot as an image) preceded by one hidden line that carries its exact data::

    <!-- llmpath:entry:v1 eyJpZCI6IkUwMDAzIiwi... -->
    ## E0003 · M3 · 2026-11-28T09:00:00Z

The hidden line is base64 of the entry's JSON, so no text a learner types (``## `` lines, ``-->``,
backticks, ``\\r\\n``, any unicode) can break it, and parsing reads only these lines: notes a person
writes between entries are ignored. Learner text is rendered as a block quote (every line starts
with ``> ``), so a ``## `` line inside a field cannot start a new entry, not even visually.

Appends happen under a file lock, in one ``write`` followed by fsync; earlier bytes are never
rewritten. A write cut short by a crash leaves at most an unterminated last entry, which is ignored.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import filelock

from llmpath.errors import StateError, UsageError
from llmpath.fsutil import refuse_outside, utc_now
from llmpath.notebook.entries import (
    EXPERIMENTS_FILE,
    JOURNAL_FILE,
    ExperimentEntry,
    JournalEntry,
    RetractionEntry,
    check_commit,
    check_metric,
    check_milestone,
    check_visualization,
    parse_metric,
)
from llmpath.notebook.markdown import (
    HEADERS,
    BadEntry,
    Damaged,
    experiment_from,
    journal_from,
    records,
    render_experiment,
    render_journal,
    render_retraction,
    retraction_from,
    scan,
)

__all__ = [
    "EXPERIMENTS_FILE",
    "JOURNAL_FILE",
    "Damaged",
    "ExperimentEntry",
    "JournalEntry",
    "RetractionEntry",
    "append_experiment",
    "append_journal",
    "append_retraction",
    "check_visualization",
    "damaged_entries",
    "ensure_log_files",
    "parse_metric",
    "read_experiments",
    "read_journal",
    "read_retractions",
]

LOCK_TIMEOUT_S = 10.0
_PREFIX = {"experiment": "E", "journal": "J", "retraction": "R"}
_ID = {kind: re.compile(prefix + r"(\d{4,})") for kind, prefix in _PREFIX.items()}


def ensure_log_files(workspace: Path) -> None:
    """Create both log files with a friendly header where missing; never touches an existing file."""
    with _lock(Path(workspace)):
        _ensure(Path(workspace))


def append_experiment(
    workspace: Path,
    *,
    milestone: str,
    objective: str,
    setup: str,
    metrics: dict[str, float],
    visualization: str | None,
    notes: str,
    commit: str | None,
    dirty: bool,
) -> ExperimentEntry:
    """Append one experiment entry and return it (with its new id and timestamp)."""
    workspace = Path(workspace)
    check_milestone(milestone)
    if not objective.strip():
        raise UsageError("an experiment needs an objective: say what you wanted to find out")
    clean_metrics = {}
    for name, value in metrics.items():
        clean_metrics[name] = check_metric(name, value)
    viz = check_visualization(workspace, visualization) if visualization else None
    with _lock(workspace):
        _ensure(workspace)
        path = workspace / EXPERIMENTS_FILE
        entry = ExperimentEntry(
            id=_next_id(path, "experiment"),
            milestone=milestone,
            timestamp=utc_now(),
            commit=check_commit(commit),
            dirty=bool(dirty),
            objective=objective,
            setup=setup,
            metrics=clean_metrics,
            visualization=viz,
            notes=notes,
        )
        _append(path, render_experiment(entry))
    return entry


def append_journal(workspace: Path, *, milestone: str, text: str, commit: str | None, dirty: bool) -> JournalEntry:
    """Append one reflection to the learning journal and return it."""
    workspace = Path(workspace)
    check_milestone(milestone)
    if not text.strip():
        raise UsageError("a journal entry needs some text: what did you learn?")
    with _lock(workspace):
        _ensure(workspace)
        path = workspace / JOURNAL_FILE
        entry = JournalEntry(
            id=_next_id(path, "journal"),
            milestone=milestone,
            timestamp=utc_now(),
            commit=check_commit(commit),
            dirty=bool(dirty),
            text=text,
        )
        _append(path, render_journal(entry))
    return entry


def _read(path: Path, kind: str, build: Callable[[dict[str, Any], str], Any]) -> tuple[list[Any], list[Damaged]]:
    found, damaged = scan(path)
    entries = []
    for data, where in found:
        if data.get("kind") != kind:
            continue
        try:
            entries.append(build(data, where))
        except BadEntry as exc:
            line = int(where.rsplit(":", 1)[1])
            damaged.append(Damaged(str(path), line, exc.message.split(": ", 2)[-1].split(". Restore")[0],
                                   "(see the file)"))
    return entries, damaged


def append_retraction(
    workspace: Path, *, entry_id: str, reason: str, commit: str | None, dirty: bool
) -> RetractionEntry:
    """Retract entry ``entry_id`` (E#### or J####): a new entry in the same file; nothing is rewritten."""
    workspace = Path(workspace)
    if not reason.strip():
        raise UsageError("a retraction needs a reason (--reason 'why this entry should not count')")
    wanted = entry_id.strip().upper()
    with _lock(workspace):
        _ensure(workspace)
        found = [e for e in (*read_experiments(workspace, retracted=True), *read_journal(workspace, retracted=True))
                 if e.id == wanted]
        if not found:
            raise UsageError(f"no log entry {entry_id!r}", hint="`llmpath log list` shows the ids (E0001, J0001, ...)")
        earlier = [r for r in read_retractions(workspace) if r.entry == wanted]
        if earlier:
            raise UsageError(f"{wanted} was already retracted by {earlier[0].id} ({earlier[0].reason.strip()})")
        path = workspace / (EXPERIMENTS_FILE if wanted.startswith("E") else JOURNAL_FILE)
        entry = RetractionEntry(
            id=_next_id([workspace / EXPERIMENTS_FILE, workspace / JOURNAL_FILE], "retraction"),
            milestone=found[0].milestone,
            timestamp=utc_now(),
            commit=check_commit(commit),
            dirty=bool(dirty),
            entry=wanted,
            reason=reason,
        )
        _append(path, render_retraction(entry))
    return entry


def read_retractions(workspace: Path) -> list[RetractionEntry]:
    """Every readable retraction in both logs, in file order (experiments first)."""
    workspace = Path(workspace)
    return [r for name in (EXPERIMENTS_FILE, JOURNAL_FILE)
            for r in _read(workspace / name, "retraction", retraction_from)[0]]


def read_experiments(
    workspace: Path, milestone: str | None = None, *, retracted: bool = False
) -> list[ExperimentEntry]:
    """Every readable experiment entry in file order, optionally only those of ``milestone``.

    Retracted entries are left out (they no longer count) unless ``retracted``. Damaged entries are not
    counted; ``damaged_entries`` lists them with their raw text.
    """
    entries, _ = _read(Path(workspace) / EXPERIMENTS_FILE, "experiment", experiment_from)
    gone = set() if retracted else {r.entry for r in read_retractions(workspace)}
    return [e for e in entries if (milestone is None or e.milestone == milestone) and e.id not in gone]


def read_journal(workspace: Path, milestone: str | None = None, *, retracted: bool = False) -> list[JournalEntry]:
    """Every readable journal entry in file order, optionally only those of ``milestone``; retracted ones left out."""
    entries, _ = _read(Path(workspace) / JOURNAL_FILE, "journal", journal_from)
    gone = set() if retracted else {r.entry for r in read_retractions(workspace)}
    return [e for e in entries if (milestone is None or e.milestone == milestone) and e.id not in gone]


def damaged_entries(workspace: Path) -> list[Damaged]:
    """Entries of both logs that cannot be read back, with where they are and their raw text."""
    out = []
    for name, kind, build in ((EXPERIMENTS_FILE, "experiment", experiment_from), (JOURNAL_FILE, "journal",
                                                                                   journal_from)):
        out += _read(Path(workspace) / name, kind, build)[1]
    return out


@contextlib.contextmanager
def _lock(workspace: Path) -> Iterator[None]:
    state = workspace / ".llmpath"
    refuse_outside(workspace, state, state / "logs.lock", workspace / EXPERIMENTS_FILE, workspace / JOURNAL_FILE)
    state.mkdir(parents=True, exist_ok=True)
    lock = filelock.FileLock(str(state / "logs.lock"))
    try:
        lock.acquire(timeout=LOCK_TIMEOUT_S)
    except filelock.Timeout:
        raise StateError(
            f"{lock.lock_file} has been locked for {LOCK_TIMEOUT_S:.0f} s: is another llmpath command "
            "running? Wait for it to finish, or delete the lock file if none is running"
        ) from None
    try:
        yield
    finally:
        lock.release()


def _ensure(workspace: Path) -> None:
    for name, header in HEADERS.items():
        try:
            with open(workspace / name, "x", encoding="utf-8", newline="\n") as handle:
                handle.write(header)
                handle.flush()
                os.fsync(handle.fileno())
        except FileExistsError:
            pass


def _append(path: Path, block: str) -> None:
    with open(path, "rb") as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        handle.seek(max(0, size - 2))
        tail = handle.read()
    # a blank line before each entry, whatever the file ended with (a person's note, a cut-off write)
    if size == 0 or tail == b"\n\n":
        sep = ""
    elif tail.endswith(b"\n"):
        sep = "\n"
    else:
        sep = "\n\n"
    data = (sep + block).encode("utf-8", "backslashreplace")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | getattr(os, "O_BINARY", 0))
    try:
        view = memoryview(data)
        while view:  # one write in practice; loop for the rare short write
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    finally:
        os.close(fd)


def _next_id(paths: Path | list[Path], kind: str) -> str:
    highest = 0
    for path in paths if isinstance(paths, list) else [paths]:
        for data, _ in records(path, kind):
            match = _ID[kind].fullmatch(str(data.get("id", "")))
            if match:
                highest = max(highest, int(match.group(1)))
        for damaged in scan(path)[1]:  # never reuse the id of an entry that is still in the file
            match = re.search(rf"## {_PREFIX[kind]}(\d{{4,}}) · ", damaged.text)
            if match:
                highest = max(highest, int(match.group(1)))
    return f"{_PREFIX[kind]}{highest + 1:04d}"
