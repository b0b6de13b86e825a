"""The instant path for ``llmpath status``: no typer, pydantic, yaml, numpy or torch.

Taken only when the validated roadmap is cached, the progress file passes the checks every command
makes (``state_doc``: structure, format version, seal) and the roadmap is the one it accepted; anything
else returns None and the full CLI runs (which reports errors and refreshes the cache).
"""

from __future__ import annotations

from pathlib import Path

from llmpath.workspace import state_doc
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
    cached = read_cached_roadmap(workspace.root)
    if cached is None:
        return None
    roadmap = cached.view
    path = workspace.state_dir / "progress.json"
    try:
        with open(path, "rb") as handle:
            doc = state_doc.parse(handle.read(state_doc.MAX_BYTES + 1))  # the same rules as every command
        reference = doc.get("roadmap")
        expected = cached.builtin_hash if reference is None else reference.get("hash")
        if expected is None or expected != cached.hash:
            return None  # a roadmap that differs from the accepted one: the full path names the changes
        progress = ProgressView.from_json(doc)
        ids = {m.id for m in roadmap.milestones()}
        if not set(progress.milestones) <= ids:
            return None  # let the full path explain the mismatch
    except (OSError, ValueError, KeyError, TypeError, AttributeError, state_doc.Problems):
        return None  # no file yet, or one the full path must explain
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
