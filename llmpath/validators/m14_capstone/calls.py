"""Which functions of given folders a run of ``evaluate`` calls (loaded by path from ``runner.py``)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any


class Calls:
    """Which functions defined under ``roots`` were called: (file, first line of the code object).

    The trace function only adds the frame's code object to a set and returns None (no line events),
    the least a Python-level hook can do per call; files are sorted out once, at the end.
    """

    def __init__(self, roots: list[str]) -> None:
        self.roots = tuple(root + os.sep for root in roots)
        self.codes: set[Any] = set()
        add = self.codes.add

        def trace(frame: Any, event: str, arg: Any) -> None:
            add(frame.f_code)

        self.trace = trace

    def start(self) -> None:
        import threading

        threading.settrace(self.trace)
        sys.settrace(self.trace)

    def stop(self) -> None:
        import threading

        sys.settrace(None)
        threading.settrace(None)  # type: ignore[arg-type]

    def report(self, shown: Callable[[str], str]) -> dict[str, list[int]]:
        inside: dict[str, bool] = {}
        out: dict[str, set[int]] = {}
        for code in self.codes:
            name = code.co_filename
            if name not in inside:
                inside[name] = os.path.isabs(name) and os.path.realpath(name).startswith(self.roots)
            if inside[name]:
                out.setdefault(shown(name), set()).add(code.co_firstlineno)
        return {f: sorted(lines) for f, lines in sorted(out.items())}
