"""What the notebook holds: experiment and journal entries, and the rules their fields follow.

Validation happens before anything is written, so a refused entry never reaches the files.
"""

from __future__ import annotations

import dataclasses
import math
import re
from pathlib import Path
from typing import Any

from llmpath.errors import UsageError

EXPERIMENTS_FILE = "experiments_log.md"
JOURNAL_FILE = "learning_journal.md"

METRIC_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
MILESTONE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


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


@dataclasses.dataclass(frozen=True)
class RetractionEntry:
    """Withdraws an earlier entry (``entry``): it stops counting, and its words stay in the file."""

    id: str  # R0001, numbered across both logs
    milestone: str  # the retracted entry's
    timestamp: str
    commit: str | None
    dirty: bool
    entry: str  # the id retracted, E#### or J####
    reason: str


def parse_metric(text: str) -> tuple[str, float]:
    """``"val_loss=1.5e-3"`` -> ``("val_loss", 0.0015)``; a UsageError that says why otherwise."""
    example = "write metrics as name=value, e.g. `--metric val_loss=1.234`"
    name, sep, value = text.partition("=")
    name, value = name.strip(), value.strip()
    if not sep:
        raise UsageError(f"metric {text!r} has no `=`: {example}")
    if not METRIC_NAME.fullmatch(name) or len(name) > 100:
        raise UsageError(
            f"metric name {_short(name)} is not valid: use letters, digits, `_`, `.`, `-`, starting with a letter "
            f"or `_`; {example}"
        )
    try:
        number = float(value)
    except ValueError:
        raise UsageError(f"metric {name}: {_short(value)} is not a number; {example}") from None
    if not math.isfinite(number):
        raise UsageError(f"metric {name}: {_short(value)} is not a finite number (nan, inf and numbers beyond "
                         "1.8e308 cannot be logged)")
    return name, number


def _short(text: str) -> str:
    """A value as shown in a message: quoted, and cut to 40 characters (a 5,000-digit number is not read)."""
    shown = repr(text)
    return shown if len(shown) <= 42 else f"{shown[:40]}...' ({len(text)} characters)"


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
        try:
            if not candidate.exists():
                continue
            real = candidate.resolve()
        except (OSError, RuntimeError) as exc:  # a name over 255 bytes, a symlink loop...
            raise UsageError(f"visualization {_short(path)} cannot be used: {getattr(exc, 'strerror', None) or exc}"
                             ) from None
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


def check_milestone(milestone: str) -> None:
    if not MILESTONE.fullmatch(milestone):
        raise UsageError(f"milestone {milestone!r} is not a milestone id (like M3)")


def check_commit(commit: str | None) -> str | None:
    if commit is not None and not re.fullmatch(r"[0-9a-fA-F]{4,64}", commit):
        raise UsageError(f"commit {commit!r} is not a git commit id")
    return commit


def check_metric(name: str, value: Any) -> float:
    if not isinstance(name, str) or not METRIC_NAME.fullmatch(name):
        raise UsageError(f"metric name {name!r} is not valid: use letters, digits, `_`, `.`, `-`")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise UsageError(f"metric {name}: {value!r} is not a number")
    number = float(value)
    if not math.isfinite(number):
        raise UsageError(f"metric {name}: {value!r} is not a finite number (nan and inf cannot be logged)")
    return number
