"""Text that came from the learner's process, made fit to show: terminal control codes removed."""

from __future__ import annotations

import re

# CSI sequences (colours, cursor moves: ESC [ ... final byte) and OSC sequences (titles, links)
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")


def strip_terminal_codes(text: str) -> str:
    """``text`` without ANSI escape sequences (torch's messages and learners' prints carry colours)."""
    return _ANSI.sub("", text) if "\x1b" in text else text
