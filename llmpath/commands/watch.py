"""``llmpath watch M#``: re-run the milestone's check whenever its files change (rustlings-style).

Uses watchfiles (inotify and friends); where file events are lost (network drives, some containers
and editors that replace files) ``--poll`` or the automatic fallback polls the folder instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from llmpath.commands.check import CheckReport, check
from llmpath.commands.context import Context

_IGNORED = ("__pycache__", ".pyc", "~", ".swp", ".swx")


def _interesting(change: object, path: str) -> bool:
    return not any(part in path for part in _IGNORED)


def watch(
    ctx: Context,
    mid: str,
    *,
    poll: bool = False,
    poll_delay_ms: int = 500,
    max_runs: int | None = None,
    on_event: Callable[[str, str], None] | None = None,
    on_waiting: Callable[[], None] | None = None,
) -> Iterator[CheckReport]:
    """Yield a CheckReport now and after every change; stops after ``max_runs`` (None: forever)."""
    import watchfiles

    milestone = ctx.milestone(mid)
    folder = ctx.workspace.milestone_dir(milestone.id)
    runs = 0
    report = check(ctx, milestone.id, on_event=on_event)
    yield report
    runs += 1
    while max_runs is None or runs < max_runs:
        if on_waiting:
            on_waiting()
        try:
            changes = watchfiles.watch(
                folder, watch_filter=_interesting, force_polling=poll, poll_delay_ms=poll_delay_ms, raise_interrupt=True
            )
            for _batch in changes:
                yield check(ctx, milestone.id, on_event=on_event)
                runs += 1
                if max_runs is not None and runs >= max_runs:
                    return
                if on_waiting:
                    on_waiting()
        except (OSError, RuntimeError):
            if poll:
                raise
            poll = True  # file events unavailable here: fall back to polling
