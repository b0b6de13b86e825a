"""All rendering lives here: results are data until this module turns them into rich text."""

from __future__ import annotations

import os
import re
import sys
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



def _console(stream: Any, **kw: Any) -> Console:
    """A console that never hard-wraps piped output at 80 columns (a terminal keeps its own width)."""
    try:
        piped = not stream.isatty()
    except (AttributeError, ValueError):
        piped = True
    if piped and "COLUMNS" not in os.environ:
        return Console(highlight=False, soft_wrap=True, width=1000, **kw)
    return Console(highlight=False, **kw)


stdout = _console(sys.stdout)
stderr = _console(sys.stderr, stderr=True)

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
            if not m.get("judged", True):
                when = "[dim]not judged by this version yet[/]"
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


def check_report(report: Any, *, verbose: bool = False, show_next: bool = True) -> None:
    doc = report.to_json()
    head = f"[bold]{report.milestone} · {escape(report.title)}[/]"
    if report.preview:
        head += "  [yellow](preview: nothing recorded)[/]"
    stdout.print(head)
    for path in report.scaffolded:
        stdout.print(f"  [dim]laid out starter file {escape(path)}[/]")
    seen: dict[tuple[str, tuple[str, ...]], str] = {}  # an error shown once, e.g. a syntax error
    for crit in report.criteria:
        stdout.print(f"{_MARK[crit.status]} [bold]{escape(crit.id)}[/] {escape(crit.text)}")
        for c in crit.checks:
            prefix = "   " + (_MARK[c.status] if len(crit.checks) > 1 else " ")
            meta = f"[dim]({escape(c.validator)}, seed {c.seed}, {c.elapsed_s:.2f} s)[/]"
            key = (c.summary, tuple(c.details))
            if c.status == "error" and key in seen:
                stdout.print(f"{prefix} the same error as {seen[key]}, above  {meta}")
                continue
            if c.status == "error":
                seen[key] = crit.id
            stdout.print(f"{prefix} {escape(c.summary)}  {meta}")
            for note in c.notes:
                stdout.print(f"      [yellow]{escape(note)}[/]")
            if verbose or c.status != "passed":
                _check_details(c, verbose)
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
    if report.next_command and show_next:
        next_line(report.next_command, report.next_why)


def next_line(command: str, why: str) -> None:
    """``next: COMMAND  why`` (a chained command is shown one step per line)."""
    steps = command.split(" && llmpath ")
    stdout.print(f"[bold]next:[/] [cyan]{escape(steps[0])}[/]" + ("" if len(steps) > 1 else f"  [dim]{escape(why)}[/]"))
    for step in steps[1:]:
        stdout.print(f"      [cyan]llmpath {escape(step)}[/]  [dim]{escape(why)}[/]")


def _check_details(c: Any, verbose: bool) -> None:
    for d in c.details:
        stdout.print(f"      {escape(d)}")
    if c.diagnosis:
        stdout.print(f"      [bold magenta]likely bug:[/] {escape(c.diagnosis)}")
    if c.metrics and verbose:
        stdout.print("      [dim]" + escape(", ".join(f"{k}={v:.6g}" for k, v in c.metrics.items())) + "[/]")
    if c.output:
        stdout.print("      [dim]your code printed:[/]")
        # progress bars redraw with \r: each redraw is a line here, prefixed like the rest
        for line in c.output.replace("\r\n", "\n").replace("\r", "\n").rstrip().split("\n")[-20:]:
            stdout.print(f"      [dim]│[/] {escape(line)}", soft_wrap=True)


def unlock_report(report: Any) -> None:
    for crit in report.rerun:
        stdout.print(f"{_MARK[crit.status]} re-checked {escape(crit.id)}")
    stdout.print(
        f"[green bold]✓ {report.completed} complete[/]" + (f" at {report.commit[:8]}" if report.commit else "")
        + (f"  [dim](every criterion judged now, on seed {report.seed})[/]" if report.seed is not None else "")
    )
    if report.records_commit:
        stdout.print(f"  llmpath's records committed as {report.records_commit[:8]} (progress, checklist, logs)")
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
        if report.path_ends:
            stdout.print(f"[bold yellow]The path ends here for now:[/] {escape(report.path_ends)}.")
            stdout.print("[bold]next:[/] [cyan]llmpath check --all[/]  [dim]keep your completed work passing[/]")
            return
        stdout.print(
            f"[bold]next:[/] read milestones/{report.unlocked}/README.md, then [cyan]llmpath check {report.unlocked}[/]"
        )
    else:
        stdout.print("[bold green]That was the last milestone: the whole roadmap is complete.[/]")


def init_report(report: Any) -> None:
    stdout.print(f"[green]Created an llmpath workspace in {escape(str(report.root))}[/]")
    for path in report.created:
        stdout.print(f"  {escape(path)}")
    if report.git:
        stdout.print("  (git repository initialised)")
    if report.commit:
        stdout.print(f"  committed as {report.commit[:8]}")
    for warning in report.warnings:
        stdout.print(f"  [yellow]warning:[/] {escape(warning)}")
    stdout.print(
        f"[bold]next:[/] [cyan]cd {escape(str(report.root))} && llmpath status[/]  "
        f"[dim]then read milestones/{report.first}/README.md[/]"
    )


def hint_report(report: Any) -> None:
    mid = report.milestone
    if report.all_passed:
        stdout.print(f"Every criterion of {mid} passed when last checked: no hint needed.")
        return
    if not report.groups:
        stdout.print(f"{mid} has no hints.")
        return
    for group in report.groups:
        label = f"{group.criterion} · {group.text}" if group.criterion else f"{mid} · general hints"
        if report.target and not group.criterion:
            label = f"{report.target} · {group.text}  (general hints of {mid})"
        stdout.print(f"[bold]{escape(label)}[/]")
        for i, text in enumerate(group.hints, 1):
            style = "bold" if report.new and report.target and i == len(group.hints) else "dim"
            stdout.print(f"  [{style}]hint {i}/{group.total}:[/] {escape(text)}", soft_wrap=True)
    if report.target is None:
        return
    group = report.groups[0]
    if report.last_result:
        stdout.print(f"  [dim]last check:[/] {escape(report.last_result)}", soft_wrap=True)
    for line in report.advice:
        stdout.print(f"  {escape(line)}", soft_wrap=True)
    if group.total == 0 and not report.advice:
        stdout.print(f"  No hints for {report.target}: its last check above says what it needs "
                     f"([cyan]llmpath check {mid}[/] shows the details).")
    elif group.total and not report.new:
        stdout.print(f"  [dim]That is every hint for {escape(report.target)}; "
                     f"`llmpath hint {mid} --all` shows all of {mid}'s hints.[/]")


def plot_report(report: Any) -> None:
    stdout.print(f"[green]wrote {escape(report.path)}[/]")
    for name, value in report.metrics.items():
        stdout.print(f"  {escape(name)} = {value:.6g}")
    if not report.log_command:  # drawn from the experiment log itself (M9's scaling picture)
        stdout.print("[bold]next:[/] reference it in the notes of your next experiment entry")
        return
    stdout.print("[bold]next:[/] record it in the experiment log (edit the objective and setup to taste):")
    stdout.print(f"  [cyan]{escape(report.log_command)}[/]", soft_wrap=True)
