"""The checklist in a milestone's README, edited only between two markers.

Everything outside the markers belongs to the learner and is kept byte for byte.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from llmpath.fsutil import atomic_write_bytes

# The file in each milestone folder whose checklist llmpath ticks (between the markers only).
README = "README.md"
BEGIN = "<!-- llmpath:checklist:begin -->"
END = "<!-- llmpath:checklist:end -->"


def render(items: Sequence[tuple[str, bool]]) -> str:
    """``- [x] text`` / ``- [ ] text`` lines, one per item, each ending with a newline."""
    lines = []
    for text, done in items:
        flat = " ".join(str(text).split())  # one line per item, whatever the text holds
        lines.append(f"- [{'x' if done else ' '}] {flat}\n")
    return "".join(lines)


def update_readme(path: Path, items: Sequence[tuple[str, bool]]) -> bool:
    """Replace the text between the markers with ``render(items)``; True when the file now says so.

    Returns False, leaving the file untouched, when it is missing or its markers are missing,
    repeated, or in the wrong order.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError:
        return False
    begin, end = BEGIN.encode(), END.encode()
    if data.count(begin) != 1 or data.count(end) != 1:
        return False
    start = data.index(begin) + len(begin)
    stop = data.index(end)
    if stop < start:
        return False
    newline = b"\r\n" if b"\r\n" in data[:start] or data[start : start + 2] == b"\r\n" else b"\n"
    body = render(items).encode("utf-8").replace(b"\n", newline)
    updated = data[:start] + newline + body + data[stop:]
    if updated != data:
        atomic_write_bytes(path, updated)
    return True
