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
    # README.md is where llmpath ticks the checklist: a change there must not trigger another run.
    return not any(part in path for part in _IGNORED) and not path.endswith("README.md")


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
        try:
            # yield_on_timeout: an empty batch means the watcher is running, so "watching" is only
            # announced once a save can no longer slip in unseen.
            announced = False
            for batch in watchfiles.watch(
                folder,
                watch_filter=_interesting,
                force_polling=poll,
                poll_delay_ms=poll_delay_ms,
                raise_interrupt=True,
                yield_on_timeout=True,
                rust_timeout=200,
            ):
                if not batch:
                    if not announced and on_waiting:
                        on_waiting()
                    announced = True
                    continue
                yield check(ctx, milestone.id, on_event=on_event)
                runs += 1
                announced = False
                if max_runs is not None and runs >= max_runs:
                    return
        except (OSError, RuntimeError):
            if poll:
                raise
            poll = True  # file events unavailable here: fall back to polling
