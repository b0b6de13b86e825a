"""``llmpath verify``'s three faces: the terminal table, a JUnit XML file, a Markdown summary.

All three are drawn from the report's JSON document (``VerifyReport.to_json``), so they cannot
disagree with ``--json``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from rich.markup import escape
from rich.table import Table

from llmpath.cli.output import stdout

_STATUS = {
    "verified": "[green]✓ verified[/]",
    "failed": "[red]✗ failed now[/]",
    "unverifiable": "[yellow]? not verifiable[/]",
}
_PLAIN = {"verified": "✓ verified", "failed": "✗ failed now", "unverifiable": "? not verifiable"}


def table(doc: dict[str, Any]) -> None:
    """The terminal report: one row per milestone, the failing checks, the consistency checks."""
    roadmap = doc["roadmap"]
    which = "pinned" if roadmap["pinned"] else "built-in"
    stdout.print(
        f"[bold]llmpath verify[/]  seed {doc['seed']} [dim](repeat with --seed {doc['seed']})[/]  "
        f"course roadmap: {which} [dim]({', '.join(s[:12] for s in roadmap['accepted'])})[/]"
    )
    if not doc["milestones"]:
        stdout.print("No milestone is recorded as complete yet: nothing to verify.")
    else:
        grid = Table(box=None, padding=(0, 1), pad_edge=False, show_edge=False)
        for column in ("", "milestone", "status", "commit", "time", "why"):
            grid.add_column(column, overflow="fold")
        for m in doc["milestones"]:
            grid.add_row(
                m["id"], escape(m["title"]), _STATUS[m["status"]], (m["commit"] or "-")[:8], f"{m['elapsed_s']:.1f} s",
                escape(m["reason"] or ""),
            )
        stdout.print(grid)
    for m in doc["milestones"]:
        _failures(m)
        for note in m["notes"]:
            stdout.print(f"  [dim]{m['id']}: {escape(note)}[/]")
    for check in doc["consistency"]:
        mark = "[green]✓[/]" if check["status"] == "passed" else "[red]✗[/]"
        stdout.print(f"{mark} [bold]{check['check']}[/]: {escape(check['text'])}")
        for f in check["findings"]:
            style = "red" if f["level"] == "problem" else "dim"
            stdout.print(f"    [{style}]{f['level']}: {escape(f['message'])}[/]")
    counts = doc["counts"]
    line = (
        f"{counts['verified']}/{len(doc['milestones'])} milestones verified, {counts['failed']} failed now, "
        f"{counts['unverifiable']} not verifiable "
        f"({doc['completed']}/{doc['total']} complete; {doc['elapsed_s']:.1f} s)"
    )
    colour = "green" if doc["status"] == "verified" else "red"
    stdout.print(f"[{colour} bold]{line}[/]")


def _failures(m: dict[str, Any]) -> None:
    for crit in m["criteria"]:
        for c in crit["checks"]:
            if c["status"] == "passed":
                continue
            stdout.print(f"  [red]{m['id']}[/] {escape(crit['id'])}: {escape(c['summary'])}")
            for d in c["details"][:6]:
                stdout.print(f"      {escape(d)}")
            if c["diagnosis"]:
                stdout.print(f"      [bold magenta]likely bug:[/] {escape(c['diagnosis'])}")
    for crit in m["criteria"]:
        for c in crit["checks"]:
            for note in c.get("notes", ()):
                stdout.print(f"  [yellow]{m['id']}[/] {escape(crit['id'])}: {escape(note)}")


# XML 1.0 cannot hold most control characters at all, even escaped: show them as \xNN instead.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _x(text: Any) -> str:
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))


def junit(doc: dict[str, Any], path: Path) -> None:
    """A JUnit XML report: a test suite per milestone with a test case per criterion, and one for consistency."""
    root = ET.Element("testsuites", name="llmpath verify")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for m in doc["milestones"]:
        suite = _suite(root, f"{m['id']} {m['title']}", m["elapsed_s"])
        _properties(suite, {"status": m["status"], "commit": m["commit"], "tag": m["tag"], "seed": doc["seed"],
                            "roadmap_sha256": m["roadmap_sha256"]})
        if m["criteria"]:
            for crit in m["criteria"]:
                elapsed = sum(c["elapsed_s"] for c in crit["checks"])
                case = _case(suite, m["id"], f"{crit['id']}: {crit['text']}", elapsed)
                _verdict(case, crit)
        else:
            expected = m["expected_criteria"] or [{"id": f"{m['id']}", "text": "verification"}]
            for crit in expected:
                case = _case(suite, m["id"], f"{crit['id']}: {crit['text']}", 0.0)
                ET.SubElement(case, "error", message=_x(f"not verifiable: {m['reason']}"), type="unverifiable")
        _count(suite, totals)
    suite = _suite(root, "consistency", 0.0)
    for check in doc["consistency"]:
        case = _case(suite, "consistency", f"{check['check']}: {check['text']}", 0.0)
        problems = [f["message"] for f in check["findings"] if f["level"] == "problem"]
        notes = [f["message"] for f in check["findings"] if f["level"] == "note"]
        if problems:
            ET.SubElement(case, "failure", message=_x(problems[0]), type="inconsistent").text = _x("\n".join(problems))
        if notes:
            ET.SubElement(case, "system-out").text = _x("\n".join(notes))
    _count(suite, totals)
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", f"{doc['elapsed_s']:.3f}")
    ET.indent(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def _suite(root: ET.Element, name: str, elapsed: float) -> ET.Element:
    return ET.SubElement(root, "testsuite", name=_x(name), time=f"{elapsed:.3f}")


def _case(suite: ET.Element, milestone: str, name: str, elapsed: float) -> ET.Element:
    return ET.SubElement(suite, "testcase", classname=f"llmpath.{milestone}", name=_x(name), time=f"{elapsed:.3f}")


def _properties(suite: ET.Element, values: dict[str, Any]) -> None:
    props = ET.SubElement(suite, "properties")
    for name, value in values.items():
        if value is not None:
            ET.SubElement(props, "property", name=name, value=_x(value))


def _verdict(case: ET.Element, crit: dict[str, Any]) -> None:
    notes = [n for c in crit["checks"] for n in c.get("notes", ())]  # what llmpath did about the run
    if crit["status"] == "passed":
        if notes:
            ET.SubElement(case, "system-out").text = _x("\n".join(notes))
        return
    bad = [c for c in crit["checks"] if c["status"] != "passed"]
    lines = []
    for c in bad:
        lines += [f"[{c['validator']}, seed {c['seed']}] {c['summary']}", *c["details"]]
        if c["diagnosis"]:
            lines.append(f"likely bug: {c['diagnosis']}")
    message = bad[0]["summary"] if bad else crit["status"]
    tag = "failure" if crit["status"] == "failed" else "error"
    ET.SubElement(case, tag, message=_x(message), type=crit["status"]).text = _x("\n".join(lines))
    output = "\n".join([*notes, *(c["output"] for c in bad if c["output"])])
    if output:
        ET.SubElement(case, "system-out").text = _x(output)


def _count(suite: ET.Element, totals: dict[str, int]) -> None:
    cases = suite.findall("testcase")
    counts = {
        "tests": len(cases),
        "failures": sum(c.find("failure") is not None for c in cases),
        "errors": sum(c.find("error") is not None for c in cases),
    }
    for key, value in counts.items():
        suite.set(key, str(value))
        totals[key] += value


def markdown(doc: dict[str, Any]) -> str:
    """A Markdown summary (GitHub shows it on the run's page when appended to $GITHUB_STEP_SUMMARY)."""
    counts = doc["counts"]
    lines = [
        "## llmpath verify",
        "",
        f"**{counts['verified']}/{len(doc['milestones'])} milestones verified** "
        f"({doc['completed']}/{doc['total']} complete), seed `{doc['seed']}`",
        "",
        "| milestone | status | commit | why |",
        "|---|---|---|---|",
    ]
    for m in doc["milestones"]:
        why = (m["reason"] or "").replace("|", "\\|")
        lines.append(f"| {m['id']} {m['title']} | {_PLAIN[m['status']]} | `{(m['commit'] or '-')[:8]}` | {why} |")
    for check in doc["consistency"]:
        for f in check["findings"]:
            lines.append(f"- {f['level']} ({check['check']}): {f['message']}")
    return _x("\n".join(lines)) + "\n"
