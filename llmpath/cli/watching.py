"""``llmpath watch`` on a terminal: a clear screen per run, keys for hint / re-run / unlock / quit.

Keys are read one at a time without Enter (the terminal is put in cbreak mode for the duration and
restored on the way out, Ctrl-C included). Without a terminal on stdin the keys are off and watch
simply re-checks on every change.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

from llmpath.cli import output
from llmpath.cli.progress import CheckProgress


def _exit_on_term(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


class Keys:
    """Single key presses from the terminal, without waiting for Enter; None when there is none."""

    def __init__(self) -> None:
        try:
            self.fd: int | None = sys.stdin.fileno() if sys.stdin.isatty() else None
        except (AttributeError, ValueError, OSError):
            self.fd = None
        self.saved: Any = None

    def __enter__(self) -> Keys:
        if self.fd is not None and os.name == "posix":
            import signal
            import termios
            import tty

            self.saved = termios.tcgetattr(self.fd)
            tty.setcbreak(self.fd)  # no echo, no line buffering; Ctrl-C still interrupts
            # a plain `kill` would end the process without restoring the terminal: exit through __exit__
            self.on_term = signal.signal(signal.SIGTERM, _exit_on_term)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.saved is not None:
            import signal
            import termios

            termios.tcsetattr(self.fd, termios.TCSADRAIN, self.saved)
            signal.signal(signal.SIGTERM, self.on_term)

    @property
    def enabled(self) -> bool:
        return self.fd is not None

    def read(self) -> str | None:
        if self.fd is None:
            return None
        if os.name == "nt":  # pragma: no cover - Windows consoles
            import msvcrt

            return msvcrt.getwch().lower() if msvcrt.kbhit() else None
        import select

        if select.select([self.fd], [], [], 0)[0]:
            return os.read(self.fd, 1).decode("utf-8", "ignore").lower() or None
        return None


def _footer(report: Any, keys: bool) -> None:
    if not keys:
        return
    offer = ["[bold]h[/] hint", "[bold]r[/] re-run", "[bold]q[/] quit"]
    if report.status == "passed" and report.next_command and report.next_command.endswith("llmpath unlock next"):
        offer.insert(0, "[bold]u[/] unlock now")
    output.stdout.print("[dim]keys:[/] " + "   ".join(offer))


def run_watch(ctx: Any, mid: str, *, poll: bool, max_runs: int | None) -> None:
    from llmpath.commands.watch import Hinted, Ran, Unlocked, Waiting, watch

    clear = output.stdout.is_terminal
    keep_screen = False  # after an unlock, its report stays on screen above the next milestone's run
    with Keys() as keys, CheckProgress(True) as progress:
        for event in watch(ctx, mid, poll=poll, max_runs=max_runs, read_key=keys.read, on_event=progress.event):
            progress.reset()
            if isinstance(event, Ran):
                if clear and not keep_screen:
                    output.stdout.clear()
                keep_screen = False
                report = event.report
                output.stdout.print(
                    f"[dim]llmpath watch · run {event.run} · {time.strftime('%H:%M:%S')}[/]", highlight=False
                )
                output.check_report(report)
                _footer(report, keys.enabled)
            elif isinstance(event, Waiting):
                output.stdout.print(f"[dim]watching {', '.join(event.watched)} — save a file to re-check"
                                    + (", or press a key" if keys.enabled else ", Ctrl-C to stop") + "[/]")
            elif isinstance(event, Hinted):
                output.stdout.print()
                output.hint_report(event.report)
            elif isinstance(event, Unlocked):
                output.stdout.print()
                if event.refusal is not None:
                    from llmpath.errors import GateError

                    missing = event.refusal.missing if isinstance(event.refusal, GateError) else None
                    output.error(event.refusal.message, event.refusal.hint, missing)
                else:
                    output.unlock_report(event.report)
                    keep_screen = True
