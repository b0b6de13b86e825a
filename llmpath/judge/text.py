"""Text that came from the learner's process, made fit to show: colour codes removed.

Only colours and text styles (SGR sequences, ``ESC [ ... m``, which torch's messages and learners'
prints carry) are removed: they change nothing but the look. Every other control sequence (a screen
clear, a cursor move that could draw a fake "✓ passed") is kept, and the renderer shows it instead of
obeying it (``␛[2J``), so that what the learner's code tried to do stays visible.
"""

from __future__ import annotations

import re

_SGR = re.compile(r"\x1b\[[0-9;:]*m")


def strip_terminal_codes(text: str) -> str:
    """``text`` without colour and style codes."""
    return _SGR.sub("", text) if "\x1b" in text else text
