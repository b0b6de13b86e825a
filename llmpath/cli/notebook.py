"""The notebook commands: ``llmpath log ...`` and ``llmpath paper add`` (registered on the main app)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from llmpath.cli import output
from llmpath.cli.options import JsonOpt, WorkspaceOpt, open_ctx
from llmpath.errors import UsageError

if TYPE_CHECKING:
    from llmpath.notebook.logs import ExperimentEntry, JournalEntry

log_app = typer.Typer(help="Append to and read the experiment log and the learning journal.", no_args_is_help=True)
paper_app = typer.Typer(help="Keep one note per paper in papers_notes/.", no_args_is_help=True)


def _report(ctx: Any, entry: ExperimentEntry | JournalEntry, where: str, *, as_json: bool) -> None:
    """The appended entry: as JSON, or one line saying where it went; a warning for a locked milestone."""
    import dataclasses

    from llmpath.commands.log import locked_warning

    warning = locked_warning(ctx, entry.milestone)
    if warning:
        output.stderr.print(f"[yellow]warning:[/] {output.escape(warning)}")
    if as_json:
        output.print_json(dataclasses.asdict(entry))
    else:
        output.stdout.print(f"[green]logged {entry.id}[/] for {entry.milestone} in {where}")


@log_app.command("experiment")
def log_experiment(
    milestone: Annotated[
        str | None, typer.Option("--milestone", "-m", help="Default: the milestone in progress.")
    ] = None,
    objective: Annotated[str | None, typer.Option("--objective", help="What you wanted to find out.")] = None,
    setup: Annotated[str | None, typer.Option("--setup", help="Data, model, hyper-parameters.")] = None,
    metric: Annotated[list[str] | None, typer.Option("--metric", help="name=value (repeatable).")] = None,
    visualization: Annotated[
        str | None, typer.Option("--visualization", help="A picture inside the workspace.")
    ] = None,
    notes: Annotated[str, typer.Option("--notes", help="Anything else worth remembering.")] = "",
    workspace: WorkspaceOpt = None,
    json: JsonOpt = False,
) -> None:
    """Append an experiment entry (with commit SHA and dirty flag) to experiments_log.md.

    Example: `llmpath log experiment -m M3 --objective "Adam vs SGD" --setup "quadratic, 200 steps"
    --metric final_loss_adam=0.01 --metric final_loss_sgd=0.2 --visualization visualizations/M3_convergence.png`
    Prompts for missing fields when interactive; exits 2 when not.
    """
    import sys

    from llmpath.commands.log import log_experiment as run

    interactive = sys.stdin.isatty() and not json
    if objective is None:
        if not interactive:
            raise UsageError("missing --objective (what you wanted to find out)")
        objective = typer.prompt("Objective")
    if setup is None:
        if not interactive:
            raise UsageError("missing --setup (data, model, hyper-parameters)")
        setup = typer.prompt("Setup")
    metrics = list(metric or [])
    if not metrics and interactive:
        while True:
            text = typer.prompt("Metric name=value (empty to finish)", default="", show_default=False)
            if not text:
                break
            metrics.append(text)
    ctx = open_ctx(workspace)
    entry = run(
        ctx,
        milestone=milestone,
        objective=objective,
        setup=setup,
        metrics=metrics,
        visualization=visualization,
        notes=notes,
    )
    _report(ctx, entry, "experiments_log.md", as_json=json)


@log_app.command("journal")
def log_journal(
    text: Annotated[
        str | None, typer.Argument(help="The reflection (`-` reads stdin; omitted: opens $EDITOR).")
    ] = None,
    milestone: Annotated[
        str | None, typer.Option("--milestone", "-m", help="Default: the milestone in progress.")
    ] = None,
    workspace: WorkspaceOpt = None,
    json: JsonOpt = False,
) -> None:
    """Append a reflection to learning_journal.md.

    Example: `llmpath log journal -m M5 "Q asks, K advertises, V delivers: ..."`
    """
    import sys

    from llmpath.commands.log import log_journal as run

    if text == "-":
        text = sys.stdin.read()
    elif text is None:
        if not sys.stdin.isatty():
            raise UsageError("no text given: pass the reflection as an argument, or `-` to read stdin")
        from llmpath.cli.editor import edit_text, editor_command, type_text

        if editor_command() is None:
            text = type_text(
                "No $VISUAL or $EDITOR is set, so type your reflection here (Markdown is fine; "
                "`export EDITOR=nano` to write it in an editor next time)."
            )
        else:
            text = edit_text(
                "\n#: Write your reflection above (Markdown is fine). Lines starting with '#:' are dropped.\n"
            )
            text = "\n".join(line for line in text.splitlines() if not line.startswith("#:")).strip()
    ctx = open_ctx(workspace)
    entry = run(ctx, milestone=milestone, text=text)
    _report(ctx, entry, "learning_journal.md", as_json=json)


@log_app.command("retract")
def log_retract(
    entry_id: Annotated[str, typer.Argument(help="The entry to withdraw: E0003 or J0002 (`llmpath log list`).")],
    reason: Annotated[str, typer.Option("--reason", help="Why it should not count.")],
    workspace: WorkspaceOpt = None,
    json: JsonOpt = False,
) -> None:
    """Withdraw a logged entry: it stops counting for checks and `log list`; its words stay in the file.

    The logs are append-only, so a retraction is a new entry that names the old one.
    Example: `llmpath log retract E0003 --reason "logged for the wrong milestone"`
    """
    import dataclasses

    from llmpath.commands.log import log_retract as run

    entry = run(open_ctx(workspace), entry_id=entry_id, reason=reason)
    if json:
        output.print_json(dataclasses.asdict(entry))
    else:
        output.stdout.print(
            f"[green]retracted {entry.entry}[/] ({entry.milestone}) with {entry.id}: it no longer counts"
        )


@log_app.command("list")
def log_list(
    milestone: Annotated[str | None, typer.Option("--milestone", "-m", help="Only this milestone's entries.")] = None,
    kind: Annotated[str, typer.Option("--kind", help="all, experiments or journal.")] = "all",
    workspace: WorkspaceOpt = None,
    json: JsonOpt = False,
) -> None:
    """List logged experiments and journal entries, parsed back from the Markdown files.

    Example: `llmpath log list -m M3 --json`
    """
    from llmpath.commands.log import log_list as run

    if kind not in ("all", "experiments", "journal"):
        raise UsageError(f"--kind must be all, experiments or journal, not {kind!r}")
    doc = run(open_ctx(workspace), milestone=milestone, kind=kind)
    if json:
        output.print_json(doc)
        return
    from rich.table import Table

    if "experiments" in doc:
        table = Table(title="experiments", title_justify="left")
        for col in ("id", "milestone", "when", "objective", "metrics", "commit"):
            table.add_column(col)
        for e in doc["experiments"]:
            metrics = ", ".join(f"{k}={v:g}" for k, v in e["metrics"].items())
            commit = (e["commit"] or "-")[:8] + ("*" if e["dirty"] else "")
            table.add_row(e["id"], e["milestone"], e["timestamp"], output.escape(e["objective"]), metrics, commit)
        output.stdout.print(table)
    if "journal" in doc:
        table = Table(title="journal", title_justify="left")
        for col in ("id", "milestone", "when", "reflection"):
            table.add_column(col)
        for e in doc["journal"]:
            first = e["text"].strip().splitlines()[0] if e["text"].strip() else ""
            table.add_row(e["id"], e["milestone"], e["timestamp"], output.escape(first[:80]))
        output.stdout.print(table)
    for d in doc["damaged"]:
        output.stdout.print(f"[bold yellow]damaged entry[/] at {output.escape(d['file'])}:{d['line']} "
                            f"({output.escape(d['why'])}; not counted by any check):")
        for line in d["text"].splitlines()[:40]:
            output.stdout.print(f"  [dim]│[/] {output.escape(line)}", soft_wrap=True)
    if doc.get("retracted"):
        table = Table(title="retracted (no longer counted)", title_justify="left")
        for col in ("entry", "milestone", "by", "when", "reason"):
            table.add_column(col)
        for r in doc["retracted"]:
            table.add_row(r["entry"], r["milestone"], r["id"], r["timestamp"], output.escape(r["reason"].strip()[:80]))
        output.stdout.print(table)


@paper_app.command("add")
def paper_add(
    title: Annotated[str, typer.Argument(help="The paper's title.")],
    url: Annotated[str | None, typer.Option("--url", help="Where to find it.")] = None,
    milestone: Annotated[str | None, typer.Option("--milestone", "-m", help="The milestone it belongs to.")] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Create a note for a paper in papers_notes/ (status links it from its milestone).

    Example: `llmpath paper add "Attention Is All You Need" --url https://arxiv.org/abs/1706.03762 -m M5`
    """
    from llmpath.commands.paper import add_paper

    ctx = open_ctx(workspace)
    path = add_paper(ctx, title, url=url, milestone=milestone)
    output.stdout.print(f"[green]created {ctx.workspace.rel(path)}[/]")
