"""The typer app: parses arguments, calls one command function, renders the result.

Each command's docstring is its ``--help``. Errors are raised as ``LlmpathError`` and turned into
messages and exit codes by ``llmpath.__main__.main`` (the single error boundary).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from llmpath.cli import output
from llmpath.cli.options import JsonOpt, WorkspaceOpt, hide_flag_placeholders
from llmpath.cli.options import open_ctx as _ctx
from llmpath.cli.progress import CheckProgress
from llmpath.errors import EXIT_CHECK_FAILED, EXIT_DECLINED, EXIT_OK, UsageError

hide_flag_placeholders()

app = typer.Typer(
    name="llmpath",
    help="Keep yourself honest on a 14-milestone path to LLM engineering.\n\n"
    "Start with `llmpath status`; it always tells you the next command.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)


def _version(value: bool) -> None:
    if value:
        from llmpath import __version__

        output.stdout.print(f"llmpath {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", help="Print llmpath's version and exit.", callback=_version, is_eager=True)
    ] = False,
) -> None:
    """Keep yourself honest on a 14-milestone path to LLM engineering.

    Start with `llmpath status`; it always tells you the next command.
    """


@app.command()
def status(
    workspace: WorkspaceOpt = None,
    json: JsonOpt = False,
    phase: Annotated[str | None, typer.Option("--phase", help="Only this phase (its id).")] = None,
    state: Annotated[
        str | None, typer.Option("--state", help="Only milestones in this state: locked, in_progress or complete.")
    ] = None,
) -> None:
    """Show phases and milestones (locked / in progress / complete) and the exact next command.

    Example: `llmpath status`, `llmpath status --state complete`, `llmpath status --json | jq .next.command`
    """
    from llmpath.commands.check import roadmap_changes
    from llmpath.commands.status import filter_status
    from llmpath.commands.status import status as build

    ctx = _ctx(workspace)
    doc = filter_status(build(ctx, roadmap_changes(ctx)), phase=phase, state=state)
    if json:
        output.print_json(doc)
    else:
        output.status(doc)


@app.command()
def check(
    milestone: Annotated[
        str | None, typer.Argument(help="The milestone, e.g. M1 (default: the one in progress).")
    ] = None,
    all_: Annotated[
        bool, typer.Option("--all", help="Re-verify every completed milestone on the current code.")
    ] = False,
    preview: Annotated[
        bool, typer.Option("--preview", help="Run a locked milestone's checks; record nothing.")
    ] = False,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Judge on other seeded inputs than the fixed ones.")
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show details of passing checks too.")] = False,
    workspace: WorkspaceOpt = None,
    json: JsonOpt = False,
) -> None:
    """Run a milestone's exit criteria against your code and record the results.

    Example: `llmpath check M1`, `llmpath check M4 --preview`, `llmpath check --all`
    Exit code 0 when every criterion passed, 1 when any failed or errored, 4 when the milestone is locked.
    """
    from llmpath.commands import check as cmd
    from llmpath.workspace import gates

    ctx = _ctx(workspace)
    with CheckProgress(not json) as spinner:
        if all_:
            if milestone:
                raise UsageError("give either a milestone or --all, not both")
            reports = cmd.check_all(ctx, seed=seed, on_event=spinner.event)
        else:
            mid = milestone or gates.current(ctx.roadmap, ctx.progress())
            if mid is None:
                raise UsageError("every milestone is complete; name one, or use --all")
            reports = [cmd.check(ctx, mid, preview=preview, seed=seed, on_event=spinner.event)]
    changes = cmd.roadmap_changes(ctx) if all_ else None
    if json:
        output.print_json(
            reports[0].to_json()
            if not all_
            else {"schema": cmd.SCHEMA_VERSION, "reports": [r.to_json() for r in reports], "roadmap_changes": changes}
        )
    else:
        output.roadmap_changes(changes)
        for report in reports:
            output.check_report(report, verbose=verbose, show_next=not all_)
        if all_:
            bad = [r.milestone for r in reports if r.status != "passed"]
            if not reports:
                output.stdout.print("No milestone is complete yet: nothing to re-verify.")
            elif bad:
                output.stdout.print(f"[red bold]No longer passing: {', '.join(bad)}[/]")
            else:
                output.stdout.print(f"[green bold]All {len(reports)} completed milestones still pass.[/]")
    failed = any(r.status != "passed" for r in reports)
    raise typer.Exit(EXIT_CHECK_FAILED if failed else EXIT_OK)


@app.command()
def unlock(
    target: Annotated[str, typer.Argument(help="`next` (or the id of the next milestone).")] = "next",
    allow_dirty: Annotated[
        bool, typer.Option("--allow-dirty", help="Complete even with uncommitted milestone files.")
    ] = False,
    no_commit: Annotated[
        bool, typer.Option("--no-commit", help="Leave llmpath's records uncommitted (tag your commit instead).")
    ] = False,
    workspace: WorkspaceOpt = None,
    json: JsonOpt = False,
) -> None:
    """Complete the milestone in progress and unlock the next one, when every criterion passes.

    Re-runs only the checks whose files changed since they were recorded, records the commit it
    judged, ticks the README checklist and lays out the next starter files. In a git repository it
    then commits those records (progress, checklist, logs, starter files) and tags that commit
    `llmpath/M#`: the tag holds your work and the evidence, and `git status` stays clean.
    Example: `llmpath unlock next`. Exit code 4 with a list of what is missing when refused.
    """
    from llmpath.commands.unlock import unlock as run

    ctx = _ctx(workspace)
    with CheckProgress(not json, "unlock") as spinner:

        def on_rerun(n: int) -> None:
            if n:
                spinner.note(f"re-running {n} criteria whose files changed")

        report = run(
            ctx, target, allow_dirty=allow_dirty, commit=not no_commit, on_rerun=on_rerun, on_event=spinner.event
        )
    if json:
        output.print_json(report.to_json())
    else:
        output.unlock_report(report)


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Where to create the workspace.")] = Path("."),
    git: Annotated[bool, typer.Option("--git", help="Also `git init` there and commit the fresh workspace.")] = False,
    roadmap: Annotated[
        Path | None, typer.Option("--roadmap", help="Use this roadmap.yaml instead of the built-in curriculum.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Create it even inside another workspace.")] = False,
) -> None:
    """Lay out a fresh workspace: roadmap.yaml, milestones/M1, empty logs, folders. Never overwrites.

    Example: `llmpath init ~/llm-journey --git` (instructors: `--roadmap course.yaml`)
    """
    from llmpath.commands.init import init as run

    report = run(directory, git=git, roadmap_file=roadmap, force=force)
    output.init_report(report)


@app.command()
def hint(
    target: Annotated[
        str | None,
        typer.Argument(help="A milestone (M2) or a criterion (M2.gradients); default: the milestone in progress."),
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Show every hint of the milestone at once.")] = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Reveal the next hint for the first criterion still failing (and the ones revealed before).

    Example: `llmpath hint`, `llmpath hint M2.gradients`, `llmpath hint M2 --all`
    """
    from llmpath.commands.hint import hint as run

    output.hint_report(run(_ctx(workspace), target, show_all=all_))


@app.command()
def watch(
    milestone: Annotated[str | None, typer.Argument(help="The milestone (default: the one in progress).")] = None,
    poll: Annotated[bool, typer.Option("--poll", help="Poll for changes (where file events are lost).")] = False,
    max_runs: Annotated[int | None, typer.Option("--max-runs", hidden=True)] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Re-check on every save of the milestone's files or logs; keys: h hint, r re-run, u unlock, q quit.

    The screen is cleared for each run. When every criterion passes it shows the exact commit command
    and `u` runs `llmpath unlock next`, then moves on to the next milestone.
    Example: `llmpath watch` (add `--poll` on network drives or in containers that lose file events)
    """
    from llmpath.cli.watching import run_watch
    from llmpath.workspace import gates

    ctx = _ctx(workspace)
    mid = milestone or gates.current(ctx.roadmap, ctx.progress())
    if mid is None:
        raise UsageError("every milestone is complete; name one to watch")
    run_watch(ctx, mid, poll=poll, max_runs=max_runs)


@app.command()
def plot(
    milestone: Annotated[
        str, typer.Argument(help="M3 (optimizer convergence), M7 (loss curve) or M9 (bits per byte vs parameters).")
    ],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Where to write the PNG.")] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Draw a milestone's picture into visualizations/ (M3 runs your optimizers; M7 reads loss_history.json;
    M9 reads the M9 experiment entries).

    Prints the numbers it measured and the exact `llmpath log experiment ...` command that records
    them with the picture. Example: `llmpath plot M3`
    """
    from llmpath.commands.plot import plot as run

    ctx = _ctx(workspace)
    with CheckProgress(True, f"plot {milestone}") as spinner:
        spinner.note("running your code in the sandbox" if milestone.upper() in ("M3", "3") else "drawing")
        report = run(ctx, milestone, out)
    output.plot_report(report)


@app.command()
def reset(
    milestone: Annotated[str, typer.Argument(help="The milestone to reset, e.g. M2.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Start a milestone over: your files move to .llmpath/backups/, fresh starter files are laid out.

    Example: `llmpath reset M2`
    """
    from llmpath.commands.reset import reset as run

    ctx = _ctx(workspace)
    mid = ctx.milestone(milestone).id
    if not yes:
        import sys

        if not sys.stdin.isatty():
            raise UsageError("reset needs confirmation: pass --yes when not running interactively")
        if not typer.confirm(f"Move milestones/{mid}/ to a backup and lay out fresh starter files?"):
            output.stdout.print(f"nothing was reset: milestones/{mid}/ is as it was")
            raise typer.Exit(EXIT_DECLINED)  # a "no" is a refusal, not Ctrl-C (130)
    report = run(ctx, mid)
    if report.backup:
        output.stdout.print(f"your files are safe in {ctx.workspace.rel(report.backup)}")
    output.stdout.print(f"[green]{mid} reset[/]: {len(report.restored)} starter file(s) laid out")


@app.command()
def schema() -> None:
    """Print the JSON Schema of roadmap.yaml (point your editor's YAML plugin at it).

    Example: `llmpath schema > roadmap.schema.json`
    """
    from llmpath.commands.schema import schema as build

    output.print_json(build())


def _register_notebook() -> None:
    from llmpath.cli.notebook import log_app, paper_app
    from llmpath.cli.roadmap import roadmap_app

    app.add_typer(log_app, name="log")
    app.add_typer(paper_app, name="paper")
    app.add_typer(roadmap_app, name="roadmap")


_register_notebook()


def _register_verify() -> None:
    from llmpath.cli.verify_cmd import ci_app, verify

    app.command()(verify)
    app.add_typer(ci_app, name="ci")


_register_verify()
