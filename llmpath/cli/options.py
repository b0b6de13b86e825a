"""Options and helpers shared by the CLI modules."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

WorkspaceOpt = Annotated[
    Path | None,
    typer.Option(
        "--workspace", "-w", help="The workspace folder (default: the first folder upward with roadmap.yaml)."
    ),
]
JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print one JSON document (schema in README.md) and nothing else.")
]


def open_ctx(workspace: Path | None):  # noqa: ANN202 - Context, imported lazily
    from llmpath.commands.context import open_context

    return open_context(workspace)
