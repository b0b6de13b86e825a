"""A progress line for long checks: which criterion and check runs, what it is doing, how far the run is.

It appears only on a terminal and only once a run has lasted ``DELAY_S`` (most checks finish sooner,
and a flash of progress bars would be noise). It listens to the judge's events: ``plan`` (how many
checks), ``start``, ``progress`` (what the probe says it is doing, e.g. "sampling 32 continuations"),
``done``. rich draws it on stderr and removes it when the run ends.
"""

from __future__ import annotations

import threading
from typing import Any

from llmpath.cli import output

DELAY_S = 1.0


class CheckProgress:
    def __init__(self, enabled: bool, label: str = "checking") -> None:
        self.enabled = enabled and output.stderr.is_terminal
        self.label = label
        self.total = 0
        self.finished = 0
        self.current = ""
        self.detail = ""
        self._bar: Any = None
        self._task: Any = None
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()

    def __enter__(self) -> CheckProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.reset()

    def reset(self) -> None:
        """Take the line off the screen and start counting afresh (``watch`` does this between runs)."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            if self._bar is not None and self._bar.live.is_started:
                self._bar.stop()
            self._bar = self._timer = None
            self.total = self.finished = 0
            self.current = self.detail = ""

    def _arm(self) -> None:
        """On the first event of a run: the line appears if the run is still going DELAY_S later."""
        if not self.enabled or self._bar is not None:
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

        self._bar = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(bar_width=20),
            MofNCompleteColumn(),
            TextColumn("[dim]{task.elapsed:.0f} s[/]"),
            console=output.stderr,
            transient=True,
        )
        self._task = self._bar.add_task(self.label, total=None)
        self._timer = threading.Timer(DELAY_S, self._show)
        self._timer.daemon = True
        self._timer.start()

    def _show(self) -> None:
        with self._lock:
            if self._bar is not None and not self._bar.live.is_started:
                self._bar.start()

    def note(self, text: str) -> None:
        """A step of llmpath's own ("re-running 2 checks whose files changed")."""
        self.detail = text
        self._arm()
        self._refresh()

    def event(self, kind: str, check_id: str, detail: str = "") -> None:
        self._arm()
        if kind == "plan":
            self.total += int(detail or 0)
        elif kind == "start":
            self.current, self.detail = check_id.split("#")[0], ""
        elif kind == "progress":
            self.detail = detail
        elif kind == "done":
            self.finished += 1
        self._refresh()

    def description(self) -> str:
        what = self.current or self.label
        return f"{what}: {self.detail}" if self.detail else f"{what}…"

    def _refresh(self) -> None:
        with self._lock:
            if self._bar is not None:
                self._bar.update(
                    self._task,
                    description=output.escape(self.description()),
                    total=self.total or None,
                    completed=self.finished,
                )
