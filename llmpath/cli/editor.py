"""Open the learner's editor on a temporary file and return what they saved ($VISUAL, $EDITOR, vi)."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path

from llmpath.errors import UsageError


def edit_text(template: str, *, suffix: str = ".md") -> str:
    """The file's text after the editor exits; UsageError when it cannot start or fails."""
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or ("notepad" if os.name == "nt" else "vi")
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
