"""The learner's editor ($VISUAL, then $EDITOR) on a temporary file; without one, text typed on stdin."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

from llmpath.errors import UsageError


def editor_command() -> str | None:
    """The editor the learner chose ($VISUAL, then $EDITOR), or None when neither is set.

    There is no silent fallback to vi: a learner who never chose an editor should not land in one
    they cannot leave. (Windows always has notepad.)
    """
    chosen = (os.environ.get("VISUAL") or os.environ.get("EDITOR") or "").strip()
    if chosen:
        return chosen
    return "notepad" if os.name == "nt" else None


def edit_text(template: str, *, suffix: str = ".md", editor: str | None = None) -> str:
    """The file's text after the editor exits; UsageError when it cannot start or fails."""
    editor = editor or editor_command() or "vi"
    fd, name = tempfile.mkstemp(prefix="llmpath-", suffix=suffix)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(template)
        try:
            code = subprocess.call([*shlex.split(editor), name])
        except (FileNotFoundError, PermissionError):
            raise UsageError(
                f"cannot start the editor {editor!r}",
                hint="set $EDITOR, or pass the text as an argument (`-` reads stdin)",
            ) from None
        if code != 0:
            raise UsageError(f"the editor {editor!r} exited with code {code}: nothing was logged")
        return Path(name).read_text(encoding="utf-8")
    finally:
        os.unlink(name)


def type_text(prompt: str) -> str:
    """Text typed at the terminal until end of input (Ctrl-D on Unix, Ctrl-Z Enter on Windows)."""
    end = "Ctrl-Z then Enter" if os.name == "nt" else "Ctrl-D on an empty line"
    sys.stderr.write(f"{prompt}\nFinish with {end}; Ctrl-C cancels.\n")
    sys.stderr.flush()
    return sys.stdin.read()
