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

import base64
import binascii
import contextlib
import dataclasses
import json
import math
import os
import re
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import filelock

from llmpath.errors import StateError, UsageError
from llmpath.fsutil import utc_now

EXPERIMENTS_FILE = "experiments_log.md"
JOURNAL_FILE = "learning_journal.md"
LOCK_TIMEOUT_S = 10.0

_MARKER = re.compile(r"<!-- llmpath:entry:v1 ([A-Za-z0-9+/]+={0,2}) -->")
_METRIC_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
_MILESTONE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_ID = {"experiment": re.compile(r"E(\d{4,})"), "journal": re.compile(r"J(\d{4,})")}


@dataclasses.dataclass(frozen=True)
class ExperimentEntry:
    id: str
    milestone: str
    timestamp: str
    commit: str | None
    dirty: bool
    objective: str
    setup: str
    metrics: dict[str, float]
    visualization: str | None  # workspace-relative posix path
    notes: str


@dataclasses.dataclass(frozen=True)
class JournalEntry:
    id: str
    milestone: str
    timestamp: str
    commit: str | None
    dirty: bool
    text: str


_HEADERS = {
    EXPERIMENTS_FILE: """\
# Experiments log

One entry per experiment: what you tried, how, what you measured, and a plot. `llmpath log experiment`
appends entries here, each with its milestone, the time (UTC) and the commit it ran on; `llmpath`
reads them back to check each milestone's documentation.

Please do not edit inside an entry: the hidden `llmpath:entry` line above each heading holds its exact
data, and edits to the visible part are not read back. Notes of your own *between* entries are welcome.
""",
    JOURNAL_FILE: """\
# Learning journal

Reflections, one per entry: what you learned, what surprised you, what you would do differently.
`llmpath log journal` appends entries here, each with its milestone, the time (UTC) and the commit;
`llmpath` reads them back to check each milestone's documentation.

Please do not edit inside an entry: the hidden `llmpath:entry` line above each heading holds its exact
data, and edits to the visible part are not read back. Notes of your own *between* entries are welcome.
""",
}


# ---------------------------------------------------------------------------------------------
# public API


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
    _check_milestone(milestone)
    if not objective.strip():
        raise UsageError("an experiment needs an objective: say what you wanted to find out")
    clean_metrics = {}
    for name, value in metrics.items():
        clean_metrics[name] = _check_metric(name, value)
    viz = check_visualization(workspace, visualization) if visualization else None
    with _lock(workspace):
        _ensure(workspace)
        path = workspace / EXPERIMENTS_FILE
        entry = ExperimentEntry(
            id=_next_id(path, "experiment"),
            milestone=milestone,
            timestamp=utc_now(),
            commit=_check_commit(commit),
            dirty=bool(dirty),
            objective=objective,
            setup=setup,
            metrics=clean_metrics,
            visualization=viz,
            notes=notes,
        )
        _append(path, _render_experiment(entry))
    return entry


def append_journal(workspace: Path, *, milestone: str, text: str, commit: str | None, dirty: bool) -> JournalEntry:
    """Append one reflection to the learning journal and return it."""
    workspace = Path(workspace)
    _check_milestone(milestone)
    if not text.strip():
        raise UsageError("a journal entry needs some text: what did you learn?")
    with _lock(workspace):
        _ensure(workspace)
        path = workspace / JOURNAL_FILE
        entry = JournalEntry(
            id=_next_id(path, "journal"),
            milestone=milestone,
            timestamp=utc_now(),
            commit=_check_commit(commit),
            dirty=bool(dirty),
            text=text,
        )
        _append(path, _render_journal(entry))
    return entry


def read_experiments(workspace: Path, milestone: str | None = None) -> list[ExperimentEntry]:
    """Every experiment entry in file order, optionally only those of ``milestone``."""
    entries = [_experiment_from(d, where) for d, where in _records(Path(workspace) / EXPERIMENTS_FILE, "experiment")]
    return [e for e in entries if milestone is None or e.milestone == milestone]


def read_journal(workspace: Path, milestone: str | None = None) -> list[JournalEntry]:
    """Every journal entry in file order, optionally only those of ``milestone``."""
    entries = [_journal_from(d, where) for d, where in _records(Path(workspace) / JOURNAL_FILE, "journal")]
    return [e for e in entries if milestone is None or e.milestone == milestone]


def parse_metric(text: str) -> tuple[str, float]:
    """``"val_loss=1.5e-3"`` -> ``("val_loss", 0.0015)``; a UsageError that says why otherwise."""
    example = "write metrics as name=value, e.g. `--metric val_loss=1.234`"
    name, sep, value = text.partition("=")
    name, value = name.strip(), value.strip()
    if not sep:
        raise UsageError(f"metric {text!r} has no `=`: {example}")
    if not _METRIC_NAME.fullmatch(name):
        raise UsageError(
            f"metric name {name!r} is not valid: use letters, digits, `_`, `.`, `-`, starting with a letter "
            f"or `_`; {example}"
        )
    try:
        number = float(value)
    except ValueError:
        raise UsageError(f"metric {name}: {value!r} is not a number; {example}") from None
    if not math.isfinite(number):
        raise UsageError(f"metric {name}: {value!r} is not a finite number (nan and inf cannot be logged)")
    return name, number


def check_visualization(workspace: Path, path: str) -> str:
    """The plot's workspace-relative posix path, once it is known to exist inside the workspace.

    A relative path is looked up from the workspace root, then from the current directory.
    Symlinks are resolved: a link that points outside the workspace is refused.
    """
    root = Path(workspace).resolve()
    given = Path(path).expanduser()
    candidates = [given] if given.is_absolute() else [root / given, Path.cwd() / given]
    outside = None
    for candidate in candidates:
        if not candidate.exists():
            continue
        real = candidate.resolve()
        try:
            rel = real.relative_to(root)
        except ValueError:
            outside = real
            continue
        if not real.is_file():
            raise UsageError(f"visualization {path!r} is not a file")
        return rel.as_posix()
    if outside is not None:
        raise UsageError(
            f"visualization {path!r} is outside the workspace ({outside}); save plots under "
            f"{root / 'visualizations'} so they travel with your repository"
        )
    raise UsageError(
        f"visualization {path!r} does not exist (looked in {root} and in the current directory); "
        "save the plot first, e.g. under visualizations/"
    )


# ---------------------------------------------------------------------------------------------
# writing


@contextlib.contextmanager
def _lock(workspace: Path) -> Iterator[None]:
    state = workspace / ".llmpath"
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
    for name, header in _HEADERS.items():
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


def _next_id(path: Path, kind: str) -> str:
    highest = 0
    for data, _ in _records(path, kind):
        match = _ID[kind].fullmatch(str(data.get("id", "")))
        if match:
            highest = max(highest, int(match.group(1)))
    return f"{'E' if kind == 'experiment' else 'J'}{highest + 1:04d}"


def _marker(kind: str, entry: Any) -> str:
    payload = {"kind": kind, **dataclasses.asdict(entry)}
    # ensure_ascii keeps lone surrogates (from oddly encoded argv) exact; base64 keeps `-->` out
    raw = json.dumps(payload, ensure_ascii=True, allow_nan=False).encode("ascii")
    return f"<!-- llmpath:entry:v1 {base64.b64encode(raw).decode('ascii')} -->"


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _quote(text: str) -> str:
    """Learner text as a Markdown block quote: every line starts with `> `, whatever it contains."""
    if not text.strip():
        return "> *(empty)*"
    lines = text.splitlines()  # every line separator unicode knows, \r\n and lone \r included
    shown = (_CONTROL.sub("\N{REPLACEMENT CHARACTER}", line.expandtabs(4)) for line in lines)
    return "\n".join(f"> {line}".rstrip() for line in shown)


def _commit_line(commit: str | None, dirty: bool) -> str:
    if commit is None:
        where = "no commit (not in a git repository, or nothing committed yet)"
    else:
        where = f"`{commit[:12]}`"
    return f"*Commit:* {where}" + (" — with uncommitted changes" if dirty else "")


def _heading(entry: ExperimentEntry | JournalEntry) -> str:
    return f"## {entry.id} · {entry.milestone} · {entry.timestamp}"


def _render_experiment(entry: ExperimentEntry) -> str:
    parts = [
        _marker("experiment", entry),
        _heading(entry),
        "",
        _commit_line(entry.commit, entry.dirty),
        "",
        "**Objective**",
        "",
        _quote(entry.objective),
        "",
        "**Setup**",
        "",
        _quote(entry.setup),
        "",
    ]
    if entry.metrics:
        parts += ["| metric | value |", "| --- | ---: |"]
        parts += [f"| `{name}` | {value!r} |" for name, value in entry.metrics.items()]
        parts.append("")
    if entry.visualization:
        link = urllib.parse.quote(entry.visualization, safe="/-_.~")
        parts += [f"![{entry.id} visualization]({link})", ""]
    parts += ["**Notes**", "", _quote(entry.notes), ""]
    return "\n".join(parts)


def _render_journal(entry: JournalEntry) -> str:
    return "\n".join(
        [
            _marker("journal", entry),
            _heading(entry),
            "",
            _commit_line(entry.commit, entry.dirty),
            "",
            _quote(entry.text),
            "",
        ]
    )


def _check_milestone(milestone: str) -> None:
    if not _MILESTONE.fullmatch(milestone):
        raise UsageError(f"milestone {milestone!r} is not a milestone id (like M3)")


def _check_commit(commit: str | None) -> str | None:
    if commit is not None and not re.fullmatch(r"[0-9a-fA-F]{4,64}", commit):
        raise UsageError(f"commit {commit!r} is not a git commit id")
    return commit


def _check_metric(name: str, value: Any) -> float:
    if not isinstance(name, str) or not _METRIC_NAME.fullmatch(name):
        raise UsageError(f"metric name {name!r} is not valid: use letters, digits, `_`, `.`, `-`")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise UsageError(f"metric {name}: {value!r} is not a number")
    number = float(value)
    if not math.isfinite(number):
        raise UsageError(f"metric {name}: {value!r} is not a finite number (nan and inf cannot be logged)")
    return number


# ---------------------------------------------------------------------------------------------
# reading


def _records(path: Path, kind: str) -> list[tuple[dict[str, Any], str]]:
    """The decoded data of every entry of ``kind`` in the file, with ``path:line`` for errors."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise StateError(f"cannot read {path}: {exc.strerror or exc}") from None
    text = raw.decode("utf-8", "replace")
    records = []
    for number, line in enumerate(text.split("\n"), start=1):
        match = _MARKER.fullmatch(line.rstrip("\r"))  # an editor may have saved the file with CRLF
        if not match:
            continue
        where = f"{path}:{number}"
        try:
            data = json.loads(base64.b64decode(match.group(1), validate=True).decode("ascii"))
        except (binascii.Error, ValueError) as exc:
            raise _damaged(where, f"its data line cannot be decoded ({exc})") from None
        if not isinstance(data, dict):
            raise _damaged(where, "its data line does not hold an entry")
        if data.get("kind") == kind:
            records.append((data, where))
    return records


def _damaged(where: str, why: str) -> StateError:
    return StateError(
        f"{where}: a log entry is damaged: {why}. Restore the file from git (`git diff` shows what "
        "changed) or delete that entry's `<!-- llmpath:entry ... -->` line"
    )


def _field(data: dict[str, Any], name: str, types: type | tuple[type, ...], where: str) -> Any:
    if name not in data:
        raise _damaged(where, f"field {name!r} is missing")
    value = data[name]
    if not isinstance(value, types) or (isinstance(value, bool) and bool not in _as_tuple(types)):
        raise _damaged(where, f"field {name!r} has the wrong type")
    return value


def _as_tuple(types: type | tuple[type, ...]) -> tuple[type, ...]:
    return types if isinstance(types, tuple) else (types,)


def _common(data: dict[str, Any], where: str, expected: set[str]) -> dict[str, Any]:
    extra = set(data) - expected - {"kind"}
    if extra:
        raise _damaged(where, f"unknown fields {sorted(extra)}")
    return {
        "id": _field(data, "id", str, where),
        "milestone": _field(data, "milestone", str, where),
        "timestamp": _field(data, "timestamp", str, where),
        "commit": _field(data, "commit", (str, type(None)), where),
        "dirty": _field(data, "dirty", bool, where),
    }


def _experiment_from(data: dict[str, Any], where: str) -> ExperimentEntry:
    names = {f.name for f in dataclasses.fields(ExperimentEntry)}
    metrics = _field(data, "metrics", dict, where)
    clean = {}
    for name, value in metrics.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _damaged(where, f"metric {name!r} is not a number")
        clean[name] = float(value)
    return ExperimentEntry(
        **_common(data, where, names),
        objective=_field(data, "objective", str, where),
        setup=_field(data, "setup", str, where),
        metrics=clean,
        visualization=_field(data, "visualization", (str, type(None)), where),
        notes=_field(data, "notes", str, where),
    )


def _journal_from(data: dict[str, Any], where: str) -> JournalEntry:
    names = {f.name for f in dataclasses.fields(JournalEntry)}
    return JournalEntry(**_common(data, where, names), text=_field(data, "text", str, where))
