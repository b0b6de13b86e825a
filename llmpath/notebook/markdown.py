"""The notebook's Markdown: how an entry is written, and how it is read back.

Each entry is preceded by one hidden line carrying its exact data (base64 of its JSON); only these
lines are parsed, so nothing a learner types and nothing a person writes between entries can break
the format. Learner text is shown as a block quote.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
import re
import urllib.parse
from pathlib import Path
from typing import Any

from llmpath.errors import StateError
from llmpath.notebook.entries import EXPERIMENTS_FILE, JOURNAL_FILE, ExperimentEntry, JournalEntry, RetractionEntry

MARKER = re.compile(r"<!-- llmpath:entry:v1 ([A-Za-z0-9+/]+={0,2}) -->")

HEADERS = {
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


def _heading(entry: ExperimentEntry | JournalEntry | RetractionEntry) -> str:
    return f"## {entry.id} · {entry.milestone} · {entry.timestamp}"


def render_experiment(entry: ExperimentEntry) -> str:
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


def render_journal(entry: JournalEntry) -> str:
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


def render_retraction(entry: RetractionEntry) -> str:
    return "\n".join(
        [
            _marker("retraction", entry),
            _heading(entry),
            "",
            _commit_line(entry.commit, entry.dirty),
            "",
            f"**Retracts {entry.entry}**: it no longer counts for {entry.milestone} (its words stay above).",
            "",
            _quote(entry.reason),
            "",
        ]
    )


@dataclasses.dataclass(frozen=True)
class Damaged:
    """An entry llmpath cannot read back: never counted, never dropped from view."""

    file: str
    line: int
    why: str
    text: str  # the entry's raw text, as it is in the file

    def where(self) -> str:
        return f"{self.file}:{self.line}"


_LOOSE_MARKER = re.compile(r"\s*<!--\s*llmpath:entry")
_HEADING = re.compile(r"## ([EJR])(\d{4,}) · ")


def _lines(path: Path) -> list[str]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise StateError(f"cannot read {path}: {exc.strerror or exc}") from None
    # an editor may have saved the file with CRLF; invalid UTF-8 is shown, not fatal
    return [line.rstrip("\r") for line in raw.decode("utf-8", "replace").split("\n")]


def scan(path: Path) -> tuple[list[tuple[dict[str, Any], str]], list[Damaged]]:
    """Every entry's decoded data with ``path:line``, and every damaged entry with its raw text.

    A marker line may be indented (an editor's doing); a marker that cannot be decoded, and a heading
    of an entry whose marker is gone, are damaged entries. Nothing a person wrote between entries is
    either.
    """
    lines = _lines(path)
    found: list[tuple[dict[str, Any], str]] = []
    damaged: list[Damaged] = []
    marked = False  # the last non-blank line was a marker
    for number, line in enumerate(lines, start=1):
        if _LOOSE_MARKER.match(line):
            data, why = _decode(line.strip())
            if data is not None:
                found.append((data, f"{path}:{number}"))
            else:
                damaged.append(Damaged(str(path), number, why, _block(lines, number - 1)))
            marked = True  # the heading that follows belongs to this marker's entry, damaged or not
        elif _HEADING.match(line) and not marked:
            damaged.append(Damaged(str(path), number, "its hidden `llmpath:entry` line is missing",
                                   _block(lines, number - 1)))
        elif line.strip():
            marked = False
    return found, damaged


def _decode(line: str) -> tuple[dict[str, Any] | None, str]:
    match = MARKER.fullmatch(line)
    if not match:
        return None, "its hidden data line was edited or cut short"
    try:
        data = json.loads(base64.b64decode(match.group(1), validate=True).decode("ascii"))
    except (binascii.Error, ValueError) as exc:
        return None, f"its hidden data line cannot be decoded ({exc})"
    if not isinstance(data, dict):
        return None, "its hidden data line does not hold an entry"
    return data, ""


def _block(lines: list[str], start: int) -> str:
    """The raw text of the entry starting at ``lines[start]`` (its marker or its heading): up to the next entry."""
    end = start + 1
    seen_heading = bool(_HEADING.match(lines[start]))
    while end < len(lines) and not _LOOSE_MARKER.match(lines[end]):
        if _HEADING.match(lines[end]):
            if seen_heading:
                break
            seen_heading = True
        end += 1
    return "\n".join(lines[start:end]).strip()


def records(path: Path, kind: str) -> list[tuple[dict[str, Any], str]]:
    """The decoded data of every readable entry of ``kind`` in the file, with ``path:line`` for errors."""
    return [(data, where) for data, where in scan(path)[0] if data.get("kind") == kind]


class BadEntry(StateError):
    """An entry whose data line decodes but does not hold valid fields."""


def _damaged(where: str, why: str) -> BadEntry:
    return BadEntry(
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


def experiment_from(data: dict[str, Any], where: str) -> ExperimentEntry:
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


def journal_from(data: dict[str, Any], where: str) -> JournalEntry:
    names = {f.name for f in dataclasses.fields(JournalEntry)}
    return JournalEntry(**_common(data, where, names), text=_field(data, "text", str, where))


def retraction_from(data: dict[str, Any], where: str) -> RetractionEntry:
    names = {f.name for f in dataclasses.fields(RetractionEntry)}
    return RetractionEntry(
        **_common(data, where, names),
        entry=_field(data, "entry", str, where),
        reason=_field(data, "reason", str, where),
    )
