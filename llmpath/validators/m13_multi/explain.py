"""Why a system's success rate is below the optimum (verdict side): rates per task shape beside their optima.

Each shape's measured rate is shown beside its exact optimum with clear, vague and no error
observations (`llmpath.agents.team.team_task_optimum`): a system whose roles feed back vague errors
lands on the vague figures, one that swallows errors on the "none" ones; a system that loses what
the first role found fails the chains only; one that ignores handoffs fails the tasks of every role
but the first it asks.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

VAGUE = ("the roles' error observations do not name the bad tool or argument (the rate matches vague errors): say "
         "which tool or argument was wrong, as in M12")
NONE = "the roles swallow errors (the rate matches no feedback at all): feed every error back to the model"
CHAINS = ("the second role of a chain fails: pass what the first role answered on as the request's context (a user "
          "message after the task), so that the next role starts where it stopped")
HANDOFF = ("tasks of some roles always fail: route a reply's 'needs' to the role that holds that tool")
CRASHES = "runs crashed or hung: a fault must end a run with a failure result, never an exception"
REFUSED = "the system's own messages are refused by its protocol ({example}): fix the message or declare the rule"
BROADCAST = "a broadcast the protocol forbids ({example}): send to the one role concerned"
WEAK = ("the roles' error observations are vague or swallowed (the rate lies between the figures for vague errors "
        "and for none): name the bad tool or argument in every error, as in M12")
STEPS = "roles run out of model calls: each request gets role_steps model calls (and the errors must be clear)"


def below_diagnosis(suite: Any, table: list[list[bool]], runs: list[Any], p: Any, margin: float,
                    crashed: list[str]) -> tuple[list[str], str]:
    from llmpath.agents import team_task_optimum

    shapes: dict[tuple[str, tuple[str, ...]], list[int]] = {}
    for i, task in enumerate(suite.tasks):
        shapes.setdefault((task.kind, task.tools), []).append(i)
    lines, expected = [], {"clear": 0.0, "vague": 0.0, "none": 0.0}
    low_chains = low_singles = 0
    for (kind, tools), members in sorted(shapes.items(), key=lambda item: -len(item[1])):
        rate = sum(sum(table[i]) for i in members) / (len(members) * p.k)
        best = {f: float(team_task_optimum(suite.tasks[members[0]], p.role_steps, feedback=f)) for f in expected}
        for f in expected:
            expected[f] += best[f] * len(members) / len(suite.tasks)
        lines.append(f"{kind} {' -> '.join(tools) or '(no tool)'} ({len(members)} tasks): {rate:.3f}; optimum "
                     f"{best['clear']:.3f}, {best['vague']:.3f} with vague errors, {best['none']:.3f} with none")
        low_chains += kind == "chain" and rate < best["clear"] / 2
        low_singles += kind == "single" and rate < best["clear"] / 2
    failed = [runs[r * len(suite.tasks) + i].get("run") or {} for i in range(len(suite.tasks)) for r in range(p.k)
              if not table[i][r]]
    blamed = Counter(str(run.get("role")) for run in failed if run.get("role"))
    if blamed:
        lines.append("failed runs name: " + ", ".join(f"{role} {n}" for role, n in blamed.most_common()))
    errors = Counter(str(run.get("error"))[:80] for run in failed if run.get("error"))
    lines += [f"error x{n}: {text}" for text, n in errors.most_common(2)]
    lines += crashed[:2]
    success = sum(map(sum, table)) / (len(table) * p.k)
    if len(crashed) > len(runs) / 10:
        return lines, CRASHES
    refused = [text for text in errors if "protocol" in text.lower()]
    if refused and sum(errors[t] for t in refused) > len(failed) / 2:
        return lines, (BROADCAST if "*" in refused[0] else REFUSED).format(example=refused[0])
    if low_chains and not low_singles:
        return lines, CHAINS
    if low_singles:
        return lines, HANDOFF
    if abs(success - expected["vague"]) <= margin:
        return lines, VAGUE
    if abs(success - expected["none"]) <= margin:
        return lines, NONE
    if expected["none"] < success < expected["vague"]:
        return lines, WEAK
    if sum(n for text, n in errors.items() if "max_steps" in text) > len(failed) / 2:
        return lines, STEPS
    return lines, ("compare a failed run's transcript with the allowed actions of milestones/M13/README.md "
                   "(show_transcript(run.transcript) prints it)")
