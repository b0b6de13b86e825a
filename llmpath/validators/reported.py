"""What a learner reported: the experiment entry whose figures a check recomputes.

Checks that rerun a logged evaluation (M12's and M13's success rates) read the latest entry of the
milestone that logs a given metric, and the run it names in its other metrics (seed, sizes).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any


def latest_run(
    workspace: Path, milestone: str, metric: str, run_keys: Mapping[str, int]
) -> tuple[Any, dict[str, int]] | None:
    """The latest ``milestone`` entry that logs ``metric``, and its run (``run_keys`` give the defaults)."""
    from llmpath.notebook.logs import read_experiments

    entries = [e for e in read_experiments(workspace, milestone) if metric in e.metrics]
    if not entries:
        return None
    entry = entries[-1]
    return entry, {key: int(entry.metrics.get(key, default)) for key, default in run_keys.items()}
