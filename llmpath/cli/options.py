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


def hide_flag_placeholders() -> None:
    """Show no ``<bool>`` after a flag in ``--help``: a flag takes no value (recent typers print one).

    typer renders an option's value placeholder with ``TyperOption.display_type_rich``; flags get
    none here. Older typers without that method need nothing.
    """
    from typer import core

    option = getattr(core, "TyperOption", None)
    original = getattr(option, "display_type_rich", None)
    if option is None or original is None or getattr(original, "_llmpath", False):
        return

    def display_type_rich(self, ctx):  # noqa: ANN001, ANN202 - typer's signature
        return None if getattr(self, "is_flag", False) and not getattr(self, "count", False) else original(self, ctx)

    display_type_rich._llmpath = True  # type: ignore[attr-defined]
    option.display_type_rich = display_type_rich
