"""``llmpath watch``: the everyday loop. Re-check on every change, hint on a key, move on when green.

What it watches: the milestone's folder, the two logs and ``visualizations/`` (a journal entry logged
from another terminal re-checks at once). What it ignores: llmpath's own writing (the README's
checklist, ``.llmpath/``, temporary files). A batch of file events re-runs the check only when the
content it judges changed (a fingerprint of those files), so a save that changes nothing, or
llmpath ticking the checklist, never triggers a second run.

Uses watchfiles (inotify and friends); where file events are lost (network drives, some containers)
``--poll`` or the automatic fallback polls instead. Keys come from the caller (``read_key``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from llmpath.commands.check import CheckReport, EventFn, check
from llmpath.commands.context import Context
from llmpath.errors import LlmpathError

_IGNORED = ("__pycache__", ".pyc", "~", ".swp", ".swx", ".tmp", "/.llmpath/", "4913")  # 4913: vim's probe file
KEYS = {"h": "hint", "r": "re-run", "u": "unlock", "q": "quit"}


@dataclasses.dataclass(frozen=True)
class Ran:
    report: CheckReport
    run: int  # 1 for the first run of this watch


@dataclasses.dataclass(frozen=True)
class Waiting:
    watched: tuple[str, ...]  # workspace-relative paths


@dataclasses.dataclass(frozen=True)
class Hinted:
    report: Any  # llmpath.commands.hint.HintReport


@dataclasses.dataclass(frozen=True)
class Unlocked:
    report: Any | None  # llmpath.commands.unlock.UnlockReport, or None when refused
    refusal: LlmpathError | None = None


Event = Ran | Waiting | Hinted | Unlocked


def watched_paths(ctx: Context, mid: str) -> list[Path]:
    """The milestone's folder, the logs and the pictures: everything its checks read."""
    from llmpath.notebook import logs

    logs.ensure_log_files(ctx.root)
    paths = [ctx.workspace.milestone_dir(mid), ctx.root / logs.EXPERIMENTS_FILE, ctx.root / logs.JOURNAL_FILE]
    paths.append(ctx.root / "visualizations")
    return [p for p in paths if p.exists()]


def judged_state(ctx: Context, mid: str) -> str:
    """A fingerprint of what the checks judge (the README's checklist is llmpath's writing: left out)."""
    from llmpath.commands.check import milestone_fingerprint
    from llmpath.workspace.progress import fingerprint

    others = [p for p in watched_paths(ctx, mid) if p != ctx.workspace.milestone_dir(mid)]
    return milestone_fingerprint(ctx, mid) + fingerprint(others, ctx.root)


def _interesting(change: object, path: str) -> bool:
    return not any(part in path.replace("\\", "/") for part in _IGNORED)


@dataclasses.dataclass
class _Loop:
    ctx: Context
    mid: str
    on_event: EventFn | None
    runs: int = 0
    last: CheckReport | None = None
    state: str = ""

    def run(self) -> Ran:
        self.state = judged_state(self.ctx, self.mid)
        self.last = check(self.ctx, self.mid, on_event=self.on_event)
        self.runs += 1
        return Ran(self.last, self.runs)

    def changed(self) -> bool:
        return judged_state(self.ctx, self.mid) != self.state

    def hint(self) -> Hinted:
        from llmpath.commands.hint import hint

        failing = [c.id for c in self.last.criteria if c.status != "passed"] if self.last else []
        return Hinted(hint(self.ctx, failing[0] if failing else self.mid))

    def unlock(self) -> Unlocked:
        from llmpath.commands.unlock import unlock

        try:
            report = unlock(self.ctx, "next", on_event=self.on_event)
        except LlmpathError as exc:
            return Unlocked(None, exc)
        if report.unlocked and not report.path_ends:
            self.mid = report.unlocked  # rustlings' way: green, then on to the next one
        return Unlocked(report)


def watch(
    ctx: Context,
    mid: str,
    *,
    poll: bool = False,
    poll_delay_ms: int = 300,
    max_runs: int | None = None,
    read_key: Callable[[], str | None] | None = None,
    on_event: EventFn | None = None,
) -> Iterator[Event]:
    """Yield a check now and after every change, and what each key asked for; stops on ``q`` or ``max_runs``."""
    import watchfiles

    loop = _Loop(ctx, ctx.milestone(mid).id, on_event)
    yield loop.run()
    while max_runs is None or loop.runs < max_runs:
        current, started, announced = loop.mid, False, False
        try:
            for batch in watchfiles.watch(
                *watched_paths(ctx, current),
                watch_filter=_interesting,
                force_polling=poll,
                poll_delay_ms=poll_delay_ms,
                raise_interrupt=True,
                yield_on_timeout=True,  # an empty batch every rust_timeout: time to read keys
                rust_timeout=100,
            ):
                key = read_key() if read_key else None
                if key == "q":
                    return
                if key == "h":
                    yield loop.hint()
                elif key == "u" and loop.last is not None and loop.last.status == "passed":
                    yield loop.unlock()
                # a save while the last run ran (or before this watcher started) counts too: `changed`
                # compares with the files as that run read them
                if key == "r" or loop.mid != current or ((batch or not started) and loop.changed()):
                    yield loop.run()
                    announced = False
                    if max_runs is not None and loop.runs >= max_runs:
                        return
                    if loop.mid != current:
                        break  # a new milestone: watch its folder
                started = True
                if not announced:  # the watcher runs: a save can no longer slip in unseen
                    yield Waiting(tuple(ctx.workspace.rel(p) for p in watched_paths(ctx, current)))
                    announced = True
        except (OSError, RuntimeError):
            if poll:
                raise
            poll = True  # file events unavailable here: fall back to polling
