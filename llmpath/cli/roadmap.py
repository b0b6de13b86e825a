"""``llmpath roadmap ...``: what the workspace is judged against (registered on the main app)."""

from __future__ import annotations

from typing import Annotated

import typer

from llmpath.cli import output
from llmpath.cli.options import JsonOpt, WorkspaceOpt, open_ctx

roadmap_app = typer.Typer(
    help="What your progress is judged against: roadmap.yaml as the workspace accepted it.", no_args_is_help=True
)


@roadmap_app.command("diff")
def roadmap_diff(workspace: WorkspaceOpt = None, json: JsonOpt = False) -> None:
    """Show how roadmap.yaml differs from the roadmap the workspace accepted, and every acceptance so far.

    Example: `llmpath roadmap diff`
    """
    from llmpath.commands.roadmap import roadmap_doc

    doc = roadmap_doc(open_ctx(workspace))
    if json:
        output.print_json(doc)
        return
    changes = doc["changes"]
    if changes is None:
        output.stdout.print("[green]roadmap.yaml is the roadmap this workspace is judged against.[/]")
    else:
        output.stdout.print(f"[yellow bold]roadmap.yaml is not {changes['against']}:[/]")
        for line in changes["lines"]:
            output.stdout.print(f"  • {output.escape(line)}")
    for entry in doc["log"]:
        what = "; ".join(f"{k} {', '.join(entry[k])}" for k in ("added", "removed", "changed") if entry[k])
        shown = output.escape(f"({what or 'order changed'}): {entry['reason']}")
        output.stdout.print(f"[dim]accepted {entry['at']}[/] {shown}")


@roadmap_app.command("accept")
def roadmap_accept(
    reason: Annotated[str, typer.Option("--reason", help="Why the roadmap changed (it is logged).")],
    workspace: WorkspaceOpt = None,
    json: JsonOpt = False,
) -> None:
    """Accept roadmap.yaml as it is now: later completions are judged against it. Logged with your reason.

    Example: `llmpath roadmap accept --reason "instructor's week-3 update: M5 adds a masking criterion"`
    """
    from llmpath.commands.roadmap import accept

    entry = accept(open_ctx(workspace), reason)
    if json:
        output.print_json(entry.model_dump())
        return
    for key in ("added", "removed", "changed"):
        if getattr(entry, key):
            output.stdout.print(f"  criteria {key}: {output.escape(', '.join(getattr(entry, key)))}")
    output.stdout.print("[green]accepted[/]: completions from now on are judged against roadmap.yaml as it is; "
                        "the change is logged in .llmpath/progress.json (`llmpath roadmap diff` lists it)")
