"""Why a success rate is low: replay each recorded run through the model's own reading of it.

``SimulatedModel.trace`` says, for every turn, what the model meant (a correct call, a flawed call,
an answer) and how the agent's observation was classified (result, lost, clear, vague, none). Counted
over all runs, these name the bug: outputs lost, errors swallowed or vague, valid calls never run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from llmpath.validators.m12_agent.diagnose import GREEDY, OUTPUT_LOST, SWALLOWED, VAGUE
from llmpath.validators.m12_agent.reference import parse_action, valid_call


def conversation(run: Mapping[str, Any], systems: Sequence[str]) -> list[dict[str, str]]:
    """The run's last conversation with its system messages restored (the final reply, which got no
    observation, is left out: it says nothing about feedback)."""
    messages = []
    replies = run.get("replies") or []
    for m in run.get("last") or []:
        if not isinstance(m, dict):
            continue
        if m.get("role") == "system" and "ref" in m:
            messages.append({"role": "system", "content": _at(systems, m["ref"])})
        elif m.get("role") == "assistant" and "reply" in m:
            messages.append({"role": "assistant", "content": _at(replies, m["reply"])})
        else:
            messages.append({"role": str(m.get("role")), "content": str(m.get("content"))})
    return messages


def _at(items: Sequence[Any], index: Any) -> str:
    ok = isinstance(index, int) and 0 <= index < len(items) and isinstance(items[index], str)
    return items[index] if ok else ""


def shape(reply: str) -> str:
    """A rough name for a reply's format (to name the parser bug behind valid calls that never ran)."""
    if "```" in reply:
        return "code fence"
    if reply.lstrip().startswith('{"thought"'):
        return "a non-action JSON object first"
    stripped = reply.strip()
    if stripped.startswith("{") and stripped.endswith("}"):
        return "pretty-printed JSON" if "\n" in stripped else "bare JSON"
    core = reply[reply.find("{"): reply.rfind("}") + 1]
    return "brace groups beside the JSON" if core.count("{") > core.count('{"') else "prose around the JSON"


def statistics(runs: Sequence[Mapping[str, Any]], models: Sequence[Any], suite: Any, systems: Sequence[str],
               schemas: Mapping[str, Mapping[str, Any]]) -> dict[str, Counter]:
    """Counters over all runs: observation classes after correct and flawed calls; shapes of missed calls."""
    after_call: Counter = Counter()
    after_flaw: Counter = Counter()
    missed: Counter = Counter()
    leaks: Counter = Counter()
    per_run = len(suite.tasks)
    for index, run in enumerate(runs):
        if "runaway" in run or _tasks_in(run, suite) > 1:
            leaks["runs"] += 1
        model = models[index // per_run]
        try:
            steps, _ = model.trace(model.read(conversation(run, systems)))
        except TypeError:  # a malformed conversation: the other checks say so
            continue
        for action, cls in steps:
            if action.kind == "call":
                after_call[cls] += 1
            elif action.kind == "flawed":
                after_flaw[cls] += 1
        ran = {r.get("turn") for r in run.get("tools") or []}
        for turn, reply in enumerate(run.get("replies") or [], start=1):
            if isinstance(reply, str) and turn not in ran and valid_call(parse_action(reply), schemas):
                missed[shape(reply)] += 1
    return {"after_call": after_call, "after_flaw": after_flaw, "missed": missed, "leaks": leaks}


def _tasks_in(run: Mapping[str, Any], suite: Any) -> int:
    """How many different tasks the run's conversation holds as user messages (1 for a fresh run)."""
    texts = {m.get("content") for m in run.get("last") or [] if isinstance(m, dict) and m.get("role") == "user"}
    return sum(1 for t in texts if isinstance(t, str) and suite.task_for(t) is not None)


def diagnosis(stats: Mapping[str, Counter]) -> str | None:
    """The likeliest bug behind a low success rate, from the statistics."""
    if stats["leaks"]["runs"]:
        return ("state leaks between runs: a run's conversation holds earlier tasks (a list kept on self and never "
                "reset?); build the conversation inside run()")
    missed = stats["missed"]
    if missed:
        top, _ = missed.most_common(1)[0]
        if top == "brace groups beside the JSON":
            return GREEDY
        if top == "code fence":
            return "valid calls in code fences were never run: find the JSON object inside the fence"
        return f"valid tool calls were never run (most often in replies shaped as {top}): is the parser too strict?"
    call, flaw = stats["after_call"], stats["after_flaw"]
    shares = {  # the share of each bad observation among the observations of its kind
        OUTPUT_LOST: call["lost"] / max(1, sum(call.values())),
        SWALLOWED: flaw["none"] / max(1, sum(flaw.values())),
        VAGUE: flaw["vague"] / max(1, sum(flaw.values())),
    }
    worst = max(shares, key=lambda k: shares[k])
    return worst if shares[worst] > 0 else None


def describe(stats: Mapping[str, Counter]) -> list[str]:
    """The statistics as lines for the learner."""
    call, flaw = stats["after_call"], stats["after_flaw"]
    lines = [
        f"after {sum(call.values())} correct calls: output fed back {call['result']}, not fed back {call['lost']}",
        f"after {sum(flaw.values())} flawed calls: clear error {flaw['clear']}, vague error {flaw['vague']}, "
        f"no error {flaw['none']} (the model fixes its call with probability 0.60 / 0.25 / 0.05)",
    ]
    if stats["leaks"]["runs"]:
        lines.append(f"{stats['leaks']['runs']} runs started from an earlier run's conversation")
    if stats["missed"]:
        lines.append("valid calls never run: " + ", ".join(f"{n} {s}" for s, n in stats["missed"].most_common()))
    return lines
