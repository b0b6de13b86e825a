"""Does a recorded run follow the allowed actions (llmpath.agents.optimum)? Checked rule by rule.

Each rule is one an agent that plays fair can never break, whatever the model's draws, so a broken
rule fails the check on its own, with the run as evidence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from llmpath.validators.m12_agent.reference import offending, parse_action, same_value
from llmpath.validators.m12_agent.transcript import show


def _permuted(ran: Any, wrote: Any) -> bool:
    """Same names and the same values, but not each value under its own name."""
    if not isinstance(ran, dict) or not isinstance(wrote, dict) or ran.keys() != wrote.keys():
        return False
    return sorted(map(repr, ran.values())) == sorted(map(repr, wrote.values()))


def check_run(run: Mapping[str, Any], schemas: Mapping[str, Mapping[str, Any]], max_steps: int) -> str | None:
    """The first allowed-action rule this run breaks, in words (None when it breaks none)."""
    replies: Sequence[Any] = run.get("replies") or []
    n_calls = run.get("n_calls", len(replies))
    if n_calls > max_steps:
        return f"the model was called {n_calls} times; max_steps is {max_steps}"
    if run.get("edits"):
        return (f"model call {run['edits'][0] + 1} is not the previous conversation + the reply + observations: "
                "history was edited (re-rolling the model?)")
    actions = [parse_action(r) for r in replies]
    for record in run.get("tools") or []:
        turn = record.get("turn", 0)
        action = actions[turn - 1] if 1 <= turn <= len(actions) else None
        name = record.get("tool")
        if action is None or action.get("tool") != name:
            asked = show(replies[turn - 1], 60) if 1 <= turn <= len(replies) else "nothing"
            return f"{name} ran with {show(record.get('arguments'))} though the model's reply was {asked}"
        if not same_value(record.get("arguments"), action.get("arguments")):
            moved = " (the values moved between parameters: passed positionally?)" if _permuted(
                record.get("arguments"), action.get("arguments")) else ""
            return (f"{name} ran with {show(record.get('arguments'))}; the model wrote {show(action.get('arguments'))} "
                    f"(arguments must not be changed){moved}")
        if offending(schemas.get(str(name)), action.get("arguments")):
            return f"{name} ran with invalid arguments {show(action.get('arguments'))} (validate before running)"
    turns = [r.get("turn") for r in run.get("tools") or []]
    if len(turns) != len(set(turns)):
        return "a tool ran more than once for one reply (retrying is the model's decision)"
    for i, action in enumerate(actions[:-1]):
        if action is not None and "answer" in action and "tool" not in action:
            return (f"the model answered at reply {i + 1} ({show(action['answer'], 50)}) and the run went on "
                    f"(the answer was not found in {show(replies[i], 60)}, or it was refused)")
    answer = run.get("answer")
    if answer is not None:
        last = actions[-1] if actions else None
        if last is None or "tool" in last or last.get("answer") != answer:
            return f"the run answered {show(answer, 50)}, which is not the model's final answer"
    return None
