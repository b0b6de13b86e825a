"""The instant path for ``llmpath status``: no typer, pydantic, yaml, numpy or torch.

Taken only when the validated roadmap is cached and the progress file reads as expected; anything
else returns None and the full CLI runs (which validates, reports errors and refreshes the cache).
"""

from __future__ import annotations

import json
from pathlib import Path

from llmpath.workspace.locate import find_workspace
from llmpath.workspace.views import ProgressView, read_cached_roadmap


def fast_status(args: list[str]) -> int | None:
    """Run ``status [--json] [--workspace DIR]`` on the instant path, or return None to decline."""
    as_json = False
    explicit: Path | None = None
    rest = list(args)
    while rest:
        arg = rest.pop(0)
        if arg == "--json":
            as_json = True
        elif arg in ("--workspace", "-w") and rest:
            explicit = Path(rest.pop(0))
        else:
            return None
    try:
        workspace = find_workspace(explicit=explicit)
    except Exception:
        return None
    roadmap = read_cached_roadmap(workspace.root)
    if roadmap is None:
        return None
    path = workspace.state_dir / "progress.json"
    try:
        progress = (
            ProgressView.from_json(json.loads(path.read_text(encoding="utf-8"))) if path.exists() else ProgressView({})
        )
        ids = {m.id for m in roadmap.milestones()}
        if not set(progress.milestones) <= ids:
            return None  # let the full path explain the mismatch
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    from llmpath.commands.context import snapshot_context
    from llmpath.commands.status import status

    doc = status(snapshot_context(workspace, roadmap, progress))
    if as_json:
        from llmpath.cli.output_json import print_json

        print_json(doc)
    else:
        from llmpath.cli import output

        output.status(doc)
    return 0
