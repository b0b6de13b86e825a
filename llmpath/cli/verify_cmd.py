"""``llmpath verify`` and ``llmpath ci init`` (registered on the main app)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from llmpath.cli import output
from llmpath.cli.options import JsonOpt, WorkspaceOpt, open_ctx
from llmpath.errors import EXIT_CHECK_FAILED, EXIT_OK, UsageError

ci_app = typer.Typer(help="Continuous integration for your workspace (GitHub Actions).", no_args_is_help=True)

PinOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--roadmap-sha256",
        help="Accept a roadmap with this sha256 (repeatable) instead of the built-in curriculum's "
        "(instructors: `sha256sum roadmap.yaml`).",
    ),
]


class _Progress:
    """Where verify is: a live line on a terminal, one line per milestone on stderr elsewhere (CI logs)."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        live = not quiet and output.stderr.is_terminal
        self.status = output.stderr.status("verifying…") if live else None
        self.where = ""

    def __enter__(self) -> _Progress:
        if self.status:
            self.status.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.status:
            self.status.__exit__(*exc)

    def __call__(self, kind: str, milestone: str, detail: str) -> None:
        if kind == "milestone":
            self.where = f"{milestone} ({detail})"
            if self.status:
                self.status.update(f"verifying {self.where}: laying out its commit…")
            elif not self.quiet:
                output.stderr.print(f"verifying {self.where}…")
        elif kind == "start" and self.status:
            self.status.update(f"verifying {self.where}: running {detail.split('#')[0]}…")


def verify(
    seed: Annotated[int | None, typer.Option("--seed", help="Repeat a run: the seed it reported.")] = None,
    roadmap_sha256: PinOpt = None,
    milestone: Annotated[
        list[str] | None, typer.Option("--milestone", "-m", help="Only this milestone (repeatable).")
    ] = None,
    junit: Annotated[
        Path | None, typer.Option("--junit", help="Also write a JUnit XML report here (one test case per criterion).")
    ] = None,
    summary: Annotated[
        Path | None,
        typer.Option("--summary", help="Also append a Markdown summary to this file (e.g. $GITHUB_STEP_SUMMARY)."),
    ] = None,
    workspace: WorkspaceOpt = None,
    json: JsonOpt = False,
) -> None:
    """Re-judge every completed milestone at the commit it was completed at, on a fresh seed.

    Each milestone's commit (its `llmpath/M#` tag) is laid out in a temporary folder and every
    criterion runs there, with the roadmap and logs as committed; your working tree is only read.
    Reports each milestone as verified, failed now, or not verifiable, plus consistency checks.
    Example: `llmpath verify`, `llmpath verify --junit report.xml`, `llmpath verify --seed 1234 -m M3`
    Exit code 0 when everything is verified, 1 otherwise.
    """
    from llmpath.cli import verify_output
    from llmpath.commands.verify import verify as run

    ctx = open_ctx(workspace)
    with _Progress(json) as progress:
        report = run(ctx, seed=seed, pins=roadmap_sha256 or (), only=milestone or (), on_progress=progress)
    doc = report.to_json()
    if junit is not None:
        verify_output.junit(doc, junit)
    if summary is not None and str(summary):
        try:
            with summary.open("a", encoding="utf-8") as handle:
                handle.write(verify_output.markdown(doc))
        except OSError as exc:
            raise UsageError(f"cannot append the summary to {summary}: {exc.strerror or exc}") from None
    if json:
        output.print_json(doc)
    else:
        verify_output.table(doc)
        if junit is not None:
            output.stdout.print(f"[dim]JUnit report: {junit}[/]")
    raise typer.Exit(EXIT_OK if report.status == "verified" else EXIT_CHECK_FAILED)


@ci_app.command("init")
def ci_init(
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing workflow file.")] = False,
    install: Annotated[
        str | None,
        typer.Option("--install", help="What pip installs as llmpath in CI (default: this llmpath's own source)."),
    ] = None,
    classroom: Annotated[
        bool,
        typer.Option("--classroom", help="Write GitHub Classroom's autograding instead: a point per milestone."),
    ] = False,
    python: Annotated[str, typer.Option("--python", help="The Python version CI uses.")] = "3.12",
    roadmap_sha256: PinOpt = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Write a GitHub Actions workflow that runs `llmpath verify --junit` on every push.

    It installs a CPU-only torch and llmpath, re-judges every completed milestone, uploads the
    JUnit report and shows a summary on the run's page. Never overwrites without `--force`.
    Example: `llmpath ci init`, then `git add .github && git commit -m ci && git push --follow-tags`
    """
    from llmpath.commands.ci import ci_init as run

    ctx = open_ctx(workspace)
    report = run(ctx, force=force, install=install, classroom=classroom, python=python, pins=roadmap_sha256 or ())
    output.stdout.print(f"[green]wrote {report.path}[/]")
    output.stdout.print(f"  installs llmpath with: pip install {report.install}")
    if report.pins:
        output.stdout.print(f"  accepts the roadmap(s) with sha256 {', '.join(p[:12] for p in report.pins)}")
    for warning in report.warnings:
        output.stdout.print(f"  [yellow]warning:[/] {output.escape(warning)}")
    output.stdout.print(
        f"[bold]next:[/] git add {report.rel} && git commit -m 'llmpath CI' && git push --follow-tags  "
        "[dim](the tags carry your completions)[/]"
    )
