"""All rendering lives here: results are data until this module turns them into rich text."""

from __future__ import annotations

import re
from typing import Any

from rich.console import Console
from rich.markup import escape as _markup_escape
from rich.table import Table
from rich.text import Text

from llmpath.cli.output_json import print_json as print_json  # one place prints JSON: re-exported here

# Control characters a terminal would obey (ESC sequences can clear the screen and draw a fake "✓ passed";
# a carriage return overwrites a line): C0 but tab and newline, DEL, C1.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # U+2400 CONTROL PICTURES: ␀, ␛, ␍ ...
    return "␡" if code == 0x7F else f"\\x{code:02x}"


def visible(text: str) -> str:
    """``text`` with every control character a terminal would act on shown instead (``␛[2J``)."""
    return _CONTROL.sub(_picture, text.replace("\r\n", "\n"))


def escape(text: str) -> str:
    """Text from outside llmpath (the learner's output, messages, log entries) made safe to print:
    control characters visible, rich markup inert."""
    return _markup_escape(visible(str(text)))


stdout = Console(highlight=False, soft_wrap=False)
stderr = Console(stderr=True, highlight=False)

_MARK = {"passed": "[green]✓[/]", "failed": "[red]✗[/]", "error": "[yellow]![/]"}
_STATE = {"complete": "[green]complete[/]", "in_progress": "[cyan]in progress[/]", "locked": "[dim]locked[/]"}


def error(message: str, hint: str | None = None, missing: list[str] | None = None) -> None:
    stderr.print(f"[bold red]error:[/] {escape(message)}")
    for item in missing or []:
        stderr.print(f"  [red]•[/] {escape(item)}")
    if hint:
        stderr.print(f"[dim]next:[/] {escape(hint)}")


def _bar(done: int, total: int, width: int = 28) -> Text:
    """A bar that reads the same with or without colour (rich's ProgressBar is blank on plain output)."""
    filled = round(width * done / total) if total else 0
    return Text.assemble(("█" * filled, "green"), ("░" * (width - filled), "dim"))


def roadmap_changes(changes: dict[str, Any] | None) -> None:
    """A changed roadmap.yaml, named criterion by criterion (status, check --all)."""
    if not changes:
        return
    stdout.print(f"[yellow bold]roadmap.yaml is not {escape(changes['against'])}:[/]")
    for line in changes["lines"]:
        stdout.print(f"  [yellow]•[/] {escape(line)}")
    stdout.print("  [dim]`llmpath unlock` refuses until `llmpath roadmap accept --reason '...'` records the change "
                 "(or `git checkout -- roadmap.yaml` restores it)[/]")


def warnings(items: Any) -> None:
    for item in items:
        stderr.print(f"[bold yellow]warning:[/] {escape(item)}")


def status(doc: dict[str, Any]) -> None:
    stdout.print(f"[bold]{escape(doc['roadmap'])}[/]  [dim]{escape(doc['workspace'])}[/]")
    roadmap_changes(doc.get("roadmap_changes"))
    for phase in doc["phases"]:
        stdout.print()
        stdout.print(f"[bold]{escape(phase['id'])} · {escape(phase['title'])}[/]  {_STATE[phase['state']]}")
        table = Table(show_header=False, box=None, padding=(0, 1), pad_edge=False)
        for m in phase["milestones"]:
            crit = f"{m['criteria_passed']}/{m['criteria_total']} criteria"
            when = f"checked {m['last_check_at']}" if m["last_check_at"] else ""
            if m["state"] == "complete" and m["commit"]:
                when = f"done at {m['commit'][:8]}"
            papers = f"📄 {len(m['papers'])}" if m["papers"] else ""
            marker = "▶" if m["id"] == doc["current"] else " "
            table.add_row(marker, m["id"], escape(m["title"]), _STATE[m["state"]], crit, when, papers)
        stdout.print(table)
    stdout.print()
    grid = Table.grid(padding=(0, 1))
    grid.add_row(
        Text("progress", style="bold"),
        _bar(doc["completed"], doc["total"]),
        f"{doc['completed']}/{doc['total']} milestones",
    )
    stdout.print(grid)
    nxt = doc["next"]
    stdout.print(f"[bold]next:[/] [cyan]{escape(nxt['command'])}[/]  [dim]{escape(nxt['why'])}[/]")


def check_report(report: Any, *, verbose: bool = False) -> None:
    doc = report.to_json()
    head = f"[bold]{report.milestone} · {escape(report.title)}[/]"
    if report.preview:
        head += "  [yellow](preview: nothing recorded)[/]"
    stdout.print(head)
    for path in report.scaffolded:
        stdout.print(f"  [dim]laid out starter file {escape(path)}[/]")
    for crit in report.criteria:
        stdout.print(f"{_MARK[crit.status]} [bold]{escape(crit.id)}[/] {escape(crit.text)}")
        for c in crit.checks:
            show = verbose or c.status != "passed"
            prefix = "   " + (_MARK[c.status] if len(crit.checks) > 1 else " ")
            stdout.print(
                f"{prefix} {escape(c.summary)}  [dim]({escape(c.validator)}, seed {c.seed}, {c.elapsed_s:.2f} s)[/]"
            )
            for note in c.notes:
                stdout.print(f"      [yellow]{escape(note)}[/]")
            if show:
                for d in c.details:
                    stdout.print(f"      {escape(d)}")
                if c.diagnosis:
                    stdout.print(f"      [bold magenta]likely bug:[/] {escape(c.diagnosis)}")
                if c.metrics and verbose:
                    stdout.print(
                        "      [dim]" + escape(", ".join(f"{k}={v:.6g}" for k, v in c.metrics.items())) + "[/]"
                    )
                if c.output and (verbose or c.status != "passed"):
                    stdout.print("      [dim]your code printed:[/]")
                    # progress bars redraw with \r: each redraw is a line here, prefixed like the rest
                    for line in c.output.replace("\r\n", "\n").replace("\r", "\n").rstrip().split("\n")[-20:]:
                        stdout.print(f"      [dim]│[/] {escape(line)}", soft_wrap=True)
    counts = doc["counts"]
    n = len(report.criteria)
    checks = sum(len(c.checks) for c in report.criteria)
    if report.status == "passed":
        stdout.print(
            f"[green bold]All {n} criteria of {report.milestone} passed[/] ({checks} checks, every check in the "
            "roadmap)."
        )
    else:
        stdout.print(
            f"[bold]{counts['passed']}/{n} criteria passed[/], [red]{counts['failed']} failed[/], "
            f"[yellow]{counts['error']} errored[/] ({checks} checks)."
        )
    if report.recorded:
        stdout.print(f"[dim]recorded in .llmpath/progress.json (files fingerprint {report.fingerprint[:12]})[/]")
    warnings(report.warnings)


def unlock_report(report: Any) -> None:
    for crit in report.rerun:
        stdout.print(f"{_MARK[crit.status]} re-checked {escape(crit.id)}")
    stdout.print(
        f"[green bold]✓ {report.completed} complete[/]" + (f" at {report.commit[:8]}" if report.commit else "")
        + (f"  [dim](every criterion judged now, on seed {report.seed})[/]" if report.seed is not None else "")
    )
    if report.tag:
        stdout.print(f"  tagged [cyan]{escape(report.tag)}[/]")
    if report.dirty:
        stdout.print("  [yellow]recorded with uncommitted changes (--allow-dirty)[/]")
    for warning in report.warnings:
        stdout.print(f"  [yellow]warning:[/] {escape(warning)}")
    if report.phase_completed:
        stdout.print(f"[bold green]Phase {escape(report.phase_completed)} complete![/]")
    if report.unlocked:
        stdout.print(f"[bold]unlocked {report.unlocked}[/]")
        for path in report.scaffolded:
            stdout.print(f"  laid out {escape(path)}")
        stdout.print(
            f"[bold]next:[/] read milestones/{report.unlocked}/README.md, then [cyan]llmpath check {report.unlocked}[/]"
        )
    else:
        stdout.print("[bold green]That was the last milestone: the whole roadmap is complete.[/]")
